/*
 * tests/unit/views_heap_tree_test: the call tree and the flame layout
 * (views/tree.h) over a heap snapshot's bytes (views/heap.h's
 * heap_weights): in-use and allocated bytes per node equal the buckets'
 * known totals (rate 1: unscaled), a delta's in-use growth leaves out the
 * stack that shrank and says by how much, and focus applies; the callers
 * and callees (peek) and the source lines of a function in bytes too.
 */
#include "config.h"

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "common/xmalloc.h"
#include "sampler/heapprof.h"
#include "tests/tap.h"
#include "tests/unit/views_fixture.h"
#include "views/heap.h"
#include "views/peek.h"
#include "views/source.h"
#include "views/tree.h"

/* A heap snapshot over tables with buckets b[n], at rate 1. */
static struct heapprof_snapshot *
heap_fx(struct profile_snapshot *tables, const struct heapprof_bucket *b,
	uint32_t n, int64_t duration_ns)
{
	struct heapprof_snapshot *s = xcalloc(1, sizeof(*s));
	struct heapprof_bucket *copy = xcalloc(n + 1, sizeof(*copy));

	memcpy(copy, b, n * sizeof(*b));
	s->tables = profile_snapshot_ref(tables);
	s->buckets = copy;
	s->nbuckets = n;
	s->rate = 1;
	s->loaded = true;
	s->duration_ns = duration_ns;
	return s;
}

/* The child of parent (TREE_NONE: the roots) named name, or TREE_NONE. */
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

/* The cum and flat of the node at root/a/b/... (names), or -1 each. */
static void
at(const struct tree_view *v, int64_t *cum, int64_t *flat, int n, ...)
{
	va_list ap;
	size_t node = TREE_NONE;

	va_start(ap, n);
	for (int i = 0; i < n; i++) {
		node = child(v, node, va_arg(ap, const char *));
		if (node == TREE_NONE)
			break;
	}
	va_end(ap);
	*cum = node == TREE_NONE ? -1 : (int64_t)v->nodes[node].cum;
	*flat = node == TREE_NONE ? -1 : (int64_t)v->nodes[node].flat;
}

static void
heap_tree(const struct heapprof_snapshot *s, enum heap_view view,
	  const struct filter *f, bool bottom_up, struct tree_view *v)
{
	struct view_weights w;

	heap_weights(s, view, &w);
	tree_build_weights(&w, f, bottom_up, v);
}

