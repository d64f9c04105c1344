#ifndef CPT_ATTACH_PROCFS_H
#define CPT_ATTACH_PROCFS_H

/*
 * /proc readers. The procfs_parse_* functions are pure: they parse a buffer
 * (tested on fixtures, fuzzable) and never touch the file system. The
 * procfs_read_* functions read the live files. Any thread.
 */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

/* One line of /proc/PID/maps. */
struct procfs_map {
	uint64_t start, end, offset;
	uint64_t inode;
	bool readable, writable, executable;
	bool deleted; /* path ended with " (deleted)", stripped from path */
	char *path;   /* "" for anonymous; "[vdso]", "[stack]", "/memfd:x"... */
};

struct procfs_maps {
	struct procfs_map *maps;
	size_t n;
};

/*
 * Parses the text of /proc/PID/maps (len bytes, need not be NUL-terminated).
 * Returns 0, or -1 on a malformed line (maps is then empty). The caller
 * releases maps with procfs_maps_free().
 */
int procfs_parse_maps(const char *buf, size_t len, struct procfs_maps *maps);
void procfs_maps_free(struct procfs_maps *maps);

/*
 * The mapping containing addr, or NULL. maps must be sorted by address (as
 * the kernel prints them). Borrowed from maps.
 */
const struct procfs_map *procfs_maps_find(const struct procfs_maps *maps,
					  uint64_t addr);

/* Fields of /proc/PID/task/TID/stat that cproftop uses. */
struct procfs_stat {
	char comm[64]; /* may contain spaces and ')' */
	char state;    /* R, S, D, T, t, Z, X, I ... */
	pid_t ppid;
	unsigned flags; /* PF_KTHREAD = 0x00200000 marks kernel threads */
	uint64_t utime; /* clock ticks */
	uint64_t stime; /* clock ticks */
	int processor;	/* CPU last run on */
};

/* Parses a stat line (NUL-terminated). Returns 0, or -1 if malformed. */
int procfs_parse_stat(const char *buf, struct procfs_stat *st);

/*
 * Parses /proc/PID/status text for "TracerPid:". Returns the tracer's PID,
 * 0 when untraced, or -1 when the field is missing.
 */
pid_t procfs_parse_tracerpid(const char *buf);

/*
 * Parses /proc/PID/status text (NUL-terminated) for "Tgid:": the thread's
 * process. Returns it, or -1 when missing or malformed.
 */
pid_t procfs_parse_tgid(const char *buf);

/*
 * Parses /proc/PID/status text (NUL-terminated) for
 * "voluntary_ctxt_switches:" (times the thread gave up its CPU: it blocked,
 * or stopped). Returns the count, or -1 when missing or malformed.
 */
int64_t procfs_parse_voluntary(const char *buf);

/* Reads /proc/PID/task/TID/status for procfs_parse_voluntary(). Returns
   the count, or -1 (the thread is gone). Any thread. */
int64_t procfs_read_voluntary(pid_t pid, pid_t tid);

/*
 * Opens /proc/PID/task/TID/status for procfs_voluntary_fd(). Returns the
 * fd (caller closes), or -1 with errno.
 */
int procfs_open_status(pid_t pid, pid_t tid);

/* procfs_read_voluntary() through an fd from procfs_open_status(), read
   again from its start (no open and close a read). Returns the count, or
   -1 (the thread is gone). */
int64_t procfs_voluntary_fd(int fd);

/* Who the target is to the file system (from /proc/PID/status). */
#define PROCFS_MAX_GROUPS 64
struct procfs_creds {
	uid_t uid;			 /* the fs uid (4th of "Uid:") */
	gid_t gid;			 /* the fs gid (4th of "Gid:") */
	gid_t groups[PROCFS_MAX_GROUPS]; /* supplementary groups */
	size_t ngroups;
};

