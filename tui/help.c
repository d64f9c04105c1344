/*
 * The help screen (`?`, `h`, F1): every key, scrollable; any other key
 * closes it.
 */
#include "config.h"

#include <curses.h>
#include <stdio.h>

#include "tui/crt.h"
#include "tui/tui-int.h"

static const char *const help_lines[] = {
	"cproftop: a live profile of the target, refreshed every second.",
	"flat: samples in the function itself; cum: in it or its callees.",
	"",
	"Main screen (the top table)",
	"  Up/Down j/k PgUp/PgDn Home/End  move",
	"  Enter or Right     source of the function, callers and callees",
	"  f F 1 3            sort by flat (py-spy: 1 %Own, 3 OwnTime)",
	"  c C 2 4            sort by cum (py-spy: 2 %Total, 4 TotalTime)",
	"  n                  sort by name",
	"  < >                previous / next sort column",
	"  r                  reverse the sort order",
	"  L                  rows per function or per source line",
	"  /                  filter: keep stacks through a function matching",
	"                     a regex (Enter applies, empty Enter clears)",
	"  \\                  clear the filter",
	"  t                  thread list",
	"  w                  last 5 seconds (window) or everything "
	"(cumulative)",
	"  m                  CPU (on-CPU samples) or wall (on and off CPU)",
	"  p or space         pause the SCREEN: sampling goes on; p again "
	"shows",
	"                     the newest profile",
	"  P                  pause SAMPLING: the target runs untouched",
	"  z                  reset the counts",
	"  s                  save the profile shown as pprof profile.pb.gz",
	"                     (the -o path, or cproftop-DATE-TIME.pb.gz here)",
	"  ? h F1             this help",
	"  q F10              quit: detach and leave the target running",
	"",
	"Thread list (t)",
	"  space or Enter     select / unselect the thread for the table",
	"  a                  all threads again",
	"  c f / i / n / o    sort by samples / TID / name / on-CPU %",
	"  t Esc Left         back",
	"",
	"Source view (Enter)",
	"  H                  back to the hottest line",
	"  Tab                move between the source and the callers/callees",
	"  Enter              (callers/callees) go to that function",
	"  Esc Left Backspace back",
	"",
	"Press any other key to close this help.",
};

#define HELP_NLINES (sizeof(help_lines) / sizeof(help_lines[0]))

static struct browser help_browser;

static void
help_row(void *arg, size_t idx, int width, char *buf, size_t bufsz, int *style)
{
	snprintf(buf, bufsz, " %s", help_lines[idx]);
	if (help_lines[idx][0] != ' ' && help_lines[idx][0] != '\0')
		*style = CRT_HEADER;
	(void)arg;
	(void)width;
}

void
help_draw(struct tui *t, int y, int height)
{
	help_browser.row = help_row;
	help_browser.nocursor = true;
	browser_set_rows(&help_browser, HELP_NLINES);
	tui_draw_title(y, "Help");
	browser_draw(&help_browser, y + 1, height - 1, COLS);
	(void)t;
}

enum tui_result
help_key(struct tui *t, int key)
{
	/* Scrolling moves the view, not a selection. */
	size_t top = help_browser.top;
	int h = help_browser.height;

	if (key == 'j' || key == KEY_DOWN || key == KEY_NPAGE) {
		top += key == KEY_NPAGE ? (size_t)h : 1;
		if (top + (size_t)h > HELP_NLINES)
			top = HELP_NLINES > (size_t)h ? HELP_NLINES - (size_t)h
						      : 0;
	} else if (key == 'k' || key == KEY_UP || key == KEY_PPAGE) {
		size_t d = key == KEY_PPAGE ? (size_t)h : 1;

		top = top > d ? top - d : 0;
	} else {
		t->screen = t->before_help;
		return TUI_REBUILD;
	}
	help_browser.top = top;
	help_browser.sel = top + (size_t)h / 2;
	return TUI_REDRAW;
}
