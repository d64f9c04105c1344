#ifndef CPT_TUI_KEYS_H
#define CPT_TUI_KEYS_H

/*
 * The one key table: which key does what on which screen. It drives the
 * dispatch (tui.c asks keys_find() for the action of a key), the hint bar
 * (entries with a hint, in bar order) and the help screen (every entry, by
 * section), so the three never disagree. Main thread; the table is static.
 */

#include <stdbool.h>
#include <stddef.h>

/* Screens, as bits of struct keys_entry.screens. */
enum tui_screen {
	TUI_SCREEN_TOP,
	TUI_SCREEN_THREADS,
	TUI_SCREEN_SOURCE,
	TUI_SCREEN_HELP,
	TUI_SCREEN_TREE,
	TUI_SCREEN_FLAME,
	TUI_SCREEN_ANNOTATE,
	TUI_NSCREENS
};

#define KEYS_ON(s) (1u << (s))
/* Screens with the profile's view keys (sort, mode, window...). */
#define KEYS_VIEWS                                                             \
	(KEYS_ON(TUI_SCREEN_TOP) | KEYS_ON(TUI_SCREEN_THREADS) |               \
	 KEYS_ON(TUI_SCREEN_SOURCE) | KEYS_ON(TUI_SCREEN_TREE) |               \
	 KEYS_ON(TUI_SCREEN_FLAME) | KEYS_ON(TUI_SCREEN_ANNOTATE))

enum tui_action {
	ACT_NONE,
	/* moving (tui/browser.c) */
	ACT_UP,
	ACT_DOWN,
	ACT_PGUP,
	ACT_PGDN,
	ACT_HOME,
	ACT_END,
	ACT_SCROLL_LEFT,
	ACT_SCROLL_RIGHT,
	/* opening and going back */
	ACT_OPEN,
	ACT_BACK,
	ACT_PANE,
	ACT_HOTTEST,
	/* the view state */
	ACT_SORT_FLAT,
	ACT_SORT_CUM,
	ACT_SORT_NAME,
	ACT_SORT_NEXT,
	ACT_SORT_PREV,
	ACT_REVERSE,
	ACT_LINES,
	ACT_ALL_ROWS,
	ACT_FULL_NAMES,
	ACT_NOINLINES,
	ACT_FILTER,
	ACT_FILTER_CLEAR,
	ACT_WINDOW,
	ACT_WINDOW_SHORTER,
	ACT_WINDOW_LONGER,
	ACT_REFRESH_FASTER,
	ACT_REFRESH_SLOWER,
	ACT_OBJECTS,
	ACT_MODE,
	/* the thread list */
	ACT_THREADS,
	ACT_SELECT,
	ACT_ALL_THREADS,
	ACT_PROCESS,
	ACT_SORT_SAMPLES,
	ACT_SORT_TID,
	ACT_SORT_ONCPU,
	/* the call tree */
	ACT_TREE,
	ACT_FLIP,
	ACT_EXPAND,
	ACT_COLLAPSE,
	ACT_EXPAND_ALL,
	ACT_COLLAPSE_ALL,
	/* the flame view */
	ACT_FLAME,
	ACT_ZOOM_OUT,
	/* annotate */
	ACT_ANNOTATE,
	/* diff */
	ACT_BASE,
	/* search */
	ACT_SEARCH,
	ACT_SEARCH_NEXT,
	ACT_SEARCH_PREV,
	/* everywhere */
	ACT_PAUSE,
	ACT_PAUSE_SAMPLING,
	ACT_RESET,
	ACT_SAVE,
	ACT_HELP,
	ACT_QUIT,
	ACT_REDRAW,
};

/* Help sections, in the order the help screen lists them. */
enum keys_section {
	KEYS_SEC_MOVE,
	KEYS_SEC_TOP,
	KEYS_SEC_VIEW,
	KEYS_SEC_THREADS,
	KEYS_SEC_SOURCE,
	KEYS_SEC_TREE,
	KEYS_SEC_FLAME,
	KEYS_SEC_ANNOTATE,
	KEYS_SEC_SEARCH,
	KEYS_SEC_ALL,
	KEYS_NSECTIONS
};

struct keys_entry {
	unsigned screens;  /* KEYS_ON() bits where the key works */
	int keys[5];	   /* curses key codes, 0-terminated */
	const char *names; /* the keys as the help shows them */
	const char *hint;  /* hint bar label, or NULL */
	int bar;	   /* place in the hint bar, lower first */
	enum keys_section section;
	const char *help; /* what it does, for the help screen */
	enum tui_action action;
};

/*
 * The action of key on screen: the first entry of the table listing both,
 * or ACT_NONE. Screen-specific entries come before the shared ones.
 */
enum tui_action keys_find(enum tui_screen screen, int key);

/*
 * The hint bar of screen: up to max entries with a hint, in bar order,
 * stored in out. Returns how many. The key shown is the first word of
 * names.
 */
size_t keys_bar(enum tui_screen screen, const struct keys_entry **out,
		size_t max);

/*
 * The help screen's text: its lines (borrowed, static), *n of them. Built
 * from the table at the first call.
 */
const char *const *keys_help(size_t *n);

/* A key's name for messages ("x", "F5", "Ctrl-X", "key 0x1f3"). */
void keys_name(int key, char *buf, size_t bufsz);

#endif
