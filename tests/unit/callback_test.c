/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Unit tests for the callback backing store (backend/callback.c) and its use
 * under the SCSI layer. Linked against build/libctgt-scsi.a alone.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "backend/backend.h"
#include "ctgt/lu.h"
#include "scsi/scsi.h"
#include "util/endian.h"

#define BLK 512u
#define NBLOCKS 64u
#define MAX_CALLS 64

enum call_kind { CALL_READ, CALL_WRITE, CALL_FLUSH, CALL_UNMAP };

struct call {
	enum call_kind kind;
	uint64_t offset;
	uint64_t len;
	pthread_t thread;
};

/* The application context the callbacks see. */
struct app {
	pthread_mutex_t lock;
	uint8_t data[NBLOCKS * BLK];
	struct call calls[MAX_CALLS];
	int ncalls;
	int fail_read, fail_write, fail_flush;	/* returned when nonzero */
	int released;
	int calls_at_release;
	/* concurrency probe */
	int block_ms;		/* reads wait until `inflight` reaches `want_inflight` */
	int want_inflight;
	int inflight, max_inflight;
};

static void record(struct app *a, enum call_kind kind, uint64_t off, uint64_t len)
{
	pthread_mutex_lock(&a->lock);
	assert_true(a->ncalls < MAX_CALLS);
	a->calls[a->ncalls++] = (struct call){ kind, off, len, pthread_self() };
	pthread_mutex_unlock(&a->lock);
}

static uint64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}

/* Wait (at most a->block_ms) until want_inflight reads have run at once. */
static void probe_concurrency(struct app *a)
{
	uint64_t until = now_ms() + (uint64_t)a->block_ms;

	pthread_mutex_lock(&a->lock);
	a->inflight++;
	if (a->inflight > a->max_inflight)
		a->max_inflight = a->inflight;
	while (a->max_inflight < a->want_inflight && now_ms() < until) {
		pthread_mutex_unlock(&a->lock);
		nanosleep(&(struct timespec){ 0, 1000000 }, NULL);
		pthread_mutex_lock(&a->lock);
	}
	a->inflight--;
	pthread_mutex_unlock(&a->lock);
}

static int app_read(void *ctx, void *buf, uint64_t off, size_t len)
{
	struct app *a = ctx;

	record(a, CALL_READ, off, len);
	if (a->block_ms)
		probe_concurrency(a);
	if (a->fail_read)
		return a->fail_read;
	memcpy(buf, a->data + off, len);
	return 0;
}

static int app_write(void *ctx, const void *buf, uint64_t off, size_t len)
{
	struct app *a = ctx;

	record(a, CALL_WRITE, off, len);
	if (a->fail_write)
		return a->fail_write;
	memcpy(a->data + off, buf, len);
	return 0;
}

static int app_flush(void *ctx)
{
	struct app *a = ctx;

	record(a, CALL_FLUSH, 0, 0);
	return a->fail_flush;
}

static int app_unmap(void *ctx, uint64_t off, uint64_t len)
{
	struct app *a = ctx;

	record(a, CALL_UNMAP, off, len);
	memset(a->data + off, 0, len);
	return 0;
}

static void app_release(void *ctx)
{
	struct app *a = ctx;

	a->released++;
	a->calls_at_release = a->ncalls;
}

static const struct ctgt_lu_callbacks full_cb = {
	.read = app_read,
	.write = app_write,
	.flush = app_flush,
	.unmap = app_unmap,
	.release = app_release,
};

struct fixture {
	struct bs_cq cq;
	struct app app;
	struct backend *bs;
	char err[256];
	pthread_t owner;
};

static struct fixture *fx_open(const struct ctgt_lu_callbacks *cb, unsigned threads)
{
	struct fixture *f = calloc(1, sizeof(*f));

	assert_non_null(f);
	assert_int_equal(bs_cq_init(&f->cq), 0);
	pthread_mutex_init(&f->app.lock, NULL);
	for (size_t i = 0; i < sizeof(f->app.data); i++)
		f->app.data[i] = (uint8_t)(i / BLK + i);
	f->owner = pthread_self();
	f->bs = backend_callback_open(cb, &f->app, NBLOCKS * BLK, threads, &f->cq,
				      f->err, sizeof(f->err));
	assert_non_null(f->bs);
	assert_int_equal(f->bs->size, NBLOCKS * BLK);
	return f;
}

static void fx_close(struct fixture *f)
{
	if (f->bs)
		backend_close(f->bs);
	bs_cq_destroy(&f->cq);
	pthread_mutex_destroy(&f->app.lock);
	free(f);
}

