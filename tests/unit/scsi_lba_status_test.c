/* SPDX-License-Identifier: Apache-2.0 */
/*
 * GET LBA STATUS: a thick LU is mapped everywhere; a thin LU reports the
 * backend's allocation map as mapped/deallocated descriptors (merged into
 * runs, a partly allocated block counted as mapped), starting at the
 * starting LBA; as many descriptors as the allocation length allows;
 * LBA OUT OF RANGE and the reserved byte 14.
 */
#include "tests/unit/scsi_fixture.h"

#include "util/endian.h"

#define NBLOCKS 1000u
#define BS 512u
#define UNIT 256u			/* granularity of the fake map */
#define NUNITS (NBLOCKS * BS / UNIT)

static bool g_alloc[NUNITS];		/* per UNIT bytes: allocated */
static int g_map_calls;

static int map_fake(struct backend *bs, uint64_t off, uint64_t len,
		    bool *allocated, uint64_t *extent)
{
	uint64_t u = off / UNIT, end;

	(void)bs;
	g_map_calls++;
	assert_true(len > 0 && off + len <= NBLOCKS * BS);
	*allocated = g_alloc[u];
	while (++u < NUNITS && g_alloc[u] == *allocated)
		;
	end = u * UNIT;
	*extent = end - off < len ? end - off : len;
	return 0;
}

static struct backend_ops g_ops;

static struct fixture *new_lu(bool thin)
{
	struct scsi_lu_config cfg = { .lun = 0, .thin = thin };
	struct fixture *f = fx_new_cfg(NBLOCKS, &cfg);

	g_ops = *f->bs.ops;
	g_ops.map = map_fake;
	f->bs.ops = &g_ops;
	memset(g_alloc, 0, sizeof(g_alloc));
	g_map_calls = 0;
	return f;
}

static void set_blocks(uint64_t lba, uint64_t n, bool allocated)
{
	for (uint64_t u = lba * (BS / UNIT); u < (lba + n) * (BS / UNIT); u++)
		g_alloc[u] = allocated;
}

static int gls(struct fixture *f, struct scsi_task *t, uint64_t lba, uint32_t alloc)
{
	uint8_t cdb[SCSI_CDB_MAX] = { 0x9e, 0x12 };

	put_be64(&cdb[2], lba);
	put_be32(&cdb[10], alloc);
	return fx_cmd(f, t, cdb, SCSI_DIR_READ, alloc, NULL);
}

static void expect_desc(const struct scsi_task *t, unsigned i, uint64_t lba,
			uint32_t n, uint8_t state)
{
	const uint8_t *d = &t->buf[8 + 16 * i];

	assert_true(t->data_in_len >= 8 + 16 * (i + 1));
	assert_int_equal(get_be64(&d[0]), lba);
	assert_int_equal(get_be32(&d[8]), n);
	assert_int_equal(d[12], state);
	assert_int_equal(d[13], 0);
}

static void test_thick_all_mapped(void **state)
{
	struct fixture *f = new_lu(false);
	struct scsi_task t;

	(void)state;
	set_blocks(0, NBLOCKS, false);		/* a sparse store: still mapped */
	assert_int_equal(gls(f, &t, 0, 4096), SCSI_TASK_COMPLETE);
	assert_good(&t);
	assert_int_equal(t.data_in_len, 24);
	assert_int_equal(get_be32(&t.buf[0]), 20);	/* PARAMETER DATA LENGTH */
	expect_desc(&t, 0, 0, NBLOCKS, 0);
	scsi_task_release(&t);
	gls(f, &t, NBLOCKS - 1, 24);
	assert_good(&t);
	expect_desc(&t, 0, NBLOCKS - 1, 1, 0);
	scsi_task_release(&t);
	assert_int_equal(g_map_calls, 0);
	fx_free(f);
}

