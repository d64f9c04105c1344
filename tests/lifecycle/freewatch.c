/*
 * freewatch -p TARGET -s SIGNAL [-c TICKS | -t] [-w SECONDS] -- CMD...:
 * for the watchdog tests, how long the target stays held after cproftop is
 * told to stop. Runs CMD (cproftop) with SIGINT and SIGQUIT at their
 * defaults (a shell's background job would ignore them), waits until it
 * traces TARGET (TracerPid is a thread of CMD), then until CMD used TICKS
 * clock ticks of CPU (-c) or some thread of TARGET stayed in a ptrace stop
 * for 200 ms (-t) and the CPROFTOP_LOG file LOG says the injected hang
 * happened (-l LOG), sends SIGNAL, and polls every thread of TARGET each
 * millisecond until none is traced (TracerPid 0) and none is stopped (state t
 * or T). Prints free_ms=N (from the signal) and rc=N (CMD's exit code, or 128 +
 * signal) and exits 0; prints each thread's state and tracer and exits 1
 * when a step did not happen within SECONDS (default 10) each.
 */
#include "config.h"

#include <dirent.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <sys/wait.h>
#include <unistd.h>

static double
freewatch_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

/* Reads /proc/PID/task/TID/FILE into buf. Returns false if unreadable. */
static bool
freewatch_read(int pid, const char *tid, const char *file, char *buf,
	       size_t len)
{
	char path[128];
	FILE *f;
	size_t n;

	snprintf(path, sizeof(path), "/proc/%d/task/%s/%s", pid, tid, file);
	f = fopen(path, "r");
	if (f == NULL)
		return false;
	n = fread(buf, 1, len - 1, f);
	buf[n] = '\0';
	fclose(f);
	return true;
}

/* True when every thread of pid is untraced and not stopped. */
static bool
freewatch_free(int pid, bool verbose)
{
	char path[64], buf[4096];
	struct dirent *e;
	bool free_ = true;
	DIR *d;

	snprintf(path, sizeof(path), "/proc/%d/task", pid);
	d = opendir(path);
	if (d == NULL)
		return true; /* gone: nothing held */
	while ((e = readdir(d)) != NULL) {
		const char *tp, *paren;
		char state = '?';
		long tracer = 0;

		if (e->d_name[0] == '.')
			continue;
		if (freewatch_read(pid, e->d_name, "stat", buf, sizeof(buf)) &&
		    (paren = strrchr(buf, ')')) != NULL && paren[1] == ' ')
			state = paren[2];
		if (freewatch_read(pid, e->d_name, "status", buf,
				   sizeof(buf)) &&
		    (tp = strstr(buf, "TracerPid:")) != NULL)
			tracer = strtol(tp + 10, NULL, 10);
		if (tracer != 0 || state == 't' || state == 'T')
			free_ = false;
		if (verbose)
			printf("thread %s state %c tracer %ld\n", e->d_name,
			       state, tracer);
	}
	closedir(d);
	return free_;
}

/* The thread group of task tid, or -1. */
static int
freewatch_tgid(int tid)
{
	char path[64], buf[4096];
	const char *p;
	FILE *f;
	size_t n;

	snprintf(path, sizeof(path), "/proc/%d/status", tid);
	f = fopen(path, "r");
	if (f == NULL)
		return -1;
	n = fread(buf, 1, sizeof(buf) - 1, f);
	buf[n] = '\0';
	fclose(f);
	p = strstr(buf, "Tgid:");
	return p ? atoi(p + 5) : -1;
}

/* True when TARGET's leader is traced by a thread of proc. */
static bool
freewatch_traced_by(int target, int proc)
{
	char buf[4096];
	char tid[16];
	const char *p;

	snprintf(tid, sizeof(tid), "%d", target);
	if (!freewatch_read(target, tid, "status", buf, sizeof(buf)) ||
	    (p = strstr(buf, "TracerPid:")) == NULL)
		return false;
	return atoi(p + 10) > 0 && freewatch_tgid(atoi(p + 10)) == proc;
}

/* CPU clock ticks proc used so far. */
static long
freewatch_ticks(int proc)
{
	char path[64], buf[1024];
	const char *p;
	long utime = 0, stime = 0;
	FILE *f;
	size_t n;

	snprintf(path, sizeof(path), "/proc/%d/stat", proc);
	f = fopen(path, "r");
	if (f == NULL)
		return -1;
	n = fread(buf, 1, sizeof(buf) - 1, f);
	buf[n] = '\0';
	fclose(f);
	p = strrchr(buf, ')');
	if (p == NULL || sscanf(p + 2,
				"%*c %*d %*d %*d %*d %*d %*u %*u %*u "
				"%*u %*u %ld %ld",
				&utime, &stime) != 2)
		return -1;
	return utime + stime;
}

