/*
 * hostile: a target that attacks its profiler with the names and paths it
 * controls (issue 9, items 9 and 10). Its main thread is named
 * "\e]52;c;aGk=\a" (an OSC 52 clipboard write); evil_fn's symbol is
 * "evil\e]0;title\afn" (a terminal title; x86-64 assembly, no DWARF) and
 * evil_src's DWARF file name holds OSC 52 and clear-screen sequences. The src_*
 * functions each sit in a DWARF file of their own, paths meant to be resolved
 * inside the target's root by a test that builds that root: src_good
 * /cproftop-trust/good.c     a readable regular file src_link
 * /cproftop-trust/link.c     an absolute symlink out of it src_dotdot
 * /../cproftop-trust-up.c    ".." above the root src_fifo
 * /cproftop-trust/fifo.c     a FIFO src_zero     /cproftop-trust/zero.c     a
 * character device (/dev/zero) src_private  /cproftop-trust/private.c  mode
 * 0600, root's All of them run in turn on the main thread, evil_fn the most.
 *
 * usage: hostile [-d SECONDS] [-r ROOT] [-u UID] [-s] [ARGS...]
 *   -r ROOT  chroot(ROOT) first (root only), so /proc/PID/root is ROOT
 *   -u UID   then run as UID (and GID UID)
 *   -s       only the src_* functions (each gets samples quickly)
 *   ARGS     ignored: a command line for the test to fill with escapes
 * Prints "ready" once set up, "units=N" at the end.
 */
#include <grp.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/prctl.h>
#include <unistd.h>

#include "tests/workloads/wl.h"

static volatile unsigned long sink;

/*
 * evil_fn: a symbol without DWARF (so its ELF name is the one shown),
 * defined in assembly under a quoted name holding ESC and BEL.
 */
#if defined(__x86_64__)
__attribute__((visibility("hidden"))) void
evil_fn(unsigned long n) __asm__("\"evil\033]0;title\007"
				 "fn\"");
__asm__(".text\n"
	".globl \"evil\033]0;title\007fn\"\n"
	".type \"evil\033]0;title\007fn\", @function\n"
	"\"evil\033]0;title\007fn\":\n"
	"	push %rbp\n"
	"	mov %rsp, %rbp\n"
	"1:	dec %rdi\n"
	"	jnz 1b\n"
	"	pop %rbp\n"
	"	ret\n"
	".size \"evil\033]0;title\007fn\", .-\"evil\033]0;title\007fn\"\n");
#else
static WL_NOINLINE void
evil_fn(unsigned long n)
{
	unsigned long x = n;

	WL_SPIN(x, n, 1);
	sink += x;
}
#endif

/* The #line directives below plant the DWARF paths; keep them in order. */
#line 1 "/evil\033]52;c;aGk=\007dir/\033[2Jsrc.c"
static WL_NOINLINE void
evil_src(unsigned long n)
{
	unsigned long x = n;

	WL_SPIN(x, n, 1);
	sink += x;
}
#line 1 "/cproftop-trust/good.c"
static WL_NOINLINE void
src_good(unsigned long n)
{
	unsigned long x = n;

	WL_SPIN(x, n, 2);
	sink += x;
}
#line 1 "/cproftop-trust/link.c"
static WL_NOINLINE void
src_link(unsigned long n)
{
	unsigned long x = n;

	WL_SPIN(x, n, 3);
	sink += x;
}
#line 1 "/../cproftop-trust-up.c"
static WL_NOINLINE void
src_dotdot(unsigned long n)
{
	unsigned long x = n;

	WL_SPIN(x, n, 4);
	sink += x;
}
#line 1 "/cproftop-trust/fifo.c"
static WL_NOINLINE void
src_fifo(unsigned long n)
{
	unsigned long x = n;

	WL_SPIN(x, n, 5);
	sink += x;
}
#line 1 "/cproftop-trust/zero.c"
static WL_NOINLINE void
src_zero(unsigned long n)
{
	unsigned long x = n;

	WL_SPIN(x, n, 6);
	sink += x;
}
#line 1 "/cproftop-trust/private.c"
static WL_NOINLINE void
src_private(unsigned long n)
{
	unsigned long x = n;

	WL_SPIN(x, n, 7);
	sink += x;
}
#line 1 "hostile-main.c"
int
main(int argc, char **argv)
{
	double seconds = 10, end;
	unsigned long units = 0;
	const char *root = NULL;
	long uid = -1;
	int c, src_only = 0;

	while ((c = getopt(argc, argv, "d:r:u:s")) != -1) {
		switch (c) {
		case 'd':
			seconds = atof(optarg);
			break;
		case 'r':
			root = optarg;
			break;
		case 'u':
			uid = atol(optarg);
			break;
		case 's':
			src_only = 1;
			break;
		default:
			fprintf(stderr, "usage: hostile [-d SECONDS] [-r ROOT] "
					"[-u UID] [-s] [ARGS...]\n");
			return 2;
		}
	}
	if (root != NULL && (chroot(root) != 0 || chdir("/") != 0)) {
		perror("hostile: chroot");
		return 1;
	}
	if (uid >= 0 && (setgroups(0, NULL) != 0 || setgid((gid_t)uid) != 0 ||
			 setuid((uid_t)uid) != 0)) {
		perror("hostile: setuid");
		return 1;
	}
	prctl(PR_SET_NAME, "\033]52;c;aGk=\007");
	printf("ready\n");
	fflush(stdout);
	end = wl_now_ms() + seconds * 1e3;
	while (wl_now_ms() < end) {
		if (!src_only) {
			evil_fn(4000000);
			evil_src(100000);
		}
		src_good(50000);
		src_link(50000);
		src_dotdot(50000);
		src_fifo(50000);
		src_zero(50000);
		src_private(50000);
		units++;
	}
	printf("units=%lu\n", units);
	return 0;
}
