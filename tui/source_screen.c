/*
 * The source view of one function (Enter on a row): per-line flat and cum
 * from views/source.h, the hottest line selected first (`H` goes back to
 * it), and below it the callers and callees from views/peek.h; Tab moves
 * between the two lists, Enter on a caller or callee opens its source, Esc
 * goes back. Opened in a heap mode, it counts the heap's bytes
 * (tui/heap_screen.c) and goes back when the mode leaves the heap.
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

/* n as the view counts: samples ("%8"), or heap bytes ("%9"); "." for
   none. */
static void
source_screen_count(const struct tui *t, char *buf, size_t bufsz, uint64_t n)
{
	char label[32];
	int w = t->source.heap ? 9 : 8;

	if (n == 0)
		snprintf(label, sizeof(label), ".");
	else if (t->source.heap)
		heap_screen_label(t, n, label, sizeof(label));
	else
		snprintf(label, sizeof(label), "%" PRIu64, n);
	snprintf(buf, bufsz, "%*s", w, label);
}

static void
source_screen_line_row(void *arg, size_t idx, int width, char *buf,
		       size_t bufsz, int *style)
{
	struct tui *t = arg;
	const struct source_view *v = &t->source.view;
	const struct source_row *r = &v->rows[idx];
	char flat[32], cum[32];

	source_screen_count(t, flat, sizeof(flat), r->flat);
	source_screen_count(t, cum, sizeof(cum), r->cum);
	if (r->line == 0)
		snprintf(buf, bufsz, "%s %s  %#" PRIx64, flat, cum, r->address);
	else
		snprintf(buf, bufsz, "%s %s %6d  %s", flat, cum, r->line,
			 r->text ? r->text : "");
	if ((long)idx == v->hottest)
		*style = CRT_HOT;
	(void)width;
}

static void
source_screen_edge_row(void *arg, size_t idx, int width, char *buf,
		       size_t bufsz, int *style)
{
	struct tui *t = arg;
	const struct peek_view *p = &t->source.peek;
	bool caller = idx < p->ncallers;
	const struct peek_row *r =
		caller ? &p->callers[idx] : &p->callees[idx - p->ncallers];
	char name[1024], count[32];
	int n;

	source_screen_count(t, count, sizeof(count), r->count);
	n = snprintf(buf, bufsz, "%s %s %6.2f%%  ",
		     caller ? "caller" : "callee", count, r->share);
	if (n < 0 || (size_t)n >= bufsz)
		return;
	text_fit_end(r->name, width - n - 9, name, sizeof(name));
	snprintf(buf + n, bufsz - (size_t)n, "%s%s", name,
		 r->inline_edge ? " (inline)" : "");
	(void)style;
}

void
source_screen_open(struct tui *t, uint32_t function, bool push)
{
	struct source_screen *ss = &t->source;

	if (push && t->screen == TUI_SCREEN_SOURCE) {
		if (ss->depth == SOURCE_HISTORY) {
			for (size_t i = 1; i < SOURCE_HISTORY; i++)
				ss->history[i - 1] = ss->history[i];
			ss->depth--;
		}
		ss->history[ss->depth++] = ss->function;
	} else if (!push) {
		ss->depth = 0;
		ss->from = t->screen == TUI_SCREEN_SOURCE ? TUI_SCREEN_TOP
							  : t->screen;
	}
	ss->function = function;
	ss->heap = heap_screen_on(t);
	ss->to_hottest = true;
	ss->lines.focused = true;
	ss->edges.focused = false;
	ss->edges.sel = ss->edges.top = 0;
	t->screen = TUI_SCREEN_SOURCE;
}

/* Selects the line sel_line, or the hottest one when asked. */
static void
source_screen_reselect(struct source_screen *ss)
{
	struct source_view *v = &ss->view;

	browser_set_rows(&ss->lines, v->nrows);
	if (ss->to_hottest) {
		size_t h = v->hottest >= 0 ? (size_t)v->hottest : 0;

		ss->lines.top = h > 3 ? h - 3 : 0;
		browser_select(&ss->lines, h);
		ss->to_hottest = false;
	} else {
		for (size_t i = 0; i < v->nrows; i++)
			if (v->rows[i].line == ss->sel_line)
				browser_select(&ss->lines, i);
	}
	if (ss->lines.sel < v->nrows)
		ss->sel_line = v->rows[ss->lines.sel].line;
}

