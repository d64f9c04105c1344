# Debug info by build-id from a debuginfod server: a local `debuginfod`
# (Debian package debuginfod) on 127.0.0.1 serves the unstripped
# ratio-nofp, of which ratio-stripped is a stripped copy; cproftop, given
# DEBUGINFOD_URLS, profiles ratio-stripped (no symbols, no DWARF) and names
# hot_a/hot_b/hot_c once the fetch has landed (in the background: samples
# taken before keep their offsets).
. "$top_srcdir/tests/lib.sh"
. "$top_srcdir/tests/sampler/top.sh"
need_ptrace
need_cmd debuginfod
need_cmd curl

SRV="$TMPD/srv"
mkdir -p "$SRV"
cp "$top_builddir/tests/workloads/ratio-nofp" "$SRV/ratio-nofp"
W="$top_builddir/tests/workloads/ratio-stripped"
bid=$(readelf -n "$W" | awk '/Build ID/ { print $3; exit }')
ok $? "ratio-stripped has a build-id ($bid)"
port=$((20000 + $$ % 20000))
start_bg debuginfod -p "$port" -F "$SRV" -d "$TMPD/db.sqlite" -t0 -g0
url="http://127.0.0.1:$port"
served=1
for _ in $(seq 1 75); do # the server scans the directory first
	if curl -sf -o /dev/null "$url/buildid/$bid/debuginfo"; then
		served=0
		break
	fi
	sleep 0.2
done
ok $served "debuginfod on $url serves ratio-nofp's debug info"
[ "$served" -eq 0 ] || { diag "$(tail -5 "$BG_OUT")"; done_testing; }

DEBUGINFOD_URLS=$url DEBUGINFOD_CACHE_PATH="$TMPD/cache" \
	"$CPROFTOP" -F 500 --top=30 --stats -- "$W" -d 4 \
	>"$TMPD/top" 2>"$TMPD/err"
ok $? "cproftop exits 0"
diag "$(grep -A5 ' flat%' "$TMPD/top")"
diag "$(grep stats "$TMPD/err")"
# Samples taken before the fetch landed keep ratio-stripped+0x... names.
atleast "$(top_col "$TMPD/top" hot_a 2)" 20 "hot_a named from the fetched debug info"
atleast "$(top_col "$TMPD/top" hot_b 2)" 10 "hot_b named"
atleast "$(top_col "$TMPD/top" worker 5)" 50 "worker named"
[ -d "$TMPD/cache/$bid" ]
ok $? "the debug file is cached where debuginfod caches ($TMPD/cache/$bid)"
is "$(stat_of "$TMPD/err" debuginfod_pending)" 0 "no fetch pending at the end"
done_testing
