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

/*
 * How the tracer waits. SIGCHLD (blocked in every thread) is read through a
 * signalfd; after each wake-up one dispatcher reaps every pending status with
 * waitpid(-1, __WALL | WNOHANG) until none is left, because SIGCHLD
 * coalesces. Waiting on -1 rather than on chosen TIDs is deliberate: the
 * first stop of a thread born by clone() can arrive before its parent's
 * PTRACE_EVENT_CLONE names it, and only a wait on -1 sees it. cproftop has
 * no children but the spawned target, so nothing else is reaped by mistake;
 * attach_sample() still knows exactly which TIDs it is waiting for.
 */

/* PTRACE_O_TRACEFORK/VFORK only when following child processes. */
#define ATTACH_OPTIONS (PTRACE_O_TRACECLONE | PTRACE_O_TRACEEXEC)
#define ATTACH_OPTIONS_FOLLOW                                                  \
	(ATTACH_OPTIONS | PTRACE_O_TRACEFORK | PTRACE_O_TRACEVFORK)
#define ATTACH_PF_KTHREAD 0x00200000u
/* attach_dispatch() drains wait statuses at least this often. */
#define ATTACH_SCAN_NS 100000000LL
/* attach_detach() gives up on threads that have not stopped by then. */
#define ATTACH_DETACH_NS 2000000000LL
/* attach_spawn() gives up when the child has not exec'd by then. */
#define ATTACH_SPAWN_NS 10000000000LL
/* The kernel's "restart this call unless a handler runs" (not in libc). */
#define ATTACH_ERESTARTNOHAND 514

#define ATTACH_TRACEE_CMP(e, x) SORTED_NUM((e)->tid, (x))
SORTED_DEFINE(attach_tracees, struct attach_tracee, pid_t, ATTACH_TRACEE_CMP)

/* The index of tid in a->t, or where it would be inserted. */
static size_t
attach_index(const struct attach *a, pid_t tid)
{
	return attach_tracees_lower(a->t, a->n, tid);
}

/* The tracee tid, or NULL. Borrowed until the table changes. */
static struct attach_tracee *
attach_find(struct attach *a, pid_t tid)
{
	size_t i = attach_index(a, tid);

	return i < a->n && a->t[i].tid == tid ? &a->t[i] : NULL;
}

/* The seize options: with follow, child processes are traced too. */
static long
attach_options(const struct attach *a)
{
	return a->follow ? ATTACH_OPTIONS_FOLLOW : ATTACH_OPTIONS;
}

/* The process of thread tid from /proc (tid itself when unreadable). */
static pid_t
attach_tgid(pid_t tid)
{
	char path[64], *buf;
	long tgid = -1;

	snprintf(path, sizeof(path), "/proc/%d/status", (int)tid);
	buf = procfs_read(path, NULL);
	if (buf != NULL) {
		const char *p = strstr(buf, "\nTgid:");

		if (p != NULL)
			tgid = strtol(p + 6, NULL, 10);
		free(buf);
	}
	return tgid > 0 && tgid <= INT32_MAX ? (pid_t)tgid : tid;
}

/*
 * Adds tid of process pid (0: read from /proc; no-op when present).
 * Invalidates pointers into a->t.
 */
static void
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
static void
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

/* Resumes a stopped tracee, delivering sig (0: none). */
static void
attach_resume(pid_t tid, int sig)
{
	if (ptrace(PTRACE_CONT, tid, 0, (long)sig) != 0 && errno != ESRCH)
		log_debug("PTRACE_CONT %d: %s", (int)tid, strerror(errno));
}

static bool
attach_is_stop_signal(int sig)
{
	return sig == SIGSTOP || sig == SIGTSTP || sig == SIGTTIN ||
	       sig == SIGTTOU;
}

/*
 * A thread exited or was killed; the leader's end is the target's end.
 * Followed children still traced then stay listed, to be detached.
 */
