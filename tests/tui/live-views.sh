#!/bin/sh
# The second edition's views on live workloads in a real terminal (tmux):
# the call tree shows worker -> ... -> the hot leaf expanded, the flame
# view's widest leaf is the hottest function, a saved filtered profile reads
# back in go tool pprof as the table shows it, and search finds one thread
# among 1000.
. "$top_srcdir/tests/lib.sh"
. "$top_srcdir/tests/tui/tui-lib.sh"
need_ptrace

start_bg "$(workload ratio)" -t 2 -d 600
W=$BG_PID
mkdir "$TMPD/cwd"
TUI_CWD="$TMPD/cwd" tui_start 160 45 "$TUI" -p "$W"
tui_wait 10 '^ +[0-9]+ .*%  hot_a$'
# enough samples for stable shapes
enough() { tui_screen | awk '/^Threads/ { exit !($4 >= 200) }'; }
wait_until 15 enough

diag "$(date +%T) annotate"
# Annotate hot_a (the first row): its instructions' flat add up to the
# table's flat of hot_a (the screen paused: one snapshot for both).
tui_keys p
tui_wait 5 '  PAUSED  '
tflat=$(tui_screen | awk '/  function$/ { getline; if ($NF == "hot_a") print $1; exit }')
# Home: the selection follows its function across updates, so the first
# row (hot_a) must be selected again
tui_keys Home a
tui_wait 10 '^flat [0-9]+ .*annotate hot_a'
tui_wait 5 ' add ' # the instructions are drawn
tui_screen >"$TMPD/annotate"
diag "table: hot_a flat $tflat; $(sed -n 1,3p "$TMPD/annotate")"
aflat=$(sed -n 's/^flat \([0-9]*\) .*annotate hot_a.*/\1/p' "$TMPD/annotate")
isum=$(awk '/address  instruction/ { f = 1; next }
	    f && /^ +([0-9]+|\.) +([0-9]+|\.) +[0-9a-f]+  / { if ($1 != ".") s += $1 }
	    END { print s + 0 }' "$TMPD/annotate")
ninsn=$(grep -Ec '^ +([0-9]+|\.) +([0-9]+|\.) +[0-9a-f]+  [a-z]' "$TMPD/annotate")
atleast "$ninsn" 3 "annotate: hot_a's instructions are listed"
atleast "${tflat:-0}" 20 "annotate: hot_a has samples"
# samples of hot_a whose pc is outside its symbol's code are shown apart
out=$(sed -n 's/^+ \([0-9]*\) samples of the function outside.*/\1/p' "$TMPD/annotate")
[ -n "$out" ] && diag "hot_a samples outside its code: $out"
is "$((isum + ${out:-0}))" "$tflat" "annotate: the instructions' flat (+ those shown outside) add up to hot_a's flat"
is "$aflat" "$isum" "annotate: the title's flat is the instructions' sum"
grep -Eq '^ +[0-9]+  .*WL_SPIN' "$TMPD/annotate"
ok $? "annotate: source lines between the instructions"
tui_keys Escape p
tui_wait 5 'flat▼'

diag "$(date +%T) tree"
# The tree: the hottest path is open down to hot_a, through worker.
tui_keys T
tui_wait 5 'callees \(top-down\)'
tui_screen >"$TMPD/tree"
awk '/callees \(top-down\)/ { f = 1; next }
     f && /  (▾ |▸ )?worker$/ { w = index($0, "worker"); wopen = /▾ worker$/ }
     f && w && /  hot_a$/ && index($0, "hot_a") > w { found = 1; exit }
     END { exit !(found && wopen) }' "$TMPD/tree"
ok $? "tree: worker expanded, hot_a below it"
awk '/callees \(top-down\)/ { f = 1; next }
     f && /  hot_a$/ { print $1; exit }' "$TMPD/tree" >"$TMPD/hot_cum"
atleast "$(cat "$TMPD/hot_cum")" 20 "tree: hot_a has samples on that path"
tui_keys Tab
tui_wait 5 'callers \(bottom-up\)'
tui_screen | awk '/callers \(bottom-up\)/ { getline; print $NF; exit }' >"$TMPD/bu"
is "$(cat "$TMPD/bu")" "hot_a" "bottom-up: hot_a is the first root"

diag "$(date +%T) flame"
# The flame view: the widest leaf (a frame with nothing drawn below it)
# is hot_a.
tui_keys F
tui_wait 5 '^flame view: '
tui_keys p
tui_wait 5 '  PAUSED  '
tui_screen >"$TMPD/flame"
awk '/^flame view: / { f = 1; next }
     f && /\|/ { rows[n++] = $0; next }
     f { exit }
     END {
	best = ""; bw = 0
	for (r = 0; r < n; r++) {
		line = rows[r]; x = 1
		while ((p = index(substr(line, x), "|")) > 0) {
			# the cell is [x0, x1): its name, after a gap of spaces
			x0 = x; x1 = x + p
			name = substr(line, x0, p - 1)
			match(name, /^ */); x0 += RLENGTH
			name = substr(name, RLENGTH + 1); sub(/ +$/, "", name)
			covered = 0
			if (r + 1 < n) {
				below = substr(rows[r + 1], x0, x1 - x0)
				if (below ~ /[^ ]/) covered = 1
			}
			if (!covered && x1 - x0 > bw) { bw = x1 - x0; best = name }
			x = x1
		}
	}
	print best
     }' "$TMPD/flame" >"$TMPD/widest"
is "$(cat "$TMPD/widest")" "hot_a" "flame: the widest leaf is hot_a"
tui_keys p Escape

diag "$(date +%T) save"
# Save what is shown: a filter and one thread; pprof reads the same table.
tui_keys / 'dispatch' Enter
tui_wait 5 '^Filter /dispatch/'
tui_keys t
tui_wait 5 'ratio-1'
tui_keys Home Space Escape
tui_wait 5 'Threads 1 of 2'
tui_keys p
tui_wait 5 '  PAUSED  '
tui_screen | awk '/  function$/ { f = 1; next } f && /%  / { print $1, $NF }
		  f && !/%  / { exit }' >"$TMPD/table"
tui_keys s
tui_wait 5 '^Save to '
tui_keys Enter
tui_wait 5 "^Saved $TMPD/cwd/cproftop-.*-focus=dispatch, -tagfocus=thread_id="
ok $? "s saves what is shown and says so"
f=$(ls "$TMPD/cwd"/cproftop-*.pb.gz 2>/dev/null | head -1)
if command -v go >/dev/null 2>&1; then
	export HOME="$TMPD" GOCACHE="$TMPD/gocache" GOFLAGS=-mod=mod
	go tool pprof -top -sample_index=samples "$f" 2>&1 |
		awk '/flat%/ { f = 1; next } f { print $1, $NF }' >"$TMPD/pprof"
	n=$(wc -l <"$TMPD/table")
	atleast "$n" 3 "the filtered table has rows"
	head -n "$n" "$TMPD/pprof" >"$TMPD/pprof.head"
	if cmp -s "$TMPD/table" "$TMPD/pprof.head"; then r=0; else
		r=1
		diag "table: $(cat "$TMPD/table")"
		diag "pprof: $(cat "$TMPD/pprof")"
	fi
	ok $r "go tool pprof -top on the saved file: the table's rows and flat"
else
	skip "go not installed"
	skip "go not installed"
fi
# P pauses sampling: the time shown (the time profiled) stops.
tui_keys Escape p P
tui_wait 5 'SAMPLING PAUSED'
t1=$(tui_screen | sed -n 's/.*  Time \([0-9:]*\).*/\1/p')
sleep 2.5
t2=$(tui_screen | sed -n 's/.*  Time \([0-9:]*\).*/\1/p')
is "$t2" "$t1" "the time stops while sampling is paused"
tui_keys P
tui_wait 5 '  LIVE  ' ; ok $? "P resumes"
tui_keys q
tui_ended 10 ; ok $? "q quits"
all_untraced "$W" ; ok $? "the workload is left untraced"
tui_kill

diag "$(date +%T) search"
# Search finds one thread among 1000.
start_bg "$(workload ratio)" -t 1 -s 999 -d 600
W2=$BG_PID
wait_until 10 sh -c "[ \$(ls /proc/$W2/task | wc -l) -ge 1000 ]"
tui_start 120 40 "$TUI" -F 10 -p "$W2"
tui_wait 20 '^Threads 1000 '
tui_keys t
tui_wait 5 'sleeper-'
tui_keys F3 'sleeper-777'
tui_wait 5 'Search .*: sleeper-777_$'
tui_keys Enter Space
tui_wait 5 '^\[x\] +[0-9]+ sleeper-777 ' ; ok $? "search finds sleeper-777 among 1000 threads"
tui_keys q
tui_ended 10 ; ok $? "q quits"
# one awk over the 1000 status files (all_untraced forks one per thread)
awk '/^TracerPid:/ && $2 != 0 { bad = 1 } END { exit bad }' \
	/proc/"$W2"/task/*/status
ok $? "the 1000 threads are left untraced"
diag "$(date +%T) end"
done_testing
