#!/bin/bash
# tests/heap/cli.sh: what --heap refuses, and a command it cannot profile.
. "$top_srcdir/tests/lib.sh"
need_ptrace

sleep 60 &
p=$!
tap_bg_pids="$tap_bg_pids $p"
"$CPROFTOP" -p "$p" --heap -d 1 --top >/dev/null 2>"$TMPD/err"
is "$?" 2 "-p PID --heap is a usage error (exit 2)"
grep -q 'needs spawn mode' "$TMPD/err"
ok $? "-p PID --heap says to use spawn mode"
all_untraced "$p"
ok $? "-p PID --heap never attached"

# Without -o/--top/-d: the live screen, which needs a terminal; --dump has
# no heap form.
"$CPROFTOP" --heap -- /bin/true </dev/null >/dev/null 2>"$TMPD/err"
is "$?" 1 "--heap without a terminal: the live screen cannot start"
grep -q 'terminal' "$TMPD/err"
ok $? "... and says it needs a terminal"
"$CPROFTOP" --heap --dump -- /bin/true </dev/null >/dev/null 2>"$TMPD/err"
is "$?" 2 "--heap --dump is a usage error"
"$CPROFTOP" --heap=bogus --top -- /bin/true >/dev/null 2>"$TMPD/err"
is "$?" 2 "--heap=VIEW: an unknown view is a usage error"
"$CPROFTOP" --heap --heap-rate 0 --top -- /bin/true >/dev/null 2>&1
is "$?" 2 "--heap-rate 0 is a usage error"

CPROFTOP_HEAP_LIB=/nonexistent/lib.so "$CPROFTOP" --heap --top -- /bin/true \
	>/dev/null 2>"$TMPD/err"
is "$?" 1 "a missing heap library is an error"
grep -q 'cannot read the heap library /nonexistent/lib.so' "$TMPD/err"
ok $? "a missing heap library is named"

S=$top_builddir/tests/heap/static
if file -L "$S" 2>/dev/null | grep -q 'statically linked' ||
	! ldd "$S" >/dev/null 2>&1; then
	"$CPROFTOP" --heap --top --child-output "$TMPD/out" -- "$S" \
		>"$TMPD/top" 2>"$TMPD/err"
	is "$?" 0 "a static command runs to its end"
	grep -q 'never reported' "$TMPD/err"
	ok $? "a static command is reported, not silently empty"
	diag "$(cat "$TMPD/err")"
else
	skip "no static binary could be linked here"
fi

# --heap=alloc_space: the view --top shows, and -o's default.
alloc_run() {
	"$CPROFTOP" --heap=alloc_space --heap-rate 4096 --top=5 \
		-o "$TMPD/alloc.pb.gz" -- \
		"$top_builddir/tests/heap/workload" -m 2 >"$TMPD/top" \
		2>"$TMPD/top.err"
	grep -q '^Type: alloc_space' "$TMPD/top" &&
		grep -q ' churn_c$' "$TMPD/top"
}
alloc_run
ok $? "--heap=alloc_space shows the allocated bytes (churn_c)" ||
	diag "$(cat "$TMPD/top" "$TMPD/top.err")"
HOME=$TMPD PPROF_TMPDIR=$TMPD GOCACHE=$TMPD/gocache \
	go tool pprof -top "$TMPD/alloc.pb.gz" >"$TMPD/alloc.top" 2>&1
grep -q '^Type: alloc_space$' "$TMPD/alloc.top"
ok $? "-o with --heap=alloc_space: go tool pprof shows alloc_space by default" ||
	diag "$(head -5 "$TMPD/alloc.top")"
# A command that ends before cproftop reads its first record (heaplate
# starts the reader 300 ms late; the command takes ~50 ms) is named still:
# its library waits after its hello until its maps are read. Before, an
# ended process's empty maps left every stack [unknown] (~5 % of loaded
# ASan runs of the check above, every run of this one).
CPROFTOP_INJECT_FAULT=heaplate alloc_run
ok $? "--heap: a command that ends before its records are read is named" ||
	diag "$(cat "$TMPD/top" "$TMPD/top.err")"
# A command whose child does the work (a script that runs the program,
# `time prog`): the child is never profiled without --follow, and cproftop
# says so instead of "no allocation sampled" (~250 ms of the child's CPU
# time: ~25 CPU samples show it ran).
"$CPROFTOP" --heap --top=3 --stats -- sh -c '"$0" -n 10 >/dev/null; true' \
	"$top_builddir/tests/heap/mallocs" >/dev/null 2>"$TMPD/err"
is "$?" 0 "a command whose child does the work exits 0"
grep -q '^cproftop: --heap: 1 other process the command started ran unprofiled' \
	"$TMPD/err"
ok $? "... and its child is said to run unprofiled" ||
	diag "$(cat "$TMPD/err")"
done_testing
