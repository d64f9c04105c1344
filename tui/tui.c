/*
 * The screen's loop: poll() on the terminal, the sampler's snapshot fd, the
 * caller's signalfd and the SIGWINCH self-pipe; keys go to the current
 * screen, then to the global handler below, and one place applies what
 * they return (redraw, rebuild the models, quit). The screen is drawn only
 * after a key, a resize or a new snapshot, with wnoutrefresh + doupdate.
 */
#include "config.h"

#include "tui/tui.h"

#include <curses.h>
#include <errno.h>
#include <inttypes.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/signalfd.h>
#include <time.h>
#include <unistd.h>

#include "common/clock.h"
#include "common/exitcodes.h"
#include "common/log.h"
#include "common/outfile.h"
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
#define TUI_DETACH_NS (CLOCK_NS_PER_S * 8 / 10)
#define TUI_CTRL(c) ((c)&0x1f)

static bool tui_quit;

void
tui_message(struct tui *t, int style, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(t->msg, sizeof(t->msg), fmt, ap);
	va_end(ap);
	t->msg_style = style;
}

/* Writes s at the cursor in style, clipped to the screen's width. */
static void
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

/* Line 4: the filter, the thread set, the sort, the rows. */
static void
tui_draw_view_line(struct tui *t)
{
	static const char *const sorts[] = {"flat", "cum", "name"};
	const struct top_table *tt = &t->top.table;

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
	if (t->screen == TUI_SCREEN_TOP && tt->total > 0) {
		if (tt->selected != tt->total)
			tui_field("  Selected ", "%" PRIu64 " of %" PRIu64,
				  tt->selected, tt->total);
		if (tt->ndropped > 0)
			tui_field("  Hidden ", "%zu rows below %" PRIu64,
				  tt->ndropped, tt->cutoff);
	}
}

int
tui_draw_header(struct tui *t, bool full)
{
	const struct profile_snapshot *s = t->shown;
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
	for (uint32_t i = 0; i < s->nthreads; i++)
		alive += s->threads[i].alive;
	tui_elapsed(s->duration_ns, elapsed, sizeof(elapsed));
	move(1, 0);
	if (alive == s->nthreads)
		tui_field("Threads ", "%" PRIu32, alive);
	else
		tui_field("Threads ", "%" PRIu32 "/%" PRIu32, alive,
			  s->nthreads);
	tui_field("  Samples ", "%" PRIu64, s->samples);
	tui_field("  Unwind failed ", "%" PRIu64 " (%.1f%%)", s->unwind_errors,
		  s->samples ? 100.0 * (double)s->unwind_errors /
				       (double)s->samples
			     : 0.0);
	tui_field("  Time ", "%s", elapsed);
	move(2, 0);
	tui_field("Rate ", "%" PRIu32 "/%.1f Hz", s->hz, s->hz_achieved);
	tui_field("  Mode ", "%s",
		  t->filter.mode == FILTER_MODE_WALL ? "wall" : "CPU");
	if (t->filter.windowed)
		tui_field("  Scope ", "last %" PRIu32 " s",
			  t->filter.window_seconds);
	else
		tui_field("  Scope ", "cumulative");
	tui_field("  cproftop CPU ", "%.1f%%", 100.0 * s->self_cpu);
	move(3, 0);
	tui_draw_view_line(t);
	return 4;
}

/* The hint bar at the bottom, htop style: keys and what they do. */
static void
tui_draw_bar(struct tui *t)
{
	static const char *const top[] = {
		"F1",	  "Help",   "s",     "Save", "t",    "Threads", "/",
		"Filter", "p",	    "Pause", "f/c",  "Sort", "q",	"Quit",
		"w",	  "Window", "m",     "Mode", "z",    "Reset",	NULL};
	static const char *const threads[] = {"Space", "Select", "a", "All",
					      "Esc",   "Back",	 "?", "Help",
					      "q",     "Quit",	 NULL};
	static const char *const source[] = {
		"Tab", "Pane", "Enter", "Go",	"H", "Hottest", "Esc", "Back",
		"s",   "Save", "?",	"Help", "q", "Quit",	NULL};
	static const char *const help[] = {"any key", "Back", NULL};
	const char *const *keys = t->screen == TUI_SCREEN_THREADS  ? threads
				  : t->screen == TUI_SCREEN_SOURCE ? source
				  : t->screen == TUI_SCREEN_HELP   ? help
								   : top;
	int x, y;

	move(LINES - 1, 0);
	for (size_t i = 0; keys[i] != NULL; i += 2) {
		const char *label = keys[i + 1];

		if (keys == top && t->frozen && strcmp(label, "Pause") == 0)
			label = "Resume";
		tui_put(CRT_BAR_KEY, keys[i]);
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

/* The line above the bar: the `/` prompt, or the last message. */
static void
tui_draw_message(struct tui *t)
{
	char line[512];

	move(LINES - 2, 0);
	if (t->prompting) {
		snprintf(line, sizeof(line),
			 "Filter (regex; empty clears, Esc cancels): %s_",
			 t->prompt);
		tui_put(CRT_HEADER, line);
	} else {
		tui_put(t->msg_style, t->msg);
	}
}

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
		y = tui_draw_header(t, t->screen != TUI_SCREEN_SOURCE);
		height = LINES - 2 - y;
		switch (t->screen) {
		case TUI_SCREEN_TOP:
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
		}
		tui_draw_message(t);
		tui_draw_bar(t);
	}
	wnoutrefresh(stdscr);
	doupdate();
}

