#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "tests/tap.h"
#include "tests/unit/views_fixture.h"
#include "views/source.h"

static char dir[] = "/tmp/views-source.XXXXXX";
static char path[256];

/* Writes a 30-line source file: line N reads "line N". */
static void
write_source(void)
{
	FILE *fp;

	snprintf(path, sizeof(path), "%s/b.c", dir);
	fp = fopen(path, "w");
	for (int i = 1; i <= 30; i++)
		fprintf(fp, "line %d\n", i);
	fclose(fp);
}

static void
test_found(const struct profile_snapshot *s, const struct filter *f)
{
	struct source_view v;
	struct source_options opt = {0};

	tap_is_int(source_build(s, f, FX_HOT_B, NULL, &v), 0, "built");
	tap_is_str(v.path, path, "read the DWARF path as is");
	tap_ok(v.note == NULL, "no note");
	tap_is_int(v.nrows, 9, "start_line 10 .. last sampled 13 + 5");
	tap_is_int(v.rows[0].line, 10, "starts at start_line");
	tap_is_str(v.rows[0].text, "line 10", "with its text");
	tap_ok(v.rows[2].line == 12 && v.rows[2].flat == 30 &&
		       v.rows[2].cum == 30,
	       "line 12: 30 flat 30 cum");
	tap_ok(v.rows[3].flat == 0 && v.rows[3].cum == 10,
	       "call site of the inline callee: cum only");
	tap_ok(v.rows[0].cum == 0 && v.rows[8].line == 18, "context lines");
	tap_is_int(v.hottest, 2, "hottest line is 12");
	tap_ok(v.flat == 30 && v.cum == 40, "function totals");
	source_free(&v);

	opt.pid = getpid();
	source_build(s, f, FX_HOT_B, &opt, &v);
	tap_ok(v.path != NULL && strncmp(v.path, "/proc/", 6) == 0 &&
		       strstr(v.path, "/root/") != NULL,
	       "/proc/PID/root tried first: %s", v.path ? v.path : "");
	source_free(&v);

	source_build(s, f, FX_INL, NULL, &v);
	tap_is_int(v.rows[v.hottest].line, 20, "inlined callee's own line");
	tap_is_int(v.rows[v.hottest].flat, 10, "counts for the callee");
	source_free(&v);
}

static void
test_paths(const struct profile_snapshot *s, const struct filter *f)
{
	struct source_view v;
	char sub[300];
	const char *paths[2];
	struct source_options opt = {0, paths, 1};

	snprintf(sub, sizeof(sub), "%s=%s", "/nonexistent/src", dir);
	paths[0] = sub;
	source_build(s, f, FX_HOT_B, &opt, &v);
	tap_is_str(v.path, path, "prefix substitution");
	tap_is_int(v.nrows, 9, "same rows");
	source_free(&v);

	paths[0] = dir;
	source_build(s, f, FX_HOT_B, &opt, &v);
	tap_is_str(v.path, path, "directory + basename");
	source_free(&v);

	source_build(s, f, FX_HOT_B, NULL, &v);
	tap_ok(v.path == NULL && v.note != NULL &&
		       strstr(v.note, "/nonexistent/src/b.c") != NULL,
	       "missing file: a note: %s", v.note ? v.note : "");
	tap_is_int(v.nrows, 2, "only lines with samples");
	tap_ok(v.rows[0].line == 12 && v.rows[0].text == NULL &&
		       v.rows[0].flat == 30 && v.rows[1].line == 13,
	       "line numbers and counts kept");
	source_free(&v);
}

static void
test_no_lines(void)
{
	struct fx x;
	struct profile_snapshot *s;
	struct filter f;
	struct source_view v;
	uint32_t fn, l1, l2;

	memset(&x, 0, sizeof(x));
	fn = fx_fn(&x, "libz.so.1+0x1234", NULL, 0);
	l1 = fx_loc(&x, 0x2000, 1, fn, 0);
	l2 = fx_loc(&x, 0x1000, 1, fn, 0);
	fx_thread(&x, 1, "t", 'R');
	fx_count(&x, fx_stack(&x, 1, l1), 0, 0, 4, 0);
	fx_count(&x, fx_stack(&x, 1, l2), 0, 0, 6, 0);
	s = fx_snapshot(&x);
	filter_init(&f);
	source_build(s, &f, fn, NULL, &v);
	tap_ok(v.note != NULL, "no file: note");
	tap_is_int(v.nrows, 2, "rows per address");
	tap_ok(v.rows[0].address == 0x1000 && v.rows[0].flat == 6 &&
		       v.rows[0].line == 0,
	       "sorted by address with counts");
	tap_is_int(v.hottest, 0, "hottest address");
	source_free(&v);
	filter_free(&f);
	profile_snapshot_unref(s);
}

int
main(void)
{
	struct fx x;
	struct profile_snapshot *s, *missing;
	struct filter f;

	if (mkdtemp(dir) == NULL)
		return 1;
	write_source();
	s = fx_standard(&x, path);
	missing = fx_standard(&x, "/nonexistent/src/b.c");
	filter_init(&f);
	test_found(s, &f);
	test_paths(missing, &f);
	test_no_lines();
	tap_is_int(source_build(s, &f, 999, NULL, &(struct source_view){0}), -1,
		   "bad id");
	filter_free(&f);
	profile_snapshot_unref(s);
	profile_snapshot_unref(missing);
	unlink(path);
	rmdir(dir);
	return tap_done();
}
