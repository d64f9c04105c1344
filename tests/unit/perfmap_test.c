/*
 * sampler/perfmap.c: the perf-map parser on a fixture (overlapping lines,
 * malformed ones, a long name, a NUL, CRLF), then 50,000 mutations of it
 * (also under ASan+UBSan in CI): what parses is sorted, never overlaps,
 * has bounded NUL-terminated names -- never a crash or an overread.
 */
#include "config.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "sampler/perfmap.h"
#include "tests/fuzz.h"
#include "tests/tap.h"

#define FUZZ_ROUNDS 50000

static const char fixture[] =
	"1000 100 first\n"
	"1080 10 later_inside\n" /* wins over first's 0x1080..0x1090 */
	"2000 10 old\n"
	"2000 10 new name with spaces\n" /* same code, later line */
	"zz 10 bad_start\n"
	"3000 0 zero_size\n"
	"3000 10\n"
	"0x4000 20 prefixed\r\n"
	"ffffffffffffffff 10 wraps\n"
	"5000 10 nul\0inside\n"
	"6000 8 last_without_newline";

static const char *
name_at(const struct perfmap *pm, uint64_t addr)
{
	const struct perfmap_entry *e = perfmap_find(pm, addr);

	return e != NULL ? e->name : "(none)";
}

static int
check_sane(const struct perfmap *pm)
{
	for (size_t i = 0; i < pm->n; i++) {
		const struct perfmap_entry *e = &pm->entries[i];

		if (e->start >= e->end || strlen(e->name) > PERFMAP_MAX_NAME ||
		    (i > 0 && pm->entries[i - 1].end > e->start))
			return 0;
	}
	return 1;
}

/* One mutant through perfmap_parse and perfmap_find (arg: the perfmap). */
static int
fuzz_check(const uint8_t *buf, size_t len, int *bad, void *arg)
{
	struct perfmap *pm = arg;
	size_t n = perfmap_parse((const char *)buf, len, pm);

	*bad += !check_sane(pm);
	for (int i = 0; i < 4; i++)
		(void)perfmap_find(pm, fuzz_rand() % 0x8000);
	return n > 0;
}

int
main(void)
{
	struct perfmap pm = {0};
	char longname[3000];
	int parsed = 0, bad = 0;

	perfmap_parse(fixture, sizeof(fixture) - 1, &pm);
	tap_is_str(name_at(&pm, 0x1000), "first", "a plain line");
	tap_is_str(name_at(&pm, 0x1085), "later_inside",
		   "a later line inside an earlier one wins");
	tap_is_str(name_at(&pm, 0x1090), "(none)",
		   "the earlier line keeps only what lies before it");
	tap_is_str(name_at(&pm, 0x2008), "new name with spaces",
		   "the same code named again: the later line, spaces kept");
	tap_is_str(name_at(&pm, 0x3000), "(none)",
		   "bad, zero-size and nameless lines skipped");
	tap_is_str(name_at(&pm, 0x4010), "prefixed", "0x prefix and CRLF");
	tap_is_str(name_at(&pm, 0x5000), "nul?inside", "a NUL is replaced");
	tap_is_str(name_at(&pm, 0x6000), "last_without_newline",
		   "the last line without a newline");
	tap_ok(check_sane(&pm), "entries sorted and disjoint (%zu)", pm.n);

	memset(longname, 'x', sizeof(longname));
	memcpy(longname, "7000 10 ", 8);
	perfmap_parse(longname, sizeof(longname), &pm);
	tap_ok(pm.n == 1 && strlen(pm.entries[0].name) == PERFMAP_MAX_NAME,
	       "a long name is cut to %d bytes", PERFMAP_MAX_NAME);

	parsed = fuzz_run(fixture, sizeof(fixture) - 1, FUZZ_ROUNDS,
			  " \n0123456789abcdefx\r", fuzz_check, &pm, &bad);
	tap_ok(parsed > FUZZ_ROUNDS / 2, "%d of %d mutations had entries",
	       parsed, FUZZ_ROUNDS);
	tap_ok(bad == 0, "every parse sorted, disjoint, bounded (%d bad)", bad);
	perfmap_free(&pm);
	return tap_done();
}
