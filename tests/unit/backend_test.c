/* SPDX-License-Identifier: Apache-2.0 */
/* Unit tests for the completion queue and the mem and file backing stores. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "backend/backend.h"

#define MiB (1024ull * 1024)
#define GiB (1024ull * MiB)

/* ---- fixtures ----------------------------------------------------------- */

#include "tests/unit/backend_fixture.h"

#include "tests/unit/backend_req.h"

/* ---- completion queue --------------------------------------------------- */

static void test_cq_local_order(void **state)
{
	struct fixture *f = *state;
	struct treq t[3];
	int counter = 0;
	struct pollfd pfd = { .fd = f->cq.efd, .events = POLLIN };

	for (int i = 0; i < 3; i++)
		treq_init(&t[i], &counter, BS_OP_FLUSH, 0, NULL, 0);
	assert_false(bs_cq_has_local(&f->cq));
	bs_cq_push_local(&f->cq, &t[2].req);
	bs_cq_push_local(&f->cq, &t[0].req);
	bs_cq_push_local(&f->cq, &t[1].req);
	assert_true(bs_cq_has_local(&f->cq));
	/* Local pushes make no syscall, so the eventfd stays quiet. */
	assert_int_equal(poll(&pfd, 1, 0), 0);
	assert_int_equal(bs_cq_run(&f->cq), 3);
	assert_int_equal(t[2].order, 0);
	assert_int_equal(t[0].order, 1);
	assert_int_equal(t[1].order, 2);
	assert_false(bs_cq_has_local(&f->cq));
	assert_int_equal(bs_cq_run(&f->cq), 0);
}

struct pusher {
	struct bs_cq *cq;
	struct treq *reqs;
	int n;
};

static void *push_thread(void *arg)
{
	struct pusher *p = arg;

	usleep(20 * 1000);	/* let the main thread reach poll() first */
	for (int i = 0; i < p->n; i++)
		bs_cq_push(p->cq, &p->reqs[i].req);
	return NULL;
}

static void test_cq_cross_thread_wake(void **state)
{
	struct fixture *f = *state;
	struct treq t[4];
	int counter = 0;
	struct pusher p = { .cq = &f->cq, .reqs = t, .n = 4 };
	struct pollfd pfd = { .fd = f->cq.efd, .events = POLLIN };
	pthread_t th;

	for (int i = 0; i < 4; i++)
		treq_init(&t[i], &counter, BS_OP_FLUSH, 0, NULL, 0);
	assert_int_equal(pthread_create(&th, NULL, push_thread, &p), 0);
	assert_int_equal(poll(&pfd, 1, 5000), 1);
	assert_true(pfd.revents & POLLIN);
	pthread_join(th, NULL);
	assert_false(bs_cq_has_local(&f->cq));
	assert_int_equal(bs_cq_run(&f->cq), 4);
	for (int i = 0; i < 4; i++)
		assert_int_equal(t[i].order, i);
	/* The counter was drained: nothing wakes the loop any more. */
	assert_int_equal(poll(&pfd, 1, 0), 0);
}

/* With bs_cq_set_acked(), bs_cq_run() leaves the eventfd to the owner's
 * bs_cq_ack(): the wake-up stays readable until acked, and a push after
 * the run (the list empty again) signals anew. */
static void test_cq_acked(void **state)
{
	struct fixture *f = *state;
	struct treq t[3];
	int counter = 0;
	struct pollfd pfd = { .fd = f->cq.efd, .events = POLLIN };

	for (int i = 0; i < 3; i++)
		treq_init(&t[i], &counter, BS_OP_FLUSH, 0, NULL, 0);
	bs_cq_set_acked(&f->cq, true);
	bs_cq_push(&f->cq, &t[0].req);
	bs_cq_push(&f->cq, &t[1].req);	/* the list was not empty: no second signal */
	assert_int_equal(poll(&pfd, 1, 0), 1);
	assert_int_equal(bs_cq_run(&f->cq), 2);
	assert_int_equal(poll(&pfd, 1, 0), 1);	/* not read by the run */
	bs_cq_ack(&f->cq);
	assert_int_equal(poll(&pfd, 1, 0), 0);
	assert_int_equal(bs_cq_run(&f->cq), 0);
	bs_cq_push(&f->cq, &t[2].req);
	assert_int_equal(poll(&pfd, 1, 0), 1);	/* signalled again */
	bs_cq_ack(&f->cq);
	assert_int_equal(bs_cq_run(&f->cq), 1);
	assert_int_equal(t[2].order, 2);
	assert_int_equal(poll(&pfd, 1, 0), 0);
}

