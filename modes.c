#include "config.h"

#include "modes.h"

#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include "common/clock.h"
#include "common/escape.h"
#include "common/exitcodes.h"
#include "common/jobctl.h"
#include "common/log.h"
#include "common/outfile.h"
#include "common/sigpoll.h"
#include "sampler/heapprof.h"
#include "tui/tui.h"
#include "views/dump.h"
#include "views/heap.h"
#include "views/pprof.h"
#include "views/report.h"
#include "views/stats.h"
#include "views/threads.h"

/* Every exit, and Ctrl-Z: the target detached within this, or cproftop
   exits (modes_stop) or does not stop (modes_suspend). */
#define MODES_DETACH_NS (CLOCK_NS_PER_S * 65 / 100)

/*
 * Ctrl-Z (SIGTSTP from the terminal): cproftop stops only once every thread
 * of the target is detached, so the target runs on while cproftop is
 * suspended; sampling resumes after SIGCONT. When the sampler cannot let go
 * in time (SAMPLER_SUSPEND_WAIT_NS), cproftop does not stop at all.
 */
static void
modes_suspend(struct sampler *s)
{
	if (sampler_suspend(s, SAMPLER_SUSPEND_WAIT_NS) == 0)
		jobctl_stop_self();
	else
		fputs("cproftop: not suspended: the target could not be "
		      "detached in time\n",
		      stderr);
	sampler_resume(s);
}

/*
 * Ends sampling. The watchdog: when the sampler thread has not detached
 * every thread of the target within MODES_DETACH_NS, whatever it is doing,
 * cproftop exits at once -- the kernel detaches the threads of a dead
 * tracer, and they run on.
 */
static void
modes_stop(struct sampler *s)
{
	if (sampler_stop_within(s, MODES_DETACH_NS) == 0)
		return;
	tui_restore();
	fputs("cproftop: the sampler did not stop in time; exiting "
	      "(the kernel detaches the target, which runs on)\n",
	      stderr);
	_exit(CPT_EXIT_ERROR);
}

/*
 * Waits for the duration, the target's end or a signal. Returns the signal
 * that ended the wait, or 0. Ctrl-Z suspends cproftop meanwhile. The
 * signals come by common/sigpoll.h (never a signalfd: every SIGCHLD of the
 * traced threads would wake this thread).
 */
static int
modes_wait(struct sampler *s, double duration)
{
	struct pollfd fds[2] = {{sampler_fd(s), POLLIN, 0},
				{fatal_fd(), POLLIN, 0}};
	int64_t t0 = clock_ns(CLOCK_MONOTONIC);
	int sig = 0;

	sigpoll_catch();
	while (!sampler_done(s)) {
		double left = 1.0;

		if (duration > 0) {
			left = duration -
			       (double)(clock_ns(CLOCK_MONOTONIC) - t0) /
				       CLOCK_NS_PER_S;
			if (left <= 0)
				break;
			if (left > 1.0) /* an int of milliseconds */
				left = 1.0;
		}
		sigpoll_wait(fds, fds[1].fd >= 0 ? 2 : 1,
			     (int)(left * 1000) + 1);
		fatal_exit_posted();
		if (fds[0].revents & POLLIN)
			profile_snapshot_unref(sampler_snapshot(s));
		while ((sig = sigpoll_take()) == SIGTSTP)
			modes_suspend(s);
		if (sig != 0)
			break;
	}
	sigpoll_release();
	return sig;
}

/*
 * --heap: the heap profile instead of the CPU one, for --top and -o. A
 * command the interposer never reported from (a static binary, a setuid
 * one), that executed another program in its place, or whose children
 * ran (cpu, the CPU profile, saw them: never profiled without --follow),
 * is said so. Returns an exit code.
 */
static int
modes_heap_output(const struct options *o, const struct profile_snapshot *cpu)
{
	struct heapprof_snapshot *h;
	char *cause = NULL;
	uint8_t *buf;
	size_t len;
	int rc = CPT_EXIT_OK;
	uint32_t others = o->heap_follow ? 0 : threads_other_processes(cpu);

	heapprof_stop(o->heapprof);
	h = heapprof_snapshot(o->heapprof);
	if (!h->loaded)
		fputs("cproftop: --heap: the heap library never reported from "
		      "the command: it does not load shared libraries (a "
		      "static binary) or ignores LD_PRELOAD (setuid); no "
		      "heap profile\n",
		      stderr);
	if (h->left_for != NULL) {
		fprintf(stderr,
			"cproftop: --heap: the command executed another "
			"program in its place, which ran unprofiled (%s): ",
			o->heap_follow ? "it never loaded the heap library: "
					 "static, or setuid"
				       : "--follow profiles the programs it "
					 "executes");
		escape_fputs(h->left_for, stderr);
		fputc('\n', stderr);
	}
	if (others > 0)
		fprintf(stderr,
			"cproftop: --heap: %u other process%s the command "
			"started ran unprofiled (--follow profiles them, "
			"and the programs they execute)\n",
			others, others == 1 ? "" : "es");
	if (h->loaded && h->samples == 0 && h->left_for == NULL && others == 0)
		fputs("cproftop: --heap: no allocation sampled: the command "
		      "allocated less than --heap-rate bytes through malloc, "
		      "uses its own allocator, or left the work to processes "
		      "it started (--follow profiles them, and the programs "
		      "they execute)\n",
		      stderr);
	if (h->dropped > 0 || h->untracked > 0 || h->overflow > 0) {
		char split[128] = "";

		/* the split in --top's words (views/heap.c) */
		if (h->dropped > 0)
			heap_dropped_split(split, sizeof(split), h, false);
		fprintf(stderr,
			"cproftop: --heap: %llu records lost%s%s%s, %llu "
			"samples untracked, %llu past the bound on (stack, "
			"size) buckets\n",
			(unsigned long long)h->dropped, split[0] ? " (" : "",
			split, split[0] ? ")" : "",
			(unsigned long long)h->untracked,
			(unsigned long long)h->overflow);
	}
	if (o->top > 0 &&
	    heap_report_top(stdout, h, o->heap_view, (size_t)o->top) != 0)
		rc = CPT_EXIT_OUTPUT;
	fflush(stdout);
	if (o->output != NULL) {
		heap_pprof_gzip(h, o->heap_view, &buf, &len);
		if (outfile_write(o->output, buf, len, &cause) != 0) {
			log_warn("%s", cause);
			free(cause);
			rc = CPT_EXIT_OUTPUT;
		}
		free(buf);
	}
	heapprof_snapshot_free(h);
	return rc;
}

