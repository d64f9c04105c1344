#include "config.h"

#include "sampler/sampler.h"

#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <time.h>
#include <unistd.h>

#include "attach/attach.h"
#include "attach/procfs.h"
#include "common/clock.h"
#include "common/log.h"
#include "common/xmalloc.h"
#include "sampler/aggregate.h"
#include "sampler/idx.h"
#include "sampler/symbols.h"
#include "sampler/unwind.h"

#define SAMPLER_FOLD_SECONDS 120 /* counts older than this fold into 0 */
#define SAMPLER_STOP_RING 1024	 /* recent stop times kept for p50/p99 */
#define SAMPLER_MAX_INLINE 16
/* --dump waits this long for a thread to get a CPU and stop. */
#define SAMPLER_DUMP_WAIT_NS 1000000000LL

/* What the sampler thread knows of one traced thread between ticks. */
struct sampler_task {
	pid_t tid;
	uint32_t rec; /* index of its aggregate thread record */
	int stat_fd, sched_fd, sys_fd;
	uint64_t slices; /* times scheduled in, at the last look */
	uint64_t first_run_ns, first_wait_ns;
	uint64_t run_ns;      /* CPU time up to the last sample counted */
	uint64_t carry_ns;    /* CPU time counted less than one period */
	uint32_t last_stack;  /* PROFILE_NONE until sampled once */
	uint32_t cpu_stack;   /* the last stack taken on a CPU, or NONE */
	uint32_t owed;	      /* ticks it was asked for and not yet captured */
	uint32_t idle_owed;   /* ticks asleep on last_stack, not counted yet */
	uint32_t idle_second; /* the second idle_owed belongs to */
	uint32_t idle_streak; /* looks in a row that found it unchanged */
	uint32_t idle_skip;   /* ticks to go before the next look */
	bool asleep;	      /* blocked at the last look, on last_stack */
	bool seen;	      /* still listed by attach/ at this tick */
	const char *missing;  /* --dump: why it has no stack */
};

struct sampler {
	struct sampler_options opt;
	pthread_t thread;
	bool joined;

	/* Start-up handshake and the published snapshot, under lock. */
	pthread_mutex_t lock;
	pthread_cond_t cond;
	bool started;
	int start_rc;
	char *start_cause;
	struct profile_snapshot *latest;

	int notify_fd; /* sampler -> readers: a snapshot was published */
	int wake_fd;   /* commands -> sampler */
	atomic_bool stop, reset, publish, paused, done;

	/* Sampler thread only below. */
	struct attach *a;
	struct unwind *u;
	struct symbols *sy;
	struct aggregate *g;
	struct procfs_maps maps;
	unsigned exec_count;
	bool maps_dirty;
	const char *cmdline, *exe;

	struct sampler_task *tasks;
	size_t ntasks, cap_tasks;
	struct idx task_idx;

	struct unwind_capture *caps;
	bool *cap_in_batch; /* caps[i] was taken inside attach_sample() */
	size_t ncaps, cap_caps;
	pid_t *eligible;
	bool in_batch;
	uint32_t wait_loc; /* the "[waiting for CPU]" frame */

	int64_t start_ns, start_unix_ns, last_publish_ns, last_fold_second;
	int64_t last_cpu_ns;
	uint64_t ticks, late_ticks, samples, stops, unwind_errors;
	uint64_t blocked_reads, blocked_truncated, blocked_retries;
	uint64_t stopped_truncated;
	uint64_t ticks_at_publish;
	double hz_achieved, self_cpu;
	uint64_t stop_ring[SAMPLER_STOP_RING];
	size_t stop_n;
	int64_t batch_ns; /* when the current batch was interrupted */
};

static void
sampler_kick(int fd)
{
	uint64_t one = 1;

	if (write(fd, &one, sizeof(one)) < 0)
		log_debug("eventfd write: %s", strerror(errno));
}

static void
sampler_drain(int fd)
{
	uint64_t v;

	if (read(fd, &v, sizeof(v)) < 0 && errno != EAGAIN)
		log_debug("eventfd read: %s", strerror(errno));
}

