/*
 * The sampler's processes: one space (sampler/space.h: maps, unwinder,
 * symbolizer) per profiled process -- the target's first, then each
 * followed child's, sharing the target's files -- found by PID, refreshed
 * when their maps may have changed, dropped when no thread is left.
 * Sampler thread.
 */
#include "config.h"

#include "sampler/sampler_int.h"

#include <stdlib.h>
#include <string.h>

#include "attach/attach.h"
#include "attach/procfs.h"
#include "common/array.h"
#include "common/clock.h"
#include "sampler/aggregate.h"
#include "sampler/space.h"

/* space.h's warm hook: sampler_warm(). */
static void
sampler_space_warm(void *arg, struct space *sp, uint64_t addr)
{
	sampler_warm(arg, sp, addr, false); /* mid-unwind */
}

/* The space of process pid, or NULL. */
struct space *
sampler_space_find(struct sampler *s, pid_t pid)
{
	for (size_t i = 0; i < s->nspaces; i++)
		if (s->spaces[i]->pid == pid)
			return s->spaces[i];
	return NULL;
}

/*
 * The address space of process pid, made when new: the target's (the
 * first), or a followed child's, read from its own maps and binaries.
 */
struct space *
sampler_space(struct sampler *s, pid_t pid)
{
	struct space *sp = sampler_space_find(s, pid);

	if (sp != NULL)
		return sp;
	ARRAY_RESERVE(s->spaces, s->cap_spaces, s->nspaces + 1);
	/* A followed child's libraries are mostly the target's: loaded once. */
	sp = space_new(pid, s->next_space++,
		       s->nspaces > 0 ? s->spaces[0] : NULL);
	sp->warm = sampler_space_warm;
	sp->warm_arg = s;
	s->spaces[s->nspaces++] = sp;
	/* A new space id: no address of it was looked up yet. */
	space_refresh(sp, true, s->a ? attach_exec_count(s->a) : 0, pid);
	return sp;
}

/* Frees the spaces of followed children no task belongs to any more. */
void
sampler_space_sweep(struct sampler *s)
{
	size_t kept = s->nspaces > 0 ? 1 : 0; /* the target's stays */

	for (size_t i = kept; i < s->nspaces; i++) {
		bool used = false;

		for (size_t j = 0; j < s->ntasks && !used; j++)
			used = s->tasks[j].pid == s->spaces[i]->pid;
		if (used)
			s->spaces[kept++] = s->spaces[i];
		else
			space_free(s->spaces[i]);
	}
	s->nspaces = kept;
}

/*
 * The PID to read the target's /proc files and memory through: a live
 * thread when the leader called pthread_exit() (ptrace: attach/ knows;
 * perf: sampler_perf_leader()), else the PID.
 */
pid_t
sampler_proc_pid(const struct sampler *s)
{
	if (s->a != NULL)
		return attach_proc_pid(s->a);
	return s->perf_proc_pid != 0 ? s->perf_proc_pid : s->pid;
}

/*
 * Names the threads of sp's process again (an exec renames them: the
 * child gcc forked becomes cc1), before a short-lived process is gone.
 */
static void
sampler_rename(struct sampler *s, struct space *sp)
{
	space_read_comm(sp);
	for (size_t i = 0; i < s->ntasks; i++) {
		struct sampler_task *t = &s->tasks[i];
		struct profile_thread *rec;

		if (t->pid != sp->pid)
			continue;
		rec = aggregate_thread_at(s->g, t->rec);
		procfs_read_comm(t->pid, t->tid, rec->name);
		memcpy(rec->process, sp->comm, sizeof(rec->process));
	}
}

/*
 * The target's program as the profile's main binary (pprof's File:): the
 * one it runs now, once it executed another in its place (a wrapper,
 * env, a shim: the real program is the last). Read with its maps.
 */
static void
sampler_note_exe(struct sampler *s, pid_t proc_pid)
{
	char *exe = procfs_read_exe(proc_pid);

	if (exe != NULL && (s->exe == NULL || strcmp(exe, s->exe) != 0))
		s->exe = aggregate_string(s->g, exe);
	free(exe);
}

/*
 * Re-reads sp's maps when they may have changed (exec, dlopen, dlclose,
 * a thread's stack), and names its threads again after an exec or a
 * leader change only (issue 9: renaming at every change of the maps read
 * 1000 comm files for each thread a process of 1000 threads started).
 */
void
sampler_refresh_space(struct sampler *s, struct space *sp, bool force)
{
	unsigned execs = s->a ? attach_exec_count(s->a) : sp->exec_count;
	pid_t proc_pid;
	bool exec;
	int64_t now;

	/* The target's leader may have called pthread_exit(): read through
	   it, the maps come out empty and the memory unreadable. Looked at
	   every 100 ms (a read of its stat), not at the next second's. */
	if (sp == s->spaces[0] &&
	    (now = clock_ns(CLOCK_MONOTONIC)) - s->leader_check_ns >=
		    CLOCK_NS_PER_S / 10) {
		s->leader_check_ns = now;
		if (s->a != NULL)
			attach_forget_zombie(s->a, s->pid);
		else if (s->perf != NULL)
			sampler_perf_leader(s);
	}
	proc_pid = sp == s->spaces[0] ? sampler_proc_pid(s) : sp->pid;
	exec = execs != sp->exec_count || proc_pid != sp->proc_pid;

	if (space_refresh(sp, force, execs, proc_pid)) {
		aggregate_forget_addresses(s->g);
		if (sp == s->spaces[0])
			sampler_note_exe(s, proc_pid);
	}
	if (exec && sp->exec_count == execs)
		sampler_rename(s, sp);
}

/* Every process's maps, when they may have changed. */
void
sampler_refresh_maps(struct sampler *s, bool force)
{
	for (size_t i = 0; i < s->nspaces; i++)
		sampler_refresh_space(s, s->spaces[i], force);
}
