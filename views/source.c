#include "config.h"

#include "views/source.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "attach/rootfs.h"
#include "common/array.h"
#include "common/xmalloc.h"
#include "sampler/profile.h"
#include "views/graph.h"

#define SOURCE_MARGIN 5
#define SOURCE_MAX_BYTES (64u << 20)

static bool
source_streq(const char *a, const char *b)
{
	if (a == NULL || b == NULL)
		return a == b;
	return strcmp(a, b) == 0;
}

/*
 * Tries file inside root (a directory the user gave, "/" or "."), or
 * inside the target's root when root is NULL (attach/rootfs.h: symlinks
 * and ".." stay inside, regular files only, at most SOURCE_MAX_BYTES, as
 * the target's owner). shown (consumed) names the file for the title.
 * True when v holds it; else *cause says why, unless already set.
 */
static bool
source_try(struct source_view *v, const struct source_options *opt,
	   const char *root, const char *file, char *shown, char **cause)
{
	char *why = NULL;
	size_t len;

	v->buf = root == NULL ? rootfs_read_target(opt->pid, file,
						   SOURCE_MAX_BYTES, &len, &why)
			      : rootfs_read_in(root, file, SOURCE_MAX_BYTES,
					       &len, &why);
	if (v->buf == NULL) {
		if (*cause == NULL)
			*cause = why;
		else
			free(why);
		free(shown);
		return false;
	}
	v->path = shown;
	return true;
}

/* An entry of the source path: "DIR" (DIR/file, DIR/basename) or FROM=TO. */
static bool
source_try_entry(struct source_view *v, const struct source_options *opt,
		 const char *entry, const char *file, char **cause)
{
	const char *eq = strchr(entry, '=');
	const char *base = strrchr(file, '/');

	if (eq != NULL) {
		size_t n = (size_t)(eq - entry);

		return strncmp(file, entry, n) == 0 &&
		       source_try(v, opt, eq[1] != '\0' ? eq + 1 : "/",
				  file + n, xasprintf("%s%s", eq + 1, file + n),
				  cause);
	}
	if (source_try(v, opt, entry, file, xasprintf("%s/%s", entry, file),
		       cause))
		return true;
	return base != NULL &&
	       source_try(v, opt, entry, base + 1,
			  xasprintf("%s/%s", entry, base + 1), cause);
}

/*
 * Finds and reads v->file; sets v->note when it cannot. An absolute path
 * is looked up inside the target's root only (never on cproftop's side of
 * a chroot or container), a relative one inside the current directory;
 * then the source path entries.
 */
static void
source_find(struct source_view *v, const struct source_options *opt)
{
	const char *file = v->file;
	char *cause = NULL;

	if (file == NULL) {
		v->note = xasprintf("no source file recorded for %s",
				    v->name != NULL ? v->name : "?");
		return;
	}
	if (opt != NULL && opt->pid > 0 && file[0] == '/') {
		if (source_try(
			    v, opt, NULL, file,
			    xasprintf("/proc/%d/root%s", (int)opt->pid, file),
			    &cause))
			return;
	} else if (source_try(v, opt, file[0] == '/' ? "/" : ".", file,
			      xstrdup(file), &cause)) {
		return;
	}
	for (size_t i = 0; opt != NULL && i < opt->npaths; i++) {
		if (source_try_entry(v, opt, opt->paths[i], file, &cause)) {
			free(cause);
			return;
		}
	}
	v->note = xasprintf("source file %s not found: %s (add a directory "
			    "with --source-path)",
			    file, cause != NULL ? cause : "?");
	free(cause);
}

/* Splits v->buf into lines; returns the array (caller frees) and count. */
static char **
source_split(char *buf, size_t *n)
{
	char **lines = NULL;
	size_t cap = 0;

	*n = 0;
	while (*buf != '\0') {
		char *nl = strchr(buf, '\n');

		*ARRAY_PUSH(lines, *n, cap) = buf;
		if (nl == NULL)
			break;
		*nl = '\0';
		buf = nl + 1;
	}
	return lines;
}

static void
source_add(struct source_view *v, size_t *cap, const struct source_row *r)
{
	*ARRAY_PUSH(v->rows, v->nrows, *cap) = *r;
	v->flat += r->flat;
	v->cum += r->cum;
}

/* The line nodes of the function in g (same name and file, line != 0). */
static void
source_line_range(const struct graph *g, const struct source_view *v, int *lo,
		  int *hi)
{
	*lo = 0;
	*hi = 0;
	for (size_t i = 0; i < g->nnodes; i++) {
		const struct graph_node *n = &g->nodes[i];

		if (n->line <= 0 || n->cum == 0 ||
		    !source_streq(n->name, v->name) ||
		    !source_streq(n->file, v->file))
			continue;
		if (*lo == 0 || n->line < *lo)
			*lo = n->line;
		if (n->line > *hi)
			*hi = n->line;
	}
}

