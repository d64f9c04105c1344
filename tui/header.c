/*
 * The screen's frame: the header (target, state, samples of the table
 * shown, health, view state), column titles, the message line and the hint
 * bar (from the key table, tui/keys.c).
 */
#include "config.h"

#include <curses.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "sampler/profile.h"
#include "sampler/sampler.h"
#include "tui/crt.h"
#include "tui/text.h"
#include "tui/tui-int.h"

void
tui_message(struct tui *t, int style, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(t->msg, sizeof(t->msg), fmt, ap);
	va_end(ap);
	t->msg_style = style;
}

void
tui_put(int style, const char *s)
{
	char buf[2048];
	int y, x;

	getyx(stdscr, y, x);
	(void)y;
	if (x >= COLS)
		return;
	text_fit_start(s, COLS - x, buf, sizeof(buf));
	attrset(crt_attr[style]);
	addstr(buf);
	attrset(A_NORMAL);
}

/* A label in the normal style, then its value in the header style. */
static void tui_field(const char *label, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static void
tui_field(const char *label, const char *fmt, ...)
{
	char value[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(value, sizeof(value), fmt, ap);
	va_end(ap);
	tui_put(CRT_NORMAL, label);
	tui_put(CRT_HEADER, value);
}

void
tui_draw_title(int y, const char *text)
{
	int w;
	char buf[2048];

	move(y, 0);
	attrset(crt_attr[CRT_TITLE]);
	w = text_fit_start(text, COLS, buf, sizeof(buf));
	addstr(buf);
	for (; w < COLS; w++)
		addch(' ');
	attrset(A_NORMAL);
}

/* What the target and the sampler are doing, for the first line. */
static void
tui_state(struct tui *t, char *buf, size_t bufsz, int *style)
{
	const struct profile_snapshot *s = t->shown;

	*style = CRT_ALERT;
	if (s->target_state == PROFILE_TARGET_EXITED)
		snprintf(buf, bufsz, "target exited (status %d)",
			 s->target_status);
	else if (s->target_state == PROFILE_TARGET_SIGNALED)
		snprintf(buf, bufsz, "target killed by signal %d (%s)",
			 s->target_status, strsignal(s->target_status));
	else if (s->target_state == PROFILE_TARGET_GONE)
		snprintf(buf, bufsz, "target exited");
	else if (sampler_done(t->sampler))
		snprintf(buf, bufsz, "sampler stopped");
	else if (t->sampling_paused)
		snprintf(buf, bufsz, "SAMPLING PAUSED");
	else if (t->frozen)
		snprintf(buf, bufsz, "PAUSED");
	else {
		snprintf(buf, bufsz, "LIVE");
		*style = CRT_LIVE;
	}
	if (t->frozen && s->target_state != PROFILE_TARGET_RUNNING)
		strncat(buf, ", PAUSED", bufsz - strlen(buf) - 1);
}

static void
tui_elapsed(int64_t ns, char *buf, size_t bufsz)
{
	long s = (long)(ns / 1000000000);

	if (s >= 3600)
		snprintf(buf, bufsz, "%ld:%02ld:%02ld", s / 3600, s / 60 % 60,
			 s % 60);
	else
		snprintf(buf, bufsz, "%ld:%02ld", s / 60, s % 60);
}

int64_t
tui_profiled_ns(const struct tui *t)
{
	int64_t d = t->shown ? t->shown->duration_ns : 0;

	if (t->sampling_paused && d > t->pause_at)
		d = t->pause_at;
	d -= t->paused_ns;
	return d > 0 ? d : 0;
}

/* Line 4: the filter, the thread set, the sort, the hidden rows. */
static void
tui_draw_view_line(struct tui *t)
{
	static const char *const sorts[] = {"flat", "cum", "name"};
	const struct top_table *tt = &t->top.table;
	bool lines = t->filter.granularity != FILTER_GRAN_FUNCTION;

	tui_field("Filter ", "%s%s%s", t->filter.focus ? "/" : "",
		  t->filter.focus ? t->filter.focus : "none",
		  t->filter.focus ? "/" : "");
	if (t->filter.nthreads == 0)
		tui_field("  Threads ", "all");
	else
		tui_field("  Threads ", "%zu of %" PRIu32, t->filter.nthreads,
			  t->shown->nthreads);
	tui_field("  Sort ", "%s%s", sorts[t->filter.sort],
		  t->filter.reverse ? " (reversed)" : "");
	if (t->base.what != NULL)
		tui_field("  Base ", "%s (%" PRIu64 " samples)", t->base.what,
			  t->base.total);
	if (t->screen == TUI_SCREEN_TOP && tt->ndropped > 0)
		tui_field("  Hidden ",
			  "%zu %s%s under %" PRIu64 " sample%s (* shows)",
			  tt->ndropped, lines ? "line" : "function",
			  tt->ndropped == 1 ? "" : "s", tt->cutoff,
			  tt->cutoff == 1 ? "" : "s");
}

int
tui_draw_header(struct tui *t, bool full)
{
	const struct profile_snapshot *s = t->shown;
	const struct top_table *tt = &t->top.table;
	char state[128], elapsed[32];
	uint32_t alive = 0;
	int style;

	move(0, 0);
	tui_put(CRT_HEADER, "cproftop");
	tui_field("  PID ", "%d", (int)s->pid);
	tui_put(CRT_NORMAL, "  ");
	tui_state(t, state, sizeof(state), &style);
	tui_put(style, state);
	tui_put(CRT_NORMAL, "  ");
	tui_put(CRT_NORMAL, s->cmdline ? s->cmdline : "");
	if (!full)
		return 1;
	if (heap_screen_on(t))
		return heap_screen_header(t, 1);
	for (uint32_t i = 0; i < s->nthreads; i++)
		alive += s->threads[i].alive;
	tui_elapsed(tui_profiled_ns(t), elapsed, sizeof(elapsed));
	move(1, 0);
	if (alive == s->nthreads)
		tui_field("Threads ", "%" PRIu32, alive);
	else
		tui_field("Threads ", "%" PRIu32 "/%" PRIu32, alive,
			  s->nthreads);
	/* the samples of the table: mode and scope, then threads and filter */
	if (tt->selected != tt->total)
		tui_field("  Samples ", "%" PRIu64 " of %" PRIu64, tt->selected,
			  tt->total);
	else
		tui_field("  Samples ", "%" PRIu64, tt->total);
	tui_field("  Unwind failed ", "%" PRIu64 " (%.1f%%)", s->unwind_errors,
		  s->samples ? 100.0 * (double)s->unwind_errors /
				       (double)s->samples
			     : 0.0);
	if (s->fallback_stacks > 0)
		tui_field("  No CFI ", "%" PRIu64, s->fallback_stacks);
	/* calls an interrupt would have broken with EINTR (README) */
	if (s->restarted_calls > 0)
		tui_field("  EINTR restarted ", "%" PRIu64, s->restarted_calls);
	/* records the kernel dropped, beside the samples read (perf) */
	if (s->backend != NULL && strcmp(s->backend, "perf") == 0)
		tui_field("  Lost ", "%" PRIu64 " (%.1f%%)", s->lost,
			  s->samples + s->lost
				  ? 100.0 * (double)s->lost /
					    (double)(s->samples + s->lost)
				  : 0.0);
	if (s->copy_short_stacks > 0)
		tui_field("  Too deep ", "%" PRIu64, s->copy_short_stacks);
	if (s->debuginfod_pending > 0 || s->debuginfod_failed > 0)
		tui_field("  debuginfod ",
			  "%" PRIu32 " pending %" PRIu32 " failed",
			  s->debuginfod_pending, s->debuginfod_failed);
	tui_field("  Time ", "%s", elapsed);
	move(2, 0);
	if (s->backend != NULL && strcmp(s->backend, "perf") == 0)
		tui_field("Rate ", "%" PRIu32 " Hz of CPU time", s->hz);
	else
		tui_field("Rate ", "%" PRIu32 "/%.1f Hz", s->hz,
			  s->hz_achieved);
	tui_field("  Mode ", "%s",
		  t->filter.mode == FILTER_MODE_WALL ? "wall" : "CPU");
	/* where wall mode's off-CPU time comes from (README: Backends) */
	if (t->filter.mode == FILTER_MODE_WALL && s->wall_source != NULL)
		tui_field(" (off-CPU: ", "%s)",
			  strcmp(s->wall_source, "switches") == 0
				  ? "context switches"
			  : strcmp(s->wall_source, "ptrace") == 0
				  ? "ptrace ticks"
				  : "none");
	if (t->opt->heap != NULL) {
		char heap[128];

		heap_screen_figures(t, heap, sizeof(heap));
		tui_field("  Heap ", "%s", heap);
	}
	if (t->filter.windowed)
		tui_field("  Scope ", "last %" PRIu32 " s",
			  t->filter.window_seconds);
	else
		tui_field("  Scope ", "cumulative");
	if (t->refresh > 1)
		tui_field("  Refresh ", "%u s", t->refresh);
	tui_field("  cproftop CPU ", "%.1f%%", 100.0 * s->self_cpu);
	if (s->backend != NULL)
		tui_field("  Backend ", "%s", s->backend);
	move(3, 0);
	tui_draw_view_line(t);
	return 4;
}

/* The hint bar at the bottom, htop style: key, label, space; after an
   unknown key it shows in the alert style. */
void
tui_draw_bar(struct tui *t)
{
	const struct keys_entry *keys[32];
	size_t n = keys_bar(t->screen, keys, 32);
	int x, y;

	move(LINES - 1, 0);
	for (size_t i = 0; i < n; i++) {
		const char *label = keys[i]->hint;
		char key[32];

		if (keys[i]->action == ACT_PAUSE && t->frozen)
			label = "Resume";
		snprintf(key, sizeof(key), "%s", keys[i]->names);
		key[strcspn(key, " ")] = '\0';
		tui_put(t->flash ? CRT_ALERT : CRT_BAR_KEY, key);
		tui_put(CRT_BAR_LABEL, label);
		tui_put(CRT_NORMAL, " ");
	}
	getyx(stdscr, y, x);
	(void)y;
	attrset(crt_attr[CRT_BAR_LABEL]);
	for (; x < COLS - 1; x++)
		addch(' ');
	attrset(A_NORMAL);
}

/* The line above the bar: a prompt, or the last message. */
void
tui_draw_message(struct tui *t)
{
	static const char *const what[] = {
		[TUI_PROMPT_FILTER] = "Filter (regex; empty clears, Esc "
				      "cancels): ",
		[TUI_PROMPT_SEARCH] = "Search (F3/Enter next, Esc ends): ",
		[TUI_PROMPT_SAVE] = "Save to (Enter saves, Esc cancels): ",
	};
	char line[1400];

	move(LINES - 2, 0);
	if (t->prompting != TUI_PROMPT_NONE) {
		snprintf(line, sizeof(line), "%s%s_%s", what[t->prompting],
			 t->prompt,
			 t->prompting == TUI_PROMPT_SEARCH && t->search_failed
				 ? "  (no match)"
				 : "");
		/* a long path keeps its end, where the cursor is */
		if (text_width(line) > COLS - 1) {
			char fit[1400];

			text_fit_end(line, COLS - 1, fit, sizeof(fit));
			tui_put(CRT_HEADER, fit);
		} else {
			tui_put(CRT_HEADER, line);
		}
	} else {
		tui_put(t->msg_style, t->msg);
	}
}
