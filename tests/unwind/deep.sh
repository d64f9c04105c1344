# Stacks deeper than the capture's 32 KiB copy: tests/unwind/deep nests
# ~200 KiB of frames. The first samples end early (counted as
# stack_copy_short); the thread then copies more and its stacks reach main.
# The ptrace backend's: perf's kernel copies a fixed --stack-size.
. "$top_srcdir/tests/lib.sh"
. "$top_srcdir/tests/sampler/top.sh"
need_ptrace

"$CPROFTOP" --backend ptrace -F 250 --top=10 --stats -- \
	"$top_builddir/tests/unwind/deep" 3 \
	>"$TMPD/top" 2>"$TMPD/err"
ok $? "cproftop exits 0"
diag "$(grep stats "$TMPD/err")"
short=$(stat_of "$TMPD/err" stack_copy_short)
stops=$(stat_of "$TMPD/err" stops)
atleast "$short" 1 "stacks deeper than the copy are counted"
# 32 KiB, then 128, then 320 KiB: the ~200 KiB stack fits by the third.
awk -v a="$short" 'BEGIN { exit !(a <= 3) }'
ok $? "then the thread copies more: $short of $stops stacks were cut"
is "$(stat_of "$TMPD/err" unwind_errors)" "$short" \
	"every stack that ended early was one cut by the copy"
if [ "$stops" -ge 30 ]; then
	atleast "$(top_col "$TMPD/top" leaf 2)" 80 "leaf flat%"
	atleast "$(top_col "$TMPD/top" main 5)" 80 "main cum% (the whole stack)"
else
	skip "only $stops stops on this loaded machine: shares not checked"
	skip "only $stops stops on this loaded machine: shares not checked"
fi
done_testing
