/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Shared fixture for the scsi_*_test programs: a fake backing store whose
 * requests complete only when the test says so (and can be made to fail),
 * a target with one LU and one registered I_T nexus, and helpers that run a
 * CDB through prepare / data-out / execute / completion like a transport.
 *
 * Header-only (static inline) because every test program is built from a
 * single source file.
 */
#ifndef CTGT_TESTS_SCSI_FIXTURE_H
#define CTGT_TESTS_SCSI_FIXTURE_H

#include <errno.h>
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "scsi/scsi.h"

#define FAKE_MAX_PENDING 8
/* Stores larger than this are not backed by memory: reads return zeros. */
#define FAKE_MAX_BACKED (64u << 20)

struct fake_store {
	uint8_t *data;
	struct bs_request *pending[FAKE_MAX_PENDING];
	int npending;
	int submits;		/* requests accepted */
	int fail_next;		/* complete the next request with -EIO */
	struct bs_request last;	/* copy of the last request submitted */
	struct bs_request last_io; /* ... of the last one that was not a FLUSH */
	int flushes;		/* FLUSH requests accepted */
};

static inline int fake_open(struct backend *bs, const char *path, uint64_t size,
			    char *err, size_t errlen)
{
	(void)bs; (void)path; (void)size; (void)err; (void)errlen;
	return -ENOTSUP;
}

static inline int fake_submit(struct backend *bs, struct bs_request *req)
{
	struct fake_store *st = bs->priv;

	assert_true(st->npending < FAKE_MAX_PENDING);
	st->pending[st->npending++] = req;
	st->submits++;
	st->last = *req;
	if (req->op == BS_OP_FLUSH)
		st->flushes++;
	else
		st->last_io = *req;
	return 0;
}

static inline void fake_close(struct backend *bs)
{
	(void)bs;
}

static const struct backend_ops fake_ops = {
	.name = "fake",
	.open = fake_open,
	.submit = fake_submit,
	.close = fake_close,
};

static inline void fake_do(struct backend *bs, struct bs_request *req)
{
	struct fake_store *st = bs->priv;
	uint8_t *p;

	assert_true(req->op == BS_OP_FLUSH || req->offset + req->len <= bs->size);
	if (req->op == BS_OP_UNMAP) {
		if (st->data)
			memset(st->data + req->offset, 0, req->len);
		return;
	}
	if (req->op != BS_OP_FLUSH) {
		assert_int_equal(req->iovcnt, 1);
		assert_int_equal(req->iov[0].iov_len, req->len);
	}
	p = req->iov ? req->iov[0].iov_base : NULL;
	if (req->op == BS_OP_READ) {
		if (st->data)
			memcpy(p, st->data + req->offset, req->len);
		else
			memset(p, 0, req->len);
	} else if (req->op == BS_OP_WRITE && st->data) {
		memcpy(st->data + req->offset, p, req->len);
	}
}

/* Complete the oldest pending request with @result (0: carry it out), as
 * the completion queue owner would. Returns 0 when none is pending. */
static inline int fake_step(struct backend *bs, int result)
{
	struct fake_store *st = bs->priv;
	struct bs_request *req;

	if (!st->npending)
		return 0;
	req = st->pending[0];
	memmove(&st->pending[0], &st->pending[1],
		(size_t)(--st->npending) * sizeof(st->pending[0]));
	if (result == 0)
		fake_do(bs, req);
	req->result = result;
	req->done(req);
	return 1;
}

/* Complete every pending request, including those the completions submit;
 * st->fail_next makes the first one fail with -EIO. */
static inline int fake_run(struct backend *bs)
{
	struct fake_store *st = bs->priv;
	int n = 0;

	while (st->npending) {
		int result = st->fail_next ? -EIO : 0;

		st->fail_next = 0;
		n += fake_step(bs, result);
	}
	return n;
}

struct fixture {
	struct scsi_tgt *tgt;
	struct scsi_lu *lu;
	struct backend bs;
	struct fake_store st;
	struct scsi_itn itn;
	int done_calls;
};

static struct fixture *g_fx;	/* for the done callback */

static inline void fx_done(struct scsi_task *task)
{
	(void)task;
	g_fx->done_calls++;
}

static inline void fx_itn_init(struct scsi_itn *itn, uint64_t id)
{
	memset(itn, 0, sizeof(*itn));
	itn->id = id;
	strcpy(itn->initiator_port, "iqn.2026-01.test:init,i,0x000000000001");
	strcpy(itn->target_port, "iqn.2026-11.io.ctgt:disk0,t,0x0001");
	itn->rel_port_id = 1;
}

/* A new task as a transport hands it over: zeroed, then the target, the
 * nexus, the LUN, the CDB (SCSI_CDB_MAX bytes), the direction, the expected
 * length and done() filled in. */
