/*
 * The screen's loop: ppoll() on the terminal, the sampler's snapshot fd and
 * the SIGWINCH self-pipe, with the quit and Ctrl-Z signals let in
 * (common/sigpoll.h); keys go to the current screen, then to the global
 * handler below, and one place applies what they return (redraw, rebuild
 * the models, quit). The screen is drawn only after a key, a resize or a
 * new snapshot, with wnoutrefresh + doupdate.
 */
#include "config.h"

#include "tui/tui.h"

#include <curses.h>
#include <inttypes.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "common/clock.h"
#include "common/exitcodes.h"
#include "common/log.h"
#include "common/sigpoll.h"
#include "common/xmalloc.h"
#include "sampler/profile.h"
#include "sampler/sampler.h"
#include "tui/crt.h"
#include "tui/script.h"
#include "tui/text.h"
#include "tui/tui-int.h"
#include "views/pprof.h"

#define TUI_KEY_ESC 27
/* Ctrl-Z waits this long at most for the target to be detached. */
#define TUI_CTRL(c) ((c)&0x1f)

static bool tui_quit;

static void
tui_draw(struct tui *t)
{
	int y, height;

	erase();
	if (COLS < TUI_MIN_COLS || LINES < TUI_MIN_LINES) {
		char line[128];

		snprintf(line, sizeof(line),
			 "Terminal too small: %dx%d, need %dx%d", COLS, LINES,
			 TUI_MIN_COLS, TUI_MIN_LINES);
		move(LINES / 2, 0);
		tui_put(CRT_ALERT, line);
	} else if (t->shown == NULL) {
		mvaddstr(0, 0, "cproftop: waiting for the first samples...");
	} else {
		y = tui_draw_header(t,
				    t->screen != TUI_SCREEN_SOURCE &&
					    t->screen != TUI_SCREEN_ANNOTATE);
		height = LINES - 2 - y;
		switch (t->screen) {
		case TUI_SCREEN_TOP:
			if (heap_screen_on(t))
				heap_screen_draw(t, y, height);
			else
				top_screen_draw(t, y, height);
			break;
		case TUI_SCREEN_THREADS:
			threads_screen_draw(t, y, height);
			break;
		case TUI_SCREEN_SOURCE:
			source_screen_draw(t, y, height);
			break;
		case TUI_SCREEN_HELP:
			help_draw(t, y, height);
			break;
		case TUI_SCREEN_TREE:
			tree_screen_draw(t, y, height);
			break;
		case TUI_SCREEN_FLAME:
			flame_screen_draw(t, y, height);
			break;
		case TUI_SCREEN_ANNOTATE:
			annotate_screen_draw(t, y, height);
			break;
		default:
			break;
		}
		tui_draw_message(t);
		tui_draw_bar(t);
	}
	wnoutrefresh(stdscr);
	doupdate();
}

/* Rebuilds the models of the current screen from t->shown; the table's
   always (the header shows its samples). */
static void
tui_rebuild(struct tui *t)
{
	enum tui_screen s =
		t->screen == TUI_SCREEN_HELP ? t->before_help : t->screen;

	top_screen_rebuild(t);
	if (heap_screen_on(t))
		heap_screen_rebuild(t);
	if (s == TUI_SCREEN_ANNOTATE) {
		annotate_screen_rebuild(t);
		s = t->screen; /* a function that vanished: back */
	}
	if (s == TUI_SCREEN_SOURCE) {
		source_screen_rebuild(t);
		/* a function that vanished: back where it came from */
		s = t->screen;
	}
	switch (s) {
	case TUI_SCREEN_THREADS:
		threads_screen_rebuild(t);
		break;
	case TUI_SCREEN_TREE:
		tree_screen_rebuild(t);
		break;
	case TUI_SCREEN_FLAME:
		flame_screen_rebuild(t);
		break;
	default:
		break;
	}
}

/* Shows the latest snapshot (unless the screen is paused). */
static void
tui_show_latest(struct tui *t)
{
	if (t->frozen || t->latest == t->shown)
		return;
	profile_snapshot_unref(t->shown);
	t->shown = t->latest ? profile_snapshot_ref(t->latest) : NULL;
}

