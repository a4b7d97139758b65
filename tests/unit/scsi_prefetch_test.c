/* SPDX-License-Identifier: Apache-2.0 */
/*
 * PRE-FETCH (10) and (16): GOOD (never CONDITION MET: ctgt has no cache to
 * hold the blocks) for any range inside the LU, with or without IMMED and
 * GROUP NUMBER; LBA OUT OF RANGE for a range past the end, also with a
 * length of 0; no backend I/O; usage maps in REPORT SUPPORTED OPERATION
 * CODES.
 */
#include "tests/unit/scsi_fixture.h"

#include "util/endian.h"

#define NBLOCKS 1000u

static void prefetch(struct fixture *f, struct scsi_task *t, bool p16, uint64_t lba,
		     uint32_t len, uint8_t b1, uint8_t group)
{
	uint8_t cdb[SCSI_CDB_MAX] = { p16 ? 0x90 : 0x34, b1 };

	if (p16) {
		put_be64(&cdb[2], lba);
		put_be32(&cdb[10], len);
		cdb[14] = group;
	} else {
		put_be32(&cdb[2], (uint32_t)lba);
		put_be16(&cdb[7], (uint16_t)len);
		cdb[6] = group;
	}
	assert_int_equal(fx_cmd(f, t, cdb, SCSI_DIR_NONE, 0, NULL), SCSI_TASK_COMPLETE);
}

static void check_good(struct fixture *f, bool p16, uint64_t lba, uint32_t len,
		       uint8_t b1, uint8_t group)
{
	struct scsi_task t;

	prefetch(f, &t, p16, lba, len, b1, group);
	assert_good(&t);
	assert_int_equal(t.data_in_len, 0);
	scsi_task_release(&t);
}

static void check_oob(struct fixture *f, bool p16, uint64_t lba, uint32_t len)
{
	struct scsi_task t;

	prefetch(f, &t, p16, lba, len, 0, 0);
	assert_sense(&t, 0x5, 0x2100);
	scsi_task_release(&t);
}

static void test_ranges(void **state)
{
	struct fixture *f = fx_new(NBLOCKS);

	(void)state;
	for (int p16 = 0; p16 <= 1; p16++) {
		check_good(f, p16, 0, 1, 0, 0);
		check_good(f, p16, 0, NBLOCKS, 0, 0);
		check_good(f, p16, NBLOCKS - 1, 1, 0, 0);
		check_good(f, p16, 0, 0, 0, 0);		/* 0: to the last block */
		check_good(f, p16, NBLOCKS - 1, 0, 0, 0);
		check_good(f, p16, 10, 5, 0x02, 0);	/* IMMED */
		check_good(f, p16, 10, 5, 0, 3);	/* GROUP NUMBER */
		check_good(f, p16, 10, 5, 0x02, 3);
		check_oob(f, p16, NBLOCKS, 0);
		check_oob(f, p16, NBLOCKS, 1);
		check_oob(f, p16, NBLOCKS - 1, 2);
		check_oob(f, p16, 0x80000000u, 1);
		check_oob(f, p16, p16 ? UINT64_MAX : 0xffffffffu, 1);
		check_oob(f, p16, p16 ? UINT64_MAX : 0xffffffffu, 0);
	}
	assert_int_equal(f->st.submits, 0);	/* nothing is read */
	fx_free(f);
}

/* The one_command report of @opcode: SUPPORT 011b and its usage data. */
static void check_usage(struct fixture *f, uint8_t opcode, const uint8_t *want, unsigned len)
{
	uint8_t cdb[SCSI_CDB_MAX] = { 0xa3, 0x0c, 0x01, opcode };
	struct scsi_task t;

	put_be32(&cdb[6], 64);
	assert_int_equal(fx_cmd(f, &t, cdb, SCSI_DIR_READ, 64, NULL), SCSI_TASK_COMPLETE);
	assert_good(&t);
	assert_int_equal(t.buf[1] & 0x07, 3);
	assert_int_equal(get_be16(&t.buf[2]), len);
	assert_memory_equal(&t.buf[4], want, len);
	scsi_task_release(&t);
}

static void test_usage(void **state)
{
	static const uint8_t u10[10] = { 0x34, 0x02, 0xff, 0xff, 0xff, 0xff, 0, 0xff, 0xff, 0 };
	static const uint8_t u16[16] = { 0x90, 0x02, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
					 0xff, 0xff, 0xff, 0xff, 0xff, 0, 0 };
	struct fixture *f = fx_new(NBLOCKS);

	(void)state;
	check_usage(f, 0x34, u10, sizeof(u10));
	check_usage(f, 0x90, u16, sizeof(u16));
	fx_free(f);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_ranges),
		cmocka_unit_test(test_usage),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
