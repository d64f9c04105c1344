/*
 * sampler/heapprof.c: the heap profile behind --heap (heapprof.h).
 */
#include "config.h"

#include "sampler/heapprof.h"

#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "attach/procfs.h"
#include "common/clock.h"
#include "common/hash.h"
#include "common/log.h"
#include "common/xmalloc.h"
#include "heap/source.h"
#include "sampler/aggregate.h"
#include "sampler/fault.h"
#include "sampler/symbols.h"

#define HEAPPROF_BATCH 256
#define HEAPPROF_MAX_INLINE 16
#define HEAPPROF_POLL_NS (10 * 1000 * 1000)
/* Bounds on what a target can make cproftop hold. */
#define HEAPPROF_MAX_BUCKETS (1u << 20)
#define HEAPPROF_MAX_LIVE (1u << 22)
#define HEAPPROF_MAX_PROCS 256
#define HEAPPROF_MAX_PCS (1u << 24) /* return addresses kept: 128 MiB */

/* Sampled (pid, address) still allocated -> bucket: open addressing. */
struct heapprof_live {
	uint64_t *addr; /* 0: empty */
	uint32_t *pid;
	uint32_t *bucket;
	size_t cap, n;
};

/*
 * One process whose library said hello: the target, and with --follow the
 * programs it executes. A program executed in place (the same pid) starts
 * a new image: a new address space for the locations, a new symbolizer.
 */
struct heapprof_proc {
	pid_t pid;
	uint32_t space; /* aggregate_set_space() */
	struct symbols *sy;
	struct procfs_maps maps;
	bool maps_dirty, hello;
	bool forked;  /* a forked child that profiled on (--follow) */
	bool refused; /* not proven the command's: its records are strays */
	int64_t maps_read_ns; /* when the maps were last read */
};

/*
 * A sampled stack as the interposer recorded it: its return addresses in
 * the process's address space of then, named at the next snapshot
 * (heapprof_name()).
 */
struct heapprof_raw {
	uint32_t proc;	/* in procs */
	uint32_t space; /* procs[proc].space when recorded */
	uint32_t first; /* in pcs */
	uint32_t n;	/* HEAP_MAX_FRAMES: truncated */
	uint32_t stack; /* in the aggregate, once named */
};

struct heapprof {
	struct heap_source *src;
	pid_t pid;
	uid_t owner; /* /proc/PID's owner of the target, when last seen */
	uint64_t rate;
	pthread_t thread;
	pthread_mutex_t lock; /* everything below */
	bool stop, joined, started;
	struct heap_record *recs;
	struct aggregate *g;
	struct heapprof_proc procs[HEAPPROF_MAX_PROCS]; /* [0]: the target */
	uint32_t nprocs, spaces;
	/* stack: the index of its raw stack, not yet named */
	struct heapprof_bucket *buckets;
	uint32_t nbuckets, capbuckets;
	struct hash bucket_idx;
	struct heapprof_raw *raws; /* [0, named) are named */
	uint32_t nraws, capraws, named;
	struct hash raw_idx;
	uint64_t *pcs;
	uint32_t npcs, cappcs;
	struct heapprof_live live;
	uint64_t samples, frees, unknown_frees, overflow, execs, forks, strays;
	int64_t start_unix_ns, start_mono_ns;
	/* Where the target's program (at its latest hello) maps the ring,
	   and the path of the program it executed since that never said
	   hello (or NULL) */
	bool ring_known;
	uint64_t ring_start, ring_end;
	char *left_for;
};

static uint64_t
heapprof_mix(uint64_t x)
{
	x ^= x >> 33;
	x *= 0xff51afd7ed558ccdull;
	x ^= x >> 33;
	return x ? x : 1;
}

static size_t
heapprof_live_home(const struct heapprof_live *l, uint64_t a, uint32_t pid)
{
	return heapprof_mix(a ^ ((uint64_t)pid << 40)) & (l->cap - 1);
}

static size_t
heapprof_live_find(const struct heapprof_live *l, uint64_t a, uint32_t pid)
{
	size_t i = heapprof_live_home(l, a, pid);

	while (l->addr[i] != 0 && (l->addr[i] != a || l->pid[i] != pid))
		i = (i + 1) & (l->cap - 1);
	return i;
}

