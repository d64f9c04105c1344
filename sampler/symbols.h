#ifndef CPT_SAMPLER_SYMBOLS_H
#define CPT_SAMPLER_SYMBOLS_H

/*
 * Symbolization of target addresses with libelf (.symtab/.dynsym, with
 * symbol sizes) and libdw (file:line, inline chains), cached per mapped
 * file (keyed by build-id when there is one). Files are opened through
 * /proc/PID/root (containers), deleted or replaced ones through
 * /proc/PID/map_files; separate debug info is found through
 * /usr/lib/debug/.build-id/xx/yyyy.debug and .gnu_debuglink. Sampler thread
 * only (or its helper, for symbols_warm()), and never while a target
 * thread is stopped.
 */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "attach/procfs.h"

struct symbols;

/* One entry of an address's inline chain. Strings belong to symbols. */
struct symbols_frame {
	const char *name;	 /* demangled function name; when no symbol
				    covers the address "libz.so.1+0xSTART",
				    START the function's start per .eh_frame
				    (the address itself when no FDE covers
				    it) -- never the nearest symbol; in a PLT
				    stub "FUNC@plt" (or "basename@plt") */
	const char *system_name; /* raw (mangled) symbol name */
	const char *file;	 /* source file path from DWARF, or NULL */
	int line;		 /* line of the address in this frame, 0 if
				    unknown */
	int start_line;		 /* declaration line of the function, or 0 */
};

/* The object file an address falls in. Strings belong to symbols. */
struct symbols_module {
	uint64_t start, limit, offset; /* the whole file's mapped range */
	const char *path;
	const char *build_id; /* lowercase hex, or NULL */
};

/* Creates an empty cache for process pid. Caller frees with symbols_free. */
struct symbols *symbols_new(pid_t pid);

/*
 * Creates an empty cache for process pid that shares the files (and their
 * symbols, debug info and CFI, by identity or build-id) and the strings of
 * like's: a forked child's libraries are loaded once for both. Each cache
 * is freed with symbols_free(); the shared part with the last one. Strings
 * handed out live as long as that. Sampler thread.
 */
struct symbols *symbols_new_like(pid_t pid, struct symbols *like);
void symbols_free(struct symbols *s);

/*
 * Reads the process's /proc files through pid from now on: another live
 * thread of the same process, when the leader called pthread_exit(). A
 * module whose file could not be opened through the old pid is tried
 * again. The sampler thread.
 */
void symbols_set_pid(struct symbols *s, pid_t pid);

/*
 * Replaces the address map (after exec, dlopen or dlclose). Cached files
 * whose build-id or identity is unchanged are kept. maps is borrowed for
 * the call.
 */
void symbols_set_maps(struct symbols *s, const struct procfs_maps *maps);

/*
 * Symbolizes pc (JIT code from the perf map). For a return address (every frame
 * but the innermost, and not after a signal frame) pass is_return = true: the
 * lookup uses pc - 1. Fills frames[0..max) with the inline chain, innermost
 * first, the containing real function last, and *mod (may be NULL) with the
 * module. Returns the number of frames (>= 1: an address in no module gives
 * "[unknown]" and returns 1 with mod->path NULL). Strings stay valid until
 * symbols_free(). The first lookup in a file reads its debug info and
 * symbols (a separate debug file: up to ~0.2 s for glibc's).
 */
int symbols_lookup(struct symbols *s, uint64_t pc, bool is_return,
		   struct symbols_frame *frames, int max,
		   struct symbols_module *mod);

/*
 * True when addr is in a module whose file was not opened, or its names not
 * loaded yet: the first lookup there finds and reads its debug info (a
 * second or more for libc's separate, compressed debug file). Costs a
 * binary search. Sampler thread.
 */
bool symbols_cold(const struct symbols *s, uint64_t addr);

/*
 * Opens the file of the module holding addr, if not yet, and reads its
 * symbols, debug info and address ranges, so that lookups there are fast.
 * Slow: the sampler runs it on its helper thread (sampler/offload.h) while
 * it goes on dispatching the target's ptrace stops; s, and every cache
 * that shares its files (symbols_new_like()), must not be used by any
 * other thread meanwhile.
 */
void symbols_warm(struct symbols *s, uint64_t addr);