/* Writes what the headless options ask for. Returns an exit code. */
static int
modes_output(const struct options *o, const struct profile_snapshot *s)
{
	char *cause = NULL;
	uint8_t *buf;
	size_t len;
	int rc = CPT_EXIT_OK;

	if (o->heap)
		return modes_heap_output(o, s);
	if (o->dump)
		dump_write(stdout, s);
	if (o->top > 0 &&
	    report_top(stdout, s, &o->filter, (size_t)o->top) != 0)
		rc = CPT_EXIT_OUTPUT;
	/* The file holds the whole profile of the mode: pprof's own -focus
	   and -hide select in it. */
	fflush(stdout);
	if (o->output != NULL) {
		pprof_encode_gzip(s, &o->filter, &buf, &len);
		if (outfile_write(o->output, buf, len, &cause) != 0) {
			log_warn("%s", cause);
			free(cause);
			rc = CPT_EXIT_OUTPUT;
		}
		free(buf);
	}
	return rc;
}

/*
 * Spawn mode reports the command's status: its exit code, or 128 + the
 * signal that killed it. A command still running when profiling stops
 * (-d elapsed, or q) runs on untraced and is waited for, as perf record
 * does; Ctrl-C reaches it (it shares cproftop's process group).
 */
static int
modes_child_status(const struct profile_snapshot *s)
{
	int st;

	switch (s->target_state) {
	case PROFILE_TARGET_EXITED:
		return s->target_status;
	case PROFILE_TARGET_SIGNALED:
		return 128 + s->target_status;
	case PROFILE_TARGET_RUNNING:
		fprintf(stderr,
			"cproftop: profiling stopped; waiting for %d to end "
			"(Ctrl-C interrupts it)\n",
			s->pid);
		if (waitpid(s->pid, &st, 0) == s->pid)
			return WIFEXITED(st) ? WEXITSTATUS(st)
					     : 128 + WTERMSIG(st);
		break;
	case PROFILE_TARGET_GONE:
		break;
	}
	return CPT_EXIT_ERROR;
}

/* The wall-clock seconds given, with cproftop's CPU use and peak RSS. */
static void
modes_stats(const struct profile_snapshot *s)
{
	struct rusage ru;
	double elapsed = (double)s->duration_ns / 1e9;

	getrusage(RUSAGE_SELF, &ru);
	stats_write(
		stderr, s, elapsed,
		(double)ru.ru_utime.tv_sec + (double)ru.ru_stime.tv_sec +
			(double)(ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) /
				1e6,
		ru.ru_maxrss);
}

int
modes_headless(const struct options *o, struct sampler *s)
{
	struct profile_snapshot *snap;
	int sig = modes_wait(s, o->duration), rc;

	modes_stop(s);
	snap = sampler_snapshot(s);
	if (o->stats)
		modes_stats(snap);
	rc = modes_output(o, snap);
	if (rc == CPT_EXIT_OK && o->sampler.argv != NULL)
		rc = modes_child_status(snap);
	profile_snapshot_unref(snap);
	if (sig != 0)
		log_debug("stopped by signal %d", sig);
	return rc;
}

int
modes_tui(const struct options *o, struct sampler *s)
{
	struct tui_options to = {
		.output = o->output,
		.wall = o->wall,
		.source_paths = o->source_paths,
		.nsource_paths = o->nsource_paths,
		.script = o->script,
		.base = o->base,
		.refresh = o->refresh,
		.window = o->window,
		.heap = o->heapprof,
	};
	struct profile_snapshot *snap;
	int rc = tui_run(s, &to);

	modes_stop(s);
	if (rc == CPT_EXIT_OK && o->sampler.argv != NULL) {
		snap = sampler_snapshot(s);
		rc = modes_child_status(snap);
		profile_snapshot_unref(snap);
	}
	return rc;
}
