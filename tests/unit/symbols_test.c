/*
 * symbols.c against live processes: tests/symbols/symtarget (functions at
 * known lines, an inline chain, mangled names, a noreturn call ending a
 * function), its stripped copy, a deleted-then-replaced copy, and its IBT
 * build (PLT stubs, checked against objdump's names). The target prints its
 * addresses and line numbers; we read its maps and symbolize.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <gelf.h>
#include <libelf.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/auxv.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "attach/attach.h"
#include "attach/procfs.h"
#include "sampler/ehframe.h"
#include "sampler/symbols.h"
#include "tests/tap.h"

#define MAX_KEYS 64
#define MAX_FRAMES 8

struct target {
	pid_t pid;
	int in_fd;
	char *keys[MAX_KEYS];
	uint64_t vals[MAX_KEYS];
	int nkeys;
};

/* Starts path with pipes on stdin and stdout and reads its "key value"
 * lines up to "ready". Returns 0, or -1. */
static int
target_start(const char *path, struct target *t)
{
	int in[2], out[2];
	char line[256], key[64];
	unsigned long long val;
	FILE *f;

	memset(t, 0, sizeof(*t));
	if (pipe(in) != 0 || pipe(out) != 0)
		return -1;
	t->pid = fork();
	if (t->pid == 0) {
		dup2(in[0], 0);
		dup2(out[1], 1);
		close(in[1]);
		close(out[0]);
		execl(path, path, (char *)NULL);
		_exit(127);
	}
	close(in[0]);
	close(out[1]);
	t->in_fd = in[1];
	f = fdopen(out[0], "r");
	while (fgets(line, sizeof(line), f) != NULL &&
	       strcmp(line, "ready\n") != 0)
		if (sscanf(line, "%63s %lli", key, &val) == 2 &&
		    t->nkeys < MAX_KEYS) {
			t->keys[t->nkeys] = strdup(key);
			t->vals[t->nkeys++] = val;
		}
	fclose(f);
	return t->nkeys > 0 ? 0 : -1;
}

static uint64_t
target_get(const struct target *t, const char *key)
{
	for (int i = 0; i < t->nkeys; i++)
		if (strcmp(t->keys[i], key) == 0)
			return t->vals[i];
	printf("# target printed no %s\n", key);
	return 0;
}

static void
target_stop(struct target *t)
{
	close(t->in_fd);
	waitpid(t->pid, NULL, 0);
	for (int i = 0; i < t->nkeys; i++)
		free(t->keys[i]);
}

static struct symbols *
symbols_for(pid_t pid)
{
	struct procfs_maps maps;
	struct symbols *s = symbols_new(pid);

	if (procfs_read_maps(pid, &maps) != 0) {
		printf("# procfs_read_maps: %s\n", strerror(errno));
		return s;
	}
	symbols_set_maps(s, &maps);
	procfs_maps_free(&maps);
	return s;
}

static const char *
base_name(const char *path)
{
	const char *slash = path != NULL ? strrchr(path, '/') : NULL;

	return slash != NULL ? slash + 1 : path;
}

static bool
in_range(int v, int lo, int hi)
{
	return v >= lo && v <= hi;
}

static void
check_leaf(struct symbols *s, const struct target *t, const char *fn)
{
	struct symbols_frame fr[MAX_FRAMES];
	struct symbols_module mod;
	char b[64], e[64];
	int n = symbols_lookup(s, target_get(t, fn) + 4, false, fr, MAX_FRAMES,
			       &mod);
	int lo, hi;

	snprintf(b, sizeof(b), "%s_begin",
		 strncmp(fn, "global", 6) ? "leaf" : "global");
	snprintf(e, sizeof(e), "%s_end",
		 strncmp(fn, "global", 6) ? "leaf" : "global");
	lo = (int)target_get(t, b);
	hi = (int)target_get(t, e);
	tap_is_int(n, 1, "%s: one frame", fn);
	tap_is_str(fr[0].name, fn, "%s: name", fn);
	tap_is_str(base_name(fr[0].file), "symtarget.c", "%s: file", fn);
	tap_ok(in_range(fr[0].line, lo, hi), "%s: line %d in [%d, %d]", fn,
	       fr[0].line, lo, hi);
	tap_ok(in_range(fr[0].start_line, lo, hi), "%s: start line %d", fn,
	       fr[0].start_line);
	tap_is_str(base_name(mod.path), "symtarget", "%s: module", fn);
	tap_ok(mod.build_id != NULL && strlen(mod.build_id) == 40,
	       "%s: module build-id %s", fn, mod.build_id);
}

