/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Null backing store ("null:", size required): no storage at all, so the
 * target can be measured without one. A READ fills the caller's iovecs
 * with zeros, a WRITE is acknowledged and its data dropped, FLUSH and UNMAP
 * succeed and do nothing. Every block therefore reads as zeros, whatever
 * was written to it.
 *
 * Like mem:, a request runs inline on the submitting thread and its
 * completion is queued on the completion queue's owner-only list, so done()
 * never runs inside backend_submit() and costs no thread hand-off.
 *
 * The allocation map says every byte is deallocated: no block holds data
 * and each reads as zeros, which is what a thin LU's LBPRZ promises for a
 * deallocated block, so GET LBA STATUS on a thin null: LU reports the whole
 * LU deallocated before and after any WRITE. A LU that is not thin reports
 * everything mapped whatever the store says (scsi/lba_status.c).
 */
#include "backend/bs_internal.h"

#include <errno.h>
#include <string.h>

static int null_open(struct backend *bs, const char *path, uint64_t size,
		     char *err, size_t errlen)
{
	(void)path;	/* like mem:NAME, a name only tells specs apart */
	if (size == 0) {
		bs_set_err(err, errlen, "null: needs a size");
		return -EINVAL;
	}
	bs->size = size;
	return 0;
}

/* Zero the first req->len bytes the iovecs name (bs_check_request() made
 * sure they cover that many). */
static void null_zero(const struct bs_request *req)
{
	size_t left = req->len;

	for (int i = 0; i < req->iovcnt && left > 0; i++) {
		size_t n = req->iov[i].iov_len < left ? req->iov[i].iov_len : left;

		memset(req->iov[i].iov_base, 0, n);
		left -= n;
	}
}

static int null_submit(struct backend *bs, struct bs_request *req)
{
	int rc = bs_check_request(bs, req);

	if (rc < 0)
		return rc;
	if (req->op == BS_OP_READ)
		null_zero(req);
	req->result = 0;
	/* Deferred so done() never runs inside the caller's submit. */
	bs_cq_push_local(bs->cq, req);
	return 0;
}

static void null_close(struct backend *bs)
{
	(void)bs;	/* nothing was allocated */
}

static int null_map(struct backend *bs, uint64_t offset, uint64_t len,
		    bool *allocated, uint64_t *extent)
{
	(void)bs;
	(void)offset;
	*allocated = false;
	*extent = len;
	return 0;
}

/* Nothing is stored: any size will do, but it needs one. */
static int null_grow(struct backend *bs, uint64_t *size, char *err, size_t errlen)
{
	if (*size == 0) {
		bs_set_err(err, errlen, "a null: store needs a size to grow to");
		return -EINVAL;
	}
	(void)bs;
	return 0;
}

const struct backend_ops bs_null_ops = {
	.name = "null",
	.open = null_open,
	.submit = null_submit,
	.close = null_close,
	.map = null_map,
	.grow = null_grow,
};
