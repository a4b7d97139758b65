/* SPDX-License-Identifier: Apache-2.0 */
/* Unit tests of the io_uring store (backend/uring.c) through the backend interface. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <errno.h>
#include <fcntl.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "backend/backend.h"
#include "tests/unit/backend_fixture.h"
#include "tests/unit/backend_req.h"

#define MiB (1024ull * 1024)

static struct backend *open_uring(struct fixture *f, uint64_t size, unsigned flags)
{
	struct backend *bs = backend_open_flags(f->path, size, &f->cq, BS_OPEN_URING | flags,
						f->err, sizeof(f->err));

	if (bs == NULL)
		print_error("open: %s\n", f->err);
	return bs;
}

/* Scattered writes and reads at several offsets come back intact. */
static void round_trip(struct fixture *f, struct backend *bs, uint8_t *a, uint8_t *b,
		       uint8_t *back, size_t n)
{
	struct iovec wr[2] = { { a, n }, { b, n } };
	struct iovec rd[2] = { { back, 512 }, { back + 512, 2 * n - 512 } };
	const uint64_t offs[] = { 0, 512 * 7, 4 * MiB - 2 * n };

	for (size_t k = 0; k < sizeof(offs) / sizeof(offs[0]); k++) {
		fill(a, n, (unsigned)k * 2);
		fill(b, n, (unsigned)k * 2 + 1);
		assert_int_equal(do_io(f, bs, BS_OP_WRITE, offs[k], wr, 2, k == 1), 0);
		memset(back, 0xee, 2 * n);
		assert_int_equal(do_io(f, bs, BS_OP_READ, offs[k], rd, 2, false), 0);
		assert_memory_equal(back, a, n);
		assert_memory_equal(back + n, b, n);
	}
	assert_int_equal(do_io(f, bs, BS_OP_FLUSH, 0, NULL, 0, false), 0);
}

static void test_uring_round_trip(void **state)
{
	struct fixture *f = *state;
	struct backend *bs = open_uring(f, 4 * MiB, 0);
	static uint8_t a[8192], b[8192], back[16384];

	assert_non_null(bs);
	assert_string_equal(bs->ops->name, "uring");
	assert_int_equal(bs->size, 4 * MiB);
	assert_int_equal(bs->min_block, 0);
	round_trip(f, bs, a, b, back, sizeof(a));
	backend_close(bs);
}

/* O_DIRECT: aligned buffers go straight through, unaligned ones bounce,
 * an offset off the device's alignment is refused. */
static void test_uring_direct(void **state)
{
	struct fixture *f = *state;
	struct backend *bs = open_uring(f, 4 * MiB, BS_OPEN_DIRECT);
	uint8_t *mem = NULL, buf[4096];
	struct iovec iov = { buf, 512 };
	struct treq t;
	int counter = 0;

	assert_non_null(bs);
	assert_true(bs->min_block >= 512 && bs->min_block <= 4096);
	assert_int_equal(posix_memalign((void **)&mem, 4096, 4 * 8192 + 1), 0);
	round_trip(f, bs, mem, mem + 8192, mem + 16384, 8192);		/* aligned */
	round_trip(f, bs, mem + 1, mem + 8193, mem + 16385, 4096);	/* bounced */
	free(mem);
	treq_init(&t, &counter, BS_OP_READ, bs->min_block / 2, &iov, 1);
	assert_int_equal(backend_submit(bs, &t.req), -EINVAL);
	backend_close(bs);
}

/* More requests than the ring holds: they queue in the store, none is
 * lost, and every write lands. */
static void test_uring_full_ring(void **state)
{
	struct fixture *f = *state;
	enum { N = 300, BLK = 4096 };
	struct backend *bs = open_uring(f, N * BLK, 0);
	static uint8_t data[N][BLK], back[N * BLK];
	static struct iovec iov[N];
	static struct treq t[N];
	struct iovec all = { back, sizeof(back) };
	int counter = 0;

	assert_non_null(bs);
	for (int i = 0; i < N; i++) {
		fill(data[i], BLK, (unsigned)i);
		iov[i] = (struct iovec){ data[i], BLK };
		treq_init(&t[i], &counter, BS_OP_WRITE, (uint64_t)i * BLK, &iov[i], 1);
		assert_int_equal(backend_submit(bs, &t[i].req), 0);
	}
	wait_for(&f->cq, &counter, N);
	for (int i = 0; i < N; i++)
		assert_int_equal(t[i].req.result, 0);
	assert_int_equal(do_io(f, bs, BS_OP_READ, 0, &all, 1, false), 0);
	for (int i = 0; i < N; i++)
		assert_memory_equal(back + (size_t)i * BLK, data[i], BLK);
	backend_close(bs);
}

/* A read across a shrunken file's end is short; the store asks again for
 * the rest, gets end-of-file, and fills it with zeros. */
static void test_uring_short_read(void **state)
{
	struct fixture *f = *state;
	struct backend *bs = open_uring(f, 64 * 1024, 0);
	uint8_t buf[8192];

	assert_non_null(bs);
	write_shrink_read(f, bs, buf);
	for (size_t i = 0; i < 4096; i++)
		assert_int_equal(buf[i], (uint8_t)(5 + i * 7 + (i >> 9)));
	assert_zeros(buf + 4096, 4096);
	backend_close(bs);
}

/* UNMAP (on the pool) frees the blocks and reads back as zeros, also with
 * direct; map() reports the hole. */
