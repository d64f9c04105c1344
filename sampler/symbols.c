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

#include "common/array.h"
#include "common/hash.h"
#include "common/sorted.h"
#include "common/xmalloc.h"
#include "sampler/fault.h"
#include "sampler/symbols_int.h"

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

Elf_Scn *
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
/*
 * Reads the ELF file open on fd through mmap and closes fd. Returns it, or
 * NULL when fd is not an ELF file.
 */
Elf *
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

/* The build-id of elf as interned lowercase hex, or NULL. */
const char *
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

/*
 * How much a name is preferred among the aliases at one address, lower
 * better: global, then weak, then local; default version (hidden says a
 * non-default .gnu.version entry, "@" not "@@" in a .symtab name) and
 * default visibility first; then fewer leading underscores. So perf's and
 * gdb's "malloc", "read", "pthread_mutex_lock" win over glibc's
 * __GI___libc_malloc, __libc_read and ___pthread_mutex_lock.
 */
static int
symbols_sym_rank(const GElf_Sym *sym, const char *name, bool hidden_version)
{
	int bind = GELF_ST_BIND(sym->st_info);
	int rank = bind == STB_GLOBAL ? 0 : bind == STB_WEAK ? 100 : 200;
	const char *at = strchr(name, '@');

	if (hidden_version || (at != NULL && at[1] != '@'))
		rank += 50;
	if (GELF_ST_VISIBILITY(sym->st_other) != STV_DEFAULT)
		rank += 20;
	if (strncmp(name, "__GI_", 5) == 0) /* glibc's hidden_proto alias */
		rank += 10;
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
	GElf_Shdr sh, vsh;
	Elf_Data *data = elf_getdata(scn, NULL), *versym = NULL;
	Elf_Scn *vscn = NULL;
	size_t n, cap = f->nsyms;

	if (gelf_getshdr(scn, &sh) == NULL || data == NULL ||
	    sh.sh_entsize == 0)
		return;
	n = sh.sh_size / sh.sh_entsize;
	while (sh.sh_type == SHT_DYNSYM &&
	       (vscn = elf_nextscn(elf, vscn)) != NULL)
		if (gelf_getshdr(vscn, &vsh) != NULL &&
		    vsh.sh_type == SHT_GNU_versym) {
			versym = elf_getdata(vscn, NULL);
			break;
		}
	for (size_t i = 0; i < n; i++) {
		GElf_Sym sym;
		GElf_Versym vs = 0;
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
		ARRAY_RESERVE(f->syms, cap, f->nsyms + 1);
		if (versym != NULL)
			gelf_getversym(versym, (int)i, &vs);
		f->syms[f->nsyms++] = (struct symbols_sym){
			sym.st_value, sym.st_size, name,
			symbols_sym_rank(&sym, name, (vs & 0x8000) != 0)};
	}
}

/*
 * Loads the function symbols of f: .symtab of the file, else .symtab of its
 * debug file, else .dynsym. Sorted by address, one symbol per address.
 */
void
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

/*
 * Decodes the .eh_frame_hdr that PT_GNU_EH_FRAME ph points to (its bytes
 * through libelf, which keeps them inside the file) into f->eh.
 */
static void
symbols_load_eh(struct symbols_file *f, const GElf_Phdr *ph)
{
	Elf_Data *d;

	if (f->eh_data != NULL)
		return; /* the first one, as the loader takes it */
	d = elf_getdata_rawchunk(f->elf, (int64_t)ph->p_offset, ph->p_filesz,
				 ELF_T_BYTE);
	if (d == NULL || d->d_buf == NULL ||
	    ehframe_hdr_parse(d->d_buf, d->d_size, &f->eh) < 0)
		return;
	f->eh_data = d->d_buf;
	f->eh_len = d->d_size;
	f->eh_vaddr = ph->p_vaddr;
}

