#!/bin/bash
# tests/heap/screen.sh: the live screen with --heap (tmux): the header
# shows the heap's live bytes and allocation rate; `m` cycles CPU, wall,
# heap in-use (keep_a on top), heap allocated (churn_c among the rows);
# Enter's source and callers, the tree (T) and the flame view (F) show the
# heap's bytes in these modes, the sites' known sizes (the workload's truth lines); window mode
# shows what grew in the last seconds (the leaking leak_l, not keep_a,
# which stopped growing), in the table and the tree; `s` saves Go's heap
# profile. The header's counts: losses at zero, then forced (forge), then
# every kind at once at 80 columns (forge -l): wrapped, none cut, as is
# the mode line's keys' hint.
. "$top_srcdir/tests/lib.sh"
. "$top_srcdir/tests/tui/tui-lib.sh"
need_ptrace
need_cmd go
export HOME="$TMPD" GOCACHE="$TMPD/gocache" PPROF_TMPDIR="$TMPD"

W=$top_builddir/tests/heap/workload
mkdir "$TMPD/cwd"
# -m 16: 96 MiB kept (keep_a 48), then leak_l leaks 1.25 MiB/s
TUI_CWD="$TMPD/cwd" tui_start 120 30 "$TUI" --heap --heap-rate 65536 \
	--child-output "$TMPD/w.out" -- "$W" -m 16 -s 120 -l
wait_until 30 grep -qs '^holding pid=' "$TMPD/w.out"
ok $? "the workload allocated and holds its memory"
WP=$(sed -n 's/^holding pid=//p' "$TMPD/w.out")
tap_bg_pids="$tap_bg_pids $WP"

tui_wait 20 'Mode CPU.*Heap [0-9.]+[kMG]?B in use, allocating'
ok $? "CPU mode: the header shows the heap's live bytes and allocation rate"

# bytes LABEL: pprof's 1024-based label ("12.50MB") in bytes
bytes() {
	awk -v v="$1" 'BEGIN { m = 1; u = v; sub(/^[-0-9.]+/, "", u)
		if (u == "kB") m = 1024; if (u == "MB") m = 1048576
		if (u == "GB") m = 1073741824; printf "%.0f\n", v * m }'
}

tui_keys m
tui_wait 5 'Mode wall' ; ok $? "m: wall"
tui_keys m
tui_wait 5 'Mode heap in-use' ; ok $? "m: heap in-use"
tui_wait 5 '^Samples [0-9]+ samples?, [0-9]+ frees?, 0 dropped, 0 untracked$'
ok $? "the heap header: dropped and untracked at zero, no other loss"
tui_wait 10 '^ +[0-9.]+[kMG]?B .*%  keep_a$'
is "$(tui_first_row)" keep_a "heap in-use: keep_a holds the most"
# header_figures: the header's live bytes and allocation rate, in bytes
header_figures() {
	line=$(tui_screen | grep -m1 '^Heap ')
	live=$(bytes "$(echo "$line" | sed -n 's/^Heap \([^ ]*\) in use.*/\1/p')")
	rate=$(bytes "$(echo "$line" | sed -n 's/.*allocating \([^ ]*\)\/s.*/\1/p')")
}
# the rate settles once the start's allocations (160 MiB in a second or
# two) are more than 5 s old: then it is the leak's 1.25 MiB/s, estimated
# from ~100 samples a 5 s
rate_settled() {
	header_figures
	[ "${rate:-0}" -gt 500000 ] && [ "${rate:-0}" -lt 3000000 ]
}
wait_until 30 rate_settled
r=$?
diag "$line"
ok $r "the allocation rate: the leak's 1.3 MB/s (got $rate)"
# 96 MiB kept and what leaked so far; sampled: +- 15 %
if [ "${live:-0}" -gt 85000000 ] && [ "${live:-0}" -lt 200000000 ]; then
	r=0; else r=1; fi
