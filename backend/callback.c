/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Callback backing store: the application's read/write/flush/unmap functions
 * (include/ctgt/lu.h) run on the backend worker pool, so a callback may block
 * without stalling the network thread; results come back through the
 * store's completion queue like any other backend's.
 */
#include "backend/bs_internal.h"
#include "backend/pool.h"
#include "ctgt/lu.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

struct cb_store {
	struct ctgt_lu_callbacks cb;
	void *ctx;
	struct bs_pool *pool;
};

/* The contract is 0 or a negative errno; treat anything positive as an error. */
static int cb_result(int rc)
{
	return rc > 0 ? -EIO : rc;
}

/* One call per iovec, at consecutive offsets: the SCSI layer sends one. */
static int cb_rw(struct cb_store *cs, const struct bs_request *req)
{
	uint64_t off = req->offset;
	size_t left = req->len;

	for (int i = 0; i < req->iovcnt && left > 0; i++) {
		size_t n = req->iov[i].iov_len < left ? req->iov[i].iov_len : left;
		int rc;

		if (n == 0)
			continue;
		if (req->op == BS_OP_READ)
			rc = cs->cb.read(cs->ctx, req->iov[i].iov_base, off, n);
		else
			rc = cs->cb.write(cs->ctx, req->iov[i].iov_base, off, n);
		rc = cb_result(rc);
		if (rc < 0)
			return rc;
		off += n;
		left -= n;
	}
	return 0;
}

static int cb_flush(struct cb_store *cs)
{
	return cs->cb.flush ? cb_result(cs->cb.flush(cs->ctx)) : 0;
}

/* The pool's exec function: runs on a worker thread. */
static int cb_exec(void *arg, struct bs_request *req)
{
	struct cb_store *cs = arg;
	int rc;

	switch (req->op) {
	case BS_OP_READ:
		return cb_rw(cs, req);
	case BS_OP_WRITE:
		rc = cb_rw(cs, req);
		if (rc == 0 && req->fua)
			rc = cb_flush(cs);
		return rc;
	case BS_OP_FLUSH:
		return cb_flush(cs);
	case BS_OP_UNMAP:
		return cb_result(cs->cb.unmap(cs->ctx, req->offset, req->len));
	}
	return -EINVAL;
}

static int cb_submit(struct backend *bs, struct bs_request *req)
{
	struct cb_store *cs = bs->priv;
	int rc = bs_check_request(bs, req);

	if (rc < 0)
		return rc;
	/* Refuse what the application did not provide before any thread runs. */
	if (req->op == BS_OP_WRITE && cs->cb.write == NULL)
		return -EROFS;
	if (req->op == BS_OP_UNMAP && cs->cb.unmap == NULL)
		return -EOPNOTSUPP;
	if (req->op == BS_OP_UNMAP && req->len == 0) {
		req->result = 0;
		bs_cq_push_local(bs->cq, req);
		return 0;
	}
	return bs_pool_submit(cs->pool, req);
}

static int cb_open(struct backend *bs, const char *path, uint64_t size,
		   char *err, size_t errlen)
{
	(void)bs;
	(void)size;
	bs_set_err(err, errlen, "%s: callback stores are created by the application, "
		   "not from a spec", path);
	return -EINVAL;
}

static void cb_close(struct backend *bs)
{
	struct cb_store *cs = bs->priv;

	if (cs == NULL)
		return;
	/* Queued requests still run; then no worker can call back any more. */
	bs_pool_destroy(cs->pool);
	if (cs->cb.release)
		cs->cb.release(cs->ctx);
	free(cs);
	bs->priv = NULL;
}

static void cb_set_bandwidth(struct backend *bs, uint64_t bytes_per_sec)
{
	struct cb_store *cs = bs->priv;

	bs_pool_set_bandwidth(cs->pool, bytes_per_sec);
}

/* Not listed among the spec types of backend_open(): it has no spec. */
static const struct backend_ops bs_callback_ops = {
	.name = "callback",
	.open = cb_open,
	.submit = cb_submit,
	.close = cb_close,
	.set_bandwidth = cb_set_bandwidth,
};

static int cb_check(const struct ctgt_lu_callbacks *cb, uint64_t size, unsigned threads,
		    struct bs_cq *cq, char *err, size_t errlen)
{
	if (cb == NULL || cb->read == NULL) {
		bs_set_err(err, errlen, "callback store: the read callback is mandatory");
		return -EINVAL;
	}
	if (size == 0) {
		bs_set_err(err, errlen, "callback store: needs a size");
		return -EINVAL;
	}
	if (threads > BS_POOL_MAX_THREADS) {
		bs_set_err(err, errlen, "callback store: %u threads, at most %d", threads,
			   BS_POOL_MAX_THREADS);
		return -EINVAL;
	}
	if (cq == NULL) {
		bs_set_err(err, errlen, "callback store: no completion queue");
		return -EINVAL;
	}
	return 0;
}

static struct backend *cb_store_new(const struct ctgt_lu_callbacks *cb, void *ctx,
				    uint64_t size, unsigned threads, struct bs_cq *cq,
				    char *err, size_t errlen)
{
	struct backend *bs = calloc(1, sizeof(*bs));
	struct cb_store *cs = calloc(1, sizeof(*cs));
	int rc = -ENOMEM;

	if (bs == NULL || cs == NULL)
		goto fail;
	cs->cb = *cb;
	cs->ctx = ctx;
	cs->pool = bs_pool_create(threads ? threads : 1, cb_exec, cs, cq, &rc);
	if (cs->pool == NULL)
		goto fail;
	bs->ops = &bs_callback_ops;
	bs->cq = cq;
	bs->size = size;
	bs->priv = cs;
	return bs;
fail:
	bs_set_err(err, errlen, "callback store: cannot start its threads: %s", strerror(-rc));
	free(cs);
	free(bs);
	return NULL;
}

struct backend *backend_callback_open(const struct ctgt_lu_callbacks *cb, void *ctx,
				      uint64_t size, unsigned threads, struct bs_cq *cq,
				      char *err, size_t errlen)
{
	struct backend *bs = NULL;

	if (cb_check(cb, size, threads, cq, err, errlen) == 0)
		bs = cb_store_new(cb, ctx, size, threads, cq, err, errlen);
	/* The store owns ctx from here on, even when it could not be made. */
	if (bs == NULL && cb != NULL && cb->release != NULL)
		cb->release(ctx);
	return bs;
}
