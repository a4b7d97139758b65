/* SPDX-License-Identifier: Apache-2.0 */
/*
 * RECEIVE COPY RESULTS and what the target advertises for third-party
 * copy: list identifiers in use, the bounds on concurrent copies and on
 * held results, OPERATING PARAMETERS, the 3PC bit of INQUIRY and the
 * Third-party Copy VPD page.
 */
#include "tests/unit/scsi_xcopy_fixture.h"

/* ---- RECEIVE COPY RESULTS ------------------------------------------------- */

static void test_list_id_in_use(void **state)
{
	struct two *w = two_new(BS, false);
	uint8_t p[512];
	uint32_t len = simple_list(w, p, 4, 0, 1, 8, 0, 0);
	struct scsi_task t, t2;

	(void)state;
	assert_int_equal(start_cmd(w, &t, 0, (uint8_t[SCSI_CDB_MAX]){ 0x83, 0, 0, 0, 0, 0, 0,
				   0, 0, 0, 0, 0, 0, (uint8_t)len }, SCSI_DIR_WRITE, len, p),
			 SCSI_TASK_PENDING);
	rcr(w, &t2, 0x00, 4, 64);			/* running */
	assert_good(&t2);
	assert_int_equal(t2.buf[4], 0x00);
	scsi_task_release(&t2);
	start_cmd(w, &t2, 0, t.cdb, SCSI_DIR_WRITE, len, p);
	assert_sense(&t2, 0x5, 0x0016);		/* OPERATION IN PROGRESS */
	scsi_task_release(&t2);
	g_fx = w->f;
	run_stores(w);
	assert_good(&t);
	scsi_task_release(&t);
	/* A new nexus (same id after a logout) finds nothing. */
	scsi_tgt_nexus_remove(w->f->tgt, &w->f->itn);
	scsi_tgt_nexus_add(w->f->tgt, &w->f->itn);
	run_tur(w->f, 0);
	rcr(w, &t2, 0x00, 4, 64);
	assert_sense(&t2, 0x5, 0x2400);
	scsi_task_release(&t2);
	two_free(w);
}

/* XCOPY_MAX_CONCURRENT (16) copies may run at once in a target. */
static void test_concurrent_copies(void **state)
{
	struct two *w = two_new(BS, false);
	uint8_t p[512], cdb[SCSI_CDB_MAX] = { 0x83 };
	uint32_t len = simple_list(w, p, 0, 0, 0, 8, 0, 100);
	struct scsi_task t[17];

	(void)state;
	p[1] = 3 << 3;				/* no list identifier */
	put_be32(&cdb[10], len);
	for (int i = 0; i < 16; i++) {
		/* Half within LU 0, half within LU 1: 8 requests per store. */
		uint16_t lu = i < 8 ? 0 : 1;

		put_be16(&p[HDR + 2 * CSCD + 4], lu);
		put_be16(&p[HDR + 2 * CSCD + 6], lu);
		assert_int_equal(start_cmd(w, &t[i], 0, cdb, SCSI_DIR_WRITE, len, p),
				 SCSI_TASK_PENDING);
	}
	assert_int_equal(start_cmd(w, &t[16], 0, cdb, SCSI_DIR_WRITE, len, p),
			 SCSI_TASK_COMPLETE);
	assert_sense(&t[16], 0x5, 0x5503);	/* INSUFFICIENT RESOURCES */
	scsi_task_release(&t[16]);
	while (w->f->done_calls < 16)
		assert_true(fake_run(&w->f->bs) + fake_run(&w->bs1) > 0);
	for (int i = 0; i < 16; i++) {
		assert_good(&t[i]);
		scsi_task_release(&t[i]);
	}
	/* Room again. */
	assert_int_equal(xcopy(w, &t[0], p, len), SCSI_TASK_PENDING);
	assert_good(&t[0]);
	scsi_task_release(&t[0]);
	two_free(w);
}

/* At most XCOPY_MAX_HELD (16) results per nexus: the oldest goes first. */
static void test_results_bounded(void **state)
{
	struct two *w = two_new(BS, false);
	uint8_t p[512];
	uint32_t len = simple_list(w, p, 0, 0, 1, 8, 0, 0);
	struct scsi_task t;

	(void)state;
	for (uint8_t id = 1; id <= 17; id++) {
		p[0] = id;
		assert_int_equal(xcopy(w, &t, p, len), SCSI_TASK_PENDING);
		assert_good(&t);
		scsi_task_release(&t);
	}
	rcr(w, &t, 0x00, 1, 64);
	assert_sense(&t, 0x5, 0x2400);		/* evicted */
	scsi_task_release(&t);
	for (uint8_t id = 2; id <= 17; id++) {
		rcr(w, &t, 0x00, id, 64);
		assert_good(&t);
		assert_int_equal(t.buf[4], 0x01);
		scsi_task_release(&t);
	}
	/* FAILED SEGMENT DETAILS with allocation length 0 discards them. */
	p[0] = 30;
	put_be64(&p[HDR + 2 * CSCD + 20], NBLOCKS);	/* destination out of range */
	xcopy(w, &t, p, len);
	assert_sense(&t, 0xa, 0x0000);
	scsi_task_release(&t);
	rcr(w, &t, 0x04, 30, 0);
	assert_good(&t);
	assert_int_equal(t.data_in_len, 0);
	scsi_task_release(&t);
	rcr(w, &t, 0x04, 30, 256);
	assert_int_equal(get_be32(&t.buf[0]), 0);
	scsi_task_release(&t);
	two_free(w);
}

