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
