#!/bin/bash
# bench/run.sh BUILDDIR [ROUNDS]: cproftop's cost, measured side by side.
#
# In one run, ROUNDS times (default 3) in alternation, the ratio workload
# (fixed work, ~2 s a run) runs: alone; under cproftop at 100 and 1000 Hz
# with 1, 4 and 16 busy threads; with 1 busy + 8 sleeping threads; under
# `perf record -e cpu-clock -F 1000 --call-graph dwarf`; and under the bare
# ptrace interrupt/resume loop (bench/floor, the floor of this approach).
# Prints per configuration the medians of: target slowdown (runtime ÷ the
# same workload alone), stop time p50/p99 (µs) and p50 ÷ floor, samples
# achieved ÷ requested, cproftop's CPU (% of a core; the floor's own for
# the floor row) and peak RSS, and for the rows of 1000 sleeping threads
# cproftop's CPU once they were all born (steady%: without the start-up,
# where cproftop seizes and registers each; taken in a run of its own:
# its polls would slow the run measured); then
# the goals of issues 4 and 9 with what was measured. With a third
# argument "many", only the rows of issue 9's goals run (1 busy thread,
# then 1 busy + 1000 sleeping threads, quiet and with every core
# saturated by other work, and cproftop -p for 3 s on such a process once
# its threads exist: attach-1s1000, the seizing included; no slowdown).
# BACKEND=ptrace (or perf, auto) in the environment runs every cproftop
# row with --backend=BACKEND (default: CPROFTOP_BACKEND's, else auto;
# `make bench` sets ptrace), e.g. `BACKEND=ptrace bench/run.sh _build 3
# many` for the ptrace fallback's rows of issue 9; the table's last lines
# say which one ran.
set -u
B=${1:?usage: bench/run.sh BUILDDIR [ROUNDS [many]]}
R=${2:-3}
ONLY=${3:-all}
W=$B/tests/workloads/ratio
CPT=$B/cproftop
BACKEND=${BACKEND:-${CPROFTOP_BACKEND:-auto}}
T=$(mktemp -d)
trap 'load_off; rm -rf "$T"' EXIT
. "$(dirname "$0")/lib.sh"

alone() { # config threads sleepers
	"$W" -t "$2" -s "$3" -w "$(work "$2")" >"$T/out"
	record "$1" runtime "$(runtime "$T/out")"
}

# cpu_ns PID: sets CPU to the CPU time (ns) its threads ran, from their
# schedstat (threads gone meanwhile are not counted: cproftop's stay).
# No fork here nor in threads_of(): the poll should take little CPU from
# cproftop on a small machine (POSIX sh: `make bench` runs $(SHELL)).
cpu_ns() {
	local f v
	CPU=0
	for f in /proc/"$1"/task/*/schedstat; do
		read -r v _ 2>/dev/null <"$f" && CPU=$((CPU + v))
	done
}

# threads_of PID: sets NT to its count of threads, 0 when gone.
threads_of() {
	set -- /proc/"$1"/task/[0-9]*
	NT=$#
	[ -e "$1" ] || NT=0
}

# steady CPTPID NTHREADS: while cproftop runs, its CPU (% of a core) from
# when its workload has all NTHREADS threads to the last poll (every
# 0.05 s) before they end: the steady state, without the births (1000
# threads seized, registered, looked at first) nor the exits. Times from
# /proc/uptime, in 10 ms: over 2 s of a bench row, +-0.5 % of the figure.
steady() {
	local cpt=$1 want=$2 w="" f c0="" t0="" c1="" t1="" up n=0
	# bounded (60 s): a zombie cproftop (sh reaps it at the wait only)
	# stays alive to kill -0
	while [ $((n += 1)) -le 1200 ] && kill -0 "$cpt" 2>/dev/null; do
		if [ -z "$w" ]; then
			for f in /proc/"$cpt"/task/*/children; do
				# "PID " with no newline: read fails, w is set
				read -r w _ 2>/dev/null <"$f"
				[ -n "$w" ] && break
			done
		else
			threads_of "$w"
			if [ "$NT" -ge "$want" ]; then
				cpu_ns "$cpt"
				read -r up _ </proc/uptime
				if [ -z "$c0" ]; then
					c0=$CPU t0=$up
				else
					c1=$CPU t1=$up
				fi
			elif [ -n "$c0" ]; then
				break # the workload's threads are ending
			elif [ "$NT" -eq 0 ]; then
				w="" # a child of cproftop's own, gone: look again
			fi
		fi
		sleep 0.05
	done
	if [ -n "$t1" ]; then
		awk -v c="$((c1 - c0))" -v t0="$t0" -v t1="$t1" 'BEGIN {
			if (t1 > t0) printf "%.1f\n", c / 1e9 / (t1 - t0) * 100
			else print "-" }'
	else
		echo "-"
	fi
}

