#include "config.h"

#include "sampler/sampler.h"

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

#define SAMPLER_FOLD_SECONDS 120 /* counts older than this fold into 0 */
#define SAMPLER_STOP_RING 1024	 /* recent stop times kept for p50/p99 */
#define SAMPLER_MAX_INLINE 16
/* --dump waits this long for a thread to get a CPU and stop. */
#define SAMPLER_DUMP_WAIT_NS 1000000000LL
/* At the end and on Ctrl-Z, threads not stopped by then to be detached
   are left to the kernel (at the end) or keep cproftop running (Ctrl-Z). */
#define SAMPLER_DETACH_NS (CLOCK_NS_PER_S / 4)
/* The stop watchdog looks this often, and gives a sampler that shows
   signs of life this long at most. */
#define SAMPLER_WATCH_STEP_NS (CLOCK_NS_PER_S / 50)
#define SAMPLER_STOP_MAX_NS (2 * CLOCK_NS_PER_S)
/* ... and with the perf source, which never stops the target: what the
   rings hold is unwound at the end (a few seconds on a saturated machine:
   16 busy threads at 1000 Hz beside a test suite at load 30). */
#define SAMPLER_STOP_MAX_UNTRACED_NS (10 * CLOCK_NS_PER_S)
#define SAMPLER_PERF_STACK 8192 /* perf: default stack bytes per sample */
#define SAMPLER_SWITCH_CAP 1000 /* perf: switch samples per thread-second */
/* A thread whose stack did not fit the capture copies this much more,
 * doubled each time it still does not, up to 1 MiB in all. */
#define SAMPLER_MORE_FIRST (96 * 1024)
#define SAMPLER_MORE_MAX (1024 * 1024 - CAPTURE_STACK_BYTES)
#define SAMPLER_MAX_PROCS 4096 /* processes followed at once, at most */

/* What the sampler thread knows of one traced thread between ticks. */
struct sampler_task {
	pid_t tid;
	pid_t pid;    /* its process: the target or a followed child */
	uint32_t rec; /* index of its aggregate thread record */
	int stat_fd, sched_fd, sys_fd;
	uint64_t slices; /* times scheduled in, at the last look */
	uint64_t first_run_ns, first_wait_ns;
	struct cputime cpu;    /* its CPU time, measured (ptrace) */
	uint64_t carry_ns;     /* CPU time counted less than one period */
	uint64_t off_carry_ns; /* off-CPU time counted less than one period */
	uint32_t last_stack;   /* PROFILE_NONE until sampled once */
	uint32_t owed;	       /* ticks it was asked for and not yet captured */
	uint32_t idle_owed;    /* ticks asleep on last_stack, not counted yet */
	uint32_t idle_second;  /* the second idle_owed belongs to */
	uint32_t idle_streak;  /* looks in a row that found it unchanged */
	uint32_t idle_skip;    /* ticks to go before the next look */
	bool asleep;	       /* blocked at the last look, on last_stack */
	bool seen;	       /* still listed by attach/ at this tick */
	const char *missing;   /* --dump: why it has no stack */
	bool deeper;	       /* its stack did not fit the copy: grow more */
	uint8_t *more; /* stack copied past the capture's own, or NULL */
	size_t more_len;
};

struct sampler {
	struct sampler_options opt;
	pthread_t thread;
	bool joined;

	/* Start-up handshake and the published snapshot, under lock. */
	pthread_mutex_t lock;
	pthread_cond_t cond; /* a snapshot published, or the end */
	atomic_bool started;
	int start_rc;
	char *start_cause;
	struct profile_snapshot *latest;

	int notify_fd; /* sampler -> readers: a snapshot was published */
	int wake_fd;   /* commands -> sampler */
	atomic_bool stop, reset, publish, paused, done;
	atomic_bool suspend;	 /* main -> sampler: leave, for a Ctrl-Z */
	bool leaving;		 /* the sampler thread is leaving (lock) */
	bool traced;		 /* ptrace source: Ctrl-Z must let go */
	atomic_bool released;	 /* sampler -> main: its thread is going */
	atomic_bool detached;	 /* sampler -> main: detached for good */
	_Atomic int64_t beat_ns; /* sampler -> watchdog: last sign of life */

	/* Sampler thread only below. */
	pid_t pid;
	struct attach *a;	  /* ptrace source (and spawn), or NULL */
	struct source_perf *perf; /* perf source, or NULL */
	const char *backend_why;
	char *why_buf; /* backend_why when it is a message we own */
	enum attach_state perf_state; /* perf: the target's end */
	int perf_status;
	struct aggregate *g;
	/* Address spaces: the target's first, then followed children's. */
	struct space **spaces;
	size_t nspaces, cap_spaces;
	uint32_t next_space; /* the next aggregate space id */
	const char *cmdline, *exe;

	struct sampler_task *tasks;
	size_t ntasks, cap_tasks;
	struct hash task_idx;

	struct capture *caps;
	bool *cap_in_batch; /* caps[i] was taken inside attach_sample() */
	size_t ncaps, cap_caps;
	pid_t *eligible;
	bool in_batch;
	uint32_t wait_loc; /* the "[waiting for CPU]" frame */
	/* The stack sampler_account() counted last, as locations. */
	uint32_t last_locs[UNWIND_MAX_FRAMES];
	int last_n;
	bool last_truncated;

	int64_t start_ns, start_unix_ns, last_publish_ns, last_fold_second;
	int64_t last_cpu_ns;
	uint64_t ticks, late_ticks, samples, stops, unwind_errors;
	uint64_t blocked_reads, blocked_truncated, blocked_retries;
	uint64_t stopped_truncated;
	uint64_t fallback_stacks;
	uint64_t copy_short_stacks; /* stacks deeper than their copy */
	bool listed; /* the threads there were at the start are known */
	size_t fetch_pending, fetch_failed;
	uint64_t ticks_at_publish;
	double hz_achieved, self_cpu;
	uint64_t stop_ring[SAMPLER_STOP_RING];
	size_t stop_n;
	int64_t batch_ns; /* when the current batch was interrupted */
	uint64_t rng;	  /* xorshift state of the ticks' jitter */
};

/* A sign of life for the watchdog (sampler_stop_within()). */
static inline void
sampler_beat(struct sampler *s)
{
	atomic_store_explicit(&s->beat_ns, clock_ns(CLOCK_MONOTONIC),
			      memory_order_relaxed);
}

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
	hash_clear(&s->task_idx);
	for (size_t i = 0; i < s->ntasks; i++)
		hash_add(&s->task_idx, hash_u64((uint64_t)s->tasks[i].tid),
			 (uint32_t)i);
}

