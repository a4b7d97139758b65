/* SPDX-License-Identifier: Apache-2.0 */
/* Per-thread buffer cache (util/bufpool.h). */
#include <stdlib.h>
#include <string.h>

#include "util/bufpool.h"

/*
 * Under AddressSanitizer a cached buffer is poisoned (but for the list
 * link), so a use after bufpool_put() is still reported, as it would be
 * after free().
 */
#if defined(__SANITIZE_ADDRESS__)
#define BUFPOOL_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define BUFPOOL_ASAN 1
#endif
#endif
#ifdef BUFPOOL_ASAN
#include <sanitizer/asan_interface.h>
#define POISON(p, n)   ASAN_POISON_MEMORY_REGION((p), (n))
#define UNPOISON(p, n) ASAN_UNPOISON_MEMORY_REGION((p), (n))
#else
#define POISON(p, n)   ((void)(p), (void)(n))
#define UNPOISON(p, n) ((void)(p), (void)(n))
#endif

/* The class of @size, or -1 above BUFPOOL_MAX. */
static int class_of(size_t size)
{
	if (size > BUFPOOL_MAX)
		return -1;
	if (size <= ((size_t)1 << BUFPOOL_MIN_SHIFT))
		return 0;
	/* ceil(log2(size)): the bits of size - 1 */
	int bits = (int)(sizeof(unsigned long) * 8) - __builtin_clzl((unsigned long)(size - 1));
	return bits - BUFPOOL_MIN_SHIFT;
}

static size_t class_bytes(int c)
{
	return (size_t)1 << (c + BUFPOOL_MIN_SHIFT);
}

void bufpool_init(struct bufpool *p, size_t limit)
{
	memset(p, 0, sizeof(*p));
	p->limit = limit;
}

static void *pop(struct bufpool *p, int c)
{
	struct bufpool_class *k = &p->cls[c];
	void *buf = k->free;

	memcpy(&k->free, buf, sizeof(void *));
	if (--k->count < k->low)
		k->low = k->count;
	p->cached -= class_bytes(c);
	UNPOISON((char *)buf + sizeof(void *), class_bytes(c) - sizeof(void *));
	return buf;
}

void bufpool_destroy(struct bufpool *p)
{
	for (int c = 0; c < BUFPOOL_CLASSES; c++)
		while (p->cls[c].count)
			free(pop(p, c));
}

size_t bufpool_size(size_t size)
{
	int c = class_of(size);
	return c < 0 ? size : class_bytes(c);
}

void *bufpool_get(struct bufpool *p, size_t size)
{
	int c = class_of(size);

	if (!p || c < 0)
		return malloc(size ? size : 1);
	if (p->cls[c].count) {
		p->hits++;
		return pop(p, c);
	}
	p->misses++;
	return malloc(class_bytes(c));
}

void bufpool_put(struct bufpool *p, void *buf, size_t size)
{
	int c = class_of(size);

	if (!buf)
		return;
	if (!p || c < 0 || p->cached + class_bytes(c) > p->limit) {
		free(buf);
		return;
	}
	struct bufpool_class *k = &p->cls[c];
	memcpy(buf, &k->free, sizeof(void *));
	POISON((char *)buf + sizeof(void *), class_bytes(c) - sizeof(void *));
	k->free = buf;
	k->count++;
	p->cached += class_bytes(c);
}

void bufpool_trim(struct bufpool *p)
{
	for (int c = 0; c < BUFPOOL_CLASSES; c++) {
		struct bufpool_class *k = &p->cls[c];
		uint32_t idle = k->low;

		while (idle--)
			free(pop(p, c));
		k->low = k->count;
	}
}
