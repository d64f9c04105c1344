/*
 * attach-driver: exercises attach/ the way the sampler does, for the fault
 * tests in tests/attach/.
 *
 *   attach-driver [-F HZ] [-d SECONDS] -p PID
 *   attach-driver [-F HZ] [-d SECONDS] [-o FILE] -- COMMAND [ARGS...]
 *
 * Samples every thread at HZ (default 1000) with a callback that copies the
 * registers and 256 bytes of stack, for SECONDS (default: until the target
 * ends; in spawn mode it then waits for the command untraced), then prints
 * "samples=N threads_seen=N median_stop_us=X p99_stop_us=Y", detaches and
 * exits 0 -- or, in spawn mode, with the command's status (128 + signal
 * when killed). SIGINT/SIGTERM/SIGHUP detach cleanly. Attach errors print
 * the message and exit with its CPT_EXIT_* code.
 */
#include "config.h"

#include <errno.h>
#include <stdbool.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/signalfd.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "attach/attach.h"
#include "common/exitcodes.h"
#include "common/xmalloc.h"

#define USAGE                                                                  \
	"attach-driver [-F HZ] [-d SECONDS] -p PID | "                         \
	"[-F HZ] [-d SECONDS] [-o FILE] -- COMMAND [ARGS...]"

struct driver {
	struct attach *a;
	int64_t batch_start; /* when the batch's interrupts went out */
	double *stops_us;    /* interrupt -> resume, per sample */
	size_t nstops, capstops;
	pid_t *seen; /* open-addressing set of sampled TIDs, 0 = empty */
	size_t seen_cap, nseen;
	struct user_regs_struct regs;
	unsigned char stack[256];
};

static int64_t
driver_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

static void
driver_seen_add(struct driver *d, pid_t tid)
{
	size_t i;

	if (d->nseen * 2 >= d->seen_cap) {
		pid_t *old = d->seen;
		size_t oldcap = d->seen_cap;

		d->seen_cap = oldcap ? oldcap * 2 : 64;
		d->seen = xcalloc(d->seen_cap, sizeof(*d->seen));
		d->nseen = 0;
		for (i = 0; i < oldcap; i++) {
			if (old[i] != 0)
				driver_seen_add(d, old[i]);
		}
		free(old);
	}
	for (i = (size_t)tid % d->seen_cap; d->seen[i] != 0;
	     i = (i + 1) % d->seen_cap) {
		if (d->seen[i] == tid)
			return;
	}
	d->seen[i] = tid;
	d->nseen++;
}

/* The sampler's callback: copy, note the stop time, return. */
static void
driver_sample(pid_t tid, const struct user_regs_struct *regs, void *arg)
{
	struct driver *d = arg;

	d->regs = *regs;
	attach_read(d->a, regs->rsp, d->stack, sizeof(d->stack));
	driver_seen_add(d, tid);
	if (d->nstops == d->capstops) {
		d->capstops = d->capstops ? d->capstops * 2 : 4096;
		d->stops_us = xreallocarray(d->stops_us, d->capstops,
					    sizeof(*d->stops_us));
	}
	d->stops_us[d->nstops++] = (driver_now() - d->batch_start) / 1e3;
}

