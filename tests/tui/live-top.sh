#!/bin/sh
# The screen on the ratio workload in a real terminal (tmux): hot_a on top by
# flat, `c` puts worker/main on top by cum, the thread list names every
# thread and one thread filters the counts, Enter on hot_a shows its source
# lines with counts.
. "$top_srcdir/tests/lib.sh"
. "$top_srcdir/tests/tui/tui-lib.sh"
need_ptrace

start_bg "$(workload ratio)" -t 3 -d 30
W=$BG_PID
tui_start 100 30 "$TUI" -p "$W"

tui_wait 10 '^ +[0-9]+ .*%  hot_a$'
is "$(tui_first_row)" "hot_a" "hot_a is the top row by flat"
tui_screen | grep -q "PID $W" ; ok $? "the header names the PID"
tui_screen | grep -Eq 'Unwind failed [0-9]+ \([0-9.]+%\)'
ok $? "the header shows unwind failures"
tui_screen | grep -q 'flat▼' ; ok $? "the flat column is marked"

tui_keys c
tui_wait 5 'cum▼'
first=$(tui_first_row)
case $first in worker|main|_start|start_thread|clone3|__libc_start*) r=0 ;;
*) r=1 ;; esac
ok $r "c sorts by cum: a caller is on top ($first)"
tui_screen | awk '/function/ { f = 1; next } f && NF { print $NF }' |
	sed -n '1,12p' | grep -qx worker
ok $? "worker is among the top rows by cum"

# The thread list: every thread with its name.
tui_keys t
tui_wait 5 'ratio-2'
for n in ratio ratio-1 ratio-2; do
	tui_screen | grep -Eq "^\[ \] +[0-9]+ $n " ; ok $? "thread $n is listed"
done
total=$(tui_screen | awk '/^Threads/ { print $4; exit }') # samples shown
# Select the first thread only, back to the table.
tui_keys Home Space
tui_wait 5 '^\[x\]' ; ok $? "space selects a thread"
tui_keys Escape
tui_wait 5 'Threads 1 of 3  Sort [a-z]+$'
ok $? "back on the table, the header shows the thread filter"
sel=$(tui_screen | sed -n 's/.*  Samples \([0-9]*\) of \([0-9]*\)  .*/\1 \2/p')
set -- $sel 0 0
if [ "$1" -gt 0 ] && [ "$1" -lt "$2" ]; then r=0; else r=1; fi
ok $r "one thread of three selects part of the samples ($sel of $total)"
tui_keys t a Escape
tui_wait 5 'Threads all' ; ok $? "a selects all threads again"

# The source of hot_a, with its hottest line.
tui_keys f Home
tui_wait 5 'flat▼'
tui_keys Enter
tui_wait 5 'callers / callees of hot_a'
ok $? "Enter opens the source view of hot_a"
tui_screen | grep -q 'ratio.c' ; ok $? "the source file is named"
tui_screen | grep -Eq '^ +[0-9]+ +[0-9]+ +[0-9]+  .*WL_SPIN'
ok $? "the hot line of hot_a shows its text and counts"
tui_screen | grep -Eq '^caller +[0-9]+ .* (dispatch|recurse)$'
ok $? "callers of hot_a are listed"
tui_keys Escape
tui_wait 5 'flat▼' ; ok $? "Esc goes back to the table"

tui_keys q
tui_ended 10 ; ok $? "q quits"
is "$(cat "$TMPD/tui.rc")" 0 "exit status 0"
kill -0 "$W" 2>/dev/null ; ok $? "the workload still runs"
all_untraced "$W" ; ok $? "no thread of the workload is traced"
done_testing