ok $r "the live bytes estimate: the 96 MiB kept and the leak (got $live)"

# tree_cum SITE: the cum bytes of SITE's row in the tree view
tree_cum() {
	bytes "$(tui_screen | awk -v s="$1" '$NF == s && $1 ~ /B$/ { print $1; exit }')"
}

# truth SITE COLUMN: the workload's bytes of SITE (2: allocated, 3: in use)
truth() {
	awk -v s="$1" -v c="$2" '$1 == "truth" && $2 == s { print $(c + 1) }' \
		"$TMPD/w.out"
}
# near GOT WANT: GOT within 15 % of WANT (sampled at 64 KiB: ~800
# samples for 48 MiB, a 3.5 % standard deviation)
near() {
	[ "${1:-0}" -gt $(($2 * 85 / 100)) ] && [ "${1:-0}" -lt $(($2 * 115 / 100)) ]
}
# Enter on keep_a: its source lines and callers in bytes in use
tui_keys Enter
tui_wait 5 '^in use: flat [0-9.]+[kMG]?B \([0-9.]+%\)  cum [0-9.]+[kMG]?B .*  keep_a '
ok $? "Enter in heap in-use: keep_a's source view in bytes in use"
line=$(tui_screen | grep -m1 '^in use: flat')
got=$(bytes "$(echo "$line" | sed -n 's/^in use: flat \([^ ]*\) .*/\1/p')")
near "$got" "$(truth keep_a 3)"
ok $? "source: keep_a's flat is its $(truth keep_a 3) bytes (got $got)"
tui_wait 5 '^ +[0-9.]+[kMG]?B +[0-9.]+[kMG]?B +[0-9]+ .*malloc\(n\)'
ok $? "source: the malloc line holds the bytes"
tui_wait 5 '^caller +[0-9.]+[kMG]?B +100\.00%  main$'
ok $? "source: keep_a's caller main, in bytes"
tui_keys a
tui_wait 5 "The annotate view is CPU's"
ok $? "a in the heap source view: the annotate view is CPU's, said"
tui_keys Escape
tui_wait 5 'cum%  function$' ; ok $? "Esc: back to the heap table"

# The tree in heap in-use: bytes, keep_a's 48 MiB under main; churn_c,
# which freed all it allocated, holds nothing.
tui_keys T
tui_wait 5 'cum +cum% +flat +flat%.*bytes in use$'
ok $? "T in heap in-use: the call tree of the bytes in use"
tui_wait 5 '^ +[0-9.]+[kMG]?B +[0-9.]+% +[0-9.]+[kMG]?B +[0-9.]+% +.* keep_a$'
got=$(tree_cum keep_a)
near "$got" "$(truth keep_a 3)"
ok $? "tree: keep_a holds its $(truth keep_a 3) bytes (got $got)"
tui_screen | grep -q ' churn_c$'
ok $((!$?)) "tree: churn_c, which freed everything, holds nothing"
tui_screen | awk '$2 ~ /%$/ && $1 != "cum" && $1 !~ /^[0-9.]+[kMG]?B$/ { bad = 1 }
	END { exit bad }'
ok $? "tree: every value is bytes"

# The flame view in heap in-use: its width is the bytes in use; Down
# goes to the widest callee, from the root down to keep_a.
tui_keys F
tui_wait 5 '^flame view: [0-9.]+[kMG]?B in use \(100\.00%\)'
ok $? "F in heap in-use: the flame view of the bytes in use"
flame_sel() {
	tui_screen | grep -E '  cum [0-9.]+[kMG]?B \(' | tail -1
}
flame_changed() { [ "$(flame_sel)" != "$1" ]; }
for i in 1 2 3 4 5 6 7 8 9 10; do
	prev=$(flame_sel)
	case $prev in keep_a\ *) break ;; esac
	tui_keys Down
	wait_until 5 flame_changed "$prev"
