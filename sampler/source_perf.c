#include "config.h"

#include "sampler/source_perf.h"

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "attach/procfs.h"
#include "sampler/unwind.h"
#include "common/array.h"
#include "common/clock.h"
#include "common/log.h"
#include "common/xmalloc.h"
#include "common/hash.h"

#define SOURCE_PERF_RESCAN_NS (100 * 1000000LL)
#define SOURCE_PERF_WINDOW_NS (25 * 1000000LL) /* schedstat looks, at most */
#define SOURCE_PERF_READINGS 64	  /* schedstat looks kept per thread */
#define SOURCE_PERF_MAX_SEED 4096 /* threads read at the start, at most */
/* A flush takes a backlog for this long at most. */
#define SOURCE_PERF_FLUSH_NS (1000 * 1000000LL)

/*
 * The run-queue time a thread's schedstat gained between the previous
 * look and this one (at time): the waits for a CPU of the off-CPU
 * intervals that ended in between (the kernel adds each at switch-in).
 * Before a window's intervals are handed over, the waits of its preempted
 * ones (known exactly) are taken off the budget and the lengths of its
 * blocked ones summed (source_perf_prepass()).
 */
struct source_perf_reading {
	uint64_t time;
	int64_t budget;	     /* ns not yet taken by an interval */
	uint64_t blocked_ns; /* blocked intervals' lengths not yet handed */
};

/*
 * What we know of one thread between its off-CPU records. The kernel
 * tells when a thread switched out (blocked, or preempted) and back in,
 * not when a blocked thread was woken (a sched:sched_wakeup tracepoint
 * event opened on the thread records the wakeups it makes, not its own,
 * checked on 6.18; a CPU-wide one needs CAP_SYS_ADMIN for the raw data
 * that names the woken thread): the part of a blocked interval it
 * then spent waiting for a CPU comes from its schedstat run-queue time
 * (read every ~25 ms): the waits of the window an interval ends in, less
 * those of all its preempted intervals (known exactly), shared among the
 * blocked intervals of that window in proportion to their lengths, taken
 * from their ends. A window is handed over once every record before its
 * end was read. A thread's totals are exact per window; between its
 * stacks in one window, the split is that proportion.
 */
struct source_perf_thread {
	pid_t tid;
	bool out;	       /* switched out, not yet back */
	bool preempt;	       /* switched out runnable: it waits for a CPU */
	bool have_stack;       /* cap holds where it last blocked */
	uint64_t t_out;	       /* switch-out time */
	uint64_t t_mark;       /* switch-out time, or the last hand-over */
	bool p_out, p_preempt; /* out and preempt, in source_perf_prepass */
	uint64_t p_t_out;      /* t_out, in source_perf_prepass */
	int sched_fd;	       /* its schedstat, or -1 */
	uint64_t delay;	       /* schedstat run-queue time at the last look */
	struct source_perf_reading rd[SOURCE_PERF_READINGS]; /* oldest 1st */
	unsigned nrd;
	struct capture cap;
};

struct source_perf {
	struct source_perf_options opt;
	struct perf_source *ps;
	struct capture *scratch;
	int64_t next_rescan;
	int64_t next_window;
	struct source_perf_thread **threads; /* seen in off-CPU records */
	size_t nthreads, cap_threads;
	struct hash thread_idx;

	/* Off-CPU records not yet applied, in arrival order: the rings of
	   different CPUs interleave a thread's switches, so they are applied
	   in time order once every ring has been read past them. */
	struct source_perf_pending *pend;
	size_t npend, cap_pend;
	uint64_t seq;
	uint64_t until;	 /* every record older was read */
	uint32_t seeded; /* threads found blocked at the start */
	uint64_t looks[SOURCE_PERF_READINGS]; /* looks not closed, oldest 1st */
	unsigned nlooks;
	uint64_t since; /* off-CPU time before this is not handed */

	/* The sink while draining. */
	capture_sink_fn sink;
	void *sink_arg;
};

/* A copied off-CPU record (its stack copied too). */
struct source_perf_pending {
	struct perf_record r;
	uint8_t *stack; /* owned */
	uint64_t seq;	/* arrival order, for equal times */
};

