#include "config.h"

#include "sampler/source_perf.h"

#include <stdlib.h>
#include <string.h>

#include "common/array.h"
#include "common/clock.h"
#include "common/log.h"
#include "common/xmalloc.h"
#include "common/hash.h"

#define SOURCE_PERF_RESCAN_NS (100 * 1000000LL)

/* What we know of one thread between its off-CPU records. */
struct source_perf_thread {
	pid_t tid;
	bool out;	 /* switched out, not yet back */
	bool have_stack; /* cap holds where it last blocked */
	enum capture_state state;
	uint64_t t_out; /* switch-out time, or the last flush */
	struct capture cap;
};

struct source_perf {
	struct source_perf_options opt;
	struct perf_source *ps;
	struct capture *scratch;
	int64_t next_rescan;
	struct source_perf_thread **threads; /* seen in off-CPU records */
	size_t nthreads, cap_threads;
	struct hash thread_idx;

	/* Off-CPU records not yet applied, in arrival order: the rings of
	   different CPUs interleave a thread's switches, so they are applied
	   in time order once every ring has been read past them. */
	struct source_perf_pending *pend;
	size_t npend, cap_pend;
	uint64_t seq;

	/* The sink while draining. */
	capture_sink_fn sink;
	void *sink_arg;
};

/* A copied off-CPU record (its stack copied too). */
struct source_perf_pending {
	struct perf_record r;
	uint8_t *stack; /* owned */
	uint64_t seq;	/* arrival order, for equal times */
};

/* Fills c's regs and stack from a sample. Returns 0, or -1 without regs. */
static int
source_perf_fill(struct source_perf *sp, const struct perf_record *r,
		 struct capture *c)
{
	size_t len = r->stack_len;

	if (perf_record_regs(perf_source_layout(sp->ps), r, &c->regs) != 0)
		return -1;
	if (len > CAPTURE_STACK_BYTES)
		len = CAPTURE_STACK_BYTES;
	c->pid = r->pid;
	c->tid = r->tid;
	c->time_ns = r->time;
	c->stack_start = c->regs.rsp;
	c->stack_len = len;
	c->stack_more = NULL; /* the kernel copied what it copied */
	c->stack_more_len = 0;
	if (len > 0)
		memcpy(c->stack, r->stack, len);
	return 0;
}

/* Hands over a blocked interval of t ending at end_ns. */
static void
source_perf_blocked(struct source_perf *sp, struct source_perf_thread *t,
		    uint64_t end_ns)
{
	if (!t->have_stack || end_ns <= t->t_out)
		return;
	t->cap.state = t->state;
	t->cap.weight_ns = end_ns - t->t_out;
	t->cap.time_ns = end_ns;
	sp->sink(&t->cap, sp->sink_arg);
	t->t_out = end_ns;
}

static int
source_perf_thread_eq(uint32_t id, const void *key, void *arg)
{
	const struct source_perf *sp = arg;

	return sp->threads[id]->tid == *(const pid_t *)key;
}

/* The state of tid, created when new. */
static struct source_perf_thread *
source_perf_thread(struct source_perf *sp, pid_t tid)
{
	uint64_t h = hash_u64((uint64_t)tid);
	uint32_t id =
		hash_find(&sp->thread_idx, h, source_perf_thread_eq, &tid, sp);
	struct source_perf_thread *t;

	if (id != UINT32_MAX)
		return sp->threads[id];
	ARRAY_RESERVE(sp->threads, sp->cap_threads, sp->nthreads + 1);
	t = xcalloc(1, sizeof(*t));
	t->tid = tid;
	sp->threads[sp->nthreads] = t;
	hash_add(&sp->thread_idx, h, (uint32_t)sp->nthreads++);
	return t;
}

/* Forgets the threads that exited (their last interval was handed over). */
static void
source_perf_sweep(struct source_perf *sp)
{
	size_t kept = 0;

	for (size_t i = 0; i < sp->nthreads; i++) {
		if (perf_source_has_thread(sp->ps, sp->threads[i]->tid))
			sp->threads[kept++] = sp->threads[i];
		else
			free(sp->threads[i]);
	}
	if (kept == sp->nthreads)
		return;
	sp->nthreads = kept;
	hash_clear(&sp->thread_idx);
	for (size_t i = 0; i < kept; i++)
		hash_add(&sp->thread_idx,
			 hash_u64((uint64_t)sp->threads[i]->tid), (uint32_t)i);
}

/* Applies one off-CPU record (a switch sample or a switch record). */
static void
source_perf_apply(struct source_perf *sp, const struct perf_record *r)
{
	struct source_perf_thread *t = source_perf_thread(sp, r->tid);

	if (r->kind == PERF_RECORD_KIND_SAMPLE) {
		/* The stack it is about to block in (its switch-out follows).
		 */
		t->have_stack = source_perf_fill(sp, r, &t->cap) == 0;
	} else if (r->switch_out) {
		t->out = true;
		t->t_out = r->time;
		t->state = r->preempt ? CAPTURE_WAITING_CPU : CAPTURE_BLOCKED;
	} else if (t->out) {
		source_perf_blocked(sp, t, r->time);
		t->out = false;
	}
}

static int
source_perf_pending_cmp(const void *a, const void *b)
{
	const struct source_perf_pending *x = a, *y = b;

	if (x->r.time != y->r.time)
		return x->r.time < y->r.time ? -1 : 1;
	return (x->seq > y->seq) - (x->seq < y->seq);
}

