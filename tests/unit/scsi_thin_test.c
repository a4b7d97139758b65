/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The thin LU profile: what READ CAPACITY(16), the Block Limits and Logical
 * Block Provisioning VPD pages and REPORT SUPPORTED OPERATION CODES say on
 * a thin and on a thick LU, and UNMAP: parameter list checks, data that
 * reads back as zeros, and the opcode being unknown on a thick LU.
 */
#include "tests/unit/scsi_fixture.h"

#include "util/endian.h"

#define NBLOCKS 1000u
#define BS 512u
#define MAX_DESCS 256u
#define MAX_LBAS (1024u * 1024)

static struct fixture *new_lu(bool thin, bool readonly)
{
	struct scsi_lu_config cfg = { .lun = 0, .thin = thin, .readonly = readonly };

	return fx_new_cfg(NBLOCKS, &cfg);
}

static void run_in(struct fixture *f, struct scsi_task *t, const uint8_t *cdb)
{
	assert_int_equal(fx_cmd(f, t, cdb, SCSI_DIR_READ, 4096, NULL), SCSI_TASK_COMPLETE);
	assert_good(t);
}

static void vpd(struct fixture *f, struct scsi_task *t, uint8_t page)
{
	uint8_t cdb[SCSI_CDB_MAX] = { 0x12, 0x01, page, 0x10, 0x00 };

	run_in(f, t, cdb);
	assert_int_equal(t->buf[1], page);
}

/* ---- what the LU reports ------------------------------------------------ */

static void check_rc16(bool thin, uint8_t want)
{
	struct fixture *f = new_lu(thin, false);
	uint8_t cdb[SCSI_CDB_MAX] = { 0x9e, 0x10 };
	struct scsi_task t;

	put_be32(&cdb[10], 32);
	run_in(f, &t, cdb);
	assert_int_equal(t.data_in_len, 32);
	assert_int_equal(t.buf[14], want);	/* LBPME, LBPRZ */
	scsi_task_release(&t);
	fx_free(f);
}

static void test_rc16_lbpme(void **state)
{
	(void)state;
	check_rc16(false, 0x00);
	check_rc16(true, 0xc0);
}

static void test_vpd_lbp(void **state)
{
	struct fixture *thick = new_lu(false, false), *thin = new_lu(true, false);
	struct scsi_task t;

	(void)state;
	vpd(thick, &t, 0xb2);
	assert_int_equal(get_be16(&t.buf[2]), 4);
	assert_int_equal(t.buf[5], 0x00);		/* no LBPU, LBPWS, LBPRZ */
	assert_int_equal(t.buf[6] & 0x07, 0x00);	/* fully provisioned */
	scsi_task_release(&t);
	vpd(thin, &t, 0xb2);
	assert_int_equal(get_be16(&t.buf[2]), 4);
	assert_int_equal(t.buf[5], 0xe4);		/* LBPU, LBPWS, LBPWS10, LBPRZ */
	assert_int_equal(t.buf[6] & 0x07, 0x02);	/* thin provisioned */
	scsi_task_release(&t);
	fx_free(thick);
	fx_free(thin);
}

static void test_vpd_block_limits(void **state)
{
	struct fixture *thick = new_lu(false, false), *thin = new_lu(true, false);
	struct scsi_task t;
	uint8_t zero[16] = { 0 };

	(void)state;
	vpd(thick, &t, 0xb0);
	assert_int_equal(get_be16(&t.buf[2]), 0x3c);
	assert_memory_equal(&t.buf[20], zero, 16);	/* no UNMAP limits */
	scsi_task_release(&t);
	vpd(thin, &t, 0xb0);
	assert_int_equal(get_be16(&t.buf[2]), 0x3c);
	assert_int_equal(get_be32(&t.buf[20]), MAX_LBAS);
	assert_int_equal(get_be32(&t.buf[24]), MAX_DESCS);
	assert_int_equal(get_be32(&t.buf[28]), 4096 / BS);	/* granularity */
	assert_int_equal(get_be32(&t.buf[32]), 0x80000000u);	/* UGAVALID, 0 */
	scsi_task_release(&t);
	fx_free(thick);
	fx_free(thin);
}

/* RSOC, one command: the SUPPORT field for UNMAP. */
static uint8_t rsoc_unmap_support(struct fixture *f)
{
	uint8_t cdb[SCSI_CDB_MAX] = { 0xa3, 0x0c, 0x01, 0x42 };
	struct scsi_task t;
	uint8_t support;

	put_be32(&cdb[6], 64);
	run_in(f, &t, cdb);
	support = t.buf[1] & 0x07;
	if (support == 3) {
		assert_int_equal(get_be16(&t.buf[2]), 10);
		assert_int_equal(t.buf[4], 0x42);
		assert_int_equal(t.buf[5], 0x01);	/* ANCHOR evaluated */
	}
	scsi_task_release(&t);
	return support;
}

