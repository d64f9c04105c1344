#ifndef CPT_SAMPLER_CAPTURE_H
#define CPT_SAMPLER_CAPTURE_H

/*
 * One capture: what every sample source hands the sampler. The ptrace
 * source (attach/ driven by the sampler's tick) fills it after
 * PTRACE_GETREGS + process_vm_readv; the perf_event source (perf/) from a
 * PERF_RECORD_SAMPLE's regs_user + stack_user. From here on -- unwinding
 * (unwind_stack), symbols, aggregation, views, pprof -- nothing knows which
 * source produced it.
 *
 * weight_ns is the time the capture stands for: CPU time for a running
 * thread (one sampling period, or several periods for a thread the ptrace
 * tick could only catch late), off-CPU time for a blocked thread or one
 * waiting for a CPU. The sampler counts it in units of its period
 * (1e9 / hz ns), carrying the remainder per thread, so a profile's value is
 * time whatever the source.
 */

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>
#include <sys/user.h>

/* Bytes of stack a capture holds at most (from sp - red zone upwards). */
#define CAPTURE_STACK_BYTES (32 * 1024)

enum capture_state {
	CAPTURE_RUNNING,     /* on a CPU: counted as CPU time */
	CAPTURE_WAITING_CPU, /* runnable, waiting for a CPU: off-CPU time */
	CAPTURE_BLOCKED,     /* sleeping or blocked: off-CPU time */
};

struct capture {
	pid_t pid, tid;
	uint64_t time_ns; /* CLOCK_MONOTONIC when it was taken */
	enum capture_state state;
	uint64_t weight_ns; /* time this capture stands for */
	struct user_regs_struct regs;
	uint64_t stack_start; /* target address of stack[0] */
	size_t stack_len;     /* valid bytes in stack[] */
	/* More of the stack right after stack[] (stack_start + stack_len on),
	 * for threads whose stacks did not fit, or NULL: stack_more_len
	 * valid bytes, borrowed from the source until the capture is
	 * unwound. A source that copies no more sets NULL and 0. */
	const uint8_t *stack_more;
	size_t stack_more_len;
	uint8_t stack[CAPTURE_STACK_BYTES];
};

/*
 * Where a source delivers its captures: called on the sampler thread, once
 * per capture, which is borrowed for the duration of the call.
 */
typedef void (*capture_sink_fn)(const struct capture *c, void *arg);

#endif
