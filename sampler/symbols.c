#include "config.h"

#include "sampler/symbols.h"

#include <assert.h>
#include <dwarf.h>
#include <elfutils/libdw.h>
#include <elfutils/libdwelf.h>
#include <fcntl.h>
#include <gelf.h>
#include <libelf.h>
#include <libiberty/demangle.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/auxv.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/xmalloc.h"

/*
 * Layout: a list of files (one per ELF object, kept until symbols_free so
 * that every string handed out stays valid), the modules of the current
 * maps (runs of mappings of one file), each resolved to a file on its first
 * lookup, and the mappings sorted by address for the binary search.
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
	Elf *elf;	      /* NULL when the file is not ELF */
	Elf *debug_elf;	      /* separate debug info, or NULL */
	Dwarf *dwarf;	      /* from elf or debug_elf, or NULL */
	char *image;	      /* the vdso's copied image, or NULL */
	GElf_Phdr *loads;
	size_t nloads;
	struct symbols_sym *syms;
	size_t nsyms;
	struct symbols_cu *cus; /* function indexes of the CUs used so far */
	size_t ncus;
	struct symbols_fn *cu_ranges; /* CU ranges, when no .debug_aranges */
	size_t ncu_ranges;
	bool cu_ranges_built;
	Dwarf_CFI *cfi; /* .eh_frame of elf, opened on first use, or NULL */
	const uint8_t *fdes; /* .eh_frame_hdr's sorted table, or NULL */
	size_t nfdes;
	uint64_t fdes_base; /* the vaddr its datarel entries are relative to */
	bool cfi_tried;
	struct symbols_plt *plts; /* stubs of the PLT sections, by address */
	size_t nplts;
	bool plts_tried;
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

/* Open-addressing string table: keys compared by content. */
struct symbols_strtab {
	const char **keys;
	const char **vals;
	size_t cap, n;
	bool owns_keys;
};

struct symbols {
	pid_t pid;
	struct symbols_file *files;
	struct symbols_file *vdso;
	bool vdso_tried;
	struct symbols_mod *mods;
	size_t nmods;
	struct symbols_range *ranges;
	size_t nranges;
	struct symbols_strtab strings;	 /* interned strings (owned) */
	struct symbols_strtab demangled; /* raw name -> interned demangled */
};

static uint64_t
symbols_hash(const char *str)
{
	uint64_t h = 1469598103934665603ULL;

	for (; *str; str++)
		h = (h ^ (unsigned char)*str) * 1099511628211ULL;
	return h;
}

/* The slot of key in t: where it is, or the empty slot it would take. */
static size_t
symbols_strtab_slot(const struct symbols_strtab *t, const char *key)
{
	size_t i = symbols_hash(key) & (t->cap - 1);

	while (t->keys[i] != NULL && strcmp(t->keys[i], key) != 0)
		i = (i + 1) & (t->cap - 1);
	return i;
}

static void
symbols_strtab_grow(struct symbols_strtab *t)
{
	struct symbols_strtab old = *t;

	t->cap = old.cap ? old.cap * 2 : 256;
	t->keys = xcalloc(t->cap, sizeof(*t->keys));
	t->vals = xcalloc(t->cap, sizeof(*t->vals));
	for (size_t i = 0; i < old.cap; i++) {
		if (old.keys[i] == NULL)
			continue;
		size_t j = symbols_strtab_slot(t, old.keys[i]);
		t->keys[j] = old.keys[i];
		t->vals[j] = old.vals[i];
	}
	free(old.keys);
	free(old.vals);
}

/* The value stored for key, or NULL. */
static const char *
symbols_strtab_get(const struct symbols_strtab *t, const char *key)
{
	if (t->cap == 0)
		return NULL;
	return t->vals[symbols_strtab_slot(t, key)];
}

/* Stores key -> val (key must not be present; borrowed unless owned). */
static void
symbols_strtab_put(struct symbols_strtab *t, const char *key, const char *val)
{
	if (2 * (t->n + 1) > t->cap)
		symbols_strtab_grow(t);
	size_t i = symbols_strtab_slot(t, key);
	t->keys[i] = key;
	t->vals[i] = val;
	t->n++;
}

static void
symbols_strtab_free(struct symbols_strtab *t)
{
	for (size_t i = 0; t->owns_keys && i < t->cap; i++)
		free((char *)t->keys[i]);
	free(t->keys);
	free(t->vals);
}

/* A copy of str owned by s, the same pointer for equal strings. */
static const char *
symbols_intern(struct symbols *s, const char *str)
{
	const char *got = symbols_strtab_get(&s->strings, str);
	char *copy;

	if (got != NULL)
		return got;
	copy = xstrdup(str);
	symbols_strtab_put(&s->strings, copy, copy);
	return copy;
}

/*
 * The demangled form of a Rust (legacy and v0) or C++ name, through
 * libiberty's rust_demangle and cplus_demangle_v3 (the order of its
 * automatic style; cplus_demangle itself would pull libiberty's xmalloc,
 * which clashes with ours); other names unchanged. Cached per raw name,
 * which must live as long as s.
 */
static const char *
symbols_demangle(struct symbols *s, const char *raw)
{
	const char *got;
	char *d;

	if (raw[0] != '_' || (raw[1] != 'Z' && raw[1] != 'R'))
		return raw;
	got = symbols_strtab_get(&s->demangled, raw);
	if (got != NULL)
		return got;
	d = rust_demangle(raw, DMGL_PARAMS | DMGL_ANSI);
	if (d == NULL)
		d = cplus_demangle_v3(raw, DMGL_PARAMS | DMGL_ANSI);
	got = d != NULL ? symbols_intern(s, d) : raw;
	free(d);
	symbols_strtab_put(&s->demangled, raw, got);
	return got;
}

