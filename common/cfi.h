#ifndef CPT_COMMON_CFI_H
#define CPT_COMMON_CFI_H

/*
 * The x86-64 CFI parser of the fast unwinders (heap/unwind.c in the
 * target, sampler/unwind_cfi.c over a capture): runs a CIE's and an FDE's
 * CFA instructions up to a pc, following only the common ones (the CFA
 * rsp or rbp plus an offset, registers saved at CFA+N, kept or undefined,
 * remember/restore state). Pure functions over bytes that come from the
 * target: every read stays inside the buffers given, at most
 * CFI_MAX_INSNS instructions run per buffer. No allocation, no libc call
 * but what a struct copy compiles to (heap/ links it into the preloaded
 * library).
 */

#include <stddef.h>
#include <stdint.h>

#define CFI_MAX_INSNS 4096 /* instructions run per buffer */

/* DWARF's x86-64 register numbers */
#define CFI_RBX 3
#define CFI_RBP 6
#define CFI_RSP 7
#define CFI_R12 12
#define CFI_R15 15
#define CFI_RA 16

/* How a register is found in the caller's frame. */
enum cfi_how {
	CFI_SAME = 0,	/* kept (no rule, or same_value) */
	CFI_OFFSET = 1, /* saved at CFA + off */
	CFI_UNDEF = 2,	/* undefined */
	CFI_OTHER = -1, /* anything else: not followed */
};

struct cfi_reg {
	int how; /* enum cfi_how */
	int64_t off;
};

/* The registers a row follows: cfi_row.reg[] indices. */
enum cfi_slot {
	CFI_SLOT_RA,
	CFI_SLOT_RBP,
	CFI_SLOT_RBX,
	CFI_SLOT_R12, /* r12 to r15 follow */
	CFI_NSLOTS = CFI_SLOT_R12 + 4,
};

/* One row of the CFA table, as far as it is followed. */
struct cfi_row {
	int cfa_reg; /* CFI_RSP, CFI_RBP, -1 (another, or none) */
	int64_t cfa_off;
	struct cfi_reg reg[CFI_NSLOTS];
};

/*
 * The row at pc of an FDE, fde[0..fde_len), of the CIE cie[0..cie_len),
 * each from its length field on (32-bit DWARF, as in .eh_frame; the FDE's
 * CIE pointer is checked to be one, not followed: the CIE is the one
 * given), func being the address the FDE's range starts at. Runs the
 * CIE's then the FDE's instructions while their location is at most pc.
 * Returns 0 with *row set, or -1 (a version, augmentation -- 'S', a
 * signal frame, included -- or instruction not followed, a return
 * address column other than 16, bytes that run past their length).
 */
int cfi_row_at(const uint8_t *cie, size_t cie_len, const uint8_t *fde,
	       size_t fde_len, uint64_t func, uint64_t pc, struct cfi_row *row);

/*
 * The range [*begin, *begin + *len) the FDE fde[0..fde_len) of the CIE
 * cie[0..cie_len) covers, its pc_begin decoded as the CIE's 'R'
 * augmentation says (absolute or pc-relative, 4 or 8 bytes; fde_addr:
 * the FDE's address in the target, for pc-relative). Returns 0, or -1
 * when it cannot be decoded (another encoding, an indirect one, bytes
 * past their length).
 */
int cfi_fde_range(const uint8_t *cie, size_t cie_len, const uint8_t *fde,
		  size_t fde_len, uint64_t fde_addr, uint64_t *begin,
		  uint64_t *len);

#endif
