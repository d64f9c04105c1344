/*
 * The fast path of unwind_stack(): a walk over cached CFA rules, without
 * libunwind (whose global cache costs two sigprocmask calls a step, and
 * whose table search, cursor and register state cost more than the rule
 * itself). A rule is learnt once per pc from the FDE that the image's
 * .eh_frame_hdr table gives (the same search as
 * dwarf_search_unwind_table's), run by common/cfi.c, and kept while it is
 * one a step follows exactly as libunwind would: the CFA rsp or rbp plus
 * an offset, the return address at CFA-8 (or undefined: the outermost
 * frame), rbp, rbx and r12-r15 saved at CFA+N or kept. A walk either ends
 * as libunwind's would (the outermost frame, max frames) or gives up, and
 * unwind_walk() then unwinds the capture with libunwind from its first
 * frame: the result is the same either way. It gives up at the first
 * frame whose rule is anything else (no FDE, an expression, a signal
 * frame, the sigreturn trampoline, a return address whose row differs at
 * the call and after it), a word outside the stack copy, a CFA that does
 * not climb, a return address of 0.
 */
#include "config.h"

#include "sampler/unwind_int.h"

#include <stddef.h>
#include <string.h>

#include "common/cfi.h"
#include "sampler/ehframe.h"
#include "sampler/unwind_fp.h"

/* Where user_regs_struct keeps each slot of a cfi_row (CFI_SLOT_*). */
static const size_t unwind_cfi_reg_off[CFI_NSLOTS] = {
	[CFI_SLOT_RA] = offsetof(struct user_regs_struct, rip),
	[CFI_SLOT_RBP] = offsetof(struct user_regs_struct, rbp),
	[CFI_SLOT_RBX] = offsetof(struct user_regs_struct, rbx),
	[CFI_SLOT_R12] = offsetof(struct user_regs_struct, r12),
	[CFI_SLOT_R12 + 1] = offsetof(struct user_regs_struct, r13),
	[CFI_SLOT_R12 + 2] = offsetof(struct user_regs_struct, r14),
	[CFI_SLOT_R12 + 3] = offsetof(struct user_regs_struct, r15),
};

/* The cache slot of ip looked up as exact or as a return address. */
static struct unwind_cfa *
unwind_cfi_slot(struct unwind *u, uint64_t ip, bool exact)
{
	uint64_t key = ip * 2 + exact;

	return &u->rules[(key * 0x9e3779b97f4a7c15ULL) >>
			 (64 - UNWIND_RULE_BITS)];
}

/*
 * Reads the CIE or FDE at addr (its length field on) into buf, at most
 * UNWIND_CFI_BYTES. Returns its size, or 0.
 */
static size_t
unwind_cfi_entry(struct unwind *u, uint64_t addr, uint8_t *buf)
{
	uint32_t len;

	if (unwind_read(u, addr, &len, sizeof(len)) < 0 || len == 0 ||
	    len > UNWIND_CFI_BYTES - 4 ||
	    unwind_read(u, addr, buf, (size_t)len + 4) < 0)
		return 0;
	return (size_t)len + 4;
}

/*
 * The FDE of the image e's table that covers at: the last entry whose
 * initial location is at most at (the search of libunwind's
 * dwarf_search_unwind_table over the same table, read through the page
 * cache), its bytes in u->fde_buf and its CIE's in u->cie_buf. Returns
 * the FDE's start, or 0 when there is none or it cannot be read.
 */
static uint64_t
unwind_cfi_fde(struct unwind *u, const struct unwind_elf *e, uint64_t at,
	       size_t *fde_len, size_t *cie_len)
{
	uint64_t base = e->di.u.rti.segbase, table = e->di.u.rti.table_data;
	uint64_t n = e->di.u.rti.table_len * sizeof(unw_word_t) / EHFRAME_ENTRY,
		 lo = 0, hi = n, fde_addr, begin, len;
	int32_t ent[2], cie_off;

	while (lo < hi) { /* at most 64 reads */
		uint64_t mid = lo + (hi - lo) / 2;

		if (unwind_read(u, table + mid * EHFRAME_ENTRY, ent,
				sizeof(ent)) < 0)
			return 0;
		if (at < base + (uint64_t)(int64_t)ent[0])
			hi = mid;
		else
			lo = mid + 1;
	}
	if (hi == 0 || unwind_read(u, table + (hi - 1) * EHFRAME_ENTRY, ent,
				   sizeof(ent)) < 0)
		return 0;
	fde_addr = base + (uint64_t)(int64_t)ent[1];
	*fde_len = unwind_cfi_entry(u, fde_addr, u->fde_buf);
	if (*fde_len < 8)
		return 0;
	memcpy(&cie_off, u->fde_buf + 4, sizeof(cie_off));
	if (cie_off <= 0)
		return 0; /* a CIE, or one after its FDE: not .eh_frame's */
	*cie_len = unwind_cfi_entry(u, fde_addr + 4 - (uint64_t)cie_off,
				    u->cie_buf);
	if (*cie_len == 0 ||
	    cfi_fde_range(u->cie_buf, *cie_len, u->fde_buf, *fde_len, fde_addr,
			  &begin, &len) < 0 ||
	    at < begin || at - begin >= len)
		return 0;
	return begin;
}

