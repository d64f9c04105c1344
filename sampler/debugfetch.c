#include "config.h"

#include "sampler/debugfetch.h"

#include <elfutils/debuginfod.h>
#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common/array.h"
#include "common/log.h"
#include "common/xmalloc.h"

/* A build-id asked for, and how its fetch ended. */
struct debugfetch_item {
	char *build_id;
	char *path; /* the cached debug file, when found */
	enum { DEBUGFETCH_QUEUED, DEBUGFETCH_DONE, DEBUGFETCH_TAKEN } state;
	bool failed;
};

struct debugfetch {
	pthread_t thread;
	pthread_mutex_t lock;
	pthread_cond_t cond;
	atomic_bool stop;
	debuginfod_client *client;
	struct debugfetch_item *items; /* every build-id ever asked for */
	size_t n, cap;
	size_t next; /* first item the thread has not started */
	size_t failed;
};

/* Aborts a transfer in progress once debugfetch_free() asked to stop. */
static int
debugfetch_progress(debuginfod_client *c, long a, long b)
{
	struct debugfetch *d = debuginfod_get_user_data(c);

	return atomic_load(&d->stop) ? 1 : 0;
}

/* The fetching thread: one build-id at a time, in request order. */
static void *
debugfetch_main(void *arg)
{
	struct debugfetch *d = arg;

	pthread_mutex_lock(&d->lock);
	for (;;) {
		char *build_id, *path = NULL;
		size_t i;
		int fd;

		while (!atomic_load(&d->stop) && d->next == d->n)
			pthread_cond_wait(&d->cond, &d->lock);
		if (atomic_load(&d->stop))
			break;
		i = d->next++;
		build_id = xstrdup(d->items[i].build_id);
		pthread_mutex_unlock(&d->lock);
		fd = debuginfod_find_debuginfo(
			d->client, (const unsigned char *)build_id, 0, &path);
		if (fd >= 0)
			close(fd);
		else
			log_debug("debuginfod: %s: %s", build_id,
				  strerror(-fd));
		free(build_id);
		pthread_mutex_lock(&d->lock);
		d->items[i].state = DEBUGFETCH_DONE;
		d->items[i].path = fd >= 0 ? path : NULL;
		if (fd < 0) {
			free(path);
			d->items[i].failed = true;
			d->failed++;
		}
	}
	pthread_mutex_unlock(&d->lock);
	return NULL;
}

struct debugfetch *
debugfetch_new(void)
{
	const char *urls = getenv("DEBUGINFOD_URLS");
	struct debugfetch *d;

	if (urls == NULL || urls[strspn(urls, " \t")] == '\0')
		return NULL;
	d = xcalloc(1, sizeof(*d));
	d->client = debuginfod_begin();
	if (d->client == NULL) {
		free(d);
		return NULL;
	}
	debuginfod_set_user_data(d->client, d);
	debuginfod_set_progressfn(d->client, debugfetch_progress);
	pthread_mutex_init(&d->lock, NULL);
	pthread_cond_init(&d->cond, NULL);
	if ((errno = pthread_create(&d->thread, NULL, debugfetch_main, d)) !=
	    0) {
		log_debug("debuginfod: no thread: %s", strerror(errno));
		debuginfod_end(d->client);
		pthread_mutex_destroy(&d->lock);
		pthread_cond_destroy(&d->cond);
		free(d);
		return NULL;
	}
	return d;
}

void
debugfetch_free(struct debugfetch *d)
{
	if (d == NULL)
		return;
	pthread_mutex_lock(&d->lock);
	atomic_store(&d->stop, true);
	pthread_cond_broadcast(&d->cond);
	pthread_mutex_unlock(&d->lock);
	pthread_join(d->thread, NULL);
	debuginfod_end(d->client);
	for (size_t i = 0; i < d->n; i++) {
		free(d->items[i].build_id);
		free(d->items[i].path);
	}
	free(d->items);
	pthread_mutex_destroy(&d->lock);
	pthread_cond_destroy(&d->cond);
	free(d);
}

void
debugfetch_request(struct debugfetch *d, const char *build_id)
{
	pthread_mutex_lock(&d->lock);
	for (size_t i = 0; i < d->n; i++)
		if (strcmp(d->items[i].build_id, build_id) == 0) {
			pthread_mutex_unlock(&d->lock);
			return;
		}
	*ARRAY_PUSH(d->items, d->n, d->cap) =
		(struct debugfetch_item){.build_id = xstrdup(build_id)};
	pthread_cond_signal(&d->cond);
	pthread_mutex_unlock(&d->lock);
}

bool
debugfetch_take(struct debugfetch *d, char **build_id, char **path)
{
	bool got = false;

	pthread_mutex_lock(&d->lock);
	for (size_t i = 0; i < d->next && !got; i++) {
		struct debugfetch_item *it = &d->items[i];

		if (it->state != DEBUGFETCH_DONE)
			continue;
		it->state = DEBUGFETCH_TAKEN;
		*build_id = xstrdup(it->build_id);
		*path = it->path;
		it->path = NULL;
		got = true;
	}
	pthread_mutex_unlock(&d->lock);
	return got;
}

void
debugfetch_counts(struct debugfetch *d, size_t *pending, size_t *failed)
{
	size_t done = 0;

	pthread_mutex_lock(&d->lock);
	for (size_t i = 0; i < d->n; i++)
		done += d->items[i].state != DEBUGFETCH_QUEUED;
	*pending = d->n - done;
	*failed = d->failed;
	pthread_mutex_unlock(&d->lock);
}
