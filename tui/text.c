#include "config.h"

#include "tui/text.h"

#include <langinfo.h>
#include <string.h>
#include <wchar.h>

/* One character of a string: its bytes, and its width on screen. */
struct text_char {
	size_t len; /* bytes in s; 0 at the end */
	int width;
	bool bad; /* shown as '?' */
};

bool
text_utf8(void)
{
	return strcmp(nl_langinfo(CODESET), "UTF-8") == 0;
}

/* Decodes the character at s, at column col (for tabs). */
static struct text_char
text_next(const char *s, int col, mbstate_t *st)
{
	struct text_char c = {0, 1, true};
	wchar_t wc;
	size_t n;

	if (*s == '\0')
		return (struct text_char){0, 0, false};
	if (*s == '\t')
		return (struct text_char){1, 8 - col % 8, false};
	n = mbrtowc(&wc, s, strlen(s), st);
	if (n == (size_t)-1 || n == (size_t)-2 || n == 0) {
		memset(st, 0, sizeof(*st));
		c.len = 1;
		return c;
	}
	c.len = n;
	c.width = wcwidth(wc);
	if (c.width < 0 || wc < 0x20 || wc == 0x7f)
		c.width = 1;
	else
		c.bad = false;
	return c;
}

/*
 * Appends character c (at s) to out[*used], expanding tabs to spaces.
 * Returns false when out is full.
 */
static bool
text_put(char *out, size_t outsz, size_t *used, const char *s,
	 struct text_char c)
{
	size_t n = c.bad ? 1 : *s == '\t' ? (size_t)c.width : c.len;

	if (*used + n + 1 > outsz)
		return false;
	if (c.bad)
		out[*used] = '?';
	else if (*s == '\t')
		memset(out + *used, ' ', n);
	else
		memcpy(out + *used, s, n);
	*used += n;
	out[*used] = '\0';
	return true;
}

int
text_width(const char *s)
{
	mbstate_t st = {0};
	struct text_char c;
	int w = 0;

	while ((c = text_next(s, w, &st)).len > 0) {
		w += c.width;
		s += c.len;
	}
	return w;
}

int
text_fit_start(const char *s, int width, char *out, size_t outsz)
{
	mbstate_t st = {0};
	struct text_char c;
	size_t used = 0;
	int w = 0;

	if (outsz > 0)
		out[0] = '\0';
	while ((c = text_next(s, w, &st)).len > 0 && w + c.width <= width) {
		if (!text_put(out, outsz, &used, s, c))
			break;
		w += c.width;
		s += c.len;
	}
	return w;
}

int
text_fit_end(const char *s, int width, char *out, size_t outsz)
{
	const char *ell = text_utf8() ? "\u2026" : "...";
	int total = text_width(s), ellw = text_utf8() ? 1 : 3, w = 0;
	mbstate_t st = {0};
	struct text_char c;
	size_t used;

	if (total <= width)
		return text_fit_start(s, width, out, outsz);
	if (width < ellw)
		return text_fit_start(ell, width, out, outsz);
	/* Skip characters from the start until the rest fits. */
	while (total - w > width - ellw && (c = text_next(s, w, &st)).len > 0) {
		w += c.width;
		s += c.len;
	}
	used = strlen(ell);
	if (used + 1 > outsz)
		return text_fit_start(s, 0, out, outsz);
	memcpy(out, ell, used + 1);
	return ellw + text_fit_start(s, width - ellw, out + used, outsz - used);
}

size_t
text_wrap_list(const char *s, int width)
{
	mbstate_t st = {0};
	struct text_char c;
	const char *p = s;
	size_t fit = 0; /* the longest start that fits and ends an item */
	int w = 0, depth = 0;

	while ((c = text_next(p, w, &st)).len > 0) {
		if (*p == '(')
			depth++;
		else if (*p == ')' && depth > 0)
			depth--;
		w += c.width;
		p += c.len;
		if (w > width && fit > 0)
			return fit;
		if (depth == 0 && p[-1] == ',' && *p == ' ') {
			if (w > width)
				return (size_t)(p - s); /* one item, too wide */
			fit = (size_t)(p - s);
		}
	}
	return (size_t)(p - s);
}
