/*
 * The main screen's table: pprof's top (flat flat% sum% cum cum% function)
 * from views/top.h, with the selection kept across rebuilds by row key.
 */
#include "config.h"

#include <curses.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "sampler/profile.h"
#include "tui/crt.h"
#include "tui/text.h"
#include "tui/tui-int.h"

/* Columns before the name: "%8s %7s %7s %8s %7s  ". */
#define TOP_PREFIX 43

/* Formats one row of the table. */
static void
top_screen_row(void *arg, size_t idx, int width, char *buf, size_t bufsz,
	       int *style)
{
	struct tui *t = arg;
	const struct top_row *r = &t->top.table.rows[idx];
	char name[1024], label[1100];
	int n;

	if (r->file != NULL && r->line > 0) {
		const char *base = strrchr(r->file, '/');

		snprintf(label, sizeof(label), "%s %s:%d", r->name,
			 base ? base + 1 : r->file, r->line);
	} else {
		snprintf(label, sizeof(label), "%s%s", r->name,
			 r->inl == TOP_INLINE_ALL	? " (inline)"
			 : r->inl == TOP_INLINE_PARTIAL ? " (partial-inline)"
							: "");
	}
	n = snprintf(buf, bufsz,
		     "%8" PRIu64 " %6.2f%% %6.2f%% %8" PRIu64 " %6.2f%%  ",
		     r->flat, r->flat_pct, r->sum_pct, r->cum, r->cum_pct);
	if (n < 0 || (size_t)n >= bufsz)
		return;
	text_fit_end(label, width - TOP_PREFIX, name, sizeof(name));
	snprintf(buf + n, bufsz - (size_t)n, "%s", name);
	(void)style;
}

/* Remembers the selected row's key to find it again after a rebuild. */
static void
top_screen_remember(struct top_screen *ts)
{
	ts->has_key = ts->list.sel < ts->table.nrows;
	if (ts->has_key)
		ts->key = ts->table.rows[ts->list.sel];
}

void
top_screen_rebuild(struct tui *t)
{
	struct top_screen *ts = &t->top;
	long at;

	top_free(&ts->table);
	if (t->shown == NULL)
		return;
	top_build(t->shown, &t->filter, 0, &ts->table);
	ts->list.row = top_screen_row;
	ts->list.arg = t;
	ts->list.focused = true;
	browser_set_rows(&ts->list, ts->table.nrows);
	at = ts->has_key ? top_find(&ts->table, &ts->key) : -1;
	if (at >= 0)
		browser_select(&ts->list, (size_t)at);
	top_screen_remember(ts);
}

/* The column title, with the sort column marked. */
static void
top_screen_title(struct tui *t, int y)
{
	static const char *const names[] = {"flat", "flat%", "sum%", "cum",
					    "cum%"};
	static const int widths[] = {8, 7, 7, 8, 7};
	const char *mark = text_utf8()
				   ? (t->filter.reverse ? "\u25b2" : "\u25bc")
				   : (t->filter.reverse ? "^" : "v");
	int marked = t->filter.sort == FILTER_SORT_FLAT	 ? 0
		     : t->filter.sort == FILTER_SORT_CUM ? 3
							 : -1;
	char title[256], col[32];
	size_t len = 0;

	title[0] = '\0';
	for (int i = 0; i < 5; i++) {
		bool m = i == marked;

		snprintf(col, sizeof(col), "%s%s", names[i], m ? mark : "");
		len += (size_t)snprintf(
			title + len, sizeof(title) - len, "%*s%s ",
			widths[i] - (int)strlen(names[i]) - (m ? 1 : 0), "",
			col);
	}
	snprintf(title + len, sizeof(title) - len, " function%s",
		 marked < 0 ? mark : "");
	tui_draw_title(y, title);
}

void
top_screen_draw(struct tui *t, int y, int height)
{
	struct top_screen *ts = &t->top;

	top_screen_title(t, y);
	if (ts->table.nrows == 0) {
		attrset(crt_attr[CRT_NORMAL]);
		mvaddstr(y + 2, 2,
			 t->shown == NULL || t->shown->samples == 0
				 ? "No samples yet."
				 : "No function matches the filter.");
		return;
	}
	browser_draw(&ts->list, y + 1, height - 1, COLS);
}

enum tui_result
top_screen_key(struct tui *t, int key)
{
	struct top_screen *ts = &t->top;
	enum tui_result r = browser_key(&ts->list, key);

	if (r != TUI_UNHANDLED) {
		top_screen_remember(ts);
		return r;
	}
	if ((key == '\n' || key == '\r' || key == KEY_ENTER ||
	     key == KEY_RIGHT) &&
	    ts->list.sel < ts->table.nrows) {
		source_screen_open(t, ts->table.rows[ts->list.sel].function,
				   false);
		return TUI_REBUILD;
	}
	return TUI_UNHANDLED;
}

void
top_screen_free(struct top_screen *ts)
{
	top_free(&ts->table);
}
