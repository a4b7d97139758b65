/* SPDX-License-Identifier: Apache-2.0 */
/*
 * A position inside a request's iovec list, so that a short transfer can
 * resume where it stopped; shared by the stores that do I/O on files (the
 * file store's workers, the io_uring store). Private to backend/. Plain
 * functions on caller-owned state: any thread, no allocation.
 */
#ifndef CTGT_BACKEND_IOV_CURSOR_H
#define CTGT_BACKEND_IOV_CURSOR_H

#include <stddef.h>
#include <sys/uio.h>

/* iovecs handed to one preadv/pwritev (or one io_uring READV/WRITEV);
 * longer lists take several. */
#define BS_IOV_BATCH 64

struct bs_iov_cursor {
	const struct iovec *iov;
	int iovcnt;
	int idx;
	size_t off;	/**< bytes already done inside iov[idx] */
};

/** Fill @out (BS_IOV_BATCH entries) with the iovecs covering at most @left
 *  bytes from the cursor; returns how many. */
int bs_cursor_batch(const struct bs_iov_cursor *c, size_t left, struct iovec *out);
/** Move the cursor @n bytes on. */
void bs_cursor_advance(struct bs_iov_cursor *c, size_t n);
/** Zero the @left bytes at the cursor (the part of a read beyond EOF) and
 *  move past them. */
void bs_cursor_zero(struct bs_iov_cursor *c, size_t left);

/** Copy @len bytes of @iov (@iovcnt entries) into @buf, or @buf into them. */
void bs_iov_to_buf(const struct iovec *iov, int iovcnt, void *buf, size_t len);
void bs_buf_to_iov(const void *buf, size_t len, const struct iovec *iov, int iovcnt);

#endif
