/*
 * Unit test of tui/crt.c's SIGTSTP handling: a Ctrl-Z that arrives while a
 * screen is being drawn stays pending for the caller's wait. ncurses,
 * left to itself, sets SIGTSTP to SIG_IGN around every refresh, which
 * discards it (cproftop then did not stop: tests/lifecycle/suspend.sh).
 */
#include "config.h"

#include <curses.h>
#include <signal.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

#include "tests/tap.h"
#include "tui/crt.h"

static bool
crt_test_pending(void)
{
	sigset_t pend;

	sigpending(&pend);
	return sigismember(&pend, SIGTSTP) == 1;
}

static void
crt_test_noted(int sig)
{
	(void)sig;
}

/* The caller's own SIGTSTP handler (common/sigpoll.c's) is kept. */
static void
crt_test_callers(void)
{
	struct sigaction sa = {.sa_handler = crt_test_noted}, now;
	struct timespec zero = {0, 0};
	char *cause = NULL;
	sigset_t tstp;

	sigemptyset(&sa.sa_mask);
	sigaction(SIGTSTP, &sa, NULL);
	if (crt_init(true, &cause) != 0) {
		tap_skip(cause);
		free(cause);
		return;
	}
	kill(getpid(), SIGTSTP);
	mvprintw(0, 0, "draw");
	refresh();
	sigaction(SIGTSTP, NULL, &now);
	tap_ok(now.sa_handler == crt_test_noted,
	       "the caller's SIGTSTP handler stays during the screen");
	tap_ok(crt_test_pending(), "a Ctrl-Z meanwhile is still pending");
	crt_done();
	sigaction(SIGTSTP, NULL, &now);
	tap_ok(now.sa_handler == crt_test_noted, "and after it");
	sigemptyset(&tstp);
	sigaddset(&tstp, SIGTSTP);
	sigtimedwait(&tstp, NULL, &zero);
	sa.sa_handler = SIG_DFL;
	sigaction(SIGTSTP, &sa, NULL);
}

int
main(void)
{
	struct timespec zero = {0, 0};
	struct sigaction now;
	sigset_t tstp;
	char *cause = NULL;

	sigemptyset(&tstp);
	sigaddset(&tstp, SIGTSTP);
	sigprocmask(SIG_BLOCK, &tstp, NULL);
	if (crt_init(true, &cause) != 0) {
		tap_skip(cause);
		free(cause);
		return tap_done();
	}
	for (int i = 0; i < 3; i++) {
		kill(getpid(), SIGTSTP);
		mvprintw(i, 0, "draw %d", i);
		refresh();
		tap_ok(crt_test_pending(),
		       "draw %d: a Ctrl-Z pending meanwhile is still pending",
		       i);
		tap_is_int(sigtimedwait(&tstp, NULL, &zero), SIGTSTP,
			   "draw %d: and read as SIGTSTP", i);
	}
	crt_done();
	sigaction(SIGTSTP, NULL, &now);
	tap_ok(now.sa_handler == SIG_DFL,
	       "after the screen SIGTSTP's action is the default again");
	crt_test_callers();
	return tap_done();
}
