#!/bin/bash
# tests/heap/follow.sh: cproftop --heap --follow profiles the programs the
# command executes: a child that executes a program (fork, then exec) and
# the command executing a new program in place (the same pid, whose old
# blocks are then gone). tests/heap/workload prints the truth of each
# program it runs: "truth" (the command), "truthc" (its child, twice the
# unit), "truth2" (the program it executes in place, half the unit).
. "$top_srcdir/tests/lib.sh"
need_ptrace
W=$top_builddir/tests/heap/workload

if ! command -v go >/dev/null 2>&1; then
	skip "go tool pprof is not installed"
	done_testing
fi

# bytes FILE INDEX FUNC: FUNC's flat value of sample index INDEX in bytes.
bytes() {
	go tool pprof -sample_index="$2" -unit=B -top -nodefraction=0 \
		-nodecount=100 "$1" 2>/dev/null |
		awk -v f="$3" '$6 == f { v = $1; sub(/B$/, "", v); print v; n++ }
			END { if (!n) print 0 }'
}
# truth OUT TAGS SITE FIELD: the sum over the programs tagged TAGS (a
# regular expression) of FIELD (3 allocated, 4 in use) of SITE.
truth() {
	awk -v t="^($2)\$" -v s="$3" -v f="$4" \
		'$1 ~ t && $2 == s { v += $f } END { print v + 0 }' "$1"
}

# A fine rate (16 KiB: 2500 samples for keep_b, 2 %): 10 % per site.
"$CPROFTOP" --heap --follow --heap-rate 16384 --top=10 -o "$TMPD/f.pb.gz" \
	--child-output "$TMPD/f.out" -- "$W" -m 16 -c -e \
	>"$TMPD/f.top" 2>"$TMPD/f.err"
is "$?" 0 "the command succeeds"
n=$(grep -c '^truth' "$TMPD/f.out")
is "$n" 15 "the command, its child and the program it executes ran"
diag "$(cat "$TMPD/f.top" "$TMPD/f.err")"
grep -q '^Processes: 2 reported (1 forked, 1 exec in place), 0 records of no known' \
	"$TMPD/f.top"
ok $? "--top: two processes reported: the child forked (its exec not in place), one exec in place"
grep -q 'CPROFTOP_HEAP_FD=[0-9]' "$TMPD/f.out"
ok $? "the variables are passed on to the programs executed"
for s in keep_a keep_b keep_d; do
	# in use at the end: the child's and the last program's; the
	# command's first program is gone with its exec
	t=$(truth "$TMPD/f.out" "truthc|truth2" $s 4)
	within "$(bytes "$TMPD/f.pb.gz" inuse_space $s)" "$t" "$((t / 10))" \
		"inuse_space of $s: the child's and the exec'd program's"
	t=$(truth "$TMPD/f.out" "truth|truthc|truth2" $s 3)
	within "$(bytes "$TMPD/f.pb.gz" alloc_space $s)" "$t" "$((t / 10))" \
		"alloc_space of $s: every program's"
done

# Without --follow (spawn mode's default follow is not enough) the programs
# executed run unprofiled and see no variable.
"$CPROFTOP" --heap --heap-rate 16384 -o "$TMPD/n.pb.gz" \
	--child-output "$TMPD/n.out" -- "$W" -m 16 -c -e 2>"$TMPD/n.err"
is "$?" 0 "without --follow: the command succeeds"
grep -q 'CPROFTOP_HEAP_FD=(unset)' "$TMPD/n.out" &&
	! grep -q 'CPROFTOP_HEAP_FD=[0-9]' "$TMPD/n.out"
ok $? "without --follow: no program sees the variables"
t=$(truth "$TMPD/n.out" truth keep_a 3)
within "$(bytes "$TMPD/n.pb.gz" alloc_space keep_a)" "$t" "$((t / 10))" \
	"without --follow: alloc_space of keep_a is the command's first program's"

# Without --follow, a program executed in place (here held 2 s, so that
# cproftop's look every 10 ms sees it even on a loaded machine) is said to
# run unprofiled, and the first program's blocks are gone with its memory.
"$CPROFTOP" --heap --heap-rate 16384 -o "$TMPD/e.pb.gz" \
	--child-output "$TMPD/e.out" -- "$W" -m 4 -e -s 2 2>"$TMPD/e.err"