static void
check_inline(struct symbols *s, const struct target *t, const char *ra,
	     const char *caller, const char *call_line)
{
	struct symbols_frame fr[MAX_FRAMES];
	int n = symbols_lookup(s, target_get(t, ra), true, fr, MAX_FRAMES,
			       NULL);

	tap_is_int(n, 2, "%s: inline chain of 2", ra);
	tap_is_str(fr[0].name, "inl_hot", "%s: innermost is inl_hot", ra);
	tap_is_int(fr[0].line, target_get(t, "line_probe"),
		   "%s: inl_hot line is the probe call", ra);
	tap_ok(in_range(fr[0].start_line, target_get(t, "inl_begin"),
			target_get(t, "inl_end")),
	       "%s: inl_hot start line %d", ra, fr[0].start_line);
	tap_is_str(fr[1].name, caller, "%s: then %s", ra, caller);
	tap_is_int(fr[1].line, target_get(t, call_line),
		   "%s: %s line is its call of inl_hot", ra, caller);
	tap_is_str(base_name(fr[1].file), "symtarget.c", "%s: caller file", ra);

	/* max 1: the real function alone, in the only slot. */
	n = symbols_lookup(s, target_get(t, ra), true, fr, 1, NULL);
	tap_ok(n == 1 && strcmp(fr[0].name, caller) == 0,
	       "%s: max 1 keeps the real function", ra);
}

static void
check_return_boundary(struct symbols *s, const struct target *t)
{
	struct symbols_frame fr[MAX_FRAMES];
	uint64_t ra = target_get(t, "ra_end");
	int n = symbols_lookup(s, ra, true, fr, MAX_FRAMES, NULL);

	tap_is_str(fr[n - 1].name, "ends_with_call",
		   "return address past the end: pc - 1 names the caller");
	n = symbols_lookup(s, ra, false, fr, MAX_FRAMES, NULL);
	tap_ok(strcmp(fr[n - 1].name, "ends_with_call") != 0,
	       "the same address as a pc is not in ends_with_call (%s)",
	       fr[n - 1].name);
}

static void
check_demangled(struct symbols *s, const struct target *t)
{
	struct symbols_frame fr[MAX_FRAMES];
	int n = symbols_lookup(s, target_get(t, "cpp_method") + 1, false, fr,
			       MAX_FRAMES, NULL);

	tap_is_str(fr[n - 1].name, "foo::bar()", "C++ name demangled");
	tap_is_str(fr[n - 1].system_name, "_ZN3foo3barEv",
		   "system name stays mangled");
	n = symbols_lookup(s, target_get(t, "cpp_template") + 1, false, fr,
			   MAX_FRAMES, NULL);
	tap_is_str(fr[n - 1].name, "void outer::inner::baz<int>(int)",
		   "C++ template name demangled");
}

static void
check_libc(struct symbols *s, const struct target *t)
{
	struct symbols_frame fr[MAX_FRAMES];
	struct symbols_module mod;
	char dbg[256];
	int n = symbols_lookup(s, target_get(t, "read") + 1, false, fr,
			       MAX_FRAMES, &mod);

	/* The name perf and gdb print, not glibc's internal aliases
	 * (__GI___libc_read, __libc_malloc, ___pthread_mutex_lock). */
	tap_is_str(fr[n - 1].name, "read", "libc read is read");
	n = symbols_lookup(s, target_get(t, "malloc") + 1, false, fr,
			   MAX_FRAMES, NULL);
	tap_is_str(fr[n - 1].name, "malloc", "libc malloc is malloc");
	n = symbols_lookup(s, target_get(t, "pthread_mutex_lock") + 1, false,
			   fr, MAX_FRAMES, NULL);
	tap_is_str(fr[n - 1].name, "pthread_mutex_lock",
		   "libc pthread_mutex_lock is pthread_mutex_lock");
	n = symbols_lookup(s, target_get(t, "read") + 1, false, fr, MAX_FRAMES,
			   &mod);
	tap_ok(mod.path != NULL && strstr(mod.path, "/libc.so") != NULL,
	       "libc module %s", mod.path);
	tap_ok(mod.build_id != NULL, "libc build-id %s", mod.build_id);
	if (mod.build_id == NULL)
		return;
	snprintf(dbg, sizeof(dbg), "/usr/lib/debug/.build-id/%.2s/%s.debug",
		 mod.build_id, mod.build_id + 2);
	if (access(dbg, R_OK) != 0) {
		tap_skip("no separate debug info for libc (libc6-dbg)");
		return;
	}
	tap_ok(fr[n - 1].file != NULL && fr[n - 1].line > 0,
	       "libc line from separate debug info: %s:%d", fr[n - 1].file,
	       fr[n - 1].line);
}

