#ifndef CPT_PERF_RECORD_H
#define CPT_PERF_RECORD_H

/*
 * perf_event ring-buffer records, parsed as a pure function over bytes (no
 * syscalls, no allocation): the kernel wrote them, but a parser of bytes
 * that another program's behaviour shapes is fuzzed like one of hostile
 * input (tests/unit/perf_record_fuzz_test.c). Any thread.
 */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>
#include <sys/user.h>

/* Registers a sample can carry (x86-64 perf_event_x86_regs minus DS..GS). */
#define PERF_RECORD_MAX_REGS 24

/* What the records of a set of events look like (from their attrs). */
struct perf_layout {
	uint64_t sample_type; /* PERF_SAMPLE_* bits, a supported subset */
	uint64_t regs_mask;   /* sample_regs_user */
	unsigned nregs;	      /* bits set in regs_mask */
	bool sample_id_all;   /* non-sample records end with a sample_id */
};

enum perf_record_kind {
	PERF_RECORD_KIND_SAMPLE,
	PERF_RECORD_KIND_LOST,
	PERF_RECORD_KIND_SWITCH,
	PERF_RECORD_KIND_OTHER, /* a valid record we do not use */
};

struct perf_record {
	enum perf_record_kind kind;
	uint16_t misc;
	uint64_t id; /* PERF_SAMPLE_IDENTIFIER (or ID), else 0 */
	pid_t pid, tid;
	uint64_t time; /* perf clock (CLOCK_MONOTONIC unless use_clockid) */
	uint64_t ip, period;
	uint64_t abi; /* regs_user: 0 when the sample had no user regs */
	uint64_t regs[PERF_RECORD_MAX_REGS]; /* by perf_event_x86_regs */
	const uint8_t *stack;		     /* borrowed from the buffer */
	uint64_t stack_len;		     /* valid bytes (dyn_size) */
	uint64_t lost;			     /* LOST: records dropped */
	bool switch_out, preempt;	     /* SWITCH: misc flags */
};

/*
 * Fills *out from attr fields. Returns 0, or -1 when sample_type holds a
 * bit this parser does not know the layout of, or regs_mask one past
 * PERF_RECORD_MAX_REGS.
 */
int perf_layout_init(struct perf_layout *out, uint64_t sample_type,
		     uint64_t regs_mask, bool sample_id_all);

/*
 * Parses the one record at buf (len bytes available, its header first).
 * Returns its size (header.size, >= 8) with *out filled -- pointers borrow
 * from buf -- or -1 when the bytes do not form a valid record of layout
 * (a size smaller than its header or than len allows, a field past the
 * record's end, a stack larger than its record).
 */
ssize_t perf_record_parse(const struct perf_layout *layout, const void *buf,
			  size_t len, struct perf_record *out);

/*
 * The user registers of a sample as ptrace's struct user_regs_struct
 * (registers the sample did not carry are 0). Returns 0, or -1 when the
 * sample has none (abi 0) or lacks ip or sp.
 */
int perf_record_regs(const struct perf_layout *layout,
		     const struct perf_record *r, struct user_regs_struct *out);

#endif
