#ifndef CPT_SAMPLER_SYMBOLS_INT_H
#define CPT_SAMPLER_SYMBOLS_INT_H

/*
 * Inside sampler/symbols: the cache's structures and the functions its
 * files share (symbols.c: files, modules and lookups; symbols_dwarf.c:
 * DWARF functions, lines and inline chains; symbols_code.c: names of code
 * without symbols from .eh_frame and PLT stubs; symbols_go.c: Go's
 * .gopclntab). Sampler thread only. Not for use outside sampler/symbols*.
 */

#include <elfutils/libdw.h>
#include <gelf.h>
#include <libelf.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>
#include <time.h>

#include "common/hash.h"
#include "sampler/debugfetch.h"
#include "sampler/ehframe.h"
#include "sampler/gopclntab.h"
#include "sampler/perfmap.h"
#include "sampler/symbols.h"
/* Deepest inline chain reported; deeper calls keep their outermost part. */
#define SYMBOLS_MAX_INLINE 32

/* A concrete function's address range in a CU. */
struct symbols_fn {
	uint64_t low, high;
	Dwarf_Off die;
};

/* The functions of one CU, sorted by address. */
struct symbols_cu {
	Dwarf_Off off;
	struct symbols_fn *fns;
	size_t n, cap;
};

/* A FUNC symbol: [addr, addr + size) in the file's virtual addresses. */
struct symbols_sym {
	uint64_t addr, size;
	const char *name; /* borrowed from the file's Elf */
	int rank;	  /* preference among aliases: lower is better */
};

/* A PLT stub [addr, addr + size); names NULL when unknown. */
struct symbols_plt {
	uint64_t addr, size;
	const char *name;	 /* interned "FUNC@plt", FUNC demangled */
	const char *system_name; /* interned "FUNC@plt", FUNC raw */
};

/* One opened object file with its symbol table and debug info. */
struct symbols_file {
	struct symbols_file *next;
	dev_t dev;
	ino_t ino;
	struct timespec mtime;
	off_t size;
	const char *build_id; /* interned lowercase hex, or NULL */
	const char *path;     /* interned, as first mapped; NULL: vdso */
	Elf *elf;	      /* NULL when the file is not ELF */
	/* Read on the first symbols_lookup() (symbols_load_names()), not
	   when the file is opened: names_loaded says it was. */
	bool names_loaded;
	bool debug_tried; /* symbols_open_debug() ran */
	Elf *debug_elf;	  /* separate debug info, or NULL */
	Dwarf *dwarf;	  /* from elf or debug_elf, or NULL */
	char *image;	  /* the vdso's copied image, or NULL */
	GElf_Phdr *loads;
	size_t nloads;
	uint64_t load_lo, load_hi; /* span of the PT_LOADs' vaddrs */
	/* PT_GNU_EH_FRAME's .eh_frame_hdr, decoded once when the file is
	   loaded: the unwinder's table (symbols_image()) and the FDE starts
	   (symbols_fde_start()). eh_data NULL when none or unusable. */
	const uint8_t *eh_data; /* its bytes in elf, eh_len of them */
	size_t eh_len;
	uint64_t eh_vaddr;
	struct ehframe_hdr eh;
	struct symbols_sym *syms;
	size_t nsyms;
	struct symbols_cu *cus; /* function indexes of the CUs used so far */
	size_t ncus, cap_cus;
	struct symbols_fn *cu_ranges; /* CU ranges, when no .debug_aranges */
	size_t ncu_ranges;
	bool cu_ranges_built;
	Dwarf_CFI *cfi; /* .eh_frame of elf, opened on first use, or NULL */
	bool cfi_tried;
	struct symbols_plt *plts; /* stubs of the PLT sections, by address */
	size_t nplts;
	bool plts_tried;
	struct gopclntab go; /* Go's pc table (go.data NULL when none) */
	bool go_tried;
};

/* A run of mappings of one file in the current maps. */
struct symbols_mod {
	const char *path; /* interned, as in maps */
	const char *base; /* interned basename */
	uint64_t inode, start, limit, offset;
	uint64_t map_start, map_end; /* one mapping, for map_files */
	bool deleted, resolved;
	struct symbols_file *file; /* NULL until resolved or if unreadable */
};

struct symbols_range {
	uint64_t start, end, offset;
	size_t mod;
};

/* A string table: keys compared by content, vals[i] stored for keys[i]. */
struct symbols_strtab {
	struct hash index; /* key -> i */
	const char **keys;
	const char **vals;
	size_t n, cap_keys, cap_vals;
	bool owns_keys;
};

/*
 * What does not depend on the process: the files opened, by identity and
 * build-id, and the strings handed out. Shared by the caches of a target
 * and the children it forks (symbols_new_like), so that a child does not
 * load libc's debug info again; freed with the last of them.
 */
struct symbols_lib {
	unsigned refs;
	struct symbols_file *files;
	struct symbols_file *vdso;
	bool vdso_tried;
	struct symbols_strtab strings;	 /* interned strings (owned) */
	struct symbols_strtab demangled; /* raw name -> interned demangled */
};

struct symbols {
	pid_t pid;
	struct symbols_lib *lib;
	struct symbols_mod *mods;
	size_t nmods;
	struct symbols_range *ranges;
	size_t nranges;
	struct perfmap jit;	  /* /tmp/perf-PID.map, or empty */
	struct debugfetch *fetch; /* debuginfod, or NULL */
};

