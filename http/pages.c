#include "config.h"

#include "http/pages.h"

#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "common/escape.h"
#include "common/xmalloc.h"
#include "sampler/heapprof.h"
#include "sampler/profile.h"

static void
pages_str(FILE *out, const char *s)
{
	if (s != NULL)
		escape_controls(out, s, strlen(s), NULL);
}

/* HTML text: entities for <>&"' and \xNN for control bytes. */
static void
pages_html(FILE *out, const char *s)
{
	for (; s != NULL && *s != '\0'; s++) {
		switch (*s) {
		case '<':
			fputs("&lt;", out);
			break;
		case '>':
			fputs("&gt;", out);
			break;
		case '&':
			fputs("&amp;", out);
			break;
		case '"':
			fputs("&#34;", out);
			break;
		case '\'':
			fputs("&#39;", out);
			break;
		default:
			escape_controls(out, s, 1, NULL);
		}
	}
}

static uint32_t
pages_live_threads(const struct profile_snapshot *s)
{
	uint32_t n = 0;

	for (uint32_t t = 0; t < s->nthreads; t++)
		n += s->threads[t].alive;
	return n;
}

/* The index's heap profiles, listed only with --heap. */
static bool
pages_heap_entry(const char *name)
{
	return strcmp(name, "heap") == 0 || strcmp(name, "allocs") == 0;
}

void
pages_index(FILE *out, const struct profile_snapshot *s, long heap_records)
{
	static const struct {
		const char *name, *desc;
	} entries[] = {
		{"allocs",
		 "A sampling of all past memory allocations (--heap), "
		 "as heap's, shown as alloc_space by default"},
		{"cmdline", "The command line of the profiled process, "
			    "arguments separated by NUL bytes"},
		{"profile", "CPU profile. You can specify the duration in the "
			    "seconds GET parameter (default 30). After you get "
			    "the profile file, use the go tool pprof command "
			    "to investigate the profile."},
		{"threads", "Stack traces of all current threads (the latest "
			    "sample of each), like Go's goroutine profile"},
		{"wall", "Wall-clock profile: on-CPU and off-CPU (sleeping, "
			 "blocked) samples of every thread. Takes the seconds "
			 "GET parameter like profile."},
		{"heap", "A sampling of memory allocations of live objects "
			 "(--heap). Takes the seconds GET parameter: the "
			 "delta of that many seconds."},
	};

	fputs("<html>\n<head>\n<title>/debug/pprof/</title>\n<style>\n"
	      ".profile-name{\n\tdisplay:inline-block;\n\twidth:6rem;\n}\n"
	      "</style>\n</head>\n<body>\n/debug/pprof/<br>\n<br>\n",
	      out);
	fprintf(out, "cproftop %s serving process %d: ", PACKAGE_VERSION,
		(int)s->pid);
	pages_html(out, s->cmdline);
	fputs("<br>\n<br>\nTypes of profiles available:\n<table>\n"
	      "<thead><td>Count</td><td>Profile</td></thead>\n",
	      out);
	for (size_t i = 0; i < sizeof(entries) / sizeof(entries[0]); i++) {
		bool heap = pages_heap_entry(entries[i].name);

		if (heap && heap_records < 0)
			continue;
		fprintf(out,
			"<tr><td>%ld</td><td><a href='%s?debug=1'>%s</a>"
			"</td></tr>\n",
			heap ? heap_records
			: strcmp(entries[i].name, "threads") == 0
				? (long)pages_live_threads(s)
				: 0L,
			entries[i].name, entries[i].name);
	}
	fputs("</table>\n<a href=\"threads?debug=2\">full thread stack "
	      "dump</a>\n<br>\n<p>\nProfile Descriptions:\n<ul>\n",
	      out);
	for (size_t i = 0; i < sizeof(entries) / sizeof(entries[0]); i++) {
		if (heap_records < 0 && pages_heap_entry(entries[i].name))
			continue;
		fprintf(out, "<li><div class=profile-name>%s: </div> ",
			entries[i].name);
		pages_html(out, entries[i].desc);
		fputs("</li>\n", out);
	}
	fputs("</ul>\n</p>\n</body>\n</html>", out);
}

static const char *
pages_state(char c)
{
	switch (c) {
	case 'R':
		return "running";
	case 'S':
		return "sleeping";
	case 'D':
		return "disk sleep";
	case 'T':
		return "stopped";
	case 't':
		return "tracing stop";
	case 'Z':
		return "zombie";
	case 'X':
		return "dead";
	case 'I':
		return "idle";
	case 'P':
		return "parked";
	default:
		return "unknown";
	}
}

