#include "config.h"

#include "perf/perf.h"

#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <linux/perf_event.h>
#include <sys/eventfd.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "attach/procfs.h"
#include "common/array.h"
#include "common/clock.h"
#include "common/log.h"
#include "common/sorted.h"
#include "common/xmalloc.h"
#include "perf/queue.h"
#include "perf/ring.h"

#define PERF_MAX_THREADS 65536 /* a bound on what /proc may list */
#define PERF_MAX_CPUS 4096
#define PERF_MIN_PAGES 16
#define PERF_MAX_PAGES 1024
#define PERF_DRAIN_BYTES (64ULL << 20) /* per ring and drain, at most */
#define PERF_READER_MS 10	     /* the reader looks at least this often */
#define PERF_QUEUE_BYTES (48U << 20) /* per queue buffer, at most */
#define PERF_TAKE_NS (100 * 1000000LL) /* a drain's unwinding, at most */

/* One ring buffer: the first cpu-clock event opened on its CPU owns it. */
struct perf_cpu {
	int cpu;
	int owner_fd;
	struct perf_ring ring;
	bool hup; /* the owner's thread is gone: poll() would spin */
};

/* A thread we opened events on (threads born later inherit instead). */
struct perf_thread {
	pid_t tid;
	int *fds; /* [ncpus] cpu-clock, then [ncpus] switch (-1: none) */
	bool dup; /* also inherited: its own cpu-clock events closed */
	uint64_t switches; /* switch-outs since the last cap */
	uint64_t sw_period;
};

/* Which of our events an id belongs to. */
struct perf_id {
	uint64_t id;
	pid_t tid;
	bool offcpu; /* a switch event */
};

struct perf_source {
	pid_t pid;
	struct perf_event_config cfg;
	struct perf_layout layout;
	bool want_offcpu;
	char *offcpu_why; /* NULL while off-CPU sampling runs */
	size_t pages;

	struct perf_cpu *cpus;
	size_t ncpus;
	struct perf_thread *threads; /* sorted by tid */
	size_t n;
	struct perf_id *ids; /* sorted by id (the kernel hands them out
				in increasing order) */
	size_t nids, cap_ids;
	struct pollfd *pfds;
	int64_t last_cap_ns;
	struct perf_source_stats st;

	perf_source_fn fn; /* while draining */
	void *fn_arg;

	/* The reader thread: copies the rings into q as soon as the kernel
	   writes them; the sampler thread takes them from q. */
	struct perf_queue q;
	pthread_t reader;
	bool reader_on;
	atomic_bool reader_stop;
	int evfd;		   /* readable while q may hold records */
	uint64_t finished_dropped; /* q's drops, once the reader stopped */
	struct pollfd *rpfds;
};

static void perf_reader_start(struct perf_source *ps);

static int
perf_tid_cmp(const void *a, const void *b)
{
	pid_t x = *(const pid_t *)a, y = *(const pid_t *)b;

	return (x > y) - (x < y);
}

/*
 * The TIDs of pid's threads, sorted (attach/procfs.c reads them), at most
 * PERF_MAX_THREADS. Returns the count (0 when the process is gone); *out
 * is caller-freed.
 */
static size_t
perf_list_tids(pid_t pid, pid_t **out)
{
	ssize_t n = procfs_read_tasks(pid, out);

	if (n < 0) {
		*out = NULL;
		return 0;
	}
	return (size_t)n < PERF_MAX_THREADS ? (size_t)n : PERF_MAX_THREADS;
}

/*
 * Ring pages for about 250 ms of samples of one CPU always busy, plus
 * 2000 context switches a second with off-CPU sampling.
 */
static size_t
perf_pages(const struct perf_event_config *cfg, bool offcpu)
{
	uint64_t rate = cfg->hz + (offcpu ? 2000 : 0);
	uint64_t want = rate * (cfg->stack_bytes + 512) / 4;
	size_t pages = PERF_MIN_PAGES, page = (size_t)sysconf(_SC_PAGESIZE);

	while (pages < PERF_MAX_PAGES && pages * page < want)
		pages *= 2;
	return pages;
}

