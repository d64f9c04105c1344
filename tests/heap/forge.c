/*
 * tests/heap/forge [-d] [-l] [PID|p]...: a hostile --heap --follow command.
 * It writes into the heap ring records under the pids named (an unrelated
 * process, init; "p" for its parent, cproftop) and under a child it forks,
 * which inherits the ring's mapping: one of the command's processes, of
 * its owner. With -d (as root) it first forks a child that stays root,
 * then drops to uid 65534 itself, then forks the other: the root child
 * maps the ring but is not the target owner's. Each pid gets a fork record
 * (as a forked child's library writes under --follow), a hello and one
 * 1 MiB allocation from forge_site(). It waits until cproftop has handled
 * every record, ends the children and prints "forged N" (N named pids, the
 * children included). With -l it forges a loss of every kind the ring
 * counts: 5 records dropped with the ring full, 2 abandoned after their
 * stalls, 3 samples untracked and 4 records written again (its counters),
 * a malformed record, and a cell claimed and never published (taken back
 * after HEAP_RING_STALL_NS: lost in a stall).
 */
#define _GNU_SOURCE
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <grp.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "heap/ring.h"

/* Where the forged allocations are made, as far as the records say. */
static __attribute__((noinline)) void
forge_site(void)
{
	__asm__ volatile("nop; nop; nop; nop; nop; nop; nop; nop");
}

/*
 * A child that lives until its parent closes the pipe. A raw clone: no
 * fork handler runs, so the library's (which would write the child's fork
 * record itself, racing with forge's) stays out of it.
 */
static pid_t
forge_child(int fds[2])
{
	pid_t pid = (pid_t)syscall(SYS_clone, (unsigned long)SIGCHLD, 0UL, 0UL,
				   0UL, 0UL);
	char c;

	if (pid != 0)
		return pid;
	close(fds[1]);
	(void)!read(fds[0], &c, 1);
	_exit(0);
}

/* Waits until cproftop read every record (bounded: 30 s). */
static void
forge_drained(struct heap_ring *r)
{
	struct timespec ms = {0, 1000000};

	for (int i = 0; i < 30000; i++) {
		if (atomic_load(&r->tail) >= atomic_load(&r->head))
			return;
		nanosleep(&ms, NULL);
	}
}

int
main(int argc, char **argv)
{
	const char *fd = getenv(HEAP_ENV_FD);
	struct heap_ring *r;
	pid_t pids[64];
	int n = 0, fds[2];
	bool losses = false;

	if (fd == NULL || pipe(fds) != 0) {
		fprintf(stderr, "forge: no ring (run under cproftop --heap)\n");
		return 2;
	}
	r = mmap(NULL, HEAP_RING_BYTES, PROT_READ | PROT_WRITE, MAP_SHARED,
		 atoi(fd), 0);
	if (r == MAP_FAILED)
		return 2;
	for (int i = 1; i < argc && n < 60; i++) {
		if (strcmp(argv[i], "-l") == 0) {
			losses = true;
		} else if (strcmp(argv[i], "-d") == 0) {
			pids[n++] = forge_child(fds);
			if (setgroups(0, NULL) != 0 ||
			    setresgid(65534, 65534, 65534) != 0 ||
			    setresuid(65534, 65534, 65534) != 0)
				return 2;
		} else {
			pids[n++] = argv[i][0] == 'p' ? getppid()
						      : (pid_t)atoi(argv[i]);
		}
	}
	pids[n++] = forge_child(fds);
	for (int i = 0; i < n; i++) {
		struct heap_record rec = {.kind = HEAP_RECORD_FORK,
					  .pid = (uint32_t)pids[i],
					  .addr = (uint64_t)getpid()};

		heap_ring_put(r, &rec);
		rec.kind = HEAP_RECORD_HELLO;
		rec.addr = 0;
		rec.size = 4096;
		heap_ring_put(r, &rec);
		rec.kind = HEAP_RECORD_ALLOC;
		rec.addr = 0x10000000u + (uint64_t)i * 0x100000u;
		rec.size = 1u << 20;
		rec.nframes = 1;
		rec.frames[0] = (uint64_t)(uintptr_t)forge_site + 4;
		heap_ring_put(r, &rec);
	}
	if (losses) {
		atomic_fetch_add(&r->dropped, 5);
		atomic_fetch_add(&r->abandoned, 2);
		atomic_fetch_add(&r->untracked, 3);
		atomic_fetch_add(&r->late, 4);
		heap_ring_put(r,
			      &(struct heap_record){.kind = 99,
						    .pid = (uint32_t)getpid()});
		heap_ring_claim(r, 1);
	}
	/* Read, then handled: cproftop handles what it read before it reads
	   again, so a marker read after the records were means they were
	   handled (a free of no sample: counted as such, nothing else). */
	forge_drained(r);
	heap_ring_put(r, &(struct heap_record){.kind = HEAP_RECORD_FREE,
					       .pid = (uint32_t)getpid(),
					       .addr = 0x1000});
	forge_drained(r);
	close(fds[1]);
	close(fds[0]);
	while (wait(NULL) > 0)
		;
	printf("forged %d\n", n);
	return 0;
}
