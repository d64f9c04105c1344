#ifndef CPT_SAMPLER_UNWIND_FP_H
#define CPT_SAMPLER_UNWIND_FP_H

/*
 * Unwinding without CFI, one frame at a time, from a capture's registers
 * and stack copy only (whatever source took it: ptrace or perf_event).
 * Pure functions over the capture's bytes; every word read is checked to
 * lie inside the copy (or, where a signal frame moved to another stack,
 * read through the caller's reader, which may refuse), and every step
 * must move the stack pointer up. Any thread.
 */

#include <stdbool.h>
#include <stdint.h>
#include <sys/user.h>

#include "sampler/unwind.h"

/*
 * Reads the 8-byte word at addr outside the stack copy into *val. Returns
 * 0, or -1 when it may not or cannot.
 */
typedef int (*unwind_fp_reader)(void *arg, uint64_t addr, uint64_t *val);

/* Where a step reads words: the copy first, then reader (may be NULL). */
struct unwind_fp_mem {
	const struct capture *c;
	unwind_fp_reader reader;
	void *arg;
};

/*
 * Reads the 8 bytes at addr from the capture's copy (stack[], then
 * stack_more). Returns 0, or -1 when they are not all in it.
 */
int unwind_fp_copy_word(const struct capture *c, uint64_t addr, uint64_t *val);

/*
 * Reads the word at addr from the copy, else through m->reader. Returns 0,
 * or -1.
 */
int unwind_fp_word(const struct unwind_fp_mem *m, uint64_t addr, uint64_t *val);

/*
 * One step along the frame-pointer chain: the frame at r (rip, rsp, rbp)
 * returns to [rbp + 8], its caller's rbp is [rbp] and its sp rbp + 16.
 * Checked: rbp lies in the stack copy at or above rsp (so the chain only
 * climbs: the caller's sp is rbp + 16, and a caller's rbp below it is
 * refused by the next step -- a caller with CFI needs none). Returns 0
 * with r moved to the caller (only rip, rsp, rbp change), or -1.
 */
int unwind_fp_step_chain(const struct unwind_fp_mem *m,
			 struct user_regs_struct *r);

/*
 * One step of a frame whose return address is at rsp + delta (Go's
 * pc-value tables give delta): the caller's sp is rsp + delta + 8, its rbp
 * the word below the return address when the frame has one (delta > 0).
 * Returns 0 with r moved to the caller, or -1.
 */
int unwind_fp_step_sp(const struct unwind_fp_mem *m, struct user_regs_struct *r,
		      int64_t delta);

/*
 * Steps through a Linux x86-64 signal frame: r->rsp points at the struct
 * ucontext the kernel pushed (just above the restorer's return slot); r
 * becomes the interrupted registers. Returns 0, or -1.
 */
int unwind_fp_step_sigframe(const struct unwind_fp_mem *m,
			    struct user_regs_struct *r);

#endif
