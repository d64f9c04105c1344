/*
 * The target of tests/unit/symbols_test: functions between known lines, an
 * always_inline function inlined into two callers, two functions with
 * C++-mangled names (asm labels, so no C++ compiler is needed), and a
 * noreturn call that ends a function. It records return addresses, prints
 * "key value" lines (addresses and line numbers), then "ready", and waits
 * for EOF on stdin. Built -O2 -g -rdynamic (global functions land in
 * .dynsym) and never sanitized; symtarget-stripped is its stripped copy.
 */
#include "config.h"

#include <pthread.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#define NOINLINE __attribute__((noinline, noclone))

volatile int sink;
static volatile uintptr_t ra_one, ra_two, ra_end;
static int line_probe, line_call_one, line_call_two;
static jmp_buf escape_jb;

void global_leaf(int n);
void caller_one(void);
void caller_two(void);
void cpp_method(void) __asm__("_ZN3foo3barEv");
void cpp_template(int n) __asm__("_ZN5outer5inner3bazIiEEvT_");

NOINLINE static void
probe(volatile uintptr_t *where)
{
	*where = (uintptr_t)__builtin_return_address(0);
	sink++;
}

static const int inl_begin = __LINE__;
static inline __attribute__((always_inline)) void
inl_hot(volatile uintptr_t *where)
{
	sink += 3;
	probe(where), line_probe = __LINE__;
	sink += 5;
}
static const int inl_end = __LINE__;

static const int leaf_begin = __LINE__;
NOINLINE static void
static_leaf(int n)
{
	for (int i = 0; i < n; i++)
		sink += i * 3;
}
static const int leaf_end = __LINE__;

static const int global_begin = __LINE__;
NOINLINE void
global_leaf(int n)
{
	for (int i = 0; i < n; i++)
		sink ^= i;
}
static const int global_end = __LINE__;

static const int one_begin = __LINE__;
NOINLINE void
caller_one(void)
{
	sink++;
	inl_hot(&ra_one), line_call_one = __LINE__;
	sink++;
}
static const int one_end = __LINE__;

NOINLINE void
caller_two(void)
{
	sink += 2;
	inl_hot(&ra_two), line_call_two = __LINE__;
	sink += 2;
}

NOINLINE void
cpp_method(void)
{
	sink += 7;
}

NOINLINE void
cpp_template(int n)
{
	sink += n;
}

NOINLINE __attribute__((noreturn)) static void
escape(void)
{
	ra_end = (uintptr_t)__builtin_return_address(0);
	longjmp(escape_jb, 1);
}

/* Its last instruction is the call to escape(): the return address is the
 * first byte after the function. */
NOINLINE static void
ends_with_call(void)
{
	sink++;
	escape();
}

static void
print_addr(const char *key, const void *addr)
{
	printf("%s %#jx\n", key, (uintmax_t)(uintptr_t)addr);
}

static void
print_int(const char *key, int value)
{
	printf("%s %d\n", key, value);
}

int
main(void)
{
	char c;

	static_leaf(3);
	global_leaf(3);
	caller_one();
	caller_two();
	cpp_method();
	cpp_template(1);
	if (!setjmp(escape_jb))
		ends_with_call();
	print_addr("static_leaf", (const void *)static_leaf);
	print_addr("global_leaf", (const void *)global_leaf);
	print_addr("caller_one", (const void *)caller_one);
	print_addr("cpp_method", (const void *)cpp_method);
	print_addr("cpp_template", (const void *)cpp_template);
	print_addr("read", (const void *)read);
	print_addr("malloc", (const void *)malloc);
	print_addr("pthread_mutex_lock", (const void *)pthread_mutex_lock);
	print_addr("ra_one", (const void *)ra_one);
	print_addr("ra_two", (const void *)ra_two);
	print_addr("ra_end", (const void *)ra_end);
	print_int("inl_begin", inl_begin);
	print_int("inl_end", inl_end);
	print_int("leaf_begin", leaf_begin);
	print_int("leaf_end", leaf_end);
	print_int("global_begin", global_begin);
	print_int("global_end", global_end);
	print_int("one_begin", one_begin);
	print_int("one_end", one_end);
	print_int("line_probe", line_probe);
	print_int("line_call_one", line_call_one);
	print_int("line_call_two", line_call_two);
	printf("ready\n");
	fflush(stdout);
	while (read(0, &c, 1) > 0)
		;
	return 0;
}
