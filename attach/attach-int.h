#ifndef CPT_ATTACH_ATTACH_INT_H
#define CPT_ATTACH_ATTACH_INT_H

/*
 * The tracer's state, shared by the files of attach/ only (attach.c owns
 * it; dispatch.c, check.c and spawn.c work on it; memread.c reads pid).
 * Everything but pid is touched by the tracer thread alone.
 */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "attach/attach.h"

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
/* attach_dispatch() drains wait statuses at least this often, */
#define ATTACH_SCAN_NS 100000000LL
/* and this often while signals come from the threads it interrupted, or
   every ATTACH_WALK_TASK_NS a tracee when longer (a walk's cost grows
   with their number: 0.3 ms with 1001). */
#define ATTACH_WALK_NS 10000000LL
#define ATTACH_WALK_TASK_NS 20000LL
/* attach_detach() gives up on threads that have not stopped by then. */
#define ATTACH_DETACH_NS 2000000000LL
/* attach_spawn() gives up when the child has not exec'd by then. */
#define ATTACH_SPAWN_NS 10000000000LL
/* New threads whose first stop is waited for by TID, at most (a burst of
   threads born from one thread has one or two at a time). */
#define ATTACH_NEWBORN 16
/* The kernel's "restart this call unless a handler runs" (not in libc). */
#define ATTACH_ERESTARTNOHAND 514

/* Per-thread bookkeeping, kept sorted by tid. */
struct attach_tracee {
	pid_t tid;
	pid_t pid;	    /* its process: the target or a followed child */
	bool group_stopped; /* in a job-control stop, PTRACE_LISTENed */
	bool want_sample;   /* interrupted, fn not called yet */
	unsigned batch;	    /* the attach_sample() call that interrupted it */
	bool detaching;	    /* attach_detach() waits for its stop */
	bool met;  /* a stop of it, or its parent's clone or fork event, was
		      dispatched: its next stop implies no other tracee's */
	bool born; /* announced by its parent's clone or fork event, no stop
		      dispatched yet: it has run no instruction of its own */
	uint64_t waited; /* the drain that last waited for it by TID */
};

struct attach {
	pid_t pid;     /* thread-group leader; read by any thread */
	pid_t mem_pid; /* a live thread for /proc and memory (the leader,
			  unless it called pthread_exit); any thread reads */
	bool spawned;
	bool follow; /* child processes are traced too (PTRACE_O_TRACEFORK) */
	bool hold;   /* spawn: keep the target in its exec stop */
	bool held;   /* it is there now */
	enum attach_state state;
	int exit_status;
	unsigned exec_count;
	int sigfd;	    /* signalfd for SIGCHLD */
	int64_t scanned_ns; /* the last waitid(P_ALL) drain (CLOCK_MONOTONIC) */
	int64_t found_ns;   /* the last one that found a status */

	struct attach_tracee *t; /* sorted by tid */
	size_t n, cap;
	struct attach_thread *pub; /* what attach_threads() hands out */
	size_t pub_cap;

	/* The batch attach_sample() is collecting. */
	attach_sample_fn fn;
	void *arg;
	size_t pending;		/* threads wanted and not yet stopped */
	unsigned batch;		/* attach_sample() calls so far */
	int sampled;		/* fn calls in this batch */
	bool detach;		/* attach_detach() in progress */
	attach_exit_fn on_exit; /* attach_set_exit_fn() */
	void *exit_arg;
	uint64_t restarted; /* calls attach_unbreak() saved from EINTR */
	uint64_t walks;	    /* waitid(P_ALL) drains */
	uint64_t drains;    /* attach_dispatch_read() passes that wait */
	pid_t last_cloner;  /* the thread of the last clone event */
	pid_t last_child;   /* the thread that event announced */
	int64_t cloned_ns;  /* when that event came (CLOCK_MONOTONIC) */
	/* Threads a clone or fork event announced whose first stop was not
	   dispatched yet: waited for by their TIDs at each signal. */
	pid_t newborn[ATTACH_NEWBORN];
	size_t nnewborn;
	bool newborn_lost; /* one did not fit: the next signal walks */
};

/* dispatch.c */
void attach_dispatch(struct attach *a);
bool attach_sleep(struct attach *a, int64_t deadline_ns, int wake_fd);

/* check.c */
char *attach_perm_message(pid_t pid);
int attach_fail(enum attach_failure *why, enum attach_failure failure);
char *attach_traced_message(pid_t pid, pid_t tid);
int attach_check(pid_t *pid, enum attach_failure *why, char **cause);
bool attach_ours(pid_t tid);

/* attach.c */
struct attach_tracee *attach_find(struct attach *a, pid_t tid);
long attach_options(const struct attach *a);
void attach_add(struct attach *a, pid_t pid, pid_t tid);
void attach_remove(struct attach *a, pid_t tid);
struct attach *attach_new(void);

#endif
