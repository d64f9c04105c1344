#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tests/tap.h"
#include "tests/unit/views_fixture.h"
#include "views/top.h"

static const struct top_row *
row(const struct top_table *t, const char *name)
{
	for (size_t i = 0; i < t->nrows; i++)
		if (strcmp(t->rows[i].name, name) == 0)
			return &t->rows[i];
	return NULL;
}

static long long
flat(const struct top_table *t, const char *name)
{
	const struct top_row *r = row(t, name);

	return r != NULL ? (long long)r->flat : -1;
}

static long long
cum(const struct top_table *t, const char *name)
{
	const struct top_row *r = row(t, name);

	return r != NULL ? (long long)r->cum : -1;
}

/* The row names in order, joined by spaces. */
static const char *
order(const struct top_table *t)
{
	static char buf[512];

	buf[0] = '\0';
	for (size_t i = 0; i < t->nrows; i++) {
		if (i)
			strcat(buf, " ");
		strcat(buf, t->rows[i].name);
	}
	return buf;
}

static void
test_basic(const struct profile_snapshot *s)
{
	struct filter f;
	struct top_table t;

	filter_init(&f);
	f.node_fraction = 0;
	top_build(s, &f, 0, &t);
	tap_is_int(t.total, 120, "cpu total is on-CPU samples only");
	tap_is_int(t.selected, 120, "all selected");
	tap_is_str(order(&t), "hot_a hot_b rec inl main worker",
		   "flat order, zero-flat ties by name");
	tap_is_int(flat(&t, "hot_a"), 60, "hot_a flat");
	tap_is_int(cum(&t, "main"), 120, "main cum is the total");
	tap_is_int(cum(&t, "worker"), 100, "worker cum");
	tap_is_int(flat(&t, "hot_b"), 30, "hot_b flat excludes inlined leaf");
	tap_is_int(cum(&t, "hot_b"), 40, "hot_b cum includes inline callee");
	tap_is_int(flat(&t, "inl"), 10, "inline frame gets the flat");
	tap_is_int(row(&t, "inl")->inl, TOP_INLINE_ALL, "inl is (inline)");
	tap_is_int(row(&t, "hot_b")->inl, TOP_INLINE_NONE, "hot_b not inline");
	tap_is_int(cum(&t, "rec"), 20, "recursion counted once per sample");
	tap_ok(row(&t, "rec")->cum_pct <= 100.0, "recursive cum <= 100%%");
	tap_ok(t.rows[1].sum_pct > 74.99 && t.rows[1].sum_pct < 75.01,
	       "sum%% after two rows is 75 (got %f)", t.rows[1].sum_pct);
	tap_is_int(t.shown, 120, "rows account for all");
	tap_is_int(top_find(&t, row(&t, "rec")), 2, "top_find");
	top_free(&t);

	f.sort = FILTER_SORT_CUM;
	top_build(s, &f, 0, &t);
	tap_is_str(order(&t), "main worker hot_a hot_b rec inl", "cum order");
	top_free(&t);
	f.reverse = true;
	top_build(s, &f, 0, &t);
	tap_is_str(order(&t), "inl rec hot_b hot_a worker main",
		   "cum reversed");
	top_free(&t);
	f.sort = FILTER_SORT_NAME;
	f.reverse = false;
	top_build(s, &f, 0, &t);
	tap_is_str(order(&t), "hot_a hot_b inl main rec worker", "name order");
	top_free(&t);
	f.sort = FILTER_SORT_FLAT;
	top_build(s, &f, 2, &t);
	tap_is_str(order(&t), "hot_a hot_b", "max_rows keeps the first rows");
	tap_is_int(t.ncandidates, 6, "candidates before max_rows");
	tap_is_int(cum(&t, "hot_b"), 40, "kept rows keep their counts");
	top_free(&t);
	filter_free(&f);
}

static void
test_filters(const struct profile_snapshot *s)
{
	struct filter f;
	struct top_table t;
	char *cause = NULL;

	filter_init(&f);
	f.node_fraction = 0.1;
	top_build(s, &f, 0, &t);
	tap_is_int(t.cutoff, 12, "node fraction cutoff");
	tap_is_int(t.ndropped, 1, "one row below 10%%");
	tap_ok(row(&t, "inl") == NULL, "inl dropped");
	tap_is_int(cum(&t, "hot_b"), 40, "kept rows unchanged");
	tap_is_int(row(&t, "hot_b")->inl, TOP_INLINE_NONE, "hot_b label");
	top_free(&t);
	f.node_fraction = 0;

	f.mode = FILTER_MODE_WALL;
	top_build(s, &f, 0, &t);
	tap_is_int(t.total, 130, "wall total counts off-CPU");
	tap_is_int(flat(&t, "hot_a"), 70, "wall flat");
	top_free(&t);
	f.mode = FILTER_MODE_CPU;

	f.windowed = true;
	top_build(s, &f, 0, &t);
	tap_is_int(t.total, 100, "window drops second 2");
	tap_ok(row(&t, "rec") == NULL, "rec outside the window");
	top_free(&t);
	f.window_seconds = 1;
	top_build(s, &f, 0, &t);
	tap_is_int(t.total, 40, "1 s window: only second 10");
	top_free(&t);
	f.windowed = false;

	filter_thread_toggle(&f, 1);
	top_build(s, &f, 0, &t);
	tap_is_int(t.total, 120, "thread filter keeps pprof's total");
	tap_is_int(t.selected, 40, "thread 1 only");
	tap_is_str(order(&t), "hot_b inl main worker", "thread 1 rows");
	top_free(&t);
	filter_thread_toggle(&f, 1);
	tap_ok(filter_thread_selected(&f, 0), "toggled back to all");

	tap_is_int(filter_set_focus(&f, "hot_(a|b)$", &cause), 0, "focus ok");
	top_build(s, &f, 0, &t);
	tap_is_int(t.selected, 100, "focus keeps stacks through hot_a/hot_b");
	tap_is_int(cum(&t, "main"), 100, "focus: main cum");
	tap_ok(row(&t, "rec") == NULL, "focus drops rec");
	top_free(&t);
	filter_set_focus(&f, NULL, NULL);

	tap_is_int(filter_set_hide(&f, "^inl$", &cause), 0, "hide ok");
	top_build(s, &f, 0, &t);
	tap_is_int(flat(&t, "hot_b"), 40, "hidden leaf: caller gets flat");
	tap_ok(row(&t, "inl") == NULL, "inl hidden");
	top_free(&t);
	filter_set_hide(&f, "main|worker|hot|rec|inl", NULL);
	top_build(s, &f, 0, &t);
	tap_is_int(t.nrows, 0, "everything hidden: no rows");
	tap_is_int(t.selected, 0, "samples with no frames dropped");
	top_free(&t);

	tap_is_int(filter_set_focus(&f, "(", &cause), -1, "bad regex fails");
	tap_ok(cause != NULL && strstr(cause, "(") != NULL, "with a cause: %s",
	       cause ? cause : "");
	free(cause);
	filter_free(&f);
}

