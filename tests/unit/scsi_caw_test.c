/* SPDX-License-Identifier: Apache-2.0 */
/*
 * COMPARE AND WRITE: the write happens only when the compare data matches
 * the medium; MISCOMPARE sense with the offset of the first differing byte;
 * MAXIMUM COMPARE AND WRITE LENGTH; 0 blocks; FUA/DPO; the data-out size
 * check; refused fields; write protection; backend errors; the VPD field
 * and the RSOC usage map.
 */
#include "tests/unit/scsi_write_helpers.h"

#define NBLOCKS 1000u

static void caw(uint8_t *cdb, uint8_t b1, uint64_t lba, uint8_t n)
{
	wh_cdb16(cdb, 0x89, b1, lba, 13, 1, n);
}

/* Data-out of @n blocks of compare data @cmp then write data @wr. */
static uint8_t *dout(uint32_t n, uint8_t cmp, uint8_t wr)
{
	uint8_t *d = malloc(2 * (size_t)n * BS);

	assert_non_null(d);
	memset(d, cmp, (size_t)n * BS);
	memset(d + (size_t)n * BS, wr, (size_t)n * BS);
	return d;
}

static void test_match_writes(void **state)
{
	struct fixture *f = wh_new(NBLOCKS, false, false);
	uint8_t cdb[SCSI_CDB_MAX], *d = dout(3, 'A', 'B');
	struct scsi_task t;

	(void)state;
	memset(f->st.data + 10 * BS, 'A', 3 * BS);
	caw(cdb, 0, 10, 3);
	assert_int_equal(fx_cmd(f, &t, cdb, SCSI_DIR_WRITE, 6 * BS, d), SCSI_TASK_PENDING);
	assert_good(&t);
	assert_int_equal(t.data_out_len, 6 * BS);
	scsi_task_release(&t);
	assert_int_equal(f->st.submits, 2);		/* read, then write */
	assert_int_equal(f->st.last.op, BS_OP_WRITE);
	assert_int_equal(f->st.last.offset, 10 * BS);
	assert_int_equal(f->st.last.len, 3 * BS);
	assert_false(f->st.last.fua);
	for (unsigned i = 0; i < 3 * BS; i++)
		assert_int_equal(f->st.data[10 * BS + i], 'B');
	assert_int_equal(f->st.data[13 * BS], 0);
	free(d);
	fx_free(f);
}

static void test_miscompare(void **state)
{
	struct fixture *f = wh_new(NBLOCKS, false, false);
	uint8_t cdb[SCSI_CDB_MAX], *d = dout(4, 'A', 'B');
	struct scsi_task t;

	(void)state;
	memset(f->st.data + 20 * BS, 'A', 4 * BS);
	d[4 * BS - 27] = 'C';			/* 27 bytes from the end of the compare data */
	caw(cdb, 0, 20, 4);
	assert_int_equal(fx_cmd(f, &t, cdb, SCSI_DIR_WRITE, 8 * BS, d), SCSI_TASK_PENDING);
	assert_sense(&t, 0xe, 0x1d00);
	assert_int_equal(t.sense[0], 0xf0);			/* VALID */
	assert_int_equal(get_be32(&t.sense[3]), 4 * BS - 27);	/* INFORMATION */
	scsi_task_release(&t);
	assert_int_equal(f->st.submits, 1);		/* nothing written */
	for (unsigned i = 0; i < 4 * BS; i++)
		assert_int_equal(f->st.data[20 * BS + i], 'A');

	memset(f->st.data + 20 * BS, 0, 1);		/* first byte differs */
	d[4 * BS - 27] = 'A';
	fx_cmd(f, &t, cdb, SCSI_DIR_WRITE, 8 * BS, d);
	assert_sense(&t, 0xe, 0x1d00);
	assert_int_equal(get_be32(&t.sense[3]), 0);
	scsi_task_release(&t);
	free(d);
	fx_free(f);
}

static void test_fua_dpo(void **state)
{
	struct fixture *f = wh_new(NBLOCKS, false, false);
	uint8_t cdb[SCSI_CDB_MAX], *d = dout(1, 0, 'B');
	struct scsi_task t;

	(void)state;
	caw(cdb, 0x18, 0, 1);			/* DPO, FUA */
	assert_int_equal(fx_cmd(f, &t, cdb, SCSI_DIR_WRITE, 2 * BS, d), SCSI_TASK_PENDING);
	assert_good(&t);
	scsi_task_release(&t);
	assert_int_equal(f->st.last.op, BS_OP_WRITE);
	assert_true(f->st.last.fua);
	free(d);
	fx_free(f);
}

static void test_lengths(void **state)
{
	struct fixture *f = wh_new(NBLOCKS, false, false);
	uint8_t cdb[SCSI_CDB_MAX], *d = dout(255, 0, 'B');
	struct scsi_task t;

	(void)state;
	caw(cdb, 0, 0, 255);			/* MAXIMUM COMPARE AND WRITE LENGTH */
	assert_int_equal(fx_cmd(f, &t, cdb, SCSI_DIR_WRITE, 510 * BS, d), SCSI_TASK_PENDING);
	assert_good(&t);
	scsi_task_release(&t);

	caw(cdb, 0, 0, 0);			/* nothing at all */
	assert_int_equal(fx_cmd(f, &t, cdb, SCSI_DIR_NONE, 0, NULL), SCSI_TASK_COMPLETE);
	assert_good(&t);
	assert_int_equal(t.data_out_len, 0);
	scsi_task_release(&t);

	/* The data-out must be the 2n blocks the CDB describes. */
	const uint32_t bad[][2] = { { 1, BS }, { 1, 3 * BS }, { 1, 2 * BS - 1 }, { 0, 2 * BS },
				    { 2, 0 } };
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		caw(cdb, 0, 0, (uint8_t)bad[i][0]);
		assert_int_equal(fx_cmd(f, &t, cdb, bad[i][1] ? SCSI_DIR_WRITE : SCSI_DIR_NONE,
					bad[i][1], d), SCSI_TASK_COMPLETE);
		assert_sense(&t, 0x5, 0x2400);
		assert_null(t.buf);
		scsi_task_release(&t);
	}
	free(d);
	fx_free(f);
}