static Elf_Scn *
symbols_find_section(Elf *elf, const char *name, GElf_Shdr *sh)
{
	size_t shstrndx;
	Elf_Scn *scn = NULL;

	if (elf_getshdrstrndx(elf, &shstrndx) != 0)
		return NULL;
	while ((scn = elf_nextscn(elf, scn)) != NULL) {
		const char *n;

		if (gelf_getshdr(scn, sh) == NULL)
			continue;
		n = elf_strptr(elf, shstrndx, sh->sh_name);
		if (n != NULL && strcmp(n, name) == 0)
			return scn;
	}
	return NULL;
}

static bool
symbols_has_debug_info(Elf *elf)
{
	GElf_Shdr sh;
	Elf_Scn *scn = symbols_find_section(elf, ".debug_info", &sh);

	return scn != NULL && sh.sh_type != SHT_NOBITS;
}

/*
 * Reads the ELF file open on fd through mmap and closes fd. Returns it, or
 * NULL when fd is not an ELF file.
 */
static Elf *
symbols_elf_fd(int fd)
{
	Elf *elf = elf_begin(fd, ELF_C_READ_MMAP, NULL);

	if (elf != NULL && elf_kind(elf) != ELF_K_ELF) {
		elf_end(elf);
		elf = NULL;
	}
	if (elf != NULL)
		elf_cntl(elf, ELF_C_FDDONE);
	close(fd);
	return elf;
}

/* Opens path as an ELF read through mmap. Returns it or NULL. */
static Elf *
symbols_elf_open(const char *path)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	return fd < 0 ? NULL : symbols_elf_fd(fd);
}

/* The build-id of elf as interned lowercase hex, or NULL. */
static const char *
symbols_build_id(struct symbols *s, Elf *elf)
{
	const void *raw;
	ssize_t len = dwelf_elf_gnu_build_id(elf, &raw);
	char hex[2 * 64 + 1];

	if (len <= 0 || len > 64)
		return NULL;
	for (ssize_t i = 0; i < len; i++)
		snprintf(hex + 2 * i, 3, "%02x",
			 ((const unsigned char *)raw)[i]);
	return symbols_intern(s, hex);
}

/* Opens path as debug info for f: it must have DWARF and f's build-id. */
static Elf *
symbols_try_debug(struct symbols *s, struct symbols_file *f, const char *path)
{
	Elf *elf = symbols_elf_open(path);

	if (elf == NULL)
		return NULL;
	if (!symbols_has_debug_info(elf) ||
	    (f->build_id != NULL && symbols_build_id(s, elf) != f->build_id)) {
		elf_end(elf);
		return NULL;
	}
	return elf;
}

/*
 * Separate debug info of f (mapped at path in the target, NULL for the
 * vdso): /usr/lib/debug/.build-id/xx/yyyy.debug, then .gnu_debuglink in
 * the file's directory, its .debug/ and /usr/lib/debug/<dir>/; each first
 * under /proc/PID/root, then under /. The CRC is not checked: the build-id
 * is when there is one.
 */
static Elf *
symbols_find_debug(struct symbols *s, struct symbols_file *f, const char *path)
{
	char root[64], buf[PATH_MAX];
	const char *roots[2] = {root, ""};
	const char *link, *slash;
	GElf_Word crc;
	Elf *elf = NULL;

	snprintf(root, sizeof(root), "/proc/%d/root", (int)s->pid);
	for (int r = 0; r < 2 && elf == NULL && f->build_id != NULL; r++) {
		snprintf(buf, sizeof(buf),
			 "%s/usr/lib/debug/.build-id/%.2s/%s.debug", roots[r],
			 f->build_id, f->build_id + 2);
		elf = symbols_try_debug(s, f, buf);
	}
	link = dwelf_elf_gnu_debuglink(f->elf, &crc);
	slash = path != NULL ? strrchr(path, '/') : NULL;
	if (link == NULL || slash == NULL)
		return elf;
	for (int r = 0; r < 2 && elf == NULL; r++) {
		int dlen = (int)(slash - path);
		const char *pre[3] = {"", "", "/usr/lib/debug"};
		const char *post[3] = {"", "/.debug", ""};

		for (int i = 0; i < 3 && elf == NULL; i++) {
			snprintf(buf, sizeof(buf), "%s%s%.*s%s/%s", roots[r],
				 pre[i], dlen, path, post[i], link);
			elf = symbols_try_debug(s, f, buf);
		}
	}
	return elf;
}

static int
symbols_sym_rank(const GElf_Sym *sym, const char *name)
{
	int bind = GELF_ST_BIND(sym->st_info);
	int rank = bind == STB_GLOBAL ? 0 : bind == STB_WEAK ? 100 : 200;

	while (*name == '_') {
		rank++;
		name++;
	}
	return rank;
}

/* By address, then the preferred alias first (larger size, better rank). */
static int
symbols_sym_cmp(const void *pa, const void *pb)
{
	const struct symbols_sym *a = pa, *b = pb;

	if (a->addr != b->addr)
		return a->addr < b->addr ? -1 : 1;
	if (a->size != b->size)
		return a->size > b->size ? -1 : 1;
	if (a->rank != b->rank)
		return a->rank < b->rank ? -1 : 1;
	return strcmp(a->name, b->name);
}

/* Appends the defined FUNC symbols of section scn of elf to f->syms. */
static void
symbols_read_symtab(struct symbols_file *f, Elf *elf, Elf_Scn *scn)
{
	GElf_Shdr sh;
	Elf_Data *data = elf_getdata(scn, NULL);
	size_t n, cap = f->nsyms;

	if (gelf_getshdr(scn, &sh) == NULL || data == NULL ||
	    sh.sh_entsize == 0)
		return;
	n = sh.sh_size / sh.sh_entsize;
	for (size_t i = 0; i < n; i++) {
		GElf_Sym sym;
		const char *name;
		int type;

		if (gelf_getsym(data, (int)i, &sym) == NULL)
			continue;
		type = GELF_ST_TYPE(sym.st_info);
		if ((type != STT_FUNC && type != STT_GNU_IFUNC) ||
		    sym.st_shndx == SHN_UNDEF || sym.st_value == 0)
			continue;
		name = elf_strptr(elf, sh.sh_link, sym.st_name);
		if (name == NULL || *name == '\0')
			continue;
		if (f->nsyms == cap) {
			cap = cap ? 2 * cap : 64;
			f->syms = xreallocarray(f->syms, cap, sizeof(*f->syms));
		}
		f->syms[f->nsyms++] =
			(struct symbols_sym){sym.st_value, sym.st_size, name,
					     symbols_sym_rank(&sym, name)};
	}
}

