/*
 * heap/preload.c: libcproftop-heap.so's allocator hooks. LD_PRELOAD puts
 * these in front of the C library's malloc family; each calls the next
 * definition (dlsym(RTLD_NEXT): glibc's, or an allocator preloaded after
 * us) and counts the bytes toward the thread's next sample (sample.c).
 * malloc and free, the hot pair, are a few instructions and a tail call
 * unless a sample is due or the freed block may have been sampled (a
 * filter bit, addrset.h). While dlsym itself allocates, a static buffer
 * serves it. Never sanitized, never linked into cproftop.
 */
#include "config.h"

#include <dlfcn.h>
#include <errno.h>
#include <malloc.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "heap/addrset.h"
#include "heap/preload.h"

#define HEAP_EXPORT __attribute__((visibility("default")))
#define RA() __builtin_return_address(0)

static void *preload_first_malloc(size_t n);
static void preload_first_free(void *p);

/* malloc and free start as the functions that resolve the real ones (or
   serve dlsym from the boot buffer): the hooks' common path then tests
   nothing but the countdown and the filter bit. The others are checked
   for NULL (rare paths). */
static struct {
	void *(*malloc)(size_t);
	void (*free)(void *);
	void *(*calloc)(size_t, size_t);
	void *(*realloc)(void *, size_t);
	int (*posix_memalign)(void **, size_t, size_t);
	void *(*aligned_alloc)(size_t, size_t);
	void *(*memalign)(size_t, size_t);
	void *(*valloc)(size_t);
	void *(*pvalloc)(size_t);
	size_t (*malloc_usable_size)(void *);
} real = {.malloc = preload_first_malloc, .free = preload_first_free};

/* Set once the functions below are resolved. */
static atomic_bool resolved;

/* While dlsym runs: its allocations come from here and are never freed;
   16 bytes before each block hold its size. Only the resolving thread
   allocates here. */
static _Alignas(16) char boot_buf[16384];
static size_t boot_used;
static __thread bool boot_active __attribute__((tls_model("initial-exec")));

static inline bool
boot_owns(const void *p)
{
	return (uintptr_t)p - (uintptr_t)boot_buf < sizeof(boot_buf);
}

static void *
boot_alloc(size_t n)
{
	size_t at = (boot_used + 15) & ~(size_t)15;

	if (n > sizeof(boot_buf) - at || sizeof(boot_buf) - at - n < 16)
		return NULL;
	boot_used = at + 16 + n;
	memcpy(boot_buf + at, &n, sizeof(n));
	/* free() of it takes its slow path, which knows the buffer */
	addrset_pin((uintptr_t)(boot_buf + at + 16));
	return boot_buf + at + 16; /* zeroed: static, never reused */
}

/* The size boot_alloc() was asked for p, a block it returned. */
static size_t
boot_size(const void *p)
{
	size_t n;

	memcpy(&n, (const char *)p - 16, sizeof(n));
	return n;
}

static void
preload_resolve(void)
{
	static atomic_int state; /* 0, 1 resolving, 2 done */
	int expect = 0;

	if (atomic_compare_exchange_strong(&state, &expect, 1)) {
		void *(*m)(size_t);
		void (*f)(void *);

		boot_active = true;
		m = dlsym(RTLD_NEXT, "malloc");
		f = dlsym(RTLD_NEXT, "free");
		real.calloc = dlsym(RTLD_NEXT, "calloc");
		real.realloc = dlsym(RTLD_NEXT, "realloc");
		real.posix_memalign = dlsym(RTLD_NEXT, "posix_memalign");
		real.aligned_alloc = dlsym(RTLD_NEXT, "aligned_alloc");
		real.memalign = dlsym(RTLD_NEXT, "memalign");
		real.valloc = dlsym(RTLD_NEXT, "valloc");
		real.pvalloc = dlsym(RTLD_NEXT, "pvalloc");
		real.malloc_usable_size =
			dlsym(RTLD_NEXT, "malloc_usable_size");
		boot_active = false;
		if (m == NULL || f == NULL || real.calloc == NULL ||
		    real.realloc == NULL)
			_exit(127); /* no allocator to forward to at all */
		__atomic_store_n(&real.free, f, __ATOMIC_RELEASE);
		__atomic_store_n(&real.malloc, m, __ATOMIC_RELEASE);
		/* last: resolved says every other one is set */
		atomic_store_explicit(&resolved, true, memory_order_release);
		atomic_store(&state, 2);
	} else {
		while (atomic_load(&state) != 2)
			; /* another thread resolves: a few microseconds */
	}
}

