#include "config.h"

#include "attach/procfs.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common/array.h"
#include "common/sorted.h"
#include "common/xmalloc.h"

#define PROCFS_DELETED " (deleted)"

/*
 * A cursor over a buffer that need not be NUL-terminated: the maps parser
 * reads [p, end) and never past it.
 */
struct procfs_cur {
	const char *p, *end;
};

/* Parses hex digits at the cursor into *v. Returns 0, or -1 on none. */
static int
procfs_hex(struct procfs_cur *c, uint64_t *v)
{
	uint64_t x = 0;
	const char *start = c->p;

	for (; c->p < c->end; c->p++) {
		char ch = *c->p;
		unsigned d;

		if (ch >= '0' && ch <= '9')
			d = (unsigned)(ch - '0');
		else if (ch >= 'a' && ch <= 'f')
			d = (unsigned)(ch - 'a' + 10);
		else if (ch >= 'A' && ch <= 'F')
			d = (unsigned)(ch - 'A' + 10);
		else
			break;
		if (c->p - start >= 16)
			return -1;
		x = x << 4 | d;
	}
	*v = x;
	return c->p > start ? 0 : -1;
}

/* Parses decimal digits at the cursor into *v. Returns 0, or -1 on none. */
static int
procfs_dec(struct procfs_cur *c, uint64_t *v)
{
	uint64_t x = 0;
	const char *start = c->p;

	for (; c->p < c->end && *c->p >= '0' && *c->p <= '9'; c->p++) {
		if (c->p - start >= 19)
			return -1;
		x = x * 10 + (uint64_t)(*c->p - '0');
	}
	*v = x;
	return c->p > start ? 0 : -1;
}

/* Consumes the character ch. Returns 0, or -1 when another one is there. */
static int
procfs_expect(struct procfs_cur *c, char ch)
{
	if (c->p >= c->end || *c->p != ch)
		return -1;
	c->p++;
	return 0;
}

/* Skips blanks (spaces and tabs, not newlines). Returns how many. */
static size_t
procfs_blanks(struct procfs_cur *c)
{
	const char *start = c->p;

	while (c->p < c->end && (*c->p == ' ' || *c->p == '\t'))
		c->p++;
	return (size_t)(c->p - start);
}

/* Parses "rwxp" into m. Returns 0, or -1 when malformed. */
static int
procfs_perms(struct procfs_cur *c, struct procfs_map *m)
{
	static const char want[] = "rwx";

	if (c->end - c->p < 4)
		return -1;
	for (int i = 0; i < 3; i++) {
		if (c->p[i] != want[i] && c->p[i] != '-')
			return -1;
	}
	if (c->p[3] != 'p' && c->p[3] != 's')
		return -1;
	m->readable = c->p[0] == 'r';
	m->writable = c->p[1] == 'w';
	m->executable = c->p[2] == 'x';
	c->p += 4;
	return 0;
}

/*
 * Takes the path from the rest of the line [p, eol): strips " (deleted)"
 * and sets m->path (owned by m).
 */
static void
procfs_path(const char *p, const char *eol, struct procfs_map *m)
{
	size_t n = (size_t)(eol - p);
	size_t dl = sizeof(PROCFS_DELETED) - 1;

	if (n > dl && memcmp(eol - dl, PROCFS_DELETED, dl) == 0) {
		m->deleted = true;
		n -= dl;
	}
	m->path = xstrndup(p, n);
}

/*
 * Parses one maps line "start-end perms offset dev inode [path]" ending at
 * eol into m. Returns 0, or -1 when malformed.
 */
static int
procfs_map_line(const char *line, const char *eol, struct procfs_map *m)
{
	struct procfs_cur c = {line, eol};
	uint64_t dev;

	memset(m, 0, sizeof(*m));
	if (procfs_hex(&c, &m->start) || procfs_expect(&c, '-') ||
	    procfs_hex(&c, &m->end) || m->end < m->start ||
	    procfs_expect(&c, ' ') || procfs_perms(&c, m) ||
	    procfs_expect(&c, ' ') || procfs_hex(&c, &m->offset) ||
	    procfs_expect(&c, ' ') || procfs_hex(&c, &dev) ||
	    procfs_expect(&c, ':') || procfs_hex(&c, &dev) ||
	    procfs_expect(&c, ' ') || procfs_dec(&c, &m->inode))
		return -1;
	if (c.p < c.end && procfs_blanks(&c) == 0)
		return -1;
	procfs_path(c.p, c.end, m);
	return 0;
}

void
procfs_maps_free(struct procfs_maps *maps)
{
	for (size_t i = 0; i < maps->n; i++)
		free(maps->maps[i].path);
	free(maps->maps);
	maps->maps = NULL;
	maps->n = 0;
}

