# A spawned command that executes its real program in place (env, a
# wrapper script, pyenv's shims) is profiled as that program: the profile's
# main binary (--top's File:, pprof's mapping[0]) is the program it runs,
# not the wrapper it started as ("File: sh" before). Either backend.
. "$top_srcdir/tests/lib.sh"
. "$top_srcdir/tests/perf/perf-lib.sh"
need_perf

R=$(workload ratio)
for b in perf ptrace; do
	"$CPROFTOP" --backend=$b --top=5 -o "$TMPD/$b.pb.gz" -- \
		sh -c 'exec "$0" -d 0.5' "$R" >"$TMPD/$b.top" 2>"$TMPD/$b.err"
	ok $? "$b: cproftop exits with the command's status, 0" ||
		diag "$(cat "$TMPD/$b.err")"
	grep -q '^File: ratio$' "$TMPD/$b.top"
	ok $? "$b: --top's File: is the program executed in place" ||
		diag "$(head -3 "$TMPD/$b.top")"
	if command -v go >/dev/null 2>&1; then
		HOME=$TMPD GOCACHE=$TMPD/gocache go tool pprof -top \
			"$TMPD/$b.pb.gz" 2>/dev/null | grep -q '^File: ratio$'
		ok $? "$b: go tool pprof's File: is the program executed too"
	else
		skip "go tool pprof is not installed"
	fi
done
done_testing