/* The offset of symbol name in our own vdso (the same image as the
 * target's), or 0. */
static uint64_t
vdso_sym_offset(const char *name)
{
	const Elf64_Ehdr *eh = (const Elf64_Ehdr *)getauxval(AT_SYSINFO_EHDR);
	size_t size = eh->e_shoff + (size_t)eh->e_shnum * eh->e_shentsize;
	char *copy = malloc(size);
	Elf *elf;
	Elf_Scn *scn = NULL;
	uint64_t off = 0;

	memcpy(copy, eh, size);
	elf = elf_memory(copy, size);
	while ((scn = elf_nextscn(elf, scn)) != NULL) {
		GElf_Shdr sh;
		Elf_Data *d = elf_getdata(scn, NULL);
		GElf_Sym sym;

		if (gelf_getshdr(scn, &sh) == NULL || sh.sh_type != SHT_DYNSYM)
			continue;
		for (size_t i = 0; i < sh.sh_size / sh.sh_entsize; i++)
			if (gelf_getsym(d, (int)i, &sym) != NULL &&
			    strcmp(elf_strptr(elf, sh.sh_link, sym.st_name),
				   name) == 0)
				off = sym.st_value;
	}
	elf_end(elf);
	free(copy);
	return off;
}

/* Where pid's vdso is mapped, or 0. */
static uint64_t
vdso_start(pid_t pid)
{
	struct procfs_maps maps;
	uint64_t start = 0;

	if (procfs_read_maps(pid, &maps) == 0)
		for (size_t i = 0; i < maps.n; i++)
			if (strcmp(maps.maps[i].path, "[vdso]") == 0)
				start = maps.maps[i].start;
	procfs_maps_free(&maps);
	return start;
}

static void
check_vdso(struct symbols *s, pid_t pid)
{
	struct symbols_frame fr[MAX_FRAMES];
	struct symbols_module mod;
	uint64_t start = vdso_start(pid),
		 off = vdso_sym_offset("__vdso_clock_gettime");
	int n;

	if (start == 0 || off == 0) {
		tap_skip("no vdso");
		return;
	}
	n = symbols_lookup(s, start + off + 1, false, fr, MAX_FRAMES, &mod);
	tap_is_str(fr[n - 1].name, "__vdso_clock_gettime", "vdso symbol");
	tap_is_str(mod.path, "[vdso]", "vdso module");
	n = symbols_lookup(s, start + 1, false, fr, MAX_FRAMES, &mod);
	tap_is_str(fr[0].name, "[vdso]+0x1", "vdso header is [vdso]+0x1");
}

/*
 * symbols_image() at a, the unwinder's facts of a's object file: a inside
 * the PT_LOAD span, and the .eh_frame_hdr it names, read from the target's
 * memory, decodes to the same table, whose entries cover a.
 */
static void
check_image(struct symbols *s, pid_t pid, uint64_t a, const char *what)
{
	struct symbols_image img;
	struct ehframe_hdr h;
	uint8_t hdr[4 + 8 + 8], *table;
	size_t len;
	long i;

	if (!symbols_image(s, a, &img)) {
		tap_ok(0, "%s: symbols_image finds its file", what);
		return;
	}
	tap_ok(img.start <= a && a < img.end && img.eh_hdr >= img.start &&
		       img.eh_hdr < img.end,
	       "%s: image [%#jx, %#jx) holds it and its .eh_frame_hdr", what,
	       (uintmax_t)img.start, (uintmax_t)img.end);
	tap_ok(attach_read_pid(pid, img.eh_hdr, hdr, sizeof(hdr)) ==
			       (ssize_t)sizeof(hdr) &&
		       ehframe_hdr_parse(hdr, sizeof(hdr), &h) == 0 &&
		       img.eh_table == img.eh_hdr + h.table_off &&
		       img.eh_count == h.count && h.count > 0 &&
		       h.count < 1000000,
	       "%s: the header in memory says %ju entries at %#jx", what,
	       (uintmax_t)img.eh_count, (uintmax_t)img.eh_table);
	len = (size_t)img.eh_count * EHFRAME_ENTRY;
	table = malloc(len);
	i = table != NULL && img.eh_count < 1000000 &&
			    attach_read_pid(pid, img.eh_table, table, len) ==
				    (ssize_t)len
		    ? ehframe_table_find(table, img.eh_count, img.eh_hdr, a)
		    : -1;
	tap_ok(i >= 0 && ehframe_table_loc(table, img.eh_hdr, (size_t)i) >=
				 img.start,
	       "%s: an FDE of the table starts at or before it", what);
	free(table);
}

