#include "config.h"

#include "views/filter.h"

#include <stdlib.h>
#include <string.h>

#include "common/array.h"
#include "common/sorted.h"
#include "common/xmalloc.h"
#include "sampler/profile.h"

void
filter_init(struct filter *f)
{
	memset(f, 0, sizeof(*f));
	f->mode = FILTER_MODE_CPU;
	f->window_seconds = FILTER_DEFAULT_WINDOW;
	f->sort = FILTER_SORT_FLAT;
	f->granularity = FILTER_GRAN_FUNCTION;
	f->node_fraction = FILTER_DEFAULT_NODE_FRACTION;
}

void
filter_free(struct filter *f)
{
	free(f->threads);
	f->threads = NULL;
	f->nthreads = f->threads_cap = 0;
	filter_set_focus(f, NULL, NULL);
	filter_set_hide(f, NULL, NULL);
}

/* Replaces *pattern and *re by pat compiled; keeps them when it fails. */
static int
filter_set_regex(char **pattern, regex_t *re, const char *pat, char **cause)
{
	regex_t next;
	int rc;

	if (pat != NULL && *pat != '\0') {
		rc = regcomp(&next, pat, REG_EXTENDED | REG_NOSUB);
		if (rc != 0) {
			char msg[256];

			regerror(rc, &next, msg, sizeof(msg));
			if (cause != NULL)
				*cause = xasprintf("bad regex '%s': %s", pat,
						   msg);
			return -1;
		}
	}
	if (*pattern != NULL)
		regfree(re);
	free(*pattern);
	*pattern = NULL;
	if (pat != NULL && *pat != '\0') {
		*re = next;
		*pattern = xstrdup(pat);
	}
	return 0;
}

int
filter_set_focus(struct filter *f, const char *pattern, char **cause)
{
	return filter_set_regex(&f->focus, &f->focus_re, pattern, cause);
}

int
filter_set_hide(struct filter *f, const char *pattern, char **cause)
{
	return filter_set_regex(&f->hide, &f->hide_re, pattern, cause);
}

#define FILTER_ID_CMP(e, x) SORTED_NUM(*(e), (x))
SORTED_DEFINE(filter_ids, uint32_t, uint32_t, FILTER_ID_CMP)

/* Index where idx is or would be inserted in the sorted set. */
static size_t
filter_thread_pos(const struct filter *f, uint32_t idx)
{
	return filter_ids_lower(f->threads, f->nthreads, idx);
}

void
filter_thread_toggle(struct filter *f, uint32_t idx)
{
	size_t pos = filter_thread_pos(f, idx);

	if (pos < f->nthreads && f->threads[pos] == idx) {
		memmove(f->threads + pos, f->threads + pos + 1,
			(f->nthreads - pos - 1) * sizeof(*f->threads));
		f->nthreads--;
		return;
	}
	ARRAY_RESERVE(f->threads, f->threads_cap, f->nthreads + 1);
	memmove(f->threads + pos + 1, f->threads + pos,
		(f->nthreads - pos) * sizeof(*f->threads));
	f->threads[pos] = idx;
	f->nthreads++;
}

bool
filter_thread_selected(const struct filter *f, uint32_t idx)
{
	size_t pos;

	if (f->nthreads == 0)
		return true;
	pos = filter_thread_pos(f, idx);
	return pos < f->nthreads && f->threads[pos] == idx;
}

void
filter_threads_clear(struct filter *f)
{
	free(f->threads);
	f->threads = NULL;
	f->nthreads = f->threads_cap = 0;
}

uint64_t
filter_count_value(const struct filter *f, const struct profile_snapshot *s,
		   const struct profile_count *c)
{
	if (f->windowed &&
	    (uint64_t)c->second + f->window_seconds <= s->now_second)
		return 0;
	if (f->mode == FILTER_MODE_CPU)
		return c->on_cpu;
	return (uint64_t)c->on_cpu + c->off_cpu;
}
