/*
 * heap/sample.c: libcproftop-heap.so's sampler. Each thread counts down a
 * random byte interval, exponentially distributed with mean `rate` (as Go's
 * runtime and tcmalloc do), and the allocation that crosses zero is
 * sampled: an allocation of s bytes is sampled with probability
 * 1 - exp(-s/rate), which cproftop undoes when it scales (Go's
 * scaleHeapSample). A sample's stack comes from our cached unwinder
 * (unwind.h), or where it gives up from libgcc's (_Unwind_Backtrace over
 * .eh_frame, as the C library's backtrace(): no descriptors, no malloc --
 * libunwind's local unwinder opens a pipe in the target), called from the
 * hook's frame (heap_stack(), preload.h); the
 * record goes to the ring (ring.h), and its address into the set whose
 * free is reported (addrset.h).
 */
#include "config.h"

#include <dlfcn.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <linux/futex.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "heap/addrset.h"
#include "heap/huge.h"
#include "heap/preload.h"
#include "heap/ring.h"

__thread uint64_t heap_left __attribute__((tls_model("initial-exec")));
int heap_enabled;

static struct heap_ring *sample_ring;
static uint64_t sample_rate = 512 * 1024;
static uint32_t sample_pid; /* the records' pid */

static bool sample_follow; /* --follow: forked children profile on */

struct sample_thread {
	uint64_t rng;
	bool busy; /* inside heap_sample: allocations pass through */
};
static __thread struct sample_thread sample_tls
	__attribute__((tls_model("initial-exec")));

/* xorshift64*, seeded per thread from its TLS address and the clock. */
static uint64_t
sample_random(struct sample_thread *t)
{
	uint64_t x = t->rng;

	if (x == 0) {
		struct timespec ts;

		clock_gettime(CLOCK_MONOTONIC, &ts);
		x = (uint64_t)(uintptr_t)t ^ (uint64_t)ts.tv_nsec ^
		    ((uint64_t)ts.tv_sec << 32) ^ 0x9e3779b97f4a7c15ull;
		if (x == 0)
			x = 1;
	}
	x ^= x >> 12;
	x ^= x << 25;
	x ^= x >> 27;
	t->rng = x;
	return x * 0x2545f4914f6cdd1dull;
}

/*
 * ln(u) for u in [2^-53, 1], to ~1e-15: u = m 2^e with m in [sqrt(1/2),
 * sqrt(2)), ln u = e ln 2 + 2 atanh(s), s = (m - 1) / (m + 1), |s| <=
 * 0.172, atanh's series to s^17. Ours, not libm's: loading libm.so cost
 * every program's start its mappings and ~12 page faults (bench/heap.sh:
 * 472 faults then, 460 without), for one call per sample.
 */
static double
sample_log(double u)
{
	static const double odd[] = {1.0 / 17, 1.0 / 15, 1.0 / 13,
				     1.0 / 11, 1.0 / 9,	 1.0 / 7,
				     1.0 / 5,  1.0 / 3,	 1.0};
	const double ln2 = 0.69314718055994530942;
	uint64_t bits;
	double m, s, s2, t = 0.0;
	int e;

	memcpy(&bits, &u, sizeof(bits));
	e = (int)((bits >> 52) & 0x7ff) - 1023;
	bits = (bits & 0x000fffffffffffffull) | 0x3ff0000000000000ull;
	memcpy(&m, &bits, sizeof(m)); /* in [1, 2) */
	if (m > 1.41421356237309504880) {
		m *= 0.5;
		e++;
	}
	s = (m - 1.0) / (m + 1.0);
	s2 = s * s;
	for (size_t k = 0; k < sizeof(odd) / sizeof(odd[0]); k++)
		t = t * s2 + odd[k]; /* Horner: 1 + s2/3 + s2^2/5 ... */
	return e * ln2 + 2.0 * s * t;
}

/* An exponentially distributed interval of mean sample_rate bytes. */
static int64_t
sample_interval(struct sample_thread *t)
{
	/* u in (0, 1]: 53 random bits, never 0 */
	double u =
		((double)(sample_random(t) >> 11) + 1.0) / 9007199254740992.0;
	double v = -sample_log(u) * (double)sample_rate;

	if (sample_rate <= 1)
		return 0; /* every allocation */
	return v < 1.0 ? 1 : v > 1e15 ? (int64_t)1e15 : (int64_t)v;
}

