# cproftop's command line: bad input gets a clear message and the
# documented exit code (README.md), never a crash.
. "$top_srcdir/tests/lib.sh"
need_ptrace

# expect NAME CODE PATTERN CMD...: CMD exits CODE, stderr matches PATTERN.
expect() {
	name=$1 want=$2 pattern=$3
	shift 3
	"$@" >"$TMPD/out" 2>"$TMPD/err"
	is "$?" "$want" "$name: exit code $want"
	grep -Eq -- "$pattern" "$TMPD/err"
	ok $? "$name: says '$pattern'"
}

"$CPROFTOP" --help >"$TMPD/help"
ok $? "--help exits 0"
grep -q -- '--pid' "$TMPD/help" && grep -q -- '--top' "$TMPD/help"
ok $? "--help lists the options"
"$CPROFTOP" --version | grep -Eq '^cproftop [0-9]+\.[0-9]+'
ok $? "--version prints the version"

expect "no target" 2 "give either -p PID or -- COMMAND" "$CPROFTOP"
expect "both targets" 2 "give either -p PID or -- COMMAND" \
	"$CPROFTOP" -p 1 -- true
expect "bad pid" 2 "invalid PID: 'abc'" "$CPROFTOP" -p abc
expect "bad rate" 2 "invalid rate" "$CPROFTOP" -F 0 -p 1
expect "bad duration" 2 "invalid duration" "$CPROFTOP" -d -1 -p 1
# Numbers parse as what they are, range-checked (issue 9, item 11).
expect "hex pid" 2 "invalid PID.*'0x10'" "$CPROFTOP" -p 0x10
expect "fractional pid" 2 "invalid PID.*'123\.9'" "$CPROFTOP" -p 123.9
expect "signed pid" 2 "invalid PID.*'\+1'" "$CPROFTOP" -p +1
expect "pid too large" 2 "invalid PID" "$CPROFTOP" -p 99999999999
expect "nan duration" 2 "invalid duration.*'nan'" "$CPROFTOP" -d nan -p 1
expect "inf duration" 2 "invalid duration.*'inf'" "$CPROFTOP" -d inf -p 1
expect "hex duration" 2 "invalid duration.*'0x10'" "$CPROFTOP" -d 0x10 -p 1
expect "fractional rate" 2 "invalid rate.*'99\.5'" "$CPROFTOP" -F 99.5 -p 1
expect "rate too high" 2 "invalid rate" "$CPROFTOP" -F 10001 -p 1
expect "nan top" 2 "invalid --top count.*'nan'" "$CPROFTOP" --top=nan -p 1
expect "zero top" 2 "invalid --top count.*'0'" "$CPROFTOP" --top 0 -p 1
expect "fractional top" 2 "invalid --top count.*'1\.5'" \
	"$CPROFTOP" --top 1.5 -p 1
expect "negative top" 2 "invalid --top count.*'-3'" "$CPROFTOP" --top -3 -p 1
expect "bad regex" 2 "invalid --focus" "$CPROFTOP" --focus '(' -p 1
expect "unknown option" 2 "Usage:" "$CPROFTOP" --frobnicate
expect "no such process" 3 "no such process|does not exist" \
	"$CPROFTOP" -p 4194303 -d 1
expect "command not found" 127 "command not found" \
	"$CPROFTOP" -d 1 -- /no/such/command

# An output file that cannot be written: exit 7, the reason, the target
# untouched.
start_bg "$(workload sleeper)" -d 300
wait_until 5 sh -c "[ \$(ls /proc/$BG_PID/task | wc -l) -ge 3 ]"
expect "unwritable output" 7 "/no/such/dir/p\.pb\.gz" \
	"$CPROFTOP" -p "$BG_PID" -d 0.5 -o /no/such/dir/p.pb.gz
