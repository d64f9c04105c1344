#include "config.h"

#include "views/report.h"

#include <ctype.h>
#include <math.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "common/escape.h"
#include "common/xmalloc.h"
#include "sampler/profile.h"
#include "views/top.h"

char *
report_percent(char *buf, uint64_t value, uint64_t total)
{
	double ratio = total == 0 ? 0.0 : 100.0 * (double)value / (double)total;

	if (ratio >= 99.95 && ratio <= 100.05)
		snprintf(buf, 16, "  100%%");
	else if (ratio >= 1.0)
		snprintf(buf, 16, "%5.2f%%", ratio);
	else
		snprintf(buf, 16, "%5.2g%%", ratio);
	return buf;
}

/* Like pprof's measurement.Label for nanoseconds: "5.01s", "250ms". */
static void
report_duration(char *buf, size_t size, int64_t ns)
{
	static const struct {
		const char *unit;
		double ns;
	} units[] = {{"hrs", 3600e9}, {"mins", 60e9}, {"s", 1e9},
		     {"ms", 1e6},     {"us", 1e3},    {"ns", 1}};
	size_t i = 0;
	char num[64];
	size_t len;

	while (i + 1 < sizeof(units) / sizeof(units[0]) &&
	       (double)ns < units[i].ns)
		i++;
	snprintf(num, sizeof(num), "%.2f", (double)ns / units[i].ns);
	len = strlen(num);
	if (len > 3 && strcmp(num + len - 3, ".00") == 0)
		num[len - 3] = '\0';
	snprintf(buf, size, "%s%s", num, units[i].unit);
}

static void
report_time(FILE *out, int64_t unix_ns)
{
	time_t t = (time_t)(unix_ns / 1000000000);
	struct tm tm;
	char buf[64];

	if (localtime_r(&t, &tm) == NULL ||
	    strftime(buf, sizeof(buf), "%b %-d, %Y at %-I:%M%p (%Z)", &tm) == 0)
		return;
	/* Go prints "3:04pm": lower-case the AM/PM marker. */
	for (char *p = strstr(buf, " at "); p != NULL && *p != '('; p++)
		*p = (char)tolower((unsigned char)*p);
	fprintf(out, "Time: %s\n", buf);
}

/* label, then text the target controls (escaped), then a newline. */
static void
report_line(FILE *out, const char *label, const char *text)
{
	fputs(label, out);
	escape_fputs(text, out);
	fputc('\n', out);
}

static void
report_header(FILE *out, const struct profile_snapshot *s,
	      const struct top_table *t, const struct filter *f,
	      size_t max_rows)
{
	const char *base = s->exe != NULL ? strrchr(s->exe, '/') : NULL;
	char a[16], dur[64];
	const char *pct = report_percent(a, t->shown, t->total);

	if (s->exe != NULL)
		report_line(out, "File: ", base != NULL ? base + 1 : s->exe);
	for (uint32_t i = 0; s->exe != NULL && i < s->nmappings; i++)
		if (s->mappings[i].path != NULL &&
		    strcmp(s->mappings[i].path, s->exe) == 0 &&
		    s->mappings[i].build_id != NULL) {
			report_line(out, "Build ID: ", s->mappings[i].build_id);
			break;
		}
	fprintf(out, "cproftop %s\n", PACKAGE_VERSION);
	if (s->cmdline != NULL && s->cmdline[0] != '#')
		report_line(out, "", s->cmdline);
	fprintf(out, "Type: samples\n");
	if (s->start_unix_ns != 0)
		report_time(out, s->start_unix_ns);
	if (s->duration_ns != 0) {
		report_duration(dur, sizeof(dur), s->duration_ns);
		fprintf(out, "Duration: %s, Total samples = %llu \n", dur,
			(unsigned long long)t->total);
	}
	/* Not in pprof's output: cut stacks are not hidden (the live
	   header's "Unwind failed"). */
	if (s->unwind_errors > 0)
		fprintf(out,
			"Unwind failed: %llu (%.1f%%): stacks that end before "
			"their outermost frame\n",
			(unsigned long long)s->unwind_errors,
			s->samples ? 100.0 * (double)s->unwind_errors /
					     (double)s->samples
				   : 0.0);
	fprintf(out, "Showing nodes accounting for %llu, %s of %llu total\n",
		(unsigned long long)t->shown, pct + strspn(pct, " "),
		(unsigned long long)t->total);
	if (t->total != 0 && t->ndropped > 0)
		fprintf(out, "Dropped %zu node%s (cum <= %llu)\n", t->ndropped,
			t->ndropped > 1 ? "s" : "",
			(unsigned long long)((double)t->total *
					     f->node_fraction));
	if (t->total != 0 && max_rows != 0 && t->nrows < t->ncandidates)
		fprintf(out, "Showing top %zu nodes out of %zu\n", t->nrows,
			t->ncandidates);
}

/*
 * Prints path cleaned as Go's filepath.Clean does (pprof prints file names
 * that way): no "//", no "." elements, ".." folded into its parent.
 */
static void
report_path(FILE *out, const char *path)
{
	char *buf = xstrdup(path), *save = NULL, *el;
	const char **parts = xcalloc(strlen(path) + 1, sizeof(*parts));
	bool rooted = path[0] == '/';
	size_t n = 0, up = 0; /* up: leading ".." of a relative path */

	for (el = strtok_r(buf, "/", &save); el != NULL;
	     el = strtok_r(NULL, "/", &save)) {
		if (strcmp(el, ".") == 0)
			continue;
		if (strcmp(el, "..") != 0)
			parts[n++] = el;
		else if (n > up)
			n--;
		else if (!rooted)
			parts[n++] = el, up++;
	}
	if (rooted)
		fputc('/', out);
	for (size_t i = 0; i < n; i++) {
		fputs(i ? "/" : "", out);
		escape_fputs(parts[i], out);
	}
	if (n == 0 && !rooted)
		fputc('.', out);
	free(parts);
	free(buf);
}

/* The row's name as pprof prints it (PrintableName). */
static void
report_name(FILE *out, const struct top_row *r)
{
	if (r->address != 0)
		fprintf(out, "%016llx ", (unsigned long long)r->address);
	escape_fputs(r->name != NULL ? r->name : "<unknown>", out);
	if (r->file != NULL) {
		fputc(' ', out);
		report_path(out, r->file);
	} else if (r->line != 0) {
		fputc(' ', out);
	}
	if (r->line != 0)
		fprintf(out, ":%d", r->line);
}

int
report_top(FILE *out, const struct profile_snapshot *s, const struct filter *f,
	   size_t max_rows)
{
	static const char *const inl[] = {"", " (partial-inline)", " (inline)"};
	struct top_table t;
	uint64_t sum = 0;
	char a[16], b[16], c[16];

	top_build(s, f, max_rows, &t);
	report_header(out, s, &t, f, max_rows);
	fprintf(out, "%10s %5s%% %5s%% %10s %5s%%\n", "flat", "flat", "sum",
		"cum", "cum");
	for (size_t i = 0; i < t.nrows; i++) {
		const struct top_row *r = &t.rows[i];

		sum += r->flat;
		fprintf(out, "%10llu %s %s %10llu %s  ",
			(unsigned long long)r->flat,
			report_percent(a, r->flat, t.total),
			report_percent(b, sum, t.total),
			(unsigned long long)r->cum,
			report_percent(c, r->cum, t.total));
		report_name(out, r);
		fprintf(out, "%s\n", inl[r->inl]);
	}
	top_free(&t);
	return fflush(out) == 0 && !ferror(out) ? 0 : -1;
}
