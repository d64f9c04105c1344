/*
 * heap/source.c: cproftop's end of the heap ring (source.h).
 */
#include "config.h"

#include "heap/source.h"

#include <errno.h>
#include <stdbool.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <linux/futex.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "common/xmalloc.h"
#include "heap/huge.h"

struct heap_source {
	int fd;
	struct heap_ring *ring;
	char *old_preload;   /* LD_PRELOAD before, or NULL */
	bool env_set;	     /* the variables below were set */
	uint64_t stall_pos;  /* a claimed cell not yet published, */
	int64_t stall_ns;    /* first seen then (0: none), */
	uint64_t stall_head; /* when the head was here */
	/* cells before this, claimed and unpublished, are taken back at
	   once: they were claimed before a stall that lasted its time */
	uint64_t reclaim_until;
	uint64_t taken;	    /* cells taken back from stalled producers */
	uint64_t malformed; /* records skipped: an unknown kind, a head
			       cell without its further cells, or a
			       failed check (torn, ring.h) */
	uint64_t inode;	    /* the memfd's, as /proc/PID/maps shows it */
};

int
heap_source_open(const char *lib, uint64_t rate, bool follow,
		 struct heap_source **out, char **cause)
{
	struct heap_source *h;
	const char *pre = getenv("LD_PRELOAD");
	char num[32], *val;
	struct stat st;

	h = xcalloc(1, sizeof(*h));
	/* not close-on-exec: the spawned command inherits it */
	h->fd = memfd_create(HEAP_RING_NAME + 7, 0);
	if (h->fd < 0 || ftruncate(h->fd, (off_t)HEAP_RING_BYTES) != 0) {
		*cause =
			xasprintf("--heap: shared memory: %s", strerror(errno));
		heap_source_free(h);
		return -1;
	}
	h->inode = fstat(h->fd, &st) == 0 ? (uint64_t)st.st_ino : 0;
	(void)heap_huge_back(h->fd); /* huge.h: the target's first touches */
	h->ring = heap_huge_map(h->fd, HEAP_RING_BYTES, 0);
	if (h->ring == MAP_FAILED) {
		h->ring = NULL;
		*cause = xasprintf("--heap: mmap: %s", strerror(errno));
		heap_source_free(h);
		return -1;
	}
	h->ring->magic = HEAP_RING_MAGIC;
	h->ring->version = HEAP_RING_VERSION;
	h->ring->nslots = HEAP_RING_CELLS;
	h->ring->slot_size = sizeof(struct heap_cell);
	for (uint64_t i = 0; i < HEAP_RING_CELLS; i++)
		atomic_store(&h->ring->cells[i].seq, i);
	h->old_preload = pre != NULL ? xstrdup(pre) : NULL;
	val = pre != NULL && *pre != '\0' ? xasprintf("%s:%s", lib, pre)
					  : xstrdup(lib);
	setenv("LD_PRELOAD", val, 1);
	free(val);
	snprintf(num, sizeof(num), "%d", h->fd);
	setenv(HEAP_ENV_FD, num, 1);
	snprintf(num, sizeof(num), "%llu", (unsigned long long)rate);
	setenv(HEAP_ENV_RATE, num, 1);
	if (follow)
		setenv(HEAP_ENV_FOLLOW, "1", 1);
	h->env_set = true;
	*out = h;
	return 0;
}

/*
 * Whether the cell at pos, claimed (the producers' head is past it) and not
 * published, has stayed so for HEAP_RING_STALL_NS, or was claimed before
 * such a stall began: then it is taken back, unless its producer publishes
 * it meanwhile. Returns true when it was.
 */
static bool
heap_source_reclaim(struct heap_source *h, struct heap_cell *cell, uint64_t pos,
		    int64_t now_ns)
{
	uint64_t seq = pos;
	uint64_t head =
		atomic_load_explicit(&h->ring->head, memory_order_acquire);

	if (head <= pos) {
		h->stall_ns = 0; /* empty: nothing claimed */
		return false;
	}
	if (pos >= h->reclaim_until) {
		if (h->stall_ns == 0 || h->stall_pos != pos) {
			h->stall_pos = pos;
			h->stall_ns = now_ns;
			h->stall_head = head;
			return false;
		}
		if (now_ns - h->stall_ns < HEAP_RING_STALL_NS)
			return false;
	}
	if (!atomic_compare_exchange_strong_explicit(
		    &cell->seq, &seq, pos + HEAP_RING_CELLS,
		    memory_order_acq_rel, memory_order_acquire))
		return false; /* published just now: read it */
	if (pos >= h->reclaim_until)
		h->reclaim_until = h->stall_head;
	h->taken++;
	h->stall_ns = 0;
	return true;
}

/* Gives the cell at pos to the producers' next lap. */
static void
heap_source_release(struct heap_ring *r, uint64_t pos)
{
	atomic_store_explicit(&r->cells[pos & (HEAP_RING_CELLS - 1)].seq,
			      pos + HEAP_RING_CELLS, memory_order_release);
}

/*
 * Copies the record whose head cell at pos is published into rec and
 * releases its cells. Returns the cells it took; rec->kind is 0 when the
 * record's further cells are not all there (a hostile target: only the
 * head cell is taken), or when the copy fails its check (torn by a
 * producer a lap late, ring.h, or forged: all its cells are taken).
 */