done
line=$(flame_sel)
got=$(bytes "$(echo "$line" | sed -n 's/^keep_a  cum \([^ ]*\) .*/\1/p')")
near "$got" "$(truth keep_a 3)"
ok $? "flame: keep_a's frame holds its $(truth keep_a 3) bytes (got $got: $line)"

# m in the flame view: heap allocated, still the flame view
tui_keys m
tui_wait 5 '^flame view: [0-9.]+[kMG]?B allocated \(100\.00%\)'
ok $? "m in the flame view: the flame view of the bytes allocated"
tui_keys T
tui_wait 5 'cum +cum% +flat +flat%.*bytes allocated$'
ok $? "T in heap allocated: the call tree of the bytes allocated"
tui_wait 5 '^ +[0-9.]+[kMG]?B +[0-9.]+% +[0-9.]+[kMG]?B +[0-9.]+% +.* churn_c$'
got=$(tree_cum churn_c)
near "$got" "$(truth churn_c 2)"
ok $? "tree: churn_c allocated its $(truth churn_c 2) bytes (got $got)"
# / (focus) applies to the heap tree, and the header says so
tui_keys / ; tui_wait 5 '^Filter \(regex' ; ok $? "/ asks for a filter"
tui_keys keep_b Enter
tui_wait 5 'Filter /keep_b/ \(not the table\)'
ok $? "the header shows the filter, not the table's"
tui_wait 5 '^ +[0-9.]+[kMG]?B +[0-9.]+% .* keep_b$'
ok $? "focus keep_b: keep_b's bytes"
tui_screen | grep -Eq ' (keep_a|churn_c)$'
ok $((!$?)) "focus keep_b: keep_a and churn_c are filtered out"
tui_keys '\'
tui_wait 5 ' churn_c$' ; ok $? "\\ clears the filter: churn_c again"
# t: the thread view says so
tui_keys t
tui_wait 5 "The thread view is CPU's \\(the heap profile has no threads\\)"
ok $? "t in a heap mode: the thread view is CPU's, said"

# back to the table
tui_keys T
tui_wait 5 'cum%  function$' ; ok $? "T again: back to the table"
tui_wait 5 'Mode heap allocated' ; ok $? "m: heap allocated"
tui_wait 5 '%  churn_c$' ; ok $? "heap allocated: churn_c, which freed all, is a row"
# s in heap allocated: the file says alloc_space is the one to show.
tui_keys s
tui_wait 5 "^Save to " && tui_keys Enter
tui_wait 5 "^Saved $TMPD/cwd/cproftop-[0-9]{8}-[0-9]{6}\\.pb\\.gz: Go's heap profile"
ok $? "s saves Go's heap profile in heap allocated"
mv "$TMPD/cwd"/cproftop-*.pb.gz "$TMPD/alloc.pb.gz"
go tool pprof -top "$TMPD/alloc.pb.gz" 2>&1 | grep -q '^Type: alloc_space$'
ok $? "... shown as alloc_space by default, the mode saved"
tui_keys m
tui_wait 5 'Mode CPU' ; ok $? "m: back to CPU"

# Window mode: what grew in the last 5 s. keep_a stopped growing; the
# leak goes on.
tui_keys m m w
tui_wait 5 'Mode heap in-use growth.*Scope last 5 s'
ok $? "w: heap in-use growth over the last 5 s"
tui_wait 20 '^ +[0-9.]+[kMG]?B .*%  leak_l$'
is "$(tui_first_row)" leak_l "the window's growth: leak_l on top"
tui_screen | grep -q '%  keep_a$'
ok $((!$?)) "keep_a, which no longer grows, is not a row"

