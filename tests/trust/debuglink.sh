#!/bin/sh
# Debug files are found through names the target controls (its directory,
# its .gnu_debuglink): a FIFO or a device there must not block or be read
# by the sampler (issue 9, "open only regular files"). hostile-debuglink
# has no DWARF and a debuglink to hostile-debuglink.debug, which is a FIFO
# here; cproftop must profile it and stop on time.
. "$top_srcdir/tests/lib.sh"
need_ptrace

mkdir "$TMPD/bin"
cp "$top_builddir/tests/trust/hostile-debuglink" "$TMPD/bin/"
mkfifo "$TMPD/bin/hostile-debuglink.debug"
mkdir "$TMPD/bin/.debug"
mkfifo "$TMPD/bin/.debug/hostile-debuglink.debug"

start_bg "$TMPD/bin/hostile-debuglink" -s -d 60
H_PID=$BG_PID
wait_until 5 grep -q ready "$BG_OUT"
ok $? "the workload runs"
timeout -s KILL 30 "$CPROFTOP" -p "$H_PID" -d 2 --top 5 >"$TMPD/top" \
	2>"$TMPD/err"
is "$?" 0 "cproftop profiles it and stops on time (exit 0, not killed)"
grep -q "src_" "$TMPD/top"
ok $? "its functions are named from the symbol table"
[ -p "$TMPD/bin/hostile-debuglink.debug" ]
ok $? "the FIFO is untouched"
all_untraced "$H_PID" && kill -0 "$H_PID"
ok $? "the target runs on, untraced"
done_testing
