/*
 * The heap modes of the main screen (--heap; `m` after CPU and wall): the
 * top table of heap in-use or allocated bytes per function (views/heap.h)
 * and the weights the tree and flame views draw in these modes,
 * cumulative or, in window mode, what grew in the last N seconds (the
 * delta of two heap snapshots: a leak shows as in-use growth), and the
 * header's live bytes estimate and allocation rate. A heap snapshot is
 * taken with every sampler snapshot (about each second) and the last
 * HEAP_HISTORY kept for the windows and the rate.
 */
#include "config.h"

#include <curses.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/outfile.h"
#include "sampler/heapprof.h"
#include "sampler/profile.h"
#include "tui/crt.h"
#include "tui/text.h"
#include "tui/tui-int.h"
#include "views/heap.h"
#include "views/shortname.h"

/* The allocation rate is measured over the last this many seconds. */
#define HEAP_RATE_SECONDS 5

bool
heap_screen_on(const struct tui *t)
{
	return t->heap.on;
}

/* The shown view's values are bytes (else objects). */
static bool
heap_screen_bytes(const struct tui *t)
{
	return t->heap.view == HEAP_VIEW_INUSE_SPACE ||
	       t->heap.view == HEAP_VIEW_ALLOC_SPACE;
}

/* The newest snapshot of the history at least secs older than the last,
   or the oldest (the profile's start) when none is. */
static size_t
heap_screen_back(const struct heap_screen *hs, uint32_t secs)
{
	const struct heapprof_snapshot *last = hs->history[hs->nhistory - 1];
	size_t i = hs->nhistory - 1;

	while (i > 0 && last->duration_ns - hs->history[i]->duration_ns <
				(int64_t)secs * 1000000000)
		i--;
	return i;
}

void
heap_screen_update(struct tui *t)
{
	struct heap_screen *hs = &t->heap;
	struct heapprof_snapshot *s;
	size_t back;

	if (t->opt->heap == NULL)
		return;
	s = heapprof_snapshot(t->opt->heap);
	if (hs->nhistory == HEAP_HISTORY) {
		heapprof_snapshot_free(hs->history[0]);
		memmove(hs->history, hs->history + 1,
			(HEAP_HISTORY - 1) * sizeof(hs->history[0]));
		memmove(hs->totals, hs->totals + 1,
			(HEAP_HISTORY - 1) * sizeof(hs->totals[0]));
		hs->nhistory--;
	}
	/* the older ones need their buckets only (deltas, totals): their
	   copies of the tables go (a big profile's are megabytes) */
	if (hs->nhistory > 0) {
		struct heapprof_snapshot *prev = hs->history[hs->nhistory - 1];

		profile_snapshot_unref(prev->tables);
		prev->tables = NULL;
	}
	hs->history[hs->nhistory] = s;
	heap_totals(s, hs->totals[hs->nhistory]);
	hs->nhistory++;
	/* the header's figures: live bytes now, bytes allocated per second
	   over the last HEAP_RATE_SECONDS */
	back = heap_screen_back(hs, HEAP_RATE_SECONDS);
	hs->live = hs->totals[hs->nhistory - 1][HEAP_VIEW_INUSE_SPACE];
	hs->rate_known = back < hs->nhistory - 1;
	if (hs->rate_known) {
		int64_t dt = s->duration_ns - hs->history[back]->duration_ns;

		hs->rate =
			dt > 0 ? (int64_t)((double)(hs->totals
							    [hs->nhistory - 1]
							    [HEAP_VIEW_ALLOC_SPACE] -
						    hs->totals
							    [back]
							    [HEAP_VIEW_ALLOC_SPACE]) *
					   1e9 / (double)dt)
			       : 0;
	}
}

