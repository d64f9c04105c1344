#!/bin/sh
# quickstart's summary: it counts the TAP test points of the automake .trs
# files of each build, names the failed tests with the end of their logs,
# and ends with "N passed, N failed[, N skipped]" and a matching status.
. "$top_srcdir/tests/lib.sh"

Q="$top_srcdir/quickstart"
bash -n "$Q"
ok $? "quickstart is valid bash"

# trs FILE RESULT...: an automake .trs file with these test points.
trs() {
	f=$1
	shift
	mkdir -p "$(dirname "$f")"
	for r in "$@"; do
		echo ":test-result: $r"
	done >"$f"
	echo ":global-test-result: PASS" >>"$f"
}

# A clean build and one with a failed test point.
trs "$TMPD/good/tests/a.sh.trs" PASS PASS PASS
trs "$TMPD/good/tests/u/b_test.trs" PASS XFAIL
echo 0 >"$TMPD/good/.check-status"
trs "$TMPD/bad/tests/c.sh.trs" PASS SKIP FAIL
printf 'ok 1 - first\n# SKIP x\nnot ok 3 - third thing\n' >"$TMPD/bad/tests/c.sh.log"
trs "$TMPD/bad/tests/d.sh.trs" SKIP XPASS ERROR
: >"$TMPD/bad/tests/d.sh.log"
trs "$TMPD/bad/tests/e_test.trs" PASS ERROR
echo 'e_test: crashed' >"$TMPD/bad/tests/e_test.log"
echo 2 >"$TMPD/bad/.check-status"

out=$(bash "$Q" summary "$TMPD/good")
ok $? "all passed: status 0"
is "$(echo "$out" | tail -1)" "5 passed, 0 failed" "all passed: the summary line"
is "$(echo "$out" | wc -l | tr -d ' ')" 1 "all passed: nothing else printed"

out=$(bash "$Q" summary "$TMPD/good" "$TMPD/bad")
ok $((!$?)) "failures: status non-zero"
is "$(echo "$out" | tail -1)" "7 passed, 3 failed, 2 skipped" \
	"failures: test points of both builds counted"
echo "$out" | grep -qx "FAILED: $TMPD/bad/tests/c.sh"
ok $? "the failed test is named"
echo "$out" | grep -q '^    not ok 3 - third thing$'
ok $? "its failed test point is shown"
echo "$out" | grep -qx "FAILED: $TMPD/bad/tests/d.sh"
ok $? "XPASS counts as a failure (the ERROR of its exit status does not)"
echo "$out" | grep -qx "FAILED: $TMPD/bad/tests/e_test"
ok $? "ERROR alone counts as a failure"
echo "$out" | grep -qx "    e_test: crashed"
ok $? "the test's other output is shown"

# A build that failed before running any test still counts as a failure.
mkdir -p "$TMPD/broken"
echo 2 >"$TMPD/broken/.check-status"
out=$(bash "$Q" summary "$TMPD/good" "$TMPD/broken")
ok $((!$?)) "failed make: status non-zero"
is "$(echo "$out" | tail -1)" "5 passed, 1 failed" "failed make: one failure"

bash "$Q" bogus >/dev/null 2>&1
is $? 2 "an unknown command is a usage error"

done_testing
