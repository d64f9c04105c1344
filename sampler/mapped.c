#include "config.h"

#include "sampler/mapped.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "attach/rootfs.h"
#include "common/xmalloc.h"

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
			fd = rootfs_open_regular(root, path + 1);
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
		fd = rootfs_keep_regular(open(
			buf, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK));
	}
	if (fd < 0)
		*cause = xasprintf(
			"cannot open %s: %s", path != NULL ? path : "(no file)",
			err == EINVAL ? "not a regular file" : strerror(err));
	return fd;
}
