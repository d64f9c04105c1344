# The live screen with children followed: the thread list shows each
# thread's process (PID and name), and x narrows the table to the process
# of the selected thread (here the parent: its parent_spin stays, the
# child's child_hot goes).
. "$top_srcdir/tests/lib.sh"
need_ptrace

printf '%s\n' "resize 160 30" "wait 3000" t "wait 1500" dump F3 \
	"type forker" Enter x "wait 500" t "wait 1500" dump q >"$TMPD/script"
"$CPROFTOP" -F 200 --script "$TMPD/script" --child-output "$TMPD/child" -- \
	"$(workload forker)" -p 500 -c 4000 >"$TMPD/out" 2>&1
ok $? "cproftop --script exits 0"
child=$(sed -n 's/^child_pid=//p' "$TMPD/child")
awk '/^--- screen/ { n++ } n == 1' "$TMPD/out" >"$TMPD/threads"
awk '/^--- screen/ { n++ } n == 2' "$TMPD/out" >"$TMPD/table"
grep -qE '^sel +PID process +TID name' "$TMPD/threads"
ok $? "the thread list has PID and process columns"
grep -qE "^\[ \] +$child forkee +$child forkee " "$TMPD/threads"
ok $? "the child's thread shows its process: $child forkee"
diag "$(grep -E '^\[' "$TMPD/threads")"
grep -q 'Threads 1 of 2' "$TMPD/table"
ok $? "x: the table narrowed to one process's threads"
grep -q ' parent_spin$' "$TMPD/table" && ! grep -q child_hot "$TMPD/table"
ok $? "x on the parent: parent_spin stays, the child's child_hot goes"
done_testing
