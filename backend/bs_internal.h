/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Helpers shared by the backing-store implementations; not part of the
 * interface the rest of ctgt uses.
 */
#ifndef CTGT_BACKEND_BS_INTERNAL_H
#define CTGT_BACKEND_BS_INTERNAL_H

#include "backend/backend.h"

#include <stdarg.h>

/**
 * Check that a READ or WRITE stays inside the store and that its iovecs
 * cover req->len bytes; an UNMAP only needs the range; FLUSH always passes.
 * Returns 0, -EINVAL, or -EROFS for a WRITE or UNMAP on a read-only store.
 */
int bs_check_request(const struct backend *bs, const struct bs_request *req);

/** Format a one-line reason into @err (which may be NULL or zero-sized). */
void bs_set_err(char *err, size_t errlen, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

#endif
