/*
 * The key table (see keys.h). Order matters: keys_find() takes the first
 * entry that lists the screen and the key, so entries of one screen come
 * before the shared ones that use the same key elsewhere.
 *
 * `n`/`N` are the search's next/previous everywhere, so sorting by name
 * is `A` (A-Z); `D` (full C++ names) and `I` (inlined functions in their
 * callers) belong to the names work of issue 11.
 */
#include "config.h"

#include "tui/keys.h"

#include <curses.h>
#include <stdio.h>
#include <string.h>

#include "common/xmalloc.h"

#define ON(s) KEYS_ON(TUI_SCREEN_##s)
#define LISTS (ON(TOP) | ON(THREADS) | ON(SOURCE) | ON(TREE) | ON(ANNOTATE))
#define MAIN (ON(TOP) | ON(SOURCE) | ON(TREE) | ON(FLAME))
#define ALL (KEYS_VIEWS)
#define ESC 27
#define CTRL(c) ((c)&0x1f)

static const struct keys_entry keys_table[] = {
	/* the help screen: scrolling, and Esc back (any other key too) */
	{ON(HELP),
	 {ESC, 'q', KEY_LEFT},
	 "Esc",
	 "Back",
	 1,
	 KEYS_SEC_ALL,
	 NULL,
	 ACT_BACK},

	/* moving, in every list */
	{LISTS | ON(HELP),
	 {KEY_UP, 'k'},
	 "Up k",
	 NULL,
	 0,
	 KEYS_SEC_MOVE,
	 "up one row",
	 ACT_UP},
	{LISTS | ON(HELP),
	 {KEY_DOWN, 'j'},
	 "Down j",
	 NULL,
	 0,
	 KEYS_SEC_MOVE,
	 "down one row",
	 ACT_DOWN},
	{LISTS | ON(HELP),
	 {KEY_PPAGE},
	 "PgUp",
	 NULL,
	 0,
	 KEYS_SEC_MOVE,
	 "up one page",
	 ACT_PGUP},
	{LISTS | ON(HELP),
	 {KEY_NPAGE},
	 "PgDn",
	 NULL,
	 0,
	 KEYS_SEC_MOVE,
	 "down one page",
	 ACT_PGDN},
	{LISTS | ON(HELP),
	 {KEY_HOME, 'g'},
	 "Home g",
	 NULL,
	 0,
	 KEYS_SEC_MOVE,
	 "first row",
	 ACT_HOME},
	{LISTS | ON(HELP),
	 {KEY_END, 'G'},
	 "End G",
	 NULL,
	 0,
	 KEYS_SEC_MOVE,
	 "last row",
	 ACT_END},

	/* the thread list */
	{ON(THREADS),
	 {' ', '\n', '\r', KEY_ENTER},
	 "Space Enter",
	 "Select",
	 2,
	 KEYS_SEC_THREADS,
	 "select / unselect the thread for the table",
	 ACT_SELECT},
	{ON(THREADS),
	 {'a'},
	 "a",
	 "All",
	 3,
	 KEYS_SEC_THREADS,
	 "all threads again",
	 ACT_ALL_THREADS},
	{ON(THREADS),
	 {'x'},
	 "x",
	 "Process",
	 0,
	 KEYS_SEC_THREADS,
	 "only the threads of the selected thread's process (children "
	 "followed); x again: all",
	 ACT_PROCESS},
	{ON(THREADS),
	 {'c', 'f'},
	 "c f",
	 "Samples",
	 0,
	 KEYS_SEC_THREADS,
	 "sort by samples (in the mode)",
	 ACT_SORT_SAMPLES},
	{ON(THREADS),
	 {'i'},
	 "i",
	 NULL,
	 0,
	 KEYS_SEC_THREADS,
	 "sort by TID",
	 ACT_SORT_TID},
	{ON(THREADS),
	 {'A'},
	 "A",
	 NULL,
	 0,
	 KEYS_SEC_THREADS,
	 "sort by name",
	 ACT_SORT_NAME},
	{ON(THREADS),
	 {'o'},
	 "o",
	 NULL,
	 0,
	 KEYS_SEC_THREADS,
	 "sort by on-CPU %",
	 ACT_SORT_ONCPU},
	{ON(THREADS),
	 {'W'},
	 "W",
	 NULL,
	 0,
	 KEYS_SEC_THREADS,
	 "sort by waiting-for-a-CPU %",
	 ACT_SORT_WAIT},
	{ON(THREADS),
	 {'r'},
	 "r",
	 NULL,
	 0,
	 KEYS_SEC_THREADS,
	 "reverse the thread order",
	 ACT_REVERSE},
	{ON(THREADS),
	 {'t', ESC, KEY_LEFT, KEY_BACKSPACE, 127},
	 "t Esc Left",
	 "Back",
	 4,
	 KEYS_SEC_THREADS,
	 "back to the table",
	 ACT_BACK},

	/* the source view */
	{ON(SOURCE),
	 {'\t'},
	 "Tab",
	 "Pane",
	 2,
	 KEYS_SEC_SOURCE,
	 "move between the source and the callers/callees",
	 ACT_PANE},
	{ON(SOURCE),
	 {'\n', '\r', KEY_ENTER, KEY_RIGHT},
	 "Enter Right",
	 "Go",
	 3,
	 KEYS_SEC_SOURCE,
	 "(callers/callees) go to that function",
	 ACT_OPEN},
	{ON(SOURCE),
	 {'H'},
	 "H",
	 "Hottest",
	 4,
	 KEYS_SEC_SOURCE,
	 "back to the hottest line",
	 ACT_HOTTEST},
	{ON(SOURCE),
	 {ESC, KEY_LEFT, KEY_BACKSPACE, 127},
	 "Esc Left Backspace",
	 "Back",
	 5,
	 KEYS_SEC_SOURCE,
	 "back",
	 ACT_BACK},

	/* the call tree */
	{ON(TREE),
	 {'\t'},
	 "Tab",
	 "Flip",
	 2,
	 KEYS_SEC_TREE,
	 "top-down (callees below) or bottom-up (callers below)",
	 ACT_FLIP},
	{ON(TREE),
	 {KEY_RIGHT, '+'},
	 "Right +",
	 "Expand",
	 3,
	 KEYS_SEC_TREE,
	 "expand the node (Right again: its first child)",
	 ACT_EXPAND},
	{ON(TREE),
	 {KEY_LEFT, '-'},
	 "Left -",
	 "Collapse",
	 4,
	 KEYS_SEC_TREE,
	 "collapse the node (Left again: its parent)",
	 ACT_COLLAPSE},
	{ON(TREE),
	 {'E'},
	 "E",
	 NULL,
	 0,
	 KEYS_SEC_TREE,
	 "expand everything",
	 ACT_EXPAND_ALL},
	{ON(TREE),
	 {'C'},
	 "C",
	 NULL,
	 0,
	 KEYS_SEC_TREE,
	 "collapse everything",
	 ACT_COLLAPSE_ALL},
	{ON(TREE),
	 {'\n', '\r', KEY_ENTER},
	 "Enter",
	 "Source",
	 5,
	 KEYS_SEC_TREE,
	 "source of the node's function",
	 ACT_OPEN},
	{ON(TREE),
	 {'T', ESC, KEY_BACKSPACE, 127},
	 "T Esc",
	 "Back",
	 6,
	 KEYS_SEC_TREE,
	 "back to the table",
	 ACT_BACK},

	/* the flame view */
	{ON(FLAME),
	 {KEY_UP, 'k'},
	 "Up k",
	 NULL,
	 0,
	 KEYS_SEC_FLAME,
	 "the caller (one row up)",
	 ACT_UP},
	{ON(FLAME),
	 {KEY_DOWN, 'j'},
	 "Down j",
	 NULL,
	 0,
	 KEYS_SEC_FLAME,
	 "the widest callee (one row down)",
	 ACT_DOWN},
	{ON(FLAME),
	 {KEY_LEFT, 'h'},
	 "Left",
	 NULL,
	 0,
	 KEYS_SEC_FLAME,
	 "the frame to the left",
	 ACT_SCROLL_LEFT},
	{ON(FLAME),
	 {KEY_RIGHT, 'l'},
	 "Right",
	 NULL,
	 0,
	 KEYS_SEC_FLAME,
	 "the frame to the right",
	 ACT_SCROLL_RIGHT},
	{ON(FLAME),
	 {'\n', '\r', KEY_ENTER, '+'},
	 "Enter +",
	 "Zoom",
	 2,
	 KEYS_SEC_FLAME,
	 "zoom into the frame (its width becomes 100 %)",
	 ACT_OPEN},
	{ON(FLAME),
	 {'-', KEY_BACKSPACE, 127},
	 "- Backspace",
	 "Out",
	 3,
	 KEYS_SEC_FLAME,
	 "zoom out one level",
	 ACT_ZOOM_OUT},
	{ON(FLAME),
	 {'F', ESC},
	 "F Esc",
	 "Back",
	 4,
	 KEYS_SEC_FLAME,
	 "back to the table",
	 ACT_BACK},

	/* annotate */
	{ON(TOP) | ON(SOURCE) | ON(TREE),
	 {'a'},
	 "a",
	 "Annotate",
	 13,
	 KEYS_SEC_ANNOTATE,
	 "annotate: the function's instructions with their samples, "
	 "source lines between",
	 ACT_ANNOTATE},
	{ON(ANNOTATE),
	 {'H'},
	 "H",
	 "Hottest",
	 2,
	 KEYS_SEC_ANNOTATE,
	 "back to the hottest instruction",
	 ACT_HOTTEST},
	{ON(ANNOTATE),
	 {'a', ESC, KEY_LEFT, KEY_BACKSPACE, 127},
	 "a Esc Left",
	 "Back",
	 3,
	 KEYS_SEC_ANNOTATE,
	 "back",
	 ACT_BACK},

	/* diff */
	{ON(TOP),
	 {'b'},
	 "b",
	 NULL,
	 0,
	 KEYS_SEC_TOP,
	 "mark now as the diff base (a Δflat% column: flat% now minus in "
	 "the base); b again drops it",
	 ACT_BASE},

	/* the table */
	{ON(TOP),
	 {'\n', '\r', KEY_ENTER},
	 "Enter",
	 NULL,
	 0,
	 KEYS_SEC_TOP,
	 "source of the function, callers and callees",
	 ACT_OPEN},
	{ON(TOP),
	 {KEY_LEFT},
	 "Left",
	 NULL,
	 0,
	 KEYS_SEC_TOP,
	 "scroll long names: show more of the start",
	 ACT_SCROLL_LEFT},
	{ON(TOP),
	 {KEY_RIGHT},
	 "Right",
	 NULL,
	 0,
	 KEYS_SEC_TOP,
	 "scroll long names back to their end",
	 ACT_SCROLL_RIGHT},
	{ON(TOP),
	 {'r'},
	 "r",
	 NULL,
	 0,
	 KEYS_SEC_TOP,
	 "reverse the sort order",
	 ACT_REVERSE},
	{ON(TOP),
	 {'L'},
	 "L",
	 NULL,
	 0,
	 KEYS_SEC_TOP,
	 "rows per function or per source line",
	 ACT_LINES},
	{ON(TOP),
	 {'*'},
	 "*",
	 NULL,
	 0,
	 KEYS_SEC_TOP,
	 "show the rows too small to show (pprof's -nodefraction) or hide "
	 "them",
	 ACT_ALL_ROWS},
	{ON(TOP),
	 {'D'},
	 "D",
	 NULL,
	 0,
	 KEYS_SEC_TOP,
	 "C++ names in full (parameters, templates) or short (ns::Class::f)",
	 ACT_FULL_NAMES},
	{ON(TOP),
	 {'I'},
	 "I",
	 NULL,
	 0,
	 KEYS_SEC_TOP,
	 "inlined functions: own rows, flat to the innermost one as in pprof; "
	 "or counted in the function they were inlined into (-noinlines)",
	 ACT_NOINLINES},

	/* views of the profile */
	{ALL & ~ON(THREADS),
	 {'f', '1', '3'},
	 "f 1 3",
	 NULL,
	 0,
	 KEYS_SEC_VIEW,
	 "sort by flat (py-spy: 1 %Own, 3 OwnTime)",
	 ACT_SORT_FLAT},
	{ALL & ~ON(THREADS),
	 {'c', '2', '4'},
	 "c 2 4",
	 NULL,
	 0,
	 KEYS_SEC_VIEW,
	 "sort by cum (py-spy: 2 %Total, 4 TotalTime)",
	 ACT_SORT_CUM},
	{ALL & ~ON(THREADS),
	 {'A'},
	 "A",
	 NULL,
	 0,
	 KEYS_SEC_VIEW,
	 "sort by name (A-Z)",
	 ACT_SORT_NAME},
	{ALL & ~ON(THREADS),
	 {'>'},
	 "> <",
	 NULL,
	 0,
	 KEYS_SEC_VIEW,
	 "next / previous sort column",
	 ACT_SORT_NEXT},
	{ALL & ~ON(THREADS),
	 {'<'},
	 NULL,
	 NULL,
	 0,
	 KEYS_SEC_VIEW,
	 NULL,
	 ACT_SORT_PREV},
	{ALL,
	 {'t'},
	 "t",
	 "Threads",
	 3,
	 KEYS_SEC_VIEW,
	 "thread list: choose the threads of the table",
	 ACT_THREADS},
	{ALL & ~ON(TREE),
	 {'T'},
	 "T",
	 "Tree",
	 6,
	 KEYS_SEC_VIEW,
	 "call tree (Tab flips top-down / bottom-up)",
	 ACT_TREE},
	{ALL & ~ON(FLAME),
	 {'F'},
	 "F",
	 "Flame",
	 7,
	 KEYS_SEC_VIEW,
	 "flame view (icicle: callers above callees)",
	 ACT_FLAME},
	{ALL,
	 {'/'},
	 "/",
	 "Filter",
	 4,
	 KEYS_SEC_VIEW,
	 "filter: keep stacks through a function matching a regex "
	 "(pprof -focus)",
	 ACT_FILTER},
	{ALL,
	 {'\\'},
	 "\\",
	 NULL,
	 0,
	 KEYS_SEC_VIEW,
	 "clear the filter",
	 ACT_FILTER_CLEAR},
	{ALL,
	 {'w'},
	 "w",
	 "Window",
	 10,
	 KEYS_SEC_VIEW,
	 "last 5 seconds (window) or everything (cumulative)",
	 ACT_WINDOW},
	{ALL,
	 {'m'},
	 "m",
	 "Mode",
	 11,
	 KEYS_SEC_VIEW,
	 "CPU (on-CPU samples), wall (on and off CPU); with --heap then "
	 "heap in-use and heap allocated bytes (the table, Enter, T, F)",
	 ACT_MODE},

	{ALL,
	 {'{'},
	 "{ }",
	 NULL,
	 0,
	 KEYS_SEC_VIEW,
	 "shorter / longer window (1 2 5 10 30 60 s; turns the window on)",
	 ACT_WINDOW_SHORTER},
	{ALL, {'}'}, NULL, NULL, 0, KEYS_SEC_VIEW, NULL, ACT_WINDOW_LONGER},
	{ALL,
	 {'['},
	 "[ ]",
	 NULL,
	 0,
	 KEYS_SEC_VIEW,
	 "refresh the screen more / less often (1 2 3 5 10 s)",
	 ACT_REFRESH_FASTER},
	{ALL, {']'}, NULL, NULL, 0, KEYS_SEC_VIEW, NULL, ACT_REFRESH_SLOWER},
	{ON(TOP),
	 {'O'},
	 "O",
	 NULL,
	 0,
	 KEYS_SEC_TOP,
	 "the shared object column (perf top's Shared Object)",
	 ACT_OBJECTS},

	/* search */
	{ON(TOP) | ON(THREADS) | ON(TREE),
	 {KEY_F(3)},
	 "F3",
	 "Search",
	 8,
	 KEYS_SEC_SEARCH,
	 "search (not a filter): type, case-insensitive; F3 or Enter again: "
	 "next",
	 ACT_SEARCH},
	{ON(TOP) | ON(THREADS) | ON(TREE),
	 {'n'},
	 "n",
	 NULL,
	 0,
	 KEYS_SEC_SEARCH,
	 "next match",
	 ACT_SEARCH_NEXT},
	{ON(TOP) | ON(THREADS) | ON(TREE),
	 {'N', KEY_F(15)},
	 "N Shift-F3",
	 NULL,
	 0,
	 KEYS_SEC_SEARCH,
	 "previous match",
	 ACT_SEARCH_PREV},

	/* everywhere */
	{ALL,
	 {'p', ' '},
	 "p Space",
	 "Pause",
	 5,
	 KEYS_SEC_ALL,
	 "pause the SCREEN: sampling goes on; p again shows the newest "
	 "profile",
	 ACT_PAUSE},
	{ALL,
	 {'P'},
	 "P",
	 NULL,
	 0,
	 KEYS_SEC_ALL,
	 "pause SAMPLING: the target runs untouched",
	 ACT_PAUSE_SAMPLING},
	{ALL,
	 {'z'},
	 "z",
	 "Reset",
	 12,
	 KEYS_SEC_ALL,
	 "reset the counts",
	 ACT_RESET},
	{ALL,
	 {'s'},
	 "s",
	 "Save",
	 2,
	 KEYS_SEC_ALL,
	 "save what is shown (mode, window, filter, threads) as pprof "
	 "profile.pb.gz",
	 ACT_SAVE},
	{ALL,
	 {'?', 'h', KEY_F(1)},
	 "F1 ? h",
	 "Help",
	 1,
	 KEYS_SEC_ALL,
	 "this help",
	 ACT_HELP},
	{ALL,
	 {'q', KEY_F(10)},
	 "q F10",
	 "Quit",
	 9,
	 KEYS_SEC_ALL,
	 "quit: detach and leave the target running",
	 ACT_QUIT},
	{ALL | ON(HELP),
	 {CTRL('l'), KEY_RESIZE},
	 "Ctrl-L",
	 NULL,
	 0,
	 KEYS_SEC_ALL,
	 "redraw the screen",
	 ACT_REDRAW},
};

