#include "config.h"

#include "common/sigpoll.h"

#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdbool.h>
#include <stddef.h>
#include <time.h>

#include "common/log.h"

/* The signals, lowest-numbered first (sigpoll_take()'s order). */
static const int sigpoll_signals[] = {SIGHUP, SIGINT, SIGQUIT, SIGTERM,
				      SIGTSTP};
#define SIGPOLL_N (sizeof(sigpoll_signals) / sizeof(sigpoll_signals[0]))

/* sigpoll_caught[i]: sigpoll_signals[i] came and was not taken yet. */
static volatile sig_atomic_t sigpoll_caught[SIGPOLL_N];
/* The actions sigpoll_catch() found; the mask sigpoll_wait() sleeps in. */
static struct sigaction sigpoll_old[SIGPOLL_N];
static sigset_t sigpoll_during;

/* The handler: runs only inside sigpoll_wait()'s ppoll(). */
static void
sigpoll_on_signal(int sig)
{
	for (size_t i = 0; i < SIGPOLL_N; i++)
		if (sigpoll_signals[i] == sig)
			sigpoll_caught[i] = 1;
}

void
sigpoll_block(void)
{
	sigset_t set;

	sigemptyset(&set);
	for (size_t i = 0; i < SIGPOLL_N; i++)
		sigaddset(&set, sigpoll_signals[i]);
	pthread_sigmask(SIG_BLOCK, &set, NULL);
}

void
sigpoll_catch(void)
{
	struct sigaction sa = {.sa_handler = sigpoll_on_signal};

	sigemptyset(&sa.sa_mask);
	pthread_sigmask(SIG_BLOCK, NULL, &sigpoll_during);
	for (size_t i = 0; i < SIGPOLL_N; i++) {
		sigpoll_caught[i] = 0;
		sigaction(sigpoll_signals[i], &sa, &sigpoll_old[i]);
		sigdelset(&sigpoll_during, sigpoll_signals[i]);
	}
}

void
sigpoll_release(void)
{
	for (size_t i = 0; i < SIGPOLL_N; i++)
		sigaction(sigpoll_signals[i], &sigpoll_old[i], NULL);
}

/*
 * Whether one of the signals waits, blocked: a ppoll() that finds an fd
 * ready returns without letting in a signal that came meanwhile.
 */
static bool
sigpoll_pending(void)
{
	sigset_t pend;

	sigpending(&pend);
	for (size_t i = 0; i < SIGPOLL_N; i++)
		if (sigismember(&pend, sigpoll_signals[i]) == 1)
			return true;
	return false;
}

int
sigpoll_wait(struct pollfd *fds, nfds_t nfds, int timeout_ms)
{
	struct timespec ts = {timeout_ms / 1000,
			      (long)(timeout_ms % 1000) * 1000000},
			zero = {0, 0};
	int n = ppoll(fds, nfds, timeout_ms < 0 ? NULL : &ts, &sigpoll_during);

	if (n > 0 && sigpoll_pending())
		ppoll(NULL, 0, &zero, &sigpoll_during); /* to the handler */
	if (n >= 0)
		return n;
	if (errno != EINTR)
		fatal("ppoll");
	for (nfds_t i = 0; i < nfds; i++)
		fds[i].revents = 0;
	return 0;
}

int
sigpoll_take(void)
{
	for (size_t i = 0; i < SIGPOLL_N; i++) {
		if (sigpoll_caught[i]) {
			sigpoll_caught[i] = 0;
			return sigpoll_signals[i];
		}
	}
	return 0;
}
