#!/bin/bash
# tests/heap/heap.sh: cproftop --heap on tests/heap/workload, whose sites
# allocate known bytes (it prints the truth): Go's four views per site
# against the truth, go tool pprof reading the file, the target's output,
# environment, descriptors and exit status unchanged, a child that forks
# and execs.
. "$top_srcdir/tests/lib.sh"
need_ptrace
W=$top_builddir/tests/heap/workload

# bytes FILE INDEX FUNC: FUNC's flat value of sample index INDEX, in bytes
# or objects, as go tool pprof reads the file (0 when absent).
bytes() {
	go tool pprof -sample_index="$2" -unit=B -top -nodefraction=0 \
		-nodecount=100 "$1" 2>/dev/null |
		awk -v f="$3" '$6 == f { v = $1; sub(/B$/, "", v); print v; n++ }
			END { if (!n) print 0 }'
}
# truth SITE FIELD: from the workload's own account (3 allocated, 4 in use).
truth() { awk -v s="$1" -v f="$2" '$1 == "truth" && $2 == s { print $f }' \
	"$TMPD/alone.out"; }

"$W" -m 64 -x 3 >"$TMPD/alone.out"
is "$?" 3 "the workload alone exits 3"

# One run at a fine rate (64 KiB: ~1000 samples a site), for 10 %.
"$CPROFTOP" --heap --heap-rate 65536 --top=10 -o "$TMPD/fine.pb.gz" \
	--child-output "$TMPD/fine.out" -- "$W" -m 64 -x 3 \
	>"$TMPD/fine.top" 2>"$TMPD/fine.err"
is "$?" 3 "cproftop --heap exits with the command's status"
cmp -s "$TMPD/alone.out" "$TMPD/fine.out"
ok $? "the command's output (environment, descriptors) is unchanged"
diag "$(head -1 "$TMPD/fine.out")"
grep -q '^malloc_usable_size: 0 short, of NULL 0$' "$TMPD/fine.out"
ok $? "malloc_usable_size through the interposer: every block as asked"
diag "$(cat "$TMPD/fine.top" "$TMPD/fine.err")"
grep -q '^Type: inuse_space' "$TMPD/fine.top"
ok $? "--top shows inuse_space by default"
awk 'h { print; exit } /^ *flat  *flat%/ { h = 1 }' "$TMPD/fine.top" |
	grep -q ' keep_a$'
ok $? "--top: keep_a holds the most"
# the Heap: line says "..., N records dropped, ..."
grep -q ', 0 records dropped,' "$TMPD/fine.top"
ok $? "no record dropped"
grep -q '^Frees of no known sample: [0-9]*$' "$TMPD/fine.top"
ok $? "--top says the frees of no known sample"

if ! command -v go >/dev/null 2>&1; then
	skip "go tool pprof is not installed"
	done_testing
fi
F=$TMPD/fine.pb.gz
# figures FILE: each site's truth and measure, for a failure's diagnosis
figures() {
	for s in keep_a keep_b churn_c keep_d keep_e keep; do
		printf '%-8s inuse want %10s got %10s  alloc want %10s got %10s\n' \
			"$s" "$(truth $s 4)" "$(bytes "$1" inuse_space $s)" \
			"$(truth $s 3)" "$(bytes "$1" alloc_space $s)"
	done
}
failed_before=$tap_failed
go tool pprof -raw "$F" >"$TMPD/raw" 2>&1
grep -q '^alloc_objects/count alloc_space/bytes inuse_objects/count inuse_space/bytes\[dflt\]$' \
	"$TMPD/raw"
ok $? "go tool pprof reads Go's four heap sample types"
grep -q '^PeriodType: space bytes$' "$TMPD/raw" &&
	grep -q '^Period: 65536$' "$TMPD/raw"
ok $? "period type space/bytes, period the rate"
go tool pprof -top "$F" 2>&1 | grep -q '^Type: inuse_space$'
ok $? "go tool pprof shows inuse_space by default, as on Go's heap profile"
grep -qE '^Comment: [0-9]+ samples?, [0-9]+ frees?, 0 dropped, 0 untracked$' \
	"$TMPD/raw"