void
source_screen_rebuild(struct tui *t)
{
	struct source_screen *ss = &t->source;
	struct source_options so = {
		.pid = t->shown ? t->shown->pid : 0,
		.paths = t->opt->source_paths,
		.npaths = t->opt->nsource_paths,
	};

	if (ss->built) {
		source_free(&ss->view);
		peek_free(&ss->peek);
		ss->built = false;
	}
	if (ss->heap != heap_screen_on(t)) {
		/* m left (or entered) the heap: the function is an id of
		   the other tables */
		t->screen = TUI_SCREEN_TOP;
		return;
	}
	if (ss->heap) {
		struct view_weights w;

		if (!heap_screen_weights(t, &w) ||
		    source_build_weights(&w, &t->filter, ss->function, &so,
					 &ss->view) != 0) {
			t->screen = ss->from;
			return;
		}
		peek_build_weights(&w, &t->filter, ss->function, &ss->peek);
	} else {
		if (t->shown == NULL ||
		    source_build(t->shown, &t->filter, ss->function, &so,
				 &ss->view) != 0) {
			/* a function that vanished (reset): back where it
			   came from */
			t->screen = ss->from;
			return;
		}
		peek_build(t->shown, &t->filter, ss->function, &ss->peek);
	}
	ss->built = true;
	ss->lines.row = source_screen_line_row;
	ss->lines.arg = t;
	ss->edges.row = source_screen_edge_row;
	ss->edges.arg = t;
	source_screen_reselect(ss);
	browser_set_rows(&ss->edges, ss->peek.ncallers + ss->peek.ncallees);
}

/*
 * "flat N (x%)  cum N (y%)  name  file": the counts first so a long name
 * never pushes them off; the name keeps its end (the method) and the file
 * (the path DWARF gives, not where it was found under /proc/PID/root) its
 * file name, in the columns left.
 */
static void
source_screen_title(struct tui *t, int y)
{
	const struct source_view *v = &t->source.view;
	double total = v->total ? (double)v->total : 1;
	const char *file = v->file ? v->file : v->path ? v->path : NULL;
	char title[2048], name[1024], path[1024], flat[32], cum[32];
	int used, room, fw = 0;

	if (t->source.heap) {
		heap_screen_label(t, v->flat, flat, sizeof(flat));
		heap_screen_label(t, v->cum, cum, sizeof(cum));
	} else {
		snprintf(flat, sizeof(flat), "%" PRIu64, v->flat);
		snprintf(cum, sizeof(cum), "%" PRIu64, v->cum);
	}
	used = snprintf(title, sizeof(title),
			"%s%sflat %s (%.2f%%)  cum %s (%.2f%%)  ",
			t->source.heap ? heap_screen_what(t) : "",
			t->source.heap ? ": " : "", flat,
			100.0 * (double)v->flat / total, cum,
			100.0 * (double)v->cum / total);
	if (used < 0 || (size_t)used >= sizeof(title))
		return;
	if (v->left_out > 0) {
		/* stacks that shrank in the window are in no line */
		char left[32];
		int n;

		heap_screen_label(t, v->left_out, left, sizeof(left));
		n = snprintf(title + used, sizeof(title) - (size_t)used,
			     "(stacks that shrank by %s left out)  ", left);
		if (n > 0 && (size_t)n < sizeof(title) - (size_t)used)
			used += n;
	}
	room = COLS - 1 - used;
	path[0] = '\0';
	if (file != NULL && room > 20) {
		/* the file gets what the name leaves, at least a third */
		int nw = text_width(v->name ? v->name : "?");

		fw = text_width(file) + 2;
		if (fw > room - nw)
			fw = room - nw > room / 3 ? room - nw : room / 3;
		text_fit_end(file, fw - 2, path, sizeof(path));
		fw = text_width(path) + 2;
	}
	text_fit_end(v->name ? v->name : "?", room - fw, name, sizeof(name));
	snprintf(title + used, sizeof(title) - (size_t)used, "%s%s%s", name,
		 path[0] ? "  " : "", path);
	tui_draw_title(y, title);
}

/*
 * Draws the note (why there is no source text) from line y on, wrapped at
 * spaces within the screen's width and at most max lines, so its hint at
 * the end stays readable. Returns the lines used.
 */
