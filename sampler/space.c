#include "config.h"

#include "sampler/space.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/clock.h"
#include "common/xmalloc.h"
#include "sampler/symbols.h"
#include "sampler/unwind.h"

/* The unwinder's first look at a module's file loads it: done by the
   warm hook (the sampler's helper thread) when there is one. */
static void
space_warm(struct space *sp, uint64_t addr)
{
	if (sp->warm != NULL && symbols_cold(sp->sy, addr))
		sp->warm(sp->warm_arg, sp, addr);
}

/* unwind_rule_fn: Go frames unwind by .gopclntab's stack-pointer deltas. */
static enum unwind_rule
space_unwind_rule(void *arg, uint64_t pc, bool is_return, int32_t *sp_delta)
{
	struct space *sp = arg;

	space_warm(sp, is_return ? pc - 1 : pc);
	switch (symbols_go_unwind(sp->sy, pc, is_return, sp_delta)) {
	case SYMBOLS_GO_FRAME:
		return UNWIND_RULE_SP;
	case SYMBOLS_GO_OUTERMOST:
		return UNWIND_RULE_OUTERMOST;
	case SYMBOLS_GO_CGO:
		return UNWIND_RULE_CGO;
	case SYMBOLS_GO_STOP:
		return UNWIND_RULE_STOP;
	case SYMBOLS_GO_NONE:
		break;
	}
	return UNWIND_RULE_NONE;
}

/* unwind_image_fn: an object file's span and unwind table, from the
   symbolizer's per-file object (opened and parsed once per space). */
static bool
space_unwind_image(void *arg, uint64_t ip, struct unwind_image *img)
{
	struct space *sp = arg;
	struct symbols_image si;

	if (!symbols_image(sp->sy, ip, &si))
		return false;
	*img = (struct unwind_image){si.start, si.end, si.eh_hdr, si.eh_table,
				     si.eh_count};
	return true;
}

/* unwind_file_read_fn: the symbolizer's copy of the file mapped at addr. */
static bool
space_unwind_file_read(void *arg, uint64_t addr, void *buf, size_t len)
{
	struct space *sp = arg;

	return symbols_file_read(sp->sy, addr, buf, len);
}

/* An unwind that meets an unmapped sp or pc reads the maps at most this
   often (a thread born since, dlopen'd code). */
#define SPACE_MISS_NS (CLOCK_NS_PER_S / 20)

static void space_unwind_miss(void *arg);

struct space *
space_new(pid_t pid, uint32_t id, struct space *like)
{
	struct space *sp = xcalloc(1, sizeof(*sp));

	sp->pid = sp->proc_pid = pid;
	sp->id = id;
	sp->u = unwind_new(pid);
	sp->sy = symbols_new_like(pid, like != NULL ? like->sy : NULL);
	unwind_set_rule(sp->u, space_unwind_rule, sp);
	unwind_set_images(sp->u, space_unwind_image, space_unwind_file_read,
			  sp);
	unwind_set_maps(sp->u, &sp->maps, space_unwind_miss, sp);
	sp->maps_dirty = true;
	space_read_comm(sp);
	return sp;
}

void
space_free(struct space *sp)
{
	if (sp == NULL)
		return;
	procfs_maps_free(&sp->maps);
	symbols_free(sp->sy);
	unwind_free(sp->u);
	free(sp);
}

void
space_read_comm(struct space *sp)
{
	if (procfs_read_comm(sp->proc_pid, sp->proc_pid, sp->comm) != 0 &&
	    sp->comm[0] == '\0')
		snprintf(sp->comm, sizeof(sp->comm), "?");
}

/* True when a and b list the same mappings. */
static bool
space_same_maps(const struct procfs_maps *a, const struct procfs_maps *b)
{
	bool same = a->n == b->n;

	for (size_t i = 0; same && i < a->n; i++)
		same = a->maps[i].start == b->maps[i].start &&
		       a->maps[i].end == b->maps[i].end &&
		       a->maps[i].inode == b->maps[i].inode &&
		       strcmp(a->maps[i].path, b->maps[i].path) == 0;
	return same;
}

/*
 * Reads the maps through proc_pid into the one table the unwinder and the
 * symbolizer share. Returns 1 when they changed (both then start again
 * from them), 0 when not, -1 when unreadable.
 */
static int
space_read_maps(struct space *sp)
{
	struct procfs_maps maps;

	if (procfs_read_maps(sp->proc_pid, &maps) != 0)
		return -1;
	if (space_same_maps(&maps, &sp->maps)) {
		procfs_maps_free(&maps);
		return 0;
	}
	procfs_maps_free(&sp->maps);
	sp->maps = maps;
	symbols_set_maps(sp->sy, &sp->maps);
	unwind_flush(sp->u);
	return 1;
}

/*
 * unwind_miss_fn: an unwind met an sp or pc in no known mapping. The maps
 * are read again, at most once per SPACE_MISS_NS; when they changed the
 * next space_refresh() says so (the aggregate forgets its addresses).
 */
static void
space_unwind_miss(void *arg)
{
	struct space *sp = arg;
	int64_t now = clock_ns(CLOCK_MONOTONIC);

	if (sp->miss_read_ns != 0 && now - sp->miss_read_ns < SPACE_MISS_NS)
		return;
	sp->miss_read_ns = now;
	if (space_read_maps(sp) == 1)
		sp->forget_pending = true;
}

bool
space_refresh(struct space *sp, bool force, unsigned execs, pid_t proc_pid)
{
	bool forget = sp->forget_pending;
	int rc;

	sp->forget_pending = false;

	/* An address in no file: new JIT code, named by a grown perf map. */
	if ((force || sp->maps_dirty) && symbols_refresh_jit(sp->sy))
		forget = true;
	if (!force && !sp->maps_dirty && execs == sp->exec_count &&
	    proc_pid == sp->proc_pid)
		return forget;
	if (proc_pid != sp->proc_pid) {
		/* The leader left (pthread_exit): read through a live thread,
		   and name again what was looked up through the zombie. */
		sp->proc_pid = proc_pid;
		symbols_set_pid(sp->sy, proc_pid);
		unwind_set_pid(sp->u, proc_pid);
		unwind_flush(sp->u);
		forget = true;
	}
	rc = space_read_maps(sp);
	if (rc < 0)
		return forget;
	sp->exec_count = execs;
	sp->maps_dirty = false;
	return forget || rc == 1;
}
