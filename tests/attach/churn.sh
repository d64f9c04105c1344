#!/bin/sh
# Thread churn while sampled at 1000 Hz: >= 1000 threads created and
# joined, no error, many of them sampled, none left traced after detach.
# Scratch files in the build tree, out of reach of anything that cleans /tmp.
. "$top_srcdir/tests/lib.sh"
. "$top_srcdir/tests/attach/common.sh"
need_ptrace

CHURN=$(workload churn)

"$CHURN" -d 2 >"$TMPD/plain"
is $? 0 "unprofiled churn exits 0"

# Attach mode: the driver leaves after 1.5 s while threads come and go.
# (-n 1000: churn runs on until it created the 1000 threads checked below,
# however slowly a loaded machine lets it.)
start_bg "$CHURN" -d 3 -n 1000
target=$BG_PID
"$DRIVER" -p "$target" -F 1000 -d 1.5 >"$TMPD/driver" 2>"$TMPD/driver.err"
is $? 0 "driver exits 0"
is "$(cat "$TMPD/driver.err")" "" "driver printed no error"
seen=$(sed -n 's/.*threads_seen=\([0-9]*\).*/\1/p' "$TMPD/driver")
atleast "${seen:-0}" 100 "many short-lived threads sampled"
tracers=$(tracer_pids "$target" | sort -u | tr '\n' ' ')
is "$tracers" "0 " "every task untraced right after detach"
wait "$target"
is $? 0 "churn exits 0"
atleast "$(value threads_created "$BG_OUT")" 1000 "threads created"

# Spawn mode, sampled from the first instruction to the end. (-n 1000:
# traced at 1000 Hz under ASan with two busy loops beside, 1.5 s made
# 880 to 1312 threads.)
"$DRIVER" -F 1000 -o "$TMPD/spawned" -- "$CHURN" -d 1.5 -n 1000 \
	>"$TMPD/driver2" 2>"$TMPD/driver2.err"
is $? 0 "spawned churn: driver exits with its status 0"
is "$(cat "$TMPD/driver2.err")" "" "spawned churn: no error"
atleast "$(value threads_created "$TMPD/spawned")" 1000 \
	"spawned churn created threads"

done_testing
