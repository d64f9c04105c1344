#include "config.h"

#include "sampler/symbols.h"

#include <assert.h>
#include <elfutils/libdw.h>
#include <gelf.h>
#include <libelf.h>
#include <libiberty/demangle.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/array.h"
#include "common/hash.h"
#include "common/sorted.h"
#include "common/xmalloc.h"
#include "sampler/symbols_int.h"

/*
 * Layout: a list of files (one per ELF object, symbols_file.c; kept, with
 * every string handed out, until the last cache sharing them is freed),
 * the modules of the current maps (runs of mappings of one file), each
 * resolved to a file on its first lookup, and the mappings sorted by
 * address for the binary search.
 *
 * Addresses are turned into ELF virtual addresses (the space of st_value,
 * DWARF and addr2line) through the PT_LOAD that holds their file offset, so
 * executables, PIEs and shared libraries are handled alike. An address that
 * no symbol covers is named after the start of the function that holds it,
 * as .eh_frame gives it even in stripped files: "basename+0xSTART" with
 * START the FDE's pc_begin. With no FDE either it is "basename+0xVADDR"
 * (the file offset when the file is not a readable ELF). Both are stable
 * across runs and ready for addr2line. PLT stubs (.plt, .plt.sec, .plt.got)
 * are named "FUNC@plt" as objdump and perf do, FUNC the symbol of the GOT
 * slot the stub jumps through.
 */

static int
symbols_strtab_eq(uint32_t id, const void *key, void *arg)
{
	const struct symbols_strtab *t = arg;

	return strcmp(t->keys[id], key) == 0;
}

/* The value stored for key, or NULL. */
static const char *
symbols_strtab_get(const struct symbols_strtab *t, const char *key)
{
	uint32_t id = hash_find(&t->index, hash_str(key), symbols_strtab_eq,
				key, (void *)t);

	return id == HASH_NONE ? NULL : t->vals[id];
}

/* Stores key -> val (key must not be present; borrowed unless owned). */
static void
symbols_strtab_put(struct symbols_strtab *t, const char *key, const char *val)
{
	size_t nvals = t->n;

	hash_add(&t->index, hash_str(key), (uint32_t)t->n);
	*ARRAY_PUSH(t->vals, nvals, t->cap_vals) = val;
	*ARRAY_PUSH(t->keys, t->n, t->cap_keys) = key;
}

static void
symbols_strtab_free(struct symbols_strtab *t)
{
	for (size_t i = 0; t->owns_keys && i < t->n; i++)
		free((char *)t->keys[i]);
	free(t->keys);
	free(t->vals);
	hash_free(&t->index);
}

/* A copy of str owned by s, the same pointer for equal strings. */
const char *
symbols_intern(struct symbols *s, const char *str)
{
	const char *got = symbols_strtab_get(&s->lib->strings, str);
	char *copy;

	if (got != NULL)
		return got;
	copy = xstrdup(str);
	symbols_strtab_put(&s->lib->strings, copy, copy);
	return copy;
}

/*
 * The demangled form of a Rust (legacy and v0) or C++ name, through
 * libiberty's rust_demangle and cplus_demangle_v3 (the order of its
 * automatic style; cplus_demangle itself would pull libiberty's xmalloc,
 * which clashes with ours); other names unchanged. Cached per raw name,
 * which must live as long as s.
 */
const char *
symbols_demangle(struct symbols *s, const char *raw)
{
	const char *got;
	char *d;

	if (raw[0] != '_' || (raw[1] != 'Z' && raw[1] != 'R'))
		return raw;
	got = symbols_strtab_get(&s->lib->demangled, raw);
	if (got != NULL)
		return got;
	d = rust_demangle(raw, DMGL_PARAMS | DMGL_ANSI);
	if (d == NULL)
		d = cplus_demangle_v3(raw, DMGL_PARAMS | DMGL_ANSI);
	got = d != NULL ? symbols_intern(s, d) : raw;
	free(d);
	symbols_strtab_put(&s->lib->demangled, raw, got);
	return got;
}

/*
 * The name shown for symbol raw: without a default-version suffix
 * ("pthread_mutex_lock@@GLIBC_2.2.5" in glibc's .symtab is
 * pthread_mutex_lock, as perf prints it), demangled. The raw name stays
 * the system name.
 */
static const char *
symbols_sym_name(struct symbols *s, const char *raw)
{
	const char *at = strstr(raw, "@@");
	char *copy;

	if (at == NULL || at == raw)
		return symbols_demangle(s, raw);
	copy = xstrndup(raw, (size_t)(at - raw));
	raw = symbols_intern(s, copy);
	free(copy);
	return symbols_demangle(s, raw);
}

