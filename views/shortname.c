#include "config.h"

#include "views/shortname.h"

#include <stdbool.h>
#include <stdio.h>
#include <string.h>

/* Characters an operator's name is made of after "operator". */
static bool
shortname_op_char(char c)
{
	return c != '\0' && strchr("+-*/%^&|~!=<>,[]", c) != NULL;
}

/* The end of the balanced group that opens at s[0] ('<', '(' or '{'). */
static const char *
shortname_skip_group(const char *s)
{
	char open = s[0], close = open == '<' ? '>' : open == '(' ? ')' : '}';
	int depth = 0;

	for (; *s != '\0'; s++) {
		if (*s == open)
			depth++;
		else if (*s == close && --depth == 0)
			return s + 1;
	}
	return s;
}

/* True when s starts the word "operator" (not inside a longer word). */
static bool
shortname_is_operator(const char *name, const char *s)
{
	return strncmp(s, "operator", 8) == 0 &&
	       (s == name || s[-1] == ':' || s[-1] == ' ') &&
	       (shortname_op_char(s[8]) || s[8] == '(' || s[8] == ' ');
}

char *
shortname_cpp(const char *name, char *out, size_t outsz)
{
	const char *s = name;
	size_t n = 0, start = 0;

	if (outsz == 0)
		return out;
	/* Only C++ names have scopes or parameter lists. */
	if (strstr(name, "::") == NULL && strchr(name, '(') == NULL) {
		snprintf(out, outsz, "%s", name);
		return out;
	}
#define PUT(c)                                                                 \
	do {                                                                   \
		char c_ = (c); /* evaluated once, room or not */               \
		if (n + 1 < outsz)                                             \
			out[n++] = c_;                                         \
	} while (0)
	while (*s != '\0') {
		if (shortname_is_operator(name, s)) {
			for (int i = 0; i < 8; i++)
				PUT(*s++);
			if (s[0] == '(' && s[1] == ')') {
				PUT('(');
				PUT(')');
				s += 2;
			} else if (*s == ' ') { /* new, delete, conversions */
				while (*s != '\0' && *s != '(' && *s != '<')
					PUT(*s++);
			} else {
				while (shortname_op_char(*s) &&
				       !(s[0] == '<' && s[1] != '<' &&
					 s[1] != '=' && s[-1] != '<' &&
					 s[-1] != 'r'))
					PUT(*s++);
				if (s[0] == ' ' && s[1] == '<')
					s++; /* "operator< <int>" */
			}
		} else if (*s == '{' ||
			   strncmp(s, "(anonymous namespace)", 21) == 0) {
			const char *end =
				*s == '{' ? shortname_skip_group(s) : s + 21;

			while (s < end)
				PUT(*s++);
		} else if (*s == '<') {
			s = shortname_skip_group(s);
		} else if (*s == '(') {
			s = shortname_skip_group(s);
			/* qualifiers after a parameter list */
			for (;;) {
				if (strncmp(s, " const", 6) == 0)
					s += 6;
				else if (strncmp(s, " volatile", 9) == 0)
					s += 9;
				else if (strncmp(s, " &&", 3) == 0)
					s += 3;
				else if (strncmp(s, " &", 2) == 0)
					s += 2;
				else
					break;
			}
		} else if (*s == ' ') {
			/* a return type, "unsigned long", before the name */
			start = n;
			s++;
		} else {
			PUT(*s++);
		}
	}
#undef PUT
	out[n] = '\0';
	if (start > 0)
		memmove(out, out + start, n - start + 1);
	if (out[0] == '\0') /* nothing left: keep the name as it was */
		snprintf(out, outsz, "%s", name);
	return out;
}
