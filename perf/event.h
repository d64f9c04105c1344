#ifndef CPT_PERF_EVENT_H
#define CPT_PERF_EVENT_H

/*
 * perf_event setup for one thread of the target: the on-CPU sampling event
 * (cpu-clock, user space only) and the off-CPU one (a sample at every
 * context switch plus switch-in/out records). Both carry the same sample
 * layout (perf_event_layout()) so they can share one ring buffer. Any
 * thread; the target is not traced, not stopped.
 */

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "perf/record.h"

/* ax bx cx dx si di bp sp ip flags, r8..r15 (x86-64 user regs). */
#define PERF_EVENT_REGS_MASK 0xff03ffULL

struct perf_event_config {
	uint32_t hz;	       /* on-CPU samples per second of CPU time */
	uint32_t stack_bytes;  /* user stack copied per sample (8-aligned) */
	uint32_t wakeup_bytes; /* poll() wakes when this much is buffered */
	bool inherit_fork;     /* on-CPU events follow forked processes too */
};

/*
 * Opens the on-CPU event for tid on cpu: PERF_COUNT_SW_CPU_CLOCK every
 * 1e9/hz ns of the thread's CPU time, exclude_kernel/hv, IDENTIFIER|TID|
 * TIME|IP|PERIOD|REGS_USER|STACK_USER, CLOCK_MONOTONIC timestamps, enabled
 * at once, inherited by the threads tid creates (not by forked processes
 * where the kernel knows inherit_thread, unless cfg->inherit_fork). Returns the
 * fd (close-on-exec), or -1 with errno.
 */
int perf_event_open_cpu(pid_t tid, int cpu,
			const struct perf_event_config *cfg);

/*
 * Opens the off-CPU event for tid on cpu (not inherited): a sample at each
 * context switch-out (kernel included: with exclude_kernel the kernel records
 * none) and PERF_RECORD_SWITCH records with their times. Needs
 * perf_event_paranoid <= 1, CAP_PERFMON or root. Returns the fd, or -1
 * with errno.
 */
int perf_event_open_switch(pid_t tid, int cpu,
			   const struct perf_event_config *cfg);

/* Sends fd's records to out_fd's ring buffer. Returns 0 or -1 (errno). */
int perf_event_set_output(int fd, int out_fd);

/*
 * Samples only every period-th context switch of fd (a thread switching
 * too often). Returns 0 or -1 (errno).
 */
int perf_event_set_period(int fd, uint64_t period);

/* The kernel's id of fd's event (PERF_SAMPLE_IDENTIFIER), or 0. */
uint64_t perf_event_id(int fd);

/* The layout of the records both events write. */
void perf_event_layout(struct perf_layout *out);

/* kernel.perf_event_paranoid, or INT32_MIN when unreadable. */
int perf_event_paranoid(void);

/*
 * Why perf_event_open failed with err, for the user: names
 * perf_event_paranoid, seccomp (a container's profile), missing
 * CAP_PERFMON, the target's permission. Caller frees.
 */
char *perf_event_why(int err);

#endif
