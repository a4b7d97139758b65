/* SPDX-License-Identifier: Apache-2.0 */
/*
 * SBC commands through the public task API: CDB decoding of every
 * READ/WRITE variant, range and transfer-length checks, data round trips,
 * FUA, VERIFY, SYNCHRONIZE CACHE, READ CAPACITY, backend errors and
 * write residuals.
 */
#include "tests/unit/scsi_fixture.h"

#include "util/endian.h"

#define NBLOCKS 1000u
#define BS 512u

/* Build READ/WRITE CDBs of every size. */
static void cdb6(uint8_t *cdb, uint8_t op, uint32_t lba, uint8_t len)
{
	memset(cdb, 0, SCSI_CDB_MAX);
	cdb[0] = op;
	put_be24(&cdb[1], lba & 0x1fffff);
	cdb[4] = len;
}

static void cdb10(uint8_t *cdb, uint8_t op, uint32_t lba, uint16_t len)
{
	memset(cdb, 0, SCSI_CDB_MAX);
	cdb[0] = op;
	put_be32(&cdb[2], lba);
	put_be16(&cdb[7], len);
}

static void cdb12(uint8_t *cdb, uint8_t op, uint32_t lba, uint32_t len)
{
	memset(cdb, 0, SCSI_CDB_MAX);
	cdb[0] = op;
	put_be32(&cdb[2], lba);
	put_be32(&cdb[6], len);
}

static void cdb16(uint8_t *cdb, uint8_t op, uint64_t lba, uint32_t len)
{
	memset(cdb, 0, SCSI_CDB_MAX);
	cdb[0] = op;
	put_be64(&cdb[2], lba);
	put_be32(&cdb[10], len);
}

/* Fill block @lba of the fake store with a recognisable pattern. */
static void pattern_blocks(struct fixture *f, uint64_t lba, uint32_t n)
{
	for (uint64_t b = lba; b < lba + n; b++)
		memset(f->st.data + b * BS, (int)(b & 0xff) ^ 0x5a, BS);
}

static void check_read(struct fixture *f, const uint8_t *cdb, uint64_t lba, uint32_t n)
{
	struct scsi_task t;

	assert_int_equal(fx_cmd(f, &t, cdb, SCSI_DIR_READ, n * BS, NULL), SCSI_TASK_PENDING);
	assert_good(&t);
	assert_int_equal(t.data_in_len, n * BS);
	assert_int_equal(t.data_out_len, 0);
	assert_int_equal(f->st.last.op, BS_OP_READ);
	assert_int_equal(f->st.last.offset, lba * BS);
	assert_int_equal(f->st.last.len, (size_t)n * BS);
	assert_memory_equal(t.buf, f->st.data + lba * BS, n * BS);
	scsi_task_release(&t);
	assert_null(t.buf);
}

static void test_read_variants(void **state)
{
	struct fixture *f = fx_new(NBLOCKS);
	uint8_t cdb[SCSI_CDB_MAX];

	(void)state;
	pattern_blocks(f, 0, NBLOCKS);
	cdb6(cdb, 0x08, 7, 3);
	check_read(f, cdb, 7, 3);
	cdb6(cdb, 0x08, 0, 0);		/* READ(6) length 0 = 256 blocks */
	check_read(f, cdb, 0, 256);
	cdb10(cdb, 0x28, 999, 1);
	check_read(f, cdb, 999, 1);
	cdb12(cdb, 0xa8, 500, 17);
	check_read(f, cdb, 500, 17);
	cdb16(cdb, 0x88, 123, 45);
	check_read(f, cdb, 123, 45);
	cdb10(cdb, 0x28, 1, 2);
	cdb[1] = 0x18;			/* DPO + FUA are accepted on reads */
	check_read(f, cdb, 1, 2);
	fx_free(f);
}

