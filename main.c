/*
 * cproftop: a top-style live profiler for native Linux programs.
 *
 * main() parses the command line, starts the sampler thread (which attaches
 * or spawns) and then either runs the TUI or one of the headless modes:
 * --top (a pprof-style table), -o (a pprof profile), --dump (every thread's
 * stack once). Exit codes: common/exitcodes.h and README.md.
 */
#include "config.h"

#include <ctype.h>
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <math.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/signalfd.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "common/clock.h"
#include "common/exitcodes.h"
#include "common/jobctl.h"
#include "common/log.h"
#include "common/outfile.h"
#include "common/xmalloc.h"
#include "heap/source.h"
#include "http/http.h"
#include "sampler/heapprof.h"
#include "sampler/sampler.h"
#include "tui/tui.h"
#include "version.h"
#include "views/dump.h"
#include "views/filter.h"
#include "views/heap.h"
#include "views/pprof.h"
#include "views/report.h"

/* Every exit, and Ctrl-Z: the target detached within this, or cproftop
   exits (main_stop) or does not stop (main_suspend). */
#define MAIN_DETACH_NS (CLOCK_NS_PER_S * 65 / 100)

struct main_options {
	struct sampler_options sampler;
	double duration; /* seconds; 0 = until the target ends or a signal */
	const char *output;
	int top; /* rows for --top; 0 = no table */
	bool dump, wall, headless, stats;
	const char *script;
	const char *base;	  /* --base: the live screen's diff base */
	unsigned refresh, window; /* --refresh, --window (live screen) */
	const char **source_paths;
	size_t nsource_paths;
	struct filter filter;	  /* --top: mode, focus and hide */
	struct http_options http; /* --http: listen NULL when off */
	bool heap;		  /* --heap: a heap profile (spawn mode) */
	enum heap_view heap_view; /* --heap=VIEW: --top's view */
	uint64_t heap_rate;	  /* --heap-rate: bytes between samples */
	struct heapprof *heapprof;
};

static void
main_usage(FILE *f)
{
	fputs("Usage: cproftop [options] -p PID\n"
	      "       cproftop [options] -- COMMAND [ARGS...]\n"
	      "\n"
	      "  -p, --pid PID         attach to the running process PID\n"
	      "  -F, --freq HZ         samples per second per thread "
	      "(default 99)\n"
	      "  -d, --duration SECS   stop after SECS seconds (headless)\n"
	      "  -o, --output FILE     write a gzip'd pprof profile "
	      "(profile.pb.gz)\n"
	      "      --top [N]         print the N hottest functions like "
	      "pprof -top (default 20)\n"
	      "      --dump            print every thread's stack once, "
	      "then detach\n"
	      "      --wall            count off-CPU samples too "
	      "(wall clock) in --top and -o\n"
	      "      --focus RE        --top: only stacks through a function "
	      "matching RE\n"
	      "      --hide RE         --top: drop the frames of functions "
	      "matching RE\n"
	      "      --noinlines       --top: an inlined function counts for "
	      "its caller (pprof)\n"
	      "      --child-output F  spawn mode: the command's stdout and "
	      "stderr go to F\n"
	      "      --follow          also profile the processes the target "
	      "forks (default\n"
	      "                        in spawn mode; with -p: those born "
	      "after attaching)\n"
	      "      --no-follow       only the target process itself\n"
	      "      --stats           print the sampler's figures to stderr "
	      "at the end\n"
	      "      --backend B       auto (default), perf (kernel samples, "
	      "no stops) or ptrace\n"
	      "      --stack-size N    perf: bytes of stack copied per sample "
	      "(default 8192)\n"
	      "      --source-path P   where to look for source files: a "
	      "directory, or FROM=TO\n"
	      "                        to rewrite a path prefix (repeatable)\n"
	      "      --http [HOST:]PORT  serve Go's /debug/pprof/ "
	      "profiles (HOST 127.0.0.1)\n"
	      "      --http-max-profiles N  profile requests served at "
	      "once (default 16)\n"
	      "      --heap[=VIEW]     spawn mode, headless: a heap profile "
	      "(-o, --top VIEW,\n"
	      "                        inuse_space (default), inuse_objects, "
	      "alloc_space,\n"
	      "                        alloc_objects)\n"
	      "      --heap-rate BYTES mean bytes between sampled allocations "
	      "(default 524288)\n"
	      "      --script FILE     TUI keys from FILE, screens dumped to "
	      "stdout (tests)\n"
	      "      --base FILE       live screen: a Δflat% column against "
	      "this pprof profile\n"
	      "      --refresh SECS    live screen: a new screen every SECS "
	      "(1-60, default 1)\n"
	      "      --window SECS     live screen: the `w` window (1-3600, "
	      "default 5)\n"
	      "\n"
	      "Without -d, --top or --dump cproftop shows the live screen "
	      "(press ? there).\n"
	      "Spawned commands write to /dev/null under the live screen, to "
	      "stderr headless.\n"
	      "  -h, --help            this help\n"
	      "  -V, --version         cproftop's version\n",
	      f);
}

