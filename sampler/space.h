#ifndef CPT_SAMPLER_SPACE_H
#define CPT_SAMPLER_SPACE_H

/*
 * The address space of one profiled process: the target, or a child it
 * forked that the sampler follows. Its maps, its unwinder and its
 * symbolizer, and the id that keys its addresses in the aggregate tables
 * (aggregate_set_space()), so that the same address in two processes --
 * gcc and the cc1 it forked and exec'd -- is named from each one's own
 * binary. The maps are one table, read here and shared by the unwinder
 * and the symbolizer, and so are the object files: the symbolizer opens
 * and parses each once, and the unwinder takes an image's span and
 * .eh_frame_hdr table from it (symbols_image()). The maps are read again
 * when they may have changed (space_refresh()) and, at most every 50 ms,
 * when an unwind meets an sp or pc in no known mapping (a thread born
 * since, dlopen'd code). Sampler thread only.
 */

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "attach/procfs.h"

struct space {
	pid_t pid;	/* the process */
	pid_t proc_pid; /* whose /proc files and memory are read */
	uint32_t id;	/* its aggregate address space */
	struct unwind *u;
	struct symbols *sy;
	struct procfs_maps maps; /* the one table: unwinder and symbols */
	bool maps_dirty;	 /* an address was found in no module */
	bool forget_pending;	 /* maps changed under an unwind */
	int64_t miss_read_ns;	 /* the last re-read for an unwind's miss */
	unsigned exec_count;	 /* the exec count at the last refresh */
	int64_t maps_read_ns;	 /* perf: the last re-read for an unknown ip */
	char comm[16];		 /* the process's name, "?" when unreadable */
	/* Called, when set, before the unwinder's first use of a module
	   whose file is not loaded yet (symbols_cold()): loads it. */
	void (*warm)(void *arg, struct space *sp, uint64_t addr);
	void *warm_arg;
};

/*
 * A new space for process pid, keyed id in the aggregate tables: an
 * unwinder whose frames without CFI follow Go's tables when the symbolizer
 * knows them. Its files are like's (NULL: its own; a followed child shares
 * the target's, see symbols_new_like()). Maps are read by the first
 * space_refresh(). Caller frees with space_free(), in any order.
 */
struct space *space_new(pid_t pid, uint32_t id, struct space *like);

/* Frees sp, its unwinder and symbolizer. NULL is a no-op. */
void space_free(struct space *sp);

/*
 * Re-reads sp's maps when they may have changed: force, an address found in
 * no module, execs != the exec count at the last refresh, or proc_pid (the
 * PID to read /proc through) changed. Returns true when addresses looked
 * up before may now hold other code or names: the caller forgets the
 * aggregate's addresses then. Reads /proc; never while a thread is stopped.
 */
bool space_refresh(struct space *sp, bool force, unsigned execs,
		   pid_t proc_pid);

/* Re-reads the process's name into sp->comm (it changes at exec). */
void space_read_comm(struct space *sp);

#endif
