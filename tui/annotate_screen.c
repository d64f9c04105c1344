/*
 * The annotate view (`a` on a function in the table, the tree or the
 * source view): the function's instructions from views/annotate.h with
 * per-instruction flat and cum, source lines between; the hottest
 * instruction selected first (`H` goes back to it); Esc goes back.
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

static void
annotate_screen_count(char *buf, size_t bufsz, uint64_t n)
{
	if (n == 0)
		snprintf(buf, bufsz, "%8s", ".");
	else
		snprintf(buf, bufsz, "%8" PRIu64, n);
}

static void
annotate_screen_row(void *arg, size_t idx, int width, char *buf, size_t bufsz,
		    int *style)
{
	struct tui *t = arg;
	const struct annotate_view *v = &t->annotate.view;
	const struct annotate_row *r = &v->rows[idx];
	char flat[32], cum[32];

	if (r->source) {
		snprintf(buf, bufsz, "%17s %6d  %s", "", r->line,
			 r->text ? r->text : "");
		*style = CRT_HEADER;
	} else {
		annotate_screen_count(flat, sizeof(flat), r->flat);
		annotate_screen_count(cum, sizeof(cum), r->cum);
		snprintf(buf, bufsz, "%s %s  %12" PRIx64 "  %s", flat, cum,
			 r->address, r->text ? r->text : "");
		if ((long)idx == v->hottest)
			*style = CRT_HOT;
	}
	(void)width;
}

void
annotate_screen_open(struct tui *t, uint32_t function)
{
	struct annotate_screen *as = &t->annotate;

	as->from = t->screen == TUI_SCREEN_ANNOTATE ? as->from : t->screen;
	if (as->function != function)
		as->built = 0;
	as->function = function;
	as->to_hottest = true;
	as->list.sel = as->list.top = 0;
	t->screen = TUI_SCREEN_ANNOTATE;
}

void
annotate_screen_rebuild(struct tui *t)
{
	struct annotate_screen *as = &t->annotate;
	const struct annotate_view *v = &as->view;
	struct source_options so = {
		.pid = t->shown ? t->shown->pid : 0,
		.paths = t->opt->source_paths,
		.npaths = t->opt->nsource_paths,
	};

	if (t->shown == NULL) {
		t->screen = as->from;
		return;
	}
	if (as->built == (uint64_t)as->function + 1 && as->view.ninsns > 0 &&
	    as->function < t->shown->nfunctions) {
		/* the same code: only the counts change */
		annotate_count(t->shown, &t->filter, &as->view);
	} else {
		annotate_free(&as->view);
		as->built = 0;
		if (annotate_build(t->shown, &t->filter, as->function, &so,
				   &as->view) != 0) {
			t->screen = as->from;
			return;
		}
		as->built = (uint64_t)as->function + 1;
	}
	as->list.row = annotate_screen_row;
	as->list.arg = t;
	as->list.focused = true;
	browser_set_rows(&as->list, v->nrows);
	if (as->to_hottest && v->hottest >= 0) {
		as->list.top = v->hottest > 3 ? (size_t)v->hottest - 3 : 0;
		browser_select(&as->list, (size_t)v->hottest);
		as->to_hottest = false;
	} else {
		for (size_t i = 0; i < v->nrows; i++)
			if (!v->rows[i].source &&
			    v->rows[i].address == as->sel_addr)
				browser_select(&as->list, i);
	}
	annotate_screen_moved(t);
}

void
annotate_screen_draw(struct tui *t, int y, int height)
{
	const struct annotate_view *v = &t->annotate.view;
	double total = v->total ? (double)v->total : 1;
	char title[2048], name[1024], file[512];
	int used, room;

	/* counts only when there is code to count them on */
	used = v->note != NULL
		       ? snprintf(title, sizeof(title), "annotate ")
		       : snprintf(title, sizeof(title),
				  "flat %" PRIu64 " (%.2f%%)  cum %" PRIu64
				  " (%.2f%%)  annotate ",
				  v->flat, 100.0 * (double)v->flat / total,
				  v->cum, 100.0 * (double)v->cum / total);
	if (used < 0 || (size_t)used >= sizeof(title))
		return;
	room = COLS - 1 - used;
	text_fit_end(v->file ? v->file : "", room / 3, file, sizeof(file));
	text_fit_end(v->name ? v->name : "?", room - text_width(file) - 2, name,
		     sizeof(name));
	snprintf(title + used, sizeof(title) - (size_t)used, "%s  %s", name,
		 file);
	tui_draw_title(y, title);
	if (v->note != NULL) {
		move(y + 2, 1);
		tui_put(CRT_ALERT, v->note);
		return;
	}
	if (v->outside > 0) {
		/* the function's samples this code does not hold */
		char line[256];

		snprintf(line, sizeof(line),
			 "+ %" PRIu64 " samples of %s outside this code "
			 "(e.g. at %#" PRIx64 ")",
			 v->outside, "the function", v->outside_at);
		move(y + height - 1, 0);
		tui_put(CRT_ALERT, line);
		height--;
	}
	move(y + 1, 0);
	attrset(crt_attr[CRT_HEADER]);
	addstr("    flat      cum       address  instruction (source lines "
	       "between)");
	attrset(A_NORMAL);
	clrtoeol();
	browser_draw(&t->annotate.list, y + 2, height - 2, COLS);
}

enum tui_result
annotate_screen_action(struct tui *t, enum tui_action a)
{
	struct annotate_screen *as = &t->annotate;
	enum tui_result r = browser_action(&as->list, a);

	if (r != TUI_UNHANDLED) {
		annotate_screen_moved(t);
		return r;
	}
	switch (a) {
	case ACT_HOTTEST:
		as->to_hottest = true;
		return TUI_REBUILD;
	case ACT_BACK:
		t->screen = as->from;
		return TUI_REBUILD;
	default:
		return TUI_UNHANDLED;
	}
}

void
annotate_screen_moved(struct tui *t)
{
	struct annotate_screen *as = &t->annotate;
	const struct annotate_view *v = &as->view;

	if (as->list.sel < v->nrows && !v->rows[as->list.sel].source)
		as->sel_addr = v->rows[as->list.sel].address;
}

void
annotate_screen_free(struct annotate_screen *as)
{
	annotate_free(&as->view);
}
