#!/bin/sh
# `s` on the live screen writes a pprof file that go tool pprof reads with
# hot_a on top; the default name is timestamped in the current directory;
# a failed save shows the error and keeps the screen.
. "$top_srcdir/tests/lib.sh"
. "$top_srcdir/tests/tui/tui-lib.sh"
need_ptrace
need_cmd go

start_bg "$(workload ratio)" -t 2 -d 30
W=$BG_PID
mkdir "$TMPD/cwd"
TUI_CWD="$TMPD/cwd" tui_start 140 30 "$TUI" -p "$W"
tui_wait 10 '^ +[0-9]+ .*%  hot_a$'
sleep 1
tui_keys s
tui_wait 5 "^Save to \\(Enter saves, Esc cancels\\): $TMPD/cwd/cproftop-[0-9]{8}-[0-9]{6}\\.pb\\.gz_"
ok $? "s offers a timestamped name in the start directory"
tui_keys Enter
tui_wait 5 "^Saved $TMPD/cwd/cproftop-[0-9]{8}-[0-9]{6}\\.pb\\.gz: [0-9]+ samples shown \\(CPU, cumulative\\)"
ok $? "Enter saves there and says so"
f=$(ls "$TMPD/cwd"/cproftop-*.pb.gz 2>/dev/null | head -1)
[ -s "$f" ] ; ok $? "the file is in the current directory"
n=$(tui_screen | sed -n 's/^Saved [^ ]*: \([0-9]*\) samples.*/\1/p')
atleast "${n:-0}" 20 "the status line gives the sample count"

export HOME="$TMPD" GOCACHE="$TMPD/gocache" GOFLAGS=-mod=mod
go tool pprof -top -sample_index=samples "$f" >"$TMPD/pprof.txt" 2>&1
ok $? "go tool pprof reads the file"
first=$(awk '/flat%/ { getline; print $NF; exit }' "$TMPD/pprof.txt")
is "$first" "hot_a" "hot_a is on top in pprof"
grep -q "of $n total" "$TMPD/pprof.txt" ; ok $? "pprof counts the same samples"
[ "$(tui_first_row)" = hot_a ] ; ok $? "the screen goes on"
tui_keys q
tui_ended 10 ; ok $? "q quits"

# A save that fails keeps everything.
tui_kill
tui_start 100 30 "$TUI" -o /nonexistent/dir/out.pb.gz -p "$W"
tui_wait 10 '^ +[0-9]+ .*%  hot_a$'
tui_keys s Enter
tui_wait 5 '^Save failed: .*nonexistent' ; ok $? "a failed save shows the error"
tui_wait 3 '  hot_a$' ; ok $? "... and keeps the table"
tui_keys q
tui_ended 10 ; ok $? "q quits after a failed save"
all_untraced "$W" ; ok $? "the workload is left untraced"
done_testing