/* One location's frames, innermost first: FUNC() / "\tFILE:LINE". */
static void
pages_frames(FILE *out, const struct profile_snapshot *s, uint32_t loc)
{
	const struct profile_location *l = &s->locations[loc];

	for (uint32_t i = 0; i < l->nlines; i++) {
		const struct profile_line *ln;
		const struct profile_function *fn;

		if (l->first_line + i >= s->nlines)
			break;
		ln = &s->lines[l->first_line + i];
		if (ln->function >= s->nfunctions)
			continue;
		fn = &s->functions[ln->function];
		pages_str(out, fn->name);
		fputs(i + 1 < l->nlines ? "(...)\n\t" : "()\n\t", out);
		if (fn->file != NULL) {
			pages_str(out, fn->file);
			fprintf(out, ":%d", ln->line);
		} else if (l->mapping < s->nmappings) {
			const struct profile_mapping *m =
				&s->mappings[l->mapping];

			pages_str(out, m->path);
			fprintf(out, " +0x%llx",
				(unsigned long long)(l->address - m->start +
						     m->offset));
		} else {
			fputs("?", out);
		}
		fprintf(out, " pc=0x%llx\n", (unsigned long long)l->address);
	}
}

void
pages_threads(FILE *out, const struct profile_snapshot *s)
{
	bool first = true;

	for (uint32_t t = 0; t < s->nthreads; t++) {
		const struct profile_thread *th = &s->threads[t];
		const struct profile_stack *st;

		if (!th->alive)
			continue;
		if (!first)
			putc('\n', out);
		first = false;
		fprintf(out, "thread %d \"", (int)th->tid);
		escape_controls(out, th->name,
				strnlen(th->name, sizeof(th->name)), NULL);
		fprintf(out, "\" [%s]:\n", pages_state(th->state));
		if (th->last_stack >= s->nstacks) {
			fputs("(not sampled yet)\n", out);
			continue;
		}
		st = &s->stacks[th->last_stack];
		for (uint32_t d = 0; d < st->depth; d++)
			if (s->stack_locations[st->first + d] < s->nlocations)
				pages_frames(out, s,
					     s->stack_locations[st->first + d]);
		if (st->truncated)
			fputs("...unwinding stopped here\n", out);
	}
}

/*
 * Go's legacy text stack record, after its counts: " @ PC PC...", then a
 * "#\tPC\tFUNC\tFILE:LINE" line a frame (one an inlined function), then
 * a blank line.
 */
static void
pages_stack_record(FILE *out, const struct profile_snapshot *s, uint32_t stack)
{
	const struct profile_stack *st = &s->stacks[stack];

	fputs(" @", out);
	for (uint32_t d = 0; d < st->depth; d++)
		fprintf(out, " 0x%llx",
			(unsigned long long)s
				->locations[s->stack_locations[st->first + d]]
				.address);
	putc('\n', out);
	for (uint32_t d = 0; d < st->depth; d++) {
		const struct profile_location *l =
			&s->locations[s->stack_locations[st->first + d]];

		for (uint32_t k = 0; k < l->nlines; k++) {
			const struct profile_line *ln =
				&s->lines[l->first_line + k];
			const struct profile_function *fn =
				&s->functions[ln->function];

			fprintf(out, "#\t0x%llx\t",
				(unsigned long long)l->address);
			pages_str(out, fn->name);
			if (fn->file != NULL) {
				putc('\t', out);
				pages_str(out, fn->file);
				fprintf(out, ":%d", ln->line);
			}
			putc('\n', out);
		}
	}
	putc('\n', out);
}

/* Per-stack thread counts, for debug=1. */
struct pages_stack_count {
	uint32_t stack, n;
};

static int
pages_count_cmp(const void *a, const void *b)
{
	const struct pages_stack_count *x = a, *y = b;

	if (x->n != y->n)
		return x->n < y->n ? 1 : -1;
	return (x->stack > y->stack) - (x->stack < y->stack);
}

void
pages_threads_counts(FILE *out, const struct profile_snapshot *s)
{
	struct pages_stack_count *c =
		xcalloc((size_t)s->nthreads + 1, sizeof(*c));
	size_t n = 0, total = 0;

	for (uint32_t t = 0; t < s->nthreads; t++) {
		uint32_t st = s->threads[t].last_stack;
		size_t i;

		if (!s->threads[t].alive || st >= s->nstacks)
			continue;
		total++;
		for (i = 0; i < n && c[i].stack != st; i++)
			;
		if (i == n)
			c[n++] = (struct pages_stack_count){st, 0};
		c[i].n++;
	}
	qsort(c, n, sizeof(*c), pages_count_cmp);
	fprintf(out, "threads profile: total %zu\n", total);
	for (size_t i = 0; i < n; i++) {
		fprintf(out, "%u", c[i].n);
		pages_stack_record(out, s, c[i].stack);
	}
	free(c);
}

struct pages_heap_rec {
	uint32_t bucket;
	uint64_t live, inuse_bytes, alloc_bytes;
};

static int
pages_heap_cmp(const void *a, const void *b)
{
	const struct pages_heap_rec *x = a, *y = b;

	if (x->inuse_bytes != y->inuse_bytes)
		return x->inuse_bytes < y->inuse_bytes ? 1 : -1;
	if (x->alloc_bytes != y->alloc_bytes)
		return x->alloc_bytes < y->alloc_bytes ? 1 : -1;
	return (x->bucket > y->bucket) - (x->bucket < y->bucket);
}