int
procfs_parse_maps(const char *buf, size_t len, struct procfs_maps *maps)
{
	const char *p = buf, *end = buf + len;
	size_t cap = 0;

	maps->maps = NULL;
	maps->n = 0;
	while (p < end) {
		const char *eol = memchr(p, '\n', (size_t)(end - p));

		if (eol == NULL)
			eol = end;
		ARRAY_RESERVE(maps->maps, cap, maps->n + 1);
		if (procfs_map_line(p, eol, &maps->maps[maps->n]) != 0) {
			procfs_maps_free(maps);
			return -1;
		}
		maps->n++;
		p = eol + 1;
	}
	return 0;
}

#define PROCFS_MAP_CMP(e, x) SORTED_NUM((e)->start, (x))
SORTED_DEFINE(procfs_map_starts, struct procfs_map, uint64_t, PROCFS_MAP_CMP)

const struct procfs_map *
procfs_maps_find(const struct procfs_maps *maps, uint64_t addr)
{
	size_t i = procfs_map_starts_upper(maps->maps, maps->n, addr);

	if (i == 0 || addr >= maps->maps[i - 1].end)
		return NULL;
	return &maps->maps[i - 1];
}

/*
 * Parses the space-separated fields after the comm's closing ')' of a stat
 * line, from field 3 (state) on. Returns 0, or -1 when malformed.
 */
static int
procfs_stat_fields(const char *p, struct procfs_stat *st)
{
	uint64_t v[40];
	int field;

	if (p[0] != ' ' || p[1] == '\0' || p[2] != ' ')
		return -1;
	st->state = p[1];
	p += 2;
	/* Fields 4 (ppid) .. 39 (processor), numbered as in proc(5). */
	for (field = 4; field <= 39; field++) {
		char *end;

		if (*p != ' ')
			return -1;
		p++;
		errno = 0;
		if (*p == '-')
			v[field] = (uint64_t)strtoll(p, &end, 10);
		else
			v[field] = strtoull(p, &end, 10);
		if (end == p || errno != 0)
			return -1;
		p = end;
	}
	st->ppid = (pid_t)v[4];
	st->flags = (unsigned)v[9];
	st->utime = v[14];
	st->stime = v[15];
	st->processor = (int)v[39];
	return 0;
}

int
procfs_parse_stat(const char *buf, struct procfs_stat *st)
{
	const char *open = strchr(buf, '(');
	const char *close = strrchr(buf, ')');
	size_t n;

	memset(st, 0, sizeof(*st));
	if (open == NULL || close == NULL || close < open)
		return -1;
	n = (size_t)(close - open - 1);
	if (n >= sizeof(st->comm))
		n = sizeof(st->comm) - 1;
	memcpy(st->comm, open + 1, n);
	st->comm[n] = '\0';
	if (procfs_stat_fields(close + 1, st) != 0) {
		memset(st, 0, sizeof(*st));
		return -1;
	}
	return 0;
}

/* The value after "key" at the start of a line of buf, or NULL. */
static const char *
procfs_field(const char *buf, const char *key)
{
	size_t n = strlen(key);

	for (const char *p = buf; p != NULL; p = strchr(p, '\n')) {
		if (*p == '\n')
			p++;
		if (strncmp(p, key, n) == 0)
			return p + n;
	}
	return NULL;
}

/* The decimal number of status line "key", or -1 if missing or malformed. */
static int64_t
procfs_status_num(const char *buf, const char *key)
{
	const char *p = procfs_field(buf, key);
	unsigned long long v;
	char *end;

	if (p == NULL)
		return -1;
	while (*p == ' ' || *p == '\t')
		p++;
	if (*p < '0' || *p > '9')
		return -1;
	errno = 0;
	v = strtoull(p, &end, 10);
	if (errno != 0 || v > INT64_MAX || (*end != '\n' && *end != '\0'))
		return -1;
	return (int64_t)v;
}

pid_t
procfs_parse_tracerpid(const char *buf)
{
	int64_t v = procfs_status_num(buf, "TracerPid:");

	return v <= INT32_MAX ? (pid_t)v : -1;
}

pid_t
procfs_parse_tgid(const char *buf)
{
	int64_t v = procfs_status_num(buf, "Tgid:");

	return v > 0 && v <= INT32_MAX ? (pid_t)v : -1;
}

int64_t
procfs_parse_voluntary(const char *buf)
{
	return procfs_status_num(buf, "voluntary_ctxt_switches:");
}

int64_t
procfs_read_voluntary(pid_t pid, pid_t tid)
{
	char path[64], *buf;
	int64_t v;

	snprintf(path, sizeof(path), "/proc/%d/task/%d/status", (int)pid,
		 (int)tid);
	buf = procfs_read(path, NULL);
	if (buf == NULL)
		return -1;
	v = procfs_parse_voluntary(buf);
	free(buf);
	return v;
}

