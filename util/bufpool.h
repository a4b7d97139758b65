/* SPDX-License-Identifier: Apache-2.0 */
/*
 * A cache of freed buffers, one per thread, so the data path does not call
 * malloc and free for every command.
 *
 * Why: a 1 MiB task buffer from malloc is an mmap'd chunk (or heap the
 * allocator trims), so every large command paid page faults, page zeroing
 * and memory-cgroup charging (a quarter of the daemon's CPU at 1 MiB
 * reads), and small objects (tasks, PDUs) went through the allocator's
 * locks on every command.
 *
 * Buffers come in power-of-two size classes from BUFPOOL_MIN to BUFPOOL_MAX
 * bytes; a request is rounded up to its class, and one larger than
 * BUFPOOL_MAX is a plain malloc that bufpool_put() frees. A freed buffer
 * goes on its class's free list while the pool holds less than its limit
 * (bytes), else back to the allocator. bufpool_trim(), called about once a
 * second, returns to the allocator what has not been needed since the last
 * call: a burst leaves memory cached for a second or two, not forever.
 *
 * Threads: a pool is used by one thread only (no lock). Every buffer is a
 * malloc'd block, so a buffer taken from one pool may be put into another
 * (a connection that moved threads) or simply freed with bufpool_put(NULL).
 */
#ifndef CTGT_UTIL_BUFPOOL_H
#define CTGT_UTIL_BUFPOOL_H

#include <stddef.h>
#include <stdint.h>

#define BUFPOOL_MIN_SHIFT 9			/* 512 B */
#define BUFPOOL_MAX_SHIFT 24			/* 16 MiB */
#define BUFPOOL_CLASSES	  (BUFPOOL_MAX_SHIFT - BUFPOOL_MIN_SHIFT + 1)
#define BUFPOOL_MAX	  ((size_t)1 << BUFPOOL_MAX_SHIFT)

/* Default limit of cached bytes per thread. */
#define BUFPOOL_LIMIT_DEFAULT ((size_t)32 << 20)

struct bufpool_class {
	void *free;		/* singly linked through each buffer's first bytes */
	uint32_t count;		/* buffers on the list */
	uint32_t low;		/* fewest on the list since the last trim */
};

struct bufpool {
	size_t limit;		/* most bytes held on the free lists; 0: none */
	size_t cached;		/* bytes on the free lists */
	uint64_t hits;		/* gets served from a list */
	uint64_t misses;	/* gets that called malloc */
	struct bufpool_class cls[BUFPOOL_CLASSES];
};

/** Set up an empty pool holding at most @limit bytes (0: a pass-through). */
void bufpool_init(struct bufpool *p, size_t limit);
/** Free every cached buffer. Buffers handed out stay valid (plain blocks). */
void bufpool_destroy(struct bufpool *p);

/** The bytes bufpool_get() really allocates for @size (its class). */
size_t bufpool_size(size_t size);
/**
 * A buffer of at least @size bytes (uninitialised), or NULL when memory is
 * short. The caller owns it and gives it back with bufpool_put() and the
 * same @size. @p NULL: plain malloc.
 */
void *bufpool_get(struct bufpool *p, size_t size);
/** Give back @buf (NULL is fine) obtained for @size: cached or freed. */
void bufpool_put(struct bufpool *p, void *buf, size_t size);
/** Free what no get needed since the previous call (once a second). */
void bufpool_trim(struct bufpool *p);

#endif