/* True when some thread of target is in a ptrace stop. */
static bool
freewatch_held(int target)
{
	char path[64], buf[4096];
	struct dirent *e;
	bool held = false;
	DIR *d;

	snprintf(path, sizeof(path), "/proc/%d/task", target);
	d = opendir(path);
	if (d == NULL)
		return false;
	while (!held && (e = readdir(d)) != NULL) {
		const char *paren;

		if (e->d_name[0] != '.' &&
		    freewatch_read(target, e->d_name, "stat", buf,
				   sizeof(buf)) &&
		    (paren = strrchr(buf, ')')) != NULL && paren[1] == ' ')
			held = paren[2] == 't';
	}
	closedir(d);
	return held;
}

/* Polls cond(a, b) each millisecond for wait_s. */
static bool
freewatch_until(bool (*cond)(int, int), int a, int b, double wait_s)
{
	double t0 = freewatch_now_ms();

	while (freewatch_now_ms() - t0 < wait_s * 1e3) {
		if (cond(a, b))
			return true;
		usleep(1000);
	}
	return false;
}

static long freewatch_min_ticks;
static const char *freewatch_log;

/* True once the log file names the injected hang. */
static bool
freewatch_hung(int unused1, int unused2)
{
	char buf[65536];
	size_t n;
	FILE *f = fopen(freewatch_log, "r");

	(void)unused1;
	(void)unused2;
	if (f == NULL)
		return false;
	n = fread(buf, 1, sizeof(buf) - 1, f);
	buf[n] = '\0';
	fclose(f);
	return strstr(buf, "hangs now") != NULL;
}

static bool
freewatch_busy(int proc, int unused)
{
	(void)unused;
	return freewatch_ticks(proc) >= freewatch_min_ticks;
}

/* True once some thread of target stayed in a ptrace stop for 200 ms
   (a sampling stop lasts microseconds). */
static bool
freewatch_held2(int target, int unused)
{
	static double since = -1;

	(void)unused;
	if (!freewatch_held(target)) {
		since = -1;
		return false;
	}
	if (since < 0)
		since = freewatch_now_ms();
	return freewatch_now_ms() - since >= 200;
}

static bool
freewatch_free2(int target, int unused)
{
	(void)unused;
	return freewatch_free(target, false);
}

int
main(int argc, char **argv)
{
	int target = 0, sig = 0, opt, status;
	bool want_held = false;
	double wait_s = 10, t0;
	pid_t child;

	while ((opt = getopt(argc, argv, "+p:s:c:tw:l:")) != -1) {
		switch (opt) {
		case 'p':
			target = atoi(optarg);
			break;
		case 's':
			sig = atoi(optarg);
			break;
		case 'c':
			freewatch_min_ticks = atol(optarg);
			break;
		case 't':
			want_held = true;
			break;
		case 'w':
			wait_s = atof(optarg);
			break;
		case 'l':
			freewatch_log = optarg;
			break;
		default:
			return 2;
		}
	}
	if (target <= 0 || sig <= 0 || optind >= argc)
		return 2;
	child = fork();
	if (child == 0) {
		sigset_t none;

		signal(SIGINT, SIG_DFL);
		signal(SIGQUIT, SIG_DFL);
		sigemptyset(&none);
		sigprocmask(SIG_SETMASK, &none, NULL);
		execvp(argv[optind], &argv[optind]);
		_exit(127);
	}
	if (child < 0)
		return 2;
	if (!freewatch_until((bool (*)(int, int))freewatch_traced_by, target,
			     child, wait_s)) {
		printf("not attached after %.1f s\n", wait_s);
		kill(child, SIGKILL);
		return 1;
	}
	if ((freewatch_min_ticks > 0 &&
	     !freewatch_until(freewatch_busy, child, 0, wait_s)) ||
	    (want_held &&
	     !freewatch_until(freewatch_held2, target, 0, wait_s)) ||
	    (freewatch_log != NULL &&
	     !freewatch_until(freewatch_hung, 0, 0, wait_s)))
		printf("# the condition did not come in %.1f s\n", wait_s);
	t0 = freewatch_now_ms();
	kill(child, sig);
	if (!freewatch_until(freewatch_free2, target, 0, wait_s)) {
		printf("not free after %.1f s:\n", wait_s);
		freewatch_free(target, true);
		kill(child, SIGKILL);
		return 1;
	}
	printf("free_ms=%.0f\n", freewatch_now_ms() - t0);
	if (waitpid(child, &status, 0) != child)
		return 1;
	printf("rc=%d\n", WIFEXITED(status) ? WEXITSTATUS(status)
					    : 128 + WTERMSIG(status));
	return 0;
}
