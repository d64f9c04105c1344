/*
 * tests/unit/heap_cfi_fuzz_test: the preload library's CFI parser
 * (heap_unwind_cfi_rule, heap/unwind_int.h) on bytes. Seeds: the CIEs and
 * FDEs of this program's own functions (found with _Unwind_Find_FDE,
 * copied into exact-size buffers), whose rules at live call sites must
 * agree with libgcc's unwinder (the CFA, the return address and the
 * caller's rbp it finds), and hand-built ones whose rules are known pc by
 * pc. Each seed (the CIE then the FDE) is then mutated (tests/fuzz.h) and
 * parsed at pcs around its function: a mutant must parse or be refused,
 * never read outside its two buffers (ASan+UBSan in CI), and a rule it
 * parses to must be one the fast walk can follow (rsp or rbp plus an
 * offset in [8, 2^31), nothing else set).
 */
#include "config.h"

#include "heap/unwind_int.h"

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unwind.h>

#include "tests/fuzz.h"
#include "tests/tap.h"

/* libgcc's (unwind-dw2-fde.h), as heap/unwind.c declares it */
struct dwarf_eh_bases {
	void *tbase;
	void *dbase;
	void *func;
};
extern const void *_Unwind_Find_FDE(void *pc, struct dwarf_eh_bases *bases);

#define FUZZ_ROUNDS 200000 /* per seed */
#define MAX_FRAMES 32
#define MAX_SEEDS 8
#define PC_SPAN 0x100 /* mutants are parsed at func + [0, PC_SPAN) */

#define RULE_OFF_MASK 0xffffffffull
#define RULE_SLOT_MASK (0xffffull << HEAP_UNWIND_RULE_RBP_SHIFT)

/* A seed: the CIE's bytes then the FDE's, and the function's start. */
struct seed {
	uint8_t *bytes;
	size_t len;
	uint64_t func;
	const char *name;
};

static struct seed seeds[MAX_SEEDS];
static int nseeds;

/* A frame as libgcc's unwinder sees it. */
struct frame {
	uint64_t ip, cfa, bp;
};

static struct {
	struct frame f[MAX_FRAMES];
	int n;
} live;

static volatile int sink;

static uint32_t
le32(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 |
	       (uint32_t)p[3] << 24;
}

/* Where a seed or mutant's CIE ends: after its length field's bytes, at
   most len. */
static size_t
cie_split(const uint8_t *buf, size_t len)
{
	uint64_t end = len < 4 ? len : (uint64_t)le32(buf) + 4;

	return end < len ? (size_t)end : len;
}

/*
 * Parses buf[0..len) (the CIE then the FDE, split by cie_split) at pc,
 * each part in its own exact-size heap copy so that ASan sees a read past
 * either.
 */
static int
parse(const uint8_t *buf, size_t len, uint64_t func, uint64_t pc,
      uint64_t *rule)
{
	size_t split = cie_split(buf, len);
	uint8_t *cie = malloc(split), *fde = malloc(len - split);
	int rc;

	if (split > 0)
		memcpy(cie, buf, split);
	if (len > split)
		memcpy(fde, buf + split, len - split);
	rc = heap_unwind_cfi_rule(cie, split, fde, len - split, func, pc, rule);
	free(cie);
	free(fde);
	return rc;
}

/* A rule the fast walk can follow, as unwind_int.h describes it. */
static bool
rule_sane(uint64_t rule)
{
	uint64_t off = rule & RULE_OFF_MASK;

	return (rule & HEAP_UNWIND_RULE_VALID) && off >= 8 &&
	       off <= INT32_MAX &&
	       (rule & ~(HEAP_UNWIND_RULE_VALID | HEAP_UNWIND_RULE_OUTERMOST |
			 HEAP_UNWIND_RULE_RBP_CFA | RULE_SLOT_MASK |
			 RULE_OFF_MASK)) == 0;
}

static uint64_t
rule_make(bool rbp_cfa, uint32_t off, uint32_t slot, bool outermost)
{
	return HEAP_UNWIND_RULE_VALID | off |
	       (rbp_cfa ? HEAP_UNWIND_RULE_RBP_CFA : 0) |
	       (uint64_t)slot << HEAP_UNWIND_RULE_RBP_SHIFT |
	       (outermost ? HEAP_UNWIND_RULE_OUTERMOST : 0);
}

