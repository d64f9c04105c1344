#include "config.h"

#include "sampler/space.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/xmalloc.h"
#include "sampler/symbols.h"
#include "sampler/unwind.h"

/* unwind_rule_fn: Go frames unwind by .gopclntab's stack-pointer deltas. */
static enum unwind_rule
space_unwind_rule(void *arg, uint64_t pc, bool is_return, int32_t *sp_delta)
{
	struct space *sp = arg;
	uint64_t addr = is_return ? pc - 1 : pc;

	/* Its first look at a module's file loads it: done by the warm
	   hook (the sampler's helper thread) when there is one. */
	if (sp->warm != NULL && symbols_cold(sp->sy, addr))
		sp->warm(sp->warm_arg, sp, addr);
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

struct space *
space_new(pid_t pid, uint32_t id)
{
	struct space *sp = xcalloc(1, sizeof(*sp));

	sp->pid = sp->proc_pid = pid;
	sp->id = id;
	sp->u = unwind_new(pid);
	sp->sy = symbols_new(pid);
	unwind_set_rule(sp->u, space_unwind_rule, sp);
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

bool
space_refresh(struct space *sp, bool force, unsigned execs, pid_t proc_pid)
{
	struct procfs_maps maps;
	bool forget = false;

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
	if (procfs_read_maps(sp->proc_pid, &maps) != 0)
		return forget;
	sp->exec_count = execs;
	sp->maps_dirty = false;
	if (space_same_maps(&maps, &sp->maps)) {
		procfs_maps_free(&maps);
		return forget;
	}
	procfs_maps_free(&sp->maps);
	sp->maps = maps;
	symbols_set_maps(sp->sy, &sp->maps);
	unwind_flush(sp->u);
	return true;
}
