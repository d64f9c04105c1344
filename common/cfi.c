/*
 * common/cfi.c: the x86-64 CFI parser of the fast unwinders (cfi.h), on
 * bytes only. Moved from heap/unwind.c, whose preloaded library links it
 * too: no allocation and no libc call.
 */
#include "config.h"

#include "common/cfi.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define CFI_STATES 8 /* DW_CFA_remember_state's depth */

/* A cursor over CFI bytes: bad once it ran past end. */
struct cfi_cur {
	const uint8_t *p, *end;
	bool bad;
};

static uint8_t
cfi_u8(struct cfi_cur *c)
{
	if (c->p >= c->end) {
		c->bad = true;
		return 0;
	}
	return *c->p++;
}

static uint64_t
cfi_uleb(struct cfi_cur *c)
{
	uint64_t v = 0;

	for (unsigned shift = 0; shift < 64; shift += 7) {
		uint8_t b = cfi_u8(c);

		v |= (uint64_t)(b & 0x7f) << shift;
		if (!(b & 0x80))
			return v;
	}
	c->bad = true;
	return 0;
}

static int64_t
cfi_sleb(struct cfi_cur *c)
{
	uint64_t v = 0;
	unsigned shift = 0;
	uint8_t b;

	do {
		if (shift >= 64) {
			c->bad = true;
			return 0;
		}
		b = cfi_u8(c);
		v |= (uint64_t)(b & 0x7f) << shift;
		shift += 7;
	} while (b & 0x80);
	if (shift < 64 && (b & 0x40))
		v |= ~0ull << shift;
	return (int64_t)v;
}

/* n little-endian bytes (n <= 8) */
static uint64_t
cfi_fixed(struct cfi_cur *c, unsigned n)
{
	uint64_t v = 0;

	if ((size_t)(c->end - c->p) < n) {
		c->bad = true;
		return 0;
	}
	for (unsigned i = 0; i < n; i++)
		v |= (uint64_t)c->p[i] << (8 * i);
	c->p += n;
	return v;
}

/* Skips a pointer in encoding enc (DW_EH_PE_*): its value, unapplied. */
static uint64_t
cfi_encoded(struct cfi_cur *c, uint8_t enc)
{
	switch (enc & 0x0f) {
	case 0x00: /* absptr */
	case 0x04: /* udata8 */
	case 0x0c: /* sdata8 */
		return cfi_fixed(c, 8);
	case 0x01: /* uleb128 */
		return cfi_uleb(c);
	case 0x02: /* udata2 */
	case 0x0a: /* sdata2 */
		return cfi_fixed(c, 2);
	case 0x03: /* udata4 */
	case 0x0b: /* sdata4 */
		return cfi_fixed(c, 4);
	case 0x09: /* sleb128 */
		return (uint64_t)cfi_sleb(c);
	}
	c->bad = true;
	return 0;
}

/* What a CIE says that the FDE's parsing and its instructions need. */
struct cfi_cie {
	uint64_t code_align;
	int64_t data_align;
	uint8_t fde_enc;
	bool z;
	const uint8_t *insns, *insns_end;
};

/* The slot of DWARF register reg in a row, or -1 for one not followed. */
static int
cfi_slot(uint64_t reg)
{
	if (reg == CFI_RBP)
		return CFI_SLOT_RBP;
	if (reg == CFI_RA)
		return CFI_SLOT_RA;
	if (reg == CFI_RBX)
		return CFI_SLOT_RBX;
	if (reg >= CFI_R12 && reg <= CFI_R15)
		return CFI_SLOT_R12 + (int)(reg - CFI_R12);
	return -1;
}

/*
 * A register's rule set by DW_CFA_offset* (how 1), _undefined (2),
 * _same_value (0), _register (-1) or _restore (3, from init): rbp's, the
 * return address's and the other callee-saved ones matter; a rule for
 * rsp itself is not followed.
 */
static void
cfi_set(struct cfi_row *row, const struct cfi_row *init, uint64_t reg, int how,
	int64_t off)
{
	int slot = cfi_slot(reg);
	struct cfi_reg *r;

	if (slot < 0) {
		if (reg == CFI_RSP && how != 3)
			row->cfa_reg = -1; /* rsp itself restored: not ours */
		return;
	}
	r = &row->reg[slot];
	if (how == 3) { /* restore */
		*r = init->reg[slot];
		return;
	}
	if (how == 0 && reg == CFI_RA)
		how = -1; /* the return address kept: no rule we follow */
	r->how = how == 1   ? CFI_OFFSET
		 : how == 2 ? CFI_UNDEF
		 : how == 0 ? CFI_SAME
			    : CFI_OTHER;
	r->off = off;
}

/* A factored offset, an uleb128 or (sign) an sleb128, times the CIE's
   data alignment: bad when it does not fit in 64 bits. */
static int64_t
cfi_factored(struct cfi_cur *c, const struct cfi_cie *cie, bool sign)
{
	uint64_t u = sign ? 0 : cfi_uleb(c);
	int64_t v = sign ? cfi_sleb(c) : (int64_t)u, r;

	if (u > INT64_MAX || __builtin_mul_overflow(v, cie->data_align, &r)) {
		c->bad = true;
		return 0;
	}
	return r;
}

