/* SPDX-License-Identifier: Apache-2.0 */
/*
 * EXTENDED COPY against what guards the copy targets for the initiator's
 * own commands: persistent and SPC-2 reservations (before and during the
 * copy), software write protect, LBA range locks, and ABORT TASK.
 */
#include "tests/unit/scsi_xcopy_fixture.h"

/* ---- what the initiator could do itself: reservations, SWP, locks, abort - */

/* Run @cdb on @lun from @itn to completion (both stores). */
static uint8_t run_from(struct two *w, struct scsi_itn *itn, uint64_t lun, const uint8_t *cdb,
			enum scsi_dir dir, uint32_t len, const void *dout)
{
	struct scsi_task t;
	uint8_t status;
	int rc;

	fx_task(&t, w->f->tgt, itn, lun, cdb, dir, len, fx_done);
	g_fx = w->f;
	w->f->done_calls = 0;
	rc = scsi_task_prepare(&t);
	if (rc != SCSI_TASK_COMPLETE) {
		if (t.data_out_len && dout)
			memcpy(t.buf, dout, t.data_out_len < len ? t.data_out_len : len);
		if (scsi_task_execute(&t) == SCSI_TASK_PENDING)
			run_stores(w);
	}
	status = t.status;
	scsi_task_release(&t);
	return status;
}

/* A second nexus, its power-on unit attentions consumed on both LUs. */
static void add_n2(struct two *w, struct scsi_itn *n2)
{
	uint8_t tur[SCSI_CDB_MAX] = { 0 };

	fx_itn_init(n2, 2);
	strcpy(n2->initiator_port, "iqn.2026-01.test:other,i,0x000000000002");
	scsi_tgt_nexus_add(w->f->tgt, n2);
	run_from(w, n2, 0, tur, SCSI_DIR_NONE, 0, NULL);
	run_from(w, n2, 1, tur, SCSI_DIR_NONE, 0, NULL);
}

/* PERSISTENT RESERVE OUT REGISTER (key @key) then RESERVE @type on @lun. */
static void pr_reserve(struct two *w, struct scsi_itn *itn, uint64_t lun, uint8_t type,
		       uint64_t key)
{
	uint8_t cdb[SCSI_CDB_MAX] = { 0x5f, 0x00 }, d[24] = { 0 };

	put_be32(&cdb[5], sizeof(d));
	put_be64(&d[8], key);
	assert_int_equal(run_from(w, itn, lun, cdb, SCSI_DIR_WRITE, sizeof(d), d), 0);
	cdb[1] = 0x01;
	cdb[2] = type;
	memset(d, 0, sizeof(d));
	put_be64(&d[0], key);
	assert_int_equal(run_from(w, itn, lun, cdb, SCSI_DIR_WRITE, sizeof(d), d), 0);
}

/* EXTENDED COPY sent to @mgr_lun from the fixture's nexus; returns status. */
static uint8_t xcopy_to(struct two *w, uint64_t mgr_lun, const uint8_t *p, uint32_t len)
{
	uint8_t cdb[SCSI_CDB_MAX] = { 0x83 };

	put_be32(&cdb[10], len);
	return run_from(w, &w->f->itn, mgr_lun, cdb, SCSI_DIR_WRITE, len, p);
}

