#!/bin/sh
# --dump on a busy machine (issue 9, item 7): more runnable threads than
# CPUs (4 busy threads of the target and 2 spinners of another process on
# 2 cores) and 2 sleepers. Every dump holds every thread with a whole stack
# -- a runnable thread waits for a CPU to be stopped, a blocked one is read
# where it sleeps -- or says which thread it could not get and why. The
# sleepers' stacks are checked against eu-stack's, pc for pc.
. "$top_srcdir/tests/lib.sh"
need_ptrace

start_bg "$(workload ratio)" -t 4 -s 2 -d 600
T=$BG_PID
wait_until 5 sh -c "[ \$(ls /proc/$T/task | wc -l) -eq 6 ]"
start_bg "$(workload ratio)" -t 2 -d 600 # the other work on the machine

# reaches_start FILE: the outermost frame of every stack in FILE (a --dump)
# is where threads begin; prints the ones that are not.
reaches_start() {
	awk '/^Thread/ { if (last != "") print last; last = "" }
	/^#/ { last = $3 } END { if (last != "") print last }' "$1" |
		grep -v -E '^(_start|start_thread|clone3?|__clone3?)$' | head -3
}

bad=0
i=1
while [ $i -le 5 ]; do
	d="$TMPD/dump$i"
	"$CPROFTOP" -p "$T" --dump >"$d" 2>"$d.err" || {
		bad=$((bad + 1))
		diag "dump $i: exit $?: $(cat "$d.err")"
	}
	n=$(grep -c '^Thread ' "$d")
	full=$(awk '/^Thread/ { t++ } /^#0 / { f++ } END { print f + 0 }' "$d")
	why=$(grep -c '^   no stack: ' "$d")
	# Each thread has a stack or a reason; on this load every thread is
	# had within the dump's 1 s wait per thread.
	[ "$n" -eq 6 ] && [ "$full" -eq 6 ] && [ -z "$(reaches_start "$d")" ] || {
		bad=$((bad + 1))
		diag "dump $i: $n threads, $full stacks, $why reasons," \
			"outermost: $(reaches_start "$d" | tr '\n' ' ')"
	}
	i=$((i + 1))
done
is "$bad" 0 "5 dumps under load: every thread, every stack down to its start"
all_untraced "$T"
ok $? "the dumps leave every thread untraced"
kill -0 "$T"
ok $? "the target is alive"

# The sleepers, against eu-stack (elfutils) on the same process: the same
# return addresses (ours also lists inlined frames, at the same pc).
if command -v eu-stack >/dev/null 2>&1; then
	eu-stack -p "$T" >"$TMPD/eu" 2>"$TMPD/eu.err"
	# pcs FILE FIRST-LINE-PATTERN TID: the distinct pcs of TID's stack.
	pcs() {
		awk -v pat="$2" -v tid="$3" '
			$0 ~ pat { on = ($2 == tid || $2 == tid ":"); next }
			/^(Thread|TID|PID) / { on = 0 }
			on && /^#/ && $2 != last { print $2; last = $2 }' "$1" |
			sed 's/^0x0*//'
	}
	for tid in $(awk '/"sleeper-/ { print $2 }' "$TMPD/dump1"); do
		ours=$(pcs "$TMPD/dump1" '^Thread ' "$tid" | tr '\n' ' ')
		theirs=$(pcs "$TMPD/eu" '^TID ' "$tid:" | tr '\n' ' ')
		[ -n "$ours" ] && [ "$ours" = "$theirs" ]
		ok $? "sleeper $tid: the pcs eu-stack shows ($theirs)" ||
			diag "ours: $ours"
	done
else
	skip "eu-stack (elfutils) is not installed: sleeper 1"
	skip "eu-stack (elfutils) is not installed: sleeper 2"
fi
done_testing