/* True when the hook must serve from the boot buffer (inside dlsym). */
static inline bool
preload_booting(void)
{
	if (__builtin_expect(
		    atomic_load_explicit(&resolved, memory_order_acquire), 1))
		return false;
	if (boot_active)
		return true;
	preload_resolve();
	return false;
}

/*
 * Counts n bytes toward the thread's next sample: true when it is due (n
 * is more than what is left; heap_sample() then draws the next interval),
 * otherwise takes n off. A subtraction and its borrow: no clamping.
 */
static inline bool
preload_due(size_t n)
{
	uint64_t left;

	if (__builtin_expect(__builtin_sub_overflow(heap_left, n, &left), 0))
		return true;
	heap_left = left;
	return false;
}

/*
 * Samples the allocation of n bytes at p requested from ra: inlined into
 * the hook (or its slow path), whose frame is then where the unwinder
 * starts (heap_stack()).
 */
static inline __attribute__((always_inline)) void
preload_sample(void *p, size_t n, void *ra)
{
	struct heap_record rec;

	if (!heap_sample_begin(p))
		return;
	heap_stack(&rec, ra);
	heap_sample_end(p, n, &rec);
}

/*
 * preload_sample() for the rare hooks (calloc, realloc, ...): out of line,
 * so that their frames stay small (the record is ~600 bytes of stack);
 * the walk steps through this one frame more than malloc's.
 */
static __attribute__((noinline, cold)) void
preload_sample_slow(void *p, size_t n, void *ra)
{
	preload_sample(p, n, ra);
}

static inline void *
preload_count(void *p, size_t n, void *ra)
{
	if (preload_due(n))
		preload_sample_slow(p, n, ra);
	return p;
}

/* real.malloc until the real one is known: resolves it, or serves dlsym. */
static void *
preload_first_malloc(size_t n)
{
	if (preload_booting())
		return boot_alloc(n);
	return real.malloc(n);
}

/* real.free until the real one is known. */
static void
preload_first_free(void *p)
{
	if (p == NULL || boot_owns(p) || preload_booting())
		return; /* nothing to free before anything was allocated */
	real.free(p);
}

/*
 * malloc's rare path: a sample is due (heap_left went below 0 by n: it is
 * 0 from here until heap_sample_begin() draws the next interval, so that
 * a signal handler's malloc in between never finds it wrapped around, nor
 * a re-entered or booting call leaves it so).
 */
static __attribute__((noinline)) void *
preload_malloc_slow(size_t n, void *ra)
{
	void *p;

	heap_left = 0;
	if (preload_booting())
		return boot_alloc(n);
	p = real.malloc(n);
	preload_sample(p, n, ra);
	return p;
}

/*
 * The common path is a TLS countdown (a subtraction and its borrow) and a
 * tail call through real.malloc (a relaxed load: one jmp through memory):
 * no frame, no shared line written. Aligned: a fetch block of its own.
 */
HEAP_EXPORT __attribute__((aligned(64))) void *
malloc(size_t n)
{
	if (__builtin_expect(__builtin_sub_overflow(heap_left, n, &heap_left),
			     0))
		return preload_malloc_slow(n, RA());
	return __atomic_load_n(&real.malloc, __ATOMIC_RELAXED)(n);
}

/* free's rare path: the address's filter bit is set. */
static __attribute__((noinline)) void
preload_free_slow(void *p)
{
	if (p == NULL || boot_owns(p))
		return;
	if (preload_booting())
		return; /* nothing to free before anything was allocated */
	heap_forget(p);
	real.free(p);
}

