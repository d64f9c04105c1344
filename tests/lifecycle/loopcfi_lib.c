/*
 * libloopcfi.so: a hostile library for the unwinder. loopcfi_spin(stop)
 * spins until *stop becomes non-zero, and its hand-written CFI says the
 * frame's CFA is DW_CFA_def_cfa_expression(DW_OP_skip -3): the skip jumps
 * back onto itself, so a DWARF expression evaluator without a bound loops
 * forever on any sample taken inside this function.
 */
#include "config.h"

#include "tests/lifecycle/loopcfi.h"

/* 0x0f DW_CFA_def_cfa_expression, 0x03 its length (ULEB128), then
   0x2f DW_OP_skip with the 2-byte operand -3 (0xfffd, little-endian). */
__asm__("	.text\n"
	"	.globl loopcfi_spin\n"
	"	.type loopcfi_spin, @function\n"
	"loopcfi_spin:\n"
	"	.cfi_startproc\n"
	"	.cfi_escape 0x0f, 0x03, 0x2f, 0xfd, 0xff\n"
	"1:	pause\n"
	"	movl (%rdi), %eax\n"
	"	testl %eax, %eax\n"
	"	je 1b\n"
	"	ret\n"
	"	.cfi_endproc\n"
	"	.size loopcfi_spin, .-loopcfi_spin\n");