/*
 * Loads the function symbols of f: .symtab of the file, else .symtab of its
 * debug file, else .dynsym. Sorted by address, one symbol per address.
 */
static void
symbols_load_syms(struct symbols_file *f)
{
	GElf_Shdr sh;
	Elf_Scn *scn = symbols_find_section(f->elf, ".symtab", &sh);
	Elf *from = f->elf;
	size_t n = 0;

	if ((scn == NULL || sh.sh_type != SHT_SYMTAB) && f->debug_elf != NULL) {
		from = f->debug_elf;
		scn = symbols_find_section(from, ".symtab", &sh);
	}
	if (scn != NULL && sh.sh_type == SHT_SYMTAB)
		symbols_read_symtab(f, from, scn);
	if (f->nsyms == 0) {
		scn = symbols_find_section(f->elf, ".dynsym", &sh);
		if (scn != NULL)
			symbols_read_symtab(f, f->elf, scn);
	}
	if (f->nsyms == 0)
		return;
	qsort(f->syms, f->nsyms, sizeof(*f->syms), symbols_sym_cmp);
	for (size_t i = 1; i < f->nsyms; i++)
		if (f->syms[i].addr != f->syms[n].addr)
			f->syms[++n] = f->syms[i];
	f->nsyms = n + 1;
}

static void
symbols_load_phdrs(struct symbols_file *f)
{
	size_t n;
	GElf_Phdr ph;

	if (elf_getphdrnum(f->elf, &n) != 0)
		return;
	f->loads = xcalloc(n ? n : 1, sizeof(*f->loads));
	for (size_t i = 0; i < n; i++)
		if (gelf_getphdr(f->elf, (int)i, &ph) != NULL &&
		    ph.p_type == PT_LOAD)
			f->loads[f->nloads++] = ph;
}

/* Fills f from its open Elf: segments, debug info, symbols. */
static void
symbols_load_file(struct symbols *s, struct symbols_file *f, const char *path)
{
	symbols_load_phdrs(f);
	if (symbols_has_debug_info(f->elf))
		f->dwarf = dwarf_begin_elf(f->elf, DWARF_C_READ, NULL);
	else if ((f->debug_elf = symbols_find_debug(s, f, path)) != NULL)
		f->dwarf = dwarf_begin_elf(f->debug_elf, DWARF_C_READ, NULL);
	symbols_load_syms(f);
}

static struct symbols_file *
symbols_file_add(struct symbols *s, Elf *elf)
{
	struct symbols_file *f = xcalloc(1, sizeof(*f));

	f->elf = elf;
	f->build_id = elf != NULL ? symbols_build_id(s, elf) : NULL;
	f->next = s->files;
	s->files = f;
	return f;
}

/*
 * The target's vdso. Every 64-bit process of a kernel maps the same vdso
 * image, so ours (AT_SYSINFO_EHDR) is copied instead of reading the target
 * (only attach/ touches the target). NULL when unavailable.
 */
static struct symbols_file *
symbols_vdso(struct symbols *s)
{
	const Elf64_Ehdr *eh = (const Elf64_Ehdr *)getauxval(AT_SYSINFO_EHDR);
	size_t size;
	char *image;
	Elf *elf;

	if (s->vdso_tried)
		return s->vdso;
	s->vdso_tried = true;
	if (eh == NULL || memcmp(eh->e_ident, ELFMAG, SELFMAG) != 0)
		return NULL;
	size = eh->e_shoff + (size_t)eh->e_shnum * eh->e_shentsize;
	image = xmalloc(size);
	memcpy(image, eh, size);
	elf = elf_memory(image, size);
	if (elf == NULL) {
		free(image);
		return NULL;
	}
	s->vdso = symbols_file_add(s, elf);
	s->vdso->image = image;
	symbols_load_file(s, s->vdso, NULL);
	return s->vdso;
}

/*
 * Opens the file of m: /proc/PID/root/PATH when it is not deleted and has
 * the mapped inode, else /proc/PID/map_files/START-END. Returns an fd or -1.
 */
static int
symbols_open_mod(struct symbols *s, const struct symbols_mod *m)
{
	char buf[PATH_MAX + 64];
	struct stat st;
	int fd = -1;

	if (!m->deleted && m->path[0] == '/') {
		snprintf(buf, sizeof(buf), "/proc/%d/root%s", (int)s->pid,
			 m->path);
		fd = open(buf, O_RDONLY | O_CLOEXEC);
		if (fd >= 0 && (fstat(fd, &st) != 0 || st.st_ino != m->inode)) {
			close(fd);
			fd = -1;
		}
	}
	if (fd < 0) {
		snprintf(buf, sizeof(buf), "/proc/%d/map_files/%jx-%jx",
			 (int)s->pid, (uintmax_t)m->map_start,
			 (uintmax_t)m->map_end);
		fd = open(buf, O_RDONLY | O_CLOEXEC);
	}
	return fd;
}

static struct symbols_file *
symbols_file_by_stat(struct symbols *s, const struct stat *st)
{
	for (struct symbols_file *f = s->files; f != NULL; f = f->next)
		if (f->ino == st->st_ino && f->dev == st->st_dev &&
		    f->size == st->st_size &&
		    f->mtime.tv_sec == st->st_mtim.tv_sec &&
		    f->mtime.tv_nsec == st->st_mtim.tv_nsec)
			return f;
	return NULL;
}