void
pages_heap(FILE *out, const struct heapprof_snapshot *h, const char *counts)
{
	const struct profile_snapshot *s = h->tables;
	struct pages_heap_rec *r = xcalloc((size_t)h->nbuckets + 1, sizeof(*r));
	uint64_t io = 0, ib = 0, ao = 0, ab = 0;
	size_t n = 0;

	for (uint32_t k = 0; k < h->nbuckets; k++) {
		const struct heapprof_bucket *b = &h->buckets[k];
		uint64_t live = b->allocs > b->frees ? b->allocs - b->frees : 0;

		if (b->stack >= s->nstacks || b->allocs == 0)
			continue;
		r[n++] = (struct pages_heap_rec){k, live, live * b->size,
						 b->allocs * b->size};
		io += live;
		ib += live * b->size;
		ao += b->allocs;
		ab += b->allocs * b->size;
	}
	qsort(r, n, sizeof(*r), pages_heap_cmp);
	fprintf(out, "heap profile: %llu: %llu [%llu: %llu] @ heap/%llu\n",
		(unsigned long long)io, (unsigned long long)ib,
		(unsigned long long)ao, (unsigned long long)ab,
		(unsigned long long)h->rate * 2);
	for (size_t i = 0; i < n; i++) {
		const struct heapprof_bucket *b = &h->buckets[r[i].bucket];

		fprintf(out, "%llu: %llu [%llu: %llu]",
			(unsigned long long)r[i].live,
			(unsigned long long)r[i].inuse_bytes,
			(unsigned long long)b->allocs,
			(unsigned long long)r[i].alloc_bytes);
		pages_stack_record(out, s, b->stack);
	}
	fputs("# cproftop heap: ", out);
	pages_str(out, counts);
	fprintf(out,
		"\n# rate: one sample every %llu bytes allocated, on "
		"average (the counts above are samples, unscaled)\n",
		(unsigned long long)h->rate);
	free(r);
}

struct pages_addr {
	uint64_t address;
	uint32_t location;
};

static int
pages_addr_cmp(const void *a, const void *b)
{
	const struct pages_addr *x = a, *y = b;

	return (x->address > y->address) - (x->address < y->address);
}

/* The innermost function at address, or NULL. */
static const char *
pages_lookup(const struct profile_snapshot *s, const struct pages_addr *tab,
	     size_t n, uint64_t address)
{
	struct pages_addr key = {address, 0};
	const struct pages_addr *hit =
		bsearch(&key, tab, n, sizeof(*tab), pages_addr_cmp);
	const struct profile_location *l;

	if (hit == NULL)
		return NULL;
	l = &s->locations[hit->location];
	if (l->nlines == 0 || l->first_line >= s->nlines ||
	    s->lines[l->first_line].function >= s->nfunctions)
		return NULL;
	return s->functions[s->lines[l->first_line].function].name;
}

void
pages_symbol(FILE *out, const struct profile_snapshot *s, const char *in,
	     size_t len, size_t max_words)
{
	struct pages_addr *tab =
		xcalloc((size_t)s->nlocations + 1, sizeof(*tab));
	size_t pos = 0, words = 0;

	for (uint32_t i = 0; i < s->nlocations; i++)
		tab[i] = (struct pages_addr){s->locations[i].address, i};
	qsort(tab, s->nlocations, sizeof(*tab), pages_addr_cmp);
	fputs("num_symbols: 1\n", out);
	while (pos < len && words++ < max_words) {
		const char *plus = memchr(in + pos, '+', len - pos);
		size_t wl = plus ? (size_t)(plus - (in + pos)) : len - pos;
		char word[32], *end;
		unsigned long long pc;
		const char *name;

		if (wl > 0 && wl < sizeof(word)) {
			memcpy(word, in + pos, wl);
			word[wl] = '\0';
			errno = 0;
			pc = strtoull(word, &end, 0);
			if (errno == 0 && *end == '\0' && word[0] != '-' &&
			    word[0] != '+' && pc != 0 &&
			    (name = pages_lookup(s, tab, s->nlocations, pc)) !=
				    NULL) {
				fprintf(out, "0x%llx ", pc);
				pages_str(out, name);
				putc('\n', out);
			}
		}
		pos += wl + 1;
	}
	free(tab);
}

int
pages_int_param(const char *v, long def, long min, long max, long *out)
{
	long n = 0;

	if (v == NULL || *v == '\0') {
		*out = def;
		return 0;
	}
	for (const char *p = v; *p != '\0'; p++) {
		if (*p < '0' || *p > '9')
			return -1;
		if (n > (max - (*p - '0')) / 10)
			return -1;
		n = n * 10 + (*p - '0');
	}
	if (n < min)
		return -1;
	*out = n;
	return 0;
}