/*
 * Parses /proc/PID/status text (NUL-terminated) for "Uid:", "Gid:" (four
 * ids each) and "Groups:" (at most PROCFS_MAX_GROUPS: more is refused, so a
 * reader never gets more rights than the target). Returns 0, or -1 when a
 * line is missing or malformed.
 */
int procfs_parse_creds(const char *buf, struct procfs_creds *c);

/* Reads and parses /proc/PID/status. Returns 0, or -1 with errno. */
int procfs_read_creds(pid_t pid, struct procfs_creds *c);

/*
 * Reads a whole /proc file. Returns a NUL-terminated, caller-freed buffer
 * with its length in *len (may be NULL), or NULL with errno set.
 */
char *procfs_read(const char *path, size_t *len);

/* Reads and parses /proc/PID/maps. Returns 0, or -1 with errno. */
int procfs_read_maps(pid_t pid, struct procfs_maps *maps);

/*
 * The thread IDs in /proc/PID/task, sorted ascending, in a caller-freed
 * array. Returns the count, or -1 with errno (ESRCH when pid is gone).
 */
ssize_t procfs_read_tasks(pid_t pid, pid_t **tids);

/*
 * Opens /proc/PID/task/TID/stat for repeated cheap reads with
 * procfs_stat_fd(). Returns the fd (caller closes), or -1 with errno.
 */
int procfs_open_stat(pid_t pid, pid_t tid);

/* Re-reads an fd from procfs_open_stat(). Returns 0, or -1 (thread gone). */
int procfs_stat_fd(int fd, struct procfs_stat *st);

/* Fields of /proc/PID/task/TID/schedstat. */
struct procfs_schedstat {
	uint64_t run_ns;  /* time spent on a CPU */
	uint64_t wait_ns; /* time spent runnable, waiting for a CPU */
	uint64_t slices;  /* times scheduled in: unchanged = has not run */
};

/* Parses a schedstat line (NUL-terminated). Returns 0, or -1. */
int procfs_parse_schedstat(const char *buf, struct procfs_schedstat *ss);

/*
 * Opens /proc/PID/task/TID/schedstat for procfs_schedstat_fd(). Returns the
 * fd (caller closes), or -1 with errno.
 */
int procfs_open_schedstat(pid_t pid, pid_t tid);

/* Re-reads an fd from procfs_open_schedstat(). Returns 0, or -1. */
int procfs_schedstat_fd(int fd, struct procfs_schedstat *ss);

/*
 * The path of the target's executable (caller frees), or NULL when
 * unreadable.
 */
char *procfs_read_exe(pid_t pid);

/*
 * The target's command line with NULs turned into spaces (caller frees), or
 * NULL when unreadable.
 */
char *procfs_read_cmdline(pid_t pid);

/* A thread's name (comm) into name[16]. Returns 0, or -1. */
int procfs_read_comm(pid_t pid, pid_t tid, char name[16]);

/* Where a thread blocked in the kernel is, from /proc/PID/task/TID/syscall. */
struct procfs_syscall {
	int nr;	     /* the system call, or -1 (sleeping outside one) */
	uint64_t sp; /* user stack pointer */
	uint64_t pc; /* user instruction pointer (after the syscall) */
};

/*
 * Parses the text of /proc/PID/task/TID/syscall (NUL-terminated). Returns 0
 * with *sc for a thread off CPU, 1 for "running" (on a CPU or runnable: the
 * kernel gives no registers then), -1 when malformed.
 */
int procfs_parse_syscall(const char *buf, struct procfs_syscall *sc);

/*
 * Opens /proc/PID/task/TID/syscall for procfs_syscall_fd() (needs the right
 * to trace the thread). Returns the fd (caller closes), or -1 with errno.
 */
int procfs_open_syscall(pid_t pid, pid_t tid);

/*
 * Re-reads an fd from procfs_open_syscall(): as procfs_parse_syscall(), or
 * -1 when the thread is gone or the file unreadable. The kernel checks that
 * the thread did not run while it copied sp and pc.
 */
int procfs_syscall_fd(int fd, struct procfs_syscall *sc);

#endif
