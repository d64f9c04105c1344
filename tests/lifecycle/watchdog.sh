#!/bin/sh
# The watchdog: whatever the sampler thread does -- here it hangs for ever
# inside the capture callback, a target thread stopped (the test hook
# CPROFTOP_INJECT_FAULT=hang) -- SIGTERM or SIGINT leave every thread of the
# target untraced (TracerPid 0) and running (no 't') within a second:
# cproftop exits 1 saying why, and the kernel detaches a dead tracer's
# threads. Headless and under the live screen.
. "$top_srcdir/tests/lib.sh"
. "$top_srcdir/tests/attach/common.sh"
. "$top_srcdir/tests/lifecycle/common.sh"
need_ptrace

start_bg "$(workload ratio)" -t 3 -d 120
T=$BG_PID
wait_until 5 sh -c "[ \$(ls /proc/$T/task | wc -l) -eq 3 ]"

for sig in TERM:15 INT:2; do
	num=${sig#*:}
	sig=${sig%:*}
	rm -f "$TMPD/log"
	CPROFTOP_LOG="$TMPD/log" CPROFTOP_INJECT_FAULT=hang \
		"$FW" -p "$T" -s "$num" -t -l "$TMPD/log" -- \
		"$CPROFTOP" --backend=ptrace -p "$T" -F 1000 --top=3 >"$TMPD/fw" 2>"$TMPD/err"
	ok $? "SIG$sig: every thread untraced and running again"
	diag "SIG$sig: $(cat "$TMPD/fw")"
	grep -q 'condition did not come' "$TMPD/fw"
	[ $? -ne 0 ]
	ok $? "SIG$sig: the hung sampler held a thread in a ptrace stop"
	ms=$(sed -n 's/^free_ms=//p' "$TMPD/fw")
	[ -n "$ms" ] && [ "$ms" -le 1000 ]
	ok $? "SIG$sig: within a second (${ms:-?} ms)"
	grep -q '^rc=1$' "$TMPD/fw"
	ok $? "SIG$sig: cproftop exits 1"
	grep -q 'did not stop in time' "$TMPD/err"
	ok $? "SIG$sig: and says why"
done
all_untraced "$T" && kill -0 "$T"
ok $? "the target is alive and untraced"
done_testing