/* Fills c's regs and stack from a sample. Returns 0, or -1 without regs. */
static int
source_perf_fill(struct source_perf *sp, const struct perf_record *r,
		 struct capture *c)
{
	size_t len = r->stack_len;

	if (perf_record_regs(perf_source_layout(sp->ps), r, &c->regs) != 0)
		return -1;
	if (len > CAPTURE_STACK_BYTES)
		len = CAPTURE_STACK_BYTES;
	c->pid = r->pid;
	c->tid = r->tid;
	c->time_ns = r->time;
	c->stack_start = c->regs.rsp;
	c->stack_len = len;
	c->stack_more = NULL; /* the kernel copied what it copied */
	c->stack_more_len = 0;
	if (len > 0)
		memcpy(c->stack, r->stack, len);
	return 0;
}

/* Hands over [from, to) of t in state. */
static void
source_perf_hand(struct source_perf *sp, struct source_perf_thread *t,
		 enum capture_state state, uint64_t from, uint64_t to)
{
	if (from < sp->since)
		from = sp->since;
	if (to <= from)
		return;
	t->cap.state = state;
	t->cap.weight_ns = to - from;
	t->cap.time_ns = to;
	sp->sink(&t->cap, sp->sink_arg);
}

/* The look that counted the wait of an interval ending at end, or NULL. */
static struct source_perf_reading *
source_perf_find(struct source_perf_thread *t, uint64_t end)
{
	unsigned k = 0;

	while (k < t->nrd && t->rd[k].time < end)
		k++;
	return k < t->nrd ? &t->rd[k] : NULL;
}

/* source_perf_find(), forgetting the older windows (they are done). */
static struct source_perf_reading *
source_perf_window(struct source_perf_thread *t, uint64_t end)
{
	unsigned k = 0;

	while (k < t->nrd && t->rd[k].time < end)
		k++;
	if (k > 0) {
		memmove(t->rd, t->rd + k, (t->nrd - k) * sizeof(*t->rd));
		t->nrd -= k;
	}
	return t->nrd > 0 ? &t->rd[0] : NULL;
}

/*
 * The wait for a CPU at the end of a blocked interval [t_out, end) of
 * window r: r's budget left in proportion to the interval's share of the
 * blocked time left in r (the last one takes the rest), at most its
 * length. Takes it off r.
 */
static uint64_t
source_perf_share(struct source_perf_reading *r, uint64_t len)
{
	uint64_t wait = 0;

	if (r->budget > 0 && r->blocked_ns > 0) {
		wait = len >= r->blocked_ns
			       ? (uint64_t)r->budget
			       : (uint64_t)((double)r->budget * (double)len /
					    (double)r->blocked_ns);
		if (wait > len)
			wait = len;
		r->budget -= (int64_t)wait;
	}
	r->blocked_ns = len < r->blocked_ns ? r->blocked_ns - len : 0;
	return wait;
}

/*
 * Hands over t's off-CPU time from its mark to end_ns: preempted, all of
 * it waiting for a CPU; blocked, blocked time, but for the estimated wait
 * for a CPU at its end when it is back (in: its switch-in).
 */
static void
source_perf_off(struct source_perf *sp, struct source_perf_thread *t,
		uint64_t end_ns, bool in)
{
	struct source_perf_reading *r =
		in ? source_perf_window(t, end_ns) : NULL;
	uint64_t wait = 0;

	if (end_ns <= t->t_mark)
		return;
	if (t->preempt) {
		wait = end_ns - t->t_mark; /* off its budget already */
	} else if (r != NULL) {
		wait = source_perf_share(r, end_ns - t->t_out);
		if (wait > end_ns - t->t_mark) /* a flush handed the rest */
			wait = end_ns - t->t_mark;
	}
	if (t->have_stack) {
		source_perf_hand(sp, t, CAPTURE_BLOCKED, t->t_mark,
				 end_ns - wait);
		source_perf_hand(sp, t, CAPTURE_WAITING_CPU, end_ns - wait,
				 end_ns);
	}
	t->t_mark = end_ns;
}