/*
 * Parses a decimal integer in [min, max]: digits only (no sign, spaces,
 * hex, octal or fraction). Returns 0, or -1.
 */
static int
main_int(const char *arg, long long min, long long max, long long *out)
{
	char *end;
	long long v;

	if (arg[0] < '0' || arg[0] > '9')
		return -1;
	errno = 0;
	v = strtoll(arg, &end, 10);
	if (errno != 0 || *end != '\0' || v < min || v > max)
		return -1;
	*out = v;
	return 0;
}

/*
 * Parses a finite decimal number of seconds in [min, max] ("2", "0.5",
 * "1e3"; not nan, inf or hex). Returns 0, or -1.
 */
static int
main_seconds(const char *arg, double min, double max, double *out)
{
	char *end;
	double v;

	if (strspn(arg, "0123456789.eE+-") != strlen(arg) ||
	    strpbrk(arg, "0123456789") == NULL)
		return -1;
	errno = 0;
	v = strtod(arg, &end);
	if (errno != 0 || end == arg || *end != '\0' || !isfinite(v) ||
	    v < min || v > max)
		return -1;
	*out = v;
	return 0;
}

/*
 * --top takes an optional count: "--top=N" as getopt has it, and "--top N"
 * as users type it, when the next word looks like a number (so "--top --
 * CMD" and "--top -p PID" keep their meaning). Returns the count's text,
 * or NULL for the default.
 */
static const char *
main_top_arg(int argc, char **argv)
{
	const char *next = optind < argc ? argv[optind] : NULL;

	if (optarg != NULL)
		return optarg;
	if (next == NULL ||
	    !(isdigit((unsigned char)next[0]) ||
	      (next[0] == '-' && isdigit((unsigned char)next[1]))))
		return NULL;
	optind++;
	return next;
}

static int
main_bad(const char *what, const char *arg)
{
	log_warn("invalid %s: '%s'", what, arg);
	return CPT_EXIT_USAGE;
}

/* --focus / --hide: sets the pattern, or says why it does not compile. */
static int
main_regex(struct main_options *o, bool focus, const char *re)
{
	char *cause = NULL;
	int rc = focus ? filter_set_focus(&o->filter, re, &cause)
		       : filter_set_hide(&o->filter, re, &cause);

	if (rc != 0) {
		log_warn("invalid --%s: %s", focus ? "focus" : "hide", cause);
		free(cause);
	}
	return rc;
}

/* --backend: auto, perf or ptrace. Returns 0, or -1. */
static int
main_backend(const char *arg, enum sampler_backend *out)
{
	static const char *const names[] = {"auto", "perf", "ptrace"};

	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (strcmp(arg, names[i]) == 0) {
			*out = (enum sampler_backend)i;
			return 0;
		}
	return -1;
}

