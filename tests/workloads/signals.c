/*
 * signals [-d SECONDS] [-u N]: counts the signals it receives while it
 * computes and forks, for SECONDS (default 5) -- and with -u on until N
 * SIGUSR1 have arrived (60 s at most), however slow their sender is.
 *
 * SIGUSR1 (sent by the test) and SIGALRM (an interval timer, every 10 ms)
 * are counted by SA_RESTART handlers while main runs signals_work(); every
 * 100 ms main forks a child that execs /bin/true and checks that it exited
 * with status 0. Prints nothing at start.
 *
 * At exit it prints key=value lines: usr1, alrm, forks, fork_failures,
 * runtime_ms, cpu_ms. Exit status 0, or 3 if a fork, exec or child failed.
 */
#include "config.h"

#include <signal.h>
#include <stdio.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <unistd.h>

#include "tests/workloads/wl.h"

#define SIGNALS_USAGE "signals [-d SECONDS] [-u N]"
#define SIGNALS_MAX_MS 60000.0

static volatile sig_atomic_t signals_usr1;
static volatile sig_atomic_t signals_alrm;

static void
signals_handler(int sig)
{
	if (sig == SIGUSR1)
		signals_usr1++;
	else
		signals_alrm++;
}

static void
signals_setup(void)
{
	struct sigaction sa = {.sa_handler = signals_handler,
			       .sa_flags = SA_RESTART};
	struct itimerval it = {.it_interval = {.tv_usec = 10000},
			       .it_value = {.tv_usec = 10000}};

	sigemptyset(&sa.sa_mask);
	sigaction(SIGUSR1, &sa, NULL);
	sigaction(SIGALRM, &sa, NULL);
	setitimer(ITIMER_REAL, &it, NULL);
}

WL_NOINLINE static unsigned long
signals_work(unsigned long x)
{
	WL_SPIN(x, 400000, 23);
	return x;
}

/* Forks a child that execs /bin/true; returns 0 if it exited with 0. */
static int
signals_fork_true(void)
{
	pid_t pid = fork();
	int status;

	if (pid < 0)
		return -1;
	if (pid == 0) {
		execl("/bin/true", "true", (char *)NULL);
		_exit(127);
	}
	if (waitpid(pid, &status, 0) != pid)
		return -1;
	return WIFEXITED(status) && WEXITSTATUS(status) == 0 ? 0 : -1;
}

int
main(int argc, char **argv)
{
	struct itimerval off = {0};
	unsigned long x = 1, forks = 0, failures = 0;
	double seconds = 5, start = wl_now_ms(), next_fork, now;
	unsigned long usr1 = 0;
	int opt;

	while ((opt = getopt(argc, argv, "d:u:")) != -1) {
		if (opt == 'd')
			seconds = wl_number(optarg, opt, SIGNALS_USAGE);
		else if (opt == 'u')
			usr1 = (unsigned long)wl_number(optarg, opt,
							SIGNALS_USAGE);
		else
			wl_usage(SIGNALS_USAGE);
	}
	if (optind != argc)
		wl_usage(SIGNALS_USAGE);
	signals_setup();
	next_fork = start + 100;
	while ((now = wl_now_ms()) < start + seconds * 1e3 ||
	       ((unsigned long)signals_usr1 < usr1 &&
		now < start + SIGNALS_MAX_MS)) {
		x = signals_work(x);
		if (wl_now_ms() < next_fork)
			continue;
		next_fork = wl_now_ms() + 100;
		forks++;
		if (signals_fork_true() != 0)
			failures++;
	}
	setitimer(ITIMER_REAL, &off, NULL);
	printf("usr1=%d\nalrm=%d\nforks=%lu\nfork_failures=%lu\n"
	       "runtime_ms=%.0f\ncpu_ms=%.0f\nchecksum=0x%016lx\n",
	       (int)signals_usr1, (int)signals_alrm, forks, failures,
	       wl_now_ms() - start, wl_cpu_ms(), x);
	return failures ? 3 : 0;
}
