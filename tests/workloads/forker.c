/*
 * forker [-p PARENT_MS] [-n BURST] [-b BURST_MS] [-c CHILD_MS] [-k KERNEL_MS]
 * [-s]: a process tree known by construction, for following child
 * processes.
 *
 * The parent burns PARENT_MS of CPU (default 50) in parent_spin(), then
 * forks BURST short children (default 0; at most 16 alive at once), each
 * exec'ing forkee -m BURST_MS (default 1 ms of CPU), then forks one child
 * that execs forkee -m CHILD_MS (default 2000): forkee, a separate binary
 * next to this one, burns its CPU in child_hot() (after KERNEL_MS in
 * child_kernel(), inside read(2), with -k). The parent waits in
 * waitpid() (no CPU) and so does a profile of it alone: with children
 * followed, child_hot takes nearly all of the samples; without,
 * parent_spin does. With -s the children are started by vfork() (as
 * posix_spawn does) instead of fork().
 *
 * At exit it prints key=value lines: children (reaped), failed (children
 * that did not exit 0), child_pid (the long child's PID).
 */
#include "config.h"

#include <libgen.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "tests/workloads/wl.h"

#define FORKER_USAGE                                                           \
	"forker [-p PARENT_MS] [-n BURST] [-b BURST_MS] [-c CHILD_MS] "        \
	"[-k KERNEL_MS] [-s]"
#define FORKER_ALIVE 16

static char forkee[PATH_MAX];
static int use_vfork;
static const char *kernel_ms; /* the long child's -k, or NULL */

WL_NOINLINE static unsigned long
parent_spin(unsigned long x, double ms)
{
	double end = wl_cpu_ms() + ms;

	while (wl_cpu_ms() < end)
		WL_SPIN(x, 20000, 5);
	return x;
}

/* Starts forkee [-k kms] -m ms (kms NULL: none). Returns its PID, or -1. */
static pid_t
forker_start(const char *kms, const char *ms)
{
	char kopt[] = "-k", karg[32], opt[] = "-m", arg[32];
	char *argv[] = {forkee, opt, arg, NULL, NULL, NULL};
	pid_t pid;

	snprintf(arg, sizeof(arg), "%s", ms);
	if (kms != NULL) { /* forkee -k kms -m ms */
		snprintf(karg, sizeof(karg), "%s", kms);
		argv[1] = kopt;
		argv[2] = karg;
		argv[3] = opt;
		argv[4] = arg;
	}
	pid = use_vfork ? vfork() : fork();

	if (pid == 0) {
		execv(forkee, argv);
		_exit(127);
	}
	return pid;
}

/* Reaps one child. Returns 1 when it exited 0, 0 otherwise, -1: none. */
static int
forker_reap(void)
{
	int st;

	while (wait(&st) < 0)
		if (errno != EINTR)
			return -1;
	return WIFEXITED(st) && WEXITSTATUS(st) == 0;
}

int
main(int argc, char **argv)
{
	double parent_ms = 50;
	unsigned long burst = 0, reaped = 0, failed = 0, x = 1;
	const char *child_ms = "2000", *burst_ms = "1";
	char self[PATH_MAX];
	ssize_t len;
	int opt, alive = 0, rc;
	pid_t child;

	while ((opt = getopt(argc, argv, "p:n:b:c:k:s")) != -1) {
		if (opt == 'p')
			parent_ms = wl_number(optarg, opt, FORKER_USAGE);
		else if (opt == 'n')
			burst = (unsigned long)wl_number(optarg, opt,
							 FORKER_USAGE);
		else if (opt == 'b')
			burst_ms = optarg;
		else if (opt == 'c')
			child_ms = optarg;
		else if (opt == 'k')
			kernel_ms = optarg;
		else if (opt == 's')
			use_vfork = 1;
		else
			wl_usage(FORKER_USAGE);
	}
	len = readlink("/proc/self/exe", self, sizeof(self) - 1);
	if (len <= 0)
		return 1;
	self[len] = '\0';
	snprintf(forkee, sizeof(forkee), "%s/forkee", dirname(self));
	x = parent_spin(x, parent_ms);
	for (unsigned long i = 0; i < burst; i++) {
		if (alive == FORKER_ALIVE) {
			rc = forker_reap();
			reaped += rc >= 0;
			failed += rc == 0;
			alive--;
		}
		alive += forker_start(NULL, burst_ms) > 0;
	}
	for (; alive > 0; alive--) {
		rc = forker_reap();
		reaped += rc >= 0;
		failed += rc == 0;
	}
	child = forker_start(kernel_ms, child_ms);
	if (child > 0) {
		rc = forker_reap();
		reaped += rc >= 0;
		failed += rc == 0;
	}
	printf("children=%lu\nfailed=%lu\nchild_pid=%d\nchecksum=0x%lx\n",
	       reaped, failed + (child <= 0), (int)child, x);
	return 0;
}
