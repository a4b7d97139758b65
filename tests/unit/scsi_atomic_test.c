/* SPDX-License-Identifier: Apache-2.0 */
/*
 * WRITE ATOMIC(16): one backend write of the whole transfer; the Block
 * Limits atomic fields; alignment, granularity, ATOMIC BOUNDARY and the
 * maximum; the range checked before them; 0 blocks; FUA; a short data-out;
 * WRPROTECT; write protection; the usage map.
 */
#include "tests/unit/scsi_write_helpers.h"

#define NBLOCKS 1024u
#define UNIT 8u			/* 4 KiB of 512-byte blocks */
#define MAX_XFER 16384u

/* The LUs of these tests have 4 KiB physical blocks: WRITE ATOMIC's
 * alignment and granularity are one physical block. */
static struct fixture *at_new(uint64_t nblocks)
{
	struct scsi_lu_config cfg = { .lun = 0, .write_cache = true, .phys_block_size = 4096 };

	return fx_new_cfg(nblocks, &cfg);
}

static void wa(uint8_t *cdb, uint8_t b1, uint64_t lba, uint16_t n)
{
	wh_cdb16(cdb, 0x9c, b1, lba, 12, 2, n);
}

static void expect(struct fixture *f, const uint8_t *cdb, uint32_t n, uint8_t key,
		   uint16_t asc, int field)
{
	struct scsi_task t;

	assert_int_equal(fx_cmd(f, &t, cdb, n ? SCSI_DIR_WRITE : SCSI_DIR_NONE, n * BS, NULL),
			 SCSI_TASK_COMPLETE);
	assert_sense(&t, key, asc);
	if (field >= 0)
		assert_field(&t, (unsigned)field);
	scsi_task_release(&t);
}

static void test_one_write(void **state)
{
	struct fixture *f = at_new(NBLOCKS);
	uint8_t cdb[SCSI_CDB_MAX], data[4 * UNIT * BS];
	struct scsi_task t;

	(void)state;
	for (size_t i = 0; i < sizeof(data); i++)
		data[i] = (uint8_t)(i * 7);
	wa(cdb, 0, 2 * UNIT, 4 * UNIT);
	assert_int_equal(fx_cmd(f, &t, cdb, SCSI_DIR_WRITE, sizeof(data), data), SCSI_TASK_PENDING);
	assert_good(&t);
	scsi_task_release(&t);
	assert_int_equal(f->st.submits, 1);
	assert_int_equal(f->st.last.op, BS_OP_WRITE);
	assert_int_equal(f->st.last.offset, 2 * UNIT * BS);
	assert_int_equal(f->st.last.len, sizeof(data));
	assert_false(f->st.last.fua);
	assert_memory_equal(f->st.data + 2 * UNIT * BS, data, sizeof(data));

	wa(cdb, 0x18, 0, UNIT);			/* DPO, FUA */
	assert_int_equal(fx_cmd(f, &t, cdb, SCSI_DIR_WRITE, UNIT * BS, data), SCSI_TASK_PENDING);
	assert_good(&t);
	scsi_task_release(&t);
	assert_true(f->st.last.fua);

	wa(cdb, 0, 0, 0);			/* nothing */
	assert_int_equal(fx_cmd(f, &t, cdb, SCSI_DIR_NONE, 0, NULL), SCSI_TASK_COMPLETE);
	assert_good(&t);
	scsi_task_release(&t);
	fx_free(f);
}

static void test_vpd(void **state)
{
	struct fixture *f = at_new(NBLOCKS);
	struct scsi_lu_config cfg = { .lun = 0, .block_size = 4096, .write_cache = true,
				      .phys_block_size = 4096 };
	struct fixture *big = fx_new_cfg(64, &cfg);
	struct scsi_task t;
	uint8_t zero[8] = { 0 };

	(void)state;
	wh_vpd(f, &t, 0xb0);
	assert_int_equal(get_be32(&t.buf[44]), MAX_XFER);	/* = MAXIMUM TRANSFER LENGTH */
	assert_int_equal(get_be32(&t.buf[8]), MAX_XFER);
	assert_int_equal(get_be32(&t.buf[48]), UNIT);		/* ATOMIC ALIGNMENT */
	assert_int_equal(get_be32(&t.buf[52]), UNIT);		/* ... GRANULARITY */
	assert_memory_equal(&t.buf[56], zero, 8);		/* no atomic boundaries */
	scsi_task_release(&t);
	wh_vpd(big, &t, 0xb0);
	assert_int_equal(get_be32(&t.buf[48]), 1);
	assert_int_equal(get_be32(&t.buf[52]), 1);
	scsi_task_release(&t);
	fx_free(f);
	fx_free(big);
}

/* READ CAPACITY(16): the configured physical block size, as a power-of-two
 * multiple of the logical one (0: the same as the logical block). */
