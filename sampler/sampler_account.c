/*
 * A capture becomes counts: its stack is unwound and named (locations of
 * the aggregate), and its weight (measured CPU or off-CPU time, or the
 * ticks a sleeping thread stood still) is added to that stack, its thread
 * and its second.
 */
#include "config.h"

#include "sampler/sampler_int.h"

#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "attach/attach.h"
#include "attach/procfs.h"
#include "common/array.h"
#include "common/clock.h"
#include "common/exitcodes.h"
#include "common/hash.h"
#include "common/log.h"
#include "common/xmalloc.h"
#include "sampler/aggregate.h"
#include "sampler/fault.h"
#include "sampler/capture.h"
#include "sampler/cputime.h"
#include "sampler/source_perf.h"
#include "sampler/space.h"
#include "sampler/symbols.h"
#include "sampler/unwind.h"

/* The location of the i-th frame's pc, symbolized once per address. */
static uint32_t
sampler_location(struct sampler *s, struct space *sp, uint64_t pc,
		 bool is_return)
{
	struct symbols_frame frames[SAMPLER_MAX_INLINE];
	struct symbols_module mod;
	uint32_t loc = aggregate_find_location(s->g, pc, is_return);

	sampler_beat(s);
	int n;

	if (loc != PROFILE_NONE)
		return loc;
	/* A module's first lookup loads its file: not while a thread is
	   held for it, nor while a Ctrl-Z waits (nothing is half-made
	   here: the capture is dropped). */
	sampler_warm(s, sp, is_return ? pc - 1 : pc, true);
	n = symbols_lookup(sp->sy, pc, is_return, frames, SAMPLER_MAX_INLINE,
			   &mod);
	if (mod.path == NULL)
		sp->maps_dirty = true;
	return aggregate_add_location(s->g, pc, is_return, frames, n, &mod);
}

/* The stack locs[0..n) with "[waiting for CPU]" on top, interned. */
uint32_t
sampler_waiting_stack(struct sampler *s, const uint32_t *locs, int n,
		      bool truncated)
{
	uint32_t w[UNWIND_MAX_FRAMES + 1];

	w[0] = s->wait_loc;
	memcpy(w + 1, locs, (size_t)n * sizeof(*locs));
	return aggregate_stack(s->g, w, (uint32_t)n + 1, truncated);
}

/* stack (interned) with "[waiting for CPU]" on top, interned. */
uint32_t
sampler_waiting_at(struct sampler *s, uint32_t stack)
{
	uint32_t n;
	bool truncated;
	const uint32_t *locs =
		aggregate_stack_locations(s->g, stack, &n, &truncated);

	if (n > UNWIND_MAX_FRAMES) /* not an unwind's: no room for the frame */
		return stack;
	return sampler_waiting_stack(s, locs, (int)n, truncated);
}

/*
 * Counts weight_ns of t at stack, on CPU (CAPTURE_RUNNING) or off, in
 * sampling periods; the remainder is carried per thread and kind, so the
 * totals stay the time measured.
 */
void
sampler_count(struct sampler *s, struct sampler_task *t, uint32_t stack,
	      enum capture_state state, uint64_t weight_ns, uint32_t second)
{
	uint64_t period = CLOCK_NS_PER_S / s->opt.hz, n;
	uint64_t *carry =
		state == CAPTURE_RUNNING ? &t->carry_ns : &t->off_carry_ns;

	*carry += weight_ns;
	n = *carry / period;
	*carry -= n * period;
	if (n > UINT32_MAX)
		n = UINT32_MAX;
	if (n == 0 || stack == PROFILE_NONE)
		return;
	aggregate_count_n(s->g, stack, t->rec, second, state == CAPTURE_RUNNING,
			  (uint32_t)n);
	s->samples += n;
}

/*
 * Says in the debug log why a stack may have ended early: where the pc
 * and sp are, how much of the stack was copied, whether the unwind wanted
 * more than the copy, whether the process had ended by then.
 */
static void
sampler_log_truncated(struct sampler *s, struct space *sp,
		      const struct capture *c, int n)
{
	const struct procfs_map *pc = procfs_maps_find(&sp->maps, c->regs.rip);
	int st;

	log_debug("sampler: tid %d's stack ended early after %d frames (pc "
		  "%#llx in %s, sp %#llx%s, copy %zu+%zu bytes%s%s%s)",
		  (int)c->tid, n, (unsigned long long)c->regs.rip,
		  pc == NULL ? "no known mapping" : pc->path,
		  (unsigned long long)c->regs.rsp,
		  procfs_maps_find(&sp->maps, c->regs.rsp)
			  ? ""
			  : " in no known mapping",
		  c->stack_len, c->stack_more ? c->stack_more_len : 0,
		  unwind_copy_short(sp->u) ? ", cut by the copy" : "",
		  c->regs_partial ? ", blocked" : "",
		  s->a != NULL && attach_state(s->a, &st) != ATTACH_RUNNING
			  ? ", the target had ended"
			  : "");
}

