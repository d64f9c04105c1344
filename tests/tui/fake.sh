#!/bin/sh
# Scripted screens (tui_options.script) over tui-fake's hand-built profile:
# deterministic dumps of every screen and of the keys that change them.
. "$top_srcdir/tests/lib.sh"

FAKE="$top_builddir/tests/tui/tui-fake"
SRC="$top_srcdir/tests/tui/fake_src.c"
export LANG=C.UTF-8

# run NAME [FAKE OPTIONS] -- STEPS...: runs the steps, the dump in $TMPD/NAME.
run() {
	local name=$1
	shift
	local opts=""
	while [ "$1" != "--" ]; do opts="$opts $1"; shift; done
	shift
	printf '%s\n' "$@" >"$TMPD/$name.script"
	# shellcheck disable=SC2086
	"$FAKE" $opts "$SRC" "$TMPD/$name.script" >"$TMPD/$name" 2>&1
}

# rows FILE: the function names of the table rows of the first screen.
rows() {
	awk '/  function/ { f = 1; next }
	     f && /%  / { print substr($0, 44) } f && !NF { exit }' "$1" |
		tr '\n' ' '
}

run top -- dump
ok $? "the fake screen runs"
is "$(sed -n 1p "$TMPD/top")" "--- screen 80x24" "a dump starts with its size"
is "$(rows "$TMPD/top")" "hot_a hot_b std::vector::_M_realloc_insert main worker " \
	"rows by flat, C++ names short (pprof's form)"
run fullnames -- D dump
is "$(rows "$TMPD/fullnames")" "hot_a hot_b …cator<char> > > >::_M_realloc_insert main worker " \
	"D: C++ names in full, cut at the front"
grep -q '^cproftop  PID 4242  LIVE  ./ratio --seconds 3$' "$TMPD/top"
ok $? "header: PID, state, command line"
grep -q '^Threads 2  Samples 100  Unwind failed 3 (2.5%)  Time 0:10$' "$TMPD/top"
ok $? "header: threads, the table's samples (CPU mode: 100 of 120), unwind failures, time"
grep -q '^Rate 100/99.5 Hz  Mode CPU  Scope cumulative  cproftop CPU 1.2%$' "$TMPD/top"
ok $? "header: rate, mode, scope, own CPU"
grep -q '^      60  60.00%  60.00%       60  60.00%  hot_a$' "$TMPD/top"
ok $? "a row: flat flat% sum% cum cum% function"
grep -q '^   flat▼   flat%    sum%      cum    cum%  function$' "$TMPD/top"
ok $? "the sort column is marked"
tail -1 "$TMPD/top" | grep -q '^F1Help sSave tThreads /Filter pPause'
ok $? "the hint bar"

# The selection follows its row across a re-sort: Enter after `c` opens
# hot_a, which moved from row 1 to row 3.
run resort -- c dump Enter dump
is "$(rows "$TMPD/resort")" "main worker hot_a hot_b std::vector::_M_realloc_insert " \
	"c sorts by cum"
grep -q 'cum▼' "$TMPD/resort" ; ok $? "the cum column is marked"
grep -q '^flat 60 (60.00%)  cum 60 (60.00%)  hot_a  .*fake_src.c$' "$TMPD/resort"
ok $? "the selection stayed on hot_a through the re-sort"

run source -- Enter dump Tab Enter dump Esc dump Esc dump
grep -Eq '^      60       60      6 +x = x \* 31 \+ 7; /\* the hot line' "$TMPD/source"
ok $? "the hot line with its counts and text"
grep -q '^caller       60 100.00%  worker$' "$TMPD/source" ; ok $? "the caller of hot_a"
grep -q '^flat 0 (0.00%)  cum 90 (90.00%)  worker  ' "$TMPD/source"
ok $? "Tab then Enter goes to the caller"
grep -Eq '^       \.       60     21 +x = hot_a\(x\);$' "$TMPD/source"
ok $? "worker's call lines have cum"
grep -q '^callee       60  66.67%  hot_a$' "$TMPD/source" ; ok $? "callees of worker"
[ "$(grep -c '^flat 60 (60.00%)  cum 60 (60.00%)  hot_a' "$TMPD/source")" -eq 2 ]
ok $? "Esc goes back to hot_a"
[ "$(grep -c 'flat▼' "$TMPD/source")" -eq 1 ]
ok $? "Esc again goes back to the table"

run threads -- t dump Space dump Esc dump a
grep -Eq '^\[ \] +100 fake +R +60 +60\.0% +75\.0% +10\.0%  hot_a$' "$TMPD/threads"
ok $? "thread rows: tid, name, state, samples, share, on-CPU %, waiting %, hottest"
grep -Eq '^\[x\] +100 fake ' "$TMPD/threads" ; ok $? "space selects a thread"
grep -q '^Filter none  Threads 1 of 2  Sort flat$' "$TMPD/threads" &&
	grep -q '^Threads 2  Samples 60 of 100  ' "$TMPD/threads"