static void
heapprof_live_put(struct heapprof_live *l, uint64_t a, uint32_t pid,
		  uint32_t bucket)
{
	size_t i;

	if (a == 0)
		return;
	if ((l->n + 1) * 2 > l->cap) {
		struct heapprof_live old = *l;

		l->cap = old.cap ? old.cap * 2 : 1024;
		l->addr = xcalloc(l->cap, sizeof(*l->addr));
		l->pid = xcalloc(l->cap, sizeof(*l->pid));
		l->bucket = xcalloc(l->cap, sizeof(*l->bucket));
		l->n = 0;
		for (size_t j = 0; j < old.cap; j++)
			if (old.addr[j] != 0)
				heapprof_live_put(l, old.addr[j], old.pid[j],
						  old.bucket[j]);
		free(old.addr);
		free(old.pid);
		free(old.bucket);
	}
	i = heapprof_live_find(l, a, pid);
	if (l->addr[i] == 0)
		l->n++;
	l->addr[i] = a;
	l->pid[i] = pid;
	l->bucket[i] = bucket;
}

/* Empties slot i (backward-shift deletion). */
static void
heapprof_live_clear(struct heapprof_live *l, size_t i)
{
	for (size_t j = i;;) {
		size_t home;

		j = (j + 1) & (l->cap - 1);
		if (l->addr[j] == 0)
			break;
		home = heapprof_live_home(l, l->addr[j], l->pid[j]);
		if (i <= j ? (home > i && home <= j) : (home > i || home <= j))
			continue;
		l->addr[i] = l->addr[j];
		l->pid[i] = l->pid[j];
		l->bucket[i] = l->bucket[j];
		i = j;
	}
	l->addr[i] = 0;
	l->n--;
}

/* Removes (pid, a); returns its bucket, or UINT32_MAX when absent. */
static uint32_t
heapprof_live_take(struct heapprof_live *l, uint64_t a, uint32_t pid)
{
	size_t i;
	uint32_t b;

	if (l->cap == 0 || a == 0)
		return UINT32_MAX;
	i = heapprof_live_find(l, a, pid);
	if (l->addr[i] == 0)
		return UINT32_MAX;
	b = l->bucket[i];
	heapprof_live_clear(l, i);
	return b;
}

struct heapprof_key {
	uint32_t stack;
	uint64_t size;
};

static int
heapprof_bucket_eq(uint32_t id, const void *key, void *arg)
{
	const struct heapprof *h = arg;
	const struct heapprof_key *k = key;

	return h->buckets[id].stack == k->stack &&
	       h->buckets[id].size == k->size;
}

/* The bucket of (stack, size), added if new; UINT32_MAX past the bound. */
static uint32_t
heapprof_bucket(struct heapprof *h, uint32_t stack, uint64_t size)
{
	struct heapprof_key k = {stack, size};
	uint64_t hash = heapprof_mix(((uint64_t)stack << 40) ^ size);
	uint32_t id =
		hash_find(&h->bucket_idx, hash, heapprof_bucket_eq, &k, h);

	if (id != UINT32_MAX)
		return id;
	if (h->nbuckets >= HEAPPROF_MAX_BUCKETS)
		return UINT32_MAX;
	if (h->nbuckets == h->capbuckets) {
		h->capbuckets = h->capbuckets ? h->capbuckets * 2 : 256;
		h->buckets = xreallocarray(h->buckets, h->capbuckets,
					   sizeof(*h->buckets));
	}
	id = h->nbuckets++;
	h->buckets[id] = (struct heapprof_bucket){.stack = stack, .size = size};
	hash_add(&h->bucket_idx, hash, id);
	return id;
}

static void heapprof_name(struct heapprof *h);

/*
 * Whether process pid, whose maps are these, is one of the command's
 * programs. A record's pid is the target's word: any pid, an unrelated
 * process's (the names of its mappings and functions would go into the
 * profile, read as root), cproftop's own, or one of another pid
 * namespace. The target is itself; another process must map the ring
 * (cproftop does, and in the command only the library does: an exec
 * drops it) and belong to the target's owner as /proc shows it now
 * (dumpable, the same uid: what the target's owner could read anyway),
 * unless the target is root's.
 */
