#!/bin/bash
# bench/perf.sh BUILDDIR [ROUNDS] [offcpu]: the perf_event backend beside
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
# Then, in the same seconds on one process: both profilers on 16 busy
# threads at 1000 Hz (perf record enabled once cproftop's events are
# open, disabled when it ends: the samples each took); and wall mode's
# off-CPU time (context switches) on the mixed workload's ticker (1 ms
# sleep / 1 ms work, oversubscribed) against its schedstat, as shares of
# its wall time over the same seconds, with the
# ticker's work rate with and without cproftop --wall attached. With
# "offcpu" as the third argument, only that last part runs.
set -u
B=${1:?usage: bench/perf.sh BUILDDIR [ROUNDS] [offcpu]}
R=${2:-3}
ONLY=${3:-}
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
. "$(dirname "$0")/../tests/perf/perf-lib.sh"

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

# same16: cproftop and perf record on one 16-thread process, same seconds.
same16() {
	local p c k ack i=0
	"$W" -t 16 -d 30 >/dev/null &
	p=$!
	while [ "$(ls /proc/$p/task 2>/dev/null | wc -l)" -lt 16 ] &&
		[ $i -lt 500 ]; do
		sleep 0.02
		i=$((i + 1))
	done
	rm -f "$T/ctl" "$T/ack"
	mkfifo "$T/ctl" "$T/ack"
	perf record -D -1 --control "fifo:$T/ctl,$T/ack" -e cpu-clock \
		-F 1000 --call-graph dwarf,8192 -p "$p" -o "$T/same.data" \
		>/dev/null 2>"$T/same.perf" &
	k=$!
	exec 8<>"$T/ctl" 9<>"$T/ack"
	"$CPT" --backend=perf -p "$p" -F 1000 -d 4 --top=1 --stats \
		>/dev/null 2>"$T/same.err" &
	c=$!
	perf_fds_wait "$c"
	echo enable >&8
	read -r -t 20 ack <&9
	wait "$c"
	echo disable >&8
	read -r -t 20 ack <&9
	kill -INT "$k"
	wait "$k"
	exec 8>&- 9>&-
	kill "$p"
	wait "$p" 2>/dev/null
	record same16 cpt "$(stat_of "$T/same.err" samples)"
	record same16 cptlost "$(stat_of "$T/same.err" lost)"
	record same16 perf "$(sed -n 's/.*(\([0-9]*\) samples).*/\1/p' \
		"$T/same.perf" | head -n 1)"
}

# offcpu: the ticker's blocked / waiting / running shares of its wall
# time in wall mode (samples x period / the profile's seconds) beside its
# schedstat over the same seconds (read every 10 ms from when cproftop's
# events are open; the reading nearest to the profile's end), and its
# work rate (ticks a second) alone and with cproftop --wall attached.
offcpu() {
	local m p c t total slept waited secs i=0
	m=$B/tests/workloads/mixed
	"$m" -t 3 -d 3 >"$T/mixed.out"
	record offcpu alone "$(awk -F= '$1 == "ticks" { print $2 / 3 }' \
		"$T/mixed.out")"
	"$m" -t 3 -d 8 >"$T/mixed.out" &
	p=$!
	while ! grep -qx ticker /proc/$p/task/*/comm 2>/dev/null &&
		[ $i -lt 500 ]; do
		sleep 0.02
		i=$((i + 1))
	done
	t=$(grep -lx ticker /proc/$p/task/*/comm | head -n 1 | cut -d/ -f5)
	"$CPT" --backend=perf --wall -p "$p" -F 500 -d 4 --top=60 \
		--focus mixed_ticker --stats >"$T/tick.top" 2>"$T/tick.err" &
	c=$!
	perf_fds_wait "$c"
	schedstat_series "$p" "$t" "$c" >"$T/series"
	wait "$c"
	wait "$p"
	record offcpu attached "$(awk -F= '$1 == "ticks" { print $2 / 8 }' \
		"$T/mixed.out")"
	secs=$(stat_of "$T/tick.err" seconds)
	total=$(awk '$6 == "mixed_ticker" { print $4 }' "$T/tick.top")
	slept=$(awk 'NF >= 6 && $6 ~ /nanosleep/ && $1 ~ /^[0-9]+$/ \
		{ s += $1 } END { print s + 0 }' "$T/tick.top")
	waited=$(awk '$6 == "[waiting" { print $1 }' "$T/tick.top")
	share() { awk -v n="$1" -v d="${secs:-0}" \
		'BEGIN { printf "%.1f\n", (d > 0 ? 100 * n / 500 / d : 0) }'; }
	record offcpu cptblocked "$(share "$slept")"
	record offcpu cptwaiting "$(share "${waited:-0}")"
	record offcpu cptrunning "$(share "$((${total:-0} - slept - ${waited:-0}))")"
	schedstat_shares "${secs:-0}" "$T/series" >"$T/ss"
	record offcpu ssrunning "$(awk '{ print $1 }' "$T/ss")"
	record offcpu ssblocked "$(awk '{ print $2 }' "$T/ss")"
	record offcpu sswaiting "$(awk '{ print $3 }' "$T/ss")"
	record offcpu lost "$(stat_of "$T/tick.err" lost)"
	record offcpu wall "$(stat_of "$T/tick.err" wall)"
}

