#include "config.h"

#include "sampler/perfmap.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/fsuid.h>
#include <sys/types.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/array.h"
#include "common/log.h"
#include "common/sorted.h"
#include "common/xmalloc.h"

/* A parsed line before overlaps are resolved. */
struct perfmap_line {
	uint64_t start, end;
	size_t seq, name; /* line number; offset of its name in names */
};

static int
perfmap_line_cmp(const void *pa, const void *pb)
{
	const struct perfmap_line *a = pa, *b = pb;

	if (a->start != b->start)
		return a->start < b->start ? -1 : 1;
	return a->seq < b->seq ? -1 : a->seq > b->seq;
}

/* Reads a hex number of at most 16 digits at *p. */
static bool
perfmap_hex(const char **p, const char *end, uint64_t *v)
{
	const char *s = *p;
	uint64_t r = 0;
	int digits = 0;

	if (end - s >= 2 && s[0] == '0' && (s[1] == 'x' || s[1] == 'X'))
		s += 2;
	for (; s < end && digits <= 16; s++, digits++) {
		int d;

		if (*s >= '0' && *s <= '9')
			d = *s - '0';
		else if (*s >= 'a' && *s <= 'f')
			d = *s - 'a' + 10;
		else if (*s >= 'A' && *s <= 'F')
			d = *s - 'A' + 10;
		else
			break;
		r = r << 4 | (uint64_t)d;
	}
	if (digits == 0 || digits > 16)
		return false;
	*p = s;
	*v = r;
	return true;
}

/* Parses one line [p, end): "START SIZE name". */
static bool
perfmap_parse_line(const char *p, const char *end, struct perfmap_line *l,
		   const char **name, size_t *name_len)
{
	uint64_t size;

	if (!perfmap_hex(&p, end, &l->start) || p >= end || *p != ' ')
		return false;
	p++;
	if (!perfmap_hex(&p, end, &size) || p >= end || *p != ' ' ||
	    size == 0 || l->start > UINT64_MAX - size)
		return false;
	p++;
	while (end > p && (end[-1] == '\r' || end[-1] == ' '))
		end--;
	if (p == end)
		return false;
	l->end = l->start + size;
	*name = p;
	*name_len = (size_t)(end - p);
	if (*name_len > PERFMAP_MAX_NAME)
		*name_len = PERFMAP_MAX_NAME;
	return true;
}

/*
 * Resolves overlaps of lines sorted by start, in place: where two overlap
 * the later line (higher seq) keeps the shared bytes, the other keeps
 * what lies before (or after) it. Returns the number of lines kept.
 */
static size_t
perfmap_resolve(struct perfmap_line *lines, size_t n)
{
	size_t out = 0;

	for (size_t i = 0; i < n; i++) {
		struct perfmap_line l = lines[i];

		while (out > 0 && lines[out - 1].end > l.start &&
		       l.start < l.end) {
			struct perfmap_line *last = &lines[out - 1];

			if (l.seq > last->seq) {
				if (last->start < l.start) {
					last->end = l.start;
					break;
				}
				out--; /* covered from its start */
			} else {
				l.start = last->end < l.end ? last->end : l.end;
				break;
			}
		}
		if (l.start < l.end)
			lines[out++] = l;
	}
	return out;
}

size_t
perfmap_parse(const char *buf, size_t len, struct perfmap *pm)
{
	struct perfmap_line *lines = NULL;
	size_t n = 0, cap = 0, names_len = 0, names_cap = 0;
	const char *p = buf, *end = buf + len;

	perfmap_free(pm);
	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		const char *eol = nl != NULL ? nl : end;
		const char *name;
		size_t name_len;
		struct perfmap_line l = {.seq = n};

		if (perfmap_parse_line(p, eol, &l, &name, &name_len)) {
			ARRAY_RESERVE(lines, cap, n + 1);
			ARRAY_RESERVE(pm->names, names_cap,
				      names_len + name_len + 1);
			memcpy(pm->names + names_len, name, name_len);
			pm->names[names_len + name_len] = '\0';
			for (size_t i = 0; i < name_len; i++)
				if (pm->names[names_len + i] == '\0')
					pm->names[names_len + i] = '?';
			l.name = names_len;
			names_len += name_len + 1;
			lines[n++] = l;
		}
		p = eol + 1;
	}
	if (n > 0)
		qsort(lines, n, sizeof(*lines), perfmap_line_cmp);
	n = perfmap_resolve(lines, n);
	pm->entries = xcalloc(n ? n : 1, sizeof(*pm->entries));
	for (size_t i = 0; i < n; i++)
		pm->entries[i] =
			(struct perfmap_entry){lines[i].start, lines[i].end,
					       pm->names + lines[i].name};
	pm->n = n;
	free(lines);
	return pm->n;
}