static void
perf_add_id(struct perf_source *ps, int fd, pid_t tid, bool offcpu)
{
	uint64_t id = perf_event_id(fd);
	size_t at = ps->nids;

	if (id == 0)
		return;
	ARRAY_RESERVE(ps->ids, ps->cap_ids, ps->nids + 1);
	while (at > 0 && ps->ids[at - 1].id > id) /* in order, in practice */
		at--;
	memmove(&ps->ids[at + 1], &ps->ids[at],
		(ps->nids - at) * sizeof(*ps->ids));
	ps->ids[at] = (struct perf_id){id, tid, offcpu};
	ps->nids++;
}

#define PERF_ID_CMP(e, x) SORTED_NUM((e)->id, (x))
SORTED_DEFINE(perf_ids, struct perf_id, uint64_t, PERF_ID_CMP)
#define PERF_THREAD_CMP(e, x) SORTED_NUM((e)->tid, (x))
SORTED_DEFINE(perf_threads, struct perf_thread, pid_t, PERF_THREAD_CMP)

static const struct perf_id *
perf_find_id(const struct perf_source *ps, uint64_t id)
{
	return perf_ids_find(ps->ids, ps->nids, id);
}

static struct perf_thread *
perf_find_thread(struct perf_source *ps, pid_t tid)
{
	return perf_threads_find(ps->threads, ps->n, tid);
}

/*
 * Sends fd's records to cpu's ring: mapping it when fd is the first event
 * there. Returns 0, or -1 with errno.
 */
static int
perf_attach_ring(struct perf_source *ps, struct perf_cpu *c, int fd)
{
	if (c->owner_fd >= 0)
		return perf_event_set_output(fd, c->owner_fd);
	while (perf_ring_map(&c->ring, fd, ps->pages) != 0) {
		/* Over the locked-memory budget: smaller rings. */
		if (errno != EPERM || ps->pages <= 2)
			return -1;
		ps->pages /= 2;
	}
	c->owner_fd = fd;
	return 0;
}

/* Closes fd unless it owns a ring (kept open until the end). */
static void
perf_close_fd(struct perf_source *ps, int fd)
{
	for (size_t c = 0; c < ps->ncpus; c++)
		if (ps->cpus[c].owner_fd == fd)
			return;
	close(fd);
}

static void
perf_thread_close(struct perf_source *ps, struct perf_thread *t)
{
	for (size_t i = 0; i < 2 * ps->ncpus; i++)
		if (t->fds[i] >= 0)
			perf_close_fd(ps, t->fds[i]);
	for (size_t i = 0; i < ps->nids; i++)
		if (ps->ids[i].tid == t->tid)
			ps->ids[i].tid = 0;
	free(t->fds);
	t->fds = NULL;
}

/* The off-CPU events of t; the first refusal turns them off for all. */
static void
perf_thread_open_switch(struct perf_source *ps, struct perf_thread *t)
{
	for (size_t c = 0; c < ps->ncpus && ps->offcpu_why == NULL; c++) {
		int fd = perf_event_open_switch(t->tid, ps->cpus[c].cpu,
						&ps->cfg);

		if (fd >= 0 && perf_attach_ring(ps, &ps->cpus[c], fd) != 0) {
			close(fd);
			fd = -1;
		}
		if (fd < 0 && errno != ESRCH) {
			char *why = perf_event_why(errno);

			ps->offcpu_why = xasprintf("off-CPU: %s", why);
			free(why);
		}
		if (fd < 0)
			break;
		t->fds[ps->ncpus + c] = fd;
		perf_add_id(ps, fd, t->tid, true);
	}
}

/*
 * Opens tid's events on every CPU into *t. Returns 0, or -1 with errno
 * (ESRCH: the thread exited meanwhile).
 */
