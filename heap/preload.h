#ifndef CPT_HEAP_PRELOAD_H
#define CPT_HEAP_PRELOAD_H

/*
 * Inside libcproftop-heap.so: the link between the allocator hooks
 * (preload.c) and the sampler (sample.c). Nothing here is exported from
 * the library (-fvisibility=hidden).
 */

#include <stddef.h>
#include <stdint.h>

/*
 * The thread's bytes until its next sample: an allocation of at least as
 * many calls heap_sample(), which sets the next; smaller ones are taken
 * off.
 */
extern __thread uint64_t heap_left __attribute__((tls_model("initial-exec")));

/* Nonzero while this process profiles (cleared in a forked child). */
extern int heap_enabled;

/*
 * Called by a hook when heap_left was <= size, after an allocation of size
 * bytes at p (NULL when it failed) requested from the return address ra:
 * draws the thread's next interval and, when profiling and not re-entered,
 * records p with the calling stack. Never blocks, never allocates through
 * the hooks' sampling (re-entry is passed through).
 */
void heap_sample(void *p, size_t size, void *ra);

/*
 * The free (or move by realloc) of p: when p was sampled, records its
 * free. Call before the real free, so that a new allocation at p is
 * recorded after it; the hooks call it only when addrset_maybe(p). A free
 * re-entered from inside the sampler (a signal handler) is not recorded
 * but counted as untracked.
 */
void heap_forget(void *p);

/*
 * Maps the ring cproftop created, cleans the environment of the variables
 * that loaded us (unless exec'd programs are to be profiled too) and says
 * hello. Called once, from the library's constructor, after the real
 * allocator functions are known.
 */
void heap_setup(void);

#endif
