/*
 * tests/unit/heap_unwind_test: the preload library's fast unwinder
 * (heap/unwind.c) against libgcc's _Unwind_Backtrace from the same
 * frame, on varied stacks: recursion through functions with and without
 * a frame pointer, alloca, another thread, a library opened and closed
 * (and another mapped in its place, the cache then wrong unless it was
 * emptied), a signal handler (where the unwinder may give up, never
 * lie), and the cache's second pass (no rule learnt again). Any frame
 * that differs fails.
 */
#include "config.h"

#include "heap/unwind.h"

#include <alloca.h>
#include <dlfcn.h>
#include <limits.h>
#include <pthread.h>
#include <signal.h>
#include <stdlib.h>
#include <unistd.h>
#include <unwind.h>

#include "tests/tap.h"

#define TEST_FRAMES 64

struct test_frames {
	uintptr_t ip[TEST_FRAMES];
	int n;
};

/* The last comparison: the fast walk's result and whether it matched. */
static struct {
	int rc;
	bool match;
	int n, gcc_n, first_diff;
} test_last;

static volatile int test_sink;
static volatile int test_passes = 2;

static bool
test_fast_ip(void *arg, uintptr_t ip)
{
	struct test_frames *f = arg;

	if (f->n >= TEST_FRAMES)
		return false;
	f->ip[f->n++] = ip;
	return f->n < TEST_FRAMES;
}

static _Unwind_Reason_Code
test_gcc_frame(struct _Unwind_Context *ctx, void *arg)
{
	struct test_frames *f = arg;
	uintptr_t ip = (uintptr_t)_Unwind_GetIP(ctx);

	if (ip == 0)
		return _URC_END_OF_STACK;
	f->ip[f->n++] = ip;
	return f->n < TEST_FRAMES ? _URC_NO_REASON : _URC_END_OF_STACK;
}

/*
 * Walks the stack with both unwinders into test_last: the frames match
 * when they do from the caller on (the first ips are the two call sites
 * here).
 */
static __attribute__((noinline)) void
test_compare(void)
{
	struct test_frames fast = {.n = 0}, gcc = {.n = 0};

	test_last.rc = heap_unwind_walk(test_fast_ip, &fast);
	_Unwind_Backtrace(test_gcc_frame, &gcc);
	test_last.n = fast.n;
	test_last.gcc_n = gcc.n;
	test_last.first_diff = -1;
	test_last.match = fast.n == gcc.n && fast.n > 1;
	for (int i = 1; i < fast.n && i < gcc.n; i++)
		if (fast.ip[i] != gcc.ip[i]) {
			test_last.match = false;
			test_last.first_diff = i;
			break;
		}
}

/* tap_ok() on test_last: the walk was fast and its frames libgcc's. */
static void
test_check(const char *what)
{
	if (!tap_ok(test_last.rc == 0 && test_last.match, "%s", what))
		printf("#   rc %d, %d frames (libgcc %d), first difference at "
		       "%d\n",
		       test_last.rc, test_last.n, test_last.gcc_n,
		       test_last.first_diff);
}

static __attribute__((noinline, optimize("omit-frame-pointer"))) int
test_rec_nofp(int n);

static __attribute__((noinline, optimize("no-omit-frame-pointer"))) int
test_rec_fp(int n)
{
	volatile int pad[3] = {n, n, n};

	if (n <= 0) {
		test_compare();
		return pad[0];
	}
	return test_rec_nofp(n - 1) + pad[1];
}

static __attribute__((noinline, optimize("omit-frame-pointer"))) int
test_rec_nofp(int n)
{
	volatile char pad[40];

	pad[n % 40] = (char)n;
	if (n <= 0) {
		test_compare();
		return pad[0];
	}
	return ((n & 3) == 0 ? test_rec_nofp(n - 1) : test_rec_fp(n - 1)) +
	       pad[n % 40];
}

/* A frame of n bytes of alloca, then depth more. */
static __attribute__((noinline)) int
test_alloca(size_t n, int depth)
{
	volatile char *p = alloca(n);

	p[0] = (char)depth;
	p[n - 1] = (char)n;
	if (depth <= 0) {
		test_compare();
		return p[0];
	}
	return test_alloca(n * 3 + 8, depth - 1) + p[n - 1];
}

/* The dlopen'd library calls back here. */
static int
test_lib_cb(int x)
{
	test_compare();
	return x;
}

static void *
test_thread(void *arg)
{
	(void)arg;
	test_sink = test_rec_nofp(9);
	return NULL;
}

static void
test_signal(int sig)
{
	(void)sig;
	test_compare();
}

/* Opens the library lib*.so next to us, calls through it, closes it. */
static void
test_library(char which, uintptr_t *addr)
{
	char path[PATH_MAX];
	ssize_t len = readlink("/proc/self/exe", path, sizeof(path) - 32);
	int (*call)(int (*)(int), int);
	void *h;
	char *slash;

	*addr = 0;
	test_last.rc = -2;
	if (len <= 0)
		return;
	path[len] = '\0';
	slash = strrchr(path, '/');
	if (slash == NULL)
		return;
	snprintf(slash + 1, 32, "heap_unwind_lib%c.so", which);
	h = dlopen(path, RTLD_NOW | RTLD_LOCAL);
	if (!tap_ok(h != NULL, "dlopen %s", path)) {
		printf("#   %s\n", dlerror());
		return;
	}
	*(void **)&call = dlsym(h, "heap_unwind_lib_call");
	if (call != NULL) {
		*addr = (uintptr_t)call;
		test_sink = call(test_lib_cb, which);
	}
	dlclose(h);
}

int
main(void)
{
	struct heap_unwind_stats before, after;
	uintptr_t a, b;
	pthread_t t;

	test_rec_nofp(0);
	test_check("from main");
	test_rec_nofp(13);
	test_check("recursion, with and without frame pointers");
	test_rec_fp(80);
	test_check("recursion deeper than the walk");
	/* (a new call site in main is a new rule: the same one twice, the
	   loop not unrolled) */
	for (int i = 0; i < test_passes; i++) {
		heap_unwind_stats(&before);
		test_rec_nofp(13);
		heap_unwind_stats(&after);
	}
	test_check("recursion again");
	tap_is_int(after.learnt, before.learnt,
		   "the second walk learns no rule (cached)");
	test_alloca(24, 5);
	test_check("alloca");
	if (tap_ok(pthread_create(&t, NULL, test_thread, NULL) == 0,
		   "a thread starts")) {
		pthread_join(t, NULL);
		test_check("another thread's stack");
	}

	test_library('a', &a);
	test_check("through a dlopen'd library");
	heap_unwind_stats(&before);
	test_library('b', &b);
	test_check("through another library mapped after dlclose");
	heap_unwind_stats(&after);
	tap_ok(after.flushes > before.flushes, "dlclose empties the cache");
	if (a != b || a == 0)
		printf("# the second library is at %#lx, not %#lx: its rule "
		       "could not collide\n",
		       (unsigned long)b, (unsigned long)a);
	test_library('a', &a);
	test_check("the first library again");

	signal(SIGUSR1, test_signal);
	raise(SIGUSR1);
	if (!tap_ok(test_last.rc != 0 || test_last.match,
		    "in a signal handler: the same frames, or gives up"))
		printf("#   rc %d, %d frames (libgcc %d), first difference "
		       "at %d\n",
		       test_last.rc, test_last.n, test_last.gcc_n,
		       test_last.first_diff);
	printf("# in the signal handler the fast walk %s\n",
	       test_last.rc == 0 ? "went through" : "gave up");
	return tap_done();
}
