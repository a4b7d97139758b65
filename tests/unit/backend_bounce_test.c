/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Unit tests of the bounce-buffer cache (backend/bounce.c) and of its use
 * by the io_uring store under direct I/O: once warm, unaligned I/O
 * allocates nothing; the cache stays bounded.
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
#include "backend/bounce.h"
#include "backend/uring_internal.h"
#include "tests/unit/backend_fixture.h"
#include "tests/unit/backend_req.h"

#define MiB (1024ull * 1024)

/* A returned buffer is reused for a request it fits; the smallest fit is
 * taken; sizes are rounded up and aligned. */
static void test_bounce_reuse(void **state)
{
	struct bs_bounce_cache c;
	size_t cap1, cap2, cap3;
	void *a, *b, *p;

	(void)state;
	bs_bounce_init(&c, 4096);
	a = bs_bounce_get(&c, 5000, &cap1);
	assert_non_null(a);
	assert_int_equal((uintptr_t)a % 4096, 0);
	assert_int_equal(cap1, BS_BOUNCE_ROUND);
	b = bs_bounce_get(&c, 3 * BS_BOUNCE_ROUND + 1, &cap2);
	assert_non_null(b);
	assert_int_equal(cap2, 4 * BS_BOUNCE_ROUND);
	assert_int_equal(c.allocs, 2);
	bs_bounce_put(&c, b, cap2);
	bs_bounce_put(&c, a, cap1);
	assert_int_equal(c.n, 2);
	p = bs_bounce_get(&c, 100, &cap3);	/* the small one, not the big */
	assert_ptr_equal(p, a);
	assert_int_equal(cap3, cap1);
	bs_bounce_put(&c, p, cap3);
	p = bs_bounce_get(&c, 2 * BS_BOUNCE_ROUND, &cap3);
	assert_ptr_equal(p, b);
	assert_int_equal(c.allocs, 2);
	memset(p, 0x5a, cap3);		/* all of cap is usable */
	bs_bounce_put(&c, p, cap3);
	bs_bounce_destroy(&c);
	assert_int_equal(c.n, 0);
}

/* At most BS_BOUNCE_KEEP buffers are kept, none larger than
 * BS_BOUNCE_KEEP_MAX; beyond that they are allocated and freed. */
static void test_bounce_bounded(void **state)
{
	enum { N = BS_BOUNCE_KEEP + 4 };
	struct bs_bounce_cache c;
	void *p[N], *big;
	size_t cap[N], bigcap;

	(void)state;
	bs_bounce_init(&c, 512);
	for (int i = 0; i < N; i++) {
		p[i] = bs_bounce_get(&c, 4096, &cap[i]);
		assert_non_null(p[i]);
	}
	assert_int_equal(c.allocs, N);
	for (int i = 0; i < N; i++)
		bs_bounce_put(&c, p[i], cap[i]);
	assert_int_equal(c.n, BS_BOUNCE_KEEP);
	big = bs_bounce_get(&c, BS_BOUNCE_KEEP_MAX + 1, &bigcap);
	assert_non_null(big);
	assert_true(bigcap > BS_BOUNCE_KEEP_MAX);
	assert_int_equal(c.allocs, N + 1);
	bs_bounce_put(&c, big, bigcap);		/* too big to keep: freed */
	assert_int_equal(c.n, BS_BOUNCE_KEEP);
	for (int i = 0; i < BS_BOUNCE_KEEP; i++) {
		p[i] = bs_bounce_get(&c, 4096, &cap[i]);
		assert_non_null(p[i]);
	}
	assert_int_equal(c.allocs, N + 1);	/* all from the cache */
	assert_int_equal(c.n, 0);
	for (int i = 0; i < BS_BOUNCE_KEEP; i++)
		bs_bounce_put(&c, p[i], cap[i]);
	bs_bounce_destroy(&c);
}

/* A tiny alignment still gives posix_memalign a valid one. */
static void test_bounce_small_align(void **state)
{
	struct bs_bounce_cache c;
	size_t cap;
	void *p;

	(void)state;
	bs_bounce_init(&c, 1);
	p = bs_bounce_get(&c, 10, &cap);
	assert_non_null(p);
	bs_bounce_put(&c, p, cap);
	bs_bounce_destroy(&c);
}

