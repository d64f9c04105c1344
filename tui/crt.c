#include "config.h"

#include "tui/crt.h"

#include <curses.h>
#include <term.h>
#include <errno.h>
#include <fcntl.h>
#include <locale.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <termios.h>
#include <unistd.h>

#include "common/jobctl.h"
#include "common/xmalloc.h"

int crt_attr[CRT_NSTYLES];

static SCREEN *crt_screen;
static FILE *crt_null_in, *crt_null_out;
static int crt_pipe[2] = {-1, -1};
static struct termios crt_saved_termios;
static volatile sig_atomic_t crt_active; /* 1: a real terminal is ours */
static struct sigaction crt_old_winch, crt_old_tstp;
static bool crt_tstp_held;

/* The SIGWINCH handler: one byte into the self-pipe. */
static void
crt_winch(int sig)
{
	int saved = errno;
	char c = 0;

	(void)sig;
	if (write(crt_pipe[1], &c, 1) < 0) {
		/* full: a resize is already pending */
	}
	errno = saved;
}

/* Never runs: SIGTSTP is blocked in every thread. */
static void
crt_tstp(int sig)
{
	(void)sig;
}

/*
 * Keeps ncurses off SIGTSTP. Finding it at SIG_DFL, ncurses installs its own
 * handler, and every refresh sets it to SIG_IGN for the draw: that discards
 * a pending Ctrl-Z, blocked and waiting for the caller's wait, so a Ctrl-Z
 * pressed while a screen was being made was lost (cproftop did not stop).
 * Finding another handler, ncurses leaves SIGTSTP alone for good: the
 * caller's (common/sigpoll.h) is kept, else a placeholder is set.
 */
static void
crt_hold_tstp(void)
{
	struct sigaction sa = {.sa_handler = crt_tstp}, now;

	sigemptyset(&sa.sa_mask);
	if (crt_tstp_held || sigaction(SIGTSTP, NULL, &now) != 0 ||
	    now.sa_handler != SIG_DFL)
		return;
	if (sigaction(SIGTSTP, &sa, &crt_old_tstp) == 0)
		crt_tstp_held = true;
}

/* Colour pairs, or attributes only when colours are off. */
static void
crt_styles(void)
{
	static const struct {
		short fg, bg;
		int attr, mono;
	} def[CRT_NSTYLES] = {
		[CRT_NORMAL] = {-1, -1, A_NORMAL, A_NORMAL},
		[CRT_HEADER] = {COLOR_CYAN, -1, A_BOLD, A_BOLD},
		[CRT_TITLE] = {COLOR_BLACK, COLOR_GREEN, A_NORMAL, A_REVERSE},
		[CRT_SELECTED] = {COLOR_BLACK, COLOR_CYAN, A_NORMAL, A_REVERSE},
		[CRT_SELECTED_DIM] = {COLOR_BLACK, COLOR_WHITE, A_NORMAL,
				      A_UNDERLINE},
		[CRT_HOT] = {COLOR_YELLOW, -1, A_BOLD, A_BOLD},
		[CRT_LIVE] = {COLOR_GREEN, -1, A_BOLD, A_BOLD},
		[CRT_ALERT] = {COLOR_RED, -1, A_BOLD, A_BOLD | A_REVERSE},
		[CRT_OK] = {COLOR_GREEN, -1, A_NORMAL, A_BOLD},
		[CRT_BAR_KEY] = {-1, -1, A_BOLD, A_BOLD},
		[CRT_FLAME_A] = {COLOR_BLACK, COLOR_YELLOW, A_NORMAL,
				 A_REVERSE},
		[CRT_FLAME_B] = {COLOR_WHITE, COLOR_RED, A_NORMAL, A_NORMAL},
		[CRT_FLAME_SEL] = {COLOR_BLACK, COLOR_CYAN, A_BOLD,
				   A_BOLD | A_UNDERLINE},
		[CRT_BAR_LABEL] = {COLOR_BLACK, COLOR_CYAN, A_NORMAL,
				   A_REVERSE},
	};
	const char *no_color = getenv("NO_COLOR");
	bool color = has_colors() && (no_color == NULL || *no_color == '\0');

	if (color && (start_color() != OK || use_default_colors() != OK))
		color = false;
	for (int i = 0; i < CRT_NSTYLES; i++) {
		crt_attr[i] = def[i].mono;
		if (!color || i == CRT_NORMAL)
			continue;
		init_pair((short)i, def[i].fg, def[i].bg);
		crt_attr[i] = (int)COLOR_PAIR(i) | def[i].attr;
	}
}