/*
 * The common path is one load of a filter bit ("not sampled") and a tail
 * call through real.free. NULL may hit a set bit, and the boot buffer's
 * blocks always do (addrset_pin): the slow path sorts them out.
 */
HEAP_EXPORT __attribute__((aligned(64))) void
free(void *p)
{
	if (__builtin_expect(addrset_maybe((uintptr_t)p), 0))
		preload_free_slow(p);
	else
		__atomic_load_n(&real.free, __ATOMIC_RELAXED)(p);
}

HEAP_EXPORT void *
calloc(size_t n, size_t m)
{
	size_t total;

	if (__builtin_mul_overflow(n, m, &total)) {
		errno = ENOMEM;
		return NULL;
	}
	if (preload_booting())
		return boot_alloc(total);
	return preload_count(real.calloc(n, m), total, RA());
}

static void *
preload_realloc(void *p, size_t n, void *ra)
{
	void *q;

	if (p != NULL && boot_owns(p)) {
		size_t old = boot_size(p);

		q = malloc(n);
		if (q != NULL)
			memcpy(q, p, n < old ? n : old);
		return q;
	}
	if (preload_booting())
		return boot_alloc(n);
	/* The old block is forgotten first: once realloc frees it, another
	   thread may be given its address. (A failed realloc keeps it, and
	   its sample is then lost: an in-use estimate too low, never a
	   crash.) */
	if (p != NULL && addrset_maybe((uintptr_t)p))
		heap_forget(p);
	q = real.realloc(p, n);
	if (q == NULL)
		return NULL;
	return preload_count(q, n, ra);
}

HEAP_EXPORT void *
realloc(void *p, size_t n)
{
	return preload_realloc(p, n, RA());
}

HEAP_EXPORT void *
reallocarray(void *p, size_t n, size_t m)
{
	size_t total;

	if (__builtin_mul_overflow(n, m, &total)) {
		errno = ENOMEM;
		return NULL;
	}
	return preload_realloc(p, total, RA());
}

HEAP_EXPORT int
posix_memalign(void **out, size_t align, size_t n)
{
	int rc;

	if (preload_booting() || real.posix_memalign == NULL)
		return ENOMEM;
	rc = real.posix_memalign(out, align, n);
	if (rc == 0)
		preload_count(*out, n, RA());
	return rc;
}

HEAP_EXPORT void *
aligned_alloc(size_t align, size_t n)
{
	if (preload_booting() || real.aligned_alloc == NULL) {
		errno = ENOMEM;
		return NULL;
	}
	return preload_count(real.aligned_alloc(align, n), n, RA());
}

HEAP_EXPORT void *
memalign(size_t align, size_t n)
{
	if (preload_booting() || real.memalign == NULL) {
		errno = ENOMEM;
		return NULL;
	}
	return preload_count(real.memalign(align, n), n, RA());
}

HEAP_EXPORT void *
valloc(size_t n)
{
	if (preload_booting() || real.valloc == NULL) {
		errno = ENOMEM;
		return NULL;
	}
	return preload_count(real.valloc(n), n, RA());
}

HEAP_EXPORT void *
pvalloc(size_t n)
{
	if (preload_booting() || real.pvalloc == NULL) {
		errno = ENOMEM;
		return NULL;
	}
	return preload_count(real.pvalloc(n), n, RA());
}

HEAP_EXPORT size_t
malloc_usable_size(void *p)
{
	if (p == NULL)
		return 0;
	if (boot_owns(p))
		return boot_size(p); /* glibc's would read a chunk header */
	if (preload_booting() || real.malloc_usable_size == NULL)
		return 0;
	return real.malloc_usable_size(p);
}

/* Early, so that the libraries' own constructors are profiled too. */
__attribute__((constructor(101))) static void
preload_init(void)
{
	if (!atomic_load(&resolved))
		preload_resolve();
	heap_setup();
}
