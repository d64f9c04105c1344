/*
 * floor PID HZ SECONDS: the floor of any ptrace sampler. Seizes thread PID
 * and, HZ times a second for SECONDS, interrupts it, waits for the stop and
 * resumes it at once, copying nothing. Prints the stop time (interrupt ->
 * resume) as floor_p50_us=... floor_p99_us=... stops=... and its own CPU
 * time over its run as floor_cpu_pct=... (% of a core: the tracer's CPU
 * floor at this rate). The target must be
 * a single busy thread that receives no signals (bench/run.sh uses ratio).
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <sys/ptrace.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static double
floor_now_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e6 + (double)ts.tv_nsec / 1e3;
}

static int
floor_cmp(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

int
main(int argc, char **argv)
{
	pid_t pid;
	double hz, seconds, *t, period, next, start, cpu;
	struct rusage ru;
	long n = 0, max;
	int st;

	if (argc != 4) {
		fputs("usage: floor PID HZ SECONDS\n", stderr);
		return 2;
	}
	pid = atoi(argv[1]);
	hz = atof(argv[2]);
	seconds = atof(argv[3]);
	max = (long)(hz * seconds) + 1;
	t = malloc((size_t)max * sizeof(*t));
	if (t == NULL || ptrace(PTRACE_SEIZE, pid, 0, 0) != 0) {
		perror("floor");
		return 1;
	}
	period = 1e6 / hz;
	next = start = floor_now_us();
	while (n < max) {
		double t0 = floor_now_us();

		if (ptrace(PTRACE_INTERRUPT, pid, 0, 0) != 0 ||
		    waitpid(pid, &st, __WALL) != pid || !WIFSTOPPED(st))
			break;
		ptrace(PTRACE_CONT, pid, 0, 0);
		t[n++] = floor_now_us() - t0;
		next += period;
		if (next > floor_now_us())
			usleep((useconds_t)(next - floor_now_us()));
	}
	getrusage(RUSAGE_SELF, &ru);
	cpu = (double)ru.ru_utime.tv_sec * 1e6 + (double)ru.ru_utime.tv_usec +
	      (double)ru.ru_stime.tv_sec * 1e6 + (double)ru.ru_stime.tv_usec;
	qsort(t, (size_t)n, sizeof(*t), floor_cmp);
	printf("floor_p50_us=%.1f floor_p99_us=%.1f stops=%ld "
	       "floor_cpu_pct=%.1f\n",
	       n ? t[n / 2] : 0, n ? t[n * 99 / 100] : 0, n,
	       100 * cpu / (floor_now_us() - start));
	free(t);
	return 0;
}
