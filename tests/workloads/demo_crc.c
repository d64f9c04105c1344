/* The demo's checksum: see demo.h. */
#include "config.h"

#include "tests/workloads/demo.h"

uint32_t
crc_block(uint32_t crc, const unsigned char *buf, size_t len)
{
	crc = ~crc;
	for (size_t i = 0; i < len; i++) {
		crc ^= buf[i];
		for (int k = 0; k < 8; k++)
			crc = (crc >> 1) ^ (0xedb88320u & -(crc & 1));
	}
	return ~crc;
}
