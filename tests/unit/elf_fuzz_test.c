/*
 * sampler/symbols*.c on hostile ELF files, through libelf and libdw:
 * tests/symbols/symtarget (.symtab, .dynsym, a build-id note, DWARF with
 * inline chains, .eh_frame_hdr, PLT stubs) and its split form
 * (symtarget-split: no symbols or DWARF, a .gnu_debuglink to
 * symtarget-split.debug, which has them). tests/fuzz.h mutates each file
 * region by region -- the ELF and program headers, the section headers,
 * each section symbols*.c reads -- and as a whole (cut tails included);
 * each mutant is written to a file, mapped into a made-up address map and
 * looked up at every function, PLT stub and the gaps between them, as a
 * return address and not. Nothing may crash, read outside its bytes (ASan
 * in CI) or loop unbounded (an alarm); every lookup returns 1..max frames,
 * each with a name.
 */
#include "config.h"

#include <fcntl.h>
#include <gelf.h>
#include <libelf.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "attach/procfs.h"
#include "sampler/symbols.h"
#include "tests/fuzz.h"
#include "tests/tap.h"

#define MAX_FRAMES 8
#define MAX_PCS 96
#define BASE 0x555555554000ULL
#define MAP_LEN 0x100000ULL
/* Mutants per region; the whole file gets twice as many. */
#define ROUNDS 60

/* A file's bytes, and where one of its mutants is written. */
struct image {
	uint8_t *buf;
	size_t len;
};

struct ctx {
	const struct image *orig; /* the file being mutated */
	size_t off, rlen;	  /* the region mutated; rlen 0: the file */
	const char *path;	  /* written there each round */
	const char *mapped;	  /* the path looked up (the main file) */
	uint64_t pcs[MAX_PCS];	  /* addresses (vaddrs) looked up */
	size_t npcs;
};

static int
read_file(const char *path, struct image *im)
{
	FILE *f = fopen(path, "rb");
	long n;

	if (f == NULL || fseek(f, 0, SEEK_END) != 0 || (n = ftell(f)) <= 0) {
		if (f != NULL)
			fclose(f);
		return -1;
	}
	rewind(f);
	im->len = (size_t)n;
	im->buf = malloc(im->len);
	if (fread(im->buf, 1, im->len, f) != im->len) {
		fclose(f);
		return -1;
	}
	fclose(f);
	return 0;
}

static int
write_file(const char *path, const uint8_t *buf, size_t len)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	ssize_t w = fd >= 0 ? write(fd, buf, len) : -1;

	if (fd >= 0)
		close(fd);
	return w == (ssize_t)len ? 0 : -1;
}

/*
 * Maps path at BASE (offset 0, as one executable mapping), looks up every
 * pc of c, and counts inconsistent answers in *bad. Returns how many
 * lookups found a line in DWARF.
 */
static int
lookup_all(const struct ctx *c, int *bad)
{
	struct procfs_map m = {.start = BASE,
			       .end = BASE + MAP_LEN,
			       .readable = true,
			       .executable = true,
			       .path = (char *)c->mapped};
	struct procfs_maps maps = {&m, 1};
	struct symbols_frame fr[MAX_FRAMES];
	struct symbols_module mod;
	struct symbols *s;
	struct stat st;
	int lines = 0;

	if (stat(c->mapped, &st) != 0)
		return 0;
	m.inode = st.st_ino;
	s = symbols_new(getpid());
	symbols_set_maps(s, &maps);
	for (size_t i = 0; i < c->npcs; i++) {
		bool ret = i % 2 == 1;
		uint64_t pc = BASE + c->pcs[i] + ret;
		int32_t delta;
		int n = symbols_lookup(s, pc, ret, fr, MAX_FRAMES, &mod);

		if (n < 1 || n > MAX_FRAMES) {
			(*bad)++;
			continue;
		}
		for (int k = 0; k < n; k++)
			*bad += fr[k].name == NULL || fr[k].line < 0;
		lines += fr[n - 1].line > 0;
		if (i % 8 == 0)
			symbols_go_unwind(s, pc, ret, &delta);
	}
	symbols_free(s);
	return lines;
}

static int
check_mutant(const uint8_t *buf, size_t len, int *bad, void *arg)
{
	const struct ctx *c = arg;
	uint8_t *im = (uint8_t *)buf;
	size_t n = len;

	if (c->rlen > 0) { /* the region's mutant in the whole file */
		im = malloc(c->orig->len);
		memcpy(im, c->orig->buf, c->orig->len);
		memcpy(im + c->off, buf, len < c->rlen ? len : c->rlen);
		if (len < c->rlen)
			memset(im + c->off + len, 0, c->rlen - len);
		n = c->orig->len;
	}
	if (write_file(c->path, im, n) != 0)
		(*bad)++;
	if (im != buf)
		free(im);
	return lookup_all(c, bad) > 0;
}