void
heap_screen_rebuild(struct tui *t)
{
	struct heap_screen *hs = &t->heap;
	size_t back;

	if (hs->nhistory == 0)
		return;
	/* p holds the table (the history goes on); keys re-sort it */
	if (t->frozen && hs->shown != NULL)
		;
	else if (t->filter.windowed) {
		heapprof_snapshot_free(hs->shown);
		back = heap_screen_back(hs, t->filter.window_seconds);
		hs->shown = heap_delta(hs->history[back],
				       hs->history[hs->nhistory - 1]);
	} else {
		const struct heapprof_snapshot *last =
			hs->history[hs->nhistory - 1];
		/* a copy that shares the tables: the delta from nothing */
		struct heapprof_snapshot none = *last;

		heapprof_snapshot_free(hs->shown);
		none.nbuckets = 0;
		none.samples = none.frees = none.unknown_frees = 0;
		none.dropped = none.stalled = none.malformed = 0;
		none.untracked = none.overflow = 0;
		none.execs = none.forks = none.strays = none.late = 0;
		none.duration_ns = 0;
		hs->shown = heap_delta(&none, last);
		hs->shown->start_unix_ns = last->start_unix_ns;
	}
	free(hs->rows);
	hs->rows = heap_table(hs->shown, hs->view,
			      t->filter.sort == FILTER_SORT_CUM, &hs->nrows);
	heap_totals(hs->shown, hs->shown_totals);
	browser_set_rows(&hs->list, hs->nrows);
	/* the selection follows its function across rebuilds */
	for (size_t i = 0; hs->has_sel && i < hs->nrows; i++)
		if (hs->rows[i].function == hs->sel_function) {
			browser_select(&hs->list, i);
			break;
		}
}

bool
heap_screen_weights(const struct tui *t, struct view_weights *w)
{
	if (!t->heap.on || t->heap.shown == NULL)
		return false;
	heap_weights(t->heap.shown, t->heap.view, w);
	return true;
}

void
heap_screen_label(const struct tui *t, uint64_t v, char *buf, size_t bufsz)
{
	heap_label(buf, bufsz, v > INT64_MAX ? INT64_MAX : (int64_t)v,
		   heap_screen_bytes(t));
}

void
heap_screen_value(const struct tui *t, uint64_t v, char *buf, size_t bufsz)
{
	if (heap_screen_on(t))
		heap_screen_label(t, v, buf, bufsz);
	else
		snprintf(buf, bufsz, "%" PRIu64, v);
}

const char *
heap_screen_what(const struct tui *t)
{
	if (t->heap.view != HEAP_VIEW_INUSE_SPACE)
		return "allocated";
	return t->filter.windowed ? "in-use growth" : "in use";
}

static double
heap_screen_pct(int64_t v, int64_t total)
{
	return total != 0 ? 100.0 * (double)v / (double)total : 0.0;
}

static void
heap_screen_row(void *arg, size_t idx, int width, char *buf, size_t bufsz,
		int *style)
{
	struct tui *t = arg;
	struct heap_screen *hs = &t->heap;
	const struct heap_row *r = &hs->rows[idx];
	const char *name = hs->shown->tables->functions[r->function].name;
	int64_t tot = hs->shown_totals[hs->view], sum = 0;
	bool bytes = heap_screen_bytes(t);
	char flat[32], cum[32], shown[1024], fit[1100];
	int n;

	(void)style;
	for (size_t i = 0; i <= idx; i++)
		sum += hs->rows[i].flat;
	heap_label(flat, sizeof(flat), r->flat, bytes);
	heap_label(cum, sizeof(cum), r->cum, bytes);
	if (t->full_names)
		snprintf(shown, sizeof(shown), "%s", name ? name : "?");
	else
		shortname_cpp(name ? name : "?", shown, sizeof(shown));
	n = snprintf(buf, bufsz, "%9s %6.2f%% %6.2f%% %9s %6.2f%%  ", flat,
		     heap_screen_pct(r->flat, tot), heap_screen_pct(sum, tot),
		     cum, heap_screen_pct(r->cum, tot));
	if (n < 0 || (size_t)n >= bufsz)
		return;
	text_fit_end(shown, width - n > 1 ? width - n : 1, fit, sizeof(fit));
	snprintf(buf + n, bufsz - (size_t)n, "%s", fit);
}

void
heap_screen_draw(struct tui *t, int y, int height)
{
	struct heap_screen *hs = &t->heap;
	bool cum = t->filter.sort == FILTER_SORT_CUM;
	char title[256];

	if (hs->shown == NULL) {
		move(y, 0);
		tui_put(CRT_NORMAL, "waiting for the first heap snapshot...");
		return;
	}
	snprintf(title, sizeof(title), "%9s %7s %7s %9s %7s  function",
		 cum ? "flat" : "flat▼", "flat%", "sum%", cum ? "cum▼" : "cum",
		 "cum%");
	tui_draw_title(y, title);
	hs->list.row = heap_screen_row;
	hs->list.arg = t;
	hs->list.focused = true;
	browser_draw(&hs->list, y + 1, height - 1, COLS);
}

