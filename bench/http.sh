#!/bin/bash
# bench/http.sh BUILDDIR [ROUNDS]: what --http costs, side by side.
#
# The ratio workload (one busy thread) runs under cproftop -F 100
# --http; a Go program (bench/gopprof.go, when go is installed) serves its
# own net/http/pprof beside it, the reference. For N = 1, 2 and 5 s,
# ROUNDS times (default 3), curl times /debug/pprof/profile?seconds=N on
# both: the medians and their excess over N. Then cproftop's CPU (% of a
# core, from /proc/PID/stat) over 5 s idle (sampling, no request), serving
# one 5 s profile, and serving 8 concurrent 5 s profiles.
set -u
B=${1:?usage: bench/http.sh BUILDDIR [ROUNDS]}
R=${2:-3}
S=$(cd "$(dirname "$0")" && pwd)
T=$(mktemp -d)
pids=""
trap 'for p in $pids; do kill "$p" 2>/dev/null; done; rm -rf "$T"' EXIT

median() {
	sort -g | awk '{ v[NR] = $1 } END { print (NR ? v[int((NR + 1) / 2)] : "-") }'
}

# The first free-looking port announced by cproftop; the Go one on +1.
"$B/tests/workloads/ratio" -d 600 >/dev/null &
W=$!
pids="$pids $W"
"$B/cproftop" -p "$W" -F 100 --http 127.0.0.1:0 </dev/null >/dev/null \
	2>"$T/c.err" &
C=$!
pids="$pids $C"
for i in $(seq 100); do
	grep -q '^cproftop: serving' "$T/c.err" && break
	sleep 0.1
done
URL=$(sed -n 's|^cproftop: serving \(http://[^/]*\)/debug/pprof/$|\1|p' "$T/c.err")
[ -n "$URL" ] || { echo "bench/http: cproftop did not serve" >&2; exit 1; }

GURL=
if command -v go >/dev/null 2>&1 &&
	GOCACHE="$T/gocache" go build -o "$T/gopprof" "$S/gopprof.go" 2>/dev/null; then
	gport=$((${URL##*:} + 1))
	"$T/gopprof" "$gport" &
	pids="$pids $!"
	GURL=http://127.0.0.1:$gport
	for i in $(seq 50); do
		curl -s -o /dev/null "$GURL/debug/pprof/" && break
		sleep 0.1
	done
fi

lat() { # URL N: seconds the request took
	curl -s -o /dev/null -w '%{time_total}\n' "$1/debug/pprof/profile?seconds=$2"
}

echo "--http: /debug/pprof/profile?seconds=N latency (median of $R; excess = latency - N)"
printf '%-4s %14s %10s %14s %10s\n' N cproftop_s excess_s go_pprof_s excess_s
for n in 1 2 5; do
	for r in $(seq "$R"); do
		lat "$URL" "$n" >>"$T/c$n"
		[ -n "$GURL" ] && lat "$GURL" "$n" >>"$T/g$n"
	done
	c=$(median <"$T/c$n")
	g=$([ -n "$GURL" ] && median <"$T/g$n" || echo -)
	awk -v n="$n" -v c="$c" -v g="$g" 'BEGIN {
		printf "%-4s %14.3f %10.3f %14s %10s\n", n, c, c - n, g,
			(g == "-" ? "-" : sprintf("%.3f", g - n)) }'
done

cpu_ticks() { awk '{ print $14 + $15 }' "/proc/$C/stat"; }
window() { # label REQUESTS: cproftop CPU over 5 s with REQUESTS profiles
	local t0 t1 w0 w1 reqs=""
	t0=$(cpu_ticks)
	w0=$(date +%s%N)
	rm -f "$T/each"
	for i in $(seq "$2"); do
		curl -s -o /dev/null -w '%{time_total}\n' \
			"$URL/debug/pprof/profile?seconds=5" >>"$T/each" &
		reqs="$reqs $!"
	done
	if [ -n "$reqs" ]; then wait $reqs; else sleep 5; fi
	t1=$(cpu_ticks)
	w1=$(date +%s%N)
	awk -v l="$1" -v t="$((t1 - t0))" -v hz="$(getconf CLK_TCK)" \
		-v w="$(((w1 - w0) / 1000000))" 'BEGIN {
		printf "  %-28s %5.1f %% of a core over %.1f s", l,
			100 * t / hz / (w / 1000), w / 1000 }'
	[ -s "$T/each" ] && sort -g "$T/each" | awk '{ v[NR] = $1 } END {
		printf "; each request %.3f-%.3f s", v[1], v[NR] }'
	echo
}
echo "cproftop CPU at 100 Hz on ratio (1 busy thread):"
window "sampling, no request" 0
window "serving 1 profile" 1
window "serving 8 profiles at once" 8