/* Reads f's program headers: its PT_LOADs, their span, .eh_frame_hdr. */
static void
symbols_load_phdrs(struct symbols_file *f)
{
	size_t n;
	GElf_Phdr ph;

	if (elf_getphdrnum(f->elf, &n) != 0)
		return;
	f->loads = xcalloc(n ? n : 1, sizeof(*f->loads));
	f->load_lo = UINT64_MAX;
	for (size_t i = 0; i < n; i++) {
		if (gelf_getphdr(f->elf, (int)i, &ph) == NULL)
			continue;
		if (ph.p_type == PT_GNU_EH_FRAME)
			symbols_load_eh(f, &ph);
		if (ph.p_type != PT_LOAD)
			continue;
		f->loads[f->nloads++] = ph;
		if (ph.p_vaddr < f->load_lo)
			f->load_lo = ph.p_vaddr;
		if (ph.p_vaddr + ph.p_memsz > f->load_hi)
			f->load_hi = ph.p_vaddr + ph.p_memsz;
	}
}

/*
 * Fills f from its open Elf for naming addresses, once: debug info (the
 * file's, else a separate debug file: a search of the disk, then libdw's
 * headers of it, 0.2 s for glibc's), symbols, and a debuginfod request.
 * Not done when the file is opened (symbols_resolve_file() reads only its
 * program headers): the unwinder asks for a file's image in the middle of
 * an unwind, which reads the target's memory live and must not wait.
 */
static void
symbols_load_names(struct symbols *s, struct symbols_file *f)
{
	if (f->names_loaded || f->elf == NULL)
		return;
	f->names_loaded = true;
	fault_in_load();
	if (symbols_has_debug_info(f->elf))
		f->dwarf = dwarf_begin_elf(f->elf, DWARF_C_READ, NULL);
	else if ((f->debug_elf = symbols_find_debug(s, f, f->path)) != NULL)
		f->dwarf = dwarf_begin_elf(f->debug_elf, DWARF_C_READ, NULL);
	symbols_load_syms(f);
	symbols_fetch_debug(s, f);
}

static struct symbols_file *
symbols_file_add(struct symbols *s, Elf *elf)
{
	struct symbols_file *f = xcalloc(1, sizeof(*f));

	f->elf = elf;
	f->build_id = elf != NULL ? symbols_build_id(s, elf) : NULL;
	f->next = s->lib->files;
	s->lib->files = f;
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

	if (s->lib->vdso_tried)
		return s->lib->vdso;
	s->lib->vdso_tried = true;
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
	s->lib->vdso = symbols_file_add(s, elf);
	s->lib->vdso->image = image;
	symbols_load_phdrs(s->lib->vdso);
	return s->lib->vdso;
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
		snprintf(buf, sizeof(buf), "/proc/%d/root", (int)s->pid);
		fd = symbols_open_in(buf, m->path);
		if (fd >= 0 && (fstat(fd, &st) != 0 || st.st_ino != m->inode)) {
			close(fd);
			fd = -1;
		}
	}
	if (fd < 0) {
		snprintf(buf, sizeof(buf), "/proc/%d/map_files/%jx-%jx",
			 (int)s->pid, (uintmax_t)m->map_start,
			 (uintmax_t)m->map_end);
		fd = symbols_open_regular(buf);
	}
	return fd;
}

static struct symbols_file *
symbols_file_by_stat(struct symbols *s, const struct stat *st)
{
	for (struct symbols_file *f = s->lib->files; f != NULL; f = f->next)
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
	for (struct symbols_file *f = s->lib->files; f != NULL; f = f->next)
		if (build_id != NULL && f->build_id == build_id)
			return f;
	return NULL;
}

/*
 * The cached or newly opened file of m, or NULL when unreadable. A new
 * file has its program headers read (symbols_image() needs no more); its
 * names come on its first symbols_lookup() (symbols_load_names()).
 */
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
	f->path = m->path;
	if (elf != NULL)
		symbols_load_phdrs(f);
	return f;
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
	s->pid = pid;
}

/* Frees the files and strings of lib, used by no cache any more. */
static void
symbols_lib_free(struct symbols_lib *lib)
{
	struct symbols_file *next;

	for (struct symbols_file *f = lib->files; f != NULL; f = next) {
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
	symbols_strtab_free(&lib->strings);
	symbols_strtab_free(&lib->demangled);
	free(lib);
}

/* Frees s; with the last cache of its files, every file it opened and
   every string it returned. */
void
symbols_free(struct symbols *s)
{
	if (s == NULL)
		return;
	if (--s->lib->refs == 0)
		symbols_lib_free(s->lib);
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