static uint32_t
heap_source_read(struct heap_ring *r, uint64_t pos, struct heap_record *rec)
{
	const uint64_t mask = HEAP_RING_CELLS - 1;
	const struct heap_cell *c = &r->cells[pos & mask];
	uint16_t kind = c->u.head.kind, raw = c->u.head.nframes;
	uint32_t nframes = raw, k, f;
	uint64_t check = c->u.head.check;

	if (nframes > HEAP_MAX_FRAMES)
		nframes = HEAP_MAX_FRAMES;
	k = heap_record_cells(nframes);
	rec->kind = kind;
	rec->pid = c->u.head.pid;
	rec->addr = c->u.head.addr;
	rec->size = c->u.head.size;
	rec->nframes = nframes;
	rec->reserved = 0;
	for (f = 0; f < nframes && f < HEAP_HEAD_FRAMES; f++)
		rec->frames[f] = c->u.head.frames[f];
	for (uint32_t i = 1; i < k; i++) {
		const struct heap_cell *d = &r->cells[(pos + i) & mask];

		if (atomic_load_explicit(&d->seq, memory_order_acquire) !=
		    ((pos + i + 1) | HEAP_RING_CONT)) {
			rec->kind = 0;
			k = 1;
			break;
		}
		for (uint32_t j = 0; j < HEAP_CONT_FRAMES && f < nframes; j++)
			rec->frames[f++] = d->u.frames[j];
	}
	/* on the copy: a late producer may write on in the cells */
	if (rec->kind != 0 &&
	    heap_ring_check(heap_ring_fold(heap_ring_word0(kind, raw, rec->pid),
					   rec->addr, rec->size, rec->frames,
					   nframes),
			    pos) != check)
		rec->kind = 0;
	for (uint32_t i = 0; i < k; i++)
		heap_source_release(r, pos + i);
	return k;
}

size_t
heap_source_drain(struct heap_source *h, struct heap_record *recs, size_t max,
		  int64_t now_ns)
{
	struct heap_ring *r = h->ring;
	uint64_t pos = atomic_load_explicit(&r->tail, memory_order_relaxed);
	size_t n = 0;

	while (n < max) {
		struct heap_cell *cell = &r->cells[pos & (HEAP_RING_CELLS - 1)];
		uint64_t seq =
			atomic_load_explicit(&cell->seq, memory_order_acquire);

		if (seq == pos && heap_source_reclaim(h, cell, pos, now_ns)) {
			pos++;
			continue;
		}
		if (seq == ((pos + 1) | HEAP_RING_CONT)) {
			/* a further cell whose head was taken back */
			heap_source_release(r, pos++);
			continue;
		}
		if (seq != pos + 1)
			break; /* empty, or a producer is still writing */
		pos += heap_source_read(r, pos, &recs[n]);
		if (recs[n].kind >= HEAP_RECORD_HELLO &&
		    recs[n].kind <= HEAP_RECORD_FORK)
			n++;
		else
			h->malformed++;
	}
	atomic_store_explicit(&r->tail, pos, memory_order_relaxed);
	return n;
}

/* Sets the ring's done to v and wakes the programs waiting for it. */
static void
heap_source_set_done(struct heap_ring *r, uint64_t v)
{
	if (atomic_exchange_explicit(&r->done, v, memory_order_release) == v)
		return;
	syscall(SYS_futex, heap_ring_done_word(r), FUTEX_WAKE, INT32_MAX, NULL,
		NULL, 0);
}

void
heap_source_done(struct heap_source *h)
{
	heap_source_set_done(
		h->ring,
		atomic_load_explicit(&h->ring->tail, memory_order_relaxed));
}

uint32_t
heap_source_bell(const struct heap_source *h)
{
	return atomic_load_explicit(&h->ring->bell, memory_order_acquire);
}

void
heap_source_wait(struct heap_source *h, uint32_t bell, int64_t timeout_ns)
{
	struct timespec ts = {timeout_ns / 1000000000LL,
			      timeout_ns % 1000000000LL};

	/* returns at once when the bell is not bell any more (EAGAIN), at a
	   wake-up, a signal or the timeout: the caller drains anyway */
	syscall(SYS_futex, &h->ring->bell, FUTEX_WAIT, bell, &ts, NULL, 0);
}

uint64_t
heap_source_inode(const struct heap_source *h)
{
	return h->inode;
}

void
heap_source_losses(const struct heap_source *h, struct heap_losses *l)
{
	const struct heap_ring *r = h->ring;
	uint64_t retaken =
		atomic_load_explicit(&r->retaken, memory_order_relaxed);

	l->taken = h->taken;
	l->malformed = h->malformed;
	l->late = atomic_load_explicit(&r->late, memory_order_relaxed);
	l->abandoned =
		atomic_load_explicit(&r->abandoned, memory_order_relaxed);
	/* cells taken back that no producer came back for: each counts */
	l->stalled =
		(h->taken > retaken ? h->taken - retaken : 0) + l->abandoned;
	l->dropped = atomic_load_explicit(&r->dropped, memory_order_relaxed) +
		     h->malformed + l->stalled;
	l->untracked =
		atomic_load_explicit(&r->untracked, memory_order_relaxed);
}

void
heap_source_free(struct heap_source *h)
{
	if (h == NULL)
		return;
	if (h->ring != NULL) {
		/* no more reads: a program that says hello later (the
		   command, with --follow, after cproftop ended) need not
		   wait */
		heap_source_set_done(h->ring, UINT64_MAX);
		munmap(h->ring, HEAP_RING_BYTES);
	}
	if (h->fd >= 0)
		close(h->fd);
	if (h->env_set && h->old_preload != NULL)
		setenv("LD_PRELOAD", h->old_preload, 1);
	else if (h->env_set)
		unsetenv("LD_PRELOAD");
	if (h->env_set) {
		unsetenv(HEAP_ENV_FD);
		unsetenv(HEAP_ENV_RATE);
		unsetenv(HEAP_ENV_FOLLOW);
	}
	free(h->old_preload);
	free(h);
}
