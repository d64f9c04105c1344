# Wall mode on the perf backend splits a thread's off-CPU time into
# blocked (asleep in the kernel) and waiting for a CPU (runnable, on a run
# queue: the [waiting for CPU] leaf) as the kernel's schedstat does: the
# mixed workload's ticker (1 ms sleep / 1 ms work, 3 busy threads on 2
# CPUs) is preempted while it works and waits for a CPU after each sleep.
# Each share of its wall time (samples x period / seconds) is within 3
# points of its schedstat's over the same seconds (run-queue time; blocked
# = wall - run - run-queue). Before the fix, a window's run-queue time went
# to the blocked intervals that ended first and the preempted ones were
# counted in full on top: waiting +4..+8 points, blocked -1..-5.
. "$top_srcdir/tests/lib.sh"
. "$top_srcdir/tests/sampler/top.sh"
. "$top_srcdir/tests/perf/perf-lib.sh"
need_perf

HZ=500
start_bg "$(workload mixed)" -t 3 -d 60
W=$BG_PID
wait_until 10 sh -c "grep -qx ticker /proc/$W/task/*/comm"
T=$(grep -lx ticker /proc/$W/task/*/comm | head -n 1 | cut -d/ -f5)
"$CPROFTOP" --backend=perf --wall -p "$W" -F $HZ -d 6 --top=60 \
	--focus mixed_ticker --stats >"$TMPD/tick.top" 2>"$TMPD/tick.err" &
C=$!
# The same seconds: the profile counts from when cproftop's events are
# open (polled every 10 ms) for its "seconds", not its report after (which
# takes CPU the ticker then waits for). The ticker's schedstat (run ns,
# run-queue ns) is read every 10 ms until cproftop exits; the reading
# nearest to the profile's end is taken.
perf_fds_wait "$C"
schedstat_series "$W" "$T" "$C" >"$TMPD/series"
wait "$C"
ok $? "cproftop exits 0"
kill "$W"
diag "$(grep 'cproftop:' "$TMPD/tick.err")"
if [ "$(stat_of "$TMPD/tick.err" wall)" != switches ]; then
	skip_all "no kernel off-CPU samples: $(grep 'cproftop: backend' \
		"$TMPD/tick.err")"
fi
secs=$(stat_of "$TMPD/tick.err" seconds)
total=$(top_col "$TMPD/tick.top" mixed_ticker 4)
slept=$(awk '/^ *flat +flat%/ { t = 1; next }
	t && NF >= 6 && $6 ~ /nanosleep/ { s += $1 } END { print s + 0 }' \
	"$TMPD/tick.top")
waited=$(top_col "$TMPD/tick.top" '[waiting' 1)
read -r sr sb sw d <<EOT
$(schedstat_shares "$secs" "$TMPD/series")
EOT
read -r cb cw <<EOT
$(awk -v s="$slept" -v w="$waited" -v hz=$HZ -v d="$secs" \
	'BEGIN { if (d == 0) d = 1; printf "%.1f %.1f\n",
		100 * s / hz / d, 100 * w / hz / d }')
EOT
diag "ticker, % of its wall time: cproftop blocked $cb waiting $cw" \
	"($total samples, $secs s); schedstat blocked $sb waiting $sw" \
	"running $sr over $d ms"
# Enough intervals of both kinds to measure a split.
atleast "$total" 1500 "the ticker's wall samples"
atleast "$sb" 5 "schedstat: the ticker blocks"
atleast "$sw" 5 "schedstat: the ticker waits for a CPU"
# Records the kernel dropped (its ring buffer full: a sampler thread
# starved of CPU) take intervals out of the split: then it is not measured.
lost=$(stat_of "$TMPD/tick.err" lost)
if [ "${lost:-0}" != 0 ]; then
	skip "blocked share: $lost records lost"
	skip "waiting share: $lost records lost"
else
	within "$cb" "$sb" 3 "blocked: schedstat's share of the wall time"
	within "$cw" "$sw" 3 \
		"waiting for a CPU: schedstat's share of the wall time"
fi
done_testing
