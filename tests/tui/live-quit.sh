#!/bin/sh
# `q` detaches: the workload keeps running untraced and finishes like an
# unprofiled run. A spawned target that exits stays browsable, with its
# exit status in the header, and its output does not reach the screen.
. "$top_srcdir/tests/lib.sh"
. "$top_srcdir/tests/tui/tui-lib.sh"
need_ptrace
R=$(workload ratio)

start_bg "$R" -t 2 -d 6
W=$BG_PID
OUT=$BG_OUT
tui_start 100 30 "$TUI" -p "$W"
tui_wait 10 '^ +[0-9]+ .*%  hot_a$' ; ok $? "attached, hot_a shows"
tui_keys q
tui_ended 10 ; ok $? "q quits"
is "$(cat "$TMPD/tui.rc")" 0 "exit status 0"
tui_screen | grep -q 'F1Help' ; ok $((!$?)) "the terminal is restored (no screen left)"
kill -0 "$W" 2>/dev/null ; ok $? "the workload still runs"
all_untraced "$W" ; ok $? "no thread is traced (TracerPid 0)"
wait "$W"
is "$?" 0 "the workload exits with status 0"
"$R" -t 2 -w 10 >"$TMPD/plain.out"
is "$(cut -d= -f1 "$OUT" | tr '\n' ' ')" "$(cut -d= -f1 "$TMPD/plain.out" | tr '\n' ' ')" \
	"its output has the keys of an unprofiled run"
grep -q '^threads=2$' "$OUT" ; ok $? "both threads ran to the end"
runtime=$(sed -n 's/^runtime_ms=//p' "$OUT")
within "${runtime:-0}" 6000 1500 "it ran for its duration"

# Spawn mode: the target exits; the final profile stays.
tui_kill
tui_start 100 30 "$TUI" -- "$R" -t 2 -d 2
tui_wait 15 'target exited \(status 0\)' ; ok $? "the header says the target exited"
tui_screen | grep -Eq '^ +[0-9]+ .*%  hot_a$' ; ok $? "the final profile stays"
tui_screen | grep -q 'checksum=' ; ok $((!$?)) "the target's output is not on the screen"
tui_keys Enter
tui_wait 5 'callers / callees of' ; ok $? "still browsable after the exit"
tui_keys q
tui_ended 10 ; ok $? "q quits"

# A signal (SIGTERM, let in while the screen waits) quits cleanly too.
tui_kill
start_bg "$R" -t 1 -d 20
W=$BG_PID
tui_start 100 30 "$TUI" -p "$W"
tui_wait 10 '^ +[0-9]+ .*%  hot_a$'
P=$(pgrep -P "$(tui_tmux display -p -t "$TUI_SESSION" '#{pane_pid}')")
kill -TERM "$P"
tui_ended 10 ; ok $? "SIGTERM quits"
is "$(cat "$TMPD/tui.rc")" 0 "... with status 0"
tui_screen | grep -q 'F1Help' ; ok $((!$?)) "... and restores the terminal"
kill -0 "$W" 2>/dev/null && all_untraced "$W" ; ok $? "... leaving the workload untraced"
done_testing
