/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Unit tests of the null backing store (backend/null.c): it needs a size,
 * reads zeros whatever was written, acknowledges writes, FLUSH and UNMAP,
 * checks ranges like every store, completes on the owner-only list of the
 * completion queue (never inside submit) and reports every byte
 * deallocated.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "backend/backend.h"

#define KiB 1024ull
#define MiB (1024ull * KiB)

#include "tests/unit/backend_fixture.h"
#include "tests/unit/backend_req.h"

/*
 * Submit and complete one request: the completion must be waiting on the
 * owner-only list after submit (inline, no worker) but not have run yet,
 * and run exactly once from bs_cq_run(). Returns the request's result.
 */
static int run(struct fixture *f, struct backend *bs, enum bs_op op, uint64_t off,
	       size_t len, struct iovec *iov, int iovcnt)
{
	struct treq t;
	int calls = 0;

	treq_init(&t, &calls, op, off, iov, iovcnt);
	t.req.len = len;
	assert_int_equal(backend_submit(bs, &t.req), 0);
	assert_int_equal(calls, 0);
	assert_true(bs_cq_has_local(&f->cq));
	assert_int_equal(bs_cq_run(&f->cq), 1);
	assert_int_equal(calls, 1);
	return t.req.result;
}

/* Submit a request the store must refuse; returns submit's answer after
 * checking that nothing was queued. */
static int refused(struct fixture *f, struct backend *bs, enum bs_op op, uint64_t off,
		   size_t len, struct iovec *iov, int iovcnt)
{
	struct treq t;
	int calls = 0;
	int rc;

	treq_init(&t, &calls, op, off, iov, iovcnt);
	t.req.len = len;
	rc = backend_submit(bs, &t.req);
	assert_false(bs_cq_has_local(&f->cq));
	assert_int_equal(calls, 0);
	return rc;
}

static struct backend *open_null(struct fixture *f, uint64_t size)
{
	struct backend *bs = backend_open("null:", size, &f->cq, f->err, sizeof(f->err));

	assert_non_null(bs);
	return bs;
}

static void test_null_needs_size(void **state)
{
	struct fixture *f = *state;

	assert_null(backend_open("null:", 0, &f->cq, f->err, sizeof(f->err)));
	assert_string_equal(f->err, "null: needs a size");
}

/* Any size, even far beyond memory: nothing is allocated. A name after
 * the colon is allowed, as for mem:NAME. */
static void test_null_open(void **state)
{
	struct fixture *f = *state;
	struct backend *bs = open_null(f, 1ull << 50);

	assert_string_equal(bs->ops->name, "null");
	assert_int_equal(bs->size, 1ull << 50);
	backend_close(bs);
	bs = backend_open("null:bench", 4 * MiB, &f->cq, f->err, sizeof(f->err));
	assert_non_null(bs);
	assert_int_equal(bs->size, 4 * MiB);
	assert_int_equal(backend_set_bandwidth(bs, 100 * MiB), -EOPNOTSUPP);
	backend_close(bs);
}

/* A write is acknowledged and dropped: reading the same range afterwards
 * gives zeros over exactly req->len bytes of the iovecs, no further. */
static void test_null_write_then_read(void **state)
{
	struct fixture *f = *state;
	struct backend *bs = open_null(f, 1 * MiB);
	static uint8_t data[8192], back[8192 + 1];
	struct iovec wr[2] = { { data, 4096 }, { data + 4096, 4096 } };
	struct iovec rd[3] = { { back, 512 }, { back + 512, 3584 }, { back + 4096, 4097 } };

	memset(data, 0xab, sizeof(data));
	assert_int_equal(run(f, bs, BS_OP_WRITE, 64 * KiB, sizeof(data), wr, 2), 0);
	memset(back, 0xee, sizeof(back));
	assert_int_equal(run(f, bs, BS_OP_READ, 64 * KiB, 8192, rd, 3), 0);
	for (size_t i = 0; i < 8192; i++)
		assert_int_equal(back[i], 0);
	assert_int_equal(back[8192], 0xee);	/* past req->len: untouched */
	backend_close(bs);
}

/* FUA writes, FLUSH and UNMAP (of a range, of nothing, of the whole
 * store) all succeed; the store still reads zeros. */
