/*
 * heap/unwind.c: libcproftop-heap.so's fast unwinder (unwind.h). A walk
 * is a loop over cached rules: CFA = rsp or rbp + offset, the return
 * address at CFA-8, rbp at CFA-N or kept. A rule missing from the cache
 * is learnt from the FDE that libgcc's _Unwind_Find_FDE finds (the same
 * lookup as _Unwind_Backtrace's), running only the common CFA
 * instructions (common/cfi.c, shared with the sampler's unwinder); whatever
 * else (expressions, signal frames, no FDE) gives up, and the caller falls back
 * on libgcc for the whole stack.
 *
 * The cache (512 entries, two-way: direct-mapped, the two return
 * addresses that every walk of tests/heap/workload meets, main's and its
 * caller's in the C library, took turns in one slot in one run, ASLR
 * drawing the slots) is shared by the threads without a lock: an entry
 * is three words (pc, rule, check) written one by one, and check, a hash
 * of the other two and of the cache's generation, tells a torn or stale
 * entry (a miss). The generation changes when dl_iterate_phdr's count of
 * libraries loaded or unloaded does: a library unloaded (and another
 * mapped in its place) leaves no rule behind.
 */
#include "config.h"

#include "heap/unwind.h"
#include "heap/unwind_int.h"

#include <fcntl.h>
#include <link.h>
#include <stdatomic.h>
#include <stddef.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "common/cfi.h"

#if !defined(__x86_64__)
#error "heap/unwind.c: x86-64 only"
#endif

/* libgcc's (unwind-dw2-fde.h, exported by libgcc_s since GCC 3.0) */
struct dwarf_eh_bases {
	void *tbase;
	void *dbase;
	void *func;
};
extern const void *_Unwind_Find_FDE(void *pc, struct dwarf_eh_bases *bases);

#define UNWIND_CACHE 512      /* entries: 256 sets of two ways */
#define UNWIND_MAX_FRAMES 128 /* a walk's frames */

/* A rule in 64 bits: unwind_int.h */
#define RULE_RBP_CFA HEAP_UNWIND_RULE_RBP_CFA
#define RULE_RBP_SHIFT HEAP_UNWIND_RULE_RBP_SHIFT
#define RULE_OUTERMOST HEAP_UNWIND_RULE_OUTERMOST
#define RULE_VALID HEAP_UNWIND_RULE_VALID

struct unwind_entry {
	_Atomic uint64_t pc;
	_Atomic uint64_t rule;
	_Atomic uint64_t check;
};

static struct unwind_entry unwind_cache[UNWIND_CACHE];
static _Atomic uint64_t unwind_gen = 1;
static _Atomic uint64_t unwind_loaded;	  /* dlpi_adds, dlpi_subs seen */
static _Atomic uint64_t unwind_counts[4]; /* heap_unwind_stats' fields */

enum { COUNT_WALKS, COUNT_FALLBACKS, COUNT_LEARNT, COUNT_FLUSHES };

/* The thread's stack mapping, [lo, hi): 0, 0 until read. */
static __thread volatile uintptr_t unwind_stack_lo
	__attribute__((tls_model("initial-exec")));
static __thread volatile uintptr_t unwind_stack_hi
	__attribute__((tls_model("initial-exec")));

static void
unwind_count(int which)
{
	atomic_fetch_add_explicit(&unwind_counts[which], 1,
				  memory_order_relaxed);
}

/* splitmix64's finalizer */
static uint64_t
unwind_mix(uint64_t x)
{
	x ^= x >> 30;
	x *= 0xbf58476d1ce4e5b9ull;
	x ^= x >> 27;
	x *= 0x94d049bb133111ebull;
	return x ^ (x >> 31);
}

static uint64_t
unwind_check(uint64_t pc, uint64_t rule, uint64_t gen)
{
	return unwind_mix(pc ^ unwind_mix(rule ^ (gen << 40) ^ gen));
}

/* The two ways of pc's set (UNWIND_CACHE / 2 sets) */
static struct unwind_entry *
unwind_ways(uint64_t pc)
{
	return &unwind_cache[((pc * 0x9e3779b97f4a7c15ull) >> 56 &
			      (UNWIND_CACHE / 2 - 1)) *
			     2];
}

static void
unwind_store(struct unwind_entry *e, uint64_t pc, uint64_t rule, uint64_t check)
{
	/* a reader between two stores sees a check that fails */
	atomic_store_explicit(&e->pc, pc, memory_order_relaxed);
	atomic_store_explicit(&e->rule, rule, memory_order_relaxed);
	atomic_store_explicit(&e->check, check, memory_order_relaxed);
}

static uint32_t
unwind_le32(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 |
	       (uint32_t)p[3] << 24;
}

