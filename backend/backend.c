/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Opening a backing store by spec string, and the checks every backend
 * shares.
 */
#include "backend/bs_internal.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void bs_set_err(char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;

	if (err == NULL || errlen == 0)
		return;
	va_start(ap, fmt);
	vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
}

int bs_check_request(const struct backend *bs, const struct bs_request *req)
{
	size_t covered = 0;

	if (req->op == BS_OP_FLUSH)
		return 0;
	if (req->op != BS_OP_READ && req->op != BS_OP_WRITE && req->op != BS_OP_UNMAP)
		return -EINVAL;
	if (bs->readonly && req->op != BS_OP_READ)
		return -EROFS;
	if (req->offset > bs->size || req->len > bs->size - req->offset)
		return -EINVAL;
	if (req->op == BS_OP_UNMAP)
		return 0;	/* no data moves: the iovecs are not used */
	if (req->iovcnt < 0 || (req->iovcnt > 0 && req->iov == NULL))
		return -EINVAL;
	for (int i = 0; i < req->iovcnt && covered < req->len; i++)
		covered += req->iov[i].iov_len;
	return covered < req->len ? -EINVAL : 0;
}

static const struct backend_ops *const bs_types[] = {
	&bs_file_ops,
	&bs_mem_ops,
	&bs_null_ops,
};

/*
 * A prefix before ':' made only of lowercase letters looks like a store
 * type; anything else (a '/', a '.', nothing) means the spec is a path.
 */
static bool looks_like_type(const char *spec, size_t n)
{
	if (n == 0)
		return false;
	for (size_t i = 0; i < n; i++)
		if (spec[i] < 'a' || spec[i] > 'z')
			return false;
	return true;
}

/* Pick the ops for @spec and point *path at what follows "type:". */
static const struct backend_ops *parse_spec(const char *spec, const char **path,
					    char *err, size_t errlen)
{
	const char *colon = strchr(spec, ':');
	size_t n = colon != NULL ? (size_t)(colon - spec) : 0;

	if (!looks_like_type(spec, n)) {
		*path = spec;
		return &bs_file_ops;
	}
	for (size_t i = 0; i < sizeof(bs_types) / sizeof(bs_types[0]); i++) {
		if (strlen(bs_types[i]->name) == n &&
		    memcmp(bs_types[i]->name, spec, n) == 0) {
			*path = colon + 1;
			return bs_types[i];
		}
	}
	bs_set_err(err, errlen,
		   "%s: unknown store type \"%.*s\" (want file:, mem: or null:; "
		   "write file:%s for a path with a colon)",
		   spec, (int)n, spec, spec);
	return NULL;
}

/* Swap the file store for the io_uring store when @flags ask for it. */
static const struct backend_ops *pick_io(const struct backend_ops *ops, const char *spec,
					 unsigned flags, char *err, size_t errlen)
{
	if ((flags & BS_OPEN_DIRECT) && !(flags & BS_OPEN_URING)) {
		bs_set_err(err, errlen, "%s: direct needs io=uring", spec);
		return NULL;
	}
	if (!(flags & BS_OPEN_URING))
		return ops;
	if (ops != &bs_file_ops) {
		bs_set_err(err, errlen, "%s: io=uring needs a file or block device", spec);
		return NULL;
	}
	return &bs_uring_ops;
}

struct backend *backend_open_flags(const char *spec, uint64_t size, struct bs_cq *cq,
				   unsigned flags, char *err, size_t errlen)
{
	const struct backend_ops *ops;
	const char *path;
	struct backend *bs;

	if (spec == NULL || spec[0] == '\0') {
		bs_set_err(err, errlen, "empty backing store spec");
		return NULL;
	}
	ops = parse_spec(spec, &path, err, errlen);
	if (ops == NULL)
		return NULL;
	if (ops == &bs_file_ops && path[0] == '\0') {
		bs_set_err(err, errlen, "%s: missing file path", spec);
		return NULL;
	}
	ops = pick_io(ops, spec, flags, err, errlen);
	if (ops == NULL)
		return NULL;
	bs = calloc(1, sizeof(*bs));
	if (bs == NULL) {
		bs_set_err(err, errlen, "%s: out of memory", spec);
		return NULL;
	}
	bs->ops = ops;
	bs->cq = cq;
	bs->readonly = (flags & BS_OPEN_READONLY) != 0;
	bs->direct = (flags & BS_OPEN_DIRECT) != 0;
	if (ops->open(bs, path, size, err, errlen) < 0) {
		free(bs);
		return NULL;
	}
	if (!(flags & BS_OPEN_DETACHED))
		backend_attach(bs, true);
	return bs;
}

struct backend *backend_open(const char *spec, uint64_t size, struct bs_cq *cq,
			     char *err, size_t errlen)
{
	return backend_open_flags(spec, size, cq, 0, err, errlen);
}

struct backend *backend_open_readonly(const char *spec, uint64_t size, struct bs_cq *cq,
				      char *err, size_t errlen)
{
	return backend_open_flags(spec, size, cq, BS_OPEN_READONLY, err, errlen);
}

void backend_close(struct backend *bs)
{
	if (bs == NULL)
		return;
	backend_attach(bs, false);
	bs->ops->close(bs);
	free(bs);
}

void backend_attach(struct backend *bs, bool on)
{
	if (bs->attached == on)
		return;
	if (bs->ops->attach)
		bs->ops->attach(bs, on);
	bs->attached = on;
}

int backend_grow(struct backend *bs, uint64_t size, uint64_t *got, char *err, size_t errlen)
{
	uint64_t want = size;
	int rc;

	if (!bs->ops->grow) {
		bs_set_err(err, errlen, "a %s store cannot change size", bs->ops->name);
		return -EOPNOTSUPP;
	}
	rc = bs->ops->grow(bs, &want, err, errlen);
	if (rc == 0)
		*got = want;
	return rc;
}

int backend_set_bandwidth(struct backend *bs, uint64_t bytes_per_sec)
{
	if (!bs->ops->set_bandwidth)
		return -EOPNOTSUPP;
	bs->ops->set_bandwidth(bs, bytes_per_sec);
	return 0;
}
