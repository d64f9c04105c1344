#include "config.h"

#include "sampler/unwind_int.h"

#include <elf.h>
#include <libunwind.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "attach/procfs.h"
#include "common/array.h"
#include "common/clock.h"
#include "common/log.h"
#include "common/sorted.h"
#include "common/xmalloc.h"
#include "sampler/ehframe.h"
#include "sampler/unwind_fp.h"

struct unwind *
unwind_new(pid_t pid)
{
	struct unwind *u = xcalloc(1, sizeof(*u));

	u->pid = pid;
	u->as = unw_create_addr_space(&unwind_accessors, 0);
	if (u->as == NULL)
		fatalx("unw_create_addr_space failed");
	/*
	 * The global cache takes a lock around each step, with two
	 * sigprocmask calls: 19-20 system calls a tick for one busy thread
	 * (strace -c), the sampler thread's largest count. UNW_CACHE_PER_THREAD
	 * would take none, but Debian's libunwind 1.6.2 is built without it
	 * (asked for, it falls back to the global cache: the same count), and
	 * its one per-thread cache would serve every address space alike
	 * (Gparser.c get_rs_cache(): keyed by a generation each space counts
	 * from the same start). UNW_CACHE_NONE takes a lock in its memory
	 * pool instead, and unwound the fp target's main thread slower
	 * (tests/unit/unwind_test: 51-92 us against 25-36). The fast path
	 * (unwind_cfi.c) takes neither for the stacks it walks alone.
	 */
	unw_set_caching_policy(u->as, UNW_CACHE_GLOBAL);
	unw_set_cache_size(u->as, UNWIND_RS_CACHE, 0);
	u->pages = xcalloc(UNWIND_CACHE_PAGES, sizeof(*u->pages));
	u->rules = xcalloc(UNWIND_RULES, sizeof(*u->rules));
	u->fde_buf = xmalloc(UNWIND_CFI_BYTES);
	u->cie_buf = xmalloc(UNWIND_CFI_BYTES);
	unwind_set_maps(u, NULL, NULL, NULL);
	return u;
}

void
unwind_free(struct unwind *u)
{
	if (u == NULL)
		return;
	unw_destroy_addr_space(u->as);
	free(u->elfs);
	free(u->pages);
	free(u->rules);
	free(u->fde_buf);
	free(u->cie_buf);
	free(u);
}

void
unwind_capture(struct attach *a, pid_t tid, const struct user_regs_struct *regs,
	       struct capture *c)
{
	size_t got = 0;
	ssize_t n;

	c->tid = tid;
	c->regs = *regs;
	c->regs_partial = false;
	c->stack_more = NULL;
	c->stack_more_len = 0;
	c->stack_start = regs->rsp - UNWIND_RED_ZONE;
	/* Through the thread itself: a followed child is another process. */
	(void)a;
	n = attach_read_pid(tid, c->stack_start, c->stack, UNWIND_STACK_BYTES);
	if (n > 0)
		got = (size_t)n;
	/*
	 * A copy that runs past the end of the stack's mapping stops short
	 * at the first page it cannot read (the kernel reads whole pages, and
	 * fails the call only when it read nothing): what is left is not the
	 * stack, and was read a page at a time for nothing -- a failing call
	 * a tick for a main thread, whose stack ends within 32 KiB. A call
	 * that failed as a whole is tried again a page at a time.
	 */
	for (bool by_page = n < 0; by_page && got < UNWIND_STACK_BYTES;) {
		uint64_t at = c->stack_start + got;
		size_t want = UNWIND_PAGE - (at & (UNWIND_PAGE - 1));

		if (want > UNWIND_STACK_BYTES - got)
			want = UNWIND_STACK_BYTES - got;
		n = attach_read_pid(tid, at, c->stack + got, want);
		if (n <= 0)
			break;
		got += (size_t)n;
	}
	c->stack_len = got;
}

void
unwind_capture_blocked(struct attach *a, pid_t tid, uint64_t pc, uint64_t sp,
		       struct capture *c)
{
	struct user_regs_struct regs;

