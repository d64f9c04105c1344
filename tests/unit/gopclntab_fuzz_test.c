/*
 * sampler/gopclntab.c on a synthetic Go 1.18 table (three functions with
 * known names, files, lines and stack-pointer deltas), then a mutation
 * fuzzer: 100,000 mutated copies (also under ASan+UBSan in CI) must parse
 * or be refused, and every lookup on what parses must stay inside the
 * bytes and give consistent answers -- never crash, never loop.
 */
#include "config.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sampler/gopclntab.h"
#include "tests/fuzz.h"
#include "tests/tap.h"

#define FUZZ_ROUNDS 100000
#define TEXT 0x401000ULL

static uint8_t table[1024];
static size_t table_len;

static void
put32(size_t at, uint32_t v)
{
	memcpy(table + at, &v, 4);
}

static void
put64(size_t at, uint64_t v)
{
	memcpy(table + at, &v, 8);
}

/* Appends bytes; returns their offset. */
static size_t
append(const void *p, size_t n)
{
	size_t at = table_len;

	memcpy(table + at, p, n);
	table_len += n;
	return at;
}

/* The functions: name, size, flag; sp delta 0 for 4 bytes then 0x18, line
 * 10 then 12, file 0 (/x/a.go) for the first two, 1 (/x/b.go) after. */
static const struct {
	const char *name;
	uint32_t size;
	uint8_t flag;
	uint8_t file;
} fns[] = {
	{"main.a", 0x40, 0, 0},
	{"main.b", 0x20, 0, 0},
	{"runtime.goexit", 0x10, 1, 1},
};
#define NFNS (sizeof(fns) / sizeof(fns[0]))

static void
build(void)
{
	size_t names[NFNS], pcsp[NFNS], pcfile[NFNS], pcln[NFNS];
	size_t funcname, cu, filetab, pctab, functab, recs;
	uint32_t entry = 0;
	uint32_t cutab[2] = {0, 8};

	memset(table, 0, sizeof(table));
	table_len = 72;
	funcname = table_len;
	for (size_t i = 0; i < NFNS; i++)
		names[i] =
			append(fns[i].name, strlen(fns[i].name) + 1) - funcname;
	cu = append(cutab, sizeof(cutab));
	filetab = append("/x/a.go\0/x/b.go", 16);
	pctab = append("", 1);
	for (size_t i = 0; i < NFNS; i++) {
		uint8_t sp[] = {2, 4, 0x30, (uint8_t)(fns[i].size - 4), 0};
		uint8_t file[] = {(uint8_t)(2 + 2 * fns[i].file),
				  (uint8_t)fns[i].size, 0};
		uint8_t ln[] = {22, 4, 4, (uint8_t)(fns[i].size - 4), 0};

		pcsp[i] = append(sp, sizeof(sp)) - pctab;
		pcfile[i] = append(file, sizeof(file)) - pctab;
		pcln[i] = append(ln, sizeof(ln)) - pctab;
	}
	table_len = (table_len + 7) & ~(size_t)7;
	functab = table_len;
	table_len += 8 * (NFNS + 1);
	recs = table_len;
	for (size_t i = 0; i < NFNS; i++) {
		size_t r = recs + 40 * i;

		put32(functab + 8 * i, entry);
		put32(functab + 8 * i + 4, (uint32_t)(r - functab));
		put32(r, entry);
		put32(r + 4, (uint32_t)names[i]);
		put32(r + 16, (uint32_t)pcsp[i]);
		put32(r + 20, (uint32_t)pcfile[i]);
		put32(r + 24, (uint32_t)pcln[i]);
		put32(r + 32, 0); /* cuOffset */
		table[r + 37] = fns[i].flag;
		entry += fns[i].size;
	}
	put32(functab + 8 * NFNS, entry);
	table_len = recs + 40 * NFNS;
	put32(0, 0xfffffff0);
	table[6] = 1;
	table[7] = 8;
	put64(8, NFNS);
	put64(16, 2);
	put64(24, TEXT);
	put64(32, funcname);
	put64(40, cu);
	put64(48, filetab);
	put64(56, pctab);
	put64(64, functab);
}

