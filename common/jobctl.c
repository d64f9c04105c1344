#include "config.h"

#include "common/jobctl.h"

#include <pthread.h>
#include <signal.h>
#include <unistd.h>

void
jobctl_stop_self(void)
{
	struct sigaction dfl = {.sa_handler = SIG_DFL}, old;
	sigset_t tstp;

	sigemptyset(&tstp);
	sigaddset(&tstp, SIGTSTP);
	sigemptyset(&dfl.sa_mask);
	/* The handler that notes it (common/sigpoll.c, or tui/crt.c's
	   placeholder): not here. */
	sigaction(SIGTSTP, &dfl, &old);
	/* Blocked in every thread, it waits for this one to unblock it. */
	kill(getpid(), SIGTSTP);
	pthread_sigmask(SIG_UNBLOCK, &tstp, NULL);
	/* Stopped here; running again after SIGCONT. */
	pthread_sigmask(SIG_BLOCK, &tstp, NULL);
	sigaction(SIGTSTP, &old, NULL);
}