all_untraced "$BG_PID" && kill -0 "$BG_PID"
ok $? "unwritable output: the target runs on, untraced"
# --top N as users type it; --top before -p or -- keeps its default. Any
# sample has more than three nodes (leaf, callers, main, _start...); wall
# mode counts the sleeping threads too, so a loaded machine still gives
# samples.
# rows FILE: the rows of the table.
rows() {
	awk 'f { n++ } /flat%/ { f = 1 } END { print n + 0 }' "$1"
}
"$CPROFTOP" --top 2 -p "$BG_PID" -d 1 --wall >"$TMPD/top2" 2>&1
ok $? "--top 2 (space): exit 0"
is "$(rows "$TMPD/top2")" 2 "--top 2 (space): two rows"
"$CPROFTOP" -d 1 --top=3 --wall -p "$BG_PID" >"$TMPD/top3" 2>&1
is "$(rows "$TMPD/top3")" 3 "--top=3: three rows"
"$CPROFTOP" -d 0.5 --top -p "$BG_PID" >"$TMPD/topd" 2>&1
st=$?
[ $st -eq 0 ] || diag "--top -p PID exited $st: $(tail -n 4 "$TMPD/topd")"
ok $st "--top -p PID: exit 0"
grep -Eq "^Showing top [0-9]+ nodes|^Showing nodes" "$TMPD/topd"
ok $? "--top -p PID: a table"
"$CPROFTOP" -d 0.5 --top -- "$(workload sleeper)" -d 2 >"$TMPD/topc" 2>&1
ok $? "--top -- CMD: exit 0"
grep -q "flat%" "$TMPD/topc"
ok $? "--top -- CMD: a table"

"$CPROFTOP" -p "$BG_PID" -d 0.5 -o "$TMPD/p.pb.gz" >/dev/null 2>&1
ok $? "a writable output: exit 0"
gzip -t "$TMPD/p.pb.gz"
ok $? "... and a whole gzip file"

# -o never replaces what is not a regular file (issue 9, item 8).
"$CPROFTOP" -p "$BG_PID" -d 0.3 -o - >"$TMPD/stdout.gz" 2>"$TMPD/err"
st=$?
[ $st -eq 0 ] || diag "-o - exited $st: $(tail -n 4 "$TMPD/err")"
ok $st "-o -: exit 0"
gzip -t "$TMPD/stdout.gz" && [ ! -e ./- ]
ok $? "-o -: the profile on stdout, no file named -"
"$CPROFTOP" -p "$BG_PID" -d 0.3 -o /dev/stdout 2>"$TMPD/err" | gzip -t
ok $? "-o /dev/stdout into a pipe: a whole gzip stream"
if [ "$(id -u)" = 0 ] && mknod "$TMPD/null" c 1 3 && mknod "$TMPD/full" c 1 7 &&
	: >"$TMPD/null" 2>/dev/null; then
	"$CPROFTOP" -p "$BG_PID" -d 0.3 -o "$TMPD/null" 2>"$TMPD/err"
	ok $? "-o a null device: exit 0"
	[ -c "$TMPD/null" ] && [ "$(stat -c %t:%T "$TMPD/null")" = 1:3 ]
	ok $? "... it stays the null device"
	expect "-o a full device" 7 "$TMPD/full: No space left on device" \
		"$CPROFTOP" -p "$BG_PID" -d 0.3 -o "$TMPD/full"
	[ -c "$TMPD/full" ]
	ok $? "... it stays a device"
	[ -z "$(ls "$TMPD" | grep tmp)" ]
	ok $? "... no temporary file left beside them"
else
	for i in 1 2 3 4 5 6; do skip "device nodes need root (mknod)"; done
fi
mkfifo "$TMPD/fifo"
expect "-o a FIFO nobody reads" 7 "fifo: no process reads it" \
	"$CPROFTOP" -p "$BG_PID" -d 0.3 -o "$TMPD/fifo"
[ -p "$TMPD/fifo" ]
ok $? "... it stays a FIFO"
done_testing
