#ifndef CPT_TUI_TUI_INT_H
#define CPT_TUI_TUI_INT_H

/*
 * Private to tui/: the state of the screen and the screens' entry points.
 * Every screen rebuilds its models from t->shown and t->filter
 * (*_rebuild), draws them (*_draw) and handles its keys (*_key, returning
 * TUI_UNHANDLED for keys the global handler in tui.c should try). Main
 * thread only.
 */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "tui/browser.h"
#include "tui/keys.h"
#include "tui/tui.h"
#include "views/annotate.h"
#include "views/diff.h"
#include "views/filter.h"
#include "views/heap.h"
#include "views/peek.h"
#include "views/source.h"
#include "views/threads.h"
#include "views/top.h"
#include "views/tree.h"

/* Below this size the screen shows a message instead of the tables. */
#define TUI_MIN_COLS 60
#define TUI_MIN_LINES 15

struct top_screen {
	struct top_table table;
	struct browser list;
	struct top_row key; /* the selected row, to find it after rebuilds */
	bool has_key;
	int hscroll; /* Left/Right: columns cut from the end of long names */
};

struct threads_screen {
	struct threads_table table;
	struct browser list;
	pid_t sel_tid; /* the selected thread, kept across rebuilds */
	bool by_key;   /* sorted by key below, not by samples in the mode */
	enum threads_sort key;
	bool reverse; /* r: the other way */
};

struct tree_screen {
	struct tree_view view;
	struct browser list;
	bool bottom_up; /* Tab */
	/* Paths (tree_node.path) expanded, kept across rebuilds; the
	   hottest path is opened at the first build and after a flip. */
	uint64_t *open;
	size_t nopen, open_cap;
	bool opened;	   /* the hottest path was opened once */
	uint64_t sel_path; /* the selected node, kept across rebuilds */
	size_t *rows;	   /* visible nodes, in order */
	size_t nrows;
};

struct flame_screen {
	struct tree_view view; /* top-down */
	uint64_t zoom[64];     /* paths zoomed into, outermost first */
	size_t depth;
	uint64_t sel_path; /* the selected frame */
	int sel_row;	   /* its row, kept when it vanishes */
	struct flame_layout layout;
	int top; /* first row shown */
};

struct annotate_screen {
	uint32_t function;
	uint64_t built; /* function + 1 whose code view holds, or 0 */
	struct annotate_view view;
	struct browser list;
	bool to_hottest;      /* select the hottest at the next build */
	uint64_t sel_addr;    /* the selected instruction, across rebuilds */
	enum tui_screen from; /* where Esc goes back to */
};

enum tui_prompt {
	TUI_PROMPT_NONE,
	TUI_PROMPT_FILTER, /* `/` */
	TUI_PROMPT_SEARCH, /* F3 */
	TUI_PROMPT_SAVE,   /* `s`: the path */
};

#define SOURCE_HISTORY 64

struct source_screen {
	uint32_t function;
	uint32_t history[SOURCE_HISTORY]; /* functions to go back to */
	size_t depth;
	struct source_view view;
	struct peek_view peek;
	bool built;
	struct browser lines; /* source rows */
	struct browser edges; /* callers, then callees */
	bool to_hottest;      /* select the hottest line at the next build */
	int sel_line;	      /* the selected line, kept across rebuilds */
	enum tui_screen from; /* where Esc goes back to */
	bool heap; /* opened in a heap mode: function and history are ids of
		      the heap's tables, the values its bytes */
};

#define HEAP_HISTORY 64

/* The heap modes (--heap), tui/heap_screen.c. */
struct heap_screen {
	bool on;	     /* m: a heap mode, not CPU or wall */
	enum heap_view view; /* HEAP_VIEW_INUSE_SPACE or _ALLOC_SPACE */
	/* a heap snapshot per sampler snapshot, oldest first, and their
	   totals; only the newest keeps its tables */
	struct heapprof_snapshot *history[HEAP_HISTORY];
	int64_t totals[HEAP_HISTORY][HEAP_VIEW_COUNT];
	size_t nhistory;
	int64_t live, rate; /* bytes in use; allocated per second */
	bool rate_known;
	/* the table: cumulative, or the window's delta (owned) */
	struct heapprof_snapshot *shown;
	int64_t shown_totals[HEAP_VIEW_COUNT];
	struct heap_row *rows;
	size_t nrows;
	struct browser list;
	uint32_t sel_function; /* kept across rebuilds */
	bool has_sel;
};

struct tui {
	struct sampler *sampler;
	const struct tui_options *opt;
	struct profile_snapshot *latest; /* newest snapshot taken */
	struct profile_snapshot *shown;	 /* the one drawn and saved */
	struct filter filter;
	bool frozen;	      /* p: the screen holds its snapshot */
	bool sampling_paused; /* P: the sampler takes no samples */
	bool full_names;      /* D: C++ names in full, not shortened */
	enum tui_screen screen, before_help;
	char msg[512]; /* status line, until the next message */
	int msg_style; /* enum crt_style */
	bool flash;    /* an unknown key: the hint bar shows it */
	enum tui_prompt prompting;
	char prompt[1024];
	size_t prompt_len;
	char search[256];   /* the last search, for n/N */
	size_t search_from; /* the row the incremental search started on */
	bool search_failed; /* the last search step found nothing */
	char *start_dir;    /* where cproftop started: saves go there */
	int64_t paused_ns;  /* time with sampling paused, not profiled */
	int64_t pause_at;   /* duration_ns when sampling was paused */
	struct top_screen top;
	struct threads_screen threads;
	struct source_screen source;
	struct tree_screen tree;
	struct flame_screen flame;
	struct annotate_screen annotate;
	struct diff_base base; /* b or --base; base.what NULL: none */
	unsigned refresh;      /* seconds between screens ([ ]) */
	int64_t shown_at;      /* CLOCK_MONOTONIC of the last new screen */
	bool objects;	       /* O: the shared object column */
	struct heap_screen heap;
};