static int
driver_cmp(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

static void
driver_report(struct driver *d)
{
	double med = 0, p99 = 0;

	if (d->nstops > 0) {
		qsort(d->stops_us, d->nstops, sizeof(double), driver_cmp);
		med = d->stops_us[d->nstops / 2];
		p99 = d->stops_us[(d->nstops * 99) / 100];
	}
	printf("samples=%zu threads_seen=%zu median_stop_us=%.1f "
	       "p99_stop_us=%.1f\n",
	       d->nstops, d->nseen, med, p99);
	fflush(stdout);
}

/*
 * Samples until the duration ends (0: forever), a quit signal, or the
 * target's end. Returns true on a quit signal.
 */
static bool
driver_loop(struct driver *d, double hz, double seconds, int sigfd)
{
	int64_t period = (int64_t)(1e9 / hz), next = driver_now();
	int64_t end = seconds > 0 ? next + (int64_t)(seconds * 1e9) : INT64_MAX;
	pid_t *tids = NULL;
	size_t cap = 0;
	int rc = 0;

	while (next < end) {
		const struct attach_thread *th;
		size_t n, k = 0;

		next += period;
		rc = attach_wait(d->a, next < end ? next : end, sigfd);
		if (rc != 0)
			break;
		n = attach_threads(d->a, &th);
		if (n > cap) {
			cap = n * 2;
			tids = xreallocarray(tids, cap, sizeof(*tids));
		}
		for (size_t i = 0; i < n; i++) {
			if (!th[i].group_stopped)
				tids[k++] = th[i].tid;
		}
		d->batch_start = driver_now();
		if (attach_sample(d->a, tids, k, driver_sample, d, 100000000) <
		    0)
			break;
		if (driver_now() > next + 100 * period)
			next = driver_now();
	}
	free(tids);
	return rc == 1;
}

/* SIGCHLD and the quit signals, blocked; the quit ones on a signalfd. */
static int
driver_signals(void)
{
	sigset_t all, quit;

	sigemptyset(&quit);
	sigaddset(&quit, SIGINT);
	sigaddset(&quit, SIGTERM);
	sigaddset(&quit, SIGHUP);
	all = quit;
	sigaddset(&all, SIGCHLD);
	sigprocmask(SIG_BLOCK, &all, NULL);
	return signalfd(-1, &quit, SFD_CLOEXEC | SFD_NONBLOCK);
}

/*
 * Detaches from the spawned command and returns its status as an exit
 * code, waiting for it untraced when it still runs.
 */
static int
driver_spawn_end(struct attach *a)
{
	pid_t pid = attach_pid_of(a);
	int code, status;
	enum attach_state st = attach_state(a, &code);

	attach_detach(a);
	if (st == ATTACH_EXITED)
		return code;
	if (st == ATTACH_SIGNALED)
		return 128 + code;
	while (waitpid(pid, &status, 0) < 0) {
		if (errno != EINTR)
			return CPT_EXIT_ERROR;
	}
	return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

/* The exit code cproftop gives for a failure to attach or spawn. */
static int
driver_exit_code(enum attach_failure why)
{
	static const int code[] = {
		[ATTACH_FAIL_OTHER] = CPT_EXIT_ERROR,
		[ATTACH_FAIL_NOPROC] = CPT_EXIT_NOPROC,
		[ATTACH_FAIL_PERM] = CPT_EXIT_PERM,
		[ATTACH_FAIL_TRACED] = CPT_EXIT_TRACED,
		[ATTACH_FAIL_BADTARGET] = CPT_EXIT_BADTARGET,
		[ATTACH_FAIL_NOTFOUND] = CPT_EXIT_NOTFOUND,
	};

	return code[why];
}

int
main(int argc, char **argv)
{
	struct driver d = {0};
	double hz = 1000, seconds = 0;
	const char *out = NULL;
	enum attach_failure why = ATTACH_FAIL_OTHER;
	char *cause = NULL;
	pid_t pid = 0;
	int opt, rc, sigfd, code = 0;
	bool quit;

	while ((opt = getopt(argc, argv, "F:d:p:o:")) != -1) {
		switch (opt) {
		case 'F':
			hz = atof(optarg);
			break;
		case 'd':
			seconds = atof(optarg);
			break;
		case 'p':
			pid = (pid_t)atoi(optarg);
			break;
		case 'o':
			out = optarg;
			break;
		default:
			fprintf(stderr, "usage: %s\n", USAGE);
			return CPT_EXIT_USAGE;
		}
	}
	if (hz <= 0 || (pid == 0) == (optind >= argc)) {
		fprintf(stderr, "usage: %s\n", USAGE);
		return CPT_EXIT_USAGE;
	}
	sigfd = driver_signals();
	rc = pid ? attach_pid(pid, false, &d.a, &why, &cause)
		 : attach_spawn(argv + optind, out, 0, &d.a, &why, &cause);
	if (rc != 0) {
		fprintf(stderr, "attach-driver: %s\n", cause);
		free(cause);
		return driver_exit_code(why);
	}
	quit = driver_loop(&d, hz, seconds, sigfd);
	driver_report(&d);
	if (attach_spawned(d.a) && !quit)
		code = driver_spawn_end(d.a);
	else
		attach_detach(d.a);
	free(d.stops_us);
	free(d.seen);
	return code;
}