/*
 * The consumer of every source's captures: unwinds, symbolizes and counts
 * c (the thread runs meanwhile) as weight_ns of CPU time (running) or
 * off-CPU time (blocked; waiting for a CPU, under a "[waiting for CPU]"
 * frame), in units of the sampling period with the remainder carried per
 * thread and kind. Returns the stack's id, or PROFILE_NONE for a thread
 * the sampler does not know.
 */
uint32_t
sampler_account(struct sampler *s, const struct capture *c, uint32_t second)
{
	uint64_t pcs[UNWIND_MAX_FRAMES], after_signal = 0;
	uint32_t locs[UNWIND_MAX_FRAMES];
	pid_t tid = c->tid;
	uint32_t id = hash_find(&s->task_idx, hash_u64((uint64_t)tid),
				sampler_task_eq, &tid, s);
	struct sampler_task *t;
	struct space *sp;
	bool truncated = false;
	int n;

	if (id == PROFILE_NONE)
		return PROFILE_NONE;
	t = &s->tasks[id];
	sp = sampler_space(s, t->pid);
	aggregate_set_space(s->g, sp->id);
	n = unwind_stack(sp->u, c, pcs, UNWIND_MAX_FRAMES, &truncated,
			 &after_signal);
	if (n <= 0) {
		pcs[0] = c->regs.rip;
		n = 1;
		truncated = true;
	}
	/* Known before the names are looked up (slow work, the first time):
	   sampler_slow_tick() leaves a thread that needs more alone. */
	if (unwind_copy_short(sp->u)) {
		s->copy_short_stacks++;
		t->deeper = t->more_len < SAMPLER_MORE_MAX;
	}
	for (int i = 0; i < n; i++) {
		bool is_return = i > 0 && !(i < 64 && (after_signal >> i) & 1);

		locs[i] = sampler_location(s, sp, pcs[i], is_return);
	}
	if (truncated) {
		sampler_log_truncated(s, sp, c, n);
		s->unwind_errors++;
		if (c->regs_partial)
			s->blocked_truncated++;
		else
			s->regs_truncated++;
	}
	if (unwind_used_fallback(sp->u))
		s->fallback_stacks++;
	sampler_idle_flush(s, t);
	t->last_stack = aggregate_stack(s->g, locs, (uint32_t)n, truncated);
	t->missing = NULL;
	sampler_count(s, t,
		      c->state == CAPTURE_WAITING_CPU
			      ? sampler_waiting_stack(s, locs, n, truncated)
			      : t->last_stack,
		      c->state, c->weight_ns, second);
	memcpy(s->last_locs, locs, (size_t)n * sizeof(*locs));
	s->last_n = n;
	s->last_truncated = truncated;
	/* The thread's latest stack is this capture's, whether or not it
	   completed a period to count. */
	aggregate_thread_at(s->g, t->rec)->last_stack = t->last_stack;
	return t->last_stack;
}

/*
 * The voluntary context switches of t, stopped at regs, for cputime_woke():
 * read while it is stopped (sampler_capture()), at every capture at a
 * system call's exit and at the few cputime_wants_nvcsw() asks for in user
 * space; CPUTIME_UNREAD at the others (and with --dump). Read through
 * the thread's own process: a followed child's threads are not in the
 * target's /proc/PID/task (read there, the count was always unknown). The
 * file stays open (issue 9: an open, read and close a capture); opened
 * again once when its thread changed (an exec).
 */
int64_t
sampler_stopped_nvcsw(struct sampler *s, struct sampler_task *t,
		      const struct user_regs_struct *regs)
{
	bool in_syscall = (int64_t)regs->orig_rax >= 0;
	pid_t pid = t->pid == s->pid ? sampler_proc_pid(s) : t->pid;
	int64_t nvcsw = -1;

	if (s->opt.once || !cputime_wants_nvcsw(&t->cpu, in_syscall))
		return CPUTIME_UNREAD;
	for (int tries = 0; tries < 2 && nvcsw < 0; tries++) {
		if (t->status_fd < 0)
			t->status_fd = procfs_open_status(pid, t->tid);
		if (t->status_fd < 0)
			break;
		nvcsw = procfs_voluntary_fd(t->status_fd);
		if (nvcsw < 0) {
			close(t->status_fd);
			t->status_fd = -1;
		}
	}
	return nvcsw;
}

/*
 * Counts the CPU time t ran and no capture took yet, each pool over the
 * last stacks taken on a CPU where it stopped alike (else the other ones,
 * else fallback; cputime_flush()): when it blocks, at the end, or when its
 * thread is gone.
 */
void
sampler_pending_flush(struct sampler *s, struct sampler_task *t,
		      uint32_t fallback, uint32_t second)
{
	uint32_t stacks[CPUTIME_RECENT];
	uint64_t ns[CPUTIME_RECENT];

	for (int i = 0; i < 2; i++) {
		int n = cputime_flush(&t->cpu, i, fallback, stacks, ns);

		for (int k = 0; k < n; k++)
			if (stacks[k] != PROFILE_NONE)
				sampler_count(s, t, stacks[k], CAPTURE_RUNNING,
					      ns[k], second);
	}
}
