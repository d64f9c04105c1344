#ifndef CPT_PERF_PERF_H
#define CPT_PERF_PERF_H

/*
 * The perf_event sample source: every thread of one process sampled by the
 * kernel, without ptrace and without stopping anything.
 *
 * Events are opened per (thread, CPU) and write into one ring buffer per
 * CPU (PERF_EVENT_IOC_SET_OUTPUT), as `perf record -p` does: memory does
 * not grow with the number of threads. The cpu-clock events are inherited,
 * so threads the target creates later are sampled by the kernel from their
 * first instruction. The context-switch events (off-CPU, when asked and
 * allowed) are not inherited -- their sampling period must stay adjustable
 * per thread -- and are opened on threads found by re-reading
 * /proc/PID/task (perf_source_rescan()). Sampler thread only.
 */

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "perf/event.h"
#include "perf/record.h"

struct perf_source;

/* Figures for the header and --stats. */
struct perf_source_stats {
	uint64_t lost;	     /* records lost: the kernel's LOST, plus dropped */
	uint64_t dropped;    /* records copied out too late: queue full */
	uint64_t bad;	     /* records that did not parse */
	uint64_t records;    /* records read */
	uint64_t throttled;  /* threads whose switch sampling was thinned */
	uint64_t duplicates; /* threads opened twice (by us and inherited) */
	uint32_t threads;    /* threads we opened events on */
	uint32_t cpus;	     /* ring buffers */
	uint32_t buffer_pages; /* data pages per ring */
};

/*
 * Opens events on every thread of pid. offcpu asks for the context-switch
 * events too; when the kernel refuses them the source runs without and
 * perf_source_offcpu() says why. Returns 0 with *out set (caller frees
 * with perf_source_close()), or -1 with *err set to the errno of the
 * refusal and *cause a message for the user (caller frees).
 */
int perf_source_open(pid_t pid, const struct perf_event_config *cfg,
		     bool offcpu, struct perf_source **out, int *err,
		     char **cause);

/* NULL when off-CPU sampling runs, else why not (borrowed). */
const char *perf_source_offcpu(const struct perf_source *ps);

/*
 * Called with each parsed record (borrowed); offcpu tells that a context
 * switch event wrote a sample.
 */
typedef void (*perf_source_fn)(const struct perf_record *r, bool offcpu,
			       void *arg);

/*
 * Opens events on threads born since the last scan, closes those of
 * threads that exited. Returns the number of threads listed in
 * /proc/PID/task (0: the process is gone).
 */
size_t perf_source_rescan(struct perf_source *ps);

/* perf_source_wait()'s answer: the bits of the descriptors readable. */
enum { PERF_WAIT_WAKE = 1, PERF_WAIT_END = 2 };

/*
 * Waits until records were read (the reader thread copies the ring
 * buffers at least every 10 ms; without one, until a ring buffer is a
 * quarter full), wake_fd or end_fd (each may be -1; end_fd: a pidfd,
 * readable once the target ended) is readable, or the absolute
 * CLOCK_MONOTONIC deadline_ns. Returns PERF_WAIT_WAKE and PERF_WAIT_END
 * for those readable, 0 for none. The sampler thread.
 */
int perf_source_wait(struct perf_source *ps, int64_t deadline_ns, int wake_fd,
		     int end_fd);

/*
 * Calls fn for each record read: the records a reader thread copied out
 * of the ring buffers since the last call (at most ~100 ms of work per
 * call: perf_source_wait() returns at once while more wait), or without
 * one, every ring buffer read. Counts LOST. Returns the CLOCK_MONOTONIC
 * time before which every record the kernel wrote has now been handed to
 * fn, or 0 when that is not known yet (a backlog left for the next call).
 */
int64_t perf_source_drain(struct perf_source *ps, perf_source_fn fn, void *arg);

/*
 * The end of the profile: disables every event (inherited ones with
 * their parent), stops the reader thread and hands fn every record read
 * until deadline_ns (CLOCK_MONOTONIC); those left are counted as lost
 * (dropped). Later drains read the rings directly.
 */
void perf_source_finish(struct perf_source *ps, int64_t deadline_ns,
			perf_source_fn fn, void *arg);

/*
 * Thins context-switch sampling of threads that switched more than
 * max_per_s times a second since the last call (their switch records still
 * give every blocked interval). Call about every 100 ms or more.
 */
void perf_source_cap(struct perf_source *ps, uint32_t max_per_s,
		     int64_t now_ns);

/* True while tid is listed (as of the last rescan). */
bool perf_source_has_thread(struct perf_source *ps, pid_t tid);

void perf_source_stats(const struct perf_source *ps,
		       struct perf_source_stats *out);

/* The layout of every record (for perf_record_regs()). */
const struct perf_layout *perf_source_layout(const struct perf_source *ps);

/* Closes every event. NULL is a no-op. */
void perf_source_close(struct perf_source *ps);

#endif
