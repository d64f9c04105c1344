#include "config.h"

#include "http/http.h"

#include <errno.h>
#include <fcntl.h>
#include <microhttpd.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <time.h>
#include <unistd.h>

#include "common/array.h"
#include "common/clock.h"
#include "common/escape.h"
#include "common/log.h"
#include "common/xmalloc.h"
#include "http/addr.h"
#include "http/pages.h"
#include "sampler/heapprof.h"
#include "sampler/profile.h"
#include "sampler/sampler.h"
#include "views/delta.h"
#include "views/filter.h"
#include "views/heap.h"
#include "views/pprof.h"

/* A POST body larger than this is refused (413). */
#define HTTP_MAX_BODY (64 * 1024)
/* How long a request waits for a snapshot it asked for. */
#define HTTP_SNAPSHOT_WAIT_NS (2 * CLOCK_NS_PER_S)

struct http_server {
	struct http_options opt;
	int listen_fd;
	char *url;
	struct sampler *s;
	struct heapprof *heap; /* --heap, or NULL */
	struct MHD_Daemon *d;
	int stop_fd; /* readable once http_free() began: waiters wake */

	pthread_mutex_t lock;
	pthread_cond_t idle; /* active dropped */
	unsigned active;     /* profile requests holding a slot */
};

/* Per-request state, freed when the request completes. */
struct http_request {
	bool started; /* the access handler has seen the headers */
	char *query;  /* raw, as Go's URL.RawQuery ("" when none) */
	char *body;   /* POST body, NUL-terminated */
	size_t len, cap;
	bool too_big;
};

/* Replies with buf[0..len) (malloc'd; handed to libmicrohttpd). */
static enum MHD_Result
http_reply(struct MHD_Connection *c, unsigned status, const char *type,
	   char *buf, size_t len, const char *filename)
{
	struct MHD_Response *r = MHD_create_response_from_buffer(
		len, buf, MHD_RESPMEM_MUST_FREE);
	enum MHD_Result rc;

	if (r == NULL) {
		free(buf);
		return MHD_NO;
	}
	MHD_add_response_header(r, "Content-Type", type);
	MHD_add_response_header(r, "X-Content-Type-Options", "nosniff");
	if (filename != NULL) {
		char disp[64];

		snprintf(disp, sizeof(disp), "attachment; filename=\"%s\"",
			 filename);
		MHD_add_response_header(r, "Content-Disposition", disp);
	}
	if (status >= 400) /* go tool pprof prints such bodies as the error */
		MHD_add_response_header(r, "X-Go-Pprof", "1");
	if (status == MHD_HTTP_METHOD_NOT_ALLOWED)
		MHD_add_response_header(r, "Allow",
					strstr(buf, "POST") ? "GET, HEAD, POST"
							    : "GET, HEAD");
	if (status == MHD_HTTP_MOVED_PERMANENTLY)
		MHD_add_response_header(r, "Location", "/debug/pprof/");
	rc = MHD_queue_response(c, status, r);
	MHD_destroy_response(r);
	return rc;
}

/* A one-line text/plain error, as Go's serveError writes it. */
static enum MHD_Result __attribute__((format(printf, 3, 4)))
http_error(struct MHD_Connection *c, unsigned status, const char *fmt, ...)
{
	va_list ap;
	char *msg;
	int n;

	va_start(ap, fmt);
	n = vasprintf(&msg, fmt, ap);
	va_end(ap);
	if (n < 0)
		return MHD_NO;
	return http_reply(c, status, "text/plain; charset=utf-8", msg,
			  (size_t)n, NULL);
}

/* Replies with what a memstream collected as text/plain or HTML. */
static enum MHD_Result
http_text(struct MHD_Connection *c, const char *type, FILE *f, char **buf,
	  size_t *len)
{
	if (fclose(f) != 0) { /* *buf and *len are set by fclose() */
		free(*buf);
		return http_error(c, MHD_HTTP_INTERNAL_SERVER_ERROR,
				  "out of memory\n");
	}
	return http_reply(c, MHD_HTTP_OK, type, *buf, *len, NULL);
}

