#ifndef CPT_HTTP_ADDR_H
#define CPT_HTTP_ADDR_H

/*
 * --http [HOST:]PORT: parsing, binding and naming the listening socket.
 * HOST defaults to 127.0.0.1; an IPv6 HOST is written in brackets
 * ([::1]:6060); PORT 0 picks a free port.
 */

#include <stdbool.h>
#include <stddef.h>

/*
 * Splits spec into host (127.0.0.1 when absent) and port (decimal, 0 to
 * 65535). Returns 0, or -1 with *cause set (caller frees) for an empty or
 * over-long host, ":PORT" (Go's "every interface", which must be spelled
 * out here), a bad port or stray characters. Pure; any thread.
 */
int addr_parse(const char *spec, char *host, size_t hostlen, char *port,
	       size_t portlen, char **cause);

/*
 * Resolves spec (addr_parse) and returns a listening TCP socket bound to
 * the first address that works (close-on-exec, SO_REUSEADDR), with *url
 * set to "http://HOST:PORT" of the bound address (numeric, the real port
 * for port 0; caller frees) and *loopback telling whether only this
 * machine can reach it. Returns -1 with *cause set (caller frees) when the
 * spec is bad, the host does not resolve or no address can be bound
 * (EADDRINUSE, EACCES...). Main thread, before other threads start.
 */
int addr_listen(const char *spec, char **url, bool *loopback, char **cause);

#endif
