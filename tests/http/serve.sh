# --http against a live workload with real clients: go tool pprof reads a
# profile and finds the hot function, curl checks every status code, the
# index and the text pages, 8 concurrent profiles all get their own window,
# a client killed mid-profile gives its slot back at once, and after
# SIGTERM the target runs on, untraced. Only 127.0.0.1, port 0 (a free
# one, announced on stderr).
. "$top_srcdir/tests/lib.sh"
need_ptrace
need_cmd curl
need_cmd go
export PPROF_TMPDIR="$TMPD" HOME="$TMPD" GOCACHE="$TMPD/gocache"

start_bg "$(workload ratio)" -s 1 -d 600
W=$BG_PID
wait_until 5 sh -c "[ \$(ls /proc/$W/task | wc -l) -eq 2 ]"

# serve ARGS...: starts cproftop -p $W --http 127.0.0.1:0 ARGS headless;
# sets C (its pid) and URL once it serves.
serve() {
	# The last server's file goes first: the background job truncates it
	# only once it runs, and a grep before that read the old server's
	# line (a stale or empty URL: every request failed with 000, or a
	# "busy" port that was free)
	rm -f "$TMPD/c.err"
	"$CPROFTOP" -p "$W" --http 127.0.0.1:0 "$@" </dev/null \
		>"$TMPD/c.out" 2>"$TMPD/c.err" &
	C=$!
	tap_bg_pids="$tap_bg_pids $C"
	wait_until 30 grep -q '^cproftop: serving http://[^/]*/debug/pprof/$' \
		"$TMPD/c.err" ||
		diag "not serving after 30 s: $(cat "$TMPD/c.err" 2>&1)"
	URL=$(sed -n 's|^cproftop: serving \(http://[^/]*\)/debug/pprof/$|\1|p' \
		"$TMPD/c.err")
}

# code [CURL ARGS...] PATH: the status code of one request.
code() {
	curl -s -o /dev/null -w '%{http_code}' "$@"
}

serve
case $URL in http://127.0.0.1:[1-9]*) ok 0 "serving on $URL" ;;
*) ok 1 "serving on a loopback port (got '$URL')" ;; esac
P=$URL/debug/pprof

# go tool pprof, unchanged, over HTTP.
go tool pprof -top "$P/profile?seconds=2" >"$TMPD/top" 2>"$TMPD/top.err"
ok $? "go tool pprof -top $P/profile?seconds=2"
first=$(awk '$NF ~ /^hot_/ { print $NF; exit }' "$TMPD/top")
is "$first" hot_a "its top function is the workload's hot_a"
dur=$(sed -n 's/^Duration: \([0-9.]*\)s,.*/\1/p' "$TMPD/top")
# Never shorter than asked (the request sleeps N s after its first
# snapshot); longer by the wait for the last one, which load stretches.
awk -v d="${dur:-0}" 'BEGIN { exit !(d >= 1.99 && d < 3) }'
ok $? "its Duration is the 2 s asked for (got ${dur}s, want 2 to 3)"
grep -q "^Type: cpu" "$TMPD/top"
ok $? "a cpu profile"

# Headers, as Go's net/http/pprof sends them.
curl -s -D "$TMPD/h" -o "$TMPD/w.pb.gz" "$P/wall?seconds=1"
grep -qi '^Content-Type: application/octet-stream' "$TMPD/h" &&
	grep -qi '^Content-Disposition: attachment; filename="wall"' "$TMPD/h"
ok $? "wall: octet-stream, attachment wall"
go tool pprof -top "$TMPD/w.pb.gz" 2>/dev/null | grep -q '^Type: wall'
ok $? "wall: a wall profile"

# Every status code, one-line bodies.
is "$(code "$P/")" 200 "index: 200"
curl -s "$P/" >"$TMPD/index"
grep -q "Types of profiles available" "$TMPD/index" &&
	grep -q "href='profile?debug=1'" "$TMPD/index" &&
	grep -q 'href="threads?debug=2"' "$TMPD/index"
ok $? "index: Go's page, listing profile and the thread dump"
is "$(code "$P")" 301 "/debug/pprof: 301 to the index"
is "$(code "$P/nosuch")" 404 "unknown profile: 404"
is "$(code "$URL/")" 404 "unknown path: 404"
for s in abc -1 0 1.5 99999 ''"%20"'1'; do
	is "$(code "$P/profile?seconds=$s")" 400 "seconds=$s: 400"
done
is "$(curl -s "$P/profile?seconds=abc" | wc -l)" 1 "a one-line body"
is "$(code "$P/threads?debug=x")" 400 "debug=x: 400"
is "$(code -X POST "$P/profile")" 405 "POST profile: 405"
curl -s -D "$TMPD/h405" -o /dev/null -X DELETE "$P/symbol"
grep -qi '^Allow: GET, HEAD, POST' "$TMPD/h405"
ok $? "DELETE symbol: 405 with Allow"

# Text pages.
curl -s "$P/threads?debug=2" >"$TMPD/threads"
grep -q "^thread $W \"ratio\" \[" "$TMPD/threads" &&
	grep -q '^thread [0-9]* "sleeper-0" \[sleeping\]:' "$TMPD/threads"
ok $? "threads?debug=2: every thread"
grep -A1 "^thread $W " "$TMPD/threads" | grep -Eq '^(hot_[abc]|dispatch|recurse|worker)\(\)'
ok $? "... the main thread's stack starts in the workload"
curl -s -o "$TMPD/threads.pb.gz" "$P/threads"
go tool pprof -raw "$TMPD/threads.pb.gz" 2>/dev/null | grep -q 'threads/count'
ok $? "threads?debug=0: pprof, threads/count"
is "$(curl -s "$P/cmdline" | tr '\0' ' ')" "$(workload ratio) -s 1 -d 600" \
	"cmdline: the arguments, NUL-separated"
