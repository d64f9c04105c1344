#include "config.h"

#include "perf/record.h"

#include <asm/perf_regs.h>
#include <linux/perf_event.h>
#include <stddef.h>
#include <string.h>

/* Sample fields this parser knows, in the kernel's order. */
#define RECORD_KNOWN                                                           \
	(PERF_SAMPLE_IDENTIFIER | PERF_SAMPLE_IP | PERF_SAMPLE_TID |           \
	 PERF_SAMPLE_TIME | PERF_SAMPLE_ADDR | PERF_SAMPLE_ID |                \
	 PERF_SAMPLE_STREAM_ID | PERF_SAMPLE_CPU | PERF_SAMPLE_PERIOD |        \
	 PERF_SAMPLE_REGS_USER | PERF_SAMPLE_STACK_USER)

/* A bounded reader over one record's bytes. */
struct record_cursor {
	const uint8_t *p;
	size_t left;
	bool bad;
};

static uint64_t
record_u64(struct record_cursor *c)
{
	uint64_t v = 0;

	if (c->left < sizeof(v)) {
		c->bad = true;
		c->left = 0;
		return 0;
	}
	memcpy(&v, c->p, sizeof(v));
	c->p += sizeof(v);
	c->left -= sizeof(v);
	return v;
}

/* Two u32 in one u64 slot (pid/tid, cpu/res), in memory order. */
static void
record_u32_pair(struct record_cursor *c, uint32_t *a, uint32_t *b)
{
	uint64_t v = record_u64(c);
	uint32_t w[2];

	memcpy(w, &v, sizeof(w));
	*a = w[0];
	*b = w[1];
}

int
perf_layout_init(struct perf_layout *out, uint64_t sample_type,
		 uint64_t regs_mask, bool sample_id_all)
{
	memset(out, 0, sizeof(*out));
	if ((sample_type & ~(uint64_t)RECORD_KNOWN) != 0 ||
	    (regs_mask >> PERF_RECORD_MAX_REGS) != 0)
		return -1;
	out->sample_type = sample_type;
	out->regs_mask = regs_mask;
	out->nregs = (unsigned)__builtin_popcountll(regs_mask);
	out->sample_id_all = sample_id_all;
	return 0;
}

/* The sample_id trailer of a non-sample record (at the record's end). */
static size_t
record_id_len(const struct perf_layout *l)
{
	uint64_t t = l->sample_type;
	size_t n = 0;

	if (!l->sample_id_all)
		return 0;
	n += (t & PERF_SAMPLE_TID) ? 8 : 0;
	n += (t & PERF_SAMPLE_TIME) ? 8 : 0;
	n += (t & PERF_SAMPLE_ID) ? 8 : 0;
	n += (t & PERF_SAMPLE_STREAM_ID) ? 8 : 0;
	n += (t & PERF_SAMPLE_CPU) ? 8 : 0;
	n += (t & PERF_SAMPLE_IDENTIFIER) ? 8 : 0;
	return n;
}

static void
record_sample_id(const struct perf_layout *l, struct record_cursor *c,
		 struct perf_record *r)
{
	uint64_t t = l->sample_type;
	uint32_t a, b;

	if (t & PERF_SAMPLE_TID) {
		record_u32_pair(c, &a, &b);
		r->pid = (pid_t)a;
		r->tid = (pid_t)b;
	}
	if (t & PERF_SAMPLE_TIME)
		r->time = record_u64(c);
	if (t & PERF_SAMPLE_ID)
		r->id = record_u64(c);
	if (t & PERF_SAMPLE_STREAM_ID)
		(void)record_u64(c);
	if (t & PERF_SAMPLE_CPU)
		(void)record_u64(c);
	if (t & PERF_SAMPLE_IDENTIFIER)
		r->id = record_u64(c);
}

/* Reads the trailer of a non-sample record whose body is c. */
static void
record_trailer(const struct perf_layout *l, struct record_cursor *c,
	       struct perf_record *r)
{
	size_t n = record_id_len(l);
	struct record_cursor tail;

	if (n == 0)
		return;
	if (c->left < n) {
		c->bad = true;
		return;
	}
	tail.p = c->p + (c->left - n);
	tail.left = n;
	tail.bad = false;
	record_sample_id(l, &tail, r);
	c->left -= n;
}

static void
record_sample(const struct perf_layout *l, struct record_cursor *c,
	      struct perf_record *r)
{
	uint64_t t = l->sample_type;
	uint32_t a, b;

	if (t & PERF_SAMPLE_IDENTIFIER)
		r->id = record_u64(c);
	if (t & PERF_SAMPLE_IP)
		r->ip = record_u64(c);
	if (t & PERF_SAMPLE_TID) {
		record_u32_pair(c, &a, &b);
		r->pid = (pid_t)a;
		r->tid = (pid_t)b;
	}
	if (t & PERF_SAMPLE_TIME)
		r->time = record_u64(c);
	if (t & PERF_SAMPLE_ADDR)
		(void)record_u64(c);
	if (t & PERF_SAMPLE_ID)
		r->id = record_u64(c);
	if (t & PERF_SAMPLE_STREAM_ID)
		(void)record_u64(c);
	if (t & PERF_SAMPLE_CPU)
		(void)record_u64(c);
	if (t & PERF_SAMPLE_PERIOD)
		r->period = record_u64(c);
	if (t & PERF_SAMPLE_REGS_USER) {
		r->abi = record_u64(c);
		/* With abi 0 (no user regs) the kernel writes none. */
		for (unsigned i = 0; r->abi != 0 && i < PERF_RECORD_MAX_REGS;
		     i++)
			if (l->regs_mask >> i & 1)
				r->regs[i] = record_u64(c);
	}
	if (t & PERF_SAMPLE_STACK_USER) {
		uint64_t size = record_u64(c), dyn;

		if (size == 0 || c->bad)
			return;
		if (size > c->left || size % 8 != 0 ||
		    c->left - size < sizeof(uint64_t)) {
			c->bad = true;
			return;
		}
		memcpy(&dyn, c->p + size, sizeof(dyn));
		if (dyn > size) {
			c->bad = true;
			return;
		}
		r->stack = c->p;
		r->stack_len = dyn;
		c->p += size + sizeof(dyn);
		c->left -= size + sizeof(dyn);
	}
}