/* Looks at t's schedstat: a new window ending at now. */
static void
source_perf_look(struct source_perf_thread *t, uint64_t now)
{
	struct procfs_schedstat ss;
	uint64_t d;

	if (t->sched_fd < 0 || procfs_schedstat_fd(t->sched_fd, &ss) != 0)
		return;
	d = ss.wait_ns >= t->delay ? ss.wait_ns - t->delay : 0;
	t->delay = ss.wait_ns;
	if (t->nrd == SOURCE_PERF_READINGS) { /* far behind: merge two */
		t->rd[1].budget += t->rd[0].budget;
		memmove(t->rd, t->rd + 1, (t->nrd - 1) * sizeof(*t->rd));
		t->nrd--;
	}
	t->rd[t->nrd].time = now;
	t->rd[t->nrd].blocked_ns = 0;
	t->rd[t->nrd++].budget = (int64_t)d;
}

/* A look at every thread's schedstat (every ~25 ms). */
static void
source_perf_looks(struct source_perf *sp)
{
	uint64_t now = (uint64_t)clock_ns(CLOCK_MONOTONIC);

	for (size_t i = 0; i < sp->nthreads; i++)
		source_perf_look(sp->threads[i], now);
	if (sp->nlooks == SOURCE_PERF_READINGS) { /* as source_perf_look */
		memmove(sp->looks, sp->looks + 1,
			(sp->nlooks - 1) * sizeof(*sp->looks));
		sp->nlooks--;
	}
	sp->looks[sp->nlooks++] = now;
}

/*
 * The latest look that every record before was read (sp->until), or 0:
 * its window and the older ones are complete. Forgets those looks.
 */
static uint64_t
source_perf_closed(struct source_perf *sp)
{
	uint64_t closed = 0;
	unsigned k = 0;

	while (k < sp->nlooks && sp->looks[k] <= sp->until)
		closed = sp->looks[k++];
	memmove(sp->looks, sp->looks + k,
		(sp->nlooks - k) * sizeof(*sp->looks));
	sp->nlooks -= k;
	return closed;
}

static int
source_perf_thread_eq(uint32_t id, const void *key, void *arg)
{
	const struct source_perf *sp = arg;

	return sp->threads[id]->tid == *(const pid_t *)key;
}

/* The state of tid, created when new. */
static struct source_perf_thread *
source_perf_thread(struct source_perf *sp, pid_t tid)
{
	uint64_t h = hash_u64((uint64_t)tid);
	uint32_t id =
		hash_find(&sp->thread_idx, h, source_perf_thread_eq, &tid, sp);
	struct source_perf_thread *t;

	if (id != UINT32_MAX)
		return sp->threads[id];
	ARRAY_RESERVE(sp->threads, sp->cap_threads, sp->nthreads + 1);
	t = xcalloc(1, sizeof(*t));
	t->tid = tid;
	t->sched_fd = procfs_open_schedstat(sp->opt.pid, tid);
	source_perf_look(t, (uint64_t)clock_ns(CLOCK_MONOTONIC));
	t->nrd = 0; /* the first look only sets where its counts start */
	sp->threads[sp->nthreads] = t;
	hash_add(&sp->thread_idx, h, (uint32_t)sp->nthreads++);
	return t;
}

/* Forgets the threads that exited (their last interval was handed over). */
static void
source_perf_sweep(struct source_perf *sp)
{
	size_t kept = 0;

	for (size_t i = 0; i < sp->nthreads; i++) {
		if (perf_source_has_thread(sp->ps, sp->threads[i]->tid)) {
			sp->threads[kept++] = sp->threads[i];
		} else {
			if (sp->threads[i]->sched_fd >= 0)
				close(sp->threads[i]->sched_fd);
			free(sp->threads[i]);
		}
	}
	if (kept == sp->nthreads)
		return;
	sp->nthreads = kept;
	hash_clear(&sp->thread_idx);
	for (size_t i = 0; i < kept; i++)
		hash_add(&sp->thread_idx,
			 hash_u64((uint64_t)sp->threads[i]->tid), (uint32_t)i);
}

/*
 * Applies one off-CPU record: a switch sample (where the thread blocks),
 * a switch-out, a switch-in.
 */
static void
source_perf_apply(struct source_perf *sp, const struct perf_record *r)
{
	struct source_perf_thread *t = source_perf_thread(sp, r->tid);

	if (r->kind == PERF_RECORD_KIND_SAMPLE) {
		/* The stack it is about to block in (its switch-out follows).
		 */
		t->have_stack = source_perf_fill(sp, r, &t->cap) == 0;
	} else if (r->switch_out) {
		t->out = true;
		t->t_out = r->time;
		t->t_mark = r->time;
		t->preempt = r->preempt;
	} else if (t->out) {
		source_perf_off(sp, t, r->time, true);
		t->out = false;
	}
}

