/*
 * views/pprof.c round trip: 1,500 random snapshots -- random mappings
 * (the main binary anywhere among them), functions with names, files and
 * system names of any non-NUL bytes (control bytes, invalid UTF-8, long
 * ones, empty ones), locations with inline chains, stacks up to 12 deep
 * (some empty), threads (some followed children, some unnamed) and counts
 * over seconds -- encoded in CPU and in wall mode, decoded with
 * protobuf-c's generated unpacker (the reference: it is not our code) and
 * compared with the snapshot: every mapping, function, location and
 * line; one sample per (stack, thread) with a nonzero count, its values
 * the sum of the counts and that sum times the period; labels; the gzip'd
 * form inflates to the same bytes; packing the decoded message gives them
 * back. Under ASan+UBSan in CI.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#include "tests/fuzz.h"
#include "tests/tap.h"
#include "tests/unit/views_fixture.h"
#include "views/filter.h"
#include "views/pprof.h"
#include "views/profile.pb-c.h"

#define ROUNDS 1500

typedef Perftools__Profiles__Profile Profile;

/* The strings of one round (the snapshot borrows them). */
static char *pool[512];
static size_t npool;

static const char *
rand_str(bool may_be_null)
{
	size_t len = fuzz_rand() % 8 == 0 ? 100 + fuzz_rand() % 300
					  : fuzz_rand() % 24;
	char *s;

	if (may_be_null && fuzz_rand() % 8 == 0)
		return NULL;
	s = malloc(len + 1);
	for (size_t i = 0; i < len; i++)
		s[i] = (char)(fuzz_rand() % 4 == 0 ? 1 + fuzz_rand() % 255
						   : 'a' + fuzz_rand() % 26);
	s[len] = '\0';
	pool[npool++] = s;
	return s;
}

static void
pool_free(void)
{
	while (npool > 0)
		free(pool[--npool]);
}

static const char *
str(const Profile *p, int64_t i)
{
	return i >= 0 && (size_t)i < p->n_string_table ? p->string_table[i]
						       : NULL;
}

/* Whether decoded string index i is s (NULL encodes as ""). */
static bool
str_is(const Profile *p, int64_t i, const char *s)
{
	const char *d = str(p, i);

	return d != NULL && strcmp(d, s != NULL ? s : "") == 0;
}

/* A random snapshot in x. */
static void
random_fx(struct fx *x)
{
	uint32_t nmaps = 1 + fuzz_rand() % 6, nfns = 1 + fuzz_rand() % 30;
	uint32_t nlocs = 1 + fuzz_rand() % 60, nstacks = 1 + fuzz_rand() % 20;
	uint32_t nthreads = 1 + fuzz_rand() % 7;

	memset(x, 0, sizeof(*x));
	for (uint32_t i = 0; i < nmaps; i++) {
		uint64_t start = 0x400000ULL * (i + 1);

		fx_map(x, start, start + 0x1000 * (1 + fuzz_rand() % 64),
		       fuzz_rand() % 6 == 0 ? "/usr/bin/ratio"
					    : rand_str(false));
		x->maps[i].offset = fuzz_rand() % 4 * 0x1000;
		x->maps[i].build_id = rand_str(true);
	}
	for (uint32_t i = 0; i < nfns; i++) {
		fx_fn(x, rand_str(false), rand_str(true),
		      (int)(fuzz_rand() % 5000));
		x->fns[i].system_name = rand_str(true);
	}
	for (uint32_t i = 0; i < nlocs && x->nlines + 4 <= 128; i++) {
		uint32_t n = 1 + (fuzz_rand() % 4 == 0 ? fuzz_rand() % 4 : 0);
		struct profile_location *l = &x->locs[x->nlocs];

		*l = (struct profile_location){
			0x400000ULL + fuzz_rand() % 0x1000000,
			fuzz_rand() % 8 == 0 ? PROFILE_NONE
					     : fuzz_rand() % nmaps,
			x->nlines, n};
		for (uint32_t j = 0; j < n; j++)
			x->lines[x->nlines++] = (struct profile_line){
				fuzz_rand() % nfns, (int)(fuzz_rand() % 9000)};
		x->nlocs++;
	}
	for (uint32_t i = 0; i < nstacks; i++) {
		uint32_t depth = fuzz_rand() % 13;

		if (x->nstack_locs + depth > 256)
			break;
		x->stacks[x->nstacks] = (struct profile_stack){
			x->nstack_locs, depth, fuzz_rand() % 8 == 0};
		for (uint32_t d = 0; d < depth; d++)
			x->stack_locs[x->nstack_locs++] =
				fuzz_rand() % x->nlocs;
		x->nstacks++;
	}
	for (uint32_t i = 0; i < nthreads; i++) {
		const char *name = fuzz_rand() % 6 == 0 ? "" : rand_str(false);
		struct profile_thread *t;

		fx_thread(x, (pid_t)(100 + i), name, 'R');
		t = &x->threads[i];
		if (fuzz_rand() % 3 == 0) {
			t->pid = 500 + (pid_t)(fuzz_rand() % 3);
			strncpy(t->process, rand_str(false),
				sizeof(t->process) - 1);
		}
	}
	x->now_second = fuzz_rand() % 30;
	for (uint32_t n = fuzz_rand() % 128; n > 0; n--)
		fx_count(x, fuzz_rand() % x->nstacks, fuzz_rand() % x->nthreads,
			 fuzz_rand() % 30,
			 fuzz_rand() % 3 == 0 ? 0 : fuzz_rand() % 1000,
			 fuzz_rand() % 2 == 0 ? 0 : fuzz_rand() % 1000);
}