static void
test_granularity(const struct profile_snapshot *s)
{
	struct filter f;
	struct top_table t;
	const struct top_row *r = NULL;

	filter_init(&f);
	f.node_fraction = 0;
	f.granularity = FILTER_GRAN_LINE;
	top_build(s, &f, 0, &t);
	tap_is_int(t.nrows, 8, "line rows (rec at 2 lines, hot_b at 2)");
	for (size_t i = 0; i < t.nrows; i++)
		if (strcmp(t.rows[i].name, "rec") == 0 && t.rows[i].line == 74)
			r = &t.rows[i];
	tap_ok(r != NULL && r->cum == 20 && r->flat == 0,
	       "rec:74 once per sample, no flat");
	top_free(&t);
	f.granularity = FILTER_GRAN_ADDRESS;
	top_build(s, &f, 0, &t);
	tap_is_int(t.nrows, 8, "address rows");
	tap_is_int(t.rows[0].address, 0x403000, "hot_a's address first");
	top_free(&t);
	filter_free(&f);
}

static void
test_edge_cases(void)
{
	struct fx x;
	struct profile_snapshot *s;
	struct filter f;
	struct top_table t;
	uint32_t a, b, c, la, lb, lc;

	memset(&x, 0, sizeof(x));
	s = fx_snapshot(&x);
	filter_init(&f);
	top_build(s, &f, 0, &t);
	tap_ok(t.nrows == 0 && t.total == 0, "empty profile: no rows");
	top_free(&t);
	profile_snapshot_unref(s);

	/* Ties, and two function ids with the same name merged. */
	a = fx_fn(&x, "zeta", NULL, 0);
	b = fx_fn(&x, "alpha", NULL, 0);
	c = fx_fn(&x, "alpha", NULL, 0);
	la = fx_loc(&x, 0x10, 1, a, 0);
	lb = fx_loc(&x, 0x20, 1, b, 0);
	lc = fx_loc(&x, 0x30, 1, c, 0);
	fx_thread(&x, 1, "t", 'R');
	fx_count(&x, fx_stack(&x, 1, la), 0, 0, 5, 0);
	fx_count(&x, fx_stack(&x, 1, lb), 0, 0, 2, 0);
	fx_count(&x, fx_stack(&x, 1, lc), 0, 0, 3, 0);
	s = fx_snapshot(&x);
	f.node_fraction = 0;
	top_build(s, &f, 0, &t);
	tap_is_str(order(&t), "alpha zeta", "equal flat: by name");
	tap_is_int(flat(&t, "alpha"), 5, "same name merged");
	tap_is_int(t.rows[0].function, b, "lowest id represents the name");
	top_free(&t);
	profile_snapshot_unref(s);
	filter_free(&f);
}

/* pprof's -noinlines: inl's samples count for hot_b, its real function. */
static void
test_noinlines(const struct profile_snapshot *s)
{
	struct filter f;
	struct top_table t;

	filter_init(&f);
	f.node_fraction = 0;
	top_build(s, &f, 0, &t);
	tap_ok(flat(&t, "inl") == 10 && flat(&t, "hot_b") == 30,
	       "inlines: inl has its own flat 10 (hot_b 30)");
	top_free(&t);
	f.noinlines = true;
	top_build(s, &f, 0, &t);
	tap_is_int(flat(&t, "inl"), -1, "noinlines: no inl row");
	tap_is_int(flat(&t, "hot_b"), 40, "noinlines: hot_b flat 30 + 10");
	tap_is_int(cum(&t, "worker"), 100, "noinlines: worker cum unchanged");
	top_free(&t);
	filter_free(&f);
}

int
main(void)
{
	struct fx x;
	struct profile_snapshot *s = fx_standard(&x, "/src/b.c");

	test_basic(s);
	test_filters(s);
	test_granularity(s);
	test_noinlines(s);
	test_edge_cases();
	profile_snapshot_unref(s);
	return tap_done();
}