/*
 * symbols_file_read() of the page at a (each read-only mapping named in
 * pages[], its page read from the target's memory while it ran) gives the
 * same bytes after the target has ended, when its memory cannot be read;
 * a range past its mapping, or in none, is refused.
 */
struct file_page {
	const char *what;
	uint64_t addr;
	uint8_t mem[4096];
	bool read;
};

static void
file_pages_read(pid_t pid, struct file_page *p, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		p[i].addr &= ~(uint64_t)4095;
		p[i].read = attach_read_pid(pid, p[i].addr, p[i].mem,
					    sizeof(p[i].mem)) ==
			    (ssize_t)sizeof(p[i].mem);
	}
}

static void
check_file_read(struct symbols *s, pid_t gone, struct file_page *p, size_t n)
{
	uint8_t buf[4096];
	struct procfs_maps maps = {0};
	const struct procfs_map *m;

	tap_ok(attach_read_pid(gone, p[0].addr, buf, sizeof(buf)) < 0,
	       "the ended target's memory cannot be read");
	for (size_t i = 0; i < n; i++)
		tap_ok(p[i].read &&
			       symbols_file_read(s, p[i].addr, buf,
						 sizeof(buf)) &&
			       memcmp(buf, p[i].mem, sizeof(buf)) == 0,
		       "%s: the page at %#jx read from its file is the one "
		       "its memory held",
		       p[i].what, (uintmax_t)p[i].addr);
	/* the symbolizer's maps are the target's last ones: its own copy */
	if (procfs_read_maps(getpid(), &maps) == 0 &&
	    (m = procfs_maps_find(&maps, (uint64_t)(uintptr_t)&buf)) != NULL)
		tap_ok(!symbols_file_read(s, m->start, buf, 16),
		       "an address in no module of the target is refused");
	procfs_maps_free(&maps);
}

/*
 * symbols_prepare() while the target runs opens the files that a lookup
 * after it ended names from (what sampler/heapprof.c does); without it
 * the lookups after the end find no file (the control: the check can
 * fail). libc's debug file would be found under / either way: its search
 * in the target's root matters for a target in a container only.
 */
static void
check_prepared(const char *path)
{
	struct symbols_frame fr[MAX_FRAMES];
	struct symbols_module mod;
	char dbg[256];
	bool dbg_ok = false;

	for (int prepare = 1; prepare >= 0; prepare--) {
		struct target t;
		struct symbols *s;
		uint64_t leaf, rd;
		int n;

		if (target_start(path, &t) != 0) {
			tap_ok(0, "start %s", path);
			return;
		}
		s = symbols_for(t.pid);
		leaf = target_get(&t, "static_leaf") + 4;
		rd = target_get(&t, "read") + 1;
		if (prepare)
			tap_ok(symbols_prepare(s, leaf) &&
				       symbols_prepare(s, rd),
			       "symbols_prepare() finds both modules");
		target_stop(&t);
		n = symbols_lookup(s, leaf, false, fr, MAX_FRAMES, NULL);
		if (prepare)
			tap_ok(strcmp(fr[n - 1].name, "static_leaf") == 0 &&
				       fr[n - 1].line > 0,
			       "prepared, the ended target's binary is named "
			       "with lines: %s:%d",
			       fr[n - 1].name, fr[n - 1].line);
		else
			tap_ok(strcmp(fr[n - 1].name, "static_leaf") != 0,
			       "not prepared, it is not (%s): the check can "
			       "fail",
			       fr[n - 1].name);
		n = symbols_lookup(s, rd, false, fr, MAX_FRAMES, &mod);
		if (prepare && mod.build_id != NULL) {
			snprintf(dbg, sizeof(dbg),
				 "/usr/lib/debug/.build-id/%.2s/%s.debug",
				 mod.build_id, mod.build_id + 2);
			dbg_ok = access(dbg, R_OK) == 0;
		}
		if (prepare && dbg_ok)
			tap_ok(strcmp(fr[n - 1].name, "read") == 0 &&
				       fr[n - 1].line > 0,
			       "prepared, the ended target's libc is named "
			       "from its debug file: %s:%d",
			       fr[n - 1].name, fr[n - 1].line);
		else if (prepare)
			tap_skip("no separate debug info for libc (libc6-dbg)");
		symbols_free(s);
	}
}