/* A request that notes on which thread its completion ran. */
struct treq {
	struct bs_request req;
	int done;
	pthread_t done_thread;
};

static void treq_done(struct bs_request *req)
{
	struct treq *t = (struct treq *)req;

	t->done++;
	t->done_thread = pthread_self();
}

/* Run the completion queue as an event loop would until @n requests are done. */
static void wait_done(struct fixture *f, struct treq *t, int n)
{
	uint64_t until = now_ms() + 10000;

	while (now_ms() < until) {
		int left = 0;

		for (int i = 0; i < n; i++)
			left += !t[i].done;
		if (left == 0)
			return;
		poll(&(struct pollfd){ .fd = f->cq.efd, .events = POLLIN }, 1, 10);
		bs_cq_run(&f->cq);
	}
	fail_msg("requests did not complete");
}

static void treq_init(struct treq *t, enum bs_op op, uint64_t off, struct iovec *iov, int iovcnt)
{
	memset(t, 0, sizeof(*t));
	t->req.op = op;
	t->req.offset = off;
	t->req.iov = iov;
	t->req.iovcnt = iovcnt;
	for (int i = 0; i < iovcnt; i++)
		t->req.len += iov[i].iov_len;
	t->req.done = treq_done;
}

/* ---- the store ----------------------------------------------------------- */

static void test_read_write_offsets(void **state)
{
	struct fixture *f = fx_open(&full_cb, 1);
	uint8_t buf[3 * BLK], wbuf[2 * BLK];
	struct iovec riov = { buf, sizeof(buf) }, wiov = { wbuf, sizeof(wbuf) };
	struct treq t[2];

	(void)state;
	memset(wbuf, 0xa5, sizeof(wbuf));
	treq_init(&t[0], BS_OP_READ, 5 * BLK, &riov, 1);
	treq_init(&t[1], BS_OP_WRITE, 9 * BLK, &wiov, 1);
	assert_int_equal(backend_submit(f->bs, &t[0].req), 0);
	wait_done(f, &t[0], 1);
	assert_int_equal(backend_submit(f->bs, &t[1].req), 0);
	wait_done(f, &t[1], 1);

	assert_int_equal(t[0].req.result, 0);
	assert_int_equal(t[1].req.result, 0);
	assert_int_equal(f->app.ncalls, 2);
	assert_int_equal(f->app.calls[0].kind, CALL_READ);
	assert_int_equal(f->app.calls[0].offset, 5 * BLK);
	assert_int_equal(f->app.calls[0].len, 3 * BLK);
	assert_memory_equal(buf, f->app.data + 5 * BLK, sizeof(buf));
	assert_int_equal(f->app.calls[1].kind, CALL_WRITE);
	assert_int_equal(f->app.calls[1].offset, 9 * BLK);
	assert_int_equal(f->app.calls[1].len, 2 * BLK);
	assert_memory_equal(f->app.data + 9 * BLK, wbuf, sizeof(wbuf));
	fx_close(f);
}

/* Several iovecs: one call each, at consecutive offsets. */
static void test_iovecs_split_calls(void **state)
{
	struct fixture *f = fx_open(&full_cb, 1);
	uint8_t a[BLK], b[2 * BLK];
	struct iovec iov[2] = { { a, sizeof(a) }, { b, sizeof(b) } };
	struct treq t;

	(void)state;
	treq_init(&t, BS_OP_READ, 10 * BLK, iov, 2);
	assert_int_equal(backend_submit(f->bs, &t.req), 0);
	wait_done(f, &t, 1);
	assert_int_equal(t.req.result, 0);
	assert_int_equal(f->app.ncalls, 2);
	assert_int_equal(f->app.calls[0].offset, 10 * BLK);
	assert_int_equal(f->app.calls[0].len, BLK);
	assert_int_equal(f->app.calls[1].offset, 11 * BLK);
	assert_int_equal(f->app.calls[1].len, 2 * BLK);
	assert_memory_equal(a, f->app.data + 10 * BLK, BLK);
	assert_memory_equal(b, f->app.data + 11 * BLK, 2 * BLK);
	fx_close(f);
}

/* Callbacks run on a worker, completions on the owner thread, later. */
static void test_threads(void **state)
{
	struct fixture *f = fx_open(&full_cb, 2);
	uint8_t buf[BLK];
	struct iovec iov = { buf, sizeof(buf) };
	struct treq t;

	(void)state;
	treq_init(&t, BS_OP_READ, 0, &iov, 1);
	assert_int_equal(backend_submit(f->bs, &t.req), 0);
	assert_int_equal(t.done, 0);	/* never inside submit */
	wait_done(f, &t, 1);
	assert_int_equal(t.done, 1);
	assert_true(pthread_equal(t.done_thread, f->owner));
	assert_int_equal(f->app.ncalls, 1);
	assert_false(pthread_equal(f->app.calls[0].thread, f->owner));
	fx_close(f);
}

