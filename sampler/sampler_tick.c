/*
 * The ptrace source's tick: look at every traced thread (stat, schedstat,
 * syscall), count the sleeping ones again without stopping them, interrupt
 * the others at once and copy each as it stops (attach_sample), then
 * unwind and count the copies with every thread running again.
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

/* Counts the ticks t slept on its last stack that are not counted yet. */
void
sampler_idle_flush(struct sampler *s, struct sampler_task *t)
{
	if (t->idle_owed > 0 && t->last_stack != PROFILE_NONE) {
		aggregate_count_n(s->g, t->last_stack, t->rec, t->idle_second,
				  false, t->idle_owed);
		s->samples += t->idle_owed;
	}
	t->idle_owed = 0;
}

/* One more tick asleep on the last stack (counted in bulk later). */
static void
sampler_idle_tick(struct sampler *s, struct sampler_task *t, uint32_t second)
{
	if (t->idle_owed > 0 && t->idle_second != second)
		sampler_idle_flush(s, t);
	t->idle_second = second;
	if (!s->opt.once)
		t->idle_owed++;
}

/*
 * attach_exit_fn: tid exited and is about to be reaped. Its run time is
 * read now, for sampler_task_ended() to count at its last stacks: a
 * sampler thread busy for a second (loading a large library's debug info)
 * would otherwise lose all of it -- the whole life of a short child
 * process. Only read: captures taken before the exit may still wait to be
 * counted (slow work runs while a capture is counted); measured here,
 * their time was pending before them, and the first of them that woke
 * gave it all to the stacks from before the slow work
 * (tests/follow/slowload.sh: child_hot 0 % in 3 of 5 CI runs).
 */
void
sampler_thread_exited(pid_t tid, void *arg)
{
	struct sampler *s = arg;
	uint32_t id = hash_find(&s->task_idx, hash_u64((uint64_t)tid),
				sampler_task_eq, &tid, s);
	struct procfs_schedstat ss;

	if (id != PROFILE_NONE &&
	    procfs_schedstat_fd(s->tasks[id].sched_fd, &ss) == 0)
		s->tasks[id].exit_run_ns = ss.run_ns;
}

/*
 * t's thread is gone, or the profile ends, with every capture of it
 * counted: what it ran since the last one (read at its exit:
 * sampler_thread_exited()) joins its pending time, which goes to its last
 * stacks. Sampler thread.
 */
void
sampler_task_ended(struct sampler *s, struct sampler_task *t)
{
	if (t->exit_run_ns > 0)
		cputime_measure(&t->cpu, t->exit_run_ns);
	sampler_idle_flush(s, t);
	sampler_pending_flush(s, t, t->last_stack, sampler_second(s));
}

/* Drops the tasks attach/ no longer lists: their threads have exited. */
void
sampler_sweep(struct sampler *s)
{
	size_t kept = 0;

	for (size_t i = 0; i < s->ntasks; i++) {
		struct sampler_task *t = &s->tasks[i];

		if (t->seen) {
			if (kept != i) /* none dropped yet: it stays put */
				s->tasks[kept] = *t;
			kept++;
			continue;
		}
		sampler_task_ended(s, t);
		aggregate_thread_at(s->g, t->rec)->alive = false;
		aggregate_thread_at(s->g, t->rec)->state = 'X';
		sampler_task_close(t);
	}
	if (kept != s->ntasks) {
		s->ntasks = kept;
		sampler_task_reindex(s);
		sampler_space_sweep(s);
	}
}

static int
sampler_task_tid_cmp(const void *a, const void *b)
{
	pid_t x = ((const struct sampler_task *)a)->tid;
	pid_t y = ((const struct sampler_task *)b)->tid;

	return (x > y) - (x < y);
}