static const char *
http_arg(struct MHD_Connection *c, const char *key)
{
	return MHD_lookup_connection_value(c, MHD_GET_ARGUMENT_KIND, key);
}

/* The latest snapshot, without taking the screen's notification. */
static struct profile_snapshot *
http_latest(struct http_server *h)
{
	return sampler_snapshot_wait(h->s, NULL, 0);
}

/* A snapshot published after this call (or the latest, if none comes in
   time or the sampler is done). */
static struct profile_snapshot *
http_fresh(struct http_server *h)
{
	struct profile_snapshot *prev = http_latest(h), *snap;

	sampler_publish(h->s);
	snap = sampler_snapshot_wait(
		h->s, prev, clock_ns(CLOCK_MONOTONIC) + HTTP_SNAPSHOT_WAIT_NS);
	profile_snapshot_unref(prev);
	return snap;
}

/*
 * Sleeps until deadline, the server stopping or the sampler ending.
 * Returns false when the client went away (its socket hung up) meanwhile.
 */
static bool
http_sleep(struct http_server *h, struct MHD_Connection *c, int64_t deadline)
{
	const union MHD_ConnectionInfo *ci =
		MHD_get_connection_info(c, MHD_CONNECTION_INFO_CONNECTION_FD);
	struct pollfd fds[2] = {{h->stop_fd, POLLIN, 0},
				{ci ? ci->connect_fd : -1, POLLRDHUP, 0}};

	for (;;) {
		int64_t left = deadline - clock_ns(CLOCK_MONOTONIC);
		int ms;

		if (left <= 0 || sampler_done(h->s))
			return true;
		ms = left > CLOCK_NS_PER_S ? 1000
					   : (int)((left + 999999) / 1000000);
		if (poll(fds, 2, ms) < 0 && errno != EINTR)
			return true;
		if (fds[0].revents != 0)
			return true;
		if (fds[1].revents & (POLLRDHUP | POLLHUP | POLLERR))
			return false;
	}
}

/* Takes a profile slot; false when max_profiles are in flight. */
static bool
http_slot_take(struct http_server *h)
{
	bool ok;

	pthread_mutex_lock(&h->lock);
	ok = h->active < h->opt.max_profiles;
	if (ok)
		h->active++;
	pthread_mutex_unlock(&h->lock);
	return ok;
}

static void
http_slot_give(struct http_server *h)
{
	pthread_mutex_lock(&h->lock);
	h->active--;
	pthread_cond_broadcast(&h->idle);
	pthread_mutex_unlock(&h->lock);
}

/* /debug/pprof/profile and /wall: the samples of the next N seconds. */
static enum MHD_Result
http_profile(struct http_server *h, struct MHD_Connection *c,
	     enum filter_mode mode, const char *name)
{
	struct profile_snapshot *s0, *s1, view;
	struct profile_count *counts;
	struct filter f;
	uint8_t *buf;
	size_t len;
	long secs;
	bool here;

	if (pages_int_param(http_arg(c, "seconds"), 30, 1, h->opt.max_seconds,
			    &secs) != 0)
		return http_error(c, MHD_HTTP_BAD_REQUEST,
				  "invalid value for \"seconds\" - must be an "
				  "integer from 1 to %u\n",
				  h->opt.max_seconds);
	if (!http_slot_take(h))
		return http_error(c, MHD_HTTP_SERVICE_UNAVAILABLE,
				  "too many profiles in progress (at most %u "
				  "at a time, --http-max-profiles)\n",
				  h->opt.max_profiles);
	s0 = http_fresh(h);
	here = http_sleep(h, c,
			  clock_ns(CLOCK_MONOTONIC) + secs * CLOCK_NS_PER_S);
	if (!here) {
		log_debug("http: %s client left before %ld s", name, secs);
		profile_snapshot_unref(s0);
		http_slot_give(h);
		return MHD_NO; /* closes the connection */
	}
	s1 = http_fresh(h);
	delta_view(s0, s1, &view, &counts);
	log_debug("http: %s %ld s: %lld..%lld ns, %u -> %u counts, %u in the "
		  "window",
		  name, secs, (long long)s0->duration_ns,
		  (long long)s1->duration_ns, s0->ncounts, s1->ncounts,
		  view.ncounts);
	filter_init(&f);
	f.mode = mode;
	pprof_encode_gzip(&view, &f, &buf, &len);
	filter_free(&f);
	free(counts);
	profile_snapshot_unref(s0);
	profile_snapshot_unref(s1);
	http_slot_give(h);
	return http_reply(c, MHD_HTTP_OK, "application/octet-stream",
			  (char *)buf, len, name);
}

