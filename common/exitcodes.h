#ifndef CPT_COMMON_EXITCODES_H
#define CPT_COMMON_EXITCODES_H

/*
 * cproftop's exit codes (documented in README.md). In spawn mode a command
 * that ran reports its own status instead: its exit code, or 128 + signal.
 */
enum cpt_exit {
	CPT_EXIT_OK = 0,
	CPT_EXIT_ERROR = 1,	 /* internal or unexpected runtime error */
	CPT_EXIT_USAGE = 2,	 /* bad command line */
	CPT_EXIT_NOPROC = 3,	 /* no such process */
	CPT_EXIT_PERM = 4,	 /* not permitted to trace */
	CPT_EXIT_TRACED = 5,	 /* already traced by another process */
	CPT_EXIT_BADTARGET = 6,	 /* zombie, kernel thread, or cproftop itself */
	CPT_EXIT_OUTPUT = 7,	 /* could not write the output file */
	CPT_EXIT_HTTP = 8,	 /* --http: could not listen or serve */
	CPT_EXIT_NOTFOUND = 127, /* spawn mode: command not found */
};

#endif
