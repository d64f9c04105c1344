#ifndef CPT_SAMPLER_FAULT_H
#define CPT_SAMPLER_FAULT_H

#include <stdbool.h>

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
 *   slowload  the first object file whose symbols are loaded takes 2.5 s
 *          more, at once (a big separate debug file, under load or ASan):
 *          no target thread may stay stopped meanwhile (tests/harm/).
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

/* Where slowload fires, once: before an object file's symbols are loaded.
   The sampler thread or its helper (one at a time). */
void fault_in_load(void);

#endif
