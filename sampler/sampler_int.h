#ifndef CPT_SAMPLER_SAMPLER_INT_H
#define CPT_SAMPLER_SAMPLER_INT_H

/*
 * Private to the sampler thread's files: sampler.c (the thread: its loop,
 * its threads and address spaces, snapshots), sampler_account.c (a capture
 * becomes counts), sampler_tick.c (the ptrace source's tick),
 * sampler_perf.c (the perf_event source's read loop), sampler_slow.c (slow
 * work on a helper thread while the tick's stops are dispatched) and
 * sampler_control.c (what other threads call: start, snapshots, commands,
 * stop, the watchdog, suspend and resume). The contract of each function is at
 * its definition.
 */

#include <pthread.h>
#include <setjmp.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "attach/attach.h"
#include "attach/procfs.h"
#include "common/clock.h"
#include "common/hash.h"
#include "sampler/aggregate.h"
#include "sampler/capture.h"
#include "sampler/cputime.h"
#include "sampler/sampler.h"
#include "sampler/source_perf.h"
#include "sampler/space.h"
#include "sampler/unwind.h"

#define SAMPLER_FOLD_SECONDS 120 /* counts older than this fold into 0 */
#define SAMPLER_STOP_RING 1024	 /* recent stop times kept for p50/p99 */
#define SAMPLER_MAX_INLINE 16
/* --dump waits this long for a thread to get a CPU and stop. */
#define SAMPLER_DUMP_WAIT_NS 1000000000LL
/* At the end and on Ctrl-Z, threads not stopped by then to be detached
   are left to the kernel (at the end) or keep cproftop running (Ctrl-Z). */
#define SAMPLER_DETACH_NS (CLOCK_NS_PER_S / 4)
/* The stop watchdog looks this often, and gives a sampler that shows
   signs of life this long at most. */
#define SAMPLER_WATCH_STEP_NS (CLOCK_NS_PER_S / 50)
/* While slow work runs (sampler_slow()), the running threads are still
   interrupted and copied every sampling period, at most this often, into
   room for this many captures more than a tick takes, each waited for
   this long at most (sampler_slow_tick()). */
#define SAMPLER_SLOW_TICK_NS (CLOCK_NS_PER_S / 50)
#define SAMPLER_SLOW_CAPS 128
#define SAMPLER_SLOW_WAIT_NS (CLOCK_NS_PER_S / 200)
/*
 * The ptrace sampler thread's nice value where allowed (root): a target
 * thread stopped for a sample waits until this thread gets a CPU to copy
 * its stack and resume it. With every core busy with other work at nice 0
 * (bench/run.sh's cpt1000-1s1000L: 1 busy + 1000 sleeping threads at
 * 1000 Hz) a stop lasted p99 4.1 ms at nice 0, 0.17 ms at -10, and the
 * target ran 2.73x slower instead of 1.99x; on a quiet machine nothing
 * changes. The CPU it takes is the same, only sooner: the helper thread's
 * (offload.c) for the same reason.
 */
#define SAMPLER_NICE (-10)
#define SAMPLER_STOP_MAX_NS (2 * CLOCK_NS_PER_S)
/* ... and with the perf source, which never stops the target: what the
   rings hold is unwound at the end (a few seconds on a saturated machine:
   16 busy threads at 1000 Hz beside a test suite at load 30). */
#define SAMPLER_STOP_MAX_UNTRACED_NS (10 * CLOCK_NS_PER_S)
#define SAMPLER_PERF_STACK 8192 /* perf: default stack bytes per sample */
#define SAMPLER_SWITCH_CAP 1000 /* perf: switch samples per thread-second */
/* A thread whose stack did not fit the capture copies this much more,
 * doubled each time it still does not, up to 1 MiB in all. */
