# The manual page says what cproftop does: every option cproftop accepts
# (options.c's getopt table) is listed by --help, by the man page's OPTIONS
# and by README.md's option table, and nothing else is; the man page's
# KEYS are the keys of the live screen's help (?), section by section; and
# man renders the page without a warning.
#
# Adding an option? Add it to the getopt table, options_usage() (--help),
# doc/cproftop.1.in (OPTIONS) and README.md's table: a failure here names
# the option and the side that lacks it.
. "$top_srcdir/tests/lib.sh"

MAN="$top_builddir/doc/cproftop.1"
MAN_SRC="doc/cproftop.1.in"
export LC_ALL=C.UTF-8

# option_tokens: the -X and --long-name tokens of stdin, one per line
# (a bare "--", the spawn separator, is not an option).
option_tokens() {
	grep -oE '(^|[][ ,`(])--?[A-Za-z0-9][A-Za-z0-9-]*' |
		sed -E 's/^[][ ,`(]//' | sort -u
}

# The options cproftop accepts: the long names of every getopt_long
# table and the letters of its short-option string, in the program's own
# sources (not tests/ or bench/).
src_files=$(cd "$top_srcdir" && grep -l 'getopt_long(' ./*.c ./*/*.c 2>/dev/null |
	grep -Ev '^\./(tests|bench)/')
{
	for f in $src_files; do
		grep -oE '\{"[A-Za-z0-9-]+", *(no|required|optional)_argument' \
			"$top_srcdir/$f" | sed -E 's/^\{"([^"]*)".*/--\1/'
		grep -oE 'getopt_long\([^"]*"[^"]*"' "$top_srcdir/$f" |
			sed -E 's/^[^"]*"//; s/"$//; s/^[+-]//; s/[^A-Za-z0-9]//g' |
			grep -oE '.' | sed 's/^/-/'
	done
} | sort -u >"$TMPD/src"
[ -s "$TMPD/src" ]
ok $? "the option table was found in: $(echo $src_files)"

# --help: the first column of every line that starts with an option.
"$CPROFTOP" --help >"$TMPD/help.txt"
ok $? "--help exits 0"
grep -E '^ +-' "$TMPD/help.txt" | sed -E 's/^ +//; s/  .*//' |
	option_tokens >"$TMPD/help"

# The man page: the tag line after each .TP of the OPTIONS section.
[ -f "$MAN" ]
ok $? "the man page was built ($MAN)"
awk '/^\.SH/ { in_opts = ($0 ~ /^\.SH "?OPTIONS"?$/) ; next }
	in_opts && tag { print; tag = 0; next }
	in_opts && /^\.TP/ { tag = 1 }' "$MAN" |
	sed -E 's/^\.[A-Z]+ //; s/\\-/-/g; s/\\f[BIRP]//g; s/"//g' |
	option_tokens >"$TMPD/man"

# README.md: the first cell of the option table's rows.
awk '/^## / { in_usage = ($0 ~ /^## Usage/) } in_usage && /^\| `/' \
	"$top_srcdir/README.md" | awk -F'|' '{ print $2 }' |
	option_tokens >"$TMPD/readme"

# One check per option: it is on every side (one awk, few processes).
sort -u "$TMPD/src" "$TMPD/help" "$TMPD/man" "$TMPD/readme" >"$TMPD/all"
awk -v n="$tap_n" -v man="the man page's OPTIONS ($MAN_SRC)" '
	FNR == 1 { for (j = 1; j < ARGC; j++) if (FILENAME == ARGV[j]) file = j }
	file == 5 { all[++nall] = $0; next }
	{ side[file, $0] = 1 }
	END {
		what[1] = "options.c'"'"'s getopt table (cproftop rejects it)"
		what[2] = "--help"
		what[3] = man
		what[4] = "README.md'"'"'s option table"
		for (i = 1; i <= nall; i++) {
			o = all[i]; m = ""
			for (j = 1; j <= 4; j++)
				if (!((j, o) in side))
					m = m (m == "" ? "" : ", ") what[j]
			if (m == "")
				printf "ok %d - %s: in the getopt table, --help, " \
					"the man page and README.md\n", ++n, o
			else
				printf "not ok %d - %s: missing from %s\n", ++n, o, m
		}
	}' "$TMPD/src" "$TMPD/help" "$TMPD/man" "$TMPD/readme" "$TMPD/all" \
	>"$TMPD/opts.tap"
cat "$TMPD/opts.tap"
tap_n=$((tap_n + $(wc -l <"$TMPD/opts.tap")))
tap_failed=$((tap_failed + $(grep -c '^not ok' "$TMPD/opts.tap")))
atleast "$(wc -l <"$TMPD/all")" 10 "options found"

