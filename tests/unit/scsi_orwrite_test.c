/* SPDX-License-Identifier: Apache-2.0 */
/*
 * ORWRITE(16): the data-out ORed into the blocks on the medium (read, OR,
 * write back), 0 blocks, FUA, a short data-out, ORPROTECT, range and
 * transfer limits, write protection, backend errors and the usage map.
 */
#include "tests/unit/scsi_write_helpers.h"

#define NBLOCKS 1000u

static void orw(uint8_t *cdb, uint8_t b1, uint64_t lba, uint32_t n)
{
	wh_cdb16(cdb, 0x8b, b1, lba, 10, 4, n);
}

static void test_or(void **state)
{
	struct fixture *f = wh_new(NBLOCKS, false, false);
	uint8_t cdb[SCSI_CDB_MAX], data[3 * BS];
	struct scsi_task t;

	(void)state;
	memset(f->st.data + 7 * BS, 0xa5, 3 * BS);
	memset(data, 0x5a, sizeof(data));
	data[5] = 0x00;
	orw(cdb, 0, 7, 3);
	assert_int_equal(fx_cmd(f, &t, cdb, SCSI_DIR_WRITE, sizeof(data), data), SCSI_TASK_PENDING);
	assert_good(&t);
	scsi_task_release(&t);
	assert_int_equal(f->st.submits, 2);		/* read, then write */
	assert_int_equal(f->st.last.op, BS_OP_WRITE);
	assert_false(f->st.last.fua);
	for (unsigned i = 0; i < 3 * BS; i++)
		assert_int_equal(f->st.data[7 * BS + i], i == 5 ? 0xa5 : 0xff);
	assert_int_equal(f->st.data[10 * BS], 0);
	fx_free(f);
}

static void test_zero_blocks_and_fua(void **state)
{
	struct fixture *f = wh_new(NBLOCKS, false, false);
	uint8_t cdb[SCSI_CDB_MAX], data[BS] = { 1 };
	struct scsi_task t;

	(void)state;
	orw(cdb, 0, 0, 0);
	assert_int_equal(fx_cmd(f, &t, cdb, SCSI_DIR_NONE, 0, NULL), SCSI_TASK_COMPLETE);
	assert_good(&t);
	scsi_task_release(&t);
	assert_int_equal(f->st.submits, 0);

	orw(cdb, 0x18, 0, 1);			/* DPO, FUA */
	assert_int_equal(fx_cmd(f, &t, cdb, SCSI_DIR_WRITE, BS, data), SCSI_TASK_PENDING);
	assert_good(&t);
	scsi_task_release(&t);
	assert_true(f->st.last.fua);
	assert_int_equal(f->st.data[0], 1);
	fx_free(f);
}

/* Like WRITE, only the whole blocks received are used. */
static void test_short_data_out(void **state)
{
	struct fixture *f = wh_new(NBLOCKS, false, false);
	uint8_t cdb[SCSI_CDB_MAX], data[4 * BS];
	struct scsi_task t;

	(void)state;
	memset(data, 0x0f, sizeof(data));
	orw(cdb, 0, 0, 4);
	assert_int_equal(fx_cmd(f, &t, cdb, SCSI_DIR_WRITE, 2 * BS, data), SCSI_TASK_PENDING);
	assert_good(&t);
	scsi_task_release(&t);
	assert_int_equal(f->st.last.len, 2 * BS);
	assert_int_equal(f->st.data[2 * BS - 1], 0x0f);
	assert_int_equal(f->st.data[2 * BS], 0);

	fx_cmd(f, &t, cdb, SCSI_DIR_WRITE, BS + 1, data);
	assert_sense(&t, 0x5, 0x0e03);
	scsi_task_release(&t);
	fx_free(f);
}

static void test_checks(void **state)
{
	struct fixture *f = wh_new(NBLOCKS, false, false), *ro = wh_new(NBLOCKS, false, true);
	uint8_t cdb[SCSI_CDB_MAX], data[2 * BS] = { 0 };
	struct scsi_task t;

	(void)state;
	for (uint8_t p = 1; p < 8; p++) {	/* ORPROTECT */
		orw(cdb, (uint8_t)(p << 5), 0, 1);
		fx_cmd(f, &t, cdb, SCSI_DIR_WRITE, BS, data);
		assert_sense(&t, 0x5, 0x2400);
		assert_field(&t, 1);
		scsi_task_release(&t);
	}
	orw(cdb, 0, NBLOCKS - 1, 2);
	fx_cmd(f, &t, cdb, SCSI_DIR_WRITE, 2 * BS, data);
	assert_sense(&t, 0x5, 0x2100);
	scsi_task_release(&t);
	orw(cdb, 0, 1ull << 63, 1);
	fx_cmd(f, &t, cdb, SCSI_DIR_WRITE, BS, data);
	assert_sense(&t, 0x5, 0x2100);
	scsi_task_release(&t);
	orw(cdb, 0, NBLOCKS + 1, 0);
	fx_cmd(f, &t, cdb, SCSI_DIR_NONE, 0, NULL);
	assert_sense(&t, 0x5, 0x2100);
	scsi_task_release(&t);

	fx_free(f);
	f = wh_new(20000, false, false);
	orw(cdb, 0, 0, 16385);			/* more than MAXIMUM TRANSFER LENGTH */
	fx_cmd(f, &t, cdb, SCSI_DIR_WRITE, 16385 * BS, NULL);
	assert_sense(&t, 0x5, 0x2400);
	assert_field(&t, 10);
	assert_null(t.buf);
	scsi_task_release(&t);

	orw(cdb, 0, 0, 1);
	fx_cmd(ro, &t, cdb, SCSI_DIR_WRITE, BS, data);
	assert_sense(&t, 0x7, 0x2700);
	scsi_task_release(&t);
	assert_int_equal(f->st.submits + ro->st.submits, 0);
	fx_free(f);
	fx_free(ro);
}

static void test_backend_errors(void **state)
{
	struct fixture *f = wh_new(NBLOCKS, false, false);
	uint8_t cdb[SCSI_CDB_MAX], data[BS] = { 0 };
	struct scsi_task t;

	(void)state;
	orw(cdb, 0, 0, 1);
	f->st.fail_next = 1;
	fx_cmd(f, &t, cdb, SCSI_DIR_WRITE, BS, data);
	assert_sense(&t, 0x3, 0x1100);
	scsi_task_release(&t);

	assert_int_equal(wh_start(f, &t, cdb, SCSI_DIR_WRITE, BS, data), SCSI_TASK_PENDING);
	wh_run_one(f, 0);
	wh_run_one(f, -EIO);
	assert_sense(&t, 0x3, 0x0c00);
	scsi_task_release(&t);
	fx_free(f);
}

static void test_rsoc_usage(void **state)
{
	struct fixture *f = wh_new(NBLOCKS, false, false);
	const uint8_t want[16] = { 0x8b, 0x18, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
				   0xff, 0xff, 0xff, 0xff, 0, 0 };
	uint8_t usage[SCSI_CDB_MAX];

	(void)state;
	wh_usage(f, 0x8b, usage, 16);
	assert_memory_equal(usage, want, 16);
	fx_free(f);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_or),
		cmocka_unit_test(test_zero_blocks_and_fua),
		cmocka_unit_test(test_short_data_out),
		cmocka_unit_test(test_checks),
		cmocka_unit_test(test_backend_errors),
		cmocka_unit_test(test_rsoc_usage),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
