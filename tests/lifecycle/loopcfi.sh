#!/bin/sh
# A hostile library: loopcfi_spin()'s CFI is DW_CFA_def_cfa_expression
# (DW_OP_skip -3), an expression that jumps onto itself. Every unwind
# through it must end (bounded reads and CPU per unwind), be counted as an
# unwind error, and leave cproftop responsive: -d ends on time, SIGTERM and
# SIGINT free every thread of the target within a second. (It used to spin
# at 100 % forever in libunwind's expression evaluator, deaf to signals,
# a target thread left stopped.)
. "$top_srcdir/tests/lib.sh"
. "$top_srcdir/tests/attach/common.sh"
. "$top_srcdir/tests/lifecycle/common.sh"
need_ptrace

L="$top_builddir/tests/lifecycle/loopcfi"
start_bg "$L" -t 2 -d 120
T=$BG_PID
wait_until 10 grep -q spinning "$BG_OUT"
ok $? "loopcfi spins in its hostile frame"

timeout 60 "$CPROFTOP" --backend=ptrace -p "$T" -F 1000 -d 2 --top=5 --stats \
	>"$TMPD/top" 2>"$TMPD/err"
rc=$?
if [ $rc -eq 1 ] && grep -q 'did not stop in time' "$TMPD/err"; then
	# A saturated machine: the sampler was still busy when -d ended, and
	# the watchdog let the kernel detach. Not hung either.
	diag "the watchdog ended this run: $(cat "$TMPD/err")"
	skip "overloaded machine: -d 2 ended by the watchdog (not hung)"
	skip "overloaded machine: no profile to look at"
	skip "overloaded machine: no figures"
	skip "overloaded machine: no figures"
else
	is $rc 0 "-d 2 ends with 0 (not hung)"
	grep -q 'loopcfi_spin' "$TMPD/top"
	ok $? "the hostile frame is reported"
	errors=$(sed -n 's/.*unwind_errors=\([0-9]*\).*/\1/p' "$TMPD/err")
	samples=$(sed -n 's/.* samples=\([0-9]*\).*/\1/p' "$TMPD/err")
	atleast "${errors:-0}" 1 "the cut-short unwinds are counted as errors"
	atleast "${samples:-0}" 2 "samples go on after the first hostile unwind"
fi
poll 2 untraced_running "$T"
ok $? "the target runs on untraced"

# The kernel's samples go through the same unwinder.
timeout 60 "$CPROFTOP" --backend=perf -p "$T" -F 1000 -d 2 --top=5 \
	>"$TMPD/perf" 2>"$TMPD/perf.err"
rc=$?
if [ $rc -eq 124 ]; then
	ok 1 "perf backend: -d 2 ends (hung)"
elif [ $rc -ne 0 ] && ! grep -q loopcfi_spin "$TMPD/perf"; then
	skip "perf backend not usable here: $(head -n 1 "$TMPD/perf.err")"
else
	grep -q loopcfi_spin "$TMPD/perf"
	ok $? "perf backend: -d 2 ends, the hostile frame reported"
fi

for sig in TERM:15 INT:2; do
	num=${sig#*:}
	sig=${sig%:*}
	# Once it has unwound through the hostile frame for a while (0.6 s
	# of CPU: under ASan 0.2 s was mostly set-up, and no sample yet), the
	# signal.
	"$FW" -p "$T" -s "$num" -c 60 -- "$CPROFTOP" --backend=ptrace -p "$T" -F 1000 --top=3 \
		>"$TMPD/fw.$sig" 2>"$TMPD/err.$sig"
	ok $? "SIG$sig: every thread untraced and running again"
	diag "SIG$sig: $(cat "$TMPD/fw.$sig" | grep -v '^ ')"
	ms=$(sed -n 's/^free_ms=//p' "$TMPD/fw.$sig")
	[ -n "$ms" ] && [ "$ms" -le 1000 ]
	ok $? "SIG$sig: within a second (${ms:-?} ms)"
	grep -q '^rc=0$' "$TMPD/fw.$sig" && grep -q loopcfi_spin "$TMPD/fw.$sig"
	ok $? "SIG$sig: cproftop exits 0, the profile printed"
done
kill -0 "$T"
ok $? "the target is alive"
done_testing