static enum MHD_Result
http_threads(struct http_server *h, struct MHD_Connection *c)
{
	struct profile_snapshot *s;
	long debug;
	char *buf;
	size_t len;
	FILE *f;

	if (pages_int_param(http_arg(c, "debug"), 0, 0, 1000, &debug) != 0)
		return http_error(c, MHD_HTTP_BAD_REQUEST,
				  "invalid value for \"debug\" - must be 0, 1 "
				  "or 2\n");
	if (http_arg(c, "seconds") != NULL)
		return http_error(c, MHD_HTTP_BAD_REQUEST,
				  "\"seconds\" parameter is not supported "
				  "for this profile type\n");
	s = http_latest(h);
	if (debug == 0) {
		uint8_t *pb;

		pprof_encode_threads(s, true, &pb, &len);
		profile_snapshot_unref(s);
		return http_reply(c, MHD_HTTP_OK, "application/octet-stream",
				  (char *)pb, len, "threads");
	}
	f = open_memstream(&buf, &len);
	if (f == NULL)
		fatal("open_memstream");
	if (debug == 1)
		pages_threads_counts(f, s);
	else
		pages_threads(f, s);
	profile_snapshot_unref(s);
	return http_text(c, "text/plain; charset=utf-8", f, &buf, &len);
}

/* The target's arguments, NUL-separated as Go's /cmdline. */
static enum MHD_Result
http_cmdline(struct http_server *h, struct MHD_Connection *c)
{
	struct profile_snapshot *s = http_latest(h);
	char path[64], *raw = xmalloc(HTTP_MAX_BODY), *buf;
	ssize_t n = -1;
	size_t len;
	int fd;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/cmdline", (int)s->pid);
	/* Once the target ended its pid may name another process. */
	fd = s->target_state == PROFILE_TARGET_RUNNING
		     ? open(path, O_RDONLY | O_CLOEXEC)
		     : -1;
	if (fd >= 0) {
		n = read(fd, raw, HTTP_MAX_BODY);
		close(fd);
	}
	f = open_memstream(&buf, &len);
	if (f == NULL)
		fatal("open_memstream");
	if (n > 0) /* the arguments end with a NUL Go does not write */
		escape_controls(f, raw,
				raw[n - 1] == '\0' ? (size_t)n - 1 : (size_t)n,
				"");
	else if (s->cmdline != NULL) /* ended: what the sampler saw */
		escape_controls(f, s->cmdline, strlen(s->cmdline), NULL);
	free(raw);
	profile_snapshot_unref(s);
	return http_text(c, "text/plain; charset=utf-8", f, &buf, &len);
}

static enum MHD_Result
http_symbol(struct http_server *h, struct MHD_Connection *c, bool post,
	    struct http_request *rq)
{
	struct profile_snapshot *s;
	char *buf;
	size_t len;
	FILE *f;

	if (post && rq->too_big)
		return http_error(c, MHD_HTTP_CONTENT_TOO_LARGE,
				  "request body over %d bytes\n",
				  HTTP_MAX_BODY);
	s = http_latest(h);
	f = open_memstream(&buf, &len);
	if (f == NULL)
		fatal("open_memstream");
	if (post) /* Go reads the body, or else the raw query "?0x1+0x2" */
		pages_symbol(f, s, rq->body ? rq->body : "", rq->len, 100000);
	else
		pages_symbol(f, s, rq->query, strlen(rq->query), 100000);
	profile_snapshot_unref(s);
	return http_text(c, "text/plain; charset=utf-8", f, &buf, &len);
}

