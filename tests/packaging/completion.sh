# The bash completion (packaging/bash-completion/cproftop): every option of
# --help after '-', PIDs with their command names after -p (by number or
# by name; no kernel threads), files after -o, directories after
# --source-path, commands after --.
. "$top_srcdir/tests/lib.sh"
need_cmd bash

COMPLETION="$top_srcdir/packaging/bash-completion/cproftop"

# complete WORDS...: what Tab offers for the last word, one per line.
complete_words() {
	PATH="$top_builddir:$PATH" bash -c '
		. "$1" || exit 1
		shift
		COMP_WORDS=("$@")
		COMP_CWORD=$(($# - 1))
		COMPREPLY=()
		_cproftop
		printf "%s\n" "${COMPREPLY[@]}"' complete "$COMPLETION" "$@"
}

bash -n "$COMPLETION"
ok $? "the completion is valid bash"
bash -c '. "$1" && complete -p cproftop' x "$COMPLETION" | grep -q '_cproftop'
ok $? "it registers itself for cproftop"

# Options: exactly the long options of --help (and --).
"$CPROFTOP" --help | sed -nE 's/^ +(-.*)/\1/p' | sed -E 's/  .*//' |
	grep -oE -- '--[a-z0-9][a-z0-9-]*' | sort -u >"$TMPD/help"
complete_words cproftop -- | grep -v '^--$' | sort -u >"$TMPD/opts"
is "$(tr '\n' ' ' <"$TMPD/opts")" "$(tr '\n' ' ' <"$TMPD/help")" \
	"'-' offers every option of --help"
is "$(complete_words cproftop --fr)" "--freq" "--fr completes to --freq"

# PIDs: a process with a name of our own, found by number and by name.
name="cptc$$"
name=${name:0:15}
cp "$(command -v sleep)" "$TMPD/$name"
start_bg "$TMPD/$name" 60
pid=$BG_PID
wait_until 5 grep -q "($name)" "/proc/$pid/stat"
ok $? "a process named $name runs ($pid)"
complete_words cproftop -p "" >"$TMPD/all"
grep -qx "$pid ($name)" "$TMPD/all"
ok $? "-p offers '$pid ($name)' among $(wc -l <"$TMPD/all") processes"
! grep -Eq '^2 \(|\(kthreadd\)' "$TMPD/all"
ok $? "-p offers no kernel thread"
if [ "$(id -u)" -ne 0 ]; then
	! grep -Eq '^1 \(' "$TMPD/all"
	ok $? "-p offers only one's own processes"
fi
is "$(complete_words cproftop -p "$pid")" "$pid" \
	"-p with the whole PID completes to it alone"
is "$(complete_words cproftop -p "$name")" "$pid" \
	"-p with the command's name completes to its PID"
is "$(complete_words cproftop --pid = "$pid")" "$pid" "--pid=PID too"
complete_words cproftop -p "${pid:0:1}" >"$TMPD/some"
grep -qx "$pid ($name)" "$TMPD/some" && ! grep -qv "^${pid:0:1}" "$TMPD/some"
ok $? "-p with a first digit offers the PIDs starting with it"

# Arguments that are files, directories or a command.
mkdir -p "$TMPD/dir.d"
: >"$TMPD/file.pb.gz"
is "$(complete_words cproftop -o "$TMPD/file.p")" "$TMPD/file.pb.gz" \
	"-o completes file names"
is "$(complete_words cproftop --source-path "$TMPD/")" "$TMPD/dir.d" \
	"--source-path completes directories only"
complete_words cproftop -- "$name" >"$TMPD/cmd"
is "$(cat "$TMPD/cmd")" "" "-- does not complete a command not on PATH"
PATH="$TMPD:$PATH" complete_words cproftop -- "$name" >"$TMPD/cmd"
grep -qx "$name" "$TMPD/cmd"
ok $? "-- completes a command on PATH"
is "$(complete_words cproftop -F "")" "" "-F offers nothing"
done_testing
