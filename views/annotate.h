#ifndef CPT_VIEWS_ANNOTATE_H
#define CPT_VIEWS_ANNOTATE_H

/*
 * The annotate view of one function (perf top's `a`, pprof -disasm): its
 * machine instructions, disassembled with capstone from the ELF file of
 * its mapping (sampler/mapped.h: inside the target's root, regular files
 * only; never the target's memory), each with
 *   flat: the selected samples whose innermost pc is that instruction,
 *   cum:  the selected samples with the instruction on the stack (a
 *         caller's return address counts for the call before it), once
 *         per sample,
 * and, where the file's DWARF line table knows them, the source lines
 * interleaved (a row before the first instruction of each line run).
 * Samples are selected as in the table (struct filter); the flat of all
 * instructions is the samples whose pc lies in the function's symbol,
 * which is the table's flat of the function plus that of functions
 * inlined into it. x86-64 and AArch64 files.
 */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "views/filter.h"
#include "views/source.h"

struct profile_snapshot;

struct annotate_row {
	bool source;	    /* a source line row (line, text), not code */
	uint64_t address;   /* code rows: the instruction's address */
	int line;	    /* source rows: the line number */
	char *text;	    /* "mnemonic operands", or the source text */
	uint64_t flat, cum; /* code rows */
};

struct annotate_view {
	uint32_t function;
	const char *name;     /* borrowed from the snapshot */
	char *file;	      /* the ELF file read (the mapping's path) */
	uint64_t start, size; /* the function's code, in the target */
	struct annotate_row *rows;
	size_t nrows, ninsns;
	long hottest;	    /* the code row with the most flat, or -1 */
	uint64_t flat, cum; /* sums over the instructions: flat is exact,
			       cum counts a sample once for the function */
	uint64_t total;	    /* samples in mode and scope: the 100 % */
	/* samples the table counts as the function's flat whose pc lies
	   outside this code (another copy or part of it), and one such pc:
	   shown, never dropped silently */
	uint64_t outside, outside_at;
	char *note; /* why there is no code (rows empty), or NULL */
};

/*
 * Builds the annotate view of function (an id of s) into *out: opens and
 * reads the ELF file (cost: the symbol tables, the function's bytes and
 * its DWARF line table). opt gives the pid and the source path for source
 * text. Returns 0 (a file or symbol that cannot be read is not an error:
 * see note), or -1 when function is not an id of s. Free with
 * annotate_free(). Main thread (it opens files; never while the target is
 * stopped); s is only read.
 */
int annotate_build(const struct profile_snapshot *s, const struct filter *f,
		   uint32_t function, const struct source_options *opt,
		   struct annotate_view *out);

/*
 * Counts the samples of s under f on the code of v again (a newer
 * snapshot of the same sampler: the code does not change, the file is
 * not read again). Cost: one pass over the sampled stacks.
 */
void annotate_count(const struct profile_snapshot *s, const struct filter *f,
		    struct annotate_view *v);

void annotate_free(struct annotate_view *v);

#endif