/* Parses argv into o. Returns -1 to go on, or an exit code. */
static int
main_parse(int argc, char **argv, struct main_options *o)
{
	enum {
		OPT_TOP = 256,
		OPT_DUMP,
		OPT_WALL,
		OPT_CHILD_OUTPUT,
		OPT_STATS,
		OPT_SCRIPT,
		OPT_BASE,
		OPT_REFRESH,
		OPT_WINDOW,
		OPT_SOURCE_PATH,
		OPT_FOCUS,
		OPT_HIDE,
		OPT_BACKEND,
		OPT_STACK_SIZE,
		OPT_HTTP,
		OPT_HTTP_MAX,
		OPT_FOLLOW,
		OPT_NO_FOLLOW,
		OPT_NOINLINES,
		OPT_HEAP,
		OPT_HEAP_RATE,
	};
	static const struct option longopts[] = {
		{"pid", required_argument, NULL, 'p'},
		{"freq", required_argument, NULL, 'F'},
		{"duration", required_argument, NULL, 'd'},
		{"output", required_argument, NULL, 'o'},
		{"top", optional_argument, NULL, OPT_TOP},
		{"dump", no_argument, NULL, OPT_DUMP},
		{"wall", no_argument, NULL, OPT_WALL},
		{"child-output", required_argument, NULL, OPT_CHILD_OUTPUT},
		{"stats", no_argument, NULL, OPT_STATS},
		{"script", required_argument, NULL, OPT_SCRIPT},
		{"base", required_argument, NULL, OPT_BASE},
		{"refresh", required_argument, NULL, OPT_REFRESH},
		{"window", required_argument, NULL, OPT_WINDOW},
		{"source-path", required_argument, NULL, OPT_SOURCE_PATH},
		{"focus", required_argument, NULL, OPT_FOCUS},
		{"hide", required_argument, NULL, OPT_HIDE},
		{"backend", required_argument, NULL, OPT_BACKEND},
		{"stack-size", required_argument, NULL, OPT_STACK_SIZE},
		{"http", required_argument, NULL, OPT_HTTP},
		{"http-max-profiles", required_argument, NULL, OPT_HTTP_MAX},
		{"follow", no_argument, NULL, OPT_FOLLOW},
		{"no-follow", no_argument, NULL, OPT_NO_FOLLOW},
		{"noinlines", no_argument, NULL, OPT_NOINLINES},
		{"heap", optional_argument, NULL, OPT_HEAP},
		{"heap-rate", required_argument, NULL, OPT_HEAP_RATE},
		{"help", no_argument, NULL, 'h'},
		{"version", no_argument, NULL, 'V'},
		{NULL, 0, NULL, 0},
	};
	const char *arg;
	char *cause;
	long long n;
	int c, follow = -1; /* -1: the mode's default */

	o->sampler.hz = 99;
	/* The default backend, for scripts and tests; --backend wins. */
	arg = getenv("CPROFTOP_BACKEND");
	if (arg != NULL && *arg != '\0' &&
	    main_backend(arg, &o->sampler.backend) != 0)
		return main_bad("CPROFTOP_BACKEND (auto, perf, ptrace)", arg);
	while ((c = getopt_long(argc, argv, "+p:F:d:o:hV", longopts, NULL)) !=
	       -1) {
		switch (c) {
		case 'p':
			if (main_int(optarg, 1, INT_MAX, &n) != 0)
				return main_bad("PID", optarg);
			o->sampler.pid = (pid_t)n;
			break;
		case 'F':
			if (main_int(optarg, 1, 10000, &n) != 0)
				return main_bad("rate (1-10000 Hz)", optarg);
			o->sampler.hz = (uint32_t)n;
			break;
		case 'd':
			if (main_seconds(optarg, 0.01, 1e7, &o->duration) != 0)
				return main_bad("duration (0.01-1e7 seconds)",
						optarg);
			o->headless = true;
			break;
		case 'o':
			o->output = optarg;
			break;
		case OPT_TOP:
			o->top = 20;
			arg = main_top_arg(argc, argv);
			if (arg != NULL && main_int(arg, 1, 1000000, &n) != 0)
				return main_bad("--top count (1-1000000)", arg);
			if (arg != NULL)
				o->top = (int)n;
			o->headless = true;
			break;
		case OPT_DUMP:
			o->dump = o->headless = true;
			o->sampler.once = true;
			break;
		case OPT_WALL:
			o->wall = true;
			break;
		case OPT_CHILD_OUTPUT:
			o->sampler.child_output = optarg;
			break;
		case OPT_STATS:
			o->stats = true;
			break;
		case OPT_SCRIPT:
			o->script = optarg;
			break;
		case OPT_BASE:
			o->base = optarg;
			break;
		case OPT_REFRESH:
			if (main_int(optarg, 1, 60, &n) != 0)
				return main_bad("--refresh (1-60 seconds)",
						optarg);
			o->refresh = (unsigned)n;
			break;
		case OPT_WINDOW:
			if (main_int(optarg, 1, 3600, &n) != 0)
				return main_bad("--window (1-3600 seconds)",
						optarg);
			o->window = (unsigned)n;
			break;
		case OPT_FOCUS:
		case OPT_HIDE:
			if (main_regex(o, c == OPT_FOCUS, optarg) != 0)
				return CPT_EXIT_USAGE;
			break;
		case OPT_BACKEND:
			if (main_backend(optarg, &o->sampler.backend) != 0)
				return main_bad(
					"--backend (auto, perf, ptrace)",
					optarg);
			break;
		case OPT_STACK_SIZE:
			if (main_int(optarg, 512, 65528, &n) != 0)
				return main_bad(
					"--stack-size (512-65528 bytes)",
					optarg);
			o->sampler.stack_bytes = (uint32_t)n & ~7U;
			break;
		case OPT_HTTP:
			if (http_check_listen(optarg, &cause) != 0) {
				log_warn("%s", cause);
				free(cause);
				return CPT_EXIT_USAGE;
			}
			o->http.listen = optarg;
			break;
		case OPT_HTTP_MAX:
			if (main_int(optarg, 1, 1000, &n) != 0)
				return main_bad("--http-max-profiles (1-1000)",
						optarg);
			o->http.max_profiles = (unsigned)n;
			break;
		case OPT_FOLLOW:
		case OPT_NO_FOLLOW:
			follow = c == OPT_FOLLOW;
			break;
		case OPT_NOINLINES:
			o->filter.noinlines = true;
			break;
		case OPT_HEAP:
			o->heap = true;
			if (optarg != NULL &&
			    heap_view_parse(optarg, &o->heap_view) != 0)
				return main_bad("--heap view (inuse_space, "
						"inuse_objects, alloc_space, "
						"alloc_objects)",
						optarg);
			break;
		case OPT_HEAP_RATE:
			if (main_int(optarg, 1, 1LL << 40, &n) != 0)
				return main_bad("--heap-rate (1-2^40 bytes)",
						optarg);
			o->heap_rate = (uint64_t)n;
			break;
		case OPT_SOURCE_PATH:
			o->source_paths = xreallocarray(o->source_paths,
							o->nsource_paths + 1,
							sizeof(char *));
			o->source_paths[o->nsource_paths++] = optarg;
			break;
		case 'h':
			main_usage(stdout);
			return CPT_EXIT_OK;
		case 'V':
			printf("cproftop %s\n", CPT_VERSION);
			return CPT_EXIT_OK;
		default:
			main_usage(stderr);
			return CPT_EXIT_USAGE;
		}
	}
	if (optind < argc)
		o->sampler.argv = &argv[optind];
	/* Like perf record: a spawned command's children by default. */
	o->sampler.follow = follow >= 0 ? follow == 1 : o->sampler.argv != NULL;
	if ((o->sampler.pid > 0) == (o->sampler.argv != NULL)) {
		fputs("cproftop: give either -p PID or -- COMMAND\n", stderr);
		main_usage(stderr);
		return CPT_EXIT_USAGE;
	}
	if (o->http.listen != NULL && o->dump) {
		fputs("cproftop: --http serves while sampling; not with "
		      "--dump\n",
		      stderr);
		return CPT_EXIT_USAGE;
	}
	/* --http without a terminal: serve until SIGINT/SIGTERM (or -d). */
	if (o->http.listen != NULL && o->script == NULL &&
	    (!isatty(STDIN_FILENO) || !isatty(STDOUT_FILENO)))
		o->headless = true;
	if (o->heap && o->output != NULL)
		o->headless = true; /* -o writes the heap profile */
	if (o->heap && o->sampler.pid > 0) {
		fputs("cproftop: --heap needs spawn mode (cproftop --heap -- "
		      "COMMAND): the allocation interposer is loaded when the "
		      "command starts; a running process cannot be given one "
		      "without injecting code\n",
		      stderr);
		return CPT_EXIT_USAGE;
	}
	if (o->heap && o->dump) {
		fputs("cproftop: --heap writes a heap profile (-o FILE, --top, "
		      "--http, the live screen's heap modes); not with "
		      "--dump\n",
		      stderr);
		return CPT_EXIT_USAGE;
	}
	return -1;
}

