# A followed child's CPU time survives a sampler thread busy over the
# child's whole life. At a new process's first sample the sampler loads
# its libraries' symbols and debug info: about a second for libc's under
# ASan on a loaded machine, longer than a short child lives. A thread's
# time since its last look was measured only at the next look, and a
# child that exited meanwhile was reaped first: all of its time was lost
# (follow.sh saw child_hot at 0, 17 and 31 % in CI). It is now measured
# at its exit, while it is a zombie only the tracer can reap.
# CPROFTOP_INJECT_FAULT=stall-child stalls the sampler thread at the
# child's first sample until the child has exited.
. "$top_srcdir/tests/lib.sh"
need_ptrace
F=$(workload forker)

command -v go >/dev/null 2>&1 || skip_all "go is not installed (pprof labels)"

CPROFTOP_LOG="$TMPD/log" CPROFTOP_INJECT_FAULT=stall-child \
	"$CPROFTOP" --backend=ptrace -F 200 --top=10 --stats \
	-o "$TMPD/p.pb.gz" --child-output "$TMPD/out" -- "$F" -p 300 -c 1000 \
	>"$TMPD/top" 2>&1
ok $? "cproftop -- forker exits 0 (a stalled sampler)"
child=$(sed -n 's/^child_pid=//p' "$TMPD/out")
grep -q "process $child ended during the stall" "$TMPD/log"
st=$?
ok $st "the child ended while the sampler thread stalled"
[ $st -eq 0 ] || diag "$(grep fault: "$TMPD/log")"
# The parent's 300 ms are partly before the first tick; the child's
# 1000 ms all count: its share is over 3/4, and near 0 when lost.
pct=$(go tool pprof -tags "$TMPD/p.pb.gz" 2>/dev/null |
	awk -v c="$child" '/^ *[a-z_]+: Total/ { t = ($1 == "pid:"); next }
		t && $NF == c { p = $2; gsub("[(%):]", "", p); print p }')
atleast "${pct:-0}" 60 "the child's CPU time is counted (pid $child)"
[ "${pct:-0}" != 0 ] || diag "$(cat "$TMPD/top")"
done_testing
