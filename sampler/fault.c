#include "config.h"

#include "sampler/fault.h"

#include <errno.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "common/clock.h"
#include "common/log.h"

#define FAULT_DELAY_NS (CLOCK_NS_PER_S / 2)

enum fault_kind {
	FAULT_NONE,
	FAULT_FATAL,
	FAULT_SEGV,
	FAULT_HANG,
	FAULT_SLOWLOAD
};

/* Written before the sampler thread starts, read by it only (and its
   helper, never at the same time). */
static enum fault_kind fault_kind;
static int64_t fault_due_ns;
static bool fault_loaded; /* slowload fired */

void
fault_arm(void)
{
	const char *how = getenv("CPROFTOP_INJECT_FAULT");

	fault_kind = FAULT_NONE;
	fault_loaded = false;
	if (how == NULL)
		return;
	if (strcmp(how, "fatal") == 0)
		fault_kind = FAULT_FATAL;
	else if (strcmp(how, "segv") == 0)
		fault_kind = FAULT_SEGV;
	else if (strcmp(how, "hang") == 0)
		fault_kind = FAULT_HANG;
	else if (strcmp(how, "slowload") == 0)
		fault_kind = FAULT_SLOWLOAD;
	fault_due_ns = clock_ns(CLOCK_MONOTONIC) + FAULT_DELAY_NS;
}

/* True when the fault of this kind is armed and due. */
static int
fault_due(enum fault_kind kind)
{
	return fault_kind == kind && clock_ns(CLOCK_MONOTONIC) >= fault_due_ns;
}

bool
fault_publish_due(void)
{
	return fault_due(FAULT_SEGV) || fault_due(FAULT_FATAL);
}

void
fault_after_publish(void)
{
	if (fault_due(FAULT_SEGV))
		raise(SIGSEGV);
	if (fault_due(FAULT_FATAL))
		fatalx("injected fault (CPROFTOP_INJECT_FAULT=fatal)");
}

void
fault_in_capture(void)
{
	if (!fault_due(FAULT_HANG))
		return;
	log_debug("fault: the sampler thread hangs now");
	for (volatile uint64_t spin = 0;; spin++)
		continue;
}

void
fault_in_load(void)
{
	struct timespec ts = {2, 500000000};

	if (fault_kind != FAULT_SLOWLOAD || fault_loaded)
		return;
	fault_loaded = true;
	log_debug("fault: this symbols load takes 2.5 s more");
	while (nanosleep(&ts, &ts) != 0 && errno == EINTR)
		continue;
}
