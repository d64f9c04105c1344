#include "config.h"

#include "sampler/unwind.h"

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

/*
 * How it works. unwind_capture() copies the registers and the stack of a
 * stopped thread. unwind_stack() then runs libunwind's remote unwinder over
 * our accessors (the struct unwind is their arg):
 * - access_mem serves the stack range from the copy and every other address
 *   from a page cache over the target's read-only and file mappings (code,
 *   .eh_frame, .eh_frame_hdr, GOT; [vdso] included), filled with
 *   attach_read_pid(). Other memory is read live, except the thread's own stack
 *   beyond the copy: it has changed since the capture.
 * - find_proc_info looks the ip up in a table of loaded ELF images, each
 *   with the binary-search table of its PT_GNU_EH_FRAME read from target
 *   memory, and hands it to libunwind's dwarf_search_unwind_table. We do not
 *   use _UPT_find_proc_info: it re-reads /proc/PID/maps and mmaps the whole
 *   file whenever the ip leaves its single cached ELF, calls our access_mem
 *   with its own arg, and abort()s on unusual table encodings.
 * - libunwind's global register-state cache makes repeated ips cheap.
 * Everything is dropped by unwind_flush().
 */

/* Not in libunwind's headers; exported by libunwind-x86_64 (1.6). */
extern int _Ux86_64_dwarf_search_unwind_table(unw_addr_space_t as,
					      unw_word_t ip, unw_dyn_info_t *di,
					      unw_proc_info_t *pi,
					      int need_unwind_info, void *arg);

#define UNWIND_RED_ZONE 128
#define UNWIND_PAGE 4096UL
#define UNWIND_CACHE_BITS 9 /* 512 pages, 2 MiB, direct-mapped */
#define UNWIND_CACHE_PAGES (1U << UNWIND_CACHE_BITS)
#define UNWIND_RS_CACHE 1024 /* libunwind register-state cache entries */
#define UNWIND_MAX_PHDRS 64
/*
 * The budget of one unwind_stack(): libunwind reads every byte of CFI and
 * every DWARF expression operation through access_mem (remote address
 * space), so a bound on those calls bounds every loop over target data --
 * a CFA expression that jumps onto itself (DW_OP_skip -3), an endless CFI
 * program, a cycle of frames. A normal unwind of 256 cold frames makes
 * about 100 calls per frame; a cached frame a handful. The CPU-time bound,
 * looked at every UNWIND_CHECK_EVERY calls, catches whatever else.
 */
#define UNWIND_MAX_READS 65536
#define UNWIND_MAX_CPU_NS (50 * 1000000LL)
#define UNWIND_CHECK_EVERY 1024

/* One cached page of the target's read-only memory. */
struct unwind_page {
	uint64_t addr; /* page address; 0 when empty (page 0 is never mapped) */
	uint8_t data[UNWIND_PAGE];
};

/* One loaded ELF image (or executable memory without one). */
struct unwind_elf {
	uint64_t start, end; /* span of its PT_LOAD segments */
	bool has_table;	     /* di is valid */
	unw_dyn_info_t di;   /* UNW_INFO_FORMAT_REMOTE_TABLE */
};

struct unwind {
	pid_t pid;
	unw_addr_space_t as;
	const struct capture *cur;	     /* being unwound */
	const struct user_regs_struct *regs; /* libunwind's first frame */
	unwind_rule_fn rule;
	void *rule_arg;
	bool used_fallback;	 /* by the last unwind_stack() */
	uint64_t frozen_sp;	 /* an interrupted stack above a signal frame */
	bool copy_short;	 /* the last unwind wanted more than the copy */
	uint32_t reads;		 /* access_mem calls this unwind */
	int64_t cpu_deadline_ns; /* CLOCK_THREAD_CPUTIME_ID */
	bool over_budget;	 /* this unwind was cut short */

	bool maps_valid;
	struct procfs_maps maps;

	struct unwind_elf *elfs; /* sorted by start */
	size_t n_elfs, cap_elfs;

	struct unwind_page *pages; /* UNWIND_CACHE_PAGES */
};

static void
unwind_maps_load(struct unwind *u)
{
	if (u->maps_valid)
		return;
	if (procfs_read_maps(u->pid, &u->maps) < 0) {
		log_debug("unwind: maps of %d unreadable", (int)u->pid);
		u->maps.maps = NULL;
		u->maps.n = 0;
	}
	u->maps_valid = true;
}

