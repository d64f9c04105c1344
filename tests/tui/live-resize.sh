#!/bin/sh
# Resizing the terminal at any moment: 60x15 still shows the header, the
# table and the hint bar; below the minimum a clear message; back to 100x30
# a sane full screen.
. "$top_srcdir/tests/lib.sh"
. "$top_srcdir/tests/tui/tui-lib.sh"
need_ptrace

start_bg "$(workload ratio)" -t 2 -d 30
W=$BG_PID
tui_start 100 30 "$TUI" -p "$W"
tui_wait 10 '^ +[0-9]+ .*%  hot_a$'

# sane COLS ROWS: the header on line 1, the column titles on line 5, the
# hint bar on the last line, no line wider than the pane.
sane() {
	tui_screen >"$TMPD/screen"
	[ "$(wc -l <"$TMPD/screen")" -eq "$2" ] &&
		[ "$(wc -L <"$TMPD/screen")" -le "$1" ] &&
		sed -n 1p "$TMPD/screen" | grep -q "^cproftop  PID $W  LIVE" &&
		sed -n 5p "$TMPD/screen" | grep -q 'flat▼.*function' &&
		sed -n "$2p" "$TMPD/screen" | grep -q '^F1Help sSave' &&
		grep -Eq '^ +[0-9]+ .*%  hot_a$' "$TMPD/screen"
}

tui_tmux resize-window -t "$TUI_SESSION" -x 60 -y 15
wait_until 5 sane 60 15 ; ok $? "60x15: header, table and hint bar"
tui_tmux resize-window -t "$TUI_SESSION" -x 50 -y 10
tui_wait 5 '^Terminal too small: 50x10, need 60x15$'
ok $? "50x10: a clear message instead of the table"
tui_keys c
tui_tmux resize-window -t "$TUI_SESSION" -x 100 -y 30
tui_wait 5 'cum▼' ; ok $? "keys still work while too small"
tui_keys f
wait_until 5 sane 100 30 ; ok $? "100x30 again: a sane screen"
tui_keys t
tui_tmux resize-window -t "$TUI_SESSION" -x 60 -y 15
tui_wait 5 '^sel +TID name' ; ok $? "the thread list survives a resize"
tui_keys q
tui_ended 10 ; ok $? "q quits"
all_untraced "$W" ; ok $? "the workload is left untraced"
done_testing
