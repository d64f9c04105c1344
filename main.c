/*
 * cproftop: a top-style live profiler for native Linux programs.
 *
 * main() parses the command line (options.c), sets up the signals, the
 * HTTP port and --heap's ring, starts the sampler thread (which attaches
 * or spawns) and then runs the live screen or a headless mode (modes.c):
 * --top (a pprof-style table), -o (a pprof profile), --dump (every
 * thread's stack once). Exit codes: common/exitcodes.h and README.md.
 */
#include "config.h"

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>

#include "common/exitcodes.h"
#include "common/log.h"
#include "common/sigpoll.h"
#include "heap/source.h"
#include "http/http.h"
#include "modes.h"
#include "options.h"
#include "sampler/heapprof.h"
#include "sampler/sampler.h"
#include "tui/tui.h"
#include "views/filter.h"

/*
 * The signals cproftop takes itself (common/sigpoll.h, while the main
 * thread waits) and SIGCHLD (the sampler's), blocked in every thread.
 */
static void
main_block_signals(void)
{
	sigpoll_block();
	sampler_block_signals();
}

#ifndef __SANITIZE_ADDRESS__
/*
 * A crash inside cproftop: restore the terminal, then die of the same
 * signal. The kernel detaches every traced thread when a tracer dies, and
 * they run on (a signal being reported to us is delivered as it would be).
 */
static void
main_on_crash(int sig)
{
	tui_emergency_restore();
	raise(sig);
}
#endif

/*
 * Crash handlers. (The test hook CPROFTOP_INJECT_FAULT that makes the
 * sampler thread fail is in sampler/fault.c.)
 */
static void
main_crash_setup(void)
{
#ifndef __SANITIZE_ADDRESS__ /* ASan reports crashes itself */
	static const int sigs[] = {SIGSEGV, SIGBUS, SIGILL, SIGFPE, SIGABRT};
	struct sigaction sa = {.sa_handler = main_on_crash,
			       .sa_flags = SA_RESETHAND | SA_NODEFER};

	for (size_t i = 0; i < sizeof(sigs) / sizeof(sigs[0]); i++)
		sigaction(sigs[i], &sa, NULL);
#endif
}

/*
 * --heap: the ring, and the environment that preloads the interposer into
 * the command sampler_start() spawns. Returns 0, or -1 (said why).
 */
static int
main_heap_open(struct options *o, struct heap_source **out)
{
	char *cause = NULL, *lib = heap_source_library(&cause);

	if (o->heap_rate == 0)
		o->heap_rate = 512 * 1024;
	if (lib == NULL ||
	    heap_source_open(lib, o->heap_rate, o->heap_follow, out, &cause)) {
		log_warn("%s", cause);
		free(cause);
		free(lib);
		return -1;
	}
	free(lib);
	return 0;
}

/* Starts the sampler, then the screen or the headless mode. */
static int
main_run(struct options *o)
{
	struct sampler *s;
	struct http_server *h = NULL;
	struct heap_source *hs = NULL;
	char *cause = NULL;
	int rc;

	log_open();
	main_block_signals();
	if (o->sampler.child_output == NULL)
		o->sampler.child_output =
			o->headless ? "/dev/stderr" : "/dev/null";
	/* the live screen needs a terminal that can draw it: say so before
	   touching the target */
	if (!o->headless && o->script == NULL &&
	    tui_check_terminal(&cause) != 0) {
		log_warn("%s", cause);
		free(cause);
		log_close();
		return CPT_EXIT_ERROR;
	}
	/* The port first: a busy one never costs the target an attach. */
	rc = o->http.listen != NULL ? http_listen(&o->http, &h, &cause) : 0;
	if (rc != 0) {
		log_warn("%s", cause);
		free(cause);
		log_close();
		return CPT_EXIT_HTTP;
	}
	if (o->heap && main_heap_open(o, &hs) != 0) {
		http_free(h);
		return CPT_EXIT_ERROR;
	}
	rc = sampler_start(&o->sampler, &s, &cause);
	if (rc != 0) {
		log_warn("%s", cause);
		free(cause);
		http_free(h);
		heap_source_free(hs);
		return rc;
	}
	if (hs != NULL) {
		struct profile_snapshot *snap = sampler_snapshot(s);

		o->heapprof = heapprof_start(hs, snap->pid, o->heap_rate);
		profile_snapshot_unref(snap);
		if (h != NULL)
			http_set_heap(h, o->heapprof);
	}
	main_crash_setup();
	if (h != NULL && http_serve(h, s, &cause) != 0) {
		log_warn("%s", cause);
		free(cause);
		rc = CPT_EXIT_HTTP;
	} else {
		rc = o->headless ? modes_headless(o, s) : modes_tui(o, s);
	}
	sampler_stop(s);
	http_free(h); /* before sampler_free: snapshots borrow its strings */
	heapprof_free(o->heapprof); /* after http_free, as the sampler */
	heap_source_free(hs);
	sampler_free(s);
	log_close();
	return rc;
}

int
main(int argc, char **argv)
{
	struct options o = {0};
	int rc;

	filter_init(&o.filter);
	o.heap_view = HEAP_VIEW_INUSE_SPACE;
	rc = options_parse(argc, argv, &o);
	if (rc < 0) {
		o.filter.mode = o.wall ? FILTER_MODE_WALL : FILTER_MODE_CPU;
		/* The live screen can switch to wall mode at any time. */
		o.sampler.offcpu = o.wall || !o.headless;
		rc = main_run(&o);
	}
	filter_free(&o.filter);
	free(o.source_paths);
	return rc;
}
