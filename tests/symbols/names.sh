# Names people recognise: a malloc-heavy program shows glibc's functions as
# perf and gdb print them (malloc, free, pthread_mutex_lock), not glibc's
# internal aliases (__GI___libc_malloc, __libc_malloc, ___pthread_mutex_lock)
# -- whether the names come from libc's .dynsym or, with libc6-dbg
# installed, from its DWARF and .symtab.
. "$top_srcdir/tests/lib.sh"
. "$top_srcdir/tests/sampler/top.sh"
need_ptrace

W="$top_builddir/tests/symbols/mallocs"
"$CPROFTOP" -F 500 --top=60 -- "$W" 3 >"$TMPD/top" 2>"$TMPD/err"
ok $? "cproftop exits 0"
top_names "$TMPD/top" >"$TMPD/names"
diag "$(head -12 "$TMPD/top" | tail -8)"
for n in malloc free pthread_mutex_lock churn; do
	grep -qx "$n" "$TMPD/names"
	ok $? "$n is named $n"
done
bad=$(grep -E '^(__GI_|__libc_malloc|__libc_free|___pthread|_int_malloc@)' \
	"$TMPD/names" | head -3)
is "$bad" "" "no internal glibc alias where a public name exists"
atleast "$(top_col "$TMPD/top" churn 5)" 90 "churn cum%"
done_testing
