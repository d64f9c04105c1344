#include "config.h"

#include "perf/ring.h"

#include <errno.h>
#include <stdlib.h>
#include <linux/perf_event.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "common/xmalloc.h"

int
perf_ring_map(struct perf_ring *r, int fd, size_t data_pages)
{
	size_t page = (size_t)sysconf(_SC_PAGESIZE);
	struct perf_event_mmap_page *meta;
	void *p;

	memset(r, 0, sizeof(*r));
	if (data_pages == 0 || (data_pages & (data_pages - 1)) != 0) {
		errno = EINVAL;
		return -1;
	}
	p = mmap(NULL, (data_pages + 1) * page, PROT_READ | PROT_WRITE,
		 MAP_SHARED, fd, 0);
	if (p == MAP_FAILED)
		return -1;
	meta = p;
	r->base = p;
	r->map_len = (data_pages + 1) * page;
	/* data_offset/data_size exist since Linux 4.1; before, page 1 on. */
	r->data = (const uint8_t *)p +
		  (meta->data_offset ? meta->data_offset : page);
	r->data_size = meta->data_size ? meta->data_size : data_pages * page;
	r->scratch = xmalloc(r->data_size);
	return 0;
}

void
perf_ring_unmap(struct perf_ring *r)
{
	if (r->base != NULL)
		munmap(r->base, r->map_len);
	free(r->scratch);
	memset(r, 0, sizeof(*r));
}

uint64_t
perf_ring_drain_mem(void *meta_p, const uint8_t *data, uint64_t data_size,
		    uint8_t *scratch, uint64_t max_bytes, uint64_t *bad,
		    perf_ring_fn fn, void *arg)
{
	struct perf_event_mmap_page *meta = meta_p;
	uint64_t head = __atomic_load_n(&meta->data_head, __ATOMIC_ACQUIRE);
	uint64_t tail = meta->data_tail, start = tail;

	if (head - tail > data_size) { /* cannot be: the kernel stops */
		(*bad)++;
		tail = head;
	}
	while (tail < head && tail - start < max_bytes) {
		uint64_t at = tail & (data_size - 1);
		struct perf_event_header h;
		const uint8_t *rec;

		/* Headers are 8-aligned and never wrap; check anyway. */
		if (data_size - at < sizeof(h)) {
			(*bad)++;
			tail = head;
			break;
		}
		memcpy(&h, data + at, sizeof(h));
		if (h.size < sizeof(h) || h.size > head - tail) {
			(*bad)++;
			tail = head;
			break;
		}
		if (at + h.size <= data_size) {
			rec = data + at;
		} else {
			uint64_t first = data_size - at;

			memcpy(scratch, data + at, first);
			memcpy(scratch + first, data, h.size - first);
			rec = scratch;
		}
		fn(rec, h.size, arg);
		tail += h.size;
	}
	__atomic_store_n(&meta->data_tail, tail, __ATOMIC_RELEASE);
	return tail - start;
}

uint64_t
perf_ring_drain(struct perf_ring *r, uint64_t max_bytes, perf_ring_fn fn,
		void *arg)
{
	if (r->base == NULL)
		return 0;
	return perf_ring_drain_mem(r->base, r->data, r->data_size, r->scratch,
				   max_bytes, &r->bad, fn, arg);
}