static void write_then_read(struct fixture *f, uint8_t wop, uint8_t rop, uint64_t lba, uint32_t n)
{
	uint8_t cdb[SCSI_CDB_MAX], *data = malloc(n * BS);
	struct scsi_task t;

	assert_non_null(data);
	for (uint32_t i = 0; i < n * BS; i++)
		data[i] = (uint8_t)(i * 7 + wop);
	switch (wop) {
	case 0x0a: cdb6(cdb, wop, (uint32_t)lba, (uint8_t)n); break;
	case 0x2a: cdb10(cdb, wop, (uint32_t)lba, (uint16_t)n); break;
	case 0xaa: cdb12(cdb, wop, (uint32_t)lba, n); break;
	default: cdb16(cdb, wop, lba, n); break;
	}
	assert_int_equal(fx_cmd(f, &t, cdb, SCSI_DIR_WRITE, n * BS, data), SCSI_TASK_PENDING);
	assert_good(&t);
	assert_int_equal(t.data_out_len, n * BS);
	assert_int_equal(t.data_in_len, 0);
	assert_int_equal(f->st.last.op, BS_OP_WRITE);
	assert_false(f->st.last.fua);
	scsi_task_release(&t);
	assert_memory_equal(f->st.data + lba * BS, data, n * BS);

	cdb16(cdb, rop, lba, n);
	assert_int_equal(fx_cmd(f, &t, cdb, SCSI_DIR_READ, n * BS, NULL), SCSI_TASK_PENDING);
	assert_good(&t);
	assert_memory_equal(t.buf, data, n * BS);
	scsi_task_release(&t);
	free(data);
}

static void test_write_round_trip(void **state)
{
	struct fixture *f = fx_new(NBLOCKS);

	(void)state;
	write_then_read(f, 0x0a, 0x88, 10, 4);
	write_then_read(f, 0x2a, 0x88, 998, 2);
	write_then_read(f, 0xaa, 0x88, 0, 64);
	write_then_read(f, 0x8a, 0x88, 300, 100);
	fx_free(f);
}

static void test_zero_length(void **state)
{
	struct fixture *f = fx_new(NBLOCKS);
	uint8_t cdb[SCSI_CDB_MAX];
	const uint8_t ops[] = { 0x28, 0x2a, 0x2e, 0x2f };
	struct scsi_task t;

	(void)state;
	for (size_t i = 0; i < sizeof(ops); i++) {
		cdb10(cdb, ops[i], 0, 0);
		assert_int_equal(fx_cmd(f, &t, cdb, SCSI_DIR_NONE, 0, NULL), SCSI_TASK_COMPLETE);
		assert_good(&t);
		assert_null(t.buf);
		assert_int_equal(t.data_in_len, 0);
		assert_int_equal(t.data_out_len, 0);
		scsi_task_release(&t);
		/* LBA == capacity with no blocks is still inside the medium. */
		cdb16(cdb, (uint8_t)(ops[i] + 0x60), NBLOCKS, 0);
		fx_cmd(f, &t, cdb, SCSI_DIR_NONE, 0, NULL);
		assert_good(&t);
		scsi_task_release(&t);
	}
	assert_int_equal(f->st.submits, 0);
	fx_free(f);
}

static void expect_oob(struct fixture *f, const uint8_t *cdb)
{
	struct scsi_task t;

	assert_int_equal(fx_cmd(f, &t, cdb, SCSI_DIR_READ, 512, NULL), SCSI_TASK_COMPLETE);
	assert_sense(&t, 0x5, 0x2100);
	assert_null(t.buf);
	scsi_task_release(&t);
}

static void test_lba_out_of_range(void **state)
{
	struct fixture *f = fx_new(NBLOCKS);
	uint8_t cdb[SCSI_CDB_MAX];

	(void)state;
	cdb10(cdb, 0x28, NBLOCKS, 1);
	expect_oob(f, cdb);
	cdb10(cdb, 0x28, NBLOCKS - 1, 2);
	expect_oob(f, cdb);
	cdb10(cdb, 0x28, NBLOCKS + 1, 0);
	expect_oob(f, cdb);
	cdb10(cdb, 0x28, 0xffffffffu, 1);
	expect_oob(f, cdb);
	cdb6(cdb, 0x08, 0x1fffff, 1);
	expect_oob(f, cdb);
	cdb6(cdb, 0x08, NBLOCKS - 1, 2);
	expect_oob(f, cdb);
	cdb12(cdb, 0xa8, 0x80000000u, 1);
	expect_oob(f, cdb);
	/* Overflow cases: lba + len would wrap around 2^64. */
	cdb16(cdb, 0x88, UINT64_MAX, 1);
	expect_oob(f, cdb);
	cdb16(cdb, 0x88, UINT64_MAX, 0);
	expect_oob(f, cdb);
	cdb16(cdb, 0x88, UINT64_MAX - 1, 2);
	expect_oob(f, cdb);
	cdb16(cdb, 0x8a, UINT64_MAX, 1);
	expect_oob(f, cdb);
	cdb16(cdb, 0x8f, NBLOCKS, 1);
	expect_oob(f, cdb);
	cdb10(cdb, 0x35, NBLOCKS + 1, 0);	/* SYNCHRONIZE CACHE(10) */
	expect_oob(f, cdb);
	assert_int_equal(f->st.submits, 0);
	fx_free(f);
}

