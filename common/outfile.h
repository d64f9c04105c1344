#ifndef CPT_COMMON_OUTFILE_H
#define CPT_COMMON_OUTFILE_H

/*
 * Writing an output file (-o, the live screen's `s`) without harming what
 * the path names:
 *
 *   "-"                       standard output, written in place;
 *   a new path, or a regular  a temporary file in the same directory,
 *   file                      fsync'd and renamed over the path, so a
 *                             reader never sees a partial file;
 *   anything else (a FIFO, a  opened and written in place, never replaced:
 *   device such as /dev/null a FIFO without a reader is an error (ENXIO)
 *   or /dev/full, a symlink   rather than a wait, a symlink is kept.
 *   such as /dev/stdout)
 *
 * A directory or a socket is refused.
 */

#include <stddef.h>

/*
 * Writes len bytes of buf to path as above. Returns 0, or -1 with *cause
 * set (caller frees) naming the path and the reason (ENOSPC on /dev/full,
 * EIO, ENXIO for a FIFO nobody reads...); a temporary file is removed
 * then. Any thread; blocks only while the kernel takes the bytes.
 */
int outfile_write(const char *path, const void *buf, size_t len, char **cause);

#endif
