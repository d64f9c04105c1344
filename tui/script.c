#include "config.h"

#include "tui/script.h"

#include <curses.h>
#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <wchar.h>

#include "common/xmalloc.h"

static const struct {
	const char *name;
	int key;
} script_keys[] = {
	{"Enter", '\r'},
	{"Esc", 27},
	{"Tab", '\t'},
	{"Space", ' '},
	{"Backspace", KEY_BACKSPACE},
	{"Up", KEY_UP},
	{"Down", KEY_DOWN},
	{"Left", KEY_LEFT},
	{"Right", KEY_RIGHT},
	{"PgUp", KEY_PPAGE},
	{"PgDn", KEY_NPAGE},
	{"Home", KEY_HOME},
	{"End", KEY_END},
};

/* Parses one non-empty line into *st. Returns 0, or -1 when unknown. */
static int
script_parse(char *line, struct script_step *st)
{
	int n;

	memset(st, 0, sizeof(*st));
	st->op = SCRIPT_KEY;
	if (line[0] != '\0' && line[1] == '\0') {
		st->key = (unsigned char)line[0];
		return 0;
	}
	for (size_t i = 0; i < sizeof(script_keys) / sizeof(script_keys[0]);
	     i++)
		if (strcmp(line, script_keys[i].name) == 0) {
			st->key = script_keys[i].key;
			return 0;
		}
	if (sscanf(line, "F%d", &n) == 1 && n >= 1 && n <= 12) {
		st->key = KEY_F(n);
		return 0;
	}
	if (strncmp(line, "type ", 5) == 0) {
		st->op = SCRIPT_TYPE;
		st->text = xstrdup(line + 5);
		return 0;
	}
	if (strcmp(line, "dump") == 0) {
		st->op = SCRIPT_DUMP;
		return 0;
	}
	if (sscanf(line, "wait %d", &st->a) == 1 && st->a >= 0) {
		st->op = SCRIPT_WAIT;
		return 0;
	}
	if (sscanf(line, "resize %d %d", &st->a, &st->b) == 2 && st->a > 0 &&
	    st->b > 0 && st->a <= 1000 && st->b <= 1000) {
		st->op = SCRIPT_RESIZE;
		return 0;
	}
	return -1;
}

int
script_load(const char *path, struct script *out, char **cause)
{
	FILE *f = fopen(path, "re");
	char *line = NULL;
	size_t cap = 0, lineno = 0, alloc = 0;
	ssize_t len;
	int rc = 0;

	memset(out, 0, sizeof(*out));
	if (f == NULL) {
		*cause = xasprintf("%s: %s", path, strerror(errno));
		return -1;
	}
	while (rc == 0 && (len = getline(&line, &cap, f)) >= 0) {
		lineno++;
		while (len > 0 &&
		       (line[len - 1] == '\n' || line[len - 1] == '\r'))
			line[--len] = '\0';
		if (len == 0 || line[0] == '#')
			continue;
		if (out->nsteps == alloc) {
			alloc = alloc ? 2 * alloc : 16;
			out->steps = xreallocarray(out->steps, alloc,
						   sizeof(*out->steps));
		}
		if (script_parse(line, &out->steps[out->nsteps]) != 0) {
			*cause = xasprintf("%s:%zu: unknown step '%s'", path,
					   lineno, line);
			rc = -1;
		} else {
			out->nsteps++;
		}
	}
	free(line);
	fclose(f);
	if (rc != 0)
		script_free(out);
	return rc;
}

void
script_free(struct script *s)
{
	for (size_t i = 0; i < s->nsteps; i++)
		free(s->steps[i].text);
	free(s->steps);
	memset(s, 0, sizeof(*s));
}

void
script_dump(FILE *out)
{
	wchar_t wline[1024];
	char mb[MB_LEN_MAX];
	mbstate_t st;

	fprintf(out, "--- screen %dx%d\n", COLS, LINES);
	for (int y = 0; y < LINES; y++) {
		int n = COLS < 1023 ? COLS : 1023, end;

		if (mvinnwstr(y, 0, wline, n) == ERR)
			wline[0] = L'\0';
		end = (int)wcslen(wline);
		while (end > 0 && wline[end - 1] == L' ')
			end--;
		memset(&st, 0, sizeof(st));
		for (int i = 0; i < end; i++) {
			size_t k = wcrtomb(mb, wline[i], &st);

			if (k == (size_t)-1)
				fputc('?', out);
			else
				fwrite(mb, 1, k, out);
		}
		fputc('\n', out);
	}
	fflush(out);
}