static void
check_table(void)
{
	struct gopclntab t;
	struct gopclntab_func f;
	uint64_t entry = TEXT;
	int line;
	int32_t delta;
	const char *file;

	tap_ok(gopclntab_parse(table, table_len, 0, &t) == 0, "table parses");
	tap_ok(t.version == 118 && t.nfunc == NFNS,
	       "Go 1.18 table, 3 functions");
	for (size_t i = 0; i < NFNS; i++) {
		uint64_t mid = entry + fns[i].size / 2;

		tap_ok(gopclntab_find(&t, mid, &f) && f.entry == entry &&
			       f.end == entry + fns[i].size,
		       "%s found at its middle", fns[i].name);
		tap_ok(strcmp(gopclntab_name(&t, &f), fns[i].name) == 0,
		       "%s named", fns[i].name);
		file = gopclntab_file_line(&t, &f, entry + 1, &line);
		tap_ok(file != NULL &&
			       strcmp(file, fns[i].file ? "/x/b.go"
							: "/x/a.go") == 0 &&
			       line == 10,
		       "%s: file and line 10 at entry + 1", fns[i].name);
		gopclntab_file_line(&t, &f, mid, &line);
		tap_ok(line == 12, "%s: line 12 in the middle", fns[i].name);
		tap_ok(gopclntab_sp_delta(&t, &f, entry, &delta) == 0 &&
			       delta == 0,
		       "%s: sp delta 0 at entry", fns[i].name);
		tap_ok(gopclntab_sp_delta(&t, &f, mid, &delta) == 0 &&
			       delta == 0x18,
		       "%s: sp delta 0x18 after the prologue", fns[i].name);
		tap_ok(f.flag == fns[i].flag, "%s: flag %u", fns[i].name,
		       fns[i].flag);
		entry += fns[i].size;
	}
	tap_ok(!gopclntab_find(&t, TEXT - 1, &f), "before the text: none");
	tap_ok(!gopclntab_find(&t, entry, &f), "past the last function: none");
	tap_ok(gopclntab_parse(table, 71, 0, &t) < 0,
	       "a cut header is refused");
}

/* Lookups on a mutated table; counts inconsistent answers in *bad. */
static int
fuzz_one(const uint8_t *buf, size_t len, int *bad, void *arg)
{
	struct gopclntab t;
	struct gopclntab_func f;
	int line;
	int32_t delta;

	if (gopclntab_parse(buf, len, TEXT, &t) < 0)
		return 0;
	for (int i = 0; i < 8; i++) {
		uint64_t pc = TEXT - 8 + fuzz_rand() % 0x100;
		const char *name, *file;

		if (!gopclntab_find(&t, pc, &f))
			continue;
		if (pc < f.entry || pc >= f.end)
			(*bad)++;
		name = gopclntab_name(&t, &f);
		if (name != NULL && (name < (const char *)buf ||
				     name >= (const char *)buf + len))
			(*bad)++;
		file = gopclntab_file_line(&t, &f, pc, &line);
		if (file != NULL && (file < (const char *)buf ||
				     file >= (const char *)buf + len))
			(*bad)++;
		if (gopclntab_sp_delta(&t, &f, pc, &delta) == 0 &&
		    (delta < 0 || delta % 8 != 0))
			(*bad)++;
	}
	return 1;
}

int
main(void)
{
	int parsed = 0, bad = 0;

	build();
	check_table();
	parsed = fuzz_run(table, table_len, FUZZ_ROUNDS, NULL, fuzz_one, NULL,
			  &bad);
	tap_ok(parsed > FUZZ_ROUNDS / 10, "%d of %d mutated tables parsed",
	       parsed, FUZZ_ROUNDS);
	tap_ok(bad == 0, "every lookup stayed inside the table (%d bad)", bad);
	return tap_done();
}
