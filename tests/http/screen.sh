#!/bin/sh
# --http beside the live screen: the screen shows the workload while
# go tool pprof and curl read the endpoint, and q leaves the target
# running untraced. stderr (where the address is announced) goes to a file.
. "$top_srcdir/tests/lib.sh"
. "$top_srcdir/tests/tui/tui-lib.sh"
need_ptrace
need_cmd curl
start_bg "$(workload ratio)" -d 60
W=$BG_PID
tui_start 100 30 sh -c "exec \"\$0\" -p $W -F 499 --http 127.0.0.1:0 2>$TMPD/err" "$TUI"
tui_wait 10 '^ +[0-9]+ .*%  hot_a$'
ok $? "the live screen shows hot_a"
wait_until 5 grep -q '^cproftop: serving ' "$TMPD/err"
URL=$(sed -n 's|^cproftop: serving \(http://[^/]*\)/debug/pprof/$|\1|p' "$TMPD/err")
curl -s -o "$TMPD/p.pb.gz" -w '%{http_code}' "$URL/debug/pprof/profile?seconds=1" >"$TMPD/code"
is "$(cat "$TMPD/code")" 200 "a profile while the screen runs"
if command -v go >/dev/null 2>&1; then
	HOME=$TMPD go tool pprof -top "$TMPD/p.pb.gz" >"$TMPD/p.top" 2>&1
	awk '$NF ~ /^hot_/ { print $NF; exit }' "$TMPD/p.top" >"$TMPD/top"
	is "$(cat "$TMPD/top")" hot_a "... whose top function is hot_a"
	[ "$(cat "$TMPD/top")" = hot_a ] || diag "$(head -20 "$TMPD/p.top")"
else
	skip "go is not installed"
fi
tui_screen | grep -Eq '^ +[0-9]+ .*%  hot_a$'
ok $? "the screen still shows the profile"
tui_keys q
tui_ended 10
ok $? "q quits"
is "$(cat "$TMPD/tui.rc")" 0 "exit status 0"
all_untraced "$W"
ok $? "the target is untraced"
kill -0 "$W"
ok $? "and runs on"
is "$(curl -s -o /dev/null -w '%{http_code}' "$URL/debug/pprof/")" 000 \
	"the port is closed"
done_testing
