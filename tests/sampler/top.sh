# Helpers for tests that read cproftop's --top output (pprof -top rows:
# flat flat% sum% cum cum% name). Sourced after tests/lib.sh.

# top_col FILE NAME COL: column COL (2 = flat%, 5 = cum%, 1 = flat,
# 4 = cum) of NAME's row, without '%'; 0 when NAME has no row.
top_col() {
	awk -v n="$2" -v c="$3" '
		NF >= 6 && $6 == n { v = $c; sub("%", "", v); print v; f = 1; exit }
		END { if (!f) print 0 }' "$1"
}

# top_names FILE: the function names of the rows, in order.
top_names() {
	awk '/^ *flat +flat%/ { t = 1; next } t && NF >= 6 { print $6 }' "$1"
}

# stat_of FILE KEY: a value of the "cproftop: stats k=v ..." line.
stat_of() {
	tr ' ' '\n' <"$1" | awk -F= -v k="$2" '$1 == k { print $2 }'
}
