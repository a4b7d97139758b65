/* SPDX-License-Identifier: Apache-2.0 */
/*
 * WRITE SAME (10) and (16): the block replicated over the range (also past
 * one chunk buffer), NUMBER OF LOGICAL BLOCKS 0 up to the end, the
 * MAXIMUM WRITE SAME LENGTH, NDOB, UNMAP on thin and thick LUs, ANCHOR,
 * the refused fields, write protection, data-out size, backend errors,
 * the VPD fields and the RSOC usage maps.
 */
#include "tests/unit/scsi_write_helpers.h"

#define NBLOCKS 40000u		/* more than MAXIMUM WRITE SAME LENGTH */
#define MAX_WS (16u * 1024 * 1024 / BS)
#define CHUNK_BLOCKS (1024u * 1024 / BS)

static void ws10(uint8_t *cdb, uint8_t b1, uint32_t lba, uint16_t n)
{
	memset(cdb, 0, SCSI_CDB_MAX);
	cdb[0] = 0x41;
	cdb[1] = b1;
	put_be32(&cdb[2], lba);
	put_be16(&cdb[7], n);
}

static void ws16(uint8_t *cdb, uint8_t b1, uint64_t lba, uint32_t n)
{
	wh_cdb16(cdb, 0x93, b1, lba, 10, 4, n);
}

static void fill(uint8_t *block, uint8_t seed)
{
	for (unsigned i = 0; i < BS; i++)
		block[i] = (uint8_t)(seed + i);
}

/* Every block of [lba, lba+n) holds @block; the blocks around do not. */
static void assert_range(struct fixture *f, uint64_t lba, uint64_t n, const uint8_t *block)
{
	for (uint64_t b = lba; b < lba + n; b++)
		assert_memory_equal(f->st.data + b * BS, block, BS);
	if (lba > 0)
		assert_memory_not_equal(f->st.data + (lba - 1) * BS, block, BS);
	if (lba + n < scsi_lu_num_blocks(f->lu))
		assert_memory_not_equal(f->st.data + (lba + n) * BS, block, BS);
}

static void run_ok(struct fixture *f, const uint8_t *cdb, const uint8_t *block)
{
	struct scsi_task t;

	assert_int_equal(fx_cmd(f, &t, cdb, block ? SCSI_DIR_WRITE : SCSI_DIR_NONE,
				block ? BS : 0, block), SCSI_TASK_PENDING);
	assert_good(&t);
	scsi_task_release(&t);
}

static void expect_sense(struct fixture *f, const uint8_t *cdb, uint8_t key, uint16_t asc)
{
	uint8_t block[BS] = { 0 };
	struct scsi_task t;

	assert_int_equal(fx_cmd(f, &t, cdb, SCSI_DIR_WRITE, BS, block), SCSI_TASK_COMPLETE);
	assert_sense(&t, key, asc);
	scsi_task_release(&t);
}

static void expect_invalid(struct fixture *f, const uint8_t *cdb, unsigned byte)
{
	uint8_t block[BS] = { 0 };
	struct scsi_task t;

	assert_int_equal(fx_cmd(f, &t, cdb, SCSI_DIR_WRITE, BS, block), SCSI_TASK_COMPLETE);
	assert_sense(&t, 0x5, 0x2400);
	assert_field(&t, byte);
	scsi_task_release(&t);
}

static void test_write_range(void **state)
{
	struct fixture *f = wh_new(NBLOCKS, false, false);
	uint8_t cdb[SCSI_CDB_MAX], block[BS];

	(void)state;
	memset(f->st.data, 0xee, (size_t)NBLOCKS * BS);
	fill(block, 1);
	ws10(cdb, 0, 10, 7);
	run_ok(f, cdb, block);
	assert_range(f, 10, 7, block);
	assert_int_equal(f->st.submits, 1);
	assert_int_equal(f->st.last.op, BS_OP_WRITE);
	assert_false(f->st.last.fua);

	fill(block, 2);
	ws16(cdb, 0, 100, 3);
	run_ok(f, cdb, block);
	assert_range(f, 100, 3, block);
	fx_free(f);
}

/* A range larger than the chunk buffer takes several bounded writes. */
static void test_chunks(void **state)
{
	struct fixture *f = wh_new(NBLOCKS, false, false);
	uint8_t cdb[SCSI_CDB_MAX], block[BS];
	uint32_t n = 2 * CHUNK_BLOCKS + 5;
	struct scsi_task t;

	(void)state;
	memset(f->st.data, 0xee, (size_t)NBLOCKS * BS);
	fill(block, 3);
	ws16(cdb, 0, 1, n);
	assert_int_equal(fx_cmd(f, &t, cdb, SCSI_DIR_WRITE, BS, block), SCSI_TASK_PENDING);
	assert_good(&t);
	assert_true(t.buf_size <= CHUNK_BLOCKS * BS);	/* bounded buffer */
	scsi_task_release(&t);
	assert_int_equal(f->st.submits, 3);
	assert_int_equal(f->st.last.offset, (1 + 2 * CHUNK_BLOCKS) * (uint64_t)BS);
	assert_int_equal(f->st.last.len, 5 * BS);
	assert_range(f, 1, n, block);
	fx_free(f);
}

