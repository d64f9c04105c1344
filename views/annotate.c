/*
 * The annotate view: find the function's code through a sampled address
 * of it (mapping -> file offset -> ELF segment -> symbol), read the bytes
 * from the file, disassemble them with capstone, count the samples per
 * instruction over the graph's selection, and interleave DWARF lines.
 * Everything read from the file is bounded: a hostile ELF can make the
 * view empty (with a note), never loop or read out of bounds.
 */
#include "config.h"

#include "views/annotate.h"

#include <capstone/capstone.h>
#include <elfutils/libdw.h>
#include <fcntl.h>
#include <gelf.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common/array.h"
#include "common/xmalloc.h"
#include "sampler/mapped.h"
#include "sampler/profile.h"
#include "views/graph.h"

/* Bounds against hostile or huge files. */
#define ANNOTATE_MAX_BYTES (1u << 20)
#define ANNOTATE_MAX_SYMS (1u << 22)

struct annotate_code {
	Elf *elf;
	Elf *debug; /* separate debug info by build-id, or NULL */
	int debug_fd;
	uint64_t vaddr; /* the symbol's start in the file's address space */
	uint64_t foff;	/* its file offset */
	uint64_t size;
	uint64_t start; /* its address in the target */
	uint8_t *bytes;
};

static bool
annotate_same(const char *a, const char *b)
{
	return a != NULL && b != NULL && (a == b || strcmp(a, b) == 0);
}

/* The same file: equal paths, or equal base names (the line table may
   name it relative to the compilation directory). */
static bool
annotate_same_file(const char *a, const char *b)
{
	const char *ba, *bb;

	if (a == NULL || b == NULL)
		return false;
	ba = strrchr(a, '/');
	bb = strrchr(b, '/');
	return annotate_same(a, b) ||
	       strcmp(ba ? ba + 1 : a, bb ? bb + 1 : b) == 0;
}

/* Opens the separate debug file of build_id (inside the target's root,
   as the symbolizer finds it). */
static void
annotate_debug(struct annotate_code *c, pid_t pid, const char *build_id)
{
	char path[256], *cause = NULL;

	c->debug_fd = -1;
	if (build_id == NULL || strlen(build_id) < 4 || strlen(build_id) > 128)
		return;
	snprintf(path, sizeof(path), "/usr/lib/debug/.build-id/%.2s/%s.debug",
		 build_id, build_id + 2);
	c->debug_fd = mapped_open(pid, path, 0, 0, &cause);
	free(cause);
	if (c->debug_fd >= 0) {
		c->debug = elf_begin(c->debug_fd, ELF_C_READ, NULL);
		if (c->debug != NULL && elf_kind(c->debug) != ELF_K_ELF) {
			elf_end(c->debug);
			c->debug = NULL;
		}
	}
}

/* A sampled location whose real (outermost) function is function's name,
   in a mapping; -1 when none. */
static long
annotate_location(const struct profile_snapshot *s, uint32_t function)
{
	const char *name = s->functions[function].name;

	for (uint32_t i = 0; i < s->nlocations; i++) {
		const struct profile_location *l = &s->locations[i];
		uint32_t li;

		if (l->nlines == 0 || l->mapping >= s->nmappings)
			continue;
		li = l->first_line + l->nlines - 1;
		if (li < s->nlines &&
		    annotate_same(s->functions[s->lines[li].function].name,
				  name))
			return (long)i;
	}
	return -1;
}

/* The PT_LOAD segment holding file offset off; false when none. */
static bool
annotate_segment(Elf *elf, uint64_t off, GElf_Phdr *out)
{
	size_t n;

	if (elf_getphdrnum(elf, &n) != 0)
		return false;
	for (size_t i = 0; i < n && i < 4096; i++) {
		GElf_Phdr ph;

		if (gelf_getphdr(elf, (int)i, &ph) == NULL ||
		    ph.p_type != PT_LOAD)
			continue;
		if (off >= ph.p_offset && off - ph.p_offset < ph.p_filesz) {
			*out = ph;
			return true;
		}
	}
	return false;
}

/* The function symbol covering vaddr, preferring the name sysname; its
   value and size in *value, *size. */
