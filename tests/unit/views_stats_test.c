/* views/stats.c, --stats' lines: every figure under its key, cproftop's
   CPU as a share of the run, and a snapshot without a backend named. */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tests/tap.h"
#include "views/stats.h"

static char *
stats(const struct profile_snapshot *s, double elapsed, double cpu, long rss_kb)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *fp = open_memstream(&buf, &len);

	stats_write(fp, s, elapsed, cpu, rss_kb);
	fclose(fp);
	return buf;
}

int
main(void)
{
	struct profile_snapshot s;
	char *out;

	memset(&s, 0, sizeof(s));
	s.samples = 1234;
	s.stops = 56;
	s.ticks = 78;
	s.late_ticks = 2;
	s.nthreads = 3;
	s.unwind_errors = 4;
	s.fallback_stacks = 5;
	s.debuginfod_pending = 6;
	s.debuginfod_failed = 7;
	s.copy_short_stacks = 8;
	s.stop_ns_p50 = 12300;
	s.stop_ns_p99 = 456700;
	s.memory_bytes = 10 * 1024;
	s.backend = "ptrace";
	s.backend_why = "asked for";
	s.lost = 9;
	s.blocked_reads = 10;
	s.blocked_truncated = 11;
	s.regs_truncated = 12;
	s.restarted_calls = 13;
	s.walks = 14;
	s.clock_checks = 15;
	s.searches = 16;
	s.wall_source = "ptrace";
	out = stats(&s, 2.0, 0.5, 4321);
	tap_is_str(out,
		   "cproftop: stats samples=1234 stops=56 ticks=78 "
		   "late_ticks=2 threads=3 unwind_errors=4 fallback_stacks=5 "
		   "debuginfod_pending=6 debuginfod_failed=7 "
		   "stack_copy_short=8 stop_p50_us=12.3 stop_p99_us=456.7 "
		   "cpu_pct=25.0 rss_kb=4321 tables_kb=10 seconds=2.00 "
		   "backend=ptrace lost=9 blocked_reads=10 "
		   "blocked_truncated=11 regs_truncated=12 "
		   "restarted_calls=13 walks=14 clock_checks=15 searches=16 "
		   "wall=ptrace\n"
		   "cproftop: backend ptrace (asked for)\n",
		   "every figure under its key; CPU as a share of the run");
	free(out);

	s.offcpu_why = "perf cannot count off-CPU time";
	out = stats(&s, 0, 0.5, 1);
	tap_ok(strstr(out, " cpu_pct=0.0 ") != NULL,
	       "no elapsed time: no CPU share (no division by zero)");
	tap_ok(strstr(out, "cproftop: backend ptrace (asked for); perf cannot "
			   "count off-CPU time\n") != NULL,
	       "why off-CPU time is not counted, after the backend");
	free(out);

	s.backend = NULL;
	s.backend_why = NULL;
	s.offcpu_why = NULL;
	out = stats(&s, 1, 0, 1);
	tap_ok(strstr(out, " backend=? ") != NULL &&
		       strstr(out, "cproftop: backend ? ()\n") != NULL,
	       "no backend yet: said as ?");
	free(out);
	return tap_done();
}
