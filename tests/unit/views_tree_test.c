/*
 * views/tree.h on the standard fixture: the top-down and bottom-up trees
 * (cum once per path, flat at the leaf), recursion as nested nodes, the
 * hottest path, paths stable across builds, the thread set and focus, and
 * the flame layout (widths by samples, children inside their parent).
 */
#include "config.h"

#include <string.h>

#include "tests/tap.h"
#include "tests/unit/views_fixture.h"
#include "views/tree.h"

/* The child of parent (TREE_NONE: the root) named name, or TREE_NONE. */
static size_t
child(const struct tree_view *v, size_t parent, const char *name)
{
	size_t c = parent == TREE_NONE ? v->first_root
				       : v->nodes[parent].first_child;

	for (; c != TREE_NONE; c = v->nodes[c].next_sibling)
		if (strcmp(v->nodes[c].name, name) == 0)
			return c;
	return TREE_NONE;
}

static void
test_top_down(const struct profile_snapshot *s)
{
	struct tree_view v;
	struct filter f;
	size_t m, w, a, b, i, r1, r2, r3, path[16], n;

	filter_init(&f);
	tree_build(s, &f, false, &v);
	tap_is_int(v.total, 120, "total: CPU samples");
	m = child(&v, TREE_NONE, "main");
	tap_ok(m != TREE_NONE && v.nodes[m].next_sibling == TREE_NONE,
	       "one root: main");
	tap_is_int(v.nodes[m].cum, 120, "main cum 120");
	w = child(&v, m, "worker");
	tap_is_int(v.nodes[w].cum, 100, "main -> worker 100");
	a = child(&v, w, "hot_a");
	b = child(&v, w, "hot_b");
	tap_ok(v.nodes[w].first_child == a, "children by cum: hot_a first");
	tap_ok(v.nodes[a].cum == 60 && v.nodes[a].flat == 60, "hot_a 60/60");
	tap_ok(v.nodes[b].cum == 40 && v.nodes[b].flat == 30,
	       "hot_b cum 40, flat 30");
	i = child(&v, b, "inl");
	tap_ok(i != TREE_NONE && v.nodes[i].flat == 10,
	       "the inline frame is a child of hot_b");
	r1 = child(&v, m, "rec");
	r2 = child(&v, r1, "rec");
	r3 = child(&v, r2, "rec");
	tap_ok(r3 != TREE_NONE && v.nodes[r1].cum == 20 &&
		       v.nodes[r3].flat == 20 && v.nodes[r1].flat == 0,
	       "recursion nests: rec -> rec -> rec, flat at the innermost");
	tap_is_int(v.nodes[r3].depth, 3, "depth counts from the root");
	n = tree_hottest_path(&v, TREE_NONE, path, 16);
	tap_ok(n == 3 && path[0] == m && path[1] == w && path[2] == a,
	       "the hottest path: main, worker, hot_a");
	tap_ok(tree_find(&v, v.nodes[a].path) == a, "tree_find by path");
	{
		struct tree_view v2;
		size_t a2;

		tree_build(s, &f, false, &v2);
		a2 = child(&v2,
			   child(&v2, child(&v2, TREE_NONE, "main"), "worker"),
			   "hot_a");
		tap_ok(v2.nodes[a2].path == v.nodes[a].path,
		       "paths are stable across builds");
		tree_free(&v2);
	}
	tree_free(&v);

	/* thread 1 only, then focus on rec */
	filter_thread_toggle(&f, 1);
	tree_build(s, &f, false, &v);
	tap_ok(v.total == 120 && v.selected == 40,
	       "thread set: 40 selected of 120");
	tap_ok(child(&v, child(&v, child(&v, TREE_NONE, "main"), "worker"),
		     "hot_a") == TREE_NONE,
	       "hot_a (thread 0) is gone");
	tree_free(&v);
	filter_threads_clear(&f);
	filter_set_focus(&f, "^rec$", NULL);
	tree_build(s, &f, false, &v);
	m = child(&v, TREE_NONE, "main");
	tap_ok(v.nodes[m].cum == 20 && child(&v, m, "worker") == TREE_NONE,
	       "focus keeps the stacks through rec only");
	tree_free(&v);
	filter_free(&f);
}

