# Symbolization on real targets: a stripped binary (no invented names,
# stable offsets), a hot spot in a shared library, an inlined function.
. "$top_srcdir/tests/lib.sh"
. "$top_srcdir/tests/sampler/top.sh"
need_ptrace

# Stripped: every name is a real symbol (.dynsym of ratio-stripped, or a
# library's) or ratio-stripped+0xOFFSET, never hot_a & co.
W=$(workload ratio-stripped)
for run in 1 2; do
	"$CPROFTOP" -F 500 --top=10 -o "$TMPD/strip$run.pb.gz" -- "$W" -d 3 \
		>"$TMPD/strip$run" 2>&1
	ok $? "stripped run $run: cproftop exits 0"
done
top_names "$TMPD/strip1" >"$TMPD/names1"
top_names "$TMPD/strip2" >"$TMPD/names2"
! grep -Eq '^(hot_a|hot_b|hot_c|dispatch|worker)$' "$TMPD/names1"
ok $? "stripped: no name that only .symtab (removed) could give"
# The names of the binary's own locations (other modules' names, libc's
# at exit under load, are not this check's: the profile says which is
# which, the --top table does not).
nm -D --defined-only "$W" | awk '{ print $3 }' >"$TMPD/dynsym"
if command -v go >/dev/null 2>&1; then
	go tool pprof -raw "$TMPD/strip1.pb.gz" 2>/dev/null | awk '
		/^Locations/ { s = "l"; next }
		/^Mappings/ { s = "m"; next }
		s == "l" && $3 ~ /^M=/ { m[NR] = substr($3, 3); n[NR] = $4 }
		s == "m" && $3 ~ /\/ratio-stripped$/ { id = $1; sub(":", "", id) }
		END { for (i in m) if (m[i] == id) print n[i] }' |
		sort -u >"$TMPD/own1"
	atleast "$(wc -l <"$TMPD/own1")" 4 "stripped: the binary's locations named"
	bad=$(grep -v -E '^ratio-stripped\+0x[0-9a-f]+$' "$TMPD/own1" |
		grep -v -x -F -f "$TMPD/dynsym" | grep -v -E '^(_start|\[)' |
		head -3)
	is "$bad" "" "stripped: every name of the binary is binary+0xOFFSET or a dynamic symbol"
else
	skip "stripped: every name of the binary is ... (go tool pprof is not installed)"
	skip "stripped: ..."
fi
# The rows with flat samples: hot_a, hot_b and hot_c as three offsets.
hot() {
	awk '/^ *flat +flat%/ { t = 1; next }
		t && NF >= 6 { v = $2; sub("%", "", v); if (v >= 10) print $6 }' "$1" |
		sort
}
hot "$TMPD/strip1" >"$TMPD/hot1"
hot "$TMPD/strip2" >"$TMPD/hot2"
is "$(grep -c '^ratio-stripped+0x' "$TMPD/hot1")/$(wc -l <"$TMPD/hot1")" "3/3" \
	"stripped: the three hot leaves show as three offsets"
is "$(cat "$TMPD/hot1")" "$(cat "$TMPD/hot2")" \
	"stripped: the same offsets in two runs"

# Shared library: cpthot_compute in libcpthot.so is the hot spot.
"$CPROFTOP" -F 500 --top=10 -- "$(workload sharedlib-nofp)" -d 3 \
	>"$TMPD/shared" 2>&1
ok $? "sharedlib: cproftop exits 0"
atleast "$(top_col "$TMPD/shared" cpthot_compute 2)" 50 \
	"sharedlib: cpthot_compute (in libcpthot.so) is the hot spot"

# Inlined: inl_hot is inlined into caller_one and caller_two, 50/50.
"$CPROFTOP" -F 500 --top=10 -- "$(workload inlined)" -d 3 \
	>"$TMPD/inl" 2>&1
ok $? "inlined: cproftop exits 0"
atleast "$(top_col "$TMPD/inl" inl_hot 2)" 80 \
	"inlined: the inlined function carries the flat samples"
within "$(top_col "$TMPD/inl" caller_one 5)" 50 8 \
	"inlined: caller_one's cum through the inline chain"
within "$(top_col "$TMPD/inl" caller_two 5)" 50 8 \
	"inlined: caller_two's cum through the inline chain"
done_testing