/*
 * Puts the tasks in attach/'s order (by TID), which a tick relies on to
 * find each thread's task without a hash lookup: tasks are added in the
 * order threads are first listed, and a thread listed later with a lower
 * TID -- TIDs wrapped at pid_max (32768 here) while 1000 threads were
 * born -- made every tick after look up every task (1 busy + 1000
 * sleeping threads at 1000 Hz: cproftop at 24.0-24.5 % of a core instead
 * of 22.5-23.6 %).
 */
static void
sampler_task_order(struct sampler *s)
{
	for (size_t i = 1; i < s->ntasks; i++)
		if (s->tasks[i - 1].tid > s->tasks[i].tid) {
			qsort(s->tasks, s->ntasks, sizeof(*s->tasks),
			      sampler_task_tid_cmp);
			sampler_task_reindex(s);
			return;
		}
}

/* Reads the thread's state; false when it is gone. */
bool
sampler_state(struct sampler *s, struct sampler_task *t)
{
	struct procfs_stat st;

	if (t->stat_fd < 0 || procfs_stat_fd(t->stat_fd, &st) != 0)
		return false;
	aggregate_thread_at(s->g, t->rec)->state = st.state;
	return true;
}

/* What sampler_look() decided for a thread at this tick. */
enum sampler_look_result {
	SAMPLER_LOOK_DONE,	/* counted or captured without a stop */
	SAMPLER_LOOK_INTERRUPT, /* running: to be interrupted */
};

/* Tries to copy the stack of a blocked thread: true when caps got it. */
static bool
sampler_blocked_capture(struct sampler *s, struct sampler_task *t,
			const struct procfs_schedstat *before,
			const struct procfs_syscall *sc)
{
	struct capture *c = &s->caps[s->ncaps];
	struct procfs_schedstat after;

	unwind_capture_blocked(s->a, t->tid, sc->pc, sc->sp, c);
	c->pid = t->pid;
	c->time_ns = (uint64_t)clock_ns(CLOCK_MONOTONIC);
	/* Consistent only if it did not run between the reads. */
	if (sampler_schedstat(s, t, &after) != 0 ||
	    after.slices != before->slices || after.run_ns != before->run_ns)
		return false;
	s->cap_stop[s->ncaps++] =
		(struct sampler_stop){.run_known = true,
				      .run_ns = after.run_ns,
				      .nvcsw = CPUTIME_UNREAD};
	s->blocked_reads++;
	return true;
}

/*
 * True when t, scheduled in slices times now (schedstat), was not since its
 * last stop: resumed, it waits for a CPU where it stopped, and asked again
 * it would stop there again, before its return to user space (a loaded
 * machine: a clock_nanosleep's return stopped up to 12 times in a row, the
 * kernel time of our stops 5 % of a ticker's CPU there).
 */
static bool
sampler_unscheduled(const struct sampler_task *t, uint64_t slices)
{
	return slices == t->stop_slices && t->last_stack != PROFILE_NONE;
}

/*
 * Looks at one thread, never stopping a thread that sleeps: stopping one
 * blocked in epoll_wait, sigtimedwait, semop, recv with SO_RCVTIMEO...
 * makes the call fail with EINTR. A thread that slept at the last look and
 * has not been scheduled since (schedstat's count of times run unchanged)
 * still has its last stack: counted again with no /proc read but that one,
 * and looked at less often the longer it sleeps (every 2^n ticks, at most
 * every 20 ms). Otherwise /proc/PID/task/TID/syscall tells whether it
 * runs (then it is interrupted) or where it blocks (pc, sp): its stack is
 * then copied with process_vm_readv while it sleeps, and kept only if
 * schedstat did not move across the reads.
 */
