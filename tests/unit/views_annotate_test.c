/*
 * views/annotate.h on this very program: a hand-built snapshot samples
 * annotate_target() (10 samples at one instruction, 5 at another); its
 * code is read from /proc/self/exe's file through sampler/mapped.c and
 * disassembled: the counts land on those instructions and add up to the
 * function's flat. Then a mutation fuzzer: the same file with its ELF
 * header, program headers and section headers mutated must annotate or
 * be refused with a note -- never crash, never read out of bounds (also
 * under ASan+UBSan).
 */
#include "config.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common/xmalloc.h"
#include "tests/fuzz.h"
#include "tests/tap.h"
#include "tests/unit/views_fixture.h"
#include "views/annotate.h"

#define FUZZ_ROUNDS 150

__attribute__((noinline)) unsigned long annotate_target(unsigned long x);

__attribute__((noinline)) unsigned long
annotate_target(unsigned long x)
{
	for (int i = 0; i < 100; i++)
		x = x * 31 + (unsigned long)i;
	return x;
}

/* The mapping of /proc/self/maps holding addr: start, end, offset, path. */
static int
self_mapping(uint64_t addr, uint64_t *start, uint64_t *end, uint64_t *off,
	     char *path, size_t pathsz)
{
	FILE *f = fopen("/proc/self/maps", "re");
	char line[4096];
	int found = -1;

	while (f != NULL && fgets(line, sizeof(line), f) != NULL) {
		unsigned long long s, e, o;
		char perms[8], p[4096] = "";

		if (sscanf(line, "%llx-%llx %7s %llx %*s %*s %4095s", &s, &e,
			   perms, &o, p) >= 4 &&
		    addr >= s && addr < e) {
			*start = s;
			*end = e;
			*off = o;
			snprintf(path, pathsz, "%s", p);
			found = 0;
			break;
		}
	}
	if (f != NULL)
		fclose(f);
	return found;
}

/* A snapshot sampling annotate_target at pc (10) and pc2 (5), from the
   file path mapped at [start, end) with offset off. */
static struct profile_snapshot *
snap(struct fx *x, const char *path, uint64_t start, uint64_t end, uint64_t off,
     uint64_t pc, uint64_t pc2)
{
	struct profile_snapshot *s;
	uint32_t l1, l2;

	memset(x, 0, sizeof(*x));
	x->now_second = 1;
	fx_map(x, start, end, path);
	x->maps[0].offset = off;
	x->maps[0].build_id = NULL;
	fx_fn(x, "annotate_target", NULL, 0);
	l1 = fx_loc(x, pc, 1, 0, 0);
	l2 = fx_loc(x, pc2, 1, 0, 0);
	fx_stack(x, 1, l1);
	fx_stack(x, 1, l2);
	fx_thread(x, 1, "t", 'R');
	fx_count(x, 0, 0, 1, 10, 0);
	fx_count(x, 1, 0, 1, 5, 0);
	s = fx_snapshot(x);
	s->pid = getpid();
	return s;
}

int
main(void)
{
	uint64_t fn = (uint64_t)(uintptr_t)&annotate_target, start, end, off;
	char path[4096], tmp[] = "/tmp/cpt-annotate-XXXXXX";
	struct annotate_view v;
	struct filter f;
	struct fx x;
	struct profile_snapshot *s;
	uint64_t sum = 0, at10 = 0, at5 = 0;
	FILE *in;
	uint8_t *orig, *buf;
	size_t len;
	int crashed = 0, annotated = 0, refused = 0;

	(void)annotate_target(1);
	filter_init(&f);
	if (self_mapping(fn, &start, &end, &off, path, sizeof(path)) != 0) {
		tap_ok(0, "annotate_target is in a mapping");
		return tap_done();
	}
	s = snap(&x, path, start, end, off, fn, fn + 8);
	tap_is_int(annotate_build(s, &f, 0, NULL, &v), 0, "annotate builds");
	tap_ok(v.note == NULL, "no note (%s)", v.note ? v.note : "");
	tap_ok(v.ninsns >= 3, "instructions decoded (%zu)", v.ninsns);
	tap_ok(v.start <= fn && fn < v.start + v.size,
	       "the code covers the function");
	for (size_t i = 0; i < v.nrows; i++) {
		if (v.rows[i].source)
			continue;
		sum += v.rows[i].flat;
		if (v.rows[i].address == fn)
			at10 = v.rows[i].flat;
		if (v.rows[i].address <= fn + 8 &&
		    (i + 1 == v.nrows || v.rows[i + 1].address > fn + 8))
			at5 += v.rows[i].flat;
	}
	tap_is_int(sum, 15, "the instructions' flat add up to 15");
	tap_is_int(v.flat, 15, "... the view's flat");
	tap_is_int(at10, 10, "10 at the function's first instruction");
	tap_ok(at5 >= 5, "5 at the instruction holding fn + 8");
	tap_is_int(v.total, 15, "total: the CPU samples");
	annotate_count(s, &f, &v);
	tap_is_int(v.flat, 15, "a recount gives the same");
	annotate_free(&v);
	profile_snapshot_unref(s);

	/* the fuzzer: the file, mutated where the ELF parser looks */
	in = fopen(path, "rb");
	orig = xmalloc(64u << 20);
	len = in != NULL ? fread(orig, 1, 64u << 20, in) : 0;
	if (in != NULL)
		fclose(in);
	tap_ok(len > 64, "read this program's file");
	buf = xmalloc(len + 1);
	for (int round = 0; round < FUZZ_ROUNDS && len > 64; round++) {
		uint64_t shoff = 0, phoff = 0;
		int fd, n = 1 + (int)(fuzz_rand() % 8);
		FILE *out;

		memcpy(buf, orig, len);
		memcpy(&phoff, buf + 0x20, 8);
		memcpy(&shoff, buf + 0x28, 8);
		for (int k = 0; k < n; k++) {
			uint64_t base = 0, span = 64;

			switch (fuzz_rand() % 3) {
			case 1:
				base = phoff, span = 56 * 12;
				break;
			case 2:
				base = shoff, span = 64 * 40;
				break;
			}
			if (base >= len)
				base = 0;
			if (base + span > len)
				span = len - base;
			buf[base + fuzz_rand() % span] = (uint8_t)fuzz_rand();
		}
		strcpy(tmp, "/tmp/cpt-annotate-XXXXXX");
		fd = mkstemp(tmp);
		out = fd >= 0 ? fdopen(fd, "wb") : NULL;
		if (out == NULL)
			break;
		fwrite(buf, 1, len, out);
		fclose(out);
		s = snap(&x, tmp, start, end, off, fn, fn + 8);
		if (annotate_build(s, &f, 0, NULL, &v) != 0)
			crashed++;
		else if (v.note != NULL)
			refused++;
		else
			annotated++;
		for (size_t i = 0; i < v.nrows; i++)
			if (v.rows[i].text == NULL)
				crashed++;
		annotate_free(&v);
		profile_snapshot_unref(s);
		unlink(tmp);
	}
	tap_ok(crashed == 0,
	       "%d mutated files: %d annotated, %d refused "
	       "with a note",
	       FUZZ_ROUNDS, annotated, refused);
	free(buf);
	free(orig);
	filter_free(&f);
	return tap_done();
}
