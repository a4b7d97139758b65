/* SPDX-License-Identifier: Apache-2.0 */
/*
 * VERIFY with BYTCHK=3 (one block of data-out compared with every block of
 * the range; the miscompare offset counts in the duplicated data), the
 * reserved BYTCHK values of VERIFY and WRITE AND VERIFY, and the data-out
 * size of BYTCHK=3.
 */
#include "tests/unit/scsi_write_helpers.h"

#define NBLOCKS 1000u

static void verify(uint8_t *cdb, uint8_t op, uint8_t bytchk, uint64_t lba, uint32_t n)
{
	memset(cdb, 0, SCSI_CDB_MAX);
	cdb[0] = op;
	cdb[1] = (uint8_t)(bytchk << 1);
	switch (op) {
	case 0x2f:
	case 0x2e:
		put_be32(&cdb[2], (uint32_t)lba);
		put_be16(&cdb[7], (uint16_t)n);
		break;
	case 0xaf:
	case 0xae:
		put_be32(&cdb[2], (uint32_t)lba);
		put_be32(&cdb[6], n);
		break;
	default:
		put_be64(&cdb[2], lba);
		put_be32(&cdb[10], n);
	}
}

static void test_one_block_matches(void **state)
{
	struct fixture *f = wh_new(NBLOCKS, false, false);
	const uint8_t ops[] = { 0x2f, 0xaf, 0x8f };
	uint8_t cdb[SCSI_CDB_MAX], block[BS];
	struct scsi_task t;

	(void)state;
	for (unsigned i = 0; i < BS; i++)
		block[i] = (uint8_t)(i ^ 0x3c);
	for (uint64_t b = 10; b < 20; b++)
		memcpy(f->st.data + b * BS, block, BS);
	for (size_t i = 0; i < sizeof(ops); i++) {
		verify(cdb, ops[i], 3, 10, 10);
		assert_int_equal(fx_cmd(f, &t, cdb, SCSI_DIR_WRITE, BS, block), SCSI_TASK_PENDING);
		assert_good(&t);
		assert_int_equal(t.data_out_len, BS);
		scsi_task_release(&t);
		assert_int_equal(f->st.last.op, BS_OP_READ);
		assert_int_equal(f->st.last.len, 10 * BS);
	}
	fx_free(f);
}

static void test_one_block_miscompare(void **state)
{
	struct fixture *f = wh_new(NBLOCKS, false, false);
	uint8_t cdb[SCSI_CDB_MAX], block[BS];
	struct scsi_task t;

	(void)state;
	memset(block, 0x77, BS);
	for (uint64_t b = 0; b < 8; b++)
		memcpy(f->st.data + b * BS, block, BS);
	f->st.data[5 * BS + 100] = 0;		/* block 5 of the range, byte 100 */
	verify(cdb, 0x2f, 3, 0, 8);
	fx_cmd(f, &t, cdb, SCSI_DIR_WRITE, BS, block);
	assert_sense(&t, 0xe, 0x1d00);
	assert_int_equal(t.sense[0], 0xf0);			/* VALID */
	assert_int_equal(get_be32(&t.sense[3]), 5 * BS + 100);
	scsi_task_release(&t);
	fx_free(f);
}

static void test_one_block_data_out(void **state)
{
	struct fixture *f = wh_new(NBLOCKS, false, false);
	uint8_t cdb[SCSI_CDB_MAX], data[2 * BS] = { 0 };
	const uint32_t sizes[] = { 0, BS - 1, BS + 1, 2 * BS };
	struct scsi_task t;

	(void)state;
	for (size_t i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
		verify(cdb, 0x8f, 3, 0, 4);
		fx_cmd(f, &t, cdb, sizes[i] ? SCSI_DIR_WRITE : SCSI_DIR_NONE, sizes[i], data);
		assert_sense(&t, 0x5, 0x2400);
		scsi_task_release(&t);
	}
	verify(cdb, 0x8f, 3, 0, 0);		/* nothing to verify, nothing to send */
	assert_int_equal(fx_cmd(f, &t, cdb, SCSI_DIR_NONE, 0, NULL), SCSI_TASK_COMPLETE);
	assert_good(&t);
	scsi_task_release(&t);
	verify(cdb, 0x8f, 3, NBLOCKS, 1);
	fx_cmd(f, &t, cdb, SCSI_DIR_WRITE, BS, data);
	assert_sense(&t, 0x5, 0x2100);
	scsi_task_release(&t);
	assert_int_equal(f->st.submits, 0);
	fx_free(f);
}

/* BYTCHK 2 is reserved for both; 3 is reserved for WRITE AND VERIFY. */
static void test_reserved(void **state)
{
	struct fixture *f = wh_new(NBLOCKS, false, false);
	const uint8_t vops[] = { 0x2f, 0xaf, 0x8f }, wops[] = { 0x2e, 0xae, 0x8e };
	uint8_t cdb[SCSI_CDB_MAX], data[BS] = { 0 };
	struct scsi_task t;

	(void)state;
	for (size_t i = 0; i < 3; i++) {
		verify(cdb, vops[i], 2, 0, 1);
		fx_cmd(f, &t, cdb, SCSI_DIR_WRITE, BS, data);
		assert_sense(&t, 0x5, 0x2400);
		assert_field(&t, 1);
		scsi_task_release(&t);
		for (uint8_t b = 2; b <= 3; b++) {
			verify(cdb, wops[i], b, 0, 1);
			fx_cmd(f, &t, cdb, SCSI_DIR_WRITE, BS, data);
			assert_sense(&t, 0x5, 0x2400);
			assert_field(&t, 1);
			scsi_task_release(&t);
		}
	}
	assert_int_equal(f->st.submits, 0);
	fx_free(f);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_one_block_matches),
		cmocka_unit_test(test_one_block_miscompare),
		cmocka_unit_test(test_one_block_data_out),
		cmocka_unit_test(test_reserved),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
