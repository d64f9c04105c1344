/*
 * A mutation fuzzer for the /proc parsers, run as a unit test (and under
 * ASan+UBSan in CI): the fixtures in tests/fixtures/proc, mutated 20,000
 * times each (bytes flipped, cut, duplicated, replaced by the characters
 * the formats care about), must parse or be refused -- never crash, never
 * read outside the buffer -- and what parses must be consistent.
 */
#include "config.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "attach/procfs.h"
#include "common/xmalloc.h"
#include "tests/tap.h"

#define FUZZ_ROUNDS 20000

static uint64_t fuzz_state = 0x9e3779b97f4a7c15ULL;

static uint32_t
fuzz_rand(void)
{
	fuzz_state ^= fuzz_state << 13;
	fuzz_state ^= fuzz_state >> 7;
	fuzz_state ^= fuzz_state << 17;
	return (uint32_t)(fuzz_state >> 16);
}

/* One mutation of buf (len bytes, room for cap) in place; returns len. */
static size_t
fuzz_mutate(char *buf, size_t len, size_t cap)
{
	static const char special[] = " ()-:\n\t0123456789abcdefx[]/";
	size_t at = len ? fuzz_rand() % len : 0;

	switch (fuzz_rand() % 5) {
	case 0: /* flip a byte */
		if (len)
			buf[at] = (char)fuzz_rand();
		return len;
	case 1: /* cut the tail */
		return at;
	case 2: /* a format character */
		if (len)
			buf[at] = special[fuzz_rand() % (sizeof(special) - 1)];
		return len;
	case 3: /* duplicate a run */
		if (len && len + 16 < cap) {
			memmove(buf + at + 16, buf + at, len - at);
			return len + 16;
		}
		return len;
	default: /* drop a byte */
		if (len) {
			memmove(buf + at, buf + at + 1, len - at - 1);
			return len - 1;
		}
		return len;
	}
}

/* Parses buf with every parser; returns how many accepted it. */
static int
fuzz_parse_all(char *buf, size_t len, int *bad)
{
	struct procfs_maps maps;
	struct procfs_stat st;
	struct procfs_schedstat ss;
	struct procfs_creds creds;
	int ok = 0;

	if (procfs_parse_maps(buf, len, &maps) == 0) {
		ok++;
		for (size_t i = 0; i < maps.n; i++)
			if (maps.maps[i].start > maps.maps[i].end ||
			    maps.maps[i].path == NULL)
				(*bad)++;
		procfs_maps_free(&maps);
	}
	buf[len] = '\0'; /* the others take NUL-terminated text */
	if (procfs_parse_stat(buf, &st) == 0) {
		ok++;
		if (memchr(st.comm, '\0', sizeof(st.comm)) == NULL)
			(*bad)++;
	}
	ok += procfs_parse_schedstat(buf, &ss) == 0;
	ok += procfs_parse_tracerpid(buf) >= 0;
	ok += procfs_parse_voluntary(buf) >= 0;
	if (procfs_parse_creds(buf, &creds) == 0) {
		ok++;
		if (creds.ngroups > PROCFS_MAX_GROUPS)
			(*bad)++;
	}
	return ok;
}

static void
fuzz_file(const char *dir, const char *name)
{
	char *path = xasprintf("%s/%s", dir, name), *orig, *buf;
	size_t len, cap;
	int accepted = 0, bad = 0;

	orig = procfs_read(path, &len);
	free(path);
	if (orig == NULL) {
		tap_ok(0, "%s: fixture readable", name);
		return;
	}
	cap = len + FUZZ_ROUNDS * 16 + 1;
	buf = xmalloc(cap);
	for (int r = 0; r < FUZZ_ROUNDS; r++) {
		size_t n;

		if (r % 50 == 0) { /* restart from the fixture now and then */
			memcpy(buf, orig, len);
			n = len;
		} else {
			n = strnlen(buf, cap - 1);
		}
		for (int m = fuzz_rand() % 4 + 1; m > 0; m--)
			n = fuzz_mutate(buf, n, cap - 1);
		accepted += fuzz_parse_all(buf, n, &bad) > 0;
	}
	tap_ok(bad == 0, "%s: %d mutations, %d parsed, none inconsistent", name,
	       FUZZ_ROUNDS, accepted);
	free(buf);
	free(orig);
}

int
main(void)
{
	static const char *const fixtures[] = {
		"maps-awkward",	  "maps-malformed", "stat-parens",
		"stat-truncated", "status-traced",  "status-creds",
	};
	const char *srcdir = getenv("top_srcdir");
	char *dir = xasprintf("%s/tests/fixtures/proc", srcdir ? srcdir : ".");

	for (size_t i = 0; i < sizeof(fixtures) / sizeof(fixtures[0]); i++)
		fuzz_file(dir, fixtures[i]);
	free(dir);
	return tap_done();
}
