/*
 * base/map.c: a small open-addressing map from 64-bit keys to borrowed strings.
 *
 * Format walkers use it to remember what they have seen by inode number, inode reference or
 * header offset (hard links: the first path of an inode; directories already entered: loop
 * detection). Keys are stored plus one so that 0 marks an empty slot and every key is
 * allowed; the table doubles at half full; values are not owned (they live in the job's
 * arena). Growth is bounded by the callers' own limits (file counts), and a failed growth
 * leaves the map as it was.
 * Rejected: a copy per format (three existed, one per walker, differing only in key width).
 */
#include <stdlib.h>
#include <string.h>

#include "base/base.h"

static size_t
map_slot(const vouch_map *m, uint64_t k)
{
	uint64_t h = k;

	h ^= h >> 33;
	h *= 0xff51afd7ed558ccdULL;
	h ^= h >> 33;
	size_t i = (size_t)h & (m->cap - 1);
	while (m->keys[i] != 0 && m->keys[i] != k + 1) {
		i = (i + 1) & (m->cap - 1);
	}
	return i;
}

const char *
vouch_map_get(const vouch_map *m, uint64_t k, bool *found)
{
	bool f = false;
	const char *v = NULL;

	if (m->cap > 0) {
		size_t i = map_slot(m, k);
		f = m->keys[i] != 0;
		v = f ? m->vals[i] : NULL;
	}
	if (found != NULL) {
		*found = f;
	}
	return v;
}

int
vouch_map_put(vouch_map *m, uint64_t k, const char *v)
{
	if ((m->n + 1) * 2 > m->cap) {
		vouch_map old = *m;
		size_t ncap = old.cap ? old.cap * 2 : 64;
		m->keys = calloc(ncap, sizeof(*m->keys));
		m->vals = calloc(ncap, sizeof(*m->vals));
		if (m->keys == NULL || m->vals == NULL) {
			free(m->keys);
			free(m->vals);
			*m = old;
			return VOUCH_E_NOMEM;
		}
		m->cap = ncap;
		m->n = 0;
		for (size_t i = 0; i < old.cap; i++) {
			if (old.keys[i] != 0) {
				size_t s = map_slot(m, old.keys[i] - 1);
				m->keys[s] = old.keys[i];
				m->vals[s] = old.vals[i];
				m->n++;
			}
		}
		free(old.keys);
		free(old.vals);
	}
	size_t i = map_slot(m, k);
	if (m->keys[i] == 0) {
		m->n++;
	}
	m->keys[i] = k + 1;
	m->vals[i] = v;
	return VOUCH_OK;
}

void
vouch_map_free(vouch_map *m)
{
	free(m->keys);
	free(m->vals);
	memset(m, 0, sizeof(*m));
}