static int
source_screen_note(const char *note, int y, int max)
{
	char line[1024];
	const char *p = note;
	int n = 0;

	while (*p != '\0' && n < max) {
		size_t len = strlen(p), cut = len;
		int w = COLS - 2;

		if (text_width(p) > w) {
			/* the last space within w columns (bytes ~ columns
			   for the ASCII notes; text_fit_start bounds it) */
			text_fit_start(p, w, line, sizeof(line));
			cut = strlen(line);
			while (cut > 0 && p[cut] != ' ')
				cut--;
			if (cut == 0)
				cut = strlen(line);
			/* keep a trailing "(hint)" on one line when it fits */
			{
				const char *hint = strrchr(p, '(');

				if (hint != NULL && hint > p &&
				    (size_t)(hint - p) < cut &&
				    (size_t)(hint - p) + 1 < len &&
				    text_width(hint) <= w && hint[-1] == ' ')
					cut = (size_t)(hint - p);
			}
		}
		snprintf(line, sizeof(line), "%.*s", (int)cut, p);
		move(y + n, 0);
		clrtoeol();
		attrset(crt_attr[CRT_ALERT]);
		mvaddstr(y + n, 1, line);
		attrset(A_NORMAL);
		n++;
		p += cut;
		while (*p == ' ')
			p++;
	}
	return n;
}

void
source_screen_draw(struct tui *t, int y, int height)
{
	struct source_screen *ss = &t->source;
	size_t nedges = ss->peek.ncallers + ss->peek.ncallees;
	int eh = (int)nedges, lh, avail;
	char title[1100], name[1024];

	if (!ss->built)
		return;
	source_screen_title(t, y);
	if (ss->view.note != NULL) {
		int used = source_screen_note(ss->view.note, y + 1, 5);

		y += used;
		height -= used;
	}
	avail = height - 3;
	if (eh < 1)
		eh = 1;
	if ((size_t)avail >= ss->view.nrows + 1 + (size_t)eh) {
		lh = (int)ss->view.nrows + 1; /* callers right below */
	} else {
		if (eh > avail / 3)
			eh = avail / 3 > 1 ? avail / 3 : 1;
		lh = avail - eh;
	}
	attrset(crt_attr[CRT_HEADER]);
	mvaddstr(y + 1, 0,
		 ss->heap ? "     flat       cum   line  source"
			  : "    flat      cum   line  source");
	attrset(A_NORMAL);
	clrtoeol();
	browser_draw(&ss->lines, y + 2, lh, COLS);
	text_fit_end(ss->view.name ? ss->view.name : "?", COLS - 40, name,
		     sizeof(name));
	snprintf(title, sizeof(title), "callers / callees of %s  (Tab: %s)",
		 name, ss->edges.focused ? "source" : "go there");
	tui_draw_title(y + 2 + lh, title);
	if (nedges == 0) {
		mvaddstr(y + 3 + lh, 2, "(no callers or callees sampled)");
		clrtoeol();
		return;
	}
	browser_draw(&ss->edges, y + 3 + lh, eh, COLS);
}

enum tui_result
source_screen_action(struct tui *t, enum tui_action a)
{
	struct source_screen *ss = &t->source;
	struct browser *focus = ss->edges.focused ? &ss->edges : &ss->lines;
	enum tui_result r = browser_action(focus, a);

	if (r != TUI_UNHANDLED) {
		if (ss->lines.sel < ss->view.nrows)
			ss->sel_line = ss->view.rows[ss->lines.sel].line;
		return r;
	}
	switch (a) {
	case ACT_PANE:
		ss->edges.focused = !ss->edges.focused &&
				    ss->peek.ncallers + ss->peek.ncallees > 0;
		ss->lines.focused = !ss->edges.focused;
		return TUI_REDRAW;
	case ACT_ANNOTATE:
		if (ss->heap) {
			tui_message(t, CRT_ALERT,
				    "The annotate view is CPU's: m goes on to "
				    "CPU");
			return TUI_REDRAW;
		}
		annotate_screen_open(t, ss->function);
		return TUI_REBUILD;
	case ACT_HOTTEST:
		ss->to_hottest = true;
		source_screen_reselect(ss);
		return TUI_REDRAW;
	case ACT_OPEN:
		if (!ss->edges.focused || ss->edges.sel >= ss->edges.nrows)
			return TUI_REDRAW;
		source_screen_open(
			t,
			ss->edges.sel < ss->peek.ncallers
				? ss->peek.callers[ss->edges.sel].function
				: ss->peek.callees[ss->edges.sel -
						   ss->peek.ncallers]
					  .function,
			true);
		return TUI_REBUILD;
	case ACT_BACK:
		if (ss->depth > 0) {
			ss->function = ss->history[--ss->depth];
			ss->to_hottest = true;
			ss->edges.focused = false;
			ss->lines.focused = true;
			ss->edges.sel = ss->edges.top = 0;
		} else {
			t->screen = ss->from;
		}
		return TUI_REBUILD;
	default:
		return TUI_UNHANDLED;
	}
}

void
source_screen_free(struct source_screen *ss)
{
	if (ss->built) {
		source_free(&ss->view);
		peek_free(&ss->peek);
		ss->built = false;
	}
}
