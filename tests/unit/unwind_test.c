/*
 * unwind_test: attaches to tests/unwind/target-{fp,nofp}, samples its
 * threads with attach_sample() + unwind_capture(), unwinds each copy with
 * unwind_stack() and checks the frames against the target's own symbol
 * table (read with libelf): the main thread's full chain, a thread blocked
 * in nanosleep, a thread in [vdso], a thread in a signal handler and one
 * in anonymous executable memory (which must end truncated). Prints the
 * cost of unwind_capture() and unwind_stack() as TAP diagnostics.
 */
#include "config.h"

#include <fcntl.h>
#include <gelf.h>
#include <libelf.h>
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "attach/attach.h"
#include "attach/procfs.h"
#include "common/xmalloc.h"
#include "sampler/unwind.h"
#include "tests/tap.h"

#define ROUNDS 250
#define WARMUP 5
#define COLD_EVERY 50 /* rounds between unwind_flush() calls */

enum { T_MAIN, T_SLEEP, T_VDSO, T_SIGNAL, T_JIT, T_COUNT };

static const char *const thread_names[T_COUNT] = {"main", "sleep", "vdso",
						  "signal", "jit"};

/* The target's function symbols, at their runtime addresses. */
struct sym {
	uint64_t start, end;
	char *name;
};

struct target {
	pid_t pid;
	FILE *out;
	pid_t tids[T_COUNT];
	struct procfs_maps maps;
	struct sym *syms;
	size_t n_syms;
};

struct sample_ctx {
	struct attach *a;
	const pid_t *tids;
	struct capture *caps; /* T_COUNT */
	bool got[T_COUNT];
	double capture_us[T_COUNT];
};

static double
now_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e6 + ts.tv_nsec / 1e3;
}

static int
cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

static void
target_start(struct target *t, const char *path)
{
	int fds[2];
	char line[256];

	memset(t, 0, sizeof(*t));
	if (pipe(fds) < 0)
		abort();
	t->pid = fork();
	if (t->pid == 0) {
		sigset_t none;

		sigemptyset(&none);
		sigprocmask(SIG_SETMASK, &none, NULL);
		dup2(fds[1], 1);
		close(fds[0]);
		execl(path, path, (char *)NULL);
		_exit(127);
	}
	close(fds[1]);
	t->out = fdopen(fds[0], "r");
	if (fgets(line, sizeof(line), t->out) == NULL ||
	    sscanf(line, "main=%d sleep=%d vdso=%d signal=%d jit=%d",
		   &t->tids[T_MAIN], &t->tids[T_SLEEP], &t->tids[T_VDSO],
		   &t->tids[T_SIGNAL], &t->tids[T_JIT]) != T_COUNT)
		t->tids[T_MAIN] = 0;
}

static void
target_stop(struct target *t)
{
	kill(t->pid, SIGKILL);
	/* Threads left traced by the detach (asleep, never stopped) are ours
	 * to reap before the leader can be. */
	for (;;) {
		pid_t w = waitpid(-1, NULL, __WALL);

		if (w == t->pid || (w < 0 && errno != EINTR))
			break;
	}
	fclose(t->out);
	for (size_t i = 0; i < t->n_syms; i++)
		free(t->syms[i].name);
	free(t->syms);
	procfs_maps_free(&t->maps);
}

/* Reads the FUNC symbols of /proc/PID/exe, relocated by its load bias. */
static int
target_symbols(struct target *t)
{
	char exe[64];
	Elf *elf;
	Elf_Scn *scn = NULL;
	GElf_Phdr ph;
	size_t nph;
	uint64_t bias = 0;
	int fd;

	snprintf(exe, sizeof(exe), "/proc/%d/exe", (int)t->pid);
	elf_version(EV_CURRENT);
	fd = open(exe, O_RDONLY);
	if (fd < 0 || (elf = elf_begin(fd, ELF_C_READ, NULL)) == NULL)
		return -1;
	elf_getphdrnum(elf, &nph);
	for (size_t i = 0; i < nph; i++) {
		const struct procfs_map *m;

		if (gelf_getphdr(elf, (int)i, &ph) == NULL ||
		    ph.p_type != PT_LOAD || ph.p_offset != 0)
			continue;
		/* The exe's offset-0 mapping is the first with its inode. */
		for (size_t j = 0; j < t->maps.n; j++) {
			m = &t->maps.maps[j];
			if (m->offset == 0 && strstr(m->path, "/target-")) {
				bias = m->start - (ph.p_vaddr & ~4095UL);
				break;
			}
		}
		break;
	}
	while ((scn = elf_nextscn(elf, scn)) != NULL) {
		GElf_Shdr sh;
		Elf_Data *data;

		if (gelf_getshdr(scn, &sh) == NULL || sh.sh_type != SHT_SYMTAB)
			continue;
		data = elf_getdata(scn, NULL);
		for (size_t i = 0; i < sh.sh_size / sh.sh_entsize; i++) {
			GElf_Sym s;

			if (gelf_getsym(data, (int)i, &s) == NULL ||
			    GELF_ST_TYPE(s.st_info) != STT_FUNC ||
			    s.st_value == 0)
				continue;
			t->syms = xreallocarray(t->syms, t->n_syms + 1,
						sizeof(*t->syms));
			t->syms[t->n_syms].start = bias + s.st_value;
			/* _start has size 0 in some crt1.o; give it a few. */
			t->syms[t->n_syms].end = bias + s.st_value +
						 (s.st_size ? s.st_size : 64);
			t->syms[t->n_syms].name =
				xstrdup(elf_strptr(elf, sh.sh_link, s.st_name));
			t->n_syms++;
		}
	}
	elf_end(elf);
	close(fd);
	return t->n_syms > 0 && bias != 0 ? 0 : -1;
}

