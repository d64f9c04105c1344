/*
 * What threads other than the sampler call: start it, take snapshots, post
 * commands (publish, reset, pause), stop it, watch it (the stop watchdog),
 * suspend and resume it for Ctrl-Z.
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
#include "sampler/offload.h"
#include "sampler/capture.h"
#include "sampler/cputime.h"
#include "sampler/source_perf.h"
#include "sampler/space.h"
#include "sampler/symbols.h"
#include "sampler/unwind.h"

/* The sampler thread's start-up result for sampler_start(): rc 0 or an
   exit code, and cause (taken over, may be NULL). */
void
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
	offload_free(s->off);
	for (size_t i = 0; i < s->ntasks; i++)
		sampler_task_close(&s->tasks[i]);
	free(s->tasks);
	hash_free(&s->task_idx);
	free(s->caps);
	free(s->cap_stop);
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
