#ifndef CPT_ATTACH_ROOTFS_H
#define CPT_ATTACH_ROOTFS_H

/*
 * Reading a file the target names (a DWARF source path) without trusting
 * the name: the one safe opener.
 *
 * - The path is resolved inside a root directory: the target's
 *   (/proc/PID/root) or one the user gave (--source-path). Symlinks,
 *   absolute or not, and ".." never leave it (openat2 with
 *   RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS; where openat2 is missing,
 *   ENOSYS, a component walk with O_NOFOLLOW does the same).
 * - It is opened with O_NONBLOCK | O_NOCTTY and must be a regular file
 *   (fstat): a FIFO, a device or a socket is refused without a read, so
 *   nothing blocks and /dev/zero is not read.
 * - At most max bytes: a larger file is refused.
 * - Inside the target's root, when cproftop runs as root, the path is
 *   resolved and opened as the target's owner (its fs uid, fs gid and
 *   supplementary groups, set with setfsuid/setfsgid/setgroups on the
 *   calling thread only, and restored before returning), so cproftop shows
 *   only what the target's owner could read.
 *
 * Any thread; blocks only on the file system (never on a FIFO). Returns
 * NUL-terminated contents (caller frees; *len bytes without the NUL), or
 * NULL with *cause set (caller frees): "not a regular file", "larger
 * than N bytes", or the errno text (ENOENT, EACCES, ELOOP...).
 */

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

/* The file at path as process pid sees it, read as its owner (above). */
char *rootfs_read_target(pid_t pid, const char *path, size_t max, size_t *len,
			 char **cause);

/*
 * The file at path resolved inside dir (a directory the user trusts:
 * --source-path, "/" or "."), read with cproftop's own rights.
 */
char *rootfs_read_in(const char *dir, const char *path, size_t max, size_t *len,
		     char **cause);

/*
 * Opens path inside the directory rootfd as above (read-only, O_NONBLOCK,
 * O_NOCTTY, symlinks and ".." kept inside rootfd) with the caller's own
 * rights, and keeps it only when it is a regular file. Returns the fd
 * (caller closes), or -1 with errno (EINVAL: not a regular file). Any
 * thread.
 */
int rootfs_open_regular(int rootfd, const char *path);

/*
 * Returns fd when it is a regular file; else closes it (unless it is
 * already -1) and returns -1 with errno (EINVAL: not a regular file).
 */
int rootfs_keep_regular(int fd);

/* Tests: true makes the component walk stand in for openat2. */
extern bool rootfs_force_walk;

#endif
