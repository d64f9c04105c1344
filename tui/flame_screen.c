/*
 * The flame view (`F`): an icicle of the top-down call tree (callers above
 * callees) in text cells, each frame as wide as its share of the samples,
 * names cut to fit, frames separated by `|` and alternating styles so it
 * reads in monochrome too. Arrows move between frames, Enter zooms into
 * the selected one (its width becomes the screen's), `-` zooms out, Esc
 * goes back. The zoom and the selection are kept across rebuilds by path.
 * In a heap mode the widths are the heap's bytes (tui/heap_screen.c).
 */
#include "config.h"

#include <curses.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "tui/crt.h"
#include "tui/text.h"
#include "tui/tui-int.h"

/* The zoom root: the innermost zoomed path still in the tree. */
static size_t
flame_screen_root(struct flame_screen *fs)
{
	while (fs->depth > 0) {
		size_t n = tree_find(&fs->view, fs->zoom[fs->depth - 1]);

		if (n != TREE_NONE)
			return n;
		fs->depth--;
	}
	return TREE_NONE;
}

/* The index of the selected cell, or of the first cell of its row. */
static size_t
flame_screen_sel(const struct flame_screen *fs)
{
	const struct flame_layout *l = &fs->layout;
	size_t best = 0;

	for (size_t i = 0; i < l->ncells; i++) {
		size_t node = l->cells[i].node;
		uint64_t path =
			node == TREE_NONE ? 0 : fs->view.nodes[node].path;

		if (path == fs->sel_path)
			return i;
		if (l->cells[i].row <= fs->sel_row)
			best = i; /* the last cell on or above the row */
	}
	return best;
}

static void
flame_screen_select(struct flame_screen *fs, size_t cell)
{
	const struct flame_cell *c = &fs->layout.cells[cell];

	fs->sel_path = c->node == TREE_NONE ? 0 : fs->view.nodes[c->node].path;
	fs->sel_row = c->row;
}

void
flame_screen_rebuild(struct tui *t)
{
	struct flame_screen *fs = &t->flame;

	flame_free(&fs->layout);
	tree_free(&fs->view);
	if (t->shown == NULL)
		return;
	if (heap_screen_on(t)) {
		struct view_weights w;

		if (!heap_screen_weights(t, &w))
			return; /* no heap snapshot yet */
		tree_build_weights(&w, &t->filter, false, &fs->view);
	} else {
		tree_build(t->shown, &t->filter, false, &fs->view);
	}
	flame_layout(&fs->view, flame_screen_root(fs), COLS, &fs->layout);
	if (fs->layout.ncells > 0)
		flame_screen_select(fs, flame_screen_sel(fs));
}

/* The value v as the mode counts it: "1234 samples", "12.50MB in use". */
static void
flame_screen_value(const struct tui *t, uint64_t v, char *buf, size_t bufsz)
{
	char label[32];

	if (!heap_screen_on(t)) {
		snprintf(buf, bufsz, "%" PRIu64 " samples", v);
		return;
	}
	heap_screen_label(t, v, label, sizeof(label));
	snprintf(buf, bufsz, "%s %s", label, heap_screen_what(t));
}

/* Draws one frame's cell: its name cut to the width less the `|`. */
static void
flame_screen_cell(struct flame_screen *fs, size_t i, int y, bool sel)
{
	const struct flame_cell *c = &fs->layout.cells[i];
	const char *name =
		c->node == TREE_NONE ? "all" : fs->view.nodes[c->node].name;
	char text[1024];
	int w = 0;

	move(y, c->x);
	attrset(crt_attr[sel			    ? CRT_FLAME_SEL
			 : (i + (size_t)c->row) % 2 ? CRT_FLAME_B
						    : CRT_FLAME_A]);
	if (c->width > 1) {
		/* the end of a C++ name is the method */
		w = text_fit_end(name ? name : "?", c->width - 1, text,
				 sizeof(text));
		addstr(text);
	}
	for (; w < c->width - 1; w++)
		addch(' ');
	addch('|');
	attrset(A_NORMAL);
}