/*
 * Creates an empty cache for process pid. Caller frees with symbols_free().
 * Sampler thread.
 */
struct symbols *
symbols_new(pid_t pid)
{
	return symbols_new_like(pid, NULL);
}

struct symbols *
symbols_new_like(pid_t pid, struct symbols *like)
{
	struct symbols *s = xcalloc(1, sizeof(*s));

	elf_version(EV_CURRENT);
	s->pid = pid;
	if (like != NULL) {
		s->lib = like->lib;
	} else {
		s->lib = xcalloc(1, sizeof(*s->lib));
		s->lib->strings.owns_keys = true;
	}
	s->lib->refs++;
	s->fetch = debugfetch_new();
	return s;
}

void
symbols_set_pid(struct symbols *s, pid_t pid)
{
	if (pid == s->pid)
		return;
	s->pid = pid;
	/* A file not opened through the old pid (a zombie leader's root
	   reads empty) is tried again through this one. */
	for (size_t i = 0; i < s->nmods; i++)
		if (s->mods[i].resolved && s->mods[i].file == NULL)
			s->mods[i].resolved = false;
}

/* Frees s; with the last cache of its files, every file it opened and
   every string it returned. */
void
symbols_free(struct symbols *s)
{
	if (s == NULL)
		return;
	if (--s->lib->refs == 0) {
		symbols_files_free(s->lib->files);
		symbols_strtab_free(&s->lib->strings);
		symbols_strtab_free(&s->lib->demangled);
		free(s->lib);
	}
	free(s->mods);
	free(s->ranges);
	perfmap_free(&s->jit);
	debugfetch_free(s->fetch);
	free(s);
}

/* Mappings with a file behind them (or the vdso) belong to a module. */
static bool
symbols_is_file_map(const struct procfs_map *m)
{
	return (m->path[0] == '/' && m->inode != 0) ||
	       strcmp(m->path, "[vdso]") == 0;
}

static void
symbols_add_mod(struct symbols *s, const struct procfs_map *m)
{
	struct symbols_mod *mod = &s->mods[s->nmods++];
	const char *slash = strrchr(m->path, '/');

	*mod = (struct symbols_mod){
		.path = symbols_intern(s, m->path),
		.base = symbols_intern(s, slash != NULL ? slash + 1 : m->path),
		.inode = m->inode,
		.start = m->start,
		.limit = m->end,
		.offset = m->offset,
		.map_start = m->start,
		.map_end = m->end,
		.deleted = m->deleted,
	};
}

/*
 * Replaces the address map; a run of mappings of one file (same path and
 * inode) is one module. Files stay cached: a module finds its file again
 * by identity or build-id on its first lookup. maps is borrowed.
 */
void
symbols_set_maps(struct symbols *s, const struct procfs_maps *maps)
{
	free(s->mods);
	free(s->ranges);
	s->mods = xcalloc(maps->n ? maps->n : 1, sizeof(*s->mods));
	s->ranges = xcalloc(maps->n ? maps->n : 1, sizeof(*s->ranges));
	s->nmods = 0;
	s->nranges = 0;
	for (size_t i = 0; i < maps->n; i++) {
		const struct procfs_map *m = &maps->maps[i];
		struct symbols_mod *last =
			s->nmods ? &s->mods[s->nmods - 1] : NULL;

		if (!symbols_is_file_map(m))
			continue;
		if (last != NULL && last->inode == m->inode &&
		    last->deleted == m->deleted &&
		    strcmp(last->path, m->path) == 0 && last->limit <= m->start)
			last->limit = m->end;
		else
			symbols_add_mod(s, m);
		s->ranges[s->nranges++] = (struct symbols_range){
			m->start, m->end, m->offset, s->nmods - 1};
	}
}

#define SYMBOLS_RANGE_CMP(e, x) SORTED_NUM((e)->start, (x))
SORTED_DEFINE(symbols_ranges, struct symbols_range, uint64_t, SYMBOLS_RANGE_CMP)
#define SYMBOLS_SYM_CMP(e, x) SORTED_NUM((e)->addr, (x))
SORTED_DEFINE(symbols_syms, struct symbols_sym, uint64_t, SYMBOLS_SYM_CMP)

static const struct symbols_range *
symbols_find_range(const struct symbols *s, uint64_t addr)
{
	size_t i = symbols_ranges_upper(s->ranges, s->nranges, addr);

	if (i == 0 || addr >= s->ranges[i - 1].end)
		return NULL;
	return &s->ranges[i - 1];
}

