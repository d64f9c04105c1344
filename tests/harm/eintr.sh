# Issue 9 item 1: cproftop never makes a blocking call fail with EINTR.
# tests/harm/eintr blocks threads in epoll_wait, sigtimedwait, semop and
# recv with SO_RCVTIMEO (calls the kernel does not restart after a ptrace
# stop) 50 times a second each, beside a busy thread, and counts EINTRs per
# call kind: under cproftop -F 1000 in CPU mode, wall mode and --dump every
# count must be 0, as untraced.
. "$top_srcdir/tests/lib.sh"
need_ptrace
E="$top_builddir/tests/harm/eintr"

# counts FILE LABEL: every eintr_* is 0 and every call kind blocked often.
counts() {
	for k in epoll_wait sigtimedwait semop recv; do
		v=$(tr ' ' '\n' <"$1" | awk -F= -v k="eintr_$k" '$1 == k { print $2 }')
		is "$v" 0 "$2: no EINTR in $k"
		c=$(tr ' ' '\n' <"$1" | awk -F= -v k="calls_$k" '$1 == k { print $2 }')
		atleast "${c:-0}" 20 "$2: $k was called and blocked again and again"
	done
}

"$E" -d 1 >"$TMPD/alone"
counts "$TMPD/alone" "untraced"

"$CPROFTOP" -F 1000 --backend=ptrace --top=5 --stats \
	--child-output "$TMPD/cpu.out" -- \
	"$E" -d 3 >"$TMPD/cpu" 2>"$TMPD/cpu.err"
ok $? "CPU mode: cproftop exits 0"
diag "$(grep stats "$TMPD/cpu.err")"
counts "$TMPD/cpu.out" "CPU mode, -F 1000"

"$CPROFTOP" -F 1000 --wall --top=5 --stats --child-output "$TMPD/wall.out" \
	-- "$E" -d 3 >"$TMPD/wall" 2>"$TMPD/wall.err"
ok $? "wall mode: cproftop exits 0"
diag "$(grep stats "$TMPD/wall.err")"
counts "$TMPD/wall.out" "wall mode, -F 1000"

# Attached to a running process: ten --dumps (attach, one look, detach).
start_bg "$E" -d 30
wait_until 5 grep -q ready "$BG_OUT"
ok $? "eintr started"
fails=0
for i in 1 2 3 4 5 6 7 8 9 10; do
	"$CPROFTOP" -p "$BG_PID" --dump >"$TMPD/dump.$i" 2>&1
	st=$?
	if [ $st -ne 0 ]; then
		fails=$((fails + 1))
		diag "--dump $i exited $st: $(tail -n 3 "$TMPD/dump.$i")"
	fi
done
is "$fails" 0 "ten --dumps exit 0"
grep -q 'epoll_thread' "$TMPD/dump.1"
ok $? "--dump shows the thread blocked in epoll_wait"
kill -TERM "$BG_PID"
wait "$BG_PID"
counts "$BG_OUT" "--dump x 10"
done_testing