/*
 * Parses up to max unsigned decimal ids separated by blanks up to the end
 * of the line into ids. Returns how many, or -1 on anything else.
 */
static int
procfs_ids(const char *p, unsigned long *ids, int max)
{
	int n = 0;

	for (;;) {
		char *end;
		unsigned long v;

		while (*p == ' ' || *p == '\t')
			p++;
		if (*p == '\n' || *p == '\0')
			return n;
		if (*p < '0' || *p > '9' || n == max)
			return -1;
		errno = 0;
		v = strtoul(p, &end, 10);
		if (errno != 0 || v > UINT32_MAX - 1)
			return -1;
		ids[n++] = v;
		p = end;
	}
}

int
procfs_parse_creds(const char *buf, struct procfs_creds *c)
{
	const char *uid = procfs_field(buf, "Uid:");
	const char *gid = procfs_field(buf, "Gid:");
	const char *groups = procfs_field(buf, "Groups:");
	unsigned long u[4], g[4], gs[PROCFS_MAX_GROUPS];
	int ng;

	if (uid == NULL || gid == NULL || procfs_ids(uid, u, 4) != 4 ||
	    procfs_ids(gid, g, 4) != 4)
		return -1;
	ng = groups != NULL ? procfs_ids(groups, gs, PROCFS_MAX_GROUPS) : 0;
	if (ng < 0)
		return -1;
	c->uid = (uid_t)u[3];
	c->gid = (gid_t)g[3];
	c->ngroups = (size_t)ng;
	for (int i = 0; i < ng; i++)
		c->groups[i] = (gid_t)gs[i];
	return 0;
}

int
procfs_read_creds(pid_t pid, struct procfs_creds *c)
{
	char path[64], *buf;
	int rc, saved;

	snprintf(path, sizeof(path), "/proc/%d/status", (int)pid);
	buf = procfs_read(path, NULL);
	if (buf == NULL)
		return -1;
	rc = procfs_parse_creds(buf, c);
	saved = rc == 0 ? 0 : EINVAL;
	free(buf);
	if (rc != 0)
		errno = saved;
	return rc;
}

char *
procfs_read(const char *path, size_t *len)
{
	size_t cap = 4096, n = 0;
	char *buf;
	int fd, saved;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return NULL;
	buf = xmalloc(cap);
	for (;;) {
		ssize_t r;

		ARRAY_RESERVE(buf, cap, n + 2);
		r = read(fd, buf + n, cap - n - 1);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			saved = errno;
			close(fd);
			free(buf);
			errno = saved;
			return NULL;
		}
		if (r == 0)
			break;
		n += (size_t)r;
	}
	close(fd);
	buf[n] = '\0';
	if (len != NULL)
		*len = n;
	return buf;
}

int
procfs_read_maps(pid_t pid, struct procfs_maps *maps)
{
	char path[64], *buf;
	size_t len;
	int rc;

	snprintf(path, sizeof(path), "/proc/%d/maps", (int)pid);
	buf = procfs_read(path, &len);
	if (buf == NULL) {
		maps->maps = NULL;
		maps->n = 0;
		return -1;
	}
	rc = procfs_parse_maps(buf, len, maps);
	free(buf);
	if (rc != 0)
		errno = EINVAL;
	return rc;
}

static int
procfs_cmp_pid(const void *a, const void *b)
{
	pid_t x = *(const pid_t *)a, y = *(const pid_t *)b;

	return (x > y) - (x < y);
}

ssize_t
procfs_read_tasks(pid_t pid, pid_t **tids)
{
	char path[64];
	struct dirent *de;
	size_t n = 0, cap = 0;
	DIR *d;

	snprintf(path, sizeof(path), "/proc/%d/task", (int)pid);
	d = opendir(path);
	if (d == NULL) {
		if (errno == ENOENT)
			errno = ESRCH;
		return -1;
	}
	*tids = NULL;
	while ((de = readdir(d)) != NULL) {
		char *end;
		long v = strtol(de->d_name, &end, 10);

		if (end == de->d_name || *end != '\0' || v <= 0)
			continue;
		*ARRAY_PUSH(*tids, n, cap) = (pid_t)v;
	}
	closedir(d);
	if (n == 0) {
		free(*tids);
		*tids = NULL;
		errno = ESRCH;
		return -1;
	}
	qsort(*tids, n, sizeof(**tids), procfs_cmp_pid);
	return (ssize_t)n;
}

/* Opens /proc/PID/task/TID/FILE read-only. Returns the fd, or -1. */
static int
procfs_open_task(pid_t pid, pid_t tid, const char *file)
{
	char path[64];

	snprintf(path, sizeof(path), "/proc/%d/task/%d/%s", (int)pid, (int)tid,
		 file);
	return open(path, O_RDONLY | O_CLOEXEC);
}

