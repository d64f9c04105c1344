#!/bin/sh
# A fatal error in the sampler thread under the live screen (the test hook
# CPROFTOP_INJECT_FAULT=fatal fires right after a snapshot is published,
# while the main thread draws it): only the main thread touches the
# terminal -- it restores it, prints the error on the normal screen and
# exits 1 -- and the target runs on untraced. Three times, for the race.
. "$top_srcdir/tests/lib.sh"
. "$top_srcdir/tests/attach/common.sh"
. "$top_srcdir/tests/tui/tui-lib.sh"
need_ptrace

start_bg "$(workload ratio)" -t 3 -d 600
T=$BG_PID
wait_until 5 sh -c "[ \$(ls /proc/$T/task | wc -l) -eq 3 ]"

cat >"$TMPD/run" <<EOS
#!/bin/sh
export LANG=C.UTF-8 CPROFTOP_INJECT_FAULT=fatal
stty -g >"$TMPD/stty.before"
"$CPROFTOP" --backend=ptrace -p "$T" -F 1000
echo \$? >"$TMPD/rc"
stty -g >"$TMPD/stty.after"
EOS
chmod +x "$TMPD/run"

has_error() {
	tui_tmux capture-pane -p -S -200 -t "$TUI_SESSION" |
		grep -q '^cproftop: injected fault'
}

for i in 1 2 3; do
	rm -f "$TMPD/rc" "$TMPD/stty.after"
	tui_kill
	tui_tmux new-session -d -s "$TUI_SESSION" -x 100 -y 30 "$TMPD/run"
	tui_tmux set-option -t "$TUI_SESSION" remain-on-exit on >/dev/null
	wait_until 20 test -s "$TMPD/stty.after"
	is "$(cat "$TMPD/rc" 2>/dev/null)" 1 "#$i: cproftop exits 1"
	# The pane and its history (the shell's output scrolls the screen),
	# once tmux has read all of the pane's output.
	if wait_until 5 has_error; then
		ok 0 "#$i: the error is on the restored screen"
	else
		ok 1 "#$i: the error is on the restored screen"
		diag "$(tui_screen)"
	fi
	tui_screen | grep -q 'F1Help'
	ok $((!$?)) "#$i: no screen left behind"
	cmp -s "$TMPD/stty.before" "$TMPD/stty.after"
	ok $? "#$i: the terminal modes are restored"
	poll 2 untraced_running "$T"
	ok $? "#$i: the target runs on untraced"
done
done_testing
