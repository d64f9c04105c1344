#include "config.h"

#include "common/log.h"

#include <errno.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "common/escape.h"
#include "common/exitcodes.h"

static FILE *log_file;
static void (*fatal_cleanup)(void);

void
log_open(void)
{
	const char *path = getenv("CPROFTOP_LOG");

	if (path == NULL || *path == '\0' || log_file != NULL)
		return;
	log_file = fopen(path, "a");
	if (log_file != NULL)
		setvbuf(log_file, NULL, _IOLBF, 0);
}

void
log_close(void)
{
	if (log_file != NULL)
		fclose(log_file);
	log_file = NULL;
}

void
log_debug(const char *fmt, ...)
{
	struct timespec ts;
	va_list ap;

	if (log_file == NULL)
		return;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	flockfile(log_file);
	fprintf(log_file, "%ld.%06ld ", (long)ts.tv_sec, ts.tv_nsec / 1000);
	va_start(ap, fmt);
	vfprintf(log_file, fmt, ap);
	va_end(ap);
	fputc('\n', log_file);
	funlockfile(log_file);
}

void
log_warn(const char *fmt, ...)
{
	char msg[2048];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	flockfile(stderr);
	fputs("cproftop: ", stderr);
	escape_fputs(msg, stderr);
	fputc('\n', stderr);
	funlockfile(stderr);
}

void
fatal_set_cleanup(void (*fn)(void))
{
	fatal_cleanup = fn;
}

static void __attribute__((noreturn))
fatal_vexit(int err, const char *fmt, va_list ap)
{
	char msg[2048];

	if (fatal_cleanup != NULL)
		fatal_cleanup();
	vsnprintf(msg, sizeof(msg), fmt, ap);
	fputs("cproftop: ", stderr);
	escape_fputs(msg, stderr);
	if (err != 0)
		fprintf(stderr, ": %s", strerror(err));
	fputc('\n', stderr);
	exit(CPT_EXIT_ERROR);
}

void
fatal(const char *fmt, ...)
{
	int err = errno;
	va_list ap;

	va_start(ap, fmt);
	fatal_vexit(err, fmt, ap);
}

void
fatalx(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	fatal_vexit(0, fmt, ap);
}