/* A frame's name: the target's function, or where the pc lies. */
static const char *
target_name(const struct target *t, uint64_t pc)
{
	const struct procfs_map *m;

	for (size_t i = 0; i < t->n_syms; i++)
		if (pc >= t->syms[i].start && pc < t->syms[i].end)
			return t->syms[i].name;
	m = procfs_maps_find(&t->maps, pc);
	if (m == NULL)
		return "?";
	if (strstr(m->path, "/libc.so") != NULL)
		return "[libc]";
	if (strcmp(m->path, "[vdso]") == 0)
		return "[vdso]";
	if (m->path[0] == '\0' && m->executable)
		return "[jit]";
	return "?";
}

/*
 * The stack as a string of names, innermost first, consecutive [libc]
 * frames merged (how many there are is glibc's business). Return addresses
 * are looked up at pc - 1, frames after a signal frame at pc.
 */
static void
stack_string(const struct target *t, const uint64_t *pcs, int n, uint64_t sfa,
	     char *buf, size_t size)
{
	const char *prev = NULL;
	size_t len = 0;

	buf[0] = '\0';
	for (int i = 0; i < n; i++) {
		bool exact = i == 0 || (i < 64 && (sfa >> i & 1));
		const char *name = target_name(t, exact ? pcs[i] : pcs[i] - 1);

		if (prev != NULL && strcmp(name, "[libc]") == 0 &&
		    strcmp(prev, "[libc]") == 0)
			continue;
		len += (size_t)snprintf(buf + len, size - len, "%s%s",
					len ? " " : "", name);
		if (len >= size)
			break;
		prev = name;
	}
}

static void
sample_fn(pid_t tid, const struct user_regs_struct *regs, void *arg)
{
	struct sample_ctx *ctx = arg;

	for (int i = 0; i < T_COUNT; i++) {
		if (ctx->tids[i] == tid) {
			double t0 = now_us();

			unwind_capture(ctx->a, tid, regs, &ctx->caps[i]);
			ctx->capture_us[i] = now_us() - t0;
			ctx->got[i] = true;
		}
	}
}

/* Per thread: how many samples had the expected stack. */
struct tally {
	int samples, good, vdso_leaf, sig_marked;
	int fast, same; /* by the fast path; as libunwind alone found them */
	char bad[600];	/* the first wrong stack */
};

static bool
stack_ok(int thread, const char *s, int n, bool truncated, uint64_t sfa,
	 const char *sig_frame, struct tally *ty)
{
	static const char *const want[T_COUNT] = {
		"spin level3 level2 level1 main [libc] _start",
		"[libc] sleep_level sleeper_fn [libc]",
		"vdso_spin vdso_fn [libc]",
		"[libc] handler_sleep on_signal [libc] sig_level sig_fn [libc]",
		"[jit] jit_fn [libc]",
	};
	size_t ls = strlen(s), lw = strlen(want[thread]);

	switch (thread) {
	case T_VDSO: /* leaf in [vdso], libc's wrapper, or vdso_spin */
		if (strcmp(s, "[vdso] [libc] vdso_spin vdso_fn [libc]") == 0)
			ty->vdso_leaf++;
		return !truncated && ls >= lw &&
		       strcmp(s + ls - lw, want[thread]) == 0;
	case T_SIGNAL:
		if (sig_frame != NULL)
			ty->sig_marked++;
		return !truncated && strcmp(s, want[thread]) == 0 &&
		       sig_frame != NULL && strcmp(sig_frame, "sig_level") == 0;
	case T_JIT: /* no CFI: by its frame pointer, then CFI again */
		return !truncated && strcmp(s, want[thread]) == 0 && sfa == 0;
	default:
		return !truncated && strcmp(s, want[thread]) == 0;
	}
}