ok $? "the header shows the thread set and the selected samples"

# Thread list sort keys: o (on-CPU %: fake-1 100 % before fake 75 %), c
# back to samples (fake 60 before fake-1 40), W (waiting: fake 10 % first).
run threadsort -- t o dump c dump W dump
sed -n 's/^\[.\] *\([0-9][0-9]*\) .*/\1/p' "$TMPD/threadsort" | tr '\n' ' ' >"$TMPD/order"
is "$(cat "$TMPD/order")" "101 100 100 101 100 101 " "o sorts threads by on-CPU % (tid 101 first), c by samples, W by waiting"

run filter -- / 'type hot_b' Enter dump '\' dump / 'type (' Enter dump
grep -q '^Filter /hot_b/' "$TMPD/filter" ; ok $? "/ sets a visible filter"
awk '/^--- screen/ { n++ } n == 1' "$TMPD/filter" >"$TMPD/filter.1"
is "$(rows "$TMPD/filter.1")" "hot_b main worker " "the filter keeps stacks through hot_b"
awk '/^--- screen/ { n++ } n == 2' "$TMPD/filter" | grep -q '^Filter none'
ok $? "\\ clears the filter"
grep -q "bad regex '('" "$TMPD/filter" ; ok $? "a bad regex shows an error"

run modes -- m w r p dump
grep -q 'Mode wall  Scope last 5 s' "$TMPD/modes" ; ok $? "m and w switch mode and scope"
grep -q '^      50  41.67%  .*  hot_b$' "$TMPD/modes" ; ok $? "wall mode counts off-CPU samples"
grep -q 'flat▲' "$TMPD/modes" ; ok $? "r reverses the order"
grep -q '  PAUSED  ' "$TMPD/modes" ; ok $? "p pauses the screen"

run sampling -- P dump P dump
awk '/^--- screen/ { n++ } n == 1' "$TMPD/sampling" | grep -q '  SAMPLING PAUSED  '
ok $? "P pauses sampling, and says so"
awk '/^--- screen/ { n++ } n == 2' "$TMPD/sampling" | grep -q '  LIVE  '
ok $? "P again resumes it"

run save -o "$TMPD/out.pb.gz" -- s dump Enter dump
grep -q "^Save to (Enter saves, Esc cancels): $TMPD/out.pb.gz_$" "$TMPD/save"
ok $? "s prompts for the path, -o by default"
grep -q "^Saved $TMPD/out.pb.gz: 100 samples shown (CPU, cumulative)$" "$TMPD/save"
ok $? "Enter saves and says where and what"
gzip -t "$TMPD/out.pb.gz" 2>/dev/null ; ok $? "the file is gzip'd"
run savefail -o /nonexistent/dir/out.pb.gz -- s Enter dump
grep -q '^Save failed: ' "$TMPD/savefail" ; ok $? "a failed save shows the error"
grep -q '  hot_a$' "$TMPD/savefail" ; ok $? "... and keeps the table"

run reset -- z 'wait 100' dump
grep -q 'No samples yet' "$TMPD/reset" ; ok $? "z resets the counts"

run exited --exited -- dump
grep -q '^cproftop  PID 4242  target exited (status 3)' "$TMPD/exited"
ok $? "the header says the target exited, with its status"
grep -q '  hot_a$' "$TMPD/exited" ; ok $? "the final profile stays browsable"

run help -- 'resize 80 60' '?' End dump x dump
grep -q 'pause the SCREEN: sampling goes on' "$TMPD/help" ; ok $? "? shows the help"
[ "$(grep -c 'flat▼' "$TMPD/help")" -eq 1 ] ; ok $? "any key closes the help"

run resize -- 'resize 50 12' dump 'resize 60 15' dump
grep -q '^Terminal too small: 50x12, need 60x15$' "$TMPD/resize"
ok $? "a small terminal gets a clear message"
awk '/^--- screen 60x15/ { f = 1 } f' "$TMPD/resize" >"$TMPD/resize.2"
is "$(sed -n 2p "$TMPD/resize.2" | cut -c1-18)" "cproftop  PID 4242" "60x15 shows the header"
is "$(wc -l <"$TMPD/resize.2")" 16 "60x15 has 15 lines"
grep -q '  hot_a$' "$TMPD/resize.2" ; ok $? "60x15 shows the table"
[ "$(wc -L <"$TMPD/resize.2")" -le 60 ] ; ok $? "no line wider than 60"

printf 'bogus step\n' >"$TMPD/bad.script"
"$FAKE" "$SRC" "$TMPD/bad.script" >/dev/null 2>"$TMPD/bad.err"
is "$?" 1 "an unknown script step fails"
grep -q 'bad.script:1: unknown step' "$TMPD/bad.err" ; ok $? "... naming the line"
done_testing