static enum sampler_look_result
sampler_look(struct sampler *s, struct sampler_task *t,
	     const struct attach_thread *th, uint32_t second)
{
	struct profile_thread *rec;
	struct procfs_schedstat ss;
	struct procfs_syscall sc;

	if (t->owed > 0) {
		/* A leader that never stops may have called pthread_exit. */
		if (t->owed == 3 && t->tid == t->pid)
			attach_forget_zombie(s->a, t->tid);
		return SAMPLER_LOOK_INTERRUPT; /* still waiting for a CPU */
	}
	if (t->asleep && t->idle_skip > 0) {
		t->idle_skip--;
		sampler_idle_tick(s, t, second);
		return SAMPLER_LOOK_DONE;
	}
	rec = aggregate_thread_at(s->g, t->rec);
	if (sampler_schedstat(s, t, &ss) != 0)
		return SAMPLER_LOOK_DONE; /* gone */
	cputime_measure(&t->cpu, ss.run_ns);
	if (t->asleep && ss.slices == t->slices) {
		if (t->idle_streak < 16)
			t->idle_streak++;
		t->idle_skip = (1U << t->idle_streak) - 1;
		if (t->idle_skip > s->max_skip - 1)
			t->idle_skip = s->max_skip - 1;
		sampler_idle_tick(s, t, second);
		return SAMPLER_LOOK_DONE;
	}
	if (!t->asleep && sampler_unscheduled(t, ss.slices) &&
	    !th->group_stopped) {
		rec->state = 'R';
		sampler_count(s, t, sampler_waiting_at(s, t->last_stack),
			      CAPTURE_WAITING_CPU, CLOCK_NS_PER_S / s->opt.hz,
			      second);
		return SAMPLER_LOOK_DONE;
	}
	if (t->asleep)
		s->woke = true; /* a search found one */
	if (ss.slices != t->slices)
		t->named = false; /* it ran: it may have renamed itself */
	t->slices = ss.slices;
	t->idle_streak = t->idle_skip = 0;
	sampler_idle_flush(s, t);
	for (int tries = 0; tries < 3; tries++) {
		int rc = procfs_syscall_fd(t->sys_fd, &sc);

		if (rc < 0)
			break;
		if (rc == 1) {
			rec->state = 'R';
			t->asleep = false;
			return SAMPLER_LOOK_INTERRUPT;
		}
		if (sc.sp == 0 || sc.pc == 0)
			break; /* no user context (exiting) */
		if (sampler_blocked_capture(s, t, &ss, &sc)) {
			rec->state = th->group_stopped ? 'T' : 'S';
			t->asleep = true;
			return SAMPLER_LOOK_DONE;
		}
		s->blocked_retries++;
		if (sampler_schedstat(s, t, &ss) != 0)
			break;
		t->slices = ss.slices;
	}
	/* Gone, or woke up at every try: its last stack stands for now. */
	t->asleep = false;
	if (t->last_stack != PROFILE_NONE)
		sampler_idle_tick(s, t, second);
	if (s->opt.once)
		t->missing = "it kept waking up while its stack was read";
	return SAMPLER_LOOK_DONE;
}

/*
 * Reads what counting t's capture at regs needs of t while it is stopped
 * (t NULL: an unknown thread, nothing) into *out.
 */
static void
sampler_stop_read(struct sampler *s, struct sampler_task *t,
		  const struct user_regs_struct *regs, struct sampler_stop *out)
{
	struct procfs_schedstat ss;

	*out = (struct sampler_stop){.in_batch = s->in_batch,
				     .nvcsw = CPUTIME_UNREAD};
	if (t == NULL || s->opt.once)
		return;
	if (sampler_schedstat(s, t, &ss) == 0) {
		out->run_known = true;
		out->run_ns = ss.run_ns;
		out->slices = ss.slices;
	}
	out->nvcsw = sampler_stopped_nvcsw(s, t, regs);
}