int
heap_unwind_cfi_rule(const uint8_t *cie, size_t cie_len, const uint8_t *fde,
		     size_t fde_len, uint64_t func, uint64_t pc, uint64_t *rule)
{
	struct cfi_row row;
	const struct cfi_reg *ra = &row.reg[CFI_SLOT_RA];
	const struct cfi_reg *rbp = &row.reg[CFI_SLOT_RBP];

	*rule = 0;
	if (cfi_row_at(cie, cie_len, fde, fde_len, func, pc, &row) < 0)
		return -1;
	if (row.cfa_reg < 0 || row.cfa_off < 8 || row.cfa_off > INT32_MAX)
		return -1;
	*rule = RULE_VALID | (uint32_t)row.cfa_off;
	if (row.cfa_reg == CFI_RBP)
		*rule |= RULE_RBP_CFA;
	if (ra->how == CFI_UNDEF)
		*rule |= RULE_OUTERMOST;
	else if (ra->how != CFI_OFFSET || ra->off != -8)
		goto refuse;
	if (rbp->how == CFI_OFFSET) {
		if (rbp->off >= 0 || rbp->off < -0xffff)
			goto refuse;
		*rule |= (uint64_t)-rbp->off << RULE_RBP_SHIFT;
	} else if (rbp->how != CFI_SAME) {
		goto refuse;
	}
	return 0;
refuse:
	*rule = 0;
	return -1;
}

/* Learns the rule at pc from the tables: 0 when it cannot be followed. */
static uint64_t
unwind_learn(uintptr_t pc)
{
	struct dwarf_eh_bases bases;
	const uint8_t *fde = _Unwind_Find_FDE((void *)pc, &bases), *cie;
	int32_t cie_off;
	uint64_t rule;

	if (fde == NULL)
		return 0;
	/* (libgcc has followed the FDE's length and CIE pointer: the
	   lengths are the tables' own) */
	cie_off = (int32_t)unwind_le32(fde + 4);
	if (cie_off <= 0)
		return 0;
	cie = fde + 4 - cie_off;
	if (heap_unwind_cfi_rule(cie, (size_t)unwind_le32(cie) + 4, fde,
				 (size_t)unwind_le32(fde) + 4,
				 (uint64_t)(uintptr_t)bases.func, pc,
				 &rule) < 0)
		return 0;
	unwind_count(COUNT_LEARNT);
	return rule;
}

/* The rule at pc, from the cache or learnt (0: give up). A rule learnt
   goes to its set's first way, the one there to the second. */
static uint64_t
unwind_rule(uintptr_t pc, uint64_t gen)
{
	struct unwind_entry *e = unwind_ways(pc);
	uint64_t rule, epc, check;

	for (int way = 0; way < 2; way++) {
		epc = atomic_load_explicit(&e[way].pc, memory_order_relaxed);
		rule = atomic_load_explicit(&e[way].rule, memory_order_relaxed);
		check = atomic_load_explicit(&e[way].check,
					     memory_order_relaxed);
		if (epc == pc && rule != 0 &&
		    check == unwind_check(epc, rule, gen))
			return rule;
	}
	rule = unwind_learn(pc);
	if (rule != 0) {
		unwind_store(
			&e[1],
			atomic_load_explicit(&e[0].pc, memory_order_relaxed),
			atomic_load_explicit(&e[0].rule, memory_order_relaxed),
			atomic_load_explicit(&e[0].check,
					     memory_order_relaxed));
		unwind_store(&e[0], pc, rule, unwind_check(pc, rule, gen));
	}
	return rule;
}

static int
unwind_phdr_counts(struct dl_phdr_info *info, size_t size, void *arg)
{
	uint64_t *counts = arg;

	if (size >=
	    offsetof(struct dl_phdr_info, dlpi_subs) + sizeof(info->dlpi_subs))
		*counts = (uint64_t)info->dlpi_adds ^
			  (uint64_t)info->dlpi_subs * 0x9e3779b97f4a7c15ull;
	return 1; /* the first library tells */
}

/* The cache's generation: a new one when libraries were loaded or
   unloaded since the last walk. 0 when the loader cannot say. */
static uint64_t
unwind_generation(void)
{
	uint64_t counts = 0, seen;

	dl_iterate_phdr(unwind_phdr_counts, &counts);
	if (counts == 0)
		return 0;
	seen = atomic_load_explicit(&unwind_loaded, memory_order_acquire);
	if (seen != counts &&
	    atomic_compare_exchange_strong(&unwind_loaded, &seen, counts)) {
		unwind_count(COUNT_FLUSHES);
		return atomic_fetch_add(&unwind_gen, 1) + 1;
	}
	return atomic_load_explicit(&unwind_gen, memory_order_acquire);
}

/*
 * The end of the mapping that holds sp, from /proc/self/maps read by
 * system calls into a small buffer (we may be inside malloc): 0 when it
 * cannot be read or sp is in none.
 */