void
flame_screen_draw(struct tui *t, int y, int height)
{
	struct flame_screen *fs = &t->flame;
	const struct flame_layout *l = &fs->layout;
	size_t sel = flame_screen_sel(fs);
	double total = fs->view.total ? (double)fs->view.total : 1;
	char title[1024], name[512], root[64], left[128], cum[64], flat[64];
	int rows = height - 2; /* the title and the selected frame's line */

	if (l->ncells == 0 || (int)l->ncells < 0) {
		tui_draw_title(y, "flame view");
		attrset(crt_attr[CRT_NORMAL]);
		mvaddstr(y + 2, 2,
			 !heap_screen_on(t)	 ? "No samples to show."
			 : t->heap.shown == NULL ? "Waiting for the first heap "
						   "snapshot..."
						 : "No heap bytes to show.");
		return;
	}
	/* scroll so the selected row shows */
	if (l->cells[sel].row < fs->top)
		fs->top = l->cells[sel].row;
	else if (l->cells[sel].row >= fs->top + rows)
		fs->top = l->cells[sel].row - rows + 1;
	flame_screen_value(t, l->root_cum, root, sizeof(root));
	/* the bytes of the stacks that shrank are in no frame */
	if (fs->view.left_out > 0)
		heap_screen_label(t, fs->view.left_out, cum, sizeof(cum));
	snprintf(left, sizeof(left), "%s%s%s",
		 fs->view.left_out ? " (stacks that shrank by " : "",
		 fs->view.left_out ? cum : "",
		 fs->view.left_out ? " left out)" : "");
	snprintf(title, sizeof(title),
		 "flame view: %s (%.2f%%)%s%s%s, callers above callees", root,
		 100.0 * (double)l->root_cum / total, left,
		 fs->depth ? ", zoomed into " : "",
		 fs->depth ? fs->view.nodes[l->cells[0].node].name : "");
	tui_draw_title(y, title);
	for (size_t i = 0; i < l->ncells; i++) {
		int r = l->cells[i].row - fs->top;

		if (r >= 0 && r < rows)
			flame_screen_cell(fs, i, y + 1 + r, i == sel);
	}
	/* the selected frame in full */
	{
		const struct flame_cell *c = &l->cells[sel];
		const struct tree_node *n =
			c->node == TREE_NONE ? NULL : &fs->view.nodes[c->node];
		uint64_t cum_v = n ? n->cum : l->root_cum;

		text_fit_end(n ? n->name : "all", COLS / 2, name, sizeof(name));
		heap_screen_value(t, cum_v, cum, sizeof(cum));
		heap_screen_value(t, n ? n->flat : 0, flat, sizeof(flat));
		snprintf(title, sizeof(title),
			 "%s  cum %s (%.2f%%)  flat %s (%.2f%%)", name, cum,
			 100.0 * (double)cum_v / total, flat,
			 100.0 * (double)(n ? n->flat : 0) / total);
		move(y + height - 1, 0);
		clrtoeol();
		attrset(crt_attr[CRT_HEADER]);
		mvaddstr(y + height - 1, 0, title);
		attrset(A_NORMAL);
	}
}

/* The cell in row row nearest to column x (the widest under x). */
static long
flame_screen_at(const struct flame_screen *fs, int row, int x)
{
	const struct flame_layout *l = &fs->layout;
	long best = -1;

	for (size_t i = 0; i < l->ncells; i++) {
		const struct flame_cell *c = &l->cells[i];

		if (c->row != row)
			continue;
		if (x >= c->x && x < c->x + c->width)
			return (long)i;
		if (best < 0 || c->width > l->cells[best].width)
			best = (long)i;
	}
	return best;
}

enum tui_result
flame_screen_action(struct tui *t, enum tui_action a)
{
	struct flame_screen *fs = &t->flame;
	const struct flame_layout *l = &fs->layout;
	size_t sel = flame_screen_sel(fs);
	const struct flame_cell *c = l->ncells ? &l->cells[sel] : NULL;
	long to = -1;

	switch (a) {
	case ACT_UP:
		if (c != NULL && c->row > 0)
			to = flame_screen_at(fs, c->row - 1, c->x);
		break;
	case ACT_DOWN:
		/* the widest callee: the first cell of the next row inside */
		for (size_t i = 0; c != NULL && i < l->ncells; i++)
			if (l->cells[i].row == c->row + 1 &&
			    l->cells[i].x >= c->x &&
			    l->cells[i].x < c->x + c->width &&
			    (to < 0 || l->cells[i].width > l->cells[to].width))
				to = (long)i;
		break;
	case ACT_SCROLL_LEFT:
		if (c != NULL && sel > 0 && l->cells[sel - 1].row == c->row)
			to = (long)sel - 1;
		break;
	case ACT_SCROLL_RIGHT:
		if (c != NULL && sel + 1 < l->ncells &&
		    l->cells[sel + 1].row == c->row)
			to = (long)sel + 1;
		break;
	case ACT_OPEN:
		if (c == NULL || c->node == TREE_NONE || c->row == 0 ||
		    fs->depth == sizeof(fs->zoom) / sizeof(fs->zoom[0]))
			return TUI_REDRAW;
		fs->zoom[fs->depth++] = fs->view.nodes[c->node].path;
		fs->top = 0;
		return TUI_REBUILD;
	case ACT_ZOOM_OUT:
		if (fs->depth == 0)
			return TUI_REDRAW;
		fs->depth--;
		fs->top = 0;
		return TUI_REBUILD;
	case ACT_BACK:
		t->screen = TUI_SCREEN_TOP;
		return TUI_REBUILD;
	default:
		return TUI_UNHANDLED;
	}
	if (to >= 0)
		flame_screen_select(fs, (size_t)to);
	return TUI_REDRAW;
}

void
flame_screen_free(struct flame_screen *fs)
{
	flame_free(&fs->layout);
	tree_free(&fs->view);
}
