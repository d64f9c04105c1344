#ifndef CPT_SAMPLER_AGGREGATE_H
#define CPT_SAMPLER_AGGREGATE_H

/*
 * The sampler's growing tables behind every snapshot: interned strings,
 * mappings, functions, locations (with inline chains), stacks, threads and
 * counts per (stack, thread, second). Everything is interned once, so a
 * sample whose stack was seen before costs hash look-ups only. Sampler
 * thread only; readers get copies through aggregate_view().
 */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "sampler/profile.h"
#include "sampler/symbols.h"

struct aggregate;

/* Creates empty tables; caller frees with aggregate_free(). */
struct aggregate *aggregate_new(void);

/* Frees the tables and every string they interned. NULL is a no-op. */
void aggregate_free(struct aggregate *g);

/* Interns s (NULL stays NULL). The copy lives until aggregate_free(). */
const char *aggregate_string(struct aggregate *g, const char *s);

/*
 * The live thread record for tid, added if new (a tid seen again after its
 * thread died gets a new record). Returns its index.
 */
uint32_t aggregate_thread(struct aggregate *g, pid_t tid);

/* The thread record at index t; valid until the next aggregate_thread(). */
struct profile_thread *aggregate_thread_at(struct aggregate *g, uint32_t t);

/*
 * Selects the address space that aggregate_find_location() and
 * aggregate_add_location() key addresses in from now on (0 at the start):
 * each followed process has its own, so the same address in two processes
 * (a fork, then an exec) never shares a location.
 */
void aggregate_set_space(struct aggregate *g, uint32_t space);

/*
 * The location of pc (is_return: a caller's return address), or
 * PROFILE_NONE when not yet known in this maps generation.
 */
uint32_t aggregate_find_location(struct aggregate *g, uint64_t pc,
				 bool is_return);

/*
 * Adds the location of pc from its symbolization: frames[0..n) innermost
 * first, mod its module (mod->path NULL for none). Returns its index.
 */
uint32_t aggregate_add_location(struct aggregate *g, uint64_t pc,
				bool is_return,
				const struct symbols_frame *frames, int n,
				const struct symbols_module *mod);

/*
 * Forgets which address maps to which location (the locations stay, for
 * old stacks): call when the maps changed, since an address may now hold
 * other code.
 */
void aggregate_forget_addresses(struct aggregate *g);

/* The stack of locs[0..depth) (leaf first), interned. Returns its index. */
uint32_t aggregate_stack(struct aggregate *g, const uint32_t *locs,
			 uint32_t depth, bool truncated);

/*
 * The locations of stack (leaf first): *depth of them, *truncated as
 * interned. Valid until the next aggregate_stack().
 */
const uint32_t *aggregate_stack_locations(const struct aggregate *g,
					  uint32_t stack, uint32_t *depth,
					  bool *truncated);

/*
 * Counts one sample of stack by thread in second; stack becomes the
 * thread's last_stack.
 */
void aggregate_count(struct aggregate *g, uint32_t stack, uint32_t thread,
		     uint32_t second, bool on_cpu);

/* Counts n samples at once (ticks a thread spent waiting, unchanged). */
void aggregate_count_n(struct aggregate *g, uint32_t stack, uint32_t thread,
		       uint32_t second, bool on_cpu, uint32_t n);

/*
 * Merges the counts of every second before `before` into second 0, so memory
 * stays bounded on long runs: windows never reach that far back.
 */
void aggregate_fold(struct aggregate *g, uint32_t before);

/* Zeroes all counts (names, stacks and threads stay). */
void aggregate_reset_counts(struct aggregate *g);

/*
 * Points the table fields of s at the live tables (borrowed: copy with
 * profile_snapshot_copy() before the tables change again).
 */
void aggregate_view(const struct aggregate *g, struct profile_snapshot *s);

/* Bytes held by the tables and indexes. */
size_t aggregate_bytes(const struct aggregate *g);

#endif