/*
 * True for memory whose content the unwinder may cache: read-only mappings
 * and mapped files (the writable pages of an ELF image hold the GOT and
 * DW.ref words that FDEs point to for personality routines: constant once
 * loaded).
 */
static bool
unwind_map_cacheable(const struct procfs_map *m)
{
	return m->readable && (!m->writable || m->path[0] == '/');
}

/* The cached page at addr (page-aligned), filled on a miss; NULL if the
 * page is not cacheable or cannot be read. */
static const uint8_t *
unwind_page_get(struct unwind *u, uint64_t addr)
{
	struct unwind_page *p;
	const struct procfs_map *m;

	p = &u->pages[((addr / UNWIND_PAGE) * 0x9e3779b97f4a7c15ULL) >>
		      (64 - UNWIND_CACHE_BITS)];
	if (p->addr == addr)
		return p->data;
	m = procfs_maps_find(&u->maps, addr);
	if (m == NULL || !unwind_map_cacheable(m))
		return NULL;
	if (attach_read_pid(u->pid, addr, p->data, UNWIND_PAGE) !=
	    (ssize_t)UNWIND_PAGE) {
		p->addr = 0;
		return NULL;
	}
	p->addr = addr;
	return p->data;
}

/* Copies len bytes of cacheable target memory at addr through the page
 * cache. Returns 0, or -1 when some byte is not available. */
static int
unwind_read(struct unwind *u, uint64_t addr, void *buf, size_t len)
{
	uint8_t *out = buf;

	while (len > 0) {
		uint64_t page = addr & ~(UNWIND_PAGE - 1);
		size_t off = addr - page, n = UNWIND_PAGE - off;
		const uint8_t *data = unwind_page_get(u, page);

		if (data == NULL)
			return -1;
		if (n > len)
			n = len;
		memcpy(out, data + off, n);
		out += n;
		addr += n;
		len -= n;
	}
	return 0;
}

/* Fills e->di from the .eh_frame_hdr at hdr_addr. Returns 0, or -1. */
static int
unwind_elf_table(struct unwind *u, struct unwind_elf *e, uint64_t hdr_addr)
{
	uint8_t hdr[4 + 8 + 8];
	struct ehframe_hdr h;

	if (unwind_read(u, hdr_addr, hdr, sizeof(hdr)) < 0 ||
	    ehframe_hdr_parse(hdr, sizeof(hdr), &h) < 0)
		return -1;
	memset(&e->di, 0, sizeof(e->di));
	e->di.format = UNW_INFO_FORMAT_REMOTE_TABLE;
	e->di.start_ip = e->start;
	e->di.end_ip = e->end;
	e->di.u.rti.segbase = hdr_addr;
	e->di.u.rti.table_data = hdr_addr + h.table_off;
	e->di.u.rti.table_len = h.count * EHFRAME_ENTRY / sizeof(unw_word_t);
	e->has_table = true;
	return 0;
}

/*
 * Reads the ELF image mapped at base (its offset-0 mapping) from target
 * memory: its PT_LOAD span into e and its unwind table. Returns 0, or -1
 * when base holds no usable ELF image.
 */
static int
unwind_elf_load(struct unwind *u, const struct procfs_map *base,
		struct unwind_elf *e)
{
	Elf64_Ehdr eh;
	Elf64_Phdr ph[UNWIND_MAX_PHDRS];
	uint64_t bias = 0, lo = UINT64_MAX, hi = 0, hdr = 0;
	bool have_bias = false;

	if (unwind_read(u, base->start, &eh, sizeof(eh)) < 0 ||
	    memcmp(eh.e_ident, ELFMAG, SELFMAG) != 0 ||
	    eh.e_ident[EI_CLASS] != ELFCLASS64 ||
	    eh.e_phentsize != sizeof(Elf64_Phdr) || eh.e_phnum == 0 ||
	    eh.e_phnum > UNWIND_MAX_PHDRS ||
	    unwind_read(u, base->start + eh.e_phoff, ph,
			eh.e_phnum * sizeof(ph[0])) < 0)
		return -1;
	for (unsigned i = 0; i < eh.e_phnum; i++) {
		if (ph[i].p_type == PT_LOAD && ph[i].p_offset == 0 &&
		    !have_bias) {
			bias = base->start -
			       (ph[i].p_vaddr & ~(UNWIND_PAGE - 1));
			have_bias = true;
		}
		if (ph[i].p_type == PT_LOAD && ph[i].p_vaddr < lo)
			lo = ph[i].p_vaddr;
		if (ph[i].p_type == PT_LOAD &&
		    ph[i].p_vaddr + ph[i].p_memsz > hi)
			hi = ph[i].p_vaddr + ph[i].p_memsz;
		if (ph[i].p_type == PT_GNU_EH_FRAME)
			hdr = ph[i].p_vaddr;
	}
	if (!have_bias)
		return -1;
	e->start = bias + lo;
	e->end = bias + hi;
	if (hdr != 0 && unwind_elf_table(u, e, bias + hdr) < 0)
		log_debug("unwind: no usable .eh_frame_hdr in %s", base->path);
	return 0;
}

