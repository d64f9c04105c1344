# Following children never harms them (issue 11 item 3): a burst of 200
# short children neither hangs cproftop nor leaks what it keeps per
# process; SIGTERM to cproftop while it follows a child, or in the middle
# of a fork burst, leaves no process stopped or traced (TracerPid 0, no
# state 't'), running on.
. "$top_srcdir/tests/lib.sh"
. "$top_srcdir/tests/sampler/top.sh"
need_ptrace
F=$(workload forker)

# untraced_tree PID: status 0 when PID and each of its children are
# untraced and in no ptrace stop (a child gone meanwhile counts as fine).
untraced_tree() {
	for p in "$1" $(pgrep -P "$1"); do
		all_untraced "$p" || return 1
		case $(thread_states "$p") in *t*) return 1 ;; esac
	done
	return 0
}

# fd_count PID: the open file descriptors of PID.
fd_count() {
	ls /proc/"$1"/fd 2>/dev/null | wc -l
}

# 1. 200 short children, 16 alive at once, then a long one: no hang (the
#    timeout), every child reaped with status 0, cproftop's descriptors do
#    not grow with the children it followed.
"$CPROFTOP" -F 200 --top=10 --stats --child-output "$TMPD/burst.out" -- \
	"$F" -n 200 -c 2500 >"$TMPD/burst.top" 2>"$TMPD/burst.err" &
C=$!
wait_until 10 sh -c "pgrep -P $C >/dev/null"
P=$(pgrep -P "$C" | head -n 1)
wait_until 60 sh -c "pgrep -P $P -f 'forkee -m 2500' >/dev/null"
ok $? "the burst is done, the long child runs"
fds=$(fd_count "$C")
atleast $((40 - fds)) 0 "cproftop holds $fds descriptors after 200 children (< 40)"
timeout 60 tail --pid="$C" -f /dev/null
ok $? "cproftop ends with the command (no hang)"
wait "$C"
ok $? "cproftop exits 0"
grep -q '^children=201$' "$TMPD/burst.out" && grep -q '^failed=0$' "$TMPD/burst.out"
ok $? "201 children reaped, all exited 0"
diag "$(grep stats "$TMPD/burst.err")"
atleast "$(top_col "$TMPD/burst.top" child_hot 5)" 50 \
	"the long child's child_hot dominates"

# 2. SIGTERM while a followed child runs (both backends where allowed).
backends=ptrace
"$CPROFTOP" --backend=perf -d 0.3 --top=1 -- "$(workload ratio)" -d 0.5 \
	>/dev/null 2>&1 && backends="ptrace perf"
for b in $backends; do
	"$CPROFTOP" --backend="$b" -F 200 --top=5 \
		--child-output "$TMPD/term-$b.out" -- "$F" -p 0 -c 30000 \
		>"$TMPD/term-$b.top" 2>"$TMPD/term-$b.err" &
	C=$!
	wait_until 10 sh -c "pgrep -P $C >/dev/null"
	P=$(pgrep -P "$C" | head -n 1)
	wait_until 10 sh -c "pgrep -P $P >/dev/null"
	K=$(pgrep -P "$P" | head -n 1)
	if [ "$b" = ptrace ]; then
		wait_until 10 grep -q '^TracerPid:[[:space:]]*[1-9]' \
			/proc/"$K"/status
		ok $? "$b: the child $K is traced"
	fi
	kill -TERM "$C"
	wait_until 10 grep -q 'waiting for' "$TMPD/term-$b.err"
	ok $? "$b: SIGTERM: profiling stopped, cproftop waits for the command"
	untraced_tree "$P"
	ok $? "$b: after SIGTERM the command and its child are untraced, not stopped"
	a=$(awk '{ print $1 }' /proc/"$K"/schedstat)
	wait_until 5 sh -c "[ \$(awk '{ print \$1 }' /proc/$K/schedstat) -gt $a ]"
	ok $? "$b: the child runs on"
	kill -KILL "$K" 2>/dev/null
	wait "$C"
	is $? 0 "$b: cproftop ends with the command, reporting its status 0"
	grep -q '^failed=1$' "$TMPD/term-$b.out"
	ok $? "$b: the command saw its child killed, and went on to exit"
done

# 3. SIGTERM in the middle of a fork burst: children being born while the
#    tracer detaches are let go too. Each child burns 50 ms of CPU, so
#    that one is seen traced: a child of 1 ms lived traced for so short a
#    time that a poll met none in 10 s once cproftop no longer held the
#    children in their stops (their libraries' symbols loaded once for
#    all, not once per child).
"$CPROFTOP" -F 200 --top=5 --child-output "$TMPD/mid.out" -- \
	"$F" -p 0 -n 100000 -b 50 -c 1 >"$TMPD/mid.top" 2>"$TMPD/mid.err" &
C=$!
wait_until 10 sh -c "pgrep -P $C >/dev/null"
P=$(pgrep -P "$C" | head -n 1)
wait_until 10 sh -c "pgrep -P $P >/dev/null"
ok $? "the burst runs"
# Children born under the tracer (traced: TracerPid set), then SIGTERM
# while the command forks on.
wait_until 10 sh -c "for k in \$(pgrep -P $P); do
	grep -q '^TracerPid:[[:space:]]*[1-9]' /proc/\$k/status && exit 0
	done; exit 1"
ok $? "a child of the burst is traced"
kill -TERM "$C"
wait_until 10 grep -q 'waiting for' "$TMPD/mid.err"
ok $? "SIGTERM mid-burst: profiling stopped"
untraced_tree "$P"
ok $? "SIGTERM mid-burst: the command and its children untraced, not stopped"
n1=$(awk '{ print $1 }' /proc/"$P"/schedstat)
wait_until 5 sh -c "[ \$(awk '{ print \$1 }' /proc/$P/schedstat) -gt $n1 ]"
ok $? "the command forks on"
kill -KILL "$P"
wait "$C"
is $? 137 "cproftop reports the command killed (128 + 9)"
done_testing