/* attach_sample() callback: runs while tid is stopped. Copies and returns. */
static void
sampler_capture(pid_t tid, const struct user_regs_struct *regs, void *arg)
{
	struct sampler *s = arg;
	uint32_t id;

	fault_in_capture();
	if (s->ncaps == s->cap_caps)
		return;
	unwind_capture(s->a, tid, regs, &s->caps[s->ncaps]);
	id = hash_find(&s->task_idx, hash_u64((uint64_t)tid), sampler_task_eq,
		       &tid, s);
	sampler_stop_read(s, id != PROFILE_NONE ? &s->tasks[id] : NULL, regs,
			  &s->cap_stop[s->ncaps]);
	/* One buffer a thread: an earlier capture still to count may use
	   it while slow work runs. */
	if (id != PROFILE_NONE && s->tasks[id].more != NULL && !s->in_slow)
		unwind_capture_more(s->a, &s->caps[s->ncaps], s->tasks[id].more,
				    s->tasks[id].more_len);
	s->caps[s->ncaps].pid =
		id != PROFILE_NONE ? s->tasks[id].pid : attach_pid_of(s->a);
	s->caps[s->ncaps++].time_ns = (uint64_t)clock_ns(CLOCK_MONOTONIC);
	s->stop_ring[s->stop_n++ % SAMPLER_STOP_RING] =
		(uint64_t)(clock_ns(CLOCK_MONOTONIC) - s->batch_ns);
}

/*
 * The ptrace source's side of the seam: completes a capture with what the
 * tick knows of its thread and hands it to sampler_account(). CPU: the time
 * the thread actually ran (schedstat, measured at every look and at each
 * capture's stop, *at), none when it did not run since its last capture
 * (it only waited for a CPU), so a CPU profile's total is the CPU time the
 * threads used; how much of it a capture takes, and which captures take none,
 * is cputime.h's. Taken asleep, the thread ran before it slept: its time goes
 * to the last stack taken on a CPU (the sleeping one only when none is known).
 * Off CPU: one tick for a blocked capture, and the ticks a thread was asked for
 * while it waited for a CPU. --dump counts each capture once.
 */
static void
sampler_ptrace_deliver(struct sampler *s, struct capture *c,
		       const struct sampler_stop *at, uint32_t second)
{
	uint64_t period = CLOCK_NS_PER_S / s->opt.hz;
	pid_t tid = c->tid;
	uint32_t id = hash_find(&s->task_idx, hash_u64((uint64_t)tid),
				sampler_task_eq, &tid, s);
	struct sampler_task *t;
	uint32_t waiting;
	bool woke, in_syscall;

	if (id == PROFILE_NONE)
		return;
	t = &s->tasks[id];
	if (!c->regs_partial) {
		s->stops++;
		cputime_stopped(&t->cpu);
	}
	if (s->opt.once) {
		c->state = c->regs_partial ? CAPTURE_BLOCKED : CAPTURE_RUNNING;
		c->weight_ns = period;
		t->owed = 0;
		sampler_account(s, c, second);
		return;
	}
	t->stop_slices = UINT64_MAX;
	if (at->run_known) {
		cputime_measure(&t->cpu, at->run_ns);
		if (!c->regs_partial)
			t->stop_slices = at->slices;
	}
	waiting = t->owed > 0 ? t->owed - (at->in_batch ? 1 : 0) : 0;
	t->owed = 0;
	if (c->regs_partial) {
		c->state = CAPTURE_BLOCKED;
		c->weight_ns = period;
		if (sampler_account(s, c, second) != PROFILE_NONE)
			sampler_pending_flush(s, t, t->last_stack, second);
		t->cpu.ran = false;
		return;
	}
	c->state = CAPTURE_RUNNING;
	c->weight_ns = 0;
	in_syscall = (int64_t)c->regs.orig_rax >= 0;
	woke = cputime_woke(&t->cpu, in_syscall, at->nvcsw);
	if (woke) /* what it ran before it blocked, where it ran */
		sampler_pending_flush(s, t, t->last_stack, second);
	else if (t->cpu.ran)
		c->weight_ns = cputime_take(&t->cpu, period, in_syscall);
	t->cpu.ran = false;
	if (sampler_account(s, c, second) == PROFILE_NONE)
		return;
	if (!woke) /* where it ran, for its time until it blocks */
		cputime_ran_at(&t->cpu, t->last_stack, in_syscall);
	if (t->pid != s->pid)
		fault_child_seen(t->pid, s->pid);
	if (waiting > 0)
		sampler_count(s, t,
			      sampler_waiting_stack(s, s->last_locs, s->last_n,
						    s->last_truncated),
			      CAPTURE_WAITING_CPU, (uint64_t)waiting * period,
			      second);
	aggregate_thread_at(s->g, t->rec)->last_stack = t->last_stack;
}