static void
attach_on_exit(struct attach *a, pid_t tid, int status)
{
	size_t kept = 0;

	attach_remove(a, tid);
	if (tid != a->pid)
		return;
	/* The leader is reported last, once its whole group is gone. */
	if (WIFEXITED(status)) {
		a->state = ATTACH_EXITED;
		a->exit_status = WEXITSTATUS(status);
	} else {
		a->state = ATTACH_SIGNALED;
		a->exit_status = WTERMSIG(status);
	}
	for (size_t i = 0; i < a->n; i++)
		if (a->t[i].pid != a->pid) {
			a->t[i].want_sample = false;
			a->t[kept++] = a->t[i];
		}
	a->n = kept;
	a->pending = 0;
}

/* The new thread a PTRACE_EVENT_CLONE stop announces, or 0. */
static pid_t
attach_event_tid(pid_t tid)
{
	unsigned long msg = 0;

	if (ptrace(PTRACE_GETEVENTMSG, tid, 0, &msg) != 0)
		return 0;
	return (pid_t)msg;
}

/*
 * exec: every other thread is gone (each reports its exit, except the
 * execing one, whose old TID simply vanishes); the leader keeps the PID.
 */
static void
attach_on_exec(struct attach *a, pid_t tid)
{
	pid_t former = attach_event_tid(tid);
	struct attach_tracee *t;

	if (former > 0 && former != tid)
		attach_remove(a, former);
	t = attach_find(a, tid);
	if (t != NULL)
		t->group_stopped = false;
	a->exec_count++;
}

/*
 * At a stop our PTRACE_INTERRUPT caused. A thread interrupted inside a
 * system call that the kernel does not restart after a stop (epoll_wait,
 * sigtimedwait, semop, recv with SO_RCVTIMEO...: signal(7)) would return
 * EINTR. The sampler never interrupts a thread it saw blocked, but one seen
 * running can enter such a call in the microseconds before the interrupt
 * lands: its -EINTR becomes -ERESTARTNOHAND, which the kernel turns into a
 * restart of the call on resume (and into EINTR, as untraced, when a signal
 * handler runs first). regs (may be NULL: read here) are updated.
 */
static void
attach_unbreak(struct attach *a, pid_t tid, struct user_regs_struct *regs)
{
	struct user_regs_struct own;

	if (regs == NULL) {
		if (ptrace(PTRACE_GETREGS, tid, 0, &own) != 0)
			return;
		regs = &own;
	}
	if ((long long)regs->orig_rax < 0 || (long long)regs->rax != -EINTR)
		return;
	regs->rax = (unsigned long long)-ATTACH_ERESTARTNOHAND;
	if (ptrace(PTRACE_SETREGS, tid, 0, regs) == 0)
		a->restarted++;
	else
		log_debug("PTRACE_SETREGS %d: %s", (int)tid, strerror(errno));
}

/* A stopped thread the current batch wants: fn gets its registers. */
static void
attach_take(struct attach *a, struct attach_tracee *t)
{
	struct user_regs_struct regs;

	t->want_sample = false;
	a->pending--;
	if (ptrace(PTRACE_GETREGS, t->tid, 0, &regs) != 0)
		return;
	attach_unbreak(a, t->tid, &regs);
	a->fn(t->tid, &regs, a->arg);
	a->sampled++;
}

/* A PTRACE_EVENT_STOP: our interrupt, a new thread, or a group-stop. */
static void
attach_on_event_stop(struct attach *a, struct attach_tracee *t, int sig)
{
	if (attach_is_stop_signal(sig)) {
		/* Job control: stay stopped, but let SIGCONT through. */
		t->group_stopped = true;
		if (t->want_sample) {
			t->want_sample = false;
			a->pending--;
		}
		if (ptrace(PTRACE_LISTEN, t->tid, 0, 0) != 0 && errno != ESRCH)
			log_debug("PTRACE_LISTEN %d: %s", (int)t->tid,
				  strerror(errno));
		return;
	}
	t->group_stopped = false;
	if (t->want_sample)
		attach_take(a, t);
	else
		attach_unbreak(a, t->tid, NULL);
	attach_resume(t->tid, 0);
}

