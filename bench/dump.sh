#!/bin/bash
# bench/dump.sh BUILDDIR [ROUNDS]: `cproftop --dump` beside eu-stack on the
# same busy process, in one run (issue 9, item 7: a dump takes no longer
# than eu-stack x 2).
#
# The target: the ratio workload with 4 busy threads and 2 sleepers on 2
# cores. ROUNDS times (default 5), in alternation: cproftop -p --dump,
# `eu-stack -p` (names only), `eu-stack -s -i -p` (source lines and
# inlined frames: what --dump prints). Prints the medians of wall time and
# of CPU time (user + system) for each, and the ratios.
set -u
B=${1:?usage: bench/dump.sh BUILDDIR [ROUNDS]}
R=${2:-5}
T=$(mktemp -d)
"$B/tests/workloads/ratio" -t 4 -s 2 -d 600 >/dev/null &
P=$!
trap 'kill $P 2>/dev/null; rm -rf "$T"' EXIT

if ! command -v eu-stack >/dev/null 2>&1; then
	echo "bench/dump.sh: eu-stack (elfutils) is not installed; skipped" >&2
	exit 0
fi
sleep 0.5 # the target's threads start (a bench, not a test)

. "$(dirname "$0")/lib.sh"

# timed NAME CMD...: one run of CMD; its wall and CPU seconds recorded.
timed() {
	local name=$1
	shift
	local TIMEFORMAT='%R %U %S'
	{ time "$@" >/dev/null 2>&1; } 2>"$T/time"
	awk '{ print $1 }' "$T/time" >>"$T/$name.wall"
	awk '{ print $2 + $3 }' "$T/time" >>"$T/$name.cpu"
}

for r in $(seq "$R"); do
	timed cproftop "$B/cproftop" -p "$P" --dump
	timed eu-stack eu-stack -p "$P"
	timed eu-stack-si eu-stack -s -i -p "$P"
done

printf '%-14s %8s %8s\n' tool wall_s cpu_s
for n in cproftop eu-stack eu-stack-si; do
	printf '%-14s %8s %8s\n' "$n" "$(median "$T/$n.wall")" "$(median "$T/$n.cpu")"
done
echo
echo "Goal (issue 9, item 7): --dump wall <= 2 x eu-stack's, as measured:"
awk -v a="$(median "$T/cproftop.wall")" -v b="$(median "$T/eu-stack.wall")" \
	-v c="$(median "$T/eu-stack-si.wall")" 'BEGIN {
	printf "  vs eu-stack:        %.2f x\n", a / (b > 0 ? b : 0.01)
	printf "  vs eu-stack -s -i:  %.2f x (the same output: lines, inlines)\n",
		a / (c > 0 ? c : 0.01) }'
