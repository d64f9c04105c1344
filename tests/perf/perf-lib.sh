# Helpers for the tests of the perf_event backend, sourced after
# tests/lib.sh and tests/sampler/top.sh.

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
