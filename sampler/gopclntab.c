#include "config.h"

#include "sampler/gopclntab.h"

#include <string.h>

/*
 * Layout (Go's runtime/symtab.go and cmd/internal/objfile): a header
 * (magic, two zero pads, pc quantum, pointer size, then pointer-sized
 * words: nfunc, nfiles, [1.18+: textStart], and the offsets of the
 * function-name, CU, file, pc-value and function tables, all relative to
 * the header); the function table has nfunc + 1 (entry, record offset)
 * pairs, sorted, the last one closing the last function; each record
 * (_func) holds the offsets of its pc-value tables. Only 64-bit tables
 * are read.
 */

#define GOPCLNTAB_MAX_STEPS (1U << 20) /* pc-value pairs walked at most */

static uint32_t
gopclntab_u32(const uint8_t *p)
{
	uint32_t v;

	memcpy(&v, p, sizeof(v));
	return v;
}

static uint64_t
gopclntab_u64(const uint8_t *p)
{
	uint64_t v;

	memcpy(&v, p, sizeof(v));
	return v;
}

/* True when [off, off + n) lies inside the table. */
static bool
gopclntab_in(const struct gopclntab *t, uint64_t off, uint64_t n)
{
	return off <= t->len && n <= t->len - off;
}

/*
 * Parses the header: see gopclntab.h. The offsets must lie inside the
 * table and the function table must hold nfunc + 1 entries.
 */
int
gopclntab_parse(const uint8_t *data, size_t len, uint64_t text_vaddr,
		struct gopclntab *t)
{
	uint32_t magic;
	const uint8_t *w;
	uint64_t offs[5], entry_size;

	memset(t, 0, sizeof(*t));
	if (data == NULL || len < 72)
		return -1;
	magic = gopclntab_u32(data);
	if (data[4] != 0 || data[5] != 0 || data[6] != 1 || data[7] != 8)
		return -1;
	switch (magic) {
	case 0xfffffffa:
		t->version = 116;
		break;
	case 0xfffffff0:
		t->version = 118;
		break;
	case 0xfffffff1:
		t->version = 120;
		break;
	default:
		return -1;
	}
	t->data = data;
	t->len = len;
	t->nfunc = gopclntab_u64(data + 8);
	w = data + 24;
	if (t->version >= 118) {
		t->text_start = gopclntab_u64(w);
		if (t->text_start == 0)
			t->text_start = text_vaddr;
		w += 8;
	}
	for (int i = 0; i < 5; i++)
		offs[i] = gopclntab_u64(w + 8 * i);
	for (int i = 0; i < 5; i++)
		if (offs[i] >= len)
			return -1;
	t->funcname = offs[0];
	t->cu = offs[1];
	t->filetab = offs[2];
	t->pctab = offs[3];
	t->functab = offs[4];
	entry_size = t->version >= 118 ? 8 : 16;
	if (t->nfunc == 0 || t->nfunc >= len / entry_size ||
	    !gopclntab_in(t, t->functab, (t->nfunc + 1) * entry_size))
		return -1;
	return 0;
}

/* Entry i of the function table: its pc and its record's offset. */
static void
gopclntab_entry(const struct gopclntab *t, uint64_t i, uint64_t *pc,
		uint64_t *rec)
{
	const uint8_t *p;

	if (t->version >= 118) {
		p = t->data + t->functab + 8 * i;
		*pc = t->text_start + gopclntab_u32(p);
		*rec = gopclntab_u32(p + 4);
	} else {
		p = t->data + t->functab + 16 * i;
		*pc = gopclntab_u64(p);
		*rec = gopclntab_u64(p + 8);
	}
}