/* NUMBER OF LOGICAL BLOCKS 0 (WSNZ=0): up to the last LBA. */
static void test_to_the_end(void **state)
{
	struct fixture *f = wh_new(1000, false, false);
	uint8_t cdb[SCSI_CDB_MAX], block[BS];

	(void)state;
	memset(f->st.data, 0xee, 1000u * BS);
	fill(block, 4);
	ws10(cdb, 0, 990, 0);
	run_ok(f, cdb, block);
	assert_range(f, 990, 10, block);
	fill(block, 5);
	ws16(cdb, 0, 999, 0);
	run_ok(f, cdb, block);
	assert_range(f, 999, 1, block);
	ws16(cdb, 0, 1000, 0);		/* no first LBA to start from */
	expect_sense(f, cdb, 0x5, 0x2100);
	fx_free(f);
}

static void test_out_of_range(void **state)
{
	struct fixture *f = wh_new(1000, false, false);
	uint8_t cdb[SCSI_CDB_MAX];

	(void)state;
	ws10(cdb, 0, 999, 2);
	expect_sense(f, cdb, 0x5, 0x2100);
	ws10(cdb, 0, 0xffffffffu, 1);
	expect_sense(f, cdb, 0x5, 0x2100);
	ws16(cdb, 0, ~0ull, 1);
	expect_sense(f, cdb, 0x5, 0x2100);
	ws16(cdb, 0, 1ull << 63, 0);
	expect_sense(f, cdb, 0x5, 0x2100);
	ws16(cdb, 0, 1001, 0);
	expect_sense(f, cdb, 0x5, 0x2100);
	assert_int_equal(f->st.submits, 0);
	fx_free(f);
}

static void test_max_length(void **state)
{
	struct fixture *f = wh_new(NBLOCKS, false, false);
	uint8_t cdb[SCSI_CDB_MAX], block[BS];

	(void)state;
	fill(block, 6);
	ws16(cdb, 0, 0, MAX_WS + 1);
	expect_invalid(f, cdb, 10);
	ws16(cdb, 0, 0, 0);			/* to the end is more than the maximum */
	expect_invalid(f, cdb, 10);
	ws10(cdb, 0, NBLOCKS - MAX_WS - 1, 0);
	expect_invalid(f, cdb, 7);
	ws10(cdb, 0, NBLOCKS - MAX_WS, 0);
	run_ok(f, cdb, block);
	assert_range(f, NBLOCKS - MAX_WS, MAX_WS, block);
	fx_free(f);
}

static void test_fields(void **state)
{
	struct fixture *f = wh_new(1000, false, false);
	uint8_t cdb[SCSI_CDB_MAX];

	(void)state;
	for (uint8_t p = 1; p < 8; p++) {	/* WRPROTECT: no protection information */
		ws10(cdb, (uint8_t)(p << 5), 0, 1);
		expect_invalid(f, cdb, 1);
		ws16(cdb, (uint8_t)(p << 5), 0, 1);
		expect_invalid(f, cdb, 1);
	}
	ws10(cdb, 0x04, 0, 1);			/* PBDATA */
	expect_invalid(f, cdb, 1);
	ws16(cdb, 0x02, 0, 1);			/* LBDATA */
	expect_invalid(f, cdb, 1);
	ws10(cdb, 0x10, 0, 1);			/* ANCHOR, no UNMAP */
	expect_invalid(f, cdb, 1);
	ws16(cdb, 0x10, 0, 1);
	expect_invalid(f, cdb, 1);
	ws16(cdb, 0x08, 0, 1);			/* UNMAP on a thick LU: LBPWS=0 */
	expect_invalid(f, cdb, 1);
	ws10(cdb, 0x08, 0, 1);
	expect_invalid(f, cdb, 1);
	assert_int_equal(f->st.submits, 0);
	fx_free(f);
}

