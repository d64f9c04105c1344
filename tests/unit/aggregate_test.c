/* Unit tests of the sampler's tables: hash index, aggregate, snapshots. */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "sampler/aggregate.h"
#include "common/hash.h"
#include "tests/tap.h"

static int
test_eq(uint32_t id, const void *key, void *arg)
{
	const uint64_t *vals = arg;

	return vals[id] == *(const uint64_t *)key;
}

static void
test_idx(void)
{
	enum { N = 100000 };
	uint64_t *vals = malloc(N * sizeof(*vals));
	struct hash x = {0};
	int found = 0;

	for (uint32_t i = 0; i < N; i++) {
		vals[i] = (uint64_t)i * 7919 + 3;
		/* A weak hash on purpose: collisions must still resolve. */
		hash_add(&x, vals[i] % 1024, i);
	}
	for (uint32_t i = 0; i < N; i += 97)
		found += hash_find(&x, vals[i] % 1024, test_eq, &vals[i],
				   vals) == i;
	tap_is_int(found, (N + 96) / 97,
		   "idx finds every id despite collisions");
	uint64_t absent = 5;
	tap_is_int(hash_find(&x, absent % 1024, test_eq, &absent, vals),
		   UINT32_MAX, "idx reports an absent key");
	hash_clear(&x);
	tap_is_int(hash_find(&x, vals[0] % 1024, test_eq, &vals[0], vals),
		   UINT32_MAX, "hash_clear empties the index");
	hash_free(&x);
	free(vals);
}

static uint32_t
test_location(struct aggregate *g, uint64_t pc, const char *name,
	      const char *inl)
{
	struct symbols_frame fr[2] = {
		{inl ? inl : name, NULL, "/src/a.c", 10, 5},
		{name, NULL, "/src/a.c", 20, 15},
	};
	struct symbols_module mod = {0x1000, 0x9000, 0, "/bin/a", "abcd"};

	return aggregate_add_location(g, pc, true, inl ? fr : &fr[1],
				      inl ? 2 : 1, &mod);
}

static void
test_aggregate(void)
{
	struct aggregate *g = aggregate_new();
	struct profile_snapshot view = {0}, *snap;
	uint32_t a, b, c, s1, s2, t;

	tap_ok(aggregate_string(g, "x") == aggregate_string(g, "x"),
	       "strings are interned once");
	a = test_location(g, 0x1100, "main", NULL);
	b = test_location(g, 0x1200, "worker", "inl_hot");
	c = test_location(g, 0x1300, "main", NULL);
	tap_is_int(aggregate_find_location(g, 0x1200, true), b,
		   "a location is found by address");
	tap_is_int(aggregate_find_location(g, 0x1200, false), PROFILE_NONE,
		   "a leaf pc and a return address are distinct locations");
	uint32_t st1[] = {b, a}, st2[] = {b, c};
	s1 = aggregate_stack(g, st1, 2, false);
	s2 = aggregate_stack(g, st2, 2, false);
	tap_ok(s1 != s2, "different stacks get different ids");
	tap_is_int(aggregate_stack(g, st1, 2, false), s1,
		   "the same stack is interned once");
	tap_ok(aggregate_stack(g, st1, 2, true) != s1,
	       "a truncated stack is not the complete one");
	t = aggregate_thread(g, 42);
	tap_is_int(aggregate_thread(g, 42), t, "a live thread is found by tid");
	for (int i = 0; i < 5; i++)
		aggregate_count(g, s1, t, 0, true);
	aggregate_count(g, s1, t, 0, false);
	aggregate_count(g, s2, t, 300, true);
	aggregate_view(g, &view);
	tap_is_int(view.ncounts, 2,
		   "counts aggregate per (stack, thread, "
		   "second)");
	tap_is_int(view.counts[0].on_cpu, 5, "on-CPU samples are counted");
	tap_is_int(view.counts[0].off_cpu, 1, "off-CPU samples are counted");
	tap_is_int(view.nfunctions, 3, "functions are interned by name+file");
	tap_is_int(view.locations[b].nlines, 2, "inline chains are kept");
	tap_is_str(view.functions[view.lines[view.locations[b].first_line]
					  .function]
			   .name,
		   "inl_hot", "the inline chain starts with the callee");
	snap = profile_snapshot_copy(&view);
	aggregate_count(g, s2, t, 300, true);
	tap_is_int(snap->counts[1].on_cpu, 1,
		   "a snapshot does not change when the tables do");
	profile_snapshot_unref(snap);
	aggregate_count(g, s1, t, 100, true);
	aggregate_fold(g, 200);
	aggregate_view(g, &view);
	tap_is_int(view.ncounts, 2, "folding merges old seconds into 0");
	tap_is_int(view.counts[0].on_cpu, 6, "folding keeps every sample");
	aggregate_reset_counts(g);
	aggregate_view(g, &view);
	tap_is_int(view.ncounts, 0, "reset zeroes the counts");
	tap_is_int(view.nstacks, 3, "reset keeps the stacks");
	aggregate_thread_at(g, t)->alive = false;
	tap_ok(aggregate_thread(g, 42) != t, "a reused tid is a new thread");
	aggregate_free(g);
}

int
main(void)
{
	test_idx();
	test_aggregate();
	return tap_done();
}