# s: Go's heap profile of what is shown (the window's delta)
tui_keys s
tui_wait 5 "^Save to " ; ok $? "s asks where"
tui_keys Enter
tui_wait 5 "^Saved $TMPD/cwd/cproftop-[0-9]{8}-[0-9]{6}\\.pb\\.gz: Go's heap profile"
ok $? "s saves Go's heap profile"
f=$(ls "$TMPD/cwd"/cproftop-*.pb.gz 2>/dev/null | head -1)
go tool pprof -top "$f" >"$TMPD/pprof.txt" 2>&1
first=$(awk '/flat%/ { getline; print $NF; exit }' "$TMPD/pprof.txt")
is "$first" leak_l "go tool pprof reads it: leak_l on top of the growth"
grep -q '^Type: inuse_space$' "$TMPD/pprof.txt"
ok $? "... shown as inuse_space by default, the mode saved"

# The tree of the window's growth: leak_l, not keep_a
tui_keys T
tui_wait 5 'cum +cum% +flat +flat%.*bytes in-use growth'
ok $? "T in window mode: the tree of the in-use growth"
tui_wait 10 '^ +[0-9.]+[kMG]?B +[0-9.]+% +[0-9.]+[kMG]?B +[0-9.]+% +.* leak_l$'
ok $? "the growth's tree: leak_l"
tui_screen | grep -q ' keep_a$'
ok $((!$?)) "the growth's tree: keep_a, which no longer grows, is not a node"

# The command's end shows; q then quits.
kill -TERM "$WP"
tui_wait 15 'target killed by signal 15' ; ok $? "the command's end shows"
tui_keys q
tui_ended 10 ; ok $? "q quits"

# Losses: tests/heap/forge writes a free of no known sample and three
# records under cproftop's own pid (of no known process); the heap header
# says both.
tui_kill
tui_start 120 24 "$TUI" --heap --follow --heap-rate 4096 \
	--child-output "$TMPD/forge.out" -- "$top_builddir/tests/heap/forge" p
tui_wait 20 'target exited' ; ok $? "forge ran"
tui_keys m m m
tui_wait 5 '^Samples [0-9]+ samples?, [0-9]+ frees?, 0 dropped, 0 untracked, 1 unknown free, 3 stray records'
ok $? "the heap header shows the free of no known sample and the strays, tersely"
tui_keys q
tui_ended 10 ; ok $? "q quits (forge)"

# Every kind of loss at once (forge -l), at 80 columns: the counts wrap at
# their commas onto a second line, under the first's values; nothing is cut.
# counts: the header's counts, their lines joined
counts() {
	tui_screen | awk '/^Mode / { on = 0 } on { sub(/^ +/, ""); printf " %s", $0 }
		/^Samples / { on = 1; printf "%s", $0 }'
}
counts_all() {
	counts | grep -Eq '^Samples [0-9]+ samples?, [0-9]+ frees?, 9 dropped \(3 in stalls, 1 malformed\), 3 untracked, 1 unknown free, 3 stray records, 4 rewritten \(not lost\), 2 processes$'
}
tui_kill
tui_start 80 24 "$TUI" --heap --follow --heap-rate 4096 \
	--child-output "$TMPD/forge-l.out" -- "$top_builddir/tests/heap/forge" -l p
tui_wait 20 'target exited' ; ok $? "forge -l ran"
tui_keys m m m
wait_until 5 counts_all
ok $? "80 columns: every loss in the header's counts, none cut"
diag "$(tui_screen | sed -n 1,6p)"
tui_screen | awk '/^Samples / { getline; exit !/^        [0-9]+ / }'
ok $? "80 columns: the counts' second line, under the first's values"
# the mode line is 81 columns wide: its keys' hint goes whole onto the
# next line
tui_wait 5 '^Mode heap allocated  Scope since start  Sort flat$'
ok $? "80 columns: the mode line without the keys' hint"
tui_screen | awk '/^Mode heap allocated/ { getline
	hint = /^     \(m: CPU; t, a: CPU modes only\)$/ } END { exit !hint }'
ok $? "80 columns: the keys' hint on the next line, not cut"
tui_keys q
tui_ended 10 ; ok $? "q quits (forge -l)"
done_testing
