/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Unit tests of the file store's inline reads (backend/file.c): a READ the
 * page cache holds completes on the submitting thread, through the
 * completion queue's local list; a miss, or the rest of a partial hit, goes
 * to the worker pool. Which path a read took is seen deterministically: an
 * inline completion is on the local list as soon as submit() returns, a
 * worker's never is; the store's counters say the same.
 *
 * The page cache is steered with fdatasync + POSIX_FADV_DONTNEED and
 * checked with mincore(); where the file system keeps pages regardless
 * (tmpfs), the tests that need a miss are skipped. A miss is not always
 * seen by the store, though: the RWF_NOWAIT attempt starts the readahead
 * and, on a fast (virtual) disk, may find it done before it gives up, so
 * after an eviction the tests check the data and that the counters agree
 * with the path taken, not which path it was. The paths that hand a read
 * to the workers are pinned down where the store decides alone: a cap,
 * and a short read at a shrunken file's end (a partial hit).
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "backend/backend.h"
#include "backend/file_internal.h"
#include "tests/unit/backend_fixture.h"
#include "tests/unit/backend_req.h"

#define MiB (1024ull * 1024)
#define PG 4096u

static struct backend *open_file(struct fixture *f, uint64_t size)
{
	struct backend *bs = backend_open(f->path, size, &f->cq, f->err, sizeof(f->err));

	if (bs == NULL)
		print_error("open: %s\n", f->err);
	assert_non_null(bs);
	assert_string_equal(bs->ops->name, "file");
	return bs;
}

/* Pages of [off, off+len) in the page cache, per mincore(). */
static size_t resident(const char *path, uint64_t off, size_t len)
{
	int fd = open(path, O_RDONLY);
	unsigned char vec[256];
	size_t pages = len / PG, n = 0;
	void *map;

	assert_true(fd >= 0);
	assert_true(pages <= sizeof(vec));
	map = mmap(NULL, len, PROT_READ, MAP_SHARED, fd, (off_t)off);
	assert_true(map != MAP_FAILED);
	assert_int_equal(mincore(map, len, vec), 0);
	for (size_t i = 0; i < pages; i++)
		n += vec[i] & 1;
	munmap(map, len);
	close(fd);
	return n;
}

/* Write everything back and drop the file's pages from the cache; skip the
 * test where they stay. */
static void evict(struct fixture *f, struct backend *bs, uint64_t off, size_t len)
{
	int fd = open(f->path, O_RDONLY);

	assert_true(fd >= 0);
	assert_int_equal(do_io(f, bs, BS_OP_FLUSH, 0, NULL, 0, false), 0);
	assert_int_equal(posix_fadvise(fd, 0, 0, POSIX_FADV_DONTNEED), 0);
	close(fd);
	if (resident(f->path, off, len) != 0)
		skip();		/* tmpfs and the like: always cached */
}

/* Submit a READ; returns whether it completed inline (on the local list
 * when submit() returned), after waiting for it. The store's counter of
 * inline reads must say the same. */
static bool read_path(struct fixture *f, struct backend *bs, uint64_t off,
		      struct iovec *iov, int iovcnt)
{
	uint64_t before = bs_file_stats(bs)->inline_reads;
	struct treq t;
	int counter = 0;
	bool local;

	treq_init(&t, &counter, BS_OP_READ, off, iov, iovcnt);
	assert_int_equal(backend_submit(bs, &t.req), 0);
	assert_int_equal(t.order, -1);		/* never inside submit() */
	local = bs_cq_has_local(&f->cq);
	assert_int_equal(bs_file_stats(bs)->inline_reads - before, local ? 1 : 0);
	wait_for(&f->cq, &counter, 1);
	assert_int_equal(t.req.result, 0);
	return local;
}

/* Data just written sits in the page cache: the read never leaves the
 * submitting thread, and its done() runs from bs_cq_run(). */
static void test_file_inline_cached(void **state)
{
	struct fixture *f = *state;
	struct backend *bs = open_file(f, 1 * MiB);
	static uint8_t data[16384], back[16384];
	struct iovec wr = { data, sizeof(data) }, rd = { back, sizeof(back) };
	struct treq t;
	int counter = 0;

	fill(data, sizeof(data), 3);
	assert_int_equal(do_io(f, bs, BS_OP_WRITE, 64 * 1024, &wr, 1, false), 0);
	assert_int_equal(bs_file_stats(bs)->inline_reads, 0);
	treq_init(&t, &counter, BS_OP_READ, 64 * 1024, &rd, 1);
	assert_int_equal(backend_submit(bs, &t.req), 0);
	assert_int_equal(t.order, -1);
	assert_true(bs_cq_has_local(&f->cq));
	assert_int_equal(bs_file_stats(bs)->inline_reads, 1);
	assert_int_equal(bs_cq_run(&f->cq), 1);
	assert_int_equal(t.order, 0);
	assert_int_equal(t.req.result, 0);
	assert_memory_equal(back, data, sizeof(data));
	assert_int_equal(bs_file_stats(bs)->partial_reads, 0);
	assert_int_equal(bs_file_stats(bs)->nowait_refused, 0);
	backend_close(bs);
}