static int
perf_thread_open(struct perf_source *ps, pid_t tid, struct perf_thread *t)
{
	memset(t, 0, sizeof(*t));
	t->tid = tid;
	t->sw_period = 1;
	t->fds = xcalloc(2 * ps->ncpus, sizeof(*t->fds));
	for (size_t i = 0; i < 2 * ps->ncpus; i++)
		t->fds[i] = -1;
	for (size_t c = 0; c < ps->ncpus; c++) {
		int fd = perf_event_open_cpu(tid, ps->cpus[c].cpu, &ps->cfg);
		int err;

		if (fd < 0 || perf_attach_ring(ps, &ps->cpus[c], fd) != 0) {
			err = errno;
			if (fd >= 0)
				close(fd);
			perf_thread_close(ps, t);
			errno = err;
			return -1;
		}
		t->fds[c] = fd;
		perf_add_id(ps, fd, tid, false);
	}
	if (ps->want_offcpu)
		perf_thread_open_switch(ps, t);
	return 0;
}

size_t
perf_source_rescan(struct perf_source *ps)
{
	pid_t *tids;
	size_t n = perf_list_tids(ps->pid, &tids), i = 0, j = 0, k = 0;
	struct perf_thread *next = xcalloc(n + ps->n + 1, sizeof(*next));
	bool open_new = ps->want_offcpu && ps->offcpu_why == NULL;

	/* Merge two sorted lists: keep, open the new, close the gone. */
	while (i < ps->n || j < n) {
		if (j == n || (i < ps->n && ps->threads[i].tid < tids[j])) {
			perf_thread_close(ps, &ps->threads[i++]);
		} else if (i == ps->n || tids[j] < ps->threads[i].tid) {
			/* New threads inherit the cpu-clock events; only the
			   off-CPU ones are opened. */
			memset(&next[k], 0, sizeof(next[k]));
			next[k].tid = tids[j];
			next[k].sw_period = 1;
			next[k].dup = true;
			next[k].fds = xcalloc(2 * ps->ncpus, sizeof(int));
			for (size_t f = 0; f < 2 * ps->ncpus; f++)
				next[k].fds[f] = -1;
			if (open_new)
				perf_thread_open_switch(ps, &next[k]);
			k++;
			j++;
		} else {
			next[k++] = ps->threads[i++];
			j++;
		}
	}
	free(ps->threads);
	free(tids);
	ps->threads = next;
	ps->n = k;
	ps->st.threads = (uint32_t)k;
	return n;
}

/* The CPUs to open events on: 0 .. online-1 (a missing one is skipped). */
static void
perf_cpus(struct perf_source *ps)
{
	long n = sysconf(_SC_NPROCESSORS_CONF);

	if (n < 1)
		n = 1;
	if (n > PERF_MAX_CPUS)
		n = PERF_MAX_CPUS;
	ps->cpus = xcalloc((size_t)n, sizeof(*ps->cpus));
	for (long c = 0; c < n; c++) {
		ps->cpus[c].cpu = (int)c;
		ps->cpus[c].owner_fd = -1;
	}
	ps->ncpus = (size_t)n;
}

/* Drops the CPUs the kernel refuses events on (offline ones). */
static void
perf_drop_offline(struct perf_source *ps, pid_t tid)
{
	size_t k = 0;

	for (size_t c = 0; c < ps->ncpus; c++) {
		int fd = perf_event_open_cpu(tid, ps->cpus[c].cpu, &ps->cfg);

		if (fd < 0 && errno == ENODEV)
			continue;
		if (fd >= 0)
			close(fd);
		ps->cpus[k++] = ps->cpus[c];
	}
	if (k > 0)
		ps->ncpus = k;
}

int
perf_source_open(pid_t pid, const struct perf_event_config *cfg, bool offcpu,
		 struct perf_source **out, int *err, char **cause)
{
	struct perf_source *ps = xcalloc(1, sizeof(*ps));
	pid_t *tids;
	size_t n;