/* The symbol whose [addr, addr + size) holds vaddr, or NULL. */
const struct symbols_sym *
symbols_find_sym(const struct symbols_file *f, uint64_t vaddr)
{
	size_t i = symbols_syms_upper(f->syms, f->nsyms, vaddr);

	if (i == 0 || vaddr - f->syms[i - 1].addr >= f->syms[i - 1].size)
		return NULL;
	return &f->syms[i - 1];
}

/* Converts file offset off to a virtual address. Returns false if no
 * PT_LOAD holds it. */
static bool
symbols_off_to_vaddr(const struct symbols_file *f, uint64_t off,
		     uint64_t *vaddr)
{
	for (size_t i = 0; i < f->nloads; i++) {
		const GElf_Phdr *ph = &f->loads[i];

		if (off >= ph->p_offset && off - ph->p_offset < ph->p_filesz) {
			*vaddr = off - ph->p_offset + ph->p_vaddr;
			return true;
		}
	}
	return false;
}

/*
 * One frame from the symbol table, else a PLT stub's "FUNC@plt", else
 * "basename+0xSTART" with START the start of vaddr's function per
 * .eh_frame, else "basename+0xVADDR". in_elf tells that vaddr is an ELF
 * virtual address (not a file offset).
 */
static void
symbols_sym_frame(struct symbols *s, const struct symbols_mod *m,
		  uint64_t vaddr, bool in_elf, struct symbols_frame *fr)
{
	const struct symbols_sym *sym =
		m->file != NULL ? symbols_find_sym(m->file, vaddr) : NULL;
	char buf[PATH_MAX + 32];

	*fr = (struct symbols_frame){0};
	if (sym != NULL) {
		fr->system_name = sym->name;
		fr->name = symbols_sym_name(s, sym->name);
		return;
	}
	if (in_elf && symbols_plt_frame(s, m, vaddr, fr))
		return;
	snprintf(buf, sizeof(buf), "%s+%#jx", m->base,
		 (uintmax_t)(in_elf ? symbols_fde_start(m->file, vaddr)
				    : vaddr));
	fr->name = fr->system_name = symbols_intern(s, buf);
}

static void
symbols_fill_mod(const struct symbols_mod *m, struct symbols_module *mod)
{
	mod->start = m->start;
	mod->limit = m->limit;
	mod->offset = m->offset;
	mod->path = m->path;
	mod->build_id = m->file != NULL ? m->file->build_id : NULL;
}

/* Re-reads the target's perf map when it changed: see symbols.h. */
bool
symbols_refresh_jit(struct symbols *s)
{
	return perfmap_load(s->pid, &s->jit) > 0;
}

/*
 * DWARF names a function by its definition (glibc's __GI___libc_malloc,
 * __libc_read); when a global or weak symbol covers the address, its
 * preferred alias is the name people know (malloc, read) and replaces it.
 * Local symbols (clones such as foo.constprop.0, .cold parts) do not,
 * except over glibc's internal __GI_ names.
 */
static void
symbols_prefer_alias(struct symbols *s, const struct symbols_file *f,
		     uint64_t vaddr, struct symbols_frame *fr)
{
	const struct symbols_sym *sym = symbols_find_sym(f, vaddr);

	if (sym == NULL || strcmp(sym->name, fr->system_name) == 0 ||
	    (sym->rank >= 200 && strncmp(fr->system_name, "__GI_", 5) != 0))
		return;
	fr->system_name = sym->name;
	fr->name = symbols_sym_name(s, sym->name);
}

/* Resolves m's file on its first use. */
static void
symbols_resolve(struct symbols *s, struct symbols_mod *m)
{
	if (!m->resolved) {
		m->file = symbols_resolve_file(s, m);
		m->resolved = true;
	}
}

/* The module of addr, its file resolved on first use, and its vaddr. */
bool
symbols_locate(struct symbols *s, uint64_t addr, struct symbols_mod **mp,
	       uint64_t *vaddr)
{
	const struct symbols_range *r = symbols_find_range(s, addr);
	struct symbols_mod *m;

	if (r == NULL)
		return false;
	m = &s->mods[r->mod];
	symbols_resolve(s, m);
	*mp = m;
	return m->file != NULL && m->file->elf != NULL &&
	       symbols_off_to_vaddr(m->file, addr - r->start + r->offset,
				    vaddr);
}

