/*
 * sampler/unwind_fp.c on synthetic stack copies: a frame-pointer chain is
 * followed while it stays in the copy and climbs, and refused otherwise;
 * a stack-pointer delta (Go) and a signal frame step as the ABI says.
 */
#include "config.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "sampler/unwind_fp.h"
#include "tests/tap.h"

#define BASE 0x7ff000000000ULL

static struct capture cap;

static void
word(uint64_t addr, uint64_t v)
{
	memcpy(cap.stack + (addr - BASE), &v, 8);
}

static int
reader_refuses(void *arg, uint64_t addr, uint64_t *val)
{
	(void)arg;
	(void)addr;
	(void)val;
	return -1;
}

int
main(void)
{
	struct unwind_fp_mem mem = {&cap, reader_refuses, NULL};
	struct user_regs_struct r;
	int rc;

	memset(&cap, 0, sizeof(cap));
	cap.stack_start = BASE;
	cap.stack_len = 4096;
	/* Three frames: bp chain 0x100 -> 0x200 -> 0x400 -> 0 (end). */
	word(BASE + 0x100, BASE + 0x200);
	word(BASE + 0x108, 0x401111);
	word(BASE + 0x200, BASE + 0x400);
	word(BASE + 0x208, 0x402222);
	word(BASE + 0x400, 0);
	word(BASE + 0x408, 0x403333);
	memset(&r, 0, sizeof(r));
	r.rip = 0x400000;
	r.rsp = BASE + 0x80;
	r.rbp = BASE + 0x100;
	rc = unwind_fp_step_chain(&mem, &r);
	tap_ok(rc == 0 && r.rip == 0x401111 && r.rsp == BASE + 0x110 &&
		       r.rbp == BASE + 0x200,
	       "chain: first step");
	rc = unwind_fp_step_chain(&mem, &r);
	tap_ok(rc == 0 && r.rip == 0x402222 && r.rbp == BASE + 0x400,
	       "chain: second step");
	rc = unwind_fp_step_chain(&mem, &r);
	tap_ok(rc == 0 && r.rip == 0x403333 && r.rbp == 0,
	       "chain: third step reaches rbp 0");
	tap_ok(unwind_fp_step_chain(&mem, &r) < 0, "chain: rbp 0 ends it");
	/* A return address of 0 ends it too. */
	word(BASE + 0x308, 0);
	r.rsp = BASE + 0x100;
	r.rbp = BASE + 0x300;
	tap_ok(unwind_fp_step_chain(&mem, &r) < 0, "chain: return address 0");

	/* A chain that goes down: the step to the frame is taken (its caller
	 * may have CFI), the next one refused. */
	word(BASE + 0x200, BASE + 0x180);
	r.rsp = BASE + 0x110;
	r.rbp = BASE + 0x200;
	rc = unwind_fp_step_chain(&mem, &r);
	tap_ok(rc == 0 && r.rip == 0x402222 && r.rbp == BASE + 0x180,
	       "chain: a caller's lower rbp is returned");
	tap_ok(unwind_fp_step_chain(&mem, &r) < 0,
	       "chain: and refused at the next step (below sp)");
	/* rbp below sp, outside the copy, misaligned: refused. */
	r.rsp = BASE + 0x300;
	r.rbp = BASE + 0x200;
	tap_ok(unwind_fp_step_chain(&mem, &r) < 0, "chain: rbp below sp");
	r.rsp = BASE;
	r.rbp = BASE + 4096 - 8;
	tap_ok(unwind_fp_step_chain(&mem, &r) < 0,
	       "chain: return slot past the copy");
	r.rbp = BASE + 0x104;
	tap_ok(unwind_fp_step_chain(&mem, &r) < 0, "chain: misaligned rbp");
	r.rbp = UINT64_MAX - 7;
	tap_ok(unwind_fp_step_chain(&mem, &r) < 0, "chain: rbp at the top");

	/* Go: return address at sp + 0x18, saved rbp below it. */
	word(BASE + 0x518, 0x404444);
	word(BASE + 0x510, BASE + 0x600);
	r.rsp = BASE + 0x500;
	r.rbp = 0;
	rc = unwind_fp_step_sp(&mem, &r, 0x18);
	tap_ok(rc == 0 && r.rip == 0x404444 && r.rsp == BASE + 0x520 &&
		       r.rbp == BASE + 0x600,
	       "sp delta: return address, sp and saved rbp");
	r.rsp = BASE + 0x518;
	r.rbp = 77;
	rc = unwind_fp_step_sp(&mem, &r, 0);
	tap_ok(rc == 0 && r.rip == 0x404444 && r.rbp == 77,
	       "sp delta 0 (a leaf): rbp unchanged");
	r.rsp = BASE + 0x500;
	tap_ok(unwind_fp_step_sp(&mem, &r, 4) < 0, "sp delta: misaligned");
	tap_ok(unwind_fp_step_sp(&mem, &r, -8) < 0, "sp delta: negative");
	tap_ok(unwind_fp_step_sp(&mem, &r, 0x10000) < 0,
	       "sp delta: past the copy, the reader refuses");

	/* A signal frame: ucontext at rsp, mcontext at +40, rip greg 16. */
	r.rsp = BASE + 0x800;
	word(BASE + 0x800 + 40 + 8 * 16, 0x405555);	/* rip */
	word(BASE + 0x800 + 40 + 8 * 15, BASE + 0x900); /* rsp */
	word(BASE + 0x800 + 40 + 8 * 10, BASE + 0x950); /* rbp */
	word(BASE + 0x800 + 40 + 8 * 11, 1234);		/* rbx */
	rc = unwind_fp_step_sigframe(&mem, &r);
	tap_ok(rc == 0 && r.rip == 0x405555 && r.rsp == BASE + 0x900 &&
		       r.rbp == BASE + 0x950 && r.rbx == 1234,
	       "signal frame: the interrupted registers");
	r.rsp = BASE + 4096 - 64;
	tap_ok(unwind_fp_step_sigframe(&mem, &r) < 0,
	       "signal frame past the copy");
	return tap_done();
}
