#ifndef CPT_TUI_TEXT_H
#define CPT_TUI_TEXT_H

/*
 * Fitting strings into screen columns, UTF-8 safe (in a UTF-8 locale;
 * other locales show bytes above 127 as '?'). Control characters and
 * invalid sequences show as '?', one column each; tabs expand to the next
 * multiple of 8 columns. Pure functions, any thread (they depend on the
 * locale set by setlocale()).
 */

#include <stdbool.h>
#include <stddef.h>

/* Columns s takes on screen. */
int text_width(const char *s);

/*
 * Copies s into out (outsz bytes, NUL-terminated) keeping its START within
 * width columns: longer text is cut. Returns the columns written.
 */
int text_fit_start(const char *s, int width, char *out, size_t outsz);

/*
 * Copies s into out keeping its END within width columns: when s is wider,
 * it starts with an ellipsis ("…", or "..." outside UTF-8) followed by as
 * much of the end of s as fits, so "…vector<int>::at" stays readable.
 * Returns the columns written.
 */
int text_fit_end(const char *s, int width, char *out, size_t outsz);

/*
 * Where s, a list of items separated by ", " (not inside parentheses),
 * wraps at width columns: the bytes of its first line, the longest start
 * of s that fits and ends an item (with the item's comma), or s whole when
 * it fits; an item wider than width alone is a line of its own (the caller
 * cuts it). The next line starts after the space that follows.
 */
size_t text_wrap_list(const char *s, int width);

/* True when the locale's encoding is UTF-8 (after setlocale()). */
bool text_utf8(void);

#endif