#define KEYS_N (sizeof(keys_table) / sizeof(keys_table[0]))

enum tui_action
keys_find(enum tui_screen screen, int key)
{
	for (size_t i = 0; i < KEYS_N; i++) {
		const struct keys_entry *e = &keys_table[i];

		if (!(e->screens & KEYS_ON(screen)))
			continue;
		for (size_t k = 0; k < 5 && e->keys[k] != 0; k++)
			if (e->keys[k] == key)
				return e->action;
	}
	return ACT_NONE;
}

/* True when e works on one screen only. */
static bool
keys_own(const struct keys_entry *e)
{
	return (e->screens & (e->screens - 1)) == 0;
}

size_t
keys_bar(enum tui_screen screen, const struct keys_entry **out, size_t max)
{
	size_t n = 0;

	/* place 1 (help) first, then the screen's own keys, then shared */
	for (int pass = 0; pass < 3; pass++)
		for (int place = 1; place <= 20 && n < max; place++)
			for (size_t i = 0; i < KEYS_N && n < max; i++) {
				const struct keys_entry *e = &keys_table[i];

				if (e->bar != place || e->hint == NULL ||
				    !(e->screens & KEYS_ON(screen)) ||
				    (pass == 0) != (place == 1) ||
				    (pass == 1 && !keys_own(e)) ||
				    (pass == 2 && keys_own(e)) ||
				    keys_find(screen, e->keys[0]) != e->action)
					continue; /* or shadowed by another */
				out[n++] = e;
			}
	return n;
}

