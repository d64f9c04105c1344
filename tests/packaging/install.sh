# make install DESTDIR=...: the binary, the man page and the bash
# completion land where they belong (and nothing else does); the installed
# binary names its version and profiles a workload headless; the installed
# page renders; make uninstall takes everything away again.
. "$top_srcdir/tests/lib.sh"

ROOT="$TMPD/root"
# This runs inside make check: the outer make's flags (jobserver) are not
# for this make.
unset MAKEFLAGS MFLAGS MAKELEVEL
mk() {
	make -s --no-print-directory -C "$top_builddir" "$@"
}

mk install-dirs >"$TMPD/dirs"
ok $? "make install-dirs"
bindir=$(sed -n 's/^bindir=//p' "$TMPD/dirs")
man1dir=$(sed -n 's/^man1dir=//p' "$TMPD/dirs")
compdir=$(sed -n 's/^bashcompletiondir=//p' "$TMPD/dirs")
pkglibdir=$(sed -n 's/^pkglibdir=//p' "$TMPD/dirs")

mk install DESTDIR="$ROOT" >"$TMPD/install.out" 2>&1
st=$?
ok $st "make install DESTDIR=... succeeds"
[ $st -eq 0 ] || sed 's/^/# /' "$TMPD/install.out" | tail -20

# Exactly these files, nothing else (a new runtime file belongs here and
# in packaging/deb-check.sh).
printf '%s\n' "$ROOT$bindir/cproftop" "$ROOT$man1dir/cproftop.1" \
	"$ROOT$compdir/cproftop" "$ROOT$pkglibdir/libcproftop-heap.so" |
	sort >"$TMPD/want"
find "$ROOT" -type f -o -type l | sort >"$TMPD/got"
is "$(sed "s|^$ROOT||" "$TMPD/got" | tr '\n' ' ')" \
	"$(sed "s|^$ROOT||" "$TMPD/want" | tr '\n' ' ')" "the installed files"
[ -x "$ROOT$bindir/cproftop" ]
ok $? "the binary is executable"

BIN="$ROOT$bindir/cproftop"
"$BIN" --version >"$TMPD/version"
ok $? "the installed binary runs --version"
grep -Eq '^cproftop [0-9]+\.[0-9]+\.[0-9]+( \(git [0-9a-zA-Z._-]+\))?$' \
	"$TMPD/version"
ok $? "--version: 'cproftop X.Y.Z (git COMMIT)' ($(cat "$TMPD/version"))"
if [ -e "$top_srcdir/.git" ] && [ ! -f "$top_srcdir/.tarball-commit" ] &&
	command -v git >/dev/null; then
	head=$(git -C "$top_srcdir" rev-parse --short=12 HEAD)
	grep -q "(git $head" "$TMPD/version"
	ok $? "a build from git names its commit $head"
elif [ -f "$top_srcdir/.tarball-commit" ]; then
	grep -qF "$(cat "$top_srcdir/.tarball-commit")" "$TMPD/version"
	ok $? "a build from a tarball names the commit it was made from"
fi

# The installed page renders without warnings.
if command -v man >/dev/null; then
	MANWIDTH=80 man --warnings -l "$ROOT$man1dir/cproftop.1" \
		>"$TMPD/man.txt" 2>"$TMPD/man.err"
	ok $? "man -l renders the installed page"
	is "$(cat "$TMPD/man.err")" "" "... without a warning"
	grep -q '^SYNOPSIS' "$TMPD/man.txt"
	ok $? "... with its SYNOPSIS"
else
	skip "man is not installed (Debian: man-db)"
fi

# A headless profile of a workload with the installed binary: a fixed
# amount of work (about 0.6 s of CPU), so a loaded machine gets as many
# samples, only later.
need_ptrace
"$BIN" --top=5 -- "$(workload ratio)" -w 600 >"$TMPD/top" 2>"$TMPD/err"
ok $? "the installed binary profiles a spawned workload headless"
grep -Eq '^ +[0-9]+ +[0-9.]+% +[0-9.]+% +[0-9]+ +[0-9.]+% +hot_a$' "$TMPD/top"
st=$?
ok $st "... and its --top table has hot_a (50 % of the work)"
atleast "$(sed -n 's/.*Total samples = \([0-9]*\).*/\1/p' "$TMPD/top")" 30 \
	"... from enough samples"
[ $st -eq 0 ] || sed 's/^/# /' "$TMPD/top" "$TMPD/err"

# --heap with the installed interposer (its installed path is under
# DESTDIR here, hence CPROFTOP_HEAP_LIB).
CPROFTOP_HEAP_LIB="$ROOT$pkglibdir/libcproftop-heap.so" "$BIN" --heap \
	--heap-rate 4096 --top=5 -- "$top_builddir/tests/heap/workload" -m 2 \
	>"$TMPD/heap" 2>"$TMPD/err"
grep -q ' keep_a$' "$TMPD/heap"
st=$?
ok $st "the installed interposer profiles a spawned workload's heap"
[ $st -eq 0 ] || sed 's/^/# /' "$TMPD/heap" "$TMPD/err"

mk uninstall DESTDIR="$ROOT" >"$TMPD/uninstall.out" 2>&1
ok $? "make uninstall DESTDIR=..."
is "$(find "$ROOT" -type f -o -type l | wc -l)" 0 "nothing is left behind"
done_testing