/* A CFA register as a row keeps it: rsp, rbp, or -1 (give up). */
static int
cfi_cfa_reg(uint64_t reg)
{
	return reg == CFI_RSP || reg == CFI_RBP ? (int)reg : -1;
}

/*
 * Runs the CFA instructions of c over row, from location loc, until the
 * row for pc: true when it went well (unknown instructions give up).
 * init is the CIE's row (for DW_CFA_restore), NULL while running the
 * CIE's own instructions.
 */
static bool
cfi_run(struct cfi_cur *c, const struct cfi_cie *cie, struct cfi_row *row,
	const struct cfi_row *init, uint64_t loc, uint64_t pc)
{
	struct cfi_row saved[CFI_STATES];
	unsigned nsaved = 0, steps = 0;

	while (c->p < c->end && !c->bad) {
		uint8_t op = cfi_u8(c), low = op & 0x3f;
		uint64_t delta = 0, reg;

		if (++steps > CFI_MAX_INSNS)
			return false;
		switch (op & 0xc0) {
		case 0x40: /* advance_loc */
			delta = low;
			goto advance;
		case 0x80: /* offset */
			cfi_set(row, init, low, 1, cfi_factored(c, cie, false));
			continue;
		case 0xc0: /* restore */
			if (init == NULL)
				return false;
			cfi_set(row, init, low, 3, 0);
			continue;
		}
		switch (op) {
		case 0x00: /* nop */
			continue;
		case 0x02: /* advance_loc1 */
			delta = cfi_fixed(c, 1);
			goto advance;
		case 0x03: /* advance_loc2 */
			delta = cfi_fixed(c, 2);
			goto advance;
		case 0x04: /* advance_loc4 */
			delta = cfi_fixed(c, 4);
			goto advance;
		case 0x05: /* offset_extended */
			reg = cfi_uleb(c);
			cfi_set(row, init, reg, 1, cfi_factored(c, cie, false));
			continue;
		case 0x06: /* restore_extended */
			reg = cfi_uleb(c);
			if (init == NULL)
				return false;
			cfi_set(row, init, reg, 3, 0);
			continue;
		case 0x07: /* undefined */
			cfi_set(row, init, cfi_uleb(c), 2, 0);
			continue;
		case 0x08: /* same_value */
			cfi_set(row, init, cfi_uleb(c), 0, 0);
			continue;
		case 0x09: /* register */
			cfi_set(row, init, cfi_uleb(c), -1, 0);
			(void)cfi_uleb(c);
			continue;
		case 0x0a: /* remember_state */
			if (nsaved >= CFI_STATES)
				return false;
			saved[nsaved++] = *row;
			continue;
		case 0x0b: /* restore_state */
			if (nsaved == 0)
				return false;
			*row = saved[--nsaved];
			continue;
		case 0x0c: /* def_cfa */
			row->cfa_reg = cfi_cfa_reg(cfi_uleb(c));
			row->cfa_off = (int64_t)cfi_uleb(c);
			continue;
		case 0x0d: /* def_cfa_register */
			row->cfa_reg = cfi_cfa_reg(cfi_uleb(c));
			continue;
		case 0x0e: /* def_cfa_offset */
			row->cfa_off = (int64_t)cfi_uleb(c);
			continue;
		case 0x11: /* offset_extended_sf */
			reg = cfi_uleb(c);
			cfi_set(row, init, reg, 1, cfi_factored(c, cie, true));
			continue;
		case 0x12: /* def_cfa_sf */
			row->cfa_reg = cfi_cfa_reg(cfi_uleb(c));
			row->cfa_off = cfi_factored(c, cie, true);
			continue;
		case 0x13: /* def_cfa_offset_sf */
			row->cfa_off = cfi_factored(c, cie, true);
			continue;
		case 0x2e: /* GNU_args_size */
			(void)cfi_uleb(c);
			continue;
		default: /* expressions, set_loc, val_offset, ... */
			return false;
		}
	advance:
		loc += delta * cie->code_align;
		if (loc > pc)
			return !c->bad;
	}
	return !c->bad;
}

static uint32_t
cfi_le32(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 |
	       (uint32_t)p[3] << 24;
}

/* A length field: 0 when it is not 4 bytes of p[0..n) or says more than
   the rest of them (or 64-bit DWARF). */
static uint32_t
cfi_length(const uint8_t *p, size_t n)
{
	uint32_t len = n < 4 ? 0 : cfi_le32(p);

	return len >= 0xfffffff0u || len > n - 4 ? 0 : len;
}

