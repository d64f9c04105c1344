#!/bin/sh
# One thread of the target already traced by another tool (strace -p TID on
# a thread that is not the leader): cproftop exits 5 at once, naming the
# thread and its tracer, leaves the other threads untraced and running and
# the other tracer's hold intact. (It used to re-scan /proc until the target
# ended, leaking each pass, and end with 0 and an empty profile.)
. "$top_srcdir/tests/lib.sh"
. "$top_srcdir/tests/attach/common.sh"
need_ptrace
need_cmd strace

start_bg "$(workload ratio)" -t 3 -d 60
W=$BG_PID
wait_until 5 sh -c "[ \$(ls /proc/$W/task | wc -l) -eq 3 ]"
tid=$(ls /proc/"$W"/task | grep -v "^$W\$" | head -n 1)
strace -o /dev/null -p "$tid" 2>/dev/null &
st=$!
tap_bg_pids="$tap_bg_pids $st"
poll 5 sh -c "grep -q '^TracerPid:[[:space:]]*$st\$' /proc/$W/task/$tid/status"
ok $? "strace holds thread $tid of $W"

# others_free: every thread but tid untraced and not stopped.
others_free() {
	for t in /proc/"$W"/task/*; do
		[ "${t##*/}" = "$tid" ] && continue
		awk '/^TracerPid:/ { exit $2 != 0 }' "$t/status" || return 1
		sed 's/.*) //' "$t/stat" | grep -q '^[Tt]' && return 1
	done
	return 0
}

for prog in cproftop driver; do
	case $prog in
	cproftop) set -- "$CPROFTOP" --backend=ptrace -p "$W" -F 1000 -d 30 --top ;;
	driver) set -- "$DRIVER" -p "$W" -F 1000 -d 30 ;;
	esac
	t0=$(date +%s%N)
	timeout 25 "$@" >"$TMPD/out" 2>"$TMPD/err"
	rc=$?
	ms=$((($(date +%s%N) - t0) / 1000000))
	is "$rc" 5 "$prog: exit code 5 (already traced)"
	grep -q "thread $tid of process $W (ratio) is already traced by process $st (strace)" \
		"$TMPD/err"
	ok $? "$prog: the message names the thread and its tracer"
	[ $? -eq 0 ] || diag "$(cat "$TMPD/err")"
	[ "$ms" -lt 15000 ]
	ok $? "$prog: gives up at once, not after the 30 s of -d (${ms} ms)"
	[ ! -s "$TMPD/out" ]
	ok $? "$prog: no profile printed"
	poll 2 others_free
	ok $? "$prog: the other threads untraced and running"
	grep -q "^TracerPid:[[:space:]]*$st\$" /proc/"$W"/task/"$tid"/status
	ok $? "$prog: strace still holds its thread"
done
kill "$st"
wait "$st" 2>/dev/null
poll 5 untraced_running "$W"
ok $? "after strace detaches the target runs untraced"
done_testing
