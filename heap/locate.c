/*
 * heap/locate.c: where libcproftop-heap.so is (source.h,
 * heap_source_library). CPT_HEAP_PKGLIBDIR comes from heap/local.mk.
 */
#include "config.h"

#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common/xmalloc.h"
#include "heap/source.h"

#define LOCATE_NAME "libcproftop-heap.so"

/* heap/LOCATE_NAME beside the running executable (a build tree), or NULL. */
static char *
locate_beside_exe(void)
{
	char exe[PATH_MAX];
	ssize_t n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	char *slash, *path;

	if (n <= 0)
		return NULL;
	exe[n] = '\0';
	slash = strrchr(exe, '/');
	if (slash == NULL)
		return NULL;
	*slash = '\0';
	path = xasprintf("%s/heap/%s", exe, LOCATE_NAME);
	if (access(path, R_OK) == 0)
		return path;
	free(path);
	return NULL;
}

char *
heap_source_library(char **cause)
{
	const char *env = getenv(HEAP_ENV_LIB);
	char *path;

	if (env != NULL && *env != '\0')
		path = xstrdup(env);
	else if ((path = locate_beside_exe()) == NULL)
		path = xstrdup(CPT_HEAP_PKGLIBDIR "/" LOCATE_NAME);
	if (access(path, R_OK) != 0) {
		*cause = xasprintf("--heap: cannot read the heap library %s: "
				   "%s (set " HEAP_ENV_LIB ")",
				   path, strerror(errno));
		free(path);
		return NULL;
	}
	if (path[0] != '/' || strpbrk(path, " :") != NULL) {
		*cause = xasprintf("--heap: the heap library's path %s cannot "
				   "go in LD_PRELOAD (absolute, without "
				   "spaces or colons)",
				   path);
		free(path);
		return NULL;
	}
	return path;
}
