/*
 * The help screen (`?`, `h`, F1): every key of the key table
 * (tui/keys.c) by section, scrollable; Esc or any other key closes it.
 */
#include "config.h"

#include <curses.h>
#include <stdio.h>

#include "tui/crt.h"
#include "tui/tui-int.h"

static struct browser help_browser;

static void
help_row(void *arg, size_t idx, int width, char *buf, size_t bufsz, int *style)
{
	size_t n;
	const char *const *lines = keys_help(&n);

	snprintf(buf, bufsz, " %s", lines[idx]);
	if (idx >= 2 && lines[idx][0] != ' ' && lines[idx][0] != '\0' &&
	    idx + 1 < n)
		*style = CRT_HEADER;
	(void)arg;
	(void)width;
}

void
help_draw(struct tui *t, int y, int height)
{
	size_t n;

	keys_help(&n);
	help_browser.row = help_row;
	help_browser.nocursor = true;
	browser_set_rows(&help_browser, n);
	tui_draw_title(y, "Help");
	browser_draw(&help_browser, y + 1, height - 1, COLS);
	(void)t;
}

enum tui_result
help_action(struct tui *t, enum tui_action a)
{
	/* Scrolling moves the view, not a selection. */
	size_t top = help_browser.top, n;
	int h = help_browser.height;

	keys_help(&n);
	switch (a) {
	case ACT_DOWN:
	case ACT_PGDN:
		top += a == ACT_PGDN ? (size_t)h : 1;
		if (top + (size_t)h > n)
			top = n > (size_t)h ? n - (size_t)h : 0;
		break;
	case ACT_UP:
	case ACT_PGUP: {
		size_t d = a == ACT_PGUP ? (size_t)h : 1;

		top = top > d ? top - d : 0;
		break;
	}
	case ACT_HOME:
		top = 0;
		break;
	case ACT_END:
		top = n > (size_t)h ? n - (size_t)h : 0;
		break;
	case ACT_REDRAW:
		return TUI_UNHANDLED;
	default:
		t->screen = t->before_help;
		return TUI_REBUILD;
	}
	help_browser.top = top;
	help_browser.sel = top + (size_t)h / 2;
	return TUI_REDRAW;
}