/* The task for tid of process pid, opened and added when new. */
static struct sampler_task *
sampler_task(struct sampler *s, pid_t pid, pid_t tid)
{
	uint64_t h = hash_u64((uint64_t)tid);
	uint32_t id = hash_find(&s->task_idx, h, sampler_task_eq, &tid, s);
	struct sampler_task *t;
	struct profile_thread *rec;
	struct procfs_schedstat ss;

	if (id != PROFILE_NONE)
		return &s->tasks[id];
	ARRAY_RESERVE(s->tasks, s->cap_tasks, s->ntasks + 1);
	t = &s->tasks[s->ntasks];
	memset(t, 0, sizeof(*t));
	t->tid = tid;
	t->pid = pid;
	t->last_stack = PROFILE_NONE;
	cputime_init(&t->cpu, 0);
	t->stat_fd = procfs_open_stat(pid, tid);
	t->sched_fd = procfs_open_schedstat(pid, tid);
	t->sys_fd = procfs_open_syscall(pid, tid);
	if (procfs_schedstat_fd(t->sched_fd, &ss) == 0) {
		t->slices = ss.slices;
		/* Born while profiled: all of its time is the profile's (the
		   sampler may first list it late, on a loaded machine). */
		if (!s->listed) {
			t->first_run_ns = ss.run_ns;
			t->first_wait_ns = ss.wait_ns;
			cputime_init(&t->cpu, ss.run_ns);
		}
	}
	t->rec = aggregate_thread(s->g, tid);
	rec = aggregate_thread_at(s->g, t->rec);
	rec->pid = pid;
	procfs_read_comm(pid, tid, rec->name);
	if (procfs_read_comm(pid, pid, rec->process) != 0)
		memcpy(rec->process, rec->name, sizeof(rec->process));
	hash_add(&s->task_idx, h, (uint32_t)s->ntasks++);
	return t;
}

/* The second of the profile now. */
static uint32_t
sampler_second(const struct sampler *s)
{
	return (uint32_t)((clock_ns(CLOCK_MONOTONIC) - s->start_ns) /
			  CLOCK_NS_PER_S);
}

/*
 * CPU time counts from now on (a reset, a resume after Ctrl-Z): what the
 * threads ran before is not the profile's.
 */
static void
sampler_cpu_restart(struct sampler *s)
{
	struct procfs_schedstat ss;

	for (size_t i = 0; i < s->ntasks; i++) {
		struct sampler_task *t = &s->tasks[i];

		t->carry_ns = 0;
		if (procfs_schedstat_fd(t->sched_fd, &ss) == 0)
			cputime_restart(&t->cpu, ss.run_ns);
		else
			cputime_restart(&t->cpu, t->cpu.run_ns);
	}
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

/* The space of process pid, or NULL. */
static struct space *
sampler_space_find(struct sampler *s, pid_t pid)
{
	for (size_t i = 0; i < s->nspaces; i++)
		if (s->spaces[i]->pid == pid)
			return s->spaces[i];
	return NULL;
}

/*
 * The address space of process pid, made when new: the target's (the
 * first), or a followed child's, read from its own maps and binaries.
 */
static struct space *
sampler_space(struct sampler *s, pid_t pid)
{
	struct space *sp = sampler_space_find(s, pid);

	if (sp != NULL)
		return sp;
	ARRAY_RESERVE(s->spaces, s->cap_spaces, s->nspaces + 1);
	sp = space_new(pid, s->next_space++);
	s->spaces[s->nspaces++] = sp;
	/* A new space id: no address of it was looked up yet. */
	space_refresh(sp, true, s->a ? attach_exec_count(s->a) : 0, pid);
	return sp;
}

/* Frees the spaces of followed children no task belongs to any more. */
static void
sampler_space_sweep(struct sampler *s)
{
	size_t kept = s->nspaces > 0 ? 1 : 0; /* the target's stays */

	for (size_t i = kept; i < s->nspaces; i++) {
		bool used = false;

		for (size_t j = 0; j < s->ntasks && !used; j++)
			used = s->tasks[j].pid == s->spaces[i]->pid;
		if (used)
			s->spaces[kept++] = s->spaces[i];
		else
			space_free(s->spaces[i]);
	}
	s->nspaces = kept;
}

static void sampler_pending_flush(struct sampler *s, struct sampler_task *t,
				  uint32_t fallback, uint32_t second);

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
		sampler_pending_flush(s, t, t->last_stack, sampler_second(s));
		if (t->sys_fd >= 0)
			close(t->sys_fd);
		aggregate_thread_at(s->g, t->rec)->alive = false;
		aggregate_thread_at(s->g, t->rec)->state = 'X';
		if (t->stat_fd >= 0)
			close(t->stat_fd);
		if (t->sched_fd >= 0)
			close(t->sched_fd);
		free(t->more);
	}
	if (kept != s->ntasks) {
		s->ntasks = kept;
		sampler_task_reindex(s);
		sampler_space_sweep(s);
	}
}

/* Reads the thread's state; false when it is gone. */
static bool
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
	if (procfs_schedstat_fd(t->sched_fd, &ss) != 0)
		return SAMPLER_LOOK_DONE; /* gone */
	cputime_measure(&t->cpu, ss.run_ns);
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
	uint32_t id;

	fault_in_capture();
	if (s->ncaps == s->cap_caps)
		return;
	s->cap_in_batch[s->ncaps] = s->in_batch;
	unwind_capture(s->a, tid, regs, &s->caps[s->ncaps]);
	id = hash_find(&s->task_idx, hash_u64((uint64_t)tid), sampler_task_eq,
		       &tid, s);
	if (id != PROFILE_NONE && s->tasks[id].more != NULL)
		unwind_capture_more(s->a, &s->caps[s->ncaps], s->tasks[id].more,
				    s->tasks[id].more_len);
	s->caps[s->ncaps].pid =
		id != PROFILE_NONE ? s->tasks[id].pid : attach_pid_of(s->a);
	s->caps[s->ncaps++].time_ns = (uint64_t)clock_ns(CLOCK_MONOTONIC);
	s->stop_ring[s->stop_n++ % SAMPLER_STOP_RING] =
		(uint64_t)(clock_ns(CLOCK_MONOTONIC) - s->batch_ns);
}

