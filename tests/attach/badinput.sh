#!/bin/sh
# Bad targets: each gives its message and its exit code (common/exitcodes.h),
# and nothing is left traced.
# Scratch files in the build tree, out of reach of anything that cleans /tmp.
. "$top_srcdir/tests/lib.sh"
. "$top_srcdir/tests/attach/common.sh"
need_ptrace

# expect NAME WANT_RC PATTERN CMD...: CMD exits WANT_RC, stderr has PATTERN.
expect() {
	local name=$1 want=$2 pat=$3 rc
	shift 3
	"$@" >"$TMPD/out" 2>"$TMPD/err"
	rc=$?
	is "$rc" "$want" "$name: exit code"
	grep -q "$pat" "$TMPD/err"
	ok $? "$name: message matches '$pat'"
	[ $? -eq 0 ] || diag "$(cat "$TMPD/err")"
}

# A PID that is free: a process that ran and was reaped.
sh -c 'exit 0' &
gone=$!
wait $gone
expect "no such pid" 3 "no such process: $gone" "$DRIVER" -p "$gone" -d 0.1

if grep -q '(kthreadd)' /proc/2/stat 2>/dev/null; then
	expect "kernel thread" 6 "process 2 (kthreadd) is a kernel thread" \
		"$DRIVER" -p 2 -d 0.1
else
	skip "no kthreadd at PID 2 (container?)"
	skip "no kthreadd at PID 2 (container?)"
fi

# A zombie: its parent (exec'd sleep) never reaps it.
sh -c 'true & exec sleep 5' &
zparent=$!
tap_bg_pids="$tap_bg_pids $zparent"
zombie_of() {
	zombie=$(ps -o pid=,stat= --ppid "$zparent" | awk '$2 ~ /^Z/ { print $1 }')
	[ -n "$zombie" ]
}
if wait_until 5 zombie_of; then
	expect "zombie" 6 "process $zombie (.*) is a zombie" \
		"$DRIVER" -p "$zombie" -d 0.1
else
	skip "no zombie appeared"
	skip "no zombie appeared"
fi
kill "$zparent" 2>/dev/null

# Ourselves: after exec, $$ of this sh is the driver's PID.
expect "own pid" 6 "cannot profile cproftop itself" \
	sh -c 'exec "$0" -p $$ -d 0.1' "$DRIVER"

# Already traced: a first driver holds the target.
start_bg "$(workload sleeper)" -d 10
target=$BG_PID
"$DRIVER" -p "$target" -F 100 -d 10 >/dev/null 2>&1 &
first=$!
tap_bg_pids="$tap_bg_pids $first"
wait_until 5 traced_by "$target" "$first"
ok $? "first driver attached"
expect "already traced" 5 \
	"process $target (sleeper) is already traced by process $first (attach-driver)" \
	"$DRIVER" -p "$target" -d 0.1
# (a thread may be in a sampling stop of the first driver at any instant)
wait_until 3 all_running "$target"
ok $? "target still running after the refused attach"
kill -TERM "$first"
wait "$first"
ok $? "first driver exits 0 on SIGTERM"
wait_until 5 all_untraced "$target"
ok $? "target untraced"

# Not permitted: an unprivileged user may not trace root's process.
if command -v setpriv >/dev/null 2>&1 && [ "$(id -u)" = 0 ]; then
	expect "not permitted" 4 \
		"not permitted to trace process $target (sleeper): run as root, or give cproftop CAP_SYS_PTRACE" \
		setpriv --reuid=65534 --regid=65534 --clear-groups \
		"$DRIVER" -p "$target" -d 0.1
else
	skip "needs root and setpriv"
	skip "needs root and setpriv"
fi
kill "$target"

expect "command not found" 127 "command not found: no-such-command-cpt" \
	"$DRIVER" -- no-such-command-cpt arg
expect "not executable" 1 "cannot execute /etc/passwd" \
	"$DRIVER" -- /etc/passwd
expect "usage" 2 "usage:" "$DRIVER" -F 100

done_testing
