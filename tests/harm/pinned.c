/*
 * pinned [-t THREADS] [-d SECONDS] [-a MS]: THREADS busy threads (default
 * 3, the main thread one of them) spinning in pinned_spin, all pinned to
 * one CPU: at any moment all but one wait for it, so a tracer's
 * PTRACE_INTERRUPT often finds a thread that stops only milliseconds
 * later, when it gets the CPU. With -a, a SIGALRM every MS milliseconds
 * (setitimer; the handler counts): each one is a signal-delivery stop a
 * tracer must pass on. Prints "ready" once every thread runs; exits 0
 * after SECONDS (default 10).
 */
#define _GNU_SOURCE
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/time.h>
#include <unistd.h>

#include "tests/workloads/wl.h"

#define PINNED_USAGE "pinned [-t THREADS] [-d SECONDS] [-a MS]"
#define PINNED_MAX 64

static double pinned_end_ms;
static atomic_int pinned_started;
static volatile sig_atomic_t pinned_alarms;

static void
pinned_on_alarm(int sig)
{
	(void)sig;
	pinned_alarms++;
}

static WL_NOINLINE unsigned long
pinned_spin(unsigned long x)
{
	WL_SPIN(x, 20000, 7);
	return x;
}

static void *
pinned_busy(void *arg)
{
	unsigned long x = (unsigned long)(size_t)arg;

	atomic_fetch_add(&pinned_started, 1);
	while (wl_now_ms() < pinned_end_ms)
		x = pinned_spin(x);
	return (void *)(size_t)(x & 1);
}

int
main(int argc, char **argv)
{
	pthread_t t[PINNED_MAX];
	int opt, n = 3;
	double seconds = 10, alarm_ms = 0;
	cpu_set_t set;

	while ((opt = getopt(argc, argv, "t:d:a:")) != -1) {
		if (opt == 'a')
			alarm_ms = wl_number(optarg, opt, PINNED_USAGE);
		else if (opt == 't')
			n = (int)wl_number(optarg, opt, PINNED_USAGE);
		else if (opt == 'd')
			seconds = wl_number(optarg, opt, PINNED_USAGE);
		else
			wl_usage(PINNED_USAGE);
	}
	if (n < 1 || n > PINNED_MAX)
		wl_usage(PINNED_USAGE);
	/* The first CPU this process may use: the threads inherit it. */
	if (sched_getaffinity(0, sizeof(set), &set) == 0) {
		for (int c = 0; c < CPU_SETSIZE; c++) {
			if (CPU_ISSET(c, &set)) {
				CPU_ZERO(&set);
				CPU_SET(c, &set);
				break;
			}
		}
		if (sched_setaffinity(0, sizeof(set), &set) != 0)
			perror("pinned: sched_setaffinity");
	}
	pinned_end_ms = wl_now_ms() + seconds * 1e3;
	for (int i = 1; i < n; i++)
		pthread_create(&t[i], NULL, pinned_busy, (void *)(size_t)i);
	while (atomic_load(&pinned_started) < n - 1)
		sched_yield();
	if (alarm_ms > 0) {
		struct sigaction sa = {.sa_handler = pinned_on_alarm,
				       .sa_flags = SA_RESTART};
		struct itimerval it = {{0, (long)(alarm_ms * 1e3)},
				       {0, (long)(alarm_ms * 1e3)}};

		sigaction(SIGALRM, &sa, NULL);
		setitimer(ITIMER_REAL, &it, NULL);
	}
	printf("ready\n");
	fflush(stdout);
	pinned_busy(NULL);
	for (int i = 1; i < n; i++)
		pthread_join(t[i], NULL);
	return 0;
}