static void
test_bottom_up(const struct profile_snapshot *s)
{
	struct tree_view v;
	struct filter f;
	size_t a, w, m;

	filter_init(&f);
	tree_build(s, &f, true, &v);
	a = child(&v, TREE_NONE, "hot_a");
	tap_ok(v.first_root == a, "bottom-up: the hottest leaf first");
	tap_ok(v.nodes[a].cum == 60 && v.nodes[a].flat == 60,
	       "a root's flat is its cum");
	w = child(&v, a, "worker");
	m = child(&v, w, "main");
	tap_ok(m != TREE_NONE && v.nodes[w].flat == 0 && v.nodes[m].cum == 60,
	       "hot_a <- worker <- main, flat only at the root");
	tap_ok(child(&v, TREE_NONE, "inl") != TREE_NONE &&
		       child(&v, child(&v, TREE_NONE, "inl"), "hot_b") !=
			       TREE_NONE,
	       "inl <- hot_b (inline)");
	tree_free(&v);
	filter_free(&f);
}

static void
test_flame(const struct profile_snapshot *s)
{
	struct tree_view v;
	struct filter f;
	struct flame_layout l;
	size_t m, w, a;
	int ok = 1, xa = -1, wa = 0;

	filter_init(&f);
	tree_build(s, &f, false, &v);
	flame_layout(&v, TREE_NONE, 120, &l);
	tap_ok(l.ncells > 0 && l.cells[0].node == TREE_NONE &&
		       l.cells[0].width == 120 && l.root_cum == 120,
	       "row 0: all, full width");
	m = child(&v, TREE_NONE, "main");
	w = child(&v, m, "worker");
	a = child(&v, w, "hot_a");
	for (size_t i = 0; i < l.ncells; i++) {
		const struct flame_cell *c = &l.cells[i];

		if (c->node == a) {
			xa = c->x;
			wa = c->width;
		}
		if (c->x < 0 || c->x + c->width > 120 || c->width < 1)
			ok = 0;
		if (i > 0 && (c->row < l.cells[i - 1].row ||
			      (c->row == l.cells[i - 1].row &&
			       c->x < l.cells[i - 1].x + l.cells[i - 1].width)))
			ok = 0; /* sorted, no overlap */
	}
	tap_ok(ok, "cells inside the width, sorted, not overlapping");
	tap_is_int(wa, 60, "hot_a: 60 of 120 samples = 60 columns");
	tap_is_int(xa, 0, "hot_a leftmost (widest first)");
	tap_is_int(l.nrows, 5, "rows: all, main, rec/worker, ..., rec");
	flame_free(&l);
	flame_layout(&v, w, 50, &l);
	tap_ok(l.cells[0].node == w && l.cells[0].width == 50 &&
		       l.root_cum == 100,
	       "zoomed into worker: it gets the full width");
	tap_ok(l.ncells >= 2 && l.cells[1].node == a && l.cells[1].width == 30,
	       "hot_a 60 %% of 50 columns");
	flame_free(&l);
	flame_layout(&v, TREE_NONE, 2, &l);
	for (size_t i = 0; i < l.ncells; i++)
		ok = ok && l.cells[i].width >= 1;
	tap_ok(ok, "2 columns: frames under one column are left out");
	flame_free(&l);
	tree_free(&v);
	filter_free(&f);
}

int
main(void)
{
	struct fx x;
	struct profile_snapshot *s = fx_standard(&x, "/src/b.c");

	test_top_down(s);
	test_bottom_up(s);
	test_flame(s);
	profile_snapshot_unref(s);
	return tap_done();
}