/* The offset-0 mapping of the file that m maps, or NULL (anonymous). */
static const struct procfs_map *
unwind_elf_base(const struct unwind *u, const struct procfs_map *m)
{
	const struct procfs_map *b = m;

	if (strcmp(m->path, "[vdso]") == 0)
		return m;
	if (m->inode == 0 || m->path[0] != '/')
		return NULL;
	while (b > u->maps.maps && b->offset != 0 && b[-1].inode == m->inode &&
	       strcmp(b[-1].path, m->path) == 0)
		b--;
	return b->offset == 0 ? b : NULL;
}

/* Inserts e into u->elfs, keeping it sorted by start. */
static struct unwind_elf *
unwind_elf_insert(struct unwind *u, const struct unwind_elf *e)
{
	size_t i = u->n_elfs;

	ARRAY_RESERVE(u->elfs, u->cap_elfs, u->n_elfs + 1);
	while (i > 0 && u->elfs[i - 1].start > e->start) {
		u->elfs[i] = u->elfs[i - 1];
		i--;
	}
	u->elfs[i] = *e;
	u->n_elfs++;
	return &u->elfs[i];
}

/*
 * The ELF image containing ip, loaded from the target on first use, or
 * NULL when ip is in no executable mapping. Executable memory without an
 * ELF image (JIT) gets an entry without a table.
 */
#define UNWIND_ELF_CMP(e, x) SORTED_NUM((e)->start, (x))
SORTED_DEFINE(unwind_elfs, struct unwind_elf, uint64_t, UNWIND_ELF_CMP)

static const struct unwind_elf *
unwind_elf_find(struct unwind *u, uint64_t ip)
{
	size_t lo = unwind_elfs_upper(u->elfs, u->n_elfs, ip);
	const struct procfs_map *m, *base;
	struct unwind_elf e = {0};

	if (lo > 0 && ip < u->elfs[lo - 1].end)
		return &u->elfs[lo - 1];
	m = procfs_maps_find(&u->maps, ip);
	if (m == NULL || !m->executable)
		return NULL;
	base = unwind_elf_base(u, m);
	if (base == NULL || unwind_elf_load(u, base, &e) < 0 || ip < e.start ||
	    ip >= e.end) {
		e.start = m->start;
		e.end = m->end;
		e.has_table = false;
	}
	return unwind_elf_insert(u, &e);
}

static int
unwind_find_proc_info(unw_addr_space_t as, unw_word_t ip, unw_proc_info_t *pi,
		      int need_unwind_info, void *arg)
{
	struct unwind *u = arg;
	const struct unwind_elf *e = unwind_elf_find(u, ip);
	unw_dyn_info_t di;

	if (e == NULL || !e->has_table)
		return -UNW_ENOINFO;
	di = e->di; /* libunwind wants it writable */
	return _Ux86_64_dwarf_search_unwind_table(as, ip, &di, pi,
						  need_unwind_info, arg);
}

/* libunwind frees DWARF unwind info itself; nothing of ours to release. */
static void
unwind_put_unwind_info(unw_addr_space_t as, unw_proc_info_t *pi, void *arg)
{
}

static int
unwind_get_dyn_info_list_addr(unw_addr_space_t as, unw_word_t *addr, void *arg)
{
	return -UNW_ENOINFO;
}

/*
 * Reads a word of anonymous writable memory from the running target (a
 * sigaltstack frame's interrupted stack, say). The mapping that holds the
 * thread's own sp is refused: beyond the copy it has changed since --
 * except at and above frozen_sp, the stack a signal handler running on
 * another stack interrupted (Go's goroutine stacks and signal stacks share
 * the heap's mappings): its callers' frames outlive the handler.
 */