static int
source_perf_pending_cmp(const void *a, const void *b)
{
	const struct source_perf_pending *x = a, *y = b;

	if (x->r.time != y->r.time)
		return x->r.time < y->r.time ? -1 : 1;
	return (x->seq > y->seq) - (x->seq < y->seq);
}

/*
 * Before the first n pending records (sorted) are applied: the intervals
 * they end, per window of their thread, preempted ones off the budget
 * (the kernel counted all of each as run-queue time), blocked ones'
 * lengths summed, so that the blocked ones share what is left, whatever
 * their order in the window.
 */
static void
source_perf_prepass(struct source_perf *sp, size_t n)
{
	for (size_t i = 0; i < sp->nthreads; i++) {
		struct source_perf_thread *t = sp->threads[i];

		t->p_out = t->out;
		t->p_preempt = t->preempt;
		t->p_t_out = t->t_out;
	}
	for (size_t i = 0; i < n; i++) {
		const struct perf_record *r = &sp->pend[i].r;
		struct source_perf_thread *t;
		struct source_perf_reading *rd;

		if (r->kind != PERF_RECORD_KIND_SWITCH)
			continue;
		t = source_perf_thread(sp, r->tid);
		if (r->switch_out) {
			t->p_out = true;
			t->p_preempt = r->preempt;
			t->p_t_out = r->time;
			continue;
		}
		if (!t->p_out)
			continue;
		t->p_out = false;
		rd = source_perf_find(t, r->time);
		if (rd == NULL || r->time <= t->p_t_out)
			continue;
		if (t->p_preempt)
			rd->budget -= (int64_t)(r->time - t->p_t_out);
		else
			rd->blocked_ns += r->time - t->p_t_out;
	}
}

/* Applies the pending records older than until_ns, in time order. */
static void
source_perf_apply_until(struct source_perf *sp, uint64_t until_ns)
{
	size_t i, n, kept = 0;

	if (sp->npend == 0)
		return; /* qsort's base must not be NULL, even for 0 items */
	qsort(sp->pend, sp->npend, sizeof(*sp->pend), source_perf_pending_cmp);
	for (n = 0; n < sp->npend && sp->pend[n].r.time < until_ns; n++)
		;
	if (n == 0)
		return;
	source_perf_prepass(sp, n);
	for (i = 0; i < n; i++) {
		source_perf_apply(sp, &sp->pend[i].r);
		free(sp->pend[i].stack);
	}
	for (; i < sp->npend; i++)
		sp->pend[kept++] = sp->pend[i];
	sp->npend = kept;
}

static void
source_perf_record(const struct perf_record *r, bool offcpu, void *arg)
{
	struct source_perf *sp = arg;
	struct source_perf_pending *p;

	/* The events are inherited by the processes the target forks too:
	   their samples count only when following them. */
	if (!sp->opt.follow && r->pid != sp->opt.pid &&
	    r->kind != PERF_RECORD_KIND_LOST)
		return;
	if (r->kind == PERF_RECORD_KIND_SAMPLE && !offcpu) {
		struct capture *c = sp->scratch;

		if (source_perf_fill(sp, r, c) != 0)
			return;
		c->state = CAPTURE_RUNNING;
		c->weight_ns = r->period
				       ? r->period
				       : (uint64_t)CLOCK_NS_PER_S / sp->opt.hz;
		sp->sink(c, sp->sink_arg);
		return;
	}
	if (r->kind != PERF_RECORD_KIND_SAMPLE &&
	    r->kind != PERF_RECORD_KIND_SWITCH)
		return;
	p = ARRAY_PUSH(sp->pend, sp->npend, sp->cap_pend);
	p->r = *r;
	p->seq = sp->seq++;
	p->stack = NULL;
	if (r->stack != NULL && r->stack_len > 0) {
		size_t len = r->stack_len < CAPTURE_STACK_BYTES
				     ? (size_t)r->stack_len
				     : CAPTURE_STACK_BYTES;

		p->stack = xmalloc(len);
		memcpy(p->stack, r->stack, len);
		p->r.stack = p->stack;
		p->r.stack_len = len;
	}
}