static struct symbols_file *
symbols_file_by_build_id(struct symbols *s, const char *build_id)
{
	for (struct symbols_file *f = s->files; f != NULL; f = f->next)
		if (build_id != NULL && f->build_id == build_id)
			return f;
	return NULL;
}

/* The cached or newly loaded file of m, or NULL when unreadable. */
static struct symbols_file *
symbols_resolve_file(struct symbols *s, const struct symbols_mod *m)
{
	struct symbols_file *f;
	struct stat st;
	Elf *elf;
	int fd;

	if (strcmp(m->path, "[vdso]") == 0)
		return symbols_vdso(s);
	fd = symbols_open_mod(s, m);
	if (fd < 0)
		return NULL;
	if (fstat(fd, &st) != 0) {
		close(fd);
		return NULL;
	}
	f = symbols_file_by_stat(s, &st);
	if (f != NULL) {
		close(fd);
		return f;
	}
	elf = symbols_elf_fd(fd);
	f = elf != NULL ? symbols_file_by_build_id(s, symbols_build_id(s, elf))
			: NULL;
	if (f != NULL) {
		elf_end(elf);
		return f;
	}
	f = symbols_file_add(s, elf);
	f->dev = st.st_dev;
	f->ino = st.st_ino;
	f->size = st.st_size;
	f->mtime = st.st_mtim;
	if (elf != NULL)
		symbols_load_file(s, f, m->path);
	return f;
}

/*
 * Creates an empty cache for process pid. Caller frees with symbols_free().
 * Sampler thread.
 */
struct symbols *
symbols_new(pid_t pid)
{
	struct symbols *s = xcalloc(1, sizeof(*s));

	elf_version(EV_CURRENT);
	s->pid = pid;
	s->strings.owns_keys = true;
	return s;
}

void
symbols_set_pid(struct symbols *s, pid_t pid)
{
	s->pid = pid;
}

/* Frees s, every file it opened and every string it returned. */
void
symbols_free(struct symbols *s)
{
	struct symbols_file *next;

	if (s == NULL)
		return;
	for (struct symbols_file *f = s->files; f != NULL; f = next) {
		next = f->next;
		dwarf_end(f->dwarf);
		if (f->debug_elf != NULL)
			elf_end(f->debug_elf);
		if (f->elf != NULL)
			elf_end(f->elf);
		free(f->image);
		free(f->loads);
		free(f->syms);
		for (size_t i = 0; i < f->ncus; i++)
			free(f->cus[i].fns);
		free(f->cus);
		free(f->cu_ranges);
		dwarf_cfi_end(f->cfi);
		free(f->plts);
		free(f);
	}
	free(s->mods);
	free(s->ranges);
	symbols_strtab_free(&s->strings);
	symbols_strtab_free(&s->demangled);
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

static const struct symbols_range *
symbols_find_range(const struct symbols *s, uint64_t addr)
{
	size_t lo = 0, hi = s->nranges;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (addr < s->ranges[mid].start)
			hi = mid;
		else if (addr >= s->ranges[mid].end)
			lo = mid + 1;
		else
			return &s->ranges[mid];
	}
	return NULL;
}

