/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The allocation map of the backing stores (backend_map()): a mem store
 * tracks written and unmapped chunks, a file store reports the holes of a
 * sparse file (SEEK_DATA/SEEK_HOLE), and a store without a map reports
 * everything allocated.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "backend/backend.h"

#define KiB 1024ull
#define MiB (1024ull * KiB)

#include "tests/unit/backend_fixture.h"

static void req_done(struct bs_request *req)
{
	*(int *)req->priv = 1;
}

/* Run one WRITE (of 0xab bytes) or UNMAP to completion. */
static void io(struct fixture *f, struct backend *bs, enum bs_op op, uint64_t off, size_t len)
{
	struct bs_request req = { .op = op, .offset = off, .len = len, .done = req_done };
	uint8_t *buf = malloc(len ? len : 1);
	struct iovec iov = { buf, len };
	int finished = 0;

	assert_non_null(buf);
	memset(buf, 0xab, len);
	if (op == BS_OP_WRITE) {
		req.iov = &iov;
		req.iovcnt = 1;
	}
	req.priv = &finished;
	assert_int_equal(backend_submit(bs, &req), 0);
	for (int spins = 0; !finished; spins++) {
		struct pollfd pfd = { .fd = f->cq.efd, .events = POLLIN };

		assert_true(spins < 100);
		if (!bs_cq_has_local(&f->cq))
			assert_true(poll(&pfd, 1, 5000) >= 0);
		bs_cq_run(&f->cq);
	}
	assert_int_equal(req.result, 0);
	free(buf);
}

static void expect_map(struct backend *bs, uint64_t off, uint64_t len,
		       bool want_alloc, uint64_t want_extent)
{
	bool allocated = !want_alloc;
	uint64_t extent = 0;

	assert_int_equal(backend_map(bs, off, len, &allocated, &extent), 0);
	assert_int_equal(allocated, want_alloc);
	assert_int_equal(extent, want_extent);
}

static void test_mem_map(void **state)
{
	struct fixture *f = *state;
	struct backend *bs = backend_open("mem:", 64 * KiB + 512, &f->cq, f->err, sizeof(f->err));
	uint64_t size = 64 * KiB + 512;

	assert_non_null(bs);
	assert_non_null(bs->ops->map);
	/* A new store is one hole. */
	expect_map(bs, 0, size, false, size);
	expect_map(bs, 1000, 100, false, 100);
	/* A write allocates every 4 KiB chunk it touches. */
	io(f, bs, BS_OP_WRITE, 8 * KiB + 100, 10);
	expect_map(bs, 0, size, false, 8 * KiB);
	expect_map(bs, 8 * KiB, size - 8 * KiB, true, 4 * KiB);
	expect_map(bs, 9 * KiB, 1 * KiB, true, 1 * KiB);
	expect_map(bs, 12 * KiB, size - 12 * KiB, false, size - 12 * KiB);
	io(f, bs, BS_OP_WRITE, 12 * KiB, 8 * KiB);
	expect_map(bs, 8 * KiB, size - 8 * KiB, true, 12 * KiB);
	/* An UNMAP frees only the chunks it covers whole. */
	io(f, bs, BS_OP_UNMAP, 12 * KiB + 512, 8 * KiB);
	expect_map(bs, 8 * KiB, size - 8 * KiB, true, 8 * KiB);
	expect_map(bs, 16 * KiB, size - 16 * KiB, false, size - 16 * KiB);
	/* The short last chunk: written, then freed by an UNMAP to the end. */
	io(f, bs, BS_OP_WRITE, size - 1, 1);
	expect_map(bs, 64 * KiB, 512, true, 512);
	expect_map(bs, 60 * KiB, 4 * KiB + 512, false, 4 * KiB);
	io(f, bs, BS_OP_UNMAP, 64 * KiB, 512);
	expect_map(bs, 60 * KiB, 4 * KiB + 512, false, 4 * KiB + 512);
	backend_close(bs);
}

static void test_file_map(void **state)
{
	struct fixture *f = *state;
	char spec[sizeof(f->path) + 8];
	struct backend *bs;

	/* The "file:" form of the spec, as a configuration would write it. */
	snprintf(spec, sizeof(spec), "file:%s", f->path);
	bs = backend_open(spec, 4 * MiB, &f->cq, f->err, sizeof(f->err));
	bool allocated;
	uint64_t extent;

	assert_non_null(bs);
	assert_non_null(bs->ops->map);
	/* A new sparse file: one hole (unless the file system has no holes,
	 * in which case everything is data and the rest cannot be tested). */
	assert_int_equal(backend_map(bs, 0, 4 * MiB, &allocated, &extent), 0);
	if (allocated) {
		assert_int_equal(extent, 4 * MiB);
		backend_close(bs);
		skip();
	}
	assert_int_equal(extent, 4 * MiB);
	io(f, bs, BS_OP_WRITE, 1 * MiB, 64 * KiB);
	expect_map(bs, 0, 4 * MiB, false, 1 * MiB);
	expect_map(bs, 1 * MiB, 3 * MiB, true, 64 * KiB);
	expect_map(bs, 1 * MiB + 4 * KiB, 4 * KiB, true, 4 * KiB);	/* capped by len */
	expect_map(bs, 1 * MiB + 64 * KiB, 3 * MiB - 64 * KiB, false, 3 * MiB - 64 * KiB);
	/* Punching a hole in the middle of the data splits it. */
	io(f, bs, BS_OP_UNMAP, 1 * MiB + 16 * KiB, 16 * KiB);
	expect_map(bs, 1 * MiB, 3 * MiB, true, 16 * KiB);
	expect_map(bs, 1 * MiB + 16 * KiB, 3 * MiB, false, 16 * KiB);
	expect_map(bs, 1 * MiB + 32 * KiB, 3 * MiB - 32 * KiB, true, 32 * KiB);
	/* Data at the very end: the hole before it ends there. */
	io(f, bs, BS_OP_WRITE, 4 * MiB - 4 * KiB, 4 * KiB);
	expect_map(bs, 2 * MiB, 2 * MiB, false, 2 * MiB - 4 * KiB);
	expect_map(bs, 4 * MiB - 4 * KiB, 4 * KiB, true, 4 * KiB);
	backend_close(bs);
}

static int no_submit(struct backend *bs, struct bs_request *req)
{
	(void)bs; (void)req;
	return -1;
}

static void test_no_map_means_allocated(void **state)
{
	static const struct backend_ops ops = { .name = "x", .submit = no_submit };
	struct backend bs = { .ops = &ops, .size = 1 * MiB };

	(void)state;
	expect_map(&bs, 4096, 8192, true, 8192);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_mem_map, setup, teardown),
		cmocka_unit_test_setup_teardown(test_file_map, setup, teardown),
		cmocka_unit_test_setup_teardown(test_no_map_means_allocated, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