/* Every function's start, middle and last byte, the PLT's stubs and the
   gaps after functions, from the intact file's tables. */
static void
collect_pcs(Elf *elf, struct ctx *c)
{
	Elf_Scn *scn = NULL;
	size_t shstrndx;

	if (elf_getshdrstrndx(elf, &shstrndx) != 0)
		return;
	while ((scn = elf_nextscn(elf, scn)) != NULL) {
		GElf_Shdr sh;
		Elf_Data *d;
		const char *name;

		if (gelf_getshdr(scn, &sh) == NULL)
			continue;
		name = elf_strptr(elf, shstrndx, sh.sh_name);
		if (name != NULL && strncmp(name, ".plt", 4) == 0)
			for (uint64_t a = sh.sh_addr;
			     a < sh.sh_addr + sh.sh_size && c->npcs < MAX_PCS;
			     a += 16)
				c->pcs[c->npcs++] = a + 4;
		if (sh.sh_type != SHT_SYMTAB ||
		    (d = elf_getdata(scn, NULL)) == NULL)
			continue;
		for (size_t i = 0; i < sh.sh_size / sh.sh_entsize; i++) {
			GElf_Sym sym;

			if (gelf_getsym(d, (int)i, &sym) == NULL ||
			    GELF_ST_TYPE(sym.st_info) != STT_FUNC ||
			    sym.st_value == 0 || c->npcs + 4 > MAX_PCS)
				continue;
			c->pcs[c->npcs++] = sym.st_value;
			c->pcs[c->npcs++] = sym.st_value + sym.st_size / 2;
			c->pcs[c->npcs++] = sym.st_value + sym.st_size - 1;
			c->pcs[c->npcs++] = sym.st_value + sym.st_size + 1;
		}
	}
}

/* The vaddr of symbol name in elf's .symtab, or 0. */
static uint64_t
symbol(Elf *elf, const char *want)
{
	Elf_Scn *scn = NULL;

	while ((scn = elf_nextscn(elf, scn)) != NULL) {
		GElf_Shdr sh;
		Elf_Data *d = elf_getdata(scn, NULL);

		if (gelf_getshdr(scn, &sh) == NULL ||
		    sh.sh_type != SHT_SYMTAB || d == NULL)
			continue;
		for (size_t i = 0; i < sh.sh_size / sh.sh_entsize; i++) {
			GElf_Sym sym;
			const char *n;

			if (gelf_getsym(d, (int)i, &sym) != NULL &&
			    (n = elf_strptr(elf, sh.sh_link, sym.st_name)) &&
			    strcmp(n, want) == 0)
				return sym.st_value;
		}
	}
	return 0;
}

/*
 * Fuzzes im (written to c->path each round) region by region: the
 * headers, the section header table and each section named in sections
 * (those the file has), then the whole file.
 */
static void
fuzz_file(struct ctx *c, const struct image *im, const char *what,
	  const char *const *sections)
{
	Elf *elf = elf_memory((char *)im->buf, im->len);
	GElf_Ehdr eh;
	size_t shstrndx;
	int bad = 0, parsed;

	c->orig = im;
	if (elf == NULL || gelf_getehdr(elf, &eh) == NULL ||
	    elf_getshdrstrndx(elf, &shstrndx) != 0) {
		tap_ok(0, "%s: an ELF file", what);
		return;
	}
	/* the ELF header and the program headers */
	c->off = 0;
	c->rlen = eh.e_phoff + (size_t)eh.e_phnum * eh.e_phentsize;
	parsed =
		fuzz_run(im->buf, c->rlen, ROUNDS, NULL, check_mutant, c, &bad);
	tap_ok(bad == 0, "%s: headers: %d mutants, %d still gave DWARF lines",
	       what, ROUNDS, parsed);
	/* the section header table */
	c->off = eh.e_shoff;
	c->rlen = (size_t)eh.e_shnum * eh.e_shentsize;
	bad = 0;
	parsed = fuzz_run(im->buf + c->off, c->rlen, ROUNDS, NULL, check_mutant,
			  c, &bad);
	tap_ok(bad == 0, "%s: section headers: %d still gave DWARF lines", what,
	       parsed);
	for (const char *const *name = sections; *name != NULL; name++) {
		Elf_Scn *scn = NULL;
		GElf_Shdr sh;

		while ((scn = elf_nextscn(elf, scn)) != NULL) {
			const char *n;

			if (gelf_getshdr(scn, &sh) != NULL &&
			    (n = elf_strptr(elf, shstrndx, sh.sh_name)) &&
			    strcmp(n, *name) == 0)
				break;
		}
		if (scn == NULL || sh.sh_type == SHT_NOBITS ||
		    sh.sh_size == 0 || sh.sh_offset + sh.sh_size > im->len)
			continue;
		c->off = sh.sh_offset;
		c->rlen = sh.sh_size;
		bad = 0;
		parsed = fuzz_run(im->buf + c->off, c->rlen, ROUNDS, NULL,
				  check_mutant, c, &bad);
		tap_ok(bad == 0, "%s: %s: %d still gave DWARF lines", what,
		       *name, parsed);
	}
	c->rlen = 0; /* the whole file: bytes anywhere, cut tails */
	bad = 0;
	parsed = fuzz_run(im->buf, im->len, 2 * ROUNDS, NULL, check_mutant, c,
			  &bad);
	tap_ok(bad == 0, "%s: the whole file: %d still gave DWARF lines", what,
	       parsed);
	elf_end(elf);
}

