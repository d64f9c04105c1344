#ifndef CPT_TUI_BROWSER_H
#define CPT_TUI_BROWSER_H

/*
 * One generic scrolling list (after perf's ui/browser.c) that every screen
 * reuses: rows, the top row shown, the selected row, and a callback that
 * formats one row as text. It handles the moving keys and returns the
 * others to the caller. Main thread.
 */

#include <stdbool.h>
#include <stddef.h>

#include "tui/keys.h"

/* What a key handler did; one loop applies it (after htop's Panel.h). */
enum tui_result {
	TUI_UNHANDLED, /* not mine: let the caller try */
	TUI_REDRAW,    /* handled; draw the screen again */
	TUI_REBUILD,   /* the view state changed: rebuild the models, draw */
	TUI_QUIT,
};

struct browser {
	size_t nrows, top, sel;
	int height; /* rows shown by the last browser_draw() */
	bool focused;
	bool nocursor; /* the selected row looks like the others */
	/*
	 * Formats row idx into buf (bufsz bytes) for width columns and may set
	 * *style (enum crt_style) for an unselected row.
	 */
	void (*row)(void *arg, size_t idx, int width, char *buf, size_t bufsz,
		    int *style);
	void *arg;
};

/* Sets the number of rows, keeping the selection inside. */
void browser_set_rows(struct browser *b, size_t nrows);

/* Selects row idx (clamped); the next draw scrolls to show it. */
void browser_select(struct browser *b, size_t idx);

/*
 * Draws the rows from screen line y for height lines and width columns,
 * scrolling so the selected row shows; clears lines past the last row.
 */
void browser_draw(struct browser *b, int y, int height, int width);

/*
 * Applies a moving action (ACT_UP, ACT_DOWN, ACT_PGUP, ACT_PGDN, ACT_HOME,
 * ACT_END). Returns TUI_REDRAW when it used the action, else TUI_UNHANDLED.
 */
enum tui_result browser_action(struct browser *b, enum tui_action a);

#endif
