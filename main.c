#include "config.h"

#include <stdio.h>

int
main(void)
{
	puts("cproftop: not yet");
	return 1;
}