/*
 * io_uring with O_DIRECT and unaligned buffers: the first requests
 * allocate their bounce buffers, later ones of the same sizes reuse them;
 * a burst of more requests than the cache keeps allocates the excess and
 * leaves the cache at its bound. The data survives every round.
 */
static void test_uring_bounce_reused(void **state)
{
	enum { N = 20, BLK = 8192 };
	struct fixture *f = *state;
	struct backend *bs = backend_open_flags(f->path, 4 * MiB, &f->cq,
						BS_OPEN_URING | BS_OPEN_DIRECT,
						f->err, sizeof(f->err));
	static uint8_t mem[N * BLK + 1], back[N * BLK + 1];
	static struct iovec iov[N];
	static struct treq t[N];
	uint8_t *data = mem + 1, *rd = back + 1;	/* never aligned */
	struct iovec one = { data, BLK }, rone = { rd, BLK };
	uint64_t allocs;
	int counter = 0;

	if (bs == NULL)
		print_error("open: %s\n", f->err);
	assert_non_null(bs);
	if (bs->min_block > BLK)
		skip();
	fill(data, sizeof(mem) - 1, 3);
	assert_int_equal(do_io(f, bs, BS_OP_WRITE, 0, &one, 1, false), 0);
	assert_int_equal(bs_uring_stats(bs)->bounce_allocs, 1);
	assert_int_equal(bs_uring_stats(bs)->bounce_cached, 1);
	for (int k = 0; k < 5; k++) {
		assert_int_equal(do_io(f, bs, BS_OP_WRITE, (uint64_t)k * BLK, &one, 1, false), 0);
		memset(rd, 0, BLK);
		assert_int_equal(do_io(f, bs, BS_OP_READ, (uint64_t)k * BLK, &rone, 1, false), 0);
		assert_memory_equal(rd, data, BLK);
	}
	assert_int_equal(bs_uring_stats(bs)->bounce_allocs, 1);
	/* N at once: one buffer each while in flight. */
	for (int i = 0; i < N; i++) {
		iov[i] = (struct iovec){ data + (size_t)i * BLK, BLK };
		treq_init(&t[i], &counter, BS_OP_WRITE, (uint64_t)i * BLK, &iov[i], 1);
		assert_int_equal(backend_submit(bs, &t[i].req), 0);
	}
	wait_for(&f->cq, &counter, N);
	for (int i = 0; i < N; i++)
		assert_int_equal(t[i].req.result, 0);
	allocs = bs_uring_stats(bs)->bounce_allocs;
	assert_true(allocs >= N - BS_BOUNCE_KEEP + 1 && allocs <= N);
	assert_int_equal(bs_uring_stats(bs)->bounce_cached, BS_BOUNCE_KEEP);
	/* One read of all of it: a buffer bigger than any cached one. */
	one = (struct iovec){ rd, (size_t)N * BLK };
	memset(rd, 0, (size_t)N * BLK);
	assert_int_equal(do_io(f, bs, BS_OP_READ, 0, &one, 1, false), 0);
	assert_memory_equal(rd, data, (size_t)N * BLK);
	assert_int_equal(bs_uring_stats(bs)->bounce_allocs, allocs + 1);
	backend_close(bs);
}

/* Buffered (not direct) io_uring never bounces. */
static void test_uring_no_bounce_buffered(void **state)
{
	struct fixture *f = *state;
	struct backend *bs = backend_open_flags(f->path, 1 * MiB, &f->cq, BS_OPEN_URING,
						f->err, sizeof(f->err));
	static uint8_t mem[4097];
	struct iovec iov = { mem + 1, 4096 };

	assert_non_null(bs);
	assert_int_equal(do_io(f, bs, BS_OP_WRITE, 0, &iov, 1, false), 0);
	assert_int_equal(do_unmap(f, bs, 0, 4096), 0);
	assert_int_equal(do_io(f, bs, BS_OP_READ, 0, &iov, 1, false), 0);
	assert_zeros(mem + 1, 4096);
	assert_int_equal(bs_uring_stats(bs)->bounce_allocs, 0);
	backend_close(bs);
}

#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_bounce_reuse),
		cmocka_unit_test(test_bounce_bounded),
		cmocka_unit_test(test_bounce_small_align),
		T(test_uring_bounce_reused),
		T(test_uring_no_bounce_buffered),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