/*
 * The signals cproftop handles itself (read through a signalfd by whoever
 * waits) and SIGCHLD (the sampler's), blocked in every thread.
 */
static int
main_block_signals(void)
{
	sigset_t set;
	int fd;

	sigemptyset(&set);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGHUP);
	sigaddset(&set, SIGQUIT);
	sigaddset(&set, SIGTSTP); /* Ctrl-Z: main_suspend() */
	pthread_sigmask(SIG_BLOCK, &set, NULL);
	sampler_block_signals();
	fd = signalfd(-1, &set, SFD_CLOEXEC | SFD_NONBLOCK);
	if (fd < 0)
		fatal("signalfd");
	return fd;
}

/*
 * Ctrl-Z (SIGTSTP from the terminal): cproftop stops only once every thread
 * of the target is detached, so the target runs on while cproftop is
 * suspended; sampling resumes after SIGCONT. When the sampler cannot let go
 * in time (SAMPLER_SUSPEND_WAIT_NS), cproftop does not stop at all.
 */
static void
main_suspend(struct sampler *s)
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
 * every thread of the target within MAIN_DETACH_NS, whatever it is doing,
 * cproftop exits at once -- the kernel detaches the threads of a dead
 * tracer, and they run on.
 */
static void
main_stop(struct sampler *s)
{
	if (sampler_stop_within(s, MAIN_DETACH_NS) == 0)
		return;
	tui_restore();
	fputs("cproftop: the sampler did not stop in time; exiting "
	      "(the kernel detaches the target, which runs on)\n",
	      stderr);
	_exit(CPT_EXIT_ERROR);
}

