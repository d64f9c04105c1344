/*
 * Before seizing: is the target there, ours to trace, not traced by
 * another, not a zombie or a kernel thread; and the messages that say why
 * not (permissions, ptrace_scope, the other tracer's name).
 */
#include "config.h"

#include "attach/attach.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ptrace.h>
#include <sys/signalfd.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "attach/attach-int.h"
#include "attach/procfs.h"
#include "common/array.h"
#include "common/clock.h"
#include "common/log.h"
#include "common/sorted.h"
#include "common/xmalloc.h"

/* Reads /proc/PID/FILE (caller frees), or NULL with errno. */
static char *
attach_proc_file(pid_t pid, const char *file)
{
	char path[64];

	snprintf(path, sizeof(path), "/proc/%d/%s", (int)pid, file);
	return procfs_read(path, NULL);
}

/* A process's comm for messages, "?" when unknown. */
static void
attach_comm(pid_t pid, char name[16])
{
	if (procfs_read_comm(pid, pid, name) != 0)
		snprintf(name, 16, "?");
}

/* The message for EPERM: what would make attaching possible. */
char *
attach_perm_message(pid_t pid)
{
	char comm[16],
		*scope =
			procfs_read("/proc/sys/kernel/yama/ptrace_scope", NULL);
	char *msg;

	attach_comm(pid, comm);
	if (scope != NULL)
		scope[strcspn(scope, "\n")] = '\0';
	msg = xasprintf("not permitted to trace process %d (%s): run as root, "
			"or give cproftop CAP_SYS_PTRACE (setcap "
			"cap_sys_ptrace+ep cproftop)%s%s%s",
			(int)pid, comm,
			scope ? ", or lower kernel.yama.ptrace_scope (now "
			      : "",
			scope ? scope : "", scope ? "; see README)" : "");
	free(scope);
	return msg;
}

/* Sets *why and returns -1: the one way attach/ reports a failure. */
int
attach_fail(enum attach_failure *why, enum attach_failure failure)
{
	*why = failure;
	return -1;
}

/*
 * The message when thread tid of process pid is traced by someone else, or
 * NULL when it is not (or is gone). tid == pid for the process as a whole.
 */
char *
attach_traced_message(pid_t pid, pid_t tid)
{
	char path[64], comm[16], tcomm[16], *status;
	pid_t tracer;

	snprintf(path, sizeof(path), "/proc/%d/task/%d/status", (int)pid,
		 (int)tid);
	status = procfs_read(path, NULL);
	if (status == NULL)
		return NULL;
	tracer = procfs_parse_tracerpid(status);
	free(status);
	if (tracer <= 0 || tracer == gettid())
		return NULL;
	attach_comm(pid, comm);
	attach_comm(tracer, tcomm);
	if (tid == pid)
		return xasprintf("process %d (%s) is already traced by process "
				 "%d (%s)",
				 (int)pid, comm, (int)tracer, tcomm);
	return xasprintf("thread %d of process %d (%s) is already traced by "
			 "process %d (%s)",
			 (int)tid, (int)pid, comm, (int)tracer, tcomm);
}

/* See attach.h. */
bool
attach_is_zombie(pid_t pid, pid_t tid)
{
	struct procfs_stat st;
	int fd = procfs_open_stat(pid, tid);
	bool zombie = fd >= 0 && procfs_stat_fd(fd, &st) == 0 &&
		      (st.state == 'Z' || st.state == 'X');

	if (fd >= 0)
		close(fd);
	return zombie;
}

/* See attach.h. */
pid_t
attach_live_tid(pid_t pid)
{
	pid_t *tids, live = 0;
	ssize_t n = procfs_read_tasks(pid, &tids);

	for (ssize_t i = 0; i < n && live == 0; i++)
		if (!attach_is_zombie(pid, tids[i]))
			live = tids[i];
	if (n > 0)
		free(tids);
	return live;
}

/*
 * Checks that *pid may be attached: exists, not us, not a zombie, not a
 * kernel thread, not traced. A TID becomes its process's PID. Returns 0, or
 * -1 with *why and *cause.
 */
int
attach_check(pid_t *pid, enum attach_failure *why, char **cause)
{
	struct procfs_stat st;
	char *buf;
	pid_t tgid;

	if (*pid <= 0 || (buf = attach_proc_file(*pid, "status")) == NULL) {
		*cause = xasprintf("no such process: %d", (int)*pid);
		return attach_fail(why, ATTACH_FAIL_NOPROC);
	}
	tgid = procfs_parse_tgid(buf);
	free(buf);
	if (tgid > 0)
		*pid = tgid;
	if (*pid == getpid()) {
		*cause = xasprintf("cannot profile cproftop itself (PID %d)",
				   (int)*pid);
		return attach_fail(why, ATTACH_FAIL_BADTARGET);
	}
	buf = attach_proc_file(*pid, "stat");
	if (buf == NULL || procfs_parse_stat(buf, &st) != 0) {
		free(buf);
		*cause = xasprintf("no such process: %d", (int)*pid);
		return attach_fail(why, ATTACH_FAIL_NOPROC);
	}
	free(buf);
	if ((st.state == 'Z' || st.state == 'X') &&
	    attach_live_tid(*pid) == 0) {
		*cause = xasprintf("process %d (%s) is a zombie", (int)*pid,
				   st.comm);
		return attach_fail(why, ATTACH_FAIL_BADTARGET);
	}
	if (st.flags & ATTACH_PF_KTHREAD) {
		*cause = xasprintf("process %d (%s) is a kernel thread",
				   (int)*pid, st.comm);
		return attach_fail(why, ATTACH_FAIL_BADTARGET);
	}
	*cause = attach_traced_message(*pid, *pid);
	return *cause ? attach_fail(why, ATTACH_FAIL_TRACED) : 0;
}

/*
 * True when tid is already traced by this thread, the tracer (a clone we
 * seized): TracerPid names the tracing thread, not its process.
 */
bool
attach_ours(pid_t tid)
{
	char *status = attach_proc_file(tid, "status");
	bool ours = status && procfs_parse_tracerpid(status) == gettid();

	free(status);
	return ours;
}
