#ifndef CPT_SAMPLER_PROFILE_H
#define CPT_SAMPLER_PROFILE_H

/*
 * The aggregated profile as readers see it: an immutable snapshot that the
 * sampler publishes about once a second. views/ and the TUI read snapshots
 * and never change them; the sampler never changes one after publishing.
 *
 * Ids are 0-based indexes into the arrays below (pprof ids are index + 1).
 * Strings are borrowed from the sampler's string table and stay valid until
 * sampler_free(); release every snapshot before that.
 */

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#define PROFILE_NONE UINT32_MAX

/* One mapped object of the target (a binary, a library, [vdso]). */
struct profile_mapping {
	uint64_t start, limit, offset;
	const char *path;     /* as in /proc/PID/maps */
	const char *build_id; /* lowercase hex, or NULL */
};

/* A function, or a pseudo-function for code without a symbol. */
struct profile_function {
	const char *name;	 /* demangled: "hot_a", "std::vector<..>::at",
				    "libz.so.1+0x1234", "[unknown]" */
	const char *system_name; /* as in the symbol table (mangled) */
	const char *file;	 /* DWARF source path, or NULL */
	int start_line;		 /* 0 when unknown */
};

/* One entry of a location's inline chain. */
struct profile_line {
	uint32_t function;
	int line; /* 0 when unknown */
};

/*
 * A code address. Its lines are the inline chain at that address, innermost
 * (inlined callee) first, the real function last; nlines >= 1.
 */
struct profile_location {
	uint64_t address; /* the pc, or the return address for callers */
	uint32_t mapping; /* or PROFILE_NONE */
	uint32_t first_line, nlines; /* lines[first_line .. +nlines) */
};

/* A call stack: locations[first .. +depth), leaf first. */
struct profile_stack {
	uint32_t first, depth;
	bool truncated; /* unwinding failed before the outermost frame */
};

/* A thread of the target (or of a child it forked), alive or not. */
struct profile_thread {
	pid_t tid;
	pid_t pid; /* its process (the target, or a followed child) */
	char name[16];
	char process[16]; /* its process's comm (its leader's name) */
	char state;	  /* last state seen in /proc: R, S, D, T, Z... */
	bool alive;
	uint64_t cpu_ns;     /* CPU time used while profiled */
	uint64_t wait_ns;    /* time runnable, waiting for a CPU, while
				profiled */
	uint32_t last_stack; /* stack of its latest sample, or PROFILE_NONE */
	const char *missing; /* --dump: why it has no stack, or NULL */
};

/*
 * Sample counts for one (stack, thread, second). second counts from the
 * start of profiling (or the last reset); on_cpu samples found the thread
 * runnable, off_cpu ones found it sleeping or blocked (wall mode counts
 * both).
 */
struct profile_count {
	uint32_t stack, thread, second;
	uint32_t on_cpu, off_cpu;
};

enum profile_target_state {
	PROFILE_TARGET_RUNNING,
	PROFILE_TARGET_EXITED,	 /* target_status: exit code */
	PROFILE_TARGET_SIGNALED, /* target_status: signal */
	PROFILE_TARGET_GONE,	 /* ended, status unknown */
};

struct profile_snapshot {
	unsigned refs; /* private: see profile_snapshot_ref() */

	/* The target. */
	pid_t pid;
	const char *cmdline;
	const char *exe; /* path of the main binary */
	enum profile_target_state target_state;
	int target_status;

	/* Timing. */
	int64_t start_unix_ns; /* wall-clock time of the first sample */
	int64_t duration_ns;   /* from start to this snapshot */
	uint32_t hz;	       /* requested rate */
	double hz_achieved;    /* ticks per second achieved, recent */
	uint32_t now_second;   /* the current second, for live windows */

	/* Health. */
	uint64_t ticks, late_ticks;
	uint64_t samples;	  /* on_cpu + off_cpu over all counts */
	uint64_t stops;		  /* threads actually interrupted */
	uint64_t unwind_errors;	  /* stacks that ended early */
	uint64_t fallback_stacks; /* stacks with frames unwound without CFI
				     (frame pointers, Go's tables) */
	/* Stacks read from threads blocked in the kernel without stopping
	   them, and how many of those (and of the others, read with every
	   register: a stopped thread, a perf sample) ended early;
	   calls a late interrupt would have broken with EINTR, restarted. */
	uint64_t blocked_reads, blocked_truncated, regs_truncated;
	uint64_t restarted_calls;
	uint64_t walks; /* ptrace: waits that looked at every tracee */
	/* ptrace, 32 threads or more: the process CPU clock checks, and the
	   searches they set off for a sleeping thread that ran (each looks
	   at every sleeping thread) */
	uint64_t clock_checks, searches;
	uint32_t debuginfod_pending, debuginfod_failed; /* fetches */
	uint64_t copy_short_stacks; /* stacks deeper than the stack copy (the
				       thread then copies more, to 1 MiB) */
	uint64_t stop_ns_p50, stop_ns_p99; /* interrupt -> resume, recent */
	double self_cpu;	 /* cproftop's CPU use, fraction of a core */
	uint64_t memory_bytes;	 /* the sampler's tables */
	const char *backend;	 /* "perf" or "ptrace" */
	const char *backend_why; /* why this backend, or NULL */
	const char *offcpu_why;	 /* perf: why no off-CPU samples, or NULL */
	const char *wall_source; /* wall mode's off-CPU time: "switches"
				    (the kernel's context switches, perf),
				    "ptrace" (ticks), "none" */
	uint64_t lost;		 /* perf: records the kernel dropped */

	/* Tables. */
	const struct profile_mapping *mappings;
	const struct profile_function *functions;
	const struct profile_line *lines;
	const struct profile_location *locations;
	const uint32_t *stack_locations;
	const struct profile_stack *stacks;
	const struct profile_thread *threads;
	const struct profile_count *counts;
	uint32_t nmappings, nfunctions, nlines, nlocations, nstacks, nthreads;
	uint32_t ncounts;
};

/*
 * Builds a snapshot from caller-provided arrays, copying them (strings are
 * not copied). For tests of views/ and for the sampler. Caller releases
 * with profile_snapshot_unref(). Any thread.
 */
struct profile_snapshot *
profile_snapshot_copy(const struct profile_snapshot *src);

/* Reference counting; any thread. unref(NULL) is a no-op. */
struct profile_snapshot *profile_snapshot_ref(struct profile_snapshot *s);
void profile_snapshot_unref(struct profile_snapshot *s);

#endif