/*
 * Waits for the duration, the target's end or a signal. Returns the signal
 * that ended the wait, or 0. Ctrl-Z suspends cproftop meanwhile.
 */
static int
main_wait(struct sampler *s, int sigfd, double duration)
{
	struct pollfd fds[3] = {{sigfd, POLLIN, 0},
				{sampler_fd(s), POLLIN, 0},
				{fatal_fd(), POLLIN, 0}};
	int64_t t0 = clock_ns(CLOCK_MONOTONIC);

	while (!sampler_done(s)) {
		double left = 1.0;
		struct signalfd_siginfo si;

		if (duration > 0) {
			left = duration -
			       (double)(clock_ns(CLOCK_MONOTONIC) - t0) /
				       CLOCK_NS_PER_S;
			if (left <= 0)
				break;
		}
		if (poll(fds, fds[2].fd >= 0 ? 3 : 2, (int)(left * 1000) + 1) <
			    0 &&
		    errno != EINTR)
			fatal("poll");
		fatal_exit_posted();
		if (fds[1].revents & POLLIN)
			profile_snapshot_unref(sampler_snapshot(s));
		if (!(fds[0].revents & POLLIN) ||
		    read(sigfd, &si, sizeof(si)) != sizeof(si))
			continue;
		if (si.ssi_signo != SIGTSTP)
			return (int)si.ssi_signo;
		main_suspend(s);
	}
	return 0;
}

