/* The demo's tokenizer: see demo.h. */
#include "config.h"

#include "tests/workloads/demo.h"

#include <ctype.h>

#include "tests/workloads/wl.h"

/* Returns the length of the token at s (at least 1). */
WL_NOINLINE static size_t
parse_token_length(const char *s, const char *end)
{
	const char *p = s + 1;

	if (isalpha((unsigned char)*s))
		while (p < end && isalnum((unsigned char)*p))
			p++;
	else if (isdigit((unsigned char)*s))
		while (p < end && isdigit((unsigned char)*p))
			p++;
	return (size_t)(p - s);
}

unsigned long
parse_tokens(const char *text, size_t len)
{
	const char *p = text, *end = text + len;
	unsigned long n = 0;

	while (p < end) {
		if (isspace((unsigned char)*p)) {
			p++;
			continue;
		}
		p += parse_token_length(p, end);
		n++;
	}
	return n;
}