static void check_phys_exp(uint32_t block_size, uint32_t phys, uint8_t want)
{
	struct scsi_lu_config cfg = { .lun = 0, .block_size = block_size, .write_cache = true,
				      .phys_block_size = phys };
	struct fixture *f = fx_new_cfg(64, &cfg);
	uint8_t cdb[SCSI_CDB_MAX] = { 0x9e, 0x10 };
	struct scsi_task t;

	put_be32(&cdb[10], 32);
	assert_int_equal(fx_cmd(f, &t, cdb, SCSI_DIR_READ, 32, NULL), SCSI_TASK_COMPLETE);
	assert_good(&t);
	assert_int_equal(t.buf[13] & 0x0f, want);	/* LOGICAL BLOCKS PER PHYSICAL BLOCK EXPONENT */
	assert_int_equal(get_be16(&t.buf[14]) & 0x3fff, 0);	/* LALBA 0 */
	scsi_task_release(&t);
	fx_free(f);
}

static void test_physical_block(void **state)
{
	(void)state;
	check_phys_exp(512, 4096, 3);
	check_phys_exp(1024, 4096, 2);
	check_phys_exp(4096, 4096, 0);
	check_phys_exp(65536, 0, 0);
	check_phys_exp(512, 0, 0);
	check_phys_exp(512, 512, 0);
	check_phys_exp(512, 65536, 7);
}

static void test_atomic_fields(void **state)
{
	struct fixture *f = at_new(20000);
	uint8_t cdb[SCSI_CDB_MAX];

	(void)state;
	wa(cdb, 0, 1, UNIT);			/* misaligned */
	expect(f, cdb, UNIT, 0x5, 0x2400, 2);
	wa(cdb, 0, 0, 1);			/* not a multiple of the granularity */
	expect(f, cdb, 1, 0x5, 0x2400, 12);
	wa(cdb, 0, 0, UNIT + 1);
	expect(f, cdb, UNIT + 1, 0x5, 0x2400, 12);
	wa(cdb, 0, 0, UNIT);
	put_be16(&cdb[10], UNIT);		/* ATOMIC BOUNDARY: none supported */
	expect(f, cdb, UNIT, 0x5, 0x2400, 10);
	wa(cdb, 0, 0, (uint16_t)(MAX_XFER + UNIT));	/* over MAXIMUM ATOMIC TRANSFER LENGTH */
	expect(f, cdb, MAX_XFER + UNIT, 0x5, 0x2400, 12);
	for (uint8_t p = 1; p < 8; p++) {	/* WRPROTECT */
		wa(cdb, (uint8_t)(p << 5), 0, UNIT);
		expect(f, cdb, UNIT, 0x5, 0x2400, 1);
	}
	assert_int_equal(f->st.submits, 0);
	fx_free(f);
}

/* Out of range is reported whatever the alignment says. */
static void test_range_first(void **state)
{
	struct fixture *f = at_new(NBLOCKS), *ro = wh_new(NBLOCKS, false, true);
	uint8_t cdb[SCSI_CDB_MAX];

	(void)state;
	wa(cdb, 0, NBLOCKS - UNIT, 2 * UNIT);
	expect(f, cdb, 2 * UNIT, 0x5, 0x2100, -1);
	wa(cdb, 0, (uint64_t)0 - UNIT, UNIT);
	expect(f, cdb, UNIT, 0x5, 0x2100, -1);
	wa(cdb, 0, NBLOCKS + 1, 0);
	expect(f, cdb, 0, 0x5, 0x2100, -1);
	wa(cdb, 0, NBLOCKS - 1, 3);		/* misaligned and out of range */
	expect(f, cdb, 3, 0x5, 0x2100, -1);
	wa(cdb, 0, 0, UNIT);
	expect(ro, cdb, UNIT, 0x7, 0x2700, -1);
	fx_free(f);
	fx_free(ro);
}

/* Part of an atomic write is not the write asked for. */
static void test_short_data_out(void **state)
{
	struct fixture *f = at_new(NBLOCKS);
	uint8_t cdb[SCSI_CDB_MAX], data[2 * UNIT * BS] = { 0 };
	struct scsi_task t;

	(void)state;
	wa(cdb, 0, 0, 2 * UNIT);
	fx_cmd(f, &t, cdb, SCSI_DIR_WRITE, UNIT * BS, data);
	assert_sense(&t, 0x5, 0x0e03);
	scsi_task_release(&t);
	assert_int_equal(f->st.submits, 0);
	fx_free(f);
}

static void test_rsoc_usage(void **state)
{
	struct fixture *f = at_new(NBLOCKS);
	const uint8_t want[16] = { 0x9c, 0x18, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
				   0, 0, 0xff, 0xff, 0, 0 };
	uint8_t usage[SCSI_CDB_MAX];

	(void)state;
	wh_usage(f, 0x9c, usage, 16);
	assert_memory_equal(usage, want, 16);
	fx_free(f);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_one_write),
		cmocka_unit_test(test_vpd),
		cmocka_unit_test(test_physical_block),
		cmocka_unit_test(test_atomic_fields),
		cmocka_unit_test(test_range_first),
		cmocka_unit_test(test_short_data_out),
		cmocka_unit_test(test_rsoc_usage),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
