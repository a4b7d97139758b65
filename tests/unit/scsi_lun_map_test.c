/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Per-nexus LUN maps (scsi/lun_map.c): REPORT LUNS lists the nexus's own
 * numbers of the LUs that exist, every command resolves through the map
 * (an unmapped number is LOGICAL UNIT NOT SUPPORTED, also for the LU's own
 * number), a read-only mapping refuses writes with DATA PROTECT and shows
 * WP in MODE SENSE.
 */
#include "tests/unit/scsi_fixture.h"

#include "util/endian.h"

#define NBLOCKS 64u

static void test_map(void **state)
{
	static const struct scsi_lun_map_entry e[] = {
		{ .lun = 3, .target_lun = 0, .readonly = true },
		{ .lun = 1, .target_lun = 7 },		/* no LU 7: not listed */
	};
	static const struct scsi_lun_map map = { .n = 2, .e = e };
	uint8_t rl[SCSI_CDB_MAX] = { 0xa0, [9] = 64 };
	uint8_t tur[SCSI_CDB_MAX] = { 0 };
	uint8_t ms[SCSI_CDB_MAX] = { 0x1a, 0x08, 0x3f, 0, 64 };
	uint8_t wr[SCSI_CDB_MAX], data[512] = { 0 };
	struct fixture *f = fx_new(NBLOCKS);
	struct scsi_task t;

	(void)state;
	f->itn.lun_map = &map;
	fx_cmd_lun(f, &t, 0, rl, SCSI_DIR_READ, 64, NULL);
	assert_good(&t);
	assert_int_equal(get_be32(&t.buf[0]), 8);
	assert_int_equal(get_be64(&t.buf[8]), 3ull << 48);
	scsi_task_release(&t);

	fx_cmd_lun(f, &t, 0, tur, SCSI_DIR_NONE, 0, NULL);	/* the LU's own number */
	assert_sense(&t, 0x5, 0x2500);
	fx_cmd_lun(f, &t, 1, tur, SCSI_DIR_NONE, 0, NULL);	/* mapped to nothing */
	assert_sense(&t, 0x5, 0x2500);
	fx_cmd_lun(f, &t, 3, tur, SCSI_DIR_NONE, 0, NULL);
	assert_good(&t);
	assert_ptr_equal(t.lu, f->lu);

	memset(wr, 0, sizeof(wr));
	wr[0] = 0x2a;
	wr[8] = 1;
	fx_cmd_lun(f, &t, 3, wr, SCSI_DIR_WRITE, 512, data);
	assert_sense(&t, 0x7, 0x2700);
	scsi_task_release(&t);
	fx_cmd_lun(f, &t, 3, ms, SCSI_DIR_READ, 64, NULL);
	assert_good(&t);
	assert_true(t.buf[2] & 0x80);	/* WP */
	scsi_task_release(&t);

	/* Without the map the same nexus sees LU 0 as 0, writable. */
	f->itn.lun_map = NULL;
	fx_cmd_lun(f, &t, 0, ms, SCSI_DIR_READ, 64, NULL);
	assert_good(&t);
	assert_false(t.buf[2] & 0x80);
	scsi_task_release(&t);
	fx_free(f);
}

static void test_map_lookup(void **state)
{
	static const struct scsi_lun_map_entry e[] = { { .lun = 9, .target_lun = 0 } };
	static const struct scsi_lun_map map = { .n = 1, .e = e };
	struct fixture *f = fx_new(NBLOCKS);
	struct scsi_itn other;

	(void)state;
	fx_itn_init(&other, 2);
	other.lun_map = &map;
	assert_ptr_equal(scsi_itn_lu(f->tgt, &other, 9), f->lu);
	assert_null(scsi_itn_lu(f->tgt, &other, 0));
	assert_ptr_equal(scsi_itn_lu(f->tgt, &f->itn, 0), f->lu);
	assert_ptr_equal(scsi_itn_lu(f->tgt, NULL, 0), f->lu);
	fx_free(f);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_map),
		cmocka_unit_test(test_map_lookup),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
