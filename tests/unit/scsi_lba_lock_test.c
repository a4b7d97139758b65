/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The LBA range lock through real commands: COMPARE AND WRITE, ORWRITE and
 * WRITE ATOMIC keep every overlapping command out until they are done;
 * ordinary writes exclude each other but not reads; waiters start in
 * arrival order; UNMAP locks descriptor by descriptor; a waiter that fails
 * at once releases its range for the next one.
 */
#include "tests/unit/scsi_write_helpers.h"

#define NBLOCKS 1000u

/* Completion order of the tasks of a test. */
static struct scsi_task *g_order[8];
static int g_ndone;

static void rec_done(struct scsi_task *t)
{
	assert_true(g_ndone < 8);
	g_order[g_ndone++] = t;
}

static int start(struct fixture *f, struct scsi_task *t, const uint8_t *cdb,
		 enum scsi_dir dir, uint32_t len, const void *data)
{
	int rc = wh_start(f, t, cdb, dir, len, data);

	t->done = rec_done;
	return rc;
}

static void write16(uint8_t *cdb, uint64_t lba, uint32_t n)
{
	wh_cdb16(cdb, 0x8a, 0, lba, 10, 4, n);
}

static void read16(uint8_t *cdb, uint64_t lba, uint32_t n)
{
	wh_cdb16(cdb, 0x88, 0, lba, 10, 4, n);
}

static void caw(uint8_t *cdb, uint64_t lba, uint8_t n)
{
	wh_cdb16(cdb, 0x89, 0, lba, 13, 1, n);
}

static void reset_order(void)
{
	g_ndone = 0;
	memset(g_order, 0, sizeof(g_order));
}

/* A WRITE overlapping a COMPARE AND WRITE waits for all of it; one that
 * does not overlap runs at once. */
static void test_caw_excludes_writes(void **state)
{
	struct fixture *f = wh_new(NBLOCKS, false, false);
	uint8_t cdb[SCSI_CDB_MAX], cw[4 * BS], w[2 * BS];
	struct scsi_task tc, tw, tfar;

	(void)state;
	reset_order();
	memset(f->st.data, 'A', 2 * BS);
	memset(cw, 'A', 2 * BS);
	memset(cw + 2 * BS, 'B', 2 * BS);
	memset(w, 'W', sizeof(w));
	caw(cdb, 0, 2);
	assert_int_equal(start(f, &tc, cdb, SCSI_DIR_WRITE, sizeof(cw), cw), SCSI_TASK_PENDING);
	assert_int_equal(f->st.npending, 1);			/* its read */
	write16(cdb, 1, 2);
	assert_int_equal(start(f, &tw, cdb, SCSI_DIR_WRITE, sizeof(w), w), SCSI_TASK_PENDING);
	assert_int_equal(f->st.npending, 1);			/* held back */
	write16(cdb, 100, 2);
	assert_int_equal(start(f, &tfar, cdb, SCSI_DIR_WRITE, sizeof(w), w), SCSI_TASK_PENDING);
	assert_int_equal(f->st.npending, 2);			/* runs */

	wh_run_one(f, 0);					/* CAW read: match */
	assert_int_equal(f->st.npending, 2);			/* CAW write, far write */
	assert_int_equal(f->st.pending[1]->op, BS_OP_WRITE);
	assert_int_equal(f->st.pending[1]->offset, 0);
	wh_run_one(f, 0);					/* far write */
	wh_run_one(f, 0);					/* CAW write */
	assert_int_equal(g_ndone, 2);
	assert_ptr_equal(g_order[0], &tfar);
	assert_ptr_equal(g_order[1], &tc);
	assert_good(&tc);
	assert_int_equal(f->st.npending, 1);			/* now the WRITE */
	assert_int_equal(f->st.pending[0]->offset, BS);
	wh_run_one(f, 0);
	assert_ptr_equal(g_order[2], &tw);
	assert_good(&tw);
	assert_int_equal(f->st.data[0], 'B');
	assert_int_equal(f->st.data[BS], 'W');
	assert_int_equal(f->st.data[2 * BS], 'W');
	scsi_task_release(&tc);
	scsi_task_release(&tw);
	scsi_task_release(&tfar);
	fx_free(f);
}

/* A COMPARE AND WRITE waits for the WRITE in flight on its blocks, so it
 * compares against the written data. */
