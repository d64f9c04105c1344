#ifndef CPT_SAMPLER_GOPCLNTAB_H
#define CPT_SAMPLER_GOPCLNTAB_H

/*
 * A reader of Go's .gopclntab (the "pc-line table" every Go binary keeps,
 * even built with -ldflags=-s -w): pc -> function, file, line, and the
 * stack-pointer delta that unwinds a Go frame without frame pointers or
 * CFI. Formats of Go 1.16-1.17 (magic 0xfffffffa), 1.18-1.19 (0xfffffff0)
 * and 1.20+ (0xfffffff1); older ones are refused. A pure function of the
 * bytes it is given: the table is hostile input, every offset is checked
 * against its length and every walk is bounded by it. No allocation; any
 * thread.
 */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* A parsed header: views into the caller's bytes (borrowed). */
struct gopclntab {
	const uint8_t *data;
	size_t len;
	int version;	     /* 116, 118 or 120 */
	uint64_t text_start; /* the runtime.text address function entries
				are relative to (1.18+), else 0 */
	uint64_t nfunc;
	size_t funcname, cu, filetab, pctab, functab; /* offsets into data */
};

/* One function of the table. */
struct gopclntab_func {
	uint64_t entry, end; /* [entry, end): its code */
	size_t off;	     /* its _func record, an offset into data */
	int32_t nameoff;
	uint32_t pcsp, pcfile, pcln, cu_offset;
	uint8_t flag; /* 1.18+: 1 TOPFRAME, 2 SPWRITE; else 0 */
};

/*
 * Parses the header of a .gopclntab of len bytes at data. text_vaddr is
 * the address of the binary's .text, used when the header's own text
 * start is 0 (position-independent builds relocate it at run time).
 * Returns 0 with t filled (it borrows data), or -1 when data is no
 * supported table.
 */
int gopclntab_parse(const uint8_t *data, size_t len, uint64_t text_vaddr,
		    struct gopclntab *t);

/*
 * Finds the function whose code holds pc (binary search of the function
 * table). Returns true with *f filled, false when none does or its record
 * is malformed.
 */
bool gopclntab_find(const struct gopclntab *t, uint64_t pc,
		    struct gopclntab_func *f);

/*
 * The name of f ("main.worker"), NUL-terminated inside the table, or NULL
 * when its offset is out of bounds. Borrowed from the table's bytes.
 */
const char *gopclntab_name(const struct gopclntab *t,
			   const struct gopclntab_func *f);

/*
 * The source file and line of pc in f. Returns the file (borrowed from the
 * table, NULL when unknown) and sets *line (0 when unknown).
 */
const char *gopclntab_file_line(const struct gopclntab *t,
				const struct gopclntab_func *f, uint64_t pc,
				int *line);

/*
 * How far sp is above the frame's return address at pc in f: the return
 * address is at sp + *delta, the caller's sp is sp + *delta + 8 (amd64).
 * Returns 0, or -1 when the table has no value for pc.
 */
int gopclntab_sp_delta(const struct gopclntab *t,
		       const struct gopclntab_func *f, uint64_t pc,
		       int32_t *delta);

#endif
