#!/bin/sh
# packaging/deb-check.sh DIR VERSION: checks the package `make deb` built
# in DIR, in TAP: its name and version, that it holds the binary, the man
# page, the bash completion and the Debian docs and nothing else, that its
# Depends come from ${shlibs:Depends} (the libraries cproftop links), that
# the packaged binary runs, and that lintian finds no error. Exit status 1
# on any failure.
set -u
dir=$1
version=$2
n=0
failed=0

ok() {
	n=$((n + 1))
	if [ "$1" -eq 0 ]; then
		echo "ok $n - $2"
	else
		echo "not ok $n - $2"
		failed=$((failed + 1))
	fi
}

arch=$(dpkg --print-architecture)
deb="$dir/cproftop_${version}_$arch.deb"
[ -f "$deb" ]
ok $? "the package is $deb"
[ -f "$deb" ] || {
	echo "1..$n"
	exit 1
}

# What it holds: the files (directories aside), exactly.
dpkg -c "$deb" | awk '$1 !~ /^d/ { print $6 }' | sort >"$dir/contents"
cat >"$dir/contents.want" <<'EOF'
./usr/bin/cproftop
./usr/share/bash-completion/completions/cproftop
./usr/share/doc/cproftop/README.md.gz
./usr/share/doc/cproftop/changelog.gz
./usr/share/doc/cproftop/copyright
./usr/share/man/man1/cproftop.1.gz
EOF
echo "./usr/lib/$(dpkg-architecture -qDEB_HOST_MULTIARCH)/cproftop/libcproftop-heap.so" \
	>>"$dir/contents.want"
sort -o "$dir/contents.want" "$dir/contents.want"
if cmp -s "$dir/contents" "$dir/contents.want"; then
	ok 0 "dpkg -c lists the binary, the man page, the completion and the docs"
else
	ok 1 "dpkg -c lists the binary, the man page, the completion and the docs"
	diff "$dir/contents.want" "$dir/contents" | sed 's/^/# /'
fi

field() {
	dpkg-deb -f "$deb" "$1"
}
[ "$(field Package)" = cproftop ] && [ "$(field Version)" = "$version" ] &&
	[ "$(field Architecture)" = "$arch" ]
ok $? "Package cproftop, Version $version, Architecture $arch"

# Depends: ${shlibs:Depends} filled in, one package per library cproftop
# links (libunwind, libdw/libelf, libdebuginfod, capstone, libmicrohttpd,
# ncursesw, protobuf-c, zlib, libc).
depends=$(field Depends)
echo "# Depends: $depends"
for lib in libc6 libcapstone4 libdebuginfod1 libdw1 libelf1 libmicrohttpd12 \
	libncursesw6 libprotobuf-c1 libunwind8 zlib1g; do
	echo "$depends" | grep -Eq "(^|, )$lib( |,|$)"
	ok $? "Depends names $lib"
done

# The packaged binary runs and names its version.
rm -rf "$dir/x" && mkdir -p "$dir/x" && dpkg-deb -x "$deb" "$dir/x"
"$dir/x/usr/bin/cproftop" --version | grep -q "^cproftop $version"
ok $? "the packaged binary runs --version"
zcat "$dir/x/usr/share/man/man1/cproftop.1.gz" | grep -q "^\.TH CPROFTOP 1 .*cproftop $version"
ok $? "the packaged man page is for $version"

# lintian: no errors (warnings are printed, not fatal).
if command -v lintian >/dev/null 2>&1; then
	lintian --fail-on error --no-tag-display-limit "$dir"/cproftop_*.changes \
		>"$dir/lintian.out" 2>&1
	st=$?
	sed 's/^/# /' "$dir/lintian.out"
	ok $st "lintian shows no error"
else
	echo "ok $((n += 1)) # SKIP lintian is not installed"
fi
echo "1..$n"
[ "$failed" -eq 0 ]
