#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tests/tap.h"
#include "tests/unit/views_fixture.h"
#include "views/report.h"

static char *
report(const struct profile_snapshot *s, const struct filter *f, size_t n)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *fp = open_memstream(&buf, &len);

	report_top(fp, s, f, n);
	fclose(fp);
	return buf;
}

static int
has_line(const char *text, const char *line)
{
	size_t n = strlen(line);

	for (const char *p = text; (p = strstr(p, line)) != NULL; p += n)
		if ((p == text || p[-1] == '\n') && p[n] == '\n')
			return 1;
	return 0;
}

int
main(void)
{
	struct fx x;
	struct profile_snapshot *s = fx_standard(&x, "/src/b.c");
	struct filter f;
	char buf[16], *out;

	tap_is_str(report_percent(buf, 1, 1), "  100%", "100%%");
	tap_is_str(report_percent(buf, 9996, 10000), "  100%",
		   "99.96%% -> 100");
	tap_is_str(report_percent(buf, 50, 100), "50.00%", "50%%");
	tap_is_str(report_percent(buf, 5, 1000), "  0.5%", "0.5%% as %%g");
	tap_is_str(report_percent(buf, 123, 1000000), "0.012%", "2 digits");
	tap_is_str(report_percent(buf, 0, 10), "    0%", "zero");
	tap_is_str(report_percent(buf, 0, 0), "    0%", "empty total");

	filter_init(&f);
	out = report(s, &f, 0);
	tap_ok(has_line(out, "File: ratio"), "File line");
	tap_ok(has_line(out, "Showing nodes accounting for 120, 100% of 120 "
			     "total"),
	       "Showing line");
	tap_ok(has_line(out, "      flat  flat%   sum%        cum   cum%"),
	       "column header");
	tap_ok(has_line(out, "        60 50.00% 50.00%         60 50.00%  "
			     "hot_a"),
	       "hot_a row");
	tap_ok(has_line(out, "        10  8.33%   100%         10  8.33%  "
			     "inl (inline)"),
	       "inline row");
	tap_ok(has_line(out, "         0     0%   100%        120   100%  "
			     "main"),
	       "zero flat row");
	tap_ok(strstr(out, "Unwind failed") == NULL, "no cut stack, no line");
	free(out);

	s->unwind_errors = 3;
	s->samples = 120;
	out = report(s, &f, 0);
	tap_ok(has_line(out, "Unwind failed: 3 (2.5%): stacks that end before "
			     "their outermost frame"),
	       "cut stacks are said");
	free(out);
	s->unwind_errors = 0;

	out = report(s, &f, 2);
	tap_ok(has_line(out, "Showing top 2 nodes out of 6"), "top N line");
	tap_ok(has_line(out, "Showing nodes accounting for 90, 75.00% of 120 "
			     "total"),
	       "accounts for the shown rows");
	tap_ok(strstr(out, "  rec") == NULL, "third row cut");
	free(out);

	f.node_fraction = 0.1;
	out = report(s, &f, 0);
	tap_ok(has_line(out, "Dropped 1 node (cum <= 12)"), "Dropped line");
	free(out);
	filter_free(&f);
	profile_snapshot_unref(s);
	return tap_done();
}