static const char *const keys_section_title[KEYS_NSECTIONS] = {
	"Moving (every list)",
	"The table (the main screen)",
	"Views of the profile (table, tree, flame, source)",
	"Thread list (t)",
	"Source view (Enter on a function)",
	"Call tree (T)",
	"Flame view (F)",
	"Annotate (a on a function)",
	"Search (table, thread list, tree)",
	"Everywhere",
};

static const char *const keys_intro[] = {
	"cproftop: a live profile of the target, refreshed every second.",
	"flat: samples in the function itself; cum: in it or its callees.",
};

static char **keys_help_lines;
static size_t keys_help_n;

static void
keys_help_add(size_t *cap, char *line)
{
	if (keys_help_n == *cap) {
		*cap = *cap ? 2 * *cap : 128;
		keys_help_lines = xreallocarray(keys_help_lines, *cap,
						sizeof(*keys_help_lines));
	}
	keys_help_lines[keys_help_n++] = line;
}

const char *const *
keys_help(size_t *n)
{
	size_t cap = 0;

	if (keys_help_lines == NULL) {
		for (size_t i = 0; i < 2; i++)
			keys_help_add(&cap, xstrdup(keys_intro[i]));
		for (int sec = 0; sec < KEYS_NSECTIONS; sec++) {
			keys_help_add(&cap, xstrdup(""));
			keys_help_add(&cap, xstrdup(keys_section_title[sec]));
			for (size_t i = 0; i < KEYS_N; i++) {
				const struct keys_entry *e = &keys_table[i];

				if (e->section != (enum keys_section)sec ||
				    e->names == NULL || e->help == NULL)
					continue;
				keys_help_add(&cap,
					      xasprintf("  %-18s %s", e->names,
							e->help));
			}
		}
		keys_help_add(&cap, xstrdup(""));
		keys_help_add(&cap, xstrdup("Any other key closes this help."));
	}
	*n = keys_help_n;
	return (const char *const *)keys_help_lines;
}

void
keys_name(int key, char *buf, size_t bufsz)
{
	const char *name;

	if (key > ' ' && key < 127) {
		snprintf(buf, bufsz, "%c", key);
	} else if (key >= 0 && key < ' ') {
		snprintf(buf, bufsz, "Ctrl-%c", key + '@');
	} else if ((name = keyname(key)) != NULL) {
		/* KEY_F(5) is "KEY_F(5)": shown as F5 */
		if (strncmp(name, "KEY_F(", 6) == 0)
			snprintf(buf, bufsz, "F%d", key - KEY_F0);
		else
			snprintf(buf, bufsz, "%s",
				 strncmp(name, "KEY_", 4) == 0 ? name + 4
							       : name);
	} else {
		snprintf(buf, bufsz, "key %#x", (unsigned)key);
	}
}
