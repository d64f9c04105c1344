#ifndef CPT_VIEWS_FILTER_H
#define CPT_VIEWS_FILTER_H

/*
 * The view state every model shares: which samples count (mode, time scope,
 * threads, focus/hide regexes), how rows are keyed (granularity) and sorted,
 * and which rows are too small to show (node fraction).
 *
 * The TUI owns one struct filter and edits it with the functions below; the
 * models only read it. Not thread-safe: use from one thread at a time.
 *
 * Semantics follow go tool pprof:
 * - total (the 100 % of every percentage) counts the samples selected by mode
 *   and scope only; the thread set, focus and hide then select among them,
 *   like pprof's -tagfocus/-focus/-hide, whose percentages stay relative to
 *   the whole profile.
 * - focus keeps the samples whose stack has a frame (any inline level) whose
 *   function name, source file or mapping path matches; hide removes the
 *   matching frames from the stacks and drops samples left with none.
 * - node_fraction drops rows whose cum is below node_fraction * (sum of the
 *   selected samples), like -nodefraction (pprof's default 0.005).
 */

#include <regex.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct profile_snapshot;
struct profile_count;

enum filter_mode {
	FILTER_MODE_CPU,  /* on-CPU samples only */
	FILTER_MODE_WALL, /* on-CPU + off-CPU samples */
};

enum filter_sort {
	FILTER_SORT_FLAT,
	FILTER_SORT_CUM,
	FILTER_SORT_NAME,
};

/* How rows of the top table are keyed, after pprof's -granularity. */
enum filter_granularity {
	FILTER_GRAN_FUNCTION, /* by function name */
	FILTER_GRAN_LINE,     /* by function name, file and line */
	FILTER_GRAN_ADDRESS,  /* by address, function, file and line */
};

#define FILTER_DEFAULT_WINDOW 5
#define FILTER_DEFAULT_NODE_FRACTION 0.005

struct filter {
	enum filter_mode mode;
	/* Scope: windowed counts only seconds > now_second - window_seconds;
	   otherwise every second (cumulative). */
	bool windowed;
	uint32_t window_seconds;
	enum filter_sort sort;
	bool reverse; /* false: natural order (counts biggest first, names
			 A-Z); true: the primary key the other way */
	enum filter_granularity granularity;
	double node_fraction; /* 0 shows every row */
	bool noinlines; /* pprof's -noinlines: an inlined frame counts for the
			   function it was inlined into (the location's real
			   function, at its line) */

	/* Selected thread indexes (into snapshot->threads), sorted, unique;
	   none selected means all threads. Use the filter_thread_* calls. */
	uint32_t *threads;
	size_t nthreads, threads_cap;

	/* Patterns as typed (NULL when unset) and compiled (REG_EXTENDED). */
	char *focus, *hide;
	regex_t focus_re, hide_re;
};

/*
 * Initializes f with the defaults: CPU mode, cumulative scope with a
 * FILTER_DEFAULT_WINDOW seconds window ready, sort by flat (natural order),
 * function granularity, FILTER_DEFAULT_NODE_FRACTION, all threads, no
 * focus or hide. Release with filter_free().
 */
void filter_init(struct filter *f);

/* Frees what f owns (thread set, patterns); f can be re-initialized. */
void filter_free(struct filter *f);

/*
 * Sets (or with NULL or "" clears) the focus / hide pattern, a POSIX
 * extended regex matched anywhere in names. Returns 0, or -1 with *cause set
 * to a message (caller frees) when the pattern does not compile; the
 * previous pattern is kept then.
 */
int filter_set_focus(struct filter *f, const char *pattern, char **cause);
int filter_set_hide(struct filter *f, const char *pattern, char **cause);

/* Adds thread index idx to the set, or removes it when present. */
void filter_thread_toggle(struct filter *f, uint32_t idx);

/* True when idx is selected, or when the set is empty (all threads). */
bool filter_thread_selected(const struct filter *f, uint32_t idx);

/* Empties the thread set: all threads. */
void filter_threads_clear(struct filter *f);

/*
 * The samples count c contributes under f's mode and scope in snapshot s
 * (0 when outside the window); ignores the thread set.
 */
uint64_t filter_count_value(const struct filter *f,
			    const struct profile_snapshot *s,
			    const struct profile_count *c);

#endif