/* Rebuilds the models of the current screen from t->shown. */
static void
tui_rebuild(struct tui *t)
{
	switch (t->screen) {
	case TUI_SCREEN_TOP:
		top_screen_rebuild(t);
		break;
	case TUI_SCREEN_THREADS:
		threads_screen_rebuild(t);
		break;
	case TUI_SCREEN_SOURCE:
		source_screen_rebuild(t);
		/* a function that vanished (reset) falls back to the top */
		if (t->screen == TUI_SCREEN_TOP)
			top_screen_rebuild(t);
		break;
	case TUI_SCREEN_HELP:
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

/* Samples the saved file holds: those in the filter's mode and scope. */
static uint64_t
tui_samples(const struct tui *t)
{
	uint64_t n = 0;

	for (uint32_t i = 0; i < t->shown->ncounts; i++)
		n += filter_count_value(&t->filter, t->shown,
					&t->shown->counts[i]);
	return n;
}

/* `s`: writes the profile shown, as -o does (common/outfile.h). */
static void
tui_save(struct tui *t)
{
	char name[64], *cause = NULL;
	uint8_t *buf;
	size_t len;
	int rc;
	const char *path = t->opt->output;
	time_t now = time(NULL);
	struct tm tm;

	if (path == NULL) {
		localtime_r(&now, &tm);
		strftime(name, sizeof(name), "cproftop-%Y%m%d-%H%M%S.pb.gz",
			 &tm);
		path = name;
	}
	pprof_encode_gzip(t->shown, &t->filter, &buf, &len);
	rc = outfile_write(path, buf, len, &cause);
	free(buf);
	if (rc != 0) {
		tui_message(t, CRT_ALERT, "Save failed: %s", cause);
		free(cause);
		return;
	}
	tui_message(t, CRT_OK, "Saved %" PRIu64 " samples (%s, %s) to %s",
		    tui_samples(t),
		    t->filter.mode == FILTER_MODE_WALL ? "wall" : "CPU",
		    t->filter.windowed ? "window" : "cumulative", path);
}

static enum tui_result
tui_sort(struct tui *t, enum filter_sort sort)
{
	t->filter.sort = sort;
	return TUI_REBUILD;
}

/* The pause keys: p/space freezes the screen, P pauses sampling. */
static enum tui_result
tui_pause(struct tui *t, int key)
{
	if (key == 'P') {
		t->sampling_paused = !t->sampling_paused;
		sampler_pause(t->sampler, t->sampling_paused);
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

/* Keys that change the view state, on any screen. */
static enum tui_result
tui_view_key(struct tui *t, int key)
{
	static const enum filter_sort cycle[] = {
		FILTER_SORT_FLAT, FILTER_SORT_CUM, FILTER_SORT_NAME};

	switch (key) {
	case 'f':
	case 'F':
	case '1':
	case '3':
		return tui_sort(t, FILTER_SORT_FLAT);
	case 'c':
	case 'C':
	case '2':
	case '4':
		return tui_sort(t, FILTER_SORT_CUM);
	case 'n':
		return tui_sort(t, FILTER_SORT_NAME);
	case '>':
		return tui_sort(t, cycle[(t->filter.sort + 1) % 3]);
	case '<':
		return tui_sort(t, cycle[(t->filter.sort + 2) % 3]);
	case 'r':
		t->filter.reverse = !t->filter.reverse;
		return TUI_REBUILD;
	case 'L':
		t->filter.granularity =
			t->filter.granularity == FILTER_GRAN_FUNCTION
				? FILTER_GRAN_LINE
				: FILTER_GRAN_FUNCTION;
		return TUI_REBUILD;
	case 'w':
		t->filter.windowed = !t->filter.windowed;
		return TUI_REBUILD;
	case 'm':
		t->filter.mode = t->filter.mode == FILTER_MODE_WALL
					 ? FILTER_MODE_CPU
					 : FILTER_MODE_WALL;
		return TUI_REBUILD;
	case '\\':
		filter_set_focus(&t->filter, NULL, NULL);
		tui_message(t, CRT_OK, "Filter cleared");
		return TUI_REBUILD;
	}
	return TUI_UNHANDLED;
}

/* Keys every screen shares, tried after the screen's own. */
static enum tui_result
tui_global_key(struct tui *t, int key)
{
	switch (key) {
	case 'q':
	case KEY_F(10):
		return TUI_QUIT;
	case '?':
	case 'h':
	case KEY_F(1):
		t->before_help = t->screen;
		t->screen = TUI_SCREEN_HELP;
		return TUI_REDRAW;
	case 'p':
	case ' ':
	case 'P':
		return tui_pause(t, key);
	case 'z':
		sampler_reset(t->sampler);
		sampler_publish(t->sampler);
		tui_message(t, CRT_OK, "Counts reset");
		return TUI_REDRAW;
	case 's':
		tui_save(t);
		return TUI_REDRAW;
	case '/':
		t->prompting = true;
		snprintf(t->prompt, sizeof(t->prompt), "%s",
			 t->filter.focus ? t->filter.focus : "");
		t->prompt_len = strlen(t->prompt);
		return TUI_REDRAW;
	case 't':
		t->screen = TUI_SCREEN_THREADS;
		return TUI_REBUILD;
	case KEY_RESIZE:
	case TUI_CTRL('l'):
		clearok(curscr, TRUE);
		return TUI_REDRAW;
	}
	return tui_view_key(t, key);
}

/* A key while the `/` prompt is open. */
static enum tui_result
tui_prompt_key(struct tui *t, int key)
{
	char *cause = NULL;

	switch (key) {
	case TUI_KEY_ESC:
		t->prompting = false;
		return TUI_REDRAW;
	case '\n':
	case '\r':
	case KEY_ENTER:
		t->prompting = false;
		if (filter_set_focus(&t->filter, t->prompt, &cause) != 0) {
			tui_message(t, CRT_ALERT, "%s", cause);
			free(cause);
			return TUI_REDRAW;
		}
		tui_message(t, CRT_OK, "%s",
			    t->filter.focus ? "Filter set (\\ clears)"
					    : "Filter cleared");
		return TUI_REBUILD;
	case KEY_BACKSPACE:
	case 127:
	case 8:
		/* drop a whole UTF-8 character */
		while (t->prompt_len > 0 &&
		       ((unsigned char)t->prompt[--t->prompt_len] & 0xc0) ==
			       0x80)
			continue;
		t->prompt[t->prompt_len] = '\0';
		return TUI_REDRAW;
	case TUI_CTRL('u'):
		t->prompt_len = 0;
		t->prompt[0] = '\0';
		return TUI_REDRAW;
	}
	if (key >= ' ' && key < 256 && key != 127 &&
	    t->prompt_len + 1 < sizeof(t->prompt)) {
		t->prompt[t->prompt_len++] = (char)key;
		t->prompt[t->prompt_len] = '\0';
	}
	return TUI_REDRAW;
}

/* Applies one key. Returns true when the screen must be drawn again. */
static bool
tui_key(struct tui *t, int key)
{
	enum tui_result r = TUI_UNHANDLED;

	if (t->prompting) {
		r = tui_prompt_key(t, key);
	} else {
		switch (t->screen) {
		case TUI_SCREEN_TOP:
			r = top_screen_key(t, key);
			break;
		case TUI_SCREEN_THREADS:
			r = threads_screen_key(t, key);
			break;
		case TUI_SCREEN_SOURCE:
			r = source_screen_key(t, key);
			break;
		case TUI_SCREEN_HELP:
			r = key == KEY_RESIZE ? TUI_REDRAW : help_key(t, key);
			break;
		}
		if (r == TUI_UNHANDLED)
			r = tui_global_key(t, key);
	}
	if (r == TUI_QUIT)
		tui_quit = true;
	else if (r == TUI_REBUILD)
		tui_rebuild(t);
	return r != TUI_UNHANDLED;
}

/* Takes the newest snapshot; shows it unless paused. */
static void
tui_snapshot(struct tui *t)
{
	struct profile_snapshot *s = sampler_snapshot(t->sampler);

	if (s == NULL)
		return;
	profile_snapshot_unref(t->latest);
	t->latest = s;
	if (!t->frozen) {
		tui_show_latest(t);
		tui_rebuild(t);
	}
}

/*
 * Ctrl-Z: the target is detached before cproftop stops, and seized again
 * once it continues (the screen is then drawn anew). When the sampler
 * cannot let go in time, cproftop does not stop and says so.
 */
static bool
tui_suspend(struct tui *t)
{
	if (sampler_suspend(t->sampler, TUI_DETACH_NS) == 0)
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
tui_poll(struct tui *t, int sigfd, bool keys, int timeout_ms)
{
	struct pollfd fds[5] = {
		{sigfd, POLLIN, 0},
		{sampler_fd(t->sampler), POLLIN, 0},
		{keys ? STDIN_FILENO : -1, POLLIN, 0},
		{crt_winch_fd(), POLLIN, 0},
		{fatal_fd(), POLLIN, 0},
	};
	bool redraw = false;
	int key;

	if (poll(fds, 5, timeout_ms) < 0) {
		if (errno != EINTR)
			fatal("poll");
		return false;
	}
	/* The sampler thread's fatal error: the terminal is restored here. */
	fatal_exit_posted();
	if (fds[0].revents & POLLIN) {
		struct signalfd_siginfo si = {0};

		if (read(sigfd, &si, sizeof(si)) == sizeof(si))
			log_debug("tui: signal %u", si.ssi_signo);
		if (si.ssi_signo == SIGTSTP)
			redraw = tui_suspend(t);
		else
			tui_quit = true;
	}
	if (fds[1].revents & POLLIN) {
		tui_snapshot(t);
		redraw = true;
	}
	if (fds[3].revents & POLLIN)
		redraw |= crt_resized();
	if (keys)
		while (!tui_quit && (key = getch()) != ERR)
			redraw |= tui_key(t, key);
	return redraw;
}

/* Runs the loop for ms milliseconds (scripted `wait`). */
static void
tui_run_for(struct tui *t, int sigfd, int ms)
{
	int64_t end = clock_ns(CLOCK_MONOTONIC) + (int64_t)ms * 1000000;
	long left = ms;

	while (!tui_quit && left > 0) {
		if (tui_poll(t, sigfd, false, (int)left))
			tui_draw(t);
		left = (long)((end - clock_ns(CLOCK_MONOTONIC)) / 1000000);
	}
}

/* Scripted mode: the steps of the script, then quit. */
static void
tui_script(struct tui *t, struct script *sc, int sigfd)
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
			tui_run_for(t, sigfd, st->a);
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
	threads_screen_free(&t->threads);
	source_screen_free(&t->source);
	filter_free(&t->filter);
	profile_snapshot_unref(t->shown);
	profile_snapshot_unref(t->latest);
}

int
tui_run(struct sampler *s, const struct tui_options *o, int sigfd)
{
	struct tui t = {.sampler = s, .opt = o};
	struct script sc = {0};
	char *cause = NULL;

	if (o->script != NULL && script_load(o->script, &sc, &cause) != 0) {
		fprintf(stderr, "cproftop: %s\n", cause);
		free(cause);
		return CPT_EXIT_ERROR;
	}
	if (crt_init(o->script != NULL, &cause) != 0) {
		fprintf(stderr, "cproftop: %s\n", cause);
		free(cause);
		script_free(&sc);
		return CPT_EXIT_ERROR;
	}
	fatal_set_cleanup(tui_restore);
	tui_quit = false;
	filter_init(&t.filter);
	t.filter.mode = o->wall ? FILTER_MODE_WALL : FILTER_MODE_CPU;
	t.screen = TUI_SCREEN_TOP;
	tui_message(&t, CRT_NORMAL, "Press ? for help, q to quit.");
	tui_snapshot(&t);
	tui_draw(&t);
	if (o->script != NULL)
		tui_script(&t, &sc, sigfd);
	while (o->script == NULL && !tui_quit)
		if (tui_poll(&t, sigfd, true, 1000))
			tui_draw(&t);
	crt_done();
	tui_free(&t);
	script_free(&sc);
	return CPT_EXIT_OK;
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
