/*
 * The prompts on the message line: `/` the filter, F3 the search (not a
 * filter: it moves the selection to the next row matching, incrementally
 * and case-insensitively, in the table, the thread list or the tree), and
 * `s` the path to save to; plus the save itself.
 */
#include "config.h"

#include <curses.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "common/outfile.h"
#include "sampler/profile.h"
#include "tui/crt.h"
#include "tui/tui-int.h"
#include "views/pprof.h"

#define TUI_KEY_ESC 27
#define TUI_CTRL(c) ((c)&0x1f)

/*
 * The row of the current screen's list matching t->search, starting at
 * row from and going dir (1 or -1), wrapping; -1 when none matches.
 */
static long
tui_search_find(struct tui *t, size_t from, int dir)
{
	struct browser *b = tui_search_list(t);
	char buf[1100];

	if (b == NULL || b->nrows == 0 || t->search[0] == '\0')
		return -1;
	for (size_t k = 0; k < b->nrows; k++) {
		size_t row =
			dir > 0 ? (from + k) % b->nrows
				: (from + b->nrows - k % b->nrows) % b->nrows;
		const char *text = tui_search_text(t, row, buf, sizeof(buf));

		if (text != NULL && strcasestr(text, t->search) != NULL)
			return (long)row;
	}
	return -1;
}

/* Selects the match from row from in direction dir; says when none. */
static void
tui_search_go(struct tui *t, size_t from, int dir)
{
	struct browser *b = tui_search_list(t);
	long at = tui_search_find(t, from, dir);

	if (b == NULL)
		return;
	t->search_failed = at < 0;
	if (at < 0) {
		tui_message(t, CRT_ALERT, "No row matches \"%s\"", t->search);
		return;
	}
	browser_select(b, (size_t)at);
	tui_selection_moved(t);
	tui_message(t, CRT_OK, "Found \"%s\" (n next, N previous)", t->search);
}

enum tui_result
tui_search_next(struct tui *t, int dir)
{
	struct browser *b = tui_search_list(t);

	if (b == NULL)
		return TUI_UNHANDLED;
	if (t->search[0] == '\0') {
		tui_message(t, CRT_ALERT, "No search yet: F3 searches");
		return TUI_REDRAW;
	}
	tui_search_go(t, dir > 0 ? b->sel + 1 : b->sel + b->nrows - 1, dir);
	return TUI_REDRAW;
}

/* The default save path: -o, or a timestamped name where cproftop started;
   relative paths are made absolute against that directory. */
static void
tui_save_default(struct tui *t, char *buf, size_t bufsz)
{
	char name[64];
	const char *path = t->opt->output;
	time_t now = time(NULL);
	struct tm tm;

	if (path == NULL) {
		localtime_r(&now, &tm);
		strftime(name, sizeof(name), "cproftop-%Y%m%d-%H%M%S.pb.gz",
			 &tm);
		path = name;
	}
	if (path[0] == '/' || t->start_dir == NULL)
		snprintf(buf, bufsz, "%s", path);
	else
		snprintf(buf, bufsz, "%s/%s", t->start_dir, path);
}

/* Writes what the table shows to path and says what went there. */
static void
tui_save(struct tui *t, const char *path)
{
	char *cause = NULL, threads[256] = "", full[1200];
	const struct top_table *tt = &t->top.table;
	size_t len = 0, nbuf;
	uint8_t *buf;
	int rc;

	if (path[0] != '/' && t->start_dir != NULL) {
		snprintf(full, sizeof(full), "%s/%s", t->start_dir, path);
		path = full;
	}
	if (heap_screen_on(t)) {
		heap_screen_save(t, path);
		return;
	}
	pprof_encode_gzip_shown(t->shown, &t->filter, &buf, &nbuf);
	rc = outfile_write(path, buf, nbuf, &cause);
	free(buf);
	if (rc != 0) {
		tui_message(t, CRT_ALERT, "Save failed: %s", cause);
		free(cause);
		return;
	}
	for (size_t i = 0; i < t->filter.nthreads && len < 200; i++) {
		uint32_t k = t->filter.threads[i];

		if (k < t->shown->nthreads)
			len += (size_t)snprintf(
				threads + len, sizeof(threads) - len, "%s%d",
				len ? "," : "", (int)t->shown->threads[k].tid);
	}
	tui_message(t, CRT_OK,
		    "Saved %s: %" PRIu64 " samples shown (%s, %s%s%s%s%s%s)",
		    path, tt->selected,
		    t->filter.mode == FILTER_MODE_WALL ? "wall" : "CPU",
		    t->filter.windowed ? "window" : "cumulative",
		    t->filter.focus ? ", -focus=" : "",
		    t->filter.focus ? t->filter.focus : "",
		    len ? ", -tagfocus=thread_id=" : "", threads,
		    len >= 200 ? "..." : "");
}

