#ifndef CPT_VIEWS_STATS_H
#define CPT_VIEWS_STATS_H

/*
 * --stats: one line of key=value figures (for tests and bench/), then the
 * backend and why it was chosen. Pure formatting of a snapshot; any thread.
 */

#include <stdio.h>

#include "sampler/profile.h"

/*
 * Writes the figures of s to out: the sampler's health from s, and
 * cproftop's own use over the run, given by the caller (elapsed and cpu in
 * seconds, rss_kb its peak RSS in KiB).
 */
void stats_write(FILE *out, const struct profile_snapshot *s, double elapsed,
		 double cpu, long rss_kb);

#endif