static void test_cq_mixed(void **state)
{
	struct fixture *f = *state;
	struct treq t[2];
	int counter = 0;

	treq_init(&t[0], &counter, BS_OP_FLUSH, 0, NULL, 0);
	treq_init(&t[1], &counter, BS_OP_FLUSH, 0, NULL, 0);
	bs_cq_push(&f->cq, &t[0].req);
	bs_cq_push_local(&f->cq, &t[1].req);
	assert_int_equal(bs_cq_run(&f->cq), 2);
	assert_true(t[0].order >= 0 && t[1].order >= 0);
}

/* ---- spec parsing ------------------------------------------------------- */

static void test_bad_spec(void **state)
{
	struct fixture *f = *state;

	assert_null(backend_open("", 4096, &f->cq, f->err, sizeof(f->err)));
	assert_string_equal(f->err, "empty backing store spec");
	assert_null(backend_open("file:", 4096, &f->cq, f->err, sizeof(f->err)));
	assert_string_equal(f->err, "file:: missing file path");
	assert_null(backend_open("rbd:pool/img", 4096, &f->cq, f->err, sizeof(f->err)));
	assert_non_null(strstr(f->err, "unknown store type \"rbd\""));
	assert_null(backend_open("mem:", 0, &f->cq, f->err, sizeof(f->err)));
	assert_string_equal(f->err, "mem: needs a size");
}

/* ---- mem ---------------------------------------------------------------- */

static void test_mem_round_trip(void **state)
{
	struct fixture *f = *state;
	struct backend *bs = backend_open("mem:scratch", 1 * MiB, &f->cq,
					  f->err, sizeof(f->err));
	uint8_t a[1000], b[3096], back[4096];
	struct iovec wr[2] = { { a, sizeof(a) }, { b, sizeof(b) } };
	struct iovec rd[1] = { { back, sizeof(back) } };
	struct treq t;
	int counter = 0;

	assert_non_null(bs);
	assert_string_equal(bs->ops->name, "mem");
	assert_int_equal(bs->size, 1 * MiB);
	fill(a, sizeof(a), 1);
	fill(b, sizeof(b), 2);

	treq_init(&t, &counter, BS_OP_WRITE, 8192, wr, 2);
	assert_int_equal(backend_submit(bs, &t.req), 0);
	assert_int_equal(t.order, -1);	/* never completed inside submit */
	assert_true(bs_cq_has_local(&f->cq));
	assert_int_equal(bs_cq_run(&f->cq), 1);
	assert_int_equal(t.req.result, 0);

	assert_int_equal(do_io(f, bs, BS_OP_READ, 8192, rd, 1, false), 0);
	assert_memory_equal(back, a, sizeof(a));
	assert_memory_equal(back + sizeof(a), b, sizeof(b));
	/* Unwritten space reads as zeros. */
	assert_int_equal(do_io(f, bs, BS_OP_READ, 1 * MiB - 4096, rd, 1, false), 0);
	for (size_t i = 0; i < sizeof(back); i++)
		assert_int_equal(back[i], 0);
	assert_int_equal(do_io(f, bs, BS_OP_FLUSH, 0, NULL, 0, false), 0);
	backend_close(bs);
}