/* While detaching: every thread that stops is let go at once. */
static void
attach_detach_stop(struct attach *a, pid_t tid, int event, int sig)
{
	if (event == PTRACE_EVENT_CLONE || event == PTRACE_EVENT_FORK ||
	    event == PTRACE_EVENT_VFORK) {
		/* Its child is traced too: catch it unless already let go. */
		pid_t child = attach_event_tid(tid);
		struct attach_tracee *t = attach_find(a, tid);

		if (child > 0 && ptrace(PTRACE_INTERRUPT, child, 0, 0) == 0)
			attach_add(a,
				   event != PTRACE_EVENT_CLONE ? child
				   : t != NULL		       ? t->pid
							       : 0,
				   child);
	}
	if (event == PTRACE_EVENT_EXEC) {
		pid_t former = attach_event_tid(tid);

		if (former > 0 && former != tid)
			attach_remove(a, former);
	}
	if (event == PTRACE_EVENT_STOP && !attach_is_stop_signal(sig))
		attach_unbreak(a, tid, NULL);
	if (ptrace(PTRACE_DETACH, tid, 0, (long)(event == 0 ? sig : 0)) != 0 &&
	    errno != ESRCH)
		log_debug("PTRACE_DETACH %d: %s", (int)tid, strerror(errno));
	attach_remove(a, tid);
}

/*
 * The kernel clears a pending PTRACE_INTERRUPT at any ptrace stop: a thread
 * the sampler is waiting for that stops for another reason (a signal, a
 * clone, an exec) is sampled at this stop instead, or it would never be.
 */
static void
attach_take_wanted(struct attach *a, pid_t tid)
{
	struct attach_tracee *t = attach_find(a, tid);

	if (t != NULL && t->want_sample)
		attach_take(a, t);
}

/* Handles one wait status of tid. */
static void
attach_dispatch_one(struct attach *a, pid_t tid, int status)
{
	int sig, event;

	if (WIFEXITED(status) || WIFSIGNALED(status)) {
		attach_on_exit(a, tid, status);
		return;
	}
	if (!WIFSTOPPED(status))
		return;
	sig = WSTOPSIG(status);
	event = (int)((unsigned)status >> 16);
	if (a->detach) {
		attach_detach_stop(a, tid, event, sig);
		return;
	}
	/* A thread we have not met: a clone whose event is still to come. */
	attach_add(a, 0, tid);
	if (event != PTRACE_EVENT_STOP)
		attach_take_wanted(a, tid);
	switch (event) {
	case 0: /* signal-delivery-stop: pass the signal on */
		attach_find(a, tid)->group_stopped = false;
		attach_resume(tid, sig);
		break;
	case PTRACE_EVENT_STOP:
		attach_on_event_stop(a, attach_find(a, tid), sig);
		break;
	case PTRACE_EVENT_CLONE: {
		pid_t child = attach_event_tid(tid);

		if (child > 0)
			attach_add(a, attach_find(a, tid)->pid, child);
		attach_resume(tid, 0);
		break;
	}
	case PTRACE_EVENT_FORK:
	case PTRACE_EVENT_VFORK: {
		/* Following: a new process, seized by the kernel already. */
		pid_t child = attach_event_tid(tid);

		if (child > 0)
			attach_add(a, child, child);
		attach_resume(tid, 0);
		break;
	}
	case PTRACE_EVENT_EXEC:
		attach_on_exec(a, tid);
		if (a->hold && !a->held && tid == a->pid) {
			a->held = true; /* attach_let_go() resumes it */
			break;
		}
		attach_resume(tid, 0);
		break;
	default:
		attach_resume(tid, 0);
		break;
	}
}

/*
 * Drains the signalfd, then every pending wait status. Without a SIGCHLD
 * since the last drain there is no new status (each one raises SIGCHLD,
 * and the last drain ended with none left): the waitpid(-1) that would
 * only say so is skipped, as it walks the whole list of tracees in the
 * kernel -- with 1000 threads, that walk was the tracer's largest cost.
 * A drain every ATTACH_SCAN_NS still runs, should a status ever come
 * without its signal.
 */
