#ifndef CPT_COMMON_SIGPOLL_H
#define CPT_COMMON_SIGPOLL_H

/*
 * The signals cproftop takes itself -- SIGHUP, SIGINT, SIGQUIT, SIGTERM
 * (quit) and SIGTSTP (Ctrl-Z) -- blocked in every thread and let in only
 * while the main thread sleeps in sigpoll_wait(), by ppoll()'s mask, to a
 * handler that notes them. Not a signalfd: a signalfd's pollers are woken
 * by every signal the process gets (the kernel's signalfd_notify), and the
 * tracer gets a SIGCHLD at each stop of a traced thread, ~1000-1700 times
 * a second at -F 1000, all for nothing. Main thread only; one user at a
 * time (the headless wait or the screen).
 */

#include <poll.h>

/*
 * Blocks the signals in the calling thread, and so in every thread it
 * starts afterwards. Call before any thread starts.
 */
void sigpoll_block(void);

/*
 * Sets the signals' handler (the one that notes them), keeping the former
 * actions for sigpoll_release(), and forgets any signal noted before.
 * Signals pending meanwhile come to the handler at the first
 * sigpoll_wait(). A screen library that finds a handler set leaves the
 * signal alone (ncurses would otherwise catch SIGINT, SIGTERM, SIGTSTP).
 */
void sigpoll_catch(void);

/* Restores the actions sigpoll_catch() found. */
void sigpoll_release(void);

/*
 * poll() on fds for up to timeout_ms (-1: no limit) with the signals let
 * in, between sigpoll_catch() and sigpoll_release(). Returns the number of
 * fds with events; 0 on timeout or when only a signal came (then every
 * revents is 0). Either way a signal pending on return has been noted: see
 * sigpoll_take(). fatal() on any other error.
 */
int sigpoll_wait(struct pollfd *fds, nfds_t nfds, int timeout_ms);

/*
 * A signal noted by the handler, cleared, or 0 when none is left: the
 * lowest-numbered first, as a signalfd gives them.
 */
int sigpoll_take(void);

#endif