/* The ring's mapping among maps (a process's), or NULL. */
static const struct procfs_map *
heapprof_ring_map(const struct heapprof *h, const struct procfs_maps *maps)
{
	uint64_t ino = heap_source_inode(h->src);

	for (size_t i = 0; i < maps->n && ino != 0; i++)
		if (maps->maps[i].inode == ino &&
		    strcmp(maps->maps[i].path, HEAP_RING_NAME) == 0)
			return &maps->maps[i];
	return NULL;
}

static bool
heapprof_ours(struct heapprof *h, pid_t pid, const struct procfs_maps *maps)
{
	char path[32];
	struct stat st;

	if (pid == h->pid)
		return true;
	snprintf(path, sizeof(path), "/proc/%d", (int)h->pid);
	if (stat(path, &st) == 0) /* gone: its owner when last seen */
		h->owner = st.st_uid;
	if (pid == getpid())
		return false;
	snprintf(path, sizeof(path), "/proc/%d", (int)pid);
	return heapprof_ring_map(h, maps) != NULL && stat(path, &st) == 0 &&
	       (h->owner == 0 || st.st_uid == h->owner);
}

/*
 * Re-reads a process's maps after an address fell in none; a process no
 * longer the command's (its pid taken by another) is refused.
 */
static void
heapprof_refresh_maps(struct heapprof *h, struct heapprof_proc *p)
{
	struct procfs_maps maps;

	int64_t now = clock_ns(CLOCK_MONOTONIC);

	/* at most 10 times a second: frames in no mapping (JIT code, or a
	   hostile target's made-up addresses) must not cost a read each */
	if (!p->maps_dirty || now - p->maps_read_ns < HEAPPROF_POLL_NS * 10)
		return;
	p->maps_read_ns = now;
	if (procfs_read_maps(p->pid, &maps) != 0) {
		log_debug("heap: the maps of process %d are unreadable",
			  (int)p->pid);
		return;
	}
	if (maps.n == 0) {
		/* an ended process's read so: kept, they would name nothing
		   ever after */
		log_debug("heap: the maps of process %d are empty (it ended)",
			  (int)p->pid);
		procfs_maps_free(&maps);
		return;
	}
	if (!heapprof_ours(h, p->pid, &maps)) {
		procfs_maps_free(&maps);
		p->refused = true;
		return;
	}
	log_debug("heap: the maps of process %d read: %zu mappings",
		  (int)p->pid, maps.n);
	p->maps_dirty = false;
	heapprof_name(h); /* the stacks recorded under the old maps */
	procfs_maps_free(&p->maps);
	p->maps = maps;
	symbols_set_maps(p->sy, &p->maps);
	/* a new space: the old addresses' locations stay for old stacks */
	p->space = h->spaces++;
}

/* The location of return address pc in p's address space space. */
static uint32_t
heapprof_location(struct heapprof *h, struct heapprof_proc *p, uint32_t space,
		  uint64_t pc)
{
	struct symbols_frame frames[HEAPPROF_MAX_INLINE];
	struct symbols_module mod;
	uint32_t loc;
	int n;

	aggregate_set_space(h->g, space);
	loc = aggregate_find_location(h->g, pc, true);
	if (loc != PROFILE_NONE)
		return loc;
	n = symbols_lookup(p->sy, pc, true, frames, HEAPPROF_MAX_INLINE, &mod);
	return aggregate_add_location(h->g, pc, true, frames, n, &mod);
}

/*
 * The process of pid, added when new; NULL when its records are not
 * counted: past the bound, or not proven the command's (heapprof_ours(),
 * checked before anything of it is read but its maps; a refused pid keeps
 * its place, so a flood of made-up pids costs one read each). Its
 * symbolizer shares the target's files.
 */
