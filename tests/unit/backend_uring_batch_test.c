/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Unit tests of the io_uring store's batched submission (backend/uring.c):
 * with bs_cq_set_batch(), the requests submitted between two
 * bs_cq_flush() calls reach the kernel in one io_uring_submit, and none
 * of them before the flush; without it, each goes at once. The store's
 * counters (bs_uring_stats) tell how many submits it made.
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
#include "backend/uring_internal.h"
#include "tests/unit/backend_fixture.h"
#include "tests/unit/backend_req.h"

#define MiB (1024ull * 1024)
#define BLK 4096

static struct backend *open_uring(struct fixture *f, uint64_t size)
{
	struct backend *bs = backend_open_flags(f->path, size, &f->cq, BS_OPEN_URING,
						f->err, sizeof(f->err));

	if (bs == NULL)
		print_error("open: %s\n", f->err);
	assert_non_null(bs);
	return bs;
}

/* As an event loop that batches: flush, sleep on the eventfd, run the
 * queue, until *counter reaches @want (bounded by time). Returns how many
 * iterations (flushes) that took. */
static uint64_t loop_until(struct bs_cq *cq, int *counter, int want)
{
	double deadline = now_sec() + 30.0;
	uint64_t n = 0;

	for (; *counter < want; n++) {
		struct pollfd pfd = { .fd = cq->efd, .events = POLLIN };

		assert_true(now_sec() < deadline);
		bs_cq_flush(cq);
		if (!bs_cq_has_local(cq))
			assert_true(poll(&pfd, 1, 1000) >= 0);
		bs_cq_run(cq);
	}
	return n;
}

/* Without batching every request is submitted inside submit(). */
static void test_uring_unbatched(void **state)
{
	struct fixture *f = *state;
	struct backend *bs = open_uring(f, 1 * MiB);
	static uint8_t data[8][BLK];
	static struct iovec iov[8];
	static struct treq t[8];
	int counter = 0;

	for (int i = 0; i < 8; i++) {
		fill(data[i], BLK, (unsigned)i);
		iov[i] = (struct iovec){ data[i], BLK };
		treq_init(&t[i], &counter, BS_OP_WRITE, (uint64_t)i * BLK, &iov[i], 1);
		assert_int_equal(backend_submit(bs, &t[i].req), 0);
		assert_int_equal(bs_uring_stats(bs)->submits, (uint64_t)i + 1);
	}
	wait_for(&f->cq, &counter, 8);
	assert_int_equal(bs_uring_stats(bs)->sqes, 8);
	backend_close(bs);
}

/*
 * A burst of 32 writes under batching: nothing is submitted until the
 * flush, which submits all of them at once; a second flush has nothing
 * to do. The data lands, and a burst of reads gets it back the same way.
 * An UNMAP, which the store's worker runs, needs no flush.
 */
static void test_uring_batch_burst(void **state)
{
	enum { N = 32 };
	struct fixture *f = *state;
	struct backend *bs = open_uring(f, 1 * MiB);
	static uint8_t data[N][BLK], back[N][BLK];
	static struct iovec wr[N], rd[N];
	static struct treq t[N];
	int counter = 0;

	bs_cq_set_batch(&f->cq, true);
	for (int i = 0; i < N; i++) {
		fill(data[i], BLK, (unsigned)i + 40);
		wr[i] = (struct iovec){ data[i], BLK };
		treq_init(&t[i], &counter, BS_OP_WRITE, (uint64_t)i * BLK, &wr[i], 1);
		assert_int_equal(backend_submit(bs, &t[i].req), 0);
	}
	assert_int_equal(bs_uring_stats(bs)->submits, 0);
	bs_cq_flush(&f->cq);
	assert_int_equal(bs_uring_stats(bs)->submits, 1);
	bs_cq_flush(&f->cq);
	assert_int_equal(bs_uring_stats(bs)->submits, 1);
	loop_until(&f->cq, &counter, N);
	for (int i = 0; i < N; i++)
		assert_int_equal(t[i].req.result, 0);

	counter = 0;
	for (int i = 0; i < N; i++) {
		rd[i] = (struct iovec){ back[i], BLK };
		treq_init(&t[i], &counter, BS_OP_READ, (uint64_t)i * BLK, &rd[i], 1);
		assert_int_equal(backend_submit(bs, &t[i].req), 0);
	}
	assert_int_equal(bs_uring_stats(bs)->submits, 1);
	loop_until(&f->cq, &counter, N);
	assert_int_equal(bs_uring_stats(bs)->submits, 2);
	assert_int_equal(bs_uring_stats(bs)->sqes, 2 * N);
	for (int i = 0; i < N; i++) {
		assert_int_equal(t[i].req.result, 0);
		assert_memory_equal(back[i], data[i], BLK);
	}
	/* UNMAP runs on the store's worker, not on the ring: no flush needed. */
	assert_int_equal(do_unmap(f, bs, 0, BLK), 0);
	assert_int_equal(bs_uring_stats(bs)->submits, 2);
	bs_cq_set_batch(&f->cq, false);
	assert_int_equal(do_io(f, bs, BS_OP_READ, 0, &rd[0], 1, false), 0);
	assert_zeros(back[0], BLK);
	assert_int_equal(bs_uring_stats(bs)->submits, 3);
	backend_close(bs);
}

/*
 * More requests than the ring holds, under batching: those waiting for a
 * slot start from the reaps and go out with the next flush: at most one
 * submit per loop iteration, and every request completes. FUA writes (a
 * WRITEV, then an FSYNC) and a FLUSH take the same road.
 */
static void test_uring_batch_overflow(void **state)
{
	enum { N = 300 };
	struct fixture *f = *state;
	struct backend *bs = open_uring(f, N * BLK);
	static uint8_t data[N][BLK], back[N * BLK];
	static struct iovec iov[N];
	static struct treq t[N + 1];
	struct iovec all = { back, sizeof(back) };
	int counter = 0;
	uint64_t iters;

	bs_cq_set_batch(&f->cq, true);
	for (int i = 0; i < N; i++) {
		fill(data[i], BLK, (unsigned)i * 3);
		iov[i] = (struct iovec){ data[i], BLK };
		treq_init(&t[i], &counter, BS_OP_WRITE, (uint64_t)i * BLK, &iov[i], 1);
		t[i].req.fua = i % 10 == 0;
		assert_int_equal(backend_submit(bs, &t[i].req), 0);
	}
	treq_init(&t[N], &counter, BS_OP_FLUSH, 0, NULL, 0);
	assert_int_equal(backend_submit(bs, &t[N].req), 0);
	assert_int_equal(bs_uring_stats(bs)->submits, 0);
	assert_int_equal(bs_uring_stats(bs)->sqes, 64);	/* a slot each, the rest wait */
	bs_cq_flush(&f->cq);
	assert_int_equal(bs_uring_stats(bs)->submits, 1);
	iters = loop_until(&f->cq, &counter, N + 1);
	for (int i = 0; i <= N; i++)
		assert_int_equal(t[i].req.result, 0);
	assert_int_equal(bs_uring_stats(bs)->sqes, N + N / 10 + 1);
	assert_true(bs_uring_stats(bs)->submits <= 1 + iters);
	bs_cq_set_batch(&f->cq, false);
	assert_int_equal(do_io(f, bs, BS_OP_READ, 0, &all, 1, false), 0);
	for (int i = 0; i < N; i++)
		assert_memory_equal(back + (size_t)i * BLK, data[i], BLK);
	backend_close(bs);
}

#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_uring_unbatched),
		T(test_uring_batch_burst),
		T(test_uring_batch_overflow),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
