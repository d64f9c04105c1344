#ifndef CPT_HEAP_PRELOAD_H
#define CPT_HEAP_PRELOAD_H

/*
 * Inside libcproftop-heap.so: the link between the allocator hooks
 * (preload.c) and the sampler (sample.c). Nothing here is exported from
 * the library (-fvisibility=hidden).
 */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <unwind.h>

#include "heap/ring.h"
#include "heap/unwind.h"

/*
 * The thread's bytes until its next sample: an allocation of more calls
 * heap_sample(), which sets the next; others are taken off (0 left: the
 * next allocation of a byte or more is sampled).
 */
extern __thread uint64_t heap_left __attribute__((tls_model("initial-exec")));

/* Nonzero while this process profiles (cleared in a forked child). */
extern int heap_enabled;

/*
 * Called by a hook when heap_left was < size, after an allocation of size
 * bytes at p (NULL when it failed) requested from the return address ra:
 * draws the thread's next interval and, when profiling and not re-entered,
 * records p with the calling stack. Never blocks, never allocates through
 * the hooks' sampling (re-entry is passed through). The hooks themselves
 * use its parts below (heap_sample_begin, heap_stack, heap_sample_end):
 * the stack is then unwound from the hook's frame, not two frames deeper.
 */
void heap_sample(void *p, size_t size, void *ra);

/*
 * heap_sample's first part: draws the thread's next interval. Returns true
 * when p is to be recorded (p is not NULL, this process profiles, the
 * thread is not inside the sampler): the thread is then marked busy until
 * heap_sample_end(), which the caller must call.
 */
bool heap_sample_begin(void *p);

/*
 * heap_sample's last part, after heap_sample_begin() said true: records
 * the allocation of size bytes at p with the stack in rec->frames and
 * rec->nframes (heap_stack()), and clears the busy mark.
 */
void heap_sample_end(void *p, size_t size, struct heap_record *rec);

/* What heap_stack_frame() sees of the stack walk. */
struct heap_stack_walk {
	struct heap_record *rec;
	uintptr_t ra;	    /* the hook's return address */
	uintptr_t early[4]; /* the first frames, until ra is among them */
	uint32_t nearly;
	bool found;
};

/* One frame of the walk (a struct heap_stack_walk): see heap_stack().
   False once the record is full. */
bool heap_stack_ip(void *arg, uintptr_t ip);

/* heap_stack_ip() as libgcc's walk calls it. */
_Unwind_Reason_Code heap_stack_frame(struct _Unwind_Context *ctx, void *arg);

/*
 * The calling stack into rec (frames, nframes), innermost first, starting
 * at the hook's caller: the frame whose return address is ra among the
 * first four, else the third. The unwinder (unwind.h: cached rules,
 * ~0.1 us a stack; libgcc's _Unwind_Backtrace over .eh_frame, no
 * allocation once loaded, where it gives up) is called from the function
 * this is inlined into (a hook, or its slow path), so that the walk steps
 * through no frame of the sampler.
 */
static inline __attribute__((always_inline)) void
heap_stack(struct heap_record *rec, void *ra)
{
	struct heap_stack_walk w = {.rec = rec, .ra = (uintptr_t)ra};

	rec->nframes = 0;
	if (heap_unwind_walk(heap_stack_ip, &w) != 0) {
		/* its frames are dropped: libgcc's walk from the start */
		w = (struct heap_stack_walk){.rec = rec, .ra = (uintptr_t)ra};
		rec->nframes = 0;
		_Unwind_Backtrace(heap_stack_frame, &w);
	}
	/* ra never seen: the walk starts at the third frame, as before */
	if (!w.found)
		for (uint32_t i = 2; i < w.nearly; i++)
			rec->frames[rec->nframes++] = w.early[i];
}

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