static enum tui_result
tui_sort(struct tui *t, enum filter_sort sort)
{
	if (t->filter.sort != sort)
		t->filter.reverse = false; /* a new column starts natural */
	t->filter.sort = sort;
	return TUI_REBUILD;
}

/* The pause keys: p/space freezes the screen, P pauses sampling. */
static enum tui_result
tui_pause(struct tui *t, enum tui_action a)
{
	int64_t now = t->latest ? t->latest->duration_ns : 0;

	if (a == ACT_PAUSE_SAMPLING) {
		t->sampling_paused = !t->sampling_paused;
		sampler_pause(t->sampler, t->sampling_paused);
		/* the time shown is the time profiled: pauses don't count */
		if (t->sampling_paused)
			t->pause_at = now;
		else if (now > t->pause_at)
			t->paused_ns += now - t->pause_at;
		tui_message(t, CRT_OK, "%s",
			    t->sampling_paused
				    ? "Sampling paused: the target runs "
				      "untouched (P resumes)"
				    : "Sampling resumed");
		return TUI_REDRAW;
	}
	t->frozen = !t->frozen;
	tui_message(t, CRT_OK, "%s",
		    t->frozen ? "Screen paused, sampling goes on (p resumes, "
				"P pauses sampling)"
			      : "Screen resumed");
	tui_show_latest(t);
	return TUI_REBUILD;
}

/* Steps the window length (window) or the refresh interval to the next
   longer (up) or shorter value of its list. */
static enum tui_result
tui_step(struct tui *t, bool up, bool window)
{
	static const unsigned windows[] = {1, 2, 5, 10, 30, 60};
	static const unsigned refreshes[] = {1, 2, 3, 5, 10};
	const unsigned *v = window ? windows : refreshes;
	size_t n = window ? 6 : 5, i = 0;
	unsigned cur = window ? t->filter.window_seconds : t->refresh;

	while (i + 1 < n && v[i] < cur)
		i++;
	if (up && v[i] <= cur && i + 1 < n)
		i++;
	else if (!up && i > 0)
		i--;
	if (window) {
		t->filter.window_seconds = v[i];
		t->filter.windowed = true;
		tui_message(t, CRT_OK,
			    "Window: the last %u s ({ } change it, "
			    "w: cumulative)",
			    v[i]);
		return TUI_REBUILD;
	}
	t->refresh = v[i];
	tui_message(t, CRT_OK, "The screen refreshes every %u s ([ ])", v[i]);
	return TUI_REDRAW;
}

/* Opens screen s (from the table's views). */
static enum tui_result
tui_open(struct tui *t, enum tui_screen s)
{
	t->screen = s;
	return TUI_REBUILD;
}