	memset(&regs, 0, sizeof(regs));
	regs.rip = pc;
	regs.rsp = sp;
	unwind_capture(a, tid, &regs, c);
	c->regs_partial = true;
}

/*
 * True when ip is at the x86_64 Linux rt_sigreturn trampoline (glibc's
 * __restore_rt): "mov $15, %rax; syscall". libunwind 1.6's
 * unw_is_signal_frame() answers for the frame after it instead.
 */
bool
unwind_is_sigreturn(struct unwind *u, uint64_t ip)
{
	static const uint8_t code[] = {0x48, 0xc7, 0xc0, 0x0f, 0x00,
				       0x00, 0x00, 0x0f, 0x05};
	uint8_t buf[sizeof(code)];

	return unwind_read(u, ip, buf, sizeof(buf)) == 0 &&
	       memcmp(buf, code, sizeof(code)) == 0;
}

/*
 * True when an FDE of the unwind table of ip's ELF image covers ip (pc - 1
 * for a return address, so a call that ends its function is looked up
 * right). Go code in a binary linked with C (cgo) has none although the
 * image has a table.
 */
static bool
unwind_has_info(struct unwind *u, uint64_t ip, bool exact)
{
	uint64_t at = exact ? ip : ip - 1;
	const struct unwind_elf *e = unwind_elf_find(u, at);
	unw_proc_info_t pi;
	unw_dyn_info_t di;

	if (e == NULL || !e->has_table)
		return false;
	di = e->di;
	return _Ux86_64_dwarf_search_unwind_table(u->as, at, &di, &pi, 0, u) ==
	       0;
}

/*
 * For a frame's pc (at, as looked up) in no known mapping: code mapped
 * since the maps were read (the libraries the loader maps after a spawned
 * command's exec, dlopen) -- not only the first pc and sp can be. The
 * owner reads the maps again (at most every 50 ms: unwind_set_maps(); a
 * change flushes this unwinder's images and pages, not the walk). True
 * when at is in an executable mapping now; false says why in the log.
 */
static bool
unwind_mapped_since(struct unwind *u, uint64_t at)
{
	const struct procfs_map *m = procfs_maps_find(u->maps, at);

	if (m != NULL || u->miss == NULL)
		return false;
	u->miss(u->miss_arg);
	m = procfs_maps_find(u->maps, at);
	if (m == NULL)
		log_debug("unwind: tid %d: a frame's pc %#llx is in no mapping "
			  "known (the maps read again at most every 50 ms)",
			  (int)u->cur->tid, (unsigned long long)at);
	return m != NULL && m->executable;
}

/* unwind_fp_reader over the target: see unwind_read_live(). */
static int
unwind_fp_live(void *arg, uint64_t addr, uint64_t *val)
{
	struct unwind *u = arg;
	unw_word_t w;

	if (unwind_read_live(u, addr, &w) < 0)
		return -1;
	*val = w;
	return 0;
}

/*
 * A thread stopped at the first instruction of a signal handler (the
 * kernel has just delivered a signal: under ptrace our interrupt stops it
 * right after the signal-delivery stop) has run nothing of the handler
 * yet: its sample belongs to the code the signal interrupted. True with r
 * set to the interrupted registers when [sp] returns to the sigreturn
 * trampoline (the handler has pushed nothing yet).
 */
static bool
unwind_handler_entry(struct unwind *u, struct user_regs_struct *r)
{
	struct unwind_fp_mem mem = {u->cur, NULL, NULL};
	struct user_regs_struct sig = u->cur->regs;
	uint64_t ret;

	if (unwind_fp_word(&mem, sig.rsp, &ret) < 0 ||
	    !unwind_is_sigreturn(u, ret))
		return false;
	sig.rsp += 8;
	if (unwind_fp_step_sigframe(&mem, &sig) < 0 ||
	    unwind_elf_find(u, sig.rip) == NULL)
		return false;
	if (sig.rsp < u->cur->stack_start ||
	    sig.rsp >= u->cur->stack_start + u->cur->stack_len)
		u->frozen_sp = sig.rsp; /* on another stack: see read_live */
	*r = sig;
	return true;
}

