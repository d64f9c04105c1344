/*
 * stopwatch PID: how long cproftop keeps a thread of PID stopped. Reads
 * the state of every thread of PID (/proc/PID/task/TID/stat) every 200 us
 * until PID exits or SIGTERM, and prints the longest time one thread was
 * seen in a row in a tracing stop ('t'), the thread, and the number of
 * passes: "max_stop_ms=X tid=T passes=N". A pass that could not read a
 * thread's state ends that thread's run of stops.
 */
#include <dirent.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define STOPWATCH_MAX 256

static volatile sig_atomic_t stopwatch_quit;

static void
stopwatch_on_term(int sig)
{
	(void)sig;
	stopwatch_quit = 1;
}

static double
stopwatch_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

/* The state letter of /proc/PID/task/TID/stat, or 0. */
static char
stopwatch_state(int pid, int tid)
{
	char path[64], buf[512], *p;
	ssize_t n;
	int fd;

	snprintf(path, sizeof(path), "/proc/%d/task/%d/stat", pid, tid);
	fd = open(path, O_RDONLY);
	if (fd < 0)
		return 0;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return 0;
	buf[n] = '\0';
	p = strrchr(buf, ')');
	return p != NULL && p[1] == ' ' ? p[2] : 0;
}

int
main(int argc, char **argv)
{
	int tids[STOPWATCH_MAX], pid, worst_tid = 0;
	double since[STOPWATCH_MAX], worst = 0;
	struct timespec step = {0, 200000};
	char dir[64];
	long passes = 0;

	if (argc != 2) {
		fputs("usage: stopwatch PID\n", stderr);
		return 2;
	}
	pid = atoi(argv[1]);
	signal(SIGTERM, stopwatch_on_term);
	snprintf(dir, sizeof(dir), "/proc/%d/task", pid);
	for (int i = 0; i < STOPWATCH_MAX; i++)
		tids[i] = 0;
	while (!stopwatch_quit) {
		DIR *d = opendir(dir);
		struct dirent *e;
		int n = 0;

		if (d == NULL)
			break;
		while ((e = readdir(d)) != NULL && n < STOPWATCH_MAX) {
			int tid = atoi(e->d_name);
			double now;

			if (tid <= 0)
				continue;
			if (tids[n] != tid) {
				tids[n] = tid;
				since[n] = 0;
			}
			now = stopwatch_now_ms();
			if (stopwatch_state(pid, tid) != 't') {
				since[n] = 0;
			} else if (since[n] == 0) {
				since[n] = now;
			} else if (now - since[n] > worst) {
				worst = now - since[n];
				worst_tid = tid;
			}
			n++;
		}
		closedir(d);
		passes++;
		nanosleep(&step, NULL);
	}
	printf("max_stop_ms=%.1f tid=%d passes=%ld\n", worst, worst_tid,
	       passes);
	return 0;
}