/* Actions every screen shares, tried after the screen's own. */
static enum tui_result
tui_global_action(struct tui *t, enum tui_action a)
{
	static const enum filter_sort cycle[] = {
		FILTER_SORT_FLAT, FILTER_SORT_CUM, FILTER_SORT_NAME};

	switch (a) {
	case ACT_QUIT:
		return TUI_QUIT;
	case ACT_HELP:
		t->before_help = t->screen;
		t->screen = TUI_SCREEN_HELP;
		return TUI_REDRAW;
	case ACT_PAUSE:
	case ACT_PAUSE_SAMPLING:
		return tui_pause(t, a);
	case ACT_RESET:
		sampler_reset(t->sampler);
		sampler_publish(t->sampler);
		t->paused_ns = t->pause_at = 0;
		t->shown_at = 0; /* show the empty counts at once */
		tui_message(t, CRT_OK, "Counts reset");
		return TUI_REDRAW;
	case ACT_SAVE:
		return tui_prompt_open(t, TUI_PROMPT_SAVE);
	case ACT_FILTER:
		return tui_prompt_open(t, TUI_PROMPT_FILTER);
	case ACT_FILTER_CLEAR:
		filter_set_focus(&t->filter, NULL, NULL);
		tui_message(t, CRT_OK, "Filter cleared");
		return TUI_REBUILD;
	case ACT_SEARCH:
		if (tui_search_list(t) == NULL)
			return TUI_UNHANDLED;
		return tui_prompt_open(t, TUI_PROMPT_SEARCH);
	case ACT_SEARCH_NEXT:
	case ACT_SEARCH_PREV:
		return tui_search_next(t, a == ACT_SEARCH_NEXT ? 1 : -1);
	case ACT_THREADS:
		if (heap_screen_on(t)) {
			/* the heap's samples are not kept per thread */
			tui_message(
				t, CRT_ALERT,
				"The thread view is CPU's (the heap profile "
				"has no threads): m goes on to CPU");
			return TUI_REDRAW;
		}
		return tui_open(t, TUI_SCREEN_THREADS);
	case ACT_TREE:
		return tui_open(t, TUI_SCREEN_TREE);
	case ACT_FLAME:
		return tui_open(t, TUI_SCREEN_FLAME);
	case ACT_SORT_FLAT:
		return tui_sort(t, FILTER_SORT_FLAT);
	case ACT_SORT_CUM:
		return tui_sort(t, FILTER_SORT_CUM);
	case ACT_SORT_NAME:
		return tui_sort(t, FILTER_SORT_NAME);
	case ACT_SORT_NEXT:
		return tui_sort(t, cycle[(t->filter.sort + 1) % 3]);
	case ACT_SORT_PREV:
		return tui_sort(t, cycle[(t->filter.sort + 2) % 3]);
	case ACT_REVERSE:
		t->filter.reverse = !t->filter.reverse;
		return TUI_REBUILD;
	case ACT_LINES:
		t->filter.granularity =
			t->filter.granularity == FILTER_GRAN_FUNCTION
				? FILTER_GRAN_LINE
				: FILTER_GRAN_FUNCTION;
		return TUI_REBUILD;
	case ACT_FULL_NAMES:
		t->full_names = !t->full_names;
		tui_message(t, CRT_OK, "%s",
			    t->full_names ? "C++ names in full (D: short)"
					  : "C++ names short (D: in full)");
		return TUI_REBUILD;
	case ACT_NOINLINES:
		t->filter.noinlines = !t->filter.noinlines;
		tui_message(t, CRT_OK, "%s",
			    t->filter.noinlines
				    ? "Inlined functions counted in their "
				      "callers (I: as their own rows)"
				    : "Inlined functions as their own rows");
		return TUI_REBUILD;
	case ACT_ALL_ROWS:
		t->filter.node_fraction =
			t->filter.node_fraction > 0
				? 0
				: FILTER_DEFAULT_NODE_FRACTION;
		tui_message(
			t, CRT_OK, "%s",
			t->filter.node_fraction > 0
				? "Rows under 0.5% of the samples hidden "
				  "(* shows them)"
				: "Every row shown (* hides the small ones)");
		return TUI_REBUILD;
	case ACT_WINDOW:
		t->filter.windowed = !t->filter.windowed;
		return TUI_REBUILD;
	case ACT_WINDOW_SHORTER:
	case ACT_WINDOW_LONGER:
		return tui_step(t, a == ACT_WINDOW_LONGER, true);
	case ACT_REFRESH_FASTER:
	case ACT_REFRESH_SLOWER:
		return tui_step(t, a == ACT_REFRESH_SLOWER, false);
	case ACT_MODE:
		heap_screen_mode_next(t);
		return TUI_REBUILD;
	case ACT_OBJECTS:
		t->objects = !t->objects;
		return TUI_REDRAW;
	case ACT_REDRAW:
		clearok(curscr, TRUE);
		return TUI_REBUILD; /* layouts follow the width */
	default:
		return TUI_UNHANDLED;
	}
}

