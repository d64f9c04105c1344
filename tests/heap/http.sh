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
# ?debug=1, the index's link: Go's legacy text heap profile, for people,
# which pprof reads too.
curl -s -o "$TMPD/heap.txt" "$P/heap?debug=1"
head -n 1 "$TMPD/heap.txt" |
	grep -Eq '^heap profile: [0-9]+: [0-9]+ \[[0-9]+: [0-9]+\] @ heap/131072$' &&
	grep -Eq '^#	0x[0-9a-f]+	keep_a	' "$TMPD/heap.txt"
ok $? "heap?debug=1: Go's text header (heap/2 x rate) and named frames" ||
	diag "$(head -5 "$TMPD/heap.txt")"
# (the workload holds: the binary profile fetched now has the same totals)
total() {
	go tool pprof -sample_index="$2" -top "$1" 2>&1 |
		sed -n 's/^Showing nodes accounting for .* of \(.*\) total$/\1/p'
}
curl -s -o "$TMPD/heap2.pb.gz" "$P/heap"
t_text=$(total "$TMPD/heap.txt" inuse_space)
t_pb=$(total "$TMPD/heap2.pb.gz" inuse_space)
a_text=$(total "$TMPD/heap.txt" alloc_space)
a_pb=$(total "$TMPD/heap2.pb.gz" alloc_space)
[ -n "$t_text" ] && [ "$t_text" = "$t_pb" ] && [ "$a_text" = "$a_pb" ]
ok $? "... which go tool pprof reads, scaled as the binary profile ($t_text = $t_pb in use, $a_text = $a_pb allocated)"
is "$(curl -s -o /dev/null -w '%{http_code}' "$P/heap?debug=1&seconds=1")" \
	400 "heap?debug=1&seconds=1: a bad request, as Go's"

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