/* Frame i's pc is exact (the innermost, or after a signal frame). */
static bool
unwind_exact(int i, uint64_t sfa)
{
	return i == 0 || (i < 64 && (sfa >> i & 1));
}

/*
 * Steps from Go's runtime.asmcgocall (ABI0), at the return address of its
 * call of C on the g0 stack, back to the goroutine's stack: the code there
 * reloads g and the saved depth from the g0 frame ("MOVQ g_off(SP), DI;
 * MOVQ 8(DI), SI; SUBQ depth_off(SP), SI"), so the goroutine's sp is
 * g.stack.hi - depth (or the depth slot itself when g is 0: no switch was
 * made), where asmcgocall's return address lies. The goroutine waits in
 * the call meanwhile: its stack is read live. Returns 0 or -1.
 */
static int
unwind_cgo_step(struct unwind *u, const struct unwind_fp_mem *mem,
		struct user_regs_struct *r)
{
	uint8_t code[14];
	uint64_t g, depth, hi, sp, ret;
	unsigned g_off, depth_off;

	if (unwind_read(u, r->rip, code, sizeof(code)) < 0 ||
	    memcmp(code, "\x48\x8b\x7c\x24", 4) != 0 ||
	    memcmp(code + 5, "\x48\x8b\x77\x08\x48\x2b", 6) != 0)
		return -1;
	g_off = code[4];
	if (code[11] == 0x74 && code[12] == 0x24)
		depth_off = code[13];
	else if (code[11] == 0x34 && code[12] == 0x24)
		depth_off = 0;
	else
		return -1;
	if (unwind_fp_word(mem, r->rsp + g_off, &g) < 0 ||
	    unwind_fp_word(mem, r->rsp + depth_off, &depth) < 0)
		return -1;
	if (g == 0) {
		sp = depth;
	} else {
		if (unwind_fp_word(mem, g + 8, &hi) < 0 || depth > hi)
			return -1;
		sp = hi - depth;
	}
	if (sp < u->cur->stack_start ||
	    sp >= u->cur->stack_start + u->cur->stack_len)
		u->frozen_sp = sp;
	if (unwind_fp_word(mem, sp, &ret) < 0 || ret == 0)
		return -1;
	r->rip = ret;
	r->rsp = sp + 8;
	return 0;
}

/*
 * Unwinds frames that no CFI covers from r, the registers of the frame
 * whose pc is pcs[*n - 1]: by the rule callback (Go's stack-pointer
 * deltas), else by the frame-pointer chain, through signal frames, until
 * a pc with CFI is reached. Returns 1 with r that frame's registers (its
 * pc already in pcs) or max frames, 0 at the outermost frame, -1 when the
 * stack cannot be followed further.
 */
static int
unwind_fallback(struct unwind *u, struct user_regs_struct *r, uint64_t *pcs,
		int *n, int max, uint64_t *sfa)
{
	struct unwind_fp_mem mem = {u->cur, unwind_fp_live, u};

	while (*n < max) {
		bool exact = unwind_exact(*n - 1, *sfa);
		enum unwind_rule rule = UNWIND_RULE_NONE;
		int32_t delta = 0;
		uint64_t sp = r->rsp;
		int rc;

		if (u->rule != NULL)
			rule = u->rule(u->rule_arg, r->rip, !exact, &delta);
		if (rule == UNWIND_RULE_OUTERMOST)
			return 0;
		if (rule == UNWIND_RULE_STOP)
			return -1;
		if (rule == UNWIND_RULE_SP)
			rc = unwind_fp_step_sp(&mem, r, delta);
		else if (rule == UNWIND_RULE_CGO)
			rc = unwind_cgo_step(u, &mem, r);
		else
			rc = unwind_fp_step_chain(&mem, r);
		/* Up the stack, except across Go's switch back from g0. */
		if (rc < 0 || (r->rsp <= sp && rule != UNWIND_RULE_CGO))
			return -1;
		u->used_fallback = true;
		if (unwind_elf_find(u, r->rip - 1) == NULL &&
		    !unwind_mapped_since(u, r->rip - 1))
			return -1; /* not code: a broken chain */
		pcs[(*n)++] = r->rip;
		if (*n < max && unwind_is_sigreturn(u, r->rip)) {
			if (*n < 64)
				*sfa |= 1ULL << *n;
			if (unwind_fp_step_sigframe(&mem, r) < 0 ||
			    (unwind_elf_find(u, r->rip) == NULL &&
			     !unwind_mapped_since(u, r->rip)))
				return -1;
			if (r->rsp < u->cur->stack_start ||
			    r->rsp >= u->cur->stack_start + u->cur->stack_len)
				u->frozen_sp = r->rsp;
			pcs[(*n)++] = r->rip;
		}
		if (unwind_has_info(u, r->rip, unwind_exact(*n - 1, *sfa)))
			return 1;
	}
	return 1;
}