/* Unwinds c, tallies the result and returns the number of frames. */
static int
check_thread(const struct target *t, struct unwind *u, int thread,
	     const struct capture *c, struct tally *ty, double *cost)
{
	uint64_t pcs[UNWIND_MAX_FRAMES], sfa;
	const char *sig_frame = NULL;
	char s[512];
	bool truncated;
	double t0 = now_us();
	int n = unwind_stack(u, c, pcs, UNWIND_MAX_FRAMES, &truncated, &sfa);
	uint64_t pcs2[UNWIND_MAX_FRAMES], sfa2;
	bool truncated2;
	int n2;

	*cost = now_us() - t0;
	/* the fast path against libunwind alone, on the same copy */
	ty->fast += unwind_used_fast(u);
	unwind_set_fast(u, false);
	n2 = unwind_stack(u, c, pcs2, UNWIND_MAX_FRAMES, &truncated2, &sfa2);
	unwind_set_fast(u, true);
	if (n2 == n && truncated2 == truncated && sfa2 == sfa &&
	    memcmp(pcs, pcs2, (size_t)n * sizeof(*pcs)) == 0)
		ty->same++;
	stack_string(t, pcs, n, sfa, s, sizeof(s));
	for (int i = 1; i < n && i < 64; i++)
		if (sfa >> i & 1)
			sig_frame = target_name(t, pcs[i]);
	ty->samples++;
	if (stack_ok(thread, s, n, truncated, sfa, sig_frame, ty))
		ty->good++;
	else if (ty->bad[0] == '\0')
		snprintf(ty->bad, sizeof(ty->bad), "%s%s (n=%d)", s,
			 truncated ? " [truncated]" : "", n);
	return n;
}

/* Checks the copy of the main thread: clipped exactly at [stack]'s end. */
static void
check_copy(const struct target *t, const struct capture *c)
{
	const struct procfs_map *m = procfs_maps_find(&t->maps, c->regs.rsp);
	uint64_t want;

	if (!tap_ok(m != NULL && strcmp(m->path, "[stack]") == 0,
		    "main thread's sp lies in [stack]"))
		return;
	want = m->end - c->stack_start;
	if (want > UNWIND_STACK_BYTES)
		want = UNWIND_STACK_BYTES;
	tap_is_int(c->stack_len, want,
		   "stack copy from sp - 128 up to [stack]'s end or 32 KiB");
	tap_is_int(c->stack_start, c->regs.rsp - 128,
		   "copy starts at sp - 128");
}

/* An unwinder whose maps lack libc until its miss callback reads them. */
struct late_maps {
	pid_t pid;
	struct procfs_maps maps;
	struct unwind *u;
	int misses;
};

/* unwind_miss_fn: reads the whole maps, as sampler/space.c does. */
static void
late_miss(void *arg)
{
	struct late_maps *l = arg;

	l->misses++;
	procfs_maps_free(&l->maps);
	procfs_read_maps(l->pid, &l->maps);
	unwind_flush(l->u);
}

/*
 * A return address in a library mapped after the maps were read (a
 * spawned command's libc, dlopen'd code): the main thread's first pc and
 * sp are known, its frames through libc are not. The walk asks for the
 * maps again there and unwinds the whole stack; before, it ended at the
 * first [libc] frame (truncated, the maps never read again).
 */
static void
check_late_map(const char *variant, const struct target *t,
	       struct sample_ctx *ctx, struct tally *ty)
{
	struct late_maps l = {.pid = t->pid};
	size_t kept = 0;
	double cost;

	procfs_read_maps(t->pid, &l.maps);
	for (size_t i = 0; i < l.maps.n; i++) {
		if (strstr(l.maps.maps[i].path, "/libc.so") != NULL)
			free(l.maps.maps[i].path);
		else
			l.maps.maps[kept++] = l.maps.maps[i];
	}
	tap_ok(kept < l.maps.n, "%s: libc left out of the maps", variant);
	l.maps.n = kept;
	l.u = unwind_new(t->pid);
	unwind_set_maps(l.u, &l.maps, late_miss, &l);
	memset(ctx->got, 0, sizeof(ctx->got));
	if (attach_sample(ctx->a, t->tids, T_COUNT, sample_fn, ctx,
			  1000000000) > 0 &&
	    ctx->got[T_MAIN])
		check_thread(t, l.u, T_MAIN, &ctx->caps[T_MAIN], ty, &cost);
	if (!tap_ok(ty->samples == 1 && ty->good == 1 && l.misses == 1,
		    "%s: a frame in a library mapped since the maps were read "
		    "reads them again, the stack is whole (%d/%d, %d reads)",
		    variant, ty->good, ty->samples, l.misses))
		printf("#   the stack: %s\n", ty->bad);
	unwind_free(l.u);
	procfs_maps_free(&l.maps);
}

