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
 * and mmaps whole files whenever the ip changes object. A global cache is
 * flushed by unwind_flush(). Sampler thread only.
 */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>
#include <sys/user.h>

#include "attach/attach.h"

#define UNWIND_STACK_BYTES (32 * 1024)
#define UNWIND_MAX_FRAMES 256

/* What unwind_capture() took from a stopped thread, or
 * unwind_capture_blocked() from a blocked one. */
struct unwind_capture {
	pid_t tid;
	bool blocked; /* regs hold rip and rsp only (the thread slept) */
	struct user_regs_struct regs;
	uint64_t
		stack_start; /* target address of stack[0] (== sp - red zone) */
	size_t stack_len;    /* bytes copied (short near the stack's top) */
	uint8_t stack[UNWIND_STACK_BYTES];
};

struct unwind;

/* Creates an unwinder for a's target. Caller frees with unwind_free(). */
struct unwind *unwind_new(struct attach *a);
void unwind_free(struct unwind *u);

/*
 * Copies regs and up to UNWIND_STACK_BYTES of stack from sp - 128 upwards
 * into c with one process_vm_readv (page by page past a short read at the
 * end of the stack mapping). Called from inside an attach_sample()
 * callback: no allocation, no /proc reads, async work only.
 */
void unwind_capture(struct attach *a, pid_t tid,
		    const struct user_regs_struct *regs,
		    struct unwind_capture *c);

/*
 * Copies the stack of a thread blocked in the kernel, without stopping it:
 * pc and sp as /proc/PID/task/TID/syscall gave them, the stack from sp -
 * 128 as unwind_capture() does. The caller checks that the thread did not
 * run meanwhile (schedstat before and after). The other registers are
 * unknown: unwind_stack() recovers the frame pointer from the copy.
 */
void unwind_capture_blocked(struct attach *a, pid_t tid, uint64_t pc,
			    uint64_t sp, struct unwind_capture *c);

/*
 * Unwinds the captured stack. Fills pcs[0..max) with the innermost pc
 * first, then return addresses. *truncated is set when the unwind stopped
 * for an error rather than at the outermost frame (start of thread, main's
 * caller); *signal_frame_after (may be NULL) marks frames that follow a
 * signal frame (their pc is not a return address; bit i for pcs[i], i <
 * 64). Returns the number of frames (>= 1 when the ip is readable).
 * For a blocked capture, whose rbp is unknown, it unwinds by CFI as far as
 * it goes, then looks in the copy, above the sp reached, for the first
 * word that starts a valid frame-pointer chain (a saved rbp above it or 0,
 * a return address into code beside it, links checked up to 16 deep,
 * bounded by the copy) and unwinds again with that rbp, keeping the deeper
 * result.
 */
int unwind_stack(struct unwind *u, const struct unwind_capture *c,
		 uint64_t *pcs, int max, bool *truncated,
		 uint64_t *signal_frame_after);

/*
 * Forgets cached unwind info and the page cache: call when the target's
 * maps changed (exec, dlopen, dlclose).
 */
void unwind_flush(struct unwind *u);

#endif