static void test_reservations_of_copy_targets(void **state)
{
	struct two *w = two_new(BS, false);
	uint8_t p[512], r6[SCSI_CDB_MAX] = { 0x16 }, rel6[SCSI_CDB_MAX] = { 0x17 };
	uint32_t len = simple_list(w, p, 0, 0, 1, 8, 0, 0);
	struct scsi_itn n2;

	(void)state;
	add_n2(w, &n2);
	fill(w->f->st.data, 8 * BS, 3);
	/* Another nexus holds EXCLUSIVE ACCESS on the destination: our own
	 * WRITE would conflict, so does the copy, and nothing is written. */
	pr_reserve(w, &n2, 1, 3, 0x22);
	assert_int_equal(xcopy_to(w, 0, p, len), SCSI_STATUS_RESERVATION_CONFLICT);
	assert_int_equal(w->st1.submits, 0);
	/* WRITE EXCLUSIVE on the source lets reads through: the copy (sent
	 * to LU 1, which no reservation guards now) runs. */
	two_free(w);
	w = two_new(BS, false);
	add_n2(w, &n2);
	len = simple_list(w, p, 0, 0, 1, 8, 0, 0);
	fill(w->f->st.data, 8 * BS, 3);
	pr_reserve(w, &n2, 0, 1, 0x22);
	assert_int_equal(xcopy_to(w, 1, p, len), 0);
	assert_memory_equal(w->st1.data, w->f->st.data, 8 * BS);
	/* EXCLUSIVE ACCESS on the source: our READ would conflict. */
	two_free(w);
	w = two_new(BS, false);
	add_n2(w, &n2);
	len = simple_list(w, p, 0, 0, 1, 8, 0, 0);
	pr_reserve(w, &n2, 0, 3, 0x22);
	assert_int_equal(xcopy_to(w, 1, p, len), SCSI_STATUS_RESERVATION_CONFLICT);
	assert_int_equal(w->f->st.submits, 0);
	/* An SPC-2 RESERVE of the destination by the other nexus, then
	 * released: conflict, then the copy runs. */
	two_free(w);
	w = two_new(BS, false);
	add_n2(w, &n2);
	len = simple_list(w, p, 0, 0, 1, 8, 0, 0);
	assert_int_equal(run_from(w, &n2, 1, r6, SCSI_DIR_NONE, 0, NULL), 0);
	assert_int_equal(xcopy_to(w, 0, p, len), SCSI_STATUS_RESERVATION_CONFLICT);
	assert_int_equal(run_from(w, &n2, 1, rel6, SCSI_DIR_NONE, 0, NULL), 0);
	assert_int_equal(xcopy_to(w, 0, p, len), 0);
	/* Our own RESERVE does not stop our own copy. */
	assert_int_equal(run_from(w, &w->f->itn, 1, r6, SCSI_DIR_NONE, 0, NULL), 0);
	assert_int_equal(xcopy_to(w, 0, p, len), 0);
	scsi_tgt_nexus_remove(w->f->tgt, &n2);
	two_free(w);
}

/* SWP of the destination (control mode page) makes it write protected
 * for the copy as for a WRITE. */
static void test_swp_destination(void **state)
{
	struct two *w = two_new(BS, false);
	uint8_t sense6[SCSI_CDB_MAX] = { 0x1a, 0x08, 0x0a, 0, 255 };
	uint8_t sel6[SCSI_CDB_MAX] = { 0x15, 0x10 }, list[64] = { 0 }, p[512];
	uint32_t len = simple_list(w, p, 0, 0, 1, 8, 0, 0), n;
	struct scsi_task t;

	(void)state;
	fx_cmd_lun(w->f, &t, 1, sense6, SCSI_DIR_READ, 255, NULL);
	assert_good(&t);
	n = t.data_in_len;
	memcpy(list + 4, t.buf + 4, n - 4);
	scsi_task_release(&t);
	list[4 + 4] |= 0x08;				/* SWP */
	sel6[4] = (uint8_t)n;
	assert_int_equal(run_from(w, &w->f->itn, 1, sel6, SCSI_DIR_WRITE, n, list), 0);
	assert_int_equal(w->st1.submits, 1);		/* SWP on: the flush */
	xcopy(w, &t, p, len);
	assert_sense(&t, 0x7, 0x2700);			/* DATA PROTECT, WRITE PROTECTED */
	scsi_task_release(&t);
	assert_int_equal(w->st1.submits, 1);		/* nothing written */
	two_free(w);
}

/* A reservation that arrives while the copy runs stops it at the next
 * chunk: COPY ABORTED, the destination's RESERVATION CONFLICT status
 * appended, the rest of the segment as residual. */
static void test_reservation_during_copy(void **state)
{
	struct two *w = two_new(BS, false);
	uint8_t p[512], cdb[SCSI_CDB_MAX] = { 0x83 };
	uint32_t len = simple_list(w, p, 0, 0, 1, 4096, 0, 0);	/* 2 chunks */
	struct scsi_itn n2;
	struct scsi_task t;

	(void)state;
	add_n2(w, &n2);
	put_be32(&cdb[10], len);
	assert_int_equal(start_cmd(w, &t, 0, cdb, SCSI_DIR_WRITE, len, p), SCSI_TASK_PENDING);
	assert_true(fake_step(&w->f->bs, 0));		/* chunk 1 read */
	assert_true(fake_step(&w->bs1, 0));		/* chunk 1 written */
	assert_int_equal(w->f->st.npending, 1);		/* chunk 2 being read */
	pr_reserve(w, &n2, 1, 1, 0x22);			/* WRITE EXCLUSIVE on LU 1 */
	g_fx = w->f;
	w->f->done_calls = 0;
	assert_true(fake_step(&w->f->bs, 0));		/* chunk 2 read: its write refused */
	assert_int_equal(w->f->done_calls, 1);
	assert_sense(&t, 0xa, 0x0000);
	assert_int_equal(t.sense[9], 18);		/* the destination's status */
	assert_int_equal(t.sense[8], 0);
	assert_int_equal(t.sense[18], SCSI_STATUS_RESERVATION_CONFLICT);
	assert_int_equal(t.sense_len, 19);
	assert_int_equal(t.sense[7], 11);
	assert_int_equal(get_be32(&t.sense[3]), 2048);	/* blocks not written */
	assert_int_equal(w->st1.submits, 1);
	scsi_task_release(&t);
	scsi_tgt_nexus_remove(w->f->tgt, &n2);
	two_free(w);
}