/* The symbol whose [addr, addr + size) holds vaddr, or NULL. */
static const struct symbols_sym *
symbols_find_sym(const struct symbols_file *f, uint64_t vaddr)
{
	size_t lo = 0, hi = f->nsyms;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (f->syms[mid].addr <= vaddr)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (lo == 0 || vaddr - f->syms[lo - 1].addr >= f->syms[lo - 1].size)
		return NULL;
	return &f->syms[lo - 1];
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

/* Path of a DWARF file name: absolute, joined with the CU's comp_dir. */
static const char *
symbols_src_path(struct symbols *s, Dwarf_Die *cu, const char *name)
{
	Dwarf_Attribute a;
	const char *dir;
	char *joined;
	const char *got;

	if (name == NULL)
		return NULL;
	dir = dwarf_formstring(dwarf_attr(cu, DW_AT_comp_dir, &a));
	if (name[0] == '/' || dir == NULL)
		return symbols_intern(s, name);
	joined = xasprintf("%s/%s", dir, name);
	got = symbols_intern(s, joined);
	free(joined);
	return got;
}

/* Names a function DIE: the demangled linkage name, else DW_AT_name. */
static bool
symbols_die_name(struct symbols *s, Dwarf_Die *die, struct symbols_frame *fr)
{
	Dwarf_Attribute a;
	const char *raw;

	raw = dwarf_formstring(
		dwarf_attr_integrate(die, DW_AT_linkage_name, &a));
	if (raw == NULL)
		raw = dwarf_formstring(
			dwarf_attr_integrate(die, DW_AT_MIPS_linkage_name, &a));
	if (raw == NULL)
		raw = dwarf_formstring(
			dwarf_attr_integrate(die, DW_AT_name, &a));
	if (raw == NULL)
		return false;
	fr->system_name = raw;
	fr->name = symbols_demangle(s, raw);
	if (dwarf_decl_line(die, &fr->start_line) != 0)
		fr->start_line = 0;
	return true;
}

/* The call site of inlined DIE: its DW_AT_call_file and DW_AT_call_line. */
static void
symbols_call_site(struct symbols *s, Dwarf_Die *cu, Dwarf_Die *die,
		  const char **file, int *line)
{
	Dwarf_Attribute a;
	Dwarf_Word w;
	Dwarf_Files *files;
	size_t nfiles;

	*file = NULL;
	*line = 0;
	if (dwarf_formudata(dwarf_attr(die, DW_AT_call_line, &a), &w) == 0)
		*line = (int)w;
	if (dwarf_formudata(dwarf_attr(die, DW_AT_call_file, &a), &w) == 0 &&
	    dwarf_getsrcfiles(cu, &files, &nfiles) == 0 && w < nfiles)
		*file = symbols_src_path(s, cu,
					 dwarf_filesrc(files, w, NULL, NULL));
}

static void
symbols_cu_add(struct symbols_cu *cu, Dwarf_Die *die)
{
	Dwarf_Addr base, low, high;
	ptrdiff_t it = 0;

	while ((it = dwarf_ranges(die, it, &base, &low, &high)) > 0) {
		if (cu->n == cu->cap) {
			cu->cap = cu->cap ? 2 * cu->cap : 64;
			cu->fns = xreallocarray(cu->fns, cu->cap,
						sizeof(*cu->fns));
		}
		cu->fns[cu->n++] =
			(struct symbols_fn){low, high, dwarf_dieoffset(die)};
	}
}

/* Adds the subprograms under die (into namespaces and classes). */
static void
symbols_cu_walk(struct symbols_cu *cu, Dwarf_Die *parent)
{
	Dwarf_Die die;

	if (dwarf_child(parent, &die) != 0)
		return;
	do {
		switch (dwarf_tag(&die)) {
		case DW_TAG_subprogram:
			symbols_cu_add(cu, &die);
			break;
		case DW_TAG_namespace:
		case DW_TAG_module:
		case DW_TAG_class_type:
		case DW_TAG_structure_type:
		case DW_TAG_union_type:
			symbols_cu_walk(cu, &die);
			break;
		default:
			break;
		}
	} while (dwarf_siblingof(&die, &die) == 0);
}

static int
symbols_fn_cmp(const void *pa, const void *pb)
{
	const struct symbols_fn *a = pa, *b = pb;

	if (a->low != b->low)
		return a->low < b->low ? -1 : 1;
	return 0;
}

/* Appends the ranges of every CU of f to f->cu_ranges, sorted. */
static void
symbols_build_cu_ranges(struct symbols_file *f)
{
	struct symbols_cu all = {0};
	Dwarf_Off off = 0, next;
	size_t hsize;
	Dwarf_Die cudie;

	f->cu_ranges_built = true;
	while (dwarf_nextcu(f->dwarf, off, &next, &hsize, NULL, NULL, NULL) ==
	       0) {
		if (dwarf_offdie(f->dwarf, off + hsize, &cudie) != NULL)
			symbols_cu_add(&all, &cudie);
		off = next;
	}
	if (all.n > 0)
		qsort(all.fns, all.n, sizeof(*all.fns), symbols_fn_cmp);
	f->cu_ranges = all.fns;
	f->ncu_ranges = all.n;
}

/* The range of fns[0..n) (sorted, disjoint) holding vaddr, or NULL. */
static const struct symbols_fn *
symbols_fn_find(const struct symbols_fn *fns, size_t n, uint64_t vaddr)
{
	size_t lo = 0, hi = n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (fns[mid].low <= vaddr)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (lo == 0 || vaddr >= fns[lo - 1].high)
		return NULL;
	return &fns[lo - 1];
}

/*
 * The CU DIE holding vaddr: through .debug_aranges, else through an index
 * of the CUs' own ranges (compilers that emit no aranges). Returns 0, or -1.
 */
static int
symbols_find_cu(struct symbols_file *f, uint64_t vaddr, Dwarf_Die *cudie)
{
	const struct symbols_fn *r;

	if (dwarf_addrdie(f->dwarf, vaddr, cudie) != NULL)
		return 0;
	if (!f->cu_ranges_built)
		symbols_build_cu_ranges(f);
	r = symbols_fn_find(f->cu_ranges, f->ncu_ranges, vaddr);
	if (r == NULL || dwarf_offdie(f->dwarf, r->die, cudie) == NULL)
		return -1;
	return 0;
}

/* The function index of cudie in f, built on its first use. */
static struct symbols_cu *
symbols_cu_index(struct symbols_file *f, Dwarf_Die *cudie)
{
	Dwarf_Off off = dwarf_dieoffset(cudie);
	size_t lo = 0, hi = f->ncus;
	struct symbols_cu *cu;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (f->cus[mid].off == off)
			return &f->cus[mid];
		if (f->cus[mid].off < off)
			lo = mid + 1;
		else
			hi = mid;
	}
	f->cus = xreallocarray(f->cus, f->ncus + 1, sizeof(*f->cus));
	memmove(&f->cus[lo + 1], &f->cus[lo], (f->ncus - lo) * sizeof(*f->cus));
	f->ncus++;
	cu = &f->cus[lo];
	*cu = (struct symbols_cu){.off = off};
	symbols_cu_walk(cu, cudie);
	if (cu->n > 0)
		qsort(cu->fns, cu->n, sizeof(*cu->fns), symbols_fn_cmp);
	return cu;
}

/* The concrete function DIE whose ranges hold vaddr. Returns 0, or -1. */
static int
symbols_find_fn(struct symbols_file *f, Dwarf_Die *cudie, uint64_t vaddr,
		Dwarf_Die *fn)
{
	struct symbols_cu *cu = symbols_cu_index(f, cudie);
	const struct symbols_fn *r = symbols_fn_find(cu->fns, cu->n, vaddr);

	if (r == NULL || dwarf_offdie(f->dwarf, r->die, fn) == NULL)
		return -1;
	return 0;
}

/* The child scope of die that holds vaddr (inlined call or block). */
static bool
symbols_child_at(Dwarf_Die *die, uint64_t vaddr, Dwarf_Die *child)
{
	if (dwarf_child(die, child) != 0)
		return false;
	do {
		switch (dwarf_tag(child)) {
		case DW_TAG_inlined_subroutine:
		case DW_TAG_lexical_block:
		case DW_TAG_try_block:
		case DW_TAG_catch_block:
			if (dwarf_haspc(child, vaddr) == 1)
				return true;
			break;
		default:
			break;
		}
	} while (dwarf_siblingof(child, child) == 0);
	return false;
}

