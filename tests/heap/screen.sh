#!/bin/bash
# tests/heap/screen.sh: the live screen with --heap (tmux): the header
# shows the heap's live bytes and allocation rate; `m` cycles CPU, wall,
# heap in-use (keep_a on top), heap allocated (churn_c among the rows);
# window mode shows what grew in the last seconds (the leaking leak_l, not
# keep_a, which stopped growing); `s` saves Go's heap profile.
. "$top_srcdir/tests/lib.sh"
. "$top_srcdir/tests/tui/tui-lib.sh"
need_ptrace
need_cmd go
export HOME="$TMPD" GOCACHE="$TMPD/gocache" PPROF_TMPDIR="$TMPD"

W=$top_builddir/tests/heap/workload
mkdir "$TMPD/cwd"
# -m 16: 96 MiB kept (keep_a 48), then leak_l leaks 1.25 MiB/s
TUI_CWD="$TMPD/cwd" tui_start 120 30 "$TUI" --heap --heap-rate 65536 \
	--child-output "$TMPD/w.out" -- "$W" -m 16 -s 120 -l
wait_until 30 grep -qs '^holding pid=' "$TMPD/w.out"
ok $? "the workload allocated and holds its memory"
WP=$(sed -n 's/^holding pid=//p' "$TMPD/w.out")
tap_bg_pids="$tap_bg_pids $WP"

tui_wait 20 'Mode CPU.*Heap [0-9.]+[kMG]?B in use, allocating'
ok $? "CPU mode: the header shows the heap's live bytes and allocation rate"

# bytes LABEL: pprof's 1024-based label ("12.50MB") in bytes
bytes() {
	awk -v v="$1" 'BEGIN { m = 1; u = v; sub(/^[-0-9.]+/, "", u)
		if (u == "kB") m = 1024; if (u == "MB") m = 1048576
		if (u == "GB") m = 1073741824; printf "%.0f\n", v * m }'
}

tui_keys m
tui_wait 5 'Mode wall' ; ok $? "m: wall"
tui_keys m
tui_wait 5 'Mode heap in-use' ; ok $? "m: heap in-use"
tui_wait 10 '^ +[0-9.]+[kMG]?B .*%  keep_a$'
is "$(tui_first_row)" keep_a "heap in-use: keep_a holds the most"
# header_figures: the header's live bytes and allocation rate, in bytes
header_figures() {
	line=$(tui_screen | grep -m1 '^Heap ')
	live=$(bytes "$(echo "$line" | sed -n 's/^Heap \([^ ]*\) in use.*/\1/p')")
	rate=$(bytes "$(echo "$line" | sed -n 's/.*allocating \([^ ]*\)\/s.*/\1/p')")
}
# the rate settles once the start's allocations (160 MiB in a second or
# two) are more than 5 s old: then it is the leak's 1.25 MiB/s, estimated
# from ~100 samples a 5 s
rate_settled() {
	header_figures
	[ "${rate:-0}" -gt 500000 ] && [ "${rate:-0}" -lt 3000000 ]
}
wait_until 30 rate_settled
r=$?
diag "$line"
ok $r "the allocation rate: the leak's 1.3 MB/s (got $rate)"
# 96 MiB kept and what leaked so far; sampled: +- 15 %
if [ "${live:-0}" -gt 85000000 ] && [ "${live:-0}" -lt 200000000 ]; then
	r=0; else r=1; fi
ok $r "the live bytes estimate: the 96 MiB kept and the leak (got $live)"

tui_keys m
tui_wait 5 'Mode heap allocated' ; ok $? "m: heap allocated"
tui_wait 5 '%  churn_c$' ; ok $? "heap allocated: churn_c, which freed all, is a row"
tui_keys m
tui_wait 5 'Mode CPU' ; ok $? "m: back to CPU"

# Window mode: what grew in the last 5 s. keep_a stopped growing; the
# leak goes on.
tui_keys m m w
tui_wait 5 'Mode heap in-use growth.*Scope last 5 s'
ok $? "w: heap in-use growth over the last 5 s"
tui_wait 20 '^ +[0-9.]+[kMG]?B .*%  leak_l$'
is "$(tui_first_row)" leak_l "the window's growth: leak_l on top"
tui_screen | grep -q '%  keep_a$'
ok $((!$?)) "keep_a, which no longer grows, is not a row"

# s: Go's heap profile of what is shown (the window's delta)
tui_keys s
tui_wait 5 "^Save to " ; ok $? "s asks where"
tui_keys Enter
tui_wait 5 "^Saved $TMPD/cwd/cproftop-[0-9]{8}-[0-9]{6}\\.pb\\.gz: Go's heap profile"
ok $? "s saves Go's heap profile"
f=$(ls "$TMPD/cwd"/cproftop-*.pb.gz 2>/dev/null | head -1)
go tool pprof -sample_index=inuse_space -top "$f" >"$TMPD/pprof.txt" 2>&1
first=$(awk '/flat%/ { getline; print $NF; exit }' "$TMPD/pprof.txt")
is "$first" leak_l "go tool pprof reads it: leak_l on top of the growth"

# A CPU-only view says so instead of showing something else.
tui_keys T
tui_wait 5 'The heap modes show this table only'
ok $? "the tree view in a heap mode: said, not shown"

# The command's end shows; q then quits.
kill -TERM "$WP"
tui_wait 15 'target killed by signal 15' ; ok $? "the command's end shows"
tui_keys q
tui_ended 10 ; ok $? "q quits"
done_testing