/* Re-reads fd from its start into buf as text. Returns 0, or -1. */
static int
procfs_pread(int fd, char *buf, size_t size)
{
	ssize_t r;

	do
		r = pread(fd, buf, size - 1, 0);
	while (r < 0 && errno == EINTR);
	if (r <= 0)
		return -1;
	buf[r] = '\0';
	return 0;
}

int
procfs_open_status(pid_t pid, pid_t tid)
{
	return procfs_open_task(pid, tid, "status");
}

int64_t
procfs_voluntary_fd(int fd)
{
	char buf[8192]; /* status is about 1.5 KiB */

	return procfs_pread(fd, buf, sizeof(buf)) == 0
		       ? procfs_parse_voluntary(buf)
		       : -1;
}

int
procfs_open_stat(pid_t pid, pid_t tid)
{
	return procfs_open_task(pid, tid, "stat");
}

int
procfs_stat_fd(int fd, struct procfs_stat *st)
{
	char buf[1024];

	return procfs_pread(fd, buf, sizeof(buf)) == 0
		       ? procfs_parse_stat(buf, st)
		       : -1;
}

int
procfs_parse_schedstat(const char *buf, struct procfs_schedstat *ss)
{
	unsigned long long run, wait, n;

	if (sscanf(buf, "%llu %llu %llu", &run, &wait, &n) != 3)
		return -1;
	ss->run_ns = run;
	ss->wait_ns = wait;
	ss->slices = n;
	return 0;
}

int
procfs_open_schedstat(pid_t pid, pid_t tid)
{
	return procfs_open_task(pid, tid, "schedstat");
}

int
procfs_schedstat_fd(int fd, struct procfs_schedstat *ss)
{
	char buf[128];

	return procfs_pread(fd, buf, sizeof(buf)) == 0
		       ? procfs_parse_schedstat(buf, ss)
		       : -1;
}

char *
procfs_read_exe(pid_t pid)
{
	char path[64], exe[4096];
	ssize_t len;

	snprintf(path, sizeof(path), "/proc/%d/exe", (int)pid);
	len = readlink(path, exe, sizeof(exe) - 1);
	if (len <= 0)
		return NULL;
	exe[len] = '\0';
	return xstrdup(exe);
}

char *
procfs_read_cmdline(pid_t pid)
{
	char path[64], *buf;
	size_t len;

	snprintf(path, sizeof(path), "/proc/%d/cmdline", (int)pid);
	buf = procfs_read(path, &len);
	if (buf == NULL)
		return NULL;
	while (len > 0 && buf[len - 1] == '\0')
		len--;
	for (size_t i = 0; i < len; i++) {
		if (buf[i] == '\0')
			buf[i] = ' ';
	}
	buf[len] = '\0';
	return buf;
}

int
procfs_read_comm(pid_t pid, pid_t tid, char name[16])
{
	char path[64], buf[64];
	ssize_t r;
	int fd;

	snprintf(path, sizeof(path), "/proc/%d/task/%d/comm", (int)pid,
		 (int)tid);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	do
		r = read(fd, buf, sizeof(buf) - 1);
	while (r < 0 && errno == EINTR);
	close(fd);
	if (r <= 0)
		return -1;
	if (buf[r - 1] == '\n')
		r--;
	if (r > 15)
		r = 15;
	memcpy(name, buf, (size_t)r);
	name[r] = '\0';
	return 0;
}

int
procfs_parse_syscall(const char *buf, struct procfs_syscall *sc)
{
	unsigned long long v[8];
	int nr, used = 0, got;

	if (strncmp(buf, "running", 7) == 0)
		return 1;
	if (sscanf(buf, "%d%n", &nr, &used) != 1 || nr < -1)
		return -1;
	buf += used;
	got = sscanf(buf,
		     " 0x%llx 0x%llx 0x%llx 0x%llx 0x%llx 0x%llx 0x%llx "
		     "0x%llx",
		     &v[0], &v[1], &v[2], &v[3], &v[4], &v[5], &v[6], &v[7]);
	if (nr == -1 ? got != 2 : got != 8)
		return -1;
	sc->nr = nr;
	sc->sp = v[got - 2];
	sc->pc = v[got - 1];
	return 0;
}

int
procfs_open_syscall(pid_t pid, pid_t tid)
{
	return procfs_open_task(pid, tid, "syscall");
}

int
procfs_syscall_fd(int fd, struct procfs_syscall *sc)
{
	char buf[256];

	return procfs_pread(fd, buf, sizeof(buf)) == 0
		       ? procfs_parse_syscall(buf, sc)
		       : -1;
}
