#include "config.h"

#include "common/log.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "common/escape.h"
#include "common/exitcodes.h"

static FILE *log_file;
static void (*fatal_cleanup)(void);
/* Another thread's fatal error for the main thread: the pipe says one is
   there, the first poster's message wins. */
static int fatal_pipe[2] = {-1, -1};
static atomic_flag fatal_claimed = ATOMIC_FLAG_INIT;
static atomic_bool fatal_ready;
static char fatal_text[1024];

void
log_open(void)
{
	const char *path = getenv("CPROFTOP_LOG");

	if (fatal_pipe[0] < 0 && pipe2(fatal_pipe, O_CLOEXEC | O_NONBLOCK) != 0)
		fatal_pipe[0] = fatal_pipe[1] = -1;

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

int
fatal_fd(void)
{
	return fatal_pipe[0];
}

void
fatal_exit_posted(void)
{
	if (!atomic_load(&fatal_ready))
		return;
	if (fatal_cleanup != NULL)
		fatal_cleanup();
	fputs("cproftop: ", stderr);
	escape_fputs(fatal_text, stderr);
	fputc('\n', stderr);
	fflush(stdout);
	_exit(CPT_EXIT_ERROR);
}

/* A fatal error outside the main thread: hand it over, block forever. */
static void __attribute__((noreturn))
fatal_post(int err, const char *fmt, va_list ap)
{
	char c = 0;
	int n;

	if (!atomic_flag_test_and_set(&fatal_claimed)) {
		n = vsnprintf(fatal_text, sizeof(fatal_text), fmt, ap);
		if (err != 0 && n >= 0 && (size_t)n < sizeof(fatal_text))
			snprintf(fatal_text + n, sizeof(fatal_text) - (size_t)n,
				 ": %s", strerror(err));
		atomic_store(&fatal_ready, true);
		if (write(fatal_pipe[1], &c, 1) < 0) {
			/* the main thread polls fatal_ready's pipe anyway */
		}
	}
	for (;;)
		pause();
}

static void __attribute__((noreturn))
fatal_vexit(int err, const char *fmt, va_list ap)
{
	bool main_thread = gettid() == getpid();
	char msg[2048];

	if (!main_thread && fatal_pipe[1] >= 0)
		fatal_post(err, fmt, ap);
	if (main_thread && fatal_cleanup != NULL)
		fatal_cleanup();
	vsnprintf(msg, sizeof(msg), fmt, ap);
	fputs("cproftop: ", stderr);
	escape_fputs(msg, stderr);
	if (err != 0)
		fprintf(stderr, ": %s", strerror(err));
	fputc('\n', stderr);
	if (!main_thread)
		_exit(CPT_EXIT_ERROR);
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
