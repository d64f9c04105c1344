#include "config.h"

#include "common/escape.h"

#include <stdint.h>
#include <string.h>

#include "common/xmalloc.h"

/*
 * The length of the printable UTF-8 character at s (1-4), or 0 when the
 * byte at s must be escaped: a control byte, a backslash, an invalid,
 * overlong or surrogate sequence, a C1 control, a line or paragraph
 * separator or a bidi override.
 */
static size_t
escape_ok(const unsigned char *s)
{
	uint32_t cp;
	size_t n;

	if (s[0] >= 0x20 && s[0] < 0x7f)
		return s[0] == '\\' ? 0 : 1;
	if (s[0] >= 0xc2 && s[0] <= 0xdf)
		n = 2, cp = s[0] & 0x1fu;
	else if (s[0] >= 0xe0 && s[0] <= 0xef)
		n = 3, cp = s[0] & 0x0fu;
	else if (s[0] >= 0xf0 && s[0] <= 0xf4)
		n = 4, cp = s[0] & 0x07u;
	else
		return 0;
	for (size_t i = 1; i < n; i++) {
		if ((s[i] & 0xc0) != 0x80) /* also stops at the NUL */
			return 0;
		cp = cp << 6 | (s[i] & 0x3fu);
	}
	if ((n == 3 && cp < 0x800) || (n == 4 && cp < 0x10000) ||
	    cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
		return 0;
	if (cp <= 0x9f || (cp >= 0x2028 && cp <= 0x202e) ||
	    (cp >= 0x2066 && cp <= 0x2069))
		return 0;
	return n;
}

/*
 * Escapes s into out (room for 4 * strlen(s) + 1 bytes) when out is not
 * NULL. Returns the length of the escaped text.
 */
static size_t
escape_into(const char *s, char *out)
{
	static const char hex[] = "0123456789abcdef";
	const unsigned char *p = (const unsigned char *)s;
	size_t len = 0;

	while (*p != '\0') {
		size_t n = escape_ok(p);

		if (n > 0) {
			if (out != NULL)
				memcpy(out + len, p, n);
			len += n;
			p += n;
			continue;
		}
		if (out != NULL && *p == '\\') {
			out[len] = '\\';
			out[len + 1] = '\\';
		} else if (out != NULL) {
			out[len] = '\\';
			out[len + 1] = 'x';
			out[len + 2] = hex[*p >> 4];
			out[len + 3] = hex[*p & 0xf];
		}
		len += *p == '\\' ? 2 : 4;
		p++;
	}
	if (out != NULL)
		out[len] = '\0';
	return len;
}

char *
escape_text(const char *s)
{
	char *out = xmalloc(escape_into(s, NULL) + 1);

	escape_into(s, out);
	return out;
}

bool
escape_clean(const char *s)
{
	return escape_into(s, NULL) == strlen(s);
}

int
escape_fputs(const char *s, FILE *f)
{
	const unsigned char *p = (const unsigned char *)s;
	int rc = 0;

	while (*p != '\0' && rc == 0) {
		const unsigned char *run = p;
		size_t n;

		while (*p != '\0' && (n = escape_ok(p)) > 0)
			p += n;
		if (p > run && fwrite(run, 1, (size_t)(p - run), f) == 0)
			rc = EOF;
		else if (*p == '\\')
			rc = fputs("\\\\", f) < 0 ? EOF : 0;
		else if (*p != '\0')
			rc = fprintf(f, "\\x%02x", *p) < 0 ? EOF : 0;
		if (*p != '\0')
			p++;
	}
	return rc;
}

void
escape_controls(FILE *out, const char *s, size_t len, const char *keep)
{
	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)s[i];

		if ((c < 0x20 || c == 0x7f) &&
		    (keep == NULL || memchr(keep, c, strlen(keep) + 1) == NULL))
			fprintf(out, "\\x%02x", c);
		else
			putc(c, out);
	}
}
