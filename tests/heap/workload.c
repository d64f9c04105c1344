/*
 * tests/heap/workload: known allocation sites for the --heap tests.
 *
 *   keep_a   keeps 3 units in blocks of 1000..9000 bytes (malloc)
 *   keep_b   keeps 1 unit in blocks of 1000..9000 bytes (calloc)
 *   churn_c  allocates 4 units in blocks of 1000..9000 bytes and frees them
 *            (realloc grows each once, then free)
 *   keep_d   keeps 1 unit in 4096-aligned blocks (posix_memalign,
 *            aligned_alloc, memalign alternately)
 *   keep_e   keeps 1 unit through C++'s operator new (libstdc++'s
 *            _Znwm, which calls malloc), and deletes a second unit
 *
 * A unit is MiB mebibytes (-m, default 64). The truth goes to stdout as
 * "truth SITE ALLOCATED_BYTES INUSE_BYTES" lines, then the program exits
 * with everything kept still allocated (in use at exit), with status -x N
 * (default 0); -s SECS sleeps before exiting (holding it all), after a
 * "holding pid=PID" line (-l: leaking 64 KiB from leak_l every 50 ms while
 * it holds). -f forks a child that execs /bin/true midway; -c forks a
 * child that executes this program with twice the unit, its truth lines
 * tagged "truthc", and waits for it, before the sites; -e at the end
 * executes this program in place (the same pid) with half the unit, -t
 * truth2 (-t TAG: the truth lines' first word) and -s as given; -p forks,
 * after keep_b, a child that runs on without executing anything (a
 * prefork server's worker): it frees its copies of keep_a's blocks, runs
 * keep_b again and ends, its truth tagged "truthp" (allocated and in use
 * by what it allocated itself), while the parent waits; -k N, after the
 * hold, forks N children one after another, each allocating and ending,
 * and prints "forked N in MS ms". It also
 * prints what the interposer must leave as it was: LD_PRELOAD, the
 * CPROFTOP_HEAP_* variables, the number of open descriptors, and how many
 * blocks malloc_usable_size() says are smaller than asked (0).
 */
#include <dirent.h>
#include <malloc.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define NOINLINE __attribute__((noinline))

/* libstdc++'s operator new(size_t) and operator delete(void *). */
void *_Znwm(size_t n);
void _ZdlPv(void *p);

static uint64_t rng = 88172645463325252ull;
static int usable_short; /* blocks malloc_usable_size() says are short */

static size_t
next_size(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return 1000 + (size_t)(rng % 8001);
}

struct keep {
	void **v;
	size_t n, cap;
};

static void
keep(struct keep *k, void *p)
{
	if (p == NULL)
		abort();
	if (k->n == k->cap) {
		k->cap = k->cap ? 2 * k->cap : 1024;
		/* the list itself is not a site: mmap'd by the C library
		   above its threshold, realloc'd rarely */
		k->v = realloc(k->v, k->cap * sizeof(*k->v));
		if (k->v == NULL)
			abort();
	}
	k->v[k->n++] = p;
}

static NOINLINE uint64_t
keep_a(struct keep *k, uint64_t bytes)
{
	uint64_t done = 0;

	while (done < bytes) {
		size_t n = next_size();
		char *p = malloc(n);

		p[0] = 1;
		usable_short += malloc_usable_size(p) < n;
		keep(k, p);
		done += n;
	}
	return done;
}

/* -l: while holding, leaks 64 KiB every 50 ms (1.25 MiB/s). */
static NOINLINE void
leak_l(struct keep *k)
{
	char *p = malloc(64 << 10);

	if (p == NULL)
		abort();
	memset(p, 1, 64 << 10);
	keep(k, p);
}

static NOINLINE uint64_t
keep_b(struct keep *k, uint64_t bytes)
{
	uint64_t done = 0;

	while (done < bytes) {
		size_t n = next_size();

		keep(k, calloc(1, n));
		done += n;
	}
	return done;
}