static bool
annotate_symbol(Elf *elf, uint64_t vaddr, const char *sysname, uint64_t *value,
		uint64_t *size)
{
	Elf_Scn *scn = NULL;
	bool found = false, named = false;

	while ((scn = elf_nextscn(elf, scn)) != NULL) {
		GElf_Shdr sh;
		Elf_Data *data;
		size_t n;

		if (gelf_getshdr(scn, &sh) == NULL ||
		    (sh.sh_type != SHT_SYMTAB && sh.sh_type != SHT_DYNSYM) ||
		    sh.sh_entsize == 0 ||
		    (data = elf_getdata(scn, NULL)) == NULL)
			continue;
		n = data->d_size / sh.sh_entsize;
		if (n > ANNOTATE_MAX_SYMS)
			n = ANNOTATE_MAX_SYMS;
		for (size_t i = 0; i < n; i++) {
			GElf_Sym sym;
			const char *name;
			int type;

			if (gelf_getsym(data, (int)i, &sym) == NULL)
				continue;
			type = GELF_ST_TYPE(sym.st_info);
			if ((type != STT_FUNC && type != STT_GNU_IFUNC) ||
			    sym.st_size == 0 || vaddr < sym.st_value ||
			    vaddr - sym.st_value >= sym.st_size)
				continue;
			name = elf_strptr(elf, sh.sh_link, sym.st_name);
			if (found && (named || !annotate_same(name, sysname)))
				continue;
			*value = sym.st_value;
			*size = sym.st_size;
			found = true;
			named = annotate_same(name, sysname);
		}
	}
	return found;
}

/* Reads the function's bytes; sets v->note and returns -1 when it cannot. */
static int
annotate_read(const struct profile_snapshot *s, struct annotate_view *v,
	      const struct profile_location *loc, int fd,
	      struct annotate_code *c)
{
	const struct profile_mapping *m = &s->mappings[loc->mapping];
	const char *sysname = s->functions[v->function].system_name;
	uint64_t off = loc->address - m->start + m->offset;
	GElf_Phdr ph;
	ssize_t got;

	c->elf = elf_begin(fd, ELF_C_READ, NULL);
	if (c->elf == NULL || elf_kind(c->elf) != ELF_K_ELF) {
		v->note = xasprintf("%s is not an ELF file", v->file);
		return -1;
	}
	if (loc->address < m->start || !annotate_segment(c->elf, off, &ph)) {
		v->note = xasprintf("%#jx is in no segment of %s",
				    (uintmax_t)loc->address, v->file);
		return -1;
	}
	if (!annotate_symbol(c->elf, ph.p_vaddr + (off - ph.p_offset), sysname,
			     &c->vaddr, &c->size) &&
	    (c->debug == NULL ||
	     !annotate_symbol(c->debug, ph.p_vaddr + (off - ph.p_offset),
			      sysname, &c->vaddr, &c->size))) {
		v->note = xasprintf("no symbol of %s covers %#jx (stripped, "
				    "no debug file)",
				    v->file, (uintmax_t)loc->address);
		return -1;
	}
	if (c->vaddr < ph.p_vaddr || c->vaddr - ph.p_vaddr >= ph.p_filesz) {
		v->note = xasprintf("the symbol at %#jx is outside its segment",
				    (uintmax_t)c->vaddr);
		return -1;
	}
	c->foff = ph.p_offset + (c->vaddr - ph.p_vaddr);
	if (c->size > ph.p_filesz - (c->vaddr - ph.p_vaddr))
		c->size = ph.p_filesz - (c->vaddr - ph.p_vaddr);
	if (c->size > ANNOTATE_MAX_BYTES)
		c->size = ANNOTATE_MAX_BYTES;
	c->start = m->start + (c->foff - m->offset);
	c->bytes = xmalloc(c->size + 1);
	got = pread(fd, c->bytes, c->size, (off_t)c->foff);
	if (got < 0 || (uint64_t)got != c->size) {
		v->note = xasprintf("cannot read %s", v->file);
		return -1;
	}
	v->start = c->start;
	v->size = c->size;
	return 0;
}

static void
annotate_add(struct annotate_view *v, size_t *cap, struct annotate_row r)
{
	*ARRAY_PUSH(v->rows, v->nrows, *cap) = r;
}