/* The header's heap figures, for every mode: "12.50MB +1.20MB/s". */
void
heap_screen_figures(const struct tui *t, char *buf, size_t bufsz)
{
	const struct heap_screen *hs = &t->heap;
	char live[32], rate[32];

	if (hs->nhistory == 0) {
		snprintf(buf, bufsz, "starting");
		return;
	}
	heap_label(live, sizeof(live), hs->live, true);
	if (hs->rate_known) {
		heap_label(rate, sizeof(rate), hs->rate, true);
		snprintf(buf, bufsz, "%s in use, allocating %s/s", live, rate);
	} else {
		snprintf(buf, bufsz, "%s in use", live);
	}
}

/*
 * Puts label (normal style) and value (style) at the cursor, on line *y,
 * or from column indent of the next line (*y moved on, the label's
 * leading spaces dropped) when they do not fit in what is left of it.
 */
static void
heap_screen_field(int *y, int indent, const char *label, int style,
		  const char *value)
{
	int cy, x;

	getyx(stdscr, cy, x);
	(void)cy;
	if (x > indent && x + (int)(strlen(label) + strlen(value)) > COLS) {
		move(++*y, indent);
		label += strspn(label, " ");
	}
	tui_put(CRT_NORMAL, label);
	tui_put(style, value);
}

/*
 * Lines 1 to 3 of the header in a heap mode: the figures and the rate; the
 * counts on a line of their own, wrapped at their commas onto more when
 * wider than the screen (every loss shows, at 80 columns too); the mode,
 * scope, sort, filter and the keys' hint, a field that does not fit on
 * the line on the next. Returns the next line.
 */
int
heap_screen_header(struct tui *t, int y)
{
	struct heap_screen *hs = &t->heap;
	const struct heapprof_snapshot *s =
		hs->nhistory ? hs->history[hs->nhistory - 1] : NULL;
	char figures[128], rate[32];
	const int mode_indent = sizeof("Mode ") - 1;

	heap_screen_figures(t, figures, sizeof(figures));
	move(y, 0);
	tui_put(CRT_NORMAL, "Heap ");
	tui_put(CRT_HEADER, figures);
	heap_label(rate, sizeof(rate), s ? (int64_t)s->rate : 0, true);
	tui_put(CRT_NORMAL, "  Rate ");
	tui_put(CRT_HEADER, "one sample per ");
	tui_put(CRT_HEADER, rate);
	move(++y, 0);
	if (s != NULL) {
		char line[512], part[512];
		bool lost = heap_counts(line, sizeof(line), s);
		const char *p = line;
		const int indent = sizeof("Samples ") - 1;

		/* wrapped at its commas: a narrow screen cuts no loss */
		tui_put(CRT_NORMAL, "Samples ");
		for (;;) {
			size_t n = text_wrap_list(p, COLS - indent);

			memcpy(part, p, n);
			part[n] = '\0';
			tui_put(lost ? CRT_ALERT : CRT_HEADER, part);
			p += n;
			if (*p == '\0')
				break;
			p += *p == ' ';
			move(++y, indent);
		}
	}
	move(++y, 0);
	tui_put(CRT_NORMAL, "Mode ");
	tui_put(CRT_HEADER, hs->view == HEAP_VIEW_INUSE_SPACE
				    ? (t->filter.windowed ? "heap in-use growth"
							  : "heap in-use")
				    : "heap allocated");
	if (t->filter.windowed) {
		char w[32];

		snprintf(w, sizeof(w), "last %" PRIu32 " s",
			 t->filter.window_seconds);
		heap_screen_field(&y, mode_indent, "  Scope ", CRT_HEADER, w);
	} else {
		heap_screen_field(&y, mode_indent, "  Scope ", CRT_HEADER,
				  "since start");
	}
	heap_screen_field(&y, mode_indent, "  Sort ", CRT_HEADER,
			  t->filter.sort == FILTER_SORT_CUM ? "cum" : "flat");
	if (t->filter.focus != NULL) {
		/* the source, tree and flame views apply it, the table not */
		char focus[300];

		snprintf(focus, sizeof(focus), "/%s/ (not the table)",
			 t->filter.focus);
		heap_screen_field(&y, mode_indent, "  Filter ", CRT_HEADER,
				  focus);
	}
	heap_screen_field(&y, mode_indent, "  ", CRT_NORMAL,
			  "(m: CPU; t, a: CPU modes only)");
	return y + 1;
}