	ps->evfd = -1;
	ps->pid = pid;
	ps->cfg = *cfg;
	ps->pages = perf_pages(cfg, offcpu);
	/* Wake at a quarter full: three quarters of slack for a late
	   sampler thread on a loaded machine. */
	ps->cfg.wakeup_bytes = (uint32_t)(ps->pages * 4096 / 4);
	ps->want_offcpu = offcpu;
	if (!offcpu)
		ps->offcpu_why = xstrdup("no off-CPU samples (wall mode: "
					 "--backend=ptrace)");
	perf_event_layout(&ps->layout);
	perf_cpus(ps);
	n = perf_list_tids(pid, &tids);
	if (n == 0) {
		free(tids);
		*err = ESRCH;
		*cause = xasprintf("no such process: %d", (int)pid);
		perf_source_close(ps);
		return -1;
	}
	perf_drop_offline(ps, tids[0]);
	/*
	 * Every thread listed, until a scan finds no new one: a thread
	 * created before its creator's events existed is not inherited. One
	 * created after is, and may be listed too: the first inherited
	 * sample of it closes its own events (perf_on_record).
	 */
	ps->threads = xcalloc(n, sizeof(*ps->threads));
	for (int round = 0; round < 100 && n > 0; round++) {
		size_t k = 0, before = ps->n;
		struct perf_thread *all;

		all = xcalloc(ps->n + n, sizeof(*all));
		memcpy(all, ps->threads, ps->n * sizeof(*all));
		for (size_t i = 0; i < n; i++) {
			if (perf_find_thread(ps, tids[i]) != NULL)
				continue;
			if (perf_thread_open(ps, tids[i], &all[ps->n + k]) == 0)
				k++;
			else if (errno != ESRCH && ps->n + k == 0) {
				*err = errno;
				*cause = perf_event_why(errno);
				free(all);
				free(tids);
				perf_source_close(ps);
				return -1;
			}
		}
		free(ps->threads);
		ps->threads = all;
		ps->n += k;
		qsort(ps->threads, ps->n, sizeof(*ps->threads), perf_tid_cmp);
		free(tids);
		tids = NULL;
		if (ps->n == before && round > 0)
			break;
		n = perf_list_tids(pid, &tids);
	}
	free(tids);
	if (ps->n == 0) {
		*err = ESRCH;
		*cause = xasprintf("no such process: %d", (int)pid);
		perf_source_close(ps);
		return -1;
	}
	ps->st.threads = (uint32_t)ps->n;
	ps->pfds = xcalloc(ps->ncpus + 2, sizeof(*ps->pfds));
	ps->last_cap_ns = clock_ns(CLOCK_MONOTONIC);
	perf_reader_start(ps);
	*out = ps;
	return 0;
}

const char *
perf_source_offcpu(const struct perf_source *ps)
{
	return ps->offcpu_why;
}

