#ifndef CPT_TESTS_TAP_H
#define CPT_TESTS_TAP_H

/*
 * A tiny TAP producer for unit tests: each check prints "ok N - name" or
 * "not ok N - name" with a diagnostic; tap_done() prints the plan and
 * returns the exit status (0 when all passed). Header-only, one test
 * program per translation unit.
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

static int tap_count;
static int tap_failed;

static inline int __attribute__((format(printf, 2, 3)))
tap_ok(int cond, const char *fmt, ...)
{
	va_list ap;

	printf("%sok %d - ", cond ? "" : "not ", ++tap_count);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	putchar('\n');
	if (!cond)
		tap_failed++;
	fflush(stdout);
	return cond;
}

#define tap_is_int(got, want, ...)                                             \
	do {                                                                   \
		long long tap_g = (got), tap_w = (want);                       \
		if (!tap_ok(tap_g == tap_w, __VA_ARGS__))                      \
			printf("#   got %lld, want %lld\n", tap_g, tap_w);     \
	} while (0)

#define tap_is_str(got, want, ...)                                             \
	do {                                                                   \
		const char *tap_g = (got), *tap_w = (want);                    \
		int tap_eq = tap_g != NULL && tap_w != NULL                    \
				     ? strcmp(tap_g, tap_w) == 0               \
				     : tap_g == tap_w;                         \
		if (!tap_ok(tap_eq, __VA_ARGS__))                              \
			printf("#   got \"%s\", want \"%s\"\n",                \
			       tap_g ? tap_g : "(null)",                       \
			       tap_w ? tap_w : "(null)");                      \
	} while (0)

static inline void
tap_skip(const char *why)
{
	printf("ok %d # SKIP %s\n", ++tap_count, why);
}

static inline int
tap_done(void)
{
	printf("1..%d\n", tap_count);
	return tap_failed ? 1 : 0;
}

#endif
