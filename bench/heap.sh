#!/bin/bash
# bench/heap.sh BUILDDIR [ROUNDS]: --heap's cost and accuracy, side by side
# with heaptrack (Debian package heaptrack) in one run (issue 13's goals).
#
# Cost: ROUNDS times (default 5), tests/heap/mallocs (10 million small
# malloc/free pairs, one thread) runs alone; under cproftop without --heap
# (the CPU sampler only, the default backend); under cproftop --heap at a
# rate of 1 TiB (the hooks' common path and the CPU sampler: next to no
# sample); under cproftop --heap at the default rate (512 KiB); and under
# heaptrack. The cost is the target's own CPU time (user + system, which a
# loaded machine does not blur as it does the runtime) ÷ alone's. This
# VM's speed jumps by up to half from run to run (180 to 300 ms for the
# same run alone, in spells of seconds), and a first run pays for a cold
# machine, so: one round of warm-up is not counted;
# each run of a configuration is paired with a run alone next to it (the
# alone first in odd rounds), and its cost is the ratio within the pair,
# whose median and quartiles over the rounds are shown, beside the
# medians of the times; each round starts with another configuration.
# Accuracy: tests/heap/workload -m 64 (sites of known bytes; its own
# account is the truth) under cproftop --heap at the default rate and
# under heaptrack: bytes allocated in total, and leaked (in use at exit)
# in total and per site.
set -u
B=${1:?usage: bench/heap.sh BUILDDIR [ROUNDS]}
R=${2:-5}
M=$B/tests/heap/mallocs
W=$B/tests/heap/workload
CPT=$B/cproftop
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT

runtime() { awk -F= '$1 == "runtime_ms" { print $2 }' "$1"; }
cpu() { awk -F= '$1 == "cpu_ms" { print $2 }' "$1"; }
record() { echo "$3" >>"$T/$1.$2"; }
# quantile FILE P: the P quantile (0 to 1) of a file of numbers, nearest
# rank; "-" when it is empty
quantile() {
	[ -s "$1" ] || { echo "-"; return; }
	sort -g "$1" | awk -v p="$2" '{ v[NR] = $1 }
		END { print v[1 + int(p * (NR - 1) + 0.5)] }'
}
median() { quantile "$1" 0.5; }
HT=$(command -v heaptrack || true)
CONFIGS="alone cpu hooks heap"
[ -n "$HT" ] && CONFIGS="$CONFIGS heaptrack"

# run CONFIG ROUND: one run of mallocs in CONFIG; its figures in $T/out
run() {
	rm -f "$T/out"
	case $1 in
	alone) "$M" -n 10 >"$T/out" ;;
	cpu) "$CPT" --top=1 --child-output "$T/out" -- "$M" -n 10 \
		>/dev/null 2>&1 ;;
	hooks) "$CPT" --heap --heap-rate 1099511627776 --top=1 \
		--child-output "$T/out" -- "$M" -n 10 >/dev/null 2>"$T/err" ;;
	heap) "$CPT" --heap --top=1 --child-output "$T/out" -- "$M" -n 10 \
		>/dev/null 2>"$T/err" ;;
	heaptrack) "$HT" -o "$T/ht.$2" "$M" -n 10 >"$T/out" 2>/dev/null
		rm -f "$T/ht.$2"* ;;
	esac
}

# pair C R: one run of C next to one alone (alone first in odd rounds);
# records both, and C's ratios to that alone
pair() {
	local first=alone second=$1 ac ar cc cr
	[ $(($2 % 2)) -eq 0 ] && first=$1 second=alone
	run "$first" "$2"
	echo "$(cpu "$T/out" 2>/dev/null) $(runtime "$T/out" 2>/dev/null)" \
		>"$T/pair.$first"
	run "$second" "$2"
	echo "$(cpu "$T/out" 2>/dev/null) $(runtime "$T/out" 2>/dev/null)" \
		>"$T/pair.$second"
	[ "$2" -eq 0 ] && return # the warm-up round
	read -r ac ar <"$T/pair.alone"
	read -r cc cr <"$T/pair.$1"
	# a failed run (no figures) leaves the pair out
	[ -n "${ac:-}" ] && [ -n "${cc:-}" ] && [ -n "${cr:-}" ] || return
	record alone cpu "$ac"
	record alone runtime "$ar"
	record "$1" cpu "$cc"
	record "$1" runtime "$cr"
	record "$1" ratio "$(awk -v c="$cc" -v a="$ac" \
		'BEGIN { printf "%.4f", c / a }')"
	record "$1" rratio "$(awk -v c="$cr" -v a="$ar" \
		'BEGIN { printf "%.4f", c / a }')"
	# BENCH_VERBOSE=1: each pair's CPU times
	[ -z "${BENCH_VERBOSE:-}" ] || echo "round $2: $1 $cc, alone $ac" >&2
}

