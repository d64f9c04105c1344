#ifndef CPT_VIEWS_SOURCE_H
#define CPT_VIEWS_SOURCE_H

/*
 * The source view of one function (pprof's `list`): its file, and per line
 * the samples at that line of the function (flat: the line is the leaf;
 * cum: the line is on the stack, once per sample). Lines of inlined callees
 * count for the callee, not here; the call site line of an inline chain
 * gets its cum, as in pprof. Rows run from the function's start_line (or 5
 * lines before its first sampled line) to 5 lines after its last sampled
 * line, stopping at the end of the file.
 *
 * Finding the file: an absolute DWARF path inside the target's root
 * (/proc/PID/root: containers, chroots), read as the target's owner; with
 * no target (pid 0) inside "/", a relative path inside the current
 * directory; then each entry of the source path. An entry "DIR" tries
 * DIR/path and DIR/basename(path); "FROM=TO" replaces the prefix FROM of
 * the path by TO. Every lookup stays inside its root (symlinks and ".."
 * included) and reads regular files only (attach/rootfs.h): the DWARF
 * path is the target's, not to be trusted.
 *
 * When the file cannot be read, note says why and the rows are the lines
 * with samples only, without text; when the function has no line numbers,
 * the rows are per address instead (line 0).
 */

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "views/filter.h"
#include "views/weights.h"

struct profile_snapshot;

struct source_options {
	pid_t pid;		  /* for /proc/PID/root, or 0 */
	const char *const *paths; /* source path entries, or NULL */
	size_t npaths;
};

struct source_row {
	int line;	  /* 0 for rows per address */
	uint64_t address; /* rows per address, else 0 */
	const char *text; /* the source line without newline, or NULL */
	uint64_t flat, cum;
};

struct source_view {
	uint32_t function;
	const char *name, *file; /* borrowed; file is the DWARF path or NULL */
	char *path;		 /* the file actually read, or NULL */
	char *note;		 /* why there is no text, or NULL */
	struct source_row *rows;
	size_t nrows;
	long hottest;	    /* row with the most flat (then cum), or -1 */
	uint64_t flat, cum; /* of the function over these rows */
	uint64_t total;	    /* as in struct top_table */
	uint64_t left_out;  /* source_build_weights(): the value of the
			       stacks that came out negative, left out
			       (as in struct tree_view); else 0 */
	char *buf;	    /* private: the file contents */
};

/*
 * Builds the source view of function (an id of s) into *out. Reads the
 * source file (cost: one file read). Returns 0 (a missing file is not an
 * error: see note), or -1 when function is not an id of s. Free with
 * source_free(). Any thread; s is only read.
 */
int source_build(const struct profile_snapshot *s, const struct filter *f,
		 uint32_t function, const struct source_options *opt,
		 struct source_view *out);

/*
 * As source_build(), over the (stack, value) pairs of w (the heap's
 * bytes, views/heap.h): flat and cum are sums of values; function is an
 * id of w->tables; f applies as in tree_build_weights() (views/tree.h).
 */
int source_build_weights(const struct view_weights *w, const struct filter *f,
			 uint32_t function, const struct source_options *opt,
			 struct source_view *out);

void source_free(struct source_view *v);

#endif
