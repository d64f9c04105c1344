#ifndef CPT_SAMPLER_PERFMAP_H
#define CPT_SAMPLER_PERFMAP_H

/*
 * JIT symbols as perf reads them: /tmp/perf-PID.map, one "START SIZE name"
 * line per compiled function (hex START and SIZE), written by node
 * --perf-basic-prof, Java agents, LuaJIT, .NET (DOTNET_PerfMapEnabled=1).
 * The file is append-only; a later line for the same code wins. The
 * parser is a pure function over bytes (hostile input: lines and names
 * are bounded, malformed lines skipped); perfmap_load() reads the target's
 * file through /proc/PID/root as the target's uid. Sampler thread.
 */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#define PERFMAP_MAX_BYTES (64U << 20) /* larger files are read this far */
#define PERFMAP_MAX_NAME 1024	      /* longer names are cut */

struct perfmap_entry {
	uint64_t start, end;
	const char *name; /* owned by the perfmap */
};

/* A parsed map: entries sorted by start, not overlapping. */
struct perfmap {
	struct perfmap_entry *entries;
	size_t n;
	char *names; /* the names, NUL-separated */
	/* What perfmap_load() read last (0 before). */
	off_t size;
	int64_t mtime_ns;
};

/*
 * Parses len bytes of perf-map text into pm (which must be zeroed or
 * freed): where lines overlap the later one wins (JIT code is moved and
 * recompiled), the earlier is cut around it. Returns the number of
 * entries. Caller frees with perfmap_free().
 */
size_t perfmap_parse(const char *buf, size_t len, struct perfmap *pm);

/* The entry holding addr, or NULL. */
const struct perfmap_entry *perfmap_find(const struct perfmap *pm,
					 uint64_t addr);

/*
 * (Re-)reads the perf map of process pid (/proc/PID/root/tmp/perf-NSPID.map,
 * NSPID its pid in its own namespace) when its size or mtime changed since
 * the last call, opened with the target's uid and gid as file-system ids
 * (so cproftop reads nothing the target could not), only if it is a
 * regular file owned by the target's uid or root. Returns 1 when pm was
 * replaced, 0 when unchanged or absent, -1 on an error (pm kept).
 */
int perfmap_load(pid_t pid, struct perfmap *pm);

void perfmap_free(struct perfmap *pm);

#endif
