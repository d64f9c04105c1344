/*
 * sampler_slow.c: the sampler thread's slow work -- loading a module's
 * symbols and debug info -- run on a helper thread (sampler/offload.h)
 * while the sampler thread goes on dispatching the target's ptrace stops (issue
 * 9: a thread interrupted while it waited for a CPU stayed stopped for the
 * second libc's separate debug file took to load, and the watchdog then ended
 * cproftop).
 */
#include "config.h"

#include "sampler/sampler_int.h"

#include <setjmp.h>
#include <stdatomic.h>
#include <stdlib.h>

#include "attach/attach.h"
#include "common/clock.h"
#include "common/log.h"
#include "common/xmalloc.h"
#include "sampler/offload.h"
#include "sampler/symbols.h"

/*
 * Runs fn(arg) -- slow work on data the capture callback never touches (a
 * space's symbols) -- on the helper thread while this thread dispatches
 * the target's ptrace stops: a thread interrupted at a tick that gets a
 * CPU meanwhile is copied and resumed at once, a signal is passed on, a
 * new thread seized, and the running threads are still sampled every
 * sampling period (at most every SAMPLER_SLOW_TICK_NS: sampler_slow_tick()).
 * Captures taken meanwhile are appended to s->caps (the caller may be
 * accounting earlier ones). Asked to stop meanwhile, it
 * detaches the target at once (sets detached: the watchdog then waits for
 * the last snapshot) and dispatches no more. Asked to leave for a Ctrl-Z
 * meanwhile, when may_leave (no state of the caller's but the job's is
 * half-made) and inside the sampler loop, it leaves that loop at once
 * (longjmp to sampler_run(): the thread's exit is what lets go of a
 * sleeping thread without waking it): the job goes on on the helper, so
 * arg must be the job's own (fn frees it), and the next sampler thread
 * waits for it before it touches a space. Without a tracer (perf), or when
 * no helper thread can run, fn runs here. Sampler thread.
 */
void
sampler_slow(struct sampler *s, void (*fn)(void *), void *arg, bool may_leave)
{
	/* Once the target was let go, nothing more is dispatched here. */
	bool wait_only = atomic_load(&s->detached);
	int64_t every = CLOCK_NS_PER_S / s->opt.hz, next;
	int fd = -1;

	if (s->a != NULL) {
		if (s->off == NULL)
			s->off = offload_new();
		fd = offload_start(s->off, fn, arg);
	}
	if (fd < 0) {
		fn(arg);
		return;
	}
	if (every < SAMPLER_SLOW_TICK_NS)
		every = SAMPLER_SLOW_TICK_NS;
	next = clock_ns(CLOCK_MONOTONIC) + every;
	while (!offload_done(s->off)) {
		int64_t now = clock_ns(CLOCK_MONOTONIC);

		sampler_beat(s);
		if (may_leave && s->leave_armed && !wait_only &&
		    sampler_leaving(s)) {
			log_debug("sampler: Ctrl-Z during slow work: the "
				  "helper finishes it");
			longjmp(s->leave_jmp, 1);
		}
		if (!wait_only && atomic_load(&s->stop)) {
			/* Let the target go now; what is left to dispatch
			   (a spawned command's end) is the loop's again. A
			   thread that did not stop to be let go is still
			   dispatched meanwhile. */
			if (attach_release(s->a, SAMPLER_DETACH_NS) == 0) {
				atomic_store(&s->detached, true);
				sampler_kick(s->notify_fd);
				wait_only = true;
			}
		}
		if (!wait_only && now >= next) {
			sampler_slow_tick(s); /* the threads still sampled */
			now = clock_ns(CLOCK_MONOTONIC);
			next = now + every;
		}
		if (wait_only ||
		    attach_wait(s->a,
				now + SAMPLER_WATCH_STEP_NS < next
					? now + SAMPLER_WATCH_STEP_NS
					: next,
				fd) < 0) {
			wait_only = true; /* no tracee left to dispatch */
			offload_wait(s->off);
		}
	}
}

/* symbols_warm() through sampler_slow(): the job's data, its own. */
struct sampler_warming {
	struct symbols *sy;
	uint64_t addr;
};

static void
sampler_warm_fn(void *arg)
{
	struct sampler_warming *w = arg;

	symbols_warm(w->sy, w->addr);
	free(w);
}

/*
 * Loads the symbols and debug info of the file holding addr in sp when not
 * loaded yet, through sampler_slow(): the lookup that follows is then
 * fast. The perf source, which stops no thread, loads it in the lookup.
 * may_leave: as sampler_slow()'s. Sampler thread.
 */
void
sampler_warm(struct sampler *s, struct space *sp, uint64_t addr, bool may_leave)
{
	struct sampler_warming *w;

	if (s->a == NULL || !symbols_cold(sp->sy, addr))
		return;
	w = xmalloc(sizeof(*w));
	*w = (struct sampler_warming){sp->sy, addr};
	sampler_slow(s, sampler_warm_fn, w, may_leave);
}