static void test_errors(void **state)
{
	struct fixture *f = fx_open(&full_cb, 1);
	uint8_t buf[BLK];
	struct iovec iov = { buf, sizeof(buf) };
	struct treq t[4];

	(void)state;
	f->app.fail_read = -ENXIO;
	f->app.fail_write = 7;	/* not an errno: still a failure */
	f->app.fail_flush = -ENOSPC;
	treq_init(&t[0], BS_OP_READ, 0, &iov, 1);
	treq_init(&t[1], BS_OP_WRITE, 0, &iov, 1);
	treq_init(&t[2], BS_OP_FLUSH, 0, NULL, 0);
	treq_init(&t[3], BS_OP_WRITE, BLK, &iov, 1);
	f->app.fail_write = 7;
	for (int i = 0; i < 3; i++)
		assert_int_equal(backend_submit(f->bs, &t[i].req), 0);
	wait_done(f, t, 3);
	assert_int_equal(t[0].req.result, -ENXIO);
	assert_int_equal(t[1].req.result, -EIO);
	assert_int_equal(t[2].req.result, -ENOSPC);
	/* A FUA write whose data landed but whose flush failed fails too. */
	f->app.fail_write = 0;
	t[3].req.fua = true;
	assert_int_equal(backend_submit(f->bs, &t[3].req), 0);
	wait_done(f, &t[3], 1);
	assert_int_equal(t[3].req.result, -ENOSPC);
	assert_int_equal(f->app.calls[f->app.ncalls - 2].kind, CALL_WRITE);
	assert_int_equal(f->app.calls[f->app.ncalls - 1].kind, CALL_FLUSH);
	/* Out of range: refused at submit, no callback. */
	treq_init(&t[0], BS_OP_READ, NBLOCKS * BLK, &iov, 1);
	f->app.ncalls = 0;
	assert_int_equal(backend_submit(f->bs, &t[0].req), -EINVAL);
	assert_int_equal(f->app.ncalls, 0);
	fx_close(f);
}

/* Without write/flush/unmap callbacks. */
static void test_optional_callbacks(void **state)
{
	static const struct ctgt_lu_callbacks ro = { .read = app_read, .release = app_release };
	struct fixture *f = fx_open(&ro, 1);
	uint8_t buf[BLK];
	struct iovec iov = { buf, sizeof(buf) };
	struct treq t[2];

	(void)state;
	treq_init(&t[0], BS_OP_WRITE, 0, &iov, 1);
	assert_int_equal(backend_submit(f->bs, &t[0].req), -EROFS);
	treq_init(&t[0], BS_OP_UNMAP, 0, NULL, 0);
	t[0].req.len = BLK;
	assert_int_equal(backend_submit(f->bs, &t[0].req), -EOPNOTSUPP);
	/* No flush callback: nothing to flush, success. */
	treq_init(&t[1], BS_OP_FLUSH, 0, NULL, 0);
	assert_int_equal(backend_submit(f->bs, &t[1].req), 0);
	wait_done(f, &t[1], 1);
	assert_int_equal(t[1].req.result, 0);
	assert_int_equal(f->app.ncalls, 0);
	fx_close(f);
}

static void test_unmap(void **state)
{
	struct fixture *f = fx_open(&full_cb, 1);
	struct treq t;

	(void)state;
	treq_init(&t, BS_OP_UNMAP, 4 * BLK, NULL, 0);
	t.req.len = 8 * BLK;
	assert_int_equal(backend_submit(f->bs, &t.req), 0);
	wait_done(f, &t, 1);
	assert_int_equal(t.req.result, 0);
	assert_int_equal(f->app.ncalls, 1);
	assert_int_equal(f->app.calls[0].kind, CALL_UNMAP);
	assert_int_equal(f->app.calls[0].offset, 4 * BLK);
	assert_int_equal(f->app.calls[0].len, 8 * BLK);
	fx_close(f);
}

