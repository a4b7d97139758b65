/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Memory backing store: a zeroed buffer that lives as long as the store.
 * Useful for tests and benchmarks; contents are lost on close.
 *
 * Like a sparse file, the store keeps an allocation map in MEM_CHUNK units:
 * a chunk is allocated once a WRITE touched it and deallocated again when
 * an UNMAP covers all of it. It starts fully deallocated.
 */
#include "backend/bs_internal.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#define MEM_CHUNK 4096u

struct mem_store {
	uint8_t *buf;
	uint64_t *map;		/* one bit per MEM_CHUNK bytes: allocated */
	uint64_t nchunks;
};

static bool chunk_allocated(const struct mem_store *ms, uint64_t c)
{
	return ms->map[c / 64] & (1ull << (c % 64));
}

static void chunk_set(struct mem_store *ms, uint64_t c, bool allocated)
{
	if (allocated)
		ms->map[c / 64] |= 1ull << (c % 64);
	else
		ms->map[c / 64] &= ~(1ull << (c % 64));
}

/* A WRITE allocates every chunk it touches; an UNMAP frees the chunks it
 * covers whole (the partial ones were zeroed but keep their storage). */
static void mem_track(struct mem_store *ms, uint64_t size, const struct bs_request *req)
{
	uint64_t first, end, stop = req->offset + req->len;

	if (req->len == 0)
		return;
	if (req->op == BS_OP_WRITE) {
		first = req->offset / MEM_CHUNK;
		end = (stop + MEM_CHUNK - 1) / MEM_CHUNK;
	} else {
		first = (req->offset + MEM_CHUNK - 1) / MEM_CHUNK;
		/* The last chunk may be short: reaching the end covers it. */
		end = stop == size ? ms->nchunks : stop / MEM_CHUNK;
	}
	for (uint64_t c = first; c < end; c++)
		chunk_set(ms, c, req->op == BS_OP_WRITE);
}

static int mem_map(struct backend *bs, uint64_t offset, uint64_t len,
		   bool *allocated, uint64_t *extent)
{
	struct mem_store *ms = bs->priv;
	uint64_t c = offset / MEM_CHUNK, end;
	bool state = chunk_allocated(ms, c);

	while (++c < ms->nchunks && chunk_allocated(ms, c) == state &&
	       c * MEM_CHUNK < offset + len)
		;
	end = c * MEM_CHUNK;
	*allocated = state;
	*extent = end - offset < len ? end - offset : len;
	return 0;
}

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
	ms->nchunks = (size + MEM_CHUNK - 1) / MEM_CHUNK;
	ms->map = calloc((size_t)((ms->nchunks + 63) / 64), sizeof(uint64_t));
	if (ms->buf == NULL || ms->map == NULL) {
		free(ms->buf);
		free(ms->map);
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
	if (req->op == BS_OP_WRITE || req->op == BS_OP_UNMAP)
		mem_track(ms, bs->size, req);
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
	free(ms->map);
	free(ms);
	bs->priv = NULL;
}

const struct backend_ops bs_mem_ops = {
	.name = "mem",
	.open = mem_open,
	.submit = mem_submit,
	.close = mem_close,
	.map = mem_map,
};
