#ifndef CPT_SAMPLER_MAPPED_H
#define CPT_SAMPLER_MAPPED_H

/*
 * Opening the file behind a mapping of the target for reading its bytes
 * (the annotate view disassembles functions from the file, never from the
 * target's memory): the path as /proc/PID/maps names it, resolved inside
 * the target's root (containers) without following a symlink out of it,
 * and only when it is a regular file; else the kernel's
 * /proc/PID/map_files/START-END link of that very mapping (deleted or
 * replaced files). Pure open(2)s through attach/rootfs.c: any thread, no
 * cache.
 */

#include <stdint.h>
#include <sys/types.h>

/*
 * Opens the file mapped at [start, end) from path in process pid, as
 * above. Returns a read-only fd (caller closes), or -1 with *cause set
 * (caller frees) naming the path and why (not found, not a regular file,
 * not permitted).
 */
int mapped_open(pid_t pid, const char *path, uint64_t start, uint64_t end,
		char **cause);

#endif
