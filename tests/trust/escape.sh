#!/bin/sh
# Names the target controls never reach the terminal raw (issue 9, item 9):
# its thread name (OSC 52), a symbol (a terminal title), a DWARF file name
# (OSC 52 + clear screen) and its command line come out of --top, --dump,
# --stats and error messages with "\x1b" escapes, and the live screen
# shows them without passing a control byte to the terminal; the pprof
# file keeps them exactly.
. "$top_srcdir/tests/lib.sh"
need_ptrace

H="$top_builddir/tests/trust/hostile"
ESC=$(printf '\033')
BEL=$(printf '\007')

# no_controls FILE: status 0 when FILE holds no ESC, BEL or other C0
# control byte but newline (and no C1 CSI/OSC in UTF-8).
no_controls() {
	! LC_ALL=C grep -q "$(printf '[\001-\011\013-\037\177]')" "$1" &&
		! LC_ALL=C grep -q "$(printf '\302[\200-\237]')" "$1"
}

start_bg "$H" -d 120 "arg${ESC}]0;cmdline${BEL}"
H_PID=$BG_PID
wait_until 5 grep -q ready "$BG_OUT"
ok $? "the hostile workload runs"

"$CPROFTOP" -p "$H_PID" -F 199 -d 2 --top 50 --stats -o "$TMPD/p.pb.gz" \
	>"$TMPD/top" 2>"$TMPD/stats"
ok $? "--top: exit 0"
no_controls "$TMPD/top"
ok $? "--top: no control byte in the output"
grep -Fq 'evil\x1b]0;title\x07fn' "$TMPD/top"
ok $? "--top: the symbol's escapes are shown as \\x1b and \\x07"
grep -Fq 'arg\x1b]0;cmdline\x07' "$TMPD/top"
ok $? "--top: the command line's too"
no_controls "$TMPD/stats" && grep -q "stats samples=" "$TMPD/stats"
ok $? "--stats: no control byte"

"$CPROFTOP" -p "$H_PID" --dump >"$TMPD/dump" 2>&1
ok $? "--dump: exit 0"
no_controls "$TMPD/dump"
ok $? "--dump: no control byte in the output"
grep -Fq '"\x1b]52;c;aGk=\x07"' "$TMPD/dump"
ok $? "--dump: the thread name (OSC 52) escaped"
# A dump is one moment: take some until the stack is in evil_*.
r=1
for i in 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17 18 19 20; do
	"$CPROFTOP" -p "$H_PID" --dump >"$TMPD/dump" 2>&1
	no_controls "$TMPD/dump" || { r=2; break; }
	if grep -Eq 'evil_src at \\x1b\[2Jsrc\.c:[0-9]+$|evil\\x1b\]0;title\\x07fn$' "$TMPD/dump"; then
		r=0
		break
	fi
done
ok $r "--dump: the symbol or its DWARF file escaped (after $i dumps)"

# The pprof file is for programs: names exactly as the target has them.
gzip -dc "$TMPD/p.pb.gz" >"$TMPD/p.pb"
LC_ALL=C grep -q "evil${ESC}]0;title${BEL}fn" "$TMPD/p.pb"
ok $? "pprof: the symbol kept byte for byte"
LC_ALL=C grep -q "${ESC}]52;c;aGk=${BEL}" "$TMPD/p.pb"
ok $? "pprof: the thread name kept byte for byte"

# Error messages quote names too.
"$CPROFTOP" -d 1 -- "/no/such/${ESC}]0;x${BEL}cmd" >"$TMPD/out" 2>"$TMPD/err"
is "$?" 127 "a missing command with escapes: exit 127"
no_controls "$TMPD/err" && grep -Fq '\x1b]0;x\x07cmd' "$TMPD/err"
ok $? "... its name escaped in the message"
"$CPROFTOP" -p "1${ESC}[2J" >"$TMPD/out" 2>"$TMPD/err"
is "$?" 2 "a bad PID with escapes: exit 2"
no_controls "$TMPD/err" && grep -Fq "'1\\x1b[2J'" "$TMPD/err"
ok $? "... quoted escaped"

# The live screen: what reaches the terminal, byte for byte (tmux's
# pipe-pane), holds none of the target's sequences.
if command -v tmux >/dev/null 2>&1; then
	. "$top_srcdir/tests/tui/tui-lib.sh"
	tui_start 120 30 "$TUI" -p "$H_PID"
	tui_tmux pipe-pane -o -t "$TUI_SESSION" "cat >>'$TMPD/raw'"
	tui_wait 10 'evil.*title.*fn'
	ok $? "the screen shows the symbol"
	tui_keys t
	tui_wait 5 '52;c;aGk='
	ok $? "the thread list shows the thread name"
	tui_keys q
	wait_until 10 sh -c "[ -s '$TMPD/tui.rc' ]"
	ok $? "q quits"
	LC_ALL=C grep -q "]52;c;" "$TMPD/raw" &&
		! LC_ALL=C grep -q "${ESC}]52;c;" "$TMPD/raw" &&
		! LC_ALL=C grep -q "${ESC}]0;title" "$TMPD/raw" &&
		! LC_ALL=C grep -q "${ESC}\[2J${BEL}" "$TMPD/raw"
	ok $? "no OSC 52, title or clear-screen of the target's reached the terminal"
else
	for i in 1 2 3 4; do skip "tmux is not installed"; done
fi
all_untraced "$H_PID" && kill -0 "$H_PID"
ok $? "the target runs on, untraced"
done_testing
