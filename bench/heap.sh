#!/bin/bash
# bench/heap.sh BUILDDIR [ROUNDS]: --heap's cost and accuracy, side by side
# with heaptrack (Debian package heaptrack) in one run (issue 13's goals).
#
# Cost: ROUNDS times (default 5), in alternation, tests/heap/mallocs (10
# million small malloc/free pairs, one thread) runs alone; under cproftop
# without --heap (the CPU sampler only, the default backend); under
# cproftop --heap at a rate of 1 TiB (the hooks' common path and the CPU
# sampler: next to no sample); under cproftop --heap at the default rate
# (512 KiB); and under heaptrack. The
# medians of its own CPU time (user + system: the cost, which a loaded
# machine does not blur as it does the runtime) and runtime, each ÷ alone.
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
# measure CONFIG: records the run's figures from $T/out
measure() { record "$1" runtime "$(runtime "$T/out")"; record "$1" cpu "$(cpu "$T/out")"; }
median() {
	[ -s "$1" ] || { echo "-"; return; }
	sort -g "$1" | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'
}
HT=$(command -v heaptrack || true)

for r in $(seq "$R"); do
	"$M" -n 10 >"$T/out"
	measure alone
	rm -f "$T/out"
	"$CPT" --top=1 --child-output "$T/out" -- "$M" -n 10 >/dev/null 2>&1
	measure cpu
	rm -f "$T/out"
	"$CPT" --heap --heap-rate 1099511627776 --top=1 --child-output \
		"$T/out" -- "$M" -n 10 >/dev/null 2>"$T/err"
	measure hooks
	rm -f "$T/out"
	"$CPT" --heap --top=1 --child-output "$T/out" -- "$M" -n 10 \
		>/dev/null 2>"$T/err"
	measure heap
	if [ -n "$HT" ]; then
		"$HT" -o "$T/ht.$r" "$M" -n 10 >"$T/out" 2>/dev/null
		measure heaptrack
	fi
done

a=$(median "$T/alone.cpu")
ar=$(median "$T/alone.runtime")
echo "bench/heap.sh: tests/heap/mallocs -n 10 (10 M malloc/free pairs), medians of $R runs"
printf '%-30s %10s %8s %10s %8s\n' "configuration" "CPU" "÷ alone" "runtime" "÷ alone"
for c in alone cpu hooks heap heaptrack; do
	m=$(median "$T/$c.cpu")
	mr=$(median "$T/$c.runtime")
	[ "$m" = "-" ] && continue
	case $c in
	alone) name="alone" ;;
	cpu) name="cproftop (CPU only)" ;;
	hooks) name="cproftop --heap (1 TiB rate)" ;;
	heap) name="cproftop --heap (512 KiB)" ;;
	heaptrack) name="heaptrack" ;;
	esac
	printf '%-30s %8sms %8s %8sms %8s\n' "$name" "$m" \
		"$(awk -v m="$m" -v a="$a" 'BEGIN { printf "%.3f", m / a }')" \
		"$mr" "$(awk -v m="$mr" -v a="$ar" 'BEGIN { printf "%.3f", m / a }')"
done
hm=$(median "$T/heap.cpu")
cm=$(median "$T/cpu.cpu")
awk -v h="$hm" -v a="$a" -v c="$cm" 'BEGIN {
	printf "goal: --heap at the default rate <= 1.10x alone (CPU time): " \
		"%.3fx (%s); --heap / CPU only: %.3fx\n", h / a,
		h / a <= 1.10 ? "met" : "NOT met", h / c }'

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
