#ifndef CPT_HTTP_PAGES_H
#define CPT_HTTP_PAGES_H

/*
 * The text pages of /debug/pprof/, written from one snapshot as Go's
 * net/http/pprof writes them: the HTML index, the thread stack dumps
 * (goroutine?debug=2 and ?debug=1 for native threads), the symbol table
 * look-up. Pure: no I/O but the FILE * given (an open_memstream in the
 * server), no sampler calls. Names, paths and function names come from the
 * target: control bytes are written as \xNN, and HTML gets entity escapes
 * as well. Any thread; the snapshot is only read.
 */

#include <stddef.h>
#include <stdio.h>

struct heapprof_snapshot;
struct profile_snapshot;

/*
 * Go's index page, listing profile, wall, threads and cmdline, and with
 * heap_records >= 0 (--heap: the heap profile's records, shown as their
 * count) allocs and heap.
 */
void pages_index(FILE *out, const struct profile_snapshot *s,
		 long heap_records);

/*
 * threads?debug=2: every live thread's latest stack, Go's traceback
 * layout ("thread TID "NAME" [STATE]:", then FUNCTION() / "\tFILE:LINE"
 * pairs, inlined frames as FUNCTION(...)), one blank line between threads.
 */
void pages_threads(FILE *out, const struct profile_snapshot *s);

/*
 * threads?debug=1: Go's legacy text profile: "threads profile: total N",
 * then per distinct stack "COUNT @ PC PC..." and one "#\tPC\tFUNC\tFILE:LINE"
 * line per frame, most frequent first.
 */
void pages_threads_counts(FILE *out, const struct profile_snapshot *s);

/*
 * heap?debug=1 (and allocs'): Go's legacy text heap profile, which pprof
 * reads too: "heap profile: INUSE_OBJECTS: INUSE_BYTES [ALLOC_OBJECTS:
 * ALLOC_BYTES] @ heap/(2 x rate)", then a record per bucket in the same
 * form, its stack as threads?debug=1's, most bytes in use first. The
 * counts are the samples, unscaled, as Go's are (pprof scales them).
 * Ends with comment lines: counts (heap_counts()'s line: escaped here)
 * and the rate.
 */
void pages_heap(FILE *out, const struct heapprof_snapshot *h,
		const char *counts);

/*
 * /debug/pprof/symbol: in[0..len) is the request (POST body or query),
 * addresses separated by '+', each as strtoull base 0 reads it. Writes
 * "num_symbols: 1" then "0xADDR FUNCTION" for each address that is a
 * location of the snapshot (its innermost function, as Go's FuncForPC);
 * unknown addresses are left out, as Go does. At most max_words words are
 * read (a bound on hostile input).
 */
void pages_symbol(FILE *out, const struct profile_snapshot *s, const char *in,
		  size_t len, size_t max_words);

/*
 * Parses a decimal integer query value v in [min, max] into *out. v NULL
 * or "" gives def (Go's default for a missing parameter). Returns 0, or -1
 * for anything else (signs, spaces, fractions, overflow). Pure.
 */
int pages_int_param(const char *v, long def, long min, long max, long *out);

#endif