static void test_caw_waits_for_write(void **state)
{
	struct fixture *f = wh_new(NBLOCKS, false, false);
	uint8_t cdb[SCSI_CDB_MAX], cw[2 * BS], w[BS];
	struct scsi_task tw, tc;

	(void)state;
	reset_order();
	memset(w, 'A', BS);
	memset(cw, 'A', BS);
	memset(cw + BS, 'B', BS);
	write16(cdb, 5, 1);
	assert_int_equal(start(f, &tw, cdb, SCSI_DIR_WRITE, BS, w), SCSI_TASK_PENDING);
	caw(cdb, 5, 1);
	assert_int_equal(start(f, &tc, cdb, SCSI_DIR_WRITE, 2 * BS, cw), SCSI_TASK_PENDING);
	assert_int_equal(f->st.npending, 1);
	wh_run_one(f, 0);					/* the WRITE */
	assert_int_equal(wh_pending_op(f), BS_OP_READ);	/* then CAW starts */
	wh_run_one(f, 0);
	wh_run_one(f, 0);
	assert_good(&tc);
	assert_int_equal(f->st.data[5 * BS], 'B');
	scsi_task_release(&tw);
	scsi_task_release(&tc);
	fx_free(f);
}

/* Reads run beside ordinary writes but never beside an atomic command. */
static void test_reads(void **state)
{
	struct fixture *f = wh_new(NBLOCKS, false, false);
	uint8_t cdb[SCSI_CDB_MAX], w[8 * BS] = { 0 };
	struct scsi_task tw, tr, ta, tr2;

	(void)state;
	reset_order();
	write16(cdb, 0, 8);
	assert_int_equal(start(f, &tw, cdb, SCSI_DIR_WRITE, sizeof(w), w), SCSI_TASK_PENDING);
	read16(cdb, 0, 8);
	assert_int_equal(start(f, &tr, cdb, SCSI_DIR_READ, 8 * BS, NULL), SCSI_TASK_PENDING);
	assert_int_equal(f->st.npending, 2);			/* both run */
	wh_run_one(f, 0);
	wh_run_one(f, 0);
	scsi_task_release(&tr);

	read16(cdb, 0, 8);
	assert_int_equal(start(f, &tr, cdb, SCSI_DIR_READ, 8 * BS, NULL), SCSI_TASK_PENDING);
	wh_cdb16(cdb, 0x9c, 0, 0, 12, 2, 8);			/* WRITE ATOMIC */
	assert_int_equal(start(f, &ta, cdb, SCSI_DIR_WRITE, sizeof(w), w), SCSI_TASK_PENDING);
	assert_int_equal(f->st.npending, 1);			/* waits for the read */
	read16(cdb, 4, 1);
	assert_int_equal(start(f, &tr2, cdb, SCSI_DIR_READ, BS, NULL), SCSI_TASK_PENDING);
	assert_int_equal(f->st.npending, 1);			/* waits for the atomic write */
	wh_run_one(f, 0);					/* first read */
	assert_int_equal(wh_pending_op(f), BS_OP_WRITE);
	assert_int_equal(f->st.npending, 1);
	wh_run_one(f, 0);					/* atomic write */
	assert_int_equal(wh_pending_op(f), BS_OP_READ);
	wh_run_one(f, 0);
	assert_int_equal(g_ndone, 5);
	assert_ptr_equal(g_order[2], &tr);
	assert_ptr_equal(g_order[3], &ta);
	assert_ptr_equal(g_order[4], &tr2);
	scsi_task_release(&tw);
	scsi_task_release(&tr);
	scsi_task_release(&ta);
	scsi_task_release(&tr2);
	fx_free(f);
}

