#ifndef CPT_VIEWS_DIFF_H
#define CPT_VIEWS_DIFF_H

/*
 * The base of a diff (pprof's -diff_base): per function name, its flat
 * share of a base profile, so the table can show each function's change
 * as flat% now minus flat% in the base (percentages compare profiles of
 * different lengths; pprof subtracts raw values, which only compares
 * equal lengths). The base is the table marked with `b`, or a pprof file
 * (--base FILE.pb.gz: gzip'd or not, the `samples` type or the first).
 */

#include <stddef.h>
#include <stdint.h>

struct top_table;

struct diff_base {
	char **names; /* sorted, owned */
	uint64_t *flat;
	size_t n;
	uint64_t total; /* the 100 % of the base */
	char *what;	/* "marked at 0:12" or the file name, owned */
};

/* Makes *out the base of table t's rows (function names, flat, total);
   what is copied. */
void diff_from_table(const struct top_table *t, const char *what,
		     struct diff_base *out);

/*
 * Reads a pprof profile (gzip'd or not) from path into *out: per function
 * name, the flat (leaf) samples of sample type `samples` (else the
 * first). Returns 0, or -1 with *cause set (caller frees) when the file
 * cannot be read or is not a profile. Bounded: at most 256 MiB.
 */
int diff_load(const char *path, struct diff_base *out, char **cause);

/* The base's flat share of name in percent, 0 when absent. */
double diff_pct(const struct diff_base *b, const char *name);

void diff_free(struct diff_base *b);

#endif
