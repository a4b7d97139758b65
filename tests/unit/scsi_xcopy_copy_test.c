/* SPDX-License-Identifier: Apache-2.0 */
/*
 * EXTENDED COPY execution: COPY ABORTED with the copy target's sense
 * appended (unreachable target, LBA out of range, no medium, a read error
 * and its FAILED SEGMENT DETAILS), real copies between two LUs and within
 * one (overlapping ranges copy like memmove), destination count and
 * several segments, and a SANITIZE of the destination while a copy runs.
 */
#include "tests/unit/scsi_xcopy_fixture.h"

/* ---- COPY ABORTED ------------------------------------------------------- */

static void test_unreachable_target(void **state)
{
	struct two *w = two_new(BS, false);
	uint8_t p[512];
	uint32_t len = simple_list(w, p, 1, 0, 2, 8, 0, 0);	/* no CSCD 2 */
	struct scsi_task t;

	(void)state;
	xcopy(w, &t, p, len);
	assert_sense(&t, 0xa, 0x0804);		/* COPY ABORTED, UNREACHABLE COPY TARGET */
	assert_int_equal(get_be16(&t.sense[10]), 0);	/* segment 0 */
	scsi_task_release(&t);
	/* A designator that names no LU of this target. */
	len = simple_list(w, p, 1, 0, 1, 8, 0, 0);
	p[HDR + CSCD + 23] ^= 0xff;
	xcopy(w, &t, p, len);
	assert_sense(&t, 0xa, 0x0804);
	scsi_task_release(&t);
	assert_int_equal(w->f->st.submits + w->st1.submits, 0);
	two_free(w);
}

static void check_target_sense(const struct scsi_task *t, unsigned which, uint16_t seg)
{
	uint8_t off = t->sense[which];

	assert_sense(t, 0xa, 0x0000);
	assert_int_equal(t->sense[which == 8 ? 9 : 8], 0);
	assert_int_equal(get_be16(&t->sense[10]), seg);
	assert_int_equal(off, 18);
	assert_int_equal(t->sense_len, 18 + 1 + 18);
	assert_int_equal(t->sense[7], t->sense_len - 8);
	assert_int_equal(t->sense[off], SCSI_STATUS_CHECK_CONDITION);
	assert_int_equal(t->sense[off + 1], 0x70);
}

static void test_lba_out_of_range(void **state)
{
	struct two *w = two_new(BS, false);
	uint8_t p[512];
	uint32_t len = simple_list(w, p, 1, 0, 1, 2048, 0, NBLOCKS - 1);
	struct scsi_task t;

	(void)state;
	xcopy(w, &t, p, len);
	check_target_sense(&t, 9, 0);			/* the destination's */
	assert_int_equal(t.sense[18 + 1 + 2], 0x5);
	assert_int_equal(get_be16(&t.sense[18 + 1 + 12]), 0x2100);
	scsi_task_release(&t);
	len = simple_list(w, p, 1, 0, 1, 2, NBLOCKS - 1, 0);
	xcopy(w, &t, p, len);
	check_target_sense(&t, 8, 0);			/* the source's */
	scsi_task_release(&t);
	assert_int_equal(w->f->st.submits + w->st1.submits, 0);
	two_free(w);
}

static void test_no_medium(void **state)
{
	struct two *w = two_new_cfg((struct scsi_lu_config){ .removable = true });
	uint8_t p[512], eject[SCSI_CDB_MAX] = { 0x1b, 0, 0, 0, 0x02 };	/* LOEJ */
	uint32_t len = simple_list(w, p, 1, 0, 1, 8, 0, 0);
	struct scsi_task t;

	(void)state;
	fx_cmd_lun(w->f, &t, 1, eject, SCSI_DIR_NONE, 0, NULL);
	assert_good(&t);
	scsi_task_release(&t);
	xcopy(w, &t, p, len);
	check_target_sense(&t, 9, 0);			/* the destination's */
	assert_int_equal(t.sense[18 + 1 + 2], 0x2);	/* NOT READY */
	assert_int_equal(get_be16(&t.sense[18 + 1 + 12]), 0x3a00);
	scsi_task_release(&t);
	assert_int_equal(w->f->st.submits + w->st1.submits, 0);
	two_free(w);
}

/* ---- copies --------------------------------------------------------------- */

