#include "config.h"

#include "sampler/ehframe.h"

#include <string.h>

/* DW_EH_PE_datarel | DW_EH_PE_sdata4 */
#define EHFRAME_TABLE_ENC 0x3b

/*
 * Decodes the unsigned value of a DW_EH_PE_* encoded field at *p (pcrel,
 * datarel etc. not applied: callers need sizes, counts and the raw value).
 * Returns 0, or -1 for an unsupported or omitted (0xff) encoding or a
 * field past end.
 */
static int
ehframe_value(const uint8_t **p, const uint8_t *end, uint8_t enc, uint64_t *val)
{
	size_t size;
	uint32_t v32;

	if (enc == 0xff)
		return -1;
	switch (enc & 0x0f) {
	case 0x00: /* absptr */
	case 0x04: /* udata8 */
	case 0x0c: /* sdata8 */
		size = 8;
		break;
	case 0x03: /* udata4 */
	case 0x0b: /* sdata4 */
		size = 4;
		break;
	default:
		return -1;
	}
	if ((size_t)(end - *p) < size)
		return -1;
	if (size == 4) {
		memcpy(&v32, *p, 4);
		*val = v32;
	} else {
		memcpy(val, *p, 8);
	}
	*p += size;
	return 0;
}

int
ehframe_hdr_parse(const uint8_t *buf, size_t len, struct ehframe_hdr *out)
{
	const uint8_t *p = buf + 4, *end = buf + len;

	if (buf == NULL || len < 4 || buf[0] != 1 ||
	    buf[3] != EHFRAME_TABLE_ENC ||
	    ehframe_value(&p, end, buf[1], &out->eh_frame_ptr) < 0 ||
	    ehframe_value(&p, end, buf[2], &out->count) < 0)
		return -1;
	out->table_off = (size_t)(p - buf);
	return 0;
}

int
ehframe_table_fits(const struct ehframe_hdr *h, size_t len)
{
	return h->table_off <= len &&
	       (len - h->table_off) / EHFRAME_ENTRY >= h->count;
}

uint64_t
ehframe_table_loc(const uint8_t *table, uint64_t base, size_t i)
{
	int32_t rel;

	memcpy(&rel, table + EHFRAME_ENTRY * i, 4);
	return base + (uint64_t)(int64_t)rel;
}

long
ehframe_table_find(const uint8_t *table, size_t n, uint64_t base, uint64_t addr)
{
	size_t lo = 0, hi = n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (ehframe_table_loc(table, base, mid) <= addr)
			lo = mid + 1;
		else
			hi = mid;
	}
	return (long)lo - 1;
}
