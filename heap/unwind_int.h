#ifndef CPT_HEAP_UNWIND_INT_H
#define CPT_HEAP_UNWIND_INT_H

/*
 * heap/unwind.c's CFI rules on bytes (common/cfi.c's rows), for its tests
 * (inside libcproftop-heap.so it is hidden like the rest): what
 * heap_unwind_walk learns from the FDE that _Unwind_Find_FDE finds.
 */

#include <stddef.h>
#include <stdint.h>

/* A rule in 64 bits (0: none): the CFA's offset in bits 0-31 (8 to
   INT32_MAX), its register in bit 32 (rbp, else rsp), rbp's slot below
   the CFA in bits 33-48 (1 to 0xffff; 0: rbp kept), bit 49 for the
   outermost frame (the return address undefined), bit 63 set; the other
   bits 0. */
#define HEAP_UNWIND_RULE_RBP_CFA (1ull << 32)
#define HEAP_UNWIND_RULE_RBP_SHIFT 33
#define HEAP_UNWIND_RULE_OUTERMOST (1ull << 49)
#define HEAP_UNWIND_RULE_VALID (1ull << 63)

/*
 * The rule at pc from a CIE, cie[0..cie_len), and an FDE of it,
 * fde[0..fde_len), each from its length field on (32-bit DWARF, as in
 * .eh_frame; the FDE's CIE pointer is checked to be one, not followed:
 * the CIE is the one given), func being the address the FDE's range
 * starts at (libgcc's bases.func). Runs the CIE's then the FDE's CFA
 * instructions up to pc and stores the rule in *rule: 0 when the frame is
 * one the fast walk follows (the CFA rsp or rbp plus an offset, the return
 * address at CFA-8 or undefined, rbp at CFA-N or kept), -1 and a rule of 0
 * otherwise (a version, augmentation or instruction not followed, or
 * bytes that run past their length: every read stays inside the two
 * buffers). No message, no allocation, at most 4096 instructions run per
 * buffer.
 */
int heap_unwind_cfi_rule(const uint8_t *cie, size_t cie_len, const uint8_t *fde,
			 size_t fde_len, uint64_t func, uint64_t pc,
			 uint64_t *rule);

#endif