int
main(void)
{
	static const char *const sections[] = {".note.gnu.build-id",
					       ".dynsym",
					       ".dynstr",
					       ".gnu.version",
					       ".rela.plt",
					       ".plt",
					       ".plt.got",
					       ".plt.sec",
					       ".eh_frame_hdr",
					       ".eh_frame",
					       ".debug_aranges",
					       ".debug_info",
					       ".debug_abbrev",
					       ".debug_line",
					       ".debug_str",
					       ".debug_line_str",
					       ".debug_rnglists",
					       ".symtab",
					       ".strtab",
					       ".gnu_debuglink",
					       ".shstrtab",
					       NULL};
	const char *top = getenv("top_builddir");
	char path[PATH_MAX], split[PATH_MAX + 16], debug[PATH_MAX + 16];
	char dir[] = "/tmp/cproftop-elffuzz-XXXXXX";
	char out[PATH_MAX + 64], out_debug[PATH_MAX + 64];
	struct image im, im_split, im_debug;
	struct symbols_frame fr[MAX_FRAMES];
	struct ctx c = {0};
	struct symbols *s;
	Elf *elf;
	int bad = 0, n;

	alarm(300); /* an unbounded loop fails the test */
	unsetenv("DEBUGINFOD_URLS");
	elf_version(EV_CURRENT);
	snprintf(path, sizeof(path), "%s/tests/symbols/symtarget",
		 top ? top : ".");
	snprintf(split, sizeof(split), "%s-split", path);
	snprintf(debug, sizeof(debug), "%s-split.debug", path);
	if (read_file(path, &im) != 0 || read_file(split, &im_split) != 0 ||
	    read_file(debug, &im_debug) != 0 || mkdtemp(dir) == NULL) {
		tap_ok(0, "read %s, its split form and a temporary folder",
		       path);
		return tap_done();
	}
	snprintf(out, sizeof(out), "%s/symtarget-split", dir);
	snprintf(out_debug, sizeof(out_debug), "%s/symtarget-split.debug", dir);
	elf = elf_memory((char *)im.buf, im.len);
	collect_pcs(elf, &c);
	c.pcs[c.npcs++] = symbol(elf, "static_leaf") + 4;
	tap_ok(c.npcs > 20 && c.pcs[c.npcs - 1] > 4, "%zu addresses to look up",
	       c.npcs);

	/* The intact files: the harness finds names and lines. */
	c.path = c.mapped = out;
	write_file(out, im.buf, im.len);
	n = lookup_all(&c, &bad);
	tap_ok(n > (int)c.npcs / 4 && bad == 0,
	       "the intact file: %d of %zu addresses have a line", n, c.npcs);
	write_file(out, im_split.buf, im_split.len);
	write_file(out_debug, im_debug.buf, im_debug.len);
	s = symbols_new(getpid());
	{
		struct stat st;
		struct procfs_map one = {.start = BASE,
					 .end = BASE + MAP_LEN,
					 .executable = true,
					 .path = out};
		struct procfs_maps maps = {&one, 1};

		stat(out, &st);
		one.inode = st.st_ino;
		symbols_set_maps(s, &maps);
		n = symbols_lookup(s, BASE + c.pcs[c.npcs - 1], false, fr,
				   MAX_FRAMES, NULL);
		tap_ok(n == 1 && strcmp(fr[0].name, "static_leaf") == 0 &&
			       fr[0].line > 0,
		       "the split file: the name and line from its "
		       ".gnu_debuglink file (%s:%d)",
		       fr[0].name, fr[0].line);
	}
	symbols_free(s);

	/* The file with everything in it. */
	fuzz_file(&c, &im, "symtarget", sections);
	/* The split pair: the stripped file mutated (its debuglink too)
	   beside an intact debug file, then the debug file mutated beside
	   the intact stripped file. */
	fuzz_file(&c, &im_split, "symtarget-split", sections);
	write_file(out, im_split.buf, im_split.len);
	c.path = out_debug;
	fuzz_file(&c, &im_debug, "symtarget-split.debug", sections);

	unlink(out);
	unlink(out_debug);
	rmdir(dir);
	elf_end(elf);
	free(im.buf);
	free(im_split.buf);
	free(im_debug.buf);
	return tap_done();
}
