#include "config.h"

#include "http/addr.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netdb.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "common/xmalloc.h"

int
addr_parse(const char *spec, char *host, size_t hostlen, char *port,
	   size_t portlen, char **cause)
{
	const char *colon = strrchr(spec, ':'), *p, *h = spec;
	size_t hl;
	long v = 0;

	if (spec[0] == '[') { /* [IPv6]:PORT */
		const char *close = strchr(spec, ']');

		if (close == NULL || close[1] != ':') {
			*cause = xasprintf("invalid --http address '%s': "
					   "write [IPv6]:PORT",
					   spec);
			return -1;
		}
		h = spec + 1;
		hl = (size_t)(close - h);
		colon = close + 1;
	} else if (colon != NULL) {
		hl = (size_t)(colon - spec);
		if (memchr(spec, ':', hl) != NULL) {
			*cause = xasprintf("invalid --http address '%s': "
					   "write an IPv6 host in brackets, "
					   "[::1]:PORT",
					   spec);
			return -1;
		}
	} else {
		h = "127.0.0.1";
		hl = strlen(h);
	}
	if (colon != NULL && hl == 0) {
		*cause = xasprintf("invalid --http address '%s': an empty host "
				   "would mean every interface; give only "
				   "the port (127.0.0.1) or spell the host "
				   "out (0.0.0.0:PORT)",
				   spec);
		return -1;
	}
	p = colon != NULL ? colon + 1 : spec;
	if (*p == '\0' || strlen(p) > 5 || strspn(p, "0123456789") != strlen(p))
		goto bad_port;
	v = strtol(p, NULL, 10);
	if (v > 65535)
		goto bad_port;
	if (hl + 1 > hostlen || strlen(p) + 1 > portlen) {
		*cause = xasprintf("invalid --http address '%s': too long",
				   spec);
		return -1;
	}
	memcpy(host, h, hl);
	host[hl] = '\0';
	snprintf(port, portlen, "%ld", v);
	return 0;
bad_port:
	*cause =
		xasprintf("invalid --http port in '%s': want 0 to 65535", spec);
	return -1;
}

static bool
addr_is_loopback(const struct sockaddr *sa)
{
	if (sa->sa_family == AF_INET)
		return (ntohl(((const struct sockaddr_in *)(const void *)sa)
				      ->sin_addr.s_addr) >>
			24) == 127;
	if (sa->sa_family == AF_INET6) {
		const struct in6_addr *a =
			&((const struct sockaddr_in6 *)(const void *)sa)
				 ->sin6_addr;

		return IN6_IS_ADDR_LOOPBACK(a) ||
		       (IN6_IS_ADDR_V4MAPPED(a) && a->s6_addr[12] == 127);
	}
	return false;
}

/* "http://HOST:PORT" of the socket's bound address; caller frees. */
static char *
addr_url(int fd)
{
	struct sockaddr_storage ss;
	socklen_t len = sizeof(ss);
	char host[NI_MAXHOST], serv[NI_MAXSERV];

	if (getsockname(fd, (struct sockaddr *)&ss, &len) != 0 ||
	    getnameinfo((struct sockaddr *)&ss, len, host, sizeof(host), serv,
			sizeof(serv), NI_NUMERICHOST | NI_NUMERICSERV) != 0)
		return xstrdup("http://?");
	return ss.ss_family == AF_INET6
		       ? xasprintf("http://[%s]:%s", host, serv)
		       : xasprintf("http://%s:%s", host, serv);
}

int
addr_listen(const char *spec, char **url, bool *loopback, char **cause)
{
	struct addrinfo hints = {.ai_flags = AI_PASSIVE | AI_NUMERICSERV,
				 .ai_family = AF_UNSPEC,
				 .ai_socktype = SOCK_STREAM};
	struct addrinfo *res, *ai;
	char host[256], port[8];
	int fd = -1, err = 0, rc, one = 1;

	if (addr_parse(spec, host, sizeof(host), port, sizeof(port), cause) !=
	    0)
		return -1;
	rc = getaddrinfo(host, port, &hints, &res);
	if (rc != 0) {
		*cause = xasprintf("--http %s: %s", spec, gai_strerror(rc));
		return -1;
	}
	for (ai = res; ai != NULL; ai = ai->ai_next) {
		fd = socket(ai->ai_family, ai->ai_socktype | SOCK_CLOEXEC,
			    ai->ai_protocol);
		if (fd < 0) {
			err = errno;
			continue;
		}
		setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
		if (bind(fd, ai->ai_addr, ai->ai_addrlen) == 0 &&
		    listen(fd, 64) == 0) {
			*loopback = addr_is_loopback(ai->ai_addr);
			break;
		}
		err = errno;
		close(fd);
		fd = -1;
	}
	freeaddrinfo(res);
	if (fd < 0) {
		*cause = xasprintf("--http %s: cannot listen: %s", spec,
				   strerror(err));
		return -1;
	}
	*url = addr_url(fd);
	return fd;
}
