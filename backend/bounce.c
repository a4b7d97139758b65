/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Bounce-buffer cache (backend/bounce.h): a short array of free buffers,
 * searched for the smallest that fits. Eight entries make a linear scan
 * cheaper than any structure.
 */
#include "backend/bounce.h"

#include <stdlib.h>

void bs_bounce_init(struct bs_bounce_cache *c, size_t align)
{
	/* posix_memalign wants at least a pointer's alignment. */
	c->align = align < sizeof(void *) ? sizeof(void *) : align;
	c->n = 0;
	c->allocs = 0;
}

/* Index of the smallest cached buffer of at least @len bytes, or -1. */
static int best_fit(const struct bs_bounce_cache *c, size_t len)
{
	int best = -1;

	for (unsigned i = 0; i < c->n; i++) {
		if (c->cap[i] >= len && (best < 0 || c->cap[i] < c->cap[best]))
			best = (int)i;
	}
	return best;
}

/* @len rounded up to BS_BOUNCE_ROUND and to the alignment. */
static size_t round_len(const struct bs_bounce_cache *c, size_t len)
{
	size_t unit = c->align > BS_BOUNCE_ROUND ? c->align : BS_BOUNCE_ROUND;

	if (len == 0)
		len = 1;
	if (len > SIZE_MAX - unit)
		return 0;
	return (len + unit - 1) / unit * unit;
}

void *bs_bounce_get(struct bs_bounce_cache *c, size_t len, size_t *cap)
{
	int i = best_fit(c, len);
	void *mem;

	if (i >= 0) {
		mem = c->mem[i];
		*cap = c->cap[i];
		c->n--;
		c->mem[i] = c->mem[c->n];
		c->cap[i] = c->cap[c->n];
		return mem;
	}
	*cap = round_len(c, len);
	if (*cap == 0)
		return NULL;
	c->allocs++;
	if (posix_memalign(&mem, c->align, *cap) != 0)
		return NULL;
	return mem;
}

void bs_bounce_put(struct bs_bounce_cache *c, void *mem, size_t cap)
{
	if (c->n < BS_BOUNCE_KEEP && cap <= BS_BOUNCE_KEEP_MAX) {
		c->mem[c->n] = mem;
		c->cap[c->n] = cap;
		c->n++;
		return;
	}
	free(mem);
}

void bs_bounce_destroy(struct bs_bounce_cache *c)
{
	for (unsigned i = 0; i < c->n; i++)
		free(c->mem[i]);
	c->n = 0;
}