/* The registers of the cursor's frame that CFI unwinding may need. */
static void
unwind_cursor_regs(unw_cursor_t *cursor, struct user_regs_struct *r)
{
	static const struct {
		unw_regnum_t reg;
		size_t off;
	} regs[] = {
		{UNW_X86_64_RBX, offsetof(struct user_regs_struct, rbx)},
		{UNW_X86_64_RBP, offsetof(struct user_regs_struct, rbp)},
		{UNW_X86_64_R12, offsetof(struct user_regs_struct, r12)},
		{UNW_X86_64_R13, offsetof(struct user_regs_struct, r13)},
		{UNW_X86_64_R14, offsetof(struct user_regs_struct, r14)},
		{UNW_X86_64_R15, offsetof(struct user_regs_struct, r15)},
		{UNW_REG_IP, offsetof(struct user_regs_struct, rip)},
		{UNW_REG_SP, offsetof(struct user_regs_struct, rsp)},
	};

	for (size_t i = 0; i < sizeof(regs) / sizeof(regs[0]); i++) {
		unw_word_t v;

		if (unw_get_reg(cursor, regs[i].reg, &v) == 0)
			memcpy((char *)r + regs[i].off, &v, sizeof(v));
	}
}

/* The word of the copy at addr, or false when outside it. */
static bool
unwind_copy_word(const struct capture *c, uint64_t addr, uint64_t *val)
{
	if (addr < c->stack_start || addr % 8 != 0 ||
	    c->stack_len < sizeof(*val) ||
	    addr - c->stack_start > c->stack_len - sizeof(*val))
		return false;
	memcpy(val, c->stack + (addr - c->stack_start), sizeof(*val));
	return true;
}

/*
 * True when ret may be a return address: it is in code we can unwind and
 * follows a call instruction (e8 rel32; ff /2 with a register, [reg],
 * disp8, disp32 or rip-relative operand).
 */
static bool
unwind_is_return(struct unwind *u, uint64_t ret)
{
	uint8_t b[7];

	if (ret < UNWIND_PAGE + sizeof(b) || !unwind_has_info(u, ret, false) ||
	    unwind_read(u, ret - sizeof(b), b, sizeof(b)) < 0)
		return false;
	if (b[2] == 0xe8) /* call rel32 */
		return true;
	if (b[5] == 0xff && (b[6] & 0xf8) == 0xd0) /* call *%reg */
		return true;
	if (b[5] == 0xff && (b[6] & 0xf8) == 0x10 && (b[6] & 7) != 4 &&
	    (b[6] & 7) != 5) /* call *(%reg) */
		return true;
	if (b[4] == 0xff && (b[5] & 0xf8) == 0x50 && (b[5] & 7) != 4)
		return true;		  /* call *disp8(%reg) */
	if (b[3] == 0xff && b[4] == 0x54) /* call *disp8(sib) */
		return true;
	if (b[1] == 0xff && (b[2] == 0x15 || (b[2] & 0xf8) == 0x90))
		return true; /* call *disp32(%rip) or *disp32(%reg) */
	if (b[0] == 0xff && b[1] == 0x94) /* call *disp32(sib) */
		return true;
	return b[4] == 0xff && b[5] == 0x14; /* call *(sib) */
}

#define UNWIND_FP_LINKS 16