# key_tokens: the keys of one key column per line of stdin, one per line;
# "Up/Down" is two keys, "/" alone is the key, "or" and commas separate.
# Names of keys (Space, Enter) compare without case.
key_tokens() {
	awk '{ sub(/^ +/, ""); sub(/ +$/, "") }
		$0 == "/" { print; next }
		{ gsub(/[,\/]/, " ")
		  for (i = 1; i <= NF; i++) {
			k = $i
			if (k == "or") continue
			if (length(k) > 1) k = tolower(k)
			print k
		  } }'
}

# The live screen's help, as tui-fake draws it on a tall terminal:
# "SECTION<TAB>key column" for each key line (the key column is 19 wide,
# longer ones end at two spaces).
printf '%s\n' "resize 100 120" "?" "dump" >"$TMPD/help.script"
"$top_builddir/tests/tui/tui-fake" "$top_srcdir/tests/tui/fake_src.c" \
	"$TMPD/help.script" >"$TMPD/screen" 2>&1
ok $? "the live screen's help draws"
awk '/^Help/ { on = 1; next } !on { next }
	/^ [^ ]/ { sec = substr($0, 2); next }
	/^   [^ ]/ {
		col = substr($0, 4, 19)
		if (substr($0, 22, 1) != " ") {
			col = substr($0, 4); sub(/  .*/, "", col)
		}
		print sec "\t" col
	}' "$TMPD/screen" >"$TMPD/tui.cols"
awk '/^\.SH/ { on = ($0 ~ /^\.SH "?KEYS"?$/); next } !on { next }
	/^\.SS/ { sec = $0; sub(/^\.SS +/, "", sec); gsub(/"/, "", sec); next }
	tag { t = $0; sub(/^\.[A-Z]+ /, "", t); gsub(/"/, "", t)
		gsub(/\\-/, "-", t); gsub(/\\e/, "\\", t)
		gsub(/\\f[BIRP]/, "", t)
		print sec "\t" t; tag = 0; next }
	/^\.TP/ { tag = 1 }' "$MAN" >"$TMPD/man.cols"

# keys_of FILE SECTION: the sorted keys of SECTION in FILE.
keys_of() {
	awk -F'\t' -v s="$2" '$1 == s { print $2 }' "$1" | key_tokens | sort -u
}
cut -f1 "$TMPD/tui.cols" | uniq >"$TMPD/tui.secs"
cut -f1 "$TMPD/man.cols" | uniq >"$TMPD/man.secs"
is "$(tr '\n' '|' <"$TMPD/man.secs")" "$(tr '\n' '|' <"$TMPD/tui.secs")" \
	"the man page's KEYS has the help screen's sections"
atleast "$(wc -l <"$TMPD/tui.secs")" 3 "sections in the help screen"
while read -r sec; do
	keys_of "$TMPD/tui.cols" "$sec" >"$TMPD/k.tui"
	keys_of "$TMPD/man.cols" "$sec" >"$TMPD/k.man"
	only_tui=$(comm -23 "$TMPD/k.tui" "$TMPD/k.man" | tr '\n' ' ')
	only_man=$(comm -13 "$TMPD/k.tui" "$TMPD/k.man" | tr '\n' ' ')
	[ -z "$only_tui$only_man" ] && [ -s "$TMPD/k.tui" ]
	ok $? "keys of '$sec': the same in the man page and the help screen"
	[ -z "$only_tui" ] || diag "missing from the man page's KEYS: $only_tui"
	[ -z "$only_man" ] || diag "not in the help screen (tui/help.c): $only_man"
done <"$TMPD/tui.secs"

# man renders the page without a warning, with every section.
MANWIDTH=80 man --warnings -l "$MAN" >"$TMPD/man.txt" 2>"$TMPD/man.err"
ok $? "man -l renders the page"
is "$(cat "$TMPD/man.err")" "" "... without a warning"
for s in NAME SYNOPSIS DESCRIPTION OPTIONS KEYS "EXIT STATUS" ENVIRONMENT \
	FILES PERMISSIONS EXAMPLES "SEE ALSO"; do
	grep -qx "$s" "$TMPD/man.txt"
	ok $? "the page has $s"
done
version=$("$CPROFTOP" --version | awk 'NR == 1 { print $2 }')
head -n 1 "$TMPD/man.txt" | grep -q . &&
	tail -n 1 "$TMPD/man.txt" | grep -qF "cproftop $version"
ok $? "the page names version $version"
# Every exit code of common/exitcodes.h is explained.
for code in $(grep -oE '= [0-9]+,' "$top_srcdir/common/exitcodes.h" |
	tr -dc '0-9\n'); do
	awk '/^EXIT STATUS/ { on = 1; next } /^[A-Z]/ { on = 0 }
		on && $1 == c { f = 1 } END { exit !f }' c="$code" "$TMPD/man.txt"
	ok $? "exit status $code is explained"
done
done_testing