static void test_mem_out_of_range(void **state)
{
	struct fixture *f = *state;
	struct backend *bs = backend_open("mem:", 64 * 1024, &f->cq, f->err, sizeof(f->err));
	uint8_t buf[4096];
	struct iovec iov = { buf, sizeof(buf) };
	struct treq t;
	int counter = 0;

	assert_non_null(bs);
	treq_init(&t, &counter, BS_OP_READ, 64 * 1024 - 512, &iov, 1);
	assert_int_equal(backend_submit(bs, &t.req), -EINVAL);
	treq_init(&t, &counter, BS_OP_READ, UINT64_MAX - 100, &iov, 1);
	assert_int_equal(backend_submit(bs, &t.req), -EINVAL);
	/* iovecs shorter than len */
	treq_init(&t, &counter, BS_OP_WRITE, 0, &iov, 1);
	t.req.len = sizeof(buf) + 1;
	assert_int_equal(backend_submit(bs, &t.req), -EINVAL);
	assert_false(bs_cq_has_local(&f->cq));
	assert_int_equal(counter, 0);
	backend_close(bs);
}

/* UNMAP zeroes exactly its range; a range past the end is refused. */
static void test_mem_unmap(void **state)
{
	struct fixture *f = *state;
	struct backend *bs = backend_open("mem:", 64 * 1024, &f->cq, f->err, sizeof(f->err));
	static uint8_t data[16384], back[16384];
	struct iovec wr = { data, sizeof(data) }, rd = { back, sizeof(back) };
	struct treq t;
	int counter = 0;

	assert_non_null(bs);
	fill(data, sizeof(data), 9);
	assert_int_equal(do_io(f, bs, BS_OP_WRITE, 4096, &wr, 1, false), 0);
	assert_int_equal(do_unmap(f, bs, 4096 + 512, 1024), 0);
	assert_int_equal(do_unmap(f, bs, 0, 0), 0);
	assert_int_equal(do_io(f, bs, BS_OP_READ, 4096, &rd, 1, false), 0);
	assert_memory_equal(back, data, 512);
	assert_zeros(back + 512, 1024);
	assert_memory_equal(back + 1536, data + 1536, sizeof(data) - 1536);
	treq_init(&t, &counter, BS_OP_UNMAP, 64 * 1024 - 512, NULL, 0);
	t.req.len = 1024;
	assert_int_equal(backend_submit(bs, &t.req), -EINVAL);
	backend_close(bs);
}

/* ---- file --------------------------------------------------------------- */

static struct backend *open_file(struct fixture *f, uint64_t size)
{
	return backend_open(f->path, size, &f->cq, f->err, sizeof(f->err));
}

static void test_file_create_sparse(void **state)
{
	struct fixture *f = *state;
	struct backend *bs = open_file(f, 1 * GiB);
	struct stat st;

	assert_non_null(bs);
	assert_string_equal(bs->ops->name, "file");
	assert_int_equal(bs->size, 1 * GiB);
	assert_int_equal(stat(f->path, &st), 0);
	assert_int_equal(st.st_size, 1 * GiB);
	assert_true(st.st_blocks < 64);	/* a hole, not a gigabyte of zeros */
	assert_int_equal(st.st_mode & 077, 0);
	backend_close(bs);
}

static void test_file_round_trip(void **state)
{
	struct fixture *f = *state;
	char spec[160];
	struct backend *bs;
	uint8_t a[512], b[1536], c[2048], back[4096];
	struct iovec wr[3] = { { a, sizeof(a) }, { b, sizeof(b) }, { c, sizeof(c) } };
	struct iovec rd[2] = { { back, 100 }, { back + 100, sizeof(back) - 100 } };
	const uint64_t offs[] = { 0, 512 * 7, 4 * MiB - 4096 };

	snprintf(spec, sizeof(spec), "file:%s", f->path);
	bs = backend_open(spec, 4 * MiB, &f->cq, f->err, sizeof(f->err));
	assert_non_null(bs);
	for (size_t k = 0; k < sizeof(offs) / sizeof(offs[0]); k++) {
		fill(a, sizeof(a), (unsigned)k * 3);
		fill(b, sizeof(b), (unsigned)k * 3 + 1);
		fill(c, sizeof(c), (unsigned)k * 3 + 2);
		assert_int_equal(do_io(f, bs, BS_OP_WRITE, offs[k], wr, 3, false), 0);
		memset(back, 0xee, sizeof(back));
		assert_int_equal(do_io(f, bs, BS_OP_READ, offs[k], rd, 2, false), 0);
		assert_memory_equal(back, a, sizeof(a));
		assert_memory_equal(back + 512, b, sizeof(b));
		assert_memory_equal(back + 2048, c, sizeof(c));
	}
	backend_close(bs);
}

