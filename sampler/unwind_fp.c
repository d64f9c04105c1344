#include "config.h"

#include "sampler/unwind_fp.h"

#include <stddef.h>
#include <string.h>

/* struct ucontext: uc_flags, uc_link, uc_stack (24 bytes), mcontext. */
#define UNWIND_FP_UC_MCONTEXT 40

/* Indexes of mcontext's gregs (sys/ucontext.h REG_*). */
enum {
	UNWIND_FP_R8,
	UNWIND_FP_R9,
	UNWIND_FP_R10,
	UNWIND_FP_R11,
	UNWIND_FP_R12,
	UNWIND_FP_R13,
	UNWIND_FP_R14,
	UNWIND_FP_R15,
	UNWIND_FP_RDI,
	UNWIND_FP_RSI,
	UNWIND_FP_RBP,
	UNWIND_FP_RBX,
	UNWIND_FP_RDX,
	UNWIND_FP_RAX,
	UNWIND_FP_RCX,
	UNWIND_FP_RSP,
	UNWIND_FP_RIP,
	UNWIND_FP_NREGS
};

/* True when [addr, addr + 8) lies in the copy (stack[] + stack_more). */
static bool
unwind_fp_in_copy(const struct capture *c, uint64_t addr)
{
	size_t len = c->stack_len + (c->stack_more ? c->stack_more_len : 0);

	return addr >= c->stack_start && len >= 8 &&
	       addr - c->stack_start <= len - 8;
}

int
unwind_fp_copy_word(const struct capture *c, uint64_t addr, uint64_t *val)
{
	uint8_t *out = (uint8_t *)val;
	uint64_t off;

	if (!unwind_fp_in_copy(c, addr))
		return -1;
	off = addr - c->stack_start;
	for (int i = 0; i < 8; i++, off++)
		out[i] = off < c->stack_len ? c->stack[off]
					    : c->stack_more[off - c->stack_len];
	return 0;
}

int
unwind_fp_word(const struct unwind_fp_mem *m, uint64_t addr, uint64_t *val)
{
	if (unwind_fp_copy_word(m->c, addr, val) == 0)
		return 0;
	if (m->reader == NULL || addr > UINT64_MAX - 8)
		return -1;
	return m->reader(m->arg, addr, val);
}

int
unwind_fp_step_chain(const struct unwind_fp_mem *m, struct user_regs_struct *r)
{
	uint64_t bp = r->rbp, next, ret;

	if (bp < r->rsp || (bp & 7) != 0 || !unwind_fp_in_copy(m->c, bp) ||
	    !unwind_fp_in_copy(m->c, bp + 8))
		return -1;
	unwind_fp_copy_word(m->c, bp, &next);
	unwind_fp_copy_word(m->c, bp + 8, &ret);
	/* A caller without frame pointers holds anything in rbp: the next
	 * chain step refuses it unless it lies above this frame. */
	if (ret == 0)
		return -1;
	r->rip = ret;
	r->rsp = bp + 16;
	r->rbp = next;
	return 0;
}

int
unwind_fp_step_sp(const struct unwind_fp_mem *m, struct user_regs_struct *r,
		  int64_t delta)
{
	uint64_t at, ret, bp = r->rbp;

	if (delta < 0 || delta > (int64_t)CAPTURE_STACK_BYTES * 64 ||
	    (delta & 7) != 0 || r->rsp > UINT64_MAX - (uint64_t)delta - 16)
		return -1;
	at = r->rsp + (uint64_t)delta;
	if (unwind_fp_word(m, at, &ret) < 0 || ret == 0)
		return -1;
	if (delta > 0 && unwind_fp_word(m, at - 8, &bp) < 0)
		bp = r->rbp;
	r->rip = ret;
	r->rsp = at + 8;
	r->rbp = bp;
	return 0;
}

int
unwind_fp_step_sigframe(const struct unwind_fp_mem *m,
			struct user_regs_struct *r)
{
	uint64_t g[UNWIND_FP_NREGS];
	uint64_t base = r->rsp + UNWIND_FP_UC_MCONTEXT;

	if (r->rsp > UINT64_MAX - 4096)
		return -1;
	for (int i = 0; i < UNWIND_FP_NREGS; i++)
		if (unwind_fp_word(m, base + 8 * (uint64_t)i, &g[i]) < 0)
			return -1;
	if (g[UNWIND_FP_RIP] == 0)
		return -1;
	r->r8 = g[UNWIND_FP_R8];
	r->r9 = g[UNWIND_FP_R9];
	r->r10 = g[UNWIND_FP_R10];
	r->r11 = g[UNWIND_FP_R11];
	r->r12 = g[UNWIND_FP_R12];
	r->r13 = g[UNWIND_FP_R13];
	r->r14 = g[UNWIND_FP_R14];
	r->r15 = g[UNWIND_FP_R15];
	r->rdi = g[UNWIND_FP_RDI];
	r->rsi = g[UNWIND_FP_RSI];
	r->rbp = g[UNWIND_FP_RBP];
	r->rbx = g[UNWIND_FP_RBX];
	r->rdx = g[UNWIND_FP_RDX];
	r->rax = g[UNWIND_FP_RAX];
	r->rcx = g[UNWIND_FP_RCX];
	r->rsp = g[UNWIND_FP_RSP];
	r->rip = g[UNWIND_FP_RIP];
	return 0;
}
