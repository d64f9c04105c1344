#ifndef CPT_VIEWS_REPORT_H
#define CPT_VIEWS_REPORT_H

/*
 * Text reports for the headless mode, in go tool pprof's formats, so that
 * `cproftop --top N` and `go tool pprof -top -sample_index=samples` on the
 * profile written from the same snapshot print the same rows.
 */

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "views/filter.h"

struct profile_snapshot;

/*
 * Prints the top table of s under f to out, like pprof -top: header lines
 * (File, Type, Duration, "Showing nodes accounting for X, Y% of Z total",
 * "Dropped N nodes (cum <= C)", "Showing top N nodes out of M"), then
 *     "      flat  flat%   sum%        cum   cum%"
 * and one row per node: "%10s %s %s %10s %s  NAME[ (inline)]" with counts
 * in samples and pprof's percentage format. max_rows 0: all rows. Names,
 * file names, the executable and the command line come from the target:
 * their control bytes and invalid UTF-8 are escaped (common/escape.h).
 * Returns 0, or -1 when writing to out failed (errno set).
 */
int report_top(FILE *out, const struct profile_snapshot *s,
	       const struct filter *f, size_t max_rows);

/*
 * pprof's percentage format of value / total: "  100%" near 100, "%5.2f%%"
 * from 1 %, "%5.2g%%" below. buf holds at least 16 bytes; returns buf.
 */
char *report_percent(char *buf, uint64_t value, uint64_t total);

#endif