PAIRED=${CONFIGS#alone }
set -- $PAIRED
NC=$#
for r in $(seq 0 "$R"); do
	# round r starts with configuration r (mod their number)
	for i in $(seq 0 $((NC - 1))); do
		pair "$(echo "$PAIRED" | awk -v k=$(((r + i) % NC + 1)) \
			'{ print $k }')" "$r"
	done
done

echo "bench/heap.sh: tests/heap/mallocs -n 10 (10 M malloc/free pairs), $R rounds" \
	"after one of warm-up, the order rotating"
echo "÷ alone: the median over the rounds of the ratio to the run alone next" \
	"to it [lower - upper quartile]; fastest: the lower quartiles' ratio" \
	"(the runs least slowed by the VM)"
printf '%-29s %8s %23s %9s %9s %8s\n' "configuration" "CPU" "CPU ÷ alone" \
	"fastest" "runtime" "÷ alone"
for c in $CONFIGS; do
	case $c in
	alone) name="alone" ;;
	cpu) name="cproftop (CPU only)" ;;
	hooks) name="cproftop --heap (1 TiB rate)" ;;
	heap) name="cproftop --heap (512 KiB)" ;;
	heaptrack) name="heaptrack" ;;
	esac
	[ "$c" = alone ] && { printf '%-29s %6sms %23s %9s %7sms %8s\n' \
		"$name" "$(median "$T/$c.cpu")" "" "" \
		"$(median "$T/$c.runtime")" ""; continue; }
	printf '%-29s %6sms %7.3f [%.3f - %.3f] %9.3f %7sms %8.3f\n' "$name" \
		"$(median "$T/$c.cpu")" "$(median "$T/$c.ratio")" \
		"$(quantile "$T/$c.ratio" 0.25)" \
		"$(quantile "$T/$c.ratio" 0.75)" \
		"$(awk -v c="$(quantile "$T/$c.cpu" 0.25)" \
			-v a="$(quantile "$T/alone.cpu" 0.25)" \
			'BEGIN { print c / a }')" \
		"$(median "$T/$c.runtime")" "$(median "$T/$c.rratio")"
done
awk -v h="$(median "$T/heap.ratio")" -v q="$(quantile "$T/heap.ratio" 0.75)" \
	-v f="$(quantile "$T/heap.cpu" 0.25)" -v a="$(quantile "$T/alone.cpu" 0.25)" \
	-v c="$(median "$T/cpu.ratio")" 'BEGIN {
	printf "goal: --heap at the default rate <= 1.10x alone (CPU time, " \
		"median of the rounds): %.3fx (%s; upper quartile %.3fx; " \
		"fastest %.3fx); CPU only: %.3fx\n", h,
		h <= 1.10 ? "met" : "NOT met", q, f / a, c }'

# Accuracy beside heaptrack.
"$W" -m 64 >"$T/truth"
"$CPT" --heap -o "$T/heap.pb.gz" --child-output /dev/null -- "$W" -m 64 \
	2>/dev/null
ours() { # INDEX [FUNC]: total, or FUNC's flat, in bytes (or objects)
	go tool pprof -sample_index="$1" -unit=B -top -nodefraction=0 \
		"$T/heap.pb.gz" 2>/dev/null | awk -v f="${2:-}" '
		f == "" && / of [0-9]+B? total$/ { v = $(NF - 1); sub(/B$/, "", v); print v; exit }
		f != "" && $6 == f { v = $1; sub(/B$/, "", v); print v; exit }'
}
truth() { awk -v s="$1" -v f="$2" '$1 == "truth" && (s == "" || $2 == s) {
	t += $f } END { print t }' "$T/truth"; }
if [ -n "$HT" ]; then
	"$HT" -o "$T/wl" "$W" -m 64 >/dev/null 2>&1
	heaptrack_print -f "$T"/wl.* -p 0 -a 0 -s 0 -T 0 -l 1 -n 1000 \
		>"$T/ht.txt" 2>/dev/null
fi
# heaptrack prints sizes 1000-based: 12.58M
ht_bytes() { awk '{ v = $1; u = v; sub(/^[0-9.]+/, "", u); sub(/[A-Za-z]+$/, "", v)
	m = 1; if (u == "K") m = 1e3; if (u == "M") m = 1e6; if (u == "G") m = 1e9
	printf "%.0f\n", v * m }'; }
ht_total() { sed -n 's/^total memory leaked: //p' "$T/ht.txt" 2>/dev/null | ht_bytes; }
ht_calls() { sed -n 's/^calls to allocation functions: \([0-9]*\).*/\1/p' "$T/ht.txt" 2>/dev/null; }
ht_site() { # bytes leaked from FUNC: its call sites summed
	awk -v f="$1" 'want { if ($1 == f) print v; want = 0 }
		/ leaked over [0-9]+ calls from$/ { v = $1; want = 1 }' \
		"$T/ht.txt" 2>/dev/null | ht_bytes | awk '{ t += $1 } END { print t + 0 }'
}
na() { [ -n "$HT" ] && "$@" || echo "-"; }
echo
echo "accuracy: tests/heap/workload -m 64 (truth: its own account), default rate"
printf '%-30s %12s %12s %12s\n' "" "truth" "cproftop" "heaptrack"
printf '%-30s %12s %12s %12s\n' "allocated bytes, total" "$(truth "" 3)" \
	"$(ours alloc_space)" "-"
printf '%-30s %12s %12s %12s\n' "allocation calls" "-" \
	"$(ours alloc_objects | sed 's/B$//')" "$(na ht_calls)"
printf '%-30s %12s %12s %12s\n' "in use at exit, total" "$(truth "" 4)" \
	"$(ours inuse_space)" "$(na ht_total)"
for s in keep_a keep_b keep_d keep_e; do
	printf '%-30s %12s %12s %12s\n' "in use at exit, $s" "$(truth $s 4)" \
		"$(ours inuse_space $s)" "$(na ht_site $s)"
done
[ -n "$HT" ] || echo "(heaptrack is not installed: apt-get install heaptrack)"
