#ifndef CPT_SAMPLER_DEBUGFETCH_H
#define CPT_SAMPLER_DEBUGFETCH_H

/*
 * Debug info by build-id from debuginfod servers (elfutils' libdebuginfod,
 * Debian libdebuginfod-dev), fetched by a thread of its own so that no
 * tick, screen or lookup ever waits for the network. Servers come from
 * DEBUGINFOD_URLS and files are cached where the library caches them
 * ($DEBUGINFOD_CACHE_PATH, else ~/.cache/debuginfod_client). Every
 * function is called from the sampler thread.
 */

#include <stdbool.h>
#include <stddef.h>

struct debugfetch;

/*
 * Starts the fetcher when DEBUGINFOD_URLS names a server. Returns it
 * (caller frees with debugfetch_free()), or NULL when there is none or the
 * client cannot be created.
 */
struct debugfetch *debugfetch_new(void);

/*
 * Cancels the fetch in progress (within the library's next progress
 * callback), drops the queue and joins the thread. NULL is a no-op.
 */
void debugfetch_free(struct debugfetch *d);

/*
 * Queues build_id (lowercase hex, borrowed) unless it was asked for
 * before. Never blocks on the network.
 */
void debugfetch_request(struct debugfetch *d, const char *build_id);

/*
 * Takes one finished fetch: *build_id (caller frees) and *path, the cached
 * debug file (caller frees; NULL when the fetch failed). Returns false when
 * none finished since the last call.
 */
bool debugfetch_take(struct debugfetch *d, char **build_id, char **path);

/* How many fetches are queued or running, and how many failed. */
void debugfetch_counts(struct debugfetch *d, size_t *pending, size_t *failed);

#endif