static void test_operating_parameters(void **state)
{
	struct two *w = two_new(BS, false);
	struct scsi_task t;

	(void)state;
	rcr(w, &t, 0x03, 0, 1024);
	assert_good(&t);
	assert_int_equal(t.data_in_len, 46);
	assert_int_equal(get_be32(&t.buf[0]), 42);
	assert_int_equal(t.buf[4], 0x01);			/* SNLID */
	assert_int_equal(get_be16(&t.buf[8]), 8);
	assert_int_equal(get_be16(&t.buf[10]), 32);
	assert_int_equal(get_be32(&t.buf[12]), 8 * CSCD + 32 * SEG);
	assert_int_equal(get_be32(&t.buf[16]), 256u << 20);
	assert_int_equal(get_be32(&t.buf[20]), 0);		/* no inline data */
	assert_int_equal(get_be32(&t.buf[24]), 0);		/* no held data */
	assert_int_equal(t.buf[37], 9);				/* 512-byte granularity */
	assert_int_equal(t.buf[43], 2);
	assert_int_equal(t.buf[44], 0x02);
	assert_int_equal(t.buf[45], 0xe4);
	scsi_task_release(&t);
	rcr(w, &t, 0x01, 0, 1024);				/* RECEIVE DATA */
	assert_sense(&t, 0x5, 0x2400);
	assert_int_equal(t.sense[15], 0xcc);			/* byte 1, bit 4 */
	scsi_task_release(&t);
	two_free(w);
}

static void test_inquiry_3pc(void **state)
{
	struct two *w = two_new(BS, false);
	uint8_t cdb[SCSI_CDB_MAX] = { 0x12, 0, 0, 0, 96 };
	struct scsi_task t;

	(void)state;
	start_cmd(w, &t, 0, cdb, SCSI_DIR_READ, 96, NULL);
	assert_good(&t);
	assert_int_equal(t.buf[5] & 0x08, 0x08);
	scsi_task_release(&t);
	two_free(w);
}

static void test_vpd_third_party_copy(void **state)
{
	struct two *w = two_new(BS, false);
	uint8_t cdb[SCSI_CDB_MAX] = { 0x12, 0x01, 0x00, 0x01, 0x00 };
	static const uint16_t types[] = { 0x0001, 0x0004, 0x0008, 0x000c, 0x8001 };
	static const uint8_t cmds[] = { 8, 0x83, 1, 0x00, 0x84, 3, 0x00, 0x03, 0x04 };
	struct scsi_task t;
	uint32_t off = 4, len;
	uint8_t *d;

	(void)state;
	start_cmd(w, &t, 0, cdb, SCSI_DIR_READ, 256, NULL);	/* Supported VPD Pages */
	assert_good(&t);
	assert_non_null(memchr(&t.buf[4], 0x8f, t.buf[3]));
	scsi_task_release(&t);
	cdb[2] = 0x8f;
	start_cmd(w, &t, 0, cdb, SCSI_DIR_READ, 256, NULL);
	assert_good(&t);
	assert_int_equal(t.buf[1], 0x8f);
	len = 4u + get_be16(&t.buf[2]);
	assert_int_equal(t.data_in_len, len);
	for (size_t i = 0; i < sizeof(types) / sizeof(types[0]); i++) {
		d = &t.buf[off];
		assert_int_equal(get_be16(&d[0]), types[i]);
		assert_int_equal((get_be16(&d[2]) + 4) % 4, 0);	/* padded */
		if (types[i] == 0x0001)
			assert_memory_equal(&d[4], cmds, sizeof(cmds));
		if (types[i] == 0x0004) {
			assert_int_equal(get_be16(&d[8]), 8);
			assert_int_equal(get_be16(&d[10]), 32);
			assert_int_equal(get_be32(&d[12]), 8 * CSCD + 32 * SEG);
		}
		if (types[i] == 0x0008) {
			assert_int_equal(d[4], 2);
			assert_int_equal(d[5], 0x02);
			assert_int_equal(d[6], 0xe4);
		}
		if (types[i] == 0x8001) {
			assert_int_equal(get_be32(&d[12]), 256u << 20);
			assert_int_equal(d[16], 9);
		}
		off += 4u + get_be16(&d[2]);
	}
	assert_int_equal(off, len);
	scsi_task_release(&t);
	two_free(w);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_list_id_in_use),
		cmocka_unit_test(test_concurrent_copies),
		cmocka_unit_test(test_results_bounded),
		cmocka_unit_test(test_operating_parameters),
		cmocka_unit_test(test_inquiry_3pc),
		cmocka_unit_test(test_vpd_third_party_copy),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
