#ifndef CPT_SAMPLER_FAULT_H
#define CPT_SAMPLER_FAULT_H

#include <stdbool.h>
#include <sys/types.h>

/*
 * The test hook CPROFTOP_INJECT_FAULT: makes the sampler thread fail half a
 * second after sampling started, to prove that every way it can fail leaves
 * the target running and the terminal restored (tests/sampler/exitpaths.sh,
 * tests/lifecycle/).
 *
 *   fatal  fatalx() in the sampler thread, right after it published a
 *          snapshot (when the screen is being drawn);
 *   segv   SIGSEGV in the sampler thread at the same point;
 *   hang   the sampler thread spins forever inside the capture callback,
 *          a target thread stopped (the watchdog's case);
 *   slowload[:MS[:NAME]]  the first object file whose symbols are loaded
 *          (whose path contains NAME) takes 2.5 s (MS ms) more, at once
 *          (a big separate debug file, under load or ASan): no target
 *          thread may stay stopped meanwhile (tests/harm/), a Ctrl-Z is
 *          not kept waiting (tests/lifecycle/), a followed child's time
 *          goes to where it ran meanwhile (tests/follow/slowload.sh);
 *   stall-child
 *          at the end of the tick that first sampled a followed child
 *          process after its exec, the sampler thread stops until it exits
 *          (at most 10 s): a long stall, as a large library's debug info
 *          causes, over a child's whole life (tests/follow/stall.sh);
 *   heaplate[:MS]
 *          --heap's reader of the ring starts 300 ms (MS ms) late, as on
 *          a loaded machine: a short command has ended before its records
 *          are read, unless it waited for its hello to be (tests/heap/).
 */

/* Reads the environment; arms the fault 0.5 s from now. Before the
   sampler thread starts. */
void fault_arm(void);

/* True when fatal or segv is due: the sampler publishes a snapshot now,
   then calls fault_after_publish(). Sampler thread. */
bool fault_publish_due(void);

/* Where fatal and segv fire, when armed and due. Sampler thread. */
void fault_after_publish(void);

/* Where hang fires, when armed and due. Sampler thread. */
void fault_in_capture(void);

/* Where slowload fires, once: before the symbols of the object file at path
   are loaded. The sampler thread or its helper (one at a time). */
void fault_in_load(const char *path);

/* Where heaplate fires: the start of --heap's reader thread. */
void fault_heap_late(void);
/* A sample of followed child process pid of target was just counted:
   stall-child waits for the first such child that exec'd another program.
   Sampler thread (ptrace source). */
void fault_child_seen(pid_t pid, pid_t target);

/* Where stall-child fires (once), when a child was seen. Sampler thread. */
void fault_end_of_tick(void);

#endif