curl -s "$P/threads?debug=1" >"$TMPD/threads1"
pc=$(awk '$3 ~ /^hot_/ { print $2; exit }' "$TMPD/threads1")
fn=$(awk '$3 ~ /^hot_/ { print $3; exit }' "$TMPD/threads1")
if [ -n "$pc" ]; then
	is "$(curl -s -d "0x1+$pc" "$P/symbol")" "num_symbols: 1
$pc $fn" "symbol: POST resolves a sampled pc, drops an unknown one"
else
	skip "no hot_ frame in the thread dump this time"
fi
is "$(curl -s "$P/symbol")" "num_symbols: 1" "symbol: GET"

# 8 concurrent profiles: each its own 2 s window.
for i in 1 2 3 4 5 6 7 8; do
	curl -s -o "$TMPD/c$i.pb.gz" -w '%{http_code} %{time_total}\n' \
		"$P/profile?seconds=2" >"$TMPD/c$i.st" &
done
wait_until 20 sh -c "[ \$(cat $TMPD/c?.st 2>/dev/null | wc -l) -eq 8 ]"
for i in 1 2 3 4 5 6 7 8; do
	go tool pprof -top "$TMPD/c$i.pb.gz" >"$TMPD/c$i.top" 2>/dev/null &
done
wait_until 20 sh -c "[ \$(cat $TMPD/c?.top 2>/dev/null | grep -c '^Duration') -eq 8 ]"
bad=0
for i in 1 2 3 4 5 6 7 8; do
	read -r st t <"$TMPD/c$i.st"
	d=$(sed -n 's/^Duration: \([0-9.]*\)s,.*/\1/p' "$TMPD/c$i.top")
	awk -v s="$st" -v t="$t" -v d="${d:-0}" 'BEGIN {
		exit !(s == 200 && t >= 2 && t < 5 && d >= 1.99 && d < 3) }' ||
		{ bad=$((bad + 1)); diag "request $i: $st in ${t}s, Duration ${d}s"; }
done
is "$bad" 0 "8 concurrent profiles: all 200, 2 s windows, answered in 2-5 s"
kill -TERM "$C"
wait "$C"
is "$?" 0 "SIGTERM: cproftop exits 0"

# One profile slot: a second request gets 503 while one is in flight, and
# a client killed mid-profile frees its slot at once.
serve --http-max-profiles 1
P=$URL/debug/pprof
# The long request may lose the race for the slot -- to a probe, or to
# the slot of the probe before it, given back just after its client had
# the answer (at load, CI once lost 10 races in a row so): it then gets
# the 503 and ends, and is sent again. A probe is sent only while the
# long request lives on (a refused one ends within the second).
dead() { ! kill -0 "$1" 2>/dev/null; }
K=
got=1
for i in $(seq 20); do
	if [ -z "$K" ] || dead "$K"; then
		[ -z "$K" ] || wait "$K" 2>/dev/null
		curl -s -o /dev/null "$P/profile?seconds=60" &
		K=$!
		wait_until 1 dead "$K" && continue
	fi
	[ "$(code "$P/profile?seconds=1")" = 503 ] && { got=0; break; }
done
ok $got "max 1 profile: a second one gets 503"
is "$(curl -s "$P/profile?seconds=1" | wc -l)" 1 "... with a one-line body"
kill -KILL "$K"
wait "$K" 2>/dev/null
t0=$(date +%s%N)
wait_until 5 sh -c "[ \$(curl -s -o /dev/null -w '%{http_code}' '$P/profile?seconds=1') = 200 ]"
ok $? "the killed client's slot is free again"
t1=$(date +%s%N)
el=$(awk -v a="$t0" -v b="$t1" 'BEGIN { print (b - a) / 1e9 }')
awk -v e="$el" 'BEGIN { exit !(e < 4) }'
ok $? "... at once: a 1 s profile answered within ${el} s, not after 60 s"
is "$(code "$P/")" 200 "and the server still answers"
kill -TERM "$C"
wait "$C"
is "$?" 0 "SIGTERM: cproftop exits 0"
wait_until 2 all_untraced "$W"
ok $? "after SIGTERM every thread of the target is untraced"
kill -0 "$W"
ok $? "... and the target runs on"

# Addresses: a busy port fails before touching the target; a non-loopback
# bind says so; an empty host is refused.
port=${URL##*:}
serve
busy=${URL##*:}
"$CPROFTOP" -p "$W" --http "127.0.0.1:$busy" -d 1 </dev/null >/dev/null 2>"$TMPD/busy.err"
is "$?" 8 "a busy port: exit 8"
grep -q "cannot listen: Address already in use" "$TMPD/busy.err"
ok $? "... saying why"
kill -TERM "$C"
wait "$C"
"$CPROFTOP" -p "$W" --http 0.0.0.0:0 -d 0.2 </dev/null >/dev/null 2>"$TMPD/any.err"
grep -q "warning: serving on http://0.0.0.0:[0-9]*, which is not a loopback" "$TMPD/any.err"
ok $? "0.0.0.0: a warning"
"$CPROFTOP" -p "$W" --http ":$port" -d 1 </dev/null >/dev/null 2>&1
is "$?" 2 "':PORT': bad command line (exit 2)"
all_untraced "$W"
ok $? "the target is untraced at the end"
done_testing