#define SAMPLER_MORE_FIRST (96 * 1024)
#define SAMPLER_MORE_MAX (1024 * 1024 - CAPTURE_STACK_BYTES)
#define SAMPLER_MAX_PROCS 4096 /* processes followed at once, at most */
/*
 * Sleeping threads (issue 9): a thread asleep on its last stack is looked
 * at again every 2^n ticks, at most 1 / SAMPLER_LOOK_HZ apart. In a
 * process of SAMPLER_MANY_THREADS threads or more, the process's CPU clock
 * is read every SAMPLER_CHECK_NS, or SAMPLER_CHECK_TASK_NS a thread when
 * longer (sampler_check(); the kernel sums every thread's time to read
 * it: 0.5 ms with 1001 threads): while it shows no CPU time beyond what
 * the threads looked at used, no sleeping thread ran, and the sleeping
 * threads are looked at only SAMPLER_QUIET_LOOK_HZ times a second; when it
 * shows more, at the faster pace until each was looked at. (Before: a
 * look twice a second and a check every 20 ms with 1001 threads, 2.5 % of
 * a core in the kernel for the check alone.)
 */
#define SAMPLER_LOOK_HZ 50
#define SAMPLER_QUIET_LOOK_HZ 1
#define SAMPLER_MANY_THREADS 32
#define SAMPLER_CHECK_NS (CLOCK_NS_PER_S / 50)
#define SAMPLER_CHECK_TASK_NS 40000LL

/*
 * What the sampler thread read of a capture's thread while it was stopped,
 * where the capture's CPU time is measured: read once its captures are
 * counted, with every thread running again, its run time and switches took
 * in what it did after the stop (cputime.h).
 */
struct sampler_stop {
	bool in_batch;	 /* taken inside attach_sample()'s batch */
	bool run_known;	 /* run_ns and slices were read */
	uint64_t run_ns; /* its schedstat run time */
	uint64_t slices; /* ... and times scheduled in */
	int64_t nvcsw;	 /* its voluntary switches: sampler_stopped_nvcsw() */
};

/* What the sampler thread knows of one traced thread between ticks. */
struct sampler_task {
	/* What a tick reads of a thread asleep at its last look, first: one
	   cache line a thread a tick (issue 9: 1000 sleeping threads). */
	pid_t tid;
	pid_t pid;	      /* its process: the target or a followed child */
	uint32_t owed;	      /* ticks it was asked for and not yet captured */
	uint32_t idle_owed;   /* ticks asleep on last_stack, not counted yet */
	uint32_t idle_second; /* the second idle_owed belongs to */
	uint32_t idle_streak; /* looks in a row that found it unchanged */
	uint32_t idle_skip;   /* ticks to go before the next look */
	uint32_t last_stack;  /* PROFILE_NONE until sampled once */
	bool asleep;	      /* blocked at the last look, on last_stack */
	bool seen;	      /* still listed by attach/ at this tick */
	bool named;	      /* its name read since it last ran */
	uint8_t renames;      /* born while profiled: housekeepings left
				 that read its name again */
	uint32_t rec;	      /* index of its aggregate thread record */
	int stat_fd, sched_fd, sys_fd;
	int status_fd;	      /* its status, opened when first needed, or -1 */
	uint64_t slices;      /* times scheduled in, at the last look */
	uint64_t stop_slices; /* ... at its last stop, or UINT64_MAX */
	uint64_t first_run_ns, first_wait_ns;
	struct cputime cpu;    /* its CPU time, measured (ptrace) */
	uint64_t read_run_ns;  /* its run time at the last schedstat read */
	uint64_t exit_run_ns;  /* ... at its exit, or 0 */
	uint64_t carry_ns;     /* CPU time counted less than one period */
	uint64_t off_carry_ns; /* off-CPU time counted less than one period */
	const char *missing;   /* --dump: why it has no stack */
	bool deeper;	       /* its stack did not fit the copy: grow more */
	uint8_t *more; /* stack copied past the capture's own, or NULL */
	size_t more_len;
};

struct sampler {
	struct sampler_options opt;
	pthread_t thread;
	bool joined;

	/* Start-up handshake and the published snapshot, under lock. */
	pthread_mutex_t lock;
	pthread_cond_t cond; /* a snapshot published, or the end */
	atomic_bool started;
	int start_rc;
	char *start_cause;
	struct profile_snapshot *latest;