/*
 * Makes room for n more captures (they are large: allocated once, reused),
 * keeping the ones not yet accounted.
 */
static void
sampler_reserve(struct sampler *s, size_t n)
{
	/* parallel arrays: from one capacity they grow alike */
	size_t cap1 = s->cap_caps, cap2 = s->cap_caps;

	ARRAY_RESERVE(s->caps, s->cap_caps, s->ncaps + n);
	ARRAY_RESERVE(s->cap_stop, cap1, s->ncaps + n);
	ARRAY_RESERVE(s->eligible, cap2, s->ncaps + n);
}

/* Unwinds and counts the captures taken so far. */
static void
sampler_account_all(struct sampler *s, uint32_t second)
{
	/* Each unwind is bounded; a stop request is not kept waiting for a
	   long batch of them. */
	for (size_t i = 0; i < s->ncaps && !atomic_load(&s->stop); i++) {
		sampler_beat(s);
		sampler_ptrace_deliver(s, &s->caps[i], &s->cap_stop[i], second);
	}
	s->ncaps = 0;
}

/*
 * Threads whose stacks did not fit their copy copy more from now on (a
 * buffer per thread, doubled up to SAMPLER_MORE_MAX). Called with no
 * capture pending: none points into a buffer being replaced.
 */
static void
sampler_grow_copies(struct sampler *s)
{
	for (size_t i = 0; i < s->ntasks; i++) {
		struct sampler_task *t = &s->tasks[i];

		if (!t->deeper)
			continue;
		t->deeper = false;
		t->more_len =
			t->more_len ? 2 * t->more_len : SAMPLER_MORE_FIRST;
		if (t->more_len > SAMPLER_MORE_MAX)
			t->more_len = SAMPLER_MORE_MAX;
		free(t->more);
		t->more = xmalloc(t->more_len);
	}
}

/* Reads the schedstat of the n threads about to be interrupted. */
static void
sampler_read_eligible(struct sampler *s, size_t n)
{
	struct procfs_schedstat ss;

	for (size_t i = 0; i < n; i++) {
		pid_t tid = s->eligible[i];
		uint32_t id = hash_find(&s->task_idx, hash_u64((uint64_t)tid),
					sampler_task_eq, &tid, s);

		if (id != PROFILE_NONE)
			sampler_schedstat(s, &s->tasks[id], &ss);
	}
}

/*
 * The process CPU clock check, every SAMPLER_CHECK_NS (SAMPLER_CHECK_TASK_NS
 * a thread when longer) in a process of SAMPLER_MANY_THREADS threads or
 * more (issue 9: with 1000 sleeping threads, a schedstat read of each
 * every 20 ms was most of cproftop's CPU). The clock is the sum of every
 * thread's run time as schedstat gives it (updated at each switch and
 * scheduler tick), the threads gone included; known_run_ns sums what
 * schedstat gave at each thread's last read. The n threads about to be
 * interrupted (eligible) -- the running ones, whose time moves -- are read
 * right before the clock and again right after: unseen, the clock less
 * what is known, is what the other threads -- the sleeping ones -- ran
 * since their last read (plus the unread time of threads gone or not
 * listed yet), and lies between lo (known after) and hi (known before);
 * the two are equal when no running thread's time moved meanwhile (a
 * switch or a scheduler tick: about half of the checks with one busy
 * thread at 1000 Hz). unseen_ref is the least hi since it was set. A
 * sleeping thread surely ran when lo grew past it: every sleeping thread
 * is then looked at at the faster pace until each was (a search). A
 * search that found no sleeping thread that ran was set off by a thread
 * gone (its time since its last read stays in unseen): the next check
 * takes hi as its reference. Otherwise the sleeping threads stay quiet:
 * each looked at SAMPLER_QUIET_LOOK_HZ times a second. A sleeping thread
 * that ran less than the running threads' time moved across a check is
 * seen at the next check whose bounds meet (before: the reference was
 * the least lo, and a check whose bounds met then found unseen above it,
 * a search for nothing: 36 in 3.5 s with 1000 sleeping threads and one
 * busy, each looking at every sleeping thread).
 */