static void
attach_dispatch(struct attach *a)
{
	struct signalfd_siginfo si;
	bool signalled = false;
	int64_t now;
	int status;
	pid_t tid;

	while (read(a->sigfd, &si, sizeof(si)) == (ssize_t)sizeof(si))
		signalled = true;
	now = clock_ns(CLOCK_MONOTONIC);
	if (!signalled && now - a->scanned_ns < ATTACH_SCAN_NS)
		return;
	a->scanned_ns = now;
	/* The threads this batch waits for first: a wait on one TID is
	   answered without the walk (the newest tracees come first in the
	   kernel's list, and the leader last). */
	for (size_t i = 0; a->pending > 0 && i < a->n; i++) {
		if (!a->t[i].want_sample)
			continue;
		tid = waitpid(a->t[i].tid, &status, __WALL | WNOHANG);
		if (tid > 0)
			attach_dispatch_one(a, tid, status);
	}
	for (;;) {
		tid = waitpid(-1, &status, __WALL | WNOHANG);
		if (tid > 0) {
			attach_dispatch_one(a, tid, status);
			continue;
		}
		if (tid < 0 && errno == EINTR)
			continue;
		if (tid < 0 && errno == ECHILD) {
			/* No tracee left, and its end was not seen. */
			if (a->state == ATTACH_RUNNING)
				a->state = ATTACH_GONE;
			a->n = 0;
			a->pending = 0;
		}
		return;
	}
}

/*
 * Sleeps until SIGCHLD, wake_fd (may be -1) or the absolute deadline.
 * Returns true when wake_fd is readable.
 */
static bool
attach_sleep(struct attach *a, int64_t deadline_ns, int wake_fd)
{
	struct pollfd pfd[2] = {{a->sigfd, POLLIN, 0}, {wake_fd, POLLIN, 0}};
	int64_t left = deadline_ns - clock_ns(CLOCK_MONOTONIC);
	struct timespec ts;

	if (left < 0)
		left = 0;
	ts.tv_sec = (time_t)(left / 1000000000LL);
	ts.tv_nsec = (long)(left % 1000000000LL);
	if (ppoll(pfd, wake_fd >= 0 ? 2 : 1, &ts, NULL) <= 0)
		return false;
	return wake_fd >= 0 && (pfd[1].revents & (POLLIN | POLLHUP | POLLERR));
}

int
attach_wait(struct attach *a, int64_t deadline_ns, int wake_fd)
{
	bool woke = false;

	for (;;) {
		attach_dispatch(a);
		if (a->state != ATTACH_RUNNING)
			return -1;
		if (woke)
			return 1;
		if (clock_ns(CLOCK_MONOTONIC) >= deadline_ns)
			return 0;
		woke = attach_sleep(a, deadline_ns, wake_fd);
	}
}

/* Interrupts tid for the current batch. */
static void
attach_want(struct attach *a, pid_t tid)
{
	struct attach_tracee *t = attach_find(a, tid);

	if (t == NULL || t->group_stopped || t->want_sample)
		return;
	if (ptrace(PTRACE_INTERRUPT, tid, 0, 0) != 0) {
		/* Gone, or a zombie leader waiting for its threads. */
		if (errno == ESRCH)
			attach_remove(a, tid);
		return;
	}
	t->want_sample = true;
	t->batch = a->batch;
	a->pending++;
}

/* Threads this batch interrupted that have not stopped yet. */
static size_t
attach_batch_left(const struct attach *a)
{
	size_t left = 0;

	for (size_t i = 0; i < a->n; i++)
		left += a->t[i].want_sample && a->t[i].batch == a->batch;
	return left;
}

int
attach_sample(struct attach *a, const pid_t *tids, size_t n,
	      attach_sample_fn fn, void *arg, int64_t timeout_ns)
{
	int64_t deadline = clock_ns(CLOCK_MONOTONIC) + timeout_ns;

	if (a->state != ATTACH_RUNNING)
		return -1;
	a->fn = fn;
	a->arg = arg;
	a->sampled = 0;
	a->batch++;
	for (size_t i = 0; i < n; i++)
		attach_want(a, tids[i]);
	while (a->state == ATTACH_RUNNING) {
		attach_dispatch(a);
		if (attach_batch_left(a) == 0 ||
		    clock_ns(CLOCK_MONOTONIC) >= deadline)
			break;
		attach_sleep(a, deadline, -1);
	}
	/*
	 * Stragglers stay interrupted: a thread that waits for a CPU keeps its
	 * stack meanwhile, and fn gets it whenever it stops.
	 */
	return a->state == ATTACH_RUNNING ? a->sampled : -1;
}