static void test_huge_transfer(void **state)
{
	/* 2^40 blocks: every length fits in range, so only the limit stops it. */
	struct fixture *f = fx_new(1ull << 40);
	uint8_t cdb[SCSI_CDB_MAX];
	uint32_t max = (8u << 20) / BS;
	struct scsi_task t;

	(void)state;
	cdb16(cdb, 0x88, 0, 0xffffffffu);
	assert_int_equal(fx_cmd(f, &t, cdb, SCSI_DIR_READ, 0xffffffffu, NULL), SCSI_TASK_COMPLETE);
	assert_sense(&t, 0x5, 0x2400);
	assert_int_equal(t.sense[15] & 0xc0, 0xc0);	/* SKSV, in the CDB */
	assert_int_equal(get_be16(&t.sense[16]), 10);	/* TRANSFER LENGTH */
	assert_null(t.buf);
	scsi_task_release(&t);

	cdb16(cdb, 0x8a, 0, max + 1);
	fx_cmd(f, &t, cdb, SCSI_DIR_WRITE, 0xffffffffu, NULL);
	assert_sense(&t, 0x5, 0x2400);
	assert_null(t.buf);
	assert_int_equal(t.data_out_len, 0);
	scsi_task_release(&t);

	cdb12(cdb, 0xa8, 5, max);	/* exactly the limit is fine */
	assert_int_equal(fx_cmd(f, &t, cdb, SCSI_DIR_READ, max * BS, NULL), SCSI_TASK_PENDING);
	assert_good(&t);
	assert_int_equal(t.data_in_len, max * BS);
	scsi_task_release(&t);
	fx_free(f);

	/* On a small LU the same READ(16) is simply out of range. */
	f = fx_new(NBLOCKS);
	cdb16(cdb, 0x88, 0, 0xffffffffu);
	expect_oob(f, cdb);
	fx_free(f);
}

static void test_protect_fields(void **state)
{
	struct fixture *f = fx_new(NBLOCKS);
	const uint8_t ops[] = { 0x28, 0xa8, 0x88, 0x2a, 0xaa, 0x8a, 0x2e, 0x2f };
	uint8_t cdb[SCSI_CDB_MAX];
	struct scsi_task t;

	(void)state;
	for (size_t i = 0; i < sizeof(ops); i++) {
		for (uint8_t p = 1; p < 8; p++) {
			cdb16(cdb, 0x88, 0, 1);
			if (ops[i] < 0x80)
				cdb10(cdb, ops[i], 0, 1);
			else if (ops[i] >= 0xa0)
				cdb12(cdb, ops[i], 0, 1);
			else
				cdb16(cdb, ops[i], 0, 1);
			cdb[1] = (uint8_t)(p << 5);
			fx_cmd(f, &t, cdb, SCSI_DIR_NONE, 0, NULL);
			assert_sense(&t, 0x5, 0x2400);
			assert_int_equal(get_be16(&t.sense[16]), 1);
			scsi_task_release(&t);
		}
	}
	fx_free(f);
}

