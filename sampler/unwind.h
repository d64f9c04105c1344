#ifndef CPT_SAMPLER_UNWIND_H
#define CPT_SAMPLER_UNWIND_H

/*
 * Remote unwinding from a copy. While a target thread is stopped the
 * sampler only calls unwind_capture(): registers and one bounded copy of the
 * stack. After the thread is resumed, unwind_stack() walks the copy with
 * libunwind's remote API and our own accessors: the stack from the copy,
 * other memory from a page cache filled with attach_read(), and unwind info
 * from .eh_frame_hdr tables we read from the target's memory (files and
 * [vdso] alike) searched with libunwind's dwarf_search_unwind_table --
 * not libunwind-ptrace's proc-info lookup, which re-reads /proc/PID/maps
 * and mmaps whole files whenever the ip changes object. A stack whose
 * every frame has a common CFA rule is walked without libunwind, over
 * rules cached by pc (sampler/unwind_cfi.c): the same frames. A global
 * cache is flushed by unwind_flush(). Sampler thread only.
 */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>
#include <sys/user.h>

#include "attach/attach.h"
#include "attach/procfs.h"
#include "sampler/capture.h"

#define UNWIND_STACK_BYTES CAPTURE_STACK_BYTES
#define UNWIND_MAX_FRAMES 256

struct unwind;

/*
 * Creates an unwinder for the process pid (memory beyond a capture's stack
 * copy is read with attach_read_pid(): no tracing needed). Caller frees
 * with unwind_free().
 */
struct unwind *unwind_new(pid_t pid);
void unwind_free(struct unwind *u);

/*
 * Copies regs and up to UNWIND_STACK_BYTES of stack from sp - 128 upwards
 * into c (tid, regs, stack; the caller sets the rest) with one process_vm_readv
 * (page by page past a short read at the end of the stack mapping). Called from
 * inside an attach_sample() callback: no allocation, no /proc reads, async work
 * only.
 */
void unwind_capture(struct attach *a, pid_t tid,
		    const struct user_regs_struct *regs, struct capture *c);

/*
 * Copies the stack of a thread blocked in the kernel, without stopping it:
 * pc and sp as /proc/PID/task/TID/syscall gave them, the stack from sp -
 * 128 as unwind_capture() does (c->regs_partial set). The caller checks
 * that the thread did not run meanwhile (schedstat before and after).
 * Sampler thread.
 */
void unwind_capture_blocked(struct attach *a, pid_t tid, uint64_t pc,
			    uint64_t sp, struct capture *c);

/*
 * Unwinds the captured stack. Fills pcs[0..max) with the innermost pc
 * first, then return addresses. Frames that no CFI covers (Go, JIT code)
 * are stepped by the rule callback or the frame-pointer chain, over the
 * copy only (sampler/unwind_fp.h), and CFI unwinding resumes after them.
 * A thread caught at a signal handler's first instruction (the signal was
 * just delivered) is unwound from the interrupted registers instead.
 * *truncated is set when the unwind stopped for an error rather than at the
 * outermost frame (start of thread, main's caller); *signal_frame_after (may be
 * NULL) marks frames that follow a signal frame (their pc is not a return
 * address; bit i for pcs[i], i < 64). Returns the number of frames (>= 1 when
 * the ip is readable). For a capture with regs_partial, whose rbp is
 * unknown, it unwinds by CFI as far as it goes -- the outermost frame
 * reached by the fast path, that is the stack -- else looks in the copy,
 * above the sp reached, for the first word that starts a frame-pointer
 * chain (a saved rbp above it or 0 beside a return address that follows a
 * call instruction; links checked while they look like frames, bounded by
 * the copy) and unwinds again with that rbp, keeping the deeper result.
 * the ip is readable).
 * Bounded whatever the target's unwind info says: at most max frames,
 * 65536 memory reads and 50 ms of CPU; an unwind cut short by the bound
 * returns the frames found so far with *truncated set.
 */
int unwind_stack(struct unwind *u, const struct capture *c, uint64_t *pcs,
		 int max, bool *truncated, uint64_t *signal_frame_after);

/* What a rule callback says about a frame that no CFI covers. */
enum unwind_rule {
	UNWIND_RULE_NONE,      /* unknown: follow the frame-pointer chain */
	UNWIND_RULE_SP,	       /* the return address is at sp + *sp_delta */
	UNWIND_RULE_OUTERMOST, /* the thread's first frame: the stack ends */
	UNWIND_RULE_STOP,      /* cannot be unwound: the stack ends early */
	UNWIND_RULE_CGO,       /* Go's asmcgocall after its call of C: back to
				  the goroutine's stack it saved */
};