/*
 * The PID to read the target's /proc files and memory through: a live
 * thread when the leader called pthread_exit() (ptrace), else the PID.
 */
static pid_t
sampler_proc_pid(const struct sampler *s)
{
	return s->a != NULL ? attach_proc_pid(s->a) : s->pid;
}

/*
 * Names the threads of sp's process again (an exec renames them: the
 * child gcc forked becomes cc1), before a short-lived process is gone.
 */
static void
sampler_rename(struct sampler *s, struct space *sp)
{
	space_read_comm(sp);
	for (size_t i = 0; i < s->ntasks; i++) {
		struct sampler_task *t = &s->tasks[i];
		struct profile_thread *rec;

		if (t->pid != sp->pid)
			continue;
		rec = aggregate_thread_at(s->g, t->rec);
		procfs_read_comm(t->pid, t->tid, rec->name);
		memcpy(rec->process, sp->comm, sizeof(rec->process));
	}
}

/* Re-reads sp's maps when they may have changed (exec, dlopen, dlclose). */
static void
sampler_refresh_space(struct sampler *s, struct space *sp, bool force)
{
	unsigned execs = s->a ? attach_exec_count(s->a) : sp->exec_count;
	pid_t proc_pid = sp == s->spaces[0] ? sampler_proc_pid(s) : sp->pid;

	if (space_refresh(sp, force, execs, proc_pid)) {
		aggregate_forget_addresses(s->g);
		sampler_rename(s, sp);
	}
}

/* Every process's maps, when they may have changed. */
static void
sampler_refresh_maps(struct sampler *s, bool force)
{
	for (size_t i = 0; i < s->nspaces; i++)
		sampler_refresh_space(s, s->spaces[i], force);
}

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
	n = symbols_lookup(sp->sy, pc, is_return, frames, SAMPLER_MAX_INLINE,
			   &mod);
	if (mod.path == NULL)
		sp->maps_dirty = true;
	return aggregate_add_location(s->g, pc, is_return, frames, n, &mod);
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
 * Counts weight_ns of t at stack, on CPU (CAPTURE_RUNNING) or off, in
 * sampling periods; the remainder is carried per thread and kind, so the
 * totals stay the time measured.
 */
static void
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
 * The consumer of every source's captures: unwinds, symbolizes and counts
 * c (the thread runs meanwhile) as weight_ns of CPU time (running) or
 * off-CPU time (blocked; waiting for a CPU, under a "[waiting for CPU]"
 * frame), in units of the sampling period with the remainder carried per
 * thread and kind. Returns the stack's id, or PROFILE_NONE for a thread
 * the sampler does not know.
 */
static uint32_t
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
	for (int i = 0; i < n; i++) {
		bool is_return = i > 0 && !(i < 64 && (after_signal >> i) & 1);

		locs[i] = sampler_location(s, sp, pcs[i], is_return);
	}
	if (truncated) {
		s->unwind_errors++;
		if (c->regs_partial)
			s->blocked_truncated++;
		else
			s->stopped_truncated++;
	}
	if (unwind_used_fallback(sp->u))
		s->fallback_stacks++;
	sampler_idle_flush(s, t);
	if (unwind_copy_short(sp->u)) {
		s->copy_short_stacks++;
		t->deeper = t->more_len < SAMPLER_MORE_MAX;
	}
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
 * True when c stopped at the exit of a system call its thread blocked in
 * since its last capture (cputime_woke()): the voluntary context switches
 * are read at every capture of a thread once it stopped at a system
 * call's exit.
 */
static bool
sampler_woke_here(struct sampler *s, struct sampler_task *t,
		  const struct capture *c)
{
	bool in_syscall = (int64_t)c->regs.orig_rax >= 0;

	if (!cputime_wants_nvcsw(&t->cpu, in_syscall))
		return false;
	return cputime_woke(&t->cpu, in_syscall,
			    procfs_read_voluntary(sampler_proc_pid(s), t->tid));
}

/*
 * Counts the CPU time t ran and no capture took yet, each pool at the
 * last stack taken on a CPU where it stopped alike (else the other one,
 * else fallback): when it blocks, at the end, or when its thread is gone.
 */
static void
sampler_pending_flush(struct sampler *s, struct sampler_task *t,
		      uint32_t fallback, uint32_t second)
{
	for (int i = 0; i < 2; i++) {
		uint32_t st;
		uint64_t ns = cputime_flush(&t->cpu, i, fallback, &st);

		if (ns > 0 && st != PROFILE_NONE)
			sampler_count(s, t, st, CAPTURE_RUNNING, ns, second);
	}
}

/*
 * The ptrace source's side of the seam: completes a capture with what the
 * tick knows of its thread and hands it to sampler_account(). CPU: the time
 * the thread actually ran (schedstat, measured at every look and capture),
 * none when it did not run since its last capture (it only waited for a
 * CPU), so a CPU profile's total is the CPU time the threads used; how much
 * of it a capture takes, and which captures take none, is cputime.h's.
 * Taken asleep, the thread ran before it slept: its time goes to the last
 * stack taken on a CPU (the sleeping one only when none is known). Off
 * CPU: one tick for a blocked capture, and the ticks a thread was asked for
 * while it waited for a CPU. --dump counts each capture once.
 */
static void
sampler_ptrace_deliver(struct sampler *s, struct capture *c, bool in_batch,
		       uint32_t second)
{
	uint64_t period = CLOCK_NS_PER_S / s->opt.hz;
	pid_t tid = c->tid;
	uint32_t id = hash_find(&s->task_idx, hash_u64((uint64_t)tid),
				sampler_task_eq, &tid, s);
	struct procfs_schedstat ss;
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
	if (procfs_schedstat_fd(t->sched_fd, &ss) == 0)
		cputime_measure(&t->cpu, ss.run_ns);
	waiting = t->owed > 0 ? t->owed - (in_batch ? 1 : 0) : 0;
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
	woke = sampler_woke_here(s, t, c);
	if (t->cpu.ran && !woke)
		c->weight_ns = cputime_take(&t->cpu, period, in_syscall);
	t->cpu.ran = false;
	if (sampler_account(s, c, second) == PROFILE_NONE)
		return;
	if (!woke) /* where it ran, for its time until it blocks */
		cputime_ran_at(&t->cpu, t->last_stack, in_syscall);
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
	ARRAY_RESERVE(s->cap_in_batch, cap1, s->ncaps + n);
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
		sampler_ptrace_deliver(s, &s->caps[i], s->cap_in_batch[i],
				       second);
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
	sampler_grow_copies(s);
	sampler_reserve(s, nth);
	for (size_t i = 0; i < s->ntasks; i++)
		s->tasks[i].seen = false;
	for (size_t i = 0; i < nth; i++) {
		struct sampler_task *t = sampler_task(s, th[i].pid, th[i].tid);

		t->seen = true;
		if (sampler_look(s, t, &th[i], second) ==
		    SAMPLER_LOOK_INTERRUPT) {
			s->eligible[n++] = th[i].tid;
			t->owed++;
		}
	}
	sampler_sweep(s);
	s->listed = true;
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
	snap->fallback_stacks = s->fallback_stacks;
	snap->copy_short_stacks = s->copy_short_stacks;
	snap->debuginfod_pending = (uint32_t)s->fetch_pending;
	snap->debuginfod_failed = (uint32_t)s->fetch_failed;
	snap->memory_bytes = aggregate_bytes(s->g);
}