static void test_null_flush_unmap(void **state)
{
	struct fixture *f = *state;
	struct backend *bs = open_null(f, 1 * MiB);
	uint8_t buf[4096];
	struct iovec io = { buf, sizeof(buf) };
	struct treq t;
	int calls = 0;

	memset(buf, 0x5c, sizeof(buf));
	treq_init(&t, &calls, BS_OP_WRITE, 0, &io, 1);	/* len: sizeof(buf) */
	t.req.fua = true;
	assert_int_equal(backend_submit(bs, &t.req), 0);
	assert_int_equal(bs_cq_run(&f->cq), 1);
	assert_int_equal(t.req.result, 0);
	assert_int_equal(run(f, bs, BS_OP_FLUSH, 0, 0, NULL, 0), 0);
	assert_int_equal(run(f, bs, BS_OP_UNMAP, 4096, 8192, NULL, 0), 0);
	assert_int_equal(run(f, bs, BS_OP_UNMAP, 0, 0, NULL, 0), 0);
	assert_int_equal(run(f, bs, BS_OP_UNMAP, 0, 1 * MiB, NULL, 0), 0);
	assert_int_equal(run(f, bs, BS_OP_READ, 0, sizeof(buf), &io, 1), 0);
	for (size_t i = 0; i < sizeof(buf); i++)
		assert_int_equal(buf[i], 0);
	backend_close(bs);
}

/* Requests past the end, iovecs shorter than len and unknown operations
 * are refused at submit, with no completion. */
static void test_null_range(void **state)
{
	struct fixture *f = *state;
	struct backend *bs = open_null(f, 64 * KiB);
	uint8_t buf[4096];
	struct iovec io = { buf, sizeof(buf) };

	assert_int_equal(refused(f, bs, BS_OP_READ, 64 * KiB - 512, 4096, &io, 1), -EINVAL);
	assert_int_equal(refused(f, bs, BS_OP_WRITE, UINT64_MAX - 100, 4096, &io, 1), -EINVAL);
	assert_int_equal(refused(f, bs, BS_OP_UNMAP, 64 * KiB - 512, 1024, NULL, 0), -EINVAL);
	assert_int_equal(refused(f, bs, BS_OP_READ, 0, 4097, &io, 1), -EINVAL);
	assert_int_equal(refused(f, bs, (enum bs_op)99, 0, 512, &io, 1), -EINVAL);
	/* The last byte is inside. */
	assert_int_equal(run(f, bs, BS_OP_READ, 64 * KiB - 4096, 4096, &io, 1), 0);
	backend_close(bs);
}

static void test_null_readonly(void **state)
{
	struct fixture *f = *state;
	struct backend *bs = backend_open_readonly("null:", 1 * MiB, &f->cq, f->err,
						   sizeof(f->err));
	uint8_t buf[512];
	struct iovec io = { buf, sizeof(buf) };

	assert_non_null(bs);
	assert_int_equal(refused(f, bs, BS_OP_WRITE, 0, 512, &io, 1), -EROFS);
	assert_int_equal(refused(f, bs, BS_OP_UNMAP, 0, 512, NULL, 0), -EROFS);
	assert_int_equal(run(f, bs, BS_OP_READ, 0, 512, &io, 1), 0);
	assert_int_equal(run(f, bs, BS_OP_FLUSH, 0, 0, NULL, 0), 0);
	backend_close(bs);
}

static void expect_hole(struct backend *bs, uint64_t off, uint64_t len)
{
	bool allocated = true;
	uint64_t extent = 0;

	assert_int_equal(backend_map(bs, off, len, &allocated, &extent), 0);
	assert_false(allocated);
	assert_int_equal(extent, len);
}

/* No byte ever holds data, so the map is one hole, also after writes. */
static void test_null_map(void **state)
{
	struct fixture *f = *state;
	uint64_t size = 64 * MiB + 512;
	struct backend *bs = open_null(f, size);
	uint8_t buf[4096];
	struct iovec io = { buf, sizeof(buf) };

	assert_non_null(bs->ops->map);
	expect_hole(bs, 0, size);
	memset(buf, 0x11, sizeof(buf));
	assert_int_equal(run(f, bs, BS_OP_WRITE, 1 * MiB, sizeof(buf), &io, 1), 0);
	expect_hole(bs, 0, size);
	expect_hole(bs, 1 * MiB, 4096);
	expect_hole(bs, size - 512, 512);
	backend_close(bs);
}

#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_null_needs_size),
		T(test_null_open),
		T(test_null_write_then_read),
		T(test_null_flush_unmap),
		T(test_null_range),
		T(test_null_readonly),
		T(test_null_map),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
