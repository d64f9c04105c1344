/*
 * common/sigpoll: its signals, blocked, come to sigpoll_take() only once a
 * sigpoll_wait() let them in, lowest-numbered first; a blocked SIGCHLD
 * (the tracer's, one per stop of a traced thread) does not end the wait;
 * fds are polled; sigpoll_release() restores the former actions.
 */
#include "config.h"

#include <signal.h>
#include <unistd.h>

#include "common/clock.h"
#include "common/sigpoll.h"
#include "tests/tap.h"

int
main(void)
{
	struct sigaction now;
	struct pollfd pfd;
	sigset_t chld;
	int64_t t0;
	int p[2];

	sigemptyset(&chld);
	sigaddset(&chld, SIGCHLD);
	pthread_sigmask(SIG_BLOCK, &chld, NULL);
	sigpoll_block();
	sigpoll_catch();

	kill(getpid(), SIGTSTP);
	kill(getpid(), SIGINT);
	tap_is_int(sigpoll_take(), 0, "blocked outside the wait: none yet");
	tap_is_int(sigpoll_wait(NULL, 0, 1000), 0,
		   "the wait ends with the pending signals");
	tap_is_int(sigpoll_take(), SIGINT, "SIGINT first");
	tap_is_int(sigpoll_take(), SIGTSTP, "then SIGTSTP");
	tap_is_int(sigpoll_take(), 0, "then none");

	kill(getpid(), SIGCHLD);
	t0 = clock_ns(CLOCK_MONOTONIC);
	tap_is_int(sigpoll_wait(NULL, 0, 100), 0, "a SIGCHLD wait times out");
	tap_ok(clock_ns(CLOCK_MONOTONIC) - t0 >= 90 * 1000000LL,
	       "... not woken by the SIGCHLD");
	tap_is_int(sigpoll_take(), 0, "... and noted nothing");

	if (pipe(p) != 0 || write(p[1], "x", 1) != 1)
		return 1;
	pfd = (struct pollfd){p[0], POLLIN, 0};
	tap_is_int(sigpoll_wait(&pfd, 1, -1), 1, "a readable fd");
	tap_ok(pfd.revents & POLLIN, "... POLLIN");

	kill(getpid(), SIGTERM);
	tap_is_int(sigpoll_wait(&pfd, 1, 0) >= 0, 1, "a signal with an fd");
	tap_is_int(sigpoll_take(), SIGTERM, "... SIGTERM noted");

	sigpoll_release();
	sigaction(SIGTERM, NULL, &now);
	tap_ok(now.sa_handler == SIG_DFL, "released: SIGTERM at SIG_DFL");
	sigaction(SIGTSTP, NULL, &now);
	tap_ok(now.sa_handler == SIG_DFL, "released: SIGTSTP at SIG_DFL");
	return tap_done();
}
