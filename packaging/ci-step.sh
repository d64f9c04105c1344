#!/bin/bash
# packaging/ci-step.sh TARGET: runs `make TARGET` in _build/ for CI (.ci/run)
# with warnings as errors, its output in _build/TARGET.out; prints how long
# it took, and the end of the output when it fails. Exit status: make's.
set -uo pipefail
target=$1
top=$(cd "$(dirname "$0")/.." && pwd)
out="$top/_build/$target.out"
start=$SECONDS
echo "==> make $target"
DEB_BUILD_OPTIONS="parallel=$(nproc 2>/dev/null || echo 2) ${DEB_BUILD_OPTIONS:-}" \
	make -j"$(nproc 2>/dev/null || echo 2)" -C "$top/_build" "$target" \
	DISTCHECK_CONFIGURE_FLAGS="--enable-werror" >"$out" 2>&1
status=$?
if [ "$status" -eq 0 ]; then
	echo "make $target: passed in $((SECONDS - start)) s"
else
	echo "make $target: FAILED in $((SECONDS - start)) s; the end of $out:"
	grep -E '^(not ok|FAIL|ERROR|E: )' "$out" | head -n 20
	tail -n 30 "$out"
fi
exit "$status"
