#include "config.h"

#include "views/dump.h"

#include <string.h>

#include "common/escape.h"
#include "sampler/profile.h"

/*
 * Prints one location's inline chain, innermost first, eu-stack style.
 * Names and files come from the target: escaped (common/escape.h).
 */
static void
dump_location(FILE *out, const struct profile_snapshot *s, uint32_t loc,
	      int *frame)
{
	const struct profile_location *l = &s->locations[loc];

	for (uint32_t i = 0; i < l->nlines; i++) {
		const struct profile_line *ln = &s->lines[l->first_line + i];
		const struct profile_function *fn = &s->functions[ln->function];
		const char *file = fn->file ? strrchr(fn->file, '/') : NULL;

		fprintf(out, "#%-2d 0x%016llx ", (*frame)++,
			(unsigned long long)l->address);
		escape_fputs(fn->name, out);
		if (i + 1 < l->nlines)
			fputs(" (inlined)", out);
		if (fn->file != NULL) {
			fputs(" at ", out);
			escape_fputs(file ? file + 1 : fn->file, out);
			fprintf(out, ":%d", ln->line);
		}
		putc('\n', out);
	}
}

void
dump_write(FILE *out, const struct profile_snapshot *s)
{
	for (uint32_t t = 0; t < s->nthreads; t++) {
		const struct profile_thread *th = &s->threads[t];

		fprintf(out, "Thread %d \"", th->tid);
		escape_fputs(th->name, out);
		fprintf(out, "\" (%c):\n", th->state);
		for (uint32_t c = 0; c < s->ncounts; c++) {
			const struct profile_stack *st;
			int frame = 0;

			if (s->counts[c].thread != t)
				continue;
			st = &s->stacks[s->counts[c].stack];
			for (uint32_t i = 0; i < st->depth; i++)
				dump_location(out, s,
					      s->stack_locations[st->first + i],
					      &frame);
			if (st->truncated)
				fprintf(out, "#%-2d [unwinding stopped here]\n",
					frame);
			break;
		}
		if (th->missing != NULL)
			fprintf(out, "   no stack: %s\n", th->missing);
		putc('\n', out);
	}
}