/* A large read goes to a worker even when cached: its copy then runs on
 * another core than the network thread's send of the previous one (1 MiB
 * sequential reads: 2.3 GB/s instead of 1.2 here). Up to the limit, inline. */
static void test_file_inline_large(void **state)
{
	struct fixture *f = *state;
	struct backend *bs = open_file(f, 1 * MiB);
	static uint8_t data[FILE_INLINE_MAX + PG], back[FILE_INLINE_MAX + PG];
	struct iovec wr = { data, sizeof(data) }, rd = { back, sizeof(back) };
	struct iovec at_max = { back, FILE_INLINE_MAX };

	fill(data, sizeof(data), 5);
	assert_int_equal(do_io(f, bs, BS_OP_WRITE, 0, &wr, 1, false), 0);
	assert_false(read_path(f, bs, 0, &rd, 1));
	assert_int_equal(bs_file_stats(bs)->inline_reads, 0);
	assert_int_equal(bs_file_stats(bs)->partial_reads, 0);
	assert_memory_equal(back, data, sizeof(data));
	memset(back, 0, sizeof(back));
	assert_true(read_path(f, bs, 0, &at_max, 1));
	assert_memory_equal(back, data, FILE_INLINE_MAX);
	backend_close(bs);
}

/* A read of pages evicted from the cache returns the data, whichever path
 * it took; once cached, the same read is served inline. */
static void test_file_inline_miss(void **state)
{
	struct fixture *f = *state;
	struct backend *bs = open_file(f, 1 * MiB);
	static uint8_t data[8 * PG], back[8 * PG];
	struct iovec wr = { data, sizeof(data) }, rd = { back, sizeof(back) };
	uint64_t inl;

	fill(data, sizeof(data), 11);
	assert_int_equal(do_io(f, bs, BS_OP_WRITE, 32 * PG, &wr, 1, false), 0);
	evict(f, bs, 32 * PG, sizeof(data));
	(void)read_path(f, bs, 32 * PG, &rd, 1);
	assert_memory_equal(back, data, sizeof(data));
	inl = bs_file_stats(bs)->inline_reads;
	memset(back, 0, sizeof(back));
	assert_true(read_path(f, bs, 32 * PG, &rd, 1));	/* cached by now */
	assert_int_equal(bs_file_stats(bs)->inline_reads, inl + 1);
	assert_memory_equal(back, data, sizeof(data));
	backend_close(bs);
}

/* Only the first page is cached: the store copies it inline and a worker
 * reads the rest into the right place (an iovec split inside). */
static void test_file_inline_partial(void **state)
{
	struct fixture *f = *state;
	struct backend *bs = open_file(f, 1 * MiB);
	static uint8_t data[3 * PG], back[3 * PG];
	struct iovec wr = { data, sizeof(data) };
	/* Split off the page boundaries, so the rest starts inside an iovec. */
	struct iovec rd[3] = { { back, 1000 }, { back + 1000, 2 * PG },
			       { back + 1000 + 2 * PG, PG - 1000 } };
	uint8_t page[PG];
	int fd;

	fill(data, sizeof(data), 21);
	assert_int_equal(do_io(f, bs, BS_OP_WRITE, 0, &wr, 1, false), 0);
	evict(f, bs, 0, sizeof(data));
	/* Cache page 0 alone: no readahead on this descriptor. */
	fd = open(f->path, O_RDONLY);
	assert_true(fd >= 0);
	assert_int_equal(posix_fadvise(fd, 0, 0, POSIX_FADV_RANDOM), 0);
	assert_int_equal(pread(fd, page, PG, 0), PG);
	close(fd);
	if (resident(f->path, 0, sizeof(data)) != 1)
		skip();
	memset(back, 0xee, sizeof(back));
	/* Inline whole (the readahead was quick), or page 0 inline and the
	 * rest by a worker: a partial hit. */
	if (!read_path(f, bs, 0, rd, 3))
		assert_int_equal(bs_file_stats(bs)->partial_reads, 1);
	assert_memory_equal(back, data, sizeof(data));
	backend_close(bs);
}

/* A read across the end of a file shrunk under the store: the cached part
 * is copied inline, the worker finds end-of-file and fills zeros. */