void
sampler_block_signals(void)
{
	sigset_t set;

	sigemptyset(&set);
	sigaddset(&set, SIGCHLD);
	pthread_sigmask(SIG_BLOCK, &set, NULL);
}

static int
sampler_task_eq(uint32_t id, const void *key, void *arg)
{
	const struct sampler *s = arg;

	return s->tasks[id].tid == *(const pid_t *)key;
}

static void
sampler_task_reindex(struct sampler *s)
{
	idx_clear(&s->task_idx);
	for (size_t i = 0; i < s->ntasks; i++)
		idx_add(&s->task_idx, idx_hash64((uint64_t)s->tasks[i].tid),
			(uint32_t)i);
}

/* The task for tid, opened and added when new. */
static struct sampler_task *
sampler_task(struct sampler *s, pid_t tid)
{
	pid_t pid = attach_pid_of(s->a);
	uint64_t h = idx_hash64((uint64_t)tid);
	uint32_t id = idx_find(&s->task_idx, h, sampler_task_eq, &tid, s);
	struct sampler_task *t;
	struct profile_thread *rec;
	struct procfs_schedstat ss;

	if (id != PROFILE_NONE)
		return &s->tasks[id];
	if (s->ntasks == s->cap_tasks) {
		s->cap_tasks = s->cap_tasks ? 2 * s->cap_tasks : 16;
		s->tasks = xreallocarray(s->tasks, s->cap_tasks,
					 sizeof(*s->tasks));
	}
	t = &s->tasks[s->ntasks];
	memset(t, 0, sizeof(*t));
	t->tid = tid;
	t->last_stack = t->cpu_stack = PROFILE_NONE;
	t->stat_fd = procfs_open_stat(pid, tid);
	t->sched_fd = procfs_open_schedstat(pid, tid);
	t->sys_fd = procfs_open_syscall(pid, tid);
	if (procfs_schedstat_fd(t->sched_fd, &ss) == 0) {
		t->first_run_ns = t->run_ns = ss.run_ns;
		t->first_wait_ns = ss.wait_ns;
		t->slices = ss.slices;
	}
	t->rec = aggregate_thread(s->g, tid);
	rec = aggregate_thread_at(s->g, t->rec);
	procfs_read_comm(pid, tid, rec->name);
	idx_add(&s->task_idx, h, (uint32_t)s->ntasks++);
	return t;
}

/* Counts the ticks t slept on its last stack that are not counted yet. */
static void
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