static blkcnt_t blocks_of(const char *path)
{
	struct stat st;

	assert_int_equal(stat(path, &st), 0);
	return st.st_blocks;
}

/* UNMAP punches a hole: the file's blocks are freed and the range reads
 * back as zeros, while the data around it (even inside the same file
 * system block) stays. */
static void test_file_unmap(void **state)
{
	struct fixture *f = *state;
	struct backend *bs = open_file(f, 4 * MiB);
	static uint8_t data[1 * MiB], back[1 * MiB];
	struct iovec wr = { data, sizeof(data) }, rd = { back, sizeof(back) };
	blkcnt_t before;

	assert_non_null(bs);
	fill(data, sizeof(data), 5);
	assert_int_equal(do_io(f, bs, BS_OP_WRITE, 1 * MiB, &wr, 1, false), 0);
	assert_int_equal(do_io(f, bs, BS_OP_FLUSH, 0, NULL, 0, false), 0);
	before = blocks_of(f->path);
	assert_true(before >= (blkcnt_t)(1 * MiB / 512));

	assert_int_equal(do_unmap(f, bs, 1 * MiB + 64 * 1024, 512 * 1024), 0);
	assert_true(blocks_of(f->path) <= before - (blkcnt_t)(500 * 1024 / 512));
	assert_int_equal(do_unmap(f, bs, 1 * MiB + 1024, 512), 0);	/* inside a block */
	assert_int_equal(do_io(f, bs, BS_OP_READ, 1 * MiB, &rd, 1, false), 0);
	assert_memory_equal(back, data, 1024);
	assert_zeros(back + 1024, 512);
	assert_memory_equal(back + 1536, data + 1536, 64 * 1024 - 1536);
	assert_zeros(back + 64 * 1024, 512 * 1024);
	assert_memory_equal(back + 576 * 1024, data + 576 * 1024, sizeof(data) - 576 * 1024);
	assert_int_equal(do_unmap(f, bs, 4 * MiB, 0), 0);
	backend_close(bs);
}

/* More iovecs than one preadv/pwritev batch takes. */
static void test_file_many_iovecs(void **state)
{
	struct fixture *f = *state;
	struct backend *bs = open_file(f, 1 * MiB);
	enum { N = 200, SEG = 100 };
	static uint8_t src[N * SEG], dst[N * SEG];
	struct iovec wr[N], rd[N];

	assert_non_null(bs);
	fill(src, sizeof(src), 9);
	for (int i = 0; i < N; i++) {
		wr[i] = (struct iovec){ src + i * SEG, SEG };
		rd[i] = (struct iovec){ dst + i * SEG, SEG };
	}
	assert_int_equal(do_io(f, bs, BS_OP_WRITE, 3000, wr, N, false), 0);
	assert_int_equal(do_io(f, bs, BS_OP_READ, 3000, rd, N, false), 0);
	assert_memory_equal(src, dst, sizeof(src));
	backend_close(bs);
}

static void test_file_read_past_eof(void **state)
{
	struct fixture *f = *state;
	struct backend *bs = open_file(f, 64 * 1024);
	uint8_t buf[8192];

	assert_non_null(bs);
	write_shrink_read(f, bs, buf);
	for (size_t i = 4096; i < sizeof(buf); i++)
		assert_int_equal(buf[i], 0);
	backend_close(bs);
}

