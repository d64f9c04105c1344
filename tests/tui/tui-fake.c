/*
 * tui-fake: the screen over a hand-built profile, for deterministic screen
 * tests (tests/tui/fake.sh). A fake sampler serves one snapshot:
 *   hot_a (fake_src.c:6)  <- worker:21 <- main:29   thread fake    60 on-CPU
 *   hot_b (fake_src.c:14) <- worker:22 <- main:29   thread fake-1  30 on-CPU
 *   std::vector<...>::_M_realloc_insert <- main:29  thread fake-1  10 on-CPU
 *   hot_b (fake_src.c:14) <- worker:22 <- main:29   thread fake    20 off-CPU
 * `z` (sampler_reset) serves the same profile without counts.
 * --cold multiplies the counts by 10 and adds
 *   cold_c <- main:29                              thread fake     2 on-CPU
 *   poll_wait (no source file) <- idle_loop        thread idle    50 off-CPU
 * so a row falls under pprof's node fraction and one thread is idle.
 *
 * Usage: tui-fake [--exited] [--wall] [--cold] [--base FILE] [-o FILE]
 *        SOURCE [SCRIPT]
 * SOURCE is the path of fake_src.c; without SCRIPT the screen is live on
 * the terminal.
 */
#include "config.h"

#include <libgen.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include "common/sigpoll.h"
#include "common/xmalloc.h"
#include "sampler/sampler.h"
#include "tests/unit/views_fixture.h"
#include "tui/tui.h"

#define FAKE_CXX                                                               \
	"std::vector<std::__cxx11::basic_string<char, "                        \
	"std::char_traits<char>, "                                             \
	"std::allocator<char> >, std::allocator<std::__cxx11::basic_string<"   \
	"char, std::char_traits<char>, std::allocator<char> > > >::"           \
	"_M_realloc_insert"

struct sampler {
	struct fx fx;
	struct profile_snapshot *snap;
	int fd;
	bool exited, cold;
};

static void
fake_kick(struct sampler *s)
{
	uint64_t one = 1;

	if (write(s->fd, &one, sizeof(one)) != sizeof(one))
		abort();
}

/* Builds the snapshot; without counts after a reset. */
static void
fake_build(struct sampler *s, const char *src, bool counts)
{
	struct fx *x = &s->fx;
	uint32_t lmain, lw1, lw2, la, lb, lx;

	memset(x, 0, sizeof(*x));
	x->now_second = 10;
	fx_map(x, 0x400000, 0x500000, "/usr/bin/fake");
	fx_fn(x, "main", src, 27);
	fx_fn(x, "worker", src, 19);
	fx_fn(x, "hot_a", src, 3);
	fx_fn(x, "hot_b", src, 11);
	fx_fn(x, FAKE_CXX, "/usr/include/c++/12/bits/vector.tcc", 426);
	lmain = fx_loc(x, 0x401000, 1, 0, 29);
	lw1 = fx_loc(x, 0x402000, 1, 1, 21);
	lw2 = fx_loc(x, 0x402010, 1, 1, 22);
	la = fx_loc(x, 0x403000, 1, 2, 6);
	lb = fx_loc(x, 0x404000, 1, 3, 14);
	lx = fx_loc(x, 0x405000, 1, 4, 440);
	fx_stack(x, 3, la, lw1, lmain);
	fx_stack(x, 3, lb, lw2, lmain);
	fx_stack(x, 2, lx, lmain);
	fx_thread(x, 100, "fake", 'R');
	fx_thread(x, 101, "fake-1", 'S');
	/* schedstat over the 10.5 s: fake ran 75 % and waited for a CPU
	   10 %, fake-1 ran all the time */
	x->threads[0].cpu_ns = 7875000000ULL;
	x->threads[0].wait_ns = 1050000000ULL;
	x->threads[1].cpu_ns = 10500000000ULL;
	if (counts) {
		uint32_t k = s->cold ? 10 : 1;

		fx_count(x, 0, 0, 9, 60 * k, 0);
		fx_count(x, 1, 1, 10, 30 * k, 0);
		fx_count(x, 2, 1, 10, 10 * k, 0);
		fx_count(x, 1, 0, 10, 0, 20 * k);
	}
	if (s->cold) {
		uint32_t lc, lp, li;

		fx_fn(x, "cold_c", src, 2);
		fx_fn(x, "poll_wait",
		      "/build/a/very/long/directory/name/that/goes/on/and/on/"
		      "src/poll_wait.c",
		      10);
		fx_fn(x, "idle_loop", NULL, 0);
		lc = fx_loc(x, 0x406000, 1, 5, 3);
		lp = fx_loc(x, 0x407000, 1, 6, 12);
		li = fx_loc(x, 0x408000, 1, 7, 0);
		fx_stack(x, 2, lc, lmain);
		fx_stack(x, 2, lp, li);
		fx_thread(x, 102, "idle", 'S');
		if (counts) {
			fx_count(x, 3, 0, 10, 2, 0);
			fx_count(x, 4, 2, 10, 0, 50);
		}
	}
	profile_snapshot_unref(s->snap);
	s->snap = fx_snapshot(x);
	s->snap->hz_achieved = 99.5;
	s->snap->unwind_errors = counts ? 3 : 0;
	s->snap->self_cpu = 0.012;
	if (s->exited) {
		s->snap->target_state = PROFILE_TARGET_EXITED;
		s->snap->target_status = 3;
	}
}

