# The perf_event backend on the ratio workload's known profile (50/30/20):
# a fixed amount of work, spawned, so that the kernel's cpu-clock samples
# the whole run whatever the machine's load (about 1.5 s of CPU, 1500
# samples at 1000 Hz: one standard error of a 50 % share is 1.3 points).
# The frame-pointer build, the one without, and 4 threads on 2 cores.
. "$top_srcdir/tests/lib.sh"
. "$top_srcdir/tests/sampler/top.sh"
. "$top_srcdir/tests/perf/perf-lib.sh"
need_perf

# split_off OUT: true when OUT's hot_a/hot_b/hot_c are not within TOL
# points of 50/30/20.
TOL=5
split_off() {
	awk -v t=$TOL '$NF == "hot_a" { d = $2 - 50 }
	     $NF == "hot_b" { d = $2 - 30 } $NF == "hot_c" { d = $2 - 20 }
	     $NF ~ /^hot_[abc]$/ { n++; if (d < -t || d > t) bad = 1 }
	     END { exit !(bad || n != 3) }' "$1"
}

check_ratio() { # label, then the command
	label=$1
	shift
	out="$TMPD/$label.top"
	# The workload's own split is 50/30/20 on a quiet machine (perf
	# record agrees within 1.5 points). Under a loaded -j2 check the
	# kernel's cpu-clock samples drift: CI saw 46/35/19, then on one
	# machine both runs of a check off by 4 to 5 points (45.6 then 54.1;
	# 53.5 then 55.0), and `perf record -e cpu-clock -F 1000` itself gave
	# 53.0/27.0/19.4 beside such a check: hence 5 points, not 3 (a
	# sample put on the wrong function is off by far more). A split off
	# by more gets one more run, and the diagnostics show both.
	for try in 1 2; do
		"$CPROFTOP" --backend=perf -F 1000 --top=40 --stats \
			--child-output "$out.child" -- "$@" >"$out" 2>"$out.err"
		st=$?
		diag "$(grep 'cproftop:' "$out.err")"
		[ "$st" -eq 0 ] && split_off "$out" && [ "$try" = 1 ] || break
		diag "$label: run $try split: $(awk '$NF ~ /^hot_/ { printf "%s %s ", $NF, $2 }' "$out")"
	done
	ok "$st" "$label: cproftop exits 0 (the workload's own status)"
	is "$(stat_of "$out.err" lost)" 0 "$label: no sample lost"
	is "$(stat_of "$out.err" backend)" perf "$label: the perf backend runs"
	within "$(top_col "$out" hot_a 2)" 50 $TOL "$label: hot_a flat%"
	within "$(top_col "$out" hot_b 2)" 30 $TOL "$label: hot_b flat%"
	within "$(top_col "$out" hot_c 2)" 20 $TOL "$label: hot_c flat%"
	atleast "$(top_col "$out" worker 5)" 97 "$label: worker cum%"
	samples=$(stat_of "$out.err" samples)
	atleast "$samples" 800 "$label: enough samples" # 987 seen under ASan
	is "$(stat_of "$out.err" stops)" 0 "$label: no thread was stopped"
	cpu=$(awk -F= '$1 == "cpu_ms" { print $2 }' "$out.child")
	# Samples are CPU time: at most one per ms of the workload's CPU (the
	# kernel part of it is not sampled, user space only, nor what ran
	# before cproftop's window opened -- its set-up is slow on a loaded
	# machine: hence the low bound of one half).
	awk -v s="$samples" -v c="$cpu" 'BEGIN { exit !(s <= c * 1.05 + 20 && s >= c * 0.5) }'
	ok $? "$label: samples match the CPU time used ($samples vs $cpu ms)"
}

check_ratio fp "$(workload ratio)" -w 1300
check_ratio nofp "$(workload ratio-nofp)" -w 1300
check_ratio threads4 "$(workload ratio)" -t 4 -w 330
done_testing
