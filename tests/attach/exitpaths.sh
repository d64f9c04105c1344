#!/bin/sh
# Every way the driver can end -- SIGINT, SIGTERM, SIGHUP, SIGKILL, the
# target's exit -- leaves every target thread running and untraced. 20
# times each.
# Scratch files in the build tree, out of reach of anything that cleans /tmp.
. "$top_srcdir/tests/lib.sh"
. "$top_srcdir/tests/attach/common.sh"
need_ptrace

RATIO=$(workload ratio)
REPS=${REPS:-20}

start_bg "$RATIO" -t 3 -d 60
target=$BG_PID
sleep 0.1

for sig in INT TERM HUP KILL; do
	fails=0
	i=0
	while [ $i -lt $REPS ]; do
		i=$((i + 1))
		"$DRIVER" -p "$target" -F 1000 >/dev/null 2>&1 &
		drv=$!
		if ! poll 5 traced_by "$target" "$drv"; then
			diag "$sig #$i: driver did not attach"
			fails=$((fails + 1))
		fi
		kill -"$sig" "$drv"
		wait "$drv" 2>/dev/null
		rc=$?
		if [ "$sig" != KILL ] && [ $rc -ne 0 ]; then
			diag "$sig #$i: driver exited $rc"
			fails=$((fails + 1))
		fi
		if ! poll 2 untraced_running "$target"; then
			diag "$sig #$i: $(tracer_pids "$target") $(thread_states "$target")"
			fails=$((fails + 1))
		fi
	done
	is "$fails" 0 "SIG$sig of the driver x$REPS: target untraced, running"
	t0=$(cpu_ticks "$target")
	sleep 0.3
	t1=$(cpu_ticks "$target")
	[ "$t1" -gt "$t0" ]
	ok $? "after SIG$sig x$REPS the target still computes ($t0 -> $t1)"
done
kill -0 "$target"
ok $? "target alive after all that"
kill "$target"

# The target ends while sampled: the driver reports and exits 0. The target
# waits on a fifo until the driver holds it, then execs ratio, which runs
# 0.1 s and exits: exec and exit under the tracer, no race with its start.
mkfifo "$TMPD/go"
fails=0
i=0
while [ $i -lt $REPS ]; do
	i=$((i + 1))
	sh -c 'read x <"$1"; exec "$2" -t 2 -d 0.1' sh "$TMPD/go" "$RATIO" \
		>"$TMPD/short" &
	p=$!
	"$DRIVER" -p "$p" -F 1000 >"$TMPD/drv" 2>&1 &
	drv=$!
	poll 5 traced_by "$p" "$drv" || diag "target exit #$i: not attached"
	echo go >"$TMPD/go"
	wait "$drv"
	rc=$?
	wait "$p"
	prc=$?
	if [ $rc -ne 0 ] || [ $prc -ne 0 ] || ! grep -q '^units=' "$TMPD/short"
	then
		diag "target exit #$i: driver $rc, target $prc: $(cat "$TMPD/drv")"
		fails=$((fails + 1))
	fi
done
is "$fails" 0 "target exit x$REPS: driver exits 0, target's status intact"

done_testing