int
perf_source_wait(struct perf_source *ps, int64_t deadline_ns, int wake_fd,
		 int end_fd)
{
	int64_t left = deadline_ns - clock_ns(CLOCK_MONOTONIC);
	struct pollfd *p = ps->pfds;
	size_t n = 0;
	uint64_t v;
	int ms, got = 0;

	if (left <= 0)
		return 0;
	ms = (int)((left + 999999) / 1000000);
	/* With a reader thread its eventfd, else every CPU's ring (a
	   negative fd is skipped by poll()); then wake_fd and end_fd. */
	if (ps->reader_on) {
		p[n++] = (struct pollfd){.fd = ps->evfd, .events = POLLIN};
	} else {
		for (size_t c = 0; c < ps->ncpus; c++)
			p[n++] = (struct pollfd){
				.fd = ps->cpus[c].hup ? -1
						      : ps->cpus[c].owner_fd,
				.events = POLLIN};
	}
	p[n] = (struct pollfd){.fd = wake_fd, .events = POLLIN};
	p[n + 1] = (struct pollfd){.fd = end_fd, .events = POLLIN};
	if (poll(p, n + 2, ms) < 0 && errno != EINTR)
		log_debug("poll: %s", strerror(errno));
	if (ps->reader_on) {
		if (p[0].revents & POLLIN)
			(void)!read(ps->evfd, &v, sizeof(v));
	} else {
		for (size_t c = 0; c < ps->ncpus; c++)
			if (p[c].revents & (POLLHUP | POLLERR))
				ps->cpus[c].hup = true;
	}
	if (wake_fd >= 0 && (p[n].revents & POLLIN))
		got |= PERF_WAIT_WAKE;
	if (end_fd >= 0 && (p[n + 1].revents & (POLLIN | POLLHUP | POLLERR)))
		got |= PERF_WAIT_END;
	return got;
}

/*
 * A cpu-clock sample of tid through another thread's event: tid inherited
 * it. If we opened tid's own events too (it was born during our first
 * scans), they count it twice: close them.
 */
static bool
perf_inherited(struct perf_source *ps, const struct perf_id *owner, pid_t tid)
{
	struct perf_thread *t;

	if (owner->tid == tid)
		return false;
	t = perf_find_thread(ps, tid);
	if (t == NULL || t->dup || t->fds == NULL)
		return false;
	for (size_t c = 0; c < ps->ncpus; c++)
		if (t->fds[c] >= 0) {
			perf_close_fd(ps, t->fds[c]);
			t->fds[c] = -1;
		}
	t->dup = true;
	ps->st.duplicates++;
	log_debug("perf: %d also inherits %d's events (id %llu)", (int)tid,
		  (int)owner->tid, (unsigned long long)owner->id);
	return true;
}

static void
perf_on_record(const uint8_t *rec, size_t len, void *arg)
{
	struct perf_source *ps = arg;
	const struct perf_id *id;
	struct perf_record r;
	struct perf_thread *t;
	bool offcpu = false;

	ps->st.records++;
	if (perf_record_parse(&ps->layout, rec, len, &r) < 0) {
		ps->st.bad++;
		return;
	}
	if (r.kind == PERF_RECORD_KIND_LOST)
		ps->st.lost += r.lost;
	if (r.kind == PERF_RECORD_KIND_SWITCH && r.switch_out &&
	    (t = perf_find_thread(ps, r.tid)) != NULL)
		t->switches++;
	if (r.kind == PERF_RECORD_KIND_SAMPLE) {
		id = perf_find_id(ps, r.id);
		if (id == NULL)
			return; /* an event closed since (a duplicate) */
		offcpu = id->offcpu;
		if (!offcpu)
			perf_inherited(ps, id, r.tid);
		/* Our own event of a thread found to be inherited too. */
		if (!offcpu && id->tid == r.tid &&
		    (t = perf_find_thread(ps, r.tid)) != NULL && t->dup &&
		    t->fds[0] < 0)
			return;
	}
	ps->fn(&r, offcpu, ps->fn_arg);
}

int64_t
perf_source_drain(struct perf_source *ps, perf_source_fn fn, void *arg)
{
	int64_t now = clock_ns(CLOCK_MONOTONIC), until = now + PERF_TAKE_NS;
	const uint8_t *rec;
	size_t len;

	ps->fn = fn;
	ps->fn_arg = arg;
	if (!ps->reader_on) {
		for (size_t c = 0; c < ps->ncpus; c++)
			perf_ring_drain(&ps->cpus[c].ring, PERF_DRAIN_BYTES,
					perf_on_record, ps);
		ps->fn = NULL;
		return now;
	}
	/* What the reader copied; a backlog is taken over several calls so
	   that the sampler still publishes every second. */
	while ((rec = perf_queue_next(&ps->q, &len)) != NULL) {
		perf_on_record(rec, len, ps);
		if (clock_ns(CLOCK_MONOTONIC) > until) {
			uint64_t v = 1;

			/* More to take: the next wait returns at once. */
			(void)!write(ps->evfd, &v, sizeof(v));
			ps->fn = NULL;
			return 0;
		}
	}
	ps->fn = NULL;
	return perf_queue_until(&ps->q);
}