static void test_copy_between_lus(void **state)
{
	struct two *w = two_new(BS, false);
	uint8_t p[512];
	const uint16_t n = 3000;		/* more than one chunk */
	uint32_t len = simple_list(w, p, 7, 0, 1, n, 100, 5000);
	struct scsi_task t;

	(void)state;
	fill(w->f->st.data, (uint64_t)NBLOCKS * BS, 3);
	assert_int_equal(xcopy(w, &t, p, len), SCSI_TASK_PENDING);
	assert_good(&t);
	scsi_task_release(&t);
	assert_memory_equal(w->st1.data + 5000 * BS, w->f->st.data + 100 * BS, n * BS);
	assert_int_equal(w->st1.data[5000 * BS - 1], 0);	/* nothing around it */
	assert_int_equal(w->st1.data[(5000 + n) * BS], 0);
	assert_int_equal(w->st1.submits, 2);		/* 1 MiB, then the rest */

	rcr(w, &t, 0x00, 7, 64);			/* COPY STATUS */
	assert_good(&t);
	assert_int_equal(t.data_in_len, 12);
	assert_int_equal(get_be32(&t.buf[0]), 8);
	assert_int_equal(t.buf[4], 0x01);		/* completed */
	assert_int_equal(get_be16(&t.buf[5]), 1);	/* segments processed */
	assert_int_equal(t.buf[7], 0x00);		/* bytes */
	assert_int_equal(get_be32(&t.buf[8]), n * BS);
	scsi_task_release(&t);
	rcr(w, &t, 0x00, 7, 64);			/* retrieved: discarded */
	assert_sense(&t, 0x5, 0x2400);
	scsi_task_release(&t);
	rcr(w, &t, 0x04, 7, 64);			/* success: no failed segments */
	assert_good(&t);
	assert_int_equal(t.data_in_len, 4);
	assert_int_equal(get_be32(&t.buf[0]), 0);
	scsi_task_release(&t);
	two_free(w);
}

/* A SANITIZE of the destination while a copy into it runs: the erase waits
 * for the chunk being written, and the copy's next chunk is refused (COPY
 * ABORTED with the destination's NOT READY / SANITIZE IN PROGRESS), so no
 * copied data survives the sanitize. */
static void test_sanitize_of_destination(void **state)
{
	struct two *w = two_new(BS, false);
	uint8_t p[512], cdb[SCSI_CDB_MAX] = { 0x83 };
	uint8_t san[SCSI_CDB_MAX] = { 0x48, 0x80 | 0x03 };	/* IMMED CRYPTO ERASE */
	uint32_t len = simple_list(w, p, 3, 0, 1, 3000, 0, 0);
	struct scsi_task t, s;

	(void)state;
	fill(w->f->st.data, (uint64_t)NBLOCKS * BS, 5);
	put_be32(&cdb[10], len);
	assert_int_equal(start_cmd(w, &t, 0, cdb, SCSI_DIR_WRITE, len, p), SCSI_TASK_PENDING);
	assert_true(fake_step(&w->f->bs, 0));				/* chunk 1 read ... */
	assert_int_equal(w->st1.npending, 1);		/* ... and being written */

	g_fx = w->f;
	fx_cmd_lun(w->f, &s, 1, san, SCSI_DIR_NONE, 0, NULL);
	assert_good(&s);
	scsi_task_release(&s);
	assert_int_equal(w->st1.npending, 1);		/* the erase waits for it */
	assert_int_equal(w->st1.pending[0]->op, BS_OP_WRITE);
	assert_true(w->st1.pending[0]->len == 1024 * 1024);	/* the copy's chunk */

	w->f->done_calls = 0;
	assert_true(fake_step(&w->bs1, 0));				/* written: the erase starts */
	assert_int_equal(w->st1.npending, 1);
	assert_true(w->st1.pending[0]->offset == 0);
	assert_true(fake_step(&w->f->bs, 0));				/* chunk 2 read: refused */
	assert_int_equal(w->f->done_calls, 1);
	check_target_sense(&t, 9, 0);			/* the destination's */
	assert_int_equal(t.sense[18 + 1 + 2], 0x2);	/* NOT READY */
	assert_int_equal(get_be16(&t.sense[18 + 1 + 12]), 0x041b);
	scsi_task_release(&t);
	assert_int_equal(w->st1.npending, 1);		/* only the erase */

	while (w->st1.npending)
		assert_true(fake_step(&w->bs1, 0));
	for (uint64_t i = 0; i < w->bs1.size; i++)
		if (w->st1.data[i])
			fail_msg("byte %llu of the sanitized LU is %#x",
				 (unsigned long long)i, w->st1.data[i]);
	two_free(w);
}

/* Copy [src, src+n) to dst within LU 0 and compare with memmove(). */
static void check_overlap(uint64_t src, uint64_t dst, uint16_t n)
{
	struct two *w = two_new(BS, false);
	uint64_t size = (uint64_t)NBLOCKS * BS;
	uint8_t p[512], *want = malloc(size);
	struct scsi_task t;

	assert_non_null(want);
	fill(w->f->st.data, size, 11);
	memcpy(want, w->f->st.data, size);
	memmove(want + dst * BS, want + src * BS, (size_t)n * BS);
	simple_list(w, p, 1, 0, 0, n, src, dst);
	assert_int_equal(xcopy(w, &t, p, HDR + 2 * CSCD + SEG), SCSI_TASK_PENDING);
	assert_good(&t);
	scsi_task_release(&t);
	assert_memory_equal(w->f->st.data, want, size);
	free(want);
	two_free(w);
}

