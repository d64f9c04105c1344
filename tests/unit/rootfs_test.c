/*
 * attach/rootfs: paths resolve inside their root (absolute and relative
 * symlinks, "..", loops), only regular files are read (a FIFO, a device,
 * a directory are refused at once), sizes are capped; both with openat2
 * and with the component walk that stands in for it. As root: a process
 * running as nobody gets only what nobody may read, and the calling
 * thread's file system identity is restored afterwards.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <pthread.h>
#include <stdatomic.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <sys/fsuid.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/wait.h>
#include <unistd.h>

#include "attach/rootfs.h"
#include "tests/tap.h"

static char top[] = "/tmp/rootfs-test.XXXXXX";
static char root[300];

static void
put(const char *rel, const char *text, mode_t mode)
{
	char path[400];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", top, rel);
	f = fopen(path, "w");
	if (f != NULL) {
		fputs(text, f);
		fclose(f);
	}
	chmod(path, mode);
}

static void
link_at(const char *target, const char *rel)
{
	char path[400];

	snprintf(path, sizeof(path), "%s/%s", top, rel);
	if (symlink(target, path) != 0)
		perror("symlink");
}

/* Reads path inside root: the contents, or NULL with cause. */
static char *
rd(const char *path, size_t max, char **cause)
{
	size_t len;

	*cause = NULL;
	return rootfs_read_in(root, path, max, &len, cause);
}

static void
refused(const char *path, const char *why, const char *name)
{
	char *cause, *buf = rd(path, 1 << 20, &cause);

	tap_ok(buf == NULL && cause != NULL && strstr(cause, why) != NULL,
	       "%s: refused (%s)", name, cause ? cause : "read!");
	free(buf);
	free(cause);
}

static void
reads(const char *path, const char *want, const char *name)
{
	char *cause, *buf = rd(path, 1 << 20, &cause);

	tap_is_str(buf, want, "%s", name);
	free(buf);
	free(cause);
}

static atomic_bool renaming;

/* Renames a directory back and forth until told to stop. */
static void *
renamer(void *arg)
{
	char a[400], b[400];

	(void)arg;
	snprintf(a, sizeof(a), "%s/root/r1", top);
	snprintf(b, sizeof(b), "%s/root/r2", top);
	mkdir(a, 0755);
	while (atomic_load(&renaming))
		if (rename(a, b) != 0 || rename(b, a) != 0)
			break;
	return NULL;
}

/*
 * A rename anywhere while openat2 resolves a ".." gives EAGAIN (about 1
 * open in 100 with a renamer beside it): the opens are retried, so every
 * one of them succeeds.
 */
static void
race_with_renames(void)
{
	int rootfd = open(root, O_PATH | O_DIRECTORY | O_CLOEXEC), failed = 0;
	pthread_t t;

	atomic_store(&renaming, true);
	if (rootfd < 0 || pthread_create(&t, NULL, renamer, NULL) != 0) {
		tap_ok(0, "renames: set-up");
		return;
	}
	for (int i = 0; i < 20000; i++) {
		int fd = rootfs_open_regular(rootfd, "/src/../src/good.c");

		if (fd < 0)
			failed++;
		else
			close(fd);
	}
	atomic_store(&renaming, false);
	pthread_join(t, NULL);
	close(rootfd);
	tap_is_int(failed, 0, "opens through .. while a directory is renamed");
}

static void
cases(const char *mode)
{
	char outside[400], *cause, *buf;
	struct timespec t0, t1;

	printf("# %s\n", mode);
	reads("/src/good.c", "good\n", "a regular file");
	reads("src/good.c", "good\n", "a relative path");
	reads("/src/../src/./good.c", "good\n", ". and .. inside");
	reads("/src/inlink.c", "good\n", "an absolute symlink inside the root");
	snprintf(outside, sizeof(outside), "%s/secret.c", top);
	refused("/src/abslink.c", strerror(ENOENT),
		"an absolute symlink out of the root");
	refused("/src/rellink.c", strerror(ENOENT),
		"a relative symlink climbing out of the root");
	refused("/../secret.c", strerror(ENOENT), "/.. above the root");
	refused("/../../../../../../../../..", "not a regular file",
		"many .. stop at the root");
	refused("/src/dirlink/secret.c", strerror(ENOENT),
		"a symlinked directory out of the root");
	refused(outside, strerror(ENOENT), "the outside path itself");
	refused("/src/loop.c", strerror(ELOOP), "a symlink loop");
	refused("/src", "not a regular file", "a directory");
	refused("/src/good.c/x", strerror(ENOTDIR), "a file as a directory");
	clock_gettime(CLOCK_MONOTONIC, &t0);
	refused("/src/fifo.c", "not a regular file", "a FIFO");
	clock_gettime(CLOCK_MONOTONIC, &t1);
	tap_ok(t1.tv_sec - t0.tv_sec < 2, "... at once (no wait for a writer)");
	buf = rd("/src/big.c", 4, &cause);
	tap_ok(buf == NULL && cause && strstr(cause, "larger than 4 bytes"),
	       "a file over the cap: %s", cause ? cause : "read!");
	free(cause);
	free(buf);
	if (geteuid() == 0)
		refused("/src/zero.c", "not a regular file",
			"a character device (/dev/zero)");
	else
		tap_skip("mknod needs root");
}

