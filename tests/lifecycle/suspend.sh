#!/bin/sh
# Ctrl-Z of cproftop in a real terminal (an interactive bash in tmux, with
# job control): while cproftop is stopped, every thread of the target runs
# untraced (it used to leave 2-3 of 4 threads in 't' for as long as it was
# suspended); after `fg` cproftop traces the target again and samples on.
# Headless (--top) and under the live screen.
. "$top_srcdir/tests/lib.sh"
. "$top_srcdir/tests/attach/common.sh"
. "$top_srcdir/tests/lifecycle/common.sh"
. "$top_srcdir/tests/tui/tui-lib.sh"
need_ptrace
need_cmd bash

start_bg "$(workload ratio)" -t 4 -d 600
T=$BG_PID
wait_until 5 sh -c "[ \$(ls /proc/$T/task | wc -l) -eq 4 ]"

tui_tmux new-session -d -s "$TUI_SESSION" -x 120 -y 40 \
	"env PS1='lc\$ ' TERM=screen LANG=C.UTF-8 bash --norc --noprofile -i"
tui_wait 10 'lc\$' || diag "no shell prompt"

# stopped PID: every thread of PID is stopped (job control: T).
stopped() {
	local s
	s=$(thread_states "$1")
	[ -n "$s" ] && ! echo "$s" | grep -q '[^T]'
}

# free_for_a_second: 50 looks over a second, each finding every thread of
# the target untraced and not stopped. Prints what a failing look saw.
free_for_a_second() {
	local i=0 bad=0
	while [ $i -lt 50 ]; do
		untraced_running "$T" || {
			bad=$((bad + 1))
			diag "look $i: $(thread_states "$T") tracers $(tracer_pids "$T" | tr '\n' ' ')"
		}
		sleep 0.02
		i=$((i + 1))
	done
	[ $bad -eq 0 ]
}

# run_suspended NAME ARGS...: starts cproftop ARGS in the shell (with the
# environment settings in $SUSPEND_ENV), waits until it traces the target,
# presses Ctrl-Z and checks both sides.
run_suspended() {
	local name=$1
	shift
	rm -f "$TMPD/cpid"
	tui_keys "sh -c 'echo \$\$ >$TMPD/cpid; exec env $SUSPEND_ENV $CPROFTOP $*'" Enter
	wait_until 10 test -s "$TMPD/cpid"
	C=$(cat "$TMPD/cpid")
	poll 10 traced_by_proc "$T" "$C"
	ok $? "$name: cproftop traces the target"
	tui_keys C-z
	poll 10 stopped "$C"
	ok $? "$name: Ctrl-Z stops cproftop ($(thread_states "$C"))" ||
		diag "screen: $(tui_screen | grep -v '^ *$' | tail -n 5)"
	tui_wait 5 'Stopped' >/dev/null
	ok $? "$name: the shell reports the job stopped"
	free_for_a_second
	ok $? "$name: while it is stopped every target thread runs untraced"
	tui_keys "fg" Enter
	poll 10 traced_by_proc "$T" "$C"
	ok $? "$name: after fg cproftop traces the target again"
}

run_suspended "headless" --backend=ptrace -p "$T" -F 1000 --top=3
# Samples taken after fg: a Ctrl-C right after the seize can come before
# the first tick (0 samples in 5 of 15 tries under ASan on a loaded machine).
base=$(stops_of "$T")
wait_until 10 stopped_more "$T" "$base" 40
ok $? "headless: the target is sampled after fg"
tui_keys C-c
tui_wait 10 'Total samples = [1-9]'
ok $? "headless: Ctrl-C then prints the profile"
poll 5 untraced_running "$T"
ok $? "headless: the target runs untraced after the end"
tui_keys clear Enter

# Ctrl-Z while the sampler loads a module's names, made to take 8 s: longer
# than cproftop waits for its sampler to let go (it used to give up after 5
# s and not stop). The load goes on meanwhile; after fg it ends before the
# target is seized again.
SUSPEND_ENV=CPROFTOP_INJECT_FAULT=slowload:8000 \
	run_suspended "slow load" --backend=ptrace -p "$T" -F 1000 --top=3
tui_keys C-c
tui_wait 20 'Total samples = '
ok $? "slow load: Ctrl-C then prints the profile"
poll 5 untraced_running "$T"
ok $? "slow load: the target runs untraced after the end"
tui_keys clear Enter

run_suspended "screen" --backend=ptrace -p "$T" -F 1000
tui_wait 10 'Samples [0-9]+' >/dev/null
s1=$(tui_screen | sed -n 's/.*Samples \([0-9][0-9]*\).*/\1/p' | head -n 1)
# grows: the header's sample count is above s1.
grows() {
	local s2
	s2=$(tui_screen | sed -n 's/.*Samples \([0-9][0-9]*\).*/\1/p' | head -n 1)
	[ -n "$s2" ] && [ -n "$s1" ] && [ "$s2" -gt "$s1" ]
}
wait_until 15 grows
ok $? "screen: sampling goes on after fg (Samples above $s1)"
tui_keys q
tui_keys 'echo rc=$?' Enter
tui_wait 10 '^rc=0' >/dev/null
ok $? "screen: q then quits with 0"
poll 5 untraced_running "$T"
ok $? "screen: the target runs untraced after the end"
kill -0 "$T"
ok $? "the target is alive"
done_testing
