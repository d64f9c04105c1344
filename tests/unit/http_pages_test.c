/*
 * http/addr.c and http/pages.c on fixtures: the --http address syntax,
 * query integers, the symbol look-up, the thread dumps and the index with
 * hostile names (control bytes escaped, HTML escaped), then a mutation
 * fuzzer over every parser that reads what a client sends (20,000 inputs
 * each; also under ASan+UBSan): parse or refuse, never crash or overread.
 */
#include "config.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/escape.h"
#include "common/xmalloc.h"
#include "http/addr.h"
#include "http/pages.h"
#include "sampler/heapprof.h"
#include "tests/fuzz.h"
#include "tests/tap.h"
#include "tests/unit/views_fixture.h"

#define FUZZ_ROUNDS 20000

/* Runs f over a memstream; returns the text (caller frees). */
#define CAPTURE(out, call)                                                     \
	do {                                                                   \
		size_t cap_len;                                                \
		FILE *f = open_memstream(&(out), &cap_len);                    \
		call;                                                          \
		fclose(f);                                                     \
	} while (0)

static void
test_addr(void)
{
	static const struct {
		const char *spec, *host, *port;
	} good[] = {
		{"6060", "127.0.0.1", "6060"},
		{"0", "127.0.0.1", "0"},
		{"0.0.0.0:80", "0.0.0.0", "80"},
		{"localhost:6060", "localhost", "6060"},
		{"[::1]:6060", "::1", "6060"},
		{"007", "127.0.0.1", "7"},
	};
	static const char *const bad[] = {
		"",	 ":6060", "abc",	"65536",   "1:2:3", "[::1]6060",
		"host:", "-1",	  "+80",	"[::1]:",  "[]:80", "80 ",
		"[::1",	 "::1",	  "123456:80x", "h:999999"};
	char host[64], port[8], *cause;

	for (size_t i = 0; i < sizeof(good) / sizeof(*good); i++) {
		cause = NULL;
		tap_ok(addr_parse(good[i].spec, host, sizeof(host), port,
				  sizeof(port), &cause) == 0 &&
			       strcmp(host, good[i].host) == 0 &&
			       strcmp(port, good[i].port) == 0,
		       "--http %s -> %s port %s", good[i].spec, good[i].host,
		       good[i].port);
		free(cause);
	}
	for (size_t i = 0; i < sizeof(bad) / sizeof(*bad); i++) {
		cause = NULL;
		tap_ok(addr_parse(bad[i], host, sizeof(host), port,
				  sizeof(port), &cause) == -1 &&
			       cause != NULL,
		       "--http '%s' refused: %s", bad[i], cause ? cause : "");
		free(cause);
	}
}

static void
test_int_param(void)
{
	long v = -5;

	tap_ok(pages_int_param(NULL, 30, 1, 3600, &v) == 0 && v == 30,
	       "missing: the default");
	tap_ok(pages_int_param("", 30, 1, 3600, &v) == 0 && v == 30,
	       "empty: the default (as Go)");
	tap_ok(pages_int_param("3600", 30, 1, 3600, &v) == 0 && v == 3600,
	       "the maximum");
	tap_ok(pages_int_param("1", 30, 1, 3600, &v) == 0 && v == 1,
	       "the minimum");
	tap_is_int(pages_int_param("3601", 30, 1, 3600, &v), -1, "over");
	tap_is_int(pages_int_param("0", 30, 1, 3600, &v), -1, "under");
	tap_is_int(pages_int_param("99999999999999999999999", 30, 1, 3600, &v),
		   -1, "overflow");
	tap_is_int(pages_int_param("-1", 30, 1, 3600, &v), -1, "negative");
	tap_is_int(pages_int_param("+1", 30, 1, 3600, &v), -1, "sign");
	tap_is_int(pages_int_param("1.5", 30, 1, 3600, &v), -1, "fraction");
	tap_is_int(pages_int_param(" 1", 30, 1, 3600, &v), -1, "space");
	tap_is_int(pages_int_param("abc", 30, 1, 3600, &v), -1, "text");
}