/* Appends ip to the record: false once it is full. */
static bool
sample_push(struct heap_record *rec, uintptr_t ip)
{
	if (rec->nframes >= HEAP_MAX_FRAMES)
		return false;
	rec->frames[rec->nframes++] = (uint64_t)ip;
	return rec->nframes < HEAP_MAX_FRAMES;
}

bool
heap_stack_ip(void *arg, uintptr_t ip)
{
	struct heap_stack_walk *w = arg;

	if (ip == 0)
		return false;
	if (!w->found) {
		if (ip != w->ra && w->nearly < 4) {
			w->early[w->nearly++] = ip; /* the hook, the sampler */
			return true;
		}
		w->found = true;
		/* ra not among the first four: start at the third */
		for (uint32_t i = 2; ip != w->ra && i < w->nearly; i++)
			sample_push(w->rec, w->early[i]);
	}
	return sample_push(w->rec, ip);
}

_Unwind_Reason_Code
heap_stack_frame(struct _Unwind_Context *ctx, void *arg)
{
	return heap_stack_ip(arg, (uintptr_t)_Unwind_GetIP(ctx))
		       ? _URC_NO_REASON
		       : _URC_END_OF_STACK;
}

/* A frame of heap_setup()'s first walk: stops after *arg frames. */
static _Unwind_Reason_Code
sample_warm_frame(struct _Unwind_Context *ctx, void *arg)
{
	int *left = arg;

	(void)ctx;
	return --*left > 0 ? _URC_NO_REASON : _URC_END_OF_STACK;
}

/* A frame of heap_setup()'s first fast walk: it reads the stack's bounds
   and binds its functions. */
static bool
sample_warm_ip(void *arg, uintptr_t ip)
{
	(void)arg;
	(void)ip;
	return false;
}

bool
heap_sample_begin(void *p)
{
	struct sample_thread *t = &sample_tls;

	if (t->busy)
		return false; /* re-entered (the unwinder, a signal handler) */
	if (!__atomic_load_n(&heap_enabled, __ATOMIC_ACQUIRE)) {
		heap_left = 1 << 20; /* not yet (or no longer) profiling */
		return false;
	}
	heap_left = (uint64_t)sample_interval(t);
	if (p == NULL || sample_ring == NULL)
		return false;
	t->busy = true;
	return true;
}

void
heap_sample_end(void *p, size_t size, struct heap_record *rec)
{
	struct heap_ring *r = sample_ring;

	rec->kind = HEAP_RECORD_ALLOC;
	rec->pid = sample_pid;
	rec->addr = (uint64_t)(uintptr_t)p;
	rec->size = size;
	/* p is not returned yet: no free of it can come before this record */
	if (addrset_add((uintptr_t)p) != 0)
		atomic_fetch_add_explicit(&r->untracked, 1,
					  memory_order_relaxed);
	else if (heap_ring_put(r, rec) != 0)
		addrset_remove((uintptr_t)p);
	sample_tls.busy = false;
}

void
heap_sample(void *p, size_t size, void *ra)
{
	struct heap_record rec;

	if (!heap_sample_begin(p))
		return;
	heap_stack(&rec, ra);
	heap_sample_end(p, size, &rec);
}

void
heap_forget(void *p)
{
	struct sample_thread *t = &sample_tls;
	struct heap_record rec;
	struct heap_ring *r = sample_ring;

	/* (a forked child stops here: the set's lock may be held forever by
	   a thread of the parent) */
	if (!__atomic_load_n(&heap_enabled, __ATOMIC_RELAXED) || r == NULL)
		return;
	if (t->busy) {
		/* a signal handler interrupted this thread inside the set's
		   lock, perhaps: p stays in the set, its sample in use */
		atomic_fetch_add_explicit(&r->untracked, 1,
					  memory_order_relaxed);
		return;
	}
	t->busy = true;
	if (addrset_remove((uintptr_t)p)) {
		rec.kind = HEAP_RECORD_FREE;
		rec.nframes = 0;
		rec.pid = sample_pid;
		rec.addr = (uint64_t)(uintptr_t)p;
		rec.size = 0;
		heap_ring_put(r, &rec);
	}
	t->busy = false;
}

