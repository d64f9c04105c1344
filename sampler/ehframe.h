#ifndef CPT_SAMPLER_EHFRAME_H
#define CPT_SAMPLER_EHFRAME_H

/*
 * The one decoder of .eh_frame_hdr (LSB 5.0: version 1, the encodings of
 * eh_frame_ptr, fde_count and the table, then the table of (initial
 * location, FDE address) pairs sorted by location). Pure functions over
 * bytes, which come from the target (its memory or its files): hostile
 * input, every read bounded by the length given. The unwinder hands the
 * table to libunwind; the symbolizer searches it for a function's start.
 * Only the table encoding every linker writes is accepted:
 * DW_EH_PE_datarel | DW_EH_PE_sdata4, entries relative to the header.
 */

#include <stddef.h>
#include <stdint.h>

/* Table entries are 8 bytes: two sdata4 values. */
#define EHFRAME_ENTRY 8

struct ehframe_hdr {
	uint64_t eh_frame_ptr; /* as encoded (pcrel/datarel not applied) */
	uint64_t count;	       /* FDEs in the table */
	size_t table_off;      /* where the table starts, from the header */
};

/*
 * Decodes the header at buf[0..len) into *out. The table itself need not
 * be inside len (the unwinder reads only the header); see
 * ehframe_table_fits(). Returns 0, or -1 when len is too short, the
 * version is not 1, or an encoding is unsupported or omitted.
 */
int ehframe_hdr_parse(const uint8_t *buf, size_t len, struct ehframe_hdr *out);

/* True when h's whole table lies inside len bytes of its header. */
int ehframe_table_fits(const struct ehframe_hdr *h, size_t len);

/*
 * The initial location of entry i of a table (table: the bytes at
 * table_off; base: the address of the header, which datarel entries are
 * relative to). The caller keeps i below the count.
 */
uint64_t ehframe_table_loc(const uint8_t *table, uint64_t base, size_t i);

/*
 * The index of the last of the n entries whose initial location is at
 * most addr, or -1 when none is (the table is sorted; a hostile unsorted
 * one gives some index, never a read outside n entries). O(log n).
 */
long ehframe_table_find(const uint8_t *table, size_t n, uint64_t base,
			uint64_t addr);

#endif
