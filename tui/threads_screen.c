/*
 * The thread list (`t`): every thread of the target with its samples in
 * scope; space or Enter toggles a thread in the filter's thread set, `a`
 * selects all again, `x` only the threads of the selected one's process
 * (again: all); c/i/A/o sort by samples, TID, name, on-CPU % (the
 * column marked in the title), r reverses. Narrow screens drop the share%
 * and on-CPU% columns before the hottest function gets too short to read.
 */
#include "config.h"

#include <curses.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "tui/crt.h"
#include "tui/text.h"
#include "tui/tui-int.h"

/* The hottest function gets at least this many columns when it can. */
#define THREADS_HOT_MIN 20

/* Columns of the process (PID, name), when children are followed. */
#define THREADS_PROC_WIDTH 24

/* Columns: which optional ones fit in width. */
static void
threads_screen_columns(int width, bool procs, bool *share, bool *oncpu)
{
	int prefix = 56 + (procs ? THREADS_PROC_WIDTH : 0); /* all shown */

	*share = *oncpu = true;
	if (width - prefix < THREADS_HOT_MIN) {
		*share = false;
		prefix -= 8;
	}
	if (width - prefix < THREADS_HOT_MIN)
		*oncpu = false;
}

static void
threads_screen_row(void *arg, size_t idx, int width, char *buf, size_t bufsz,
		   int *style)
{
	struct tui *t = arg;
	const struct threads_row *r = &t->threads.table.rows[idx];
	bool wall = t->filter.mode == FILTER_MODE_WALL, share, oncpu;
	char name[64], proc[64], procs[96] = "", hot[512], col[32];
	int n, m;

	threads_screen_columns(width, t->threads.table.processes, &share,
			       &oncpu);
	text_fit_start(r->name ? r->name : "", 15, name, sizeof(name));
	if (t->threads.table.processes) {
		text_fit_start(r->process ? r->process : "", 15, proc,
			       sizeof(proc));
		snprintf(procs, sizeof(procs), " %7d %s%*s", (int)r->pid, proc,
			 15 - text_width(proc), "");
	}
	n = snprintf(buf, bufsz, "%s%s %7d %s%*s %c %8" PRIu64,
		     r->selected ? "[x]" : "[ ]", procs, (int)r->tid, name,
		     15 - text_width(name), "", r->alive ? r->state : '-',
		     wall ? r->wall : r->cpu);
	if (n < 0 || (size_t)n >= bufsz)
		return;
	if (share) {
		snprintf(col, sizeof(col), " %6.1f%%",
			 wall ? r->wall_share : r->cpu_share);
		m = snprintf(buf + n, bufsz - (size_t)n, "%s", col);
		n += m > 0 ? m : 0;
	}
	if (oncpu) {
		snprintf(col, sizeof(col), " %6.1f%%", r->on_cpu_pct);
		m = snprintf(buf + n, bufsz - (size_t)n, "%s", col);
		n += m > 0 ? m : 0;
	}
	if ((size_t)n + 3 >= bufsz)
		return;
	strcat(buf, "  ");
	n += 2;
	text_fit_end(r->hottest_name ? r->hottest_name : "-", width - n, hot,
		     sizeof(hot));
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
		      ts->reverse, &ts->table);
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

/* Appends a column title of width columns (right-aligned, or left with
   left), with mark after it when marked. */
static void
threads_screen_col(char *buf, size_t bufsz, const char *name, int width,
		   bool left, bool marked, const char *mark)
{
	size_t len = strlen(buf);
	int pad = width - (int)strlen(name) - (marked ? 1 : 0);

	if (pad < 0)
		pad = 0;
	snprintf(buf + len, bufsz - len, "%*s%s%s%*s", left ? 0 : pad, "", name,
		 marked ? mark : "", left ? pad : 0, "");
}

/* The title with the sort column marked as in the table (▼ natural order:
   most samples, lowest TID, A-Z first; ▲ reversed). */