/*
 * --heap: the heap profile instead of the CPU one, for --top and -o. A
 * command the interposer never reported from (a static binary, a setuid
 * one) is said so. Returns an exit code.
 */
static int
main_heap_output(const struct main_options *o)
{
	struct heapprof_snapshot *h;
	char *cause = NULL;
	uint8_t *buf;
	size_t len;
	int rc = CPT_EXIT_OK;

	heapprof_stop(o->heapprof);
	h = heapprof_snapshot(o->heapprof);
	if (!h->loaded)
		fputs("cproftop: --heap: the heap library never reported from "
		      "the command: it does not load shared libraries (a "
		      "static binary) or ignores LD_PRELOAD (setuid); no "
		      "heap profile\n",
		      stderr);
	else if (h->samples == 0)
		fputs("cproftop: --heap: no allocation sampled: the command "
		      "allocated less than --heap-rate bytes through malloc "
		      "(or uses its own allocator)\n",
		      stderr);
	if (h->dropped > 0 || h->untracked > 0 || h->overflow > 0)
		fprintf(stderr,
			"cproftop: --heap: %llu records lost (cproftop fell "
			"behind), %llu samples untracked, %llu past the "
			"bound on (stack, size) buckets\n",
			(unsigned long long)h->dropped,
			(unsigned long long)h->untracked,
			(unsigned long long)h->overflow);
	if (o->top > 0 &&
	    heap_report_top(stdout, h, o->heap_view, (size_t)o->top) != 0)
		rc = CPT_EXIT_OUTPUT;
	fflush(stdout);
	if (o->output != NULL) {
		heap_pprof_gzip(h, &buf, &len);
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
main_output(const struct main_options *o, const struct profile_snapshot *s)
{
	char *cause = NULL;
	uint8_t *buf;
	size_t len;
	int rc = CPT_EXIT_OK;

	if (o->heap)
		return main_heap_output(o);
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
main_child_status(const struct profile_snapshot *s)
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

/*
 * --stats: one line of key=value figures on stderr (for tests and bench/):
 * whole-run CPU use and peak RSS of cproftop, and the sampler's health.
 */
static void
main_stats(const struct profile_snapshot *s, double elapsed)
{
	struct rusage ru;
	double cpu;

	getrusage(RUSAGE_SELF, &ru);
	cpu = (double)ru.ru_utime.tv_sec + (double)ru.ru_stime.tv_sec +
	      (double)(ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) / 1e6;
	fprintf(stderr,
		"cproftop: stats samples=%llu stops=%llu ticks=%llu "
		"late_ticks=%llu threads=%u unwind_errors=%llu "
		"fallback_stacks=%llu debuginfod_pending=%u "
		"debuginfod_failed=%u stack_copy_short=%llu "
		"stop_p50_us=%.1f stop_p99_us=%.1f cpu_pct=%.1f "
		"rss_kb=%ld tables_kb=%llu seconds=%.2f backend=%s lost=%llu "
		"blocked_reads=%llu blocked_truncated=%llu "
		"stopped_truncated=%llu restarted_calls=%llu\n",
		(unsigned long long)s->samples, (unsigned long long)s->stops,
		(unsigned long long)s->ticks, (unsigned long long)s->late_ticks,
		s->nthreads, (unsigned long long)s->unwind_errors,
		(unsigned long long)s->fallback_stacks, s->debuginfod_pending,
		s->debuginfod_failed, (unsigned long long)s->copy_short_stacks,
		(double)s->stop_ns_p50 / 1e3, (double)s->stop_ns_p99 / 1e3,
		elapsed > 0 ? 100 * cpu / elapsed : 0, ru.ru_maxrss,
		(unsigned long long)s->memory_bytes / 1024, elapsed,
		s->backend ? s->backend : "?", (unsigned long long)s->lost,
		(unsigned long long)s->blocked_reads,
		(unsigned long long)s->blocked_truncated,
		(unsigned long long)s->stopped_truncated,
		(unsigned long long)s->restarted_calls);
	fprintf(stderr, "cproftop: backend %s (%s)%s%s\n",
		s->backend ? s->backend : "?",
		s->backend_why ? s->backend_why : "", s->offcpu_why ? "; " : "",
		s->offcpu_why ? s->offcpu_why : "");
}

static int
main_headless(const struct main_options *o, struct sampler *s, int sigfd)
{
	struct profile_snapshot *snap;
	int sig = main_wait(s, sigfd, o->duration), rc;

	main_stop(s);
	snap = sampler_snapshot(s);
	if (o->stats)
		main_stats(snap, (double)snap->duration_ns / 1e9);
	rc = main_output(o, snap);
	if (rc == CPT_EXIT_OK && o->sampler.argv != NULL)
		rc = main_child_status(snap);
	profile_snapshot_unref(snap);
	if (sig != 0)
		log_debug("stopped by signal %d", sig);
	return rc;
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

/* The live screen; the target is detached once it returns. */
static int
main_tui(const struct main_options *o, struct sampler *s, int sigfd)
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
	int rc = tui_run(s, &to, sigfd);

	main_stop(s);
	if (rc == CPT_EXIT_OK && o->sampler.argv != NULL) {
		snap = sampler_snapshot(s);
		rc = main_child_status(snap);
		profile_snapshot_unref(snap);
	}
	return rc;
}

/*
 * --heap: the ring, and the environment that preloads the interposer into
 * the command sampler_start() spawns. Returns 0, or -1 (said why).
 */
static int
main_heap_open(struct main_options *o, struct heap_source **out)
{
	char *cause = NULL, *lib = heap_source_library(&cause);

	if (o->heap_rate == 0)
		o->heap_rate = 512 * 1024;
	if (lib == NULL || heap_source_open(lib, o->heap_rate, out, &cause)) {
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
main_run(struct main_options *o)
{
	struct sampler *s;
	struct http_server *h = NULL;
	struct heap_source *hs = NULL;
	char *cause = NULL;
	int rc, sigfd;

	log_open();
	sigfd = main_block_signals();
	if (o->sampler.child_output == NULL)
		o->sampler.child_output =
			o->headless ? "/dev/stderr" : "/dev/null";
	/* the live screen needs a terminal that can draw it: say so before
	   touching the target */
	if (!o->headless && o->script == NULL &&
	    tui_check_terminal(&cause) != 0) {
		log_warn("%s", cause);
		free(cause);
		close(sigfd);
		log_close();
		return CPT_EXIT_ERROR;
	}
	/* The port first: a busy one never costs the target an attach. */
	rc = o->http.listen != NULL ? http_listen(&o->http, &h, &cause) : 0;
	if (rc != 0) {
		log_warn("%s", cause);
		free(cause);
		close(sigfd);
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
		rc = o->headless ? main_headless(o, s, sigfd)
				 : main_tui(o, s, sigfd);
	}
	sampler_stop(s);
	http_free(h); /* before sampler_free: snapshots borrow its strings */
	heapprof_free(o->heapprof); /* after http_free, as the sampler */
	heap_source_free(hs);
	sampler_free(s);
	close(sigfd);
	log_close();
	return rc;
}

int
main(int argc, char **argv)
{
	struct main_options o = {0};
	int rc;

	filter_init(&o.filter);
	o.heap_view = HEAP_VIEW_INUSE_SPACE;
	rc = main_parse(argc, argv, &o);
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
