/*
 * The thread list (`t`): every thread of the target with its samples in
 * scope; space or Enter toggles a thread in the filter's thread set, `a`
 * selects all again.
 */
#include "config.h"

#include <curses.h>
#include <inttypes.h>
#include <stdio.h>

#include "tui/crt.h"
#include "tui/text.h"
#include "tui/tui-int.h"

/* Columns before the hottest function. */
#define THREADS_PREFIX 56

static void
threads_screen_row(void *arg, size_t idx, int width, char *buf, size_t bufsz,
		   int *style)
{
	struct tui *t = arg;
	const struct threads_row *r = &t->threads.table.rows[idx];
	bool wall = t->filter.mode == FILTER_MODE_WALL;
	char name[64], hot[512];
	int n;

	text_fit_start(r->name ? r->name : "", 15, name, sizeof(name));
	n = snprintf(buf, bufsz,
		     "%s %7d %s%*s %c %8" PRIu64 " %6.1f%% %6.1f%%  ",
		     r->selected ? "[x]" : "[ ]", (int)r->tid, name,
		     15 - text_width(name), "", r->alive ? r->state : '-',
		     wall ? r->wall : r->cpu,
		     wall ? r->wall_share : r->cpu_share, r->on_cpu_pct);
	if (n < 0 || (size_t)n >= bufsz)
		return;
	text_fit_end(r->hottest_name ? r->hottest_name : "-",
		     width - THREADS_PREFIX, hot, sizeof(hot));
	snprintf(buf + n, bufsz - (size_t)n, "%s", hot);
	if (r->selected)
		*style = CRT_HOT;
}

void
threads_screen_rebuild(struct tui *t)
{
	struct threads_screen *ts = &t->threads;

	threads_free(&ts->table);
	if (t->shown == NULL)
		return;
	threads_build(t->shown, &t->filter,
		      ts->by_key			   ? ts->key
		      : t->filter.mode == FILTER_MODE_WALL ? THREADS_SORT_WALL
							   : THREADS_SORT_CPU,
		      false, &ts->table);
	ts->list.row = threads_screen_row;
	ts->list.arg = t;
	ts->list.focused = true;
	browser_set_rows(&ts->list, ts->table.nrows);
	for (size_t i = 0; i < ts->table.nrows; i++)
		if (ts->table.rows[i].tid == ts->sel_tid)
			browser_select(&ts->list, i);
	if (ts->list.sel < ts->table.nrows)
		ts->sel_tid = ts->table.rows[ts->list.sel].tid;
}

void
threads_screen_draw(struct tui *t, int y, int height)
{
	tui_draw_title(y, "sel     TID name            S  samples  share% "
			  " oncpu%  hottest function");
	browser_draw(&t->threads.list, y + 1, height - 1, COLS);
}

static enum tui_result
threads_screen_sort(struct threads_screen *ts, enum threads_sort key)
{
	ts->by_key = true;
	ts->key = key;
	return TUI_REBUILD;
}

enum tui_result
threads_screen_key(struct tui *t, int key)
{
	struct threads_screen *ts = &t->threads;
	enum tui_result r = browser_key(&ts->list, key);

	if (r != TUI_UNHANDLED) {
		if (ts->list.sel < ts->table.nrows)
			ts->sel_tid = ts->table.rows[ts->list.sel].tid;
		return r;
	}
	switch (key) {
	case ' ':
	case '\n':
	case '\r':
	case KEY_ENTER:
		if (ts->list.sel >= ts->table.nrows)
			return TUI_REDRAW;
		filter_thread_toggle(&t->filter,
				     ts->table.rows[ts->list.sel].thread);
		return TUI_REBUILD;
	case 'a':
		filter_threads_clear(&t->filter);
		return TUI_REBUILD;
	case 'c':
	case 'f':
		ts->by_key = false; /* samples in the current mode */
		return TUI_REBUILD;
	case 'i':
		return threads_screen_sort(ts, THREADS_SORT_TID);
	case 'n':
		return threads_screen_sort(ts, THREADS_SORT_NAME);
	case 'o':
		return threads_screen_sort(ts, THREADS_SORT_ONCPU);
	case 't':
	case 27:
	case KEY_LEFT:
	case KEY_BACKSPACE:
	case 127:
		t->screen = TUI_SCREEN_TOP;
		return TUI_REBUILD;
	}
	return TUI_UNHANDLED;
}

void
threads_screen_free(struct threads_screen *ts)
{
	threads_free(&ts->table);
}