/*
 * The threads blocked in nanosleep (sleep, signal), captured as the
 * sampler does without stopping them (unwind_capture_blocked(): pc and sp
 * from /proc/PID/task/TID/syscall, rbp unknown): whole stacks, the fast
 * path's as libunwind alone finds them (target-fp's frames need the rbp
 * the capture lacks: it is found, without a first walk through
 * libunwind). A capture the thread ran during (schedstat) is left out.
 */
static void
check_blocked(const char *variant, const struct target *t, struct attach *a,
	      struct unwind *u)
{
	static const int threads[] = {T_SLEEP, T_SIGNAL};

	for (size_t k = 0; k < sizeof(threads) / sizeof(*threads); k++) {
		int i = threads[k];
		int sys = procfs_open_syscall(t->pid, t->tids[i]);
		int sch = procfs_open_schedstat(t->pid, t->tids[i]);
		struct tally ty = {0};
		struct capture c;
		double cost;

		/* 40 captures of the thread blocked; one it ran during, or
		   taken while it waits for a CPU ("running": CI once saw none
		   of 40 tries blocked, loaded), is tried again 1 ms later, for
		   4 s at most */
		for (int r = 0;
		     r < 4000 && ty.samples < 40 && sys >= 0 && sch >= 0; r++) {
			struct procfs_schedstat before, after;
			struct procfs_syscall sc;
			const struct timespec ms = {0, 1000000};

			if (procfs_schedstat_fd(sch, &before) != 0 ||
			    procfs_syscall_fd(sys, &sc) != 0 || sc.pc == 0) {
				nanosleep(&ms, NULL);
				continue;
			}
			unwind_capture_blocked(a, t->tids[i], sc.pc, sc.sp, &c);
			if (procfs_schedstat_fd(sch, &after) != 0 ||
			    after.slices != before.slices) {
				nanosleep(&ms, NULL);
				continue;
			}
			check_thread(t, u, i, &c, &ty, &cost);
		}
		if (!tap_ok(ty.samples >= 20 && ty.good == ty.samples,
			    "%s: %s thread, blocked: unwinds as expected "
			    "(%d/%d)",
			    variant, thread_names[i], ty.good, ty.samples))
			printf("#   first wrong stack: %s\n", ty.bad);
		tap_ok(ty.same == ty.samples,
		       "%s: %s thread, blocked: the fast path's stacks are "
		       "libunwind's (%d/%d)",
		       variant, thread_names[i], ty.same, ty.samples);
		if (i == T_SLEEP) /* ~70 us a new sleeping thread, before */
			tap_ok(ty.fast == ty.samples,
			       "%s: sleep thread, blocked: no walk through "
			       "libunwind (%d/%d)",
			       variant, ty.fast, ty.samples);
		if (sys >= 0)
			close(sys);
		if (sch >= 0)
			close(sch);
	}
}

static void
report_costs(const char *variant, double *v, size_t n, const char *what)
{
	qsort(v, n, sizeof(*v), cmp_double);
	printf("# %s: %s median %.1f us, p99 %.1f us, max %.1f us (%zu "
	       "samples)\n",
	       variant, what, v[n / 2], v[n * 99 / 100], v[n - 1], n);
}

