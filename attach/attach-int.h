#ifndef CPT_ATTACH_ATTACH_INT_H
#define CPT_ATTACH_ATTACH_INT_H

/*
 * The tracer's state, shared by the files of attach/ only (attach.c owns
 * it; memread.c reads pid). Everything but pid is touched by the tracer
 * thread alone.
 */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "attach/attach.h"

/* Per-thread bookkeeping, kept sorted by tid. */
struct attach_tracee {
	pid_t tid;
	pid_t pid;	    /* its process: the target or a followed child */
	bool group_stopped; /* in a job-control stop, PTRACE_LISTENed */
	bool want_sample;   /* interrupted, fn not called yet */
	unsigned batch;	    /* the attach_sample() call that interrupted it */
	bool detaching;	    /* attach_detach() waits for its stop */
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
	int64_t scanned_ns; /* the last waitpid(-1) drain (CLOCK_MONOTONIC) */

	struct attach_tracee *t; /* sorted by tid */
	size_t n, cap;
	struct attach_thread *pub; /* what attach_threads() hands out */
	size_t pub_cap;

	/* The batch attach_sample() is collecting. */
	attach_sample_fn fn;
	void *arg;
	size_t pending;	    /* threads wanted and not yet stopped */
	unsigned batch;	    /* attach_sample() calls so far */
	int sampled;	    /* fn calls in this batch */
	bool detach;	    /* attach_detach() in progress */
	uint64_t restarted; /* calls attach_unbreak() saved from EINTR */
};

#endif