struct profile_snapshot *
sampler_snapshot(struct sampler *s)
{
	uint64_t n;

	if (read(s->fd, &n, sizeof(n)) < 0) {
		/* nothing pending */
	}
	return profile_snapshot_ref(s->snap);
}

int
sampler_fd(const struct sampler *s)
{
	return s->fd;
}

void
sampler_publish(struct sampler *s)
{
	fake_kick(s);
}

void
sampler_reset(struct sampler *s)
{
	fake_build(s, s->fx.fns[0].file, false);
}

void
sampler_pause(struct sampler *s, bool paused)
{
	(void)s;
	(void)paused;
}

bool
sampler_done(const struct sampler *s)
{
	return s->exited;
}

/* Ctrl-Z: nothing is traced here, cproftop may stop at once. */
int
sampler_suspend(struct sampler *s, int64_t timeout_ns)
{
	(void)s;
	(void)timeout_ns;
	return 0;
}

void
sampler_resume(struct sampler *s)
{
	(void)s;
}

int
main(int argc, char **argv)
{
	struct sampler s = {.fd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC)};
	struct tui_options o = {0};
	const char *srcdir[1];
	char *dir;
	int i = 1, rc;

	for (; i < argc && argv[i][0] == '-'; i++) {
		if (strcmp(argv[i], "--exited") == 0)
			s.exited = true;
		else if (strcmp(argv[i], "--wall") == 0)
			o.wall = true;
		else if (strcmp(argv[i], "--cold") == 0)
			s.cold = true;
		else if (strcmp(argv[i], "--base") == 0 && i + 1 < argc)
			o.base = argv[++i];
		else if (strcmp(argv[i], "-o") == 0 && i + 1 < argc)
			o.output = argv[++i];
		else
			break;
	}
	if (i >= argc || s.fd < 0) {
		fputs("usage: tui-fake [--exited] [--wall] [--cold] [-o FILE] "
		      "SOURCE "
		      "[SCRIPT]\n",
		      stderr);
		return 2;
	}
	o.script = i + 1 < argc ? argv[i + 1] : NULL;
	/* SOURCE may climb with "..": source files are looked up inside
	   each root (attach/rootfs.h), so give its directory as the
	   source path, as a user would. */
	dir = xstrdup(argv[i]);
	srcdir[0] = dirname(dir);
	o.source_paths = srcdir;
	o.nsource_paths = 1;
	sigpoll_block(); /* as main.c */
	fake_build(&s, argv[i], true);
	fake_kick(&s);
	rc = tui_run(&s, &o);
	profile_snapshot_unref(s.snap);
	free(dir);
	close(s.fd);
	return rc;
}
