#!/bin/sh
# Signals, fork and exec inside a target sampled at 1000 Hz: the counts, the
# children and the exit code are what they are without us.
# Scratch files in the build tree, out of reach of anything that cleans /tmp.
. "$top_srcdir/tests/lib.sh"
. "$top_srcdir/tests/attach/common.sh"
need_ptrace

SIGNALS=$(workload signals)
NSIG=30

# run_signals OUT [driver]: runs signals -d 2.5 -u NSIG, sends it NSIG SIGUSR1,
# each once the previous one was delivered (so none can coalesce, however
# loaded the machine), under the driver when asked. Sets RC to its status.
run_signals() {
	local out=$1 mode=$2 drv=""
	"$SIGNALS" -d 2.5 -u "$NSIG" >"$out" &
	local p=$!
	if [ "$mode" = driver ]; then
		"$DRIVER" -p "$p" -F 1000 >"$out.driver" 2>&1 &
		drv=$!
		wait_until 5 traced_by "$p" "$drv" || diag "driver not attached"
	fi
	# A SIGUSR1 before the handler is set kills the target: none is sent
	# until it is (a loaded machine can take seconds to start it).
	i=0
	wait_until 60 catches_usr1 "$p" "$SIGNALS" || {
		diag "no SIGUSR1 handler after 60 s"
		i=$NSIG
	}
	while [ $i -lt $NSIG ]; do
		kill -USR1 "$p" || break
		poll 5 usr1_clear "$p" || diag "SIGUSR1 #$i still pending"
		i=$((i + 1))
	done
	wait "$p"
	RC=$?
	if [ -n "$drv" ]; then
		wait "$drv"
		DRV_RC=$?
	fi
}

run_signals "$TMPD/plain"
plain_rc=$RC
run_signals "$TMPD/traced" driver
traced_rc=$RC

is "$(value usr1 "$TMPD/plain")" "$NSIG" "unprofiled: $NSIG SIGUSR1 counted"
is "$(value usr1 "$TMPD/traced")" "$NSIG" "profiled: $NSIG SIGUSR1 counted"
atleast "$(value alrm "$TMPD/traced")" 25 "profiled: timer signals arrive"
atleast "$(value forks "$TMPD/traced")" 10 "profiled target forked"
is "$(value fork_failures "$TMPD/traced")" 0 "every fork+exec worked"
is "$traced_rc" "$plain_rc" "exit code unchanged"
is "$DRV_RC" 0 "driver exits 0 when the target ends"
samples=$(sed -n 's/^samples=\([0-9]*\).*/\1/p' "$TMPD/traced.driver")
atleast "${samples:-0}" 500 "driver sampled the target"

# Spawn mode: the driver exits with the command's status.
"$DRIVER" -F 1000 -- sh -c 'exit 7' >/dev/null
is $? 7 "spawned exit code 7 passed on"
"$DRIVER" -F 1000 -- sh -c 'kill -TERM $$' >/dev/null
is $? 143 "spawned death by SIGTERM passed on as 143"
"$DRIVER" -F 1000 -o "$TMPD/spawned" -- "$SIGNALS" -d 1 >/dev/null
rc=$?
is "$rc" 0 "spawned signals exits 0"
is "$(value fork_failures "$TMPD/spawned")" 0 "spawned: forks+execs worked"
atleast "$(value alrm "$TMPD/spawned")" 50 "spawned: timer signals arrived"

done_testing