/*
 * True when a frame starts at addr: [addr] holds the caller's rbp (0 at
 * the outermost frame, else higher up the stack) and [addr + 8] a return
 * address. Further links are followed while they stay in the copy and look
 * like frames; the first that does not ends the check (code without frame
 * pointers above uses rbp for data).
 */
static bool
unwind_fp_chain(struct unwind *u, const struct capture *c, uint64_t addr,
		bool last_link)
{
	for (int i = 0; i < UNWIND_FP_LINKS; i++) {
		uint64_t saved, ret;

		if (!unwind_copy_word(c, addr, &saved) ||
		    !unwind_copy_word(c, addr + 8, &ret))
			return i > 0;
		if (!unwind_is_return(u, ret))
			return i > 0;
		if (saved == 0)
			return true;
		if (saved <= addr || saved % 8 != 0 ||
		    saved - addr > UNWIND_STACK_BYTES)
			return i > 0 || last_link;
		addr = saved;
	}
	return true;
}

/*
 * The first address at or above sp that starts a frame-pointer chain; with
 * last_link, also a single frame record whose saved rbp is data (the caller
 * was built without frame pointers, as glibc's start_thread is).
 */
static uint64_t
unwind_find_fp(struct unwind *u, const struct capture *c, uint64_t sp,
	       bool last_link)
{
	uint64_t end = c->stack_start + c->stack_len, at;

	/* Only the copy is searched: at most UNWIND_STACK_BYTES / 8 words. */
	if (sp < c->stack_start || sp >= end)
		return 0;
	for (at = (sp + 7) & ~7ULL; at + 16 <= end; at += 8) {
		if (unwind_fp_chain(u, c, at, last_link))
			return at;
	}
	return 0;
}

/*
 * One unwind of c from the registers start; *last_sp gets the sp of the
 * last frame reached. With u->defer_rbp, returns -1 when the fast path
 * gave up at a frame whose CFA needs the unknown rbp (u->fast_rbp frames
 * in pcs, *last_sp the last one's), without libunwind.
 */
static int
unwind_walk(struct unwind *u, const struct capture *c,
	    const struct user_regs_struct *start, uint64_t *pcs, int max,
	    bool *truncated, uint64_t *signal_frame_after, uint64_t *last_sp)
{
	unw_cursor_t cursor;
	unw_word_t ip = start->rip, sp, prev_ip = 0, prev_sp = 0;
	struct user_regs_struct regs = *start;
	uint64_t sfa = 0;
	int n = 0, step = 1;
	bool resumed = false;

	*truncated = true;
	*last_sp = start->rsp;
	u->used_fallback = false;
	u->used_fast = false;
	u->frozen_sp = 0;
	u->copy_short = false;
	if (max <= 0)
		return 0;
	u->cur = c;
	u->regs = start;
	u->reads = 0;
	u->over_budget = false;
	/* set below for libunwind; the fast path has none (bounded by its
	   frames), and an image's time may be added to it */
	u->cpu_deadline_ns = INT64_MAX / 2;
	/* A thread born after the maps were read (its stack), or code
	   mapped since (dlopen): the owner of the maps may read them again. */
	if (u->miss != NULL && (procfs_maps_find(u->maps, start->rsp) == NULL ||
				procfs_maps_find(u->maps, start->rip) == NULL))
		u->miss(u->miss_arg);
	if (unwind_handler_entry(u, &regs)) {
		u->regs = &regs; /* from the interrupted pc on */
		ip = regs.rip;
	} else if (!u->no_fast) {
		/* the common frames without libunwind: the same result (a
		   blocked thread's too: issue 9, ~70 us a new sleeping
		   thread's first capture through libunwind) */
		n = unwind_cfi_walk(u, c, start,
				    !c->regs_partial || start != &c->regs, pcs,
				    max, truncated, last_sp);
		if (n >= 0 || (u->defer_rbp && u->fast_rbp > 0)) {
			u->used_fast = true;
			u->cur = NULL;
			u->regs = NULL;
			if (signal_frame_after != NULL)
				*signal_frame_after = 0;
			return n; /* -1: deferred, the frames walked in pcs */
		}
		n = 0;
		*truncated = true;
		*last_sp = start->rsp;
	}
	u->cpu_deadline_ns =
		clock_ns(CLOCK_THREAD_CPUTIME_ID) + UNWIND_MAX_CPU_NS;
	if (unw_init_remote(&cursor, u->as, u) < 0) {
		pcs[n++] = ip;
		goto out;
	}
	while (n < max) {
		bool exact;

		if (unw_get_reg(&cursor, UNW_REG_IP, &ip) < 0 ||
		    unw_get_reg(&cursor, UNW_REG_SP, &sp) < 0)
			goto out;
		if (!resumed) {
			if (n > 0 &&
			    (ip == 0 || (ip == prev_ip && sp == prev_sp)))
				goto out;
			pcs[n++] = ip;
			*last_sp = sp;
			if (n < 64 && unwind_is_sigreturn(u, ip))
				sfa |= 1ULL << n;
		}
		resumed = false;
		exact = unwind_exact(n - 1, sfa);
		if (!unwind_has_info(u, ip, exact) &&
		    !(unwind_mapped_since(u, exact ? ip : ip - 1) &&
		      unwind_has_info(u, ip, exact))) {
			if (unwind_elf_find(u, exact ? ip : ip - 1) == NULL)
				goto out; /* in no code: truncated */
			regs = *u->regs;
			unwind_cursor_regs(&cursor, &regs);
			step = unwind_fallback(u, &regs, pcs, &n, max, &sfa);
			if (step <= 0 || n >= max)
				break;
			u->regs = &regs;
			if (unw_init_remote(&cursor, u->as, u) < 0)
				goto out;
			resumed = true;
			prev_ip = 0;
			continue;
		}
		prev_ip = ip;
		prev_sp = sp;
		step = unw_step(&cursor);
		if (step <= 0 || u->over_budget)
			break;
	}
	*truncated = step != 0 || u->over_budget; /* > 0: beyond max */
out:
	u->cur = NULL;
	u->regs = NULL;
	if (signal_frame_after != NULL)
		*signal_frame_after = sfa;
	return n;
}

