#ifndef CPT_COMMON_XMALLOC_H
#define CPT_COMMON_XMALLOC_H

#include <stddef.h>

/*
 * Allocation helpers that never return NULL: on failure they call fatal(),
 * so callers do not check. Any thread. Caller frees with free().
 */
void *xmalloc(size_t size);
void *xcalloc(size_t nmemb, size_t size);
void *xreallocarray(void *ptr, size_t nmemb, size_t size);
char *xstrdup(const char *s);
char *xstrndup(const char *s, size_t n);
/* Like asprintf(3); the result is caller-owned. */
char *xasprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

#endif
