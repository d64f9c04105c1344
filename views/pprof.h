#ifndef CPT_VIEWS_PPROF_H
#define CPT_VIEWS_PPROF_H

/*
 * pprof export: the snapshot as a gzip'd profile.proto (google/pprof).
 *
 * Sample types [samples/count, cpu/nanoseconds] in CPU mode or
 * [samples/count, wall/nanoseconds] in wall mode (nanoseconds = samples *
 * period, period = 1e9 / hz); one pprof sample per (stack, thread) with a
 * nonzero count in the filter's mode and scope, labelled thread_id (num)
 * and thread_name (str). The thread set, focus, hide and node fraction are
 * NOT applied: the file holds the whole profile of that mode and scope, and
 * pprof's own -tagfocus/-focus/-hide select in it. Mappings (main binary
 * first) with all has_* flags, functions, locations with inline chains
 * (callee first), time/duration, and comments "cproftop VERSION" and the
 * target's command line.
 */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "views/filter.h"

struct profile_snapshot;

/*
 * Encodes the profile (uncompressed protobuf) into *buf (caller frees),
 * *len bytes. Any thread; s is only read.
 */
void pprof_encode(const struct profile_snapshot *s, const struct filter *f,
		  uint8_t **buf, size_t *len);

/*
 * The same, gzip'd: the bytes of a profile.pb.gz (caller frees *buf), for
 * common/outfile.h to write. Any thread; s is only read.
 */
void pprof_encode_gzip(const struct profile_snapshot *s, const struct filter *f,
		       uint8_t **buf, size_t *len);

/*
 * Like pprof_encode_gzip(), but the profile holds only what the table
 * shows: the samples of f's thread set (as pprof's -tagfocus on thread_id
 * would keep) whose stack passes f's focus (as -focus). Frames are kept
 * whole (hide is not applied), so `go tool pprof -top` on it gives the
 * table's flat and cum. Caller frees *buf. Any thread; s is only read.
 */
void pprof_encode_gzip_shown(const struct profile_snapshot *s,
			     const struct filter *f, uint8_t **buf,
			     size_t *len);

/*
 * Encodes the threads profile of s (gzip'd when gzip is true, as served
 * over HTTP) into *buf (caller frees), *len bytes: Go's goroutine profile for
 * native threads. One sample per live thread that has been sampled, its latest
 * stack (profile_thread.last_stack), sample type and period type threads/count,
 * value 1, period 1, labelled thread_id and thread_name; time is the
 * snapshot's, no duration. Any thread; s is only read.
 */
void pprof_encode_threads(const struct profile_snapshot *s, bool gzip,
			  uint8_t **buf, size_t *len);

/*
 * Like pprof_write(), but the file holds only what the table shows: the
 * samples of f's thread set (as pprof's -tagfocus on thread_id would keep)
 * whose stack passes f's focus (as -focus). Frames are kept whole (hide is
 * not applied), so `go tool pprof -top FILE` gives the table's flat and
 * cum. Same errors and ownership as pprof_write().
 */
int pprof_write_shown(const struct profile_snapshot *s, const struct filter *f,
		      const char *path, char **cause);

/*
 * Gzips in[0..n) (a packed profile) into a caller-freed buffer of *len
 * bytes. Aborts only on ENOMEM. Any thread.
 */
uint8_t *pprof_gzip(const uint8_t *in, size_t n, size_t *len);

#endif
