#include "config.h"

#include "sampler/sampler_int.h"

#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <setjmp.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/resource.h>
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
#include "sampler/offload.h"
#include "sampler/capture.h"
#include "sampler/cputime.h"
#include "sampler/source_perf.h"
#include "sampler/space.h"
#include "sampler/symbols.h"
#include "sampler/unwind.h"

/* Wakes whoever polls eventfd fd (a failed write is only logged). */
void
sampler_kick(int fd)
{
	uint64_t one = 1;

	if (write(fd, &one, sizeof(one)) < 0)
		log_debug("eventfd write: %s", strerror(errno));
}

/* Clears eventfd fd after a wake-up (nonblocking; EAGAIN is fine). */
void
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

/* task_idx's equality: task id is the thread key (a pid_t). */
int
sampler_task_eq(uint32_t id, const void *key, void *arg)
{
	const struct sampler *s = arg;

	return s->tasks[id].tid == *(const pid_t *)key;
}

/* Rebuilds task_idx after s->tasks moved or shrank (sampler thread). */
void
sampler_task_reindex(struct sampler *s)
{
	hash_clear(&s->task_idx);
	for (size_t i = 0; i < s->ntasks; i++)
		hash_add(&s->task_idx, hash_u64((uint64_t)s->tasks[i].tid),
			 (uint32_t)i);
}

/*
 * Reads t's schedstat into *ss, keeping known_run_ns, the sum of the run
 * times read, for the process CPU clock check (sampler_check()). Returns
 * 0, or -1 when the thread is gone. Sampler thread.
 */
int
sampler_schedstat(struct sampler *s, struct sampler_task *t,
		  struct procfs_schedstat *ss)
{
	if (procfs_schedstat_fd(t->sched_fd, ss) != 0)
		return -1;
	s->known_run_ns += ss->run_ns - t->read_run_ns;
	t->read_run_ns = ss->run_ns;
	return 0;
}

/*
 * Names rec's thread from its stat line, already read for its state and
 * times: the name is as /proc/PID/task/TID/comm gives it (at most 15
 * bytes), without a file more to open.
 */
void
sampler_name(struct profile_thread *rec, const struct procfs_stat *st)
{
	size_t n = strnlen(st->comm, sizeof(rec->name) - 1);

	memcpy(rec->name, st->comm, n);
	rec->name[n] = '\0';
}

/* The task for tid of process pid, opened and added when new. */
struct sampler_task *
sampler_task(struct sampler *s, pid_t pid, pid_t tid)
{
	uint64_t h = hash_u64((uint64_t)tid);
	uint32_t id = hash_find(&s->task_idx, h, sampler_task_eq, &tid, s);
	struct sampler_task *t;
	struct space *sp;
	struct profile_thread *rec;
	struct procfs_schedstat ss;
	struct procfs_stat st;

	if (id != PROFILE_NONE)
		return &s->tasks[id];
	ARRAY_RESERVE(s->tasks, s->cap_tasks, s->ntasks + 1);
	t = &s->tasks[s->ntasks];
	memset(t, 0, sizeof(*t));
	t->tid = tid;
	t->pid = pid;
	t->last_stack = PROFILE_NONE;
	t->stop_slices = UINT64_MAX;
	cputime_init(&t->cpu, 0);
	t->stat_fd = procfs_open_stat(pid, tid);
	t->sched_fd = procfs_open_schedstat(pid, tid);
	t->sys_fd = procfs_open_syscall(pid, tid);
	t->status_fd = -1;
	if (sampler_schedstat(s, t, &ss) == 0) {
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
	/* Its system share from the start (cputime_take()), and its name
	   from the same line (issue 9: a comm read more per thread). One
	   born while profiled may be named by its creator after this read
	   (pthread_setname_np() right after pthread_create(), the thread
	   asleep by then: 13-16 of ratio's 1000 sleepers kept the name
	   "ratio"): the next two housekeepings read its name again. */
	if (t->stat_fd >= 0 && procfs_stat_fd(t->stat_fd, &st) == 0) {
		cputime_set_ticks(&t->cpu, st.utime, st.stime);
		sampler_name(rec, &st);
		t->named = true;
		t->renames = s->listed ? 2 : 0;
	} else {
		procfs_read_comm(pid, tid, rec->name);
	}
	sp = sampler_space_find(s, pid);
	if (sp != NULL)
		memcpy(rec->process, sp->comm, sizeof(rec->process));
	else if (procfs_read_comm(pid, pid, rec->process) != 0)
		memcpy(rec->process, rec->name, sizeof(rec->process));
	hash_add(&s->task_idx, h, (uint32_t)s->ntasks++);
	return t;
}

/* Closes t's files and frees its buffer (it is gone, or the end). */
void
sampler_task_close(struct sampler_task *t)
{
	int *fds[] = {&t->stat_fd, &t->sched_fd, &t->sys_fd, &t->status_fd};

	for (size_t i = 0; i < sizeof(fds) / sizeof(fds[0]); i++) {
		if (*fds[i] >= 0)
			close(*fds[i]);
		*fds[i] = -1;
	}
	free(t->more);
	t->more = NULL;
}

/* The second of the profile now. */
uint32_t
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

	s->settle = true; /* the process clock check starts over */
	for (size_t i = 0; i < s->ntasks; i++) {
		struct sampler_task *t = &s->tasks[i];

		t->carry_ns = 0;
		if (sampler_schedstat(s, t, &ss) == 0)
			cputime_restart(&t->cpu, ss.run_ns);
		else
			cputime_restart(&t->cpu, t->cpu.run_ns);
	}
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
	snap->regs_truncated = s->regs_truncated;
	snap->restarted_calls = s->a ? attach_restarted(s->a) : 0;
	snap->walks = s->a ? attach_walks(s->a) : 0;
	snap->clock_checks = s->checks;
	snap->searches = s->searches;
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
	view->wall_source = s->perf == NULL ? "ptrace" : "none";
	if (s->perf == NULL)
		return;
	source_perf_stats(s->perf, &st);
	view->lost = st.lost;
	if (source_perf_offcpu(s->perf) != NULL)
		view->offcpu_why =
			aggregate_string(s->g, source_perf_offcpu(s->perf));
	else
		view->wall_source = "switches";
}

