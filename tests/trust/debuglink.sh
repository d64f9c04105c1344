#!/bin/sh
# Debug files are found through names the target controls (its directory,
# its .gnu_debuglink): a FIFO or a device there must not block or be read
# by the sampler (issue 9, "open only regular files"). hostile-debuglink
# has no DWARF and a debuglink to hostile-debuglink.debug, which is a FIFO
# here; cproftop must profile it and stop on time.
. "$top_srcdir/tests/lib.sh"
need_ptrace

mkdir "$TMPD/bin"
cp "$top_builddir/tests/trust/hostile-debuglink" "$TMPD/bin/"
mkfifo "$TMPD/bin/hostile-debuglink.debug"
mkdir "$TMPD/bin/.debug"
mkfifo "$TMPD/bin/.debug/hostile-debuglink.debug"

start_bg "$TMPD/bin/hostile-debuglink" -s -d 60
H_PID=$BG_PID
wait_until 5 grep -q ready "$BG_OUT"
ok $? "the workload runs"
timeout -s KILL 30 "$CPROFTOP" -p "$H_PID" -d 2 --top 5 >"$TMPD/top" \
	2>"$TMPD/err"
is "$?" 0 "cproftop profiles it and stops on time (exit 0, not killed)"
grep -q "src_" "$TMPD/top"
ok $? "its functions are named from the symbol table"
[ -p "$TMPD/bin/hostile-debuglink.debug" ]
ok $? "the FIFO is untouched"
all_untraced "$H_PID" && kill -0 "$H_PID"
ok $? "the target runs on, untraced"

# A .gnu_debuglink that is a path, not a file name ("../d/x.debug"): the
# lookup never leaves the directories it means (the binary's, its .debug/,
# /usr/lib/debug), so the debug file in ../d is not read and the stripped
# binary's functions stay unnamed. The same file linked by its plain name
# beside the binary is read: the check can tell the two apart.
mkdir "$TMPD/d" "$TMPD/e"
objcopy --only-keep-debug "$top_builddir/tests/trust/hostile" "$TMPD/d/x.debug"
cp "$TMPD/d/x.debug" "$TMPD/e/x.debug"
# link_to NAME OUT: hostile, stripped of every symbol, with a debuglink
# section naming NAME (NUL-padded to 4 bytes, then a CRC left 0: cproftop
# checks the build-id instead).
link_to() {
	printf '%s' "$1" >"$TMPD/sec"
	head -c $((4 - ${#1} % 4 + 4)) /dev/zero >>"$TMPD/sec"
	objcopy --strip-all "$top_builddir/tests/trust/hostile" "$2.tmp" &&
		objcopy --add-section .gnu_debuglink="$TMPD/sec" "$2.tmp" "$2"
}
named() { # PROGRAM: how many of its top rows are src_ functions
	start_bg "$1" -s -d 60
	wait_until 5 grep -q ready "$BG_OUT"
	"$CPROFTOP" -p "$BG_PID" -d 1 --top 5 >"$TMPD/named" 2>&1
	grep -c " src_" "$TMPD/named"
	kill "$BG_PID"
	wait "$BG_PID" 2>/dev/null
}
link_to x.debug "$TMPD/e/plain"
atleast "$(named "$TMPD/e/plain")" 1 \
	"a plain debuglink name beside the binary: its functions named"
link_to ../d/x.debug "$TMPD/e/evil"
is "$(named "$TMPD/e/evil")" 0 \
	"a debuglink ../d/x.debug is not followed: no function named from it"
done_testing