/* Inflates a gzip stream. Returns the bytes (caller frees), or NULL. */
static uint8_t *
gunzip(const uint8_t *in, size_t n, size_t *len)
{
	z_stream z = {0};
	size_t cap = 4 * n + 1024;
	uint8_t *out = malloc(cap);
	int rc;

	if (inflateInit2(&z, 16 + MAX_WBITS) != Z_OK)
		return NULL;
	z.next_in = (Bytef *)in;
	z.avail_in = (uInt)n;
	for (;;) {
		z.next_out = out + z.total_out;
		z.avail_out = (uInt)(cap - z.total_out);
		rc = inflate(&z, Z_NO_FLUSH);
		if (rc == Z_STREAM_END)
			break;
		if (rc != Z_OK && rc != Z_BUF_ERROR) {
			free(out);
			inflateEnd(&z);
			return NULL;
		}
		cap *= 2;
		out = realloc(out, cap);
	}
	*len = z.total_out;
	inflateEnd(&z);
	return out;
}

/* The label key of sample ps, or NULL. */
static const Perftools__Profiles__Label *
label(const Profile *p, const Perftools__Profiles__Sample *ps, const char *key)
{
	for (size_t i = 0; i < ps->n_label; i++)
		if (str_is(p, ps->label[i]->key, key))
			return ps->label[i];
	return NULL;
}

/* The first stack of s with the same locations as stack k. */
static uint32_t
canon(const struct profile_snapshot *s, uint32_t k)
{
	const struct profile_stack *a = &s->stacks[k];

	for (uint32_t j = 0; j < k; j++) {
		const struct profile_stack *b = &s->stacks[j];

		if (a->depth == b->depth &&
		    memcmp(&s->stack_locations[a->first],
			   &s->stack_locations[b->first],
			   a->depth * sizeof(uint32_t)) == 0)
			return j;
	}
	return k;
}

