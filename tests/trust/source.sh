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
# The live screen runs scripted (--script), under a timeout.
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

# source FUNCTION: the source view of FUNCTION, dumped ($TMPD/FUNCTION.out);
# the status of cproftop (124 when the timeout struck).
source_of() {
	cat >"$TMPD/$1.script" <<-EOS
		resize 200 30
		wait 1500
		/
		type ^$1\$
		Enter
		wait 1000
		Enter
		wait 1000
		dump
	EOS
	timeout -s KILL 30 "$CPROFTOP" -p "$H_PID" --script "$TMPD/$1.script" \
		>"$TMPD/$1.out" 2>"$TMPD/$1.err"
}

# says FUNCTION TEXT: the dump of FUNCTION's source view holds TEXT (the
# title or the note under it says why there is no text).
says() {
	grep -F "$1" "$TMPD/$1.out" | grep -q "$1.*flat\|flat.*$1" &&
		grep -Fq "$2" "$TMPD/$1.out"
}

# why FUNCTION: the lines of the dump that say why (for diagnostics).
why() {
	grep -F "source file" "$TMPD/$1.out" | head -1
}

source_of src_good
ok $? "good.c: the screen ends normally"
grep -q "GOOD LINE 6" "$TMPD/src_good.out"
ok $? "good.c: a file in the target's root is shown"

source_of src_link
ok $? "link.c: the screen ends normally"
! grep -q SECRET "$TMPD/src_link.out"
ok $? "link.c: the host file behind the absolute symlink is not shown"
says src_link "link.c: No such file or directory"
ok $? "link.c: the symlink resolves inside the root: $(why src_link)"

source_of src_dotdot
ok $? "/..: the screen ends normally"
! grep -q SECRET "$TMPD/src_dotdot.out"
ok $? "/..: the host file above the root is not shown"
says src_dotdot "up.c: No such file or directory"
ok $? "/..: stays at the root: $(why src_dotdot)"

# The FIFO: the view opens at once; SIGTERM then ends cproftop.
cat >"$TMPD/fifo.script" <<-EOS
	resize 200 30
	wait 1500
	/
	type ^src_fifo\$
	Enter
	wait 1000
	Enter
	wait 1000
	dump
	wait 60000
EOS
"$CPROFTOP" -p "$H_PID" --script "$TMPD/fifo.script" >"$TMPD/fifo.out" \
	2>&1 &
C_PID=$!
wait_until 20 grep -q "fifo\.c" "$TMPD/fifo.out"
ok $? "fifo.c: the source view opens without waiting for a writer"
grep -q "fifo.c: not a regular file" "$TMPD/fifo.out"
ok $? "fifo.c: refused as not a regular file"
kill -TERM "$C_PID"
wait_until 5 sh -c "! kill -0 $C_PID 2>/dev/null"
ok $? "fifo.c: SIGTERM ends cproftop"
kill -KILL "$C_PID" 2>/dev/null
wait "$C_PID" 2>/dev/null

source_of src_zero
ok $? "zero.c: the screen ends normally"
says src_zero "zero.c: not a regular file"
ok $? "zero.c: a device is refused: $(why src_zero)"

source_of src_private
ok $? "private.c: the screen ends normally"
! grep -q SECRET "$TMPD/src_private.out"
ok $? "private.c: a file nobody cannot read is not shown"
says src_private "private.c: Permission denied"
ok $? "private.c: read as the target's owner: $(why src_private)"

all_untraced "$H_PID" && kill -0 "$H_PID"
ok $? "the target runs on, untraced"
done_testing
