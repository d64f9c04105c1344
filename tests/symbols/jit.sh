# JIT code named from /tmp/perf-PID.map and unwound by its frame pointer:
# tests/symbols/jitmap writes its own map for code it mmaps; node (when
# installed) with --perf-basic-prof shows a JavaScript function by name.
. "$top_srcdir/tests/lib.sh"
. "$top_srcdir/tests/sampler/top.sh"
need_ptrace

W="$top_builddir/tests/symbols/jitmap"
"$CPROFTOP" -F 500 --top=40 --stats -- "$W" 3 >"$TMPD/top" 2>"$TMPD/err"
ok $? "jitmap: cproftop exits 0"
diag "$(grep -A6 ' flat%' "$TMPD/top")"
atleast "$(top_col "$TMPD/top" jit_spin_loop 2)" 50 \
	"jitmap: jit_spin_loop (named by the map's later line) flat%"
is "$(top_col "$TMPD/top" old_jit_name 4)" 0 \
	"jitmap: the earlier line's name is not used"
atleast "$(top_col "$TMPD/top" runner 5)" 90 \
	"jitmap: runner cum% (the JIT frame unwound by its frame pointer)"
atleast "$(top_col "$TMPD/top" main 5)" 90 "jitmap: main cum%"
atleast "$(stat_of "$TMPD/err" fallback_stacks)" 1 \
	"jitmap: stacks unwound without CFI are counted"

if command -v node >/dev/null 2>&1; then
	cat >"$TMPD/hot.js" <<'JS'
require("fs").writeFileSync(process.argv[3], String(process.pid));
function hotJsFunction(n) { let s = 0; for (let i = 0; i < n; i++) s += i % 7; return s; }
const end = Date.now() + 1000 * Number(process.argv[2]);
let t = 0;
while (Date.now() < end) t += hotJsFunction(100000);
JS
	"$CPROFTOP" -F 500 --top=40 --stats -o "$TMPD/node.pb.gz" -- \
		node --perf-basic-prof "$TMPD/hot.js" 3 "$TMPD/node.pid" >"$TMPD/node" 2>"$TMPD/node.err"
	ok $? "node: cproftop exits 0"
	diag "$(grep -A6 ' flat%' "$TMPD/node")"
	# V8 may inline hotJsFunction into the script's loop (on-stack
	# replacement): either way the hot code is named from the map.
	js=$(awk '$6 ~ /^JS:/ { s += $2 } END { print s + 0 }' "$TMPD/node")
	atleast "$js" 50 "node: JavaScript frames named from the perf map (flat%)"
	grep -q 'JS:[*~^]*hotJsFunction' "$TMPD/node"
	ok $? "node: hotJsFunction by name"
	unknown=$(top_col "$TMPD/node" "[unknown]" 2)
	awk -v u="$unknown" 'BEGIN { exit !(u < 5) }'
	ok $? "node: under 5 % [unknown] ($unknown)"
	# node leaves its map behind.
	rm -f "/tmp/perf-$(cat "$TMPD/node.pid").map"
else
	skip "node is not installed"
fi
done_testing
