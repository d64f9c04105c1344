# Thread names as the program gives them: ratio names each of its 1000
# sleeping threads with pthread_setname_np() right after pthread_create();
# the thread may be asleep by then, never to run again, and cproftop may
# have read its name before (at its registration). Each thread born while
# profiled has its name read again at the next two housekeepings (1 s apart)
# (before: 13-16 of the 1000 kept the name "ratio" in the profile, in 2 of
# 3 runs). The profile's thread_name labels, read with go tool pprof -raw.
. "$top_srcdir/tests/lib.sh"
need_ptrace
need_cmd go

"$CPROFTOP" --backend=ptrace --wall -F 200 --top=1 -o "$TMPD/p.pb.gz" -- \
	"$(workload ratio)" -t 1 -s 1000 -w 1500 >/dev/null 2>"$TMPD/err"
ok $? "cproftop exits 0"
# thread_id -> thread_name, then how many threads carry each name class
go tool pprof -raw "$TMPD/p.pb.gz" 2>/dev/null |
	sed -n '/^Samples/,/^Locations/p' |
	awk '/thread_name:/ { match($0, /thread_name:\[[^]]*\]/)
			n = substr($0, RSTART + 13, RLENGTH - 14) }
		/thread_id:/ { match($0, /thread_id:\[[^]]*\]/)
			name[substr($0, RSTART + 11, RLENGTH - 12)] = n }
		END { for (t in name) { m = name[t]; sub(/-[0-9]+$/, "-N", m)
			c[m]++ }
			for (m in c) print m, c[m] }' >"$TMPD/names"
diag "$(cat "$TMPD/names")"
is "$(awk '$1 == "sleeper-N" { print $2 }' "$TMPD/names")" 1000 \
	"every sleeper is named sleeper-N"
is "$(awk '$1 == "ratio" { print $2 }' "$TMPD/names")" 1 \
	"one thread, the main one, is named ratio"
done_testing
