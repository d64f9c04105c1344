#include "config.h"

#include "sampler/fault.h"

#include <errno.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "attach/procfs.h"
#include "common/clock.h"
#include "common/log.h"

#define FAULT_DELAY_NS (CLOCK_NS_PER_S / 2)
/* How long a stall waits at most for the child to end, and how often it
   looks. */
#define FAULT_STALL_NS (10 * CLOCK_NS_PER_S)
#define FAULT_STALL_POLL_NS (CLOCK_NS_PER_S / 200)

enum fault_kind {
	FAULT_NONE,
	FAULT_FATAL,
	FAULT_SEGV,
	FAULT_HANG,
	FAULT_SLOWLOAD,
	FAULT_STALL_CHILD,
	FAULT_HEAP_LATE
};

/* Written before the sampler thread starts, read by it only (and its
   helper, never at the same time). */
static enum fault_kind fault_kind;
static int64_t fault_due_ns;
static bool fault_loaded;	 /* slowload fired */
static int64_t fault_load_ns;	 /* how long slowload takes */
static char fault_load_name[64]; /* ... of the first file named so, or any */
static int64_t fault_late_ns;	 /* how late heaplate starts the reader */

void
fault_arm(void)
{
	const char *how = getenv("CPROFTOP_INJECT_FAULT");

	fault_kind = FAULT_NONE;
	fault_loaded = false;
	fault_load_ns = 2500 * (int64_t)1000000;
	fault_load_name[0] = '\0';
	if (how == NULL)
		return;
	if (strcmp(how, "fatal") == 0)
		fault_kind = FAULT_FATAL;
	else if (strcmp(how, "segv") == 0)
		fault_kind = FAULT_SEGV;
	else if (strcmp(how, "hang") == 0)
		fault_kind = FAULT_HANG;
	else if (strncmp(how, "slowload", 8) == 0 &&
		 (how[8] == '\0' || how[8] == ':')) {
		const char *name = how[8] == ':' ? strchr(how + 9, ':') : NULL;

		fault_kind = FAULT_SLOWLOAD;
		if (how[8] == ':' && atol(how + 9) > 0)
			fault_load_ns = atol(how + 9) * (int64_t)1000000;
		if (name != NULL)
			snprintf(fault_load_name, sizeof(fault_load_name), "%s",
				 name + 1);
	} else if (strcmp(how, "stall-child") == 0) {
		fault_kind = FAULT_STALL_CHILD;
	} else if (strncmp(how, "heaplate", 8) == 0 &&
		   (how[8] == '\0' || how[8] == ':')) {
		fault_kind = FAULT_HEAP_LATE;
		fault_late_ns = 300 * (int64_t)1000000;
		if (how[8] == ':' && atol(how + 9) > 0)
			fault_late_ns = atol(how + 9) * (int64_t)1000000;
	}
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
fault_in_load(const char *path)
{
	struct timespec ts = {fault_load_ns / CLOCK_NS_PER_S,
			      fault_load_ns % CLOCK_NS_PER_S};

	if (fault_kind != FAULT_SLOWLOAD || fault_loaded)
		return;
	if (fault_load_name[0] != '\0' &&
	    (path == NULL || strstr(path, fault_load_name) == NULL))
		return;
	fault_loaded = true;
	log_debug("fault: this symbols load (%s) takes %lld ms more",
		  path != NULL ? path : "?",
		  (long long)(fault_load_ns / 1000000));
	while (nanosleep(&ts, &ts) != 0 && errno == EINTR)
		continue;
}

void
fault_heap_late(void)
{
	struct timespec ts = {fault_late_ns / CLOCK_NS_PER_S,
			      fault_late_ns % CLOCK_NS_PER_S};

	if (fault_kind != FAULT_HEAP_LATE)
		return;
	log_debug("fault: --heap's reader starts %lld ms late",
		  (long long)(fault_late_ns / 1000000));
	while (nanosleep(&ts, &ts) != 0 && errno == EINTR)
		continue;
}

/* stall-child: the child to wait for, once seen. */
static pid_t fault_child;

void
fault_child_seen(pid_t pid, pid_t target)
{
	char *exe, *target_exe;

	if (fault_kind != FAULT_STALL_CHILD || fault_child != 0)
		return;
	/* Not before its exec: the stall would hold it in its exec stop. */
	exe = procfs_read_exe(pid);
	target_exe = procfs_read_exe(target);
	if (exe != NULL && target_exe != NULL && strcmp(exe, target_exe) != 0)
		fault_child = pid;
	free(exe);
	free(target_exe);
}

void
fault_end_of_tick(void)
{
	int64_t end = clock_ns(CLOCK_MONOTONIC) + FAULT_STALL_NS;
	struct timespec poll = {0, FAULT_STALL_POLL_NS};
	struct procfs_stat st = {.state = '?'};
	int fd;

	if (fault_kind != FAULT_STALL_CHILD || fault_child == 0)
		return;
	log_debug("fault: the sampler thread stalls until process %d ends",
		  (int)fault_child);
	fd = procfs_open_stat(fault_child, fault_child);
	while (fd >= 0 && clock_ns(CLOCK_MONOTONIC) < end &&
	       procfs_stat_fd(fd, &st) == 0 && st.state != 'Z' &&
	       st.state != 't')
		nanosleep(&poll, NULL);
	if (fd >= 0)
		close(fd);
	if (st.state == 't') {
		/* Stopped for this thread (an interrupt it met late): it
		   would wait for the stall to end. Again at the next tick. */
		log_debug("fault: process %d stopped, the stall ends",
			  (int)fault_child);
		return;
	}
	if (st.state == 'Z')
		log_debug("fault: process %d ended during the stall",
			  (int)fault_child);
	else
		log_debug("fault: the stall ends after %lld ms, process %d "
			  "in state %c (its stat %s)",
			  (long long)(clock_ns(CLOCK_MONOTONIC) - end +
				      FAULT_STALL_NS) /
				  1000000,
			  (int)fault_child, st.state,
			  fd < 0 ? "would not open" : "read");
	fault_kind = FAULT_NONE; /* once */
}
