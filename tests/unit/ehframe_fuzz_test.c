/*
 * sampler/ehframe.c, the one decoder of .eh_frame_hdr: this program's own
 * header (found with dl_iterate_phdr) must decode and find the FDE of its
 * own functions; a header built here must decode exactly; and that header
 * mutated 200,000 times (tests/fuzz.h) must decode or be refused, never
 * read outside its bytes (ASan+UBSan in CI), and every lookup in a table
 * that fits must name an entry inside it.
 */
#include "config.h"

#include <elf.h>
#include <link.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "sampler/ehframe.h"
#include "tests/fuzz.h"
#include "tests/tap.h"

#define FUZZ_ROUNDS 200000
#define NENTRIES 40

struct own {
	const uint8_t *hdr;
	uint64_t hdr_addr;
	size_t hdr_len; /* up to the end of its segment */
};

static int
own_phdr(struct dl_phdr_info *info, size_t size, void *arg)
{
	struct own *o = arg;

	if (o->hdr != NULL)
		return 1;
	for (int i = 0; i < info->dlpi_phnum; i++) {
		const ElfW(Phdr) *ph = &info->dlpi_phdr[i];

		if (ph->p_type == PT_GNU_EH_FRAME &&
		    info->dlpi_name[0] == '\0') {
			o->hdr_addr = info->dlpi_addr + ph->p_vaddr;
			o->hdr = (const uint8_t *)(uintptr_t)o->hdr_addr;
			o->hdr_len = ph->p_memsz;
			return 1;
		}
	}
	return 0;
}

static void
check_own(void)
{
	struct own o = {0};
	struct ehframe_hdr h;
	uint64_t fn = (uint64_t)(uintptr_t)check_own;
	long i;

	dl_iterate_phdr(own_phdr, &o);
	if (o.hdr == NULL) {
		tap_skip("this program has no PT_GNU_EH_FRAME");
		return;
	}
	tap_ok(ehframe_hdr_parse(o.hdr, o.hdr_len, &h) == 0,
	       "our own .eh_frame_hdr decodes");
	tap_ok(ehframe_table_fits(&h, o.hdr_len) && h.count > 10,
	       "its table of %llu FDEs fits", (unsigned long long)h.count);
	i = ehframe_table_find(o.hdr + h.table_off, h.count, o.hdr_addr, fn);
	tap_ok(i >= 0 && ehframe_table_loc(o.hdr + h.table_off, o.hdr_addr,
					   (size_t)i) <= fn,
	       "the FDE of check_own starts at or before it");
	tap_ok(i >= 0 && ((size_t)i + 1 == h.count ||
			  ehframe_table_loc(o.hdr + h.table_off, o.hdr_addr,
					    (size_t)i + 1) > fn),
	       "and the next one after it");
	tap_is_int(
		ehframe_table_find(o.hdr + h.table_off, h.count, o.hdr_addr, 0),
		-1, "address 0 is before every FDE");
}

/* A header at address BASE: eh_frame_ptr pcrel sdata4, count udata4,
   NENTRIES entries 0x100 apart starting 0x1000 after BASE. */
#define BASE 0x400000ULL
static uint8_t seed[12 + NENTRIES * 8];

static void
build(void)
{
	uint32_t count = NENTRIES;
	int32_t ptr = -0x2000;

	seed[0] = 1;
	seed[1] = 0x1b; /* pcrel | sdata4 */
	seed[2] = 0x03; /* udata4 */
	seed[3] = 0x3b; /* datarel | sdata4 */
	memcpy(seed + 4, &ptr, 4);
	memcpy(seed + 8, &count, 4);
	for (int32_t i = 0; i < NENTRIES; i++) {
		int32_t loc = 0x1000 + 0x100 * i, fde = -0x1000 + 0x20 * i;

		memcpy(seed + 12 + 8 * i, &loc, 4);
		memcpy(seed + 16 + 8 * i, &fde, 4);
	}
}

static void
check_built(void)
{
	struct ehframe_hdr h;
	const uint8_t *t = seed + 12;

	tap_ok(ehframe_hdr_parse(seed, sizeof(seed), &h) == 0 &&
		       h.count == NENTRIES && h.table_off == 12 &&
		       h.eh_frame_ptr == (uint32_t)-0x2000,
	       "a built header decodes exactly");
	tap_ok(ehframe_table_fits(&h, sizeof(seed)), "its table fits");
	tap_ok(!ehframe_table_fits(&h, sizeof(seed) - 1),
	       "one byte short does not");
	tap_is_int(ehframe_table_find(t, NENTRIES, BASE, BASE + 0x1000), 0,
		   "the first entry's own address");
	tap_is_int(ehframe_table_find(t, NENTRIES, BASE, BASE + 0x10ff), 0,
		   "just before the second");
	tap_is_int(ehframe_table_find(t, NENTRIES, BASE, BASE + 0xfff), -1,
		   "before the first");
	tap_is_int(ehframe_table_find(t, NENTRIES, BASE, UINT64_MAX),
		   NENTRIES - 1, "past the last");
	tap_ok(ehframe_hdr_parse(seed, 11, &h) < 0, "a cut header is refused");
	seed[2] = 0xff;
	tap_ok(ehframe_hdr_parse(seed, sizeof(seed), &h) < 0,
	       "an omitted count is refused");
	seed[2] = 0x03;
	seed[3] = 0x1b;
	tap_ok(ehframe_hdr_parse(seed, sizeof(seed), &h) < 0,
	       "another table encoding is refused");
	seed[3] = 0x3b;
	seed[0] = 2;
	tap_ok(ehframe_hdr_parse(seed, sizeof(seed), &h) < 0,
	       "version 2 is refused");
	seed[0] = 1;
}

static int
check_mutant(const uint8_t *buf, size_t len, int *bad, void *arg)
{
	struct ehframe_hdr h;
	int *found = arg;

	if (ehframe_hdr_parse(buf, len, &h) < 0)
		return 0;
	if (h.table_off > len || h.table_off < 6)
		(*bad)++;
	if (!ehframe_table_fits(&h, len))
		return 1;
	for (int k = 0; k < 4; k++) {
		uint64_t addr = BASE + fuzz_rand() % 0x4000;
		long i = ehframe_table_find(buf + h.table_off, h.count, BASE,
					    addr);

		if (i < -1 || i >= (long)h.count)
			(*bad)++;
		*found += i >= 0;
	}
	return 1;
}

int
main(void)
{
	int bad = 0, found = 0, parsed;

	check_own();
	build();
	check_built();
	parsed = fuzz_run(seed, sizeof(seed), FUZZ_ROUNDS, NULL, check_mutant,
			  &found, &bad);
	tap_ok(parsed > FUZZ_ROUNDS / 10 && found > 0,
	       "%d mutations: %d decoded, %d lookups found an entry",
	       FUZZ_ROUNDS, parsed, found);
	tap_is_int(bad, 0, "no decode or lookup outside the bytes");
	return tap_done();
}