/* True when two rows step a frame alike. */
static bool
unwind_cfi_same(const struct cfi_row *a, const struct cfi_row *b)
{
	if (a->cfa_reg != b->cfa_reg || a->cfa_off != b->cfa_off)
		return false;
	for (int i = 0; i < CFI_NSLOTS; i++)
		if (a->reg[i].how != b->reg[i].how ||
		    (a->reg[i].how == CFI_OFFSET &&
		     a->reg[i].off != b->reg[i].off))
			return false;
	return true;
}

/* Learns the rule of ip into r (r->ok false when the walk cannot take it). */
static void
unwind_cfi_learn(struct unwind *u, uint64_t ip, bool exact,
		 struct unwind_cfa *r)
{
	uint64_t at = exact ? ip : ip - 1, func;
	const struct unwind_elf *e = unwind_elf_find(u, at);
	struct cfi_row row, after;
	size_t fde_len = 0, cie_len = 0;

	memset(r, 0, sizeof(*r));
	r->ip = ip;
	r->exact = exact;
	r->used = true;
	if (e == NULL || !e->has_table || unwind_is_sigreturn(u, ip))
		return;
	func = unwind_cfi_fde(u, e, at, &fde_len, &cie_len);
	if (func == 0 || cfi_row_at(u->cie_buf, cie_len, u->fde_buf, fde_len,
				    func, at, &row) < 0)
		return;
	/* libunwind runs the instructions up to at or up to ip: both agree */
	if (!exact && (cfi_row_at(u->cie_buf, cie_len, u->fde_buf, fde_len,
				  func, ip, &after) < 0 ||
		       !unwind_cfi_same(&row, &after)))
		return;
	if ((row.cfa_reg != CFI_RSP && row.cfa_reg != CFI_RBP) ||
	    row.cfa_off < 8 || row.cfa_off > INT32_MAX)
		return;
	r->cfa_rbp = row.cfa_reg == CFI_RBP;
	r->cfa_off = (int32_t)row.cfa_off;
	for (int i = 0; i < CFI_NSLOTS; i++) {
		const struct cfi_reg *g = &row.reg[i];

		if (i == CFI_SLOT_RA && g->how == CFI_UNDEF) {
			r->outermost = true;
			continue;
		}
		if (i == CFI_SLOT_RA && (g->how != CFI_OFFSET || g->off != -8))
			return;
		if (g->how == CFI_SAME)
			continue;
		/* saved inside the frame, below the CFA */
		if (g->how != CFI_OFFSET || g->off >= 0 || g->off < -0xffff)
			return;
		r->saved |= 1U << i;
		r->off[i] = (int32_t)g->off;
	}
	r->ok = true;
}

/* The rule of the frame at ip, from the cache or learnt. */
static const struct unwind_cfa *
unwind_cfi_rule(struct unwind *u, uint64_t ip, bool exact)
{
	struct unwind_cfa *r = unwind_cfi_slot(u, ip, exact);

	if (!r->used || r->ip != ip || r->exact != exact)
		unwind_cfi_learn(u, ip, exact, r);
	return r;
}

int
unwind_cfi_walk(struct unwind *u, const struct capture *c,
		const struct user_regs_struct *start, bool rbp_known,
		uint64_t *pcs, int max, bool *truncated, uint64_t *last_sp)
{
	struct user_regs_struct regs = *start;
	int n = 0;

	u->fast_rbp = 0;
	if (max <= 0)
		return -1;
	for (;;) {
		const struct unwind_cfa *r =
			unwind_cfi_rule(u, regs.rip, n == 0);
		uint64_t cfa, val;

		if (!r->ok)
			return -1;
		pcs[n++] = regs.rip;
		*last_sp = regs.rsp;
		if (r->outermost || n >= max) {
			*truncated = !r->outermost;
			return n;
		}
		if (r->cfa_rbp && !rbp_known) {
			u->fast_rbp = n; /* libunwind would use the 0 it has */
			return -1;
		}
		cfa = (r->cfa_rbp ? regs.rbp : regs.rsp) + (uint64_t)r->cfa_off;
		/* the CFA climbs, without wrapping */
		if (cfa <= regs.rsp || cfa < (uint64_t)r->cfa_off)
			return -1;
		for (int i = CFI_NSLOTS - 1; i >= 0; i--) {
			if (i != CFI_SLOT_RA && !(r->saved & (1U << i)))
				continue;
			if (unwind_fp_copy_word(
				    c,
				    cfa + (uint64_t)(int64_t)(i == CFI_SLOT_RA
								      ? -8
								      : r->off[i]),
				    &val) < 0)
				return -1;
			memcpy((char *)&regs + unwind_cfi_reg_off[i], &val,
			       sizeof(val));
			rbp_known |= i == CFI_SLOT_RBP;
		}
		regs.rsp = cfa;
		if (regs.rip == 0)
			return -1; /* libunwind's end of the chain: its call */
	}
}

void
unwind_cfi_flush(struct unwind *u)
{
	memset(u->rules, 0, UNWIND_RULES * sizeof(*u->rules));
}
