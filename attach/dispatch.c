/*
 * The one stop dispatcher: every wait status of every tracee goes through
 * attach_dispatch() (see "How the tracer waits" in attach-int.h): exits,
 * exec, clone and group-stop events, signals re-injected, interrupted
 * system calls unbroken; attach_wait() sleeps on it and attach_sample()
 * interrupts a batch of threads and hands each over as it stops.
 */
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

/*
 * A PTRACE_EVENT_STOP: our interrupt, a new thread, or a group-stop. born:
 * the first stop of a thread announced by a clone or fork event, which has
 * entered no system call to unbreak (its registers are not read).
 */
static void
attach_on_event_stop(struct attach *a, struct attach_tracee *t, int sig,
		     bool born)
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
	else if (!born)
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

static pid_t attach_reap(struct attach *a, pid_t tid, int *status);
static void attach_dispatch_one(struct attach *a, pid_t tid, int status);
static bool attach_dispatch_known(struct attach *a, pid_t tid, int status);

/*
 * The first stop of a new thread or process (child, 0: none), which may
 * have come already with its parent's event's SIGCHLD (they coalesce): a
 * wait on its TID, not a walk of every tracee (up to two walks a thread
 * born: 2000 in a burst of 1000 threads, each over all of them).
 */
static void
attach_reap_child(struct attach *a, pid_t child)
{
	int status;

	if (child <= 0)
		return;
	if (attach_reap(a, child, &status) == child)
		attach_dispatch_one(a, child, status);
	else if (a->nnewborn < ATTACH_NEWBORN)
		a->newborn[a->nnewborn++] = child;
	else
		a->newborn_lost = true;
}

/* tid's status came: it is not waited for as a new thread any more. */
static void
attach_newborn_seen(struct attach *a, pid_t tid)
{
	for (size_t i = 0; i < a->nnewborn; i++)
		if (a->newborn[i] == tid) {
			a->newborn[i] = a->newborn[--a->nnewborn];
			return;
		}
}

/*
 * The first stops of the threads announced and not stopped yet: each
 * raises a SIGCHLD, but one that came while another's was pending hides
 * behind it (a SIGCHLD does not queue twice), and the walk that found it
 * cost a pass over every tracee (with 1000 threads born, ~180 of their
 * first stops and ~600 walks more while walks found statuses). Waits on a
 * copy of the list: a status dispatched takes its thread off it (by a swap
 * with the last), and a clone event adds one, waited for already. Returns
 * true when any status dispatched implied another tracee's.
 */
static bool
attach_reap_newborn(struct attach *a)
{
	pid_t due[ATTACH_NEWBORN];
	size_t n = a->nnewborn;
	bool other = false;
	int status;

	memcpy(due, a->newborn, n * sizeof(due[0]));
	for (size_t i = 0; i < n; i++) {
		pid_t tid = attach_reap(a, due[i], &status);

		if (tid > 0)
			other |= !attach_dispatch_known(a, tid, status);
		else if (tid < 0)
			attach_newborn_seen(a, due[i]); /* not ours: gone */
	}
	return other;
}

/*
 * True when a stop of tid was waited for by its TID at the next signal
 * anyway (a new thread's first, the last cloner's, an interrupt's): a walk
 * that meets it, only sooner, is no sign of statuses that signals hide.
 */
static bool
attach_expected(struct attach *a, pid_t tid, int status)
{
	const struct attach_tracee *t = attach_find(a, tid);

	if (!WIFSTOPPED(status))
		return false;
	if (tid == a->last_cloner || (t != NULL && t->want_sample))
		return true;
	for (size_t i = 0; i < a->nnewborn; i++)
		if (a->newborn[i] == tid)
			return true;
	return false;
}

/*
 * Lists child, announced by a clone or fork event of a tracee of process
 * pid: its first stop is due, unless it came first and was dispatched.
 */
static void
attach_announce(struct attach *a, pid_t pid, pid_t child)
{
	struct attach_tracee *t;

	attach_add(a, pid, child);
	t = attach_find(a, child);
	t->born = !t->met;
	t->met = true;
}