# steady_run CONFIG THREADS SLEEPERS HZ: a run of its own for steady()'s
# figure, whose polls of /proc (a glob of 1000 threads, every 0.05 s)
# took CPU from the run measured: 2.2 s -> 2.4 s with 1000 sleepers.
steady_run() {
	local cpt st
	"$CPT" --backend="$BACKEND" -F "$4" --top=1 --stats \
		--child-output /dev/null -- \
		"$W" -t "$2" -s "$3" -w "$(work "$2")" >/dev/null 2>&1 &
	cpt=$!
	st=$(steady "$cpt" $(($2 + $3)))
	wait "$cpt"
	[ "$st" != - ] && record "$1" steady "$st"
}

under_cproftop() { # config threads sleepers hz
	local n=$(($2))
	[ "$3" -ge 1000 ] && steady_run "$@"
	rm -f "$T/out" # --child-output appends
	"$CPT" --backend="$BACKEND" -F "$4" --top=1 --stats \
		--child-output "$T/out" -- \
		"$W" -t "$2" -s "$3" -w "$(work "$2")" >/dev/null 2>"$T/err"
	rt=$(runtime "$T/out")
	record "$1" runtime "$rt"
	record "$1" p50 "$(stat_of "$T/err" stop_p50_us)"
	record "$1" p99 "$(stat_of "$T/err" stop_p99_us)"
	record "$1" cpu "$(stat_of "$T/err" cpu_pct)"
	record "$1" rss "$(stat_of "$T/err" rss_kb)"
	# Requested: every busy thread, HZ times a second, while it ran.
	awk -v s="$(stat_of "$T/err" samples)" -v hz="$4" -v n="$n" \
		-v sl="$3" -v rt="$rt" -v st="$(stat_of "$T/err" stops)" \
		'BEGIN { printf "%.3f\n", (sl > 0 ? st : s) / (hz * n * rt / 1000) }' \
		>>"$T/$1.achieved"
}

# attached CONFIG: cproftop -p for 3 s on a running ratio workload of 1
# busy + 1000 sleeping threads, once all are born: its CPU and stop times
# over the whole session, the seizing of 1001 threads included (what a
# user attaching to a server of idle threads pays; no runtime: the work
# began before).
attached() {
	local w n=0
	"$W" -t 1 -s 1000 -w $((4 * $(work 1))) >/dev/null &
	w=$!
	threads_of "$w"
	while [ "$NT" -lt 1001 ] && [ "$n" -lt 600 ]; do
		sleep 0.05
		n=$((n + 1))
		threads_of "$w"
	done
	"$CPT" --backend="$BACKEND" -p "$w" -F 1000 -d 3 --top=1 --stats \
		>/dev/null 2>"$T/err"
	kill "$w" 2>/dev/null
	wait "$w" 2>/dev/null
	record "$1" p50 "$(stat_of "$T/err" stop_p50_us)"
	record "$1" p99 "$(stat_of "$T/err" stop_p99_us)"
	record "$1" cpu "$(stat_of "$T/err" cpu_pct)"
	record "$1" rss "$(stat_of "$T/err" rss_kb)"
}

