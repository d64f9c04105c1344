#ifndef CPT_TUI_TUI_H
#define CPT_TUI_TUI_H

/*
 * The interactive screen: an ncurses (ncursesw) front end over the
 * snapshots the sampler publishes. It draws what views/ computes and sends
 * commands to the sampler (reset, pause, publish); it never calls ptrace.
 * Runs in the main thread only.
 */

#include <stdbool.h>
#include <stddef.h>

struct heapprof;
struct sampler;

struct tui_options {
	/* `s` writes here, or when NULL to cproftop-YYYYmmdd-HHMMSS.pb.gz in
	   the current directory. */
	const char *output;
	bool wall;	  /* start in wall mode (else CPU) */
	const char *base; /* --base FILE.pb.gz: the diff base, or NULL */
	unsigned refresh; /* --refresh: seconds between screens (0: 1) */
	unsigned window;  /* --window: the `w` window in seconds (0: 5) */
	const char *const *source_paths; /* for the source view */
	size_t nsource_paths;
	/* Scripted mode (like tig's TIG_SCRIPT): keys are read from this file
	   instead of the terminal, the screen is drawn on a virtual 80x24
	   terminal and `dump` lines print it as text to stdout. See
	   tui/script.c for the syntax. NULL: interactive. */
	const char *script;
	/* --heap: the heap profile, for `m`'s heap modes; NULL: none. */
	struct heapprof *heap;
};

/*
 * Runs the screen until the user quits (`q`, F10), a signal says so
 * (SIGINT, SIGTERM, SIGHUP, SIGQUIT: taken by common/sigpoll.h, whose
 * handlers are set meanwhile; the caller blocks them) or the script ends.
 * SIGTSTP suspends cproftop after detaching the target. The target ending
 * does not end the screen: the final profile stays browsable and saveable.
 * Takes the terminal (stdin/stdout must be one, except in scripted mode)
 * and restores it before returning. Installs a SIGWINCH handler. Returns
 * CPT_EXIT_OK, or CPT_EXIT_ERROR after printing why to stderr (no
 * terminal, unreadable script). The caller then stops and frees the
 * sampler. Main thread only.
 */
int tui_run(struct sampler *s, const struct tui_options *o);

/*
 * Checks, before anything starts, that the live screen can run here:
 * stdin/stdout are a terminal whose TERM can draw it (TERM=dumb cannot).
 * Returns 0, or -1 with *cause set (caller frees) with what to use
 * instead (--top, -o). Main thread.
 */
int tui_check_terminal(char **cause);

/*
 * Restores the terminal if the screen is active (endwin()); a no-op
 * otherwise. For fatal_set_cleanup() (tui_run() registers it too). Main
 * thread, or a fatal() path.
 */
void tui_restore(void);

/*
 * Async-signal-safe terminal reset for a crash handler (SIGSEGV...): if the
 * screen is active, writes the escape sequences that leave the alternate
 * screen, show the cursor and reset attributes, and restores the terminal
 * modes saved at start (tcsetattr). No-op otherwise or in scripted mode.
 * Any thread, any context.
 */
void tui_emergency_restore(void);

#endif
