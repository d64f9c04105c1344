#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

#include "tests/tap.h"
#include "tests/unit/views_fixture.h"
#include "views/pprof.h"
#include "views/profile.pb-c.h"

typedef Perftools__Profiles__Profile Profile;

static const char *
str(const Profile *p, int64_t i)
{
	return i >= 0 && (size_t)i < p->n_string_table ? p->string_table[i]
						       : "<bad index>";
}

/* Ids unique and nonzero, references resolvable, strings in range. */
static void
check_ids(const Profile *p)
{
	int bad = 0;

	for (size_t i = 0; i < p->n_mapping; i++)
		bad += p->mapping[i]->id != i + 1;
	for (size_t i = 0; i < p->n_function; i++)
		bad += p->function[i]->id != i + 1 ||
		       (size_t)p->function[i]->name >= p->n_string_table;
	tap_is_int(bad, 0, "mapping and function ids 1..n");
	bad = 0;
	for (size_t i = 0; i < p->n_location; i++) {
		const Perftools__Profiles__Location *l = p->location[i];

		bad += l->id != i + 1 || l->mapping_id > p->n_mapping ||
		       l->n_line == 0;
		for (size_t j = 0; j < l->n_line; j++)
			bad += l->line[j]->function_id == 0 ||
			       l->line[j]->function_id > p->n_function;
	}
	tap_is_int(bad, 0, "locations: ids, mappings, functions resolve");
	bad = 0;
	for (size_t i = 0; i < p->n_sample; i++) {
		const Perftools__Profiles__Sample *s = p->sample[i];

		bad += s->n_value != p->n_sample_type || s->n_location_id == 0;
		for (size_t j = 0; j < s->n_location_id; j++)
			bad += s->location_id[j] == 0 ||
			       s->location_id[j] > p->n_location;
		bad += s->n_label != 2 ||
		       strcmp(str(p, s->label[0]->key), "thread_id") != 0 ||
		       strcmp(str(p, s->label[1]->key), "thread_name") != 0;
	}
	tap_is_int(bad, 0, "samples: one value per type, ids, labels");
}

static void
check_content(const Profile *p, const char *kind)
{
	int64_t n = 0, ns = 0;

	tap_is_str(str(p, 0), "", "string_table[0] is empty");
	tap_is_int(p->n_sample_type, 2, "two sample types");
	tap_is_str(str(p, p->sample_type[0]->type), "samples", "samples/");
	tap_is_str(str(p, p->sample_type[0]->unit), "count", "/count");
	tap_is_str(str(p, p->sample_type[1]->type), kind, "cpu or wall");
	tap_is_str(str(p, p->sample_type[1]->unit), "nanoseconds", "ns");
	tap_is_str(str(p, p->period_type->type), kind, "period type");
	tap_is_int(p->period, 10000000, "period = 1e9 / 100 Hz");
	tap_is_int(p->n_mapping, 2, "two mappings");
	tap_is_str(str(p, p->mapping[0]->filename), "/usr/bin/ratio",
		   "main binary first");
	tap_ok(p->mapping[0]->has_functions && p->mapping[0]->has_filenames &&
		       p->mapping[0]->has_line_numbers &&
		       p->mapping[0]->has_inline_frames,
	       "all has_* flags");
	tap_is_int(p->mapping[0]->memory_start, 0x400000, "mapping start");
	tap_is_str(str(p, p->mapping[0]->build_id), "abcd", "build id");
	tap_is_int(p->location[4]->n_line, 2, "inline chain kept");
	tap_is_str(str(p, p->function[p->location[4]->line[0]->function_id - 1]
				  ->name),
		   "inl", "callee first");
	tap_is_int(p->location[4]->mapping_id, 1, "location -> exe mapping");
	for (size_t i = 0; i < p->n_sample; i++) {
		n += p->sample[i]->value[0];
		ns += p->sample[i]->value[1];
	}
	tap_is_int(n, strcmp(kind, "cpu") == 0 ? 120 : 130, "sample sum");
	tap_is_int(ns, n * 10000000, "nanoseconds = samples x period");
	tap_is_int(p->n_sample, 4, "one sample per (stack, thread)");
	tap_is_int(p->time_nanos, 1700000000000000000LL, "time_nanos");
	tap_is_int(p->duration_nanos, 10500000000LL, "duration_nanos");
	tap_ok(p->n_comment == 2 &&
		       strncmp(str(p, p->comment[0]), "cproftop ", 9) == 0 &&
		       strcmp(str(p, p->comment[1]), "./ratio --seconds 3") ==
			       0,
	       "comments");
	tap_is_str(str(p, p->function[FX_HOT_B]->filename), "/src/b.c",
		   "function filename");
	tap_is_int(p->function[FX_HOT_B]->start_line, 10, "start_line");
}