/* RSOC, all commands: whether UNMAP is listed. */
static bool rsoc_lists_unmap(struct fixture *f)
{
	uint8_t cdb[SCSI_CDB_MAX] = { 0xa3, 0x0c, 0x00 };
	struct scsi_task t;
	bool found = false;

	put_be32(&cdb[6], 4096);
	run_in(f, &t, cdb);
	for (uint32_t off = 4; off < 4 + get_be32(&t.buf[0]); off += 8)
		found |= t.buf[off] == 0x42;
	scsi_task_release(&t);
	return found;
}

static void test_rsoc_unmap(void **state)
{
	struct fixture *thick = new_lu(false, false), *thin = new_lu(true, false);

	(void)state;
	assert_int_equal(rsoc_unmap_support(thick), 1);	/* not supported */
	assert_int_equal(rsoc_unmap_support(thin), 3);
	assert_false(rsoc_lists_unmap(thick));
	assert_true(rsoc_lists_unmap(thin));
	fx_free(thick);
	fx_free(thin);
}

/* ---- UNMAP -------------------------------------------------------------- */

struct desc {
	uint64_t lba;
	uint32_t count;
};

/* An UNMAP parameter list with @n descriptors into @buf; returns its length. */
static uint32_t unmap_list(uint8_t *buf, const struct desc *d, uint32_t n)
{
	uint32_t len = 8 + 16 * n;

	memset(buf, 0, len);
	put_be16(&buf[0], (uint16_t)(len - 2));
	put_be16(&buf[2], (uint16_t)(len - 8));
	for (uint32_t i = 0; i < n; i++) {
		put_be64(&buf[8 + 16 * i], d[i].lba);
		put_be32(&buf[8 + 16 * i + 8], d[i].count);
	}
	return len;
}

static void unmap_cdb(uint8_t *cdb, uint16_t len)
{
	memset(cdb, 0, SCSI_CDB_MAX);
	cdb[0] = 0x42;
	put_be16(&cdb[7], len);
}

/* Send UNMAP with parameter data @list of @len bytes. */
static int unmap(struct fixture *f, struct scsi_task *t, const uint8_t *list, uint32_t len)
{
	uint8_t cdb[SCSI_CDB_MAX];

	unmap_cdb(cdb, (uint16_t)len);
	return fx_cmd(f, t, cdb, len ? SCSI_DIR_WRITE : SCSI_DIR_NONE, len, list);
}

static void fill_store(struct fixture *f)
{
	memset(f->st.data, 0xa5, (size_t)NBLOCKS * BS);
}

static void assert_fill(const struct fixture *f, uint64_t lba, uint32_t n, uint8_t v)
{
	for (size_t i = 0; i < (size_t)n * BS; i++)
		assert_int_equal(f->st.data[lba * BS + i], v);
}

static void test_unmap_thick_is_unknown(void **state)
{
	struct fixture *f = new_lu(false, false);
	struct desc d = { 0, 1 };
	uint8_t list[64];
	struct scsi_task t;

	(void)state;
	assert_int_equal(unmap(f, &t, list, unmap_list(list, &d, 1)), SCSI_TASK_COMPLETE);
	assert_sense(&t, 0x5, 0x2000);	/* INVALID COMMAND OPERATION CODE */
	assert_int_equal(f->st.submits, 0);
	scsi_task_release(&t);
	fx_free(f);
}

static void test_unmap_zeroes(void **state)
{
	struct fixture *f = new_lu(true, false);
	struct desc d[3] = { { 10, 5 }, { 100, 0 }, { NBLOCKS - 2, 2 } };
	uint8_t list[64];
	struct scsi_task t;

	(void)state;
	fill_store(f);
	assert_int_equal(unmap(f, &t, list, unmap_list(list, d, 3)), SCSI_TASK_PENDING);
	assert_good(&t);
	assert_int_equal(f->st.submits, 2);	/* the empty descriptor costs nothing */
	assert_int_equal(f->st.last.op, BS_OP_UNMAP);
	assert_fill(f, 0, 10, 0xa5);
	assert_fill(f, 10, 5, 0);
	assert_fill(f, 15, NBLOCKS - 17, 0xa5);
	assert_fill(f, NBLOCKS - 2, 2, 0);
	scsi_task_release(&t);
	fx_free(f);
}