static void
test_pages(void)
{
	struct fx x;
	struct profile_snapshot *s;
	char *out = NULL, in[] = "0x403000+0x1+junk+0x404100++0X401000";

	profile_snapshot_unref(fx_standard(&x, "/src/b\x1b]0;x\x07.c"));
	x.threads[0].last_stack = 0;
	x.threads[1].last_stack = 2;
	strcpy(x.threads[1].name, "evil\x1b[2J");
	fx_thread(&x, 102, "idle", 'S');
	x.threads[2].last_stack = PROFILE_NONE;
	fx_thread(&x, 103, "dead", 'Z');
	x.threads[3].alive = false;
	s = fx_snapshot(&x);
	s->cmdline = "./ratio <script>&\"'";

	CAPTURE(out, pages_symbol(f, s, in, strlen(in), 100));
	tap_is_str(out,
		   "num_symbols: 1\n0x403000 hot_a\n0x404100 inl\n"
		   "0x401000 main\n",
		   "symbol: known pcs (innermost function), others dropped");
	free(out);
	CAPTURE(out, pages_symbol(f, s, in, strlen(in), 1));
	tap_is_str(out, "num_symbols: 1\n0x403000 hot_a\n",
		   "symbol: at most max_words words");
	free(out);

	CAPTURE(out, pages_threads(f, s));
	tap_ok(strstr(out, "thread 100 \"ratio\" [running]:\nhot_a()\n\t"
			   "/src/main.c:52 pc=0x403000\nworker()\n") != NULL,
	       "threads: Go's traceback layout");
	tap_ok(strstr(out, "thread 101 \"evil\\x1b[2J\" [sleeping]:\n"
			   "inl(...)\n\t/src/b\\x1b]0;x\\x07.c:20 pc=0x404100\n"
			   "hot_b()\n") != NULL,
	       "threads: inlined frames as f(...), control bytes as \\xNN");
	tap_ok(strstr(out, "thread 102 \"idle\" [sleeping]:\n(not sampled "
			   "yet)\n") != NULL,
	       "threads: a thread without a sample says so");
	tap_ok(strstr(out, "thread 103") == NULL,
	       "threads: dead ones left out");
	tap_ok(strchr(out, '\x1b') == NULL && strchr(out, '\x07') == NULL,
	       "threads: no control byte but newline and tab");
	free(out);

	CAPTURE(out, pages_threads_counts(f, s));
	tap_ok(strncmp(out, "threads profile: total 2\n", 25) == 0 &&
		       strstr(out,
			      "1 @ 0x403000 0x402000 0x401000\n"
			      "#\t0x403000\thot_a\t/src/main.c:52\n") != NULL,
	       "threads?debug=1: Go's legacy text format");
	free(out);

	CAPTURE(out, pages_index(f, s, -1));
	tap_ok(strstr(out, "./ratio &lt;script&gt;&amp;&#34;&#39;") != NULL,
	       "index: the command line HTML-escaped");
	tap_ok(strstr(out, "<tr><td>3</td><td><a href='threads?debug=1'>"
			   "threads</a></td></tr>") != NULL,
	       "index: threads with the live count");
	tap_ok(strstr(out, "heap") == NULL && strstr(out, "allocs") == NULL,
	       "index: no heap profiles without --heap");
	free(out);
	CAPTURE(out, pages_index(f, s, 7));
	tap_ok(strstr(out, "<tr><td>7</td><td><a href='allocs?debug=1'>"
			   "allocs</a></td></tr>") != NULL &&
		       strstr(out, "<tr><td>7</td><td><a href='heap?debug=1'>"
				   "heap</a></td></tr>") != NULL &&
		       strstr(out, "<div class=profile-name>allocs: </div>") !=
			       NULL,
	       "index: --heap lists allocs and heap with their records");
	free(out);

	CAPTURE(out, escape_controls(f, "a\0b\x01", 4, ""));
	tap_is_str(out, "a\0b\\x01", "put: NUL kept when asked");
	free(out);
	profile_snapshot_unref(s);
}