static enum MHD_Result
http_index(struct http_server *h, struct MHD_Connection *c)
{
	struct profile_snapshot *s = http_latest(h);
	char *buf;
	size_t len;
	FILE *f = open_memstream(&buf, &len);
	long heap_records = -1;

	if (f == NULL)
		fatal("open_memstream");
	if (h->heap != NULL)
		heap_records = (long)heapprof_records(h->heap);
	pages_index(f, s, heap_records);
	profile_snapshot_unref(s);
	return http_text(c, "text/html; charset=utf-8", f, &buf, &len);
}

/*
 * Go's /debug/pprof/heap and /debug/pprof/allocs (name): the heap profile
 * since the command started (--heap), gzip'd pprof with Go's four sample
 * types, def the one pprof shows by default (allocs: alloc_space); with
 * ?seconds=N, as Go's, the delta of the next N seconds (allocations and
 * in-use growth); with ?debug=1, Go's legacy text form.
 */
static enum MHD_Result
http_heap(struct http_server *h, struct MHD_Connection *c, const char *name,
	  enum heap_view def)
{
	struct heapprof_snapshot *s, *s0;
	uint8_t *buf;
	size_t len;
	long secs, debug;

	if (h->heap == NULL)
		return http_error(c, MHD_HTTP_NOT_FOUND,
				  "no heap profile: start the command with "
				  "cproftop --heap -- COMMAND\n");
	if (pages_int_param(http_arg(c, "debug"), 0, 0, 1000, &debug) != 0)
		return http_error(c, MHD_HTTP_BAD_REQUEST,
				  "invalid value for \"debug\" - must be 0 or "
				  "1\n");
	if (pages_int_param(http_arg(c, "seconds"), 0, 1, h->opt.max_seconds,
			    &secs) != 0)
		return http_error(c, MHD_HTTP_BAD_REQUEST,
				  "invalid value for \"seconds\" - must be an "
				  "integer from 1 to %u\n",
				  h->opt.max_seconds);
	if (secs > 0 && debug != 0)
		return http_error(
			c, MHD_HTTP_BAD_REQUEST,
			"seconds and debug params are incompatible\n");
	s = heapprof_snapshot(h->heap);
	if (debug != 0) {
		char counts[512], *text;
		FILE *f = open_memstream(&text, &len);

		if (f == NULL)
			fatal("open_memstream");
		heap_counts(counts, sizeof(counts), s);
		pages_heap(f, s, counts);
		heapprof_snapshot_free(s);
		return http_text(c, "text/plain; charset=utf-8", f, &text,
				 &len);
	}
	if (secs > 0) {
		if (!http_slot_take(h)) {
			heapprof_snapshot_free(s);
			return http_error(c, MHD_HTTP_SERVICE_UNAVAILABLE,
					  "too many profiles in progress (at "
					  "most %u at a time, "
					  "--http-max-profiles)\n",
					  h->opt.max_profiles);
		}
		s0 = s;
		if (!http_sleep(h, c,
				clock_ns(CLOCK_MONOTONIC) +
					secs * CLOCK_NS_PER_S)) {
			heapprof_snapshot_free(s0);
			http_slot_give(h);
			return MHD_NO; /* the client left */
		}
		s = heapprof_snapshot(h->heap);
		http_slot_give(h);
		{
			struct heapprof_snapshot *d = heap_delta(s0, s);

			heapprof_snapshot_free(s);
			heapprof_snapshot_free(s0);
			s = d;
		}
	}
	heap_pprof_gzip(s, def, &buf, &len);
	heapprof_snapshot_free(s);
	return http_reply(c, MHD_HTTP_OK, "application/octet-stream",
			  (char *)buf, len, name);
}