/* No parameter list, no descriptors, or only empty ones: GOOD, no I/O. */
static void test_unmap_nothing(void **state)
{
	struct fixture *f = new_lu(true, false);
	struct desc d[2] = { { 0, 0 }, { NBLOCKS, 0 } };
	uint8_t list[64];
	struct scsi_task t;

	(void)state;
	assert_int_equal(unmap(f, &t, NULL, 0), SCSI_TASK_COMPLETE);
	assert_good(&t);
	assert_int_equal(t.data_out_len, 0);
	scsi_task_release(&t);
	assert_int_equal(unmap(f, &t, list, unmap_list(list, d, 0)), SCSI_TASK_COMPLETE);
	assert_good(&t);
	scsi_task_release(&t);
	assert_int_equal(unmap(f, &t, list, unmap_list(list, d, 2)), SCSI_TASK_COMPLETE);
	assert_good(&t);
	scsi_task_release(&t);
	assert_int_equal(f->st.submits, 0);
	fx_free(f);
}

/* A rejected list unmaps nothing, even its valid descriptors. */
static void expect_list_error(struct fixture *f, const uint8_t *list, uint32_t len,
			      uint16_t asc)
{
	struct scsi_task t;

	fill_store(f);
	assert_int_equal(unmap(f, &t, list, len), SCSI_TASK_COMPLETE);
	assert_sense(&t, 0x5, asc);
	assert_int_equal(f->st.submits, 0);
	assert_fill(f, 0, NBLOCKS, 0xa5);
	scsi_task_release(&t);
}

static void test_unmap_range(void **state)
{
	struct fixture *f = new_lu(true, false);
	struct desc d[2] = { { 0, 1 }, { NBLOCKS - 1, 2 } };
	uint8_t list[64];

	(void)state;
	expect_list_error(f, list, unmap_list(list, d, 2), 0x2100);
	d[1].lba = NBLOCKS + 1;
	d[1].count = 0;
	expect_list_error(f, list, unmap_list(list, d, 2), 0x2100);
	d[1].lba = UINT64_MAX;
	d[1].count = 2;
	expect_list_error(f, list, unmap_list(list, d, 2), 0x2100);
	fx_free(f);
}

static void test_unmap_limits(void **state)
{
	static uint8_t list[8 + 16 * (MAX_DESCS + 1)];
	static struct desc d[MAX_DESCS + 1];
	struct fixture *f = new_lu(true, false);
	struct scsi_task t;

	(void)state;
	expect_list_error(f, list, unmap_list(list, d, MAX_DESCS + 1), 0x2600);
	assert_int_equal(unmap(f, &t, list, unmap_list(list, d, MAX_DESCS)),
			 SCSI_TASK_COMPLETE);		/* 256 empty descriptors */
	assert_good(&t);
	scsi_task_release(&t);
	fx_free(f);
}

/* More blocks in one command than MAXIMUM UNMAP LBA COUNT. */
static void test_unmap_too_many_blocks(void **state)
{
	struct scsi_lu_config cfg = { .lun = 0, .thin = true };
	struct fixture *f = fx_new_cfg(4 * MAX_LBAS, &cfg);	/* not memory backed */
	struct desc d[2] = { { 0, MAX_LBAS }, { MAX_LBAS, 1 } };
	uint8_t list[64];
	struct scsi_task t;

	(void)state;
	assert_int_equal(unmap(f, &t, list, unmap_list(list, d, 2)), SCSI_TASK_COMPLETE);
	assert_sense(&t, 0x5, 0x2600);
	assert_int_equal(t.sense[15], 0x80);		/* SKSV, in the parameter list */
	assert_int_equal(get_be16(&t.sense[16]), 8 + 16 + 8);
	scsi_task_release(&t);
	assert_int_equal(unmap(f, &t, list, unmap_list(list, d, 1)), SCSI_TASK_PENDING);
	assert_good(&t);
	assert_int_equal(f->st.last.len, (size_t)MAX_LBAS * BS);
	scsi_task_release(&t);
	fx_free(f);
}

