#ifndef CPT_SAMPLER_UNWIND_INT_H
#define CPT_SAMPLER_UNWIND_INT_H

/*
 * Private to unwind.c (capture, the walk over frames, the fallbacks) and
 * unwind_access.c (libunwind's accessors: the target's memory through the
 * stack copy, a page cache and live reads; the ELF images and their
 * .eh_frame_hdr tables; the registers). Contracts at the definitions.
 */

#include <libunwind.h>
#include <stdbool.h>
#include <stdint.h>

#include "attach/procfs.h"
#include "common/cfi.h"
#include "sampler/unwind.h"

/*
 * How it works. unwind_capture() copies the registers and the stack of a
 * stopped thread. unwind_stack() then runs libunwind's remote unwinder over
 * our accessors (the struct unwind is their arg):
 * - access_mem serves the stack range from the copy and every other address
 *   from a page cache over the target's read-only and file mappings (code,
 *   .eh_frame, .eh_frame_hdr, GOT; [vdso] included), filled with
 *   attach_read_pid(). Other memory is read live, except the thread's own stack
 *   beyond the copy: it has changed since the capture.
 * - find_proc_info looks the ip up in a table of loaded ELF images, each
 *   with the binary-search table of its PT_GNU_EH_FRAME, and hands it to
 *   libunwind's dwarf_search_unwind_table. An image's span and table come
 *   from the owner's per-file facts (unwind_set_images(): the symbolizer's
 *   file, opened and parsed once per space), else from its ELF headers in
 *   target memory (a file the symbolizer cannot open; tests without one).
 *   We do not use _UPT_find_proc_info: it re-reads /proc/PID/maps and
 *   mmaps the whole file whenever the ip leaves its single cached ELF,
 *   calls our access_mem with its own arg, and abort()s on unusual table
 *   encodings.
 * - libunwind's global register-state cache makes repeated ips cheap.
 * Everything is dropped by unwind_flush().
 */

/* Not in libunwind's headers; exported by libunwind-x86_64 (1.6). */
extern int _Ux86_64_dwarf_search_unwind_table(unw_addr_space_t as,
					      unw_word_t ip, unw_dyn_info_t *di,
					      unw_proc_info_t *pi,
					      int need_unwind_info, void *arg);

#define UNWIND_RED_ZONE 128
#define UNWIND_PAGE 4096UL
#define UNWIND_CACHE_BITS 9 /* 512 pages, 2 MiB, direct-mapped */
#define UNWIND_CACHE_PAGES (1U << UNWIND_CACHE_BITS)
#define UNWIND_RS_CACHE 1024 /* libunwind register-state cache entries */
#define UNWIND_MAX_PHDRS 64
/*
 * The budget of one unwind_stack(): libunwind reads every byte of CFI and
 * every DWARF expression operation through access_mem (remote address
 * space), so a bound on those calls bounds every loop over target data --
 * a CFA expression that jumps onto itself (DW_OP_skip -3), an endless CFI
 * program, a cycle of frames. A normal unwind of 256 cold frames makes
 * about 100 calls per frame; a cached frame a handful. The CPU-time bound,
 * looked at every UNWIND_CHECK_EVERY calls, catches whatever else.
 */
#define UNWIND_MAX_READS 65536
#define UNWIND_MAX_CPU_NS (50 * 1000000LL)
#define UNWIND_CHECK_EVERY 1024

/* The fast path's rule cache (unwind_cfi.c): direct-mapped by ip. */
#define UNWIND_RULE_BITS 12
#define UNWIND_RULES (1U << UNWIND_RULE_BITS)
#define UNWIND_CFI_BYTES 8192 /* the largest CIE or FDE it reads */

/* How the fast path steps the frame at ip (see unwind_cfi.c). */
struct unwind_cfa {
	uint64_t ip;
	bool used;	/* the slot holds ip's rule */
	bool exact;	/* ip is the frame's pc, not a return address */
	bool ok;	/* the walk can step it: else it gives up */
	bool outermost; /* the return address is undefined */
	bool cfa_rbp;	/* CFA = rbp + cfa_off, else rsp + cfa_off */
	uint8_t saved;	/* bit CFI_SLOT_*: saved at CFA + off[slot] */
	int32_t cfa_off;
	int32_t off[CFI_NSLOTS];
};

