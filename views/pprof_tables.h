#ifndef CPT_VIEWS_PPROF_TABLES_H
#define CPT_VIEWS_PPROF_TABLES_H

/*
 * Private to views/: what every pprof encoding of a snapshot's tables
 * shares (the CPU and threads profiles, views/pprof.c; the heap profile,
 * views/heap_pprof.c): the string table, and the mappings (the main binary
 * first, as pprof expects), functions, lines and locations of a
 * profile_snapshot as profile.proto messages. Pure; any thread.
 */

#include <stddef.h>
#include <stdint.h>

#include "common/hash.h"
#include "views/profile.pb-c.h"

struct profile_snapshot;

/* The string table being built: strings are borrowed, deduplicated by
   content; index 0 is "". */
struct pprof_strings {
	struct hash index; /* string -> index into strs */
	const char **strs;
	size_t n, cap;
};

/* The messages of a snapshot's tables; ids are index + 1 except the
   mappings' (map_id). */
struct pprof_tables {
	struct pprof_strings st;
	Perftools__Profiles__Mapping *maps, **map_ptrs;
	uint32_t *map_id; /* snapshot mapping -> pprof id */
	Perftools__Profiles__Function *fns, **fn_ptrs;
	Perftools__Profiles__Location *locs, **loc_ptrs;
	Perftools__Profiles__Line *lines, **line_ptrs;
};

/* Starts an empty tables set whose string table holds "" alone. */
void pprof_tables_init(struct pprof_tables *t);

/* The index of s (NULL or "" is 0) in the string table, added if new. */
int64_t pprof_str(struct pprof_strings *st, const char *s);

/*
 * Builds the mappings, functions, lines and locations of s into t and
 * points p's tables to them (p->mapping, function, location). The strings
 * stay s's: keep s alive until p is packed.
 */
void pprof_tables_build(struct pprof_tables *t,
			const struct profile_snapshot *s,
			Perftools__Profiles__Profile *p);

/* Points p's string table to t's (after the last pprof_str()). */
void pprof_tables_strings(struct pprof_tables *t,
			  Perftools__Profiles__Profile *p);

/* Frees what t holds (p's pointers into it dangle after). */
void pprof_tables_free(struct pprof_tables *t);

#endif