static void
perf_reader_push(const uint8_t *rec, size_t len, void *arg)
{
	struct perf_source *ps = arg;

	perf_queue_push(&ps->q, rec, len);
}

/*
 * The reader thread: waits for the rings (the kernel's watermark wakeup,
 * or PERF_READER_MS), copies every record into the queue and wakes the
 * sampler thread. It touches only the rings, its poll set and the queue.
 */
static void *
perf_reader_main(void *arg)
{
	struct perf_source *ps = arg;

	while (!atomic_load(&ps->reader_stop)) {
		uint64_t got = 0, v = 1;
		int64_t t;

		for (size_t c = 0; c < ps->ncpus; c++) {
			ps->rpfds[c].fd =
				ps->cpus[c].hup ? -1 : ps->cpus[c].owner_fd;
			ps->rpfds[c].events = POLLIN;
			ps->rpfds[c].revents = 0;
		}
		if (poll(ps->rpfds, ps->ncpus, PERF_READER_MS) < 0 &&
		    errno != EINTR)
			log_debug("perf reader: poll: %s", strerror(errno));
		for (size_t c = 0; c < ps->ncpus; c++)
			if (ps->rpfds[c].revents & (POLLHUP | POLLERR))
				ps->cpus[c].hup = true;
		t = clock_ns(CLOCK_MONOTONIC);
		for (size_t c = 0; c < ps->ncpus; c++)
			got += perf_ring_drain(&ps->cpus[c].ring,
					       PERF_DRAIN_BYTES,
					       perf_reader_push, ps);
		perf_queue_mark(&ps->q, t);
		if (got > 0)
			(void)!write(ps->evfd, &v, sizeof(v));
	}
	return NULL;
}

/* Starts the reader thread; without one, the sampler thread reads. */
static void
perf_reader_start(struct perf_source *ps)
{
	perf_queue_init(&ps->q, &ps->layout, PERF_QUEUE_BYTES);
	ps->evfd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	if (ps->evfd < 0)
		return;
	ps->rpfds = xcalloc(ps->ncpus, sizeof(*ps->rpfds));
	atomic_store(&ps->reader_stop, false);
	if (pthread_create(&ps->reader, NULL, perf_reader_main, ps) != 0) {
		log_debug("perf: no reader thread; the sampler reads");
		return;
	}
	ps->reader_on = true;
}

/*
 * The end: stops the reader thread, copies what the rings still hold, and
 * hands fn every record queued until deadline_ns; those left are counted
 * as dropped. Later drains read the rings directly.
 */
void
perf_source_finish(struct perf_source *ps, int64_t deadline_ns,
		   perf_source_fn fn, void *arg)
{
	const uint8_t *rec;
	size_t len;

	/* Nothing more is written: what the rings hold is all there is. */
	for (size_t i = 0; i < ps->n; i++)
		for (size_t f = 0; ps->threads[i].fds && f < 2 * ps->ncpus; f++)
			if (ps->threads[i].fds[f] >= 0)
				(void)ioctl(ps->threads[i].fds[f],
					    PERF_EVENT_IOC_DISABLE, 0);
	for (size_t c = 0; c < ps->ncpus; c++)
		if (ps->cpus[c].owner_fd >= 0)
			(void)ioctl(ps->cpus[c].owner_fd,
				    PERF_EVENT_IOC_DISABLE, 0);
	if (!ps->reader_on)
		return;
	atomic_store(&ps->reader_stop, true);
	pthread_join(ps->reader, NULL);
	ps->reader_on = false;
	for (size_t c = 0; c < ps->ncpus; c++)
		perf_ring_drain(&ps->cpus[c].ring, PERF_DRAIN_BYTES,
				perf_reader_push, ps);
	ps->fn = fn;
	ps->fn_arg = arg;
	while ((rec = perf_queue_next(&ps->q, &len)) != NULL) {
		perf_on_record(rec, len, ps);
		if (clock_ns(CLOCK_MONOTONIC) > deadline_ns)
			break;
	}
	ps->fn = NULL;
	while (perf_queue_next(&ps->q, &len) != NULL) {
		pthread_mutex_lock(&ps->q.mu);
		ps->q.dropped++;
		pthread_mutex_unlock(&ps->q.mu);
	}
	ps->finished_dropped = perf_queue_dropped(&ps->q);
}