/*
 * unwind_stack(); with defer (a blocked thread's capture), the first walk
 * is not taken with libunwind where the fast path meets the unknown rbp:
 * libunwind, given the 0 it has for it, ends at that frame (its walk has
 * at most the frames the fast path had), so a walk with the rbp found
 * that is deeper than those frames wins either way -- the result is then
 * the one unwind_stack() without defer gives. Returns -1 when none is
 * deeper (the caller unwinds again without defer).
 */
static int
unwind_stack_from(struct unwind *u, const struct capture *c, uint64_t *pcs,
		  int max, bool *truncated, uint64_t *signal_frame_after,
		  bool defer)
{
	uint64_t last_sp = 0, top_sp, fp, pcs2[UNWIND_MAX_FRAMES], sfa2 = 0;
	struct user_regs_struct regs;
	bool trunc2, fallback, fast;
	int n, n2, walked = -1;

	u->defer_rbp = defer;
	n = unwind_walk(u, c, &c->regs, pcs, max, truncated, signal_frame_after,
			&last_sp);
	u->defer_rbp = false;
	if (n < 0) {
		n = walked = u->fast_rbp;
		*truncated = true;
	}
	if (!c->regs_partial || max <= 0 || (u->used_fast && !*truncated))
		return n;
	fast = u->used_fast;
	/*
	 * A blocked thread's rbp is unknown: again with the one found, first
	 * a whole chain, then a lone frame record; the deeper unwind wins.
	 * Not when the fast path reached the outermost frame (its CFI says
	 * so): no rbp-based rule was then followed with the unknown rbp (0:
	 * outside the copy, the fast path would have given up), and a deeper
	 * chain could only go on past the end (issue 9: each new sleeping
	 * thread's first capture took these two walks more, through
	 * libunwind, ~70 us). libunwind's end is no proof: with rbp 0 and no
	 * CFI it ends there (tests/harm/many.sh's napping thread).
	 */
	fallback = u->used_fallback;
	top_sp = last_sp;
	for (int pass = 0; pass < 2; pass++) {
		/* The search reads code through the accessors: they need c. */
		u->cur = c;
		u->regs = &c->regs;
		u->reads = 0;
		u->over_budget = false;
		u->cpu_deadline_ns =
			clock_ns(CLOCK_THREAD_CPUTIME_ID) + UNWIND_MAX_CPU_NS;
		fp = unwind_find_fp(u, c, top_sp, pass == 1);
		u->cur = NULL;
		u->regs = NULL;
		if (fp == 0)
			continue;
		regs = c->regs;
		regs.rbp = fp;
		n2 = unwind_walk(u, c, &regs, pcs2,
				 max < UNWIND_MAX_FRAMES ? max
							 : UNWIND_MAX_FRAMES,
				 &trunc2, &sfa2, &last_sp);
		fast &= u->used_fast;
		if (n2 > n || (n2 == n && *truncated && !trunc2)) {
			memcpy(pcs, pcs2, (size_t)n2 * sizeof(*pcs));
			*truncated = trunc2;
			if (signal_frame_after != NULL)
				*signal_frame_after = sfa2;
			n = n2;
			fallback = u->used_fallback;
		}
	}
	u->used_fallback = fallback;
	u->used_fast = fast;
	return n > walked ? n : -1;
}