static void unmap_case(struct fixture *f, unsigned flags)
{
	struct backend *bs = open_uring(f, 4 * MiB, flags);
	uint8_t *data = NULL;
	struct iovec iov;
	bool allocated;
	uint64_t extent;

	assert_non_null(bs);
	assert_int_equal(posix_memalign((void **)&data, 4096, 1 * MiB), 0);
	iov = (struct iovec){ data, 1 * MiB };
	fill(data, 1 * MiB, 9);
	assert_int_equal(do_io(f, bs, BS_OP_WRITE, 0, &iov, 1, false), 0);
	assert_int_equal(do_unmap(f, bs, 64 * 1024, 512 * 1024), 0);
	assert_int_equal(do_io(f, bs, BS_OP_READ, 0, &iov, 1, false), 0);
	assert_zeros(data + 64 * 1024, 512 * 1024);
	assert_int_equal(data[64 * 1024 - 1], (uint8_t)(9 + (64 * 1024 - 1) * 7 + 127));
	assert_int_equal(backend_map(bs, 64 * 1024, 512 * 1024, &allocated, &extent), 0);
	assert_false(allocated);
	free(data);
	backend_close(bs);
	unlink(f->path);
}

static void test_uring_unmap(void **state)
{
	unmap_case(*state, 0);
	unmap_case(*state, BS_OPEN_DIRECT);
}

/*
 * do_io() for a forked child, with one iovec: no cmocka assertion, for a
 * failed one would not end the child but run the rest of the suite in it,
 * and at its exit LeakSanitizer would report the store left open (the
 * 40-byte struct backend: its worker threads keep the rest reachable).
 * Returns the request's result, the submit error, or -ETIMEDOUT.
 */
static int child_io(struct fixture *f, struct backend *bs, enum bs_op op, uint64_t off,
		    struct iovec *iov)
{
	double deadline = now_sec() + 30.0;
	struct treq t;
	int counter = 0, rc;

	treq_init(&t, &counter, op, off, iov, 1);
	rc = backend_submit(bs, &t.req);
	if (rc < 0)
		return rc;
	while (counter < 1) {
		struct pollfd pfd = { .fd = f->cq.efd, .events = POLLIN };

		if (now_sec() >= deadline)
			return -ETIMEDOUT;
		if (!bs_cq_has_local(&f->cq))
			(void)poll(&pfd, 1, 1000);
		bs_cq_run(&f->cq);
	}
	return t.req.result;
}

/* A failed write reports the kernel's errno, as the file store does
 * (EFBIG: beyond RLIMIT_FSIZE; the SCSI layer maps errnos to sense). */
static void test_uring_error(void **state)
{
	struct fixture *f = *state;
	const unsigned flag_sets[] = { 0, BS_OPEN_URING };
	pid_t pid = fork();
	int status;

	assert_true(pid >= 0);
	if (pid == 0) {
		struct rlimit rl = { 64 * 1024, 64 * 1024 };
		uint8_t buf[4096] = { 1 };
		struct iovec iov = { buf, sizeof(buf) };
		int rc = 0;

		signal(SIGXFSZ, SIG_IGN);
		for (int k = 0; k < 2 && rc == 0; k++) {
			struct backend *bs = backend_open_flags(f->path, 1 * MiB, &f->cq,
								flag_sets[k], f->err,
								sizeof(f->err));
			if (k == 0)
				setrlimit(RLIMIT_FSIZE, &rl);
			if (bs == NULL)
				_exit(10);
			if (child_io(f, bs, BS_OP_WRITE, 512 * 1024, &iov) != -EFBIG)
				rc = 11 + k;
			if (child_io(f, bs, BS_OP_WRITE, 0, &iov) != 0)
				rc = 13 + k;
			backend_close(bs);
		}
		_exit(rc);
	}
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFEXITED(status));
	assert_int_equal(WEXITSTATUS(status), 0);
}

/* Where the kernel refuses io_uring (seccomp, as some container runtimes
 * set up), open fails and says why. */
static void test_uring_refused(void **state)
{
	struct fixture *f = *state;
	pid_t pid = fork();
	int status;

	assert_true(pid >= 0);
	if (pid == 0) {
		struct sock_filter code[] = {
			BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, nr)),
			BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, __NR_io_uring_setup, 0, 1),
			BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ERRNO | EPERM),
			BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
		};
		struct sock_fprog prog = { .len = 4, .filter = code };

		if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0 ||
		    prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, &prog) < 0)
			_exit(10);
		if (backend_open_flags(f->path, 1 * MiB, &f->cq, BS_OPEN_URING, f->err,
				       sizeof(f->err)) != NULL)
			_exit(11);
		if (strstr(f->err, "does not allow io_uring") == NULL)
			_exit(12);
		_exit(access(f->path, F_OK) == 0 ? 13 : 0);	/* not left behind */
	}
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFEXITED(status));
	assert_int_equal(WEXITSTATUS(status), 0);
}

static void test_uring_bad_specs(void **state)
{
	struct fixture *f = *state;

	assert_null(backend_open_flags("mem:", 1 * MiB, &f->cq, BS_OPEN_URING, f->err,
				       sizeof(f->err)));
	assert_non_null(strstr(f->err, "io=uring needs a file or block device"));
	assert_null(backend_open_flags(f->path, 1 * MiB, &f->cq, BS_OPEN_DIRECT, f->err,
				       sizeof(f->err)));
	assert_non_null(strstr(f->err, "direct needs io=uring"));
	assert_int_equal(access(f->path, F_OK), -1);
}

#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_uring_round_trip),
		T(test_uring_direct),
		T(test_uring_full_ring),
		T(test_uring_short_read),
		T(test_uring_unmap),
		T(test_uring_error),
		T(test_uring_refused),
		T(test_uring_bad_specs),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
