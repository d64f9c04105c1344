# debian/ keeps up with the build: every Debian package configure.ac asks
# for (CPT_DEP's third argument, 'apt-get install PKG' in its errors) is a Build-Depends of
# debian/control, and debian/changelog's version is the package version.
# (make deb-check builds the package itself; CI runs it.)
. "$top_srcdir/tests/lib.sh"

control="$top_srcdir/debian/control"
# The Build-Depends field, one package name per line.
awk '/^Build-Depends:/ { on = 1; sub(/^Build-Depends:/, "") }
	on && /^[A-Za-z-]+:/ && !/^Build-Depends:/ { on = 0 }
	on { print }' "$control" | tr ',|' '\n\n' |
	sed -E 's/\(.*\)//; s/<.*>//; s/\[.*\]//; s/^ +//; s/ +$//' |
	grep -v '^$' | sort -u >"$TMPD/bdeps"
grep -q '^debhelper-compat' "$TMPD/bdeps"
ok $? "Build-Depends: debhelper-compat"
{
	grep -oE "apt-get install [a-z0-9.+-]+" "$top_srcdir/configure.ac" |
		awk '{ print $3 }'
	# CPT_DEP([VAR], [pkg-config module], [Debian package])
	grep -oE 'CPT_DEP\(\[[^]]*\], *\[[^]]*\], *\[[a-z0-9.+-]+\]' \
		"$top_srcdir/configure.ac" | sed -E 's/.*\[([^]]*)\]$/\1/'
} | sort -u >"$TMPD/wanted"
[ -s "$TMPD/wanted" ]
ok $? "configure.ac names its Debian packages"
while read -r pkg; do
	grep -qx -- "$pkg" "$TMPD/bdeps"
	ok $? "$pkg (configure.ac) is in debian/control's Build-Depends"
done <"$TMPD/wanted"

version=$("$CPROFTOP" --version | awk '{ print $2 }')
changelog=$(sed -nE '1s/^cproftop \(([^)]*)\).*/\1/p' \
	"$top_srcdir/debian/changelog")
is "$changelog" "$version" "debian/changelog's version is cproftop's"
done_testing