static void test_readonly(void **state)
{
	struct fixture *f = wh_new(1000, true, true);
	uint8_t cdb[SCSI_CDB_MAX];

	(void)state;
	ws10(cdb, 0, 0, 1);
	expect_sense(f, cdb, 0x7, 0x2700);
	ws16(cdb, 0x08, 0, 1);
	expect_sense(f, cdb, 0x7, 0x2700);
	ws16(cdb, 0x01, 0, 1);
	expect_sense(f, cdb, 0x7, 0x2700);
	assert_int_equal(f->st.submits, 0);
	fx_free(f);

	/* A thick read-only LU: write protection is reported before the
	 * UNMAP bit it cannot honour (libiscsi's ReadOnly suite). */
	f = wh_new(1000, false, true);
	ws10(cdb, 0x08, 0, 1);
	expect_sense(f, cdb, 0x7, 0x2700);
	fx_free(f);
}

/* The data-out is one block exactly: a residual cannot say which block. */
static void test_data_out_size(void **state)
{
	struct fixture *f = wh_new(1000, true, false);
	uint8_t cdb[SCSI_CDB_MAX], data[2 * BS] = { 0 };
	const uint32_t sizes[] = { 0, BS / 2, BS - 1, BS + 1, 2 * BS };
	struct scsi_task t;

	(void)state;
	for (size_t i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
		ws16(cdb, 0x08, 0, 1);
		assert_int_equal(fx_cmd(f, &t, cdb, sizes[i] ? SCSI_DIR_WRITE : SCSI_DIR_NONE,
					sizes[i], data), SCSI_TASK_COMPLETE);
		assert_sense(&t, 0x5, 0x2400);
		assert_null(t.buf);
		scsi_task_release(&t);
	}
	ws16(cdb, 0x01, 0, 1);		/* NDOB with data-out */
	assert_int_equal(fx_cmd(f, &t, cdb, SCSI_DIR_WRITE, BS, data), SCSI_TASK_COMPLETE);
	assert_sense(&t, 0x5, 0x2400);
	scsi_task_release(&t);
	assert_int_equal(f->st.submits, 0);
	fx_free(f);
}

/* NDOB: no data-out, the block is zeros (written on a thick LU). */
static void test_ndob(void **state)
{
	struct fixture *f = wh_new(1000, false, false);
	uint8_t cdb[SCSI_CDB_MAX], zero[BS] = { 0 };
	struct scsi_task t;

	(void)state;
	memset(f->st.data, 0xee, 1000u * BS);
	ws16(cdb, 0x01, 20, 30);
	assert_int_equal(fx_cmd(f, &t, cdb, SCSI_DIR_NONE, 0, NULL), SCSI_TASK_PENDING);
	assert_good(&t);
	assert_int_equal(t.data_out_len, 0);
	scsi_task_release(&t);
	assert_int_equal(f->st.last.op, BS_OP_WRITE);
	assert_range(f, 20, 30, zero);
	fx_free(f);
}

/* Thin LU: UNMAP=1 deallocates the range in one request whatever the block
 * holds (SBC-4: a thin LU should deallocate), so it reads back as zeros
 * (LBPRZ=1); UNMAP=0 always writes. */
static void test_unmap(void **state)
{
	struct fixture *f = wh_new(1000, true, false);
	uint8_t cdb[SCSI_CDB_MAX], zero[BS] = { 0 }, block[BS];

	(void)state;
	memset(f->st.data, 0xee, 1000u * BS);
	ws16(cdb, 0x08, 10, 300);
	run_ok(f, cdb, zero);
	assert_int_equal(f->st.submits, 1);
	assert_int_equal(f->st.last.op, BS_OP_UNMAP);
	assert_int_equal(f->st.last.offset, 10 * BS);
	assert_int_equal(f->st.last.len, 300 * BS);
	assert_range(f, 10, 300, zero);

	ws10(cdb, 0x08, 500, 0);		/* to the end */
	run_ok(f, cdb, zero);
	assert_int_equal(f->st.last.op, BS_OP_UNMAP);
	assert_int_equal(f->st.last.len, 500 * BS);

	ws16(cdb, 0x09, 400, 2);		/* NDOB: zeros, so unmapped */
	run_ok(f, cdb, NULL);
	assert_int_equal(f->st.last.op, BS_OP_UNMAP);

	fill(block, 7);				/* deallocated all the same */
	ws16(cdb, 0x08, 5, 4);
	run_ok(f, cdb, block);
	assert_int_equal(f->st.last.op, BS_OP_UNMAP);
	assert_int_equal(f->st.last.offset, 5 * BS);
	assert_int_equal(f->st.last.len, 4 * BS);
	assert_range(f, 5, 4, zero);
	ws10(cdb, 0x08, 350, 3);
	run_ok(f, cdb, block);
	assert_int_equal(f->st.last.op, BS_OP_UNMAP);
	assert_range(f, 350, 3, zero);

	ws16(cdb, 0, 5, 4);			/* the same block without UNMAP: written */
	run_ok(f, cdb, block);
	assert_int_equal(f->st.last.op, BS_OP_WRITE);
	assert_range(f, 5, 4, block);

	ws10(cdb, 0, 40, 4);			/* zeros without UNMAP: written */
	run_ok(f, cdb, zero);
	assert_int_equal(f->st.last.op, BS_OP_WRITE);
	fx_free(f);
}