static void test_limit_and_range(void **state)
{
	struct fixture *f = wh_new(NBLOCKS, false, false);
	/* 64 KiB blocks: a transfer is 128 blocks, so CAW is at most 64. */
	struct scsi_lu_config cfg = { .lun = 0, .block_size = 65536, .write_cache = true };
	struct fixture *big = fx_new_cfg(200, &cfg);
	uint8_t cdb[SCSI_CDB_MAX], *d = dout(2, 0, 0);
	struct scsi_task t;

	(void)state;
	caw(cdb, 0, NBLOCKS - 1, 2);
	assert_int_equal(fx_cmd(f, &t, cdb, SCSI_DIR_WRITE, 4 * BS, d), SCSI_TASK_COMPLETE);
	assert_sense(&t, 0x5, 0x2100);
	scsi_task_release(&t);
	caw(cdb, 0, ~0ull, 1);
	fx_cmd(f, &t, cdb, SCSI_DIR_WRITE, 2 * BS, d);
	assert_sense(&t, 0x5, 0x2100);
	scsi_task_release(&t);

	caw(cdb, 0, 0, 65);
	fx_cmd(big, &t, cdb, SCSI_DIR_WRITE, 130u * 65536, NULL);
	assert_sense(&t, 0x5, 0x2400);
	assert_field(&t, 13);
	scsi_task_release(&t);
	wh_vpd(big, &t, 0xb0);
	assert_int_equal(t.buf[5], 64);
	scsi_task_release(&t);
	wh_vpd(f, &t, 0xb0);
	assert_int_equal(t.buf[5], 255);		/* MAXIMUM COMPARE AND WRITE LENGTH */
	scsi_task_release(&t);
	assert_int_equal(f->st.submits, 0);
	free(d);
	fx_free(f);
	fx_free(big);
}

static void test_fields_and_protection(void **state)
{
	struct fixture *f = wh_new(NBLOCKS, false, false), *ro = wh_new(NBLOCKS, false, true);
	uint8_t cdb[SCSI_CDB_MAX], *d = dout(1, 0, 0);
	struct scsi_task t;

	(void)state;
	for (uint8_t p = 1; p < 8; p++) {	/* WRPROTECT */
		caw(cdb, (uint8_t)(p << 5), 0, 1);
		fx_cmd(f, &t, cdb, SCSI_DIR_WRITE, 2 * BS, d);
		assert_sense(&t, 0x5, 0x2400);
		assert_field(&t, 1);
		scsi_task_release(&t);
	}
	caw(cdb, 0, 0, 1);
	fx_cmd(ro, &t, cdb, SCSI_DIR_WRITE, 2 * BS, d);
	assert_sense(&t, 0x7, 0x2700);
	scsi_task_release(&t);
	assert_int_equal(f->st.submits + ro->st.submits, 0);
	free(d);
	fx_free(f);
	fx_free(ro);
}

static void test_backend_errors(void **state)
{
	struct fixture *f = wh_new(NBLOCKS, false, false);
	uint8_t cdb[SCSI_CDB_MAX], *d = dout(1, 0, 'B');
	struct scsi_task t;

	(void)state;
	caw(cdb, 0, 0, 1);
	f->st.fail_next = 1;			/* the read */
	fx_cmd(f, &t, cdb, SCSI_DIR_WRITE, 2 * BS, d);
	assert_sense(&t, 0x3, 0x1100);
	scsi_task_release(&t);
	assert_int_equal(f->st.submits, 1);

	assert_int_equal(wh_start(f, &t, cdb, SCSI_DIR_WRITE, 2 * BS, d), SCSI_TASK_PENDING);
	wh_run_one(f, 0);
	assert_int_equal(wh_pending_op(f), BS_OP_WRITE);
	wh_run_one(f, -EIO);			/* the write */
	assert_sense(&t, 0x3, 0x0c00);
	scsi_task_release(&t);
	free(d);
	fx_free(f);
}

static void test_rsoc_usage(void **state)
{
	struct fixture *f = wh_new(NBLOCKS, false, false);
	const uint8_t want[16] = { 0x89, 0x18, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
				   0, 0, 0, 0xff, 0, 0 };
	uint8_t usage[SCSI_CDB_MAX];

	(void)state;
	wh_usage(f, 0x89, usage, 16);
	assert_memory_equal(usage, want, 16);
	fx_free(f);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_match_writes),
		cmocka_unit_test(test_miscompare),
		cmocka_unit_test(test_fua_dpo),
		cmocka_unit_test(test_lengths),
		cmocka_unit_test(test_limit_and_range),
		cmocka_unit_test(test_fields_and_protection),
		cmocka_unit_test(test_backend_errors),
		cmocka_unit_test(test_rsoc_usage),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