/* A copy of str owned by s, the same pointer for equal strings. */
const char *symbols_intern(struct symbols *s, const char *str);

/* The demangled form of raw (C++, Rust), cached; raw must live as long
 * as s. Other names are returned unchanged. */
const char *symbols_demangle(struct symbols *s, const char *raw);

/* The section of elf called name with its header in *sh, or NULL
   (symbols_file.c, as the rest of this block). */
Elf_Scn *symbols_find_section(Elf *elf, const char *name, GElf_Shdr *sh);

/*
 * The cached or newly opened file of m, or NULL when unreadable. A new
 * file has its program headers read (symbols_image() needs no more); its
 * names come on its first symbols_lookup() (symbols_load_names()).
 */
struct symbols_file *symbols_resolve_file(struct symbols *s,
					  const struct symbols_mod *m);

/* Reads f's debug info and symbols and asks debuginfod, once. */
void symbols_load_names(struct symbols *s, struct symbols_file *f);

/* Opens f's separate debug file (none read), once. */
void symbols_open_debug(struct symbols *s, struct symbols_file *f);

/* Frees the list of files (symbols_lib's, once no cache uses it). */
void symbols_files_free(struct symbols_file *files);

/* The symbol whose [addr, addr + size) holds vaddr, or NULL. */
const struct symbols_sym *symbols_find_sym(const struct symbols_file *f,
					   uint64_t vaddr);

/*
 * Fills frames with the inline chain at vaddr from f's DWARF, innermost
 * first, the out-of-line function last. Returns the count, 0 when DWARF
 * does not cover vaddr (symbols_dwarf.c).
 */
int symbols_dwarf_frames(struct symbols *s, struct symbols_file *f,
			 uint64_t vaddr, struct symbols_frame *frames, int max);

/*
 * The start of the function holding vaddr in f per .eh_frame, vaddr itself
 * when no FDE covers it (symbols_code.c).
 */
uint64_t symbols_fde_start(struct symbols_file *f, uint64_t vaddr);

/*
 * Names vaddr when it lies in a PLT section of m's file ("FUNC@plt").
 * Returns false when it does not (symbols_code.c).
 */
bool symbols_plt_frame(struct symbols *s, const struct symbols_mod *m,
		       uint64_t vaddr, struct symbols_frame *fr);

/* Reads the ELF file open on fd (closed here); NULL when not ELF. */
Elf *symbols_elf_fd(int fd);

/*
 * Opens path read-only if it is a regular file (symbols_debug.c). The
 * paths come from the target (its maps, its .gnu_debuglink): a FIFO must
 * not block the sampler and a device must be neither opened (stat before
 * open) nor read (O_NONBLOCK, fstat after). Returns an fd, or -1.
 */
int symbols_open_regular(const char *path);

/*
 * Opens path, a path the target names (its maps, build-id and debuglink
 * lookups), inside the directory root ("/proc/PID/root", or "/"): symlinks
 * and ".." never leave root, regular files only (attach/rootfs.c).
 * Returns an fd, or -1 with errno (symbols_debug.c).
 */
int symbols_open_in(const char *root, const char *path);

/* The build-id of elf as interned lowercase hex, or NULL. */
const char *symbols_build_id(struct symbols *s, Elf *elf);

/*
 * Loads f's function symbols (.symtab, its debug file's, else .dynsym),
 * sorted by address with the preferred alias first.
 */
void symbols_load_syms(struct symbols_file *f);

/* True when elf has a .debug_info with content (symbols_debug.c). */
bool symbols_has_debug_info(Elf *elf);

/*
 * f's separate debug info on disk (mapped at path in the target, NULL for
 * the vdso): by build-id, then .gnu_debuglink; NULL when none
 * (symbols_debug.c).
 */
Elf *symbols_find_debug(struct symbols *s, struct symbols_file *f,
			const char *path);

/* Queues f for debuginfod when it still has no DWARF (symbols_debug.c). */
void symbols_fetch_debug(struct symbols *s, const struct symbols_file *f);

/*
 * Names vaddr of f from Go's .gopclntab (function, file, line), loading
 * the table on first use. Returns false when f has no table or none of its
 * functions holds vaddr (symbols_go.c).
 */
bool symbols_go_frame(struct symbols_file *f, uint64_t vaddr,
		      struct symbols_frame *fr);

/*
 * The module and ELF virtual address of addr, the module's file resolved
 * (opened) on first use. Returns false when addr is in no module or its
 * file is not a readable ELF (symbols.c).
 */
bool symbols_locate(struct symbols *s, uint64_t addr, struct symbols_mod **m,
		    uint64_t *vaddr);

/* What symbols_plt_decode() found in a PLT entry. */
enum symbols_plt_kind { SYMBOLS_PLT_NONE, SYMBOLS_PLT_GOT, SYMBOLS_PLT_PUSH };

/*
 * Decodes an x86-64 PLT entry code[0..len) at vaddr (bytes of the target's
 * file: every read stays below len): after an optional endbr64 and bnd
 * prefix, "jmp *disp32(%rip)" gives the GOT slot it jumps through, "push
 * imm32" (a lazy stub of an IBT PLT) the index in .rela.plt. Stores either
 * in *val and returns its kind. Pure.
 */
enum symbols_plt_kind symbols_plt_decode(const uint8_t *code, size_t len,
					 uint64_t vaddr, uint64_t *val);

#endif