static inline void fx_task(struct scsi_task *t, struct scsi_tgt *tgt, struct scsi_itn *itn,
			   uint64_t lun, const uint8_t *cdb, enum scsi_dir dir,
			   uint32_t expected, void (*done)(struct scsi_task *task))
{
	memset(t, 0, sizeof(*t));
	t->tgt = tgt;
	t->itn = itn;
	t->lun = lun;
	memcpy(t->cdb, cdb, SCSI_CDB_MAX);
	t->expected_len = expected;
	t->dir = dir;
	t->done = done;
}

/*
 * Run one CDB on @lun through the task life cycle. @dout supplies up to
 * @expected bytes of data-out (the transport never receives more than the
 * expected length). The task is left for the caller to inspect and release.
 */
static inline int fx_cmd_lun(struct fixture *f, struct scsi_task *t, uint64_t lun,
			     const uint8_t *cdb, enum scsi_dir dir, uint32_t expected,
			     const void *dout)
{
	int rc;

	fx_task(t, f->tgt, &f->itn, lun, cdb, dir, expected, fx_done);
	g_fx = f;
	f->done_calls = 0;
	rc = scsi_task_prepare(t);
	if (rc == SCSI_TASK_COMPLETE)
		return rc;
	assert_int_equal(rc, SCSI_TASK_READY);
	if (t->data_out_len) {
		uint32_t n = t->data_out_len < expected ? t->data_out_len : expected;

		assert_non_null(t->buf);
		assert_true(t->buf_size >= t->data_out_len);
		if (n && dout)
			memcpy(t->buf, dout, n);
	}
	rc = scsi_task_execute(t);
	if (rc == SCSI_TASK_PENDING) {
		assert_int_equal(f->done_calls, 0);
		assert_true(fake_run(&f->bs) >= 1);
		assert_int_equal(f->done_calls, 1);
	}
	return rc;
}

static inline int fx_cmd(struct fixture *f, struct scsi_task *t, const uint8_t *cdb,
			 enum scsi_dir dir, uint32_t expected, const void *dout)
{
	return fx_cmd_lun(f, t, 0, cdb, dir, expected, dout);
}

/* A target "iqn.2026-11.io.ctgt:disk0" with LU 0 over a fake store of
 * @nblocks blocks, and one nexus whose power-on UA has been consumed. */
static inline struct fixture *fx_new_cfg(uint64_t nblocks, const struct scsi_lu_config *cfg)
{
	struct fixture *f = calloc(1, sizeof(*f));
	uint32_t bsz = cfg->block_size ? cfg->block_size : 512;
	uint8_t tur[SCSI_CDB_MAX] = { 0 };
	struct scsi_task t;

	assert_non_null(f);
	f->bs.ops = &fake_ops;
	f->bs.size = nblocks * bsz;
	f->bs.priv = &f->st;
	if (f->bs.size <= FAKE_MAX_BACKED) {
		f->st.data = calloc(1, f->bs.size);
		assert_non_null(f->st.data);
	}
	f->tgt = scsi_tgt_create("iqn.2026-11.io.ctgt:disk0");
	assert_non_null(f->tgt);
	f->lu = scsi_lu_create(cfg, &f->bs);
	assert_non_null(f->lu);
	assert_int_equal(scsi_tgt_add_lu(f->tgt, f->lu), 0);
	fx_itn_init(&f->itn, 1);
	scsi_tgt_nexus_add(f->tgt, &f->itn);
	fx_cmd(f, &t, tur, SCSI_DIR_NONE, 0, NULL);
	assert_int_equal(t.status, SCSI_STATUS_CHECK_CONDITION);
	scsi_task_release(&t);
	return f;
}

static inline struct fixture *fx_new(uint64_t nblocks)
{
	/* A write cache, as the daemon configures: writes are not FUA. */
	struct scsi_lu_config cfg = { .lun = 0, .write_cache = true };

	return fx_new_cfg(nblocks, &cfg);
}

static inline void fx_free(struct fixture *f)
{
	scsi_tgt_nexus_remove(f->tgt, &f->itn);
	scsi_tgt_destroy(f->tgt);
	free(f->st.data);
	free(f);
}

static inline uint16_t sense_asc(const struct scsi_task *t)
{
	return (uint16_t)((t->sense[12] << 8) | t->sense[13]);
}

/* The task ended with CHECK CONDITION, fixed sense @key / @asc (ASC<<8|ASCQ). */
static inline void assert_sense(const struct scsi_task *t, uint8_t key, uint16_t asc)
{
	assert_int_equal(t->status, SCSI_STATUS_CHECK_CONDITION);
	assert_true(t->sense_len >= 14);
	assert_int_equal(t->sense[0] & 0x7f, 0x70);
	assert_int_equal(t->sense[2] & 0x0f, key);
	assert_int_equal(sense_asc(t), asc);
}

static inline void assert_good(const struct scsi_task *t)
{
	assert_int_equal(t->status, SCSI_STATUS_GOOD);
	assert_int_equal(t->sense_len, 0);
}

#endif
