#ifndef CPT_SAMPLER_SOURCE_PERF_H
#define CPT_SAMPLER_SOURCE_PERF_H

/*
 * The perf_event source as a provider of captures (sampler/capture.h):
 * turns the records of perf/ into captures -- a cpu-clock sample into a
 * running capture worth its period, a context-switch sample plus its
 * switch-out and switch-in records into a blocked capture worth the
 * nanoseconds it was off CPU, less its wait for a CPU once woken (a
 * waiting-for-CPU capture, estimated from schedstat; all of it waiting
 * when it was preempted).
 * Sampler thread only.
 */

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "perf/perf.h"
#include "sampler/capture.h"

struct source_perf;

struct source_perf_options {
	pid_t pid;
	uint32_t hz;
	uint32_t stack_bytes;
	bool offcpu;	     /* also sample where threads block */
	uint32_t switch_cap; /* switch samples per thread and second, max */
	bool follow;	     /* also the processes it forks (inherited) */
};

/*
 * Opens perf events on every thread of opt->pid. Returns 0 with *out set
 * (caller frees with source_perf_close()), or -1 with *err (errno of the
 * refusal) and *cause (caller frees).
 */
int source_perf_open(const struct source_perf_options *opt,
		     struct source_perf **out, int *err, char **cause);

/* perf_source_wait(), until the next rescan at most: PERF_WAIT_* bits. */
int source_perf_wait(struct source_perf *sp, int64_t deadline_ns, int wake_fd,
		     int end_fd);

/*
 * Reads every ring buffer and hands each complete capture to sink; every
 * 100 ms also looks for new and exited threads and caps switch sampling.
 * Returns the number of threads with events (0: the process is gone).
 */
size_t source_perf_poll(struct source_perf *sp, capture_sink_fn sink,
			void *arg);

/*
 * Takes what the sampler thread left unread (a backlog, for up to a
 * second), then hands over the off-CPU time of threads still blocked at
 * now_ns (their interval so far, up to where every ring was read), so
 * that a blocked thread shows while it blocks.
 */
void source_perf_flush(struct source_perf *sp, int64_t now_ns,
		       capture_sink_fn sink, void *arg);

/* Off-CPU time before since_ns (CLOCK_MONOTONIC) is never handed over. */
void source_perf_since(struct source_perf *sp, int64_t since_ns);

/*
 * The end of the profile: hands sink every record read until deadline_ns
 * (a sampler thread that ran behind catches up; what is left then counts
 * as lost), then source_perf_flush().
 */
void source_perf_finish(struct source_perf *sp, int64_t deadline_ns,
			capture_sink_fn sink, void *arg);

/* NULL when off-CPU sampling runs, else why not (borrowed). */
const char *source_perf_offcpu(const struct source_perf *sp);

void source_perf_stats(const struct source_perf *sp,
		       struct perf_source_stats *out);

/* Closes every event. NULL is a no-op. */
void source_perf_close(struct source_perf *sp);

#endif