/*
 * A thread blocked since before its switch events existed has no switch-out
 * to start from: its stack is read once, without stopping it (pc and sp from
 * /proc/PID/task/TID/syscall, the stack with process_vm_readv, kept only if
 * schedstat did not move across the reads), and it counts as blocked from
 * now on. Returns true when tid was seeded.
 */
static bool
source_perf_seed_one(struct source_perf *sp, pid_t tid, int64_t now)
{
	int sfd = procfs_open_schedstat(sp->opt.pid, tid);
	int cfd = procfs_open_syscall(sp->opt.pid, tid);
	struct procfs_schedstat before, after;
	int tfd = procfs_open_stat(sp->opt.pid, tid);
	struct procfs_syscall sc;
	struct procfs_stat st;
	struct capture *c = sp->scratch;
	struct source_perf_thread *t;
	bool ok = false;

	/* Sleeping (S, D), not stopped: a spawned command held at its exec
	   is let go right after. */
	if (tfd >= 0 && procfs_stat_fd(tfd, &st) == 0 &&
	    (st.state == 'S' || st.state == 'D') && sfd >= 0 && cfd >= 0 &&
	    procfs_schedstat_fd(sfd, &before) == 0 &&
	    procfs_syscall_fd(cfd, &sc) == 0 && sc.sp != 0 && sc.pc != 0) {
		unwind_capture_blocked(NULL, tid, sc.pc, sc.sp, c);
		ok = procfs_schedstat_fd(sfd, &after) == 0 &&
		     after.slices == before.slices &&
		     after.run_ns == before.run_ns;
	}
	if (tfd >= 0)
		close(tfd);
	if (sfd >= 0)
		close(sfd);
	if (cfd >= 0)
		close(cfd);
	if (!ok)
		return false;
	t = source_perf_thread(sp, tid);
	memcpy(&t->cap, c, sizeof(*c));
	t->cap.pid = sp->opt.pid;
	t->cap.time_ns = (uint64_t)now;
	t->have_stack = true;
	t->out = true;
	t->preempt = false;
	t->t_out = t->t_mark = (uint64_t)now;
	return true;
}

/*
 * Every thread of the target from the start: its schedstat looks start
 * now (not when its first record is read, which a busy sampler thread
 * may read late); those blocked now are seeded (source_perf_seed_one()).
 */
static void
source_perf_seed(struct source_perf *sp)
{
	int64_t now = clock_ns(CLOCK_MONOTONIC);
	pid_t *tids = NULL;
	ssize_t n = procfs_read_tasks(sp->opt.pid, &tids);

	for (ssize_t i = 0; i < n && i < SOURCE_PERF_MAX_SEED; i++) {
		(void)source_perf_thread(sp, tids[i]);
		if (source_perf_seed_one(sp, tids[i], now))
			sp->seeded++;
	}
	if (n >= 0)
		free(tids);
}

int
source_perf_open(const struct source_perf_options *opt,
		 struct source_perf **out, int *err, char **cause)
{
	struct source_perf *sp = xcalloc(1, sizeof(*sp));
	struct perf_event_config cfg = {
		.hz = opt->hz,
		.stack_bytes = opt->stack_bytes,
		.inherit_fork = opt->follow,
	};

	sp->opt = *opt;
	if (sp->opt.hz == 0)
		sp->opt.hz = 99;
	if (perf_source_open(opt->pid, &cfg, opt->offcpu, &sp->ps, err,
			     cause) != 0) {
		free(sp);
		return -1;
	}
	sp->scratch = xcalloc(1, sizeof(*sp->scratch));
	if (opt->offcpu && perf_source_offcpu(sp->ps) == NULL)
		source_perf_seed(sp);
	sp->next_rescan = clock_ns(CLOCK_MONOTONIC) + SOURCE_PERF_RESCAN_NS;
	*out = sp;
	return 0;
}

int
source_perf_wait(struct source_perf *sp, int64_t deadline_ns, int wake_fd,
		 int end_fd)
{
	if (deadline_ns > sp->next_rescan)
		deadline_ns = sp->next_rescan;
	return perf_source_wait(sp->ps, deadline_ns, wake_fd, end_fd);
}

