# bench/lib.sh: what the bench scripts share (sourced; set -u safe).
# Each measurement is one line appended to $T/CONFIG.KEY (T: the script's
# temporary directory); the figures are their medians.

# The key=value fields the ratio workload prints.
runtime() { awk -F= '$1 == "runtime_ms" { print $2 }' "$1"; }
stat_of() { tr ' ' '\n' <"$1" | awk -F= -v k="$2" '$1 == k { print $2 }'; }

# record CONFIG KEY VALUE: one measurement.
record() { echo "$3" >>"$T/$1.$2"; }

# median FILE: the median of a file of numbers, "-" when it is empty.
median() {
	[ -s "$1" ] || { echo "-"; return; }
	sort -g "$1" | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'
}

# work THREADS: ratio workload units per thread, ~2 s a run on 2 cores.
work() {
	case $1 in 1) echo 2000 ;; 4) echo 1000 ;; *) echo 250 ;; esac
}