static void sample_wait_read(struct heap_ring *r);

/*
 * A forked child profiles on with --follow, under its own pid: its set
 * starts empty (the blocks it inherited are its parent's samples: their
 * frees are not its), and it says so (HEAP_RECORD_FORK) and waits, as a
 * hello does, until cproftop has read its maps. Otherwise, or when the
 * fork came from inside the interposer (a signal handler's), it stops
 * profiling: its addresses are not the parent's. With --follow, a program
 * it executes is profiled under its own pid.
 */
static void
sample_atfork_child(void)
{
	struct sample_thread *t = &sample_tls;
	struct heap_ring *r = sample_ring;
	struct heap_record rec = {.kind = HEAP_RECORD_FORK};

	if (sample_follow && !t->busy && r != NULL) {
		t->busy = true;
		addrset_fork_reset();
		/* its own random draws: a worker doing its parent's (or its
		   siblings') work would sample the very same allocations
		   (the countdown is memoryless: a new draw keeps it fair) */
		t->rng = 0;
		heap_left = (uint64_t)sample_interval(t);
		rec.addr = sample_pid;
		sample_pid = (uint32_t)getpid();
		rec.pid = sample_pid;
		if (heap_ring_put(r, &rec) == 0)
			sample_wait_read(r);
		t->busy = false;
		return;
	}
	__atomic_store_n(&heap_enabled, 0, __ATOMIC_RELEASE);
	sample_ring = NULL;
	if (r != NULL)
		munmap(r, HEAP_RING_BYTES);
}

/* Removes our own path from LD_PRELOAD (spaces or colons between). */
static void
sample_unpreload(void)
{
	const char *pre = getenv("LD_PRELOAD");
	Dl_info info;
	char *copy, *out, *tok, *save = NULL;
	size_t len;

	if (pre == NULL || dladdr((void *)heap_setup, &info) == 0 ||
	    info.dli_fname == NULL)
		return;
	len = strlen(pre);
	copy = malloc(len + 1);
	out = malloc(len + 1);
	if (copy == NULL || out == NULL)
		goto done;
	memcpy(copy, pre, len + 1);
	out[0] = '\0';
	for (tok = strtok_r(copy, " :", &save); tok != NULL;
	     tok = strtok_r(NULL, " :", &save)) {
		if (strcmp(tok, info.dli_fname) == 0)
			continue;
		if (out[0] != '\0')
			strcat(out, ":");
		strcat(out, tok);
	}
	if (out[0] == '\0')
		unsetenv("LD_PRELOAD");
	else
		setenv("LD_PRELOAD", out, 1);
done:
	free(copy);
	free(out);
}

/* The hello wait's longest sleep: a cproftop that never wakes it. */
#define SAMPLE_WAIT_SLICE_NS 10000000LL

/*
 * After the hello: waits until cproftop has read the records put so far,
 * the hello among them, and with it this program's maps (its libraries
 * are all mapped by now), for HEAP_HELLO_WAIT_NS at most (cproftop gone
 * or stuck). A program that allocates and ends within cproftop's poll
 * interval was otherwise gone before its maps were read: every frame
 * came out unnamed. Costs the program's start a wake-up of cproftop's
 * reader (its bell) and a read of /proc/PID/maps; the program sleeps on
 * done's futex word meanwhile (cproftop wakes it: no CPU spent polling),
 * at most SAMPLE_WAIT_SLICE_NS at a time (a cproftop that does not wake).
 * After a wait ran out, no process of the ring waits until cproftop moves
 * done again (ring.h, wait_lost).
 */