int
unwind_stack(struct unwind *u, const struct capture *c, uint64_t *pcs, int max,
	     bool *truncated, uint64_t *signal_frame_after)
{
	int n = unwind_stack_from(u, c, pcs, max, truncated, signal_frame_after,
				  c->regs_partial);

	return n >= 0 ? n
		      : unwind_stack_from(u, c, pcs, max, truncated,
					  signal_frame_after, false);
}

void
unwind_set_pid(struct unwind *u, pid_t pid)
{
	u->pid = pid;
}

void
unwind_set_maps(struct unwind *u, const struct procfs_maps *maps,
		unwind_miss_fn miss, void *arg)
{
	static const struct procfs_maps none = {NULL, 0};

	u->maps = maps != NULL ? maps : &none;
	u->miss = miss;
	u->miss_arg = arg;
}

void
unwind_set_rule(struct unwind *u, unwind_rule_fn fn, void *arg)
{
	u->rule = fn;
	u->rule_arg = arg;
}

void
unwind_set_images(struct unwind *u, unwind_image_fn fn,
		  unwind_file_read_fn read, void *arg)
{
	u->image = fn;
	u->file_read = read;
	u->image_arg = arg;
}

void
unwind_set_fast(struct unwind *u, bool on)
{
	u->no_fast = !on;
}

bool
unwind_used_fast(const struct unwind *u)
{
	return u->used_fast;
}

bool
unwind_used_fallback(const struct unwind *u)
{
	return u->used_fallback;
}

bool
unwind_copy_short(const struct unwind *u)
{
	return u->copy_short;
}

void
unwind_capture_more(struct attach *a, struct capture *c, uint8_t *buf,
		    size_t len)
{
	size_t got = 0;

	(void)a; /* read through c->tid: a followed child is its own process */
	c->stack_more = NULL;
	c->stack_more_len = 0;
	if (c->stack_len < UNWIND_STACK_BYTES)
		return; /* the copy already reached the stack's end */
	while (got < len) {
		uint64_t at = c->stack_start + c->stack_len + got;
		size_t want = len - got;
		ssize_t n = attach_read_pid(c->tid, at, buf + got, want);

		if (n <= 0) { /* past the mapping's end: a page at a time */
			want = UNWIND_PAGE - (at & (UNWIND_PAGE - 1));
			n = attach_read_pid(c->tid, at, buf + got,
					    want < len - got ? want
							     : len - got);
			if (n <= 0)
				break;
		}
		got += (size_t)n;
	}
	c->stack_more = got > 0 ? buf : NULL;
	c->stack_more_len = got;
}

void
unwind_flush(struct unwind *u)
{
	unw_flush_cache(u->as, 0, 0);
	u->n_elfs = 0;
	for (size_t i = 0; i < UNWIND_CACHE_PAGES; i++)
		u->pages[i].addr = 0;
	unwind_cfi_flush(u);
}