static void
check_unknown(struct symbols *s)
{
	struct symbols_frame fr[MAX_FRAMES];
	struct symbols_module mod;
	int n = symbols_lookup(s, 0x10, false, fr, MAX_FRAMES, &mod);

	tap_ok(n == 1 && strcmp(fr[0].name, "[unknown]") == 0 &&
		       mod.path == NULL,
	       "an address in no module is [unknown]");
}

/* A PLT stub as objdump labels it, in the section it lies in. */
struct plt_stub {
	uint64_t addr;
	char name[128];
	char sec[16];
};

/* Reads objdump's "<NAME@plt>:" labels of path's PLT sections into
 * stubs[0..max) and the start of .plt into *plt0. Returns the count, or -1
 * without objdump. */
static int
objdump_plt(const char *path, struct plt_stub *stubs, int max, uint64_t *plt0)
{
	char cmd[1200], line[512], sec[16] = "", name[128];
	unsigned long long addr;
	FILE *f;
	int n = 0;

	snprintf(cmd, sizeof(cmd),
		 "objdump -d -j .plt -j .plt.sec -j .plt.got '%s' 2>/dev/null",
		 path);
	f = popen(cmd, "r");
	*plt0 = 0;
	while (f != NULL && fgets(line, sizeof(line), f) != NULL) {
		size_t len;

		if (sscanf(line, "Disassembly of section %15[^:]:", sec) == 1)
			continue;
		if (sscanf(line, "%llx <%127[^>]>:", &addr, name) != 2)
			continue;
		if (strcmp(sec, ".plt") == 0 && *plt0 == 0)
			*plt0 = addr;
		len = strlen(name);
		if (len < 4 || strcmp(name + len - 4, "@plt") != 0 || n == max)
			continue;
		stubs[n].addr = addr;
		snprintf(stubs[n].name, sizeof(stubs[n].name), "%s", name);
		snprintf(stubs[n].sec, sizeof(stubs[n].sec), "%s", sec);
		n++;
	}
	if (f == NULL || pclose(f) == -1 || n == 0)
		return -1;
	return n;
}

/* The load bias of the module whose path ends in suffix: its offset-0
 * mapping's start less its first PT_LOAD's page. Stores its path. */
static uint64_t
module_bias(pid_t pid, const char *suffix, char *path, size_t len)
{
	struct procfs_maps maps;
	uint64_t start = 0, vaddr = 0;
	size_t slen = strlen(suffix), n;
	GElf_Phdr ph;
	Elf *elf;
	int fd;

	path[0] = '\0';
	if (procfs_read_maps(pid, &maps) != 0)
		return 0;
	for (size_t i = 0; i < maps.n && start == 0; i++) {
		const struct procfs_map *m = &maps.maps[i];
		size_t plen = strlen(m->path);

		if (m->offset == 0 && plen >= slen &&
		    strcmp(m->path + plen - slen, suffix) == 0) {
			start = m->start;
			snprintf(path, len, "%s", m->path);
		}
	}
	procfs_maps_free(&maps);
	fd = open(path, O_RDONLY);
	elf = fd >= 0 ? elf_begin(fd, ELF_C_READ, NULL) : NULL;
	for (size_t i = 0; elf != NULL && elf_getphdrnum(elf, &n) == 0 && i < n;
	     i++)
		if (gelf_getphdr(elf, (int)i, &ph) != NULL &&
		    ph.p_type == PT_LOAD) {
			vaddr = ph.p_vaddr & ~(uint64_t)0xfff;
			break;
		}
	elf_end(elf);
	if (fd >= 0)
		close(fd);
	return start - vaddr;
}

/* Whether path's .dynsym has an IFUNC named name (its length len) whose
 * value, the resolver, is value. */
