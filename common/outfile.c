#include "config.h"

#include "common/outfile.h"

#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/xmalloc.h"

/* Writes all of buf to fd; -1 with errno on failure. */
static int
outfile_all(int fd, const uint8_t *buf, size_t len)
{
	while (len > 0) {
		ssize_t n = write(fd, buf, len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -1;
		if (n == 0) {
			errno = EIO;
			return -1;
		}
		buf += n;
		len -= (size_t)n;
	}
	return 0;
}

static int
outfile_fail(char **cause, const char *what, const char *path, int err)
{
	*cause = xasprintf("cannot %s %s: %s", what, path, strerror(err));
	return -1;
}

/*
 * Writes to what path already is (a FIFO, a device, a symlink), never
 * replacing it. O_TRUNC only affects regular files (the kernel ignores it
 * for FIFOs and devices); O_NONBLOCK makes a FIFO without a reader fail
 * with ENXIO instead of waiting forever, and is cleared before writing.
 */
static int
outfile_in_place(const char *path, const uint8_t *buf, size_t len, char **cause)
{
	struct stat st;
	int fd, fl, err;

	fd = open(path,
		  O_WRONLY | O_CREAT | O_TRUNC | O_NOCTTY | O_NONBLOCK |
			  O_CLOEXEC,
		  0644);
	if (fd < 0) {
		err = errno;
		if (err == ENXIO)
			*cause = xasprintf("cannot write %s: no process reads "
					   "it (%s)",
					   path, strerror(err));
		else
			outfile_fail(cause, "open", path, err);
		return -1;
	}
	fl = fcntl(fd, F_GETFL);
	if (fl < 0 || fcntl(fd, F_SETFL, fl & ~O_NONBLOCK) < 0 ||
	    fstat(fd, &st) < 0 || outfile_all(fd, buf, len) < 0 ||
	    (S_ISREG(st.st_mode) && fsync(fd) < 0)) {
		err = errno;
		close(fd);
		return outfile_fail(cause, "write", path, err);
	}
	if (close(fd) < 0)
		return outfile_fail(cause, "write", path, errno);
	return 0;
}

/* A new or regular file: a temporary file renamed over path. */
static int
outfile_replace(const char *path, const uint8_t *buf, size_t len, char **cause)
{
	char *tmp = xasprintf("%s.tmp.XXXXXX", path);
	int fd, rc = -1, err = 0;

	fd = mkstemp(tmp);
	if (fd < 0) {
		free(tmp);
		return outfile_fail(cause, "write", path, errno);
	}
	if (fchmod(fd, 0644) < 0 || outfile_all(fd, buf, len) < 0 ||
	    fsync(fd) < 0)
		err = errno;
	if (close(fd) < 0 && err == 0)
		err = errno;
	if (err != 0)
		outfile_fail(cause, "write", path, err);
	else if (rename(tmp, path) < 0)
		*cause = xasprintf("cannot rename %s to %s: %s", tmp, path,
				   strerror(errno));
	else
		rc = 0;
	if (rc < 0)
		unlink(tmp);
	free(tmp);
	return rc;
}

int
outfile_write(const char *path, const void *buf, size_t len, char **cause)
{
	struct stat st;

	if (strcmp(path, "-") == 0) {
		if (outfile_all(STDOUT_FILENO, buf, len) < 0)
			return outfile_fail(cause, "write", "standard output",
					    errno);
		return 0;
	}
	if (lstat(path, &st) < 0) {
		if (errno != ENOENT)
			return outfile_fail(cause, "write", path, errno);
		return outfile_replace(path, buf, len, cause);
	}
	if (S_ISREG(st.st_mode))
		return outfile_replace(path, buf, len, cause);
	if (S_ISDIR(st.st_mode))
		return outfile_fail(cause, "write", path, EISDIR);
	return outfile_in_place(path, buf, len, cause);
}
