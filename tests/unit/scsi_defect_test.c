/* SPDX-License-Identifier: Apache-2.0 */
/*
 * READ DEFECT DATA (10) and (12): an empty defect list header in the
 * format asked for, PLISTV/GLISTV echoing REQ_PLIST/REQ_GLIST, the
 * reserved format 111b refused, and the allocation length honoured.
 */
#include "tests/unit/scsi_fixture.h"

#include "util/endian.h"

#define NBLOCKS 1000u

static int rdd(struct fixture *f, struct scsi_task *t, bool d12, uint8_t req, uint32_t alloc)
{
	uint8_t cdb[SCSI_CDB_MAX] = { d12 ? 0xb7 : 0x37 };

	if (d12) {
		cdb[1] = req;
		put_be32(&cdb[2], 5);		/* ADDRESS DESCRIPTOR INDEX */
		put_be32(&cdb[6], alloc);
	} else {
		cdb[2] = req;
		put_be16(&cdb[7], (uint16_t)alloc);
	}
	return fx_cmd(f, t, cdb, SCSI_DIR_READ, alloc, NULL);
}

static void test_empty_lists(void **state)
{
	struct fixture *f = fx_new(NBLOCKS);
	struct scsi_task t;

	(void)state;
	for (int d12 = 0; d12 <= 1; d12++) {
		for (uint8_t req = 0; req < 0x20; req++) {
			if ((req & 7) == 7)
				continue;
			assert_int_equal(rdd(f, &t, d12, req, 32), SCSI_TASK_COMPLETE);
			assert_good(&t);
			assert_int_equal(t.data_in_len, d12 ? 8 : 4);
			assert_int_equal(t.buf[0], 0);
			assert_int_equal(t.buf[1], req);	/* PLISTV GLISTV format */
			if (d12)
				assert_int_equal(get_be32(&t.buf[4]), 0);
			else
				assert_int_equal(get_be16(&t.buf[2]), 0);
			scsi_task_release(&t);
		}
	}
	fx_free(f);
}

static void test_reserved_format(void **state)
{
	struct fixture *f = fx_new(NBLOCKS);
	struct scsi_task t;

	(void)state;
	for (int d12 = 0; d12 <= 1; d12++) {
		rdd(f, &t, d12, 0x18 | 7, 32);
		assert_sense(&t, 0x5, 0x2400);
		assert_int_equal(t.sense[15], 0xc8 | 2);	/* C/D, BPV, bit 2 */
		assert_int_equal(get_be16(&t.sense[16]), d12 ? 1 : 2);
		scsi_task_release(&t);
	}
	fx_free(f);
}

static void test_alloc_len(void **state)
{
	struct fixture *f = fx_new(NBLOCKS);
	struct scsi_task t;

	(void)state;
	rdd(f, &t, false, 0x08, 2);
	assert_good(&t);
	assert_int_equal(t.data_in_len, 2);
	scsi_task_release(&t);
	rdd(f, &t, true, 0x10, 0);
	assert_good(&t);
	assert_int_equal(t.data_in_len, 0);
	scsi_task_release(&t);
	fx_free(f);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_empty_lists),
		cmocka_unit_test(test_reserved_format),
		cmocka_unit_test(test_alloc_len),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
