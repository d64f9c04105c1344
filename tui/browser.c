#include "config.h"

#include "tui/browser.h"

#include <curses.h>

#include "tui/crt.h"
#include "tui/text.h"

void
browser_set_rows(struct browser *b, size_t nrows)
{
	b->nrows = nrows;
	if (b->sel >= nrows)
		b->sel = nrows > 0 ? nrows - 1 : 0;
	if (b->top > b->sel)
		b->top = b->sel;
}

void
browser_select(struct browser *b, size_t idx)
{
	b->sel = idx;
	browser_set_rows(b, b->nrows);
}

/* Moves the top so that the selected row is visible. */
static void
browser_scroll(struct browser *b)
{
	size_t h = b->height > 0 ? (size_t)b->height : 1;

	if (b->sel < b->top)
		b->top = b->sel;
	else if (b->sel >= b->top + h)
		b->top = b->sel - h + 1;
	if (b->nrows <= h)
		b->top = 0;
	else if (b->top > b->nrows - h)
		b->top = b->nrows - h;
}

void
browser_draw(struct browser *b, int y, int height, int width)
{
	char buf[1024], fit[1024];

	b->height = height;
	browser_scroll(b);
	for (int i = 0; i < height; i++) {
		size_t idx = b->top + (size_t)i;
		int style = CRT_NORMAL, w = 0;

		move(y + i, 0);
		if (idx < b->nrows) {
			buf[0] = '\0';
			b->row(b->arg, idx, width, buf, sizeof(buf), &style);
			if (idx == b->sel && !b->nocursor)
				style = b->focused ? CRT_SELECTED
						   : CRT_SELECTED_DIM;
			attrset(crt_attr[style]);
			w = text_fit_start(buf, width, fit, sizeof(fit));
			addstr(fit);
		}
		for (; w < width; w++)
			addch(' ');
		attrset(A_NORMAL);
	}
}

enum tui_result
browser_action(struct browser *b, enum tui_action a)
{
	size_t page = b->height > 1 ? (size_t)b->height - 1 : 1;
	size_t last = b->nrows > 0 ? b->nrows - 1 : 0;

	switch (a) {
	case ACT_UP:
		b->sel = b->sel > 0 ? b->sel - 1 : 0;
		break;
	case ACT_DOWN:
		b->sel = b->sel < last ? b->sel + 1 : last;
		break;
	case ACT_PGUP:
		b->sel = b->sel > page ? b->sel - page : 0;
		b->top = b->top > page ? b->top - page : 0;
		break;
	case ACT_PGDN:
		b->sel = b->sel + page < last ? b->sel + page : last;
		b->top += page;
		break;
	case ACT_HOME:
		b->sel = 0;
		break;
	case ACT_END:
		b->sel = last;
		break;
	default:
		return TUI_UNHANDLED;
	}
	return TUI_REDRAW;
}