int
main(void)
{
	struct fx x;
	struct profile_snapshot *t = fx_standard(&x, "/src/b.c");
	/* stacks: 0 hot_a <- worker <- main; 1 hot_b <- worker <- main;
	   2 [inl in hot_b] <- worker <- main; 3 rec <- rec <- rec <- main */
	struct heapprof_bucket b0[] = {
		{0, 1000, 10, 4}, {1, 64, 5, 5}, {2, 100, 3, 1}};
	struct heapprof_bucket b1[] = {{0, 1000, 30, 6},
				       {1, 64, 5, 5},
				       {2, 100, 3, 3},
				       {0, 4096, 2, 0},
				       {3, 10, 7, 0}};
	struct heapprof_snapshot *s0 = heap_fx(t, b0, 3, 1000000000);
	struct heapprof_snapshot *s1 = heap_fx(t, b1, 5, 3000000000);
	struct heapprof_snapshot *d = heap_delta(s0, s1);
	struct tree_view v;
	struct flame_layout l;
	struct filter f;
	int64_t cum, flat;
	char *cause = NULL;

	filter_init(&f);

	/* in use at s1: stack 0 24 x 1000 + 2 x 4096, rec 7 x 10; the
	   others freed everything */
	heap_tree(s1, HEAP_VIEW_INUSE_SPACE, &f, false, &v);
	tap_is_int(v.total, 32192 + 70, "in-use: total 32262 bytes");
	at(&v, &cum, &flat, 1, "main");
	tap_is_int(cum, 32262, "in-use: main holds every byte");
	at(&v, &cum, &flat, 3, "main", "worker", "hot_a");
	tap_ok(cum == 32192 && flat == 32192,
	       "in-use: main -> worker -> hot_a 32192 cum and flat (got "
	       "%lld, %lld)",
	       (long long)cum, (long long)flat);
	at(&v, &cum, &flat, 3, "main", "worker", "hot_b");
	tap_is_int(cum, -1, "in-use: hot_b, which freed all, is no node");
	at(&v, &cum, &flat, 4, "main", "rec", "rec", "rec");
	tap_ok(cum == 70 && flat == 70, "in-use: rec x 3 nests, 70 bytes");
	tap_is_int(v.left_out, 0, "in-use: nothing left out");
	flame_layout(&v, TREE_NONE, 100, &l);
	tap_ok(l.root_cum == 32262 && l.ncells >= 4 && l.cells[1].row == 1 &&
		       l.cells[1].width == 100,
	       "flame: the full width is the 32262 bytes in use, main all "
	       "of it");
	flame_free(&l);
	tree_free(&v);

	/* allocated at s1: what was freed counts too */
	heap_tree(s1, HEAP_VIEW_ALLOC_SPACE, &f, false, &v);
	tap_is_int(v.total, 30000 + 8192 + 320 + 300 + 70,
		   "allocated: total 38882 bytes");
	at(&v, &cum, &flat, 3, "main", "worker", "hot_b");
	tap_ok(cum == 620 && flat == 320,
	       "allocated: hot_b 620 cum (its inlined inl's 300), 320 flat "
	       "(got %lld, %lld)",
	       (long long)cum, (long long)flat);
	at(&v, &cum, &flat, 4, "main", "worker", "hot_b", "inl");
	tap_ok(cum == 300 && flat == 300, "allocated: inl 300 below hot_b");
	at(&v, &cum, &flat, 2, "main", "worker");
	tap_is_int(cum, 38812, "allocated: worker 38812");
	tree_free(&v);

	/* bottom-up: the allocating functions are the roots */
	heap_tree(s1, HEAP_VIEW_ALLOC_SPACE, &f, true, &v);
	at(&v, &cum, &flat, 1, "hot_a");
	tap_ok(cum == 38192 && flat == 38192,
	       "bottom-up allocated: hot_a root with 38192");
	at(&v, &cum, &flat, 3, "hot_a", "worker", "main");
	tap_is_int(cum, 38192, "bottom-up: hot_a <- worker <- main");
	tree_free(&v);

	/* the delta s0 -> s1 (window mode): in-use growth of stack 0 is
	   20 x 1000 - 2 x 1000 + 2 x 4096 = 26192, rec's 70; stack 2 shrank
	   by 2 x 100 and is left out, said in left_out */
	heap_tree(d, HEAP_VIEW_INUSE_SPACE, &f, false, &v);
	tap_is_int(v.total, 26192 + 70, "growth: total 26262 bytes");
	at(&v, &cum, &flat, 3, "main", "worker", "hot_a");
	tap_is_int(cum, 26192, "growth: hot_a grew by 26192");
	at(&v, &cum, &flat, 4, "main", "worker", "hot_b", "inl");
	tap_is_int(cum, -1, "growth: inl, which shrank, is no node");
	tap_is_int(v.left_out, 200, "growth: the 200 bytes freed, left out");
	tree_free(&v);
	heap_tree(d, HEAP_VIEW_ALLOC_SPACE, &f, false, &v);
	tap_is_int(v.total, 20000 + 8192 + 70,
		   "delta allocated: the interval's 28262 bytes");
	at(&v, &cum, &flat, 3, "main", "worker", "hot_b");
	tap_is_int(cum, -1, "delta allocated: hot_b allocated nothing");
	tree_free(&v);

	/* Enter's views: hot_b's callers and callees, hot_a's line, in the
	   bytes allocated */
	{
		struct view_weights w;
		struct peek_view p;
		struct source_view sv;
		struct source_options so = {0};

		heap_weights(s1, HEAP_VIEW_ALLOC_SPACE, &w);
		tap_is_int(peek_build_weights(&w, &f, FX_HOT_B, &p), 0,
			   "peek over heap bytes: built");
		tap_ok(p.cum == 620 && p.flat == 320 && p.ncallers == 1 &&
			       p.callers[0].count == 620 &&
			       strcmp(p.callers[0].name, "worker") == 0 &&
			       p.ncallees == 1 && p.callees[0].count == 300 &&
			       p.callees[0].inline_edge,
		       "peek: hot_b allocated 620 (320 itself), all from "
		       "worker, 300 in its inlined inl");
		peek_free(&p);
		tap_is_int(source_build_weights(&w, &f, FX_HOT_A, &so, &sv), 0,
			   "source over heap bytes: built");
		tap_ok(sv.cum == 38192 && sv.total == 38882 &&
			       sv.hottest >= 0 &&
			       sv.rows[sv.hottest].line == 52 &&
			       sv.rows[sv.hottest].flat == 38192,
		       "source: hot_a's line 52 allocated its 38192 bytes");
		source_free(&sv);
		/* the growth: stack 2 (inl in hot_b) shrank by 200 */
		heap_weights(d, HEAP_VIEW_INUSE_SPACE, &w);
		tap_is_int(source_build_weights(&w, &f, FX_HOT_B, &so, &sv), 0,
			   "source over the growth: built");
		tap_ok(sv.cum == 0 && sv.left_out == 200 && sv.total == 26262,
		       "source: hot_b grew by nothing, the 200 bytes that "
		       "shrank are said left out");
		source_free(&sv);
	}

	/* focus applies as on the CPU tree; total stays the view's */
	tap_is_int(filter_set_focus(&f, "^rec$", &cause), 0, "focus on rec");
	heap_tree(s1, HEAP_VIEW_INUSE_SPACE, &f, false, &v);
	at(&v, &cum, &flat, 1, "main");
	tap_ok(cum == 70 && v.selected == 70 && v.total == 32262,
	       "focus: rec's 70 bytes selected of 32262");
	tree_free(&v);

	filter_free(&f);
	heapprof_snapshot_free(d);
	heapprof_snapshot_free(s1);
	heapprof_snapshot_free(s0);
	profile_snapshot_unref(t);
	return tap_done();
}