/*
 * The chain of function DIEs at vaddr into path[0..max): fn, then each
 * nested inlined subroutine holding vaddr, innermost last. Costs a walk of
 * fn's subtree only. Returns the count (>= 1).
 */
static int
symbols_inline_path(Dwarf_Die *fn, uint64_t vaddr, Dwarf_Die *path, int max)
{
	Dwarf_Die cur = *fn, child;
	int n = 0;

	path[n++] = cur;
	while (symbols_child_at(&cur, vaddr, &child)) {
		cur = child;
		if (dwarf_tag(&cur) == DW_TAG_inlined_subroutine && n < max)
			path[n++] = cur;
	}
	return n;
}

/*
 * Fills frames with the inline chain at vaddr from DWARF, innermost first,
 * the out-of-line function last (in frames[max - 1] when the chain is
 * longer than max). Returns the count, 0 when DWARF does not cover vaddr.
 */
static int
symbols_dwarf_frames(struct symbols *s, struct symbols_file *f, uint64_t vaddr,
		     struct symbols_frame *frames, int max)
{
	Dwarf_Die cu, fn, path[SYMBOLS_MAX_INLINE];
	Dwarf_Line *dl;
	const char *file = NULL;
	int line = 0, n = 0, depth;

	if (f->dwarf == NULL || symbols_find_cu(f, vaddr, &cu) != 0 ||
	    symbols_find_fn(f, &cu, vaddr, &fn) != 0)
		return 0;
	depth = symbols_inline_path(&fn, vaddr, path, SYMBOLS_MAX_INLINE);
	dl = dwarf_getsrc_die(&cu, vaddr);
	if (dl != NULL) {
		file = symbols_src_path(s, &cu, dwarf_linesrc(dl, NULL, NULL));
		dwarf_lineno(dl, &line);
	}
	for (int i = depth - 1; i >= 0; i--) {
		struct symbols_frame *fr = &frames[n < max ? n : max - 1];

		*fr = (struct symbols_frame){.file = file, .line = line};
		if (!symbols_die_name(s, &path[i], fr))
			break;
		n++;
		if (i > 0)
			symbols_call_site(s, &cu, &path[i], &file, &line);
	}
	return n < max ? n : max;
}

/* The size of a DW_EH_PE_* encoded value, or 0 when unsupported. */
static size_t
symbols_eh_size(uint8_t enc)
{
	switch (enc & 0x0f) {
	case 0x00: /* absptr */
	case 0x04: /* udata8 */
	case 0x0c: /* sdata8 */
		return 8;
	case 0x03: /* udata4 */
	case 0x0b: /* sdata4 */
		return 4;
	default:
		return 0;
	}
}

/*
 * Finds the binary search table of f's .eh_frame_hdr (version 1, entries
 * DW_EH_PE_datarel | DW_EH_PE_sdata4 as every linker writes them) and opens
 * f's CFI. Either may stay NULL.
 */
static void
symbols_load_fdes(struct symbols_file *f)
{
	GElf_Shdr sh;
	Elf_Scn *scn = symbols_find_section(f->elf, ".eh_frame_hdr", &sh);
	Elf_Data *data = scn != NULL ? elf_getdata(scn, NULL) : NULL;
	const uint8_t *hdr = data != NULL ? data->d_buf : NULL;
	size_t ptr_size, count_size;
	uint32_t count;

	f->cfi_tried = true;
	f->cfi = dwarf_getcfi_elf(f->elf);
	if (hdr == NULL || data->d_size < 4 || hdr[0] != 1 || hdr[3] != 0x3b)
		return;
	ptr_size = symbols_eh_size(hdr[1]);
	count_size = symbols_eh_size(hdr[2]);
	if (ptr_size == 0 || count_size != 4 ||
	    data->d_size < 4 + ptr_size + count_size)
		return;
	memcpy(&count, hdr + 4 + ptr_size, 4);
	if ((data->d_size - 8 - ptr_size) / 8 < count)
		return;
	f->fdes = hdr + 8 + ptr_size;
	f->nfdes = count;
	f->fdes_base = sh.sh_addr;
}

/* The initial location of the i-th entry of f's table. */
static uint64_t
symbols_fde_loc(const struct symbols_file *f, size_t i)
{
	int32_t rel;

	memcpy(&rel, f->fdes + 8 * i, 4);
	return f->fdes_base + (uint64_t)(int64_t)rel;
}

/*
 * The start of the function holding vaddr in f (an ELF file), as .eh_frame
 * gives it: the pc_begin of the FDE that covers vaddr, found by a binary
 * search of .eh_frame_hdr's table (libdw's CFI tells whether an FDE covers
 * vaddr at all, and where the CFI row holding it starts). vaddr itself
 * when no FDE covers it.
 */