static bool
dynsym_ifunc(const char *path, const char *name, size_t len, uint64_t value)
{
	int fd = open(path, O_RDONLY);
	Elf *elf = fd >= 0 ? elf_begin(fd, ELF_C_READ, NULL) : NULL;
	Elf_Scn *scn = NULL;
	bool found = false;

	while (elf != NULL && (scn = elf_nextscn(elf, scn)) != NULL) {
		GElf_Shdr sh;
		Elf_Data *d = elf_getdata(scn, NULL);
		GElf_Sym sym;

		if (gelf_getshdr(scn, &sh) == NULL || sh.sh_type != SHT_DYNSYM)
			continue;
		for (size_t i = 0; i < sh.sh_size / sh.sh_entsize; i++) {
			const char *n;

			if (gelf_getsym(d, (int)i, &sym) == NULL ||
			    GELF_ST_TYPE(sym.st_info) != STT_GNU_IFUNC ||
			    sym.st_value != value)
				continue;
			n = elf_strptr(elf, sh.sh_link, sym.st_name);
			found |= strlen(n) == len && strncmp(n, name, len) == 0;
		}
	}
	elf_end(elf);
	if (fd >= 0)
		close(fd);
	return found;
}

/*
 * Whether the stub at pc is named as objdump's label, as name and system
 * name, with no source position. For an IFUNC stub objdump says
 * "*ABS*+0xRESOLVER@plt": we name it after an IFUNC of path at RESOLVER.
 */
static bool
plt_named(struct symbols *s, uint64_t pc, const char *label, const char *path)
{
	struct symbols_frame fr[MAX_FRAMES];
	int n = symbols_lookup(s, pc, false, fr, MAX_FRAMES, NULL);
	unsigned long long resolver;
	size_t len = strlen(fr[0].name);
	bool ok = n == 1 && strcmp(fr[0].name, fr[0].system_name) == 0 &&
		  fr[0].file == NULL && fr[0].line == 0;

	if (sscanf(label, "*ABS*+%llx@plt", &resolver) == 1)
		ok = ok && len > 4 &&
		     strcmp(fr[0].name + len - 4, "@plt") == 0 &&
		     dynsym_ifunc(path, fr[0].name, len - 4, resolver);
	else
		ok = ok && strcmp(fr[0].name, label) == 0;
	if (!ok)
		printf("# %#jx: want %s, got %s (%s)\n", (uintmax_t)pc, label,
		       fr[0].name, fr[0].system_name);
	return ok;
}

/*
 * Every PLT stub objdump labels in the module of pid whose path ends in
 * suffix (at its start and inside it) is named as objdump names it; PLT0
 * is "basename@plt"; with .plt.sec, lazy stub i + 1 of .plt is named as
 * .plt.sec's stub i. Returns the number of .plt.sec stubs.
 */
static int
check_plt(struct symbols *s, pid_t pid, const char *suffix)
{
	struct plt_stub stubs[256];
	char path[1024], plt0_name[256];
	uint64_t bias = module_bias(pid, suffix, path, sizeof(path)), plt0;
	int n = objdump_plt(path, stubs, 256, &plt0), bad = 0, nsec = 0;

	if (n < 0) {
		tap_skip("objdump missing or no PLT stubs");
		return 0;
	}
	for (int i = 0; i < n; i++) {
		const char *label = stubs[i].name;

		bad += !plt_named(s, bias + stubs[i].addr, label, path);
		bad += !plt_named(s, bias + stubs[i].addr + 4, label, path);
		if (strcmp(stubs[i].sec, ".plt.sec") == 0)
			bad += !plt_named(s, bias + plt0 + 16 * ++nsec + 4,
					  label, path);
	}
	tap_ok(n >= 3 && bad == 0, "%s: %d PLT stubs named as objdump does",
	       suffix, n);
	snprintf(plt0_name, sizeof(plt0_name), "%s@plt", base_name(path));
	tap_ok(plt0 != 0 && plt_named(s, bias + plt0 + 8, plt0_name, path),
	       "%s: PLT0 is %s", suffix, plt0_name);
	return nsec;
}

/* The IBT build's .plt.sec and 16-byte .plt.got stubs. */
static void
check_plt_ibt(const char *path)
{
	struct target t;
	struct symbols *s;
	int nsec;

	if (target_start(path, &t) != 0) {
		tap_ok(0, "start %s", path);
		return;
	}
	s = symbols_for(t.pid);
	nsec = check_plt(s, t.pid, "/symtarget-ibt");
	if (nsec == 0)
		tap_skip("symtarget-ibt has no .plt.sec (no -z ibtplt)");
	else
		tap_ok(nsec >= 3, "symtarget-ibt: %d .plt.sec stubs", nsec);
	symbols_free(s);
	target_stop(&t);
}

static double
now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e9 + ts.tv_nsec;
}