/* Handles one wait status of tid. */
static void
attach_dispatch_one(struct attach *a, pid_t tid, int status)
{
	struct attach_tracee *t;
	int sig, event;
	bool born;

	attach_newborn_seen(a, tid);

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
	t = attach_find(a, tid);
	t->met = true;
	born = t->born;
	t->born = false;
	if (event != PTRACE_EVENT_STOP)
		attach_take_wanted(a, tid);
	switch (event) {
	case 0: /* signal-delivery-stop: pass the signal on */
		attach_find(a, tid)->group_stopped = false;
		attach_resume(tid, sig);
		break;
	case PTRACE_EVENT_STOP:
		attach_on_event_stop(a, attach_find(a, tid), sig, born);
		break;
	case PTRACE_EVENT_CLONE: {
		pid_t child = attach_event_tid(tid);

		if (child > 0)
			attach_announce(a, attach_find(a, tid)->pid, child);
		a->last_cloner = tid;
		a->last_child = child;
		a->cloned_ns = clock_ns(CLOCK_MONOTONIC);
		attach_resume(tid, 0);
		attach_reap_child(a, child);
		break;
	}
	case PTRACE_EVENT_FORK:
	case PTRACE_EVENT_VFORK: {
		/* Following: a new process, seized by the kernel already. */
		pid_t child = attach_event_tid(tid);

		if (child > 0)
			attach_announce(a, child, child);
		attach_resume(tid, 0);
		attach_reap_child(a, child);
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
 * The next wait status of tid (-1: of any tracee), without blocking.
 * A thread that exited is shown to the exit function first, while it is a
 * zombie that only this wait would reap: its time since the sampler last
 * looked (maybe long ago, when the sampler was busy) is still readable.
 * A tracee is waited for by its TID once a drain: a second wait could only
 * find a status that came after the first, so after the signalfd was read,
 * and that status raised a SIGCHLD of its own, which the next drain reads
 * (0 without a system call: 9.0 -> 4.7 waitid calls a thread born in a
 * burst of 1000). Returns the TID, 0 when none is pending, or -1 with
 * errno.
 */
static pid_t
attach_reap(struct attach *a, pid_t tid, int *status)
{
	struct attach_tracee *t = tid > 0 ? attach_find(a, tid) : NULL;
	siginfo_t si;

	if (t != NULL) {
		if (t->waited == a->drains)
			return 0;
		t->waited = a->drains;
	}
	memset(&si, 0, sizeof(si));
	if (waitid(tid < 0 ? P_ALL : P_PID, tid < 0 ? 0 : (id_t)tid, &si,
		   WEXITED | WNOHANG | WNOWAIT | __WALL) != 0)
		return -1;
	if (si.si_pid <= 0)
		return 0;
	if (a->on_exit != NULL &&
	    (si.si_code == CLD_EXITED || si.si_code == CLD_KILLED ||
	     si.si_code == CLD_DUMPED))
		a->on_exit(si.si_pid, a->exit_arg);
	return waitpid(si.si_pid, status, __WALL | WNOHANG);
}

/*
 * Dispatches a status reaped by a wait on its TID. Returns true when no
 * other tracee's status is implied by it: an interrupt's stop, a clone or
 * fork event (its child's first stop is waited for by its TID), the first
 * stop of a thread whose parent's clone event, still due, was the last
 * thread to clone's next status (a burst of threads from one thread).
 * False for anything else (exec, a signal, an exit, the first stop of a
 * thread of another parent), after which every tracee's status is looked
 * at.
 */
static bool
attach_dispatch_known(struct attach *a, pid_t tid, int status)
{
	const struct attach_tracee *t = attach_find(a, tid);
	bool stop = WIFSTOPPED(status) && WSTOPSIG(status) == SIGTRAP;
	int event = stop ? status >> 16 : -1;
	bool first = event == PTRACE_EVENT_STOP && (t == NULL || !t->met);
	int parent_status;

	attach_dispatch_one(a, tid, status);
	if (event == PTRACE_EVENT_CLONE || event == PTRACE_EVENT_FORK ||
	    event == PTRACE_EVENT_VFORK)
		return true;
	if (!first)
		return event == PTRACE_EVENT_STOP;
	/* Its parent's clone event, coming or hidden behind its signal. */
	a->last_child = 0;
	if (a->last_cloner > 0 &&
	    attach_reap(a, a->last_cloner, &parent_status) == a->last_cloner)
		attach_dispatch_one(a, a->last_cloner, parent_status);
	return a->last_child == tid;
}

/*
 * Drains the signalfd, then every pending wait status. Without a SIGCHLD
 * since the last drain there is no new status (each one raises SIGCHLD,
 * and the last drain ended with none left): the waitpid(-1) that would
 * only say so is skipped, as it walks the whole list of tracees in the
 * kernel -- with 1000 threads, that walk was the tracer's largest cost.
 * So is it when the SIGCHLD came from a known tracee (its siginfo names
 * the first sender) and a wait on that TID, and on the threads this batch
 * interrupted, reaps their interrupts' stops: at 1000 Hz that was a walk a
 * tick. Another tracee's status could hide behind that signal only if it
 * came while the signal was pending (a SIGCHLD does not queue twice): the
 * walk every ATTACH_WALK_NS (ATTACH_WALK_TASK_NS a tracee when longer:
 * 20 ms with 1000) finds it; while walks find statuses (threads
 * born in a burst) every signal walks. A signal from a TID not traced yet
 * is answered by a wait on that TID too (a new thread's first stop), and
 * a clone or fork event by a wait on the child's (its first stop may have
 * come with the event's signal); a new thread's first stop before its
 * parent's clone event, by a wait on the last thread that cloned, which
 * must show the event that names it (attach_dispatch_known()). Anything
 * else (an exec event, a signal, an exit, another parent) walks at once;
 * so does every signal while detaching (each thread's stop is waited
 * for). At each signal the last thread to clone and the new threads
 * whose first stop is still due (attach_reap_newborn()) are waited for by
 * their TIDs too, and a walk that meets only such stops does not make the
 * next signals walk. No TID is waited for twice in one drain (attach_reap():
 * what a second wait could find came after the read, with its own signal).
 * A drain every
 * ATTACH_SCAN_NS runs without any signal, should a status ever come
 * without one. quiet: a ppoll() just found the signalfd empty, it is not
 * read (the drain every ATTACH_SCAN_NS still runs).
 */
static void
attach_dispatch_read(struct attach *a, bool quiet)
{
	/* One SIGCHLD pends at most per queue (the process's, the thread's):
	   a read short of the buffer drained it. */
	struct signalfd_siginfo si[4];
	bool signalled = false, other = false;
	pid_t senders[4];
	size_t nsenders = 0;
	int64_t now, walk_ns;
	int status;
	pid_t tid;
	ssize_t got = (ssize_t)sizeof(si);

	while (!quiet && got == (ssize_t)sizeof(si)) {
		got = read(a->sigfd, si, sizeof(si));
		for (ssize_t i = 0; i < got / (ssize_t)sizeof(si[0]); i++) {
			signalled = true;
			/* a TID not traced yet: a new thread's first stop,
			   waited for by its TID too */
			if (nsenders < sizeof(senders) / sizeof(senders[0]) &&
			    si[i].ssi_pid > 0)
				senders[nsenders++] = (pid_t)si[i].ssi_pid;
			else
				other = true;
		}
	}
	now = clock_ns(CLOCK_MONOTONIC);
	if (!signalled && now - a->scanned_ns < ATTACH_SCAN_NS)
		return;
	a->drains++; /* attach_reap(): a TID is waited for once from here */
	walk_ns = (int64_t)a->n * ATTACH_WALK_TASK_NS;
	if (walk_ns < ATTACH_WALK_NS)
		walk_ns = ATTACH_WALK_NS;
	/* The threads this batch waits for first: a wait on one TID is
	   answered without the walk (the newest tracees come first in the
	   kernel's list, and the leader last). */
	for (size_t i = 0; a->pending > 0 && i < a->n; i++) {
		if (!a->t[i].want_sample)
			continue;
		tid = attach_reap(a, a->t[i].tid, &status);
		if (tid > 0) {
			/* its signal's status: not waited for again below */
			for (size_t j = 0; j < nsenders; j++)
				if (senders[j] == tid)
					senders[j] = 0;
			other |= !attach_dispatch_known(a, tid, status);
		}
	}
	/* then the senders' (an interrupted thread's was reaped above, or
	   earlier by a wait on it: then there is none; a status it has since
	   -- it was resumed -- comes with a signal of its own) */
	for (size_t i = 0; i < nsenders; i++) {
		if (senders[i] == 0)
			continue;
		tid = attach_reap(a, senders[i], &status);
		if (tid > 0)
			other |= !attach_dispatch_known(a, tid, status);
		else if (tid < 0 && errno != ECHILD)
			other = true;
	}
	/* A burst of threads from one thread: its next clone event may have
	   come while the signal of its last child's first stop pended, and
	   hides behind it: a wait on its TID, not a walk (with 1000 threads
	   born, ~1400 walks in their first 0.4 s). Only within a walk's
	   interval of its last clone: not a wait more at every signal once
	   the burst is over (a walk then finds what comes). None when its
	   event was reaped above: its next comes with a signal of its own. */
	if (signalled && !a->detach && a->last_cloner > 0 &&
	    now - a->cloned_ns < ATTACH_WALK_NS) {
		tid = attach_reap(a, a->last_cloner, &status);
		if (tid > 0)
			other |= !attach_dispatch_known(a, tid, status);
	}
	if (signalled && !a->detach)
		other |= attach_reap_newborn(a);
	if (a->newborn_lost) {
		a->newborn_lost = false;
		other = true;
	}
	if (!other && signalled && !a->detach &&
	    now - a->scanned_ns < walk_ns &&
	    now - a->found_ns >= ATTACH_WALK_NS)
		return;
	a->scanned_ns = now;
	a->walks++;
	for (;;) {
		tid = attach_reap(a, -1, &status);
		if (tid > 0) {
			if (!attach_expected(a, tid, status))
				a->found_ns = now;
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

void
attach_dispatch(struct attach *a)
{
	attach_dispatch_read(a, false);
}

/*
 * ppoll() on the signalfd and wake_fd (may be -1) until the absolute
 * deadline; *sig (may be NULL) tells whether the signalfd is readable.
 * Returns true when wake_fd is readable.
 */
static bool
attach_poll(struct attach *a, int64_t deadline_ns, int wake_fd, bool *sig)
{
	struct pollfd pfd[2] = {{a->sigfd, POLLIN, 0}, {wake_fd, POLLIN, 0}};
	int64_t left = deadline_ns - clock_ns(CLOCK_MONOTONIC);
	struct timespec ts;
	int rc;

	if (left < 0)
		left = 0;
	ts.tv_sec = (time_t)(left / 1000000000LL);
	ts.tv_nsec = (long)(left % 1000000000LL);
	rc = ppoll(pfd, wake_fd >= 0 ? 2 : 1, &ts, NULL);
	if (sig != NULL) /* an error (EINTR): read it to be sure */
		*sig = rc != 0 && (rc < 0 || (pfd[0].revents & POLLIN));
	if (rc <= 0)
		return false;
	return wake_fd >= 0 && (pfd[1].revents & (POLLIN | POLLHUP | POLLERR));
}

/*
 * Sleeps until SIGCHLD, wake_fd (may be -1) or the absolute deadline.
 * Returns true when wake_fd is readable.
 */
bool
attach_sleep(struct attach *a, int64_t deadline_ns, int wake_fd)
{
	return attach_poll(a, deadline_ns, wake_fd, NULL);
}

/*
 * Sleeps, then dispatches: the signalfd is read only when the ppoll()
 * found it readable (a tick's two sleeps made five reads, four of them
 * EAGAIN). Every status is still dispatched as soon as its signal comes:
 * a signal pending before the sleep ends it at once. Returns what
 * attach_poll() does.
 */
static bool
attach_sleep_dispatch(struct attach *a, int64_t deadline_ns, int wake_fd)
{
	bool sig = false, woke = attach_poll(a, deadline_ns, wake_fd, &sig);

	attach_dispatch_read(a, !sig);
	return woke;
}

int
attach_wait(struct attach *a, int64_t deadline_ns, int wake_fd)
{
	for (;;) {
		bool woke = attach_sleep_dispatch(a, deadline_ns, wake_fd);

		if (a->state != ATTACH_RUNNING)
			return -1;
		if (woke)
			return 1;
		if (clock_ns(CLOCK_MONOTONIC) >= deadline_ns)
			return 0;
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
	while (a->state == ATTACH_RUNNING && attach_batch_left(a) > 0) {
		attach_sleep_dispatch(a, deadline, -1);
		if (clock_ns(CLOCK_MONOTONIC) >= deadline)
			break;
	}
	/*
	 * Stragglers stay interrupted: a thread that waits for a CPU keeps its
	 * stack meanwhile, and fn gets it whenever it stops.
	 */
	return a->state == ATTACH_RUNNING ? a->sampled : -1;
}
