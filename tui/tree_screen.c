/*
 * The call tree (`T`): top-down (callees below) or bottom-up (callers
 * below, Tab flips) from views/tree.h, with cum and flat per node. The
 * hottest path is expanded at the first build and after a flip; Right/+
 * expand, Left/- collapse, E/C expand/collapse everything, Enter opens the
 * node's function in the source view. Expanded nodes and the selection are
 * kept across rebuilds by path. In a heap mode the values are the heap's
 * bytes (tui/heap_screen.c), labelled as the heap table labels them.
 */
#include "config.h"

#include <curses.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/xmalloc.h"
#include "tui/crt.h"
#include "tui/text.h"
#include "tui/tui-int.h"

/* Columns before the tree: "%8s %6.2f%% %8s %6.2f%%  " (samples), or
   "%9s %6.2f%% %9s %6.2f%%  " (bytes: "1023.99kB"). */
#define TREE_PREFIX 35
#define TREE_PREFIX_HEAP 37

static bool
tree_screen_is_open(const struct tree_screen *ts, uint64_t path)
{
	for (size_t i = 0; i < ts->nopen; i++)
		if (ts->open[i] == path)
			return true;
	return false;
}

static void
tree_screen_set_open(struct tree_screen *ts, uint64_t path, bool open)
{
	for (size_t i = 0; i < ts->nopen; i++)
		if (ts->open[i] == path) {
			if (!open)
				ts->open[i] = ts->open[--ts->nopen];
			return;
		}
	if (!open)
		return;
	if (ts->nopen == ts->open_cap) {
		ts->open_cap = ts->open_cap ? 2 * ts->open_cap : 64;
		ts->open = xreallocarray(ts->open, ts->open_cap,
					 sizeof(*ts->open));
	}
	ts->open[ts->nopen++] = path;
}

/* Appends node and, when open, its visible descendants to ts->rows. */
static void
tree_screen_flatten(struct tree_screen *ts, size_t first)
{
	const struct tree_view *v = &ts->view;

	/* iterative: depth is bounded by the stacks, but stay off the C
	   stack anyway */
	size_t node = first;

	while (node != TREE_NONE) {
		const struct tree_node *n = &v->nodes[node];

		ts->rows[ts->nrows++] = node;
		if (n->first_child != TREE_NONE &&
		    tree_screen_is_open(ts, n->path)) {
			node = n->first_child;
			continue;
		}
		/* next sibling, or climb to an ancestor's next sibling */
		while (node != TREE_NONE &&
		       v->nodes[node].next_sibling == TREE_NONE)
			node = v->nodes[node].parent;
		if (node != TREE_NONE)
			node = v->nodes[node].next_sibling;
	}
}

static void
tree_screen_row(void *arg, size_t idx, int width, char *buf, size_t bufsz,
		int *style)
{
	struct tui *t = arg;
	const struct tree_screen *ts = &t->tree;
	const struct tree_node *n = &ts->view.nodes[ts->rows[idx]];
	double total = ts->view.total ? (double)ts->view.total : 1;
	bool open = tree_screen_is_open(ts, n->path);
	const char *mark = n->first_child == TREE_NONE ? "  "
			   : text_utf8() ? (open ? "\u25be " : "\u25b8 ")
			   : open	 ? "- "
					 : "+ ";
	bool heap = heap_screen_on(t);
	int indent = 2 * (int)n->depth, w = heap ? 9 : 8;
	int room = width - (heap ? TREE_PREFIX_HEAP : TREE_PREFIX);
	char cum[32], flat[32], name[1024];
	int len;

	if (indent > room / 2)
		indent = room / 2; /* deep trees: keep room for names */
	heap_screen_value(t, n->cum, cum, sizeof(cum));
	if (n->flat > 0)
		heap_screen_value(t, n->flat, flat, sizeof(flat));
	else
		snprintf(flat, sizeof(flat), ".");
	len = snprintf(buf, bufsz, "%*s %6.2f%% %*s %6.2f%%  %*s%s", w, cum,
		       100.0 * (double)n->cum / total, w, flat,
		       100.0 * (double)n->flat / total, indent, "", mark);
	if (len < 0 || (size_t)len >= bufsz)
		return;
	text_fit_end(n->name ? n->name : "?", room - indent - 2, name,
		     sizeof(name));
	snprintf(buf + len, bufsz - (size_t)len, "%s", name);
	(void)style;
}

/* Opens the hottest path (roots to the hottest leaf). */
static void
tree_screen_open_hottest(struct tree_screen *ts)
{
	size_t path[256], n;

	n = tree_hottest_path(&ts->view, TREE_NONE, path, 256);
	for (size_t i = 0; i < n; i++)
		if (ts->view.nodes[path[i]].first_child != TREE_NONE)
			tree_screen_set_open(ts, ts->view.nodes[path[i]].path,
					     true);
}

void
tree_screen_rebuild(struct tui *t)
{
	struct tree_screen *ts = &t->tree;
	size_t at;

	tree_free(&ts->view);
	free(ts->rows);
	ts->rows = NULL;
	ts->nrows = 0;
	if (t->shown == NULL)
		return;
	if (heap_screen_on(t)) {
		struct view_weights w;

		if (!heap_screen_weights(t, &w))
			return; /* no heap snapshot yet */
		tree_build_weights(&w, &t->filter, ts->bottom_up, &ts->view);
	} else {
		tree_build(t->shown, &t->filter, ts->bottom_up, &ts->view);
	}
	if (!ts->opened && ts->view.nnodes > 0) {
		tree_screen_open_hottest(ts);
		ts->opened = true;
	}
	ts->rows = xmalloc((ts->view.nnodes + 1) * sizeof(*ts->rows));
	tree_screen_flatten(ts, ts->view.first_root);
	ts->list.row = tree_screen_row;
	ts->list.arg = t;
	ts->list.focused = true;
	browser_set_rows(&ts->list, ts->nrows);
	at = tree_find(&ts->view, ts->sel_path);
	for (size_t i = 0; at != TREE_NONE && i < ts->nrows; i++)
		if (ts->rows[i] == at)
			browser_select(&ts->list, i);
	tree_screen_moved(t);
}

