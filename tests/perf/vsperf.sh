# Side by side with `perf record -e cpu-clock -F 999` on the same process
# in the same seconds: the mixed workload (3 busy threads + a 1 ms sleep /
# 1 ms work ticker, oversubscribed on 2 cores). Every function's flat%
# within 3 points of perf's (over perf's user-space samples: the backend
# samples user space only); the sleep functions under 1 % of CPU. Then
# --top and the pprof file of one run agree (one model).
. "$top_srcdir/tests/lib.sh"
. "$top_srcdir/tests/sampler/top.sh"
. "$top_srcdir/tests/perf/perf-lib.sh"
need_perf
command -v perf >/dev/null 2>&1 || skip_all "perf (linux-perf) is not installed"

start_bg "$(workload mixed)" -t 3 -d 30
W=$BG_PID
wait_until 10 test -e /proc/$W/task
# The same seconds (the ticker's share depends on the machine's load):
# perf record starts with its events disabled; once cproftop's events are
# open, perf's are enabled (acknowledged through a FIFO), and disabled as
# soon as cproftop is done.
mkfifo "$TMPD/ctl" "$TMPD/ack"
perf record -D -1 --control "fifo:$TMPD/ctl,$TMPD/ack" -e cpu-clock -F 999 \
	-p "$W" -o "$TMPD/perf.data" >/dev/null 2>"$TMPD/perf.err" &
P=$!
exec 8<>"$TMPD/ctl" 9<>"$TMPD/ack"
"$CPROFTOP" --backend=perf -p "$W" -F 999 -d 6 --top=40 --stats \
	-o "$TMPD/cpt.pb.gz" >"$TMPD/cpt.top" 2>"$TMPD/cpt.err" &
C=$!
wait_until 20 perf_fds "$C"
echo enable >&8
read -r -t 20 ack <&9
is "$ack" ack "perf record enabled once cproftop's events are open"
wait "$C"
ok $? "cproftop exits 0"
echo disable >&8
read -r -t 20 ack <&9
kill -INT "$P"
wait "$P"
exec 8>&- 9>&-
test -s "$TMPD/perf.data"
ok $? "perf record wrote its data ($(head -n 1 "$TMPD/perf.err"))"
diag "$(grep 'cproftop:' "$TMPD/cpt.err")"
n=$(sed -n 's/.*(\([0-9]*\) samples).*/\1/p' "$TMPD/perf.err" | head -n 1)
atleast "${n:-0}" 150 "perf record took enough samples to compare with"
perf_flat "$TMPD/perf.data" >"$TMPD/perf.flat"
top_flat "$TMPD/cpt.top" >"$TMPD/cpt.flat"
diag "perf:     $(head -n 6 "$TMPD/perf.flat" | tr '\n' ' ')"
diag "cproftop: $(head -n 6 "$TMPD/cpt.flat" | tr '\n' ' ')"
# Every function either side shows at 0.5 % or more.
awk '$2 >= 0.5 { print $1 }' "$TMPD/perf.flat" "$TMPD/cpt.flat" | sort -u |
	while read -r f; do
		a=$(awk -v n="$f" '$1 == n { print $2; exit }' "$TMPD/cpt.flat")
		b=$(awk -v n="$f" '$1 == n { print $2; exit }' "$TMPD/perf.flat")
		echo "$f ${a:-0} ${b:-0}"
	done >"$TMPD/pairs"
test -s "$TMPD/pairs"
ok $? "functions to compare"
while read -r f a b; do
	within "$a" "$b" 3 "$f flat% within 3 points of perf record's ($b)"
done <"$TMPD/pairs"
for f in __GI___clock_nanosleep __clock_nanosleep clock_nanosleep nanosleep; do
	v=$(top_col "$TMPD/cpt.top" $f 2)
	awk -v v="$v" 'BEGIN { exit !(v < 1) }'
	ok $? "sleep function $f under 1 % of CPU (got $v)"
done

# The pprof file of the same run holds the same numbers as --top.
if command -v go >/dev/null 2>&1 &&
	go tool pprof -top "$TMPD/cpt.pb.gz" >"$TMPD/pprof.top" 2>/dev/null; then
	for f in busy_spin tick_work; do
		a=$(top_col "$TMPD/cpt.top" $f 2)
		b=$(top_col "$TMPD/pprof.top" $f 2)
		within "$a" "$b" 0.01 "$f: --top and go tool pprof agree"
	done
else
	skip "go tool pprof is not available"
fi
done_testing