under_perf() {
	perf record -q -e cpu-clock -F 1000 --call-graph dwarf \
		-o "$T/perf.data" -- "$W" -w "$(work 1)" >"$T/out" 2>/dev/null
	record perf1000-1 runtime "$(runtime "$T/out")"
}

under_floor() {
	"$W" -w "$(work 1)" >"$T/out" &
	local p=$!
	sleep 0.05
	"$B/bench/floor" "$p" 1000 1.5 >"$T/floor"
	wait "$p"
	record floor1000-1 runtime "$(runtime "$T/out")"
	record floor1000-1 p50 "$(stat_of "$T/floor" floor_p50_us)"
	record floor1000-1 p99 "$(stat_of "$T/floor" floor_p99_us)"
	record floor1000-1 cpu "$(stat_of "$T/floor" floor_cpu_pct)"
}

# load_on / load_off: one busy loop per core, other work on the machine.
LOAD_PIDS=""
load_on() {
	for _ in $(seq "$(nproc)"); do
		sh -c 'while :; do :; done' &
		LOAD_PIDS="$LOAD_PIDS $!"
	done
}
load_off() {
	for p in $LOAD_PIDS; do kill "$p" 2>/dev/null; done
	wait $LOAD_PIDS 2>/dev/null
	LOAD_PIDS=""
}

CONFIGS="alone-1 alone-4 alone-16 alone-1s8 cpt100-1 cpt1000-1 cpt100-4
cpt1000-4 cpt100-16 cpt1000-16 cpt1000-1s8 floor1000-1 alone-1s1000
cpt1000-1s1000 alone-1s1000L cpt1000-1s1000L attach-1s1000"
have_perf=0
perf record -q -e cpu-clock -o "$T/probe" true >/dev/null 2>&1 && have_perf=1
[ $have_perf = 1 ] && CONFIGS="$CONFIGS perf1000-1"
[ "$ONLY" = many ] && CONFIGS="alone-1 cpt1000-1 alone-1s1000 cpt1000-1s1000
alone-1s1000L cpt1000-1s1000L attach-1s1000"

# Issue 9: 1000 idle threads + 1 busy one, on a quiet machine and with
# every core saturated by other work (L).
many_rows() {
	alone alone-1s1000 1 1000
	under_cproftop cpt1000-1s1000 1 1000 1000
	load_on
	alone alone-1s1000L 1 1000
	under_cproftop cpt1000-1s1000L 1 1000 1000
	load_off
	attached attach-1s1000
}

LOAD_START=$(cut -d' ' -f1-3 /proc/loadavg)
for r in $(seq "$R"); do
	echo "round $r/$R ..." >&2
	if [ "$ONLY" = many ]; then
		alone alone-1 1 0
		under_cproftop cpt1000-1 1 0 1000
		many_rows
		continue
	fi
	alone alone-1 1 0
	under_cproftop cpt100-1 1 0 100
	under_cproftop cpt1000-1 1 0 1000
	under_floor
	[ $have_perf = 1 ] && under_perf
	alone alone-4 4 0
	under_cproftop cpt100-4 4 0 100
	under_cproftop cpt1000-4 4 0 1000
	alone alone-16 16 0
	under_cproftop cpt100-16 16 0 100
	under_cproftop cpt1000-16 16 0 1000
	alone alone-1s8 1 8
	under_cproftop cpt1000-1s8 1 8 1000
	many_rows
done

base_of() {
	case $1 in
	*-1s1000L) echo alone-1s1000L ;; *-1s1000) echo alone-1s1000 ;;
	*-1s8) echo alone-1s8 ;; *-16) echo alone-16 ;; *-4) echo alone-4 ;;
	*) echo alone-1 ;;
	esac
}