/* As root: a child running as nobody (65534) gets nobody's rights. */
static void
as_owner(void)
{
	char path[400], *cause = NULL, *buf;
	size_t len;
	gid_t groups[64];
	int ngroups = getgroups(64, groups), st;
	pid_t child;

	if (geteuid() != 0) {
		tap_skip("reading as the target's owner needs root");
		return;
	}
	child = fork();
	if (child == 0) {
		if (setgroups(0, NULL) == 0 && setgid(65534) == 0 &&
		    setuid(65534) == 0)
			pause();
		_exit(1);
	}
	/* Wait until the child runs as nobody. */
	for (int i = 0; i < 5000; i++) {
		struct stat ps;

		snprintf(path, sizeof(path), "/proc/%d", (int)child);
		if (stat(path, &ps) == 0 && ps.st_uid == 65534)
			break;
		usleep(1000);
	}
	snprintf(path, sizeof(path), "%s/private.c", root);
	buf = rootfs_read_target(child, path, 1 << 20, &len, &cause);
	tap_ok(buf == NULL && cause && strstr(cause, strerror(EACCES)),
	       "a 0600 file of root's is refused to nobody: %s",
	       cause ? cause : "read!");
	free(buf);
	free(cause);
	cause = NULL;
	snprintf(path, sizeof(path), "%s/src/good.c", root);
	buf = rootfs_read_target(child, path, 1 << 20, &len, &cause);
	tap_is_str(buf, "good\n", "a world-readable file is read for nobody");
	free(buf);
	free(cause);
	tap_is_int(setfsuid((uid_t)-1), 0, "the fs uid is root's again");
	tap_is_int(setfsgid((gid_t)-1), getegid(), "the fs gid is restored");
	tap_is_int(getgroups(64, groups), ngroups, "the groups are restored");
	kill(child, SIGKILL);
	waitpid(child, &st, 0);
}

int
main(void)
{
	char path[400];

	if (mkdtemp(top) == NULL)
		return 1;
	chmod(top, 0755);
	snprintf(root, sizeof(root), "%s/root", top);
	mkdir(root, 0755);
	snprintf(path, sizeof(path), "%s/root/src", top);
	mkdir(path, 0755);
	put("secret.c", "SECRET\n", 0644);
	put("root/src/good.c", "good\n", 0644);
	put("root/src/big.c", "0123456789\n", 0644);
	put("root/private.c", "private\n", 0600);
	snprintf(path, sizeof(path), "%s/secret.c", top);
	link_at(path, "root/src/abslink.c");
	link_at("../../secret.c", "root/src/rellink.c");
	link_at("/src/good.c", "root/src/inlink.c");
	link_at(top, "root/src/dirlink");
	link_at("loop.c", "root/src/loop.c");
	snprintf(path, sizeof(path), "%s/root/src/fifo.c", top);
	mkfifo(path, 0644);
	snprintf(path, sizeof(path), "%s/root/src/zero.c", top);
	if (geteuid() == 0)
		mknod(path, S_IFCHR | 0666, makedev(1, 5));

	cases("openat2 (RESOLVE_IN_ROOT)");
	race_with_renames();
	rootfs_force_walk = true;
	cases("the component walk");
	rootfs_force_walk = false;
	as_owner();

	snprintf(path, sizeof(path), "rm -rf '%s'", top);
	if (system(path) != 0)
		return 1;
	return tap_done();
}
