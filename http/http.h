#ifndef CPT_HTTP_HTTP_H
#define CPT_HTTP_HTTP_H

/*
 * The pprof HTTP endpoint (--http): Go's net/http/pprof paths for the
 * profiled process, on libmicrohttpd, so `go tool pprof URL`, Parca and
 * Pyroscope pull profiles unchanged:
 *
 *   /debug/pprof/                 index (HTML)
 *   /debug/pprof/profile?seconds=N   CPU profile of the next N seconds
 *   /debug/pprof/wall?seconds=N      the same with off-CPU samples
 *   /debug/pprof/threads?debug=0|1|2 every thread's latest stack
 *   /debug/pprof/cmdline, /debug/pprof/symbol
 *
 * Requests run on libmicrohttpd's threads (one per connection): they read
 * snapshots only and wait for the sampler's next ones
 * (sampler_snapshot_wait), never on the sampler itself. A profile request
 * holds one of max_profiles slots while it waits (503 beyond) and gives it
 * back as soon as its client disconnects.
 */

#include <stdbool.h>

struct http_server;
struct sampler;
struct heapprof;

#define HTTP_DEFAULT_MAX_PROFILES 16
#define HTTP_MAX_SECONDS 3600

struct http_options {
	const char *listen;    /* "[HOST:]PORT" */
	unsigned max_profiles; /* concurrent profile/wall requests */
	unsigned max_seconds;  /* bound of ?seconds= */
};

/*
 * Checks the syntax of a --http [HOST:]PORT value without resolving it.
 * Returns 0, or -1 with *cause set (caller frees). Pure; any thread.
 */
int http_check_listen(const char *spec, char **cause);

/*
 * Binds and listens on opt->listen (http/addr.h), before the target is
 * touched, so a busy port never costs an attach. Prints a warning on
 * stderr when the address is not loopback. Returns 0 with *out set
 * (release with http_free()), or -1 with *cause set (caller frees). Main
 * thread, before other threads start.
 */
int http_listen(const struct http_options *opt, struct http_server **out,
		char **cause);

/* "http://HOST:PORT" of the bound socket; borrowed from h. */
const char *http_url(const struct http_server *h);

/*
 * Starts serving snapshots of s on h's socket (libmicrohttpd's threads,
 * which inherit the caller's blocked signals) and says so on stderr
 * ("cproftop: serving http://HOST:PORT/debug/pprof/"). Returns 0, or -1 with
 * *cause set (caller frees). Main thread; s must outlive h.
 */
int http_serve(struct http_server *h, struct sampler *s, char **cause);

/*
 * --heap: /debug/pprof/heap serves heap's profile (borrowed; it must
 * outlive h). Without it that path answers 404. Main thread, before
 * http_serve().
 */
void http_set_heap(struct http_server *h, struct heapprof *heap);

/*
 * Stops serving: wakes every waiting profile request (it answers at once
 * with the samples of its window so far, its true duration in the
 * profile), closes the socket and joins the threads. Call before
 * sampler_free() (snapshot strings belong to the sampler). NULL is a
 * no-op. Main thread.
 */
void http_free(struct http_server *h);

#endif