static void test_fua(void **state)
{
	struct fixture *f = fx_new(NBLOCKS);
	uint8_t cdb[SCSI_CDB_MAX], data[BS] = { 1 };
	struct scsi_task t;

	(void)state;
	cdb10(cdb, 0x2a, 3, 1);
	cdb[1] = 0x08;
	assert_int_equal(fx_cmd(f, &t, cdb, SCSI_DIR_WRITE, BS, data), SCSI_TASK_PENDING);
	assert_good(&t);
	assert_true(f->st.last.fua);
	scsi_task_release(&t);
	cdb16(cdb, 0x8a, 3, 1);
	cdb[1] = 0x12;			/* DPO + FUA_NV: accepted, not FUA */
	fx_cmd(f, &t, cdb, SCSI_DIR_WRITE, BS, data);
	assert_good(&t);
	assert_false(f->st.last.fua);
	scsi_task_release(&t);
	cdb12(cdb, 0xae, 3, 1);		/* WRITE AND VERIFY writes through */
	cdb[1] = 0x02;			/* BYTCHK=1 */
	fx_cmd(f, &t, cdb, SCSI_DIR_WRITE, BS, data);
	assert_good(&t);
	assert_true(f->st.last.fua);
	assert_int_equal(f->st.last.op, BS_OP_WRITE);
	scsi_task_release(&t);
	fx_free(f);
}

static void test_readonly(void **state)
{
	struct scsi_lu_config cfg = { .readonly = true };
	struct fixture *f = fx_new_cfg(NBLOCKS, &cfg);
	uint8_t cdb[SCSI_CDB_MAX];
	const uint8_t wops[] = { 0x2a, 0x2e };
	struct scsi_task t;

	(void)state;
	for (size_t i = 0; i < sizeof(wops); i++) {
		cdb10(cdb, wops[i], 0, 1);
		fx_cmd(f, &t, cdb, SCSI_DIR_WRITE, BS, NULL);
		assert_sense(&t, 0x7, 0x2700);
		assert_int_equal(t.data_out_len, 0);
		scsi_task_release(&t);
	}
	cdb6(cdb, 0x0a, 0, 1);
	fx_cmd(f, &t, cdb, SCSI_DIR_WRITE, BS, NULL);
	assert_sense(&t, 0x7, 0x2700);
	scsi_task_release(&t);
	cdb10(cdb, 0x28, 0, 1);
	fx_cmd(f, &t, cdb, SCSI_DIR_READ, BS, NULL);
	assert_good(&t);
	scsi_task_release(&t);
	assert_int_equal(f->st.submits, 1);
	fx_free(f);
}

static void test_backend_errors(void **state)
{
	struct fixture *f = fx_new(NBLOCKS);
	uint8_t cdb[SCSI_CDB_MAX], data[BS] = { 0 };
	struct scsi_task t;

	(void)state;
	f->st.fail_next = 1;
	cdb10(cdb, 0x28, 0, 1);
	assert_int_equal(fx_cmd(f, &t, cdb, SCSI_DIR_READ, BS, NULL), SCSI_TASK_PENDING);
	assert_sense(&t, 0x3, 0x1100);
	assert_int_equal(t.data_in_len, 0);
	scsi_task_release(&t);
	f->st.fail_next = 1;
	cdb10(cdb, 0x2a, 0, 1);
	fx_cmd(f, &t, cdb, SCSI_DIR_WRITE, BS, data);
	assert_sense(&t, 0x3, 0x0c00);
	scsi_task_release(&t);
	f->st.fail_next = 1;
	cdb10(cdb, 0x35, 0, 0);
	fx_cmd(f, &t, cdb, SCSI_DIR_NONE, 0, NULL);
	assert_sense(&t, 0x3, 0x0c00);
	scsi_task_release(&t);
	fx_free(f);
}

static void test_verify(void **state)
{
	struct fixture *f = fx_new(NBLOCKS);
	uint8_t cdb[SCSI_CDB_MAX], data[4 * BS];
	struct scsi_task t;

	(void)state;
	pattern_blocks(f, 0, 16);
	cdb10(cdb, 0x2f, 4, 4);		/* BYTCHK=0: range check only */
	assert_int_equal(fx_cmd(f, &t, cdb, SCSI_DIR_NONE, 0, NULL), SCSI_TASK_COMPLETE);
	assert_good(&t);
	assert_int_equal(t.data_out_len, 0);
	scsi_task_release(&t);
	assert_int_equal(f->st.submits, 0);

	memcpy(data, f->st.data + 4 * BS, sizeof(data));
	cdb16(cdb, 0x8f, 4, 4);
	cdb[1] = 0x02;			/* BYTCHK=1: compare */
	assert_int_equal(fx_cmd(f, &t, cdb, SCSI_DIR_WRITE, sizeof(data), data), SCSI_TASK_PENDING);
	assert_good(&t);
	assert_int_equal(t.data_out_len, sizeof(data));
	scsi_task_release(&t);

	data[BS + 7] ^= 0xff;
	cdb12(cdb, 0xaf, 4, 4);
	cdb[1] = 0x02;
	fx_cmd(f, &t, cdb, SCSI_DIR_WRITE, sizeof(data), data);
	assert_sense(&t, 0xe, 0x1d00);
	assert_int_equal(t.sense[0], 0xf0);		/* VALID */
	assert_int_equal(get_be32(&t.sense[3]), BS + 7);	/* offset of the miscompare */
	scsi_task_release(&t);

	cdb10(cdb, 0x2f, 4, 4);
	cdb[1] = 0x04;			/* BYTCHK=2: refused */
	fx_cmd(f, &t, cdb, SCSI_DIR_WRITE, sizeof(data), data);
	assert_sense(&t, 0x5, 0x2400);
	scsi_task_release(&t);
	fx_free(f);
}

