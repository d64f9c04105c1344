#ifndef CPT_COMMON_ESCAPE_H
#define CPT_COMMON_ESCAPE_H

/*
 * Target-controlled text (thread and function names, file names, the
 * command line, mapping paths, messages that quote them) made safe for a
 * terminal, as strace and ps do: every control byte (0x00-0x1f, 0x7f),
 * every byte of an invalid UTF-8 sequence, the C1 controls (U+0080-U+009F),
 * the line and paragraph separators (U+2028, U+2029) and the bidirectional
 * overrides (U+202A-U+202E, U+2066-U+2069) become
 * "\xNN" per byte, and a backslash becomes "\\", so the output is
 * unambiguous; valid printable UTF-8 passes unchanged. Pure, any thread.
 * Files meant for programs (pprof) keep names exactly: do not use there.
 */

#include <stdbool.h>
#include <stdio.h>

/* The escaped copy of s (caller frees). */
char *escape_text(const char *s);

/*
 * Writes s escaped to f, allocating nothing (fatal() uses it). Returns 0,
 * or EOF on a write error.
 */
int escape_fputs(const char *s, FILE *f);

/*
 * The lighter escape for text that programs read (the --http text pages,
 * as Go's net/http/pprof writes them): writes s[0..len) to out with only
 * the control bytes and DEL as "\xNN" -- UTF-8 and backslashes pass -- and
 * the bytes in keep (NULL: none; else NUL and the bytes of keep) as they
 * are.
 */
void escape_controls(FILE *out, const char *s, size_t len, const char *keep);

/* True when s needs no escaping (escape_text(s) would equal s). */
bool escape_clean(const char *s);

#endif
