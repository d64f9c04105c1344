/*
 * loopcfi [-t THREADS] [-d SECONDS]: THREADS threads (default 2) spin in
 * libloopcfi.so's loopcfi_spin(), whose CFI is a looping DWARF expression,
 * for SECONDS (default 10); main sleeps meanwhile. Prints "spinning" once
 * every thread runs, and "done" at the end.
 */
#include "config.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

#include "tests/lifecycle/loopcfi.h"

static volatile int loopcfi_stop;

static void *
loopcfi_thread(void *arg)
{
	(void)arg;
	loopcfi_spin(&loopcfi_stop);
	return NULL;
}

int
main(int argc, char **argv)
{
	pthread_t t[64];
	struct timespec ts;
	double seconds = 10;
	int n = 2, opt;

	while ((opt = getopt(argc, argv, "t:d:")) != -1) {
		if (opt == 't')
			n = atoi(optarg);
		else if (opt == 'd')
			seconds = atof(optarg);
		else
			return 2;
	}
	if (n < 1 || n > 64)
		return 2;
	for (int i = 0; i < n; i++)
		if (pthread_create(&t[i], NULL, loopcfi_thread, NULL) != 0)
			return 1;
	printf("spinning\n");
	fflush(stdout);
	ts.tv_sec = (time_t)seconds;
	ts.tv_nsec = (long)((seconds - (double)ts.tv_sec) * 1e9);
	while (nanosleep(&ts, &ts) != 0)
		continue;
	loopcfi_stop = 1;
	for (int i = 0; i < n; i++)
		pthread_join(t[i], NULL);
	printf("done\n");
	return 0;
}