static void
sample_wait_read(struct heap_ring *r)
{
	uint64_t until = atomic_load_explicit(&r->head, memory_order_acquire);
	struct timespec now;
	int64_t end, left;
	uint64_t done;

	atomic_fetch_add_explicit(&r->bell, 1, memory_order_release);
	syscall(SYS_futex, &r->bell, FUTEX_WAKE, 1, NULL, NULL, 0);
	done = atomic_load_explicit(&r->done, memory_order_acquire);
	if (atomic_load_explicit(&r->wait_lost, memory_order_relaxed) ==
	    done + 1)
		return;
	clock_gettime(CLOCK_MONOTONIC, &now);
	end = (int64_t)now.tv_sec * 1000000000LL + now.tv_nsec +
	      HEAP_HELLO_WAIT_NS;
	while ((done = atomic_load_explicit(&r->done, memory_order_acquire)) <
	       until) {
		struct timespec ts;

		clock_gettime(CLOCK_MONOTONIC, &now);
		left = end - ((int64_t)now.tv_sec * 1000000000LL + now.tv_nsec);
		if (left <= 0) {
			atomic_store_explicit(&r->wait_lost, done + 1,
					      memory_order_relaxed);
			return;
		}
		if (left > SAMPLE_WAIT_SLICE_NS)
			left = SAMPLE_WAIT_SLICE_NS;
		ts.tv_sec = (time_t)(left / 1000000000LL);
		ts.tv_nsec = (long)(left % 1000000000LL);
		/* at once when done moved since it was read (EAGAIN) */
		syscall(SYS_futex, heap_ring_done_word(r), FUTEX_WAIT,
			(uint32_t)done, &ts, NULL, 0);
	}
}

void
heap_setup(void)
{
	const char *fd_s = getenv(HEAP_ENV_FD), *rate_s = getenv(HEAP_ENV_RATE);
	const char *follow_s = getenv(HEAP_ENV_FOLLOW);
	bool follow = follow_s != NULL && strcmp(follow_s, "1") == 0;
	struct heap_record hello = {.kind = HEAP_RECORD_HELLO};
	struct heap_ring *r;
	char *end;
	long fd;

	sample_tls.busy = true;
	if (rate_s != NULL) {
		unsigned long long v = strtoull(rate_s, &end, 10);

		if (*end == '\0' && v >= 1)
			sample_rate = v;
	}
	fd = fd_s != NULL ? strtol(fd_s, &end, 10) : -1;
	if (!follow) {
		/* exec'd programs run unprofiled, as without cproftop */
		sample_unpreload();
		unsetenv(HEAP_ENV_FD);
		unsetenv(HEAP_ENV_RATE);
	}
	if (fd_s == NULL || *end != '\0' || fd < 0 || fd > 1 << 20) {
		sample_tls.busy = false;
		return;
	}
	/* aligned: the ring's huge page, when cproftop got one, maps whole */
	r = heap_huge_map((int)fd, HEAP_RING_BYTES, MAP_POPULATE);
	/* the program's descriptors are as without us; with --follow the
	   ring's stays open for the programs it executes */
	if (!follow)
		close((int)fd);
	if (r == MAP_FAILED || r->magic != HEAP_RING_MAGIC ||
	    r->version != HEAP_RING_VERSION || r->nslots != HEAP_RING_CELLS ||
	    r->slot_size != sizeof(struct heap_cell)) {
		if (r != MAP_FAILED)
			munmap(r, HEAP_RING_BYTES);
		sample_tls.busy = false;
		return;
	}
	sample_follow = follow;
	pthread_atfork(NULL, NULL, sample_atfork_child);
	addrset_setup();
	/* the unwinder's first walk binds its functions and finds the
	   tables: now, not inside some allocation later (four frames, as
	   backtrace(ips, 4) did: not down through the loader's) */
	{
		int left = 4;

		_Unwind_Backtrace(sample_warm_frame, &left);
		heap_unwind_walk(sample_warm_ip, &left);
	}
	sample_ring = r;
	sample_pid = (uint32_t)getpid();
	hello.pid = sample_pid;
	hello.addr = sample_pid;
	hello.size = sample_rate;
	if (heap_ring_put(r, &hello) == 0)
		sample_wait_read(r);
	heap_left = (uint64_t)sample_interval(&sample_tls);
	__atomic_store_n(&heap_enabled, 1, __ATOMIC_RELEASE);
	sample_tls.busy = false;
}
