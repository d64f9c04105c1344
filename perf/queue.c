#include "config.h"

#include "perf/queue.h"

#include <linux/perf_event.h>
#include <stdlib.h>
#include <string.h>

#include "common/xmalloc.h"

#define QUEUE_FIRST (256 * 1024)

void
perf_queue_init(struct perf_queue *q, const struct perf_layout *layout,
		size_t max_bytes)
{
	memset(q, 0, sizeof(*q));
	pthread_mutex_init(&q->mu, NULL);
	q->layout = layout;
	q->max_bytes = max_bytes;
}

void
perf_queue_free(struct perf_queue *q)
{
	free(q->fill.buf);
	free(q->take.buf);
	pthread_mutex_destroy(&q->mu);
	memset(q, 0, sizeof(*q));
}

/* Room for n more bytes in b, up to max. Returns 0, or -1. */
static int
queue_room(struct perf_qbuf *b, size_t n, size_t max)
{
	size_t cap = b->cap ? b->cap : QUEUE_FIRST;

	if (b->len + n <= b->cap)
		return 0;
	if (b->len + n > max)
		return -1;
	while (cap < b->len + n)
		cap *= 2;
	if (cap > max)
		cap = max;
	b->buf = xreallocarray(b->buf, cap, 1);
	b->cap = cap;
	return 0;
}

/*
 * The length of rec once its user stack is trimmed to dyn_size (rounded up
 * to 8), and where the stack's size field is (*at); len when nothing is
 * trimmed.
 */
static size_t
queue_trimmed(const struct perf_layout *layout, const uint8_t *rec, size_t len,
	      size_t *at, uint64_t *keep)
{
	struct perf_record r;
	size_t size_at;
	uint64_t size;

	if (len < sizeof(struct perf_event_header) ||
	    ((const struct perf_event_header *)(const void *)rec)->type !=
		    PERF_RECORD_SAMPLE ||
	    perf_record_parse(layout, rec, len, &r) < 0 || r.stack == NULL)
		return len;
	size_at = (size_t)(r.stack - rec) - sizeof(uint64_t);
	memcpy(&size, rec + size_at, sizeof(size));
	*keep = (r.stack_len + 7) & ~7ULL;
	if (*keep >= size)
		return len;
	*at = size_at;
	return len - (size_t)(size - *keep);
}

int
perf_queue_push(struct perf_queue *q, const uint8_t *rec, size_t len)
{
	size_t at = 0, n;
	uint64_t keep = 0, size;
	struct perf_event_header h;
	uint8_t *dst;
	int rc = 0;

	n = len < sizeof(h) ? 0
			    : queue_trimmed(q->layout, rec, len, &at, &keep);
	pthread_mutex_lock(&q->mu);
	if (n < sizeof(h) || n > UINT16_MAX ||
	    queue_room(&q->fill, n, q->max_bytes) != 0) {
		q->dropped++;
		rc = -1;
		goto out;
	}
	dst = q->fill.buf + q->fill.len;
	if (n == len) {
		memcpy(dst, rec, len);
	} else {
		/* header .. size field, size, stack[keep], the rest. */
		memcpy(&size, rec + at, sizeof(size));
		memcpy(dst, rec, at);
		memcpy(dst + at, &keep, sizeof(keep));
		memcpy(dst + at + 8, rec + at + 8, keep);
		memcpy(dst + at + 8 + keep, rec + at + 8 + size,
		       len - (at + 8 + size));
	}
	/* The consumer steps by the header's size: the copy's own. */
	memcpy(&h, dst, sizeof(h));
	h.size = (uint16_t)n;
	memcpy(dst, &h, sizeof(h));
	q->fill.len += n;
	q->bytes_in += n;
out:
	pthread_mutex_unlock(&q->mu);
	return rc;
}

const uint8_t *
perf_queue_next(struct perf_queue *q, size_t *len)
{
	struct perf_event_header h;
	const uint8_t *rec;

	if (q->take.off >= q->take.len) {
		struct perf_qbuf t;

		q->take.len = q->take.off = 0;
		pthread_mutex_lock(&q->mu);
		t = q->fill;
		q->fill = q->take;
		q->take = t;
		q->take_until = q->fill_until;
		pthread_mutex_unlock(&q->mu);
		if (q->take.len == 0)
			return NULL;
	}
	rec = q->take.buf + q->take.off;
	memcpy(&h, rec, sizeof(h));
	*len = h.size;
	q->take.off += h.size;
	return rec;
}

void
perf_queue_mark(struct perf_queue *q, int64_t t_ns)
{
	pthread_mutex_lock(&q->mu);
	q->fill_until = t_ns;
	pthread_mutex_unlock(&q->mu);
}

int64_t
perf_queue_until(const struct perf_queue *q)
{
	return q->take_until;
}

uint64_t
perf_queue_dropped(struct perf_queue *q)
{
	uint64_t n;

	pthread_mutex_lock(&q->mu);
	n = q->dropped;
	pthread_mutex_unlock(&q->mu);
	return n;
}
