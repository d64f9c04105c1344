/*
 * eintr: threads blocked in calls that the kernel never restarts after a
 * ptrace stop (signal(7): epoll_wait, sigtimedwait, semop, recv with
 * SO_RCVTIMEO), each counting the EINTRs it gets. Untraced they get none.
 *
 *   eintr [-d SECONDS] [-t TIMEOUT_MS] [-b BUSY_THREADS]
 *
 * Each blocking thread waits with a timeout of TIMEOUT_MS (default 20) and
 * calls again; semop waits for a semaphore the main thread posts every
 * TIMEOUT_MS. SIGTERM (blocked in every thread, taken by the main thread
 * with sigtimedwait) ends the run early, cleanly. BUSY_THREADS (default 1) spin
 * in eintr_spin(). Prints "ready" once every thread runs, then after SECONDS
 * (default 4): eintr_epoll_wait=N eintr_sigtimedwait=N eintr_semop=N
 * eintr_recv=N calls_epoll_wait=N ... (calls made, to show each thread blocked
 * often)
 */
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/ipc.h>
#include <sys/sem.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "tests/workloads/wl.h"

enum { K_EPOLL, K_SIGWAIT, K_SEMOP, K_RECV, K_N };
static const char *const kind_name[K_N] = {"epoll_wait", "sigtimedwait",
					   "semop", "recv"};
static atomic_ulong eintr_count[K_N], call_count[K_N];
static atomic_bool stop;
static atomic_int started;
static int timeout_ms = 20;
static int semid = -1;

static void
count(int kind, int rc)
{
	atomic_fetch_add(&call_count[kind], 1);
	if (rc < 0 && errno == EINTR)
		atomic_fetch_add(&eintr_count[kind], 1);
}

static void *
epoll_thread(void *arg)
{
	int ep = epoll_create1(0), ev = eventfd(0, 0);
	struct epoll_event e = {.events = EPOLLIN}, out;

	(void)arg;
	epoll_ctl(ep, EPOLL_CTL_ADD, ev, &e);
	atomic_fetch_add(&started, 1);
	while (!atomic_load(&stop))
		count(K_EPOLL, epoll_wait(ep, &out, 1, timeout_ms));
	return NULL;
}

static void *
sigwait_thread(void *arg)
{
	sigset_t set;
	struct timespec ts = {0, timeout_ms * 1000000L};

	(void)arg;
	sigemptyset(&set);
	sigaddset(&set, SIGUSR1);
	atomic_fetch_add(&started, 1);
	while (!atomic_load(&stop))
		count(K_SIGWAIT, sigtimedwait(&set, NULL, &ts));
	return NULL;
}

static void *
semop_thread(void *arg)
{
	struct sembuf down = {0, -1, 0};

	(void)arg;
	atomic_fetch_add(&started, 1);
	while (!atomic_load(&stop))
		count(K_SEMOP, semop(semid, &down, 1));
	return NULL;
}

static void *
recv_thread(void *arg)
{
	int sv[2];
	char c;
	struct timeval tv = {0, timeout_ms * 1000L};

	(void)arg;
	if (socketpair(AF_UNIX, SOCK_STREAM, 0, sv) != 0)
		exit(1);
	setsockopt(sv[0], SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	atomic_fetch_add(&started, 1);
	while (!atomic_load(&stop))
		count(K_RECV, (int)recv(sv[0], &c, 1, 0));
	return NULL;
}

static WL_NOINLINE unsigned long
eintr_spin(unsigned long x)
{
	WL_SPIN(x, 100000, 7);
	return x;
}

static void *
busy_thread(void *arg)
{
	unsigned long x = (unsigned long)(uintptr_t)arg;

	atomic_fetch_add(&started, 1);
	while (!atomic_load(&stop))
		x = eintr_spin(x);
	return (void *)(uintptr_t)(x & 1);
}

int
main(int argc, char **argv)
{
	static const char usage[] =
		"usage: eintr [-d SECONDS] [-t TIMEOUT_MS] [-b BUSY]";
	void *(*fns[K_N])(void *) = {epoll_thread, sigwait_thread, semop_thread,
				     recv_thread};
	double secs = 4, end;
	int busy = 1, opt, nthreads = 0;
	pthread_t th[K_N + 64];
	struct sembuf up = {0, 1, 0};
	sigset_t set, term;

	while ((opt = getopt(argc, argv, "d:t:b:")) != -1) {
		switch (opt) {
		case 'd':
			secs = wl_number(optarg, opt, usage);
			break;
		case 't':
			timeout_ms = (int)wl_number(optarg, opt, usage);
			break;
		case 'b':
			busy = (int)wl_number(optarg, opt, usage);
			break;
		default:
			fprintf(stderr, "%s\n", usage);
			return 2;
		}
	}
	if (busy > 64 || timeout_ms < 1 || timeout_ms > 999) {
		fprintf(stderr, "%s\n", usage);
		return 2;
	}
	/* SIGUSR1 blocked everywhere: sigtimedwait's to take, never sent. */
	sigemptyset(&set);
	sigaddset(&set, SIGUSR1);
	sigaddset(&set, SIGTERM);
	pthread_sigmask(SIG_BLOCK, &set, NULL);
	sigemptyset(&term);
	sigaddset(&term, SIGTERM);
	semid = semget(IPC_PRIVATE, 1, IPC_CREAT | 0600);
	if (semid < 0) {
		perror("semget");
		return 1;
	}
	for (int k = 0; k < K_N; k++)
		pthread_create(&th[nthreads++], NULL, fns[k], NULL);
	for (int i = 0; i < busy; i++)
		pthread_create(&th[nthreads++], NULL, busy_thread,
			       (void *)(uintptr_t)(i + 1));
	while (atomic_load(&started) < nthreads)
		wl_sleep_ms(1);
	printf("ready\n");
	fflush(stdout);
	end = wl_now_ms() + secs * 1e3;
	while (wl_now_ms() < end) {
		struct timespec ts = {0, timeout_ms * 1000000L};

		if (sigtimedwait(&term, NULL, &ts) == SIGTERM)
			break;
		semop(semid, &up, 1);
	}
	atomic_store(&stop, true);
	semop(semid, &up, 1);
	for (int i = 0; i < nthreads; i++)
		pthread_join(th[i], NULL);
	semctl(semid, 0, IPC_RMID);
	for (int k = 0; k < K_N; k++)
		printf("eintr_%s=%lu ", kind_name[k],
		       atomic_load(&eintr_count[k]));
	printf("\n");
	for (int k = 0; k < K_N; k++)
		printf("calls_%s=%lu ", kind_name[k],
		       atomic_load(&call_count[k]));
	printf("\n");
	return 0;
}
