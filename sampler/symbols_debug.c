#include "config.h"

#include "sampler/symbols_int.h"

#include <elfutils/libdwelf.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "attach/rootfs.h"
#include "sampler/debugfetch.h"

/*
 * Separate debug info: on disk (/usr/lib/debug/.build-id, .gnu_debuglink)
 * when a file is opened, and from debuginfod servers in the background
 * (sampler/debugfetch.h) for files still without DWARF.
 */

bool
symbols_has_debug_info(Elf *elf)
{
	GElf_Shdr sh;
	Elf_Scn *scn = symbols_find_section(elf, ".debug_info", &sh);

	return scn != NULL && sh.sh_type != SHT_NOBITS;
}

int
symbols_open_regular(const char *path)
{
	struct stat st;
	int fd;

	if (stat(path, &st) != 0 || !S_ISREG(st.st_mode))
		return -1;
	fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOCTTY);
	if (fd >= 0 && (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode))) {
		close(fd);
		fd = -1;
	}
	return fd;
}

int
symbols_open_in(const char *root, const char *path)
{
	int dir = open(root, O_RDONLY | O_DIRECTORY | O_CLOEXEC), fd;

	if (dir < 0)
		return -1;
	while (*path == '/')
		path++;
	fd = rootfs_open_regular(dir, path);
	close(dir);
	return fd;
}

/* Keeps elf (NULL: none) as debug info for f when it has DWARF and f's
   build-id; else ends it. */
static Elf *
symbols_debug_elf(struct symbols *s, struct symbols_file *f, Elf *elf)
{
	if (elf == NULL)
		return NULL;
	if (!symbols_has_debug_info(elf) ||
	    (f->build_id != NULL && symbols_build_id(s, elf) != f->build_id)) {
		elf_end(elf);
		return NULL;
	}
	return elf;
}

/* Opens path (one cproftop chose: debuginfod's cache) as debug info for f. */
static Elf *
symbols_try_debug(struct symbols *s, struct symbols_file *f, const char *path)
{
	int fd = symbols_open_regular(path);

	return symbols_debug_elf(s, f, fd < 0 ? NULL : symbols_elf_fd(fd));
}

/* Opens path inside root (symbols_open_in()) as debug info for f. */
static Elf *
symbols_try_debug_in(struct symbols *s, struct symbols_file *f,
		     const char *root, const char *path)
{
	int fd = symbols_open_in(root, path);

	return symbols_debug_elf(s, f, fd < 0 ? NULL : symbols_elf_fd(fd));
}

/*
 * Whether a .gnu_debuglink name is a plain file name, as linkers and
 * objcopy write it. The target's ELF is hostile: "../../x" or "a/b" would
 * reach files the lookup never meant to read.
 */
static bool
symbols_link_ok(const char *link)
{
	return link[0] != '\0' && strchr(link, '/') == NULL &&
	       strcmp(link, ".") != 0 && strcmp(link, "..") != 0;
}

/*
 * Separate debug info of f (mapped at path in the target, NULL for the
 * vdso): /usr/lib/debug/.build-id/xx/yyyy.debug, then .gnu_debuglink in
 * the file's directory, its .debug/ and /usr/lib/debug/<dir>/; each first
 * under /proc/PID/root, then under /, resolved inside that root (symlinks
 * and ".." stay in it: attach/rootfs.c). The CRC is not checked: the
 * build-id is when there is one. A debuglink name that is not a plain
 * file name is ignored.
 */
Elf *
symbols_find_debug(struct symbols *s, struct symbols_file *f, const char *path)
{
	char root[64], buf[PATH_MAX];
	const char *roots[2] = {root, "/"};
	const char *link, *slash;
	GElf_Word crc;
	Elf *elf = NULL;

	snprintf(root, sizeof(root), "/proc/%d/root", (int)s->pid);
	for (int r = 0; r < 2 && elf == NULL && f->build_id != NULL; r++) {
		snprintf(buf, sizeof(buf),
			 "usr/lib/debug/.build-id/%.2s/%s.debug", f->build_id,
			 f->build_id + 2);
		elf = symbols_try_debug_in(s, f, roots[r], buf);
	}
	link = dwelf_elf_gnu_debuglink(f->elf, &crc);
	slash = path != NULL ? strrchr(path, '/') : NULL;
	if (link == NULL || slash == NULL || !symbols_link_ok(link))
		return elf;
	for (int r = 0; r < 2 && elf == NULL; r++) {
		int dlen = (int)(slash - path);
		const char *pre[3] = {"", "", "/usr/lib/debug"};
		const char *post[3] = {"", "/.debug", ""};

		for (int i = 0; i < 3 && elf == NULL; i++) {
			snprintf(buf, sizeof(buf), "%s%.*s%s/%s", pre[i], dlen,
				 path, post[i], link);
			elf = symbols_try_debug_in(s, f, roots[r], buf);
		}
	}
	return elf;
}

/* Asks debuginfod for f's debug info when it has none on disk. */
void
symbols_fetch_debug(struct symbols *s, const struct symbols_file *f)
{
	if (s->fetch != NULL && f->dwarf == NULL && f->build_id != NULL)
		debugfetch_request(s->fetch, f->build_id);
}

/* Gives the files of build_id the debug file at path; true if any took it. */
static bool
symbols_fetched(struct symbols *s, const char *build_id, const char *path)
{
	bool changed = false;

	for (struct symbols_file *f = s->lib->files; f != NULL; f = f->next) {
		Elf *debug;

		if (f->build_id != build_id || !f->names_loaded ||
		    f->dwarf != NULL ||
		    (debug = symbols_try_debug(s, f, path)) == NULL)
			continue;
		if (f->debug_elf != NULL)
			elf_end(f->debug_elf);
		f->debug_elf = debug;
		f->dwarf = dwarf_begin_elf(debug, DWARF_C_READ, NULL);
		free(f->syms); /* its .symtab may be there */
		f->syms = NULL;
		f->nsyms = 0;
		symbols_load_syms(f);
		changed = true;
	}
	return changed;
}

/* Takes the finished debuginfod fetches: see symbols.h. */
bool
symbols_poll_fetches(struct symbols *s, size_t *pending, size_t *failed)
{
	char *build_id, *path;
	bool changed = false;

	*pending = *failed = 0;
	if (s->fetch == NULL)
		return false;
	while (debugfetch_take(s->fetch, &build_id, &path)) {
		if (path != NULL)
			changed |= symbols_fetched(
				s, symbols_intern(s, build_id), path);
		free(build_id);
		free(path);
	}
	debugfetch_counts(s->fetch, pending, failed);
	return changed;
}
