#ifndef CPT_TUI_CRT_H
#define CPT_TUI_CRT_H

/*
 * The terminal's life cycle (after htop's CRT.c): start and end ncurses,
 * colours with a monochrome fallback (NO_COLOR honoured), SIGWINCH through
 * a self-pipe, and the restore paths for fatal errors and crashes. Main
 * thread, except crt_emergency_restore().
 */

#include <stdbool.h>

enum crt_style {
	CRT_NORMAL,
	CRT_HEADER,	  /* header values */
	CRT_TITLE,	  /* column titles */
	CRT_SELECTED,	  /* the selected row of the focused list */
	CRT_SELECTED_DIM, /* the selected row of a list without focus */
	CRT_HOT,	  /* hottest line, selected threads */
	CRT_LIVE,	  /* LIVE */
	CRT_ALERT,	  /* PAUSED, target exited, errors */
	CRT_OK,		  /* status messages */
	CRT_BAR_KEY,	  /* hint bar: key */
	CRT_BAR_LABEL,	  /* hint bar: label */
	CRT_FLAME_A,	  /* flame view: frames alternate A, B */
	CRT_FLAME_B,
	CRT_FLAME_SEL, /* flame view: the selected frame */
	CRT_NSTYLES
};

/* The attributes of each style, set by crt_init(). */
extern int crt_attr[CRT_NSTYLES];

/*
 * Starts ncurses on the terminal (stdin/stdout), or with virtual = true on
 * a virtual 80x24 xterm that writes to /dev/null (scripted mode). Returns 0,
 * or -1 with *cause set (caller frees) when there is no usable terminal.
 * Until crt_done(), SIGTSTP (blocked by the caller, taken while it waits)
 * has a handler: the caller's, or if it is at SIG_DFL a placeholder that
 * never runs -- found at SIG_DFL, ncurses would set it to SIG_IGN around
 * each refresh and so discard a pending Ctrl-Z.
 */
int crt_init(bool virtual, char **cause);

/*
 * Whether stdin/stdout are a terminal the screen can draw on (not
 * TERM=dumb, unset or unknown, and with cursor addressing). Returns 0, or
 * -1 with *cause set (caller frees) saying why and what to use instead.
 */
int crt_check(char **cause);

/* Ends ncurses and restores the terminal. Idempotent. */
void crt_done(void);

/*
 * Ctrl-Z: gives the terminal back (endwin), stops cproftop as SIGTSTP
 * would (jobctl_stop_self()) and takes the terminal again once continued,
 * to be redrawn whole. The caller has detached the target first.
 */
void crt_stop_self(void);

/*
 * The read end of the SIGWINCH self-pipe, readable after a resize; -1 in
 * virtual mode. crt_resized() drains it and resizes ncurses' screens to the
 * terminal's size; returns true when the size changed.
 */
int crt_winch_fd(void);
bool crt_resized(void);

/* Async-signal-safe: see tui_emergency_restore(). */
void crt_emergency_restore(void);

#endif
