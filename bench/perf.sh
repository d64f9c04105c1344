#!/bin/bash
# bench/perf.sh BUILDDIR [ROUNDS]: the perf_event backend beside
# `perf record` on the same workloads, in one run (issue 10's goals).
#
# ROUNDS times (default 3), in alternation, the ratio workload with fixed
# work runs alone, then with cproftop --backend=perf -p attached, then
# with `perf record -e cpu-clock -F 1000 --call-graph dwarf,8192 -p`
# attached (the same per-sample work: registers + 8 KiB of stack): 1 busy
# thread at 1000 Hz, and 16 busy threads at 1000 Hz. Both profilers run
# until the workload ends. Per configuration, the medians of: target
# slowdown (runtime / alone), samples taken, the profiler's CPU time (its
# user + system time / the run's wall time, % of a core), lost records.
set -u
B=${1:?usage: bench/perf.sh BUILDDIR [ROUNDS]}
R=${2:-3}
W=$B/tests/workloads/ratio
CPT=$B/cproftop
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT

if ! perf record -q -e cpu-clock -o "$T/probe" true >/dev/null 2>&1; then
	echo "bench/perf.sh: perf record does not run here; skipped" >&2
	exit 0
fi
if ! "$CPT" --backend=perf -d 0.2 --top=1 -- "$W" -w 10 >/dev/null 2>&1; then
	echo "bench/perf.sh: the perf backend is refused here; skipped" >&2
	exit 0
fi

. "$(dirname "$0")/lib.sh"

# cpu_of OUT ERR CMD...: runs CMD (output to OUT and ERR), prints its
# children's user + system seconds.
cpu_of() {
	bash -c 'o=$1 e=$2; shift 2; "$@" >"$o" 2>"$e"; times' _ "$@" |
		tail -n 1 | awk '{ split($1, u, /[ms]/); split($2, s, /[ms]/);
			printf "%.3f\n", u[1] * 60 + u[2] + s[1] * 60 + s[2] }'
}

alone() { # config threads
	"$W" -t "$2" -w "$(work "$2")" >"$T/out"
	record "$1" runtime "$(runtime "$T/out")"
}

# attached CONFIG THREADS TOOL: the workload with TOOL attached to it.
attached() {
	local p t0 t1 cpu
	"$W" -t "$2" -w "$(work "$2")" >"$T/out" &
	p=$!
	t0=$(date +%s.%N)
	if [ "$3" = cpt ]; then
		cpu=$(cpu_of /dev/null "$T/err" "$CPT" --backend=perf -p "$p" \
			-F 1000 --top=1 --stats)
	else
		cpu=$(cpu_of /dev/null "$T/err" perf record -e cpu-clock \
			-F 1000 --call-graph dwarf,8192 -p "$p" -o "$T/perf.data")
	fi
	wait "$p"
	t1=$(date +%s.%N)
	record "$1" runtime "$(runtime "$T/out")"
	record "$1" cpu "$(awk -v c="$cpu" -v a="$t0" -v b="$t1" \
		'BEGIN { printf "%.2f\n", 100 * c / (b - a) }')"
	if [ "$3" = cpt ]; then
		record "$1" samples "$(stat_of "$T/err" samples)"
		record "$1" lost "$(stat_of "$T/err" lost)"
	else
		record "$1" samples "$(sed -n 's/.*(\([0-9]*\) samples).*/\1/p' \
			"$T/err" | head -n 1)"
		record "$1" lost "$(perf report -i "$T/perf.data" --stdio -g none \
			--sort pid 2>/dev/null |
			awk '/Total Lost Samples/ { print $NF; f = 1; exit }
			END { if (!f) print 0 }')"
	fi
}

for r in $(seq "$R"); do
	echo "round $r/$R ..." >&2
	alone alone-1 1
	attached cptperf-1 1 cpt
	attached perfrec-1 1 perf
	alone alone-16 16
	attached cptperf-16 16 cpt
	attached perfrec-16 16 perf
done

printf '%-11s %10s %8s %8s %8s %6s\n' config runtime_ms slowdown samples \
	cpu% lost
for c in alone-1 cptperf-1 perfrec-1 alone-16 cptperf-16 perfrec-16; do
	rt=$(median "$T/$c.runtime")
	case $c in *-16) base=$(median "$T/alone-16.runtime") ;;
	*) base=$(median "$T/alone-1.runtime") ;; esac
	awk -v c="$c" -v rt="$rt" -v b="$base" -v s="$(median "$T/$c.samples")" \
		-v cpu="$(median "$T/$c.cpu")" -v l="$(median "$T/$c.lost")" \
		'BEGIN { printf "%-11s %10s %8.3f %8s %8s %6s\n", c, rt, rt / b,
			s, cpu, l }'
done | tee "$T/table"
col() { awk -v c="$1" -v k="$2" '$1 == c { print $k }' "$T/table"; }
echo
echo "Goals (issue 10), as measured in this run:"
awk -v a="$(col cptperf-16 4)" -v b="$(col perfrec-16 4)" 'BEGIN {
	printf "  samples, 16 threads at 1000 Hz >= 0.95 x perf record: %s / %s = %.3f\n", a, b, a / b }'
awk -v a="$(col cptperf-1 3)" -v b="$(col perfrec-1 3)" 'BEGIN {
	printf "  slowdown 1000 Hz x 1 <= perf record + 1 point: %.3f vs %.3f (%+.1f points)\n", a, b, (a - b) * 100 }'
awk -v a="$(col cptperf-1 5)" -v b="$(col perfrec-1 5)" 'BEGIN {
	printf "  cproftop CPU <= 1.5 x perf record, 1000 Hz x 1: %s %% vs %s %% (%.2f x)\n", a, b, (b > 0 ? a / b : 0) }'
awk -v a="$(col cptperf-16 5)" -v b="$(col perfrec-16 5)" 'BEGIN {
	printf "  cproftop CPU <= 1.5 x perf record, 1000 Hz x 16: %s %% vs %s %% (%.2f x)\n", a, b, (b > 0 ? a / b : 0) }'
