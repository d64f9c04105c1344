/*
 * Spawn mode: fork the command with clean stdio and signal mask, stop it
 * before exec, seize it and let it exec under the tracer.
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

/* The spawned child: stdio, a clean signal mask, stop, then exec. */
static void __attribute__((noreturn))
attach_child(char *const argv[], int in, int out, int errfd)
{
	sigset_t none;
	int err;

	if (dup2(in, STDIN_FILENO) < 0 || dup2(out, STDOUT_FILENO) < 0 ||
	    dup2(out, STDERR_FILENO) < 0)
		_exit(127);
	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);
	/* The parent seizes us while we are stopped here. */
	raise(SIGSTOP);
	execvp(argv[0], argv);
	err = errno;
	if (write(errfd, &err, sizeof(err)) < 0)
		_exit(127);
	_exit(127);
}

/* Dispatches until the spawned child has exec'd or ended. */
static void
attach_spawn_settle(struct attach *a)
{
	int64_t deadline = clock_ns(CLOCK_MONOTONIC) + ATTACH_SPAWN_NS;

	for (;;) {
		attach_dispatch(a);
		if (a->exec_count > 0 || a->state != ATTACH_RUNNING ||
		    clock_ns(CLOCK_MONOTONIC) >= deadline)
			return;
		attach_sleep(a, deadline, -1);
	}
}

/*
 * Seizes the child stopped before its exec and lets it run to the exec.
 * Returns 0, or -1 with *why and *cause (the child is then killed and
 * reaped, or has exited).
 */
static int
attach_spawn_seize(struct attach *a, char *const argv[], int errfd,
		   enum attach_failure *why, char **cause)
{
	int status, err = 0;

	if (waitpid(a->pid, &status, WUNTRACED) != a->pid ||
	    !WIFSTOPPED(status)) {
		*cause = xasprintf("cannot start %s", argv[0]);
		return attach_fail(why, ATTACH_FAIL_OTHER);
	}
	if (ptrace(PTRACE_SEIZE, a->pid, 0, attach_options(a)) != 0) {
		err = errno;
		*cause = err == EPERM ? attach_perm_message(a->pid)
				      : xasprintf("cannot trace %s: %s",
						  argv[0], strerror(err));
		kill(a->pid, SIGKILL);
		waitpid(a->pid, &status, 0);
		return attach_fail(why, err == EPERM ? ATTACH_FAIL_PERM
						     : ATTACH_FAIL_OTHER);
	}
	attach_add(a, a->pid, a->pid);
	kill(a->pid, SIGCONT);
	attach_spawn_settle(a);
	if (read(errfd, &err, sizeof(err)) == (ssize_t)sizeof(err)) {
		attach_wait(a, clock_ns(CLOCK_MONOTONIC) + ATTACH_SPAWN_NS, -1);
		*cause = err == ENOENT
				 ? xasprintf("command not found: %s", argv[0])
				 : xasprintf("cannot execute %s: %s", argv[0],
					     strerror(err));
		return attach_fail(why, err == ENOENT ? ATTACH_FAIL_NOTFOUND
						      : ATTACH_FAIL_OTHER);
	}
	if (a->exec_count == 0) {
		*cause = xasprintf("%s did not start", argv[0]);
		if (a->state == ATTACH_RUNNING) {
			kill(a->pid, SIGKILL);
			attach_wait(a,
				    clock_ns(CLOCK_MONOTONIC) + ATTACH_SPAWN_NS,
				    -1);
		}
		return attach_fail(why, ATTACH_FAIL_OTHER);
	}
	a->exec_count = 0;
	return 0;
}

/*
 * Opens the spawned child's stdin and stdout into fds[0..1]. Returns 0, or
 * -1 with *cause.
 */
static int
attach_spawn_stdio(const char *output_path, int fds[2], char **cause)
{
	int err = 0;

	fds[0] = open("/dev/null", O_RDONLY | O_CLOEXEC);
	if (fds[0] < 0)
		err = errno;
	fds[1] = open(output_path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC,
		      0644);
	if (fds[1] < 0 && err == 0)
		err = errno;
	if (fds[0] >= 0 && fds[1] >= 0)
		return 0;
	*cause = xasprintf("cannot open %s: %s",
			   fds[0] < 0 ? "/dev/null" : output_path,
			   strerror(err));
	if (fds[0] >= 0)
		close(fds[0]);
	if (fds[1] >= 0)
		close(fds[1]);
	return -1;
}

int
attach_spawn(char *const argv[], const char *output_path, unsigned flags,
	     struct attach **out, enum attach_failure *why, char **cause)
{
	struct attach *a;
	int stdio[2], errpipe[2], rc = 0;

	*out = NULL;
	*cause = NULL;
	if (attach_spawn_stdio(output_path ? output_path : "/dev/null", stdio,
			       cause) != 0)
		return attach_fail(why, ATTACH_FAIL_OTHER);
	if (pipe2(errpipe, O_CLOEXEC) != 0)
		fatal("pipe2");
	a = attach_new();
	a->spawned = true;
	a->follow = (flags & ATTACH_FOLLOW) != 0;
	a->hold = (flags & ATTACH_HOLD) != 0;
	a->pid = a->mem_pid = fork();
	if (a->pid < 0) {
		*cause = xasprintf("cannot start %s: fork: %s", argv[0],
				   strerror(errno));
		rc = attach_fail(why, ATTACH_FAIL_OTHER);
	} else if (a->pid == 0) {
		attach_child(argv, stdio[0], stdio[1], errpipe[1]);
	}
	close(stdio[0]);
	close(stdio[1]);
	close(errpipe[1]);
	if (rc == 0)
		rc = attach_spawn_seize(a, argv, errpipe[0], why, cause);
	close(errpipe[0]);
	if (rc != 0) {
		attach_detach(a);
		return -1;
	}
	*out = a;
	return 0;
}