static int
unwind_read_live(struct unwind *u, uint64_t addr, unw_word_t *val)
{
	const struct procfs_map *m = procfs_maps_find(&u->maps, addr);
	ssize_t n;

	if (m == NULL || !m->readable || unwind_map_cacheable(m))
		return -1;
	if (m == procfs_maps_find(&u->maps, u->cur->regs.rsp) &&
	    (u->frozen_sp == 0 || addr < u->frozen_sp)) {
		/* Past the end of the copy: the stack was deeper. */
		if (addr >=
		    u->cur->stack_start + u->cur->stack_len +
			    (u->cur->stack_more ? u->cur->stack_more_len : 0))
			u->copy_short = true;
		return -1;
	}
	n = attach_read_pid(u->pid, addr, val, sizeof(*val));
	return n == (ssize_t)sizeof(*val) ? 0 : -1;
}

/*
 * Counts one access_mem call against the unwind's budget. Returns false
 * once the budget is spent: every later call of this unwind fails too.
 */
static bool
unwind_budget_ok(struct unwind *u)
{
	if (u->over_budget)
		return false;
	if (++u->reads > UNWIND_MAX_READS ||
	    (u->reads % UNWIND_CHECK_EVERY == 0 &&
	     clock_ns(CLOCK_THREAD_CPUTIME_ID) > u->cpu_deadline_ns)) {
		u->over_budget = true;
		log_debug("unwind: tid %d cut short after %u reads at ip %#llx",
			  (int)u->cur->tid, u->reads,
			  (unsigned long long)u->cur->regs.rip);
		return false;
	}
	return true;
}

static int
unwind_access_mem(unw_addr_space_t as, unw_word_t addr, unw_word_t *val,
		  int write, void *arg)
{
	struct unwind *u = arg;
	const struct capture *c = u->cur;

	if (write || c == NULL || !unwind_budget_ok(u))
		return -UNW_EINVAL;
	if (unwind_fp_copy_word(c, addr, (uint64_t *)val) == 0)
		return 0;
	if (unwind_read(u, addr, val, sizeof(*val)) == 0)
		return 0;
	return unwind_read_live(u, addr, val) < 0 ? -UNW_EINVAL : 0;
}