/* heap?debug=1: Go's legacy text heap profile over fx_standard's stacks. */
static void
test_heap(void)
{
	struct fx x;
	struct profile_snapshot *t = fx_standard(&x, "/src/b\x1b.c");
	/* stacks 0 hot_a, 1 hot_b, 2 inl in hot_b; 99 is past the tables */
	struct heapprof_bucket b[] = {
		{1, 64, 5, 5}, {0, 1000, 10, 4}, {2, 16, 3, 0}, {99, 8, 1, 0}};
	struct heapprof_snapshot h = {
		.tables = t, .buckets = b, .nbuckets = 4, .rate = 4096};
	const char *first, *second, *third;
	char *out;

	CAPTURE(out, pages_heap(f, &h, "18 samples\x07"));
	tap_ok(strncmp(out, "heap profile: 9: 6048 [18: 10368] @ heap/8192\n",
		       46) == 0,
	       "heap: Go's header, in use and allocated totals, heap/2xrate");
	first = strstr(out, "\n6: 6000 [10: 10000] @ 0x403000 0x402000 "
			    "0x401000\n#\t0x403000\thot_a\t/src/main.c:52\n");
	second = strstr(out, "\n3: 48 [3: 48] @ 0x404100 0x402000 0x401000\n"
			     "#\t0x404100\tinl\t/src/b\\x1b.c:20\n"
			     "#\t0x404100\thot_b\t/src/b\\x1b.c:13\n");
	third = strstr(out, "\n0: 0 [5: 320] @ 0x404000 ");
	tap_ok(first != NULL && second != NULL && third != NULL &&
		       first < second && second < third,
	       "heap: a record a bucket, most bytes in use first, inlined "
	       "frames a line each, control bytes escaped");
	tap_ok(strstr(out, "[1: 8]") == NULL,
	       "heap: a bucket of no known stack is left out");
	tap_ok(strstr(out, "\n# cproftop heap: 18 samples\\x07\n# rate: one "
			   "sample every 4096 bytes") != NULL,
	       "heap: the counts and the rate as comments");
	free(out);
	profile_snapshot_unref(t);
}

static void
test_fuzz(void)
{
	struct fx x;
	struct profile_snapshot *s = fx_standard(&x, "/src/b.c");
	static const char *const seeds[] = {"0x403000+0x404100", "[::1]:6060",
					    "0.0.0.0:80", "3600", "6060"};
	char buf[256], host[64], port[8], *cause, *out;
	unsigned ok_addr = 0, ok_int = 0;

	for (size_t k = 0; k < sizeof(seeds) / sizeof(*seeds); k++) {
		size_t len = strlen(seeds[k]);

		memcpy(buf, seeds[k], len);
		for (int r = 0; r < FUZZ_ROUNDS; r++) {
			char *z, *raw;
			long v;

			len = fuzz_mutate((uint8_t *)buf, len, sizeof(buf) - 1,
					  "[]:+0x123456789abcdef-.% ");
			if (len == 0) {
				len = strlen(seeds[k]);
				memcpy(buf, seeds[k], len);
			}
			/* Exactly len bytes, so ASan sees any overread. */
			raw = xmalloc(len ? len : 1);
			memcpy(raw, buf, len);
			CAPTURE(out, pages_symbol(f, s, raw, len, 1000));
			free(out);
			free(raw);
			z = xstrndup(buf, len); /* the C-string parsers */
			cause = NULL;
			if (addr_parse(z, host, sizeof(host), port,
				       sizeof(port), &cause) == 0)
				ok_addr += strtol(port, NULL, 10) <= 65535;
			else
				ok_addr += cause != NULL;
			free(cause);
			ok_int += pages_int_param(z, 30, 1, 3600, &v) != 0 ||
				  (v >= 1 && v <= 3600);
			free(z);
		}
	}
	tap_is_int(ok_addr, 5 * FUZZ_ROUNDS,
		   "fuzz: addresses parse to a port or are refused with a "
		   "cause");
	tap_is_int(ok_int, 5 * FUZZ_ROUNDS,
		   "fuzz: integers parse in range or are refused");
	profile_snapshot_unref(s);
}

int
main(void)
{
	test_addr();
	test_int_param();
	test_pages();
	test_heap();
	test_fuzz();
	return tap_done();
}