void
tree_screen_draw(struct tui *t, int y, int height)
{
	struct tree_screen *ts = &t->tree;
	bool heap = heap_screen_on(t);
	char title[256], left[64];

	snprintf(title, sizeof(title), "%s (Tab: %s)",
		 ts->bottom_up ? "callers (bottom-up)" : "callees (top-down)",
		 ts->bottom_up ? "top-down" : "bottom-up");
	if (heap) {
		char head[512];

		/* the bytes of the stacks that shrank are in no node */
		heap_screen_label(t, ts->view.left_out, left, sizeof(left));
		snprintf(head, sizeof(head),
			 "      cum    cum%%      flat   flat%%  %s, bytes "
			 "%s%s%s%s",
			 title, heap_screen_what(t),
			 ts->view.left_out ? " (stacks that shrank by " : "",
			 ts->view.left_out ? left : "",
			 ts->view.left_out ? " left out)" : "");
		tui_draw_title(y, head);
	} else {
		char head[512];

		snprintf(head, sizeof(head),
			 "     cum    cum%%     flat   "
			 "flat%%  %s",
			 title);
		tui_draw_title(y, head);
	}
	if (ts->nrows == 0) {
		attrset(crt_attr[CRT_NORMAL]);
		mvaddstr(y + 2, 2,
			 heap && t->heap.shown == NULL
				 ? "Waiting for the first heap snapshot..."
			 : heap ? "No heap bytes to show."
				: "No samples to show.");
		return;
	}
	browser_draw(&ts->list, y + 1, height - 1, COLS);
}

/* The selected node, or TREE_NONE. */
static size_t
tree_screen_sel(const struct tree_screen *ts)
{
	return ts->list.sel < ts->nrows ? ts->rows[ts->list.sel] : TREE_NONE;
}

/* Selects node (when visible) and remembers it. */
static void
tree_screen_select(struct tui *t, size_t node)
{
	struct tree_screen *ts = &t->tree;

	for (size_t i = 0; i < ts->nrows; i++)
		if (ts->rows[i] == node)
			browser_select(&ts->list, i);
	tree_screen_moved(t);
}

enum tui_result
tree_screen_action(struct tui *t, enum tui_action a)
{
	struct tree_screen *ts = &t->tree;
	enum tui_result r = browser_action(&ts->list, a);
	size_t sel = tree_screen_sel(ts);
	const struct tree_node *n =
		sel != TREE_NONE ? &ts->view.nodes[sel] : NULL;

	if (r != TUI_UNHANDLED) {
		tree_screen_moved(t);
		return r;
	}
	switch (a) {
	case ACT_EXPAND:
		if (n == NULL || n->first_child == TREE_NONE)
			return TUI_REDRAW;
		if (tree_screen_is_open(ts, n->path)) {
			ts->sel_path = ts->view.nodes[n->first_child].path;
		} else {
			tree_screen_set_open(ts, n->path, true);
		}
		return TUI_REBUILD;
	case ACT_COLLAPSE:
		if (n == NULL)
			return TUI_REDRAW;
		if (n->first_child != TREE_NONE &&
		    tree_screen_is_open(ts, n->path)) {
			tree_screen_set_open(ts, n->path, false);
			return TUI_REBUILD;
		}
		if (n->parent != TREE_NONE)
			tree_screen_select(t, n->parent);
		return TUI_REDRAW;
	case ACT_EXPAND_ALL:
		for (size_t i = 0; i < ts->view.nnodes; i++)
			if (ts->view.nodes[i].first_child != TREE_NONE)
				tree_screen_set_open(ts, ts->view.nodes[i].path,
						     true);
		return TUI_REBUILD;
	case ACT_COLLAPSE_ALL:
		ts->nopen = 0;
		ts->sel_path = 0;
		ts->list.sel = ts->list.top = 0;
		return TUI_REBUILD;
	case ACT_FLIP:
		ts->bottom_up = !ts->bottom_up;
		ts->nopen = 0;
		ts->opened = false;
		ts->sel_path = 0;
		ts->list.sel = ts->list.top = 0;
		return TUI_REBUILD;
	case ACT_OPEN:
		if (n == NULL)
			return TUI_REDRAW;
		/* in a heap mode, an id of the heap's tables: the source
		   view counts the heap's bytes then */
		source_screen_open(t, n->function, false);
		return TUI_REBUILD;
	case ACT_ANNOTATE:
		if (heap_screen_on(t)) {
			tui_message(t, CRT_ALERT,
				    "The annotate view is CPU's: m goes on to "
				    "CPU");
			return TUI_REDRAW;
		}
		if (n == NULL)
			return TUI_REDRAW;
		annotate_screen_open(t, n->function);
		return TUI_REBUILD;
	case ACT_BACK:
		t->screen = TUI_SCREEN_TOP;
		return TUI_REBUILD;
	default:
		return TUI_UNHANDLED;
	}
}

void
tree_screen_moved(struct tui *t)
{
	struct tree_screen *ts = &t->tree;
	size_t sel = tree_screen_sel(ts);

	if (sel != TREE_NONE)
		ts->sel_path = ts->view.nodes[sel].path;
}

void
tree_screen_free(struct tree_screen *ts)
{
	tree_free(&ts->view);
	free(ts->rows);
	free(ts->open);
	memset(ts, 0, sizeof(*ts));
}