static Profile *
decode(const struct profile_snapshot *s, const struct filter *f)
{
	uint8_t *buf;
	size_t len;
	Profile *p;

	pprof_encode(s, f, &buf, &len);
	p = perftools__profiles__profile__unpack(NULL, len, buf);
	free(buf);
	return p;
}

/* The gzip'd bytes decode to the same profile (gunzip in memory). */
static void
test_gzip(const struct profile_snapshot *s, const struct filter *f)
{
	static uint8_t out[1 << 20];
	uint8_t *gz;
	size_t len;
	z_stream z;
	Profile *p = NULL;

	pprof_encode_gzip(s, f, &gz, &len);
	tap_ok(len > 18 && gz[0] == 0x1f && gz[1] == 0x8b, "gzip magic");
	memset(&z, 0, sizeof(z));
	if (inflateInit2(&z, 16 + MAX_WBITS) == Z_OK) {
		z.next_in = gz;
		z.avail_in = (uInt)len;
		z.next_out = out;
		z.avail_out = sizeof(out);
		if (inflate(&z, Z_FINISH) == Z_STREAM_END)
			p = perftools__profiles__profile__unpack(
				NULL, z.total_out, out);
		inflateEnd(&z);
	}
	tap_ok(p != NULL && p->n_sample == 4, "gzip bytes decode");
	if (p != NULL)
		perftools__profiles__profile__free_unpacked(p, NULL);
	free(gz);
	tap_is_int(s->refs, 1, "snapshot untouched");
}

/* A label's value by key: its str or num as text, or "" when absent. */
static void
label(const Profile *p, const Perftools__Profiles__Sample *s, const char *key,
      char *out, size_t len)
{
	snprintf(out, len, "%s", "");
	for (size_t i = 0; i < s->n_label; i++) {
		if (strcmp(str(p, s->label[i]->key), key) != 0)
			continue;
		if (s->label[i]->str != 0)
			snprintf(out, len, "%s", str(p, s->label[i]->str));
		else
			snprintf(out, len, "%lld", (long long)s->label[i]->num);
	}
}

/* Followed children: each sample says its thread's process (pid, comm). */
static void
test_pid_labels(struct fx *x, const struct filter *f)
{
	struct profile_snapshot *s;
	Profile *p;
	int bad = 0, child = 0;

	x->threads[0].pid = 100;
	snprintf(x->threads[0].process, 16, "ratio");
	x->threads[1].pid = 200;
	snprintf(x->threads[1].process, 16, "cc1");
	s = fx_snapshot(x);
	p = decode(s, f);
	for (size_t i = 0; p != NULL && i < p->n_sample; i++) {
		char tid[32], pid[32], comm[32];

		label(p, p->sample[i], "thread_id", tid, sizeof(tid));
		label(p, p->sample[i], "pid", pid, sizeof(pid));
		label(p, p->sample[i], "process_name", comm, sizeof(comm));
		if (strcmp(tid, "101") == 0) {
			child++;
			bad += strcmp(pid, "200") != 0 || strcmp(comm, "cc1");
		} else {
			bad += strcmp(pid, "100") != 0 || strcmp(comm, "ratio");
		}
		bad += p->sample[i]->n_label != 4;
	}
	tap_ok(p != NULL && child > 0, "samples of the child's thread");
	tap_is_int(bad, 0, "pid and process_name labels follow the thread");
	if (p != NULL)
		perftools__profiles__profile__free_unpacked(p, NULL);
	profile_snapshot_unref(s);
}

int
main(void)
{
	struct fx x;
	struct profile_snapshot *s = fx_standard(&x, "/src/b.c");
	struct profile_snapshot *empty;
	struct filter f;
	Profile *p;

	filter_init(&f);
	filter_set_focus(&f, "nothing-matches", NULL);
	p = decode(s, &f);
	tap_ok(p != NULL, "cpu profile decodes (focus ignored)");
	check_ids(p);
	check_content(p, "cpu");
	perftools__profiles__profile__free_unpacked(p, NULL);
	f.mode = FILTER_MODE_WALL;
	p = decode(s, &f);
	check_content(p, "wall");
	perftools__profiles__profile__free_unpacked(p, NULL);
	f.windowed = true;
	p = decode(s, &f);
	tap_is_int(p->n_sample, 3, "window: rec's second left out");
	tap_is_int(p->duration_nanos, 5000000000LL, "window duration");
	perftools__profiles__profile__free_unpacked(p, NULL);
	f.windowed = false;
	test_gzip(s, &f);
	test_pid_labels(&x, &f);

	memset(&x, 0, sizeof(x));
	empty = fx_snapshot(&x);
	p = decode(empty, &f);
	tap_ok(p != NULL && p->n_sample == 0 && p->n_string_table > 1,
	       "empty profile decodes");
	check_ids(p);
	perftools__profiles__profile__free_unpacked(p, NULL);
	profile_snapshot_unref(empty);
	filter_free(&f);
	profile_snapshot_unref(s);
	return tap_done();
}