/* Publishes an immutable copy of the tables and wakes the readers. */
void
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
void
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

		if ((i & 63) == 63 && s->a != NULL)
			attach_wait(s->a, 0, -1); /* a stop since: resumed */
		/* Asleep on its stack at its last look, named since it last
		   ran (and not newly born: sampler_task()), and no sleeping
		   thread ran since the last check: nothing of it changed. */
		if (t->renames > 0)
			t->renames--;
		else if (s->quiet && t->asleep && t->idle_streak > 0 &&
			 t->named)
			continue;
		if (sp != NULL)
			memcpy(rec->process, sp->comm, sizeof(rec->process));
		if (t->stat_fd >= 0 && procfs_stat_fd(t->stat_fd, &st) == 0) {
			rec->state = st.state;
			cputime_set_ticks(&t->cpu, st.utime, st.stime);
			sampler_name(rec, &st); /* threads rename themselves */
			t->named = true;
		}
		if (rec->state == 'Z' && t->tid == t->pid && s->a != NULL)
			attach_forget_zombie(s->a, t->tid); /* pthread_exit */
		if (sampler_schedstat(s, t, &ss) == 0) {
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

/* Zeroes the counts and starts the profile's time now (sampler thread:
   at set-up and on a reset command). */
void
sampler_do_reset(struct sampler *s)
{
	aggregate_reset_counts(s->g);
	s->start_ns = clock_ns(CLOCK_MONOTONIC);
	s->start_unix_ns = clock_ns(CLOCK_REALTIME);
	s->samples = s->stops = s->unwind_errors = 0;
	s->blocked_reads = s->blocked_truncated = s->regs_truncated = 0;
	s->fallback_stacks = 0;
	s->copy_short_stacks = 0;
	s->ticks = s->late_ticks = s->ticks_at_publish = 0;
	s->stop_n = 0;
	s->last_fold_second = 0;
	sampler_cpu_restart(s);
	for (size_t i = 0; i < s->ntasks; i++) { /* the thread list's times */
		struct procfs_schedstat ss;

		if (sampler_schedstat(s, &s->tasks[i], &ss) == 0) {
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
 * wait knows whether the thread is going away. Sampler thread.
 */
bool
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
	attach_set_exit_fn(s->a, sampler_thread_exited, s);
	s->why_buf = why_not;
	s->backend_why = why_not ? why_not
			 : s->opt.backend == SAMPLER_BACKEND_PTRACE
				 ? "--backend=ptrace"
			 : s->opt.once ? "--dump reads each thread once"
				       : "perf_event_open not tried";
	return 0;
perf:
	s->perf_state = ATTACH_RUNNING;
	sampler_perf_leader(s); /* -p of a process whose leader left */
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
	s->have_proc_clock = s->a != NULL &&
			     clock_getcpuclockid(s->pid, &s->proc_clock) == 0;
	sampler_do_reset(s);
	s->last_publish_ns = s->start_ns;
	s->last_cpu_ns = clock_ns(CLOCK_PROCESS_CPUTIME_ID);
}

/* The exit code for a failure to attach or spawn (README: Exit codes). */
int
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

/*
 * The sampler thread's start routine (pthread_create, sampler_start()):
 * opens the source, reports the start-up result, then samples until the
 * end. arg is the struct sampler. Returns NULL.
 */
void *
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
void *
sampler_main_again(void *arg)
{
	struct sampler *s = arg;
	enum attach_failure why;
	char *cause = NULL;

	/* A job a Ctrl-Z left to the helper (sampler_slow()) writes to a
	   space's symbols: it ends first. */
	if (s->off != NULL)
		offload_wait(s->off);
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

	/* A thread it stopped waits for it: at the nice of the work around
	   it, on a machine with every core busy, it got a CPU late (refused
	   without CAP_SYS_NICE: the default nice stands). */
	if (s->perf == NULL)
		(void)setpriority(PRIO_PROCESS, (id_t)gettid(), SAMPLER_NICE);
	if (s->perf != NULL) {
		sampler_perf_loop(s);
	} else if (setjmp(s->leave_jmp) == 0) {
		/* sampler_slow() may come back here, leaving for a Ctrl-Z */
		s->leave_armed = true;
		sampler_loop(s);
	}
	s->leave_armed = false;
	sampler_beat(s);
	log_debug("sampler: loop left (%s); %llu process clock checks, %llu "
		  "searches for a sleeping thread that ran",
		  s->leaving ? "Ctrl-Z" : "end", (unsigned long long)s->checks,
		  (unsigned long long)s->searches);
	if (s->leaving) {
		attach_forget(s->a);
		s->ncaps = 0;
		atomic_store(&s->released, true);
		sampler_kick(s->notify_fd);
		return;
	}
	for (size_t i = 0; i < s->ntasks; i++) {
		sampler_task_ended(s, &s->tasks[i]);
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