/* Applies the pending records older than until_ns, in time order. */
static void
source_perf_apply_until(struct source_perf *sp, uint64_t until_ns)
{
	size_t i, kept = 0;

	if (sp->npend == 0)
		return; /* qsort's base must not be NULL, even for 0 items */
	qsort(sp->pend, sp->npend, sizeof(*sp->pend), source_perf_pending_cmp);
	for (i = 0; i < sp->npend && sp->pend[i].r.time < until_ns; i++) {
		source_perf_apply(sp, &sp->pend[i].r);
		free(sp->pend[i].stack);
	}
	for (; i < sp->npend; i++)
		sp->pend[kept++] = sp->pend[i];
	sp->npend = kept;
}

static void
source_perf_record(const struct perf_record *r, bool offcpu, void *arg)
{
	struct source_perf *sp = arg;
	struct source_perf_pending *p;

	/* The events are inherited by the processes the target forks too:
	   their samples count only when following them. */
	if (!sp->opt.follow && r->pid != sp->opt.pid &&
	    r->kind != PERF_RECORD_KIND_LOST)
		return;
	if (r->kind == PERF_RECORD_KIND_SAMPLE && !offcpu) {
		struct capture *c = sp->scratch;

		if (source_perf_fill(sp, r, c) != 0)
			return;
		c->state = CAPTURE_RUNNING;
		c->weight_ns = r->period
				       ? r->period
				       : (uint64_t)CLOCK_NS_PER_S / sp->opt.hz;
		sp->sink(c, sp->sink_arg);
		return;
	}
	if (r->kind != PERF_RECORD_KIND_SAMPLE &&
	    r->kind != PERF_RECORD_KIND_SWITCH)
		return;
	p = ARRAY_PUSH(sp->pend, sp->npend, sp->cap_pend);
	p->r = *r;
	p->seq = sp->seq++;
	p->stack = NULL;
	if (r->stack != NULL && r->stack_len > 0) {
		size_t len = r->stack_len < CAPTURE_STACK_BYTES
				     ? (size_t)r->stack_len
				     : CAPTURE_STACK_BYTES;

		p->stack = xmalloc(len);
		memcpy(p->stack, r->stack, len);
		p->r.stack = p->stack;
		p->r.stack_len = len;
	}
}

int
source_perf_open(const struct source_perf_options *opt,
		 struct source_perf **out, int *err, char **cause)
{
	struct source_perf *sp = xcalloc(1, sizeof(*sp));
	struct perf_event_config cfg = {
		.hz = opt->hz,
		.stack_bytes = opt->stack_bytes,
		.inherit_fork = opt->follow,
	};

	sp->opt = *opt;
	if (sp->opt.hz == 0)
		sp->opt.hz = 99;
	if (perf_source_open(opt->pid, &cfg, opt->offcpu, &sp->ps, err,
			     cause) != 0) {
		free(sp);
		return -1;
	}
	sp->scratch = xcalloc(1, sizeof(*sp->scratch));
	sp->next_rescan = clock_ns(CLOCK_MONOTONIC) + SOURCE_PERF_RESCAN_NS;
	*out = sp;
	return 0;
}

int
source_perf_wait(struct source_perf *sp, int64_t deadline_ns, int wake_fd)
{
	if (deadline_ns > sp->next_rescan)
		deadline_ns = sp->next_rescan;
	return perf_source_wait(sp->ps, deadline_ns, wake_fd);
}

size_t
source_perf_poll(struct source_perf *sp, capture_sink_fn sink, void *arg)
{
	int64_t now = clock_ns(CLOCK_MONOTONIC);
	size_t n = 1;

	sp->sink = sink;
	sp->sink_arg = arg;
	/* Every ring holds what happened before now once read. */
	perf_source_drain(sp->ps, source_perf_record, sp);
	source_perf_apply_until(sp, (uint64_t)now);
	if (now >= sp->next_rescan) {
		n = perf_source_rescan(sp->ps);
		source_perf_sweep(sp);
		if (sp->opt.switch_cap > 0)
			perf_source_cap(sp->ps, sp->opt.switch_cap, now);
		sp->next_rescan = now + SOURCE_PERF_RESCAN_NS;
	}
	sp->sink = NULL;
	return n;
}

void
source_perf_flush(struct source_perf *sp, int64_t now_ns, capture_sink_fn sink,
		  void *arg)
{
	sp->sink = sink;
	sp->sink_arg = arg;
	source_perf_apply_until(sp, (uint64_t)now_ns);
	for (size_t i = 0; i < sp->nthreads; i++)
		if (sp->threads[i]->out)
			source_perf_blocked(sp, sp->threads[i],
					    (uint64_t)now_ns);
	sp->sink = NULL;
}

const char *
source_perf_offcpu(const struct source_perf *sp)
{
	return perf_source_offcpu(sp->ps);
}

void
source_perf_stats(const struct source_perf *sp, struct perf_source_stats *out)
{
	perf_source_stats(sp->ps, out);
}

void
source_perf_close(struct source_perf *sp)
{
	struct perf_source_stats st;

	if (sp == NULL)
		return;
	perf_source_stats(sp->ps, &st);
	log_debug("perf: %llu records, %llu lost, %llu bad, %llu duplicate "
		  "threads, %llu thinned, %u threads, %u rings of %u pages",
		  (unsigned long long)st.records, (unsigned long long)st.lost,
		  (unsigned long long)st.bad, (unsigned long long)st.duplicates,
		  (unsigned long long)st.throttled, st.threads, st.cpus,
		  st.buffer_pages);
	perf_source_close(sp->ps);
	for (size_t i = 0; i < sp->nthreads; i++)
		free(sp->threads[i]);
	free(sp->threads);
	for (size_t i = 0; i < sp->npend; i++)
		free(sp->pend[i].stack);
	free(sp->pend);
	hash_free(&sp->thread_idx);
	free(sp->scratch);
	free(sp);
}
