/*
 * ptrace-probe PID: exits 0 when this process may PTRACE_SEIZE PID (it
 * detaches at once), 1 otherwise. Lets shell tests skip with a reason.
 */
#include "config.h"

#include <stdlib.h>
#include <sys/ptrace.h>
#include <sys/types.h>

int
main(int argc, char **argv)
{
	pid_t pid;

	if (argc != 2)
		return 2;
	pid = (pid_t)atoi(argv[1]);
	if (ptrace(PTRACE_SEIZE, pid, 0, 0) != 0)
		return 1;
	ptrace(PTRACE_DETACH, pid, 0, 0);
	return 0;
}