static void test_sync_cache(void **state)
{
	struct fixture *f = fx_new(NBLOCKS);
	uint8_t cdb[SCSI_CDB_MAX];
	struct scsi_task t;

	(void)state;
	cdb10(cdb, 0x35, 0, 0);
	assert_int_equal(fx_cmd(f, &t, cdb, SCSI_DIR_NONE, 0, NULL), SCSI_TASK_PENDING);
	assert_good(&t);
	assert_int_equal(f->st.last.op, BS_OP_FLUSH);
	scsi_task_release(&t);
	cdb16(cdb, 0x91, 10, 20);
	assert_int_equal(fx_cmd(f, &t, cdb, SCSI_DIR_NONE, 0, NULL), SCSI_TASK_PENDING);
	assert_good(&t);
	assert_int_equal(f->st.last.op, BS_OP_FLUSH);
	scsi_task_release(&t);
	assert_int_equal(f->st.submits, 2);
	fx_free(f);
}

static void test_read_capacity(void **state)
{
	struct fixture *f = fx_new(NBLOCKS);
	uint8_t cdb[SCSI_CDB_MAX] = { 0x25 };
	struct scsi_task t;

	(void)state;
	fx_cmd(f, &t, cdb, SCSI_DIR_READ, 8, NULL);
	assert_good(&t);
	assert_int_equal(t.data_in_len, 8);
	assert_int_equal(get_be32(&t.buf[0]), NBLOCKS - 1);
	assert_int_equal(get_be32(&t.buf[4]), BS);
	scsi_task_release(&t);
	put_be32(&cdb[2], 5);		/* LBA without PMI */
	fx_cmd(f, &t, cdb, SCSI_DIR_READ, 8, NULL);
	assert_sense(&t, 0x5, 0x2400);
	scsi_task_release(&t);

	memset(cdb, 0, sizeof(cdb));
	cdb[0] = 0x9e;
	cdb[1] = 0x10;
	for (uint32_t alloc = 0; alloc <= 40; alloc++) {
		put_be32(&cdb[10], alloc);
		fx_cmd(f, &t, cdb, SCSI_DIR_READ, alloc, NULL);
		assert_good(&t);
		assert_int_equal(t.data_in_len, alloc < 32 ? alloc : 32);
		if (alloc >= 12) {
			assert_int_equal(get_be64(&t.buf[0]), NBLOCKS - 1);
			assert_int_equal(get_be32(&t.buf[8]), BS);
			assert_int_equal(t.buf[12], 0);		/* no protection */
			assert_int_equal(t.buf[14] & 0x80, 0);	/* LBPME 0 */
		}
		scsi_task_release(&t);
	}
	cdb[1] = 0x11;			/* READ LONG(16): not supported */
	fx_cmd(f, &t, cdb, SCSI_DIR_READ, 24, NULL);
	assert_sense(&t, 0x5, 0x2400);
	assert_int_equal(get_be16(&t.sense[16]), 1);
	scsi_task_release(&t);
	fx_free(f);
}

