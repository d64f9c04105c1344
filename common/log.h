#ifndef CPT_COMMON_LOG_H
#define CPT_COMMON_LOG_H

/*
 * Debug log and fatal errors, after tmux's log.c. The log goes to a file
 * (never to the terminal the UI owns), opened by log_open() when the
 * environment variable CPROFTOP_LOG names one. Any thread.
 */
void log_open(void);
void log_close(void);
void log_debug(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/*
 * Prints "cproftop: <message>" and a newline to stderr, with control bytes
 * and invalid UTF-8 escaped (common/escape.h): messages quote names and
 * paths the target controls. For errors the caller then reports with an
 * exit code. Any thread, but only the main thread while the screen is up.
 */
void log_warn(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/*
 * Registers the function fatal() calls before it prints: the UI restores the
 * terminal there. Only one; NULL clears it. Call from the main thread before
 * other threads start.
 */
void fatal_set_cleanup(void (*fn)(void));

/*
 * Prints "cproftop: <message>: <strerror(errno)>" (fatalx: without errno) to
 * stderr after the cleanup hook, escaped as log_warn() does, and exits with
 * CPT_EXIT_ERROR. The kernel detaches every traced thread when cproftop exits,
 * leaving them running.
 *
 * Only the main thread touches the terminal: in any other thread, once
 * log_open() ran, fatal() posts the message to the main thread (fatal_fd()
 * becomes readable) and blocks that thread forever; the main thread then
 * calls fatal_exit_posted(), which runs the cleanup hook, prints and exits.
 * Before log_open() (or without a main thread that listens) it prints and
 * exits at once, without the cleanup hook.
 */
void fatal(const char *fmt, ...)
	__attribute__((format(printf, 1, 2), noreturn));
void fatalx(const char *fmt, ...)
	__attribute__((format(printf, 1, 2), noreturn));

/*
 * Readable once a thread other than the main one called fatal(): poll it
 * in the main thread's loops. -1 before log_open(). Any thread.
 */
int fatal_fd(void);

/*
 * If a fatal error was posted by another thread: runs the cleanup hook,
 * prints the message and exits with CPT_EXIT_ERROR (_exit: the poster is
 * blocked mid-work, nothing else may run). Returns when none was posted.
 * Main thread only.
 */
void fatal_exit_posted(void);

#endif