static struct heapprof_proc *
heapprof_proc(struct heapprof *h, pid_t pid)
{
	struct heapprof_proc *p;
	struct procfs_maps maps = {0};

	for (uint32_t i = 0; i < h->nprocs; i++)
		if (h->procs[i].pid == pid)
			return h->procs[i].refused ? NULL : &h->procs[i];
	if (pid <= 0 || h->nprocs == HEAPPROF_MAX_PROCS)
		return NULL;
	p = &h->procs[h->nprocs++];
	*p = (struct heapprof_proc){.pid = pid, .maps_dirty = true};
	if (pid != h->pid) {
		if (procfs_read_maps(pid, &maps) != 0 ||
		    !heapprof_ours(h, pid, &maps)) {
			procfs_maps_free(&maps);
			p->refused = true;
			return NULL;
		}
		p->maps = maps;
		p->maps_read_ns = clock_ns(CLOCK_MONOTONIC);
		p->maps_dirty = false;
	}
	p->sy = symbols_new_like(pid, h->nprocs > 1 ? h->procs[0].sy : NULL);
	if (!p->maps_dirty)
		symbols_set_maps(p->sy, &p->maps);
	p->space = h->spaces++;
	return p;
}

/*
 * Counts freed the sampled blocks of pid still allocated: its program was
 * replaced (an exec), and its memory with it.
 */
static void
heapprof_forget_blocks(struct heapprof *h, pid_t pid)
{
	struct heapprof_live *l = &h->live;

	for (size_t i = 0; i < l->cap;) {
		if (l->addr[i] != 0 && l->pid[i] == (uint32_t)pid) {
			h->buckets[l->bucket[i]].frees++;
			heapprof_live_clear(l, i); /* i holds another now */
			continue;
		}
		i++;
	}
}

/*
 * A second hello from p: it executed a new program, whose memory is new
 * (in_place: counted an exec in place; not a forked child's exec, nor a
 * pid used again by a new fork). The old program's sampled blocks are
 * freed; its names are read anew.
 */
static void
heapprof_exec(struct heapprof *h, struct heapprof_proc *p, bool in_place)
{
	struct symbols *old = p->sy;

	h->execs += in_place;
	heapprof_name(h); /* the old program's stacks, with its symbolizer */
	heapprof_forget_blocks(h, p->pid);
	p->sy = symbols_new_like(p->pid, old);
	symbols_free(old);
	procfs_maps_free(&p->maps);
	memset(&p->maps, 0, sizeof(p->maps));
	p->maps_dirty = true;
	p->maps_read_ns = 0;
	p->space = h->spaces++;
}

/*
 * Whether loc is C++'s operator new (any overload): like Go's runtime
 * frames and tcmalloc's own, it is not where the program allocates.
 */
static bool
heapprof_is_new(const struct heapprof *h, uint32_t loc)
{
	struct profile_snapshot v = {0};
	const struct profile_location *l;
	const char *name;

	aggregate_view(h->g, &v);
	if (loc >= v.nlocations)
		return false;
	l = &v.locations[loc];
	name = v.functions[v.lines[l->first_line + l->nlines - 1].function]
		       .name;
	return name != NULL && strncmp(name, "operator new", 12) == 0;
}

struct heapprof_raw_key {
	uint32_t proc, space;
	const struct heap_record *r;
};

static int
heapprof_raw_eq(uint32_t id, const void *key, void *arg)
{
	const struct heapprof *h = arg;
	const struct heapprof_raw_key *k = key;
	const struct heapprof_raw *w = &h->raws[id];

	return w->proc == k->proc && w->space == k->space &&
	       w->n == k->r->nframes &&
	       memcmp(h->pcs + w->first, k->r->frames,
		      w->n * sizeof(uint64_t)) == 0;
}

/*
 * The raw stack of r's frames in p's current address space, added if new
 * (its files then opened: symbols_prepare()); UINT32_MAX past the bound.
 */
static uint32_t
heapprof_raw(struct heapprof *h, struct heapprof_proc *p,
	     const struct heap_record *r)
{
	struct heapprof_raw_key k = {(uint32_t)(p - h->procs), p->space, r};
	uint64_t hash = hash_mem(r->frames, r->nframes * sizeof(uint64_t),
				 hash_mix(k.proc, k.space));
	uint32_t id = hash_find(&h->raw_idx, hash, heapprof_raw_eq, &k, h);

	if (id != UINT32_MAX)
		return id;
	if (h->npcs + r->nframes > HEAPPROF_MAX_PCS)
		return UINT32_MAX;
	if (h->nraws == h->capraws) {
		h->capraws = h->capraws ? h->capraws * 2 : 256;
		h->raws = xreallocarray(h->raws, h->capraws, sizeof(*h->raws));
	}
	while (h->npcs + r->nframes > h->cappcs) {
		h->cappcs = h->cappcs ? h->cappcs * 2 : 4096;
		h->pcs = xreallocarray(h->pcs, h->cappcs, sizeof(*h->pcs));
	}
	for (uint32_t i = 0; i < r->nframes; i++)
		symbols_prepare(p->sy, r->frames[i] - 1); /* return addresses */
	memcpy(h->pcs + h->npcs, r->frames, r->nframes * sizeof(uint64_t));
	id = h->nraws++;
	h->raws[id] = (struct heapprof_raw){
		.proc = k.proc,
		.space = k.space,
		.first = h->npcs,
		.n = r->nframes,
		.stack = UINT32_MAX,
	};
	h->npcs += r->nframes;
	hash_add(&h->raw_idx, hash, id);
	return id;
}

