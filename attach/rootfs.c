#include "config.h"

#include "attach/rootfs.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/fsuid.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#ifdef SYS_openat2
#include <linux/openat2.h>
#endif

#include "attach/procfs.h"
#include "common/log.h"
#include "common/xmalloc.h"

#define ROOTFS_FLAGS (O_RDONLY | O_NONBLOCK | O_NOCTTY | O_CLOEXEC)
#define ROOTFS_MAX_LINKS 40   /* as the kernel's MAXSYMLINKS */
#define ROOTFS_MAX_DEPTH 256  /* directories deep */
#define ROOTFS_EAGAIN_TRIES 8 /* openat2 retries before the walk */

bool rootfs_force_walk;

/*
 * The walk that stands in for openat2(RESOLVE_IN_ROOT): one component at a
 * time from rootfd, each opened O_PATH | O_NOFOLLOW; a symlink's text is
 * spliced into the rest of the path (an absolute one restarts at rootfd),
 * ".." never climbs above rootfd, and the last component is opened with
 * flags | O_NOFOLLOW (a symlink swapped in meanwhile fails with ELOOP).
 * Returns an fd, or -1 with errno.
 */
static int
rootfs_walk(int rootfd, const char *path, int flags)
{
	int dirs[ROOTFS_MAX_DEPTH], depth = 0, links = 0, fd = -1, err = 0;
	char *rest = xstrdup(path), *p = rest;

	dirs[0] = rootfd;
	for (;;) {
		char link[PATH_MAX], *comp, *next;
		struct stat st;
		ssize_t n;

		while (*p == '/')
			p++;
		if (*p == '\0') { /* the path names a directory */
			fd = openat(dirs[depth], ".", flags);
			err = errno;
			break;
		}
		comp = p;
		next = strchr(p, '/');
		if (next != NULL)
			*next++ = '\0';
		p = next != NULL ? next : p + strlen(p);
		if (strcmp(comp, ".") == 0)
			continue;
		if (strcmp(comp, "..") == 0) {
			if (depth > 0)
				close(dirs[depth--]);
			continue;
		}
		fd = openat(dirs[depth], comp, O_PATH | O_NOFOLLOW | O_CLOEXEC);
		if (fd < 0 || fstat(fd, &st) < 0) {
			err = errno;
			break;
		}
		if (S_ISLNK(st.st_mode)) {
			char *spliced;

			n = readlinkat(fd, "", link, sizeof(link) - 1);
			err = n < 0			   ? errno
			      : ++links > ROOTFS_MAX_LINKS ? ELOOP
							   : 0;
			close(fd);
			fd = -1;
			if (err != 0)
				break;
			link[n] = '\0';
			spliced = xasprintf("%s/%s", link, p);
			free(rest);
			rest = p = spliced;
			while (link[0] == '/' && depth > 0)
				close(dirs[depth--]);
			continue;
		}
		if (*p == '\0' && (next == NULL || !S_ISDIR(st.st_mode))) {
			close(fd);
			fd = openat(dirs[depth], comp, flags | O_NOFOLLOW);
			err = errno;
			break;
		}
		if (!S_ISDIR(st.st_mode) || depth + 1 == ROOTFS_MAX_DEPTH) {
			err = S_ISDIR(st.st_mode) ? ENAMETOOLONG : ENOTDIR;
			close(fd);
			fd = -1;
			break;
		}
		dirs[++depth] = fd;
		fd = -1;
	}
	while (depth > 0)
		close(dirs[depth--]);
	free(rest);
	if (fd < 0)
		errno = err;
	return fd;
}

/* Opens path inside rootfd: openat2, or the walk where it is missing or
   keeps racing. */
static int
rootfs_open(int rootfd, const char *path)
{
#ifdef SYS_openat2
	struct open_how how = {
		.flags = ROOTFS_FLAGS,
		.resolve = RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS,
	};
	/* EAGAIN: a rename or mount anywhere raced a ".." of the path (the
	   build-id links have them); openat2(2) asks the caller to retry. */
	for (int try = 0; !rootfs_force_walk && try < ROOTFS_EAGAIN_TRIES;
	     try++) {
		int fd = (int)syscall(SYS_openat2, rootfd, path, &how,
				      sizeof(how));

		if (fd >= 0 || (errno != ENOSYS && errno != EAGAIN))
			return fd;
		if (errno == ENOSYS)
			break;
	}
#endif
	return rootfs_walk(rootfd, path, ROOTFS_FLAGS);
}

int
rootfs_keep_regular(int fd)
{
	struct stat st;

	if (fd < 0)
		return -1;
	if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
		close(fd);
		errno = EINVAL;
		return -1;
	}
	return fd;
}

int
rootfs_open_regular(int rootfd, const char *path)
{
	return rootfs_keep_regular(rootfs_open(rootfd, path));
}