/* release: once, after the queued callbacks ran; also when open fails. */
static void test_release(void **state)
{
	struct fixture *f = fx_open(&full_cb, 1);
	static const struct ctgt_lu_callbacks no_read = { .write = app_write, .release = app_release };
	struct app other = { .released = 0 };
	uint8_t buf[BLK];
	struct iovec iov = { buf, sizeof(buf) };
	struct treq t[3];

	(void)state;
	for (int i = 0; i < 3; i++) {
		treq_init(&t[i], BS_OP_READ, (uint64_t)i * BLK, &iov, 1);
		assert_int_equal(backend_submit(f->bs, &t[i].req), 0);
	}
	backend_close(f->bs);	/* the queued reads still run first */
	f->bs = NULL;
	assert_int_equal(f->app.released, 1);
	assert_int_equal(f->app.calls_at_release, 3);
	assert_int_equal(f->app.ncalls, 3);
	fx_close(f);

	assert_null(backend_callback_open(&no_read, &other, BLK, 1, NULL, NULL, 0));
	assert_int_equal(other.released, 1);
	other.released = 0;
	assert_null(backend_callback_open(&full_cb, &other, 0, 1, NULL, NULL, 0));
	assert_int_equal(other.released, 1);
}

/* Calls run concurrently up to the thread count, never more. */
static void probe(unsigned threads, int want, int block_ms, int expect)
{
	struct fixture *f = fx_open(&full_cb, threads);
	uint8_t buf[8][BLK];
	struct iovec iov[8];
	struct treq t[8];

	f->app.block_ms = block_ms;
	f->app.want_inflight = want;
	for (int i = 0; i < 8; i++) {
		iov[i] = (struct iovec){ buf[i], BLK };
		treq_init(&t[i], BS_OP_READ, (uint64_t)i * BLK, &iov[i], 1);
		assert_int_equal(backend_submit(f->bs, &t[i].req), 0);
	}
	wait_done(f, t, 8);
	assert_int_equal(f->app.max_inflight, expect);
	fx_close(f);
}

static void test_concurrency(void **state)
{
	(void)state;
	probe(4, 4, 5000, 4);
	probe(1, 2, 20, 1);	/* threads = 1: the callbacks never overlap */
}

/* ---- under the SCSI layer ------------------------------------------------ */

struct scsi_fx {
	struct fixture *f;
	struct scsi_tgt *tgt;
	struct scsi_itn itn;
	int done;
};

static struct scsi_fx *g_sfx;

static void task_done(struct scsi_task *task)
{
	(void)task;
	g_sfx->done++;
}

static void run_cdb(struct scsi_fx *s, struct scsi_task *t, const uint8_t *cdb,
		    enum scsi_dir dir, uint32_t expected, const void *dout)
{
	int rc;

	memset(t, 0, sizeof(*t));
	t->tgt = s->tgt;
	t->itn = &s->itn;
	memcpy(t->cdb, cdb, SCSI_CDB_MAX);
	t->expected_len = expected;
	t->dir = dir;
	t->done = task_done;
	g_sfx = s;
	s->done = 0;
	rc = scsi_task_prepare(t);
	if (rc == SCSI_TASK_COMPLETE)
		return;
	if (t->data_out_len && dout)
		memcpy(t->buf, dout, t->data_out_len);
	rc = scsi_task_execute(t);
	if (rc != SCSI_TASK_PENDING)
		return;
	for (int spins = 0; spins < 1000 && !s->done; spins++) {
		poll(&(struct pollfd){ .fd = s->f->cq.efd, .events = POLLIN }, 1, 10);
		bs_cq_run(&s->f->cq);
	}
	assert_int_equal(s->done, 1);
}

static struct scsi_fx *sfx_new(void)
{
	struct scsi_fx *s = calloc(1, sizeof(*s));
	struct scsi_lu_config cfg = { .lun = 0, .block_size = BLK, .write_cache = true };
	uint8_t tur[SCSI_CDB_MAX] = { 0 };
	struct scsi_task t;
	struct scsi_lu *lu;

	assert_non_null(s);
	s->f = fx_open(&full_cb, 2);
	s->tgt = scsi_tgt_create("iqn.2026-11.io.ctgt:cb");
	lu = scsi_lu_create(&cfg, s->f->bs);
	assert_non_null(lu);
	assert_int_equal(scsi_tgt_add_lu(s->tgt, lu), 0);
	s->itn.id = 1;
	strcpy(s->itn.initiator_port, "iqn.2026-01.test:init,i,0x000000000001");
	strcpy(s->itn.target_port, "iqn.2026-11.io.ctgt:cb,t,0x0001");
	s->itn.rel_port_id = 1;
	scsi_tgt_nexus_add(s->tgt, &s->itn);
	run_cdb(s, &t, tur, SCSI_DIR_NONE, 0, NULL);	/* eat the power-on UA */
	scsi_task_release(&t);
	return s;
}

static void sfx_free(struct scsi_fx *s)
{
	scsi_tgt_nexus_remove(s->tgt, &s->itn);
	scsi_tgt_destroy(s->tgt);
	fx_close(s->f);
	free(s);
}