/* A waiter may not overtake an earlier overlapping waiter. */
static void test_arrival_order(void **state)
{
	struct fixture *f = wh_new(NBLOCKS, false, false);
	uint8_t cdb[SCSI_CDB_MAX], w[4 * BS] = { 0 }, cw[8 * BS] = { 0 };
	struct scsi_task t1, tc, t2;

	(void)state;
	reset_order();
	write16(cdb, 0, 4);					/* [0,4) held */
	assert_int_equal(start(f, &t1, cdb, SCSI_DIR_WRITE, 4 * BS, w), SCSI_TASK_PENDING);
	caw(cdb, 2, 4);						/* [2,6) waits */
	assert_int_equal(start(f, &tc, cdb, SCSI_DIR_WRITE, 8 * BS, cw), SCSI_TASK_PENDING);
	write16(cdb, 5, 3);					/* [5,8): free, but after the CAW */
	assert_int_equal(start(f, &t2, cdb, SCSI_DIR_WRITE, 3 * BS, w), SCSI_TASK_PENDING);
	assert_int_equal(f->st.npending, 1);
	wh_run_one(f, 0);					/* t1 */
	assert_int_equal(f->st.npending, 1);			/* CAW read only */
	assert_int_equal(wh_pending_op(f), BS_OP_READ);
	wh_run_one(f, 0);
	wh_run_one(f, 0);					/* CAW write */
	assert_int_equal(f->st.npending, 1);			/* now t2 */
	wh_run_one(f, 0);
	assert_int_equal(g_ndone, 3);
	assert_ptr_equal(g_order[0], &t1);
	assert_ptr_equal(g_order[1], &tc);
	assert_ptr_equal(g_order[2], &t2);
	scsi_task_release(&t1);
	scsi_task_release(&tc);
	scsi_task_release(&t2);
	fx_free(f);
}

/* UNMAP takes the lock of each descriptor in turn. */
static void test_unmap_per_descriptor(void **state)
{
	struct fixture *f = wh_new(NBLOCKS, true, false);
	uint8_t cdb[SCSI_CDB_MAX] = { 0x42 }, list[8 + 32] = { 0 }, cw[2 * BS] = { 0 };
	struct scsi_task tc, tu;

	(void)state;
	reset_order();
	caw(cdb, 50, 1);
	assert_int_equal(start(f, &tc, cdb, SCSI_DIR_WRITE, 2 * BS, cw), SCSI_TASK_PENDING);
	put_be16(&list[0], 6 + 32);
	put_be16(&list[2], 32);
	put_be64(&list[8], 10);
	put_be32(&list[16], 5);
	put_be64(&list[24], 48);
	put_be32(&list[32], 4);
	memset(cdb, 0, sizeof(cdb));
	cdb[0] = 0x42;
	put_be16(&cdb[7], sizeof(list));
	assert_int_equal(start(f, &tu, cdb, SCSI_DIR_WRITE, sizeof(list), list), SCSI_TASK_PENDING);
	assert_int_equal(f->st.npending, 2);			/* CAW read, first descriptor */
	assert_int_equal(f->st.pending[1]->op, BS_OP_UNMAP);
	assert_int_equal(f->st.pending[1]->offset, 10 * BS);
	wh_run_one(f, 0);					/* CAW read */
	wh_run_one(f, 0);					/* descriptor 1 */
	assert_int_equal(f->st.npending, 1);			/* CAW write; descriptor 2 waits */
	assert_int_equal(wh_pending_op(f), BS_OP_WRITE);
	wh_run_one(f, 0);
	assert_int_equal(wh_pending_op(f), BS_OP_UNMAP);
	assert_int_equal(f->st.pending[0]->offset, 48 * BS);
	wh_run_one(f, 0);
	assert_int_equal(g_ndone, 2);
	assert_ptr_equal(g_order[1], &tu);
	assert_good(&tu);
	scsi_task_release(&tc);
	scsi_task_release(&tu);
	fx_free(f);
}

/* A store that refuses requests: waiters then finish as soon as they
 * start, and each must hand its range on. */
static bool g_refuse;

static int refuse_submit(struct backend *bs, struct bs_request *req)
{
	return g_refuse ? -EIO : fake_submit(bs, req);
}

static const struct backend_ops refuse_ops = {
	.name = "refuse",
	.open = fake_open,
	.submit = refuse_submit,
	.close = fake_close,
};

