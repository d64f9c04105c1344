#include "config.h"

#include "sampler/symbols_int.h"

#include <dwarf.h>
#include <elfutils/libdw.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/array.h"
#include "common/sorted.h"
#include "common/xmalloc.h"
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
	/* glibc's internal alias of foo is __GI_foo (hidden_proto). */
	fr->name = strncmp(raw, "__GI_", 5) == 0 && raw[5] != '\0'
			   ? raw + 5
			   : symbols_demangle(s, raw);
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
		*ARRAY_PUSH(cu->fns, cu->n, cu->cap) =
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

#define SYMBOLS_FN_CMP(e, x) SORTED_NUM((e)->low, (x))
SORTED_DEFINE(symbols_fns, struct symbols_fn, uint64_t, SYMBOLS_FN_CMP)
#define SYMBOLS_CU_CMP(e, x) SORTED_NUM((e)->off, (x))
SORTED_DEFINE(symbols_cus, struct symbols_cu, Dwarf_Off, SYMBOLS_CU_CMP)

/* The range of fns[0..n) (sorted, disjoint) holding vaddr, or NULL. */
static const struct symbols_fn *
symbols_fn_find(const struct symbols_fn *fns, size_t n, uint64_t vaddr)
{
	size_t i = symbols_fns_upper(fns, n, vaddr);

	if (i == 0 || vaddr >= fns[i - 1].high)
		return NULL;
	return &fns[i - 1];
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
	size_t lo = symbols_cus_lower(f->cus, f->ncus, off);
	struct symbols_cu *cu;

	if (lo < f->ncus && f->cus[lo].off == off)
		return &f->cus[lo];
	ARRAY_RESERVE(f->cus, f->cap_cus, f->ncus + 1);
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
int
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