	int notify_fd; /* sampler -> readers: a snapshot was published */
	int wake_fd;   /* commands -> sampler */
	atomic_bool stop, reset, publish, paused, done;
	atomic_bool suspend;	 /* main -> sampler: leave, for a Ctrl-Z */
	bool leaving;		 /* the sampler thread is leaving (lock) */
	bool traced;		 /* ptrace source: Ctrl-Z must let go */
	atomic_bool released;	 /* sampler -> main: its thread is going */
	atomic_bool detached;	 /* sampler -> main: detached for good */
	_Atomic int64_t beat_ns; /* sampler -> watchdog: last sign of life */

	/* Sampler thread only below. */
	pid_t pid;
	struct attach *a;	  /* ptrace source (and spawn), or NULL */
	struct source_perf *perf; /* perf source, or NULL */
	const char *backend_why;
	char *why_buf; /* backend_why when it is a message we own */
	enum attach_state perf_state; /* perf: the target's end */
	int perf_status;
	pid_t perf_proc_pid;	 /* perf: a live thread once the leader left */
	int64_t leader_check_ns; /* the last look at the leader (100 ms) */
	struct aggregate *g;
	/* Address spaces: the target's first, then followed children's. */
	struct space **spaces;
	size_t nspaces, cap_spaces;
	uint32_t next_space; /* the next aggregate space id */
	const char *cmdline, *exe;

	struct sampler_task *tasks;
	size_t ntasks, cap_tasks;
	struct hash task_idx;

	struct capture *caps;
	struct sampler_stop *cap_stop; /* caps[i]'s thread at its stop */
	size_t ncaps, cap_caps;
	pid_t *eligible;
	bool in_batch;
	bool in_slow;	   /* sampler_slow_tick() is taking captures */
	uint32_t wait_loc; /* the "[waiting for CPU]" frame */
	/* The stack sampler_account() counted last, as locations. */
	uint32_t last_locs[UNWIND_MAX_FRAMES];
	int last_n;
	bool last_truncated;

	int64_t start_ns, start_unix_ns, last_publish_ns, last_fold_second;
	int64_t last_cpu_ns;
	uint64_t ticks, late_ticks, samples, stops, unwind_errors;
	uint64_t blocked_reads, blocked_truncated, blocked_retries;
	uint64_t regs_truncated;
	uint64_t fallback_stacks;
	uint64_t copy_short_stacks; /* stacks deeper than their copy */
	bool listed; /* the threads there were at the start are known */
	size_t fetch_pending, fetch_failed;
	uint64_t ticks_at_publish;
	double hz_achieved, self_cpu;
	uint64_t stop_ring[SAMPLER_STOP_RING];
	size_t stop_n;
	int64_t batch_ns;    /* when the current batch was interrupted */
	struct offload *off; /* the helper thread of sampler_slow() */
	jmp_buf leave_jmp;   /* sampler_run(): a Ctrl-Z leaves slow work */
	bool leave_armed;    /* leave_jmp is set: inside sampler_loop() */
	/* Sleeping threads: the process's CPU clock (sampler_check()). */
	clockid_t proc_clock;
	bool have_proc_clock;
	bool quiet;	   /* no sleeping thread ran since the last check */
	bool settle;	   /* the next check sets unseen_ref */
	bool woke;	   /* a sleeping thread was found to have run */
	uint32_t max_skip; /* ticks between looks at a sleeping thread, at most
			      (this tick's pace: quiet or not) */
	int64_t next_check_ns;
	uint64_t
		known_run_ns; /* sum of the tasks' read_run_ns, gone ones too */
	int64_t unseen_ref;   /* process CPU - known_run_ns at a check, at
				 most (the least such bound since set) */
	uint32_t search_left; /* ticks to go at the faster pace */
	uint64_t checks, searches;
	uint64_t rng; /* xorshift state of the ticks' jitter */
};

