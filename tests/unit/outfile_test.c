/*
 * common/outfile: a regular or new path is replaced whole (temp + rename),
 * anything else is written in place and never replaced: a FIFO, a symlink,
 * a character device (as root: private copies of /dev/null and /dev/full,
 * made with mknod in a scratch directory, so the machine's own are never
 * at risk); ENOSPC and ENXIO come back as errors naming the path.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "common/outfile.h"
#include "tests/tap.h"

static char dir[] = "/tmp/outfile-test.XXXXXX";

static char *
at(const char *name)
{
	static char path[4][256];
	static int i;

	i = (i + 1) % 4;
	snprintf(path[i], sizeof(path[i]), "%s/%s", dir, name);
	return path[i];
}

/* The number of entries in dir (temporary files left behind show here). */
static int
entries(void)
{
	char cmd[300];
	FILE *p;
	int n = -1;

	snprintf(cmd, sizeof(cmd), "ls -A %s | wc -l", dir);
	p = popen(cmd, "r");
	if (p != NULL && fscanf(p, "%d", &n) != 1)
		n = -1;
	if (p != NULL)
		pclose(p);
	return n;
}

static int
slurp(const char *path, char *buf, size_t cap)
{
	int fd = open(path, O_RDONLY);
	ssize_t n;

	if (fd < 0)
		return -1;
	n = read(fd, buf, cap - 1);
	close(fd);
	if (n < 0)
		return -1;
	buf[n] = '\0';
	return (int)n;
}

static void
test_regular(void)
{
	char buf[64], *cause = NULL;
	struct stat a, b;

	tap_is_int(outfile_write(at("new"), "hello", 5, &cause), 0,
		   "a new path is written");
	tap_ok(slurp(at("new"), buf, sizeof(buf)) == 5 &&
		       strcmp(buf, "hello") == 0,
	       "... with the bytes");
	stat(at("new"), &a);
	tap_is_int(outfile_write(at("new"), "bye", 3, &cause), 0,
		   "a regular file is replaced");
	stat(at("new"), &b);
	tap_ok(slurp(at("new"), buf, sizeof(buf)) == 3 &&
		       strcmp(buf, "bye") == 0,
	       "... whole (no old bytes left)");
	tap_ok(a.st_ino != b.st_ino, "... by rename (a new inode)");
	tap_is_int(entries(), 1, "no temporary file left");

	tap_is_int(outfile_write("/nonexistent/dir/p.pb.gz", "x", 1, &cause),
		   -1, "a missing directory fails");
	tap_ok(cause != NULL && strstr(cause, "/nonexistent/dir/p.pb.gz") &&
		       strstr(cause, strerror(ENOENT)),
	       "... naming the path and why: %s", cause ? cause : "");
	free(cause);
	cause = NULL;
	tap_is_int(outfile_write(dir, "x", 1, &cause), -1,
		   "a directory is refused");
	tap_ok(cause != NULL && strstr(cause, strerror(EISDIR)),
	       "... as a directory: %s", cause ? cause : "");
	free(cause);
	tap_is_int(entries(), 1, "still no temporary file");
	unlink(at("new"));
}

static void
test_symlink(void)
{
	char buf[64], *cause = NULL;
	struct stat st;

	outfile_write(at("target"), "old contents", 12, &cause);
	symlink(at("target"), at("link"));
	tap_is_int(outfile_write(at("link"), "new", 3, &cause), 0,
		   "through a symlink");
	tap_ok(lstat(at("link"), &st) == 0 && S_ISLNK(st.st_mode),
	       "... the symlink is kept");
	tap_ok(slurp(at("target"), buf, sizeof(buf)) == 3 &&
		       strcmp(buf, "new") == 0,
	       "... and its file holds the bytes, truncated");
	unlink(at("link"));
	unlink(at("target"));
}

static void *
fifo_reader(void *arg)
{
	static char buf[64];
	int fd = open(arg, O_RDONLY);
	ssize_t n = fd < 0 ? -1 : read(fd, buf, sizeof(buf) - 1);

	buf[n > 0 ? n : 0] = '\0';
	if (fd >= 0)
		close(fd);
	return buf;
}

static void
test_fifo(void)
{
	char *cause = NULL, *got = NULL;
	struct stat st;
	pthread_t t;

	mkfifo(at("fifo"), 0600);
	tap_is_int(outfile_write(at("fifo"), "x", 1, &cause), -1,
		   "a FIFO nobody reads fails at once");
	tap_ok(cause != NULL && strstr(cause, at("fifo")) &&
		       strstr(cause, "no process reads"),
	       "... saying so: %s", cause ? cause : "");
	free(cause);
	cause = NULL;
	pthread_create(&t, NULL, fifo_reader, at("fifo"));
	/* The reader may not have opened yet: retry until it has. */
	for (int i = 0; i < 5000; i++) {
		if (outfile_write(at("fifo"), "piped", 5, &cause) == 0)
			break;
		free(cause);
		cause = NULL;
		usleep(1000);
	}
	pthread_join(t, (void **)&got);
	tap_is_str(got, "piped", "a FIFO with a reader gets the bytes");
	tap_ok(lstat(at("fifo"), &st) == 0 && S_ISFIFO(st.st_mode),
	       "... and stays a FIFO");
	tap_is_int(entries(), 1, "no temporary file beside the FIFO");
	unlink(at("fifo"));
}

static void
test_devices(void)
{
	char *cause = NULL;
	struct stat st;
	int fd;

	if (geteuid() != 0 ||
	    mknod(at("null"), S_IFCHR | 0666, makedev(1, 3)) < 0 ||
	    mknod(at("full"), S_IFCHR | 0666, makedev(1, 7)) < 0) {
		tap_skip("mknod needs root");
		return;
	}
	fd = open(at("null"), O_WRONLY);
	if (fd < 0) {
		tap_skip("devices cannot be opened here (nodev)");
		unlink(at("null"));
		unlink(at("full"));
		return;
	}
	close(fd);
	tap_is_int(outfile_write(at("null"), "x", 1, &cause), 0,
		   "a null device takes the bytes");
	tap_ok(lstat(at("null"), &st) == 0 && S_ISCHR(st.st_mode) &&
		       st.st_rdev == makedev(1, 3),
	       "... and stays the null device");
	tap_is_int(outfile_write(at("full"), "x", 1, &cause), -1,
		   "a full device fails");
	tap_ok(cause != NULL && strstr(cause, at("full")) &&
		       strstr(cause, strerror(ENOSPC)),
	       "... with ENOSPC: %s", cause ? cause : "");
	free(cause);
	tap_ok(lstat(at("full"), &st) == 0 && S_ISCHR(st.st_mode),
	       "... and stays a device");
	tap_is_int(entries(), 2, "no temporary file beside the devices");
	unlink(at("null"));
	unlink(at("full"));
}

int
main(void)
{
	if (mkdtemp(dir) == NULL) {
		perror("mkdtemp");
		return 1;
	}
	test_regular();
	test_symlink();
	test_fifo();
	test_devices();
	rmdir(dir);
	return tap_done();
}