/* Parses the CIE p[0..n): false when it is not one we follow. */
static bool
cfi_parse_cie(const uint8_t *p, size_t n, struct cfi_cie *cie)
{
	uint32_t len = cfi_length(p, n);
	struct cfi_cur c;
	const char *aug;
	uint8_t version;
	uint64_t ra_reg;

	if (len == 0)
		return false;
	c = (struct cfi_cur){.p = p + 4, .end = p + 4 + len};
	if (cfi_fixed(&c, 4) != 0 || c.bad)
		return false; /* not a CIE */
	version = cfi_u8(&c);
	if (version != 1 && version != 3)
		return false;
	aug = (const char *)c.p;
	for (unsigned i = 0; cfi_u8(&c) != 0; i++)
		if (c.bad || i > 8)
			return false;
	cie->code_align = cfi_uleb(&c);
	cie->data_align = cfi_sleb(&c);
	ra_reg = version == 1 ? cfi_u8(&c) : cfi_uleb(&c);
	if (c.bad || ra_reg != CFI_RA)
		return false;
	cie->fde_enc = 0; /* absptr */
	cie->z = aug[0] == 'z';
	if (cie->z) {
		uint64_t alen = cfi_uleb(&c);
		struct cfi_cur a = {.p = c.p, .end = c.p + alen};

		if (c.bad || alen > (uint64_t)(c.end - c.p))
			return false;
		for (const char *s = aug + 1; *s != '\0'; s++) {
			uint8_t enc;

			switch (*s) {
			case 'R':
				cie->fde_enc = cfi_u8(&a);
				break;
			case 'L':
				(void)cfi_u8(&a);
				break;
			case 'P':
				enc = cfi_u8(&a);
				(void)cfi_encoded(&a, enc);
				break;
			default: /* 'S' (a signal frame) and the unknown */
				return false;
			}
		}
		if (a.bad)
			return false;
		c.p += alen;
	} else if (aug[0] != '\0') {
		return false; /* "eh" and other ancient ones */
	}
	cie->insns = c.p;
	cie->insns_end = c.end;
	return !c.bad;
}

/* The offset of an FDE's pc_begin: after its length and CIE pointer. */
#define CFI_FDE_BEGIN 8

/*
 * Parses the CIE into *cie and leaves *c at the FDE's pc_begin. Returns
 * false when either is not one we follow.
 */
static bool
cfi_open(const uint8_t *cie_p, size_t cie_len, const uint8_t *fde,
	 size_t fde_len, struct cfi_cie *cie, struct cfi_cur *c)
{
	uint32_t len = cfi_length(fde, fde_len);

	if (len < 8 || cfi_le32(fde + 4) == 0)
		return false; /* no room for the CIE pointer, or a CIE */
	if (!cfi_parse_cie(cie_p, cie_len, cie))
		return false;
	*c = (struct cfi_cur){.p = fde + CFI_FDE_BEGIN, .end = fde + 4 + len};
	return true;
}

int
cfi_row_at(const uint8_t *cie_p, size_t cie_len, const uint8_t *fde,
	   size_t fde_len, uint64_t func, uint64_t pc, struct cfi_row *row)
{
	struct cfi_row init = {.cfa_reg = -1};
	struct cfi_cie cie;
	struct cfi_cur c;

	*row = init;
	if (!cfi_open(cie_p, cie_len, fde, fde_len, &cie, &c))
		return -1;
	{
		struct cfi_cur ci = {.p = cie.insns, .end = cie.insns_end};

		if (!cfi_run(&ci, &cie, &init, NULL, 0, 0))
			return -1;
	}
	(void)cfi_encoded(&c, cie.fde_enc);	   /* pc_begin: func */
	(void)cfi_encoded(&c, cie.fde_enc & 0x0f); /* pc_range */
	if (cie.z) {
		uint64_t alen = cfi_uleb(&c);

		if (c.bad || alen > (uint64_t)(c.end - c.p))
			return -1;
		c.p += alen;
	}
	*row = init;
	if (c.bad || !cfi_run(&c, &cie, row, &init, func, pc)) {
		*row = (struct cfi_row){.cfa_reg = -1};
		return -1;
	}
	return 0;
}

int
cfi_fde_range(const uint8_t *cie_p, size_t cie_len, const uint8_t *fde,
	      size_t fde_len, uint64_t fde_addr, uint64_t *begin, uint64_t *len)
{
	struct cfi_cie cie;
	struct cfi_cur c;
	uint64_t v;

	if (!cfi_open(cie_p, cie_len, fde, fde_len, &cie, &c))
		return -1;
	if (cie.fde_enc & 0x80)
		return -1; /* indirect */
	switch (cie.fde_enc & 0x0f) {
	case 0x00: /* absptr */
	case 0x03: /* udata4 */
	case 0x04: /* udata8 */
	case 0x0b: /* sdata4 */
	case 0x0c: /* sdata8 */
		break;
	default:
		return -1;
	}
	v = cfi_encoded(&c, cie.fde_enc);
	if ((cie.fde_enc & 0x0f) == 0x0b)
		v = (uint64_t)(int64_t)(int32_t)v;
	if ((cie.fde_enc & 0x70) == 0x10) /* pcrel */
		v += fde_addr + CFI_FDE_BEGIN;
	else if ((cie.fde_enc & 0x70) != 0x00)
		return -1; /* datarel, indirect... */
	*begin = v;
	*len = cfi_encoded(&c, cie.fde_enc & 0x0f);
	if ((cie.fde_enc & 0x0f) == 0x0b)
		*len = (uint64_t)(int64_t)(int32_t)*len;
	return c.bad ? -1 : 0;
}