static _Unwind_Reason_Code
live_frame(struct _Unwind_Context *ctx, void *arg)
{
	struct frame *f = &live.f[live.n];

	(void)arg;
	f->ip = (uint64_t)_Unwind_GetIP(ctx);
	f->cfa = (uint64_t)_Unwind_GetCFA(ctx);
	f->bp = (uint64_t)_Unwind_GetGR(ctx, 6);
	live.n++;
	return f->ip == 0 || live.n >= MAX_FRAMES ? _URC_END_OF_STACK
						  : _URC_NO_REASON;
}

/* Records libgcc's view of the stack, and checks it while it is there. */
static __attribute__((noinline)) void live_capture(void);

static __attribute__((noinline, optimize("omit-frame-pointer"))) int
live_nofp(int n)
{
	volatile char pad[40];

	pad[n % 40] = (char)n;
	live_capture();
	return pad[(n + 1) % 40];
}

static __attribute__((noinline)) int
live_alloca(int n)
{
	volatile char *p = __builtin_alloca((size_t)n + 16);

	p[0] = (char)n;
	return live_nofp(n) + p[0];
}

static __attribute__((noinline, optimize("no-omit-frame-pointer"))) int
live_fp(int n)
{
	volatile int pad[3] = {n, n, n};

	return live_alloca(n + pad[0]) + pad[1];
}

static const struct {
	const char *name;
	int (*fn)(int);
} ours[] = {
	{"live_nofp", live_nofp},
	{"live_alloca", live_alloca},
	{"live_fp", live_fp},
};

/* A seed from the FDE at pc (and its CIE), copied; -1 when none. */
static int
seed_from_table(uint64_t pc, const char *name, struct seed *s)
{
	struct dwarf_eh_bases bases;
	const uint8_t *fde = _Unwind_Find_FDE((void *)(uintptr_t)pc, &bases);
	const uint8_t *cie;
	size_t cie_len, fde_len;

	if (fde == NULL)
		return -1;
	fde_len = (size_t)le32(fde) + 4;
	cie = fde + 4 - (int32_t)le32(fde + 4);
	cie_len = (size_t)le32(cie) + 4;
	s->bytes = malloc(cie_len + fde_len);
	memcpy(s->bytes, cie, cie_len);
	memcpy(s->bytes + cie_len, fde, fde_len);
	s->len = cie_len + fde_len;
	s->func = (uint64_t)(uintptr_t)bases.func;
	s->name = name;
	return 0;
}

/*
 * Frame i's rule (from the table's bytes, copied) against what libgcc
 * found: the CFA from frame i's rsp or rbp, the return address (frame
 * i+1's ip) at CFA-8, the caller's rbp at CFA-slot or kept. (libgcc's
 * _Unwind_GetCFA is the CFA of the frame unwound to get there: frame i's
 * rsp, and frame i+1's is frame i's CFA.) 1 when it agrees, 0 when it
 * does not, -1 when refused.
 */
static int
live_agrees(int i, struct seed *s, uint64_t *rule)
{
	const struct frame *f = &live.f[i], *caller = &live.f[i + 1];
	uint64_t slot, base, cfa = caller->cfa;

	if (parse(s->bytes, s->len, s->func, f->ip - 1, rule) < 0)
		return -1;
	if (*rule & HEAP_UNWIND_RULE_OUTERMOST)
		return caller->ip == 0;
	base = *rule & HEAP_UNWIND_RULE_RBP_CFA ? f->bp : f->cfa;
	if (base + (*rule & RULE_OFF_MASK) != cfa ||
	    *(const uint64_t *)(uintptr_t)(cfa - 8) != caller->ip)
		return 0;
	slot = (*rule & RULE_SLOT_MASK) >> HEAP_UNWIND_RULE_RBP_SHIFT;
	if (slot != 0)
		return *(const uint64_t *)(uintptr_t)(cfa - slot) == caller->bp;
	return caller->bp == f->bp;
}

