# The ratio workload's known profile: hot_a/hot_b/hot_c take 50/30/20 % of
# the CPU; worker is on every stack. Checked at 1000 Hz on the build with
# frame pointers, the one without, and 4 threads on 2 cores. Up to 5000
# samples a run, at least 1500 on a loaded machine: one standard error of a
# 50 % share is then 1.3 points at worst -- and the workload is periodic, so
# the real spread is smaller (within 2 points in every run seen before the
# blocked-thread rework). Since then the ptrace source has been seen to give
# hot_c 15.4-16.9 in some runs on a loaded machine where the perf source gave
# 19.2 in the same minute: a known bias, open in issue 10, so the tolerance
# is 6 points until it is found (tests/perf/ratio.sh holds the perf source
# to its own).
. "$top_srcdir/tests/lib.sh"
. "$top_srcdir/tests/sampler/top.sh"
need_ptrace

check_ratio() { # label, then the command
	label=$1
	shift
	out="$TMPD/$label.top"
	"$CPROFTOP" -F 1000 --top=40 --stats -- "$@" >"$out" 2>"$out.err"
	ok $? "$label: cproftop exits 0 (the workload's own status)"
	diag "$(grep stats "$out.err")"
	within "$(top_col "$out" hot_a 2)" 50 6 "$label: hot_a flat%"
	within "$(top_col "$out" hot_b 2)" 30 6 "$label: hot_b flat%"
	within "$(top_col "$out" hot_c 2)" 20 6 "$label: hot_c flat%"
	atleast "$(top_col "$out" worker 5)" 97 "$label: worker cum%"
	cum=$(top_col "$out" recurse 5)
	awk -v c="$cum" 'BEGIN { exit !(c > 1 && c <= 100) }'
	ok $? "$label: recurse cum% is in (1, 100] under recursion ($cum)"
	samples=$(stat_of "$out.err" samples)
	atleast "$samples" 1500 "$label: enough samples"
}

check_ratio fp "$(workload ratio)" -d 5
check_ratio nofp "$(workload ratio-nofp)" -d 5
check_ratio threads4 "$(workload ratio)" -t 4 -d 5
done_testing
