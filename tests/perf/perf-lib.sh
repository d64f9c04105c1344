# Helpers for the tests of the perf_event backend, sourced after
# tests/lib.sh and tests/sampler/top.sh (bench/perf.sh sources it too: the
# functions below need nothing else).

# need_perf: skips the whole file, with the kernel's reason, when
# perf_event_open is refused for a child of ours (paranoid, seccomp, no
# CAP_PERFMON). The refusal message is cproftop's own.
need_perf() {
	local out
	out=$("$CPROFTOP" --backend=perf -d 0.3 --top=1 -- \
		"$(workload ratio)" -d 0.5 2>&1 >/dev/null)
	if [ $? -ne 0 ]; then
		skip_all "perf_event_open refused: $(echo "$out" | head -n 1)"
	fi
}

# perf_fds PID: status 0 once process PID holds perf_event fds.
perf_fds() {
	ls -l /proc/"$1"/fd 2>/dev/null | grep -q 'perf_event'
}

# perf_fds_wait PID: waits (at most 30 s, polled every 10 ms) until
# process PID holds perf_event fds; status 1 if it never does.
perf_fds_wait() {
	local i=0
	while ! perf_fds "$1"; do
		[ $i -lt 3000 ] && kill -0 "$1" 2>/dev/null || return 1
		sleep 0.01
		i=$((i + 1))
	done
}

# schedstat_series PID TID CPID: "usec run-ns run-queue-ns" of thread TID
# of PID every 10 ms while process CPID lives (at most 60 s).
schedstat_series() {
	local i=0 r w
	while kill -0 "$3" 2>/dev/null && [ $i -lt 6000 ]; do
		read -r r w _ </proc/"$1"/task/"$2"/schedstat || return 0
		echo "${EPOCHREALTIME/./} $r $w"
		sleep 0.01
		i=$((i + 1))
	done
}

# schedstat_shares SECS SERIES: "running blocked waiting ms" from a
# schedstat_series file: the thread's shares (%) of the wall time from the
# first reading to the one nearest SECS seconds after it (blocked = wall -
# run - run-queue), and that span in ms.
schedstat_shares() {
	awk -v secs="$1" 'NR == 1 { t0 = $1; r0 = $2; w0 = $3; best = -1 }
		{ e = $1 - t0 - secs * 1e6; if (e < 0) e = -e
		  if (best < 0 || e < best) { best = e; t = $1; r = $2; w = $3 } }
		END { d = (t - t0) * 1e3; if (d <= 0) d = 1
		      printf "%.1f %.1f %.1f %d\n", 100 * (r - r0) / d,
			100 * (d - (r - r0) - (w - w0)) / d, 100 * (w - w0) / d,
			d / 1e6 }' "$2"
}

# cpu_ms PID: CPU time used so far by every thread of PID (schedstat).
cpu_ms() {
	cat /proc/"$1"/task/*/schedstat 2>/dev/null |
		awk '{ s += $1 } END { printf "%d\n", s / 1e6 }'
}

# perf_flat FILE: "name pct" for each user-space symbol ([.]) of a
# perf.data, as a share of the user-space samples: what cpu-clock:u counts
# (cproftop's perf backend samples user space only, exclude_kernel).
perf_flat() {
	perf report -i "$1" --no-children --sort sym --stdio -q 2>/dev/null |
		awk '$2 == "[.]" { p = $1; sub("%", "", p); n[$3] = p; t += p }
			END { for (k in n) printf "%s %.2f\n", k, 100 * n[k] / t }' |
		sort -k2 -rn
}

# top_flat FILE: "name pct" for each row of a --top table.
top_flat() {
	awk '/^ *flat +flat%/ { t = 1; next }
		t && NF >= 6 { p = $2; sub("%", "", p); print $6, p }' "$1"
}