static NOINLINE uint64_t
churn_c(uint64_t bytes)
{
	uint64_t done = 0;

	while (done < bytes) {
		size_t n = next_size();
		char *p = malloc(n / 2), *q;

		p[0] = 1;
		q = realloc(p, n);
		if (q == NULL)
			abort();
		q[n - 1] = 2;
		usable_short += malloc_usable_size(q) < n;
		free(q);
		done += n / 2 + n;
	}
	return done;
}

static NOINLINE uint64_t
keep_d(struct keep *k, uint64_t bytes)
{
	uint64_t done = 0;
	int i = 0;

	while (done < bytes) {
		size_t n = 4096 * (1 + (next_size() % 3));
		void *p = NULL;

		switch (i++ % 3) {
		case 0:
			if (posix_memalign(&p, 4096, n) != 0)
				abort();
			break;
		case 1:
			p = aligned_alloc(4096, n);
			break;
		default:
			p = memalign(4096, n);
			break;
		}
		keep(k, p);
		done += n;
	}
	return done;
}

static NOINLINE uint64_t
keep_e(struct keep *k, uint64_t bytes)
{
	uint64_t done = 0;

	while (done < bytes) {
		size_t n = next_size();

		keep(k, _Znwm(n));
		_ZdlPv(_Znwm(n));
		done += n;
	}
	return done;
}

static int
open_fds(void)
{
	DIR *d = opendir("/proc/self/fd");
	int n = 0;

	if (d == NULL)
		return -1;
	while (readdir(d) != NULL)
		n++;
	closedir(d);
	return n - 3; /* ., .., and d's own */
}

static const char *
env(const char *name)
{
	const char *v = getenv(name);

	return v ? v : "(unset)";
}

/* Executes this program with a unit of mib MiB, its truth tagged tag,
   holding hold seconds at its end (none: 0). */
static void
exec_self(uint64_t mib, const char *tag, long hold)
{
	char m[32], s[32];

	snprintf(m, sizeof(m), "%llu", (unsigned long long)mib);
	snprintf(s, sizeof(s), "%ld", hold);
	fflush(stdout);
	if (hold > 0)
		execl("/proc/self/exe", "workload", "-m", m, "-t", tag, "-s", s,
		      (char *)NULL);
	else
		execl("/proc/self/exe", "workload", "-m", m, "-t", tag,
		      (char *)NULL);
	_exit(127);
}

/* -c: a child that executes this program with a unit of mib MiB. */
static void
spawn_self(uint64_t mib)
{
	pid_t pid;
	int st;

	fflush(stdout);
	pid = fork();
	if (pid == 0)
		exec_self(mib, "truthc", 0);
	if (pid < 0 || waitpid(pid, &st, 0) != pid || !WIFEXITED(st) ||
	    WEXITSTATUS(st) != 0)
		abort();
}

/* -p: the forked child that runs on (the header). */
static void
fork_worker(struct keep *ka, uint64_t unit)
{
	struct keep kb = {0};
	pid_t pid;
	int st;

	fflush(stdout);
	pid = fork();
	if (pid == 0) {
		uint64_t b;

		for (size_t i = 0; i < ka->n; i++)
			free(ka->v[i]);
		b = keep_b(&kb, unit);
		printf("truthp keep_a 0 0\ntruthp keep_b %llu %llu\n",
		       (unsigned long long)b, (unsigned long long)b);
		fflush(stdout);
		_exit(0);
	}
	if (pid < 0 || waitpid(pid, &st, 0) != pid || !WIFEXITED(st) ||
	    WEXITSTATUS(st) != 0)
		abort();
}