static void
sampler_check(struct sampler *s, size_t n)
{
	uint32_t fast = s->opt.hz / SAMPLER_LOOK_HZ > 1
				? s->opt.hz / SAMPLER_LOOK_HZ
				: 1;
	int64_t now = clock_ns(CLOCK_MONOTONIC), period, clock, lo, hi;
	uint64_t known_before;
	struct timespec ts;

	if (s->search_left > 0 && --s->search_left == 0 && !s->woke)
		s->settle = true;
	if (!s->have_proc_clock || s->nspaces != 1 ||
	    s->ntasks < SAMPLER_MANY_THREADS) {
		s->quiet = false;
		s->settle = true;
		return;
	}
	if (s->search_left > 0 || now < s->next_check_ns)
		return;
	period = (int64_t)s->ntasks * SAMPLER_CHECK_TASK_NS;
	s->next_check_ns =
		now + (period > SAMPLER_CHECK_NS ? period : SAMPLER_CHECK_NS);
	sampler_read_eligible(s, n);
	known_before = s->known_run_ns;
	if (clock_gettime(s->proc_clock, &ts) != 0) {
		s->have_proc_clock = false;
		s->quiet = false;
		return;
	}
	sampler_read_eligible(s, n);
	s->checks++;
	clock = (int64_t)ts.tv_sec * CLOCK_NS_PER_S + ts.tv_nsec;
	lo = clock - (int64_t)s->known_run_ns;
	hi = clock - (int64_t)known_before;
	if (s->settle) {
		s->settle = false;
		s->unseen_ref = hi;
		s->quiet = true;
	} else if (lo > s->unseen_ref) {
		s->searches++;
		s->woke = false;
		s->quiet = false;
		s->search_left = fast + 1;
		for (size_t i = 0; i < s->ntasks; i++)
			if (s->tasks[i].idle_skip > fast - 1)
				s->tasks[i].idle_skip = fast - 1;
	} else {
		if (hi < s->unseen_ref)
			s->unseen_ref = hi; /* the least since set */
		s->quiet = true;
	}
}

/*
 * One tick: look at every thread, interrupt the ones that may have moved,
 * copy their stacks (threads resume one by one as soon as copied), then
 * unwind and count with every thread running again. A thread still waiting
 * for a CPU at the timeout is captured when it gets one (at a later tick or
 * between ticks) and then counted once for every tick it was asked for: its
 * stack did not change while it waited. Captures taken between ticks are
 * counted first, before the thread is asked for again.
 */