/* The text of line in the source view, or NULL. */
static const char *
annotate_line_text(const struct source_view *sv, const char *file, int line)
{
	if (sv == NULL || !annotate_same_file(sv->file, file))
		return NULL;
	for (size_t i = 0; i < sv->nrows; i++)
		if (sv->rows[i].line == line)
			return sv->rows[i].text;
	return NULL;
}

/* Disassembles c into rows, with source rows where the line changes. */
static void
annotate_disasm(struct annotate_view *v, struct annotate_code *c,
		const struct source_view *sv)
{
	GElf_Ehdr eh;
	csh cs;
	cs_insn *insn = NULL;
	size_t n, cap = 0;
	Dwarf *dw;
	const char *last_src = NULL;
	int last_line = -1;

	if (gelf_getehdr(c->elf, &eh) == NULL ||
	    (eh.e_machine != EM_X86_64 && eh.e_machine != EM_AARCH64)) {
		v->note = xasprintf("%s: only x86-64 and AArch64 code is "
				    "disassembled",
				    v->file);
		return;
	}
	if (cs_open(eh.e_machine == EM_X86_64 ? CS_ARCH_X86 : CS_ARCH_ARM64,
		    eh.e_machine == EM_X86_64 ? CS_MODE_64 : CS_MODE_ARM,
		    &cs) != CS_ERR_OK) {
		v->note = xstrdup("capstone cannot start");
		return;
	}
	n = cs_disasm(cs, c->bytes, c->size, c->start, 0, &insn);
	dw = dwarf_begin_elf(c->debug ? c->debug : c->elf, DWARF_C_READ, NULL);
	if (dw == NULL && c->debug != NULL)
		dw = dwarf_begin_elf(c->elf, DWARF_C_READ, NULL);
	for (size_t i = 0; i < n; i++) {
		uint64_t vaddr = c->vaddr + (insn[i].address - c->start);
		Dwarf_Die cu;
		Dwarf_Line *dl;
		const char *src;
		int line = 0;

		if (dw != NULL && dwarf_addrdie(dw, vaddr, &cu) != NULL &&
		    (dl = dwarf_getsrc_die(&cu, vaddr)) != NULL &&
		    dwarf_lineno(dl, &line) == 0 && line > 0 &&
		    (src = dwarf_linesrc(dl, NULL, NULL)) != NULL &&
		    (line != last_line || !annotate_same(src, last_src))) {
			const char *text = annotate_line_text(sv, src, line);
			const char *base = strrchr(src, '/');

			annotate_add(
				v, &cap,
				(struct annotate_row){
					.source = true,
					.line = line,
					.text = text ? xstrdup(text)
						     : xasprintf("%s:%d",
								 base ? base + 1
								      : src,
								 line),
				});
			last_line = line;
			last_src = src;
		}
		annotate_add(
			v, &cap,
			(struct annotate_row){
				.address = insn[i].address,
				.text = xasprintf("%s%s%s", insn[i].mnemonic,
						  insn[i].op_str[0] ? " " : "",
						  insn[i].op_str),
			});
		v->ninsns++;
	}
	if (n == 0)
		v->note = xasprintf("no instruction decodes at %#jx in %s",
				    (uintmax_t)c->start, v->file);
	if (dw != NULL)
		dwarf_end(dw);
	cs_free(insn, n);
	cs_close(&cs);
}

/* The code row of the instruction holding addr, or -1: a binary search
   over code, the indexes of the code rows (sorted by address). */
static long
annotate_find(const struct annotate_view *v, const size_t *code, size_t n,
	      uint64_t addr)
{
	size_t lo = 0, hi = n;

	if (n == 0 || addr < v->start || addr - v->start >= v->size)
		return -1;
	while (hi - lo > 1) {
		size_t mid = lo + (hi - lo) / 2;

		if (v->rows[code[mid]].address <= addr)
			lo = mid;
		else
			hi = mid;
	}
	return v->rows[code[lo]].address <= addr ? (long)code[lo] : -1;
}

void
annotate_count(const struct profile_snapshot *s, const struct filter *f,
	       struct annotate_view *v)
{
	struct graph g;
	uint32_t *seen = xcalloc(v->nrows + 1, sizeof(*seen));
	size_t *code = xmalloc((v->nrows + 1) * sizeof(*code)), ncode = 0;

