#ifndef CPT_TESTS_LIFECYCLE_LOOPCFI_H
#define CPT_TESTS_LIFECYCLE_LOOPCFI_H

/* Spins on CPU until *stop is non-zero; its CFI loops (loopcfi_lib.c). */
void loopcfi_spin(volatile int *stop);

#endif