static void test_file_fua_and_flush(void **state)
{
	struct fixture *f = *state;
	struct backend *bs = open_file(f, 1 * MiB);
	uint8_t buf[4096], back[4096];
	struct iovec iov = { buf, sizeof(buf) }, riov = { back, sizeof(back) };
	struct treq t[3];
	int counter = 0;

	assert_non_null(bs);
	fill(buf, sizeof(buf), 3);
	assert_int_equal(do_io(f, bs, BS_OP_WRITE, 0, &iov, 1, true), 0);
	assert_int_equal(do_io(f, bs, BS_OP_FLUSH, 0, NULL, 0, false), 0);
	/* Several in flight at once, spread over the worker pool. */
	treq_init(&t[0], &counter, BS_OP_WRITE, 4096, &iov, 1);
	t[0].req.fua = true;
	treq_init(&t[1], &counter, BS_OP_FLUSH, 0, NULL, 0);
	treq_init(&t[2], &counter, BS_OP_READ, 0, &riov, 1);
	for (int i = 0; i < 3; i++)
		assert_int_equal(backend_submit(bs, &t[i].req), 0);
	wait_for(&f->cq, &counter, 3);
	for (int i = 0; i < 3; i++)
		assert_int_equal(t[i].req.result, 0);
	backend_close(bs);
}

static void test_file_reopen_keeps_size(void **state)
{
	struct fixture *f = *state;
	struct backend *bs = open_file(f, 4 * MiB);
	uint8_t buf[512], back[512];
	struct iovec iov = { buf, sizeof(buf) }, riov = { back, sizeof(back) };

	assert_non_null(bs);
	fill(buf, sizeof(buf), 11);
	assert_int_equal(do_io(f, bs, BS_OP_WRITE, 1 * MiB, &iov, 1, false), 0);
	backend_close(bs);

	bs = open_file(f, 0);
	assert_non_null(bs);
	assert_int_equal(bs->size, 4 * MiB);
	assert_int_equal(do_io(f, bs, BS_OP_READ, 1 * MiB, &riov, 1, false), 0);
	assert_memory_equal(buf, back, sizeof(buf));
	backend_close(bs);

	/* The same size again is fine too. */
	bs = open_file(f, 4 * MiB);
	assert_non_null(bs);
	backend_close(bs);
}

static void test_file_larger_size_grows(void **state)
{
	struct fixture *f = *state;
	struct backend *bs = open_file(f, 4 * MiB);
	uint8_t buf[512], back[512];
	struct iovec iov = { buf, sizeof(buf) }, riov = { back, sizeof(back) };
	struct stat st;

	assert_non_null(bs);
	fill(buf, sizeof(buf), 12);
	assert_int_equal(do_io(f, bs, BS_OP_WRITE, 4 * MiB - 512, &iov, 1, false), 0);
	backend_close(bs);

	bs = open_file(f, 8 * MiB);
	assert_non_null(bs);
	assert_int_equal(bs->size, 8 * MiB);
	assert_int_equal(stat(f->path, &st), 0);
	assert_int_equal(st.st_size, 8 * MiB);
	assert_int_equal(do_io(f, bs, BS_OP_READ, 4 * MiB - 512, &riov, 1, false), 0);
	assert_memory_equal(buf, back, sizeof(buf));
	backend_close(bs);
}

static void test_file_smaller_size_refused(void **state)
{
	struct fixture *f = *state;
	struct backend *bs = open_file(f, 4 * MiB);
	struct stat st;

	assert_non_null(bs);
	backend_close(bs);
	assert_null(open_file(f, 1 * MiB));
	assert_non_null(strstr(f->err, "refusing to truncate"));
	assert_non_null(strstr(f->err, "4194304"));
	assert_int_equal(stat(f->path, &st), 0);
	assert_int_equal(st.st_size, 4 * MiB);
}

static void test_file_missing_dir(void **state)
{
	struct fixture *f = *state;
	char path[160], want[256];

	snprintf(path, sizeof(path), "%s/nodir/disk.img", f->dir);
	assert_null(backend_open(path, 1 * MiB, &f->cq, f->err, sizeof(f->err)));
	snprintf(want, sizeof(want), "open %s: No such file or directory", path);
	assert_string_equal(f->err, want);
}

static void test_file_missing_no_size(void **state)
{
	struct fixture *f = *state;
	char want[256];
	struct stat st;

	assert_null(open_file(f, 0));
	snprintf(want, sizeof(want),
		 "open %s: No such file or directory (give a size to create it)", f->path);
	assert_string_equal(f->err, want);
	assert_int_equal(stat(f->path, &st), -1);
}