/* Reads fd (consumed): a regular file of at most max bytes. */
static char *
rootfs_read_fd(int fd, const char *path, size_t max, size_t *len, char **cause)
{
	struct stat st;
	size_t n = 0;
	char *buf = NULL;

	if (fstat(fd, &st) < 0) {
		*cause = xasprintf("%s: %s", path, strerror(errno));
	} else if (!S_ISREG(st.st_mode)) {
		*cause = xasprintf("%s: not a regular file", path);
	} else if ((uintmax_t)st.st_size > max) {
		*cause = xasprintf("%s: larger than %zu bytes", path, max);
	} else {
		buf = xmalloc(max + 2);
		for (;;) {
			ssize_t r = read(fd, buf + n, max + 1 - n);

			if (r < 0 && errno == EINTR)
				continue;
			if (r <= 0) {
				if (r < 0)
					*cause = xasprintf("%s: %s", path,
							   strerror(errno));
				break;
			}
			n += (size_t)r;
			if (n > max) {
				*cause = xasprintf("%s: larger than %zu bytes",
						   path, max);
				break;
			}
		}
		if (*cause != NULL) {
			free(buf);
			buf = NULL;
		} else {
			buf[n] = '\0';
			*len = n;
		}
	}
	close(fd);
	return buf;
}

/* The calling thread's file system identity, to restore. */
struct rootfs_identity {
	uid_t fsuid;
	gid_t fsgid;
	gid_t *groups;
	int ngroups;
};

/*
 * Takes on c's file system identity on this thread only: the raw
 * setgroups system call (glibc's wrapper would change every thread),
 * setfsgid, setfsuid. An fs uid other than 0 also drops the file
 * capabilities (CAP_DAC_OVERRIDE...) until it is 0 again. Returns 0, or
 * -1 (nothing changed then).
 */
static int
rootfs_become(const struct procfs_creds *c, struct rootfs_identity *saved)
{
	saved->ngroups = getgroups(0, NULL);
	if (saved->ngroups < 0)
		return -1;
	saved->groups = xcalloc((size_t)saved->ngroups + 1, sizeof(gid_t));
	saved->ngroups = getgroups(saved->ngroups, saved->groups);
	if (saved->ngroups < 0 ||
	    syscall(SYS_setgroups, (int)c->ngroups, c->groups) != 0) {
		free(saved->groups);
		return -1;
	}
	saved->fsgid = (gid_t)setfsgid(c->gid);
	saved->fsuid = (uid_t)setfsuid(c->uid);
	return 0;
}

static void
rootfs_restore(struct rootfs_identity *saved)
{
	setfsuid(saved->fsuid);
	setfsgid(saved->fsgid);
	if (syscall(SYS_setgroups, saved->ngroups, saved->groups) != 0 ||
	    (uid_t)setfsuid((uid_t)-1) != saved->fsuid ||
	    (gid_t)setfsgid((gid_t)-1) != saved->fsgid)
		fatalx("cannot restore the file system identity");
	free(saved->groups);
}

char *
rootfs_read_target(pid_t pid, const char *path, size_t max, size_t *len,
		   char **cause)
{
	struct rootfs_identity saved;
	struct procfs_creds c;
	char root[64];
	int rootfd, fd, err;
	bool as_owner = geteuid() == 0;

	snprintf(root, sizeof(root), "/proc/%d/root", (int)pid);
	rootfd = open(root, O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (rootfd < 0) {
		*cause = xasprintf("cannot open %s: %s", root, strerror(errno));
		return NULL;
	}
	if (as_owner &&
	    (procfs_read_creds(pid, &c) != 0 || rootfs_become(&c, &saved))) {
		*cause = xasprintf("cannot take on the identity of process "
				   "%d: %s",
				   (int)pid, strerror(errno));
		close(rootfd);
		return NULL;
	}
	fd = rootfs_open(rootfd, path);
	err = errno;
	if (as_owner)
		rootfs_restore(&saved);
	close(rootfd);
	if (fd < 0) {
		*cause = xasprintf("%s: %s", path, strerror(err));
		return NULL;
	}
	return rootfs_read_fd(fd, path, max, len, cause);
}

char *
rootfs_read_in(const char *dir, const char *path, size_t max, size_t *len,
	       char **cause)
{
	int rootfd = open(dir, O_PATH | O_DIRECTORY | O_CLOEXEC), fd, err;

	if (rootfd < 0) {
		*cause = xasprintf("cannot open %s: %s", dir, strerror(errno));
		return NULL;
	}
	fd = rootfs_open(rootfd, path);
	err = errno;
	close(rootfd);
	if (fd < 0) {
		*cause = xasprintf("%s: %s", path, strerror(err));
		return NULL;
	}
	return rootfs_read_fd(fd, path, max, len, cause);
}
