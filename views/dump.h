#ifndef CPT_VIEWS_DUMP_H
#define CPT_VIEWS_DUMP_H

/*
 * --dump's text, eu-stack style: per thread "Thread TID "NAME" (STATE):"
 * and its last stack, one line a frame (inline frames innermost first,
 * "(inlined)"), "#N 0xADDRESS name at file:line", "[unwinding stopped
 * here]" for a truncated stack, "no stack: WHY" for a thread without one.
 * Names and files come from the target: escaped (common/escape.h). Pure
 * formatting of a snapshot; any thread.
 */

#include <stdio.h>

#include "sampler/profile.h"

/* Writes every thread's stack of s to out, as above. */
void dump_write(FILE *out, const struct profile_snapshot *s);

#endif
