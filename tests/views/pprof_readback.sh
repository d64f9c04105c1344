#!/bin/sh
# The pprof writer read back by real readers: go tool pprof (-top, -traces,
# -tags, -list, -sample_index=cpu, focus/hide/lines) must show exactly the
# numbers of cproftop's own --top report of the same snapshot; the npm
# pprof-format decoder too when npm can reach it (optional).
. "$top_srcdir/tests/lib.sh"
need_cmd go

FIX="$top_builddir/tests/views/pprof-fixture"
SRC="$top_srcdir/tests/views/fixture_src.c"
export HOME="$TMPD" GOCACHE="$TMPD/gocache" GOPATH="$TMPD/gopath"
export GOFLAGS=-mod=mod GOTOOLCHAIN=local

pp() {
	go tool pprof "$@" 2>"$TMPD/pprof.err"
}

# rows FILE: the "Showing"/"Dropped" lines and the table rows of a report.
rows() {
	sed -n '/^Showing nodes/,$p' "$1" | grep -v '^ *flat  flat%'
}

# compare NAME FIXTURE-OPTIONS -- PPROF-OPTIONS
compare() {
	name=$1
	shift
	fopts=""
	while [ "$1" != "--" ]; do fopts="$fopts $1"; shift; done
	shift
	# shellcheck disable=SC2086
	"$FIX" "$TMPD/c.pb.gz" "$SRC" $fopts >"$TMPD/ours.txt"
	pp -top -sample_index=samples "$@" "$TMPD/c.pb.gz" >"$TMPD/theirs.txt"
	rows "$TMPD/ours.txt" >"$TMPD/ours.rows"
	rows "$TMPD/theirs.txt" >"$TMPD/theirs.rows"
	if diff "$TMPD/theirs.rows" "$TMPD/ours.rows" >"$TMPD/diff"; then
		[ -s "$TMPD/ours.rows" ]
		ok $? "$name: --top rows equal pprof -top"
	else
		ok 1 "$name: --top rows equal pprof -top"
		diag "$(cat "$TMPD/diff" "$TMPD/pprof.err")"
	fi
}

P="$TMPD/p.pb.gz"
"$FIX" "$P" "$SRC" >"$TMPD/report.txt"
ok $? "fixture wrote $P"
gzip -t "$P"
ok $? "the file is gzip"
ls "$TMPD" | grep -q '\.tmp\.'
ok $((! $?)) "no temporary file left"

pp -top -sample_index=samples "$P" >"$TMPD/top.txt"
ok $? "go tool pprof -top reads it"
grep -q '^ *650 51.96% 51.96% *650 51.96%  hot_a$' "$TMPD/top.txt"
ok $? "hot_a: 650 samples flat and cum"
grep -q '^ *100  7.99% .* inl (inline)$' "$TMPD/top.txt"
ok $? "inline frame labelled (inline)"
grep -q '^ *0     0% 99.92% *1251   100%  main$' "$TMPD/top.txt"
ok $? "main cum is the total"
grep -q '^Dropped 1 node (cum <= 6)$' "$TMPD/top.txt"
ok $? "node fraction drops tiny"
grep -q '^File: ratio$' "$TMPD/top.txt"
ok $? "mapping[0] is the main binary"
grep -q '^cproftop [0-9]' "$TMPD/top.txt" &&
	grep -q '^\./ratio --seconds 3$' "$TMPD/top.txt"
ok $? "comments: version and command line"

compare "cpu" -- 
compare "wall" wall -- 
compare "focus" focus=hot_b -- -focus=hot_b
compare "hide" hide=inl -- -hide=inl
compare "focus+hide" focus=rec hide=^rec$ -- -focus=rec -hide='^rec$'
compare "lines" lines -- -lines

pp -traces "$P" >"$TMPD/traces.txt"
ok $? "go tool pprof -traces"
awk '/inl \(inline\)/ { getline a; getline b; getline c;
	if (a ~ /^ +hot_b$/ && b ~ /^ +worker$/ && c ~ /^ +main$/) f = 1 }
	END { exit !f }' "$TMPD/traces.txt"
ok $? "-traces: full stack inl (inline) < hot_b < worker < main"
grep -q 'thread_name: *worker-1' "$TMPD/traces.txt"
ok $? "-traces: thread labels"

pp -tags "$P" >"$TMPD/tags.txt"
ok $? "go tool pprof -tags"
grep -q '8.5s (67.95%): 4242$' "$TMPD/tags.txt" &&
	grep -q '4.0s (32.05%): 4243$' "$TMPD/tags.txt"
ok $? "-tags: thread_id values"
grep -q '8.5s (67.95%): ratio$' "$TMPD/tags.txt" &&
	grep -q '4.0s (32.05%): worker-1$' "$TMPD/tags.txt"
ok $? "-tags: thread_name values"

pp -list '^hot_a$' -sample_index=samples "$P" >"$TMPD/list.txt"
grep -q "^ *600 *600 *13:		s += i;$" "$TMPD/list.txt"
ok $? "-list hot_a: line 13 with its source and counts"
grep -q "^ *50 *50 *12:	for (int i = 0; i < n; i++)$" "$TMPD/list.txt"
ok $? "-list hot_a: line 12"
pp -list '^hot_b$' -sample_index=samples "$P" >"$TMPD/listb.txt"
grep -q "^ *\. *100 *22:	return inl(s);$" "$TMPD/listb.txt"
ok $? "-list hot_b: inline call site has cum only"

pp -top -sample_index=cpu "$P" >"$TMPD/cpu.txt"
grep -q '^ *6.50s 51.96% 51.96% *6.50s 51.96%  hot_a$' "$TMPD/cpu.txt"
ok $? "-sample_index=cpu: nanoseconds = samples x period"
grep -q '^Duration: 10.50s, Total samples = 12.51s' "$TMPD/cpu.txt"
ok $? "duration and time unit"

"$FIX" "$TMPD/w.pb.gz" "$SRC" wall >/dev/null
pp -top -sample_index=wall "$TMPD/w.pb.gz" >"$TMPD/wall.txt"
grep -q '^ *7.50s .*  hot_a$' "$TMPD/wall.txt"
ok $? "wall mode: wall/nanoseconds counts off-CPU samples"

# A second, independent decoder: npm's pprof-format, when reachable.
if command -v npm >/dev/null 2>&1 && command -v node >/dev/null 2>&1 &&
	(cd "$TMPD" && timeout 60 npm install --silent pprof-format \
		>/dev/null 2>&1); then
	cat >"$TMPD/read.js" <<'JS'
const fs = require('fs'), zlib = require('zlib');
const { Profile } = require('pprof-format');
const p = Profile.decode(zlib.gunzipSync(fs.readFileSync(process.argv[2])));
let n = 0;
for (const s of p.sample) n += Number(s.value[0]);
console.log(p.sample.length + ' ' + n);
JS
	got=$(cd "$TMPD" && node read.js "$P")
	is "$got" "6 1251" "pprof-format decodes 6 samples, 1251 in all"
else
	skip "npm package pprof-format unreachable"
fi

done_testing
