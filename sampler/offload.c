#include "config.h"

#include "sampler/offload.h"

#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <sys/eventfd.h>
#include <sys/resource.h>
#include <unistd.h>

#include "common/xmalloc.h"

struct offload {
	pthread_t thread;
	bool running; /* the helper thread exists */
	pthread_mutex_t lock;
	pthread_cond_t cond;
	void (*fn)(void *); /* the job posted, NULL when none (lock) */
	void *arg;
	bool busy;   /* a job posted and not finished (lock) */
	bool quit;   /* the helper must end (lock) */
	int done_fd; /* eventfd: one count per finished job */
};

/*
 * The helper's nice value where allowed (CAP_SYS_NICE, as root). Its jobs
 * are short (a module's first load: ~100 ms of CPU) and no tick is taken
 * until one ends; at the nice of the target's busy threads they got a fair
 * share of a saturated machine and took 1.6-2.0 s (8 busy target threads
 * at load 15: ticks 1-12 of 2000 in a 2 s profile), 0.27-0.30 s at -10.
 * The target loses no more CPU than before, only sooner.
 */
#define OFFLOAD_NICE (-10)

static void *
offload_main(void *p)
{
	struct offload *o = p;
	uint64_t one = 1;

	/* Refused without the capability: the default nice stands. */
	(void)setpriority(PRIO_PROCESS, (id_t)gettid(), OFFLOAD_NICE);
	pthread_mutex_lock(&o->lock);
	for (;;) {
		void (*fn)(void *);

		while (o->fn == NULL && !o->quit)
			pthread_cond_wait(&o->cond, &o->lock);
		if (o->fn == NULL)
			break;
		fn = o->fn;
		o->fn = NULL;
		pthread_mutex_unlock(&o->lock);
		fn(o->arg);
		pthread_mutex_lock(&o->lock);
		o->busy = false;
		pthread_cond_broadcast(&o->cond);
		while (write(o->done_fd, &one, sizeof(one)) < 0 &&
		       errno == EINTR)
			continue;
	}
	pthread_mutex_unlock(&o->lock);
	return NULL;
}

struct offload *
offload_new(void)
{
	struct offload *o = xcalloc(1, sizeof(*o));

	pthread_mutex_init(&o->lock, NULL);
	pthread_cond_init(&o->cond, NULL);
	o->done_fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	return o;
}

int
offload_start(struct offload *o, void (*fn)(void *), void *arg)
{
	uint64_t n;

	if (o->done_fd < 0) {
		errno = EMFILE;
		return -1;
	}
	if (!o->running) {
		int rc = pthread_create(&o->thread, NULL, offload_main, o);

		if (rc != 0) {
			errno = rc;
			return -1;
		}
		o->running = true;
	}
	/* A count left by a job waited for with offload_wait(). */
	while (read(o->done_fd, &n, sizeof(n)) > 0)
		continue;
	pthread_mutex_lock(&o->lock);
	o->fn = fn;
	o->arg = arg;
	o->busy = true;
	pthread_cond_broadcast(&o->cond);
	pthread_mutex_unlock(&o->lock);
	return o->done_fd;
}

bool
offload_done(struct offload *o)
{
	bool busy;

	pthread_mutex_lock(&o->lock);
	busy = o->busy;
	pthread_mutex_unlock(&o->lock);
	return !busy;
}

void
offload_wait(struct offload *o)
{
	pthread_mutex_lock(&o->lock);
	while (o->busy)
		pthread_cond_wait(&o->cond, &o->lock);
	pthread_mutex_unlock(&o->lock);
}

void
offload_free(struct offload *o)
{
	if (o == NULL)
		return;
	if (o->running) {
		pthread_mutex_lock(&o->lock);
		o->quit = true;
		pthread_cond_broadcast(&o->cond);
		pthread_mutex_unlock(&o->lock);
		pthread_join(o->thread, NULL);
	}
	if (o->done_fd >= 0)
		close(o->done_fd);
	pthread_cond_destroy(&o->cond);
	pthread_mutex_destroy(&o->lock);
	free(o);
}