/* A sign of life for the watchdog (sampler_stop_within()). */
static inline void
sampler_beat(struct sampler *s)
{
	atomic_store_explicit(&s->beat_ns, clock_ns(CLOCK_MONOTONIC),
			      memory_order_relaxed);
}

/* sampler_account.c */
uint32_t sampler_waiting_stack(struct sampler *s, const uint32_t *locs, int n,
			       bool truncated);
uint32_t sampler_waiting_at(struct sampler *s, uint32_t stack);
void sampler_count(struct sampler *s, struct sampler_task *t, uint32_t stack,
		   enum capture_state state, uint64_t weight_ns,
		   uint32_t second);
uint32_t sampler_account(struct sampler *s, const struct capture *c,
			 uint32_t second);
int64_t sampler_stopped_nvcsw(struct sampler *s, struct sampler_task *t,
			      const struct user_regs_struct *regs);
void sampler_pending_flush(struct sampler *s, struct sampler_task *t,
			   uint32_t fallback, uint32_t second);

/* sampler_tick.c */
void sampler_idle_flush(struct sampler *s, struct sampler_task *t);
void sampler_thread_exited(pid_t tid, void *arg);
void sampler_sweep(struct sampler *s);
void sampler_task_ended(struct sampler *s, struct sampler_task *t);
bool sampler_state(struct sampler *s, struct sampler_task *t);
void sampler_tick(struct sampler *s, uint32_t second, int64_t timeout_ns);
void sampler_slow_tick(struct sampler *s);

/* sampler_slow.c */
void sampler_slow(struct sampler *s, void (*fn)(void *), void *arg,
		  bool may_leave);
void sampler_warm(struct sampler *s, struct space *sp, uint64_t addr,
		  bool may_leave);

/* sampler_perf.c */
void sampler_pid_add(pid_t **pids, size_t *n, size_t *cap, pid_t pid);
void sampler_pid_children(pid_t pid, pid_t **pids, size_t *n, size_t *cap);
void sampler_perf_loop(struct sampler *s);
enum attach_failure sampler_perf_failure(int err);
int sampler_try_perf(struct sampler *s, int *err, char **why_not);
/*
 * perf: once the target's leader called pthread_exit() (a zombie, whose
 * /proc/PID/maps and root read empty and whose memory is unreadable: every
 * stack failed, no file could be named), reads the target through one of
 * its live threads (sampler_proc_pid()) as attach/ does under ptrace;
 * another when that one ended. Costs a read of the leader's stat (and,
 * once it left, of its task list). The sampler thread.
 */
void sampler_perf_leader(struct sampler *s);
bool sampler_perf_target_ok(pid_t pid);

/* sampler_control.c */
void sampler_started(struct sampler *s, int rc, char *cause);

/* sampler.c */
bool sampler_leaving(struct sampler *s);
void sampler_kick(int fd);
void sampler_drain(int fd);
int sampler_task_eq(uint32_t id, const void *key, void *arg);
void sampler_task_reindex(struct sampler *s);
void sampler_name(struct profile_thread *rec, const struct procfs_stat *st);
struct sampler_task *sampler_task(struct sampler *s, pid_t pid, pid_t tid);
void sampler_task_close(struct sampler_task *t);
int sampler_schedstat(struct sampler *s, struct sampler_task *t,
		      struct procfs_schedstat *ss);
uint32_t sampler_second(const struct sampler *s);

/* sampler_space.c */
struct space *sampler_space_find(struct sampler *s, pid_t pid);
struct space *sampler_space(struct sampler *s, pid_t pid);
void sampler_space_sweep(struct sampler *s);
pid_t sampler_proc_pid(const struct sampler *s);
void sampler_refresh_space(struct sampler *s, struct space *sp, bool force);
void sampler_refresh_maps(struct sampler *s, bool force);
void sampler_publish_snapshot(struct sampler *s);
void sampler_housekeeping(struct sampler *s, uint32_t second);
void sampler_do_reset(struct sampler *s);
int sampler_exit_code(enum attach_failure why);
void *sampler_main(void *arg);
void *sampler_main_again(void *arg);

#endif