/* Routes a complete request. */
static enum MHD_Result
http_route(struct http_server *h, struct MHD_Connection *c, const char *url,
	   const char *method, struct http_request *rq)
{
	static const char prefix[] = "/debug/pprof/";
	const char *name = strncmp(url, prefix, sizeof(prefix) - 1) == 0
				   ? url + sizeof(prefix) - 1
				   : NULL;
	bool get = strcmp(method, "GET") == 0 || strcmp(method, "HEAD") == 0;
	bool post = strcmp(method, "POST") == 0;
	static const char *const known[] = {"",	       "profile", "wall",
					    "threads", "cmdline", "symbol",
					    "heap",    "allocs"};
	bool found = false;

	if (strcmp(url, "/debug/pprof") == 0)
		return get ? http_error(c, MHD_HTTP_MOVED_PERMANENTLY,
					"moved to /debug/pprof/\n")
			   : http_error(
				     c, MHD_HTTP_METHOD_NOT_ALLOWED,
				     "method not allowed: GET or HEAD only\n");
	for (size_t i = 0; name && i < sizeof(known) / sizeof(*known); i++)
		found |= strcmp(name, known[i]) == 0;
	if (!found)
		return http_error(c, MHD_HTTP_NOT_FOUND,
				  name ? "Unknown profile\n"
				       : "404 page not found\n");
	if (post && strcmp(name, "symbol") == 0)
		return http_symbol(h, c, true, rq);
	if (!get)
		return http_error(c, MHD_HTTP_METHOD_NOT_ALLOWED,
				  strcmp(name, "symbol") == 0
					  ? "POST, GET or HEAD only\n"
					  : "method not allowed: GET or HEAD "
					    "only\n");
	if (strcmp(name, "profile") == 0)
		return http_profile(h, c, FILTER_MODE_CPU, "profile");
	if (strcmp(name, "wall") == 0)
		return http_profile(h, c, FILTER_MODE_WALL, "wall");
	if (strcmp(name, "threads") == 0)
		return http_threads(h, c);
	if (strcmp(name, "cmdline") == 0)
		return http_cmdline(h, c);
	if (strcmp(name, "heap") == 0)
		return http_heap(h, c, "heap", HEAP_VIEW_INUSE_SPACE);
	if (strcmp(name, "allocs") == 0)
		return http_heap(h, c, "allocs", HEAP_VIEW_ALLOC_SPACE);
	if (strcmp(name, "symbol") == 0)
		return http_symbol(h, c, false, rq);
	return http_index(h, c);
}

static enum MHD_Result
http_access(void *cls, struct MHD_Connection *c, const char *url,
	    const char *method, const char *version, const char *upload,
	    size_t *upload_size, void **con_cls)
{
	struct http_request *rq = *con_cls;

	if (rq == NULL) /* no URI callback: cannot happen */
		return MHD_NO;
	if (!rq->started) { /* headers only so far */
		rq->started = true;
		return MHD_YES;
	}
	if (*upload_size != 0) {
		if (rq->len + *upload_size > HTTP_MAX_BODY) {
			rq->too_big = true;
		} else {
			ARRAY_RESERVE(rq->body, rq->cap,
				      rq->len + *upload_size + 1);
			memcpy(rq->body + rq->len, upload, *upload_size);
			rq->len += *upload_size;
			rq->body[rq->len] = '\0';
		}
		*upload_size = 0;
		return MHD_YES;
	}
	return http_route(cls, c, url, method, rq);
}

static void
http_completed(void *cls, struct MHD_Connection *c, void **con_cls,
	       enum MHD_RequestTerminationCode toe)
{
	struct http_request *rq = *con_cls;

	if (rq != NULL) {
		free(rq->query);
		free(rq->body);
		free(rq);
		*con_cls = NULL;
	}
}

/* The first call of a request: keeps its raw query for /symbol. */
static void *
http_uri(void *cls, const char *uri, struct MHD_Connection *c)
{
	struct http_request *rq = xcalloc(1, sizeof(*rq));
	const char *q = uri != NULL ? strchr(uri, '?') : NULL;

	rq->query = xstrdup(q != NULL ? q + 1 : "");
	return rq;
}

/* libmicrohttpd's messages go to the debug log, never to the screen. */
static void
http_log(void *cls, const char *fmt, va_list ap)
{
	char msg[512];

	vsnprintf(msg, sizeof(msg), fmt, ap);
	log_debug("libmicrohttpd: %s", msg);
}

