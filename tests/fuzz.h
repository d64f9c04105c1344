#ifndef CPT_TESTS_FUZZ_H
#define CPT_TESTS_FUZZ_H

/*
 * The mutation fuzzer every parser test shares (header-only, one per
 * test program): fuzz_run() takes a valid input (a fixture, or bytes built
 * by the test), mutates it a few times per round -- bytes replaced or
 * bit-flipped, set to 0 or 0xff or to a character the format cares about,
 * runs duplicated or dropped, the tail cut -- restarting from the seed
 * every FUZZ_RESTART rounds, and hands each mutant to the test's check in an
 * exact-size heap copy (plus a NUL after it, for text parsers), so that
 * ASan sees any read outside it. The check parses, counts what parsed and
 * counts inconsistencies; a crash or an ASan report fails the test.
 * Deterministic: a fixed xorshift seed.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/* Mutations pile up over this many rounds, then start again from the
   seed. */
#define FUZZ_RESTART 8

static uint64_t fuzz_state = 0x9e3779b97f4a7c15ULL;

static inline uint32_t
fuzz_rand(void)
{
	fuzz_state ^= fuzz_state << 13;
	fuzz_state ^= fuzz_state >> 7;
	fuzz_state ^= fuzz_state << 17;
	return (uint32_t)(fuzz_state >> 16);
}

/*
 * One mutation of buf (len bytes, room for cap) in place; returns the new
 * length. special: the characters a text format cares about; NULL for a
 * binary format (then 0, 0xff and small numbers are written instead).
 */
static inline size_t
fuzz_mutate(uint8_t *buf, size_t len, size_t cap, const char *special)
{
	size_t at = len ? fuzz_rand() % len : 0;
	unsigned op = fuzz_rand() % 16;

	/* Text formats: format characters instead of NULs and numbers. */
	if (special != NULL && (op == 5 || op == 6 || op >= 13))
		op = 7;
	switch (op) {
	case 0:
	case 1:
	case 2: /* replace a byte */
		if (len)
			buf[at] = (uint8_t)fuzz_rand();
		return len;
	case 3:
	case 4: /* flip a bit */
		if (len)
			buf[at] ^= (uint8_t)(1U << (fuzz_rand() % 8));
		return len;
	case 5:
	case 6: /* an extreme byte */
		if (len)
			buf[at] = fuzz_rand() % 2 ? 0 : 0xff;
		return len;
	case 7:
	case 8:
	case 9: /* a format character */
		if (len && special != NULL && *special != '\0')
			buf[at] =
				(uint8_t)special[fuzz_rand() % strlen(special)];
		return len;
	case 10: /* cut the tail */
		return at;
	case 11: /* duplicate a run of 16 */
		if (len && len + 16 <= cap) {
			memmove(buf + at + 16, buf + at, len - at);
			return len + 16;
		}
		return len;
	case 12: /* drop a byte */
		if (len) {
			memmove(buf + at, buf + at + 1, len - at - 1);
			return len - 1;
		}
		return len;
	default: /* overwrite 4 bytes with a little-endian small number */
		if (len >= 4) {
			uint32_t v = fuzz_rand() % 4 ? fuzz_rand() % 256
						     : fuzz_rand();

			at = fuzz_rand() % (len - 3);
			memcpy(buf + at, &v, 4);
		}
		return len;
	}
}

/* The test's check of one mutant buf[0..len) (buf[len] is 0): returns
   nonzero when it parsed; counts inconsistencies in *bad. */
typedef int (*fuzz_check_fn)(const uint8_t *buf, size_t len, int *bad,
			     void *arg);

/*
 * Runs rounds mutants of seed[0..len) through check. Returns how many
 * parsed; *bad accumulates the inconsistencies check found.
 */
static inline int
fuzz_run(const void *seed, size_t len, int rounds, const char *special,
	 fuzz_check_fn check, void *arg, int *bad)
{
	size_t cap = len + 16 * 4 * FUZZ_RESTART + 1, n = 0;
	uint8_t *work = malloc(cap);
	int parsed = 0;

	for (int r = 0; r < rounds; r++) {
		uint8_t *copy;

		if (r % FUZZ_RESTART == 0) {
			memcpy(work, seed, len);
			n = len;
		}
		for (int m = (int)(fuzz_rand() % 4) + 1; m > 0; m--)
			n = fuzz_mutate(work, n, cap - 1, special);
		copy = malloc(n + 1);
		memcpy(copy, work, n);
		copy[n] = 0;
		parsed += check(copy, n, bad, arg) != 0;
		free(copy);
	}
	free(work);
	return parsed;
}

#endif