/* header.c: the header, the titles, the message line and the hint bar */
void tui_message(struct tui *t, int style, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
/* Writes s at the cursor in style (enum crt_style), clipped to the
   screen's width. */
void tui_put(int style, const char *s);
int tui_draw_header(struct tui *t, bool full);
void tui_draw_title(int y, const char *text);
void tui_draw_message(struct tui *t);
void tui_draw_bar(struct tui *t);
/* The profiled time of the snapshot shown: without sampling pauses. */
int64_t tui_profiled_ns(const struct tui *t);

/* prompt.c: the prompts (filter, search, save path) and the save */
enum tui_result tui_prompt_open(struct tui *t, enum tui_prompt kind);
enum tui_result tui_prompt_key(struct tui *t, int key);
/* n/N: the next (dir 1) or previous (-1) row matching t->search. */
enum tui_result tui_search_next(struct tui *t, int dir);

/* The browser and row text of the current screen's searchable list
   (NULL when it has none). */
struct browser *tui_search_list(struct tui *t);
const char *tui_search_text(struct tui *t, size_t row, char *buf, size_t bufsz);
/* The current screen's list selection moved: remember its key. */
void tui_selection_moved(struct tui *t);

void top_screen_rebuild(struct tui *t);
void top_screen_draw(struct tui *t, int y, int height);
enum tui_result top_screen_action(struct tui *t, enum tui_action a);
void top_screen_free(struct top_screen *ts);
void top_screen_moved(struct tui *t);

void threads_screen_rebuild(struct tui *t);
void threads_screen_draw(struct tui *t, int y, int height);
enum tui_result threads_screen_action(struct tui *t, enum tui_action a);
void threads_screen_free(struct threads_screen *ts);
void threads_screen_moved(struct tui *t);

void tree_screen_rebuild(struct tui *t);
void tree_screen_draw(struct tui *t, int y, int height);
enum tui_result tree_screen_action(struct tui *t, enum tui_action a);
void tree_screen_free(struct tree_screen *ts);
void tree_screen_moved(struct tui *t);

void annotate_screen_open(struct tui *t, uint32_t function);
void annotate_screen_rebuild(struct tui *t);
void annotate_screen_draw(struct tui *t, int y, int height);
enum tui_result annotate_screen_action(struct tui *t, enum tui_action a);
void annotate_screen_moved(struct tui *t);
void annotate_screen_free(struct annotate_screen *as);

void flame_screen_rebuild(struct tui *t);
void flame_screen_draw(struct tui *t, int y, int height);
enum tui_result flame_screen_action(struct tui *t, enum tui_action a);
void flame_screen_free(struct flame_screen *fs);

/* Opens the source view of function; push keeps the current one to go
   back to with Esc. */
void source_screen_open(struct tui *t, uint32_t function, bool push);
void source_screen_rebuild(struct tui *t);
void source_screen_draw(struct tui *t, int y, int height);
enum tui_result source_screen_action(struct tui *t, enum tui_action a);
void source_screen_free(struct source_screen *ss);

/* heap_screen.c: the heap modes (--heap) */
bool heap_screen_on(const struct tui *t);
/* Takes a heap snapshot into the history (with each sampler snapshot). */
void heap_screen_update(struct tui *t);
void heap_screen_rebuild(struct tui *t);
void heap_screen_draw(struct tui *t, int y, int height);
enum tui_result heap_screen_action(struct tui *t, enum tui_action a);
/* m: CPU, wall, then (with --heap) heap in-use, heap allocated. */
void heap_screen_mode_next(struct tui *t);
/* Header lines from y in a heap mode; returns the next line. */
int heap_screen_header(struct tui *t, int y);
/* "12.50MB in use, allocating 1.20MB/s" for the header. */
void heap_screen_figures(const struct tui *t, char *buf, size_t bufsz);
/*
 * In a heap mode with a heap snapshot, fills *w with the shown view's
 * (stack, bytes) pairs (cumulative, or the window's delta) for
 * tree_build_weights() and returns true; w borrows t->heap.shown until
 * the next heap_screen_rebuild(). Else returns false.
 */
bool heap_screen_weights(const struct tui *t, struct view_weights *w);
/* A heap mode's value v as the heap table labels it ("12.50MB"). */
void heap_screen_label(const struct tui *t, uint64_t v, char *buf,
		       size_t bufsz);
/* v as the mode counts it: heap bytes in a heap mode (as
   heap_screen_label()), else samples ("1234"). */
void heap_screen_value(const struct tui *t, uint64_t v, char *buf,
		       size_t bufsz);
/* What the heap mode's values are: "in use", "in-use growth",
   "allocated". */
const char *heap_screen_what(const struct tui *t);
/* s in a heap mode: the table's heap profile to path. 0 or -1 (said). */
int heap_screen_save(struct tui *t, const char *path);
void heap_screen_free(struct heap_screen *hs);

void help_draw(struct tui *t, int y, int height);
enum tui_result help_action(struct tui *t, enum tui_action a);

#endif