static uint64_t
symbols_fde_start(struct symbols_file *f, uint64_t vaddr)
{
	size_t lo = 0, hi;
	Dwarf_Frame *frame;
	Dwarf_Addr start, end;
	uint64_t begin;

	if (!f->cfi_tried)
		symbols_load_fdes(f);
	if (f->cfi == NULL || dwarf_cfi_addrframe(f->cfi, vaddr, &frame) != 0)
		return vaddr;
	if (dwarf_frame_info(frame, &start, &end, NULL) < 0)
		start = vaddr;
	free(frame);
	for (hi = f->nfdes; lo < hi;) {
		size_t mid = lo + (hi - lo) / 2;

		if (symbols_fde_loc(f, mid) <= vaddr)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (lo == 0)
		return vaddr;
	/* The FDE's first row starts at its pc_begin: a begin after the
	 * row's start would be another FDE's (overlapping tables). */
	begin = symbols_fde_loc(f, lo - 1);
	return begin <= start ? begin : vaddr;
}

/* A relocation that fills a GOT slot (x86-64 JUMP_SLOT, GLOB_DAT or
 * IRELATIVE). */
struct symbols_got {
	uint64_t slot, info;
	int64_t addend;
};

/* What names the PLT stubs of a file: its GOT relocations, sorted by slot,
 * .rela.plt (lazy stubs push an index into it) and .dynsym. */
struct symbols_relocs {
	struct symbols_got *gots;
	size_t ngots;
	Elf_Data *jmprel;
	size_t njmprel;
	Elf_Data *dynsym;
	size_t dynstr; /* section index of .dynsym's strings */
};

enum symbols_plt_kind { SYMBOLS_PLT_NONE, SYMBOLS_PLT_GOT, SYMBOLS_PLT_PUSH };

static int
symbols_got_cmp(const void *pa, const void *pb)
{
	const struct symbols_got *a = pa, *b = pb;

	return a->slot < b->slot ? -1 : a->slot > b->slot;
}

static int
symbols_plt_cmp(const void *pa, const void *pb)
{
	const struct symbols_plt *a = pa, *b = pb;

	return a->addr < b->addr ? -1 : a->addr > b->addr;
}

/* Adds the GOT relocations of f's SHT_RELA section name to r. */
static void
symbols_read_relocs(struct symbols_file *f, const char *name,
		    struct symbols_relocs *r)
{
	GElf_Shdr sh, ssh;
	Elf_Scn *scn = symbols_find_section(f->elf, name, &sh);
	Elf_Data *data = scn != NULL ? elf_getdata(scn, NULL) : NULL;
	Elf_Scn *syms;
	size_t n;

	if (data == NULL || sh.sh_type != SHT_RELA || sh.sh_entsize == 0)
		return;
	n = sh.sh_size / sh.sh_entsize;
	syms = elf_getscn(f->elf, sh.sh_link);
	if (syms != NULL && gelf_getshdr(syms, &ssh) != NULL &&
	    ssh.sh_type == SHT_DYNSYM) {
		r->dynsym = elf_getdata(syms, NULL);
		r->dynstr = ssh.sh_link;
	}
	if (strcmp(name, ".rela.plt") == 0) {
		r->jmprel = data;
		r->njmprel = n;
	}
	r->gots = xreallocarray(r->gots, r->ngots + n, sizeof(*r->gots));
	for (size_t i = 0; i < n; i++) {
		GElf_Rela rela;
		uint64_t type;

		if (gelf_getrela(data, (int)i, &rela) == NULL)
			continue;
		type = GELF_R_TYPE(rela.r_info);
		if (type == R_X86_64_JUMP_SLOT || type == R_X86_64_GLOB_DAT ||
		    type == R_X86_64_IRELATIVE)
			r->gots[r->ngots++] = (struct symbols_got){
				rela.r_offset, rela.r_info, rela.r_addend};
	}
}

/*
 * Decodes an x86-64 PLT entry at vaddr: after an optional endbr64 and bnd
 * prefix, "jmp *disp32(%rip)" gives the GOT slot it jumps through, "push
 * imm32" (a lazy stub of an IBT PLT) the index in .rela.plt. Stores either
 * in *val and returns its kind.
 */
static enum symbols_plt_kind
symbols_plt_decode(const uint8_t *code, size_t len, uint64_t vaddr,
		   uint64_t *val)
{
	size_t i = 0;
	int32_t v;

	if (len >= 4 && memcmp(code, "\xf3\x0f\x1e\xfa", 4) == 0)
		i = 4;
	if (i < len && code[i] == 0xf2)
		i++;
	if (i + 6 <= len && code[i] == 0xff && code[i + 1] == 0x25) {
		memcpy(&v, code + i + 2, 4);
		*val = vaddr + i + 6 + (uint64_t)(int64_t)v;
		return SYMBOLS_PLT_GOT;
	}
	if (i + 5 <= len && code[i] == 0x68) {
		memcpy(&v, code + i + 1, 4);
		*val = (uint32_t)v;
		return SYMBOLS_PLT_PUSH;
	}
	return SYMBOLS_PLT_NONE;
}

/* Interned "raw@plt", raw without its version ("memcpy@@GLIBC_2.14" in
 * a .symtab). */
static const char *
symbols_plt_intern(struct symbols *s, const char *raw)
{
	char *str = xasprintf("%.*s@plt", (int)strcspn(raw, "@"), raw);
	const char *got = symbols_intern(s, str);

	free(str);
	return got;
}

/*
 * Names stub p after relocation g: its .dynsym symbol, or for an IRELATIVE
 * one the symbol at its resolver (the IFUNC), else objdump's
 * "*ABS*+0xADDEND@plt". Leaves p unnamed when neither applies.
 */
static void
symbols_plt_name(struct symbols *s, const struct symbols_file *f,
		 const struct symbols_relocs *r, const struct symbols_got *g,
		 struct symbols_plt *p)
{
	const struct symbols_sym *at;
	const char *raw = NULL;
	char abs[64];
	GElf_Sym sym;

	if (GELF_R_SYM(g->info) != 0) {
		if (r->dynsym != NULL &&
		    gelf_getsym(r->dynsym, (int)GELF_R_SYM(g->info), &sym))
			raw = elf_strptr(f->elf, r->dynstr, sym.st_name);
	} else if (GELF_R_TYPE(g->info) == R_X86_64_IRELATIVE) {
		at = symbols_find_sym(f, (uint64_t)g->addend);
		if (at != NULL && at->addr == (uint64_t)g->addend)
			raw = at->name;
		if (raw == NULL) {
			snprintf(abs, sizeof(abs), "*ABS*+%#jx",
				 (uintmax_t)g->addend);
			raw = symbols_intern(s, abs);
		}
	}
	if (raw == NULL || *raw == '\0')
		return;
	p->system_name = symbols_plt_intern(s, raw);
	p->name = symbols_plt_intern(s, symbols_demangle(s, raw));
}

/* Names the x86-64 stub p, its code at code. */
static void
symbols_plt_entry(struct symbols *s, const struct symbols_file *f,
		  const struct symbols_relocs *r, const uint8_t *code,
		  struct symbols_plt *p)
{
	struct symbols_got key = {0}, *g;
	GElf_Rela rela;

	switch (symbols_plt_decode(code, p->size, p->addr, &key.slot)) {
	case SYMBOLS_PLT_GOT:
		g = bsearch(&key, r->gots, r->ngots, sizeof(*g),
			    symbols_got_cmp);
		if (g != NULL)
			symbols_plt_name(s, f, r, g, p);
		break;
	case SYMBOLS_PLT_PUSH:
		if (key.slot < r->njmprel &&
		    gelf_getrela(r->jmprel, (int)key.slot, &rela) != NULL) {
			key = (struct symbols_got){rela.r_offset, rela.r_info,
						   rela.r_addend};
			symbols_plt_name(s, f, r, &key, p);
		}
		break;
	case SYMBOLS_PLT_NONE:
		break;
	}
}

/*
 * Appends the stubs of f's PLT section name to f->plts: entries of
 * sh_entsize bytes (16 when unset) named on x86-64, the whole section as
 * one unnamed stub elsewhere.
 */
static void
symbols_load_plt_section(struct symbols *s, struct symbols_file *f,
			 const struct symbols_relocs *r, const char *name,
			 bool x86, size_t *cap)
{
	GElf_Shdr sh;
	Elf_Scn *scn = symbols_find_section(f->elf, name, &sh);
	Elf_Data *data = scn != NULL ? elf_getdata(scn, NULL) : NULL;
	uint64_t step = x86 ? (sh.sh_entsize ? sh.sh_entsize : 16) : sh.sh_size;

	if (data == NULL || data->d_buf == NULL || data->d_size != sh.sh_size ||
	    !(sh.sh_flags & SHF_EXECINSTR))
		return;
	for (uint64_t off = 0; off < sh.sh_size; off += step) {
		struct symbols_plt *p;

		if (f->nplts == *cap) {
			*cap = *cap ? 2 * *cap : 64;
			f->plts =
				xreallocarray(f->plts, *cap, sizeof(*f->plts));
		}
		p = &f->plts[f->nplts++];
		*p = (struct symbols_plt){
			.addr = sh.sh_addr + off,
			.size = step < sh.sh_size - off ? step
							: sh.sh_size - off,
		};
		if (x86)
			symbols_plt_entry(
				s, f, r, (const uint8_t *)data->d_buf + off, p);
	}
}

/* Loads the PLT stubs of f (.plt, .plt.sec, .plt.got), sorted. */
static void
symbols_load_plts(struct symbols *s, struct symbols_file *f)
{
	static const char *const secs[] = {".plt", ".plt.sec", ".plt.got"};
	struct symbols_relocs r = {0};
	GElf_Ehdr eh;
	bool x86 =
		gelf_getehdr(f->elf, &eh) != NULL && eh.e_machine == EM_X86_64;
	size_t cap = 0;

	f->plts_tried = true;
	if (x86) {
		symbols_read_relocs(f, ".rela.plt", &r);
		symbols_read_relocs(f, ".rela.dyn", &r);
		if (r.ngots > 0)
			qsort(r.gots, r.ngots, sizeof(*r.gots),
			      symbols_got_cmp);
	}
	for (size_t i = 0; i < sizeof(secs) / sizeof(secs[0]); i++)
		symbols_load_plt_section(s, f, &r, secs[i], x86, &cap);
	free(r.gots);
	if (f->nplts > 0)
		qsort(f->plts, f->nplts, sizeof(*f->plts), symbols_plt_cmp);
}

/*
 * Names vaddr when it lies in a PLT section of m's (ELF) file: "FUNC@plt",
 * or "basename@plt" for PLT0 and stubs it cannot tell. Loads the file's
 * stubs on first use. Returns false when vaddr is in no PLT section.
 */
static bool
symbols_plt_frame(struct symbols *s, const struct symbols_mod *m,
		  uint64_t vaddr, struct symbols_frame *fr)
{
	struct symbols_file *f = m->file;
	const struct symbols_plt *p;
	size_t lo = 0, hi;

	if (!f->plts_tried)
		symbols_load_plts(s, f);
	for (hi = f->nplts; lo < hi;) {
		size_t mid = lo + (hi - lo) / 2;

		if (f->plts[mid].addr <= vaddr)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (lo == 0 || vaddr - f->plts[lo - 1].addr >= f->plts[lo - 1].size)
		return false;
	p = &f->plts[lo - 1];
	*fr = (struct symbols_frame){.name = p->name,
				     .system_name = p->system_name};
	if (p->name == NULL)
		fr->name = fr->system_name = symbols_plt_intern(s, m->base);
	return true;
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
		fr->name = symbols_demangle(s, sym->name);
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
		frames[0] = (struct symbols_frame){.name = "[unknown]",
						   .system_name = "[unknown]"};
		if (mod != NULL)
			*mod = (struct symbols_module){0};
		return 1;
	}
	m = &s->mods[r->mod];
	if (!m->resolved) {
		m->file = symbols_resolve_file(s, m);
		m->resolved = true;
	}
	if (mod != NULL)
		symbols_fill_mod(m, mod);
	off = addr - r->start + r->offset;
	vaddr = off;
	if (m->file != NULL && m->file->elf != NULL &&
	    symbols_off_to_vaddr(m->file, off, &vaddr)) {
		in_elf = true;
		n = symbols_dwarf_frames(s, m->file, vaddr, frames, max);
	}
	if (n == 0) {
		symbols_sym_frame(s, m, vaddr, in_elf, &frames[0]);
		n = 1;
	}
	return n;
}
