/*
 * A mutation fuzzer for the /proc parsers, run as a unit test (and under
 * ASan+UBSan in CI): the fixtures in tests/fixtures/proc, mutated 20,000
 * times each by tests/fuzz.h (bytes flipped, cut, duplicated, replaced by
 * the characters the formats care about), must parse or be refused --
 * never crash, never read outside the buffer -- and what parses must be
 * consistent.
 */
#include "config.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "attach/procfs.h"
#include "common/xmalloc.h"
#include "tests/fuzz.h"
#include "tests/tap.h"

#define FUZZ_ROUNDS 20000

/* Parses buf (NUL-terminated) with every parser; nonzero when one
   accepted it. */
static int
fuzz_parse_all(const uint8_t *bytes, size_t len, int *bad, void *arg)
{
	const char *buf = (const char *)bytes;
	struct procfs_maps maps;
	struct procfs_stat st;
	struct procfs_schedstat ss;
	struct procfs_creds creds;
	struct procfs_syscall sc;
	int ok = 0, r;

	if (procfs_parse_maps(buf, len, &maps) == 0) {
		ok++;
		for (size_t i = 0; i < maps.n; i++)
			if (maps.maps[i].start > maps.maps[i].end ||
			    maps.maps[i].path == NULL)
				(*bad)++;
		procfs_maps_free(&maps);
	}
	if (procfs_parse_stat(buf, &st) == 0) {
		ok++;
		if (memchr(st.comm, '\0', sizeof(st.comm)) == NULL)
			(*bad)++;
	}
	ok += procfs_parse_schedstat(buf, &ss) == 0;
	ok += procfs_parse_tracerpid(buf) >= 0;
	ok += procfs_parse_tgid(buf) > 0;
	ok += procfs_parse_voluntary(buf) >= 0;
	if (procfs_parse_creds(buf, &creds) == 0) {
		ok++;
		if (creds.ngroups > PROCFS_MAX_GROUPS)
			(*bad)++;
	}
	r = procfs_parse_syscall(buf, &sc);
	ok += r >= 0;
	if (r == 0 && sc.nr < -1)
		(*bad)++;
	return ok;
}

static void
fuzz_file(const char *dir, const char *name)
{
	char *path = xasprintf("%s/%s", dir, name), *orig;
	size_t len;
	int accepted, bad = 0;

	orig = procfs_read(path, &len);
	free(path);
	if (orig == NULL) {
		tap_ok(0, "%s: fixture readable", name);
		return;
	}
	accepted = fuzz_run(orig, len, FUZZ_ROUNDS,
			    " ()-:\n\t0123456789abcdefx[]/", fuzz_parse_all,
			    NULL, &bad);
	tap_ok(bad == 0, "%s: %d mutations, %d parsed, none inconsistent", name,
	       FUZZ_ROUNDS, accepted);
	free(orig);
}

int
main(void)
{
	static const char *const fixtures[] = {
		"maps-awkward",	  "maps-malformed", "stat-parens",
		"stat-truncated", "status-traced",  "status-creds",
		"syscall-read",	  "syscall-none",   "syscall-running",
	};
	const char *srcdir = getenv("top_srcdir");
	char *dir = xasprintf("%s/tests/fixtures/proc", srcdir ? srcdir : ".");

	for (size_t i = 0; i < sizeof(fixtures) / sizeof(fixtures[0]); i++)
		fuzz_file(dir, fixtures[i]);
	free(dir);
	return tap_done();
}