static __attribute__((noinline)) void
live_capture(void)
{
	int checked = 0, others = 0, refused = 0;
	bool found[sizeof(ours) / sizeof(ours[0])] = {false};

	live.n = 0;
	_Unwind_Backtrace(live_frame, NULL);
	/* (the last frame's CFA is unknown) */
	for (int i = 0; i + 1 < live.n && live.f[i].ip != 0; i++) {
		struct seed s;
		uint64_t rule;
		int rc, k = -1;

		if (seed_from_table(live.f[i].ip - 1, NULL, &s) < 0)
			continue;
		for (size_t j = 0; j < sizeof(ours) / sizeof(ours[0]); j++)
			if (s.func == (uint64_t)(uintptr_t)ours[j].fn)
				k = (int)j;
		rc = live_agrees(i, &s, &rule);
		if (k >= 0 && !found[k]) {
			found[k] = true;
			if (!tap_ok(rc == 1,
				    "%s's rule at its call site is libgcc's",
				    ours[k].name))
				printf("#   rc %d, rule %#llx\n", rc,
				       (unsigned long long)rule);
			if (nseeds < MAX_SEEDS) {
				s.name = ours[k].name;
				seeds[nseeds++] = s;
				continue;
			}
		} else if (rc < 0) {
			refused++;
		} else {
			others++;
			checked += rc == 1;
		}
		free(s.bytes);
	}
	for (size_t j = 0; j < sizeof(ours) / sizeof(ours[0]); j++)
		tap_ok(found[j], "%s's frame found on the stack", ours[j].name);
	tap_ok(checked == others && checked > 0,
	       "the other frames' rules: %d of %d as libgcc's (%d refused)",
	       checked, others, refused);
}

/* At each seed's function's entry: the CFA rsp+8, nothing saved yet. */
static void
check_entries(void)
{
	for (int i = 0; i < nseeds; i++) {
		uint64_t rule = 0;
		int rc = parse(seeds[i].bytes, seeds[i].len, seeds[i].func,
			       seeds[i].func, &rule);

		tap_ok(rc == 0 && rule == rule_make(false, 8, 0, false),
		       "%s at its entry: rsp+8 (rule %#llx)", seeds[i].name,
		       (unsigned long long)rule);
	}
}

/* Appends n bytes to b at *len. */
static void
put(uint8_t *b, size_t *len, const void *bytes, size_t n)
{
	if (n > 0)
		memcpy(b + *len, bytes, n);
	*len += n;
}

/* Sets the 4-byte length field at b[at] to what follows it up to len. */
static void
put_length(uint8_t *b, size_t at, size_t len)
{
	uint32_t v = (uint32_t)(len - at - 4);

	memcpy(b + at, &v, 4);
}

/*
 * A hand-built seed into *s: a CIE (version, augmentation and its data,
 * code alignment 1, data alignment -8, the initial instructions rsp+8 and
 * the return address at -8) then an FDE (a range of 0x60 from 0x401000,
 * the given augmentation data and instructions). Caller frees s->bytes.
 */
static struct seed *
seed_build(struct seed *s, const char *name, uint8_t version, const char *aug,
	   const uint8_t *aug_data, size_t aug_len, const uint8_t *fde_aug,
	   size_t fde_aug_len, const uint8_t *insns, size_t insns_len)
{
	static const uint8_t cie_insns[] = {0x0c, 7, 8, 0x90, 1};
	static const uint8_t head[] = {1, 0x78}; /* code 1, data -8 */
	uint8_t buf[256], zero4[4] = {0}, ra = 16, n;
	size_t len = 4, fde_at;
	int32_t v;

	put(buf, &len, zero4, 4); /* a CIE */
	put(buf, &len, &version, 1);
	put(buf, &len, aug, strlen(aug) + 1);
	put(buf, &len, head, sizeof(head));
	put(buf, &len, &ra, 1); /* (a uleb128 in version 3: the same) */
	n = (uint8_t)aug_len;
	put(buf, &len, &n, 1);
	put(buf, &len, aug_data, aug_len);
	put(buf, &len, cie_insns, sizeof(cie_insns));
	put_length(buf, 0, len);
	fde_at = len;
	len += 4;
	v = (int32_t)len; /* the CIE pointer: back to the CIE, at 0 */
	put(buf, &len, &v, 4);
	v = -0x1000; /* pc_begin (func is given) */
	put(buf, &len, &v, 4);
	v = 0x60; /* pc_range */
	put(buf, &len, &v, 4);
	n = (uint8_t)fde_aug_len;
	put(buf, &len, &n, 1);
	put(buf, &len, fde_aug, fde_aug_len);
	put(buf, &len, insns, insns_len);
	put_length(buf, fde_at, len);
	s->bytes = malloc(len);
	memcpy(s->bytes, buf, len);
	s->len = len;
	s->func = 0x401000;
	s->name = name;
	return s;
}

