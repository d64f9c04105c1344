#!/bin/sh
# Scripted screens (like fake.sh) of the second edition: the key table
# (hint bar, help, unknown keys), the header's samples, hidden rows, the
# thread list's sort, idle threads, long names, the source view's title and
# notes, the call tree, the flame view, search and saving what is shown.
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
	(cd "$TMPD" && "$FAKE" $opts "$SRC" "$TMPD/$name.script") \
		>"$TMPD/$name" 2>&1
}

# screen FILE N: the Nth dump of FILE.
screen() {
	awk -v n="$2" '/^--- screen/ { k++ } k == n' "$1"
}

# rows FILE: the table rows' function names of the first dump of FILE.
rows() {
	awk '/  function/ { f = 1; next }
	     f && /%  / { print substr($0, 44) } f && !NF { exit }' "$1" |
		tr '\n' ' '
}

# Keys: unknown ones say so and flash; help and the bars come from one table.
run unknown -- x dump
grep -q '^Key x does nothing here (? lists the keys)$' "$TMPD/unknown"
ok $? "an unknown key says so instead of doing nothing"
run help -- 'resize 100 120' '?' dump
grep -q '^EscBack' "$TMPD/help" ; ok $? "the help's key bar: Esc Back"
grep -q 'any key' "$TMPD/help" ; [ $? -ne 0 ] ; ok $? "... not 'any keyBack'"
for k in 'T  .*call tree' 'F  .*flame view' 'F3 .*search' 'Tab .*top-down' \
	'n  .*next match' 'A  .*sort by name' '\*  .*too small'; do
	grep -Eq "^   $k" "$TMPD/help" ; ok $? "help lists: $k"
done
run bars -- dump T dump F dump t dump
is "$(screen "$TMPD/bars" 1 | tail -1 | cut -c1-60)" \
	"F1Help sSave tThreads /Filter pPause TTree FFlame F3Search q" \
	"the table's hint bar"
screen "$TMPD/bars" 2 | tail -1 | grep -q '^F1Help TabFlip RightExpand LeftCollapse EnterSource TBack'
ok $? "the tree's hint bar"
screen "$TMPD/bars" 3 | tail -1 | grep -q '^F1Help EnterZoom -Out FBack'
ok $? "the flame view's hint bar"
screen "$TMPD/bars" 4 | tail -1 | grep -q '^F1Help SpaceSelect aAll tBack sSave'
ok $? "the thread list's hint bar (t goes back there)"

# The header's Samples is the table's: mode, window, then threads and filter.
run samples -- / 'type hot_b' Enter dump '\' m dump
screen "$TMPD/samples" 1 | grep -q '^Threads 2  Samples 30 of 100  '
ok $? "Samples: 30 through hot_b of 100 on CPU"
screen "$TMPD/samples" 2 | grep -q '^Threads 2  Samples 120  '
ok $? "Samples: 120 in wall mode"

# The reverse flag resets when the sort column changes.
run reverse -- r dump c dump
screen "$TMPD/reverse" 1 | grep -q 'flat▲' ; ok $? "r reverses"
screen "$TMPD/reverse" 2 | grep -q '^Filter none  Threads all  Sort cum$'
ok $? "c after r sorts by cum, not reversed"

# Hidden rows: what and the key that shows them.
run hidden --cold -- dump '*' dump
screen "$TMPD/hidden" 1 | grep -q '  Hidden 1 function under 5 samples (\* shows)$'
ok $? "the hidden rows are named with their key"
is "$(screen "$TMPD/hidden" 2 | grep -c '  cold_c$')" 1 "* shows them"

# The thread list: sort marks, r there, 60 columns, idle threads.
run tsort --cold -- t dump i dump r dump A dump
screen "$TMPD/tsort" 1 | grep -q '^sel     TID name            S samples▼  share%  oncpu%   wait%  hottest function$'
ok $? "the thread list marks its sort column"
screen "$TMPD/tsort" 2 | grep -q '^sel    TID▼ name '
ok $? "i: sorted by TID, marked"
tids() { screen "$TMPD/tsort" "$1" | sed -n 's/^\[.\] *\([0-9][0-9]*\) .*/\1/p' | tr '\n' ' '; }
is "$(tids 3)" "102 101 100 " "r reverses the thread list, not the table"
screen "$TMPD/tsort" 3 | grep -q 'TID▲' ; ok $? "... marked ▲"
screen "$TMPD/tsort" 3 | grep -q '^Filter none  Threads all  Sort flat$'
ok $? "... and the table's sort is untouched"
screen "$TMPD/tsort" 4 | grep -q ' name▼ ' ; ok $? "A sorts by name"
run narrow --cold -- 'resize 60 20' t dump
grep -Eq '^\[ \] +100 fake +R +602  hot_a$' "$TMPD/narrow"
ok $? "60 columns: the hottest function shows whole"
run idle --cold -- t End Space Esc dump m dump
screen "$TMPD/idle" 1 | grep -q 'The threads selected were idle: no on-CPU samples (m: wall mode).'
ok $? "an idle thread in CPU mode is named, with the key"
screen "$TMPD/idle" 2 | grep -q '  poll_wait$' ; ok $? "m shows its wall time"

