/* SPDX-License-Identifier: Apache-2.0 */
/*
 * What the io_uring store (backend/uring.c) counts, for tests. Private to
 * backend/.
 */
#ifndef CTGT_BACKEND_URING_INTERNAL_H
#define CTGT_BACKEND_URING_INTERNAL_H

#include "backend/backend.h"

struct bs_uring_stats {
	uint64_t sqes;		/**< operations prepared (READV, WRITEV, FSYNC) */
	uint64_t submits;	/**< io_uring_submit calls */
	uint64_t bounce_allocs;	/**< bounce buffers allocated (not from the cache) */
	uint64_t bounce_cached;	/**< free bounce buffers the cache holds now */
};

/** The counters of the io_uring store @bs; read them on the owner thread. */
const struct bs_uring_stats *bs_uring_stats(const struct backend *bs);

#endif