/* A rule as the tests write it: "rsp+16", "rbp+16 @16" (rbp's slot),
   " end" after an outermost frame's; "refused" for none. */
static const char *
rule_str(int rc, uint64_t rule, char *buf, size_t size)
{
	uint64_t slot = (rule & RULE_SLOT_MASK) >> HEAP_UNWIND_RULE_RBP_SHIFT;
	int n;

	if (rc < 0)
		return "refused";
	n = snprintf(buf, size, "%s+%llu",
		     rule & HEAP_UNWIND_RULE_RBP_CFA ? "rbp" : "rsp",
		     (unsigned long long)(rule & RULE_OFF_MASK));
	if (slot != 0)
		n += snprintf(buf + n, size - (size_t)n, " @%llu",
			      (unsigned long long)slot);
	if (rule & HEAP_UNWIND_RULE_OUTERMOST)
		snprintf(buf + n, size - (size_t)n, " end");
	return buf;
}

/* The rules of s at func + each offset of want ("0 rsp+8;1 rsp+16 @16",
   offsets in hex): as parsed and as written. */
static void
check_rules(const struct seed *s, const char *want)
{
	unsigned long long off;
	char expect[32], got[32];
	int used;

	while (sscanf(want, " %llx %31[^;]%n", &off, expect, &used) == 2) {
		uint64_t rule;
		int rc = parse(s->bytes, s->len, s->func, s->func + off, &rule);

		tap_is_str(rule_str(rc, rule, got, sizeof(got)), expect,
			   "%s at +%#llx", s->name, off);
		want += used + (want[used] == ';');
	}
}