static void
perf_reader_stop(struct perf_source *ps)
{
	if (ps->reader_on) {
		atomic_store(&ps->reader_stop, true);
		pthread_join(ps->reader, NULL);
		ps->reader_on = false;
	}
	if (ps->evfd >= 0)
		close(ps->evfd);
	ps->evfd = -1;
	free(ps->rpfds);
	ps->rpfds = NULL;
	perf_queue_free(&ps->q);
}

void
perf_source_cap(struct perf_source *ps, uint32_t max_per_s, int64_t now_ns)
{
	double dt = (double)(now_ns - ps->last_cap_ns) / CLOCK_NS_PER_S;

	if (dt < 0.05 || max_per_s == 0)
		return;
	ps->last_cap_ns = now_ns;
	for (size_t i = 0; i < ps->n; i++) {
		struct perf_thread *t = &ps->threads[i];
		double rate = (double)t->switches / dt;
		uint64_t period = (uint64_t)(rate / max_per_s) + 1;
		bool set = true;

		t->switches = 0;
		/* Raise at once, lower slowly (halve) when calmer. */
		if (period < t->sw_period)
			period = t->sw_period / 2 > period ? t->sw_period / 2
							   : period;
		if (period == t->sw_period)
			continue;
		for (size_t c = 0; c < ps->ncpus; c++)
			if (t->fds[ps->ncpus + c] >= 0 &&
			    perf_event_set_period(t->fds[ps->ncpus + c],
						  period) != 0)
				set = false;
		if (!set)
			continue;
		if (period > 1 && t->sw_period == 1)
			ps->st.throttled++;
		t->sw_period = period;
	}
}

bool
perf_source_has_thread(struct perf_source *ps, pid_t tid)
{
	return perf_find_thread(ps, tid) != NULL;
}

void
perf_source_stats(const struct perf_source *ps, struct perf_source_stats *out)
{
	*out = ps->st;
	out->dropped = ps->reader_on
			       ? perf_queue_dropped((struct perf_queue *)&ps->q)
			       : ps->finished_dropped;
	out->lost += out->dropped;
	out->buffer_pages = (uint32_t)ps->pages;
	out->cpus = (uint32_t)ps->ncpus;
	for (size_t c = 0; c < ps->ncpus; c++)
		out->bad += ps->cpus[c].ring.bad;
}

const struct perf_layout *
perf_source_layout(const struct perf_source *ps)
{
	return &ps->layout;
}

void
perf_source_close(struct perf_source *ps)
{
	if (ps == NULL)
		return;
	perf_reader_stop(ps);
	for (size_t i = 0; i < ps->n; i++)
		perf_thread_close(ps, &ps->threads[i]);
	for (size_t c = 0; c < ps->ncpus; c++) {
		perf_ring_unmap(&ps->cpus[c].ring);
		if (ps->cpus[c].owner_fd >= 0)
			close(ps->cpus[c].owner_fd);
	}
	free(ps->cpus);
	free(ps->threads);
	free(ps->ids);
	free(ps->pfds);
	free(ps->offcpu_why);
	free(ps);
}
