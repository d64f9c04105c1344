#ifndef CPT_VIEWS_DELTA_H
#define CPT_VIEWS_DELTA_H

/*
 * The samples counted between two snapshots of one sampler: what a profile
 * of "the next N seconds" holds (an HTTP /debug/pprof/profile?seconds=N
 * request takes a snapshot when it starts and one N seconds later).
 *
 * The sampler's tables only grow (ids of one snapshot stay valid in every
 * later one) and its counts per (stack, thread) only grow too -- folding old
 * seconds into second 0 keeps their sums -- so the window is the later sums
 * minus the earlier ones, exact to the tick, whatever second boundaries
 * fall inside it. Unlike the screen's window (filter.h: whole seconds back
 * from now_second) it needs no rounding to seconds.
 */

#include <stdint.h>

struct profile_snapshot;
struct profile_count;

/*
 * Fills *out with a view of `to` (tables borrowed from it: keep `to`
 * referenced while out is used; out is not refcounted, never unref it)
 * whose counts are the samples taken after `from` was published: one count
 * per (stack, thread) with a nonzero difference, in second to->now_second
 * so scoped and unscoped filters both see them. start_unix_ns is the wall
 * time `from` was published and duration_ns the time between the two.
 * When the counts were reset in between (to->start_unix_ns differs) the
 * window starts at the reset: every count of `to` is kept. from may be
 * NULL (the same). *counts receives the array out->counts points to
 * (caller frees, also when empty). Any thread; both snapshots only read.
 */
void delta_view(const struct profile_snapshot *from,
		const struct profile_snapshot *to, struct profile_snapshot *out,
		struct profile_count **counts);

#endif