# Long C++ names (in full: D) keep their end; Left/Right scroll them.
L16='Left Left Left Left Left Left Left Left Left Left Left Left Left Left Left Left'
R16=$(echo "$L16" | sed 's/Left/Right/g')
# shellcheck disable=SC2086
run long -- D $L16 dump $R16 dump
screen "$TMPD/long" 1 | grep -q '%  std::vector<std::__cxx11::basic_stri…$'
ok $? "Left shows the start of a long name"
screen "$TMPD/long" 2 | grep -q '%  …cator<char> > > >::_M_realloc_insert$'
ok $? "Right goes back to its end"

# The source view: counts first in the title, whole notes.
run src --cold -- Down Down Enter dump Esc m t End Space Esc Home Enter dump
screen "$TMPD/src" 1 | grep -q '^flat 100 (9.98%)  cum 100 (9.98%)  ….*::_M_realloc_insert  .*/vector.tcc$'
ok $? "a long name keeps its counts and its end in the title"
screen "$TMPD/src" 2 | grep -q 'add a directory with --source-path)$'
ok $? "a long note keeps its hint"

# The call tree.
run tree -- T dump Tab dump Tab Down Left dump E Down Enter dump Esc dump
screen "$TMPD/tree" 1 | grep -q '^     100 100.00%        .   0.00%  ▾ main$' &&
	screen "$TMPD/tree" 1 | grep -q '^      90  90.00%        .   0.00%    ▾ worker$' &&
	screen "$TMPD/tree" 1 | grep -q '^      60  60.00%       60  60.00%        hot_a$'
ok $? "top-down: main -> worker -> hot_a, the hottest path expanded"
screen "$TMPD/tree" 2 | grep -q '^      60  60.00%       60  60.00%  ▾ hot_a$' &&
	screen "$TMPD/tree" 2 | grep -q '^      60  60.00%        .   0.00%        main$'
ok $? "Tab: bottom-up, hot_a <- worker <- main"
screen "$TMPD/tree" 3 | grep -q '^      90  90.00%        .   0.00%    ▸ worker$'
ok $? "Left collapses"
screen "$TMPD/tree" 4 | grep -q '^flat 60 (60.00%)  cum 60 (60.00%)  hot_a  '
ok $? "E expands, Enter opens the source"
screen "$TMPD/tree" 5 | grep -q 'callees (top-down)' ; ok $? "Esc goes back to the tree"

# The flame view, 80x24, without colours too.
NO_COLOR=1 run flame -- F dump Down Down Down Enter dump - dump Esc dump
screen "$TMPD/flame" 1 | grep -q '^main  *|$' ; ok $? "flame: main over the full width"
w_a=$(screen "$TMPD/flame" 1 | grep '^hot_a' | sed 's/|.*//' | wc -c)
w_b=$(screen "$TMPD/flame" 1 | grep '^hot_a' | sed 's/^[^|]*|//; s/|.*//' | wc -c)
[ "$w_a" -eq 48 ] && [ "$w_b" -eq 24 ]
ok $? "widths by samples: hot_a 60 % of 80 columns, hot_b 30 % ($w_a, $w_b)"
screen "$TMPD/flame" 2 | grep -q 'zoomed into hot_a' ; ok $? "Enter zooms into a frame"
screen "$TMPD/flame" 2 | grep -q '^hot_a  *|$' ; ok $? "... which gets the full width"
screen "$TMPD/flame" 3 | grep -q '^main  *|$' ; ok $? "- zooms out"
screen "$TMPD/flame" 4 | grep -q 'flat▼' ; ok $? "Esc goes back to the table"

# Search: incremental, case-insensitive, n/N; in the thread list too.
run search -- F3 'type HOT_B' dump Enter Enter dump
screen "$TMPD/search" 1 | grep -q '^Search (F3/Enter next, Esc ends): HOT_B_$'
ok $? "F3 opens the search prompt"
screen "$TMPD/search" 2 | grep -q '^flat 30 (30.00%)  cum 30 (30.00%)  hot_b  '
ok $? "the search selected hot_b (case-insensitive)"
run searchn -- F3 'type hot' Enter n n N Enter dump
grep -q '^flat 30 (30.00%)  cum 30 (30.00%)  hot_b  ' "$TMPD/searchn"
ok $? "n / N move between matches"
run searchnone -- F3 'type nosuch' dump
grep -q '^Search (F3/Enter next, Esc ends): nosuch_  (no match)$' "$TMPD/searchnone" ; ok $? "no match says so"
run tsearch --cold -- t F3 'type idle' Enter Space dump
grep -Eq '^\[x\] +102 idle ' "$TMPD/tsearch" ; ok $? "search finds a thread"