static void test_waiters_fail_at_start(void **state)
{
	struct fixture *f = wh_new(NBLOCKS, false, false);
	uint8_t cdb[SCSI_CDB_MAX], w[BS] = { 0 };
	struct scsi_task t1, t2, t3, t4;

	(void)state;
	reset_order();
	f->bs.ops = &refuse_ops;
	g_refuse = false;
	write16(cdb, 0, 1);
	assert_int_equal(start(f, &t1, cdb, SCSI_DIR_WRITE, BS, w), SCSI_TASK_PENDING);
	assert_int_equal(start(f, &t2, cdb, SCSI_DIR_WRITE, BS, w), SCSI_TASK_PENDING);
	assert_int_equal(start(f, &t3, cdb, SCSI_DIR_WRITE, BS, w), SCSI_TASK_PENDING);
	g_refuse = true;
	wh_run_one(f, 0);
	assert_int_equal(g_ndone, 3);
	assert_ptr_equal(g_order[0], &t2);			/* inside t1's release */
	assert_ptr_equal(g_order[1], &t3);
	assert_ptr_equal(g_order[2], &t1);
	assert_sense(&t2, 0x3, 0x0c00);
	assert_sense(&t3, 0x3, 0x0c00);
	g_refuse = false;					/* nothing is left locked */
	assert_int_equal(start(f, &t4, cdb, SCSI_DIR_WRITE, BS, w), SCSI_TASK_PENDING);
	assert_int_equal(f->st.npending, 1);
	wh_run_one(f, 0);
	assert_good(&t4);
	scsi_task_release(&t1);
	scsi_task_release(&t2);
	scsi_task_release(&t3);
	scsi_task_release(&t4);
	fx_free(f);
}

/* Like start(), with a task tag, so that ABORT TASK can name the task. */
static int start_tagged(struct fixture *f, struct scsi_task *t, uint64_t tag,
			const uint8_t *cdb, uint32_t len, const void *data)
{
	fx_task(t, f->tgt, &f->itn, 0, cdb, SCSI_DIR_WRITE, len, rec_done);
	t->tag = tag;
	g_fx = f;
	assert_int_equal(scsi_task_prepare(t), SCSI_TASK_READY);
	memcpy(t->buf, data, t->data_out_len);
	return scsi_task_execute(t);
}

/* ABORT TASK of a WRITE waiting for its range ends it at once, without a
 * status; the waiter queued behind it starts when the holder is done. */
static void test_abort_waiter(void **state)
{
	struct fixture *f = wh_new(NBLOCKS, false, false);
	uint8_t cdb[SCSI_CDB_MAX], cw[2 * BS], w2[BS], w3[BS];
	struct scsi_task tc, t2, t3;
	struct scsi_tmf tmf = { .tgt = f->tgt, .itn = &f->itn, .fn = SCSI_TMF_ABORT_TASK,
				.lun = 0, .tag = 2 };

	(void)state;
	reset_order();
	memset(cw, 0, sizeof(cw));		/* compare zeros, write zeros */
	memset(w2, '2', sizeof(w2));
	memset(w3, '3', sizeof(w3));
	caw(cdb, 0, 1);
	assert_int_equal(start_tagged(f, &tc, 1, cdb, sizeof(cw), cw), SCSI_TASK_PENDING);
	write16(cdb, 0, 1);
	assert_int_equal(start_tagged(f, &t2, 2, cdb, sizeof(w2), w2), SCSI_TASK_PENDING);
	assert_int_equal(start_tagged(f, &t3, 3, cdb, sizeof(w3), w3), SCSI_TASK_PENDING);
	assert_int_equal(f->st.npending, 1);			/* only the CAW read */

	assert_int_equal(scsi_tmf_execute(&tmf), SCSI_TASK_COMPLETE);
	assert_int_equal(tmf.response, SCSI_TMF_RSP_COMPLETE);
	assert_int_equal(g_ndone, 1);
	assert_ptr_equal(g_order[0], &t2);
	assert_true(t2.aborted);
	assert_int_equal(f->st.npending, 1);			/* t3 still waits */

	wh_run_one(f, 0);					/* CAW read */
	wh_run_one(f, 0);					/* CAW write */
	assert_ptr_equal(g_order[1], &tc);
	assert_int_equal(tc.status, SCSI_STATUS_GOOD);
	assert_int_equal(f->st.npending, 1);			/* t3 runs now */
	wh_run_one(f, 0);
	assert_ptr_equal(g_order[2], &t3);
	assert_false(t3.aborted);
	assert_int_equal(f->st.data[0], '3');
	scsi_task_release(&tc);
	scsi_task_release(&t2);
	scsi_task_release(&t3);
	fx_free(f);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_caw_excludes_writes),
		cmocka_unit_test(test_caw_waits_for_write),
		cmocka_unit_test(test_reads),
		cmocka_unit_test(test_arrival_order),
		cmocka_unit_test(test_unmap_per_descriptor),
		cmocka_unit_test(test_waiters_fail_at_start),
		cmocka_unit_test(test_abort_waiter),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
