#include "config.h"

#include "sampler/mapped.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/openat2.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "common/xmalloc.h"

/* openat2(2) without a libc wrapper (glibc 2.36 has none). */
static int
mapped_openat2(int dirfd, const char *path, uint64_t resolve)
{
	struct open_how how;

	memset(&how, 0, sizeof(how));
	how.flags = O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK;
	how.resolve = resolve;
	return (int)syscall(SYS_openat2, dirfd, path, &how, sizeof(how));
}

/* Keeps fd only when it is a regular file; else closes it, errno set. */
static int
mapped_regular(int fd)
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
mapped_open(pid_t pid, const char *path, uint64_t start, uint64_t end,
	    char **cause)
{
	char buf[128];
	int root, fd = -1, err = ENOENT;

	if (path != NULL && path[0] == '/') {
		snprintf(buf, sizeof(buf), "/proc/%d/root", (int)pid);
		root = open(buf, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
		if (root >= 0) {
			/* symlinks resolve inside the target's root */
			fd = mapped_regular(mapped_openat2(
				root, path + 1,
				RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS));
			err = errno;
			close(root);
		} else {
			err = errno;
		}
	}
	if (fd < 0) {
		/* the mapping itself: deleted or replaced files */
		snprintf(buf, sizeof(buf), "/proc/%d/map_files/%jx-%jx",
			 (int)pid, (uintmax_t)start, (uintmax_t)end);
		fd = mapped_regular(open(buf, O_RDONLY | O_CLOEXEC | O_NOCTTY |
						      O_NONBLOCK));
	}
	if (fd < 0)
		*cause = xasprintf(
			"cannot open %s: %s", path != NULL ? path : "(no file)",
			err == EINVAL ? "not a regular file" : strerror(err));
	return fd;
}