int
http_check_listen(const char *spec, char **cause)
{
	char host[256], port[8];

	return addr_parse(spec, host, sizeof(host), port, sizeof(port), cause);
}

int
http_listen(const struct http_options *opt, struct http_server **out,
	    char **cause)
{
	struct http_server *h;
	bool loopback = false;
	char *url = NULL;
	int fd = addr_listen(opt->listen, &url, &loopback, cause);

	if (fd < 0)
		return -1;
	if (!loopback)
		fprintf(stderr,
			"cproftop: warning: serving on %s, which is not a "
			"loopback address: the target's stacks, names and "
			"paths are readable by anyone who reaches it\n",
			url);
	h = xcalloc(1, sizeof(*h));
	h->opt = *opt;
	if (h->opt.max_profiles == 0)
		h->opt.max_profiles = HTTP_DEFAULT_MAX_PROFILES;
	if (h->opt.max_seconds == 0)
		h->opt.max_seconds = HTTP_MAX_SECONDS;
	h->listen_fd = fd;
	h->url = url;
	h->stop_fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	if (h->stop_fd < 0)
		fatal("eventfd");
	pthread_mutex_init(&h->lock, NULL);
	pthread_cond_init(&h->idle, NULL);
	*out = h;
	return 0;
}

const char *
http_url(const struct http_server *h)
{
	return h->url;
}

void
http_set_heap(struct http_server *h, struct heapprof *heap)
{
	h->heap = heap;
}

int
http_serve(struct http_server *h, struct sampler *s, char **cause)
{
	sigset_t pipe, old;

	/* libmicrohttpd sends with MSG_NOSIGNAL on Linux; its threads also
	   inherit SIGPIPE blocked, so a client hanging up mid-write can never
	   kill cproftop. The caller's mask is restored. */
	sigemptyset(&pipe);
	sigaddset(&pipe, SIGPIPE);
	pthread_sigmask(SIG_BLOCK, &pipe, &old);
	h->s = s;
	h->d = MHD_start_daemon(
		MHD_USE_THREAD_PER_CONNECTION | MHD_USE_AUTO_INTERNAL_THREAD |
			MHD_USE_ERROR_LOG,
		0, NULL, NULL, http_access, h, MHD_OPTION_EXTERNAL_LOGGER,
		http_log, h, MHD_OPTION_LISTEN_SOCKET, h->listen_fd,
		MHD_OPTION_CONNECTION_LIMIT,
		(unsigned)(h->opt.max_profiles + 32),
		MHD_OPTION_CONNECTION_TIMEOUT, (unsigned)60,
		MHD_OPTION_NOTIFY_COMPLETED, http_completed, h,
		MHD_OPTION_URI_LOG_CALLBACK, http_uri, h, MHD_OPTION_END);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	if (h->d == NULL) {
		*cause =
			xasprintf("cannot start the HTTP server on %s", h->url);
		return -1;
	}
	h->listen_fd = -1; /* libmicrohttpd closes it */
	fprintf(stderr, "cproftop: serving %s/debug/pprof/\n", h->url);
	return 0;
}

void
http_free(struct http_server *h)
{
	struct timespec ts;
	uint64_t one = 1;

	if (h == NULL)
		return;
	if (write(h->stop_fd, &one, sizeof(one)) < 0)
		log_debug("http: eventfd write: %s", strerror(errno));
	/* Waiting profiles answer with what they have; give them a moment
	   to queue it before the sockets close. */
	clock_gettime(CLOCK_REALTIME, &ts);
	ts.tv_sec += 1;
	pthread_mutex_lock(&h->lock);
	while (h->active > 0)
		if (pthread_cond_timedwait(&h->idle, &h->lock, &ts) ==
		    ETIMEDOUT)
			break;
	pthread_mutex_unlock(&h->lock);
	if (h->d != NULL)
		MHD_stop_daemon(h->d);
	if (h->listen_fd >= 0)
		close(h->listen_fd);
	close(h->stop_fd);
	pthread_mutex_destroy(&h->lock);
	pthread_cond_destroy(&h->idle);
	free(h->url);
	free(h);
}
