#include "config.h"

#include "sampler/symbols_int.h"

#include <elf.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/array.h"
#include "common/sorted.h"
#include "common/xmalloc.h"
#include "sampler/ehframe.h"

/*
 * The start of the function holding vaddr in f (an ELF file), as .eh_frame
 * gives it: the pc_begin of the FDE that covers vaddr, found by a binary
 * search of .eh_frame_hdr's table (libdw's CFI tells whether an FDE covers
 * vaddr at all, and where the CFI row holding it starts). vaddr itself
 * when no FDE covers it.
 */
uint64_t
symbols_fde_start(struct symbols_file *f, uint64_t vaddr)
{
	long i;
	size_t n;
	Dwarf_Frame *frame;
	Dwarf_Addr start, end;
	uint64_t begin;

	if (!f->cfi_tried) {
		f->cfi_tried = true;
		f->cfi = dwarf_getcfi_elf(f->elf);
	}
	if (f->eh_data == NULL || !ehframe_table_fits(&f->eh, f->eh_len) ||
	    f->cfi == NULL || dwarf_cfi_addrframe(f->cfi, vaddr, &frame) != 0)
		return vaddr;
	if (dwarf_frame_info(frame, &start, &end, NULL) < 0)
		start = vaddr;
	free(frame);
	n = (size_t)f->eh.count;
	i = ehframe_table_find(f->eh_data + f->eh.table_off, n, f->eh_vaddr,
			       vaddr);
	if (i < 0)
		return vaddr;
	/* The FDE's first row starts at its pc_begin: a begin after the
	 * row's start would be another FDE's (overlapping tables). */
	begin = ehframe_table_loc(f->eh_data + f->eh.table_off, f->eh_vaddr,
				  (size_t)i);
	return begin <= start ? begin : vaddr;
}

#define SYMBOLS_PLT_CMP(e, x) SORTED_NUM((e)->addr, (x))
SORTED_DEFINE(symbols_plts, struct symbols_plt, uint64_t, SYMBOLS_PLT_CMP)

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
	size_t ngots, cap_gots;
	Elf_Data *jmprel;
	size_t njmprel;
	Elf_Data *dynsym;
	size_t dynstr; /* section index of .dynsym's strings */
};

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
	ARRAY_RESERVE(r->gots, r->cap_gots, r->ngots + n);
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

enum symbols_plt_kind
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
		/* no relocations (a hostile or cut .rela.*): gots is NULL,
		   which bsearch must not be given */
		g = r->ngots > 0 ? bsearch(&key, r->gots, r->ngots, sizeof(*g),
					   symbols_got_cmp)
				 : NULL;
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

		p = ARRAY_PUSH(f->plts, f->nplts, *cap);
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
bool
symbols_plt_frame(struct symbols *s, const struct symbols_mod *m,
		  uint64_t vaddr, struct symbols_frame *fr)
{
	struct symbols_file *f = m->file;
	const struct symbols_plt *p;
	size_t lo;

	if (!f->plts_tried)
		symbols_load_plts(s, f);
	lo = symbols_plts_upper(f->plts, f->nplts, vaddr);
	if (lo == 0 || vaddr - f->plts[lo - 1].addr >= f->plts[lo - 1].size)
		return false;
	p = &f->plts[lo - 1];
	*fr = (struct symbols_frame){.name = p->name,
				     .system_name = p->system_name};
	if (p->name == NULL)
		fr->name = fr->system_name = symbols_plt_intern(s, m->base);
	return true;
}