bool
symbols_cold(const struct symbols *s, uint64_t addr)
{
	const struct symbols_range *r = symbols_find_range(s, addr);
	const struct symbols_mod *m = r != NULL ? &s->mods[r->mod] : NULL;

	return m != NULL &&
	       (!m->resolved || (m->file != NULL && m->file->elf != NULL &&
				 !m->file->names_loaded));
}

void
symbols_warm(struct symbols *s, uint64_t addr)
{
	const struct symbols_range *r = symbols_find_range(s, addr);

	if (r == NULL)
		return;
	symbols_resolve(s, &s->mods[r->mod]);
	if (s->mods[r->mod].file != NULL)
		symbols_load_names(s, s->mods[r->mod].file);
}

bool
symbols_prepare(struct symbols *s, uint64_t addr)
{
	const struct symbols_range *r = symbols_find_range(s, addr);

	if (r == NULL)
		return false;
	symbols_resolve(s, &s->mods[r->mod]);
	if (s->mods[r->mod].file != NULL)
		symbols_open_debug(s, s->mods[r->mod].file);
	return true;
}

/*
 * The object file holding addr as the unwinder needs it: see symbols.h.
 * Opens the file on the module's first lookup and reads its program
 * headers only: its debug info and symbols wait for symbols_lookup().
 */
bool
symbols_image(struct symbols *s, uint64_t addr, struct symbols_image *img)
{
	struct symbols_mod *m;
	uint64_t vaddr, bias;
	const struct symbols_file *f;

	if (!symbols_locate(s, addr, &m, &vaddr))
		return false;
	f = m->file;
	bias = addr - vaddr;
	*img = (struct symbols_image){
		.start = bias + f->load_lo,
		.end = bias + f->load_hi,
	};
	if (f->eh_data != NULL) {
		img->eh_hdr = bias + f->eh_vaddr;
		img->eh_table = img->eh_hdr + f->eh.table_off;
		img->eh_count = f->eh.count;
	}
	return img->start <= addr && addr < img->end;
}

bool
symbols_file_read(struct symbols *s, uint64_t addr, void *buf, size_t len)
{
	const struct symbols_range *r = symbols_find_range(s, addr);
	struct symbols_mod *m;
	const char *raw;
	size_t size = 0;
	uint64_t off;

	if (r == NULL || addr + len > r->end)
		return false;
	m = &s->mods[r->mod];
	symbols_resolve(s, m);
	if (m->file == NULL || m->file->elf == NULL ||
	    (raw = elf_rawfile(m->file->elf, &size)) == NULL)
		return false;
	off = addr - r->start + r->offset;
	memset(buf, 0, len);
	if (off < size)
		memcpy(buf, raw + off, size - off < len ? size - off : len);
	return true;
}

/*
 * Symbolizes pc (pc - 1 when is_return): see symbols.h. Costs a binary
 * search and, with DWARF, a libdw scope lookup; opens the file of a module
 * on the module's first lookup after symbols_set_maps(). Sampler thread.
 */
int
symbols_lookup(struct symbols *s, uint64_t pc, bool is_return,
	       struct symbols_frame *frames, int max,
	       struct symbols_module *mod)
{
	uint64_t addr = is_return ? pc - 1 : pc, off, vaddr;
	const struct symbols_range *r = symbols_find_range(s, addr);
	struct symbols_mod *m;
	bool in_elf = false;
	int n = 0;

	assert(max >= 1);
	if (r == NULL) {
		const struct perfmap_entry *e = perfmap_find(&s->jit, addr);
		const char *name;

		name = e != NULL ? symbols_intern(s, e->name) : "[unknown]";

		frames[0] = (struct symbols_frame){.name = name,
						   .system_name = name};
		if (mod != NULL)
			*mod = (struct symbols_module){0};
		return 1;
	}
	m = &s->mods[r->mod];
	symbols_resolve(s, m);
	if (m->file != NULL)
		symbols_load_names(s, m->file);
	if (mod != NULL)
		symbols_fill_mod(m, mod);
	off = addr - r->start + r->offset;
	vaddr = off;
	if (m->file != NULL && m->file->elf != NULL &&
	    symbols_off_to_vaddr(m->file, off, &vaddr)) {
		in_elf = true;
		n = symbols_dwarf_frames(s, m->file, vaddr, frames, max);
		if (n > 0)
			symbols_prefer_alias(s, m->file, vaddr, &frames[n - 1]);
		if (n == 0 && symbols_go_frame(m->file, vaddr, &frames[0]))
			n = 1;
	}
	if (n == 0) {
		symbols_sym_frame(s, m, vaddr, in_elf, &frames[0]);
		n = 1;
	}
	return n;
}