static void test_read_capacity_big(void **state)
{
	struct scsi_lu_config cfg = { .block_size = 4096 };
	struct fixture *f = fx_new_cfg(1ull << 33, &cfg);
	uint8_t cdb[SCSI_CDB_MAX] = { 0x25 };
	struct scsi_task t;

	(void)state;
	fx_cmd(f, &t, cdb, SCSI_DIR_READ, 8, NULL);
	assert_int_equal(get_be32(&t.buf[0]), 0xffffffffu);
	assert_int_equal(get_be32(&t.buf[4]), 4096);
	scsi_task_release(&t);
	memset(cdb, 0, sizeof(cdb));
	cdb[0] = 0x9e;
	cdb[1] = 0x10;
	cdb[13] = 32;
	fx_cmd(f, &t, cdb, SCSI_DIR_READ, 32, NULL);
	assert_int_equal(get_be64(&t.buf[0]), (1ull << 33) - 1);
	scsi_task_release(&t);
	/* A 16-byte READ past LBA 2^32 reaches the store at the right offset. */
	cdb16(cdb, 0x88, (1ull << 33) - 2, 2);
	assert_int_equal(fx_cmd(f, &t, cdb, SCSI_DIR_READ, 8192, NULL), SCSI_TASK_PENDING);
	assert_good(&t);
	assert_int_equal(f->st.last.offset, ((1ull << 33) - 2) * 4096);
	scsi_task_release(&t);
	fx_free(f);
}

/* WRITE with a data-out shorter or longer than the CDB asks for. */
static void test_write_residuals(void **state)
{
	struct fixture *f = fx_new(NBLOCKS);
	uint8_t cdb[SCSI_CDB_MAX], a[2 * BS], b[2 * BS];
	struct scsi_task t;

	(void)state;
	memset(a, 'a', sizeof(a));
	memset(b, 'b', sizeof(b));
	memcpy(f->st.data, a, sizeof(a));

	/* EDTL one block, two asked: only the block received is written. */
	cdb10(cdb, 0x2a, 0, 2);
	assert_int_equal(fx_cmd(f, &t, cdb, SCSI_DIR_WRITE, BS, b), SCSI_TASK_PENDING);
	assert_good(&t);
	assert_int_equal(t.data_out_len, 2 * BS);	/* the transport reports the overflow */
	assert_int_equal(f->st.last.len, BS);
	scsi_task_release(&t);
	assert_memory_equal(f->st.data, b, BS);
	assert_memory_equal(f->st.data + BS, a, BS);

	/* EDTL 0: nothing to write, nothing written. */
	memcpy(f->st.data, a, sizeof(a));
	cdb10(cdb, 0x2e, 0, 1);
	cdb[1] = 0x02;
	assert_int_equal(fx_cmd(f, &t, cdb, SCSI_DIR_WRITE, 0, b), SCSI_TASK_COMPLETE);
	assert_good(&t);
	assert_int_equal(t.data_out_len, BS);
	scsi_task_release(&t);
	assert_int_equal(f->st.submits, 1);

	/* EDTL inside a block: refused without touching the medium. */
	cdb16(cdb, 0x8a, 0, 1);
	fx_cmd(f, &t, cdb, SCSI_DIR_WRITE, 200, b);
	assert_sense(&t, 0x5, 0x0e03);
	scsi_task_release(&t);
	assert_memory_equal(f->st.data, a, sizeof(a));
	assert_int_equal(f->st.submits, 1);

	/* EDTL larger than needed: the CDB decides, one block is written. */
	cdb12(cdb, 0xaa, 0, 1);
	fx_cmd(f, &t, cdb, SCSI_DIR_WRITE, 10000, b);
	assert_good(&t);
	assert_int_equal(t.data_out_len, BS);
	assert_int_equal(f->st.last.len, BS);
	scsi_task_release(&t);
	assert_memory_equal(f->st.data + BS, a, BS);
	fx_free(f);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_read_variants),
		cmocka_unit_test(test_write_round_trip),
		cmocka_unit_test(test_zero_length),
		cmocka_unit_test(test_lba_out_of_range),
		cmocka_unit_test(test_huge_transfer),
		cmocka_unit_test(test_protect_fields),
		cmocka_unit_test(test_fua),
		cmocka_unit_test(test_readonly),
		cmocka_unit_test(test_backend_errors),
		cmocka_unit_test(test_verify),
		cmocka_unit_test(test_sync_cache),
		cmocka_unit_test(test_read_capacity),
		cmocka_unit_test(test_read_capacity_big),
		cmocka_unit_test(test_write_residuals),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