static void
check_built(void)
{
	/* push rbp; mov rbp, rsp; ...; a leave-like epilogue remembered and
	   restored */
	static const uint8_t frame_insns[] = {
		0x41, 0x0e, 16,	  0x86, 2,	 /* +1: rsp+16, rbp at -16 */
		0x43, 0x0d, 6,			 /* +4: rbp+16 */
		0x6c, 0x0a, 0x0c, 7,	8, 0xc6, /* +0x30: rsp+8, rbp kept */
		0x41, 0x0b,			 /* +0x31: rbp+16 again */
	};
	/* version 3, "zPLR", the _sf and long advances, args_size, the
	   return address undefined at last */
	static const uint8_t plr_data[] = {0x9b, 0, 0, 0, 0, 0x1b, 0x1b};
	static const uint8_t lsda[] = {0, 0, 0, 0};
	static const uint8_t sf_insns[] = {
		0x02, 5,    0x13, 0x7e, 0x2e, 16,   0x11, 6, 2, /* +5 */
		0x03, 0x10, 0,	  0x12, 7,    0x7d,		/* +0x15 */
		0x04, 0x10, 0,	  0,	0,    0x07, 16,		/* +0x25 */
	};
	/* LEB128s padded to 9 bytes (legal, and a bit flip away from
	   offsets that do not fit in 64 bits once scaled) */
	static const uint8_t padded_insns[] = {
		0x41, 0x12, 7, /* +1: rsp+16 (-2 * -8) */
		0xfe, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x7f,
		0x11, 6, /* rbp at -16 */
		0x82, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x00,
		0x43, 0x0e, /* +4: rsp+24 */
		0x98, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x00,
		0x05, 6, /* rbp at -24 */
		0x83, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x00,
	};
	/* offsets that wrap to rsp+16 and rbp at -16 once scaled: (2^61 -
	   2) * -8 and (2^61 + 2) * -8 */
	static const uint8_t wrap_cfa[] = {
		0x41, 0x12, 7,	  0xfe, 0xff, 0xff,
		0xff, 0xff, 0xff, 0xff, 0xff, 0x1f,
	};
	static const uint8_t wrap_rbp[] = {
		0x41, 0x05, 6,	  0x82, 0x80, 0x80,
		0x80, 0x80, 0x80, 0x80, 0x80, 0x20,
	};
	static const uint8_t r_data[] = {0x1b};
	static const uint8_t expr_insns[] = {0x41, 0x0f, 2, 0x77, 8};
	static const uint8_t nop[] = {0};
	struct seed *s, e;
	uint64_t rule;

	s = seed_build(&seeds[nseeds++], "built zR", 1, "zR", r_data, 1, NULL,
		       0, frame_insns, sizeof(frame_insns));
	check_rules(s, "0 rsp+8;1 rsp+16 @16;3 rsp+16 @16;4 rbp+16 @16;"
		       "2f rbp+16 @16;30 rsp+8;31 rbp+16 @16;5f rbp+16 @16");
	tap_ok(parse(s->bytes, s->len - 1, s->func, s->func, &rule) < 0 &&
		       rule == 0,
	       "its FDE one byte short is refused");
	s = seed_build(&seeds[nseeds++], "built zPLR v3", 3, "zPLR", plr_data,
		       sizeof(plr_data), lsda, sizeof(lsda), sf_insns,
		       sizeof(sf_insns));
	check_rules(s, "0 rsp+8;4 rsp+8;5 rsp+16 @16;14 rsp+16 @16;"
		       "15 rsp+24 @16;25 rsp+24 @16 end;5f rsp+24 @16 end");
	s = seed_build(&seeds[nseeds++], "built padded", 1, "zR", r_data, 1,
		       NULL, 0, padded_insns, sizeof(padded_insns));
	check_rules(s, "0 rsp+8;1 rsp+16 @16;3 rsp+16 @16;4 rsp+24 @24;"
		       "5f rsp+24 @24");
	/* not seeds: refused ones */
	seed_build(&e, "expression", 1, "zR", r_data, 1, NULL, 0, expr_insns,
		   sizeof(expr_insns));
	tap_ok(parse(e.bytes, e.len, e.func, e.func, &rule) == 0,
	       "before a DW_CFA_def_cfa_expression: followed");
	tap_ok(parse(e.bytes, e.len, e.func, e.func + 1, &rule) < 0,
	       "after it: refused");
	free(e.bytes);
	seed_build(&e, "wrap", 1, "zR", r_data, 1, NULL, 0, wrap_cfa,
		   sizeof(wrap_cfa));
	tap_ok(parse(e.bytes, e.len, e.func, e.func + 1, &rule) < 0,
	       "a CFA offset that does not fit in 64 bits is refused");
	free(e.bytes);
	seed_build(&e, "wrap", 1, "zR", r_data, 1, NULL, 0, wrap_rbp,
		   sizeof(wrap_rbp));
	tap_ok(parse(e.bytes, e.len, e.func, e.func + 1, &rule) < 0,
	       "so is rbp's");
	free(e.bytes);
	seed_build(&e, "signal", 1, "zRS", r_data, 1, NULL, 0, nop, 1);
	tap_ok(parse(e.bytes, e.len, e.func, e.func, &rule) < 0,
	       "a signal frame's CIE is refused");
	free(e.bytes);
}

/* A mutant of the seed arg at a pc in its function's first PC_SPAN
   bytes: a rule of 0 when refused, a sane one when parsed. */
static int
check_mutant(const uint8_t *buf, size_t len, int *bad, void *arg)
{
	const struct seed *s = arg;
	uint64_t rule = 1;
	int rc = parse(buf, len, s->func, s->func + fuzz_rand() % PC_SPAN,
		       &rule);

	if (rc < 0) {
		*bad += rule != 0;
		return 0;
	}
	*bad += !rule_sane(rule);
	return 1;
}

int
main(void)
{
	int bad = 0, parsed = 0, rounds = 0;

	sink = live_fp(3);
	check_entries();
	check_built();
	for (int i = 0; i < nseeds; i++) {
		parsed += fuzz_run(seeds[i].bytes, seeds[i].len, FUZZ_ROUNDS,
				   NULL, check_mutant, &seeds[i], &bad);
		rounds += FUZZ_ROUNDS;
	}
	tap_ok(nseeds >= 6 && parsed > rounds / 50 &&
		       rounds - parsed > rounds / 10,
	       "%d seeds, %d mutants: %d parsed to a rule, %d refused", nseeds,
	       rounds, parsed, rounds - parsed);
	tap_is_int(bad, 0, "every rule one the walk can follow");
	for (int i = 0; i < nseeds; i++)
		free(seeds[i].bytes);
	return tap_done();
}