static uintptr_t
unwind_read_stack(uintptr_t sp, uintptr_t *lo)
{
	char buf[512];
	uintptr_t a = 0, b = 0;
	int state = 0; /* 0: start, 1: end, 2: the rest of the line */
	long fd = syscall(SYS_openat, AT_FDCWD, "/proc/self/maps",
			  O_RDONLY | O_CLOEXEC);
	long n;

	if (fd < 0)
		return 0;
	while ((n = syscall(SYS_read, fd, buf, sizeof(buf))) > 0) {
		for (long i = 0; i < n; i++) {
			char ch = buf[i];
			int d = ch >= '0' && ch <= '9'	 ? ch - '0'
				: ch >= 'a' && ch <= 'f' ? ch - 'a' + 10
							 : -1;

			if (ch == '\n') {
				state = 0;
				a = b = 0;
			} else if (state == 0 && d >= 0) {
				a = a << 4 | (uintptr_t)d;
			} else if (state == 0 && ch == '-') {
				state = 1;
			} else if (state == 1 && d >= 0) {
				b = b << 4 | (uintptr_t)d;
			} else if (state == 1) {
				state = 2;
				if (a <= sp && sp < b) {
					syscall(SYS_close, fd);
					*lo = a;
					return b;
				}
			}
		}
	}
	syscall(SYS_close, fd);
	return 0;
}

/*
 * The end of the thread's stack, cached per thread: 0 when unknown. A
 * signal handler's walk may come between the two words' stores (or
 * loads): hi is cleared first and stored last, and read before and after
 * lo, so that no walk takes one mapping's start with another's end.
 */
static uintptr_t
unwind_stack_end(uintptr_t sp)
{
	uintptr_t lo, hi = unwind_stack_hi;

	atomic_signal_fence(memory_order_seq_cst);
	lo = unwind_stack_lo;
	atomic_signal_fence(memory_order_seq_cst);
	if (hi != 0 && hi == unwind_stack_hi && lo <= sp && sp < hi)
		return hi;
	hi = unwind_read_stack(sp, &lo);
	if (hi != 0) {
		unwind_stack_hi = 0;
		atomic_signal_fence(memory_order_seq_cst);
		unwind_stack_lo = lo;
		atomic_signal_fence(memory_order_seq_cst);
		unwind_stack_hi = hi;
	}
	return hi;
}

/* A word of the stack (inside the stack mapping: checked by the caller;
   not a sanitizer's business) */
static __attribute__((no_sanitize_address)) uintptr_t
unwind_load(uintptr_t addr)
{
	return *(const volatile uintptr_t *)addr;
}

__attribute__((noinline)) int
heap_unwind_walk(heap_unwind_frame_fn frame, void *arg)
{
	uintptr_t pc, sp, bp, lo, hi;
	uint64_t gen;

	/* where we are: the pc of the lea itself, the same row as the
	   registers read after it */
	__asm__ volatile("1: lea 1b(%%rip), %0\n\t"
			 "mov %%rsp, %1\n\t"
			 "mov %%rbp, %2"
			 : "=&r"(pc), "=&r"(sp), "=&r"(bp));
	lo = sp;
	hi = unwind_stack_end(sp);
	gen = unwind_generation();
	if (hi == 0 || gen == 0)
		goto fail;
	for (unsigned n = 0;; n++) {
		uint64_t rule, cfa, slot;

		if (n > 0 && (pc == 0 || !frame(arg, pc)))
			break;
		if (n >= UNWIND_MAX_FRAMES)
			break;
		/* a return address is past its call: look up the call */
		rule = unwind_rule(n == 0 ? pc : pc - 1, gen);
		if (rule == 0)
			goto fail;
		if (rule & RULE_OUTERMOST)
			break;
		cfa = (rule & RULE_RBP_CFA ? bp : sp) + (uint32_t)rule;
		/* the CFA grows, the return address inside [lo, hi) */
		if (cfa < sp + 8 || cfa - 8 < lo || cfa > hi)
			goto fail;
		slot = rule >> RULE_RBP_SHIFT & 0xffff;
		if (slot != 0) {
			if (slot < 16 || slot > cfa || cfa - slot < lo)
				goto fail; /* (below the return address) */
			bp = unwind_load(cfa - slot);
		}
		pc = unwind_load(cfa - 8);
		sp = cfa;
	}
	unwind_count(COUNT_WALKS);
	return 0;
fail:
	unwind_count(COUNT_FALLBACKS);
	return -1;
}

void
heap_unwind_stats(struct heap_unwind_stats *st)
{
	st->walks = atomic_load_explicit(&unwind_counts[COUNT_WALKS],
					 memory_order_relaxed);
	st->fallbacks = atomic_load_explicit(&unwind_counts[COUNT_FALLBACKS],
					     memory_order_relaxed);
	st->learnt = atomic_load_explicit(&unwind_counts[COUNT_LEARNT],
					  memory_order_relaxed);
	st->flushes = atomic_load_explicit(&unwind_counts[COUNT_FLUSHES],
					   memory_order_relaxed);
}
