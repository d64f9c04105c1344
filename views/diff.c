#include "config.h"

#include "views/diff.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#include "common/array.h"
#include "common/sorted.h"
#include "common/xmalloc.h"
#include "views/profile.pb-c.h"
#include "views/top.h"

#define DIFF_MAX_FILE (256u << 20)

struct diff_pair {
	char *name;
	uint64_t flat;
};

static int
diff_pair_cmp(const void *pa, const void *pb)
{
	return strcmp(((const struct diff_pair *)pa)->name,
		      ((const struct diff_pair *)pb)->name);
}

/* Sorts pairs by name, merges equal names and stores them in b. */
static void
diff_fill(struct diff_base *b, struct diff_pair *p, size_t n)
{
	qsort(p, n, sizeof(*p), diff_pair_cmp);
	b->names = xcalloc(n + 1, sizeof(*b->names));
	b->flat = xcalloc(n + 1, sizeof(*b->flat));
	b->n = 0;
	for (size_t i = 0; i < n; i++) {
		if (b->n > 0 && strcmp(b->names[b->n - 1], p[i].name) == 0) {
			b->flat[b->n - 1] += p[i].flat;
			free(p[i].name);
			continue;
		}
		b->names[b->n] = p[i].name;
		b->flat[b->n++] = p[i].flat;
	}
}

void
diff_from_table(const struct top_table *t, const char *what,
		struct diff_base *out)
{
	struct diff_pair *p = xcalloc(t->nrows + 1, sizeof(*p));

	memset(out, 0, sizeof(*out));
	for (size_t i = 0; i < t->nrows; i++) {
		p[i].name = xstrdup(t->rows[i].name ? t->rows[i].name : "?");
		p[i].flat = t->rows[i].flat;
	}
	diff_fill(out, p, t->nrows);
	out->total = t->total;
	out->what = xstrdup(what);
	free(p);
}

/* Reads path whole, gunzipping when it starts with the gzip magic. */
static uint8_t *
diff_read(const char *path, size_t *len, char **cause)
{
	gzFile gz = gzopen(path, "rb");
	size_t cap = 1 << 16, n = 0;
	uint8_t *buf;
	int got;

	if (gz == NULL) {
		*cause = xasprintf("%s: %s", path, strerror(errno));
		return NULL;
	}
	buf = xmalloc(cap);
	while ((got = gzread(gz, buf + n, (unsigned)(cap - n))) > 0) {
		n += (size_t)got;
		if (n == cap) {
			if (cap >= DIFF_MAX_FILE) {
				*cause = xasprintf("%s: larger than %u MiB",
						   path, DIFF_MAX_FILE >> 20);
				gzclose(gz);
				free(buf);
				return NULL;
			}
			ARRAY_RESERVE(buf, cap, cap + 1);
		}
	}
	if (got < 0) {
		*cause = xasprintf("%s: cannot read (not gzip?)", path);
		gzclose(gz);
		free(buf);
		return NULL;
	}
	gzclose(gz);
	*len = n;
	return buf;
}

/* The location with id (ids are usually index + 1), or NULL. */
static const Perftools__Profiles__Location *
diff_location(const Perftools__Profiles__Profile *p, uint64_t id)
{
	if (id >= 1 && id <= p->n_location && p->location[id - 1]->id == id)
		return p->location[id - 1];
	for (size_t i = 0; i < p->n_location; i++)
		if (p->location[i]->id == id)
			return p->location[i];
	return NULL;
}

static const Perftools__Profiles__Function *
diff_function(const Perftools__Profiles__Profile *p, uint64_t id)
{
	if (id >= 1 && id <= p->n_function && p->function[id - 1]->id == id)
		return p->function[id - 1];
	for (size_t i = 0; i < p->n_function; i++)
		if (p->function[i]->id == id)
			return p->function[i];
	return NULL;
}

int
diff_load(const char *path, struct diff_base *out, char **cause)
{
	Perftools__Profiles__Profile *p;
	struct diff_pair *pairs;
	size_t len, np = 0, vi = 0;
	uint8_t *buf = diff_read(path, &len, cause);

	memset(out, 0, sizeof(*out));
	if (buf == NULL)
		return -1;
	p = perftools__profiles__profile__unpack(NULL, len, buf);
	free(buf);
	if (p == NULL || p->n_sample_type == 0) {
		*cause = xasprintf("%s: not a pprof profile", path);
		if (p != NULL)
			perftools__profiles__profile__free_unpacked(p, NULL);
		return -1;
	}
	for (size_t i = 0; i < p->n_sample_type; i++) {
		int64_t ty = p->sample_type[i]->type;

		if (ty >= 0 && (size_t)ty < p->n_string_table &&
		    strcmp(p->string_table[ty], "samples") == 0) {
			vi = i;
			break;
		}
	}
	pairs = xcalloc(p->n_sample + 1, sizeof(*pairs));
	for (size_t i = 0; i < p->n_sample; i++) {
		const Perftools__Profiles__Sample *smp = p->sample[i];
		const Perftools__Profiles__Location *loc;
		const Perftools__Profiles__Function *fn;
		const char *name = "?";
		int64_t v;

		if (vi >= smp->n_value || (v = smp->value[vi]) <= 0)
			continue;
		out->total += (uint64_t)v;
		if (smp->n_location_id == 0)
			continue;
		/* the leaf: the first location's innermost line */
		loc = diff_location(p, smp->location_id[0]);
		fn = loc != NULL && loc->n_line > 0
			     ? diff_function(p, loc->line[0]->function_id)
			     : NULL;
		if (fn != NULL && fn->name >= 0 &&
		    (uint64_t)fn->name < p->n_string_table)
			name = p->string_table[fn->name];
		pairs[np].name = xstrdup(name);
		pairs[np++].flat = (uint64_t)v;
	}
	diff_fill(out, pairs, np);
	free(pairs);
	out->what = xstrdup(path);
	perftools__profiles__profile__free_unpacked(p, NULL);
	return 0;
}

#define DIFF_NAME_CMP(e, x) strcmp(*(e), (x))
SORTED_DEFINE(diff_names, char *, const char *, DIFF_NAME_CMP)

double
diff_pct(const struct diff_base *b, const char *name)
{
	size_t i;

	if (b->total == 0 || name == NULL)
		return 0.0;
	i = diff_names_lower(b->names, b->n, name);
	if (i == b->n || strcmp(b->names[i], name) != 0)
		return 0.0;
	return 100.0 * (double)b->flat[i] / (double)b->total;
}

void
diff_free(struct diff_base *b)
{
	for (size_t i = 0; i < b->n; i++)
		free(b->names[i]);
	free(b->names);
	free(b->flat);
	free(b->what);
	memset(b, 0, sizeof(*b));
}