	v->flat = v->cum = v->outside = 0;
	for (size_t i = 0; i < v->nrows; i++) {
		v->rows[i].flat = v->rows[i].cum = 0;
		if (!v->rows[i].source)
			code[ncode++] = i;
	}
	graph_build(&g, s, f, FILTER_GRAN_FUNCTION, false);
	v->total = g.total;
	for (uint32_t st = 0; st < s->nstacks; st++) {
		const struct profile_stack *stack = &s->stacks[st];
		uint64_t w = g.weight[st];
		bool in = false;

		if (w == 0 || graph_frames(&g, st) == 0)
			continue;
		if (stack->depth > 0) {
			/* the table's flat: the leaf's innermost function */
			const struct profile_location *l =
				&s->locations[s->stack_locations[stack->first]];

			if (l->nlines > 0 && l->first_line < s->nlines &&
			    annotate_same(s->functions[s->lines[l->first_line]
							       .function]
						  .name,
					  v->name) &&
			    annotate_find(v, code, ncode, l->address) < 0) {
				v->outside += w;
				v->outside_at = l->address;
			}
		}
		for (uint32_t d = 0; d < stack->depth; d++) {
			const struct profile_location *l =
				&s->locations[s->stack_locations[stack->first +
								 d]];
			/* a return address counts for the call before it */
			long r = annotate_find(v, code, ncode,
					       d == 0 ? l->address
						      : l->address - 1);

			if (r < 0)
				continue;
			if (d == 0) {
				v->rows[r].flat += w;
				v->flat += w;
			}
			if (seen[r] != st + 1) {
				seen[r] = st + 1;
				v->rows[r].cum += w;
			}
			in = true;
		}
		if (in)
			v->cum += w;
	}
	v->hottest = -1;
	for (size_t i = 0; i < v->nrows; i++)
		if (!v->rows[i].source && v->rows[i].flat > 0 &&
		    (v->hottest < 0 ||
		     v->rows[i].flat > v->rows[v->hottest].flat))
			v->hottest = (long)i;
	free(seen);
	free(code);
	graph_free(&g);
}

int
annotate_build(const struct profile_snapshot *s, const struct filter *f,
	       uint32_t function, const struct source_options *opt,
	       struct annotate_view *out)
{
	struct annotate_code c;
	struct source_view sv;
	bool have_sv = false;
	long loc;
	int fd;

	memset(out, 0, sizeof(*out));
	memset(&c, 0, sizeof(c));
	c.debug_fd = -1;
	out->hottest = -1;
	if (function >= s->nfunctions)
		return -1;
	out->function = function;
	out->name = s->functions[function].name;
	loc = annotate_location(s, function);
	if (loc < 0) {
		out->note = xstrdup("no sampled address of its own (inlined "
				    "everywhere, or not in a file): annotate "
				    "its caller");
		return 0;
	}
	out->file =
		xstrdup(s->mappings[s->locations[loc].mapping].path
				? s->mappings[s->locations[loc].mapping].path
				: "?");
	fd = mapped_open(opt ? opt->pid : s->pid, out->file,
			 s->mappings[s->locations[loc].mapping].start,
			 s->mappings[s->locations[loc].mapping].limit,
			 &out->note);
	if (fd < 0)
		return 0;
	elf_version(EV_CURRENT);
	annotate_debug(&c, opt ? opt->pid : s->pid,
		       s->mappings[s->locations[loc].mapping].build_id);
	if (annotate_read(s, out, &s->locations[loc], fd, &c) == 0) {
		have_sv = source_build(s, f, function, opt, &sv) == 0;
		annotate_disasm(out, &c, have_sv ? &sv : NULL);
		annotate_count(s, f, out);
		if (have_sv)
			source_free(&sv);
	}
	free(c.bytes);
	if (c.elf != NULL)
		elf_end(c.elf);
	if (c.debug != NULL)
		elf_end(c.debug);
	if (c.debug_fd >= 0)
		close(c.debug_fd);
	close(fd);
	return 0;
}

void
annotate_free(struct annotate_view *v)
{
	for (size_t i = 0; i < v->nrows; i++)
		free(v->rows[i].text);
	free(v->rows);
	free(v->file);
	free(v->note);
	memset(v, 0, sizeof(*v));
	v->hottest = -1;
}