static void test_unmap_header(void **state)
{
	struct fixture *f = new_lu(true, false);
	struct desc d[2] = { { 3, 1 }, { 7, 1 } };
	uint8_t list[64];
	uint32_t len;
	struct scsi_task t;

	(void)state;
	/* Shorter than the header. */
	expect_list_error(f, list, 7, 0x1a00);
	/* Block descriptor data length beyond what was sent. */
	len = unmap_list(list, d, 2);
	put_be16(&list[2], 48);
	expect_list_error(f, list, len, 0x1a00);
	/* UNMAP DATA LENGTH too small for the descriptors. */
	len = unmap_list(list, d, 2);
	put_be16(&list[0], 6 + 16);
	expect_list_error(f, list, len, 0x2600);
	/* An incomplete last descriptor is ignored. */
	fill_store(f);
	len = unmap_list(list, d, 2);
	put_be16(&list[0], 6 + 24);
	put_be16(&list[2], 24);
	assert_int_equal(unmap(f, &t, list, len), SCSI_TASK_PENDING);
	assert_good(&t);
	assert_int_equal(f->st.submits, 1);
	assert_fill(f, 3, 1, 0);
	assert_fill(f, 7, 1, 0xa5);
	scsi_task_release(&t);
	fx_free(f);
}

/* The initiator sends less than PARAMETER LIST LENGTH: only what came counts. */
static void test_unmap_short_transfer(void **state)
{
	struct fixture *f = new_lu(true, false);
	struct desc d = { 3, 1 };
	uint8_t list[64], cdb[SCSI_CDB_MAX];
	struct scsi_task t;

	(void)state;
	unmap_cdb(cdb, (uint16_t)unmap_list(list, &d, 1));
	assert_int_equal(fx_cmd(f, &t, cdb, SCSI_DIR_WRITE, 16, list), SCSI_TASK_COMPLETE);
	assert_sense(&t, 0x5, 0x1a00);
	scsi_task_release(&t);
	assert_int_equal(f->st.submits, 0);
	fx_free(f);
}

static void test_unmap_cdb_checks(void **state)
{
	struct fixture *f = new_lu(true, false), *ro = new_lu(true, true);
	struct desc d = { 0, 1 };
	uint8_t list[64], cdb[SCSI_CDB_MAX];
	uint32_t len = unmap_list(list, &d, 1);
	struct scsi_task t;

	(void)state;
	unmap_cdb(cdb, (uint16_t)len);
	cdb[1] = 0x01;					/* ANCHOR */
	assert_int_equal(fx_cmd(f, &t, cdb, SCSI_DIR_WRITE, len, list), SCSI_TASK_COMPLETE);
	assert_sense(&t, 0x5, 0x2400);
	assert_int_equal(t.sense[15], 0xc8);		/* SKSV, C/D, BPV, bit 0 */
	assert_int_equal(get_be16(&t.sense[16]), 1);
	scsi_task_release(&t);
	unmap_cdb(cdb, 4);
	assert_int_equal(fx_cmd(f, &t, cdb, SCSI_DIR_WRITE, 4, list), SCSI_TASK_COMPLETE);
	assert_sense(&t, 0x5, 0x1a00);
	scsi_task_release(&t);
	assert_int_equal(unmap(ro, &t, list, len), SCSI_TASK_COMPLETE);
	assert_sense(&t, 0x7, 0x2700);			/* DATA PROTECT */
	scsi_task_release(&t);
	assert_int_equal(f->st.submits + ro->st.submits, 0);
	fx_free(f);
	fx_free(ro);
}

static void test_unmap_backend_error(void **state)
{
	struct fixture *f = new_lu(true, false);
	struct desc d[2] = { { 0, 1 }, { 5, 1 } };
	uint8_t list[64];
	struct scsi_task t;

	(void)state;
	f->st.fail_next = 1;
	assert_int_equal(unmap(f, &t, list, unmap_list(list, d, 2)), SCSI_TASK_PENDING);
	assert_sense(&t, 0x3, 0x0c00);			/* MEDIUM ERROR, WRITE ERROR */
	assert_int_equal(f->st.submits, 1);		/* stopped at the failure */
	scsi_task_release(&t);
	fx_free(f);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_rc16_lbpme),
		cmocka_unit_test(test_vpd_lbp),
		cmocka_unit_test(test_vpd_block_limits),
		cmocka_unit_test(test_rsoc_unmap),
		cmocka_unit_test(test_unmap_thick_is_unknown),
		cmocka_unit_test(test_unmap_zeroes),
		cmocka_unit_test(test_unmap_nothing),
		cmocka_unit_test(test_unmap_range),
		cmocka_unit_test(test_unmap_limits),
		cmocka_unit_test(test_unmap_too_many_blocks),
		cmocka_unit_test(test_unmap_header),
		cmocka_unit_test(test_unmap_short_transfer),
		cmocka_unit_test(test_unmap_cdb_checks),
		cmocka_unit_test(test_unmap_backend_error),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