/* The current screen's own handling of action a. */
static enum tui_result
tui_screen_action(struct tui *t, enum tui_action a)
{
	switch (t->screen) {
	case TUI_SCREEN_TOP:
		if (heap_screen_on(t))
			return heap_screen_action(t, a);
		return top_screen_action(t, a);
	case TUI_SCREEN_THREADS:
		return threads_screen_action(t, a);
	case TUI_SCREEN_SOURCE:
		return source_screen_action(t, a);
	case TUI_SCREEN_TREE:
		return tree_screen_action(t, a);
	case TUI_SCREEN_FLAME:
		return flame_screen_action(t, a);
	case TUI_SCREEN_ANNOTATE:
		return annotate_screen_action(t, a);
	case TUI_SCREEN_HELP:
		return help_action(t, a);
	default:
		return TUI_UNHANDLED;
	}
}

/* Applies one key. Returns true when the screen must be drawn again. */
static bool
tui_key(struct tui *t, int key)
{
	enum tui_result r;
	enum tui_action a;
	char name[64];

	t->flash = false;
	if (t->prompting != TUI_PROMPT_NONE) {
		r = tui_prompt_key(t, key);
	} else {
		a = keys_find(t->screen, key);
		r = tui_screen_action(t, a);
		if (r == TUI_UNHANDLED && a != ACT_NONE)
			r = tui_global_action(t, a);
		if (r == TUI_UNHANDLED) {
			/* never silently: say it and flash the hint bar */
			keys_name(key, name, sizeof(name));
			tui_message(t, CRT_ALERT,
				    "Key %s does nothing here (? lists the "
				    "keys)",
				    name);
			t->flash = true;
			r = TUI_REDRAW;
		}
	}
	if (r == TUI_QUIT)
		tui_quit = true;
	else if (r == TUI_REBUILD)
		tui_rebuild(t);
	return true;
}

/* Takes the newest snapshot; shows it unless paused. */
static void
tui_snapshot(struct tui *t)
{
	struct profile_snapshot *s = sampler_snapshot(t->sampler);

	if (s == NULL)
		return;
	int64_t now = clock_ns(CLOCK_MONOTONIC);

	profile_snapshot_unref(t->latest);
	t->latest = s;
	heap_screen_update(t);
	/* a new screen every t->refresh seconds (the sampler publishes
	   every second); the end of the target shows at once */
	if (t->frozen ||
	    (t->shown != NULL && s->target_state == PROFILE_TARGET_RUNNING &&
	     now - t->shown_at < (int64_t)t->refresh * 1000000000 - 200000000))
		return;
	t->shown_at = now;
	tui_show_latest(t);
	tui_rebuild(t);
}

/*
 * Ctrl-Z: the target is detached before cproftop stops, and seized again
 * once it continues (the screen is then drawn anew). When the sampler
 * cannot let go in time, cproftop does not stop and says so.
 */
static bool
tui_suspend(struct tui *t)
{
	if (sampler_suspend(t->sampler, SAMPLER_SUSPEND_WAIT_NS) == 0)
		crt_stop_self();
	else
		tui_message(t, CRT_ALERT,
			    "not suspended: the target could not be detached");
	sampler_resume(t->sampler);
	return true;
}

/*
 * Waits up to timeout_ms (-1: forever) for keys (unless scripted), a
 * snapshot, a signal or a resize, and handles what came. Returns true when
 * the screen must be drawn again.
 */
static bool
tui_poll(struct tui *t, bool keys, int timeout_ms)
{
	struct pollfd fds[4] = {
		{sampler_fd(t->sampler), POLLIN, 0},
		{keys ? STDIN_FILENO : -1, POLLIN, 0},
		{crt_winch_fd(), POLLIN, 0},
		{fatal_fd(), POLLIN, 0},
	};
	bool redraw = false;
	int key, sig;

	sigpoll_wait(fds, 4, timeout_ms);
	/* The sampler thread's fatal error: the terminal is restored here. */
	fatal_exit_posted();
	while (!tui_quit && (sig = sigpoll_take()) != 0) {
		log_debug("tui: signal %d", sig);
		if (sig == SIGTSTP)
			redraw = tui_suspend(t);
		else
			tui_quit = true;
	}
	if (fds[0].revents & POLLIN) {
		tui_snapshot(t);
		redraw = true;
	}
	if (fds[2].revents & POLLIN)
		redraw |= crt_resized();
	if (keys)
		while (!tui_quit && (key = getch()) != ERR)
			redraw |= tui_key(t, key);
	return redraw;
}

