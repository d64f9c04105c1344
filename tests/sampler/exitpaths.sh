# Every way cproftop can end leaves the target running and untraced:
# SIGINT, SIGTERM, SIGHUP, SIGKILL of cproftop, an injected internal error
# (fatal() and a crash), and the target exiting -- ten times each, on a
# target with several threads that is sampled at 1000 Hz meanwhile.
. "$top_srcdir/tests/lib.sh"
need_ptrace

start_bg "$(workload ratio)" -t 3 -d 600
W=$BG_PID
wait_until 5 sh -c "[ \$(ls /proc/$W/task | wc -l) -eq 3 ]"

# running_untraced: every thread untraced, and the target still using CPU.
running_untraced() {
	all_untraced "$W" || return 1
	t0=$(awk '{ print $14 + $15 }' /proc/"$W"/stat)
	sleep 0.2
	t1=$(awk '{ print $14 + $15 }' /proc/"$W"/stat)
	[ "$t1" -gt "$t0" ]
}

for how in INT TERM HUP KILL fatal segv; do
	bad=0
	for i in 1 2 3 4 5 6 7 8 9 10; do
		case $how in
		fatal | segv)
			CPROFTOP_INJECT_FAULT=$how "$CPROFTOP" -p "$W" -F 1000 \
				-d 30 --top >/dev/null 2>&1
			;;
		*)
			"$CPROFTOP" -p "$W" -F 1000 -d 30 --top >/dev/null 2>&1 &
			c=$!
			sleep 0.4
			kill -"$how" "$c"
			wait "$c"
			;;
		esac
		running_untraced || bad=$((bad + 1))
	done
	is "$bad" 0 "$how x10: the target runs on, untraced"
done

# The target exiting while sampled: cproftop ends too, with its status.
for i in 1 2 3 4 5 6 7 8 9 10; do
	"$CPROFTOP" -F 1000 --top=1 -- sh -c 'exit 7' >/dev/null 2>&1
	echo $?
done | sort -u >"$TMPD/codes"
is "$(cat "$TMPD/codes")" "7" "target exit x10: cproftop ends with its status"

# Profiling that stops before a spawned command ends (-d) leaves it running
# untraced and waits for it: its output is complete, its status ours.
"$CPROFTOP" -d 0.5 --top=1 --child-output "$TMPD/child" -- \
	sh -c "$(workload ratio) -d 2; exit 5" >/dev/null 2>"$TMPD/wait.err"
is $? 5 "-d before the command ends: cproftop waits and exits with its status"
grep -q '^runtime_ms=' "$TMPD/child"
ok $? "... and the command ran to its end"
grep -q 'waiting for' "$TMPD/wait.err"
ok $? "... and cproftop says it is waiting"
done_testing
