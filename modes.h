#ifndef CPT_MODES_H
#define CPT_MODES_H

/*
 * What cproftop does once the sampler runs: the headless modes (--top,
 * --dump, -o, --heap, --stats) and the live screen. Each returns with
 * every thread of the target detached -- or cproftop exits, the watchdog
 * of ARCHITECTURE.md -- and, in spawn mode, the command's status as the
 * exit code. Main thread, with common/sigpoll.h's signals blocked (they
 * are taken while waiting: SIGINT, SIGTERM, SIGHUP, SIGQUIT quit, SIGTSTP
 * suspends).
 */

#include "options.h"
#include "sampler/sampler.h"

/*
 * Waits for -d, the target's end or a signal, stops the sampler and
 * writes what o asks for. Returns an exit code (CPT_EXIT_OUTPUT when an
 * output could not be written, said on stderr).
 */
int modes_headless(const struct options *o, struct sampler *s);

/* Runs the live screen until q or a signal, then stops the sampler.
   Returns an exit code. */
int modes_tui(const struct options *o, struct sampler *s);

#endif
