#ifndef CPT_TESTS_WORKLOADS_DEMO_H
#define CPT_TESTS_WORKLOADS_DEMO_H

/*
 * The demo workload's hot functions, one file each so a profile of it
 * spans several source files. All are pure CPU and safe in any thread.
 */
#include <stddef.h>
#include <stdint.h>

/* Counts the words, numbers and symbols in text[0..len). */
unsigned long parse_tokens(const char *text, size_t len);

/* Bitwise CRC-32 (IEEE) of buf[0..len), continuing from crc. */
uint32_t crc_block(uint32_t crc, const unsigned char *buf, size_t len);

/*
 * Renders row y (0..size) of a Mandelbrot tile at (x0, y0) of the given
 * size into out[0..size); returns the sum of the iteration counts.
 */
unsigned long render_row(unsigned char *out, int x0, int y0, int y, int size);

#endif
