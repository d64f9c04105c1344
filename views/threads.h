#ifndef CPT_VIEWS_THREADS_H
#define CPT_VIEWS_THREADS_H

/*
 * The thread list: one row per thread of the snapshot, with its samples in
 * the filter's scope (the thread set, focus and hide are ignored here: the
 * list is where threads are chosen).
 */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "views/filter.h"

struct profile_snapshot;

enum threads_sort {
	THREADS_SORT_TID, /* lowest first; the others biggest/A-Z first */
	THREADS_SORT_NAME,
	THREADS_SORT_CPU,   /* on-CPU samples */
	THREADS_SORT_WALL,  /* all samples */
	THREADS_SORT_ONCPU, /* on-CPU % */
	THREADS_SORT_WAIT   /* waiting for a CPU % */
};

struct threads_row {
	uint32_t thread; /* index into snapshot->threads */
	pid_t tid;
	pid_t pid;	     /* its process (0: unknown) */
	const char *process; /* its process's name, borrowed */
	const char *name;    /* borrowed from the snapshot */
	char state;	     /* last /proc state letter */
	bool alive;
	bool selected;	    /* in the filter's thread set (false when empty) */
	uint64_t cpu, wall; /* samples in scope */
	double cpu_share, wall_share; /* % of all threads' cpu / wall samples */
	/* Time on a CPU, and runnable but waiting for one, in % of the time
	   profiled (schedstat's run time and run delay since the start or
	   the last reset, whatever the scope) */
	double on_cpu_pct, wait_pct;
	uint32_t hottest;	  /* function with the most flat samples in the
				     filter's mode, or PROFILE_NONE */
	const char *hottest_name; /* its name, or NULL */
	uint64_t hottest_flat;
};

struct threads_table {
	struct threads_row *rows; /* freed by threads_free() */
	size_t nrows;
	uint64_t cpu_total, wall_total; /* over all threads, in scope */
	bool processes; /* threads of more than one process (children
			   followed): the list shows each one's process */
};

/*
 * Builds the thread list of s in f's scope into *out, sorted by key
 * (reverse: the other way; ties by tid). Any thread; s is only read.
 */
void threads_build(const struct profile_snapshot *s, const struct filter *f,
		   enum threads_sort key, bool reverse,
		   struct threads_table *out);

/*
 * Narrows f's thread set to the threads of process pid in s: selects
 * exactly them, or, when exactly they were selected already, all threads
 * again. Any thread; s is only read.
 */
void threads_select_process(const struct profile_snapshot *s, struct filter *f,
			    pid_t pid);

/*
 * The number of processes other than s's target among s's threads (the
 * children followed that were seen: a thread is listed once sampled or
 * named). Any thread; s is only read.
 */
uint32_t threads_other_processes(const struct profile_snapshot *s);

/* Frees the rows of t (not t itself). */
void threads_free(struct threads_table *t);

#endif
