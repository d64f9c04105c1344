# Shared helpers for shell tests, sourced by every tests/**/*.sh.
# They speak TAP: call ok/is/skip as checks go, then done_testing.
#
#   . "$top_srcdir/tests/lib.sh"
#   need_ptrace                 # skip the whole file if ptrace is forbidden
#   W=$(workload ratio)         # path of a built workload
#   ok "$cond_cmd_status" "name" ; is "$got" "$want" "name"
#   done_testing
#
# Environment (set by make check): top_srcdir, top_builddir. With
# CPROFTOP_TEST_KEEP set, a test with a failed check keeps its $TMPD.

: "${top_srcdir:=$(cd "$(dirname "$0")/../.." && pwd)}"
: "${top_builddir:=$top_srcdir}"
CPROFTOP="$top_builddir/cproftop"
# The tests written for the ptrace sampler run it; tests/perf/ asks for
# --backend=perf (or auto) itself.
CPROFTOP_BACKEND=${CPROFTOP_BACKEND:-ptrace}
export CPROFTOP_BACKEND
tap_n=0
tap_failed=0
TMPD=$(mktemp -d "${TMPDIR:-/tmp}/cproftop-test.XXXXXX")
# Processes started with start_bg are killed when the test ends.
tap_bg_pids=""
trap 'tap_cleanup' EXIT

# The shell running this (in a subshell $$ is still the test's PID).
tap_owner=${BASHPID:-$$}

# Only the test's own shell cleans up: a subshell that ends up running the
# EXIT trap must not remove the directory the test still uses.
tap_cleanup() {
	[ "${BASHPID:-$$}" = "$tap_owner" ] || return 0
	for p in $tap_bg_pids; do kill -KILL "$p" 2>/dev/null; done
	if [ -n "${CPROFTOP_TEST_KEEP:-}" ] && [ "$tap_failed" -gt 0 ]; then
		echo "# kept $TMPD (CPROFTOP_TEST_KEEP)"
		return 0
	fi
	rm -rf "$TMPD"
}

# ok STATUS NAME: passes when STATUS is 0 (use: cmd; ok $? "name"). Returns
# STATUS's truth, for `ok $? "name" || diag "what was seen"`.
ok() {
	tap_n=$((tap_n + 1))
	if [ "$1" -eq 0 ]; then
		echo "ok $tap_n - $2"
	else
		echo "not ok $tap_n - $2"
		tap_failed=$((tap_failed + 1))
		return 1
	fi
}

# is GOT WANT NAME: string equality, with a diagnostic on failure.
is() {
	if [ "$1" = "$2" ]; then ok 0 "$3"; else
		ok 1 "$3"
		echo "#   got:  '$1'"
		echo "#   want: '$2'"
	fi
}

# within GOT WANT TOL NAME: |GOT - WANT| <= TOL (decimals allowed).
within() {
	awk -v g="$1" -v w="$2" -v t="$3" \
		'BEGIN { d = g - w; if (d < 0) d = -d; exit !(d <= t) }'
	ok $? "$4 (got $1, want $2 +- $3)"
}

# atleast GOT MIN NAME: GOT >= MIN (decimals allowed).
atleast() {
	awk -v g="$1" -v m="$2" 'BEGIN { exit !(g >= m) }'
	ok $? "$3 (got $1, want >= $2)"
}

skip() {
	tap_n=$((tap_n + 1))
	echo "ok $tap_n # SKIP $1"
}

diag() {
	echo "$*" | sed 's/^/# /'
}

# skip_all REASON: the whole file is skipped.
skip_all() {
	echo "1..0 # SKIP $1"
	exit 0
}

done_testing() {
	echo "1..$tap_n"
	[ "$tap_failed" -eq 0 ]
	exit $?
}

# need_ptrace: skip everything when this machine forbids ptrace.
need_ptrace() {
	sleep 30 &
	local p=$!
	if ! "$top_builddir/tests/ptrace-probe" "$p" 2>/dev/null; then
		kill "$p"
		skip_all "ptrace is not permitted here"
	fi
	kill "$p" 2>/dev/null
	wait "$p" 2>/dev/null
}

need_cmd() {
	command -v "$1" >/dev/null 2>&1 || skip_all "$1 is not installed"
}

workload() {
	echo "$top_builddir/tests/workloads/$1"
}

# start_bg CMD...: runs CMD in the background, output in $TMPD/bg.N.out;
# sets BG_PID. Killed at exit if still running.
start_bg() {
	(
		trap - EXIT
		exec "$@"
	) >"$TMPD/bg.$$.$tap_n.out" 2>&1 &
	BG_PID=$!
	BG_OUT="$TMPD/bg.$$.$tap_n.out"
	tap_bg_pids="$tap_bg_pids $BG_PID"
}

# tracer_pids PID: the TracerPid of every thread of PID, one per line.
tracer_pids() {
	for s in /proc/"$1"/task/*/status; do
		awk '/^TracerPid:/ { print $2 }' "$s" 2>/dev/null
	done
}

# all_untraced PID: status 0 when no thread of PID is traced.
all_untraced() {
	! tracer_pids "$1" | grep -qv '^0$'
}

# thread_states PID: the state letter of each thread, joined.
thread_states() {
	for s in /proc/"$1"/task/*/stat; do
		sed 's/.*) \(.\).*/\1/' "$s" 2>/dev/null
	done | tr -d '\n'
}

# wait_until SECONDS CMD...: polls CMD every 0.1 s; status 0 if it succeeded.
wait_until() {
	local limit=$(($1 * 10)) i=0
	shift
	while [ $i -lt $limit ]; do
		"$@" && return 0
		sleep 0.1
		i=$((i + 1))
	done
	return 1
}
