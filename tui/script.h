#ifndef CPT_TUI_SCRIPT_H
#define CPT_TUI_SCRIPT_H

/*
 * Scripted mode (after tig's TIG_SCRIPT): a file of steps, one per line,
 * applied to the screen instead of the terminal's keys:
 *   a single character   that key (e.g. `c`, `/`, `?`)
 *   Enter Esc Tab Space Backspace Up Down Left Right PgUp PgDn Home End
 *   F1 .. F12            those keys
 *   type TEXT            the characters of TEXT, one key each
 *   wait MS              run the screen for MS milliseconds (snapshots
 *                        arrive, the sampler runs)
 *   dump                 print the screen as text to stdout
 *   resize COLS ROWS     resize the virtual terminal
 *   # ...                a comment; empty lines are ignored
 * The script ends the screen after its last step. Main thread.
 */

#include <stddef.h>
#include <stdio.h>

enum script_op {
	SCRIPT_KEY,
	SCRIPT_TYPE,
	SCRIPT_WAIT,
	SCRIPT_DUMP,
	SCRIPT_RESIZE,
};

struct script_step {
	enum script_op op;
	int key;    /* SCRIPT_KEY: a curses key code */
	char *text; /* SCRIPT_TYPE */
	int a, b;   /* SCRIPT_WAIT: ms; SCRIPT_RESIZE: cols, rows */
};

struct script {
	struct script_step *steps;
	size_t nsteps, next;
};

/*
 * Reads and parses the script at path into *out. Returns 0, or -1 with
 * *cause set (caller frees) naming the file and line of the first error.
 * Free with script_free().
 */
int script_load(const char *path, struct script *out, char **cause);
void script_free(struct script *s);

/* Prints curses' virtual screen (stdscr) to out as text, then flushes. */
void script_dump(FILE *out);

#endif