ssize_t
perf_record_parse(const struct perf_layout *layout, const void *buf, size_t len,
		  struct perf_record *out)
{
	struct perf_event_header h;
	struct record_cursor c;

	memset(out, 0, sizeof(*out));
	if (len < sizeof(h))
		return -1;
	memcpy(&h, buf, sizeof(h));
	if (h.size < sizeof(h) || h.size > len)
		return -1;
	c.p = (const uint8_t *)buf + sizeof(h);
	c.left = h.size - sizeof(h);
	c.bad = false;
	out->misc = h.misc;
	switch (h.type) {
	case PERF_RECORD_SAMPLE:
		out->kind = PERF_RECORD_KIND_SAMPLE;
		record_sample(layout, &c, out);
		break;
	case PERF_RECORD_LOST:
		out->kind = PERF_RECORD_KIND_LOST;
		record_trailer(layout, &c, out);
		out->id = record_u64(&c);
		out->lost = record_u64(&c);
		break;
	case PERF_RECORD_SWITCH:
		out->kind = PERF_RECORD_KIND_SWITCH;
		record_trailer(layout, &c, out);
		out->switch_out = (h.misc & PERF_RECORD_MISC_SWITCH_OUT) != 0;
		out->preempt =
			(h.misc & PERF_RECORD_MISC_SWITCH_OUT_PREEMPT) != 0;
		break;
	default:
		out->kind = PERF_RECORD_KIND_OTHER;
		break;
	}
	if (c.bad) {
		memset(out, 0, sizeof(*out));
		return -1;
	}
	return (ssize_t)h.size;
}

int
perf_record_regs(const struct perf_layout *layout, const struct perf_record *r,
		 struct user_regs_struct *out)
{
	static const size_t at[PERF_RECORD_MAX_REGS] = {
		[PERF_REG_X86_AX] = offsetof(struct user_regs_struct, rax),
		[PERF_REG_X86_BX] = offsetof(struct user_regs_struct, rbx),
		[PERF_REG_X86_CX] = offsetof(struct user_regs_struct, rcx),
		[PERF_REG_X86_DX] = offsetof(struct user_regs_struct, rdx),
		[PERF_REG_X86_SI] = offsetof(struct user_regs_struct, rsi),
		[PERF_REG_X86_DI] = offsetof(struct user_regs_struct, rdi),
		[PERF_REG_X86_BP] = offsetof(struct user_regs_struct, rbp),
		[PERF_REG_X86_SP] = offsetof(struct user_regs_struct, rsp),
		[PERF_REG_X86_IP] = offsetof(struct user_regs_struct, rip),
		[PERF_REG_X86_FLAGS] =
			offsetof(struct user_regs_struct, eflags),
		[PERF_REG_X86_CS] = offsetof(struct user_regs_struct, cs),
		[PERF_REG_X86_SS] = offsetof(struct user_regs_struct, ss),
		[PERF_REG_X86_DS] = offsetof(struct user_regs_struct, ds),
		[PERF_REG_X86_ES] = offsetof(struct user_regs_struct, es),
		[PERF_REG_X86_FS] = offsetof(struct user_regs_struct, fs),
		[PERF_REG_X86_GS] = offsetof(struct user_regs_struct, gs),
		[PERF_REG_X86_R8] = offsetof(struct user_regs_struct, r8),
		[PERF_REG_X86_R9] = offsetof(struct user_regs_struct, r9),
		[PERF_REG_X86_R10] = offsetof(struct user_regs_struct, r10),
		[PERF_REG_X86_R11] = offsetof(struct user_regs_struct, r11),
		[PERF_REG_X86_R12] = offsetof(struct user_regs_struct, r12),
		[PERF_REG_X86_R13] = offsetof(struct user_regs_struct, r13),
		[PERF_REG_X86_R14] = offsetof(struct user_regs_struct, r14),
		[PERF_REG_X86_R15] = offsetof(struct user_regs_struct, r15),
	};
	uint64_t need = 1ULL << PERF_REG_X86_IP | 1ULL << PERF_REG_X86_SP;

	memset(out, 0, sizeof(*out));
	if (r->kind != PERF_RECORD_KIND_SAMPLE || r->abi == 0 ||
	    (layout->regs_mask & need) != need)
		return -1;
	for (unsigned i = 0; i < PERF_RECORD_MAX_REGS; i++)
		if (layout->regs_mask >> i & 1)
			memcpy((char *)out + at[i], &r->regs[i],
			       sizeof(r->regs[i]));
	return 0;
}