static void test_copy_within_lu_overlapping(void **state)
{
	(void)state;
	check_overlap(10, 110, 3000);	/* destination above the source */
	check_overlap(110, 10, 3000);	/* destination below the source */
	check_overlap(0, 4000, 2100);	/* no overlap */
}

static void test_copy_dc_and_segments(void **state)
{
	struct two *w = two_new(4096, false);
	uint8_t p[512];
	uint32_t off;
	struct scsi_task t;

	(void)state;
	fill(w->f->st.data, (uint64_t)NBLOCKS * BS, 5);
	header(p, 2, 3, 2, 2);			/* no list identifier */
	p[0] = 0;
	cscd_for(w, 0, &p[HDR]);
	cscd_for(w, 1, &p[HDR + CSCD]);
	off = HDR + 2 * CSCD;
	off += seg_b2b(&p[off], 0, 1, 2, 16, 3, true);	/* 2 blocks of 4096 */
	off += seg_b2b(&p[off], 0, 1, 8, 0, 0, false);	/* 8 blocks of 512 */
	assert_int_equal(xcopy(w, &t, p, off), SCSI_TASK_PENDING);
	assert_good(&t);
	scsi_task_release(&t);
	assert_memory_equal(w->st1.data + 3 * 4096, w->f->st.data + 16 * BS, 8192);
	assert_memory_equal(w->st1.data, w->f->st.data, 4096);
	rcr(w, &t, 0x00, 0, 64);		/* nothing held for list id usage 11b */
	assert_sense(&t, 0x5, 0x2400);
	scsi_task_release(&t);
	two_free(w);
}

static void test_read_error_failed_segment(void **state)
{
	struct two *w = two_new(BS, false);
	uint8_t p[512];
	uint32_t len, off;
	struct scsi_task t;

	(void)state;
	header(p, 9, 0, 2, 2);
	cscd_for(w, 0, &p[HDR]);
	cscd_for(w, 1, &p[HDR + CSCD]);
	off = HDR + 2 * CSCD;
	off += seg_b2b(&p[off], 0, 0, 4, 0, 100, false);	/* LU 0 only */
	off += seg_b2b(&p[off], 1, 0, 4, 0, 10, false);
	len = off;
	w->st1.fail_next = 1;			/* LU 1's first request: segment 1's read */
	assert_int_equal(xcopy(w, &t, p, len), SCSI_TASK_PENDING);
	check_target_sense(&t, 8, 1);
	assert_int_equal(t.sense[18 + 1 + 2], 0x3);	/* MEDIUM ERROR */
	assert_int_equal(get_be16(&t.sense[18 + 1 + 12]), 0x1100);
	scsi_task_release(&t);

	rcr(w, &t, 0x00, 9, 64);
	assert_good(&t);
	assert_int_equal(t.buf[4], 0x02);		/* completed with errors */
	assert_int_equal(get_be16(&t.buf[5]), 1);
	assert_int_equal(get_be32(&t.buf[8]), 4 * BS);
	scsi_task_release(&t);
	rcr(w, &t, 0x04, 9, 20);			/* truncated: still held */
	assert_good(&t);
	assert_int_equal(get_be32(&t.buf[0]), 60 + 37 - 4);
	scsi_task_release(&t);
	rcr(w, &t, 0x04, 9, 256);
	assert_good(&t);
	assert_int_equal(t.data_in_len, 60 + 37);
	assert_int_equal(t.buf[56], SCSI_STATUS_CHECK_CONDITION);
	assert_int_equal(get_be16(&t.buf[58]), 37);
	assert_int_equal(t.buf[60 + 2], 0xa);		/* COPY ABORTED */
	scsi_task_release(&t);
	rcr(w, &t, 0x04, 9, 256);			/* retrieved: gone */
	assert_int_equal(get_be32(&t.buf[0]), 0);
	scsi_task_release(&t);
	two_free(w);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_unreachable_target),
		cmocka_unit_test(test_lba_out_of_range),
		cmocka_unit_test(test_no_medium),
		cmocka_unit_test(test_copy_between_lus),
		cmocka_unit_test(test_sanitize_of_destination),
		cmocka_unit_test(test_copy_within_lu_overlapping),
		cmocka_unit_test(test_copy_dc_and_segments),
		cmocka_unit_test(test_read_error_failed_segment),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