void
threads_screen_draw(struct tui *t, int y, int height)
{
	struct threads_screen *ts = &t->threads;
	const char *mark = text_utf8() ? (ts->reverse ? "\u25b2" : "\u25bc")
				       : (ts->reverse ? "^" : "v");
	enum threads_sort key = ts->by_key ? ts->key : THREADS_SORT_CPU;
	bool share, oncpu;
	char title[256] = "sel ";

	threads_screen_columns(COLS, ts->table.processes, &share, &oncpu);
	if (ts->table.processes) {
		threads_screen_col(title, sizeof(title), "PID", 7, false, false,
				   mark);
		strcat(title, " ");
		threads_screen_col(title, sizeof(title), "process", 15, true,
				   false, mark);
		strcat(title, " ");
	}
	threads_screen_col(title, sizeof(title), "TID", 7, false,
			   key == THREADS_SORT_TID, mark);
	strcat(title, " ");
	threads_screen_col(title, sizeof(title), "name", 15, true,
			   key == THREADS_SORT_NAME, mark);
	strcat(title, " S ");
	threads_screen_col(title, sizeof(title), "samples", 8, false,
			   key == THREADS_SORT_CPU || key == THREADS_SORT_WALL,
			   mark);
	if (share)
		threads_screen_col(title, sizeof(title), "share%", 8, false,
				   false, mark);
	if (oncpu)
		threads_screen_col(title, sizeof(title), "oncpu%", 8, false,
				   key == THREADS_SORT_ONCPU, mark);
	strcat(title, "  hottest function");
	tui_draw_title(y, title);
	browser_draw(&ts->list, y + 1, height - 1, COLS);
}

static enum tui_result
threads_screen_sort(struct threads_screen *ts, bool by_key,
		    enum threads_sort key)
{
	if (ts->by_key != by_key || (by_key && ts->key != key))
		ts->reverse = false; /* a new column starts natural */
	ts->by_key = by_key;
	ts->key = key;
	return TUI_REBUILD;
}

enum tui_result
threads_screen_action(struct tui *t, enum tui_action a)
{
	struct threads_screen *ts = &t->threads;
	enum tui_result r = browser_action(&ts->list, a);

	if (r != TUI_UNHANDLED) {
		threads_screen_moved(t);
		return r;
	}
	switch (a) {
	case ACT_SELECT:
		if (ts->list.sel >= ts->table.nrows)
			return TUI_REDRAW;
		filter_thread_toggle(&t->filter,
				     ts->table.rows[ts->list.sel].thread);
		return TUI_REBUILD;
	case ACT_ALL_THREADS:
		filter_threads_clear(&t->filter);
		return TUI_REBUILD;
	case ACT_PROCESS:
		if (ts->list.sel >= ts->table.nrows || t->shown == NULL)
			return TUI_REDRAW;
		threads_select_process(t->shown, &t->filter,
				       ts->table.rows[ts->list.sel].pid);
		return TUI_REBUILD;
	case ACT_SORT_SAMPLES:
		return threads_screen_sort(ts, false, THREADS_SORT_CPU);
	case ACT_SORT_TID:
		return threads_screen_sort(ts, true, THREADS_SORT_TID);
	case ACT_SORT_NAME:
		return threads_screen_sort(ts, true, THREADS_SORT_NAME);
	case ACT_SORT_ONCPU:
		return threads_screen_sort(ts, true, THREADS_SORT_ONCPU);
	case ACT_REVERSE:
		ts->reverse = !ts->reverse;
		return TUI_REBUILD;
	case ACT_BACK:
		t->screen = TUI_SCREEN_TOP;
		return TUI_REBUILD;
	default:
		return TUI_UNHANDLED;
	}
}

void
threads_screen_moved(struct tui *t)
{
	struct threads_screen *ts = &t->threads;

	if (ts->list.sel < ts->table.nrows)
		ts->sel_tid = ts->table.rows[ts->list.sel].tid;
}

void
threads_screen_free(struct threads_screen *ts)
{
	threads_free(&ts->table);
}