/* Drops the tasks attach/ no longer lists: their threads have exited. */
static void
sampler_sweep(struct sampler *s)
{
	size_t kept = 0;

	for (size_t i = 0; i < s->ntasks; i++) {
		struct sampler_task *t = &s->tasks[i];

		if (t->seen) {
			s->tasks[kept++] = *t;
			continue;
		}
		sampler_idle_flush(s, t);
		if (t->sys_fd >= 0)
			close(t->sys_fd);
		aggregate_thread_at(s->g, t->rec)->alive = false;
		aggregate_thread_at(s->g, t->rec)->state = 'X';
		if (t->stat_fd >= 0)
			close(t->stat_fd);
		if (t->sched_fd >= 0)
			close(t->sched_fd);
	}
	if (kept != s->ntasks) {
		s->ntasks = kept;
		sampler_task_reindex(s);
	}
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
	struct unwind_capture *c = &s->caps[s->ncaps];
	struct procfs_schedstat after;

	unwind_capture_blocked(s->a, t->tid, sc->pc, sc->sp, c);
	/* Consistent only if it did not run between the reads. */
	if (procfs_schedstat_fd(t->sched_fd, &after) != 0 ||
	    after.slices != before->slices || after.run_ns != before->run_ns)
		return false;
	s->cap_in_batch[s->ncaps++] = false;
	s->blocked_reads++;
	return true;
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
	struct profile_thread *rec = aggregate_thread_at(s->g, t->rec);
	uint32_t max_skip = s->opt.hz / 50 > 1 ? s->opt.hz / 50 : 1;
	struct procfs_schedstat ss;
	struct procfs_syscall sc;

	if (t->owed > 0)
		return SAMPLER_LOOK_INTERRUPT; /* still waiting for a CPU */
	if (t->asleep && t->idle_skip > 0) {
		t->idle_skip--;
		sampler_idle_tick(s, t, second);
		return SAMPLER_LOOK_DONE;
	}
	if (procfs_schedstat_fd(t->sched_fd, &ss) != 0)
		return SAMPLER_LOOK_DONE; /* gone */
	if (t->asleep && ss.slices == t->slices) {
		if (t->idle_streak < 16)
			t->idle_streak++;
		t->idle_skip = (1U << t->idle_streak) - 1;
		if (t->idle_skip > max_skip - 1)
			t->idle_skip = max_skip - 1;
		sampler_idle_tick(s, t, second);
		return SAMPLER_LOOK_DONE;
	}
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
		if (procfs_schedstat_fd(t->sched_fd, &ss) != 0)
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

/* attach_sample() callback: runs while tid is stopped. Copies and returns. */
static void
sampler_capture(pid_t tid, const struct user_regs_struct *regs, void *arg)
{
	struct sampler *s = arg;

	if (s->ncaps == s->cap_caps)
		return;
	s->cap_in_batch[s->ncaps] = s->in_batch;
	unwind_capture(s->a, tid, regs, &s->caps[s->ncaps++]);
	s->stop_ring[s->stop_n++ % SAMPLER_STOP_RING] =
		(uint64_t)(clock_ns(CLOCK_MONOTONIC) - s->batch_ns);
}

/* Re-reads the maps when they may have changed (exec, dlopen, dlclose). */
static void
sampler_refresh_maps(struct sampler *s, bool force)
{
	struct procfs_maps maps;
	bool same;

	if (!force && !s->maps_dirty &&
	    attach_exec_count(s->a) == s->exec_count)
		return;
	if (procfs_read_maps(attach_proc_pid(s->a), &maps) != 0)
		return;
	symbols_set_pid(s->sy, attach_proc_pid(s->a));
	same = maps.n == s->maps.n;
	for (size_t i = 0; same && i < maps.n; i++)
		same = maps.maps[i].start == s->maps.maps[i].start &&
		       maps.maps[i].end == s->maps.maps[i].end &&
		       maps.maps[i].inode == s->maps.maps[i].inode &&
		       strcmp(maps.maps[i].path, s->maps.maps[i].path) == 0;
	s->exec_count = attach_exec_count(s->a);
	s->maps_dirty = false;
	if (same) {
		procfs_maps_free(&maps);
		return;
	}
	procfs_maps_free(&s->maps);
	s->maps = maps;
	symbols_set_maps(s->sy, &s->maps);
	unwind_flush(s->u);
	aggregate_forget_addresses(s->g);
}

/* The location of the i-th frame's pc, symbolized once per address. */
static uint32_t
sampler_location(struct sampler *s, uint64_t pc, bool is_return)
{
	struct symbols_frame frames[SAMPLER_MAX_INLINE];
	struct symbols_module mod;
	uint32_t loc = aggregate_find_location(s->g, pc, is_return);
	int n;

	if (loc != PROFILE_NONE)
		return loc;
	n = symbols_lookup(s->sy, pc, is_return, frames, SAMPLER_MAX_INLINE,
			   &mod);
	if (mod.path == NULL)
		s->maps_dirty = true;
	return aggregate_add_location(s->g, pc, is_return, frames, n, &mod);
}

/*
 * CPU time of t since its last counted sample, in sampling periods (the
 * remainder carried to the next one). now_run_ns is schedstat's run time.
 */
static uint32_t
sampler_cpu_periods(struct sampler *s, struct sampler_task *t,
		    uint64_t now_run_ns)
{
	uint64_t period = CLOCK_NS_PER_S / s->opt.hz, n;

	if (now_run_ns > t->run_ns)
		t->carry_ns += now_run_ns - t->run_ns;
	t->run_ns = now_run_ns;
	n = t->carry_ns / period;
	t->carry_ns -= n * period;
	return n > UINT32_MAX ? UINT32_MAX : (uint32_t)n;
}

/* The stack locs[0..n) with "[waiting for CPU]" on top, interned. */
static uint32_t
sampler_waiting_stack(struct sampler *s, const uint32_t *locs, int n,
		      bool truncated)
{
	uint32_t w[UNWIND_MAX_FRAMES + 1];

	w[0] = s->wait_loc;
	memcpy(w + 1, locs, (size_t)n * sizeof(*locs));
	return aggregate_stack(s->g, w, (uint32_t)n + 1, truncated);
}

/*
 * Counts what a capture stands for. CPU: the time the thread actually ran
 * since its last sample (schedstat), in periods -- at this stack when it
 * was taken on a CPU, at the last stack taken on a CPU when it was taken
 * asleep (it ran before it slept; the sleeping stack only when none is
 * known). Off CPU: the tick of a blocked capture, and the ticks a thread
 * was asked for while it waited for a CPU, under a "[waiting for CPU]"
 * frame. --dump counts each capture once.
 */
static void
sampler_count(struct sampler *s, struct sampler_task *t, uint32_t second,
	      const uint32_t *locs, int n, bool truncated, bool blocked,
	      bool in_batch)
{
	struct procfs_schedstat ss;
	uint32_t cpu = 0, waiting = 0;

	if (s->opt.once) {
		aggregate_count(s->g, t->last_stack, t->rec, second, !blocked);
		s->samples++;
		t->owed = 0;
		return;
	}
	if (procfs_schedstat_fd(t->sched_fd, &ss) == 0)
		cpu = sampler_cpu_periods(s, t, ss.run_ns);
	if (!blocked) {
		waiting = t->owed > 0 ? t->owed - (in_batch ? 1 : 0) : 0;
		t->cpu_stack = t->last_stack;
	}
	t->owed = 0;
	if (cpu > 0)
		aggregate_count_n(s->g,
				  t->cpu_stack != PROFILE_NONE ? t->cpu_stack
							       : t->last_stack,
				  t->rec, second, true, cpu);
	if (blocked)
		aggregate_count(s->g, t->last_stack, t->rec, second, false);
	if (waiting > 0)
		aggregate_count_n(s->g,
				  sampler_waiting_stack(s, locs, n, truncated),
				  t->rec, second, false, waiting);
	s->samples += cpu + (blocked ? 1 : 0) + waiting;
}

/* Unwinds, symbolizes and counts one capture; the thread runs meanwhile. */
static void
sampler_account(struct sampler *s, const struct unwind_capture *c,
		bool in_batch, uint32_t second)
{
	uint64_t pcs[UNWIND_MAX_FRAMES], after_signal = 0;
	uint32_t locs[UNWIND_MAX_FRAMES];
	pid_t tid = c->tid;
	uint32_t id = idx_find(&s->task_idx, idx_hash64((uint64_t)tid),
			       sampler_task_eq, &tid, s);
	struct sampler_task *t;
	bool truncated = false;
	int n;

	if (id == PROFILE_NONE)
		return;
	t = &s->tasks[id];
	n = unwind_stack(s->u, c, pcs, UNWIND_MAX_FRAMES, &truncated,
			 &after_signal);
	if (n <= 0) {
		pcs[0] = c->regs.rip;
		n = 1;
		truncated = true;
	}
	for (int i = 0; i < n; i++) {
		bool is_return = i > 0 && !(i < 64 && (after_signal >> i) & 1);

		locs[i] = sampler_location(s, pcs[i], is_return);
	}
	if (truncated) {
		s->unwind_errors++;
		if (c->blocked)
			s->blocked_truncated++;
		else
			s->stopped_truncated++;
	}
	if (!c->blocked)
		s->stops++;
	sampler_idle_flush(s, t);
	t->last_stack = aggregate_stack(s->g, locs, (uint32_t)n, truncated);
	t->missing = NULL;
	sampler_count(s, t, second, locs, n, truncated, c->blocked, in_batch);
}

/*
 * Makes room for n more captures (they are large: allocated once, reused),
 * keeping the ones not yet accounted.
 */
static void
sampler_reserve(struct sampler *s, size_t n)
{
	if (s->ncaps + n <= s->cap_caps)
		return;
	s->cap_caps = 2 * (s->ncaps + n) < 16 ? 16 : 2 * (s->ncaps + n);
	s->caps = xreallocarray(s->caps, s->cap_caps, sizeof(*s->caps));
	s->cap_in_batch = xreallocarray(s->cap_in_batch, s->cap_caps,
					sizeof(*s->cap_in_batch));
	s->eligible =
		xreallocarray(s->eligible, s->cap_caps, sizeof(*s->eligible));
}

/* Unwinds and counts the captures taken so far. */
static void
sampler_account_all(struct sampler *s, uint32_t second)
{
	for (size_t i = 0; i < s->ncaps; i++)
		sampler_account(s, &s->caps[i], s->cap_in_batch[i], second);
	s->ncaps = 0;
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
static void
sampler_tick(struct sampler *s, uint32_t second, int64_t timeout_ns)
{
	const struct attach_thread *th;
	size_t nth = attach_threads(s->a, &th), n = 0;

	sampler_account_all(s, second);
	sampler_reserve(s, nth);
	for (size_t i = 0; i < s->ntasks; i++)
		s->tasks[i].seen = false;
	for (size_t i = 0; i < nth; i++) {
		struct sampler_task *t = sampler_task(s, th[i].tid);

		t->seen = true;
		if (sampler_look(s, t, &th[i], second) ==
		    SAMPLER_LOOK_INTERRUPT) {
			s->eligible[n++] = th[i].tid;
			t->owed++;
		}
	}
	sampler_sweep(s);
	s->batch_ns = clock_ns(CLOCK_MONOTONIC);
	s->in_batch = true;
	if (n > 0)
		attach_sample(s->a, s->eligible, n, sampler_capture, s,
			      timeout_ns);
	s->in_batch = false;
	sampler_refresh_maps(s, false);
	sampler_account_all(s, second);
	s->ticks++;
}

static int
sampler_u64_cmp(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return (x > y) - (x < y);
}

/* Fills the health figures of a snapshot. */
static void
sampler_health(struct sampler *s, struct profile_snapshot *snap, int64_t now)
{
	size_t n =
		s->stop_n < SAMPLER_STOP_RING ? s->stop_n : SAMPLER_STOP_RING;
	uint64_t sorted[SAMPLER_STOP_RING];
	int64_t cpu = clock_ns(CLOCK_PROCESS_CPUTIME_ID);
	double dt = (double)(now - s->last_publish_ns) / CLOCK_NS_PER_S;

	if (dt > 0.2) {
		s->hz_achieved = (double)(s->ticks - s->ticks_at_publish) / dt;
		s->self_cpu =
			(double)(cpu - s->last_cpu_ns) / CLOCK_NS_PER_S / dt;
		s->ticks_at_publish = s->ticks;
		s->last_cpu_ns = cpu;
		s->last_publish_ns = now;
	}
	memcpy(sorted, s->stop_ring, n * sizeof(*sorted));
	qsort(sorted, n, sizeof(*sorted), sampler_u64_cmp);
	snap->stop_ns_p50 = n ? sorted[n / 2] : 0;
	snap->stop_ns_p99 = n ? sorted[n * 99 / 100] : 0;
	snap->hz_achieved = s->hz_achieved;
	snap->self_cpu = s->self_cpu;
	snap->ticks = s->ticks;
	snap->late_ticks = s->late_ticks;
	snap->samples = s->samples;
	snap->stops = s->stops;
	snap->unwind_errors = s->unwind_errors;
	snap->blocked_reads = s->blocked_reads;
	snap->blocked_truncated = s->blocked_truncated;
	snap->stopped_truncated = s->stopped_truncated;
	snap->restarted_calls = s->a ? attach_restarted(s->a) : 0;
	snap->memory_bytes = aggregate_bytes(s->g);
}

/* Publishes an immutable copy of the tables and wakes the readers. */
static void
sampler_publish_snapshot(struct sampler *s)
{
	int64_t now = clock_ns(CLOCK_MONOTONIC);
	struct profile_snapshot view = {0}, *snap, *old;
	int status = 0;

	view.pid = attach_pid_of(s->a);
	view.cmdline = s->cmdline;
	view.exe = s->exe;
	switch (attach_state(s->a, &status)) {
	case ATTACH_RUNNING:
		view.target_state = PROFILE_TARGET_RUNNING;
		break;
	case ATTACH_EXITED:
		view.target_state = PROFILE_TARGET_EXITED;
		break;
	case ATTACH_SIGNALED:
		view.target_state = PROFILE_TARGET_SIGNALED;
		break;
	case ATTACH_GONE:
		view.target_state = PROFILE_TARGET_GONE;
		break;
	}
	view.target_status = status;
	view.start_unix_ns = s->start_unix_ns;
	view.duration_ns = now - s->start_ns;
	view.hz = s->opt.hz;
	view.now_second = (uint32_t)((now - s->start_ns) / CLOCK_NS_PER_S);
	sampler_health(s, &view, now);
	aggregate_view(s->g, &view);
	snap = profile_snapshot_copy(&view);
	pthread_mutex_lock(&s->lock);
	old = s->latest;
	s->latest = snap;
	pthread_mutex_unlock(&s->lock);
	profile_snapshot_unref(old);
	sampler_kick(s->notify_fd);
}

/*
 * Once a second: thread names (threads rename themselves), states and CPU
 * times (ticks read one of the two files only), maps, folding.
 */
static void
sampler_housekeeping(struct sampler *s, uint32_t second)
{
	pid_t pid = attach_pid_of(s->a);

	for (size_t i = 0; i < s->ntasks; i++) {
		struct sampler_task *t = &s->tasks[i];
		struct profile_thread *rec = aggregate_thread_at(s->g, t->rec);
		struct procfs_stat st;
		struct procfs_schedstat ss;

		sampler_idle_flush(s, t);
		procfs_read_comm(pid, t->tid, rec->name);
		if (t->stat_fd >= 0 && procfs_stat_fd(t->stat_fd, &st) == 0)
			rec->state = st.state;
		if (rec->state == 'Z' && t->tid == pid)
			attach_forget_zombie(s->a, t->tid); /* pthread_exit */
		if (procfs_schedstat_fd(t->sched_fd, &ss) == 0) {
			rec->cpu_ns = ss.run_ns - t->first_run_ns;
			rec->wait_ns = ss.wait_ns - t->first_wait_ns;
		}
	}
	if (second >= s->last_fold_second + 2 * SAMPLER_FOLD_SECONDS) {
		aggregate_fold(s->g, second - SAMPLER_FOLD_SECONDS);
		s->last_fold_second = second;
	}
	sampler_refresh_maps(s, true);
}

static void
sampler_do_reset(struct sampler *s)
{
	aggregate_reset_counts(s->g);
	s->start_ns = clock_ns(CLOCK_MONOTONIC);
	s->start_unix_ns = clock_ns(CLOCK_REALTIME);
	s->samples = s->stops = s->unwind_errors = 0;
	s->blocked_reads = s->blocked_truncated = s->stopped_truncated = 0;
	s->ticks = s->late_ticks = s->ticks_at_publish = 0;
	s->stop_n = 0;
	s->last_fold_second = 0;
}

/* Moves the deadline past now, counting the ticks that were missed. */
static int64_t
sampler_next_deadline(struct sampler *s, int64_t next, int64_t period)
{
	int64_t now = clock_ns(CLOCK_MONOTONIC);

	next += period;
	if (now > next) {
		int64_t missed = (now - next) / period + 1;

		s->late_ticks += (uint64_t)missed;
		next += missed * period;
	}
	return next;
}

/* The sampler thread's loop: ticks, commands, publishing. */
static void
sampler_loop(struct sampler *s)
{
	int64_t period = CLOCK_NS_PER_S / s->opt.hz;
	/*
	 * A running thread stops within ~100 us; one waiting for a CPU does
	 * not for milliseconds, and is captured when it runs (sampler_tick).
	 */
	int64_t timeout = period / 2 < 1000000 ? period / 2 : 1000000;
	int64_t now = clock_ns(CLOCK_MONOTONIC), next = now;
	int64_t next_publish = now + CLOCK_NS_PER_S;

	if (s->opt.once)
		timeout = SAMPLER_DUMP_WAIT_NS; /* every thread, once */

	while (!atomic_load(&s->stop)) {
		bool paused = atomic_load(&s->paused);
		int rc = attach_wait(s->a, paused ? next_publish : next,
				     s->wake_fd);

		if (rc < 0)
			break;
		if (rc == 1)
			sampler_drain(s->wake_fd);
		if (atomic_exchange(&s->reset, false)) {
			sampler_do_reset(s);
			atomic_store(&s->publish, true);
		}
		now = clock_ns(CLOCK_MONOTONIC);
		if (paused) {
			next = now;
		} else if (now >= next) {
			sampler_tick(s,
				     (uint32_t)((now - s->start_ns) /
						CLOCK_NS_PER_S),
				     timeout);
			if (s->opt.once)
				break;
			next = sampler_next_deadline(s, next, period);
		}
		if (now >= next_publish ||
		    atomic_exchange(&s->publish, false)) {
			sampler_housekeeping(s, (uint32_t)((now - s->start_ns) /
							   CLOCK_NS_PER_S));
			sampler_publish_snapshot(s);
			next_publish = now + CLOCK_NS_PER_S;
		}
	}
}

/* The pseudo-frame that tops the stacks of threads waiting for a CPU. */
static void
sampler_wait_location(struct sampler *s)
{
	struct symbols_frame f = {.name = "[waiting for CPU]",
				  .system_name = "[waiting for CPU]"};

	s->wait_loc = aggregate_add_location(s->g, 0, false, &f, 1, NULL);
}

/* Sets up the tables once attached; the target already runs traced. */
static void
sampler_setup(struct sampler *s)
{
	pid_t pid = attach_proc_pid(s->a);
	char *cmdline = procfs_read_cmdline(pid), *exe = procfs_read_exe(pid);

	s->g = aggregate_new();
	s->u = unwind_new(s->a);
	s->sy = symbols_new(pid);
	s->cmdline = aggregate_string(s->g, cmdline ? cmdline : "?");
	free(cmdline);
	s->exe = aggregate_string(s->g, exe ? exe : "");
	free(exe);
	sampler_refresh_maps(s, true);
	sampler_wait_location(s);
	sampler_do_reset(s);
	s->last_publish_ns = s->start_ns;
	s->last_cpu_ns = clock_ns(CLOCK_PROCESS_CPUTIME_ID);
}

static void
sampler_started(struct sampler *s, int rc, char *cause)
{
	pthread_mutex_lock(&s->lock);
	s->started = true;
	s->start_rc = rc;
	s->start_cause = cause;
	pthread_cond_broadcast(&s->cond);
	pthread_mutex_unlock(&s->lock);
}

static void *
sampler_main(void *arg)
{
	struct sampler *s = arg;
	char *cause = NULL;
	int rc;

	if (s->opt.pid > 0)
		rc = attach_pid(s->opt.pid, &s->a, &cause);
	else
		rc = attach_spawn(s->opt.argv, s->opt.child_output, &s->a,
				  &cause);
	if (rc != 0) {
		sampler_started(s, rc, cause);
		return NULL;
	}
	sampler_setup(s);
	sampler_publish_snapshot(s);
	sampler_started(s, 0, NULL);
	sampler_loop(s);
	for (size_t i = 0; i < s->ntasks; i++) {
		sampler_idle_flush(s, &s->tasks[i]);
		if (s->opt.once && s->tasks[i].owed > 0)
			s->tasks[i].missing = "it did not get a CPU within 1 s "
					      "to be stopped";
		aggregate_thread_at(s->g, s->tasks[i].rec)->missing =
			s->tasks[i].missing;
	}
	if (attach_state(s->a, &rc) != ATTACH_RUNNING) {
		for (size_t i = 0; i < s->ntasks; i++)
			s->tasks[i].seen = false;
		sampler_sweep(s);
	}
	sampler_publish_snapshot(s);
	attach_detach(s->a);
	s->a = NULL;
	atomic_store(&s->done, true);
	sampler_kick(s->notify_fd);
	return NULL;
}

int
sampler_start(const struct sampler_options *opt, struct sampler **out,
	      char **cause)
{
	struct sampler *s = xcalloc(1, sizeof(*s));
	int rc;

	s->opt = *opt;
	if (s->opt.hz == 0)
		s->opt.hz = 99;
	pthread_mutex_init(&s->lock, NULL);
	pthread_cond_init(&s->cond, NULL);
	s->notify_fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	s->wake_fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	if (s->notify_fd < 0 || s->wake_fd < 0)
		fatal("eventfd");
	if ((errno = pthread_create(&s->thread, NULL, sampler_main, s)) != 0)
		fatal("pthread_create");
	pthread_mutex_lock(&s->lock);
	while (!s->started)
		pthread_cond_wait(&s->cond, &s->lock);
	pthread_mutex_unlock(&s->lock);
	rc = s->start_rc;
	if (rc != 0) {
		*cause = s->start_cause;
		s->start_cause = NULL;
		sampler_free(s);
		return rc;
	}
	*out = s;
	return 0;
}

struct profile_snapshot *
sampler_snapshot(struct sampler *s)
{
	struct profile_snapshot *snap;

	sampler_drain(s->notify_fd);
	pthread_mutex_lock(&s->lock);
	snap = s->latest ? profile_snapshot_ref(s->latest) : NULL;
	pthread_mutex_unlock(&s->lock);
	return snap;
}

int
sampler_fd(const struct sampler *s)
{
	return s->notify_fd;
}

void
sampler_publish(struct sampler *s)
{
	atomic_store(&s->publish, true);
	sampler_kick(s->wake_fd);
}

void
sampler_reset(struct sampler *s)
{
	atomic_store(&s->reset, true);
	sampler_kick(s->wake_fd);
}

void
sampler_pause(struct sampler *s, bool paused)
{
	atomic_store(&s->paused, paused);
	sampler_kick(s->wake_fd);
}

bool
sampler_done(const struct sampler *s)
{
	return atomic_load(&s->done);
}

void
sampler_stop(struct sampler *s)
{
	if (s->joined)
		return;
	atomic_store(&s->stop, true);
	sampler_kick(s->wake_fd);
	pthread_join(s->thread, NULL);
	s->joined = true;
}

void
sampler_free(struct sampler *s)
{
	if (s == NULL)
		return;
	sampler_stop(s);
	for (size_t i = 0; i < s->ntasks; i++) {
		if (s->tasks[i].stat_fd >= 0)
			close(s->tasks[i].stat_fd);
		if (s->tasks[i].sched_fd >= 0)
			close(s->tasks[i].sched_fd);
		if (s->tasks[i].sys_fd >= 0)
			close(s->tasks[i].sys_fd);
	}
	free(s->tasks);
	idx_free(&s->task_idx);
	free(s->caps);
	free(s->cap_in_batch);
	free(s->eligible);
	procfs_maps_free(&s->maps);
	profile_snapshot_unref(s->latest);
	symbols_free(s->sy);
	unwind_free(s->u);
	aggregate_free(s->g);
	free(s->start_cause);
	close(s->notify_fd);
	close(s->wake_fd);
	pthread_mutex_destroy(&s->lock);
	pthread_cond_destroy(&s->cond);
	free(s);
}
