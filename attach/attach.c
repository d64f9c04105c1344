#include "config.h"

#include "attach/attach.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ptrace.h>
#include <sys/signalfd.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "attach/attach-int.h"
#include "attach/procfs.h"
#include "common/array.h"
#include "common/clock.h"
#include "common/log.h"
#include "common/sorted.h"
#include "common/xmalloc.h"

#define ATTACH_TRACEE_CMP(e, x) SORTED_NUM((e)->tid, (x))
SORTED_DEFINE(attach_tracees, struct attach_tracee, pid_t, ATTACH_TRACEE_CMP)

/* The index of tid in a->t, or where it would be inserted. */
static size_t
attach_index(const struct attach *a, pid_t tid)
{
	return attach_tracees_lower(a->t, a->n, tid);
}

/* The tracee tid, or NULL. Borrowed until the table changes. */
struct attach_tracee *
attach_find(struct attach *a, pid_t tid)
{
	size_t i = attach_index(a, tid);

	return i < a->n && a->t[i].tid == tid ? &a->t[i] : NULL;
}

/* The seize options: with follow, child processes are traced too. */
long
attach_options(const struct attach *a)
{
	return a->follow ? ATTACH_OPTIONS_FOLLOW : ATTACH_OPTIONS;
}

/* The process of thread tid from /proc (tid itself when unreadable). */
static pid_t
attach_tgid(pid_t tid)
{
	char path[64], *buf;
	pid_t tgid = -1;

	snprintf(path, sizeof(path), "/proc/%d/status", (int)tid);
	buf = procfs_read(path, NULL);
	if (buf != NULL) {
		tgid = procfs_parse_tgid(buf);
		free(buf);
	}
	return tgid > 0 ? tgid : tid;
}

/*
 * Adds tid of process pid (0: read from /proc; no-op when present).
 * Invalidates pointers into a->t.
 */
void
attach_add(struct attach *a, pid_t pid, pid_t tid)
{
	size_t i = attach_index(a, tid);

	if (i < a->n && a->t[i].tid == tid)
		return;
	if (pid <= 0)
		pid = a->follow ? attach_tgid(tid) : a->pid;
	ARRAY_RESERVE(a->t, a->cap, a->n + 1);
	memmove(&a->t[i + 1], &a->t[i], (a->n - i) * sizeof(*a->t));
	memset(&a->t[i], 0, sizeof(a->t[i]));
	a->t[i].tid = tid;
	a->t[i].pid = pid;
	a->n++;
}

/* Forgets tid (no-op when absent), and any sample wanted from it. */
void
attach_remove(struct attach *a, pid_t tid)
{
	size_t i = attach_index(a, tid);

	if (i >= a->n || a->t[i].tid != tid)
		return;
	if (a->t[i].want_sample)
		a->pending--;
	memmove(&a->t[i], &a->t[i + 1], (a->n - i - 1) * sizeof(*a->t));
	a->n--;
	if (tid == a->mem_pid && a->n > 0)
		a->mem_pid = a->t[0].tid; /* the leader left (pthread_exit) */
}

/* A tracer with its signalfd and no thread yet. */
struct attach *
attach_new(void)
{
	struct attach *a = xcalloc(1, sizeof(*a));
	sigset_t set;

	sigemptyset(&set);
	sigaddset(&set, SIGCHLD);
	/* The caller's contract; harmless to make sure for this thread. */
	pthread_sigmask(SIG_BLOCK, &set, NULL);
	a->sigfd = signalfd(-1, &set, SFD_NONBLOCK | SFD_CLOEXEC);
	if (a->sigfd < 0)
		fatal("signalfd");
	a->state = ATTACH_RUNNING;
	return a;
}

/*
 * Seizes the thread tid of a. Returns 1 when it was seized now, 0 when it
 * is gone or already ours, or -1 with *why and *cause. errno is saved
 * before anything else runs: reading /proc changes it.
 */