/*
 * Names the stacks recorded since the last call: the debug info of the
 * files they fall in is read on their first (libc's: ~0.1 s of CPU), when
 * a view asks for the profile rather than beside the allocating target. A
 * process's maps and symbolizer are those its stacks were recorded under:
 * this runs before either changes (heapprof_refresh_maps(),
 * heapprof_exec()). Caller holds the lock.
 */
static void
heapprof_name(struct heapprof *h)
{
	uint32_t locs[HEAP_MAX_FRAMES], skip;

	for (; h->named < h->nraws; h->named++) {
		struct heapprof_raw *w = &h->raws[h->named];
		struct heapprof_proc *p = &h->procs[w->proc];

		for (uint32_t i = 0; i < w->n; i++)
			locs[i] = heapprof_location(h, p, w->space,
						    h->pcs[w->first + i]);
		skip = 0;
		while (skip + 1 < w->n && heapprof_is_new(h, locs[skip]))
			skip++;
		w->stack = aggregate_stack(h->g, locs + skip, w->n - skip,
					   w->n == HEAP_MAX_FRAMES);
	}
}

static void
heapprof_alloc(struct heapprof *h, struct heapprof_proc *p,
	       const struct heap_record *r)
{
	uint32_t raw, b;

	h->samples++;
	if (h->nbuckets >= HEAPPROF_MAX_BUCKETS) {
		h->overflow++; /* the bound: not kept, not counted */
		return;
	}

	/* an address in no known mapping: read the maps again first */
	for (uint32_t i = 0; i < r->nframes && !p->maps_dirty; i++)
		if (procfs_maps_find(&p->maps, r->frames[i]) == NULL)
			p->maps_dirty = true;
	heapprof_refresh_maps(h, p);
	raw = heapprof_raw(h, p, r);
	if (raw == UINT32_MAX) {
		h->overflow++;
		return;
	}
	b = heapprof_bucket(h, raw, r->size);
	if (b == UINT32_MAX)
		return;
	h->buckets[b].allocs++;
	/* an address given again without its free (a lost record): the
	   old sample was freed */
	if (h->live.n < HEAPPROF_MAX_LIVE) {
		uint32_t old = heapprof_live_take(&h->live, r->addr, r->pid);

		if (old != UINT32_MAX)
			h->buckets[old].frees++;
		heapprof_live_put(&h->live, r->addr, r->pid, b);
	}
}

/*
 * Opens the files of p's executable mappings (symbols_prepare()) while
 * the program waits after its hello: one that ends before cproftop reads
 * its next records leaves no /proc/PID/root to open them from, and its
 * stacks were named FILE+0xOFFSET (tests/heap/cli.sh, the short command).
 */
static void
heapprof_open_files(struct heapprof_proc *p)
{
	for (size_t i = 0; i < p->maps.n; i++)
		if (p->maps.maps[i].executable &&
		    p->maps.maps[i].path[0] == '/')
			symbols_prepare(p->sy, p->maps.maps[i].start);
}

/*
 * Notes where the target's program maps the ring, from the maps read at
 * its hello (it waits there). Caller holds the lock.
 */
static void
heapprof_note_ring(struct heapprof *h)
{
	const struct procfs_map *m = heapprof_ring_map(h, &h->procs[0].maps);

	h->ring_known = m != NULL;
	h->ring_start = m != NULL ? m->start : 0;
	h->ring_end = m != NULL ? m->end : 0;
	free(h->left_for);
	h->left_for = NULL;
}

