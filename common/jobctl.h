#ifndef CPT_COMMON_JOBCTL_H
#define CPT_COMMON_JOBCTL_H

/*
 * Job control for a program that blocks SIGTSTP in every thread and takes
 * it while it waits (common/sigpoll.h), so that it can leave the target
 * running first.
 */

/*
 * Stops the whole process as SIGTSTP's default action would (the shell
 * sees it stopped by SIGTSTP) and returns once it is continued (SIGCONT).
 * Returns at once when the process group is orphaned: the kernel discards
 * SIGTSTP then, as it would for an untouched program. The caller must have
 * released the terminal and the target first. Main thread.
 */
void jobctl_stop_self(void);

#endif
