/*
 * heap/preload.c: libcproftop-heap.so's allocator hooks. LD_PRELOAD puts
 * these in front of the C library's malloc family; each calls the next
 * definition (dlsym(RTLD_NEXT): glibc's, or an allocator preloaded after
 * us) and counts the bytes toward the thread's next sample (sample.c).
 * While dlsym itself allocates, a static buffer serves it. Never sanitized,
 * never linked into cproftop.
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

#include "heap/preload.h"

#define HEAP_EXPORT __attribute__((visibility("default")))
#define RA() __builtin_return_address(0)

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
} real;

/* While dlsym runs: its allocations come from here and are never freed. */
static _Alignas(16) char boot_buf[16384];
static size_t boot_used;
static __thread bool boot_active __attribute__((tls_model("initial-exec")));

static bool
boot_owns(const void *p)
{
	return (const char *)p >= boot_buf &&
	       (const char *)p < boot_buf + sizeof(boot_buf);
}

static void *
boot_alloc(size_t n)
{
	size_t at = (boot_used + 15) & ~(size_t)15;

	if (n > sizeof(boot_buf) - at)
		return NULL;
	boot_used = at + n;
	return boot_buf + at; /* zeroed: static, never reused */
}

static void
preload_resolve(void)
{
	static atomic_int state; /* 0, 1 resolving, 2 done */
	int expect = 0;

	if (atomic_compare_exchange_strong(&state, &expect, 1)) {
		boot_active = true;
		real.malloc = dlsym(RTLD_NEXT, "malloc");
		real.free = dlsym(RTLD_NEXT, "free");
		real.calloc = dlsym(RTLD_NEXT, "calloc");
		real.realloc = dlsym(RTLD_NEXT, "realloc");
		real.posix_memalign = dlsym(RTLD_NEXT, "posix_memalign");
		real.aligned_alloc = dlsym(RTLD_NEXT, "aligned_alloc");
		real.memalign = dlsym(RTLD_NEXT, "memalign");
		real.valloc = dlsym(RTLD_NEXT, "valloc");
		real.pvalloc = dlsym(RTLD_NEXT, "pvalloc");
		boot_active = false;
		if (real.malloc == NULL || real.free == NULL ||
		    real.calloc == NULL || real.realloc == NULL)
			_exit(127); /* no allocator to forward to at all */
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
	if (__builtin_expect(real.malloc != NULL, 1))
		return false;
	if (boot_active)
		return true;
	preload_resolve();
	return false;
}

static inline void *
preload_count(void *p, size_t n, void *ra)
{
	if ((heap_left -= (int64_t)(n < INT64_MAX ? n : INT64_MAX)) <= 0)
		heap_sample(p, n, ra);
	return p;
}

HEAP_EXPORT void *
malloc(size_t n)
{
	if (preload_booting())
		return boot_alloc(n);
	return preload_count(real.malloc(n), n, RA());
}

HEAP_EXPORT void
free(void *p)
{
	if (p == NULL || boot_owns(p))
		return;
	if (preload_booting())
		return; /* nothing to free before anything was allocated */
	heap_forget(p);
	real.free(p);
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
		q = malloc(n);
		if (q != NULL) /* the old size is unknown: copy what fits */
			memcpy(q, p,
			       n < (size_t)(boot_buf + sizeof(boot_buf) -
					    (char *)p)
				       ? n
				       : (size_t)(boot_buf + sizeof(boot_buf) -
						  (char *)p));
		return q;
	}
	if (preload_booting())
		return boot_alloc(n);
	/* The old block is forgotten first: once realloc frees it, another
	   thread may be given its address. (A failed realloc keeps it, and
	   its sample is then lost: an in-use estimate too low, never a
	   crash.) */
	if (p != NULL)
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

/* Early, so that the libraries' own constructors are profiled too. */
__attribute__((constructor(101))) static void
preload_init(void)
{
	if (real.malloc == NULL)
		preload_resolve();
	heap_setup();
}