ok $? "a comment says the samples and what was lost (nothing)"
# tol BYTES: what sampling allows a site of BYTES at the fine rate, 4.5
# standard deviations (one sample per 64 KiB on average: the relative sd is
# sqrt(65536 / BYTES), 3.0-3.2 % for 64 MiB over 617 runs), and
# at least 10 %
tol() {
	awk -v b="$1" 'BEGIN { t = 4.5 * sqrt(65536 * b)
		if (t < b / 10) t = b / 10; printf "%d", t }'
}
for s in keep_a keep_b keep_d keep_e; do
	t=$(truth $s 4)
	within "$(bytes "$F" inuse_space $s)" "$t" "$(tol "$t")" \
		"inuse_space of $s within 4.5 sd (at least 10 %)"
done
for s in keep_a churn_c keep_e; do
	t=$(truth $s 3)
	within "$(bytes "$F" alloc_space $s)" "$t" "$(tol "$t")" \
		"alloc_space of $s within 4.5 sd (at least 10 %)"
done
kept=$(awk '$1 == "truth" { s += $4 } END { print s }' "$TMPD/alone.out")
atleast "$((kept / 100))" "$(bytes "$F" inuse_space churn_c)" \
	"churn_c frees all: in use under 1 % of the kept bytes"
# the total leaves out the workload's own lists (keep(): no site, no truth)
total=$(go tool pprof -sample_index=inuse_space -unit=B -top "$F" 2>/dev/null |
	sed -n 's/.* of \([0-9]*\)B total$/\1/p')
total=$((total - $(bytes "$F" inuse_space keep)))
within "$total" "$kept" "$((kept / 20))" \
	"total in use but keep()'s lists within 5 % (fine rate)"
# keep_a allocates 1000-9000 bytes: ~5000 on average
objs=$(bytes "$F" inuse_objects keep_a)
t=$(($(truth keep_a 4) / 5000))
within "$objs" "$t" "$((t / 5))" "inuse_objects of keep_a ~ bytes / 5000"
[ "$tap_failed" -eq "$failed_before" ] || diag "$(figures "$F")"

# The default rate (512 KiB): the totals, within 4 standard deviations
# (384 MiB in use is ~770 samples: 3.6 %; 704 MiB allocated ~1400: 2.7 %).
"$CPROFTOP" --heap -o "$TMPD/def.pb.gz" --child-output "$TMPD/def.out" \
	-- "$W" -m 64 -x 3 2>"$TMPD/def.err"
is "$?" 3 "default rate: the command's status"
allocd=$(awk '$1 == "truth" { s += $3 } END { print s }' "$TMPD/alone.out")
failed_before=$tap_failed
for ix in inuse_space:$kept:15 alloc_space:$allocd:11; do
	IFS=: read -r i want pct <<<"$ix"
	got=$(go tool pprof -sample_index=$i -unit=B -top "$TMPD/def.pb.gz" \
		2>/dev/null | sed -n 's/.* of \([0-9]*\)B total$/\1/p')
	got=$((got - $(bytes "$TMPD/def.pb.gz" $i keep)))
	within "$got" "$want" "$((want * pct / 100))" \
		"default rate: total $i but keep()'s lists within $pct %"
done
[ "$tap_failed" -eq "$failed_before" ] || diag "$(figures "$TMPD/def.pb.gz")"

# A child forked midway that allocates, then execs /bin/true.
"$W" -m 8 -f >"$TMPD/fork-alone.out"
"$CPROFTOP" --heap --top=3 --child-output "$TMPD/fork.out" -- "$W" -m 8 -f \
	>"$TMPD/fork.top" 2>"$TMPD/fork.err"
is "$?" 0 "fork and exec: the command succeeds"
cmp -s "$TMPD/fork-alone.out" "$TMPD/fork.out"
ok $? "fork and exec: the command's output is unchanged"
grep -q ' keep_a$' "$TMPD/fork.top"
ok $? "fork and exec: the parent is profiled"
done_testing