/* One cached page of the target's read-only memory. */
struct unwind_page {
	uint64_t addr; /* page address; 0 when empty (page 0 is never mapped) */
	uint8_t data[UNWIND_PAGE];
};

/* One loaded ELF image (or executable memory without one). */
struct unwind_elf {
	uint64_t start, end; /* span of its PT_LOAD segments */
	bool has_table;	     /* di is valid */
	unw_dyn_info_t di;   /* UNW_INFO_FORMAT_REMOTE_TABLE */
};

struct unwind {
	pid_t pid;
	unw_addr_space_t as;
	const struct capture *cur;	     /* being unwound */
	const struct user_regs_struct *regs; /* libunwind's first frame */
	unwind_rule_fn rule;
	void *rule_arg;
	bool used_fallback;	 /* by the last unwind_stack() */
	bool no_fast;		 /* unwind_set_fast(u, false) */
	bool used_fast;		 /* the last unwind_stack() took no libunwind */
	bool defer_rbp;		 /* unwind_walk(): -1 where fast_rbp is set */
	int fast_rbp;		 /* frames of a fast walk that met an unknown
				    rbp, else 0 (unwind_cfi_walk()) */
	uint64_t frozen_sp;	 /* an interrupted stack above a signal frame */
	bool copy_short;	 /* the last unwind wanted more than the copy */
	uint32_t reads;		 /* access_mem calls this unwind */
	int64_t cpu_deadline_ns; /* CLOCK_THREAD_CPUTIME_ID */
	bool over_budget;	 /* this unwind was cut short */

	const struct procfs_maps *maps; /* the space's (unwind_set_maps) */
	unwind_miss_fn miss;		/* asked when sp or pc is unmapped */
	void *miss_arg;
	unwind_image_fn image; /* an image's facts (unwind_set_images) */
	unwind_file_read_fn file_read; /* a gone target's file pages */
	void *image_arg;

	struct unwind_elf *elfs; /* sorted by start */
	size_t n_elfs, cap_elfs;

	struct unwind_page *pages; /* UNWIND_CACHE_PAGES */

	struct unwind_cfa *rules;   /* UNWIND_RULES */
	uint8_t *fde_buf, *cie_buf; /* UNWIND_CFI_BYTES each */
};

/* unwind_access.c */
extern unw_accessors_t unwind_accessors;
int unwind_read(struct unwind *u, uint64_t addr, void *buf, size_t len);
const struct unwind_elf *unwind_elf_find(struct unwind *u, uint64_t ip);
int unwind_read_live(struct unwind *u, uint64_t addr, unw_word_t *val);

/* unwind.c */
bool unwind_is_sigreturn(struct unwind *u, uint64_t ip);

/*
 * unwind_cfi.c: unwinds c from the registers start over cached rules
 * alone. rbp_known: start's rbp is the thread's (else -- a blocked
 * thread's -- a rule that needs it before a frame restored it gives up).
 * Returns the frames, as unwind_walk() would find them with libunwind
 * (pcs, *truncated, *last_sp the last frame's sp), or -1 when it gave up
 * (the caller unwinds with libunwind from the start); when it gave up at
 * a frame whose CFA needs the unknown rbp, u->fast_rbp holds the frames
 * walked (that one included: pcs, *last_sp), else 0. At most max frames;
 * learning a rule reads a bounded number of bytes through the page cache.
 */
int unwind_cfi_walk(struct unwind *u, const struct capture *c,
		    const struct user_regs_struct *start, bool rbp_known,
		    uint64_t *pcs, int max, bool *truncated, uint64_t *last_sp);

/* Forgets every rule (unwind_flush()). */
void unwind_cfi_flush(struct unwind *u);

#endif