static void cdb10(uint8_t *cdb, uint8_t op, uint32_t lba, uint16_t len)
{
	memset(cdb, 0, SCSI_CDB_MAX);
	cdb[0] = op;
	put_be32(&cdb[2], lba);
	put_be16(&cdb[7], len);
}

static void assert_sense(const struct scsi_task *t, uint8_t key, uint16_t asc)
{
	assert_int_equal(t->status, SCSI_STATUS_CHECK_CONDITION);
	assert_true(t->sense_len >= 14);
	assert_int_equal(t->sense[2] & 0x0f, key);
	assert_int_equal((t->sense[12] << 8) | t->sense[13], asc);
}

static void test_scsi_read_write(void **state)
{
	struct scsi_fx *s = sfx_new();
	uint8_t cdb[SCSI_CDB_MAX], wdata[4 * BLK];
	struct scsi_task t;

	(void)state;
	cdb10(cdb, 0x28, 7, 3);		/* READ(10) LBA 7, 3 blocks */
	run_cdb(s, &t, cdb, SCSI_DIR_READ, 3 * BLK, NULL);
	assert_int_equal(t.status, SCSI_STATUS_GOOD);
	assert_int_equal(t.data_in_len, 3 * BLK);
	assert_memory_equal(t.buf, s->f->app.data + 7 * BLK, 3 * BLK);
	scsi_task_release(&t);
	assert_int_equal(s->f->app.calls[0].offset, 7 * BLK);
	assert_int_equal(s->f->app.calls[0].len, 3 * BLK);

	memset(wdata, 0x3c, sizeof(wdata));
	cdb10(cdb, 0x2a, 20, 4);	/* WRITE(10) LBA 20, 4 blocks */
	run_cdb(s, &t, cdb, SCSI_DIR_WRITE, 4 * BLK, wdata);
	assert_int_equal(t.status, SCSI_STATUS_GOOD);
	scsi_task_release(&t);
	assert_int_equal(s->f->app.calls[1].kind, CALL_WRITE);
	assert_int_equal(s->f->app.calls[1].offset, 20 * BLK);
	assert_int_equal(s->f->app.calls[1].len, 4 * BLK);
	assert_memory_equal(s->f->app.data + 20 * BLK, wdata, sizeof(wdata));
	sfx_free(s);
}

/* A failing callback becomes MEDIUM ERROR: 11/00 on reads, 0C/00 on writes and flushes. */
static void test_scsi_medium_error(void **state)
{
	struct scsi_fx *s = sfx_new();
	uint8_t cdb[SCSI_CDB_MAX], wdata[BLK] = { 0 };
	struct scsi_task t;

	(void)state;
	s->f->app.fail_read = -EIO;
	cdb10(cdb, 0x28, 0, 1);
	run_cdb(s, &t, cdb, SCSI_DIR_READ, BLK, NULL);
	assert_sense(&t, 0x03, 0x1100);
	assert_int_equal(t.data_in_len, 0);
	scsi_task_release(&t);

	s->f->app.fail_write = -ENOSPC;
	cdb10(cdb, 0x2a, 1, 1);
	run_cdb(s, &t, cdb, SCSI_DIR_WRITE, BLK, wdata);
	assert_sense(&t, 0x03, 0x0c00);
	scsi_task_release(&t);

	s->f->app.fail_flush = -EIO;
	cdb10(cdb, 0x35, 0, 0);		/* SYNCHRONIZE CACHE(10) */
	run_cdb(s, &t, cdb, SCSI_DIR_NONE, 0, NULL);
	assert_sense(&t, 0x03, 0x0c00);
	scsi_task_release(&t);
	assert_int_equal(s->f->app.calls[s->f->app.ncalls - 1].kind, CALL_FLUSH);

	/* The errors do not stick: the next read succeeds. */
	s->f->app.fail_read = 0;
	cdb10(cdb, 0x28, 0, 1);
	run_cdb(s, &t, cdb, SCSI_DIR_READ, BLK, NULL);
	assert_int_equal(t.status, SCSI_STATUS_GOOD);
	scsi_task_release(&t);
	sfx_free(s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_read_write_offsets),
		cmocka_unit_test(test_iovecs_split_calls),
		cmocka_unit_test(test_threads),
		cmocka_unit_test(test_errors),
		cmocka_unit_test(test_optional_callbacks),
		cmocka_unit_test(test_unmap),
		cmocka_unit_test(test_release),
		cmocka_unit_test(test_concurrency),
		cmocka_unit_test(test_scsi_read_write),
		cmocka_unit_test(test_scsi_medium_error),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