static void test_file_not_a_disk(void **state)
{
	struct fixture *f = *state;

	assert_null(backend_open("/dev/null", 0, &f->cq, f->err, sizeof(f->err)));
	assert_string_equal(f->err, "/dev/null: not a regular file or block device");
	assert_null(backend_open(f->dir, 0, &f->cq, f->err, sizeof(f->err)));
	assert_non_null(strstr(f->err, "Is a directory"));
}

static void test_file_empty_no_size(void **state)
{
	struct fixture *f = *state;
	int fd = open(f->path, O_CREAT | O_WRONLY, 0600);

	assert_true(fd >= 0);
	close(fd);
	assert_null(open_file(f, 0));
	assert_non_null(strstr(f->err, "file is empty"));
}

/* Open as an unprivileged user; returns 0 when the expected error came back. */
static int open_denied_as_nobody(struct fixture *f, const char *want)
{
	pid_t pid = fork();
	int status;

	if (pid == 0) {
		/* In the child cmocka's asserts cannot report: exit with a verdict. */
		if (setgid(65534) != 0 || setuid(65534) != 0)
			_exit(2);
		if (open_file(f, 1 * MiB) != NULL)
			_exit(3);
		_exit(strcmp(f->err, want) == 0 ? 0 : 4);
	}
	if (pid < 0 || waitpid(pid, &status, 0) != pid || !WIFEXITED(status))
		return -1;
	return WEXITSTATUS(status);
}

static void test_file_permission_denied(void **state)
{
	struct fixture *f = *state;
	char want[256];
	int fd;

	fd = open(f->path, O_CREAT | O_WRONLY, 0400);
	assert_true(fd >= 0);
	close(fd);
	snprintf(want, sizeof(want), "open %s: Permission denied", f->path);
	if (geteuid() == 0) {
		/* root opens anything: try again as nobody. */
		assert_int_equal(open_denied_as_nobody(f, want), 0);
		return;
	}
	assert_null(open_file(f, 1 * MiB));
	assert_string_equal(f->err, want);
}

/* ---- read-only stores --------------------------------------------------- */

static struct backend *open_file_ro(struct fixture *f, uint64_t size)
{
	return backend_open_readonly(f->path, size, &f->cq, f->err, sizeof(f->err));
}

/* The access mode of this process's descriptor for @path, from
 * /proc/self/fdinfo; -1 when no descriptor is open on it. */
static int open_mode_of(const char *path)
{
	char link[64], target[256], line[128];
	int mode = -1;

	for (int fd = 0; fd < 1024 && mode < 0; fd++) {
		ssize_t n;
		FILE *fi;

		snprintf(link, sizeof(link), "/proc/self/fd/%d", fd);
		n = readlink(link, target, sizeof(target) - 1);
		if (n < 0)
			continue;
		target[n] = '\0';
		if (strcmp(target, path) != 0)
			continue;
		snprintf(link, sizeof(link), "/proc/self/fdinfo/%d", fd);
		fi = fopen(link, "r");
		assert_non_null(fi);
		while (fgets(line, sizeof(line), fi)) {
			unsigned long flags;

			if (sscanf(line, "flags: %lo", &flags) == 1)
				mode = (int)(flags & O_ACCMODE);
		}
		fclose(fi);
	}
	return mode;
}

/* Submit a request the store must refuse at once; returns the error. */
static int refused(struct backend *bs, enum bs_op op, uint64_t off, struct iovec *iov)
{
	struct treq t;
	int counter = 0;

	treq_init(&t, &counter, op, off, iov, iov ? 1 : 0);
	if (!iov)
		t.req.len = 512;
	return backend_submit(bs, &t.req);
}

