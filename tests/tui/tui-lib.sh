# Helpers for the TUI tests: a private tmux server whose pane runs the
# screen, and polling captures of that pane. Source after tests/lib.sh.
#
#   tui_start 100 30 CMD...    # a detached session of that size running CMD
#                              # (in the directory TUI_CWD if set)
#   tui_wait 10 'REGEX'        # polls the pane until a line matches
#   tui_keys c                 # tmux send-keys
#   tui_screen                 # the pane as text
#   tui_row N                  # line N (1-based) of the pane
#   tui_kill                   # ends the server; returns once it is gone
#
# TUI is the program that runs the screen: cproftop itself, which shows the
# live screen when no headless option is given.

need_cmd tmux
TUI="$CPROFTOP"
TUI_SOCK="cpt-tui-$$"
TUI_SESSION=t

tui_tmux() {
	tmux -L "$TUI_SOCK" -f /dev/null "$@"
}

# tui_kill: ends the private tmux server and waits (5 s at most) until its
# process is gone. A client started while the server is still exiting
# connects to it and fails ("server exited unexpectedly"), so a tui_start
# right after a bare kill-server can start nothing (64 in 300 tries here).
tui_kill() {
	local pid
	pid=$(tui_tmux list-sessions -F '#{pid}' 2>/dev/null | head -n 1)
	tui_tmux kill-server 2>/dev/null
	[ -z "$pid" ] || wait_until 5 sh -c "! kill -0 $pid 2>/dev/null"
	return 0
}

tui_stop() {
	tui_kill
	tap_cleanup
}
trap 'tui_stop' EXIT

# tui_start COLS ROWS CMD...: runs CMD in a UTF-8 pane (TERM from tmux); the pane
# stays after CMD ends ($TMPD/tui.rc holds its exit status).
tui_start() {
	local cols=$1 rows=$2
	shift 2
	printf '%s\n' "$@" >"$TMPD/tui.argv"
	cat >"$TMPD/tui.run" <<-EOS
		#!/bin/sh
		export LANG=C.UTF-8
		unset NO_COLOR
		cd "${TUI_CWD:-.}" || exit 1
		"\$@"
		echo \$? > "$TMPD/tui.rc"
	EOS
	chmod +x "$TMPD/tui.run"
	rm -f "$TMPD/tui.rc"
	tui_tmux new-session -d -s "$TUI_SESSION" -x "$cols" -y "$rows" \
		"$TMPD/tui.run" "$@"
	tui_tmux set-option -t "$TUI_SESSION" remain-on-exit on >/dev/null
}

tui_screen() {
	tui_tmux capture-pane -p -t "$TUI_SESSION"
}

tui_row() {
	tui_screen | sed -n "$1p"
}

tui_keys() {
	tui_tmux send-keys -t "$TUI_SESSION" "$@"
}

# tui_wait SECONDS REGEX: status 0 once a line of the pane matches REGEX.
tui_wait() {
	local limit=$(($1 * 10)) i=0
	while [ $i -lt $limit ]; do
		tui_screen | grep -Eq -- "$2" && return 0
		sleep 0.1
		i=$((i + 1))
	done
	diag "timeout waiting for /$2/ on the screen:"
	diag "$(tui_screen)"
	return 1
}

# tui_first_row: the function of the first row of the top table (the line
# after the column titles).
tui_first_row() {
	tui_screen | awk '/function/ { getline; print $NF; exit }'
}

# tui_ended SECONDS: status 0 once the screen's program has exited.
tui_ended() {
	wait_until "$1" test -s "$TMPD/tui.rc"
}