/* The next mode of `m`: CPU, wall, heap in-use, heap allocated. */
void
heap_screen_mode_next(struct tui *t)
{
	struct heap_screen *hs = &t->heap;

	if (hs->on && hs->view == HEAP_VIEW_INUSE_SPACE) {
		hs->view = HEAP_VIEW_ALLOC_SPACE;
	} else if (hs->on) {
		hs->on = false;
		t->filter.mode = FILTER_MODE_CPU;
		t->tree.opened = false; /* open CPU's hottest path too */
		if (t->screen != TUI_SCREEN_TREE &&
		    t->screen != TUI_SCREEN_FLAME)
			t->screen = TUI_SCREEN_TOP; /* the source's id is the
						       heap's */
	} else if (t->filter.mode == FILTER_MODE_CPU) {
		t->filter.mode = FILTER_MODE_WALL;
	} else if (t->opt->heap != NULL) {
		hs->on = true;
		hs->view = HEAP_VIEW_INUSE_SPACE;
		t->tree.opened = false; /* open the heap's hottest path too */
		/* the tree and the flame view have the heap's too */
		if (t->screen != TUI_SCREEN_TREE &&
		    t->screen != TUI_SCREEN_FLAME)
			t->screen = TUI_SCREEN_TOP;
	} else {
		t->filter.mode = FILTER_MODE_CPU;
	}
}

enum tui_result
heap_screen_action(struct tui *t, enum tui_action a)
{
	struct heap_screen *hs = &t->heap;
	enum tui_result r = browser_action(&hs->list, a);

	if (r != TUI_UNHANDLED) {
		hs->has_sel = hs->list.sel < hs->nrows;
		if (hs->has_sel)
			hs->sel_function = hs->rows[hs->list.sel].function;
		return r;
	}
	switch (a) {
	/* the view keys that mean the same here */
	case ACT_QUIT:
	case ACT_HELP:
	case ACT_PAUSE:
	case ACT_PAUSE_SAMPLING:
	case ACT_SAVE:
	case ACT_SORT_FLAT:
	case ACT_SORT_CUM:
	case ACT_FULL_NAMES:
	case ACT_WINDOW:
	case ACT_WINDOW_SHORTER:
	case ACT_WINDOW_LONGER:
	case ACT_REFRESH_FASTER:
	case ACT_REFRESH_SLOWER:
	case ACT_MODE:
	case ACT_REDRAW:
	case ACT_TREE:
	case ACT_FLAME:
		return TUI_UNHANDLED;
	case ACT_OPEN:
		/* the source view and the callers/callees, in bytes */
		if (hs->list.sel >= hs->nrows)
			return TUI_REDRAW;
		source_screen_open(t, hs->rows[hs->list.sel].function, false);
		return TUI_REBUILD;
	case ACT_SORT_NEXT:
	case ACT_SORT_PREV:
		t->filter.sort = t->filter.sort == FILTER_SORT_CUM
					 ? FILTER_SORT_FLAT
					 : FILTER_SORT_CUM;
		return TUI_REBUILD;
	default:
		/* never silently: the CPU views have no heap counterpart */
		tui_message(t, CRT_ALERT,
			    "The heap modes show this table, Enter's source, "
			    "the tree (T) and the flame view (F): m goes on "
			    "to CPU for the others");
		return TUI_REDRAW;
	}
}

int
heap_screen_save(struct tui *t, const char *path)
{
	struct heap_screen *hs = &t->heap;
	char *cause = NULL, total[32];
	uint8_t *buf;
	size_t len;
	int rc;

	if (hs->shown == NULL) {
		tui_message(t, CRT_ALERT, "Not saved: no heap snapshot yet");
		return -1;
	}
	heap_pprof_gzip(hs->shown, hs->view, &buf, &len);
	rc = outfile_write(path, buf, len, &cause);
	free(buf);
	if (rc != 0) {
		tui_message(t, CRT_ALERT, "Save failed: %s", cause);
		free(cause);
		return -1;
	}
	heap_label(total, sizeof(total),
		   hs->shown_totals[HEAP_VIEW_INUSE_SPACE], true);
	tui_message(t, CRT_OK, "Saved %s: Go's heap profile (%s in use, %s)",
		    path, total,
		    t->filter.windowed ? "the window's delta" : "since start");
	return 0;
}

void
heap_screen_free(struct heap_screen *hs)
{
	for (size_t i = 0; i < hs->nhistory; i++)
		heapprof_snapshot_free(hs->history[i]);
	hs->nhistory = 0;
	heapprof_snapshot_free(hs->shown);
	hs->shown = NULL;
	free(hs->rows);
	hs->rows = NULL;
}
