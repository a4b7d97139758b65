/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Requests for the backend unit tests: submit through the backend
 * interface and run the completion queue until done() has run. Include
 * after cmocka.h and backend_fixture.h.
 *
 * Header-only (static inline) because every test program is built from one
 * source file; a program may use part of it. Single-threaded.
 */
#ifndef CTGT_TESTS_BACKEND_REQ_H
#define CTGT_TESTS_BACKEND_REQ_H

#include <poll.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

/* A request that records the order its completion ran in (*counter also
 * counts the completions that ran). */
struct treq {
	struct bs_request req;
	int *counter;
	int order;		/* value of *counter when done() ran; -1 before */
};

static inline void treq_done(struct bs_request *req)
{
	struct treq *t = (struct treq *)req;

	t->order = (*t->counter)++;
}

static inline void treq_init(struct treq *t, int *counter, enum bs_op op, uint64_t off,
			     struct iovec *iov, int iovcnt)
{
	size_t len = 0;

	for (int i = 0; i < iovcnt; i++)
		len += iov[i].iov_len;
	memset(t, 0, sizeof(*t));
	t->req.op = op;
	t->req.offset = off;
	t->req.len = len;
	t->req.iov = iov;
	t->req.iovcnt = iovcnt;
	t->req.result = 1;	/* the backend must overwrite it */
	t->req.done = treq_done;
	t->counter = counter;
	t->order = -1;
}

static inline double now_sec(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

/*
 * Run completions until *counter reaches @want, sleeping on the eventfd.
 * Bounded by time, not by wake-ups: how many completions one wake-up
 * brings depends on the kernel and the machine's load (io_uring's
 * workers may finish a batch one request at a time).
 */
static inline void wait_for(struct bs_cq *cq, int *counter, int want)
{
	double deadline = now_sec() + 30.0;

	while (*counter < want) {
		struct pollfd pfd = { .fd = cq->efd, .events = POLLIN };

		assert_true(now_sec() < deadline);
		if (!bs_cq_has_local(cq))
			assert_true(poll(&pfd, 1, 1000) >= 0);
		bs_cq_run(cq);
	}
}

/* Submit one request and wait for it; returns its result. */
static inline int do_io(struct fixture *f, struct backend *bs, enum bs_op op, uint64_t off,
			struct iovec *iov, int iovcnt, bool fua)
{
	struct treq t;
	int counter = 0;

	treq_init(&t, &counter, op, off, iov, iovcnt);
	t.req.fua = fua;
	assert_int_equal(backend_submit(bs, &t.req), 0);
	wait_for(&f->cq, &counter, 1);
	assert_int_equal(t.order, 0);
	return t.req.result;
}

/* UNMAP [off, off+len) and wait for it; returns its result. */
static inline int do_unmap(struct fixture *f, struct backend *bs, uint64_t off, size_t len)
{
	struct treq t;
	int counter = 0;

	treq_init(&t, &counter, BS_OP_UNMAP, off, NULL, 0);
	t.req.len = len;
	assert_int_equal(backend_submit(bs, &t.req), 0);
	wait_for(&f->cq, &counter, 1);
	return t.req.result;
}

static inline void assert_zeros(const uint8_t *p, size_t n)
{
	for (size_t i = 0; i < n; i++)
		assert_int_equal(p[i], 0);
}

static inline void fill(uint8_t *p, size_t n, unsigned seed)
{
	for (size_t i = 0; i < n; i++)
		p[i] = (uint8_t)(seed + i * 7 + (i >> 9));
}

/*
 * Write 8 KiB of fill(seed 5) at 56 KiB of the file store @bs (at least
 * 64 KiB), shrink its file to 60 KiB behind the store's back (the tail
 * becomes a hole), then read the 8 KiB again into @buf, filled with 0xee
 * before: the first 4 KiB come back as written, the rest past the end.
 */
static inline void write_shrink_read(struct fixture *f, struct backend *bs, uint8_t buf[8192])
{
	struct iovec iov = { buf, 8192 };

	fill(buf, 8192, 5);
	assert_int_equal(do_io(f, bs, BS_OP_WRITE, 56 * 1024, &iov, 1, false), 0);
	assert_int_equal(truncate(f->path, 60 * 1024), 0);
	memset(buf, 0xee, 8192);
	assert_int_equal(do_io(f, bs, BS_OP_READ, 56 * 1024, &iov, 1, false), 0);
}

#endif