size_t
source_perf_poll(struct source_perf *sp, capture_sink_fn sink, void *arg)
{
	int64_t now, until;
	size_t n = 1;

	sp->sink = sink;
	sp->sink_arg = arg;
	/* Off-CPU records apply in time order, once every ring was read
	   past them. */
	until = perf_source_drain(sp->ps, source_perf_record, sp);
	if (until > 0 && (uint64_t)until > sp->until)
		sp->until = (uint64_t)until;
	now = clock_ns(CLOCK_MONOTONIC);
	if (now >= sp->next_window) {
		source_perf_looks(sp);
		sp->next_window = now + SOURCE_PERF_WINDOW_NS;
	}
	/* Intervals are handed over once the window they end in is
	   complete: a look closed it and every record before it was read. */
	source_perf_apply_until(sp, source_perf_closed(sp));
	if (now >= sp->next_rescan) {
		n = perf_source_rescan(sp->ps);
		source_perf_sweep(sp);
		if (sp->opt.switch_cap > 0)
			perf_source_cap(sp->ps, sp->opt.switch_cap, now);
		sp->next_rescan = now + SOURCE_PERF_RESCAN_NS;
	}
	sp->sink = NULL;
	return n;
}

void
source_perf_flush(struct source_perf *sp, int64_t now_ns, capture_sink_fn sink,
		  void *arg)
{
	int64_t until, stop = clock_ns(CLOCK_MONOTONIC) + SOURCE_PERF_FLUSH_NS;
	uint64_t end;

	sp->sink = sink;
	sp->sink_arg = arg;
	/* What a busy sampler thread left in the queue, for a while. */
	do {
		until = perf_source_drain(sp->ps, source_perf_record, sp);
	} while (until == 0 && clock_ns(CLOCK_MONOTONIC) < stop);
	if (until > 0 && (uint64_t)until > sp->until)
		sp->until = (uint64_t)until;
	source_perf_looks(sp);
	/* Up to the time every ring was read to: a thread still out then
	   may have come back since, its switch-in not read yet. */
	end = sp->until < (uint64_t)now_ns ? sp->until : (uint64_t)now_ns;
	source_perf_apply_until(sp, end);
	for (size_t i = 0; i < sp->nthreads; i++)
		if (sp->threads[i]->out)
			source_perf_off(sp, sp->threads[i], end, false);
	sp->sink = NULL;
}

void
source_perf_since(struct source_perf *sp, int64_t since_ns)
{
	sp->since = since_ns > 0 ? (uint64_t)since_ns : 0;
}

void
source_perf_finish(struct source_perf *sp, int64_t deadline_ns,
		   capture_sink_fn sink, void *arg)
{
	sp->sink = sink;
	sp->sink_arg = arg;
	perf_source_finish(sp->ps, deadline_ns, source_perf_record, sp);
	sp->sink = NULL;
	source_perf_flush(sp, clock_ns(CLOCK_MONOTONIC), sink, arg);
}

const char *
source_perf_offcpu(const struct source_perf *sp)
{
	return perf_source_offcpu(sp->ps);
}

void
source_perf_stats(const struct source_perf *sp, struct perf_source_stats *out)
{
	perf_source_stats(sp->ps, out);
}

void
source_perf_close(struct source_perf *sp)
{
	struct perf_source_stats st;

	if (sp == NULL)
		return;
	perf_source_stats(sp->ps, &st);
	log_debug("perf: %llu records, %llu lost, %llu bad, %llu duplicate "
		  "threads, %llu thinned, %u threads, %u rings of %u pages",
		  (unsigned long long)st.records, (unsigned long long)st.lost,
		  (unsigned long long)st.bad, (unsigned long long)st.duplicates,
		  (unsigned long long)st.throttled, st.threads, st.cpus,
		  st.buffer_pages);
	perf_source_close(sp->ps);
	for (size_t i = 0; i < sp->nthreads; i++) {
		if (sp->threads[i]->sched_fd >= 0)
			close(sp->threads[i]->sched_fd);
		free(sp->threads[i]);
	}
	free(sp->threads);
	for (size_t i = 0; i < sp->npend; i++)
		free(sp->pend[i].stack);
	free(sp->pend);
	hash_free(&sp->thread_idx);
	free(sp->scratch);
	free(sp);
}