enum tui_result
tui_prompt_open(struct tui *t, enum tui_prompt kind)
{
	struct browser *b;

	t->prompting = kind;
	t->prompt[0] = '\0';
	if (kind == TUI_PROMPT_FILTER && t->filter.focus != NULL)
		snprintf(t->prompt, sizeof(t->prompt), "%s", t->filter.focus);
	else if (kind == TUI_PROMPT_SAVE)
		tui_save_default(t, t->prompt, sizeof(t->prompt));
	else if (kind == TUI_PROMPT_SEARCH) {
		b = tui_search_list(t);
		t->search_from = b ? b->sel : 0;
		t->search[0] = '\0';
		t->search_failed = false;
	}
	t->prompt_len = strlen(t->prompt);
	return TUI_REDRAW;
}

/* Enter on the prompt. */
static enum tui_result
tui_prompt_done(struct tui *t)
{
	char *cause = NULL;
	enum tui_prompt kind = t->prompting;

	t->prompting = TUI_PROMPT_NONE;
	switch (kind) {
	case TUI_PROMPT_FILTER:
		if (filter_set_focus(&t->filter, t->prompt, &cause) != 0) {
			tui_message(t, CRT_ALERT, "%s", cause);
			free(cause);
			return TUI_REDRAW;
		}
		tui_message(t, CRT_OK, "%s",
			    t->filter.focus ? "Filter set (\\ clears)"
					    : "Filter cleared");
		return TUI_REBUILD;
	case TUI_PROMPT_SAVE:
		if (t->prompt[0] == '\0')
			tui_message(t, CRT_ALERT, "Not saved: no path");
		else
			tui_save(t, t->prompt);
		return TUI_REDRAW;
	default:
		return TUI_REDRAW;
	}
}

enum tui_result
tui_prompt_key(struct tui *t, int key)
{
	switch (key) {
	case TUI_KEY_ESC:
		t->prompting = TUI_PROMPT_NONE;
		return TUI_REDRAW;
	case '\n':
	case '\r':
	case KEY_ENTER:
		return tui_prompt_done(t);
	case KEY_F(3):
		if (t->prompting == TUI_PROMPT_SEARCH)
			return tui_search_next(t, 1);
		return TUI_REDRAW;
	case KEY_F(15):
		if (t->prompting == TUI_PROMPT_SEARCH)
			return tui_search_next(t, -1);
		return TUI_REDRAW;
	case KEY_BACKSPACE:
	case 127:
	case 8:
		/* drop a whole UTF-8 character */
		while (t->prompt_len > 0 &&
		       ((unsigned char)t->prompt[--t->prompt_len] & 0xc0) ==
			       0x80)
			continue;
		t->prompt[t->prompt_len] = '\0';
		break;
	case TUI_CTRL('u'):
		t->prompt_len = 0;
		t->prompt[0] = '\0';
		break;
	default:
		if (key >= ' ' && key < 256 && key != 127 &&
		    t->prompt_len + 1 < sizeof(t->prompt)) {
			t->prompt[t->prompt_len++] = (char)key;
			t->prompt[t->prompt_len] = '\0';
		}
		break;
	}
	if (t->prompting == TUI_PROMPT_SEARCH) {
		size_t n = strlen(t->prompt);

		if (n >= sizeof(t->search))
			n = sizeof(t->search) - 1;
		memcpy(t->search, t->prompt, n);
		t->search[n] = '\0';
		if (t->search[0] != '\0')
			tui_search_go(t, t->search_from, 1);
	}
	return TUI_REDRAW;
}

struct browser *
tui_search_list(struct tui *t)
{
	switch (t->screen) {
	case TUI_SCREEN_TOP:
		return &t->top.list;
	case TUI_SCREEN_THREADS:
		return &t->threads.list;
	case TUI_SCREEN_TREE:
		return &t->tree.list;
	default:
		return NULL;
	}
}

const char *
tui_search_text(struct tui *t, size_t row, char *buf, size_t bufsz)
{
	switch (t->screen) {
	case TUI_SCREEN_TOP:
		return row < t->top.table.nrows ? t->top.table.rows[row].name
						: NULL;
	case TUI_SCREEN_THREADS:
		if (row >= t->threads.table.nrows)
			return NULL;
		/* the TID and the name */
		snprintf(buf, bufsz, "%d %s",
			 (int)t->threads.table.rows[row].tid,
			 t->threads.table.rows[row].name
				 ? t->threads.table.rows[row].name
				 : "");
		return buf;
	case TUI_SCREEN_TREE:
		return row < t->tree.nrows
			       ? t->tree.view.nodes[t->tree.rows[row]].name
			       : NULL;
	default:
		return NULL;
	}
}

void
tui_selection_moved(struct tui *t)
{
	switch (t->screen) {
	case TUI_SCREEN_TOP:
		top_screen_moved(t);
		break;
	case TUI_SCREEN_THREADS:
		threads_screen_moved(t);
		break;
	case TUI_SCREEN_TREE:
		tree_screen_moved(t);
		break;
	default:
		break;
	}
}
