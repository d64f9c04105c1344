#include "config.h"

#include "sampler/cputime.h"

#include <string.h>

void
cputime_init(struct cputime *c, uint64_t run_ns)
{
	memset(c, 0, sizeof(*c));
	c->run_ns = run_ns;
	c->sys_share = -1;
	c->nvcsw = -1;
}

void
cputime_restart(struct cputime *c, uint64_t run_ns)
{
	c->pending_ns[0] = c->pending_ns[1] = 0;
	c->ran = false;
	c->run_ns = run_ns;
}

void
cputime_measure(struct cputime *c, uint64_t run_ns)
{
	uint64_t ns, sys = 0;

	if (run_ns <= c->run_ns)
		return;
	ns = run_ns - c->run_ns;
	c->run_ns = run_ns;
	c->ran = true;
	if (c->sys_share > 0)
		sys = (uint64_t)((double)ns * c->sys_share);
	if (sys > ns)
		sys = ns;
	c->pending_ns[1] += sys;
	c->pending_ns[0] += ns - sys;
}

void
cputime_set_ticks(struct cputime *c, uint64_t utime, uint64_t stime)
{
	/* The kernel counts user and system time by its own ticks. */
	if (utime + stime >= 10)
		c->sys_share = (double)stime / (double)(utime + stime);
}

void
cputime_stopped(struct cputime *c)
{
	c->stops++;
}

bool
cputime_wants_nvcsw(struct cputime *c, bool in_syscall)
{
	if (in_syscall) {
		c->user_streak = 0;
		return true;
	}
	if (c->nvcsw < 0 || c->user_streak >= CPUTIME_USER_READS)
		return false;
	c->user_streak++;
	return true;
}

bool
cputime_woke(struct cputime *c, bool in_syscall, int64_t nvcsw)
{
	bool woke;

	if (nvcsw == CPUTIME_UNREAD)
		return false;
	woke = in_syscall &&
	       (c->nvcsw < 0 || nvcsw < c->nvcsw ||
		(uint64_t)(nvcsw - c->nvcsw) > c->stops - c->nvcsw_stops);

	c->nvcsw = nvcsw;
	c->nvcsw_stops = c->stops;
	return woke;
}

/* At most two periods, or a sixteenth of the pool beyond that. */
static uint64_t
cputime_cap(uint64_t pool, uint64_t period_ns)
{
	return pool / 16 > 2 * period_ns ? pool / 16 : 2 * period_ns;
}

uint64_t
cputime_take(struct cputime *c, uint64_t period_ns, bool in_syscall)
{
	int own = in_syscall ? 1 : 0;
	uint64_t w, more;

	if (c->sys_share < 0) { /* unknown: one pool */
		c->pending_ns[0] += c->pending_ns[1];
		c->pending_ns[1] = 0;
		own = 0;
	}
	w = cputime_cap(c->pending_ns[own], period_ns);
	if (w > c->pending_ns[own])
		w = c->pending_ns[own];
	c->pending_ns[own] -= w;
	if (own == 0 && c->pending_ns[1] > 2 * period_ns) {
		more = c->pending_ns[1] / 16;
		c->pending_ns[1] -= more;
		w += more;
	}
	return w;
}

void
cputime_ran_at(struct cputime *c, uint32_t stack, bool in_syscall)
{
	int i = in_syscall ? 1 : 0;

	c->recent[i][c->nrecent[i]++ % CPUTIME_RECENT] = stack;
}

int
cputime_flush(struct cputime *c, int i, uint32_t fallback, uint32_t *stacks,
	      uint64_t *ns)
{
	uint64_t pool = c->pending_ns[i];
	int from = c->nrecent[i] > 0 ? i : !i;
	int n = c->nrecent[from] < CPUTIME_RECENT ? (int)c->nrecent[from]
						  : CPUTIME_RECENT;

	c->pending_ns[i] = 0;
	if (pool == 0)
		return 0;
	if (n == 0) {
		stacks[0] = fallback;
		ns[0] = pool;
		return 1;
	}
	for (int k = 0; k < n; k++) {
		stacks[k] = c->recent[from][k];
		ns[k] = pool / (uint64_t)n + (k == 0 ? pool % (uint64_t)n : 0);
	}
	return n;
}
