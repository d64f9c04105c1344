#ifndef CPT_OPTIONS_H
#define CPT_OPTIONS_H

/*
 * cproftop's command line: the getopt table, --help, and the checks of
 * each value and of the options together. Main thread, before any other
 * thread starts.
 */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "http/http.h"
#include "sampler/sampler.h"
#include "views/filter.h"
#include "views/heap.h"

struct heapprof;

struct options {
	struct sampler_options sampler;
	double duration; /* seconds; 0 = until the target ends or a signal */
	const char *output;
	int top; /* rows for --top; 0 = no table */
	bool dump, wall, headless, stats;
	const char *script;
	const char *base;	  /* --base: the live screen's diff base */
	unsigned refresh, window; /* --refresh, --window (live screen) */
	const char **source_paths;
	size_t nsource_paths;
	struct filter filter;	  /* --top: mode, focus and hide */
	struct http_options http; /* --http: listen NULL when off */
	bool heap;		  /* --heap: a heap profile (spawn mode) */
	enum heap_view heap_view; /* --heap=VIEW: --top's view */
	uint64_t heap_rate;	  /* --heap-rate: bytes between samples */
	bool heap_follow;	  /* --heap with --follow given: the programs
				     the command executes load the library */
	struct heapprof *heapprof;
};

/*
 * Parses argv into o, which holds zeros, an initialised filter and the
 * default heap view. Returns -1 to go on, or the exit code to end with:
 * CPT_EXIT_OK after --help or --version (printed on stdout),
 * CPT_EXIT_USAGE for a bad option or combination (said on stderr). o
 * borrows argv's strings; o->source_paths is the caller's to free.
 */
int options_parse(int argc, char **argv, struct options *o);

#endif