/*
 * Opens the file of the module holding addr and its separate debug file,
 * if not yet, reading no more than their headers (tens of us), so that a
 * later symbols_lookup() there names it as well after the process has
 * ended (its /proc files gone): what a caller that records addresses now
 * and names them later (sampler/heapprof.c) does while the process lives.
 * Returns false when addr is in no module. Not thread-safe (as
 * symbols_lookup()).
 */
bool symbols_prepare(struct symbols *s, uint64_t addr);

/*
 * Re-reads the target's JIT symbols (/tmp/perf-PID.map, sampler/perfmap.h)
 * when the file changed; addresses in no mapped file are then named from
 * it. Returns true when the names changed: addresses symbolized before
 * should be looked up again. Costs a stat, and a parse of the file when it
 * grew. Sampler thread.
 */
bool symbols_refresh_jit(struct symbols *s);

/*
 * Applies the debug files debuginfod fetched since the last call (when
 * DEBUGINFOD_URLS is set; sampler/debugfetch.h) and sets *pending (queued
 * or running) and *failed. Returns true when names changed: addresses
 * symbolized before should be looked up again. Never waits for the
 * network. Sampler thread.
 */
bool symbols_poll_fetches(struct symbols *s, size_t *pending, size_t *failed);

/*
 * What the unwinder needs of an object file, in the target's addresses:
 * the span of its PT_LOAD segments and its .eh_frame_hdr (PT_GNU_EH_FRAME)
 * -- the header and its binary-search table of eh_count entries
 * (sampler/ehframe.h), which libunwind reads from the target's memory.
 */
struct symbols_image {
	uint64_t start, end;
	uint64_t eh_hdr;   /* the header's address, 0 when none */
	uint64_t eh_table; /* its table's address */
	uint64_t eh_count; /* entries in the table (hostile: reads of it
			      are bounded by the unwinder's budget) */
};

/*
 * Fills *img for the object file mapped at addr, from the same per-file
 * object the symbolizer names addresses from: its ELF headers are read
 * once per file, when the module is first looked up (by either). Cheap
 * (the program headers only, tens of us): a file's debug info and symbols
 * wait for its first symbols_lookup(), since the unwinder asks in the
 * middle of an unwind that reads the target's memory live. Returns
 * false when addr is in no module, its file cannot be opened or is no ELF,
 * or addr lies outside the file's PT_LOAD span (the caller may then read
 * the image from the target's memory). Sampler thread, never while a
 * target thread is stopped.
 */
bool symbols_image(struct symbols *s, uint64_t addr, struct symbols_image *img);

/*
 * Copies the len bytes at addr of the module mapped there as its mapping
 * shows them, from the file (the vdso's image), into buf; past the file's
 * end, zeros, as a mapping's last page. For read-only mappings of a
 * process gone since its memory was last read. Returns false when addr is
 * in no module whose file is open (or can be opened). Sampler thread.
 */
bool symbols_file_read(struct symbols *s, uint64_t addr, void *buf, size_t len);

/* How a Go frame unwinds (symbols_go_unwind). */
enum symbols_go_rule {
	SYMBOLS_GO_NONE,      /* pc is no Go code */
	SYMBOLS_GO_FRAME,     /* return address at sp + *sp_delta */
	SYMBOLS_GO_OUTERMOST, /* the first frame of a goroutine or thread
				 (runtime.goexit, mstart, rt0_go), or
				 mcall: the scheduler's own stack */
	SYMBOLS_GO_CGO,	      /* runtime.asmcgocall past its call of C:
				 the goroutine's stack is found from the g0
				 frame (unwind.c) */
	SYMBOLS_GO_STOP,      /* a function that switches stacks (SPWRITE:
				 systemstack, mcall, morestack) or without a
				 value for pc: the unwind cannot go on */
};

/*
 * For pc in Go code (a binary with a .gopclntab; pc - 1 when is_return, as
 * in symbols_lookup), how to unwind its frame without CFI or frame
 * pointers: the stack-pointer delta Go's own traceback uses, in *sp_delta
 * when SYMBOLS_GO_FRAME. Opens the module's file on first use. Sampler
 * thread.
 */
enum symbols_go_rule symbols_go_unwind(struct symbols *s, uint64_t pc,
				       bool is_return, int32_t *sp_delta);

#endif
