# A Go program (tests/go/hot.go, built here with the installed go) profiled
# by cproftop and by its own runtime/pprof over the same seconds, as built
# and stripped (-ldflags=-s -w: no symbols, no DWARF, only .gopclntab).
# Go code has no .eh_frame: its frames unwind by .gopclntab's stack-pointer
# deltas. Checked: the five hottest functions of either profile agree
# within 5 points (ours over the goroutine's thread: the one with the most
# samples; the others are the runtime's, which Go's profile leaves out),
# main.main has cum >= 95 % there, and file:line come from .gopclntab.
# GODEBUG=asyncpreemptoff=1: with asynchronous preemption Go's own profile
# charges up to 20 % to runtime.asyncPreempt (a SIGPROF that lands right
# after a SIGURG), which is not where the time goes.
. "$top_srcdir/tests/lib.sh"
. "$top_srcdir/tests/sampler/top.sh"
need_ptrace
need_cmd go

SRC="$TMPD/src"
mkdir -p "$SRC"
cp "$top_srcdir/tests/go/hot.go" "$top_srcdir/tests/go/go.mod" "$SRC/"
export GOCACHE="$TMPD/gocache" GOPATH="$TMPD/gopath" GOFLAGS=-mod=mod \
	GOPROXY=off GO111MODULE=on GOTOOLCHAIN=local GOTELEMETRY=off
(cd "$SRC" && go build -o "$TMPD/hot" . &&
	go build -ldflags='-s -w' -o "$TMPD/hot-stripped" .) >"$TMPD/build.log" 2>&1
ok $? "go build of tests/go/hot.go, plain and -s -w"
[ -x "$TMPD/hot-stripped" ] || { diag "$(cat "$TMPD/build.log")"; done_testing; }

# pct FILE NAME COL: like top_col, on go tool pprof -top output.
check_go() { # label binary
	label=$1
	bin=$2
	out="$TMPD/$label"
	GODEBUG=asyncpreemptoff=1 "$CPROFTOP" -F 500 -d 60 --stats \
		-o "$out.pb.gz" -- "$bin" "$out.go.prof" "$out.pid" 4 \
		>"$out.log" 2>"$out.err"
	ok $? "$label: cproftop exits 0"
	diag "$(grep stats "$out.err")"
	tid=$(go tool pprof -tags "$out.pb.gz" 2>/dev/null |
		awk '/thread_id:/ { t = 1; next } t && /\(/ { print $NF; exit }')
	go tool pprof -top -nodecount=500 -tagfocus="thread_id=$tid" \
		"$out.pb.gz" >"$out.ours" 2>/dev/null
	go tool pprof -top -nodecount=500 "$bin" "$out.go.prof" \
		>"$out.theirs" 2>/dev/null
	diag "ours (thread $tid):"
	diag "$(grep -A7 ' flat%' "$out.ours")"
	diag "runtime/pprof:"
	diag "$(grep -A5 ' flat%' "$out.theirs")"
	atleast "$(top_col "$out.theirs" main.worker 5)" 90 \
		"$label: runtime/pprof's own profile has main.worker"
	names=$( (top_names "$out.ours" | head -5
		top_names "$out.theirs" | head -5) | sort -u)
	for n in $names; do
		within "$(top_col "$out.ours" "$n" 2)" \
			"$(top_col "$out.theirs" "$n" 2)" 5 \
			"$label: $n flat% as runtime/pprof's"
	done
	atleast "$(top_col "$out.ours" main.main 5)" 95 \
		"$label: main.main cum% on the goroutine's thread"
	atleast "$(top_col "$out.ours" main.worker 5)" 95 \
		"$label: main.worker cum% on the goroutine's thread"
	atleast "$(stat_of "$out.err" fallback_stacks)" 1 \
		"$label: stacks unwound without CFI are counted"
	errs=$(stat_of "$out.err" unwind_errors)
	stops=$(stat_of "$out.err" stops)
	atleast "$stops" 500 "$label: enough stops"
	awk -v e="$errs" -v s="$stops" 'BEGIN { exit !(e <= 0.05 * s) }'
	ok $? "$label: at most 5 % of stacks end early ($errs of $stops)"
	line=$(go tool pprof -top -lines -nodecount=500 "$out.pb.gz" \
		2>/dev/null | awk '$6 == "main.hotA" { print $7; exit }')
	case $line in
	*/hot.go:2[0-9]) ok 0 "$label: main.hotA's line ($line)" ;;
	*) ok 1 "$label: main.hotA's line ($line)" ;;
	esac
}

check_go go "$TMPD/hot"
check_go go-stripped "$TMPD/hot-stripped"
done_testing