/* ABORT TASK (or the connection closing) stops the copy once the chunk in
 * flight completes; a copy waiting for a range lock ends at once. */
static void test_abort_stops_copy(void **state)
{
	struct two *w = two_new(BS, false);
	uint8_t p[512], cdb[SCSI_CDB_MAX] = { 0x83 };
	uint32_t len = simple_list(w, p, 0, 0, 1, 8192, 0, 0);	/* 4 chunks */
	struct scsi_task t;

	(void)state;
	put_be32(&cdb[10], len);
	assert_int_equal(start_cmd(w, &t, 0, cdb, SCSI_DIR_WRITE, len, p), SCSI_TASK_PENDING);
	assert_true(fake_step(&w->f->bs, 0));		/* chunk 1 read, being written */
	scsi_task_abort(&t);
	assert_int_equal(w->f->done_calls, 0);		/* its write is in flight */
	assert_true(fake_step(&w->bs1, 0));
	assert_int_equal(w->f->done_calls, 1);
	assert_true(t.aborted);
	assert_int_equal(w->f->st.npending + w->st1.npending, 0);	/* nothing more */
	assert_int_equal(w->f->st.submits, 1);
	assert_int_equal(w->st1.submits, 1);
	scsi_task_release(&t);
	/* A result with the list's identifier is no longer running: a new
	 * copy with that identifier is accepted. */
	assert_int_equal(xcopy(w, &t, p, len), SCSI_TASK_PENDING);
	assert_good(&t);
	scsi_task_release(&t);
	two_free(w);
}

/* The copy's writes take the destination's LBA range lock: a COMPARE AND
 * WRITE in progress there holds the copy's write back until it is done,
 * and aborting the waiting copy ends it at once. */
static void test_copy_takes_range_lock(void **state)
{
	struct two *w = two_new(BS, false);
	uint8_t p[512], cdb[SCSI_CDB_MAX] = { 0x83 }, d[2 * BS];
	uint8_t caw[SCSI_CDB_MAX] = { 0x89, 0, 0, 0, 0, 0, 0, 0, 0, 4, 0, 0, 0, 1 };
	uint32_t len = simple_list(w, p, 0, 0, 1, 8, 0, 0);
	struct scsi_task c, t;

	(void)state;
	memset(d, 0, sizeof(d));			/* compare zeros, write zeros */
	fx_task(&c, w->f->tgt, &w->f->itn, 1, caw, SCSI_DIR_WRITE, sizeof(d), fx_done);
	g_fx = w->f;
	assert_int_equal(scsi_task_prepare(&c), SCSI_TASK_READY);
	memcpy(c.buf, d, sizeof(d));
	assert_int_equal(scsi_task_execute(&c), SCSI_TASK_PENDING);	/* reading LBA 4 */
	assert_int_equal(w->st1.npending, 1);
	for (int round = 0; round < 2; round++) {
		put_be32(&cdb[10], len);
		assert_int_equal(start_cmd(w, &t, 0, cdb, SCSI_DIR_WRITE, len, p),
				 SCSI_TASK_PENDING);
		assert_true(fake_step(&w->f->bs, 0));	/* the copy's read */
		assert_int_equal(w->st1.npending, 1);	/* its write waits */
		if (round == 0) {
			scsi_task_abort(&t);		/* ends now */
			assert_int_equal(w->f->done_calls, 1);
			assert_true(t.aborted);
			scsi_task_release(&t);
			continue;
		}
		w->f->done_calls = 0;
		assert_true(fake_step(&w->bs1, 0));	/* CAW read; CAW writes */
		assert_true(fake_step(&w->bs1, 0));	/* CAW written: copy's write starts */
		assert_int_equal(w->st1.npending, 1);
		assert_int_equal(w->st1.pending[0]->op, BS_OP_WRITE);
		assert_true(w->st1.pending[0]->len == 8 * BS);
		assert_true(fake_step(&w->bs1, 0));
		assert_good(&c);
		assert_good(&t);
		scsi_task_release(&t);
	}
	scsi_task_release(&c);
	two_free(w);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_reservations_of_copy_targets),
		cmocka_unit_test(test_swp_destination),
		cmocka_unit_test(test_reservation_during_copy),
		cmocka_unit_test(test_abort_stops_copy),
		cmocka_unit_test(test_copy_takes_range_lock),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