/* A tracer with its signalfd and no thread yet. */
static struct attach *
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

/* The value of "Key:" in a /proc status text, or -1. */
static long
attach_status_field(const char *buf, const char *key)
{
	size_t kl = strlen(key);
	const char *p = buf;

	while (p != NULL && strncmp(p, key, kl) != 0) {
		p = strchr(p, '\n');
		if (p != NULL)
			p++;
	}
	return p != NULL ? strtol(p + kl, NULL, 10) : -1;
}

/* Reads /proc/PID/FILE (caller frees), or NULL with errno. */
static char *
attach_proc_file(pid_t pid, const char *file)
{
	char path[64];

	snprintf(path, sizeof(path), "/proc/%d/%s", (int)pid, file);
	return procfs_read(path, NULL);
}

/* A process's comm for messages, "?" when unknown. */
static void
attach_comm(pid_t pid, char name[16])
{
	if (procfs_read_comm(pid, pid, name) != 0)
		snprintf(name, 16, "?");
}

/* The message for EPERM: what would make attaching possible. */
static char *
attach_perm_message(pid_t pid)
{
	char comm[16],
		*scope =
			procfs_read("/proc/sys/kernel/yama/ptrace_scope", NULL);
	char *msg;

	attach_comm(pid, comm);
	if (scope != NULL)
		scope[strcspn(scope, "\n")] = '\0';
	msg = xasprintf("not permitted to trace process %d (%s): run as root, "
			"or give cproftop CAP_SYS_PTRACE (setcap "
			"cap_sys_ptrace+ep cproftop)%s%s%s",
			(int)pid, comm,
			scope ? ", or lower kernel.yama.ptrace_scope (now "
			      : "",
			scope ? scope : "", scope ? "; see README)" : "");
	free(scope);
	return msg;
}

/* Sets *why and returns -1: the one way attach/ reports a failure. */
static int
attach_fail(enum attach_failure *why, enum attach_failure failure)
{
	*why = failure;
	return -1;
}

/*
 * The message when thread tid of process pid is traced by someone else, or
 * NULL when it is not (or is gone). tid == pid for the process as a whole.
 */
static char *
attach_traced_message(pid_t pid, pid_t tid)
{
	char path[64], comm[16], tcomm[16], *status;
	pid_t tracer;

	snprintf(path, sizeof(path), "/proc/%d/task/%d/status", (int)pid,
		 (int)tid);
	status = procfs_read(path, NULL);
	if (status == NULL)
		return NULL;
	tracer = procfs_parse_tracerpid(status);
	free(status);
	if (tracer <= 0 || tracer == gettid())
		return NULL;
	attach_comm(pid, comm);
	attach_comm(tracer, tcomm);
	if (tid == pid)
		return xasprintf("process %d (%s) is already traced by process "
				 "%d (%s)",
				 (int)pid, comm, (int)tracer, tcomm);
	return xasprintf("thread %d of process %d (%s) is already traced by "
			 "process %d (%s)",
			 (int)tid, (int)pid, comm, (int)tracer, tcomm);
}

/* True when tid of pid is a zombie (a leader that called pthread_exit). */
static bool
attach_is_zombie(pid_t pid, pid_t tid)
{
	struct procfs_stat st;
	int fd = procfs_open_stat(pid, tid);
	bool zombie = fd >= 0 && procfs_stat_fd(fd, &st) == 0 &&
		      (st.state == 'Z' || st.state == 'X');

	if (fd >= 0)
		close(fd);
	return zombie;
}

/*
 * True when some thread of pid is alive: a leader that called
 * pthread_exit() is a zombie while its other threads run on.
 */