#define PERFMAP_ENTRY_CMP(e, x) SORTED_NUM((e)->start, (x))
SORTED_DEFINE(perfmap_entries, struct perfmap_entry, uint64_t,
	      PERFMAP_ENTRY_CMP)

const struct perfmap_entry *
perfmap_find(const struct perfmap *pm, uint64_t addr)
{
	size_t i = perfmap_entries_upper(pm->entries, pm->n, addr);

	if (i == 0 || addr >= pm->entries[i - 1].end)
		return NULL;
	return &pm->entries[i - 1];
}

void
perfmap_free(struct perfmap *pm)
{
	free(pm->entries);
	free(pm->names);
	pm->entries = NULL;
	pm->names = NULL;
	pm->n = 0;
}

/* The last NSpid and the effective uid and gid of pid, from its status. */
static int
perfmap_ids(pid_t pid, pid_t *nspid, uid_t *uid, gid_t *gid)
{
	char path[64], line[512];
	FILE *f;
	int got = 0;

	snprintf(path, sizeof(path), "/proc/%d/status", (int)pid);
	f = fopen(path, "re");
	if (f == NULL)
		return -1;
	*nspid = pid;
	while (fgets(line, sizeof(line), f) != NULL) {
		unsigned long a, b;

		if (sscanf(line, "Uid: %lu %lu", &a, &b) == 2) {
			*uid = (uid_t)b;
			got |= 1;
		} else if (sscanf(line, "Gid: %lu %lu", &a, &b) == 2) {
			*gid = (gid_t)b;
			got |= 2;
		} else if (strncmp(line, "NSpid:", 6) == 0) {
			char *last = strrchr(line, '\t');
			long v = last != NULL ? strtol(last + 1, NULL, 10) : 0;

			if (v > 0)
				*nspid = (pid_t)v;
		}
	}
	fclose(f);
	return got == 3 ? 0 : -1;
}

/* Opens path with uid and gid as file-system ids (this thread only). */
static int
perfmap_open_as(const char *path, uid_t uid, gid_t gid)
{
	uid_t old_uid = (uid_t)setfsuid(uid);
	gid_t old_gid = (gid_t)setfsgid(gid);
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK |
				    O_NOCTTY);
	int err = errno;

	setfsgid(old_gid);
	setfsuid(old_uid);
	errno = err;
	return fd;
}

int
perfmap_load(pid_t pid, struct perfmap *pm)
{
	char path[128];
	struct stat st;
	pid_t nspid;
	uid_t uid;
	gid_t gid;
	char *buf;
	size_t len = 0, want;
	int fd;

	if (perfmap_ids(pid, &nspid, &uid, &gid) < 0)
		return -1;
	snprintf(path, sizeof(path), "/proc/%d/root/tmp/perf-%d.map", (int)pid,
		 (int)nspid);
	fd = perfmap_open_as(path, uid, gid);
	if (fd < 0)
		return errno == ENOENT ? 0 : -1;
	if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode) ||
	    (st.st_uid != uid && st.st_uid != 0)) {
		log_debug("perfmap: %s is not a regular file of uid %u", path,
			  (unsigned)uid);
		close(fd);
		return -1;
	}
	if (st.st_size == pm->size &&
	    (int64_t)st.st_mtim.tv_sec * 1000000000 + st.st_mtim.tv_nsec ==
		    pm->mtime_ns) {
		close(fd);
		return 0;
	}
	want = (size_t)st.st_size < PERFMAP_MAX_BYTES ? (size_t)st.st_size
						      : PERFMAP_MAX_BYTES;
	buf = xmalloc(want + 1);
	while (len < want) {
		ssize_t r = read(fd, buf + len, want - len);

		if (r <= 0)
			break;
		len += (size_t)r;
	}
	/* A line being written is read at the next change. */
	while (len > 0 && buf[len - 1] != '\n')
		len--;
	close(fd);
	perfmap_parse(buf, len, pm);
	free(buf);
	pm->size = len == want ? st.st_size : (off_t)len;
	pm->mtime_ns =
		(int64_t)st.st_mtim.tv_sec * 1000000000 + st.st_mtim.tv_nsec;
	return 1;
}