int
crt_check(char **cause)
{
	const char *term = getenv("TERM");
	char *cup;
	int err = 0;

	if (!isatty(STDIN_FILENO) || !isatty(STDOUT_FILENO)) {
		*cause = xstrdup("the screen needs a terminal (use --top or "
				 "-o for headless runs)");
		return -1;
	}
	if (term == NULL || term[0] == '\0' || strcmp(term, "dumb") == 0 ||
	    setupterm(NULL, STDOUT_FILENO, &err) != OK) {
		*cause = xasprintf(
			"the terminal '%s' cannot draw the live screen: use "
			"--top [-d SECS] for a text table (or -o FILE), or set "
			"TERM (e.g. TERM=xterm-256color)",
			term && term[0] ? term : "(TERM unset)");
		return -1;
	}
	/* a terminal without cursor addressing cannot draw a screen */
	cup = tigetstr("cup");
	if (cup == NULL || cup == (char *)-1) {
		*cause = xasprintf(
			"the terminal '%s' cannot move the cursor: use --top "
			"[-d SECS] for a text table (or -o FILE), or set TERM "
			"(e.g. TERM=xterm-256color)",
			term);
		del_curterm(cur_term);
		return -1;
	}
	del_curterm(cur_term);
	return 0;
}

/* Starts ncurses on the real terminal. */
static int
crt_init_tty(char **cause)
{
	struct sigaction sa;

	if (crt_check(cause) != 0)
		return -1;
	tcgetattr(STDOUT_FILENO, &crt_saved_termios);
	crt_screen = newterm(NULL, stdout, stdin);
	if (crt_screen == NULL) {
		const char *term = getenv("TERM");

		*cause = xasprintf("cannot use the terminal '%s'",
				   term ? term : "(TERM unset)");
		return -1;
	}
	if (pipe2(crt_pipe, O_CLOEXEC | O_NONBLOCK) != 0) {
		*cause = xasprintf("pipe: %s", strerror(errno));
		crt_done();
		return -1;
	}
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = crt_winch;
	sigemptyset(&sa.sa_mask);
	sa.sa_flags = SA_RESTART;
	sigaction(SIGWINCH, &sa, &crt_old_winch);
	crt_active = 1;
	return 0;
}

/* Starts ncurses on a virtual 80x24 xterm writing to /dev/null. */
static int
crt_init_virtual(char **cause)
{
	crt_null_in = fopen("/dev/null", "re");
	crt_null_out = fopen("/dev/null", "we");
	if (crt_null_in == NULL || crt_null_out == NULL) {
		*cause = xasprintf("/dev/null: %s", strerror(errno));
		crt_done();
		return -1;
	}
	use_env(FALSE);
	crt_screen = newterm("xterm", crt_null_out, crt_null_in);
	if (crt_screen == NULL) {
		*cause = xstrdup("no terminfo entry for xterm");
		crt_done();
		return -1;
	}
	resize_term(24, 80);
	return 0;
}

int
crt_init(bool virtual, char **cause)
{
	setlocale(LC_ALL, "");
	crt_hold_tstp();
	if ((virtual ? crt_init_virtual : crt_init_tty)(cause) != 0)
		return -1;
	set_term(crt_screen);
	cbreak();
	noecho();
	nonl();
	keypad(stdscr, TRUE);
	nodelay(stdscr, TRUE);
	set_escdelay(25);
	curs_set(0);
	crt_styles();
	return 0;
}

void
crt_done(void)
{
	if (crt_screen != NULL) {
		endwin();
		delscreen(crt_screen);
		crt_screen = NULL;
	}
	if (crt_active) {
		crt_active = 0;
		sigaction(SIGWINCH, &crt_old_winch, NULL);
		tcsetattr(STDOUT_FILENO, TCSADRAIN, &crt_saved_termios);
	}
	for (int i = 0; i < 2; i++) {
		if (crt_pipe[i] >= 0)
			close(crt_pipe[i]);
		crt_pipe[i] = -1;
	}
	if (crt_tstp_held) {
		sigaction(SIGTSTP, &crt_old_tstp, NULL);
		crt_tstp_held = false;
	}
	if (crt_null_in != NULL)
		fclose(crt_null_in);
	if (crt_null_out != NULL)
		fclose(crt_null_out);
	crt_null_in = crt_null_out = NULL;
}

void
crt_stop_self(void)
{
	if (crt_active) {
		def_prog_mode();
		endwin();
	}
	jobctl_stop_self();
	if (crt_active) {
		reset_prog_mode();
		clearok(curscr, TRUE);
		crt_resized();
		refresh();
	}
}

int
crt_winch_fd(void)
{
	return crt_pipe[0];
}

bool
crt_resized(void)
{
	struct winsize ws;
	char buf[64];

	while (read(crt_pipe[0], buf, sizeof(buf)) > 0)
		continue;
	if (ioctl(STDOUT_FILENO, TIOCGWINSZ, &ws) != 0 || ws.ws_row == 0 ||
	    ws.ws_col == 0)
		return false;
	if (ws.ws_row == LINES && ws.ws_col == COLS)
		return false;
	resizeterm(ws.ws_row, ws.ws_col);
	return true;
}

void
crt_emergency_restore(void)
{
	static const char reset[] = "\033[0m\033[?25h\033[?1049l\r\n";

	if (!crt_active)
		return;
	crt_active = 0;
	if (write(STDOUT_FILENO, reset, sizeof(reset) - 1) < 0) {
		/* nothing more can be done in a crash */
	}
	tcsetattr(STDOUT_FILENO, TCSANOW, &crt_saved_termios);
}