static bool
attach_has_live(pid_t pid)
{
	pid_t *tids;
	ssize_t n = procfs_read_tasks(pid, &tids);
	bool live = false;

	for (ssize_t i = 0; i < n && !live; i++)
		live = !attach_is_zombie(pid, tids[i]);
	if (n > 0)
		free(tids);
	return live;
}

/*
 * Checks that *pid may be attached: exists, not us, not a zombie, not a
 * kernel thread, not traced. A TID becomes its process's PID. Returns 0, or
 * -1 with *why and *cause.
 */
static int
attach_check(pid_t *pid, enum attach_failure *why, char **cause)
{
	struct procfs_stat st;
	char *buf;
	long tgid;

	if (*pid <= 0 || (buf = attach_proc_file(*pid, "status")) == NULL) {
		*cause = xasprintf("no such process: %d", (int)*pid);
		return attach_fail(why, ATTACH_FAIL_NOPROC);
	}
	tgid = attach_status_field(buf, "Tgid:");
	free(buf);
	if (tgid > 0)
		*pid = (pid_t)tgid;
	if (*pid == getpid()) {
		*cause = xasprintf("cannot profile cproftop itself (PID %d)",
				   (int)*pid);
		return attach_fail(why, ATTACH_FAIL_BADTARGET);
	}
	buf = attach_proc_file(*pid, "stat");
	if (buf == NULL || procfs_parse_stat(buf, &st) != 0) {
		free(buf);
		*cause = xasprintf("no such process: %d", (int)*pid);
		return attach_fail(why, ATTACH_FAIL_NOPROC);
	}
	free(buf);
	if ((st.state == 'Z' || st.state == 'X') && !attach_has_live(*pid)) {
		*cause = xasprintf("process %d (%s) is a zombie", (int)*pid,
				   st.comm);
		return attach_fail(why, ATTACH_FAIL_BADTARGET);
	}
	if (st.flags & ATTACH_PF_KTHREAD) {
		*cause = xasprintf("process %d (%s) is a kernel thread",
				   (int)*pid, st.comm);
		return attach_fail(why, ATTACH_FAIL_BADTARGET);
	}
	*cause = attach_traced_message(*pid, *pid);
	return *cause ? attach_fail(why, ATTACH_FAIL_TRACED) : 0;
}

/*
 * True when tid is already traced by this thread, the tracer (a clone we
 * seized): TracerPid names the tracing thread, not its process.
 */
static bool
attach_ours(pid_t tid)
{
	char *status = attach_proc_file(tid, "status");
	bool ours = status && procfs_parse_tracerpid(status) == gettid();

	free(status);
	return ours;
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

/* The spawned child: stdio, a clean signal mask, stop, then exec. */
static void __attribute__((noreturn))
attach_child(char *const argv[], int in, int out, int errfd)
{
	sigset_t none;
	int err;

	if (dup2(in, STDIN_FILENO) < 0 || dup2(out, STDOUT_FILENO) < 0 ||
	    dup2(out, STDERR_FILENO) < 0)
		_exit(127);
	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);
	/* The parent seizes us while we are stopped here. */
	raise(SIGSTOP);
	execvp(argv[0], argv);
	err = errno;
	if (write(errfd, &err, sizeof(err)) < 0)
		_exit(127);
	_exit(127);
}

/* Dispatches until the spawned child has exec'd or ended. */
static void
attach_spawn_settle(struct attach *a)
{
	int64_t deadline = clock_ns(CLOCK_MONOTONIC) + ATTACH_SPAWN_NS;

	for (;;) {
		attach_dispatch(a);
		if (a->exec_count > 0 || a->state != ATTACH_RUNNING ||
		    clock_ns(CLOCK_MONOTONIC) >= deadline)
			return;
		attach_sleep(a, deadline, -1);
	}
}

/*
 * Seizes the child stopped before its exec and lets it run to the exec.
 * Returns 0, or -1 with *why and *cause (the child is then killed and
 * reaped, or has exited).
 */
static int
attach_spawn_seize(struct attach *a, char *const argv[], int errfd,
		   enum attach_failure *why, char **cause)
{
	int status, err = 0;

