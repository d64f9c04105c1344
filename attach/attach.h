#ifndef CPT_ATTACH_ATTACH_H
#define CPT_ATTACH_ATTACH_H

/*
 * The tracer: every thread of one target process, seized with PTRACE_SEIZE.
 *
 * Threading: ptrace ties a tracee to the thread that attached, so every
 * function here except attach_read() must be called from that one thread
 * (the sampler thread). The caller blocks SIGCHLD in every thread of
 * cproftop before any thread starts; attach/ consumes it via a signalfd.
 *
 * Never harm the target: every ptrace stop, whoever caused it, goes through
 * one dispatcher that re-injects signals, keeps group-stop (job control)
 * semantics with PTRACE_LISTEN, seizes new threads (PTRACE_O_TRACECLONE),
 * follows exec (PTRACE_O_TRACEEXEC) and drops threads that exit. Threads are
 * stopped only inside attach_sample(), for the duration of its callback.
 */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>
#include <sys/user.h>

struct attach;

/* One traced thread, as attach_threads() lists it. */
struct attach_thread {
	pid_t tid;
	pid_t pid;	    /* its process: the target, or a child followed */
	bool group_stopped; /* in a job-control stop (SIGSTOP etc.) */
};

/* What happened to the target as a whole. */
enum attach_state {
	ATTACH_RUNNING,
	ATTACH_EXITED,	 /* exit_status holds the exit code */
	ATTACH_SIGNALED, /* exit_status holds the killing signal */
	ATTACH_GONE,	 /* gone, status unknown (not our child) */
};

/*
 * Why attach_pid() or attach_spawn() failed. attach/ reports, the caller
 * picks the exit code.
 */
enum attach_failure {
	ATTACH_FAIL_OTHER,     /* unexpected: fork, pipe, ptrace errors */
	ATTACH_FAIL_NOPROC,    /* no such process */
	ATTACH_FAIL_PERM,      /* not permitted to trace it */
	ATTACH_FAIL_TRACED,    /* a thread of it is traced by another tracer */
	ATTACH_FAIL_BADTARGET, /* a zombie, a kernel thread, cproftop itself */
	ATTACH_FAIL_NOTFOUND,  /* spawn: command not found */
};

/*
 * Attaches to every thread of pid, re-scanning /proc/PID/task until the set
 * is stable. Returns 0, or -1 with *why set and *cause set to a message for
 * the user (caller frees) that says what helps: no such process, permission
 * (root, CAP_SYS_PTRACE, kernel.yama.ptrace_scope), already traced (names
 * the thread and its tracer), zombie, kernel thread, cproftop itself.
 * Nothing is left traced on failure. *out is caller-owned: release with
 * attach_detach(). The calling thread becomes the tracer. follow: the
 * processes it forks from now on (and theirs) are traced too
 * (PTRACE_O_TRACEFORK/VFORK); they are listed beside its threads and
 * detached with them, and the target's own end is still the end.
 */
int attach_pid(pid_t pid, bool follow, struct attach **out,
	       enum attach_failure *why, char **cause);

/* attach_spawn() flags. */
#define ATTACH_FOLLOW 1u /* trace the processes it forks, as attach_pid() */
#define ATTACH_HOLD 2u	 /* keep it stopped at its exec (attach_let_go()) */

/*
 * Starts argv[0] (searched in PATH) seized from its first instruction, its
 * stdin from /dev/null and stdout/stderr appended to output_path ("/dev/null"
 * when NULL). flags: ATTACH_FOLLOW, ATTACH_HOLD (it stays in its exec stop,
 * one thread that has run nothing of the new program, until attach_let_go()
 * or any detach). Returns 0, or -1 with *why (ATTACH_FAIL_NOTFOUND, _PERM
 * or _OTHER) and *cause (caller frees).
 */
int attach_spawn(char *const argv[], const char *output_path, unsigned flags,
		 struct attach **out, enum attach_failure *why, char **cause);

/*
 * Detaches the target spawned with ATTACH_HOLD, which runs from its exec
 * on untraced (e.g. sampled by perf_event, opened while it was held), and
 * frees a. Tracer thread only.
 */
void attach_let_go(struct attach *a);

/* The target's PID (thread-group leader). */
pid_t attach_pid_of(const struct attach *a);

/*
 * The PID to read the target's /proc/PID files (maps, exe, root, cmdline)
 * and memory through: the leader, or, once the leader has called
 * pthread_exit() (a zombie while its threads run on), a live thread's TID
 * (it names the same process there). Any thread; may change as threads
 * exit.
 */
pid_t attach_proc_pid(const struct attach *a);

/*
 * Stops listing thread tid if it is a zombie: a traced leader that called
 * pthread_exit() while other threads run on can never stop again (its end
 * is still reported when the whole process ends). attach_proc_pid() moves
 * to a live thread. Tracer thread only.
 */
void attach_forget_zombie(struct attach *a, pid_t tid);

/*
 * True when thread tid of process pid is a zombie (or dead): a leader
 * that called pthread_exit() stays one while its other threads run on.
 * False when it cannot be read. Any thread.
 */
bool attach_is_zombie(pid_t pid, pid_t tid);

/*
 * A thread of pid that is not a zombie (the leader itself while it runs),
 * the first /proc lists; 0 when none is, or pid cannot be read. Any
 * thread.
 */
pid_t attach_live_tid(pid_t pid);

/* True when the target was started by attach_spawn(). */
bool attach_spawned(const struct attach *a);

/*
 * The threads traced now (with follow, those of the target's children
 * too, each with its process). Returns the count; *threads is borrowed and
 * valid until the next call into attach/.
 */
size_t attach_threads(struct attach *a, const struct attach_thread **threads);

