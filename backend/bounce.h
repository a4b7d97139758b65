/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Aligned bounce buffers for direct I/O from unaligned memory, kept for
 * reuse so that the I/O path does not allocate: a store's small, bounded
 * cache of freed buffers. A request takes a cached buffer big enough for
 * it, or allocates one (rounded up, so that requests of similar sizes
 * share); a returned buffer is kept while the cache has room and it is not
 * larger than BS_BOUNCE_KEEP_MAX, else freed. So the cache never holds more
 * than BS_BOUNCE_KEEP * BS_BOUNCE_KEEP_MAX bytes, and a request never waits
 * for a buffer: beyond the cache it allocates, as before.
 *
 * Private to backend/. Not thread-safe: one thread (the io_uring store's
 * owner thread) uses a cache.
 */
#ifndef CTGT_BACKEND_BOUNCE_H
#define CTGT_BACKEND_BOUNCE_H

#include <stddef.h>
#include <stdint.h>

/* Buffers a cache keeps at most, and the largest it keeps. */
#define BS_BOUNCE_KEEP 8
#define BS_BOUNCE_KEEP_MAX (1024u * 1024)
/* Allocations are rounded up to this (a multiple of any direct-I/O alignment). */
#define BS_BOUNCE_ROUND (64u * 1024)

struct bs_bounce_cache {
	size_t align;			/**< memory alignment of every buffer */
	unsigned n;			/**< buffers in mem[] */
	void *mem[BS_BOUNCE_KEEP];
	size_t cap[BS_BOUNCE_KEEP];
	uint64_t allocs;		/**< posix_memalign calls, for tests */
};

/** An empty cache of @align-aligned buffers (a power of two). */
void bs_bounce_init(struct bs_bounce_cache *c, size_t align);
/** A buffer of at least @len bytes (its size in *cap), or NULL: no memory. */
void *bs_bounce_get(struct bs_bounce_cache *c, size_t len, size_t *cap);
/** Give back a buffer bs_bounce_get() returned, with its *cap. */
void bs_bounce_put(struct bs_bounce_cache *c, void *mem, size_t cap);
/** Free every cached buffer (all must have been put back). */
void bs_bounce_destroy(struct bs_bounce_cache *c);

#endif