static void
run_variant(const char *variant)
{
	const char *top = getenv("top_builddir");
	char path[4096], *cause = NULL;
	enum attach_failure why;
	struct target t;
	struct attach *a = NULL;
	struct unwind *u;
	struct sample_ctx ctx = {0};
	struct tally ty[T_COUNT] = {0};
	double *unwind_us, *main_us, *capture_us;
	size_t n_unwind = 0, n_main = 0, n_capture = 0;
	int rounds_ok = 0;
	double cold_us = 0;
	int main_frames = 0;
	char what[64];

	snprintf(path, sizeof(path), "%s/tests/unwind/target-%s",
		 top ? top : ".", variant);
	target_start(&t, path);
	if (!tap_ok(t.tids[T_MAIN] > 0, "%s: target started (%s)", variant,
		    path)) {
		target_stop(&t);
		return;
	}
	if (!tap_ok(attach_pid(t.pid, false, &a, &why, &cause) == 0,
		    "%s: attached", variant)) {
		printf("# %s\n", cause ? cause : "");
		free(cause);
		target_stop(&t);
		return;
	}
	procfs_read_maps(t.pid, &t.maps);
	tap_ok(target_symbols(&t) == 0, "%s: target's symbols read", variant);
	u = unwind_new(t.pid);
	unwind_set_maps(u, &t.maps, NULL, NULL);
	unwind_us = xcalloc(ROUNDS * T_COUNT, sizeof(double));
	main_us = xcalloc(ROUNDS, sizeof(double));
	capture_us = xcalloc(ROUNDS * T_COUNT, sizeof(double));
	ctx.a = a;
	ctx.tids = t.tids;
	ctx.caps = xmalloc(T_COUNT * sizeof(*ctx.caps));
	for (int r = 0; r < ROUNDS; r++) {
		bool cold = r % COLD_EVERY == 0;

		if (cold && r > 0)
			unwind_flush(u); /* must work as well after a flush */
		memset(ctx.got, 0, sizeof(ctx.got));
		if (attach_sample(a, t.tids, T_COUNT, sample_fn, &ctx,
				  1000000000) == T_COUNT)
			rounds_ok++;
		if (r == 0 && ctx.got[T_MAIN])
			check_copy(&t, &ctx.caps[T_MAIN]);
		for (int i = 0; i < T_COUNT; i++) {
			double cost;
			int n;

			if (!ctx.got[i])
				continue;
			n = check_thread(&t, u, i, &ctx.caps[i], &ty[i], &cost);
			if (cold && i == T_MAIN)
				cold_us = cost;
			if (r < WARMUP || cold)
				continue;
			capture_us[n_capture++] = ctx.capture_us[i];
			if (i != T_JIT)
				unwind_us[n_unwind++] = cost;
			if (i == T_MAIN) {
				main_us[n_main++] = cost;
				main_frames = n;
			}
		}
	}
	tap_is_int(rounds_ok, ROUNDS, "%s: every round sampled all threads",
		   variant);
	for (int i = 0; i < T_COUNT; i++) {
		if (!tap_ok(ty[i].samples > 0 && ty[i].good == ty[i].samples,
			    "%s: %s thread unwinds as expected (%d/%d)",
			    variant, thread_names[i], ty[i].good,
			    ty[i].samples))
			printf("#   first wrong stack: %s\n", ty[i].bad);
	}
	for (int i = 0; i < T_COUNT; i++)
		tap_ok(ty[i].same == ty[i].samples,
		       "%s: %s thread: the fast path's stacks are libunwind's "
		       "(%d/%d, %d by the fast path)",
		       variant, thread_names[i], ty[i].same, ty[i].samples,
		       ty[i].fast);
	tap_ok(ty[T_MAIN].fast > ty[T_MAIN].samples / 2,
	       "%s: the main thread unwinds by the fast path (%d/%d)", variant,
	       ty[T_MAIN].fast, ty[T_MAIN].samples);
	tap_ok(ty[T_VDSO].vdso_leaf > 0,
	       "%s: samples inside [vdso] unwind to their caller (%d/%d)",
	       variant, ty[T_VDSO].vdso_leaf, ty[T_VDSO].samples);
	if (n_unwind > 0 && n_main > 0 && n_capture > 0) {
		report_costs(variant, capture_us, n_capture,
			     "unwind_capture (while stopped)");
		report_costs(variant, unwind_us, n_unwind,
			     "unwind_stack, all threads but jit");
		snprintf(what, sizeof(what),
			 "unwind_stack, main thread (%d frames)", main_frames);
		report_costs(variant, main_us, n_main, what);
		printf("# %s: first unwind after unwind_flush() (main thread, "
		       "cold caches) %.1f us\n",
		       variant, cold_us);
		/* Generous: the goal is well under 50 us; this catches a
		 * per-sample maps read or a cache that never hits. */
		tap_ok(main_us[n_main / 2] < 500,
		       "%s: median unwind of the main thread under 500 us",
		       variant);
	}
	check_blocked(variant, &t, a, u);
	check_late_map(variant, &t, &ctx, &(struct tally){0});
	unwind_free(u);
	attach_detach(a);
	target_stop(&t);
	free(ctx.caps);
	free(unwind_us);
	free(main_us);
	free(capture_us);
}

int
main(void)
{
	sigset_t set;

	sigemptyset(&set);
	sigaddset(&set, SIGCHLD);
	sigprocmask(SIG_BLOCK, &set, NULL);
	run_variant("fp");
	run_variant("nofp");
	return tap_done();
}
