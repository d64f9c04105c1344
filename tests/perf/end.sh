# A spawned command's profile ends when the command does, as `perf record`
# does, not at the sampler's next look: the perf backend's loop looked once
# a second, so `cproftop --top -- CMD` of a 50 ms command waited and said
# "Duration: 1s". Now a pidfd wakes it. Either backend: a profile of such a
# command lasts well under a second, and its exit code is passed on.
. "$top_srcdir/tests/lib.sh"
. "$top_srcdir/tests/sampler/top.sh"
. "$top_srcdir/tests/perf/perf-lib.sh"
need_perf

for b in perf ptrace; do
	"$CPROFTOP" --backend=$b --top=5 --stats -- \
		"$(workload ratio)" -d 0.05 >"$TMPD/$b.top" 2>"$TMPD/$b.err"
	ok $? "$b: cproftop exits with the command's status, 0"
	is "$(stat_of "$TMPD/$b.err" backend)" $b "$b: the backend asked ran"
	s=$(stat_of "$TMPD/$b.err" seconds)
	awk -v s="$s" 'BEGIN { exit !(s > 0 && s < 0.9) }'
	ok $? "$b: a 50 ms command's profile lasts < 0.9 s (got ${s} s)"
	grep -q '^Duration: [0-9.]*ms,' "$TMPD/$b.top"
	ok $? "$b: --top's Duration is in ms: $(grep '^Duration' \
		"$TMPD/$b.top")"
done
"$CPROFTOP" --backend=perf --top=5 -- sh -c 'exit 3' >/dev/null 2>&1
is $? 3 "perf: a command's exit code 3 is cproftop's"
done_testing
