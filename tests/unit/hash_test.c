/* common/hash: finds what was added, equality through the caller, growth,
   collisions, clear and free. */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/hash.h"
#include "tests/tap.h"

static char words[5000][16];

static int
word_eq(uint32_t id, const void *key, void *arg)
{
	(void)arg;
	return strcmp(words[id], key) == 0;
}

/* Every item of a hash collides: equality alone tells them apart. */
static int
collide_eq(uint32_t id, const void *key, void *arg)
{
	return id == *(const uint32_t *)key;
}

int
main(void)
{
	struct hash h = {0};
	int bad = 0;

	tap_is_int(hash_find(&h, 1, NULL, NULL, NULL), HASH_NONE,
		   "an empty table finds nothing");
	for (uint32_t i = 0; i < 5000; i++) {
		snprintf(words[i], sizeof(words[i]), "w%u", i);
		if (hash_find(&h, hash_str(words[i]), word_eq, words[i],
			      NULL) != HASH_NONE)
			bad++;
		hash_add(&h, hash_str(words[i]), i);
	}
	tap_is_int(bad, 0, "no word found before it was added");
	for (uint32_t i = 0; i < 5000; i++)
		if (hash_find(&h, hash_str(words[i]), word_eq, words[i],
			      NULL) != i)
			bad++;
	tap_is_int(bad, 0, "5000 strings found after growth");
	tap_is_int(h.n, 5000, "n counts the ids");
	tap_ok(h.cap >= 5000 * 4 / 3 && (h.cap & (h.cap - 1)) == 0,
	       "cap %zu is a power of two at most 3/4 full", h.cap);
	tap_is_int(hash_find(&h, hash_str("absent"), word_eq, "absent", NULL),
		   HASH_NONE, "an absent string");
	tap_is_int(hash_bytes(&h), h.cap * 12, "bytes counted");

	hash_clear(&h);
	tap_is_int(hash_find(&h, hash_str("w1"), word_eq, "w1", NULL),
		   HASH_NONE, "clear empties");
	for (uint32_t i = 0; i < 200; i++)
		hash_add(&h, 42, i);
	for (uint32_t i = 0; i < 200; i++)
		if (hash_find(&h, 42, collide_eq, &i, NULL) != i)
			bad++;
	tap_is_int(bad, 0, "200 ids under one hash told apart by equality");
	tap_is_int(hash_find(&h, 42, NULL, NULL, NULL), 0,
		   "without equality the hash is the key: the first added");
	hash_free(&h);
	tap_ok(h.cap == 0 && h.ids == NULL, "free leaves an empty table");

	/* Packed small integers (thread << 32 | id) as whole keys. */
	for (uint32_t t = 0; t < 64; t++)
		for (uint32_t f = 0; f < 64; f++)
			hash_add(&h, (uint64_t)t << 32 | f, t * 64 + f);
	for (uint32_t t = 0; t < 64; t++)
		for (uint32_t f = 0; f < 64; f++)
			if (hash_find(&h, (uint64_t)t << 32 | f, NULL, NULL,
				      NULL) != t * 64 + f)
				bad++;
	tap_is_int(bad, 0, "4096 packed keys");
	hash_free(&h);

	tap_ok(hash_str(NULL) == hash_str(""), "NULL hashes like \"\"");
	tap_ok(hash_mix(1, 2) != hash_mix(2, 1), "mix is ordered");
	tap_ok(hash_mem("ab", 2, 0) != hash_mem("ab", 2, 1), "seeds differ");
	tap_ok(hash_u64(1) != hash_u64(2), "u64 mixes");
	return tap_done();
}
