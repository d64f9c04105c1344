#!/bin/sh
# A real profile, end to end: the ratio workload profiled headless with both
# --top and -o from one run (one snapshot), then go tool pprof on the file
# must print exactly the same rows; -traces shows whole stacks, -tags the
# threads, -list the real source of hot_a, -sample_index=cpu the time.
. "$top_srcdir/tests/lib.sh"
need_ptrace
need_cmd go
export HOME="$TMPD" GOCACHE="$TMPD/gocache" GOPATH="$TMPD/gopath"
export GOFLAGS=-mod=mod GOTOOLCHAIN=local

P="$TMPD/ratio.pb.gz"
"$CPROFTOP" -F 500 --top=25 -o "$P" -- "$(workload ratio)" -t 2 -d 3 \
	>"$TMPD/ours.txt" 2>"$TMPD/err"
ok $? "cproftop writes the profile and the table from one run"
[ -s "$P" ] && gzip -t "$P"
ok $? "the profile is a gzip file"

rows() {
	sed -n '/^Showing nodes/,$p' "$1" | grep -v '^ *flat  flat%'
}
go tool pprof -top -nodecount=25 -sample_index=samples "$P" \
	>"$TMPD/theirs.txt" 2>"$TMPD/pprof.err"
ok $? "go tool pprof -top reads it"
rows "$TMPD/ours.txt" >"$TMPD/ours.rows"
rows "$TMPD/theirs.txt" >"$TMPD/theirs.rows"
diff "$TMPD/theirs.rows" "$TMPD/ours.rows" >"$TMPD/diff"
ok $? "pprof -top rows equal cproftop --top rows, exactly"
[ -s "$TMPD/diff" ] && diag "$(cat "$TMPD/diff")"
grep -q ' hot_a$' "$TMPD/ours.rows"
ok $? "hot_a is among the rows"

# --focus/--hide select like pprof's -focus/-hide on the same file.
"$CPROFTOP" -F 500 --top=25 --focus recurse --hide '^_start$' -o "$P.f" -- \
	"$(workload ratio)" -d 2 >"$TMPD/ours.f" 2>/dev/null
go tool pprof -top -nodecount=25 -sample_index=samples -focus=recurse \
	-hide='^_start$' "$P.f" >"$TMPD/theirs.f" 2>&1
rows "$TMPD/ours.f" >"$TMPD/ours.frows"
rows "$TMPD/theirs.f" >"$TMPD/theirs.frows"
diff "$TMPD/theirs.frows" "$TMPD/ours.frows" >"$TMPD/fdiff" &&
	grep -q ' recurse$' "$TMPD/ours.frows" && ! grep -q ' dispatch$' "$TMPD/ours.frows"
ok $? "--focus/--hide rows equal pprof -focus/-hide rows"
[ -s "$TMPD/fdiff" ] && diag "$(cat "$TMPD/fdiff")"

go tool pprof -traces "$P" >"$TMPD/traces" 2>&1
awk '/-----------/ { if (s != "") print s; s = "" } NF { s = s " " $NF }
	END { print s }' "$TMPD/traces" >"$TMPD/stacks"
grep -Eq 'hot_a dispatch worker main' "$TMPD/stacks"
ok $? "-traces shows whole stacks (hot_a dispatch worker main ...)"
grep -Eq 'hot_a( recurse){41} worker' "$TMPD/stacks"
ok $? "-traces shows the 41 recursive frames"

go tool pprof -tags "$P" >"$TMPD/tags" 2>&1
grep -q 'thread_name' "$TMPD/tags" && grep -q 'ratio-1' "$TMPD/tags"
ok $? "-tags shows thread names"
grep -q 'thread_id' "$TMPD/tags"
ok $? "-tags shows thread ids"

go tool pprof -list '^hot_a$' "$P" >"$TMPD/list" 2>&1
grep -q 'WL_SPIN(x, n, 1)' "$TMPD/list"
ok $? "-list hot_a prints hot_a's real source lines"
grep -Eq '^ +[0-9.]+m?s +[0-9.]+m?s +[0-9]+:[[:space:]]+WL_SPIN' "$TMPD/list"
ok $? "... with counts on the hot line"

go tool pprof -top -sample_index=cpu "$P" >"$TMPD/cpu" 2>&1
grep -Eq 'Total samples = [0-9.]+m?s' "$TMPD/cpu"
ok $? "-sample_index=cpu gives CPU time"
done_testing
