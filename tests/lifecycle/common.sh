# Helpers shared by tests/lifecycle/*.sh (sourced after tests/lib.sh and
# tests/attach/common.sh).

FW="$top_builddir/tests/lifecycle/freewatch"

# traced_by_proc PID PROC: status 0 when PID's leader is traced by a thread
# of process PROC (TracerPid names cproftop's sampler thread, not cproftop).
traced_by_proc() {
	local tp
	tp=$(awk '/^TracerPid:/ { print $2 }' /proc/"$1"/status 2>/dev/null)
	[ -n "$tp" ] && [ "$tp" != 0 ] &&
		awk -v p="$2" '/^Tgid:/ { exit !($2 == p) }' \
			/proc/"$tp"/status 2>/dev/null
}

# cpu_ticks_of PID: user + system clock ticks of process PID so far.
cpu_ticks_of() {
	sed 's/.*) //' /proc/"$1"/stat | awk '{ print $12 + $13 }'
}

# stops_of PID: the voluntary context switches of PID's threads so far. A
# thread that only computes (the ratio workload) switches voluntarily only
# when ptrace stops it: under the ptrace sampler, one a sample.
stops_of() {
	cat /proc/"$1"/task/*/status 2>/dev/null |
		awk '/^voluntary_ctxt_switches:/ { s += $2 } END { print s + 0 }'
}

# stopped_more PID BASE N: PID's threads were stopped more than N times
# since stops_of PID printed BASE.
stopped_more() {
	[ $(($(stops_of "$1") - $2)) -gt "$3" ]
}