#define UNWIND_REG(unw, field)                                                 \
	[UNW_X86_64_##unw] = offsetof(struct user_regs_struct, field)

/* Where libunwind's register numbers live in struct user_regs_struct. */
static const size_t unwind_reg_offset[] = {
	UNWIND_REG(RAX, rax), UNWIND_REG(RDX, rdx), UNWIND_REG(RCX, rcx),
	UNWIND_REG(RBX, rbx), UNWIND_REG(RSI, rsi), UNWIND_REG(RDI, rdi),
	UNWIND_REG(RBP, rbp), UNWIND_REG(RSP, rsp), UNWIND_REG(R8, r8),
	UNWIND_REG(R9, r9),   UNWIND_REG(R10, r10), UNWIND_REG(R11, r11),
	UNWIND_REG(R12, r12), UNWIND_REG(R13, r13), UNWIND_REG(R14, r14),
	UNWIND_REG(R15, r15), UNWIND_REG(RIP, rip),
};

static int
unwind_access_reg(unw_addr_space_t as, unw_regnum_t reg, unw_word_t *val,
		  int write, void *arg)
{
	const struct unwind *u = arg;

	if (write)
		return -UNW_EREADONLYREG;
	if (reg < 0 || (size_t)reg >= sizeof(unwind_reg_offset) /
					      sizeof(unwind_reg_offset[0]))
		return -UNW_EBADREG;
	memcpy(val, (const char *)u->regs + unwind_reg_offset[reg],
	       sizeof(*val));
	return 0;
}

static int
unwind_access_fpreg(unw_addr_space_t as, unw_regnum_t reg, unw_fpreg_t *val,
		    int write, void *arg)
{
	return -UNW_EBADREG;
}

static int
unwind_resume(unw_addr_space_t as, unw_cursor_t *cursor, void *arg)
{
	return -UNW_EINVAL;
}

static int
unwind_get_proc_name(unw_addr_space_t as, unw_word_t addr, char *buf,
		     size_t len, unw_word_t *off, void *arg)
{
	return -UNW_ENOINFO;
}

static unw_accessors_t unwind_accessors = {
	.find_proc_info = unwind_find_proc_info,
	.put_unwind_info = unwind_put_unwind_info,
	.get_dyn_info_list_addr = unwind_get_dyn_info_list_addr,
	.access_mem = unwind_access_mem,
	.access_reg = unwind_access_reg,
	.access_fpreg = unwind_access_fpreg,
	.resume = unwind_resume,
	.get_proc_name = unwind_get_proc_name,
};

struct unwind *
unwind_new(pid_t pid)
{
	struct unwind *u = xcalloc(1, sizeof(*u));

	u->pid = pid;
	u->as = unw_create_addr_space(&unwind_accessors, 0);
	if (u->as == NULL)
		fatalx("unw_create_addr_space failed");
	unw_set_caching_policy(u->as, UNW_CACHE_GLOBAL);
	unw_set_cache_size(u->as, UNWIND_RS_CACHE, 0);
	u->pages = xcalloc(UNWIND_CACHE_PAGES, sizeof(*u->pages));
	return u;
}

void
unwind_free(struct unwind *u)
{
	if (u == NULL)
		return;
	unw_destroy_addr_space(u->as);
	if (u->maps_valid)
		procfs_maps_free(&u->maps);
	free(u->elfs);
	free(u->pages);
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
	n = attach_read(a, c->stack_start, c->stack, UNWIND_STACK_BYTES);
	if (n > 0)
		got = (size_t)n;
	/*
	 * A copy that runs past the end of the stack's mapping may fail as a
	 * whole or stop short: take what is readable, a page at a time.
	 */
	while (got < UNWIND_STACK_BYTES && n != 0) {
		uint64_t at = c->stack_start + got;
		size_t want = UNWIND_PAGE - (at & (UNWIND_PAGE - 1));

		if (want > UNWIND_STACK_BYTES - got)
			want = UNWIND_STACK_BYTES - got;
		n = attach_read(a, at, c->stack + got, want);
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
static bool
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
		if (unwind_elf_find(u, r->rip - 1) == NULL)
			return -1; /* not code: a broken chain */
		pcs[(*n)++] = r->rip;
		if (*n < max && unwind_is_sigreturn(u, r->rip)) {
			if (*n < 64)
				*sfa |= 1ULL << *n;
			if (unwind_fp_step_sigframe(&mem, r) < 0 ||
			    unwind_elf_find(u, r->rip) == NULL)
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
 * last frame reached.
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
	u->frozen_sp = 0;
	u->copy_short = false;
	if (max <= 0)
		return 0;
	u->cur = c;
	u->regs = start;
	u->reads = 0;
	u->over_budget = false;
	u->cpu_deadline_ns =
		clock_ns(CLOCK_THREAD_CPUTIME_ID) + UNWIND_MAX_CPU_NS;
	unwind_maps_load(u);
	if (unwind_handler_entry(u, &regs)) {
		u->regs = &regs; /* from the interrupted pc on */
		ip = regs.rip;
	}
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
		if (!unwind_has_info(u, ip, exact)) {
			if (unwind_elf_find(u, exact ? ip : ip - 1) == NULL)
				goto out;
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

int
unwind_stack(struct unwind *u, const struct capture *c, uint64_t *pcs, int max,
	     bool *truncated, uint64_t *signal_frame_after)
{
	uint64_t last_sp = 0, top_sp, fp, pcs2[UNWIND_MAX_FRAMES], sfa2 = 0;
	struct user_regs_struct regs;
	bool trunc2, fallback;
	int n, n2;

	n = unwind_walk(u, c, &c->regs, pcs, max, truncated, signal_frame_after,
			&last_sp);
	if (!c->regs_partial || max <= 0)
		return n;
	/*
	 * A blocked thread's rbp is unknown: again with the one found, first
	 * a whole chain, then a lone frame record; the deeper unwind wins.
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
	return n;
}

void
unwind_set_pid(struct unwind *u, pid_t pid)
{
	u->pid = pid;
}

void
unwind_set_rule(struct unwind *u, unwind_rule_fn fn, void *arg)
{
	u->rule = fn;
	u->rule_arg = arg;
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

	c->stack_more = NULL;
	c->stack_more_len = 0;
	if (c->stack_len < UNWIND_STACK_BYTES)
		return; /* the copy already reached the stack's end */
	while (got < len) {
		uint64_t at = c->stack_start + c->stack_len + got;
		size_t want = len - got;
		ssize_t n = attach_read(a, at, buf + got, want);

		if (n <= 0) { /* past the mapping's end: a page at a time */
			want = UNWIND_PAGE - (at & (UNWIND_PAGE - 1));
			n = attach_read(a, at, buf + got,
					want < len - got ? want : len - got);
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
	if (u->maps_valid)
		procfs_maps_free(&u->maps);
	u->maps_valid = false;
	u->n_elfs = 0;
	for (size_t i = 0; i < UNWIND_CACHE_PAGES; i++)
		u->pages[i].addr = 0;
}
