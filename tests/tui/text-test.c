/* Unit test of tui/text.c: widths and UTF-8 safe truncation. */
#include "config.h"

#include <locale.h>
#include <string.h>

#include "tests/tap.h"
#include "tui/text.h"

static void
text_test_utf8(void)
{
	char out[256];
	int w;

	tap_is_int(text_width("abc"), 3, "ASCII width");
	tap_is_int(text_width("caf\u00e9"), 4, "accented letter is one column");
	tap_is_int(text_width("\u65e5\u672c"), 4, "CJK is two columns each");
	tap_is_int(text_width("a\x01z"), 3, "control char is one column");
	w = text_fit_start("hello", 3, out, sizeof(out));
	tap_is_str(out, "hel", "fit_start cuts the end");
	tap_is_int(w, 3, "fit_start width");
	w = text_fit_end("std::vector<int>::at", 12, out, sizeof(out));
	tap_is_str(out, "\u2026or<int>::at", "fit_end keeps the end");
	tap_is_int(w, 12, "fit_end width");
	text_fit_end("hot_a", 12, out, sizeof(out));
	tap_is_str(out, "hot_a", "short names are untouched");
	w = text_fit_end("\u65e5\u672c\u8a9eabc", 6, out, sizeof(out));
	tap_is_str(out, "\u2026\u8a9eabc", "fit_end cuts between wide chars");
	tap_is_int(w, 6, "fit_end wide width");
	w = text_fit_end("\u65e5\u672c\u8a9eabc", 5, out, sizeof(out));
	tap_is_str(out, "\u2026abc", "fit_end never splits a wide char");
	tap_is_int(w, 4, "fit_end stays within the width");
	text_fit_start("a\xffz\x1b", 10, out, sizeof(out));
	tap_is_str(out, "a?z?", "invalid bytes and escapes show as ?");
	text_fit_start("\tx", 20, out, sizeof(out));
	tap_is_str(out, "        x", "tabs expand to 8 columns");
	text_fit_end("\u00e9\u00e9\u00e9\u00e9", 3, out, 4);
	tap_ok(strlen(out) < 4, "fit_end respects the buffer size");
	text_fit_end("abcdef", 0, out, sizeof(out));
	tap_is_str(out, "", "zero width gives an empty string");
}

/* A list wrapped at its commas, outside parentheses. */
static void
text_test_wrap(void)
{
	const char *s = "12 samples, 3 dropped (1 in stalls, 2 malformed), "
			"4 untracked";

	tap_is_int((int)text_wrap_list(s, 80), (int)strlen(s),
		   "wrap: a list that fits is one line");
	tap_is_int((int)text_wrap_list(s, (int)strlen(s)), (int)strlen(s),
		   "wrap: a list exactly as wide as the screen is one line");
	tap_is_int((int)text_wrap_list(s, 60), 49,
		   "wrap: at the last comma that fits, the comma kept");
	tap_is_int((int)text_wrap_list(s, 40), 11,
		   "wrap: never inside the parenthesis");
	tap_is_int((int)text_wrap_list(s, 5), 11,
		   "wrap: an item wider than the screen is a line of its own");
	tap_is_int((int)text_wrap_list(s + 50, 11), 11, "wrap: the last item");
	tap_is_int((int)text_wrap_list("", 10), 0, "wrap: nothing");
}

static void
text_test_ascii(void)
{
	char out[64];

	text_fit_end("abcdefgh", 5, out, sizeof(out));
	tap_is_str(out, "...gh", "C locale: ASCII ellipsis");
	text_fit_start("caf\xc3\xa9", 10, out, sizeof(out));
	tap_is_str(out, "caf??", "C locale: bytes above 127 show as ?");
}

int
main(void)
{
	if (setlocale(LC_ALL, "C.UTF-8") == NULL) {
		tap_skip("no C.UTF-8 locale");
	} else {
		tap_ok(text_utf8(), "C.UTF-8 is UTF-8");
		text_test_utf8();
	}
	setlocale(LC_ALL, "C");
	tap_ok(!text_utf8(), "C is not UTF-8");
	text_test_ascii();
	text_test_wrap();
	return tap_done();
}
