/*
 * pprof-fixture OUT SRCFILE [wall] [focus=RE] [hide=RE] [lines]: writes a
 * synthetic profile whose functions live in SRCFILE
 * (tests/views/fixture_src.c) to OUT with the views/ pprof writer, and
 * prints cproftop's own --top report of the same snapshot under those view
 * options to stdout, for tests/views/pprof_readback.sh.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/outfile.h"
#include "tests/unit/views_fixture.h"
#include "views/pprof.h"
#include "views/report.h"

enum { MAIN, WORKER, HOT_A, HOT_B, INL, REC, TINY };

static struct profile_snapshot *
fixture(struct fx *x, const char *src)
{
	uint32_t m41, m42, w34, w35, a13, a12, b21, i5, r28, t;

	memset(x, 0, sizeof(*x));
	x->now_second = 3;
	fx_map(x, 0x7f0000000000, 0x7f0000100000, "/usr/lib/libc.so.6");
	fx_map(x, 0x400000, 0x500000, "/usr/bin/ratio");
	fx_fn(x, "main", src, 39);
	fx_fn(x, "worker", src, 32);
	fx_fn(x, "hot_a", src, 9);
	fx_fn(x, "hot_b", src, 18);
	fx_fn(x, "inl", src, 3);
	fx_fn(x, "rec", src, 26);
	fx_fn(x, "tiny", src, 2);
	m41 = fx_loc(x, 0x401041, 1, MAIN, 41);
	m42 = fx_loc(x, 0x401042, 1, MAIN, 42);
	w34 = fx_loc(x, 0x402034, 1, WORKER, 34);
	w35 = fx_loc(x, 0x402035, 1, WORKER, 35);
	a13 = fx_loc(x, 0x403013, 1, HOT_A, 13);
	a12 = fx_loc(x, 0x403012, 1, HOT_A, 12);
	b21 = fx_loc(x, 0x404021, 1, HOT_B, 21);
	i5 = fx_loc(x, 0x404022, 2, INL, 5, HOT_B, 22);
	r28 = fx_loc(x, 0x405028, 1, REC, 28);
	t = fx_loc(x, 0x406002, 1, TINY, 2);
	fx_thread(x, 4242, "ratio", 'R');
	fx_thread(x, 4243, "worker-1", 'S');
	fx_count(x, fx_stack(x, 3, a13, w34, m41), 0, 1, 600, 100);
	fx_count(x, fx_stack(x, 3, a12, w34, m41), 0, 2, 50, 0);
	fx_count(x, fx_stack(x, 3, b21, w35, m41), 1, 2, 300, 0);
	fx_count(x, fx_stack(x, 3, i5, w35, m41), 1, 3, 100, 0);
	fx_count(x, fx_stack(x, 4, r28, r28, r28, m42), 0, 3, 200, 0);
	fx_count(x, fx_stack(x, 3, t, w35, m41), 1, 3, 1, 0);
	return fx_snapshot(x);
}

/* Applies the view options argv[3..] to f; -1 on a bad one. */
static int
options(struct filter *f, int argc, char **argv)
{
	char *cause = NULL;
	int rc = 0;

	for (int i = 3; i < argc && rc == 0; i++) {
		if (strcmp(argv[i], "wall") == 0)
			f->mode = FILTER_MODE_WALL;
		else if (strcmp(argv[i], "lines") == 0)
			f->granularity = FILTER_GRAN_LINE;
		else if (strncmp(argv[i], "focus=", 6) == 0)
			rc = filter_set_focus(f, argv[i] + 6, &cause);
		else if (strncmp(argv[i], "hide=", 5) == 0)
			rc = filter_set_hide(f, argv[i] + 5, &cause);
		else
			rc = -1;
	}
	if (rc < 0)
		fprintf(stderr, "pprof-fixture: bad option: %s\n",
			cause ? cause : "?");
	free(cause);
	return rc;
}

/* The gzip'd profile into path, as cproftop -o writes it. */
static int
fixture_write(const struct profile_snapshot *s, const struct filter *f,
	      const char *path)
{
	char *cause = NULL;
	uint8_t *buf;
	size_t len;
	int rc;

	pprof_encode_gzip(s, f, &buf, &len);
	rc = outfile_write(path, buf, len, &cause);
	if (rc < 0) {
		fprintf(stderr, "pprof-fixture: %s\n", cause);
		free(cause);
	}
	free(buf);
	return rc;
}

int
main(int argc, char **argv)
{
	struct fx x;
	struct profile_snapshot *s;
	struct filter f;
	int rc = 0;

	if (argc < 3) {
		fprintf(stderr, "usage: pprof-fixture OUT SRCFILE [wall] "
				"[focus=RE] [hide=RE] [lines]\n");
		return 2;
	}
	s = fixture(&x, argv[2]);
	filter_init(&f);
	if (options(&f, argc, argv) < 0) {
		rc = 2;
	} else if (fixture_write(s, &f, argv[1]) < 0) {
		rc = 1;
	} else if (report_top(stdout, s, &f, 0) < 0) {
		rc = 1;
	}
	filter_free(&f);
	profile_snapshot_unref(s);
	return rc;
}