static int
attach_seize(struct attach *a, pid_t tid, enum attach_failure *why,
	     char **cause)
{
	int err;

	if (ptrace(PTRACE_SEIZE, tid, 0, attach_options(a)) == 0) {
		attach_add(a, a->pid, tid);
		return 1;
	}
	err = errno;
	if (err == ESRCH)
		return 0;
	if (err == EPERM && attach_is_zombie(a->pid, tid))
		return 0; /* a leader gone by pthread_exit: nothing to trace */
	if (err == EPERM && a->n > 0 && attach_ours(tid)) {
		attach_add(a, a->pid, tid);
		return 0;
	}
	if (err != EPERM) {
		*cause = xasprintf("cannot trace thread %d of process %d: %s",
				   (int)tid, (int)a->pid, strerror(err));
		return attach_fail(why, ATTACH_FAIL_OTHER);
	}
	*cause = attach_traced_message(a->pid, tid);
	if (*cause == NULL && tid != a->pid)
		*cause = attach_traced_message(a->pid, a->pid);
	if (*cause != NULL)
		return attach_fail(why, ATTACH_FAIL_TRACED);
	*cause = attach_perm_message(a->pid);
	return attach_fail(why, ATTACH_FAIL_PERM);
}

/*
 * Seizes every thread of a->pid, re-scanning /proc/PID/task until a scan
 * seizes nothing new: threads born after their parent was seized are
 * traced by PTRACE_O_TRACECLONE already. Returns 0, or -1 with *why and
 * *cause.
 */
static int
attach_seize_all(struct attach *a, enum attach_failure *why, char **cause)
{
	int seized = 1;

	while (seized > 0) {
		pid_t *tids;
		ssize_t n = procfs_read_tasks(a->pid, &tids);

		if (n < 0) {
			*cause = xasprintf("no such process: %d", (int)a->pid);
			return attach_fail(why, ATTACH_FAIL_NOPROC);
		}
		seized = 0;
		for (ssize_t i = 0; i < n; i++) {
			int rc;

			if (attach_find(a, tids[i]) != NULL)
				continue;
			rc = attach_seize(a, tids[i], why, cause);
			if (rc < 0) {
				free(tids);
				return -1;
			}
			seized += rc;
		}
		free(tids);
	}
	if (a->n == 0) {
		*cause = xasprintf("no such process: %d", (int)a->pid);
		return attach_fail(why, ATTACH_FAIL_NOPROC);
	}
	return 0;
}

int
attach_pid(pid_t pid, bool follow, struct attach **out,
	   enum attach_failure *why, char **cause)
{
	struct attach *a;

	*out = NULL;
	*cause = NULL;
	if (attach_check(&pid, why, cause) != 0)
		return -1;
	a = attach_new();
	a->follow = follow;
	a->pid = a->mem_pid = pid;
	if (attach_seize_all(a, why, cause) != 0) {
		attach_detach(a);
		return -1;
	}
	if (attach_find(a, pid) == NULL)
		a->mem_pid = a->t[0].tid; /* the leader is a zombie */
	attach_dispatch(a);
	*out = a;
	return 0;
}

pid_t
attach_pid_of(const struct attach *a)
{
	return a->pid;
}

pid_t
attach_proc_pid(const struct attach *a)
{
	return a->mem_pid;
}

bool
attach_spawned(const struct attach *a)
{
	return a->spawned;
}

size_t
attach_threads(struct attach *a, const struct attach_thread **threads)
{
	ARRAY_RESERVE(a->pub, a->pub_cap, a->n);
	for (size_t i = 0; i < a->n; i++) {
		a->pub[i].tid = a->t[i].tid;
		a->pub[i].pid = a->t[i].pid;
		a->pub[i].group_stopped = a->t[i].group_stopped;
	}
	*threads = a->pub;
	return a->n;
}

unsigned
attach_exec_count(const struct attach *a)
{
	return a->exec_count;
}

void
attach_set_exit_fn(struct attach *a, attach_exit_fn fn, void *arg)
{
	a->on_exit = fn;
	a->exit_arg = arg;
}

enum attach_state
attach_state(const struct attach *a, int *exit_status)
{
	if (exit_status != NULL)
		*exit_status = a->exit_status;
	return a->state;
}

