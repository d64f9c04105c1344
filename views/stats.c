#include "config.h"

#include "views/stats.h"

void
stats_write(FILE *out, const struct profile_snapshot *s, double elapsed,
	    double cpu, long rss_kb)
{
	fprintf(out,
		"cproftop: stats samples=%llu stops=%llu ticks=%llu "
		"late_ticks=%llu threads=%u unwind_errors=%llu "
		"fallback_stacks=%llu debuginfod_pending=%u "
		"debuginfod_failed=%u stack_copy_short=%llu "
		"stop_p50_us=%.1f stop_p99_us=%.1f cpu_pct=%.1f "
		"rss_kb=%ld tables_kb=%llu seconds=%.2f backend=%s lost=%llu "
		"blocked_reads=%llu blocked_truncated=%llu "
		"regs_truncated=%llu restarted_calls=%llu walks=%llu "
		"clock_checks=%llu searches=%llu wall=%s\n",
		(unsigned long long)s->samples, (unsigned long long)s->stops,
		(unsigned long long)s->ticks, (unsigned long long)s->late_ticks,
		s->nthreads, (unsigned long long)s->unwind_errors,
		(unsigned long long)s->fallback_stacks, s->debuginfod_pending,
		s->debuginfod_failed, (unsigned long long)s->copy_short_stacks,
		(double)s->stop_ns_p50 / 1e3, (double)s->stop_ns_p99 / 1e3,
		elapsed > 0 ? 100 * cpu / elapsed : 0, rss_kb,
		(unsigned long long)s->memory_bytes / 1024, elapsed,
		s->backend ? s->backend : "?", (unsigned long long)s->lost,
		(unsigned long long)s->blocked_reads,
		(unsigned long long)s->blocked_truncated,
		(unsigned long long)s->regs_truncated,
		(unsigned long long)s->restarted_calls,
		(unsigned long long)s->walks,
		(unsigned long long)s->clock_checks,
		(unsigned long long)s->searches,
		s->wall_source ? s->wall_source : "none");
	fprintf(out, "cproftop: backend %s (%s)%s%s\n",
		s->backend ? s->backend : "?",
		s->backend_why ? s->backend_why : "", s->offcpu_why ? "; " : "",
		s->offcpu_why ? s->offcpu_why : "");
}
