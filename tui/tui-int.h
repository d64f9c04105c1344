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
#include "tui/tui.h"
#include "views/filter.h"
#include "views/peek.h"
#include "views/source.h"
#include "views/threads.h"
#include "views/top.h"

/* Below this size the screen shows a message instead of the tables. */
#define TUI_MIN_COLS 60
#define TUI_MIN_LINES 15

enum tui_screen {
	TUI_SCREEN_TOP,
	TUI_SCREEN_THREADS,
	TUI_SCREEN_SOURCE,
	TUI_SCREEN_HELP,
};

struct top_screen {
	struct top_table table;
	struct browser list;
	struct top_row key; /* the selected row, to find it after rebuilds */
	bool has_key;
};

struct threads_screen {
	struct threads_table table;
	struct browser list;
	pid_t sel_tid; /* the selected thread, kept across rebuilds */
	bool by_key;   /* sorted by key below, not by samples in the mode */
	enum threads_sort key;
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
};

struct tui {
	struct sampler *sampler;
	const struct tui_options *opt;
	struct profile_snapshot *latest; /* newest snapshot taken */
	struct profile_snapshot *shown;	 /* the one drawn and saved */
	struct filter filter;
	bool frozen;	      /* p: the screen holds its snapshot */
	bool sampling_paused; /* P: the sampler takes no samples */
	enum tui_screen screen, before_help;
	char msg[512];	/* status line, until the next message */
	int msg_style;	/* enum crt_style */
	bool prompting; /* the `/` prompt is open */
	char prompt[256];
	size_t prompt_len;
	struct top_screen top;
	struct threads_screen threads;
	struct source_screen source;
};

/* tui.c */
void tui_message(struct tui *t, int style, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
int tui_draw_header(struct tui *t, bool full);
void tui_draw_title(int y, const char *text);

void top_screen_rebuild(struct tui *t);
void top_screen_draw(struct tui *t, int y, int height);
enum tui_result top_screen_key(struct tui *t, int key);
void top_screen_free(struct top_screen *ts);

void threads_screen_rebuild(struct tui *t);
void threads_screen_draw(struct tui *t, int y, int height);
enum tui_result threads_screen_key(struct tui *t, int key);
void threads_screen_free(struct threads_screen *ts);

/* Opens the source view of function; push keeps the current one to go
   back to with Esc. */
void source_screen_open(struct tui *t, uint32_t function, bool push);
void source_screen_rebuild(struct tui *t);
void source_screen_draw(struct tui *t, int y, int height);
enum tui_result source_screen_key(struct tui *t, int key);
void source_screen_free(struct source_screen *ss);

void help_draw(struct tui *t, int y, int height);
enum tui_result help_key(struct tui *t, int key);

#endif
