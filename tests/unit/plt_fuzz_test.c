/*
 * symbols_plt_decode (sampler/symbols_code.c), the decoder of x86-64 PLT
 * stubs read from the target's files: the stubs ld writes (lazy, IBT,
 * .plt.got, .plt.sec) decode to their GOT slot or .rela.plt index; and a
 * stub mutated 200,000 times by tests/fuzz.h decodes or is refused, never
 * reading outside its bytes (exact-size copies, ASan+UBSan in CI), with a
 * GOT slot that is where its displacement points.
 */
#include "config.h"

#include <stdint.h>
#include <string.h>

#include "sampler/symbols_int.h"
#include "tests/fuzz.h"
#include "tests/tap.h"

#define FUZZ_ROUNDS 200000
#define VADDR 0x401020ULL

/* The slot a jmp at offset i with displacement d points to. */
static uint64_t
slot(size_t i, int32_t d)
{
	return VADDR + i + 6 + (uint64_t)(int64_t)d;
}

static int
check_mutant(const uint8_t *buf, size_t len, int *bad, void *arg)
{
	uint64_t val = 0;
	int32_t d;
	size_t at;

	switch (symbols_plt_decode(buf, len, VADDR, &val)) {
	case SYMBOLS_PLT_GOT:
		/* the jmp sits after 0, 1, 4 or 5 prefix bytes */
		at = memcmp(buf, "\xf3\x0f\x1e\xfa", len < 4 ? len : 4) == 0 &&
				     len >= 4
			     ? 4
			     : 0;
		if (at < len && buf[at] == 0xf2)
			at++;
		if (at + 6 > len || buf[at] != 0xff || buf[at + 1] != 0x25) {
			(*bad)++;
			return 1;
		}
		memcpy(&d, buf + at + 2, 4);
		*bad += val != slot(at, d);
		return 1;
	case SYMBOLS_PLT_PUSH:
		*bad += val > UINT32_MAX;
		return 1;
	default:
		return 0;
	}
}

int
main(void)
{
	/* jmp *0x2fe2(%rip); push $3; jmp PLT0 -- a lazy stub */
	static const uint8_t lazy[16] = {0xff, 0x25, 0xe2, 0x2f, 0x00, 0x00,
					 0x68, 0x03, 0x00, 0x00, 0x00, 0xe9,
					 0xe0, 0xff, 0xff, 0xff};
	/* endbr64; push $7; bnd jmp PLT0 -- an IBT lazy stub */
	static const uint8_t ibt[16] = {0xf3, 0x0f, 0x1e, 0xfa, 0x68, 0x07,
					0x00, 0x00, 0x00, 0xf2, 0xe9, 0xe1,
					0xff, 0xff, 0xff, 0x90};
	/* endbr64; bnd jmp *0x2f75(%rip) -- .plt.sec */
	static const uint8_t sec[16] = {0xf3, 0x0f, 0x1e, 0xfa, 0xf2, 0xff,
					0x25, 0x75, 0x2f, 0x00, 0x00, 0x0f,
					0x1f, 0x44, 0x00, 0x00};
	uint64_t val;
	int bad = 0, parsed;

	tap_ok(symbols_plt_decode(lazy, 16, VADDR, &val) == SYMBOLS_PLT_GOT &&
		       val == slot(0, 0x2fe2),
	       "a lazy stub: its GOT slot");
	tap_ok(symbols_plt_decode(ibt, 16, VADDR, &val) == SYMBOLS_PLT_PUSH &&
		       val == 7,
	       "an IBT lazy stub: its .rela.plt index");
	tap_ok(symbols_plt_decode(sec, 16, VADDR, &val) == SYMBOLS_PLT_GOT &&
		       val == slot(5, 0x2f75),
	       "a .plt.sec stub: its GOT slot after endbr64 and bnd");
	tap_ok(symbols_plt_decode(sec, 10, VADDR, &val) == SYMBOLS_PLT_NONE,
	       "a cut jmp is refused");
	tap_ok(symbols_plt_decode(sec, 0, VADDR, &val) == SYMBOLS_PLT_NONE,
	       "no bytes, no stub");
	parsed = fuzz_run(lazy, sizeof(lazy), FUZZ_ROUNDS, NULL, check_mutant,
			  NULL, &bad);
	parsed += fuzz_run(sec, sizeof(sec), FUZZ_ROUNDS, NULL, check_mutant,
			   NULL, &bad);
	tap_ok(parsed > FUZZ_ROUNDS / 10, "%d mutated stubs: %d decoded",
	       2 * FUZZ_ROUNDS, parsed);
	tap_is_int(bad, 0, "every decoded slot is where its jmp points");
	return tap_done();
}