/*
 * Incremented on every exec of the target (its maps and binaries changed).
 * The sampler also compares /proc/PID/maps for dlopen/dlclose.
 */
unsigned attach_exec_count(const struct attach *a);

/* The target's state and, when it ended, its exit code or signal. */
enum attach_state attach_state(const struct attach *a, int *exit_status);

/*
 * Called with a thread that has exited, just before attach/ reaps it: it is
 * a zombie still, its /proc files readable (its last CPU time), whatever
 * the time since the caller last looked at it. On the thread that calls
 * into attach/; must not call into attach/.
 */
typedef void (*attach_exit_fn)(pid_t tid, void *arg);

/*
 * Sets the function called at every exit of a traced thread (NULL: none);
 * arg must stay valid until attach_free(). Returns nothing, cannot fail.
 */
void attach_set_exit_fn(struct attach *a, attach_exit_fn fn, void *arg);

/*
 * Called for each thread while it is stopped in attach_sample(). Must only
 * copy what it needs (registers via regs, memory via attach_read()) and
 * return: no allocation that may block, no /proc reads, no symbolization.
 */
typedef void (*attach_sample_fn)(pid_t tid, const struct user_regs_struct *regs,
				 void *arg);

/*
 * One batch: interrupts every thread in tids[0..n) (PTRACE_INTERRUPT), then
 * collects each as it stops, calls fn with its registers and resumes it at
 * once. Other stops that arrive meanwhile are dispatched as usual. Threads
 * that exit or are in a group-stop are skipped. Returns after timeout_ns at
 * the latest; a thread that has not stopped by then (it waits for a CPU,
 * its stack unchanged) stays interrupted, is not interrupted again, and fn
 * -- the last one given here, with its arg, which must stay valid until
 * attach_detach() -- is called for it whenever it stops, possibly inside
 * attach_wait(). Returns the number of fn calls during this call, or -1
 * when the target is gone.
 */
int attach_sample(struct attach *a, const pid_t *tids, size_t n,
		  attach_sample_fn fn, void *arg, int64_t timeout_ns);

/*
 * Waits until the absolute CLOCK_MONOTONIC time deadline_ns, dispatching
 * every ptrace stop that arrives meanwhile (signals passed on, clones,
 * exits, group-stops). Returns early with 1 when wake_fd (may be -1) becomes
 * readable, 0 at the deadline, -1 when the whole target is gone.
 */
int attach_wait(struct attach *a, int64_t deadline_ns, int wake_fd);

/*
 * Reads len bytes at the target's address addr into buf with
 * process_vm_readv (falling back to /proc/PID/mem). Returns the number of
 * bytes read (short reads are reported as such), or -1 with errno. Any
 * thread; the target need not be stopped.
 */
ssize_t attach_read(const struct attach *a, uint64_t addr, void *buf,
		    size_t len);

/*
 * System calls that attach/ kept from failing with EINTR: a thread seen
 * running that entered a call the kernel does not restart after a stop
 * (epoll_wait, sigtimedwait, semop, recv with SO_RCVTIMEO...) just before
 * an interrupt landed has that call restarted instead (its timeout, if
 * any, starts again).
 */
uint64_t attach_restarted(const struct attach *a);

/*
 * The walks of every tracee's wait status (waitid(P_ALL): its cost grows
 * with the number of threads traced) so far. Tracer thread.
 */
uint64_t attach_walks(const struct attach *a);

/*
 * attach_read() for any process pid, traced or not (needs the ptrace-read
 * permission of /proc/PID/mem, not tracing). Any thread.
 */
ssize_t attach_read_pid(pid_t pid, uint64_t addr, void *buf, size_t len);

/*
 * Detaches every thread, leaving each running as if never traced (a thread
 * in a group-stop stays stopped, as untraced it would) and frees a. NULL is
 * a no-op. Tracer thread only. Threads asleep (S, D) are not stopped, which
 * would break their system call with EINTR: they stay traced, untouched,
 * until the calling thread exits, when the kernel detaches them -- so the
 * caller must end the tracer thread soon after (the sampler thread returns
 * right away), not keep it stopped or waiting.
 */
void attach_detach(struct attach *a);

/*
 * Detaches every thread like attach_detach() but keeps a, for
 * attach_reseize() (cproftop suspended by Ctrl-Z) or attach_free(). Gives
 * up on threads that have not stopped within timeout_ns (each must stop
 * to be detached; on a saturated machine one may wait long for a CPU):
 * they stay traced and listed. Returns the number of threads still traced
 * (0: the target is free). Tracer thread only.
 */
size_t attach_release(struct attach *a, int64_t timeout_ns);

/*
 * Frees a without detaching anything: the threads attach_release() could
 * not detach stay traced until the tracer thread exits, when the kernel
 * detaches them (they run on; a group-stop is kept). NULL is a no-op.
 * Tracer thread only.
 */
void attach_free(struct attach *a);

/*
 * Forgets every thread without a ptrace call, right before the tracer
 * thread exits: the kernel detaches them then, at once (pending interrupts
 * cancelled, threads in a ptrace stop resumed, a group-stop kept, the
 * signal a thread was stopped for delivered). For Ctrl-Z: another thread
 * may then attach_reseize(). Tracer thread only.
 */
void attach_forget(struct attach *a);

/*
 * Seizes every thread of the target again after attach_release() or
 * attach_forget() (from the new tracer thread). Returns
 * 0, or -1 with *why and *cause (caller frees): the target ended meanwhile
 * (attach_state() then says so) or cannot be traced any more (another
 * tracer took a thread); nothing is left traced then. Tracer thread only.
 */
int attach_reseize(struct attach *a, enum attach_failure *why, char **cause);

#endif
