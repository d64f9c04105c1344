#ifndef CPT_SAMPLER_CPUTIME_H
#define CPT_SAMPLER_CPUTIME_H

/*
 * The ptrace source's CPU time of one thread: measured, not guessed. The
 * kernel's schedstat says how long the thread ran; its captures say where.
 * A capture of a thread that ran takes from the time measured and not yet
 * given a stack (pending), so that a CPU profile's total is the CPU time
 * the thread used (README: "CPU time under ptrace").
 *
 * Pending time is kept in two pools, user space [0] and kernel [1], split
 * by the thread's share of system time (utime/stime of /proc/.../stat). A
 * stop requested while a thread runs in user space lands at its next
 * kernel exit: in code making a system call every few microseconds that is
 * one of them more often than not (3 stops of 4 in the mixed workload's
 * tick_work), so a capture stopped at a system call's exit takes from the
 * kernel pool only, and one stopped in user space from the user pool.
 *
 * A capture stopped at the exit of a system call its thread blocked in
 * since its previous capture (the return from a sleep: a thread asked to
 * stop while it waited for a CPU stops there) is not where the thread ran:
 * it takes nothing (cputime_woke()), and the time pending, run before the
 * thread blocked, goes where it ran (cputime_flush()). The numbers are read
 * while the thread is stopped: read later, with the thread running again,
 * they took in what it did after the stop.
 *
 * Pure bookkeeping over numbers the caller reads: no I/O, any thread (the
 * sampler thread owns its threads' records).
 */

#include <stdbool.h>
#include <stdint.h>

/* The stacks a pool's last time is spread over (cputime_flush()). */
#define CPUTIME_RECENT 16

struct cputime {
	uint64_t run_ns;	/* schedstat run time at the last measure */
	uint64_t pending_ns[2]; /* measured, no stack yet: user [0], kernel [1]
				 */
	bool ran;		/* it ran since its last capture */
	double sys_share;	/* stime / (utime + stime), or -1: unknown */
	int64_t nvcsw;		/* voluntary switches at the last read, or -1 */
	uint64_t stops;		/* its ptrace stops so far */
	uint64_t nvcsw_stops;	/* ... when nvcsw was read */
	uint32_t user_streak;	/* captures in user space in a row */
	/* the last CPUTIME_RECENT stacks taken on a CPU, stopped in user
	   space [0] or at a system call's exit [1] (a ring: the n-th at
	   n % CPUTIME_RECENT), and how many were taken */
	uint32_t recent[2][CPUTIME_RECENT];
	uint64_t nrecent[2];
};

#define CPUTIME_NONE UINT32_MAX
/* No voluntary switch count read for a capture (cputime_wants_nvcsw()). */
#define CPUTIME_UNREAD (-2)
/* Captures in user space in a row after which the voluntary switches are
   read no more until one at a system call's exit (cputime_wants_nvcsw()). */
#define CPUTIME_USER_READS 8

/* Starts c with the thread's schedstat run time now (0 for a thread born
   while profiled: all of its time is the profile's). */
void cputime_init(struct cputime *c, uint64_t run_ns);

/* Drops what c has pending: time counts from run_ns on (a reset, a
   resume after Ctrl-Z). */
void cputime_restart(struct cputime *c, uint64_t run_ns);

/* Adds what the thread ran since the last measure (schedstat run_ns now)
   to the pools, split by its system share. */
void cputime_measure(struct cputime *c, uint64_t run_ns);

/* The thread's user and system clock ticks so far (/proc/.../stat): its
   system share, once there are 10 ticks at least. */
void cputime_set_ticks(struct cputime *c, uint64_t utime, uint64_t stime);

/* One more ptrace stop of the thread (each is a voluntary switch). */
void cputime_stopped(struct cputime *c);

/*
 * True when cputime_woke() needs the thread's voluntary context switch
 * count for a capture stopped in_syscall (or not), and counts the capture.
 * At every capture at a system call's exit; in user space, once such a
 * capture was read, at the next CPUTIME_USER_READS only (issue 9: a busy
 * loop's captures read its status file 1000 times a second for nothing):
 * the stops meanwhile are counted, so the next read compares switches
 * with stops since the last one -- a thread that blocked in the gap is
 * then taken as waking there, its CPU time left for a later capture.
 */
bool cputime_wants_nvcsw(struct cputime *c, bool in_syscall);

/*
 * Records nvcsw (the thread's voluntary switches at the capture's stop, -1:
 * unknown; CPUTIME_UNREAD: not read, returns false) and returns true when a
 * capture stopped in_syscall is the return from a system call the thread
 * blocked in since its previous capture: more voluntary switches than stops
 * since then, or no earlier count to tell (a new thread first stops at clone3's
 * return, asked while it waited for its first CPU).
 */
bool cputime_woke(struct cputime *c, bool in_syscall, int64_t nvcsw);

/*
 * The CPU time (ns) a capture stopped in_syscall (or in user space) of a
 * thread that ran takes from its pool: at most two periods, or a sixteenth
 * of the pool when more piled up (a capture after a long gap would
 * otherwise weigh many times the others: shares swung by 4 points from
 * run to run; a sampler lagging behind still counts all, a few captures
 * late). A capture in user space also takes a sixteenth of the kernel pool
 * beyond two periods (a busy loop's kernel time is our stops': they land
 * anywhere). With no system share known yet, one pool.
 */
uint64_t cputime_take(struct cputime *c, uint64_t period_ns, bool in_syscall);

/* The capture that was not a cputime_woke() one was at stack (interned). */
void cputime_ran_at(struct cputime *c, uint32_t stack, bool in_syscall);

/*
 * Empties pool i (0: user, 1: kernel) into parts: ns[k] of it at stacks[k]
 * (arrays of CPUTIME_RECENT), for k below the count returned (0: the pool
 * was empty). What is left when a thread blocks or ends is time it ran
 * before its last captures, which a pile-up's sixteenths would have given
 * to its next ones (cputime_take()): it is spread evenly over the last
 * CPUTIME_RECENT stacks taken on a CPU alike, else the other pool's, else
 * given to fallback (CPUTIME_NONE: drop it). At the last stack alone, a
 * child's last pile-up (240 ms of 2 s, a sampler lagging under ASan on a
 * loaded machine) went to its exit path, __cxa_finalize.
 */
int cputime_flush(struct cputime *c, int i, uint32_t fallback, uint32_t *stacks,
		  uint64_t *ns);

#endif
