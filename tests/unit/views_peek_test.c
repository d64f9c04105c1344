#include "config.h"

#include <string.h>

#include "tests/tap.h"
#include "tests/unit/views_fixture.h"
#include "views/peek.h"

int
main(void)
{
	struct fx x;
	struct profile_snapshot *s = fx_standard(&x, "/src/b.c");
	struct peek_view v;
	struct filter f;

	filter_init(&f);
	tap_is_int(peek_build(s, &f, FX_WORKER, &v), 0, "peek worker");
	tap_ok(v.flat == 0 && v.cum == 100, "worker flat 0, cum 100");
	tap_is_int(v.ncallers, 1, "one caller");
	tap_is_str(v.callers[0].name, "main", "called by main");
	tap_is_int(v.callers[0].count, 100, "through main: 100");
	tap_ok(v.callers[0].share > 99.99, "share 100%%");
	tap_is_int(v.ncallees, 2, "two callees");
	tap_is_str(v.callees[0].name, "hot_a", "hot_a first");
	tap_is_int(v.callees[0].count, 60, "to hot_a: 60");
	tap_is_int(v.callees[1].count, 40, "to hot_b: 40");
	tap_ok(v.callees[1].share > 39.99 && v.callees[1].share < 40.01,
	       "hot_b share 40%%");
	peek_free(&v);

	peek_build(s, &f, FX_HOT_B, &v);
	tap_is_int(v.ncallees, 1, "hot_b calls inl");
	tap_ok(v.callees[0].inline_edge, "through an inline frame");
	tap_is_int(v.callees[0].count, 10, "10 samples");
	peek_free(&v);

	peek_build(s, &f, FX_REC, &v);
	tap_is_int(v.cum, 20, "rec cum once per sample");
	tap_is_int(v.ncallers, 1, "recursion: self edge skipped");
	tap_is_int(v.ncallees, 0, "no callees");
	peek_free(&v);

	peek_build(s, &f, FX_MAIN, &v);
	tap_is_int(v.ncallers, 0, "main has no callers");
	tap_is_int(v.ncallees, 2, "main calls worker and rec");
	peek_free(&v);

	tap_is_int(peek_build(s, &f, 999, &v), -1, "bad id");
	filter_free(&f);
	profile_snapshot_unref(s);
	return tap_done();
}