/* Compares p with snapshot s encoded in mode; counts differences. */
static int
compare(const Profile *p, const struct profile_snapshot *s, bool wall)
{
	uint64_t period = 1000000000 / s->hz;
	uint64_t want[64][8] = {{0}}, got[64][8] = {{0}};
	bool raw[64][8] = {{0}};
	int bad = 0;
	size_t pairs = 0;

	bad += p->n_string_table == 0 || strcmp(p->string_table[0], "") != 0;
	bad += p->n_sample_type != 2 ||
	       !str_is(p, p->sample_type[1]->type, wall ? "wall" : "cpu") ||
	       p->period != (int64_t)period;
	/* mappings: each once, the main binary first */
	bad += p->n_mapping != s->nmappings;
	for (uint32_t i = 0; i < s->nmappings && !bad; i++) {
		const struct profile_mapping *m = &s->mappings[i];
		size_t found = 0;

		for (size_t j = 0; j < p->n_mapping; j++) {
			const Perftools__Profiles__Mapping *pm = p->mapping[j];

			bad += pm->id != j + 1;
			found += pm->memory_start == m->start &&
				 pm->memory_limit == m->limit &&
				 pm->file_offset == m->offset &&
				 str_is(p, pm->filename, m->path) &&
				 str_is(p, pm->build_id, m->build_id);
		}
		bad += found == 0;
	}
	for (uint32_t i = 0; i < s->nmappings; i++)
		if (strcmp(s->mappings[i].path, s->exe) == 0)
			bad += !str_is(p, p->mapping[0]->filename, s->exe);
	/* functions and locations, in the snapshot's order */
	bad += p->n_function != s->nfunctions;
	for (size_t i = 0; i < p->n_function && !bad; i++) {
		const struct profile_function *fn = &s->functions[i];
		const Perftools__Profiles__Function *pf = p->function[i];

		bad += pf->id != i + 1 || !str_is(p, pf->name, fn->name) ||
		       !str_is(p, pf->system_name,
			       fn->system_name ? fn->system_name : fn->name) ||
		       !str_is(p, pf->filename, fn->file) ||
		       pf->start_line != fn->start_line;
	}
	bad += p->n_location != s->nlocations;
	for (size_t i = 0; i < p->n_location && !bad; i++) {
		const struct profile_location *l = &s->locations[i];
		const Perftools__Profiles__Location *pl = p->location[i];

		bad += pl->id != i + 1 || pl->address != l->address ||
		       pl->n_line != l->nlines;
		if (l->mapping == PROFILE_NONE)
			bad += pl->mapping_id != 0;
		else
			bad += pl->mapping_id == 0 ||
			       pl->mapping_id > p->n_mapping ||
			       !str_is(p,
				       p->mapping[pl->mapping_id - 1]->filename,
				       s->mappings[l->mapping].path);
		for (size_t j = 0; j < pl->n_line && !bad; j++) {
			const struct profile_line *ln =
				&s->lines[l->first_line + j];

			bad += pl->line[j]->function_id != ln->function + 1 ||
			       pl->line[j]->line != ln->line;
		}
	}
	if (bad)
		return bad;
	/* samples: the sums per (stack, thread), computed here */
	for (uint32_t i = 0; i < s->ncounts; i++) {
		const struct profile_count *c = &s->counts[i];
		uint32_t v = c->on_cpu + (wall ? c->off_cpu : 0);

		if (s->stacks[c->stack].depth == 0 || v == 0)
			continue;
		pairs += raw[c->stack][c->thread] == 0;
		raw[c->stack][c->thread] = 1;
		want[canon(s, c->stack)][c->thread] += v;
	}
	for (size_t i = 0; i < p->n_sample; i++) {
		const Perftools__Profiles__Sample *ps = p->sample[i];
		const Perftools__Profiles__Label *tid =
			label(p, ps, "thread_id");
		const Perftools__Profiles__Label *name =
			label(p, ps, "thread_name");
		const Perftools__Profiles__Label *pid = label(p, ps, "pid");
		const struct profile_thread *t;
		uint32_t st = PROFILE_NONE, th;

		if (tid == NULL || tid->num < 100 || tid->num >= 100 + 8 ||
		    (uint32_t)(tid->num - 100) >= s->nthreads ||
		    ps->n_value != 2) {
			bad++;
			continue;
		}
		th = (uint32_t)(tid->num - 100);
		t = &s->threads[th];
		bad += (t->name[0] != '\0') != (name != NULL) ||
		       (name != NULL && !str_is(p, name->str, t->name));
		bad += (t->pid > 0) != (pid != NULL) ||
		       (pid != NULL && pid->num != t->pid);
		/* the stack whose locations these are */
		for (uint32_t k = 0; k < s->nstacks && st == PROFILE_NONE;
		     k++) {
			const struct profile_stack *sk = &s->stacks[k];
			bool same = sk->depth == ps->n_location_id &&
				    want[k][th] > 0;

			for (uint32_t d = 0; d < sk->depth && same; d++)
				same = ps->location_id[d] ==
				       s->stack_locations[sk->first + d] + 1U;
			if (same)
				st = k;
		}
		if (st == PROFILE_NONE || ps->value[0] <= 0 ||
		    ps->value[1] != ps->value[0] * (int64_t)period) {
			bad++;
			continue;
		}
		got[st][th] += (uint64_t)ps->value[0];
	}
	for (uint32_t k = 0; k < s->nstacks; k++)
		for (uint32_t th = 0; th < s->nthreads; th++)
			bad += want[k][th] != got[k][th];
	/* one sample per (stack, thread) pair with a count */
	bad += p->n_sample != pairs;
	return bad;
}

int
main(void)
{
	struct fx x;
	int bad_decode = 0, bad_cmp = 0, bad_gzip = 0, bad_repack = 0;
	size_t samples = 0, bytes = 0;

	for (int r = 0; r < ROUNDS; r++) {
		struct profile_snapshot *s;
		struct filter f;
		bool wall = r % 2 == 1;
		uint8_t *buf, *gz, *plain, *again;
		size_t len, gzlen, plainlen;
		Profile *p;

		random_fx(&x);
		s = fx_snapshot(&x);
		filter_init(&f);
		f.mode = wall ? FILTER_MODE_WALL : FILTER_MODE_CPU;
		pprof_encode(s, &f, &buf, &len);
		p = perftools__profiles__profile__unpack(NULL, len, buf);
		if (p == NULL) {
			bad_decode++;
		} else {
			bad_cmp += compare(p, s, wall) != 0;
			samples += p->n_sample;
			bytes += len;
			again = malloc(len + 1);
			bad_repack +=
				perftools__profiles__profile__get_packed_size(
					p) != len ||
				perftools__profiles__profile__pack(p, again) !=
					len ||
				memcmp(again, buf, len) != 0;
			free(again);
			perftools__profiles__profile__free_unpacked(p, NULL);
		}
		pprof_encode_gzip(s, &f, &gz, &gzlen);
		plain = gunzip(gz, gzlen, &plainlen);
		bad_gzip += plain == NULL || plainlen != len ||
			    memcmp(plain, buf, len) != 0;
		free(plain);
		free(gz);
		free(buf);
		filter_free(&f);
		profile_snapshot_unref(s);
		pool_free();
	}
	tap_is_int(bad_decode, 0, "%d random profiles decode", ROUNDS);
	tap_is_int(bad_cmp, 0,
		   "each decodes to its snapshot (%zu samples, %zu bytes)",
		   samples, bytes);
	tap_ok(samples > ROUNDS, "the profiles had samples");
	tap_is_int(bad_gzip, 0, "the gzip'd form inflates to the same bytes");
	tap_is_int(bad_repack, 0,
		   "packing the decoded message gives them back");
	return tap_done();
}