static void test_thin_runs(void **state)
{
	struct fixture *f = new_lu(true);
	struct scsi_task t;

	(void)state;
	set_blocks(10, 5, true);
	set_blocks(100, 1, true);
	set_blocks(101, 2, true);		/* merges with block 100 */
	g_alloc[300 * 2 + 1] = true;		/* block 300 half allocated */
	assert_int_equal(gls(f, &t, 0, 4096), SCSI_TASK_COMPLETE);
	assert_good(&t);
	assert_int_equal(get_be32(&t.buf[0]), 4 + 7 * 16);
	assert_int_equal(t.data_in_len, 8 + 7 * 16);
	expect_desc(&t, 0, 0, 10, 1);
	expect_desc(&t, 1, 10, 5, 0);
	expect_desc(&t, 2, 15, 85, 1);
	expect_desc(&t, 3, 100, 3, 0);
	expect_desc(&t, 4, 103, 197, 1);
	expect_desc(&t, 5, 300, 1, 0);
	expect_desc(&t, 6, 301, NBLOCKS - 301, 1);
	scsi_task_release(&t);
	/* The first descriptor starts at the starting LBA. */
	gls(f, &t, 12, 4096);
	assert_good(&t);
	expect_desc(&t, 0, 12, 3, 0);
	expect_desc(&t, 1, 15, 85, 1);
	scsi_task_release(&t);
	fx_free(f);
}

static void test_alloc_len(void **state)
{
	struct fixture *f = new_lu(true);
	struct scsi_task t;

	(void)state;
	for (uint64_t b = 0; b < NBLOCKS; b += 2)
		set_blocks(b, 1, true);		/* 1000 one-block runs */
	/* Room for two descriptors: two are built and reported. */
	gls(f, &t, 0, 8 + 2 * 16 + 8);
	assert_good(&t);
	assert_int_equal(get_be32(&t.buf[0]), 4 + 2 * 16);
	assert_int_equal(t.data_in_len, 8 + 2 * 16);
	expect_desc(&t, 0, 0, 1, 0);
	expect_desc(&t, 1, 1, 1, 1);
	scsi_task_release(&t);
	/* Less than one descriptor: one is built, the data is cut. */
	gls(f, &t, 3, 16);
	assert_good(&t);
	assert_int_equal(t.data_in_len, 16);
	assert_int_equal(get_be32(&t.buf[0]), 20);
	assert_int_equal(get_be64(&t.buf[8]), 3);
	scsi_task_release(&t);
	gls(f, &t, 0, 0);
	assert_good(&t);
	assert_int_equal(t.data_in_len, 0);
	scsi_task_release(&t);
	/* A large allocation length: as many as fit in the data-in buffer. */
	gls(f, &t, 0, 1u << 20);
	assert_good(&t);
	assert_int_equal(get_be32(&t.buf[0]), 4 + 255 * 16);
	expect_desc(&t, 254, 254, 1, 0);
	scsi_task_release(&t);
	fx_free(f);
}

static void test_errors(void **state)
{
	struct fixture *f = new_lu(true);
	uint8_t cdb[SCSI_CDB_MAX] = { 0x9e, 0x12, [13] = 24, [14] = 1 };
	struct scsi_task t;

	(void)state;
	gls(f, &t, NBLOCKS, 24);
	assert_sense(&t, 0x5, 0x2100);
	scsi_task_release(&t);
	gls(f, &t, UINT64_MAX, 24);
	assert_sense(&t, 0x5, 0x2100);
	scsi_task_release(&t);
	gls(f, &t, 1ull << 63, 24);
	assert_sense(&t, 0x5, 0x2100);
	scsi_task_release(&t);
	fx_cmd(f, &t, cdb, SCSI_DIR_READ, 24, NULL);	/* REPORT TYPE (SBC-4) */
	assert_sense(&t, 0x5, 0x2400);
	assert_int_equal(get_be16(&t.sense[16]), 14);
	scsi_task_release(&t);
	fx_free(f);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_thick_all_mapped),
		cmocka_unit_test(test_thin_runs),
		cmocka_unit_test(test_alloc_len),
		cmocka_unit_test(test_errors),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