/* Binary search of the function table; fills f from the record. */
bool
gopclntab_find(const struct gopclntab *t, uint64_t pc, struct gopclntab_func *f)
{
	uint64_t lo = 0, hi = t->nfunc, entry, end, rec, off;
	const uint8_t *r;
	size_t hdr = t->version >= 118 ? 4 : 8;
	size_t need = hdr + (t->version >= 120 ? 38 : 34); /* to the flag */

	if (t->data == NULL)
		return false;
	gopclntab_entry(t, 0, &entry, &rec);
	gopclntab_entry(t, t->nfunc, &end, &rec);
	if (pc < entry || pc >= end)
		return false;
	while (hi - lo > 1) { /* entry(lo) <= pc < entry(hi) */
		uint64_t mid = lo + (hi - lo) / 2;

		gopclntab_entry(t, mid, &entry, &rec);
		if (entry <= pc)
			lo = mid;
		else
			hi = mid;
	}
	gopclntab_entry(t, lo, &entry, &rec);
	gopclntab_entry(t, lo + 1, &end, &off);
	if (entry > pc || pc >= end)
		return false; /* unsorted table */
	off = t->functab + rec;
	if (rec >= t->len || !gopclntab_in(t, off, need))
		return false;
	r = t->data + off + hdr;
	memset(f, 0, sizeof(*f));
	f->entry = entry;
	f->end = end;
	f->off = off;
	f->nameoff = (int32_t)gopclntab_u32(r);
	f->pcsp = gopclntab_u32(r + 12);
	f->pcfile = gopclntab_u32(r + 16);
	f->pcln = gopclntab_u32(r + 20);
	f->cu_offset = gopclntab_u32(r + 28);
	if (t->version == 118)
		f->flag = r[33];
	else if (t->version >= 120)
		f->flag = r[37];
	return true;
}

/* The NUL-terminated string at off, or NULL when it is not one. */
static const char *
gopclntab_str(const struct gopclntab *t, uint64_t off)
{
	if (off >= t->len || memchr(t->data + off, 0, t->len - off) == NULL)
		return NULL;
	return (const char *)t->data + off;
}

const char *
gopclntab_name(const struct gopclntab *t, const struct gopclntab_func *f)
{
	if (f->nameoff < 0)
		return NULL;
	return gopclntab_str(t, t->funcname + (uint64_t)f->nameoff);
}

/* Reads an unsigned LEB128 varint of at most 32 bits at *p (< end). */
static bool
gopclntab_varint(const uint8_t **p, const uint8_t *end, uint32_t *v)
{
	uint32_t r = 0;

	for (unsigned shift = 0; shift < 35; shift += 7) {
		if (*p >= end)
			return false;
		r |= (uint32_t)(**p & 0x7f) << shift;
		if (!(*(*p)++ & 0x80)) {
			*v = r;
			return true;
		}
	}
	return false;
}

/*
 * The value of pc-value table tab of f at pc (runtime.pcvalue): pairs of
 * a zig-zag value delta and a pc delta, starting from -1 at the entry,
 * ended by a zero value delta. Returns 0, or -1 when pc is past the end or
 * the table is malformed.
 */
static int
gopclntab_value(const struct gopclntab *t, const struct gopclntab_func *f,
		uint32_t tab, uint64_t pc, int32_t *val)
{
	const uint8_t *p, *end = t->data + t->len;
	uint64_t at = f->entry;
	int32_t v = -1;

	if (tab == 0 || t->pctab + (uint64_t)tab >= t->len)
		return -1;
	p = t->data + t->pctab + tab;
	for (unsigned i = 0; i < GOPCLNTAB_MAX_STEPS; i++) {
		uint32_t dv, dpc;

		if (!gopclntab_varint(&p, end, &dv) || (dv == 0 && i > 0))
			return -1;
		v += (int32_t)(-(dv & 1) ^ (dv >> 1));
		if (!gopclntab_varint(&p, end, &dpc))
			return -1;
		at += dpc;
		if (pc < at) {
			*val = v;
			return 0;
		}
		if (at >= f->end)
			return -1;
	}
	return -1;
}

const char *
gopclntab_file_line(const struct gopclntab *t, const struct gopclntab_func *f,
		    uint64_t pc, int *line)
{
	int32_t fileno, ln;
	uint64_t at;
	uint32_t off;

	*line = 0;
	if (gopclntab_value(t, f, f->pcln, pc, &ln) == 0 && ln > 0)
		*line = ln;
	if (gopclntab_value(t, f, f->pcfile, pc, &fileno) < 0 || fileno < 0)
		return NULL;
	at = t->cu + 4 * ((uint64_t)f->cu_offset + (uint64_t)fileno);
	if (!gopclntab_in(t, at, 4))
		return NULL;
	off = gopclntab_u32(t->data + at);
	if (off == UINT32_MAX)
		return NULL;
	return gopclntab_str(t, t->filetab + (uint64_t)off);
}

int
gopclntab_sp_delta(const struct gopclntab *t, const struct gopclntab_func *f,
		   uint64_t pc, int32_t *delta)
{
	if (gopclntab_value(t, f, f->pcsp, pc, delta) < 0 || *delta < 0 ||
	    (*delta & 7) != 0)
		return -1;
	return 0;
}