# s saves what is shown: the filter as -focus, the threads as -tagfocus.
run save -o sub.pb.gz -- 'resize 200 24' / 'type hot_b' Enter t Down Space Esc s dump Enter dump
screen "$TMPD/save" 1 | grep -q "^Save to (Enter saves, Esc cancels): $TMPD/sub.pb.gz_$"
ok $? "the path prompt: -o made absolute"
screen "$TMPD/save" 2 | grep -q "^Saved $TMPD/sub.pb.gz: 30 samples shown (CPU, cumulative, -focus=hot_b, -tagfocus=thread_id=101)$"
ok $? "the message says where and what"
run savedef -- 'resize 200 24' s dump Esc
screen "$TMPD/savedef" 1 | grep -Eq "^Save to \(Enter saves, Esc cancels\): $TMPD/cproftop-[0-9]{8}-[0-9]{6}\.pb\.gz_$"
ok $? "the default path is in the start directory"
if command -v go >/dev/null 2>&1; then
	export HOME="$TMPD" GOCACHE="$TMPD/gocache" GOFLAGS=-mod=mod
	go tool pprof -top -sample_index=samples "$TMPD/sub.pb.gz" \
		>"$TMPD/sub.txt" 2>&1
	grep -Eq '^ +30 +100% +100% +30 +100% +hot_b$' "$TMPD/sub.txt"
	ok $? "pprof reads the saved file: hot_b's 30 samples only"
	grep -q 'hot_a' "$TMPD/sub.txt" ; [ $? -ne 0 ] ; ok $? "... nothing of hot_a"
else
	skip "go not installed"
	skip "go not installed"
fi
# Diff: b marks now as the base; --base FILE reads a saved profile.
run base -o base.pb.gz -- b dump s Enter b dump
screen "$TMPD/base" 1 | grep -q '  Base marked at 0:10 (100 samples)' ; ok $? "b marks the base"
screen "$TMPD/base" 1 | grep -q '^   flat▼   flat%    sum%      cum    cum%   Δflat%  function$'
ok $? "... a Δflat% column"
is "$(screen "$TMPD/base" 1 | grep -c '   +0.00%  ')" 5 "... no change right after the mark"
screen "$TMPD/base" 2 | grep -q 'Δflat' ; [ $? -ne 0 ] ; ok $? "b again drops it"
run based --cold --base "$TMPD/base.pb.gz" -- 'resize 200 24' dump
grep -q "  Base $TMPD/base.pb.gz (100 samples)" "$TMPD/based" ; ok $? "--base names the file"
grep -Eq '^ +600  59\.88%  .*   -0\.12%  hot_a$' "$TMPD/based"
ok $? "hot_a: 59.88 % now, 60 % in the base: -0.12"
grep -Eq '^ +300  29\.94%  .*   -0\.06%  hot_b$' "$TMPD/based"
ok $? "hot_b: -0.06"
printf 'dump\n' >"$TMPD/nb.script"
"$FAKE" --base "$TMPD/nosuch.pb.gz" "$SRC" "$TMPD/nb.script" >/dev/null 2>"$TMPD/nb.err"
is "$?" 2 "--base without a file: exit 2"
grep -q 'nosuch.pb.gz' "$TMPD/nb.err" ; ok $? "... naming it"

# The shared object column, the window length and the refresh interval.
run knobs -- O dump '{' dump '}' '}' dump ']' ']' dump '[' dump
screen "$TMPD/knobs" 1 | grep -q '^   flat▼   flat%    sum%      cum    cum%  shared object     function$'
ok $? "O shows the shared object column"
screen "$TMPD/knobs" 1 | grep -Eq '^ +60  60\.00% .*%  fake {14}hot_a$'
ok $? "... the file name of the function's code"
screen "$TMPD/knobs" 2 | grep -q '  Scope last 2 s  ' ; ok $? "{ shortens the window (and turns it on)"
screen "$TMPD/knobs" 3 | grep -q '  Scope last 10 s  ' ; ok $? "} lengthens it"
screen "$TMPD/knobs" 4 | grep -q '  Refresh 3 s  ' ; ok $? "] refreshes less often"
screen "$TMPD/knobs" 5 | grep -q '  Refresh 2 s  ' ; ok $? "[ more often"

# Annotate without a file to read says why, and Esc goes back.
run annot -- a dump Esc dump
screen "$TMPD/annot" 1 | grep -q '^annotate hot_a  /usr/bin/fake$'
ok $? "a opens the annotate view of the selected function"
screen "$TMPD/annot" 1 | grep -q '^ cannot open /usr/bin/fake: '
ok $? "... which says why it has no code"
screen "$TMPD/annot" 2 | grep -q 'flat▼' ; ok $? "Esc goes back"
done_testing