static void test_file_readonly(void **state)
{
	struct fixture *f = *state;
	uint8_t data[4096], back[4096];
	struct iovec wr = { data, sizeof(data) }, rd = { back, sizeof(back) };
	struct backend *bs = open_file(f, 1 * MiB);

	assert_non_null(bs);
	fill(data, sizeof(data), 9);
	assert_int_equal(do_io(f, bs, BS_OP_WRITE, 8192, &wr, 1, true), 0);
	assert_int_equal(open_mode_of(f->path), O_RDWR);
	backend_close(bs);

	bs = open_file_ro(f, 0);
	assert_non_null(bs);
	assert_true(bs->readonly);
	assert_int_equal(bs->size, 1 * MiB);
	assert_int_equal(open_mode_of(f->path), O_RDONLY);
	assert_int_equal(do_io(f, bs, BS_OP_READ, 8192, &rd, 1, false), 0);
	assert_memory_equal(back, data, sizeof(data));
	assert_int_equal(refused(bs, BS_OP_WRITE, 0, &wr), -EROFS);
	assert_int_equal(refused(bs, BS_OP_UNMAP, 0, NULL), -EROFS);
	assert_int_equal(do_io(f, bs, BS_OP_FLUSH, 0, NULL, 0, false), 0);
	backend_close(bs);
	assert_int_equal(open_mode_of(f->path), -1);

	/* The requested size may not exceed the file: it is not grown. */
	assert_null(open_file_ro(f, 2 * MiB));
	assert_non_null(strstr(f->err, "not grown"));
	assert_non_null(bs = open_file_ro(f, 1 * MiB));
	backend_close(bs);
}

static void test_file_readonly_not_created(void **state)
{
	struct fixture *f = *state;

	assert_null(open_file_ro(f, 1 * MiB));
	assert_non_null(strstr(f->err, "must exist"));
	assert_int_equal(access(f->path, F_OK), -1);
}

/* A file its user may only read: read-write open is refused, read-only
 * works. Root ignores file modes, so the check runs as nobody. */
static void test_file_readonly_permissions(void **state)
{
	struct fixture *f = *state;
	pid_t pid;
	int fd, status;

	fd = open(f->path, O_CREAT | O_WRONLY, 0444);
	assert_true(fd >= 0);
	assert_int_equal(ftruncate(fd, 1 * MiB), 0);
	close(fd);
	assert_int_equal(chmod(f->path, 0444), 0);
	if (geteuid() != 0) {
		struct backend *bs;

		assert_null(open_file(f, 0));
		assert_non_null(bs = open_file_ro(f, 0));
		backend_close(bs);
		return;
	}
	assert_int_equal(chmod(f->dir, 0755), 0);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		struct backend *bs;

		if (setgid(65534) != 0 || setuid(65534) != 0)
			_exit(2);
		if (open_file(f, 0) != NULL || strstr(f->err, "Permission denied") == NULL)
			_exit(3);
		bs = open_file_ro(f, 0);
		if (bs == NULL || bs->size != 1 * MiB)
			_exit(4);
		backend_close(bs);
		_exit(0);
	}
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFEXITED(status));
	assert_int_equal(WEXITSTATUS(status), 0);
}

static void test_mem_readonly(void **state)
{
	struct fixture *f = *state;
	uint8_t buf[512] = { 0 };
	struct iovec io = { buf, sizeof(buf) };
	struct backend *bs = backend_open_readonly("mem:", 1 * MiB, &f->cq, f->err, sizeof(f->err));

	assert_non_null(bs);
	assert_int_equal(refused(bs, BS_OP_WRITE, 0, &io), -EROFS);
	assert_int_equal(do_io(f, bs, BS_OP_READ, 0, &io, 1, false), 0);
	backend_close(bs);
}

#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_cq_local_order),
		T(test_cq_cross_thread_wake),
		T(test_cq_mixed),
		T(test_cq_acked),
		T(test_bad_spec),
		T(test_mem_round_trip),
		T(test_mem_out_of_range),
		T(test_mem_unmap),
		T(test_file_create_sparse),
		T(test_file_round_trip),
		T(test_file_unmap),
		T(test_file_many_iovecs),
		T(test_file_read_past_eof),
		T(test_file_fua_and_flush),
		T(test_file_reopen_keeps_size),
		T(test_file_larger_size_grows),
		T(test_file_smaller_size_refused),
		T(test_file_missing_dir),
		T(test_file_missing_no_size),
		T(test_file_not_a_disk),
		T(test_file_empty_no_size),
		T(test_file_permission_denied),
		T(test_file_readonly),
		T(test_file_readonly_not_created),
		T(test_file_readonly_permissions),
		T(test_mem_readonly),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
