/*
 * common/escape: known cases (ESC, OSC 52, C1, bidi overrides, invalid,
 * overlong and surrogate UTF-8), then 100,000 random and mutated strings:
 * the output must hold no control character in the C.UTF-8 locale
 * (mbrtowc + iswcntrl, an independent decoder), be valid UTF-8, and
 * unescape back to the input.
 */
#include "config.h"

#include <locale.h>
#include <stdio.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <wchar.h>
#include <wctype.h>

#include "common/escape.h"
#include "tests/tap.h"

static void
is_escaped(const char *in, const char *want, const char *name)
{
	char *got = escape_text(in);

	tap_is_str(got, want, "%s", name);
	tap_ok(escape_clean(in) == (strcmp(in, want) == 0),
	       "%s: escape_clean agrees", name);
	free(got);
}

/* Undoes escape_text; returns a caller-freed string. */
static char *
unescape(const char *s)
{
	char *out = malloc(strlen(s) + 1), *o = out;

	while (*s != '\0') {
		if (s[0] == '\\' && s[1] == '\\') {
			*o++ = '\\';
			s += 2;
		} else if (s[0] == '\\' && s[1] == 'x') {
			char hex[3] = {s[2], s[3], '\0'};

			*o++ = (char)strtoul(hex, NULL, 16);
			s += 4;
		} else {
			*o++ = *s++;
		}
	}
	*o = '\0';
	return out;
}

/* No control character and valid UTF-8, by the C library's decoder. */
static int
terminal_safe(const char *s)
{
	mbstate_t st = {0};
	size_t len = strlen(s);

	while (len > 0) {
		wchar_t wc;
		size_t n = mbrtowc(&wc, s, len, &st);

		if (n == (size_t)-1 || n == (size_t)-2 || n == 0)
			return 0;
		if (iswcntrl((wint_t)wc) || wc == 0x7f ||
		    (wc >= 0x2028 && wc <= 0x202e) ||
		    (wc >= 0x2066 && wc <= 0x2069))
			return 0;
		s += n;
		len -= n;
	}
	return 1;
}

static void
fuzz(void)
{
	static const char *const seeds[] = {"main",
					    "\xc3\xa9t\xc3\xa9",
					    "\xe2\x80\xa6",
					    "\xf0\x9f\x98\x80",
					    "\x1b]52;c;aGk=\x07",
					    "a\\b",
					    "\xed\xa0\x80",
					    "\xc2\x9b"};
	uint64_t x = 0x9e3779b97f4a7c15u;
	int bad = 0, lossy = 0, differ = 0;

	for (int i = 0; i < 100000; i++) {
		char in[32], *out, *back;
		size_t n;

		x ^= x << 13, x ^= x >> 7, x ^= x << 17;
		strcpy(in, seeds[x % 8]);
		n = strlen(in);
		/* Mutate: overwrite, insert or append random bytes. */
		for (int k = (int)(x >> 8) % 4; k >= 0; k--) {
			x ^= x << 13, x ^= x >> 7, x ^= x << 17;
			if (n + 1 < sizeof(in))
				in[n++] = (char)(x >> 16 | 1);
			if (n > 0)
				in[(x >> 24) % n] = (char)(x >> 32 | 1);
		}
		in[n] = '\0';
		out = escape_text(in);
		back = unescape(out);
		{
			char *mem = NULL;
			size_t memlen = 0;
			FILE *f = open_memstream(&mem, &memlen);

			escape_fputs(in, f);
			fclose(f);
			differ += strcmp(mem, out) != 0;
			free(mem);
		}
		bad += !terminal_safe(out);
		lossy += strcmp(back, in) != 0;
		free(back);
		free(out);
	}
	tap_is_int(bad, 0,
		   "100000 mutated strings: none reaches the "
		   "terminal with a control character");
	tap_is_int(lossy, 0, "... and every one unescapes to its input");
	tap_is_int(differ, 0,
		   "... and escape_fputs writes what escape_text "
		   "returns");
}

/* escape_controls: only control bytes and DEL, the kept ones pass. */
static void
controls(void)
{
	char *out = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&out, &len);

	escape_controls(f, "a\tb\n\x7f\xc3\xa9\\\x1b", 9, "\t");
	fclose(f);
	tap_is_str(out, "a\tb\\x0a\\x7f\xc3\xa9\\\\x1b",
		   "controls: tab kept, LF/DEL/ESC as \\xNN, UTF-8 and "
		   "backslash pass");
	free(out);
}

int
main(void)
{
	if (setlocale(LC_CTYPE, "C.UTF-8") == NULL) {
		tap_skip("no C.UTF-8 locale");
		return tap_done();
	}
	is_escaped("hot_a", "hot_a", "plain ASCII");
	is_escaped("std::vector<int>::at(unsigned long) const",
		   "std::vector<int>::at(unsigned long) const", "C++ name");
	is_escaped("\xc3\xa9t\xc3\xa9 \xe2\x80\xa6",
		   "\xc3\xa9t\xc3\xa9 \xe2\x80\xa6", "valid UTF-8 passes");
	is_escaped("\x1b[2J", "\\x1b[2J", "clear screen");
	is_escaped("\x1b]0;owned\x07", "\\x1b]0;owned\\x07", "terminal title");
	is_escaped("\x1b]52;c;aGVsbG8=\x1b\\", "\\x1b]52;c;aGVsbG8=\\x1b\\\\",
		   "OSC 52 clipboard write");
	is_escaped("a\nb\tc\r\x7f", "a\\x0ab\\x09c\\x0d\\x7f",
		   "newline, tab, CR, DEL");
	is_escaped("\xc2\x9b"
		   "31m",
		   "\\xc2\\x9b31m", "C1 CSI (U+009B)");
	is_escaped("\xe2\x80\xae"
		   "cba",
		   "\\xe2\\x80\\xaecba", "right-to-left override");
	is_escaped("a\xe2\x80\xa8"
		   "b",
		   "a\\xe2\\x80\\xa8b", "line separator");
	is_escaped("\xff\xfe", "\\xff\\xfe", "invalid bytes");
	is_escaped("\xc3", "\\xc3", "truncated sequence");
	is_escaped("\xc0\xaf", "\\xc0\\xaf", "overlong '/'");
	is_escaped("\xe0\x80\xaf", "\\xe0\\x80\\xaf", "overlong 3 bytes");
	is_escaped("\xed\xa0\x80", "\\xed\\xa0\\x80", "UTF-16 surrogate");
	is_escaped("\xf4\x90\x80\x80", "\\xf4\\x90\\x80\\x80",
		   "beyond U+10FFFF");
	is_escaped("C:\\x", "C:\\\\x", "a backslash doubles");
	is_escaped("", "", "empty");
	controls();
	fuzz();
	return tap_done();
}
