#ifndef CPT_SAMPLER_SAMPLER_H
#define CPT_SAMPLER_SAMPLER_H

/*
 * The sampling engine. sampler_start() creates the sampler thread, which is
 * the only thread of cproftop that calls ptrace: it attaches (or spawns),
 * then at the requested rate interrupts the target's threads, copies their
 * registers and stack, resumes them, unwinds from the copy, symbolizes and
 * aggregates. About once a second (and on demand) it publishes an immutable
 * snapshot (sampler/profile.h) that any thread may take.
 *
 * The caller must block SIGCHLD (and the signals it handles itself) in every
 * thread before sampler_start(), e.g. with sampler_block_signals().
 */

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "common/clock.h"
#include "sampler/profile.h"

struct sampler;

/* Which source of samples runs (README: Backends). */
enum sampler_backend {
	SAMPLER_BACKEND_AUTO,	/* perf when the kernel allows, else ptrace */
	SAMPLER_BACKEND_PERF,	/* perf_event: the kernel samples, no stops */
	SAMPLER_BACKEND_PTRACE, /* ptrace: interrupts threads at each tick */
};

struct sampler_options {
	enum sampler_backend backend;
	uint32_t stack_bytes; /* perf: stack copied per sample (0: default) */
	bool offcpu;	      /* perf: off-CPU (wall) samples are wanted */
	pid_t pid;	      /* attach to this process, or */
	char *const *argv;    /* spawn this command (pid == 0) */
	const char *child_output; /* spawn: stdout/stderr go here */
	bool follow; /* also profile the child processes the target forks
			(those born after attach with pid) */
	uint32_t hz; /* samples per second per thread */
	bool once;   /* one tick of every thread, then stop
			(--dump) */
};

/* Blocks SIGCHLD in the calling thread (inherited by threads it creates). */
void sampler_block_signals(void);

/*
 * Starts the sampler thread and waits until it has attached or spawned.
 * Returns 0 with *out set (caller frees with sampler_free()), or a
 * CPT_EXIT_* code with *cause set to a message for the user (caller frees).
 */
int sampler_start(const struct sampler_options *opt, struct sampler **out,
		  char **cause);

/*
 * The latest snapshot, with a reference the caller drops with
 * profile_snapshot_unref(). Never NULL after sampler_start(). Any thread;
 * never blocks on the sampler's work.
 */
struct profile_snapshot *sampler_snapshot(struct sampler *s);

/*
 * Waits until a snapshot other than prev is published, the sampler is done
 * or the CLOCK_MONOTONIC time deadline_ns passes, then returns the latest
 * snapshot with a reference (caller drops it; it is prev itself after a
 * timeout). prev may be NULL (returns at once); otherwise the caller still
 * holds it (so its address cannot be reused) and it is only compared. Unlike
 * sampler_snapshot(), leaves sampler_fd() alone, so any number of threads (HTTP
 * requests) may wait beside the screen's loop. Any thread but the sampler's;
 * never blocks the sampler.
 */
struct profile_snapshot *
sampler_snapshot_wait(struct sampler *s, const struct profile_snapshot *prev,
		      int64_t deadline_ns);

/*
 * A file descriptor that becomes readable when a new snapshot is published
 * or the target ends; sampler_snapshot() clears it. For poll() loops.
 */
int sampler_fd(const struct sampler *s);

/* Asks for a snapshot now rather than at the next second. Any thread. */
void sampler_publish(struct sampler *s);

/* Zeroes the counts (the tables of names stay). Any thread. */
void sampler_reset(struct sampler *s);

/*
 * Stops (true) or resumes (false) taking samples; the target runs
 * untouched while paused. Any thread.
 */
void sampler_pause(struct sampler *s, bool paused);

/*
 * True once the sampler has stopped: the target ended, --once finished, or
 * sampler_stop() was called.
 */
bool sampler_done(const struct sampler *s);

/*
 * Detaches from every thread of the target, leaving it running, publishes a
 * last snapshot and joins the sampler thread. Idempotent. Any thread but the
 * sampler's.
 */
void sampler_stop(struct sampler *s);

/*
 * sampler_stop() with a watchdog: returns 0 once every thread of the target
 * is detached (then joins the sampler thread, which only publishes its last
 * snapshot after that), or -1 when the sampler thread showed no sign of
 * life for timeout_ns while a thread of the target is in a ptrace stop (or
 * still had not detached after 2 s of bounded work while the target runs)
 * -- it is stuck, and the caller should exit: the kernel detaches the
 * threads of a dead tracer and they run on. A fatal error the sampler
 * thread posted meanwhile ends cproftop here. Main thread.
 */
int sampler_stop_within(struct sampler *s, int64_t timeout_ns);

/*
 * How long a Ctrl-Z waits for the sampler to let go. The sampler may be
 * busy for a second or more reading a large library's debug information
 * (libc's separate debug file, under load or ASan) while every thread of
 * the target runs: a thread left stopped meanwhile is the watchdog's
 * business (sampler_stop_within), not the suspend's.
 */
#define SAMPLER_SUSPEND_WAIT_NS (5 * CLOCK_NS_PER_S)

/*
 * Before cproftop stops itself (Ctrl-Z): asks the sampler thread to detach
 * every thread of the target and waits for it, at most timeout_ns. Returns
 * 0 when nothing is traced any more (cproftop may stop), or -1 (sampling
 * goes on; cproftop must not stop). Either way call sampler_resume()
 * afterwards (it re-attaches). Main thread.
 */
int sampler_suspend(struct sampler *s, int64_t timeout_ns);

/*
 * After sampler_suspend(): seizes the target's threads again and samples
 * on. When the target ended meanwhile, or another tracer took a thread, the
 * sampler stops instead (sampler_done()). Main thread.
 */
void sampler_resume(struct sampler *s);

/*
 * Stops the sampler if needed and frees it. Every snapshot taken from it
 * must have been released first (their strings belong to the sampler).
 */
void sampler_free(struct sampler *s);

#endif