static void test_file_inline_shrunk(void **state)
{
	struct fixture *f = *state;
	struct backend *bs = open_file(f, 64 * 1024);
	uint8_t buf[8192];
	struct iovec iov = { buf, sizeof(buf) };

	fill(buf, sizeof(buf), 5);
	assert_int_equal(do_io(f, bs, BS_OP_WRITE, 56 * 1024, &iov, 1, false), 0);
	assert_int_equal(truncate(f->path, 60 * 1024), 0);
	memset(buf, 0xee, sizeof(buf));
	assert_false(read_path(f, bs, 56 * 1024, &iov, 1));
	assert_int_equal(bs_file_stats(bs)->partial_reads, 1);
	for (size_t i = 0; i < 4096; i++)
		assert_int_equal(buf[i], (uint8_t)(5 + i * 7 + (i >> 9)));
	assert_zeros(buf + 4096, 4096);
	/* Wholly past the end: nothing inline, all zeros from the worker. */
	memset(buf, 0xee, sizeof(buf));
	iov.iov_len = 4096;
	assert_false(read_path(f, bs, 60 * 1024, &iov, 1));
	assert_zeros(buf, 4096);
	backend_close(bs);
}

/* A bandwidth cap is the workers' to enforce: no inline read while it is
 * set; lifting it brings them back. */
static void test_file_inline_capped(void **state)
{
	struct fixture *f = *state;
	struct backend *bs = open_file(f, 1 * MiB);
	static uint8_t data[PG], back[PG];
	struct iovec wr = { data, sizeof(data) }, rd = { back, sizeof(back) };

	fill(data, sizeof(data), 7);
	assert_int_equal(do_io(f, bs, BS_OP_WRITE, 0, &wr, 1, false), 0);
	assert_int_equal(backend_set_bandwidth(bs, 1000 * MiB), 0);
	assert_false(read_path(f, bs, 0, &rd, 1));
	assert_int_equal(bs_file_stats(bs)->inline_reads, 0);
	assert_memory_equal(back, data, sizeof(data));
	assert_int_equal(backend_set_bandwidth(bs, 0), 0);
	memset(back, 0, sizeof(back));
	assert_true(read_path(f, bs, 0, &rd, 1));
	assert_int_equal(bs_file_stats(bs)->inline_reads, 1);
	assert_memory_equal(back, data, sizeof(data));
	backend_close(bs);
}

/*
 * Integrity across both paths: 100 small iovecs in reverse order (more
 * than one preadv2 takes) read the same data inline, after an eviction
 * (mostly through the workers), and with half of it cached (mostly
 * through both); after an UNMAP, zeros.
 */
static void test_file_inline_integrity(void **state)
{
	enum { N = 100, SEG = 512 };
	struct fixture *f = *state;
	struct backend *bs = open_file(f, 1 * MiB);
	static uint8_t data[N * SEG], back[N * SEG];
	static struct iovec rd[N];
	struct iovec wr = { data, sizeof(data) };
	uint8_t page[PG];
	bool inline_path;
	int fd;

	for (int i = 0; i < N; i++)
		rd[i] = (struct iovec){ back + (size_t)(N - 1 - i) * SEG, SEG };
	fill(data, sizeof(data), 31);
	assert_int_equal(do_io(f, bs, BS_OP_WRITE, 128 * 1024, &wr, 1, false), 0);
	for (int pass = 0; pass < 3; pass++) {
		if (pass > 0)
			evict(f, bs, 128 * 1024, 12 * PG);
		if (pass == 2) {	/* the first half cached */
			fd = open(f->path, O_RDONLY);
			assert_true(fd >= 0);
			assert_int_equal(posix_fadvise(fd, 0, 0, POSIX_FADV_RANDOM), 0);
			for (unsigned p = 0; p < 6; p++)
				assert_int_equal(pread(fd, page, PG, 128 * 1024 + p * PG), PG);
			close(fd);
		}
		memset(back, 0xee, sizeof(back));
		inline_path = read_path(f, bs, 128 * 1024, rd, N);
		if (pass == 0)
			assert_true(inline_path);
		for (int i = 0; i < N; i++)
			assert_memory_equal(rd[i].iov_base, data + (size_t)i * SEG, SEG);
	}
	assert_true(bs_file_stats(bs)->inline_reads >= 1);
	/* After an UNMAP no path returns the old data. */
	assert_int_equal(do_unmap(f, bs, 128 * 1024, 4 * PG), 0);
	(void)read_path(f, bs, 128 * 1024, rd, N);
	for (int i = 0; i < (int)(4 * PG / SEG); i++)
		assert_zeros(rd[i].iov_base, SEG);
	for (int i = (int)(4 * PG / SEG); i < N; i++)
		assert_memory_equal(rd[i].iov_base, data + (size_t)i * SEG, SEG);
	backend_close(bs);
}

#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_file_inline_cached),
		T(test_file_inline_miss),
		T(test_file_inline_large),
		T(test_file_inline_partial),
		T(test_file_inline_shrunk),
		T(test_file_inline_capped),
		T(test_file_inline_integrity),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
