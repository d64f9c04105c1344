/*
 * The perf_event source's loop: open the events, poll the ring buffers
 * and hand their records to source_perf.c, which makes captures of them;
 * no thread of the target is stopped or traced.
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
#include <sys/syscall.h>
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

/* At the end, the sampler thread catches up with its reader this long. */
#define SAMPLER_PERF_FINISH_NS (CLOCK_NS_PER_S)

/* perf: whether tid is a thread of process pid still listed in /proc. */
static bool
sampler_perf_listed(pid_t pid, pid_t tid)
{
	char path[64];

	snprintf(path, sizeof(path), "/proc/%d/task/%d", (int)pid, (int)tid);
	return access(path, F_OK) == 0;
}

/* See sampler_int.h. */
void
sampler_perf_leader(struct sampler *s)
{
	if (s->perf_proc_pid != 0 &&
	    sampler_perf_listed(s->pid, s->perf_proc_pid))
		return; /* the leader cannot come back */
	s->perf_proc_pid =
		attach_is_zombie(s->pid, s->pid) ? attach_live_tid(s->pid) : 0;
	if (s->perf_proc_pid != 0)
		log_debug("perf: the leader %d left: its process read through "
			  "thread %d",
			  (int)s->pid, (int)s->perf_proc_pid);
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
	/* Code outside the known maps: dlopen, exec, ld.so loading, or a
	   leader gone (pthread_exit), whose maps read empty. */
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
void
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
void
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
 * perf: reaps the spawned command if it ended, recording its status (a -p
 * target is not our child: nothing to do). Returns true when it ended.
 */
static bool
sampler_perf_reap(struct sampler *s)
{
	pid_t r;
	int st;

	if (s->opt.argv == NULL || s->perf_state != ATTACH_RUNNING)
		return false;
	r = waitpid(s->pid, &st, WNOHANG);
	if (r == s->pid && WIFEXITED(st)) {
		s->perf_state = ATTACH_EXITED;
		s->perf_status = WEXITSTATUS(st);
	} else if (r == s->pid && WIFSIGNALED(st)) {
		s->perf_state = ATTACH_SIGNALED;
		s->perf_status = WTERMSIG(st);
	} else if (r < 0 && errno == ECHILD) {
		s->perf_state = ATTACH_GONE;
	}
	return s->perf_state != ATTACH_RUNNING;
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

	sampler_perf_reap(s);
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
	/*
	 * A spawned command that ended after the waitpid() above is a zombie
	 * now (or about to be): its status is the one to report, not "gone"
	 * (which exits 1). Until waitpid() returns it, it runs on.
	 */
	if (s->opt.argv != NULL) {
		sampler_perf_reap(s);
		return s->perf_state == ATTACH_RUNNING;
	}
	if (s->perf_state == ATTACH_RUNNING)
		s->perf_state = ATTACH_GONE; /* none left, or a zombie */
	return false;
}

/*
 * A pidfd of the target (readable once it ended: the loop then ends at
 * once, not at its next look a second later; a short command's --top
 * waited for it), or -1 where the kernel has none (the look finds it).
 */
static int
sampler_perf_end_fd(pid_t pid)
{
#ifdef SYS_pidfd_open
	int fd = (int)syscall(SYS_pidfd_open, pid, 0);

	if (fd >= 0)
		return fd;
	log_debug("pidfd_open %d: %s", (int)pid, strerror(errno));
#else
	(void)pid;
#endif
	return -1;
}

/*
 * The loop with the perf source: sleep until a ring buffer fills, 100 ms
 * pass or the target ends, read every ring into captures, once a second
 * publish. No thread of the target is stopped.
 */
void
sampler_perf_loop(struct sampler *s)
{
	int64_t now, next_publish = clock_ns(CLOCK_MONOTONIC) + CLOCK_NS_PER_S;
	int end_fd = sampler_perf_end_fd(s->pid);

	while (!atomic_load(&s->stop)) {
		capture_sink_fn sink = atomic_load(&s->paused)
					       ? sampler_perf_discard
					       : sampler_perf_sink;
		bool alive = true;
		int woke;

		sampler_beat(s);
		woke = source_perf_wait(s->perf, next_publish, s->wake_fd,
					end_fd);
		if (woke & PERF_WAIT_WAKE)
			sampler_drain(s->wake_fd);
		if ((woke & PERF_WAIT_END) && (alive = sampler_perf_alive(s))) {
			/* ended, yet its thread lives on: no more waking */
			close(end_fd);
			end_fd = -1;
		}
		if (atomic_exchange(&s->reset, false)) {
			sampler_do_reset(s);
			atomic_store(&s->publish, true);
		}
		/* Off-CPU time counts from the profile's start (a reset). */
		source_perf_since(s->perf, s->start_ns);
		if (source_perf_poll(s->perf, sink, s) == 0 && alive)
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
	if (end_fd >= 0)
		close(end_fd);
	/* What the kernel wrote until now is counted (a sampler thread
	   behind its reader catches up, for up to SAMPLER_PERF_FINISH_NS;
	   what is left then is counted as lost). */
	if (!atomic_load(&s->paused))
		source_perf_finish(s->perf,
				   clock_ns(CLOCK_MONOTONIC) +
					   SAMPLER_PERF_FINISH_NS,
				   sampler_perf_sink, s);
}

/* Maps a perf_event_open errno to the failure kinds of attach/. */
enum attach_failure
sampler_perf_failure(int err)
{
	return err == EPERM || err == EACCES ? ATTACH_FAIL_PERM
	       : err == ESRCH		     ? ATTACH_FAIL_NOPROC
					     : ATTACH_FAIL_OTHER;
}

/*
 * Opens the perf source on s->pid, with off-CPU sampling (context
 * switches) when wall mode may be shown. Returns 0, or -1 with *why_not
 * set (caller frees) and *err. In auto mode a wall profile the kernel
 * cannot give (its context-switch events refused) is refused too: the
 * ptrace sampler can count it.
 */
int
sampler_try_perf(struct sampler *s, int *err, char **why_not)
{
	struct source_perf_options po = {
		.pid = s->pid,
		.hz = s->opt.hz,
		.stack_bytes = s->opt.stack_bytes ? s->opt.stack_bytes
						  : SAMPLER_PERF_STACK,
		.offcpu = s->opt.offcpu,
		.switch_cap = SAMPLER_SWITCH_CAP,
		.follow = s->opt.follow,
	};
	char *cause = NULL;

	if (source_perf_open(&po, &s->perf, err, &cause) != 0) {
		*why_not = cause;
		return -1;
	}
	/* Auto in wall mode (or under the live screen, which can switch to
	   it): perf when the kernel gives the context switches, whose
	   off-CPU time needs no stop (its split into blocked and waiting for
	   a CPU is the kernel's per thread and ~25 ms window: README,
	   Backends); else the ptrace sampler, which reads it at each tick. */
	if (s->opt.backend == SAMPLER_BACKEND_AUTO && s->opt.offcpu &&
	    source_perf_offcpu(s->perf) != NULL) {
		*err = 0;
		*why_not = xasprintf("wall mode (or the live screen, which can "
				     "switch to it): ptrace (%s)",
				     source_perf_offcpu(s->perf));
		source_perf_close(s->perf);
		s->perf = NULL;
		return -1;
	}
	return 0;
}

/*
 * True when pid is a live user process other than cproftop: its leader
 * runs, or called pthread_exit() while other threads run (a zombie with
 * company: sampler_perf_leader()).
 */
bool
sampler_perf_target_ok(pid_t pid)
{
	char path[64], *buf;
	struct procfs_stat st;
	bool ok;

	snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
	buf = procfs_read(path, NULL);
	ok = buf != NULL && procfs_parse_stat(buf, &st) == 0 &&
	     !(st.flags & 0x00200000) && pid != getpid();
	free(buf);
	return ok && (st.state != 'Z' || attach_live_tid(pid) != 0);
}
