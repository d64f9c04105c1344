#!/bin/bash
# tests/heap/forge.sh: with --heap --follow a record's pid is the target's
# word. tests/heap/forge names an unrelated process, init, cproftop itself
# and (as root) a child that maps the ring but is not its owner's: their
# records are not counted, and cproftop reads nothing of them but their
# maps. Its child of the same owner, which maps the ring as the library
# does, is one of the command's processes and counts. With -l, the losses
# it forges are split alike at exit and in --top.
. "$top_srcdir/tests/lib.sh"
need_ptrace
F=$top_builddir/tests/heap/forge

# run NAME ARGS...: forge under cproftop --heap --follow
run() {
	local name=$1
	shift
	"$CPROFTOP" --heap --follow --heap-rate 4096 --top=20 \
		--child-output "$TMPD/$name.out" -- "$F" "$@" \
		>"$TMPD/$name.top" 2>"$TMPD/$name.err"
	is "$?" 0 "$name: the command succeeds"
	diag "$(cat "$TMPD/$name.out" "$TMPD/$name.top" "$TMPD/$name.err")"
}
# counted NAME NAMED REFUSED
counted() {
	is "$(cat "$TMPD/$1.out")" "forged $2" "$1: forge named $2 pids"
	grep -q "^Processes: 2 reported (1 forked, 0 execs in place), $(($3 * 3)) records of no known process" "$TMPD/$1.top"
	ok $? "$1: the target and its child count; the $3 others do not"
	grep -q ' forge_site$' "$TMPD/$1.top"
	ok $? "$1: the child's allocation is in the profile"
}

sleep 300 &
S=$!
run pids "$S" 1 p
kill "$S"
counted pids 4 3 # the sleep, init, cproftop

# A loss of every kind the ring counts (forge -l): the exit's line and
# --top split the records lost in the same words.
run losses -l
grep -q '^cproftop: --heap: 9 records lost (5 ring full, 3 in stalls, 1 malformed), 3 samples untracked, 0 past the bound' "$TMPD/losses.err"
ok $? "losses: the exit's line splits the records lost as --top does"
grep -q '^Records dropped: 5 ring full, 3 in stalls, 1 malformed$' "$TMPD/losses.top"
ok $? "losses: --top's split: 2 abandoned and a cell never published lost in stalls"

if [ "$(id -u)" = 0 ]; then
	run owner -d
	counted owner 2 1 # the child that stayed root
fi
done_testing
