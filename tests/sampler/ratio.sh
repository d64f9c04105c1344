# The ratio workload's known profile: hot_a/hot_b/hot_c take 50/30/20 % of
# the CPU; worker is on every stack. Checked at 1000 Hz on the build with
# frame pointers, the one without, and 4 threads on 2 cores. A sample is
# CPU time measured (1 per ms at 1000 Hz): 800 at least, one standard
# error of a 50 % share is then 1.8 points at worst. The ptrace source gave
# hot_c 15.4-16.9 in some runs on a loaded machine where the perf source
# gave 19.2 in the same minute (issue 10): its ticks, at a fixed period,
# locked onto the workload's own ~1 ms period (each stop delays the thread
# it stops). With a random offset per tick (sampler_jitter), 8 runs of one
# thread at load 13-17 gave hot_c 18.9-21.3 (17.2 on average without); 4
# points here, and a run off by more gets one more.
. "$top_srcdir/tests/lib.sh"
. "$top_srcdir/tests/sampler/top.sh"
need_ptrace

# split_off OUT: true when OUT's hot_a/hot_b/hot_c are not within 4
# points of 50/30/20.
split_off() {
	awk '$NF == "hot_a" { d = $2 - 50 } $NF == "hot_b" { d = $2 - 30 }
	     $NF == "hot_c" { d = $2 - 20 }
	     $NF ~ /^hot_[abc]$/ { n++; if (d < -4 || d > 4) bad = 1 }
	     END { exit !(bad || n != 3) }' "$1"
}

check_ratio() { # label, then the command
	label=$1
	shift
	out="$TMPD/$label.top"
	for try in 1 2; do
		"$CPROFTOP" -F 1000 --top=40 --stats -- "$@" >"$out" \
			2>"$out.err"
		st=$?
		diag "$(grep stats "$out.err")"
		[ "$st" -eq 0 ] && split_off "$out" && [ "$try" = 1 ] || break
		diag "$label: run $try split: $(awk '$NF ~ /^hot_/ { printf "%s %s ", $NF, $2 }' "$out")"
	done
	ok "$st" "$label: cproftop exits 0 (the workload's own status)"
	within "$(top_col "$out" hot_a 2)" 50 4 "$label: hot_a flat%"
	within "$(top_col "$out" hot_b 2)" 30 4 "$label: hot_b flat%"
	within "$(top_col "$out" hot_c 2)" 20 4 "$label: hot_c flat%"
	atleast "$(top_col "$out" worker 5)" 97 "$label: worker cum%"
	cum=$(top_col "$out" recurse 5)
	awk -v c="$cum" 'BEGIN { exit !(c > 1 && c <= 100) }'
	ok $? "$label: recurse cum% is in (1, 100] under recursion ($cum)"
	samples=$(stat_of "$out.err" samples)
	atleast "$samples" 800 "$label: enough samples"
}

check_ratio fp "$(workload ratio)" -d 5
check_ratio nofp "$(workload ratio-nofp)" -d 5
check_ratio threads4 "$(workload ratio)" -t 4 -d 5
done_testing
