/*
 * tests/unit/heap_unwind_lib.c: the library heap_unwind_test opens and
 * closes, built twice with frames of different sizes
 * (HEAP_UNWIND_LIB_BYTES) but the same code layout: the second, mapped
 * where the first was, has its call at the same address under another
 * CFA rule, which a cache that outlived the first library would get
 * wrong.
 */
#ifndef HEAP_UNWIND_LIB_BYTES
#define HEAP_UNWIND_LIB_BYTES 1024
#endif

int heap_unwind_lib_call(int (*cb)(int), int x);

/* Calls cb(x) from a frame of HEAP_UNWIND_LIB_BYTES bytes. */
__attribute__((noinline, visibility("default"))) int
heap_unwind_lib_call(int (*cb)(int), int x)
{
	volatile char buf[HEAP_UNWIND_LIB_BYTES];

	buf[0] = (char)x;
	return cb(x) + buf[0];
}
