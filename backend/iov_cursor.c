/* SPDX-License-Identifier: Apache-2.0 */
/* iovec cursor and copies: see iov_cursor.h. */
#include "backend/iov_cursor.h"

#include <string.h>

/* Fill @out with up to BS_IOV_BATCH entries covering at most @left bytes. */
int bs_cursor_batch(const struct bs_iov_cursor *c, size_t left, struct iovec *out)
{
	int n = 0;
	size_t off = c->off;

	for (int i = c->idx; i < c->iovcnt && n < BS_IOV_BATCH && left > 0; i++) {
		size_t len = c->iov[i].iov_len - off;

		if (len > left)
			len = left;
		if (len > 0) {
			out[n].iov_base = (char *)c->iov[i].iov_base + off;
			out[n].iov_len = len;
			left -= len;
			n++;
		}
		off = 0;
	}
	return n;
}

void bs_cursor_advance(struct bs_iov_cursor *c, size_t n)
{
	while (n > 0 && c->idx < c->iovcnt) {
		size_t room = c->iov[c->idx].iov_len - c->off;

		if (n < room) {
			c->off += n;
			return;
		}
		n -= room;
		c->idx++;
		c->off = 0;
	}
}

/* Zero the @left bytes at the cursor: the part of a read beyond EOF. */
void bs_cursor_zero(struct bs_iov_cursor *c, size_t left)
{
	struct iovec batch[BS_IOV_BATCH];

	while (left > 0) {
		int n = bs_cursor_batch(c, left, batch);
		size_t done = 0;

		if (n == 0)
			return;	/* bs_check_request guarantees coverage */

		for (int i = 0; i < n; i++) {
			memset(batch[i].iov_base, 0, batch[i].iov_len);
			done += batch[i].iov_len;
		}
		bs_cursor_advance(c, done);
		left -= done;
	}
}

void bs_iov_to_buf(const struct iovec *iov, int iovcnt, void *buf, size_t len)
{
	char *p = buf;

	for (int i = 0; i < iovcnt && len > 0; i++) {
		size_t n = iov[i].iov_len < len ? iov[i].iov_len : len;

		memcpy(p, iov[i].iov_base, n);
		p += n;
		len -= n;
	}
}

void bs_buf_to_iov(const void *buf, size_t len, const struct iovec *iov, int iovcnt)
{
	const char *p = buf;

	for (int i = 0; i < iovcnt && len > 0; i++) {
		size_t n = iov[i].iov_len < len ? iov[i].iov_len : len;

		memcpy(iov[i].iov_base, p, n);
		p += n;
		len -= n;
	}
}