floor=$(median "$T/floor1000-1.p50")
printf '%-12s %9s %8s %8s %8s %8s %9s %6s %8s %7s\n' config runtime_ms \
	slowdown p50_us p99_us p50/flr achieved cpu% rss_kb steady%
for c in $CONFIGS; do
	rt=$(median "$T/$c.runtime")
	base=$(median "$T/$(base_of "$c").runtime")
	p50=$(median "$T/$c.p50")
	awk -v c="$c" -v rt="$rt" -v b="$base" -v p50="$p50" \
		-v p99="$(median "$T/$c.p99")" -v f="$floor" \
		-v a="$(median "$T/$c.achieved")" -v cpu="$(median "$T/$c.cpu")" \
		-v rss="$(median "$T/$c.rss")" \
		-v st="$(median "$T/$c.steady")" 'BEGIN {
		printf "%-12s %9s %8s %8s %8s %8s %9s %6s %8s %7s\n", c, rt,
			(rt == "-" ? "-" : sprintf("%.3f", rt / b)), p50, p99,
			(p50 == "-" || f == "-" ? "-" : sprintf("%.2f", p50 / f)), a, cpu, rss, st
	}'
done | tee "$T/table"

echo
echo "cproftop --backend=$BACKEND"
echo "Load average (1, 5, 15 min) at the start: $LOAD_START, at the end:" \
	"$(cut -d' ' -f1-3 /proc/loadavg) (\"quiet\" rows are only quiet on an idle machine)"
col() { awk -v c="$1" -v k="$2" '$1 == c { print $k }' "$T/table"; }
if [ "$ONLY" != many ]; then
	echo "Goals (issue 4), as measured in this run:"
	echo "  stop p50 <= 1.25 x floor:           cpt1000-1 $(col cpt1000-1 6)"
	echo "  stop p99 <= 150 us:                 cpt1000-1 $(col cpt1000-1 5) us"
	echo "  slowdown 1000 Hz x 1 <= 1.07:       $(col cpt1000-1 3)"
	echo "  slowdown 100 Hz x 1 <= 1.01:        $(col cpt100-1 3)"
	echo "  achieved >= 0.97, 100 Hz x 4:       $(col cpt100-4 7)"
	echo "  cproftop CPU <= 5 %, 100 Hz x 16:   $(col cpt100-16 8) %"
	echo "  cproftop CPU <= 15 %, 1000 Hz x 1:  $(col cpt1000-1 8) %"
	echo "  8 sleepers add < 0.5 % at 1000 Hz:  $(awk -v a="$(col cpt1000-1s8 3)" \
		-v b="$(col cpt1000-1 3)" 'BEGIN { printf "%+.2f %%", (a - b) * 100 }')"
	echo "  floor (bare interrupt/resume) p50 $floor us, p99 $(col floor1000-1 5) us"
fi
echo "Goals (issue 9 item 2), 1000 idle threads + 1 busy at 1000 Hz:"
echo "  stop p99 <= 1000 us, cores saturated: cpt1000-1s1000L $(col cpt1000-1s1000L 5) us (quiet: $(col cpt1000-1s1000 5) us)"
echo "  slowdown <= 1-thread + 0.02:         $(col cpt1000-1s1000 3) (1 thread: $(col cpt1000-1 3))"
echo "  cproftop CPU <= 20 %, the 1000 threads idle:"
echo "    attached (-p, 3 s, seizing 1001 threads included): $(col attach-1s1000 8) %, stop p99 $(col attach-1s1000 5) us"
echo "    spawned, once all are born (steady): $(col cpt1000-1s1000 10) % (saturated: $(col cpt1000-1s1000L 10) %)"
echo "    spawned, the whole run ($(col cpt1000-1s1000 2) ms; their 1000 births and libc's debug info, ~0.1 s of zlib, included): $(col cpt1000-1s1000 8) % (saturated: $(col cpt1000-1s1000L 8) %)"
