/*
 * views/delta.c (the samples between two snapshots, for HTTP profile
 * windows) and pprof_encode_threads() (the threads profile), on the
 * fixture snapshots of views_fixture.h.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "tests/tap.h"
#include "tests/unit/views_fixture.h"
#include "views/delta.h"
#include "views/pprof.h"
#include "views/profile.pb-c.h"
#include "views/top.h"

typedef Perftools__Profiles__Profile Profile;

static const char *
str(const Profile *p, int64_t i)
{
	return i >= 0 && (size_t)i < p->n_string_table ? p->string_table[i]
						       : "<bad index>";
}

/* The on-CPU samples of (stack, thread) in view v. */
static uint64_t
on_cpu(const struct profile_snapshot *v, uint32_t stack, uint32_t thread)
{
	uint64_t n = 0;

	for (uint32_t i = 0; i < v->ncounts; i++)
		if (v->counts[i].stack == stack &&
		    v->counts[i].thread == thread)
			n += v->counts[i].on_cpu;
	return n;
}

static void
test_window(void)
{
	struct fx x;
	struct profile_snapshot *s0 = fx_standard(&x, "/src/b.c"), *s1;
	struct profile_snapshot v;
	struct profile_count *counts;
	struct top_table t;
	struct filter f;

	/* Later: stack 0 gains 5 on + 2 off in second 12, stack 1 gains 7
	   in second 11, stack 3 nothing; the old seconds fold into 0. */
	x.counts[0].second = 0;
	x.counts[3].second = 0;
	fx_count(&x, 0, 0, 12, 5, 2);
	fx_count(&x, 1, 1, 11, 4, 0);
	fx_count(&x, 1, 1, 12, 3, 0);
	x.now_second = 12;
	s1 = fx_snapshot(&x);
	s1->duration_ns = s0->duration_ns + 2250000000LL;

	delta_view(s0, s1, &v, &counts);
	tap_is_int(v.ncounts, 2, "two (stack, thread) pairs changed");
	tap_is_int(on_cpu(&v, 0, 0), 5, "stack 0: 65 - 60 on-CPU");
	tap_is_int(on_cpu(&v, 1, 1), 7, "stack 1: 37 - 30, two seconds");
	tap_is_int(on_cpu(&v, 3, 0), 0, "stack 3 unchanged: absent");
	tap_is_int(v.samples, 14, "samples = 5 + 2 + 7");
	tap_is_int(v.duration_ns, 2250000000LL, "duration between the two");
	tap_is_int(v.start_unix_ns, s0->start_unix_ns + s0->duration_ns,
		   "starts when the first was published");
	tap_is_int(v.nstacks, s1->nstacks, "tables of the later one");

	filter_init(&f);
	f.node_fraction = 0;
	top_build(&v, &f, 0, &t);
	tap_is_int(t.total, 12, "top over the window: 12 on-CPU");
	tap_ok(t.nrows > 0 && strcmp(t.rows[0].name, "hot_b") == 0,
	       "hot_b leads the window (7 of 12)");
	top_free(&t);
	f.windowed = true;
	f.window_seconds = 1;
	top_build(&v, &f, 0, &t);
	tap_is_int(t.total, 12, "a windowed filter sees them too");
	top_free(&t);
	filter_free(&f);
	free(counts);

	/* A reset in between: the window starts at the reset. */
	s1->start_unix_ns += 5;
	delta_view(s0, s1, &v, &counts);
	tap_is_int(on_cpu(&v, 0, 0), 65, "after a reset every count is kept");
	tap_is_int(v.duration_ns, s1->duration_ns, "duration since reset");
	free(counts);
	delta_view(NULL, s1, &v, &counts);
	tap_is_int(v.ncounts, 4, "no start: everything");
	free(counts);
	tap_is_int(s1->refs, 1, "snapshot untouched");
	profile_snapshot_unref(s0);
	profile_snapshot_unref(s1);
}

static void
test_threads(void)
{
	struct fx x;
	struct profile_snapshot *s;
	uint8_t *buf;
	size_t len;
	Profile *p;
	int ok = 1;

	profile_snapshot_unref(fx_standard(&x, "/src/b.c"));
	x.threads[0].last_stack = 3;
	x.threads[1].last_stack = 1;
	fx_thread(&x, 102, "idle\x1b[2J", 'S');
	x.threads[2].last_stack = PROFILE_NONE; /* never sampled */
	fx_thread(&x, 103, "gone", 'Z');
	x.threads[3].last_stack = 0;
	x.threads[3].alive = false;
	s = fx_snapshot(&x);
	pprof_encode_threads(s, false, &buf, &len);
	p = perftools__profiles__profile__unpack(NULL, len, buf);
	free(buf);
	tap_ok(p != NULL, "threads profile decodes");
	if (p == NULL) {
		profile_snapshot_unref(s);
		return;
	}
	tap_is_int(p->n_sample_type, 1, "one sample type");
	tap_is_str(str(p, p->sample_type[0]->type), "threads", "threads/");
	tap_is_str(str(p, p->sample_type[0]->unit), "count", "/count");
	tap_is_str(str(p, p->period_type->type), "threads", "period type");
	tap_is_int(p->period, 1, "period 1");
	tap_is_int(p->n_sample, 2, "live sampled threads only");
	for (size_t i = 0; i < p->n_sample; i++) {
		const Perftools__Profiles__Sample *sm = p->sample[i];
		int64_t tid = sm->label[0]->num;
		uint64_t leaf = sm->location_id[0];

		ok &= sm->n_value == 1 && sm->value[0] == 1;
		ok &= (tid == 100 && sm->n_location_id == 4 &&
		       leaf == x.stack_locs[x.stacks[3].first] + 1) ||
		      (tid == 101 && sm->n_location_id == 3 &&
		       leaf == x.stack_locs[x.stacks[1].first] + 1);
	}
	tap_ok(ok, "each thread's last stack, value 1");
	tap_is_int(p->duration_nanos, 0, "no duration");
	perftools__profiles__profile__free_unpacked(p, NULL);
	profile_snapshot_unref(s);
}

int
main(void)
{
	test_window();
	test_threads();
	return tap_done();
}
