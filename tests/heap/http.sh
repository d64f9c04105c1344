#!/bin/bash
# tests/heap/http.sh: --heap --http serves Go's /debug/pprof/heap while
# the command runs, and go tool pprof reads it as a Go heap profile;
# ?seconds=N is the delta of the next N seconds, as Go's.
. "$top_srcdir/tests/lib.sh"
need_ptrace
need_cmd curl
need_cmd go
export PPROF_TMPDIR="$TMPD" HOME="$TMPD" GOCACHE="$TMPD/gocache"

"$CPROFTOP" --heap --heap-rate 65536 --http 127.0.0.1:0 \
	--child-output "$TMPD/w.out" -- \
	"$top_builddir/tests/heap/workload" -m 16 -s 600 </dev/null \
	>"$TMPD/c.out" 2>"$TMPD/c.err" &
C=$!
tap_bg_pids="$tap_bg_pids $C"
wait_until 20 grep -qs '^holding pid=' "$TMPD/w.out"
ok $? "the workload allocated and holds its memory"
W=$(sed -n 's/^holding pid=//p' "$TMPD/w.out")
tap_bg_pids="$tap_bg_pids $W"
URL=$(sed -n 's|^cproftop: serving \(http://[^/]*\)/debug/pprof/$|\1|p' \
	"$TMPD/c.err")
P=$URL/debug/pprof

curl -s -D "$TMPD/h" -o "$TMPD/heap.pb.gz" "$P/heap"
grep -qi '^Content-Disposition: attachment; filename="heap"' "$TMPD/h"
ok $? "heap: an attachment named heap"
go tool pprof -sample_index=inuse_space -top "$TMPD/heap.pb.gz" \
	>"$TMPD/top" 2>&1
grep -q '^Type: inuse_space' "$TMPD/top" &&
	awk '$NF ~ /^keep_/ { print $NF; exit }' "$TMPD/top" | grep -qx keep_a
ok $? "go tool pprof: inuse_space, keep_a on top"
[ $? -eq 0 ] || diag "$(cat "$TMPD/top")"
go tool pprof -sample_index=alloc_space -top "$P/heap" >"$TMPD/top2" 2>&1
grep -q ' churn_c$' "$TMPD/top2"
ok $? "go tool pprof -sample_index=alloc_space over HTTP: churn_c"
# Go's /debug/pprof/allocs: the same profile, alloc_space by default.
go tool pprof -top "$P/allocs" >"$TMPD/allocs" 2>&1
grep -q '^Type: alloc_space$' "$TMPD/allocs" &&
	grep -q ' churn_c$' "$TMPD/allocs"
ok $? "allocs: go tool pprof shows alloc_space by default (churn_c)" ||
	diag "$(head -20 "$TMPD/allocs")"
go tool pprof -top "$P/heap" 2>&1 | grep -q '^Type: inuse_space$'
ok $? "heap: go tool pprof shows inuse_space by default"
curl -s "$P/" | grep -q "<a href='allocs?debug=1'>allocs</a>"
ok $? "the index lists allocs"

# ?seconds=N: Go's delta profile. The workload sleeps now, holding all:
# nothing allocated, nothing grew in that second.
curl -s -o "$TMPD/delta.pb.gz" "$P/heap?seconds=1"
go tool pprof -raw "$TMPD/delta.pb.gz" >"$TMPD/delta.raw" 2>&1
go tool pprof -raw "$TMPD/heap.pb.gz" >"$TMPD/full.raw" 2>&1
grep -q '^Duration: 1\.' "$TMPD/delta.raw" &&
	! grep -q ' keep_a ' "$TMPD/delta.raw" &&
	grep -q ' keep_a ' "$TMPD/full.raw"
r=$?
ok $r "heap?seconds=1: a 1 s delta where the sleeping workload allocated nothing"
[ $r -eq 0 ] || diag "$(head -20 "$TMPD/delta.raw")"
is "$(curl -s -o /dev/null -w '%{http_code}' "$P/heap?seconds=x")" 400 \
	"heap?seconds=x: a bad request"

# The end: the workload is killed; cproftop then ends with its status.
kill -TERM "$W"
wait "$C"
is "$?" $((128 + 15)) "cproftop ends with the command's status (SIGTERM)"
done_testing