/* Runs the loop for ms milliseconds (scripted `wait`). */
static void
tui_run_for(struct tui *t, int ms)
{
	int64_t end = clock_ns(CLOCK_MONOTONIC) + (int64_t)ms * 1000000;
	long left = ms;

	while (!tui_quit && left > 0) {
		if (tui_poll(t, false, (int)left))
			tui_draw(t);
		left = (long)((end - clock_ns(CLOCK_MONOTONIC)) / 1000000);
	}
}

/* Scripted mode: the steps of the script, then quit. */
static void
tui_script(struct tui *t, struct script *sc)
{
	for (size_t i = 0; i < sc->nsteps && !tui_quit; i++) {
		const struct script_step *st = &sc->steps[i];

		switch (st->op) {
		case SCRIPT_KEY:
			tui_key(t, st->key);
			break;
		case SCRIPT_TYPE:
			for (const char *c = st->text; *c && !tui_quit; c++)
				tui_key(t, (unsigned char)*c);
			break;
		case SCRIPT_WAIT:
			tui_run_for(t, st->a);
			break;
		case SCRIPT_DUMP:
			tui_draw(t);
			script_dump(stdout);
			break;
		case SCRIPT_RESIZE:
			resize_term(st->b, st->a);
			tui_key(t, KEY_RESIZE);
			break;
		}
		tui_draw(t);
	}
}

static void
tui_free(struct tui *t)
{
	top_screen_free(&t->top);
	heap_screen_free(&t->heap);
	threads_screen_free(&t->threads);
	source_screen_free(&t->source);
	tree_screen_free(&t->tree);
	flame_screen_free(&t->flame);
	annotate_screen_free(&t->annotate);
	diff_free(&t->base);
	free(t->start_dir);
	filter_free(&t->filter);
	profile_snapshot_unref(t->shown);
	profile_snapshot_unref(t->latest);
}

int
tui_run(struct sampler *s, const struct tui_options *o)
{
	struct tui t = {.sampler = s, .opt = o};
	struct script sc = {0};
	char *cause = NULL;

	if (o->script != NULL && script_load(o->script, &sc, &cause) != 0) {
		log_warn("%s", cause);
		free(cause);
		return CPT_EXIT_ERROR;
	}
	if (o->base != NULL && diff_load(o->base, &t.base, &cause) != 0) {
		log_warn("--base: %s", cause);
		free(cause);
		script_free(&sc);
		return CPT_EXIT_USAGE;
	}
	/* before ncurses, which then leaves these signals alone */
	sigpoll_catch();
	if (crt_init(o->script != NULL, &cause) != 0) {
		sigpoll_release();
		log_warn("%s", cause);
		free(cause);
		script_free(&sc);
		return CPT_EXIT_ERROR;
	}
	fatal_set_cleanup(tui_restore);
	tui_quit = false;
	filter_init(&t.filter);
	t.filter.mode = o->wall ? FILTER_MODE_WALL : FILTER_MODE_CPU;
	t.refresh = o->refresh > 0 ? o->refresh : 1;
	if (o->window > 0)
		t.filter.window_seconds = o->window;
	t.screen = TUI_SCREEN_TOP;
	t.start_dir = getcwd(NULL, 0);
	tui_message(&t, CRT_NORMAL, "Press ? for help, q to quit.");
	tui_snapshot(&t);
	tui_draw(&t);
	if (o->script != NULL)
		tui_script(&t, &sc);
	while (o->script == NULL && !tui_quit)
		if (tui_poll(&t, true, 1000))
			tui_draw(&t);
	crt_done();
	sigpoll_release();
	tui_free(&t);
	script_free(&sc);
	return CPT_EXIT_OK;
}

int
tui_check_terminal(char **cause)
{
	return crt_check(cause);
}

void
tui_restore(void)
{
	crt_done();
}

void
tui_emergency_restore(void)
{
	crt_emergency_restore();
}
