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
#include "views/shortname.h"

/* Formats one row of the table. */
static void
top_screen_row(void *arg, size_t idx, int width, char *buf, size_t bufsz,
	       int *style)
{
	struct tui *t = arg;
	const struct top_row *r = &t->top.table.rows[idx];
	char name[1024], label[1100], cut[1100], shown[1024];
	int n, room, w;

	/* C++ names short unless D asked for them in full. */
	if (t->full_names)
		snprintf(shown, sizeof(shown), "%s", r->name);
	else
		shortname_cpp(r->name, shown, sizeof(shown));
	if (r->file != NULL && r->line > 0) {
		const char *base = strrchr(r->file, '/');

		snprintf(label, sizeof(label), "%s %s:%d", shown,
			 base ? base + 1 : r->file, r->line);
	} else {
		snprintf(label, sizeof(label), "%s%s", shown,
			 r->inl == TOP_INLINE_ALL	? " (inline)"
			 : r->inl == TOP_INLINE_PARTIAL ? " (partial-inline)"
							: "");
	}
	n = snprintf(buf, bufsz,
		     "%8" PRIu64 " %6.2f%% %6.2f%% %8" PRIu64 " %6.2f%%  ",
		     r->flat, r->flat_pct, r->sum_pct, r->cum, r->cum_pct);
	if (n < 0 || (size_t)n >= bufsz)
		return;
	if (t->base.what != NULL) {
		/* the change: flat% now minus flat% in the base */
		int m = snprintf(buf + n - 1, bufsz - (size_t)n + 1,
				 "%+7.2f%%  ",
				 r->flat_pct - diff_pct(&t->base, r->name));

		if (m < 0 || (size_t)(n - 1 + m) >= bufsz)
			return;
		n += m - 1;
	}
	if (t->objects) {
		/* the shared object: its file name */
		const char *o = r->object ? strrchr(r->object, '/') : NULL;
		char obj[64];
		int m;

		text_fit_end(o		 ? o + 1
			     : r->object ? r->object
					 : "?",
			     16, obj, sizeof(obj));
		m = snprintf(buf + n, bufsz - (size_t)n, "%s%*s  ", obj,
			     16 - text_width(obj), "");
		if (m < 0 || (size_t)(n + m) >= bufsz)
			return;
		n += m;
	}
	/* a long name keeps its end (the method); Left shows more of its
	   start, hscroll columns at a time cut from its end */
	room = width - n;
	w = text_width(label);
	if (t->top.hscroll > 0 && w > room) {
		int keep = w - t->top.hscroll;

		if (keep < room)
			keep = room;
		text_fit_start(label, keep - 1, cut, sizeof(cut));
		if (keep < w)
			strncat(cut, text_utf8() ? "\u2026" : "...",
				sizeof(cut) - strlen(cut) - 1);
		text_fit_end(cut, room, name, sizeof(name));
	} else {
		text_fit_end(label, room, name, sizeof(name));
	}
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

/* Why the table is empty, and the key that helps. */
static const char *
top_screen_empty(struct tui *t)
{
	const struct top_table *tt = &t->top.table;
	bool cpu = t->filter.mode == FILTER_MODE_CPU;

	if (t->shown == NULL || t->shown->samples == 0)
		return "No samples yet.";
	if (tt->total == 0)
		return cpu && t->filter.windowed
			       ? "No on-CPU samples in the last seconds (w: "
				 "cumulative, m: wall)."
		       : cpu ? "No on-CPU samples yet: the target sleeps (m: "
			       "wall time shows where)."
			     : "No samples in the last seconds (w: "
			       "cumulative).";
	if (t->filter.focus != NULL)
		return "No function matches the filter (\\ clears it).";
	if (t->filter.nthreads > 0)
		return cpu ? "The threads selected were idle: no on-CPU "
			     "samples (m: wall mode)."
			   : "The selected threads have no samples here (t: "
			     "other threads).";
	return "No samples to show.";
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
	if (t->base.what != NULL)
		len += (size_t)snprintf(title + len, sizeof(title) - len,
					"  Δflat%% ");
	if (t->objects)
		len += (size_t)snprintf(title + len, sizeof(title) - len,
					" %-16s ", "shared object");
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
		move(y + 2, 2);
		tui_put(CRT_NORMAL, top_screen_empty(t));
		return;
	}
	browser_draw(&ts->list, y + 1, height - 1, COLS);
}

enum tui_result
top_screen_action(struct tui *t, enum tui_action a)
{
	struct top_screen *ts = &t->top;
	enum tui_result r = browser_action(&ts->list, a);

	if (r != TUI_UNHANDLED) {
		top_screen_remember(ts);
		return r;
	}
	switch (a) {
	case ACT_OPEN:
		if (ts->list.sel >= ts->table.nrows)
			return TUI_REDRAW;
		source_screen_open(t, ts->table.rows[ts->list.sel].function,
				   false);
		return TUI_REBUILD;
	case ACT_ANNOTATE:
		if (ts->list.sel >= ts->table.nrows)
			return TUI_REDRAW;
		annotate_screen_open(t, ts->table.rows[ts->list.sel].function);
		return TUI_REBUILD;
	case ACT_BASE:
		if (t->base.what != NULL) {
			diff_free(&t->base);
			tui_message(t, CRT_OK, "Diff base dropped");
		} else {
			char what[64];
			long sec = (long)(tui_profiled_ns(t) / 1000000000);

			snprintf(what, sizeof(what), "marked at %ld:%02ld",
				 sec / 60, sec % 60);
			diff_from_table(&ts->table, what, &t->base);
			tui_message(t, CRT_OK,
				    "Diff base marked: Δflat%% is flat%% now "
				    "minus then (w: the last seconds only)");
		}
		return TUI_REDRAW;
	case ACT_SCROLL_LEFT:
		if (ts->hscroll < 1000)
			ts->hscroll += 16;
		return TUI_REDRAW;
	case ACT_SCROLL_RIGHT:
		ts->hscroll = ts->hscroll > 16 ? ts->hscroll - 16 : 0;
		return TUI_REDRAW;
	default:
		return TUI_UNHANDLED;
	}
}

void
top_screen_moved(struct tui *t)
{
	top_screen_remember(&t->top);
}

void
top_screen_free(struct top_screen *ts)
{
	top_free(&ts->table);
}
