/*
 * demo [-d SECONDS]: something worth watching in cproftop. Runs until
 * SECONDS have passed (default: until SIGINT or SIGTERM).
 *
 * Threads, all named:
 *   "parser"   tokenizes a text buffer without pause (parse_tokens,
 *              demo_parse.c): the hottest;
 *   "compress" checksums 64 KiB blocks (crc_block, demo_crc.c) about half
 *              of the time and sleeps the other half;
 *   "render"   draws a Mandelbrot frame by recursive tiling (render_tile ->
 *              render_row -> render_point, demo_render.c), busy about
 *              three quarters of the time;
 *   "io-wait"  blocked in read() on a pipe (off CPU);
 *   "ticker"   wakes every 100 ms from nanosleep (mostly off CPU);
 *   main       waits.
 *
 * At exit it prints key=value lines: tokens, crc_blocks, frames, ticks,
 * runtime_ms, cpu_ms.
 */
#include "config.h"

#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <unistd.h>

#include "tests/workloads/demo.h"
#include "tests/workloads/wl.h"

#define DEMO_USAGE "demo [-d SECONDS]"
#define DEMO_TEXT 65536
#define DEMO_BLOCK 65536
#define DEMO_FRAME 256 /* pixels on a side */
#define DEMO_TILE 16   /* tiles this small are drawn row by row */

static volatile sig_atomic_t demo_stop;
static char demo_text[DEMO_TEXT];
static unsigned char demo_block[DEMO_BLOCK];
static unsigned char demo_pixels[DEMO_FRAME][DEMO_FRAME];
static int demo_pipe[2];

struct demo_counts {
	unsigned long tokens, crc_blocks, frames, ticks;
};

static void
demo_on_signal(int sig)
{
	demo_stop = 1;
}

static void *
demo_parser(void *arg)
{
	struct demo_counts *c = arg;

	while (!demo_stop)
		c->tokens += parse_tokens(demo_text, sizeof(demo_text));
	return NULL;
}

static void *
demo_compress(void *arg)
{
	struct demo_counts *c = arg;
	uint32_t crc = 0;

	while (!demo_stop) {
		double start = wl_now_ms();

		for (int i = 0; i < 4; i++, c->crc_blocks++)
			crc = crc_block(crc, demo_block, sizeof(demo_block));
		demo_block[crc % DEMO_BLOCK] ^= (unsigned char)crc;
		wl_sleep_ms(wl_now_ms() - start);
	}
	return NULL;
}

/* Draws the size x size tile at (x, y), splitting it in four. */
WL_NOINLINE static unsigned long
render_tile(int x, int y, int size)
{
	unsigned long sum = 0;
	int half = size / 2;

	if (size <= DEMO_TILE) {
		for (int row = 0; row < size; row++)
			sum += render_row(&demo_pixels[y + row][x], x, y, row,
					  size);
		return sum;
	}
	sum += render_tile(x, y, half);
	sum += render_tile(x + half, y, half);
	sum += render_tile(x, y + half, half);
	sum += render_tile(x + half, y + half, half);
	return sum;
}

static void *
demo_render(void *arg)
{
	struct demo_counts *c = arg;

	while (!demo_stop) {
		double start = wl_now_ms();

		render_tile(0, 0, DEMO_FRAME);
		c->frames++;
		wl_sleep_ms((wl_now_ms() - start) / 3);
	}
	return NULL;
}

static void *
demo_io_wait(void *arg)
{
	char buf[1];

	return (void *)read(demo_pipe[0], buf, sizeof(buf));
}

static void *
demo_ticker(void *arg)
{
	struct demo_counts *c = arg;

	while (!demo_stop) {
		wl_sleep_ms(100);
		c->ticks++;
	}
	return NULL;
}

static void
demo_fill_text(void)
{
	static const char words[] = "int main ( void ) { return 42 ; } "
				    "for x1 in range 1000 : y += x1 * 7 ; ";

	for (size_t i = 0; i < sizeof(demo_text); i++)
		demo_text[i] = words[i % (sizeof(words) - 1)];
}

int
main(int argc, char **argv)
{
	static const struct {
		const char *name;
		void *(*fn)(void *);
	} threads[] = {
		{"parser", demo_parser}, {"compress", demo_compress},
		{"render", demo_render}, {"io-wait", demo_io_wait},
		{"ticker", demo_ticker},
	};
	pthread_t tids[sizeof(threads) / sizeof(threads[0])];
	struct demo_counts c = {0};
	double seconds = 0, start = wl_now_ms();
	int opt;

	while ((opt = getopt(argc, argv, "d:")) != -1) {
		if (opt != 'd')
			wl_usage(DEMO_USAGE);
		seconds = wl_number(optarg, opt, DEMO_USAGE);
	}
	if (optind != argc)
		wl_usage(DEMO_USAGE);
	signal(SIGINT, demo_on_signal);
	signal(SIGTERM, demo_on_signal);
	demo_fill_text();
	if (pipe(demo_pipe) != 0)
		return 1;
	for (size_t i = 0; i < sizeof(tids) / sizeof(tids[0]); i++) {
		if (pthread_create(&tids[i], NULL, threads[i].fn, &c) != 0)
			return 1;
		pthread_setname_np(tids[i], threads[i].name);
	}
	while (!demo_stop &&
	       (seconds == 0 || wl_now_ms() < start + seconds * 1e3))
		wl_sleep_ms(50);
	demo_stop = 1;
	if (write(demo_pipe[1], "x", 1) != 1)
		return 1;
	for (size_t i = 0; i < sizeof(tids) / sizeof(tids[0]); i++)
		pthread_join(tids[i], NULL);
	printf("tokens=%lu\ncrc_blocks=%lu\nframes=%lu\nticks=%lu\n"
	       "runtime_ms=%.0f\ncpu_ms=%.0f\n",
	       c.tokens, c.crc_blocks, c.frames, c.ticks, wl_now_ms() - start,
	       wl_cpu_ms());
	return 0;
}
