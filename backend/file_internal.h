/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The parts of the file store (backend/file.c) that the io_uring store
 * (backend/uring.c) reuses for the same files and block devices. Private
 * to backend/.
 */
#ifndef CTGT_BACKEND_FILE_INTERNAL_H
#define CTGT_BACKEND_FILE_INTERNAL_H

#include "backend/backend.h"

/**
 * Open a file or block device for a store, as the file store does: @readonly
 * opens O_RDONLY; a missing regular file is created sparse when *size says
 * how big (then removed again if the size cannot be settled), and
 * *created says so, for the caller to unlink it if it fails later; @flags
 * are added to open()'s (O_DIRECT). *size: the requested size (0: the
 * file's), set to the store's size. Returns the fd, or a negative errno with
 * a one-line reason in @err. Any thread; the caller owns the fd.
 */
int bs_file_open_fd(const char *path, bool readonly, int flags, uint64_t *size,
		    bool *created, char *err, size_t errlen);

/**
 * Run @req synchronously with preadv/pwritev/fdatasync/fallocate on the fd
 * *(int *)@arg, continuing short transfers; a bs_pool_exec_fn. A READ or
 * WRITE starts req->progress bytes in (the caller sets it, 0 for all of
 * it). Returns 0 or a negative errno. Blocks: worker threads only.
 */
int bs_file_exec(void *arg, struct bs_request *req);

/* Grow the file or follow the device behind @fd to *size bytes (0: its
 * size now), as backend_ops.grow: a regular file already that large is
 * left alone, a smaller one is extended (a hole), never when @readonly;
 * a device must hold *size. Any thread. */
int bs_file_grow_fd(int fd, bool readonly, uint64_t *size, char *err, size_t errlen);

/** backend_ops.map for the file or block device @fd (SEEK_DATA/SEEK_HOLE). */
int bs_file_map_fd(int fd, uint64_t offset, uint64_t len, bool *allocated, uint64_t *extent);

/** Largest READ the file store tries inline from the page cache. */
#define FILE_INLINE_MAX (128u << 10)

/** What the file store's inline reads did (see file_submit()). */
struct bs_file_stats {
	uint64_t inline_reads;	/**< READs served whole on the submitting thread */
	uint64_t partial_reads;	/**< READs of which the page cache held a first part */
	uint64_t nowait_refused; /**< RWF_NOWAIT refused: no more inline attempts */
};

/** The counters of the file store @bs, for tests; read them on the
 *  submitting thread. */
const struct bs_file_stats *bs_file_stats(const struct backend *bs);

#endif