/* A store that cannot deallocate gets the block written instead. */
static void test_unmap_unsupported(void **state)
{
	struct fixture *f = wh_new(1000, true, false);
	uint8_t cdb[SCSI_CDB_MAX], block[BS];
	struct scsi_task t;

	(void)state;
	fill(block, 9);
	memset(f->st.data, 0xee, 1000u * BS);
	ws16(cdb, 0x08, 10, 3);
	assert_int_equal(wh_start(f, &t, cdb, SCSI_DIR_WRITE, BS, block), SCSI_TASK_PENDING);
	assert_int_equal(wh_pending_op(f), BS_OP_UNMAP);
	wh_run_one(f, -EOPNOTSUPP);
	assert_int_equal(f->done_calls, 0);
	assert_int_equal(wh_pending_op(f), BS_OP_WRITE);
	wh_run_one(f, 0);
	assert_int_equal(f->done_calls, 1);
	assert_good(&t);
	assert_range(f, 10, 3, block);
	scsi_task_release(&t);
	fx_free(f);
}

static void test_backend_errors(void **state)
{
	struct fixture *f = wh_new(NBLOCKS, true, false);
	uint8_t cdb[SCSI_CDB_MAX], block[BS], zero[BS] = { 0 };
	struct scsi_task t;

	(void)state;
	fill(block, 8);
	ws16(cdb, 0, 0, 2 * CHUNK_BLOCKS);	/* the second chunk fails */
	assert_int_equal(wh_start(f, &t, cdb, SCSI_DIR_WRITE, BS, block), SCSI_TASK_PENDING);
	wh_run_one(f, 0);
	wh_run_one(f, -EIO);
	assert_int_equal(f->done_calls, 1);
	assert_int_equal(f->st.npending, 0);
	assert_sense(&t, 0x3, 0x0c00);
	scsi_task_release(&t);

	ws16(cdb, 0x08, 0, 8);
	f->st.fail_next = 1;
	fx_cmd(f, &t, cdb, SCSI_DIR_WRITE, BS, zero);
	assert_sense(&t, 0x3, 0x0c00);
	scsi_task_release(&t);
	fx_free(f);
}

static void test_vpd(void **state)
{
	struct fixture *thick = wh_new(1000, false, false), *thin = wh_new(1000, true, false);
	struct scsi_task t;

	(void)state;
	wh_vpd(thick, &t, 0xb0);
	assert_int_equal(t.buf[4] & 0x01, 0);			/* WSNZ=0 */
	assert_int_equal(get_be64(&t.buf[36]), MAX_WS);	/* MAXIMUM WRITE SAME LENGTH */
	scsi_task_release(&t);
	wh_vpd(thick, &t, 0xb2);
	assert_int_equal(t.buf[5] & 0x62, 0);		/* no LBPWS, LBPWS10, ANC_SUP */
	scsi_task_release(&t);
	wh_vpd(thin, &t, 0xb2);
	assert_int_equal(t.buf[5] & 0x62, 0x60);	/* LBPWS, LBPWS10; no ANC_SUP */
	scsi_task_release(&t);
	fx_free(thick);
	fx_free(thin);
}

static void test_rsoc_usage(void **state)
{
	struct fixture *f = wh_new(1000, false, false);
	const uint8_t want10[10] = { 0x41, 0x18, 0xff, 0xff, 0xff, 0xff, 0, 0xff, 0xff, 0 };
	const uint8_t want16[16] = { 0x93, 0x19, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
				     0xff, 0xff, 0xff, 0xff, 0xff, 0, 0 };
	uint8_t usage[SCSI_CDB_MAX];

	(void)state;
	wh_usage(f, 0x41, usage, 10);
	assert_memory_equal(usage, want10, 10);
	wh_usage(f, 0x93, usage, 16);
	assert_memory_equal(usage, want16, 16);
	fx_free(f);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_write_range),
		cmocka_unit_test(test_chunks),
		cmocka_unit_test(test_to_the_end),
		cmocka_unit_test(test_out_of_range),
		cmocka_unit_test(test_max_length),
		cmocka_unit_test(test_fields),
		cmocka_unit_test(test_readonly),
		cmocka_unit_test(test_data_out_size),
		cmocka_unit_test(test_ndob),
		cmocka_unit_test(test_unmap),
		cmocka_unit_test(test_unmap_unsupported),
		cmocka_unit_test(test_backend_errors),
		cmocka_unit_test(test_vpd),
		cmocka_unit_test(test_rsoc_usage),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
