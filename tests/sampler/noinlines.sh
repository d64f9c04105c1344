# --noinlines with --top (pprof's -noinlines, the live screen's I key): the
# inlined workload's inl_hot is always_inline into caller_one and
# caller_two (50 % each). By default flat goes to inl_hot, as in pprof;
# with --noinlines to the two callers it was inlined into.
. "$top_srcdir/tests/lib.sh"
. "$top_srcdir/tests/sampler/top.sh"
need_ptrace
W=$(workload inlined)

"$CPROFTOP" -F 200 --top=10 -o "$TMPD/inl.pb.gz" -- "$W" -w 1000 \
	>"$TMPD/inl.top" 2>&1
ok $? "--top exits 0"
atleast "$(top_col "$TMPD/inl.top" inl_hot 2)" 80 \
	"default: flat goes to the inlined inl_hot"
"$CPROFTOP" -F 200 --top=10 --noinlines -- "$W" -w 1000 \
	>"$TMPD/noinl.top" 2>&1
ok $? "--noinlines --top exits 0"
is "$(top_col "$TMPD/noinl.top" inl_hot 1)" 0 "--noinlines: no inl_hot row"
one=$(top_col "$TMPD/noinl.top" caller_one 2)
two=$(top_col "$TMPD/noinl.top" caller_two 2)
atleast "$(awk -v a="$one" -v b="$two" 'BEGIN { print a + b }')" 80 \
	"--noinlines: flat goes to caller_one and caller_two"
within "$one" "$two" 25 "--noinlines: the two callers about even"
if command -v go >/dev/null 2>&1; then
	go tool pprof -top -noinlines "$TMPD/inl.pb.gz" 2>/dev/null |
		awk '$6 == "caller_one" || $6 == "caller_two" { s += $2 }
			END { exit !(s + 0 >= 80) }'
	ok $? "go tool pprof -noinlines agrees on the -o file"
else
	skip "go is not installed"
fi
done_testing