void
attach_forget_zombie(struct attach *a, pid_t tid)
{
	struct attach_tracee *t = attach_find(a, tid);

	if (t != NULL && attach_is_zombie(t->pid, tid))
		attach_remove(a, tid);
}

uint64_t
attach_restarted(const struct attach *a)
{
	return a->restarted;
}

uint64_t
attach_walks(const struct attach *a)
{
	return a->walks;
}

/* True when tid sleeps (S or D): stopping it would break its call. */
static bool
attach_asleep(const struct attach_tracee *t)
{
	struct procfs_stat st;
	int fd = procfs_open_stat(t->pid, t->tid);
	bool asleep = fd >= 0 && procfs_stat_fd(fd, &st) == 0 &&
		      (st.state == 'S' || st.state == 'D');

	if (fd >= 0)
		close(fd);
	return asleep;
}

/* Lets the spawned target held at its exec go: it is in a ptrace stop. */
static void
attach_unhold(struct attach *a)
{
	if (!a->held)
		return;
	a->held = false;
	if (ptrace(PTRACE_DETACH, a->pid, 0, 0) != 0 && errno != ESRCH)
		log_debug("PTRACE_DETACH %d: %s", (int)a->pid, strerror(errno));
	attach_remove(a, a->pid);
}

void
attach_let_go(struct attach *a)
{
	attach_unhold(a);
	attach_detach(a);
}

size_t
attach_release(struct attach *a, int64_t timeout_ns)
{
	int64_t deadline = clock_ns(CLOCK_MONOTONIC) + timeout_ns;
	size_t i = 0;

	attach_unhold(a);
	a->detach = true;
	for (i = 0; i < a->n; i++)
		a->t[i].want_sample = false;
	a->pending = 0;
	/*
	 * Each thread must stop before PTRACE_DETACH; gone ones are fine. A
	 * thread asleep is not stopped (its call would fail with EINTR): the
	 * kernel detaches it when this thread exits, without waking it.
	 */
	for (i = 0; i < a->n;) {
		if ((!a->t[i].group_stopped && attach_asleep(&a->t[i])) ||
		    (ptrace(PTRACE_INTERRUPT, a->t[i].tid, 0, 0) != 0 &&
		     errno == ESRCH))
			attach_remove(a, a->t[i].tid);
		else
			i++;
	}
	while (a->n > 0) {
		attach_dispatch(a);
		if (a->n == 0 || clock_ns(CLOCK_MONOTONIC) >= deadline)
			break;
		attach_sleep(a, deadline, -1);
	}
	a->detach = false;
	if (a->n > 0)
		log_debug("detach: %zu threads did not stop; the kernel "
			  "detaches them when the tracer thread exits",
			  a->n);
	return a->n;
}

int
attach_reseize(struct attach *a, enum attach_failure *why, char **cause)
{
	*cause = NULL;
	/* Our own child may have ended meanwhile: reap it first. Not in -p
	   mode: with no tracee, waitpid() would say the target is gone. */
	if (a->spawned)
		attach_dispatch(a);
	if (a->state != ATTACH_RUNNING) {
		*cause = xasprintf("process %d ended", (int)a->pid);
		return attach_fail(why, ATTACH_FAIL_NOPROC);
	}
	if (attach_seize_all(a, why, cause) != 0) {
		if (*why == ATTACH_FAIL_NOPROC)
			a->state = ATTACH_GONE;
		attach_release(a, ATTACH_DETACH_NS);
		return -1;
	}
	attach_dispatch(a);
	return 0;
}

void
attach_detach(struct attach *a)
{
	if (a == NULL)
		return;
	attach_release(a, ATTACH_DETACH_NS);
	attach_free(a);
}

void
attach_forget(struct attach *a)
{
	a->n = 0;
	a->pending = 0;
	a->nnewborn = 0;
}

void
attach_free(struct attach *a)
{
	if (a == NULL)
		return;
	close(a->sigfd);
	free(a->t);
	free(a->pub);
	free(a);
}