/*
 * Says how to unwind the frame at pc (a return address when is_return),
 * e.g. from Go's .gopclntab. Called from unwind_stack() on the sampler
 * thread; sets *sp_delta for UNWIND_RULE_SP.
 */
typedef enum unwind_rule (*unwind_rule_fn)(void *arg, uint64_t pc,
					   bool is_return, int32_t *sp_delta);

/*
 * Sets the callback asked about frames without CFI (NULL: none, every such
 * frame follows the frame-pointer chain). arg is borrowed.
 */
void unwind_set_rule(struct unwind *u, unwind_rule_fn fn, void *arg);

/*
 * True when the last unwind_stack() stepped over at least one frame
 * without CFI (by frame pointer or a rule), for the health figures.
 */
bool unwind_used_fallback(const struct unwind *u);

/*
 * Turns the fast path of unwind_stack() on (the default) or off: frames
 * whose CFI is one of the common rules (sampler/unwind_cfi.c) stepped
 * without libunwind, the same frames found. Off, every unwind goes
 * through libunwind: for tests that compare the two.
 */
void unwind_set_fast(struct unwind *u, bool on);

/* True when the last unwind_stack() was done by the fast path alone: none
 * of its walks went through libunwind. */
bool unwind_used_fast(const struct unwind *u);

/* Reads the process's memory through pid from now on (a live thread of
 * the same process, when the leader called pthread_exit()). */
void unwind_set_pid(struct unwind *u, pid_t pid);

/*
 * Called by unwind_stack() before it unwinds a capture whose sp or pc lies
 * in no mapping of the maps it was given (a thread born after they were
 * read, code mapped since), and during the unwind when a frame's pc does
 * (a library mapped since: the lookup is made again after the call): the
 * owner may read the maps again, bounded as it sees fit, and calls
 * unwind_flush() when they changed (the unwind in progress goes on).
 * Sampler thread.
 */
typedef void (*unwind_miss_fn)(void *arg);

/*
 * The process's maps, owned by the caller (sampler/space.c: the one table
 * the symbolizer reads too) and borrowed until the next call or
 * unwind_free(): the unwinder finds executable images, stacks and
 * cacheable memory in them; miss (may be NULL) as above. NULL maps: none
 * known. Sampler thread.
 */
void unwind_set_maps(struct unwind *u, const struct procfs_maps *maps,
		     unwind_miss_fn miss, void *arg);

/*
 * An object file mapped in the target, in its addresses: the span of its
 * PT_LOAD segments and its .eh_frame_hdr (hdr 0 when none), the header's
 * table of count entries at table. libunwind reads the table from the
 * target's memory.
 */
struct unwind_image {
	uint64_t start, end;
	uint64_t hdr, table, count;
};

/*
 * Fills *img for the object file mapped at ip, from the owner's per-file
 * facts (sampler/space.c: the symbolizer's, so that every file is opened
 * and parsed once). Returns false when it has none: the unwinder then
 * reads the image's headers from the target's memory. Sampler thread.
 */
typedef bool (*unwind_image_fn)(void *arg, uint64_t ip,
				struct unwind_image *img);

/*
 * Copies the len bytes at addr of a read-only file mapping from the file
 * behind it (the owner's copy, as the mapping shows it), for a target whose
 * memory can no longer be read: a process that has exited since the
 * capture was taken. Returns false when the owner has no such file.
 * Sampler thread.
 */
typedef bool (*unwind_file_read_fn)(void *arg, uint64_t addr, void *buf,
				    size_t len);

/*
 * Sets the callbacks asked for the object file of an executable mapping on
 * its first unwind, and for the bytes of a read-only file mapping the
 * target's memory no longer gives (NULL: none, every image is read from
 * the target's memory). arg is borrowed. The unwinder caches what they
 * return until unwind_flush(); the time the first takes is not counted
 * against an unwind's CPU budget (it may open the file).
 */
void unwind_set_images(struct unwind *u, unwind_image_fn fn,
		       unwind_file_read_fn read, void *arg);

/*
 * True when the last unwind_stack() stopped because it needed stack beyond
 * the copy (the stack is deeper than stack[] + stack_more): the thread's
 * next captures should copy more (unwind_capture_more()).
 */
bool unwind_copy_short(const struct unwind *u);

/*
 * Copies up to len more bytes of the stopped thread's stack, right after
 * c->stack (only when that copy is full), into buf and points
 * c->stack_more at it (buf is borrowed until c is unwound). Called, like
 * unwind_capture(), while the thread is stopped: no allocation.
 */
void unwind_capture_more(struct attach *a, struct capture *c, uint8_t *buf,
			 size_t len);

/*
 * Forgets cached unwind info and the page cache: call when the target's
 * maps changed (exec, dlopen, dlclose), after unwind_set_maps().
 */
void unwind_flush(struct unwind *u);

#endif
