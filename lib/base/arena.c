/*
 * base/arena.c: a bump allocator that owns everything derived from one scan.
 *
 * Memory comes in chunks of at least 64 KiB; an allocation never moves; the whole arena is
 * freed at once. Every arena has a byte budget: hostile input that makes us allocate without
 * end hits the budget and gets VOUCH_E_NOMEM instead of exhausting the machine.
 * With VOUCH_PLAIN_MALLOC defined each allocation is its own malloc() block, chained for
 * freeing, so AddressSanitizer can see an overflow from one object into the next.
 * Rejected: a general free-list allocator (objects here die together; reuse adds risk).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/base.h"

#define CHUNK_MIN (64u * 1024u)
#define ALIGN 16u

struct chunk {
	struct chunk *next;
	size_t size, used;
	_Alignas(16) unsigned char data[];
};

struct vouch_arena {
	struct chunk *head;
	uint64_t budget, used;
};

int
vouch_arena_new(vouch_arena **out, uint64_t budget)
{
	vouch_arena *a = calloc(1, sizeof(*a));

	if (a == NULL) {
		return VOUCH_E_NOMEM;
	}
	a->budget = budget;
	*out = a;
	return VOUCH_OK;
}

void
vouch_arena_free(vouch_arena *a)
{
	if (a == NULL) {
		return;
	}
	for (struct chunk *c = a->head, *n; c != NULL; c = n) {
		n = c->next;
		free(c);
	}
	free(a);
}

void *
vouch_arena_alloc(vouch_arena *a, size_t n)
{
	size_t need = (n + ALIGN - 1) & ~(size_t)(ALIGN - 1);
	struct chunk *c = a->head;

	/* need > budget - used, written so that neither side can wrap (used <= budget always) */
	if (need < n || need > a->budget - a->used || need > SIZE_MAX - sizeof(*c)) {
		return NULL;
	}
#ifndef VOUCH_PLAIN_MALLOC
	if (c != NULL && c->size - c->used >= need) {
		void *p = c->data + c->used;
		c->used += need;
		a->used += need;
		return p;
	}
	size_t size = need > CHUNK_MIN ? need : CHUNK_MIN;
#else
	size_t size = need;
#endif
	c = malloc(sizeof(*c) + size);
	if (c == NULL) {
		return NULL;
	}
	memset(c->data, 0, size);
	c->size = size;
	c->used = need;
	a->used += need;
	if (a->head != NULL && size == need && a->head->size - a->head->used > CHUNK_MIN / 4) {
		/* keep the partly used chunk at the head: a large one-off goes behind it */
		c->next = a->head->next;
		a->head->next = c;
	} else {
		c->next = a->head;
		a->head = c;
	}
	return c->data;
}

void *
vouch_arena_memdup(vouch_arena *a, const void *p, size_t n)
{
	void *q = vouch_arena_alloc(a, n ? n : 1);

	if (q != NULL && n > 0) {
		memcpy(q, p, n);
	}
	return q;
}

char *
vouch_arena_strndup(vouch_arena *a, const char *s, size_t n)
{
	char *q;

	if (n == SIZE_MAX) {
		return NULL;
	}
	q = vouch_arena_alloc(a, n + 1);
	if (q != NULL) {
		memcpy(q, s, n);
		q[n] = '\0';
	}
	return q;
}

char *
vouch_arena_printf(vouch_arena *a, const char *fmt, ...)
{
	va_list ap;
	int n;
	char *q;

	va_start(ap, fmt);
	n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (n < 0) {
		return NULL;
	}
	q = vouch_arena_alloc(a, (size_t)n + 1);
	if (q == NULL) {
		return NULL;
	}
	va_start(ap, fmt);
	vsnprintf(q, (size_t)n + 1, fmt, ap);
	va_end(ap);
	return q;
}

uint64_t
vouch_arena_used(const vouch_arena *a)
{
	return a->used;
}