is "$?" 0 "exec in place, without --follow: the command succeeds"
grep -q "the command executed another program in its place, which ran" \
	"$TMPD/e.err" && grep -q "): $(readlink -f "$W")\$" "$TMPD/e.err"
ok $? "exec in place, without --follow: said unprofiled, its path named" ||
	diag "$(cat "$TMPD/e.err")"
is "$(bytes "$TMPD/e.pb.gz" inuse_space keep_a)" 0 \
	"exec in place, without --follow: the first program's keep_a is freed"
t=$(truth "$TMPD/e.out" truth keep_a 3)
within "$(bytes "$TMPD/e.pb.gz" alloc_space keep_a)" "$t" "$((t / 10))" \
	"exec in place, without --follow: its allocations are still counted"
# With --follow the program executed says hello: nothing unprofiled.
"$CPROFTOP" --heap --follow --heap-rate 16384 -o "$TMPD/g.pb.gz" \
	--child-output "$TMPD/g.out" -- "$W" -m 4 -e 2>"$TMPD/g.err"
is "$?" 0 "exec in place, with --follow: the command succeeds"
! grep -q "in its place, which ran unprofiled" "$TMPD/g.err"
ok $? "exec in place, with --follow: nothing said unprofiled" ||
	diag "$(cat "$TMPD/g.err")"

# A forked child that executes nothing (a prefork server's worker) profiles
# on with --follow: what it allocates is its own; its copies of the
# parent's blocks are not its samples, so freeing them frees nothing of
# the parent's (keep_a stays in use) and is no unknown free.
"$CPROFTOP" --heap --follow --heap-rate 16384 --top=10 -o "$TMPD/p.pb.gz" \
	--child-output "$TMPD/p.out" -- "$W" -m 16 -p \
	>"$TMPD/p.top" 2>"$TMPD/p.err"
is "$?" 0 "a forked worker, with --follow: the command succeeds"
grep -q '^Processes: 2 reported (1 forked, 0 execs in place), 0 records' \
	"$TMPD/p.top" && grep -q '^Frees of no known sample: 0$' "$TMPD/p.top"
ok $? "... the worker reported as forked, no unknown free" ||
	diag "$(cat "$TMPD/p.top" "$TMPD/p.err")"
for s in keep_a keep_b; do
	t=$(truth "$TMPD/p.out" "truth|truthp" $s 4)
	within "$(bytes "$TMPD/p.pb.gz" inuse_space $s)" "$t" "$((t / 10))" \
		"a forked worker: inuse_space of $s, the parent's and the worker's own"
	t=$(truth "$TMPD/p.out" "truth|truthp" $s 3)
	within "$(bytes "$TMPD/p.pb.gz" alloc_space $s)" "$t" "$((t / 10))" \
		"a forked worker: alloc_space of $s, both processes'"
done
# Without --follow the worker stops sampling: keep_b is the parent's only.
"$CPROFTOP" --heap --heap-rate 16384 -o "$TMPD/q.pb.gz" \
	--child-output "$TMPD/q.out" -- "$W" -m 16 -p 2>"$TMPD/q.err"
t=$(truth "$TMPD/q.out" truth keep_b 3)
within "$(bytes "$TMPD/q.pb.gz" alloc_space keep_b)" "$t" "$((t / 10))" \
	"a forked worker, without --follow: alloc_space of keep_b is the parent's"

# cproftop killed: a forked child waits at most a second for it, and once a
# wait ran out no later child of the ring waits (20 forks: a second in all,
# not 20).
"$CPROFTOP" --heap --follow --top=3 --child-output "$TMPD/k.out" -- "$W" -m 1 -s 2 \
	-k 20 >/dev/null 2>&1 &
C=$!
tap_bg_pids="$tap_bg_pids $C"
wait_until 20 grep -qs '^holding pid=' "$TMPD/k.out"
kill -KILL "$C"
K=$(sed -n 's/^holding pid=//p' "$TMPD/k.out")
tap_bg_pids="$tap_bg_pids $K"
wait_until 60 grep -qs '^forked 20 in' "$TMPD/k.out"
ms=$(sed -n 's/^forked 20 in \([0-9]*\) ms$/\1/p' "$TMPD/k.out")
awk -v m="${ms:-99999}" 'BEGIN { exit !(m < 10000) }'
ok $? "cproftop killed: 20 forks in ${ms:-?} ms (a second's wait once, not 20)"
done_testing