offcpu_report() {
	if grep -q switches "$T/offcpu.wall" 2>/dev/null; then
		echo "  wall mode, the mixed ticker's share of its wall time (off-CPU from context switches):"
		echo "    blocked: cproftop $(median "$T/offcpu.cptblocked") %," \
			"schedstat $(median "$T/offcpu.ssblocked") %"
		echo "    waiting for a CPU: cproftop $(median "$T/offcpu.cptwaiting") %," \
			"schedstat $(median "$T/offcpu.sswaiting") %"
		echo "    running: cproftop $(median "$T/offcpu.cptrunning") %," \
			"schedstat $(median "$T/offcpu.ssrunning") %" \
			"(user-space samples only: exclude_kernel)"
		echo "    records lost: $(median "$T/offcpu.lost")"
		awk -v a="$(median "$T/offcpu.attached")" \
			-v b="$(median "$T/offcpu.alone")" 'BEGIN {
			printf "    the ticker'"'"'s work rate with --wall attached / alone: %.3f (%s / %s ticks a second)\n", (b > 0 ? a / b : 0), a, b }'
	else
		echo "  wall mode: no kernel off-CPU samples here ($(head -n 1 "$T/offcpu.wall"))"
	fi
}

if [ "$ONLY" = offcpu ]; then
	for r in $(seq "$R"); do
		echo "round $r/$R ..." >&2
		offcpu
		echo "  round $r: blocked $(tail -n 1 "$T/offcpu.cptblocked")" \
			"(schedstat $(tail -n 1 "$T/offcpu.ssblocked")), waiting" \
			"$(tail -n 1 "$T/offcpu.cptwaiting") (schedstat" \
			"$(tail -n 1 "$T/offcpu.sswaiting")), running" \
			"$(tail -n 1 "$T/offcpu.cptrunning") (schedstat" \
			"$(tail -n 1 "$T/offcpu.ssrunning")), lost" \
			"$(tail -n 1 "$T/offcpu.lost")" >&2
	done
	echo "Medians of $R:"
	offcpu_report
	exit 0
fi

for r in $(seq "$R"); do
	echo "round $r/$R ..." >&2
	alone alone-1 1
	attached cptperf-1 1 cpt
	attached perfrec-1 1 perf
	alone alone-16 16
	attached cptperf-16 16 cpt
	attached perfrec-16 16 perf
	same16
	offcpu
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
echo
echo "Same process, same seconds (medians of $R):"
awk -v a="$(median "$T/same16.cpt")" -v b="$(median "$T/same16.perf")" \
	-v l="$(median "$T/same16.cptlost")" 'BEGIN {
	printf "  samples, 16 threads at 1000 Hz >= 0.95 x perf record: %s / %s = %.3f (cproftop lost %s)\n", a, b, (b > 0 ? a / b : 0), l }'
offcpu_report
