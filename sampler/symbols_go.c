#include "config.h"

#include "sampler/symbols_int.h"

#include <string.h>

/*
 * Go binaries: names, files and lines from .gopclntab when there is no
 * DWARF (stripped -s -w builds), and the stack-pointer deltas that unwind
 * Go frames (Go code has no .eh_frame).
 */

/* Parses f's .gopclntab once; f->go.data stays NULL when there is none. */
static void
symbols_go_load(struct symbols_file *f)
{
	GElf_Shdr sh, text;
	Elf_Scn *scn;
	Elf_Data *data;

	f->go_tried = true;
	if (f->elf == NULL)
		return;
	scn = symbols_find_section(f->elf, ".gopclntab", &sh);
	data = scn != NULL && sh.sh_type == SHT_PROGBITS
		       ? elf_getdata(scn, NULL)
		       : NULL;
	if (data == NULL || data->d_buf == NULL)
		return;
	if (symbols_find_section(f->elf, ".text", &text) == NULL)
		text.sh_addr = 0;
	if (gopclntab_parse(data->d_buf, data->d_size, text.sh_addr, &f->go) <
	    0)
		memset(&f->go, 0, sizeof(f->go));
}

/* The Go function of f holding vaddr, or false. */
static bool
symbols_go_find(struct symbols_file *f, uint64_t vaddr,
		struct gopclntab_func *fn)
{
	if (!f->go_tried)
		symbols_go_load(f);
	return f->go.data != NULL && gopclntab_find(&f->go, vaddr, fn);
}

/* Names vaddr from f's .gopclntab: see symbols_int.h. */
bool
symbols_go_frame(struct symbols_file *f, uint64_t vaddr,
		 struct symbols_frame *fr)
{
	struct gopclntab_func fn;
	const char *name;
	int line;

	if (!symbols_go_find(f, vaddr, &fn) ||
	    (name = gopclntab_name(&f->go, &fn)) == NULL || *name == '\0')
		return false;
	*fr = (struct symbols_frame){.name = name, .system_name = name};
	fr->file = gopclntab_file_line(&f->go, &fn, vaddr, &line);
	fr->line = line;
	return true;
}

/*
 * How to unwind the Go frame at pc: see symbols.h. Costs a binary search
 * and a walk of one pc-value table.
 */
enum symbols_go_rule
symbols_go_unwind(struct symbols *s, uint64_t pc, bool is_return,
		  int32_t *sp_delta)
{
	struct symbols_mod *m;
	struct gopclntab_func fn;
	uint64_t vaddr;
	const char *name;

	if (!symbols_locate(s, is_return ? pc - 1 : pc, &m, &vaddr) ||
	    !symbols_go_find(m->file, vaddr, &fn))
		return SYMBOLS_GO_NONE;
	name = gopclntab_name(&m->file->go, &fn);
	if (name == NULL)
		return SYMBOLS_GO_STOP;
	/* Signal handlers are TOPFRAME for Go's traceback, which starts
	 * over at the interrupted pc: we step through the signal frame. */
	if (strstr(name, "sigtramp") != NULL)
		fn.flag &= (uint8_t)~1U;
	/* The first frames of threads and goroutines, and mcall: on g0 the
	 * scheduler's stack, its caller a goroutine switched out. */
	if ((fn.flag & 1) != 0 || strcmp(name, "runtime.goexit") == 0 ||
	    strcmp(name, "runtime.mstart") == 0 ||
	    strcmp(name, "runtime.rt0_go") == 0 ||
	    strcmp(name, "runtime.mcall") == 0)
		return SYMBOLS_GO_OUTERMOST;
	if (is_return && strncmp(name, "runtime.asmcgocall", 18) == 0 &&
	    (fn.flag & 2) != 0)
		return SYMBOLS_GO_CGO;
	if ((fn.flag & 2) != 0 ||
	    gopclntab_sp_delta(&m->file->go, &fn, vaddr, sp_delta) < 0)
		return SYMBOLS_GO_STOP;
	return SYMBOLS_GO_FRAME;
}
