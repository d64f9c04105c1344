#include "config.h"

#include "options.h"

#include <ctype.h>
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common/exitcodes.h"
#include "common/log.h"
#include "common/xmalloc.h"
#include "version.h"

static void
options_usage(FILE *f)
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
	      "after attaching);\n"
	      "                        --heap follows the programs executed "
	      "only when given\n"
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
options_int(const char *arg, long long min, long long max, long long *out)
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
options_seconds(const char *arg, double min, double max, double *out)
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
options_top_arg(int argc, char **argv)
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
options_bad(const char *what, const char *arg)
{
	log_warn("invalid %s: '%s'", what, arg);
	return CPT_EXIT_USAGE;
}

/* --focus / --hide: sets the pattern, or says why it does not compile. */
static int
options_regex(struct options *o, bool focus, const char *re)
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
options_backend(const char *arg, enum sampler_backend *out)
{
	static const char *const names[] = {"auto", "perf", "ptrace"};

	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (strcmp(arg, names[i]) == 0) {
			*out = (enum sampler_backend)i;
			return 0;
		}
	return -1;
}

int
options_parse(int argc, char **argv, struct options *o)
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
	bool freq_set = false;

	o->sampler.hz = 99;
	/* The default backend, for scripts and tests; --backend wins. */
	arg = getenv("CPROFTOP_BACKEND");
	if (arg != NULL && *arg != '\0' &&
	    options_backend(arg, &o->sampler.backend) != 0)
		return options_bad("CPROFTOP_BACKEND (auto, perf, ptrace)",
				   arg);
	while ((c = getopt_long(argc, argv, "+p:F:d:o:hV", longopts, NULL)) !=
	       -1) {
		switch (c) {
		case 'p':
			if (options_int(optarg, 1, INT_MAX, &n) != 0)
				return options_bad("PID", optarg);
			o->sampler.pid = (pid_t)n;
			break;
		case 'F':
			if (options_int(optarg, 1, 10000, &n) != 0)
				return options_bad("rate (1-10000 Hz)", optarg);
			o->sampler.hz = (uint32_t)n;
			freq_set = true;
			break;
		case 'd':
			if (options_seconds(optarg, 0.01, 1e7, &o->duration) !=
			    0)
				return options_bad(
					"duration (0.01-1e7 seconds)", optarg);
			o->headless = true;
			break;
		case 'o':
			o->output = optarg;
			break;
		case OPT_TOP:
			o->top = 20;
			arg = options_top_arg(argc, argv);
			if (arg != NULL &&
			    options_int(arg, 1, 1000000, &n) != 0)
				return options_bad("--top count (1-1000000)",
						   arg);
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
			if (options_int(optarg, 1, 60, &n) != 0)
				return options_bad("--refresh (1-60 seconds)",
						   optarg);
			o->refresh = (unsigned)n;
			break;
		case OPT_WINDOW:
			if (options_int(optarg, 1, 3600, &n) != 0)
				return options_bad("--window (1-3600 seconds)",
						   optarg);
			o->window = (unsigned)n;
			break;
		case OPT_FOCUS:
		case OPT_HIDE:
			if (options_regex(o, c == OPT_FOCUS, optarg) != 0)
				return CPT_EXIT_USAGE;
			break;
		case OPT_BACKEND:
			if (options_backend(optarg, &o->sampler.backend) != 0)
				return options_bad(
					"--backend (auto, perf, ptrace)",
					optarg);
			break;
		case OPT_STACK_SIZE:
			if (options_int(optarg, 512, 65528, &n) != 0)
				return options_bad(
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
			if (options_int(optarg, 1, 1000, &n) != 0)
				return options_bad(
					"--http-max-profiles (1-1000)", optarg);
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
				return options_bad(
					"--heap view (inuse_space, "
					"inuse_objects, alloc_space, "
					"alloc_objects)",
					optarg);
			break;
		case OPT_HEAP_RATE:
			if (options_int(optarg, 1, 1LL << 40, &n) != 0)
				return options_bad("--heap-rate (1-2^40 bytes)",
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
			options_usage(stdout);
			return CPT_EXIT_OK;
		case 'V':
			printf("cproftop %s\n", CPT_VERSION);
			return CPT_EXIT_OK;
		default:
			options_usage(stderr);
			return CPT_EXIT_USAGE;
		}
	}
	if (optind < argc)
		o->sampler.argv = &argv[optind];
	/* Like perf record: a spawned command's children by default. */
	o->sampler.follow = follow >= 0 ? follow == 1 : o->sampler.argv != NULL;
	/* the heap's needs the word: it leaves the variables and the ring's
	   descriptor to the command */
	o->heap_follow = follow == 1;
	if ((o->sampler.pid > 0) == (o->sampler.argv != NULL)) {
		fputs("cproftop: give either -p PID or -- COMMAND\n", stderr);
		options_usage(stderr);
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
	/* A headless heap run (-o, --top) writes no CPU profile: the CPU
	   sampler only follows the command, a tick a second (the target pays
	   for every tick), unless -F, --http or --stats ask for more. */
	if (o->heap && o->headless && o->http.listen == NULL && !o->stats &&
	    !freq_set)
		o->sampler.hz = 1;
	if (o->heap && o->dump) {
		fputs("cproftop: --heap writes a heap profile (-o FILE, --top, "
		      "--http, the live screen's heap modes); not with "
		      "--dump\n",
		      stderr);
		return CPT_EXIT_USAGE;
	}
	return -1;
}