void
sampler_tick(struct sampler *s, uint32_t second, int64_t timeout_ns)
{
	const struct attach_thread *th;
	size_t nth = attach_threads(s->a, &th), n = 0;
	bool same = nth == s->ntasks; /* the same threads as last tick */
	uint32_t hz = s->quiet ? SAMPLER_QUIET_LOOK_HZ : SAMPLER_LOOK_HZ;

	sampler_account_all(s, second);
	sampler_grow_copies(s);
	sampler_reserve(s, nth + SAMPLER_SLOW_CAPS);
	s->max_skip = s->opt.hz / hz > 1 ? s->opt.hz / hz : 1;
	for (size_t i = 0; i < nth; i++) {
		/* The lists keep their order: the i-th task is th[i]'s but
		   when threads came or went (no hash lookup a thread a tick:
		   with 1000 threads at 1000 Hz, 3 % of cproftop's CPU). */
		bool at_i = i < s->ntasks && s->tasks[i].tid == th[i].tid;
		struct sampler_task *t =
			at_i ? &s->tasks[i]
			     : sampler_task(s, th[i].pid, th[i].tid);

		same &= at_i;
		if (sampler_look(s, t, &th[i], second) ==
		    SAMPLER_LOOK_INTERRUPT) {
			s->eligible[n++] = th[i].tid;
			t->owed++;
		}
	}
	/* Every task seen, none gone: the sweep (a copy of every task, 1.6 %
	   of cproftop's CPU with 1001 threads) would keep them all. Else the
	   ones attach/ still lists are marked (here, not in the loop above:
	   a pass over every task a tick less). */
	if (!same) {
		for (size_t i = 0; i < s->ntasks; i++)
			s->tasks[i].seen = false;
		for (size_t i = 0; i < nth; i++) /* in order: by index */
			if (i < s->ntasks && s->tasks[i].tid == th[i].tid)
				s->tasks[i].seen = true;
			else
				sampler_task(s, th[i].pid, th[i].tid)->seen =
					true;
		sampler_sweep(s);
		sampler_task_order(s);
	}
	s->listed = true;
	sampler_check(s, n);
	s->batch_ns = clock_ns(CLOCK_MONOTONIC);
	s->in_batch = true;
	if (n > 0)
		attach_sample(s->a, s->eligible, n, sampler_capture, s,
			      timeout_ns);
	s->in_batch = false;
	sampler_refresh_maps(s, false);
	sampler_account_all(s, second);
	s->ticks++;
	fault_end_of_tick();
}

/*
 * While the sampler thread waits for slow work (sampler_slow(): a module's
 * symbols and debug info loaded at its first sample), the threads that
 * were running at their last look and are not asked for already are
 * interrupted and copied as at a tick -- never a sleeping one (its
 * syscall file must say it runs) nor one not scheduled since its last
 * stop (sampler_unscheduled()) -- into the room left in s->caps
 * (sampler_tick() keeps SAMPLER_SLOW_CAPS more), to be counted when the
 * work is done, after the capture being counted. Without them, a thread
 * ran unseen for the whole of the work (a second and more for a large
 * library under ASan on a loaded machine), and its time went to its
 * stacks from before: a followed child that ended meanwhile had all of it
 * at its exec stop or in the loader's relocations, where its first sample
 * loaded ld.so's symbols (tests/follow/slowload.sh; follow.sh's rare
 * misses, child_hot at 48 % or 0 % of a child's time under ASan, look
 * alike, not reproduced without the fault).
 */
void
sampler_slow_tick(struct sampler *s)
{
	size_t room = s->cap_caps - s->ncaps, n = 0;
	struct procfs_schedstat ss;
	struct procfs_syscall sc;

	if (s->opt.once || s->a == NULL)
		return;
	for (size_t i = 0; i < s->ntasks && n < room; i++) {
		struct sampler_task *t = &s->tasks[i];

		/* A thread whose stack needs more than the capture's own
		   copy is left alone: its one buffer may be in use by the
		   capture being counted (its copies would be cut). */
		if (t->asleep || t->owed > 0 || t->deeper || t->more != NULL ||
		    procfs_syscall_fd(t->sys_fd, &sc) != 1 ||
		    sampler_schedstat(s, t, &ss) != 0 ||
		    sampler_unscheduled(t, ss.slices))
			continue;
		s->eligible[n++] = t->tid;
	}
	if (n == 0)
		return;
	s->in_slow = true;
	s->batch_ns = clock_ns(CLOCK_MONOTONIC);
	attach_sample(s->a, s->eligible, n, sampler_capture, s,
		      SAMPLER_SLOW_WAIT_NS);
	s->in_slow = false;
}
