#!/bin/sh
# The source view opens only what the target's owner could read inside the
# target's root (issue 9, item 10). The hostile workload runs chrooted in
# $TMPD/root as nobody; its DWARF names files that test each way out:
#   good.c     a regular file in its root: shown (the control)
#   link.c     an absolute symlink to a host file outside its root
#   /../cproftop-trust-up.c   ".." above its root, onto a host file
#   fifo.c     a FIFO (the screen must not freeze; SIGTERM must work)
#   zero.c     a character device, /dev/zero
#   private.c  mode 0600, root's: nobody cannot read it
# The live screen runs scripted (--script).
. "$top_srcdir/tests/lib.sh"
need_ptrace
[ "$(id -u)" = 0 ] || skip_all "chroot, mknod and setuid need root"

H="$top_builddir/tests/trust/hostile"
R="$TMPD/root"
chmod 755 "$TMPD"
mkdir -p "$R/cproftop-trust"
for i in 1 2 3 4 5 6 7 8 9 10; do echo "GOOD LINE $i"; done \
	>"$R/cproftop-trust/good.c"
# secret TEXT: ten lines of TEXT (the view shows lines around line 6).
secret() {
	for i in 1 2 3 4 5 6 7 8 9 10; do echo "SECRET $1"; done
}
secret "OUTSIDE THE ROOT" >"$TMPD/secret-link.c"
ln -s "$TMPD/secret-link.c" "$R/cproftop-trust/link.c"
secret "ABOVE THE ROOT" >"$TMPD/cproftop-trust-up.c"
mkfifo "$R/cproftop-trust/fifo.c"
mknod "$R/cproftop-trust/zero.c" c 1 5
secret "ONLY ROOT READS" >"$R/cproftop-trust/private.c"
chmod 600 "$R/cproftop-trust/private.c"

start_bg "$H" -s -d 120 -r "$R" -u 65534
H_PID=$BG_PID
wait_until 5 grep -q ready "$BG_OUT"
ok $? "the workload runs chrooted, as nobody"

# One scripted screen opens the source view of each function in turn
# (filter to it, Enter on its row, dump, back, clear the filter), then
# waits: the FIFO must not freeze it, and SIGTERM must end it.
{
	echo "resize 200 30"
	echo "wait 3000"
	for f in src_good src_link src_fifo src_dotdot src_zero src_private; do
		printf '/\ntype ^%s$\nEnter\nwait 1500\nHome\nEnter\nwait 500\n' "$f"
		printf 'dump\nEsc\n\\\nwait 500\n'
	done
	echo "wait 60000"
} >"$TMPD/script"
"$CPROFTOP" -p "$H_PID" --script "$TMPD/script" >"$TMPD/out" 2>&1 &
C_PID=$!
wait_until 60 grep -q "private\.c" "$TMPD/out"
ok $? "every source view opened (none froze the screen)"
kill -TERM "$C_PID"
wait_until 5 sh -c "! kill -0 $C_PID 2>/dev/null"
ok $? "SIGTERM then ends cproftop"
kill -KILL "$C_PID" 2>/dev/null
wait "$C_PID" 2>/dev/null

# says FUNCTION TEXT: a source view of FUNCTION was dumped, and TEXT is
# in the output (the reasons name their files).
says() {
	grep -q "$1.*flat\|flat.*$1" "$TMPD/out" && grep -Fq "$2" "$TMPD/out"
}

# why FILE: the line that says why FILE has no text (for diagnostics).
why() {
	grep -F "$1: " "$TMPD/out" | head -1 | sed 's/.*source file/source file/'
}

says src_good "GOOD LINE 6"
ok $? "good.c: a file in the target's root is shown"
! grep -q SECRET "$TMPD/out"
ok $? "no host file and no file nobody may read is shown"
says src_link "link.c: No such file or directory"
ok $? "link.c: the absolute symlink resolves inside the root: $(why link.c)"
says src_dotdot "up.c: No such file or directory"
ok $? "/..: stays at the root: $(why up.c)"
says src_fifo "fifo.c: not a regular file"
ok $? "fifo.c: a FIFO is refused at once: $(why fifo.c)"
says src_zero "zero.c: not a regular file"
ok $? "zero.c: a device is refused: $(why zero.c)"
says src_private "private.c: Permission denied"
ok $? "private.c: read as the target's owner: $(why private.c)"
[ "$tap_failed" -eq 0 ] || diag "$(cat "$TMPD/out")"

all_untraced "$H_PID" && kill -0 "$H_PID"
ok $? "the target runs on, untraced"
done_testing