	if (waitpid(a->pid, &status, WUNTRACED) != a->pid ||
	    !WIFSTOPPED(status)) {
		*cause = xasprintf("cannot start %s", argv[0]);
		return attach_fail(why, ATTACH_FAIL_OTHER);
	}
	if (ptrace(PTRACE_SEIZE, a->pid, 0, attach_options(a)) != 0) {
		err = errno;
		*cause = err == EPERM ? attach_perm_message(a->pid)
				      : xasprintf("cannot trace %s: %s",
						  argv[0], strerror(err));
		kill(a->pid, SIGKILL);
		waitpid(a->pid, &status, 0);
		return attach_fail(why, err == EPERM ? ATTACH_FAIL_PERM
						     : ATTACH_FAIL_OTHER);
	}
	attach_add(a, a->pid, a->pid);
	kill(a->pid, SIGCONT);
	attach_spawn_settle(a);
	if (read(errfd, &err, sizeof(err)) == (ssize_t)sizeof(err)) {
		attach_wait(a, clock_ns(CLOCK_MONOTONIC) + ATTACH_SPAWN_NS, -1);
		*cause = err == ENOENT
				 ? xasprintf("command not found: %s", argv[0])
				 : xasprintf("cannot execute %s: %s", argv[0],
					     strerror(err));
		return attach_fail(why, err == ENOENT ? ATTACH_FAIL_NOTFOUND
						      : ATTACH_FAIL_OTHER);
	}
	if (a->exec_count == 0) {
		*cause = xasprintf("%s did not start", argv[0]);
		if (a->state == ATTACH_RUNNING) {
			kill(a->pid, SIGKILL);
			attach_wait(a,
				    clock_ns(CLOCK_MONOTONIC) + ATTACH_SPAWN_NS,
				    -1);
		}
		return attach_fail(why, ATTACH_FAIL_OTHER);
	}
	a->exec_count = 0;
	return 0;
}

/*
 * Opens the spawned child's stdin and stdout into fds[0..1]. Returns 0, or
 * -1 with *cause.
 */
static int
attach_spawn_stdio(const char *output_path, int fds[2], char **cause)
{
	int err = 0;

	fds[0] = open("/dev/null", O_RDONLY | O_CLOEXEC);
	if (fds[0] < 0)
		err = errno;
	fds[1] = open(output_path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC,
		      0644);
	if (fds[1] < 0 && err == 0)
		err = errno;
	if (fds[0] >= 0 && fds[1] >= 0)
		return 0;
	*cause = xasprintf("cannot open %s: %s",
			   fds[0] < 0 ? "/dev/null" : output_path,
			   strerror(err));
	if (fds[0] >= 0)
		close(fds[0]);
	if (fds[1] >= 0)
		close(fds[1]);
	return -1;
}

int
attach_spawn(char *const argv[], const char *output_path, unsigned flags,
	     struct attach **out, enum attach_failure *why, char **cause)
{
	struct attach *a;
	int stdio[2], errpipe[2], rc = 0;

	*out = NULL;
	*cause = NULL;
	if (attach_spawn_stdio(output_path ? output_path : "/dev/null", stdio,
			       cause) != 0)
		return attach_fail(why, ATTACH_FAIL_OTHER);
	if (pipe2(errpipe, O_CLOEXEC) != 0)
		fatal("pipe2");
	a = attach_new();
	a->spawned = true;
	a->follow = (flags & ATTACH_FOLLOW) != 0;
	a->hold = (flags & ATTACH_HOLD) != 0;
	a->pid = a->mem_pid = fork();
	if (a->pid < 0) {
		*cause = xasprintf("cannot start %s: fork: %s", argv[0],
				   strerror(errno));
		rc = attach_fail(why, ATTACH_FAIL_OTHER);
	} else if (a->pid == 0) {
		attach_child(argv, stdio[0], stdio[1], errpipe[1]);
	}
	close(stdio[0]);
	close(stdio[1]);
	close(errpipe[1]);
	if (rc == 0)
		rc = attach_spawn_seize(a, argv, errpipe[0], why, cause);
	close(errpipe[0]);
	if (rc != 0) {
		attach_detach(a);
		return -1;
	}
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