/*
 * Whether the target executed, in its place, a program whose library
 * never said hello (without --follow the variables are not passed on; or
 * a static or setuid program): its hello's mapping of the ring is gone
 * (/proc/PID/map_files, a lookup: no capability needed) while the
 * process lives. Its program's sampled blocks are then freed with its
 * memory, and the path of the program it runs kept for the report (read
 * again each drain while it lives: the last one of a chain, as a shim's
 * exec of the real program). One lstat or readlink a drain; a hello
 * after it (with --follow) takes it back. Caller holds the lock.
 */
static void
heapprof_check_ring(struct heapprof *h)
{
	char path[80], *exe;
	struct stat st;

	if (!h->ring_known)
		return;
	if (h->left_for == NULL) {
		snprintf(path, sizeof(path), "/proc/%d/map_files/%llx-%llx",
			 (int)h->pid, (unsigned long long)h->ring_start,
			 (unsigned long long)h->ring_end);
		if (lstat(path, &st) == 0 || errno != ENOENT)
			return;
	}
	/* NULL once it ended (a zombie's exe is unreadable too) */
	if ((exe = procfs_read_exe(h->pid)) == NULL)
		return;
	if (h->left_for == NULL)
		heapprof_forget_blocks(h, h->pid);
	free(h->left_for);
	h->left_for = exe;
}

static void
heapprof_record(struct heapprof *h, const struct heap_record *r)
{
	struct heapprof_proc *p = heapprof_proc(h, (pid_t)r->pid);
	uint32_t b;

	if (p == NULL) {
		h->strays++; /* a made-up pid, or past the bound */
		return;
	}
	switch (r->kind) {
	case HEAP_RECORD_HELLO:
		if (p->hello || p->forked)
			heapprof_exec(h, p, p->hello);
		p->hello = true;
		/* its maps now, while the program waits for it (ring.h,
		   HEAP_HELLO_WAIT_NS): its libraries are all mapped, and it
		   may end before cproftop reads its next record */
		heapprof_refresh_maps(h, p);
		heapprof_open_files(p);
		if (p == &h->procs[0])
			heapprof_note_ring(h);
		break;
	case HEAP_RECORD_FORK:
		/* a forked child profiling on (--follow): its maps now,
		   while it waits (a pid seen before is a new process) */
		if (p->hello || p->forked)
			heapprof_exec(h, p, false);
		p->hello = false;
		p->forked = true;
		h->forks++;
		heapprof_refresh_maps(h, p);
		heapprof_open_files(p);
		break;
	case HEAP_RECORD_ALLOC:
		heapprof_alloc(h, p, r);
		break;
	case HEAP_RECORD_FREE:
		b = heapprof_live_take(&h->live, r->addr, r->pid);
		if (b == UINT32_MAX) {
			h->unknown_frees++;
		} else {
			h->buckets[b].frees++;
			h->frees++;
		}
		break;
	}
}

/*
 * Drains the ring, then tells the programs waiting for their hellos to be
 * read (ring.h) that they were. Caller holds the lock.
 */
static void
heapprof_drain(struct heapprof *h)
{
	size_t n;

	while ((n = heap_source_drain(h->src, h->recs, HEAPPROF_BATCH,
				      clock_ns(CLOCK_MONOTONIC))) > 0) {
		for (size_t i = 0; i < n; i++)
			heapprof_record(h, &h->recs[i]);
		heap_source_done(h->src);
	}
}

/* The reader: drains every HEAPPROF_POLL_NS, at once when rung. */
static void *
heapprof_main(void *arg)
{
	struct heapprof *h = arg;
	uint32_t bell;

	fault_heap_late();
	pthread_mutex_lock(&h->lock);
	while (!h->stop) {
		bell = heap_source_bell(h->src);
		heapprof_drain(h);
		heapprof_check_ring(h);
		pthread_mutex_unlock(&h->lock);
		heap_source_wait(h->src, bell, HEAPPROF_POLL_NS);
		pthread_mutex_lock(&h->lock);
	}
	heapprof_drain(h);
	pthread_mutex_unlock(&h->lock);
	return NULL;
}