/* -k: n short children, one after another; prints how long they took. */
static void
fork_many(int n)
{
	struct timespec t0, t1;

	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (int i = 0; i < n; i++) {
		pid_t pid = fork();
		int st;

		if (pid == 0) {
			free(malloc(4096));
			_exit(0);
		}
		if (pid < 0 || waitpid(pid, &st, 0) != pid)
			abort();
	}
	clock_gettime(CLOCK_MONOTONIC, &t1);
	printf("forked %d in %.0f ms\n", n,
	       (double)(t1.tv_sec - t0.tv_sec) * 1e3 +
		       (double)(t1.tv_nsec - t0.tv_nsec) / 1e6);
	fflush(stdout);
}

static void
spawn_true(void)
{
	pid_t pid = fork();
	int st;

	if (pid == 0) {
		/* the child allocates too, then execs */
		free(malloc(1 << 20));
		execl("/bin/true", "true", (char *)NULL);
		_exit(127);
	}
	if (pid < 0 || waitpid(pid, &st, 0) != pid || !WIFEXITED(st) ||
	    WEXITSTATUS(st) != 0)
		abort();
}

int
main(int argc, char **argv)
{
	struct keep ka = {0}, kb = {0}, kd = {0}, ke = {0}, kl = {0};
	uint64_t unit = 64ull << 20, a, b, c, d, e;
	int opt, fork_child = 0, status = 0, hold = 0, leak = 0;
	int child_self = 0, exec_in_place = 0, worker = 0, nforks = 0;
	const char *tag = "truth";

	while ((opt = getopt(argc, argv, "m:fx:s:lcepk:t:")) != -1) {
		switch (opt) {
		case 'm':
			unit = strtoull(optarg, NULL, 10) << 20;
			break;
		case 'f':
			fork_child = 1;
			break;
		case 'x':
			status = atoi(optarg);
			break;
		case 's':
			hold = atoi(optarg);
			break;
		case 'l':
			leak = 1;
			break;
		case 'c':
			child_self = 1;
			break;
		case 'e':
			exec_in_place = 1;
			break;
		case 'p':
			worker = 1;
			break;
		case 'k':
			nforks = atoi(optarg);
			break;
		case 't':
			tag = optarg;
			break;
		default:
			return 2;
		}
	}
	if (child_self)
		spawn_self((unit >> 20) * 2);
	a = keep_a(&ka, 3 * unit);
	b = keep_b(&kb, unit);
	if (fork_child)
		spawn_true();
	if (worker)
		fork_worker(&ka, unit);
	c = churn_c(4 * unit);
	d = keep_d(&kd, unit);
	e = keep_e(&ke, unit);
	printf("LD_PRELOAD=%s CPROFTOP_HEAP_FD=%s CPROFTOP_HEAP_RATE=%s "
	       "fds=%d\n",
	       env("LD_PRELOAD"), env("CPROFTOP_HEAP_FD"),
	       env("CPROFTOP_HEAP_RATE"), open_fds());
	printf("malloc_usable_size: %d short, of NULL %zu\n", usable_short,
	       malloc_usable_size(NULL));
	printf("%s keep_a %llu %llu\n", tag, (unsigned long long)a,
	       (unsigned long long)a);
	printf("%s keep_b %llu %llu\n", tag, (unsigned long long)b,
	       (unsigned long long)b);
	printf("%s churn_c %llu 0\n", tag, (unsigned long long)c);
	printf("%s keep_d %llu %llu\n", tag, (unsigned long long)d,
	       (unsigned long long)d);
	printf("%s keep_e %llu %llu\n", tag, (unsigned long long)(2 * e),
	       (unsigned long long)e);
	if (exec_in_place)
		exec_self((unit >> 20) / 2, "truth2", hold);
	if (hold > 0) {
		printf("holding pid=%d\n", (int)getpid());
		fflush(stdout);
		if (!leak)
			sleep((unsigned)hold);
		for (long i = 0; leak && i < hold * 20L; i++) {
			struct timespec ts = {0, 50000000};

			leak_l(&kl);
			nanosleep(&ts, NULL);
		}
	}
	if (nforks > 0)
		fork_many(nforks);
	return status;
}