/* Lookups of cached files: prints the cost per lookup. */
static void
check_cost(struct symbols *s, const struct target *t, const char *label)
{
	const char *what[3] = {"static_leaf", "ra_one", "read"};
	struct symbols_frame fr[MAX_FRAMES];
	const int rounds = 5000;

	for (int w = 0; w < 3; w++) {
		uint64_t a = target_get(t, what[w]);
		double t0 = now_ns(), per;

		for (int i = 0; i < rounds; i++)
			symbols_lookup(s, a + 1 + i % 4, false, fr, MAX_FRAMES,
				       NULL);
		per = (now_ns() - t0) / rounds;
		tap_ok(per < 250e3,
		       "%s %s: lookup costs under 250 us (%.0f ns)", label,
		       what[w], per);
	}
}

/* The name of static_leaf + 4 in the stripped copy (not in .dynsym): the
 * start of static_leaf, as .eh_frame gives it. */
static void
check_stripped(const char *path, char *name, size_t len, bool measure)
{
	struct target t;
	struct symbols *s;
	struct symbols_frame fr[MAX_FRAMES];
	struct symbols_module mod;
	char want[128];
	uint64_t a;
	int n;

	if (target_start(path, &t) != 0) {
		tap_ok(0, "start %s", path);
		return;
	}
	s = symbols_for(t.pid);
	a = target_get(&t, "static_leaf");
	n = symbols_lookup(s, a + 4, false, fr, MAX_FRAMES, &mod);
	/* A PIE linked at 0 whose first mapping has offset 0: vaddr = a -
	 * start. */
	snprintf(want, sizeof(want), "symtarget-stripped+%#jx",
		 (uintmax_t)(a - mod.start));
	tap_ok(n == 1 && strcmp(fr[0].name, want) == 0 && fr[0].file == NULL,
	       "stripped static function is %s (got %s)", want, fr[0].name);
	snprintf(name, len, "%s", fr[0].name);
	n = symbols_lookup(s, a + 1, false, fr, MAX_FRAMES, NULL);
	tap_ok(n == 1 && strcmp(fr[0].name, name) == 0,
	       "stripped: static_leaf + 1 and + 4 have one name (%s, %s)",
	       fr[0].name, name);
	n = symbols_lookup(s, target_get(&t, "global_leaf") + 4, false, fr,
			   MAX_FRAMES, NULL);
	tap_is_str(fr[0].name, "global_leaf", "stripped: .dynsym name");
	n = symbols_lookup(s, target_get(&t, "ra_one"), true, fr, MAX_FRAMES,
			   NULL);
	tap_ok(n == 1 && strcmp(fr[0].name, "caller_one") == 0,
	       "stripped: inlined code named by its real function");
	n = symbols_lookup(s, target_get(&t, "ra_end"), false, fr, MAX_FRAMES,
			   NULL);
	tap_ok(strncmp(fr[0].name, "symtarget-stripped+0x", 21) == 0,
	       "stripped: padding after a function is not named (%s)",
	       fr[0].name);
	check_demangled(s, &t);
	check_image(s, t.pid, a + 4, "stripped");
	if (measure)
		check_cost(s, &t, "stripped");
	symbols_free(s);
	target_stop(&t);
}

/* Runs a copy of the target, then replaces the copy's file by the stripped
 * one: symbols must come from the mapped (deleted) file. */
static void
check_replaced(const char *path, const char *stripped)
{
	char tmp[] = "/tmp/symtarget-XXXXXX";
	char cmd[4096];
	struct target t;
	struct symbols *s;
	struct symbols_frame fr[MAX_FRAMES];
	int fd = mkstemp(tmp), n;

	close(fd);
	snprintf(cmd, sizeof(cmd), "cp '%s' '%s' && chmod +x '%s'", path, tmp,
		 tmp);
	if (system(cmd) != 0 || target_start(tmp, &t) != 0) {
		tap_ok(0, "start a copy of the target");
		unlink(tmp);
		return;
	}
	snprintf(cmd, sizeof(cmd), "cp '%s' '%s.new' && mv '%s.new' '%s'",
		 stripped, tmp, tmp, tmp);
	tap_ok(system(cmd) == 0, "replace the running binary");
	s = symbols_for(t.pid);
	n = symbols_lookup(s, target_get(&t, "static_leaf") + 4, false, fr,
			   MAX_FRAMES, NULL);
	tap_ok(n == 1 && strcmp(fr[0].name, "static_leaf") == 0 &&
		       fr[0].line > 0,
	       "replaced binary read through map_files (%s:%d)", fr[0].name,
	       fr[0].line);
	symbols_free(s);
	target_stop(&t);
	unlink(tmp);
}

