#ifndef CPT_SAMPLER_OFFLOAD_H
#define CPT_SAMPLER_OFFLOAD_H

/*
 * Slow, self-contained work on a helper thread, so that the sampler thread
 * (the target's tracer) goes on dispatching ptrace stops meanwhile: a
 * target thread interrupted while it waited for a CPU stops whenever it
 * gets one, and must be resumed at once, not after a second of loading a
 * module's debug info (issue 9). One job at a time; the caller gives the
 * job's data to the helper until offload_done() says it is finished.
 */

#include <stdbool.h>

struct offload;

/* An idle helper (its thread starts with the first job). Caller frees
   with offload_free(). Never fails (xmalloc). Sampler thread. */
struct offload *offload_new(void);

/*
 * Starts fn(arg) on the helper thread, which inherits the caller's signal
 * mask when it is created (the sampler's: every signal blocked). Returns
 * an fd that polls readable once fn returned, or -1 (errno set, no job
 * started: the caller runs fn itself) when the thread cannot be created.
 * No job may be running. Sampler thread.
 */
int offload_start(struct offload *o, void (*fn)(void *), void *arg);

/* True once the job started last has returned (then fn's writes are
   visible to the caller). Sampler thread. */
bool offload_done(struct offload *o);

/* Waits for the job started last, if any, to return. Sampler thread. */
void offload_wait(struct offload *o);

/* Waits for the job, if any, ends the helper thread and frees o (NULL is
   fine). Sampler thread. */
void offload_free(struct offload *o);

#endif
