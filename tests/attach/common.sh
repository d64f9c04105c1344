# Helpers shared by tests/attach/*.sh (sourced after tests/lib.sh).

DRIVER="$top_builddir/tests/attach/attach-driver"

# traced_by PID TRACER: status 0 when PID's leader is traced by TRACER.
traced_by() {
	awk -v t="$2" '/^TracerPid:/ { exit !($2 == t) }' \
		/proc/"$1"/status 2>/dev/null
}

# all_running PID: no thread of PID is stopped (T) or in a trace stop (t).
all_running() {
	! thread_states "$1" | grep -q '[Tt]'
}

# all_stopped PID: every thread of PID is stopped (T, or t while traced).
all_stopped() {
	local s
	s=$(thread_states "$1")
	[ -n "$s" ] && ! echo "$s" | grep -q '[^Tt]'
}

# cpu_ticks PID: utime + stime of the whole process, in clock ticks.
cpu_ticks() {
	sed 's/.*) //' /proc/"$1"/stat | awk '{ print $12 + $13 }'
}

# value KEY FILE: the value of a key=value line.
value() {
	sed -n "s/^$1=//p" "$2" | head -n 1
}

# untraced_running PID: every thread of PID is untraced and not stopped
# (one awk over all tasks: cheap enough to run in tight loops).
untraced_running() {
	awk 'FILENAME ~ /status$/ && /^TracerPid:/ && $2 != 0 { bad = 1 }
	     FILENAME ~ /stat$/ { s = $0; sub(/.*\) /, "", s)
				  if (s ~ /^[Tt]/) bad = 1 }
	     END { exit bad }' /proc/"$1"/task/*/status /proc/"$1"/task/*/stat \
		2>/dev/null
}

# poll SECONDS CMD...: like wait_until, polling every 10 ms.
poll() {
	local limit=$(($1 * 100)) i=0
	shift
	while [ $i -lt $limit ]; do
		"$@" && return 0
		sleep 0.01
		i=$((i + 1))
	done
	return 1
}

# catches_usr1 PID EXE: PID runs EXE (it has executed it) and has a SIGUSR1
# handler (bit 9 of SigCgt). Before its exec, the shell's child that will
# run EXE catches SIGUSR1 too (bash does, for a shell with an EXIT trap):
# a SIGUSR1 then kills it before it even opens its output file.
catches_usr1() {
	[ "$(readlink /proc/"$1"/exe 2>/dev/null)" = "$(readlink -f "$2")" ] ||
		return 1
	awk '/^SigCgt:/ { d = substr($2, length($2) - 2, 1)
		found = index("2367abefABEF", d) } END { exit !found }' \
		/proc/"$1"/status 2>/dev/null
}

# usr1_clear PID: SIGUSR1 is pending neither for PID's process nor its
# leader thread (bit 9 of ShdPnd/SigPnd), i.e. it was delivered.
usr1_clear() {
	awk '/^(ShdPnd|SigPnd):/ {
		d = substr($2, length($2) - 2, 1)
		if (index("2367abefABEF", d)) busy = 1
	     } END { exit busy }' /proc/"$1"/status 2>/dev/null
}