static void
source_counts(const struct graph *g, const struct source_view *v, int line,
	      struct source_row *r)
{
	r->line = line;
	for (size_t i = 0; i < g->nnodes; i++) {
		const struct graph_node *n = &g->nodes[i];

		if (n->line == line && source_streq(n->name, v->name) &&
		    source_streq(n->file, v->file)) {
			r->flat += n->flat;
			r->cum += n->cum;
		}
	}
}

/* Rows per line of the function, with text when the file was read. */
static void
source_lines(struct source_view *v, const struct graph *g, int start_line,
	     int lo, int hi)
{
	size_t cap = 0, nlines = 0;
	char **text = NULL;
	int start = start_line > 0 && start_line <= lo ? start_line
						       : lo - SOURCE_MARGIN;
	int end = hi + SOURCE_MARGIN;

	if (start < 1)
		start = 1;
	if (v->buf != NULL)
		text = source_split(v->buf, &nlines);
	for (int l = start; l <= end; l++) {
		struct source_row r = {0};

		if (text != NULL && (size_t)l > nlines)
			break;
		source_counts(g, v, l, &r);
		if (text == NULL && r.cum == 0)
			continue;
		r.text = text != NULL ? text[l - 1] : NULL;
		source_add(v, &cap, &r);
	}
	free(text);
}

/* Rows per address when the function has no line numbers. */
static void
source_addresses(struct source_view *v, const struct profile_snapshot *s,
		 const struct view_weights *w, const struct filter *f)
{
	struct graph g;
	size_t cap = 0;

	graph_build_any(&g, s, w, f, FILTER_GRAN_ADDRESS, false);
	for (size_t i = 0; i < g.nnodes; i++) {
		const struct graph_node *n = &g.nodes[i];
		struct source_row r = {
			.address = n->address, .flat = n->flat, .cum = n->cum};

		if (n->cum != 0 && source_streq(n->name, v->name))
			source_add(v, &cap, &r);
	}
	graph_free(&g);
	for (size_t i = 1; i < v->nrows; i++) {
		struct source_row r = v->rows[i];
		size_t j = i;

		for (; j > 0 && v->rows[j - 1].address > r.address; j--)
			v->rows[j] = v->rows[j - 1];
		v->rows[j] = r;
	}
}

static void
source_hottest(struct source_view *v)
{
	v->hottest = -1;
	for (size_t i = 0; i < v->nrows; i++) {
		const struct source_row *r = &v->rows[i];
		const struct source_row *h =
			v->hottest >= 0 ? &v->rows[v->hottest] : NULL;

		if (r->cum == 0)
			continue;
		if (h == NULL || r->flat > h->flat ||
		    (r->flat == h->flat && r->cum > h->cum))
			v->hottest = (long)i;
	}
}

/* source_build() over s's counts (w NULL) or w's values (s =
   w->tables). */
static int
source_build_any(const struct profile_snapshot *s, const struct view_weights *w,
		 const struct filter *f, uint32_t function,
		 const struct source_options *opt, struct source_view *out)
{
	const struct profile_function *fn;
	struct graph g;
	int lo, hi;

	memset(out, 0, sizeof(*out));
	out->hottest = -1;
	if (function >= s->nfunctions)
		return -1;
	fn = &s->functions[function];
	out->function = function;
	out->name = fn->name;
	out->file = fn->file;
	graph_build_any(&g, s, w, f, FILTER_GRAN_LINE, false);
	out->total = g.total;
	out->left_out = g.left_out;
	source_line_range(&g, out, &lo, &hi);
	if (out->file != NULL && (lo > 0 || fn->start_line > 0)) {
		source_find(out, opt);
		if (lo == 0)
			lo = hi = fn->start_line;
		source_lines(out, &g, fn->start_line, lo, hi);
	} else {
		if (out->file == NULL)
			source_find(out, opt);
		else
			out->note =
				xasprintf("no line numbers for %s", out->name);
		source_addresses(out, s, w, f);
	}
	graph_free(&g);
	source_hottest(out);
	return 0;
}

int
source_build(const struct profile_snapshot *s, const struct filter *f,
	     uint32_t function, const struct source_options *opt,
	     struct source_view *out)
{
	return source_build_any(s, NULL, f, function, opt, out);
}

int
source_build_weights(const struct view_weights *w, const struct filter *f,
		     uint32_t function, const struct source_options *opt,
		     struct source_view *out)
{
	return source_build_any(w->tables, w, f, function, opt, out);
}

void
source_free(struct source_view *v)
{
	free(v->path);
	free(v->note);
	free(v->rows);
	free(v->buf);
	memset(v, 0, sizeof(*v));
	v->hottest = -1;
}