struct heapprof *
heapprof_start(struct heap_source *src, pid_t pid, uint64_t rate)
{
	struct heapprof *h = xcalloc(1, sizeof(*h));
	char path[32];
	struct stat st;

	h->src = src;
	h->pid = pid;
	h->rate = rate;
	snprintf(path, sizeof(path), "/proc/%d", (int)pid);
	h->owner = stat(path, &st) == 0 ? st.st_uid : (uid_t)-1;
	h->recs = xcalloc(HEAPPROF_BATCH, sizeof(*h->recs));
	h->g = aggregate_new();
	heapprof_proc(h, pid); /* procs[0] */
	h->start_unix_ns = clock_ns(CLOCK_REALTIME);
	h->start_mono_ns = clock_ns(CLOCK_MONOTONIC);
	pthread_mutex_init(&h->lock, NULL);
	if (pthread_create(&h->thread, NULL, heapprof_main, h) != 0)
		fatal("pthread_create");
	h->started = true;
	return h;
}

uint32_t
heapprof_records(struct heapprof *h)
{
	uint32_t n;

	pthread_mutex_lock(&h->lock);
	n = h->nbuckets;
	pthread_mutex_unlock(&h->lock);
	return n;
}

struct heapprof_snapshot *
heapprof_snapshot(struct heapprof *h)
{
	struct heapprof_snapshot *s = xcalloc(1, sizeof(*s));
	struct profile_snapshot view = {0};
	struct heapprof_bucket *b;
	struct heap_losses losses;

	pthread_mutex_lock(&h->lock);
	heapprof_drain(h);
	heapprof_name(h);
	aggregate_view(h->g, &view);
	view.pid = h->pid;
	view.ncounts = 0;
	view.nthreads = 0;
	s->tables = profile_snapshot_copy(&view);
	b = xcalloc(h->nbuckets + 1, sizeof(*b));
	for (uint32_t i = 0; i < h->nbuckets; i++) {
		b[i] = h->buckets[i];
		b[i].stack = h->raws[b[i].stack].stack;
	}
	s->buckets = b;
	s->nbuckets = h->nbuckets;
	s->rate = h->rate;
	s->loaded = h->procs[0].hello;
	s->pid = h->pid;
	s->nprocs = 0;
	for (uint32_t i = 0; i < h->nprocs; i++)
		s->nprocs += h->procs[i].hello || h->procs[i].forked;
	s->forks = h->forks;
	s->execs = h->execs;
	s->left_for = h->left_for ? xstrdup(h->left_for) : NULL;
	s->strays = h->strays;
	s->samples = h->samples;
	s->frees = h->frees;
	s->unknown_frees = h->unknown_frees;
	s->overflow = h->overflow;
	heap_source_losses(h->src, &losses);
	s->dropped = losses.dropped;
	s->stalled = losses.stalled;
	s->malformed = losses.malformed;
	s->untracked = losses.untracked;
	s->late = losses.late;
	s->start_unix_ns = h->start_unix_ns;
	s->duration_ns = clock_ns(CLOCK_MONOTONIC) - h->start_mono_ns;
	pthread_mutex_unlock(&h->lock);
	return s;
}

void
heapprof_snapshot_free(struct heapprof_snapshot *s)
{
	if (s == NULL)
		return;
	profile_snapshot_unref(s->tables);
	free((void *)s->buckets);
	free(s->left_for);
	free(s);
}

void
heapprof_stop(struct heapprof *h)
{
	if (h == NULL || !h->started || h->joined)
		return;
	pthread_mutex_lock(&h->lock);
	h->stop = true;
	pthread_mutex_unlock(&h->lock);
	pthread_join(h->thread, NULL);
	h->joined = true;
}

void
heapprof_free(struct heapprof *h)
{
	if (h == NULL)
		return;
	heapprof_stop(h);
	pthread_mutex_destroy(&h->lock);
	for (uint32_t i = h->nprocs; i-- > 0;) {
		symbols_free(h->procs[i].sy);
		procfs_maps_free(&h->procs[i].maps);
	}
	aggregate_free(h->g);
	hash_free(&h->bucket_idx);
	hash_free(&h->raw_idx);
	free(h->raws);
	free(h->pcs);
	free(h->live.addr);
	free(h->live.pid);
	free(h->live.bucket);
	free(h->buckets);
	free(h->recs);
	free(h->left_for);
	free(h);
}