int
main(void)
{
	const char *top = getenv("top_builddir");
	char path[1024], stripped[1024], name1[128], name2[128];
	struct target t;
	struct symbols *s, *like;
	struct symbols_frame fr[MAX_FRAMES];
	struct procfs_maps maps;
	const char *before;
	static struct file_page file_pages[3] = {
		{.what = "symtarget"}, {.what = "libc"}, {.what = "vdso"}};

	snprintf(path, sizeof(path), "%s/tests/symbols/symtarget",
		 top ? top : ".");
	snprintf(stripped, sizeof(stripped),
		 "%s/tests/symbols/symtarget-stripped", top ? top : ".");
	signal(SIGPIPE, SIG_IGN);
	if (target_start(path, &t) != 0) {
		tap_ok(0, "start %s", path);
		return tap_done();
	}
	s = symbols_for(t.pid);
	check_leaf(s, &t, "static_leaf");
	check_leaf(s, &t, "global_leaf");
	check_inline(s, &t, "ra_one", "caller_one", "line_call_one");
	check_inline(s, &t, "ra_two", "caller_two", "line_call_two");
	check_return_boundary(s, &t);
	check_demangled(s, &t);
	check_libc(s, &t);
	check_vdso(s, t.pid);
	check_image(s, t.pid, target_get(&t, "static_leaf") + 4, "symtarget");
	check_image(s, t.pid, target_get(&t, "read") + 1, "libc");
	check_unknown(s);
	check_plt(s, t.pid, "/symtarget");
	check_plt(s, t.pid, "/libc.so.6");
	file_pages[0].addr = target_get(&t, "static_leaf");
	file_pages[1].addr = target_get(&t, "read");
	file_pages[2].addr = vdso_start(t.pid);
	file_pages_read(t.pid, file_pages, 3);

	/* New maps, same files: cached strings stay and are reused. */
	symbols_lookup(s, target_get(&t, "static_leaf") + 4, false, fr, 1,
		       NULL);
	before = fr[0].name;
	if (procfs_read_maps(t.pid, &maps) == 0) {
		symbols_set_maps(s, &maps);
		procfs_maps_free(&maps);
	}
	symbols_lookup(s, target_get(&t, "static_leaf") + 4, false, fr, 1,
		       NULL);
	tap_ok(fr[0].name == before && strcmp(before, "static_leaf") == 0,
	       "after set_maps the cached file is reused");
	check_cost(s, &t, "symtarget");

	/* A followed child's cache shares the files: the same file found,
	   not loaded again, and it outlives the target's cache. */
	like = symbols_new_like(t.pid, s);
	if (procfs_read_maps(t.pid, &maps) == 0) {
		symbols_set_maps(like, &maps);
		procfs_maps_free(&maps);
	}
	symbols_lookup(like, target_get(&t, "static_leaf") + 4, false, fr, 1,
		       NULL);
	tap_ok(fr[0].name == before, "a cache made like another shares its "
				     "files and names");
	symbols_free(s);
	symbols_lookup(like, target_get(&t, "global_leaf") + 4, false, fr, 1,
		       NULL);
	tap_is_str(fr[0].name, "global_leaf",
		   "it looks up on after the other is freed");
	/* each module looked up once while the target runs (what the
	   unwinder does first): its file is then open */
	for (int i = 0; i < 3; i++)
		symbols_lookup(like, file_pages[i].addr + 1, false, fr, 1,
			       NULL);
	target_stop(&t);
	check_file_read(like, t.pid, file_pages, 3);
	symbols_free(like);

	check_prepared(path);
	check_stripped(stripped, name1, sizeof(name1), true);
	check_stripped(stripped, name2, sizeof(name2), false);
	tap_is_str(name2, name1, "stripped offsets are the same across runs");
	check_replaced(path, stripped);
	snprintf(path, sizeof(path), "%s/tests/symbols/symtarget-ibt",
		 top ? top : ".");
	check_plt_ibt(path);

	snprintf(path, sizeof(path), "%s/tests/symbols/symtarget-noaranges",
		 top ? top : ".");
	if (target_start(path, &t) != 0) {
		tap_ok(0, "start %s", path);
		return tap_done();
	}
	s = symbols_for(t.pid);
	check_inline(s, &t, "ra_one", "caller_one", "line_call_one");
	symbols_free(s);
	target_stop(&t);
	return tap_done();
}