/* Which source runs, why, and what it lost, for the header and --stats. */
static void
sampler_source_view(struct sampler *s, struct profile_snapshot *view)
{
	struct perf_source_stats st;

	view->backend = s->perf ? "perf" : "ptrace";
	view->backend_why = s->backend_why;
	if (s->perf == NULL)
		return;
	source_perf_stats(s->perf, &st);
	view->lost = st.lost;
	if (source_perf_offcpu(s->perf) != NULL)
		view->offcpu_why =
			aggregate_string(s->g, source_perf_offcpu(s->perf));
}

/* Publishes an immutable copy of the tables and wakes the readers. */
static void
sampler_publish_snapshot(struct sampler *s)
{
	int64_t now = clock_ns(CLOCK_MONOTONIC);
	struct profile_snapshot view = {0}, *snap, *old;
	int status = 0;

	view.pid = s->pid;
	view.cmdline = s->cmdline;
	view.exe = s->exe;
	sampler_source_view(s, &view);
	switch (s->a ? attach_state(s->a, &status)
		     : (status = s->perf_status, s->perf_state)) {
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
	pthread_cond_broadcast(&s->cond);
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
	for (size_t i = 0; i < s->nspaces; i++)
		space_read_comm(s->spaces[i]);
	for (size_t i = 0; i < s->ntasks; i++) {
		struct sampler_task *t = &s->tasks[i];
		struct profile_thread *rec = aggregate_thread_at(s->g, t->rec);
		struct procfs_stat st;
		struct procfs_schedstat ss;

		sampler_idle_flush(s, t);
		struct space *sp = sampler_space_find(s, t->pid);

		procfs_read_comm(t->pid, t->tid, rec->name);
		if (sp != NULL)
			memcpy(rec->process, sp->comm, sizeof(rec->process));
		if (t->stat_fd >= 0 && procfs_stat_fd(t->stat_fd, &st) == 0) {
			rec->state = st.state;
			cputime_set_ticks(&t->cpu, st.utime, st.stime);
		}
		if (rec->state == 'Z' && t->tid == t->pid && s->a != NULL)
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
	/* Debug info debuginfod fetched meanwhile: names change. */
	s->fetch_pending = s->fetch_failed = 0;
	for (size_t i = 0; i < s->nspaces; i++) {
		size_t pending = 0, failed = 0;

		if (symbols_poll_fetches(s->spaces[i]->sy, &pending, &failed))
			aggregate_forget_addresses(s->g);
		s->fetch_pending += pending;
		s->fetch_failed += failed;
	}
}

static void
sampler_do_reset(struct sampler *s)
{
	aggregate_reset_counts(s->g);
	s->start_ns = clock_ns(CLOCK_MONOTONIC);
	s->start_unix_ns = clock_ns(CLOCK_REALTIME);
	s->samples = s->stops = s->unwind_errors = 0;
	s->blocked_reads = s->blocked_truncated = s->stopped_truncated = 0;
	s->fallback_stacks = 0;
	s->copy_short_stacks = 0;
	s->ticks = s->late_ticks = s->ticks_at_publish = 0;
	s->stop_n = 0;
	s->last_fold_second = 0;
	sampler_cpu_restart(s);
	for (size_t i = 0; i < s->ntasks; i++) { /* the thread list's times */
		struct procfs_schedstat ss;

		if (procfs_schedstat_fd(s->tasks[i].sched_fd, &ss) == 0) {
			s->tasks[i].first_run_ns = ss.run_ns;
			s->tasks[i].first_wait_ns = ss.wait_ns;
		}
	}
}

/*
 * A tick's offset from its place on the grid: up to a quarter period
 * either way, at random. Ticks at a fixed period lock onto a workload's
 * own period (each stop delays the thread it stops): the ratio workload's
 * hot_c read 17.2 % on average instead of 20 (13.7-20.2) in single-thread
 * runs at load 13-16, 20.0 (18.9-21.3) with the jitter (issue 10).
 */
static int64_t
sampler_jitter(struct sampler *s, int64_t period)
{
	s->rng ^= s->rng << 13;
	s->rng ^= s->rng >> 7;
	s->rng ^= s->rng << 17;
	return (int64_t)(s->rng % (uint64_t)(period / 2 + 1)) - period / 4;
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

/*
 * True when the main thread asks the sampler thread to leave for a Ctrl-Z:
 * it then commits to it (leaving), so that a main thread giving up on the
 * wait knows whether the thread is going away.
 */
static bool
sampler_leaving(struct sampler *s)
{
	bool leave;

	pthread_mutex_lock(&s->lock);
	leave = atomic_load(&s->suspend) && !atomic_load(&s->stop);
	s->leaving = leave;
	pthread_mutex_unlock(&s->lock);
	return leave;
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
	int64_t next_publish = now + CLOCK_NS_PER_S, jitter = 0;

	if (s->opt.once)
		timeout = SAMPLER_DUMP_WAIT_NS; /* every thread, once */

	while (!atomic_load(&s->stop)) {
		bool paused = atomic_load(&s->paused);
		int rc;

		sampler_beat(s);
		if (sampler_leaving(s))
			break;
		rc = attach_wait(s->a, paused ? next_publish : next + jitter,
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
		} else if (now >= next + jitter) {
			sampler_tick(s,
				     (uint32_t)((now - s->start_ns) /
						CLOCK_NS_PER_S),
				     timeout);
			if (s->opt.once)
				break;
			next = sampler_next_deadline(s, next, period);
			jitter = sampler_jitter(s, period);
		}
		if (now >= next_publish ||
		    atomic_exchange(&s->publish, false) ||
		    fault_publish_due()) {
			sampler_housekeeping(s, (uint32_t)((now - s->start_ns) /
							   CLOCK_NS_PER_S));
			sampler_publish_snapshot(s);
			fault_after_publish();
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

/* The perf source's sink: one capture into the tables. */
static void
sampler_perf_sink(const struct capture *c, void *arg)
{
	struct sampler *s = arg;
	struct space *sp;
	int64_t now;

	if (c->time_ns < (uint64_t)s->start_ns) /* taken before a reset */
		return;
	sampler_task(s, c->pid, c->tid);
	sp = sampler_space(s, c->pid);
	/* Code outside the known maps: dlopen, exec, or ld.so loading. */
	if (procfs_maps_find(&sp->maps, c->regs.rip) == NULL &&
	    (now = clock_ns(CLOCK_MONOTONIC)) - sp->maps_read_ns > 10000000) {
		sp->maps_read_ns = now;
		sampler_refresh_space(s, sp, true);
	}
	sampler_account(s, c,
			(uint32_t)((c->time_ns - (uint64_t)s->start_ns) /
				   CLOCK_NS_PER_S));
}

/* While paused: records are read and dropped. */
static void
sampler_perf_discard(const struct capture *c, void *arg)
{
}

/*
 * perf: marks the threads of process pid listed in /proc seen (a process
 * left as a zombie leader alone is not). Returns how many were listed, or
 * -1 when the process is gone.
 */
static ssize_t
sampler_perf_list(struct sampler *s, pid_t pid)
{
	pid_t *tids = NULL;
	ssize_t n = procfs_read_tasks(pid, &tids);

	for (ssize_t i = 0; i < n; i++) {
		struct sampler_task *t = sampler_task(s, pid, tids[i]);

		t->seen = n > 1 || !sampler_state(s, t) ||
			  aggregate_thread_at(s->g, t->rec)->state != 'Z';
	}
	if (n >= 0)
		free(tids);
	return n;
}

/* Appends pid to pids[0..*n) unless present (at most SAMPLER_MAX_PROCS). */
static void
sampler_pid_add(pid_t **pids, size_t *n, size_t *cap, pid_t pid)
{
	for (size_t i = 0; i < *n; i++)
		if ((*pids)[i] == pid)
			return;
	if (*n >= SAMPLER_MAX_PROCS)
		return;
	if (*n == *cap) {
		*cap = *cap ? 2 * *cap : 16;
		*pids = xreallocarray(*pids, *cap, sizeof(**pids));
	}
	(*pids)[(*n)++] = pid;
}

/* Appends the child processes of every thread of pid to pids. */
static void
sampler_pid_children(pid_t pid, pid_t **pids, size_t *n, size_t *cap)
{
	pid_t *tids = NULL;
	ssize_t nt = procfs_read_tasks(pid, &tids);

	for (ssize_t i = 0; i < nt; i++) {
		char path[64], *buf, *p, *end;

		snprintf(path, sizeof(path), "/proc/%d/task/%d/children",
			 (int)pid, (int)tids[i]);
		buf = procfs_read(path, NULL);
		for (p = buf; p != NULL && *p != '\0'; p = end) {
			long v = strtol(p, &end, 10);

			if (end == p)
				break;
			if (v > 0 && v <= INT32_MAX)
				sampler_pid_add(pids, n, cap, (pid_t)v);
		}
		free(buf);
	}
	if (nt >= 0)
		free(tids);
}

/*
 * perf: lists the target's threads (the thread list shows idle ones too)
 * and, following children, those of every process it forked that is
 * still there (found from samples and /proc/PID/task/TID/children), and
 * tells whether the target still runs: a spawned child is reaped here (no
 * tracer waits for it), a -p target is gone when only a zombie is left.
 * Its children do not keep the profile going (as with `perf record`).
 */
static bool
sampler_perf_alive(struct sampler *s)
{
	pid_t *pids = NULL;
	size_t npids = 0, cap = 0;
	ssize_t n;
	int st;

	if (s->opt.argv != NULL && s->perf_state == ATTACH_RUNNING) {
		pid_t r = waitpid(s->pid, &st, WNOHANG);

		if (r == s->pid && WIFEXITED(st)) {
			s->perf_state = ATTACH_EXITED;
			s->perf_status = WEXITSTATUS(st);
		} else if (r == s->pid && WIFSIGNALED(st)) {
			s->perf_state = ATTACH_SIGNALED;
			s->perf_status = WTERMSIG(st);
		} else if (r < 0 && errno == ECHILD) {
			s->perf_state = ATTACH_GONE;
		}
	}
	for (size_t i = 0; i < s->ntasks; i++) {
		if (s->tasks[i].pid != s->pid)
			sampler_pid_add(&pids, &npids, &cap, s->tasks[i].pid);
		s->tasks[i].seen = false;
	}
	n = s->perf_state == ATTACH_RUNNING ? sampler_perf_list(s, s->pid) : -1;
	if (n > 0 && s->opt.follow) {
		sampler_pid_children(s->pid, &pids, &npids, &cap);
		/* The list grows with the children of the children. */
		for (size_t i = 0; i < npids; i++) {
			if (pids[i] == s->pid ||
			    sampler_perf_list(s, pids[i]) <= 0)
				continue;
			sampler_pid_children(pids[i], &pids, &npids, &cap);
		}
	}
	free(pids);
	sampler_sweep(s);
	s->listed = true;
	for (size_t i = 0; i < s->ntasks && n > 0; i++)
		if (s->tasks[i].pid == s->pid)
			return s->perf_state == ATTACH_RUNNING;
	if (s->perf_state == ATTACH_RUNNING)
		s->perf_state = ATTACH_GONE; /* none left, or a zombie */
	return false;
}

/*
 * The loop with the perf source: sleep until a ring buffer fills or
 * 100 ms pass, read every ring into captures, once a second publish. No
 * thread of the target is stopped.
 */
static void
sampler_perf_loop(struct sampler *s)
{
	int64_t now, next_publish = clock_ns(CLOCK_MONOTONIC) + CLOCK_NS_PER_S;

	while (!atomic_load(&s->stop)) {
		capture_sink_fn sink = atomic_load(&s->paused)
					       ? sampler_perf_discard
					       : sampler_perf_sink;
		bool alive = true;

		sampler_beat(s);
		if (source_perf_wait(s->perf, next_publish, s->wake_fd) == 1)
			sampler_drain(s->wake_fd);
		if (atomic_exchange(&s->reset, false)) {
			sampler_do_reset(s);
			atomic_store(&s->publish, true);
		}
		if (source_perf_poll(s->perf, sink, s) == 0)
			alive = sampler_perf_alive(s);
		sampler_refresh_maps(s, false);
		now = clock_ns(CLOCK_MONOTONIC);
		if (!alive || now >= next_publish ||
		    atomic_exchange(&s->publish, false)) {
			source_perf_flush(s->perf, now, sink, s);
			alive = sampler_perf_alive(s) && alive;
			sampler_housekeeping(s, (uint32_t)((now - s->start_ns) /
							   CLOCK_NS_PER_S));
			sampler_publish_snapshot(s);
			fault_after_publish();
			next_publish = now + CLOCK_NS_PER_S;
		}
		if (!alive)
			break;
	}
	/* What the kernel wrote until now is counted. */
	if (!atomic_load(&s->paused)) {
		source_perf_poll(s->perf, sampler_perf_sink, s);
		source_perf_flush(s->perf, clock_ns(CLOCK_MONOTONIC),
				  sampler_perf_sink, s);
	}
}

static int sampler_exit_code(enum attach_failure why);

/* Maps a perf_event_open errno to the failure kinds of attach/. */
static enum attach_failure
sampler_perf_failure(int err)
{
	return err == EPERM || err == EACCES ? ATTACH_FAIL_PERM
	       : err == ESRCH		     ? ATTACH_FAIL_NOPROC
					     : ATTACH_FAIL_OTHER;
}

/*
 * Opens the perf source on s->pid. Returns 0, or -1 with *why_not set
 * (caller frees) and *err. In auto mode a wall profile without a kernel
 * off-CPU source is refused too: the ptrace sampler can count it.
 */
static int
sampler_try_perf(struct sampler *s, int *err, char **why_not)
{
	struct source_perf_options po = {
		.pid = s->pid,
		.hz = s->opt.hz,
		.stack_bytes = s->opt.stack_bytes ? s->opt.stack_bytes
						  : SAMPLER_PERF_STACK,
		/*
		 * Off-CPU from context switches is not used yet: measured
		 * against wall time it over-counts (1.6x on the mixed
		 * workload), so wall mode stays with ptrace (README:
		 * Backends).
		 */
		.offcpu = false,
		.switch_cap = SAMPLER_SWITCH_CAP,
		.follow = s->opt.follow,
	};
	char *cause = NULL;

	if (source_perf_open(&po, &s->perf, err, &cause) != 0) {
		*why_not = cause;
		return -1;
	}
	/*
	 * Auto in wall mode (and under the live screen, which can switch to
	 * it): the ptrace sampler, which sees every blocked thread. The
	 * kernel's context-switch samples only see threads that block after
	 * cproftop started (README: Backends).
	 */
	if (s->opt.backend == SAMPLER_BACKEND_AUTO && s->opt.offcpu) {
		*err = 0;
		*why_not = xstrdup("wall mode (or the live screen, which can "
				   "switch to it): the perf backend has no "
				   "off-CPU samples yet");
		source_perf_close(s->perf);
		s->perf = NULL;
		return -1;
	}
	return 0;
}

/* True when pid is a live user process other than cproftop. */
static bool
sampler_perf_target_ok(pid_t pid)
{
	char path[64], *buf;
	struct procfs_stat st;
	bool ok;

	snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
	buf = procfs_read(path, NULL);
	ok = buf != NULL && procfs_parse_stat(buf, &st) == 0 &&
	     st.state != 'Z' && !(st.flags & 0x00200000) && pid != getpid();
	free(buf);
	return ok;
}

/*
 * Starts the source the options ask for: perf where it opens (auto or
 * --backend=perf; a spawned command is started under ptrace, then
 * released), else ptrace. Records which one runs and why. Returns 0, or
 * a CPT_EXIT_* code with *cause (caller frees).
 */
static int
sampler_open_source(struct sampler *s, char **cause)
{
	enum attach_failure why = ATTACH_FAIL_OTHER;
	bool try_perf =
		s->opt.backend != SAMPLER_BACKEND_PTRACE && !s->opt.once;
	char *why_not = NULL;
	int err = 0, rc;

	if (s->opt.pid > 0 && try_perf && sampler_perf_target_ok(s->opt.pid)) {
		s->pid = s->opt.pid;
		if (sampler_try_perf(s, &err, &why_not) == 0)
			goto perf;
		if (s->opt.backend == SAMPLER_BACKEND_PERF) {
			*cause = why_not;
			return sampler_exit_code(sampler_perf_failure(err));
		}
	}
	if (s->opt.pid > 0)
		rc = attach_pid(s->opt.pid, s->opt.follow, &s->a, &why, cause);
	else
		rc = attach_spawn(s->opt.argv, s->opt.child_output,
				  try_perf	  ? ATTACH_HOLD
				  : s->opt.follow ? ATTACH_FOLLOW
						  : 0,
				  &s->a, &why, cause);
	if (rc != 0) {
		free(why_not);
		return sampler_exit_code(why);
	}
	s->pid = attach_pid_of(s->a);
	if (s->opt.argv != NULL && try_perf) {
		/*
		 * Held in its exec stop: one thread that has run nothing of
		 * the program yet. Events opened now see all of it and,
		 * inherited, every thread (and followed process) it creates;
		 * then it is let go, to be sampled by the kernel alone.
		 */
		rc = sampler_try_perf(s, &err, &why_not);
		attach_let_go(s->a);
		s->a = NULL;
		if (rc == 0)
			goto perf;
		if (s->opt.backend == SAMPLER_BACKEND_PERF) {
			*cause = why_not;
			kill(s->pid, SIGKILL);
			waitpid(s->pid, &rc, 0);
			return sampler_exit_code(sampler_perf_failure(err));
		}
		/* Back to ptrace: the child runs untraced meanwhile. */
		rc = attach_pid(s->pid, s->opt.follow, &s->a, &why, cause);
		if (rc != 0) {
			free(why_not);
			return sampler_exit_code(why);
		}
	}
	s->why_buf = why_not;
	s->backend_why = why_not ? why_not
			 : s->opt.backend == SAMPLER_BACKEND_PTRACE
				 ? "--backend=ptrace"
			 : s->opt.once ? "--dump reads each thread once"
				       : "perf_event_open not tried";
	return 0;
perf:
	s->perf_state = ATTACH_RUNNING;
	s->backend_why = s->opt.backend == SAMPLER_BACKEND_PERF
				 ? "--backend=perf"
				 : "perf_event_open allowed";
	return 0;
}

/* Sets up the tables once attached; the target already runs traced. */
static void
sampler_setup(struct sampler *s)
{
	pid_t pid = sampler_proc_pid(s);
	char *cmdline = procfs_read_cmdline(pid), *exe = procfs_read_exe(pid);

	s->g = aggregate_new();
	/* A spawned command's threads are all born while profiled: their
	   CPU time from their start is the profile's (forker's first 50 ms
	   ran before the first tick on a loaded machine). */
	s->listed = s->opt.argv != NULL;
	sampler_space(s, s->pid);
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
	s->start_rc = rc;
	s->start_cause = cause;
	atomic_store(&s->started, true);
	pthread_mutex_unlock(&s->lock);
	sampler_kick(s->notify_fd);
}

/*
 * The main thread's side of a handshake: waits until *flag is set by the
 * sampler thread (which kicks notify_fd after setting it), until the
 * absolute CLOCK_MONOTONIC deadline_ns (-1: none). A fatal error posted by
 * the sampler thread meanwhile ends cproftop here (fatal_exit_posted()).
 * Returns *flag. Drains notify_fd: callers take a snapshot afterwards.
 */
static bool
sampler_wait_for(struct sampler *s, atomic_bool *flag, int64_t deadline_ns)
{
	struct pollfd pfd[2] = {{s->notify_fd, POLLIN, 0},
				{fatal_fd(), POLLIN, 0}};

	while (!atomic_load(flag)) {
		int64_t left = deadline_ns - clock_ns(CLOCK_MONOTONIC);
		int ms = deadline_ns < 0 ? -1 : (int)(left / 1000000) + 1;

		fatal_exit_posted();
		if (deadline_ns >= 0 && left <= 0)
			break;
		if (poll(pfd, pfd[1].fd >= 0 ? 2 : 1, ms) > 0)
			sampler_drain(s->notify_fd);
	}
	fatal_exit_posted();
	return atomic_load(flag);
}

/* The exit code for a failure to attach or spawn (README: Exit codes). */
static int
sampler_exit_code(enum attach_failure why)
{
	switch (why) {
	case ATTACH_FAIL_NOPROC:
		return CPT_EXIT_NOPROC;
	case ATTACH_FAIL_PERM:
		return CPT_EXIT_PERM;
	case ATTACH_FAIL_TRACED:
		return CPT_EXIT_TRACED;
	case ATTACH_FAIL_BADTARGET:
		return CPT_EXIT_BADTARGET;
	case ATTACH_FAIL_NOTFOUND:
		return CPT_EXIT_NOTFOUND;
	case ATTACH_FAIL_OTHER:
		break;
	}
	return CPT_EXIT_ERROR;
}

static void sampler_run(struct sampler *s);

static void *
sampler_main(void *arg)
{
	struct sampler *s = arg;
	char *cause = NULL;
	int rc = sampler_open_source(s, &cause);

	if (rc != 0) {
		sampler_started(s, rc, cause);
		return NULL;
	}
	sampler_setup(s);
	s->traced = s->perf == NULL;
	sampler_publish_snapshot(s);
	sampler_started(s, 0, NULL);
	sampler_run(s);
	return NULL;
}

/*
 * A new sampler thread after a Ctrl-Z: seizes the target again and samples
 * on, or ends when the target ended or cannot be traced any more.
 */
static void *
sampler_main_again(void *arg)
{
	struct sampler *s = arg;
	enum attach_failure why;
	char *cause = NULL;

	if (attach_reseize(s->a, &why, &cause) != 0) {
		log_debug("resume: %s", cause);
		free(cause);
		atomic_store(&s->stop, true);
	}
	sampler_cpu_restart(s);
	sampler_run(s);
	return NULL;
}

/*
 * The sampler thread's life once attached: the loop, then either leaving
 * for a Ctrl-Z -- the thread just exits, and the kernel detaches every
 * thread of the target at once (a tracer's exit cancels pending interrupts,
 * wakes threads in a ptrace stop, keeps a group-stop and the signal a
 * thread was stopped for), without waiting for each to stop as
 * PTRACE_DETACH must -- or the end: detach, last snapshot.
 */
static void
sampler_run(struct sampler *s)
{
	int rc;

	if (s->perf != NULL)
		sampler_perf_loop(s);
	else
		sampler_loop(s);
	sampler_beat(s);
	log_debug("sampler: loop left (%s)", s->leaving ? "Ctrl-Z" : "end");
	if (s->leaving) {
		attach_forget(s->a);
		s->ncaps = 0;
		atomic_store(&s->released, true);
		sampler_kick(s->notify_fd);
		return;
	}
	for (size_t i = 0; i < s->ntasks; i++) {
		sampler_idle_flush(s, &s->tasks[i]);
		sampler_pending_flush(s, &s->tasks[i], s->tasks[i].last_stack,
				      sampler_second(s));
		if (s->opt.once && s->tasks[i].owed > 0)
			s->tasks[i].missing = "it did not get a CPU within 1 s "
					      "to be stopped";
		aggregate_thread_at(s->g, s->tasks[i].rec)->missing =
			s->tasks[i].missing;
	}
	if (s->a != NULL ? attach_state(s->a, &rc) != ATTACH_RUNNING
			 : s->perf_state != ATTACH_RUNNING) {
		for (size_t i = 0; i < s->ntasks; i++)
			s->tasks[i].seen = false;
		sampler_sweep(s);
	}
	/*
	 * The target first: detached before the last snapshot is made. A
	 * thread that does not stop in time to be detached (on a saturated
	 * machine it may wait long for a CPU) is let go by the kernel when
	 * this thread exits, right after the snapshot.
	 */
	if (s->a == NULL || attach_release(s->a, SAMPLER_DETACH_NS) == 0) {
		atomic_store(&s->detached, true);
		sampler_kick(s->notify_fd);
	}
	log_debug("sampler: detached");
	sampler_publish_snapshot(s);
	log_debug("sampler: last snapshot published");
	attach_free(s->a);
	s->a = NULL;
	source_perf_close(s->perf);
	s->perf = NULL;
	atomic_store(&s->detached, true);
	pthread_mutex_lock(&s->lock);
	atomic_store(&s->done, true);
	pthread_cond_broadcast(&s->cond);
	pthread_mutex_unlock(&s->lock);
	sampler_kick(s->notify_fd);
}

int
sampler_start(const struct sampler_options *opt, struct sampler **out,
	      char **cause)
{
	struct sampler *s = xcalloc(1, sizeof(*s));
	pthread_condattr_t ca;
	int rc;

	s->opt = *opt;
	s->rng = (uint64_t)clock_ns(CLOCK_MONOTONIC) | 1;
	if (s->opt.hz == 0)
		s->opt.hz = 99;
	pthread_mutex_init(&s->lock, NULL);
	pthread_condattr_init(&ca);
	pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
	pthread_cond_init(&s->cond, &ca);
	pthread_condattr_destroy(&ca);
	s->notify_fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	s->wake_fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	if (s->notify_fd < 0 || s->wake_fd < 0)
		fatal("eventfd");
	fault_arm();
	if ((errno = pthread_create(&s->thread, NULL, sampler_main, s)) != 0)
		fatal("pthread_create");
	/* A fatal error of the sampler thread ends cproftop from here. */
	while (!sampler_wait_for(s, &s->started, -1))
		continue;
	sampler_kick(s->notify_fd);
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

struct profile_snapshot *
sampler_snapshot_wait(struct sampler *s, const struct profile_snapshot *prev,
		      int64_t deadline_ns)
{
	struct timespec ts = {(time_t)(deadline_ns / CLOCK_NS_PER_S),
			      (long)(deadline_ns % CLOCK_NS_PER_S)};
	struct profile_snapshot *snap;

	pthread_mutex_lock(&s->lock);
	while (prev != NULL && s->latest == prev && !atomic_load(&s->done))
		if (pthread_cond_timedwait(&s->cond, &s->lock, &ts) ==
		    ETIMEDOUT)
			break;
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

/* True when some thread of pid is in a ptrace stop ('t'). Any thread. */
static bool
sampler_process_held(pid_t pid)
{
	struct procfs_stat st;
	bool held = false;
	pid_t *tids;
	ssize_t n = procfs_read_tasks(pid, &tids);

	for (ssize_t i = 0; i < n && !held; i++) {
		int fd = procfs_open_stat(pid, tids[i]);

		held = fd >= 0 && procfs_stat_fd(fd, &st) == 0 &&
		       st.state == 't';
		if (fd >= 0)
			close(fd);
	}
	if (n >= 0)
		free(tids);
	return held;
}

/*
 * True when some thread of pid, or (following children) of a process it
 * forked, and theirs, is in a ptrace stop. Any thread.
 */
static bool
sampler_target_held(pid_t pid, bool follow)
{
	pid_t *pids = NULL;
	size_t n = 0, cap = 0;
	bool held = false;

	sampler_pid_add(&pids, &n, &cap, pid);
	for (size_t i = 0; i < n && !held; i++) {
		held = sampler_process_held(pids[i]);
		if (follow)
			sampler_pid_children(pids[i], &pids, &n, &cap);
	}
	free(pids);
	return held;
}

int
sampler_stop_within(struct sampler *s, int64_t timeout_ns)
{
	int64_t start = clock_ns(CLOCK_MONOTONIC), now, beat;

	if (s->joined)
		return 0;
	log_debug("sampler: stop asked");
	atomic_store(&s->stop, true);
	sampler_kick(s->wake_fd);
	/*
	 * Done, or at least every thread detached (the last snapshot is the
	 * sampler's own bounded work). A sampler silent for timeout_ns while
	 * a thread of the target sits in a ptrace stop is stuck and harming
	 * it; one busy with bounded work (unwinding, symbolizing on a
	 * saturated machine) while the target runs gets up to
	 * SAMPLER_STOP_MAX_NS (SAMPLER_STOP_MAX_UNTRACED_NS with perf).
	 */
	while (!sampler_wait_for(s, &s->done,
				 clock_ns(CLOCK_MONOTONIC) +
					 SAMPLER_WATCH_STEP_NS) &&
	       !atomic_load(&s->detached)) {
		now = clock_ns(CLOCK_MONOTONIC);
		beat = atomic_load(&s->beat_ns);
		if (beat < start)
			beat = start;
		if ((now - beat >= timeout_ns && s->traced &&
		     sampler_target_held(s->pid, s->opt.follow)) ||
		    now - start >= (s->traced ? SAMPLER_STOP_MAX_NS
					      : SAMPLER_STOP_MAX_UNTRACED_NS)) {
			log_debug("sampler: silent for %lld ms, stuck",
				  (long long)((now - beat) / 1000000));
			return -1;
		}
	}
	sampler_stop(s);
	return 0;
}

int
sampler_suspend(struct sampler *s, int64_t timeout_ns)
{
	bool leaving;

	/* perf_event stops nothing: the target runs while we are stopped. */
	if (!s->traced || atomic_load(&s->detached))
		return 0;
	atomic_store(&s->suspend, true);
	sampler_kick(s->wake_fd);
	sampler_wait_for(s, &s->released,
			 clock_ns(CLOCK_MONOTONIC) + timeout_ns);
	pthread_mutex_lock(&s->lock);
	atomic_store(&s->suspend, false);
	leaving = s->leaving;
	pthread_mutex_unlock(&s->lock);
	if (!leaving)
		return atomic_load(&s->detached) ? 0 : -1;
	/* Its exit detaches the target: done once it is joined (it only
	   has to return). */
	pthread_join(s->thread, NULL);
	return 0;
}

void
sampler_resume(struct sampler *s)
{
	if (!s->leaving) {
		sampler_kick(s->wake_fd);
		return;
	}
	s->leaving = false;
	atomic_store(&s->released, false);
	if ((errno = pthread_create(&s->thread, NULL, sampler_main_again, s)) !=
	    0)
		fatal("pthread_create");
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
		free(s->tasks[i].more);
	}
	free(s->tasks);
	hash_free(&s->task_idx);
	free(s->caps);
	free(s->cap_in_batch);
	free(s->eligible);
	profile_snapshot_unref(s->latest);
	for (size_t i = 0; i < s->nspaces; i++)
		space_free(s->spaces[i]);
	free(s->spaces);
	aggregate_free(s->g);
	free(s->start_cause);
	free(s->why_buf);
	close(s->notify_fd);
	close(s->wake_fd);
	pthread_mutex_destroy(&s->lock);
	pthread_cond_destroy(&s->cond);
	free(s);
}
