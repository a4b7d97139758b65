/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Memory backing store: a zeroed buffer that lives as long as the store.
 * Useful for tests and benchmarks; contents are lost on close.
 */
#include "backend/bs_internal.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

struct mem_store {
	uint8_t *buf;
};

static int mem_open(struct backend *bs, const char *path, uint64_t size,
		    char *err, size_t errlen)
{
	struct mem_store *ms;

	(void)path;	/* the name only tells stores apart in the spec */
	if (size == 0) {
		bs_set_err(err, errlen, "mem: needs a size");
		return -EINVAL;
	}
	if ((uint64_t)(size_t)size != size) {
		bs_set_err(err, errlen, "mem: %llu bytes is too large",
			   (unsigned long long)size);
		return -EINVAL;
	}
	ms = calloc(1, sizeof(*ms));
	if (ms == NULL) {
		bs_set_err(err, errlen, "mem: out of memory");
		return -ENOMEM;
	}
	/* calloc of a large buffer maps zero pages lazily, like a sparse file. */
	ms->buf = calloc(1, (size_t)size);
	if (ms->buf == NULL) {
		free(ms);
		bs_set_err(err, errlen, "mem: cannot allocate %llu bytes",
			   (unsigned long long)size);
		return -ENOMEM;
	}
	bs->priv = ms;
	bs->size = size;
	return 0;
}

/* Copy req->len bytes between the store at req->offset and the iovecs. */
static void mem_copy(uint8_t *store, const struct bs_request *req)
{
	uint8_t *p = store + req->offset;
	size_t left = req->len;

	for (int i = 0; i < req->iovcnt && left > 0; i++) {
		size_t n = req->iov[i].iov_len < left ? req->iov[i].iov_len : left;

		if (req->op == BS_OP_READ)
			memcpy(req->iov[i].iov_base, p, n);
		else
			memcpy(p, req->iov[i].iov_base, n);
		p += n;
		left -= n;
	}
}

static int mem_submit(struct backend *bs, struct bs_request *req)
{
	struct mem_store *ms = bs->priv;
	int rc = bs_check_request(bs, req);

	if (rc < 0)
		return rc;
	if (req->op == BS_OP_UNMAP)
		memset(ms->buf + req->offset, 0, req->len);
	else if (req->op != BS_OP_FLUSH)
		mem_copy(ms->buf, req);
	req->result = 0;
	/* Deferred so done() never runs inside the caller's submit. */
	bs_cq_push_local(bs->cq, req);
	return 0;
}

static void mem_close(struct backend *bs)
{
	struct mem_store *ms = bs->priv;

	if (ms == NULL)
		return;
	free(ms->buf);
	free(ms);
	bs->priv = NULL;
}

const struct backend_ops bs_mem_ops = {
	.name = "mem",
	.open = mem_open,
	.submit = mem_submit,
	.close = mem_close,
};
