/*
 * The object files of the symbolizer (see symbols_int.h): a file opened
 * inside the target's root (or through map_files), known again by identity
 * or build-id, read in two steps -- its program headers when opened (what
 * the unwinder needs: PT_LOADs, .eh_frame_hdr), its symbols and debug info
 * on its first lookup -- and kept in the list its caches share until the
 * last one is freed. Sampler thread.
 */
#include "config.h"

#include <elfutils/libdw.h>
#include <elfutils/libdwelf.h>
#include <gelf.h>
#include <libelf.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/auxv.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/array.h"
#include "common/xmalloc.h"
#include "sampler/ehframe.h"
#include "sampler/fault.h"
#include "sampler/symbols_int.h"

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
void
symbols_load_names(struct symbols *s, struct symbols_file *f)
{
	if (f->names_loaded || f->elf == NULL)
		return;
	f->names_loaded = true;
	fault_in_load(f->path);
	symbols_open_debug(s, f);
	if (f->debug_elf != NULL)
		f->dwarf = dwarf_begin_elf(f->debug_elf, DWARF_C_READ, NULL);
	else if (symbols_has_debug_info(f->elf))
		f->dwarf = dwarf_begin_elf(f->elf, DWARF_C_READ, NULL);
	symbols_load_syms(f);
	symbols_fetch_debug(s, f);
}

/*
 * Opens f's separate debug file, once, when f has no debug info of its
 * own: the search looks in the target's root first (symbols_find_debug()),
 * which an ended process no longer shows. Reads no more than its headers.
 */
void
symbols_open_debug(struct symbols *s, struct symbols_file *f)
{
	if (f->debug_tried || f->elf == NULL)
		return;
	f->debug_tried = true;
	if (!symbols_has_debug_info(f->elf))
		f->debug_elf = symbols_find_debug(s, f, f->path);
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
 * The cached file of m's path and inode, when m's own cannot be opened: a
 * process that ended before its module was resolved (its root and
 * map_files are gone; a followed child unwound after slow work) whose file
 * another process of the profile opened (the child's libc: its parent's).
 * NULL when none.
 */
static struct symbols_file *
symbols_file_by_mod(struct symbols *s, const struct symbols_mod *m)
{
	if (m->deleted || m->path[0] != '/')
		return NULL;
	for (struct symbols_file *f = s->lib->files; f != NULL; f = f->next)
		if (f->ino == m->inode && f->path != NULL &&
		    strcmp(f->path, m->path) == 0)
			return f;
	return NULL;
}

/*
 * The cached or newly opened file of m, or NULL when unreadable. A new
 * file has its program headers read (symbols_image() needs no more); its
 * names come on its first symbols_lookup() (symbols_load_names()).
 */
struct symbols_file *
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
		return symbols_file_by_mod(s, m);
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

void
symbols_files_free(struct symbols_file *files)
{
	struct symbols_file *next;

	for (struct symbols_file *f = files; f != NULL; f = next) {
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
}
