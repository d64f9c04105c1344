/*
 * The program tests/unit/unwind_test unwinds. Built twice, with and without
 * frame pointers. Its threads sit in known call chains:
 *   main:   main -> level1 -> level2 -> level3 -> spin (busy)
 *   sleep:  sleeper_fn -> sleep_level -> nanosleep (blocked), sleep_level
 *           with a personality routine
 *   vdso:   vdso_fn -> vdso_spin -> clock_gettime (busy in [vdso])
 *   signal: sig_fn -> sig_level, interrupted by SIGUSR1 whose handler
 *           on_signal -> handler_sleep -> nanosleep (blocked)
 *   jit:    jit_fn -> code in anonymous executable memory that sets up a
 *           frame pointer as JITs do, then jumps to itself (busy)
 * A reporter thread prints "main=TID sleep=TID vdso=TID signal=TID jit=TID"
 * once every thread has reached its leaf function, then waits in pause().
 * Dies with its parent.
 */
#define _GNU_SOURCE
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <time.h>
#include <unistd.h>

#define NOINLINE __attribute__((noinline, noipa))

static volatile unsigned long sink;
static volatile pid_t tid_sleep, tid_vdso, tid_signal, tid_jit;
/* Set by each thread from inside its leaf function. */
static volatile int in_spin, in_sleep, in_vdso, in_jit, signal_taken;
static pthread_t sig_thread;

/* Each level does work after its call, so the call is not a tail call. */
NOINLINE static void
spin(void)
{
	unsigned long x = 1;

	in_spin = 1;
	for (;;) {
		x = x * 6364136223846793005UL + 1;
		__asm__ volatile("" : "+r"(x));
	}
}

NOINLINE static void
level3(void)
{
	spin();
	sink++;
}

NOINLINE static void
level2(void)
{
	level3();
	sink++;
}

NOINLINE static void
level1(void)
{
	level2();
	sink++;
}

static void
release(int *token)
{
	sink += (unsigned long)*token;
}

/* The cleanup gives sleep_level an LSDA and a personality routine (built
 * with -fexceptions), whose pointer the unwinder reads from .data. */
NOINLINE static void
sleep_level(void)
{
	int token __attribute__((cleanup(release))) = 1;
	struct timespec ts = {1, 0};

	in_sleep = 1;
	for (;;)
		nanosleep(&ts, NULL);
}

static void *
sleeper_fn(void *arg)
{
	tid_sleep = gettid();
	sleep_level();
	sink++;
	return arg;
}

NOINLINE static void
vdso_spin(void)
{
	struct timespec ts;

	in_vdso = 1;
	for (;;) {
		clock_gettime(CLOCK_MONOTONIC, &ts);
		sink += (unsigned long)ts.tv_nsec;
	}
}

static void *
vdso_fn(void *arg)
{
	tid_vdso = gettid();
	vdso_spin();
	sink++;
	return arg;
}

NOINLINE static void
handler_sleep(void)
{
	struct timespec ts = {1, 0};

	signal_taken = 1;
	for (;;)
		nanosleep(&ts, NULL);
}

static void
on_signal(int sig)
{
	handler_sleep();
	sink += (unsigned long)sig;
}

NOINLINE static void
sig_level(void)
{
	while (!signal_taken)
		sink++;
}

static void *
sig_fn(void *arg)
{
	tid_signal = gettid();
	sig_level();
	sink++;
	return arg;
}

static void *
jit_fn(void *arg)
{
	/* A frame as JITs set one up, then spin: push %rbp; mov %rsp, %rbp;
	 * movabs $&in_jit, %rax; movl $1, (%rax); jmp . */
	unsigned char code_bytes[] = {
		0x55, 0x48, 0x89, 0xe5, 0x48, 0xb8, 0,	  0,	0,    0,   0, 0,
		0,    0,    0xc7, 0x00, 0x01, 0x00, 0x00, 0x00, 0xeb, 0xfe};
	volatile int *flag = &in_jit;
	void (*code)(void);
	void *page;

	page = mmap(NULL, 4096, PROT_READ | PROT_WRITE,
		    MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (page == MAP_FAILED)
		abort();
	memcpy(code_bytes + 6, &flag, sizeof(flag));
	memcpy(page, code_bytes, sizeof(code_bytes));
	if (mprotect(page, 4096, PROT_READ | PROT_EXEC) < 0)
		abort();
	tid_jit = gettid();
	code = (void (*)(void))page;
	code();
	sink++;
	return arg;
}

static void
start(void *(*fn)(void *), volatile pid_t *tid, pthread_t *out)
{
	pthread_t t;

	if (pthread_create(&t, NULL, fn, NULL) != 0)
		abort();
	while (*tid == 0)
		usleep(1000);
	if (out != NULL)
		*out = t;
}

static void *
reporter_fn(void *arg)
{
	pthread_kill(sig_thread, SIGUSR1);
	while (!in_spin || !in_sleep || !in_vdso || !in_jit || !signal_taken)
		usleep(1000);
	usleep(20000); /* let each get well into its loop */
	printf("main=%d sleep=%d vdso=%d signal=%d jit=%d\n", (int)getpid(),
	       (int)tid_sleep, (int)tid_vdso, (int)tid_signal, (int)tid_jit);
	fflush(stdout);
	for (;;)
		pause();
	return arg;
}

int
main(void)
{
	struct sigaction sa;
	pthread_t reporter;

	prctl(PR_SET_PDEATHSIG, SIGKILL);
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigaction(SIGUSR1, &sa, NULL);
	start(sleeper_fn, &tid_sleep, NULL);
	start(vdso_fn, &tid_vdso, NULL);
	start(jit_fn, &tid_jit, NULL);
	start(sig_fn, &tid_signal, &sig_thread);
	if (pthread_create(&reporter, NULL, reporter_fn, NULL) != 0)
		abort();
	level1();
	return (int)sink;
}
