/*
 * libunwind's accessors for remote unwinding over a capture (see "How it
 * works" in unwind_int.h): memory, unwind tables, registers.
 */
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
	m = procfs_maps_find(u->maps, addr);
	if (m == NULL || !unwind_map_cacheable(m))
		return NULL;
	/* A process gone since the capture (a short child's, counted after
	   slow work) keeps its files: a read-only page is read there. Without,
	   the unwind table of its libc could not be searched, and the frame
	   pointer chain skipped the caller of a function that keeps none
	   (tests/follow/slowload.sh: child_hot's time at its caller). */
	if (attach_read_pid(u->pid, addr, p->data, UNWIND_PAGE) !=
		    (ssize_t)UNWIND_PAGE &&
	    (m->writable || u->file_read == NULL ||
	     !u->file_read(u->image_arg, addr, p->data, UNWIND_PAGE))) {
		p->addr = 0;
		return NULL;
	}
	p->addr = addr;
	return p->data;
}

/* Copies len bytes of cacheable target memory at addr through the page
 * cache. Returns 0, or -1 when some byte is not available. */
int
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

/* Fills e->di for the table of count entries at table of the
 * .eh_frame_hdr at hdr_addr. */
static void
unwind_elf_set_table(struct unwind_elf *e, uint64_t hdr_addr, uint64_t table,
		     uint64_t count)
{
	memset(&e->di, 0, sizeof(e->di));
	e->di.format = UNW_INFO_FORMAT_REMOTE_TABLE;
	e->di.start_ip = e->start;
	e->di.end_ip = e->end;
	e->di.u.rti.segbase = hdr_addr;
	e->di.u.rti.table_data = table;
	e->di.u.rti.table_len = count * EHFRAME_ENTRY / sizeof(unw_word_t);
	e->has_table = true;
}

/* Fills e->di from the .eh_frame_hdr at hdr_addr in target memory.
 * Returns 0, or -1. */
static int
unwind_elf_table(struct unwind *u, struct unwind_elf *e, uint64_t hdr_addr)
{
	uint8_t hdr[4 + 8 + 8];
	struct ehframe_hdr h;

	if (unwind_read(u, hdr_addr, hdr, sizeof(hdr)) < 0 ||
	    ehframe_hdr_parse(hdr, sizeof(hdr), &h) < 0)
		return -1;
	unwind_elf_set_table(e, hdr_addr, hdr_addr + h.table_off, h.count);
	return 0;
}

/*
 * Fills e for ip from the owner's facts of its object file (the
 * symbolizer's). The time that takes (it may open and parse the file) is
 * not this unwind's: it moves the CPU deadline. Returns 0, or -1 when the
 * owner has none.
 */
static int
unwind_elf_from_owner(struct unwind *u, uint64_t ip, struct unwind_elf *e)
{
	struct unwind_image img;
	int64_t t0 = clock_ns(CLOCK_THREAD_CPUTIME_ID);
	bool ok = u->image(u->image_arg, ip, &img);

	u->cpu_deadline_ns += clock_ns(CLOCK_THREAD_CPUTIME_ID) - t0;
	if (!ok)
		return -1;
	e->start = img.start;
	e->end = img.end;
	e->has_table = false;
	if (img.hdr != 0)
		unwind_elf_set_table(e, img.hdr, img.table, img.count);
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
	while (b > u->maps->maps && b->offset != 0 && b[-1].inode == m->inode &&
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

const struct unwind_elf *
unwind_elf_find(struct unwind *u, uint64_t ip)
{
	size_t lo = unwind_elfs_upper(u->elfs, u->n_elfs, ip);
	const struct procfs_map *m, *base;
	struct unwind_elf e = {0};

	if (lo > 0 && ip < u->elfs[lo - 1].end)
		return &u->elfs[lo - 1];
	m = procfs_maps_find(u->maps, ip);
	if (m == NULL || !m->executable)
		return NULL;
	if (u->image != NULL && unwind_elf_from_owner(u, ip, &e) == 0 &&
	    ip >= e.start && ip < e.end)
		return unwind_elf_insert(u, &e);
	e = (struct unwind_elf){0};
	base = unwind_elf_base(u, m);
	if (base != NULL && u->image != NULL)
		log_debug("unwind: %s: its image read from target memory",
			  base->path);
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
int
unwind_read_live(struct unwind *u, uint64_t addr, unw_word_t *val)
{
	const struct procfs_map *m = procfs_maps_find(u->maps, addr);
	ssize_t n;

	if (m == NULL || !m->readable || unwind_map_cacheable(m))
		return -1;
	if (m == procfs_maps_find(u->maps, u->cur->regs.rsp) &&
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

unw_accessors_t unwind_accessors = {
	.find_proc_info = unwind_find_proc_info,
	.put_unwind_info = unwind_put_unwind_info,
	.get_dyn_info_list_addr = unwind_get_dyn_info_list_addr,
	.access_mem = unwind_access_mem,
	.access_reg = unwind_access_reg,
	.access_fpreg = unwind_access_fpreg,
	.resume = unwind_resume,
	.get_proc_name = unwind_get_proc_name,
};
