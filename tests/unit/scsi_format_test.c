/* SPDX-License-Identifier: Apache-2.0 */
/*
 * FORMAT UNIT: the CDB (FMTPINFO, FMTDATA, LONGLIST, DEFECT LIST FORMAT)
 * and the short and long parameter list headers (protection fields, FOV
 * and the bits it governs, IP, DEFECT LIST LENGTH, IMMED); a thick LU keeps
 * its data, a thin LU is deallocated (FORMAT IN PROGRESS while that runs
 * with IMMED); write protection.
 */
#include "tests/unit/scsi_fixture.h"

#include "util/endian.h"

#define NBLOCKS 1000u
#define BS 512u

static struct fixture *new_lu(bool thin, bool readonly)
{
	struct scsi_lu_config cfg = { .lun = 0, .thin = thin, .readonly = readonly };

	return fx_new_cfg(NBLOCKS, &cfg);
}

static int format(struct fixture *f, struct scsi_task *t, uint8_t b1,
		  const uint8_t *param, uint32_t plen)
{
	uint8_t cdb[SCSI_CDB_MAX] = { 0x04, b1 };

	return fx_cmd(f, t, cdb, plen ? SCSI_DIR_WRITE : SCSI_DIR_NONE, plen, param);
}

static void expect_good(struct fixture *f, uint8_t b1, const uint8_t *param, uint32_t plen)
{
	struct scsi_task t;

	format(f, &t, b1, param, plen);
	assert_good(&t);
	scsi_task_release(&t);
}

static void expect_invalid_param(struct fixture *f, uint8_t b1, const uint8_t *param,
				 uint32_t plen, uint16_t byte)
{
	struct scsi_task t;

	format(f, &t, b1, param, plen);
	assert_sense(&t, 0x5, 0x2600);
	assert_int_equal(get_be16(&t.sense[16]), byte);
	scsi_task_release(&t);
}

static void test_cdb(void **state)
{
	struct fixture *f = new_lu(false, false);
	uint8_t hdr[8] = { 0 };
	struct scsi_task t;

	(void)state;
	for (uint8_t pinfo = 1; pinfo < 4; pinfo++) {
		format(f, &t, (uint8_t)(pinfo << 6), NULL, 0);
		assert_sense(&t, 0x5, 0x2400);
		assert_int_equal(t.sense[15], 0xc8 | 7);
		assert_int_equal(get_be16(&t.sense[16]), 1);
		scsi_task_release(&t);
	}
	format(f, &t, 0x10 | 0x07, hdr, 4);		/* reserved defect list format */
	assert_sense(&t, 0x5, 0x2400);
	assert_int_equal(t.sense[15], 0xc8 | 2);
	scsi_task_release(&t);
	expect_good(f, 0x00, NULL, 0);			/* FMTDATA 0 */
	expect_good(f, 0x08 | 0x06, NULL, 0);		/* ignored without FMTDATA */
	for (uint8_t fmt = 0; fmt < 7; fmt++) {
		expect_good(f, 0x10 | fmt, hdr, 4);		/* short header */
		expect_good(f, 0x30 | 0x08 | fmt, hdr, 8);	/* long header */
	}
	/* Less than a header of data-out. */
	format(f, &t, 0x10, hdr, 3);
	assert_sense(&t, 0x5, 0x1a00);
	scsi_task_release(&t);
	format(f, &t, 0x30, hdr, 4);
	assert_sense(&t, 0x5, 0x1a00);
	scsi_task_release(&t);
	fx_free(f);
}

static void test_header(void **state)
{
	struct fixture *f = new_lu(false, false);
	uint8_t h[8];

	(void)state;
	for (int longlist = 0; longlist <= 1; longlist++) {
		uint8_t b1 = longlist ? 0x30 : 0x10;
		uint32_t len = longlist ? 8 : 4;

		memset(h, 0, sizeof(h));
		h[0] = 0x01;				/* PROTECTION FIELD USAGE */
		expect_invalid_param(f, b1, h, len, 0);
		h[0] = 0x08;				/* reserved */
		expect_invalid_param(f, b1, h, len, 0);
		memset(h, 0, sizeof(h));
		h[1] = 0x20;				/* DCRT without FOV */
		expect_invalid_param(f, b1, h, len, 1);
		h[1] = 0x80 | 0x40 | 0x20 | 0x10;	/* FOV DPRY DCRT STPF */
		expect_good(f, b1, h, len);
		h[1] = 0x80 | 0x08;			/* IP: no patterns */
		expect_invalid_param(f, b1, h, len, 1);
		memset(h, 0, sizeof(h));
		if (longlist) {
			h[7] = 8;
			expect_invalid_param(f, b1, h, len, 4);
			h[7] = 0;
			h[3] = 0x10;			/* P_I_INFORMATION */
			expect_invalid_param(f, b1, h, len, 3);
			h[3] = 0;
			h[2] = 1;			/* reserved */
			expect_invalid_param(f, b1, h, len, 2);
		} else {
			h[3] = 8;			/* DEFECT LIST LENGTH */
			expect_invalid_param(f, b1, h, len, 2);
		}
	}
	fx_free(f);
}

static void test_thick_keeps_data(void **state)
{
	struct fixture *f = new_lu(false, false);
	uint8_t h[4] = { 0, 0x02 };			/* IMMED */

	(void)state;
	memset(f->st.data, 0x33, f->bs.size);
	expect_good(f, 0x00, NULL, 0);
	expect_good(f, 0x10, h, 4);
	assert_int_equal(f->st.submits, 0);
	assert_int_equal(f->st.data[12345], 0x33);
	fx_free(f);
}

static void test_thin_deallocates(void **state)
{
	struct fixture *f = new_lu(true, false);
	uint8_t h[4] = { 0, 0x02 };			/* IMMED */
	uint8_t tur[SCSI_CDB_MAX] = { 0 };
	struct scsi_task t;

	(void)state;
	memset(f->st.data, 0x33, f->bs.size);
	assert_int_equal(format(f, &t, 0x00, NULL, 0), SCSI_TASK_PENDING);
	assert_good(&t);
	scsi_task_release(&t);
	assert_int_equal(f->st.last_io.op, BS_OP_UNMAP);
	assert_int_equal(f->st.last_io.offset, 0);
	assert_int_equal(f->st.last_io.len, NBLOCKS * BS);
	assert_int_equal(f->st.data[12345], 0);
	/* IMMED: GOOD at once, FORMAT IN PROGRESS until the unmap is done. */
	assert_int_equal(format(f, &t, 0x10, h, 4), SCSI_TASK_COMPLETE);
	assert_good(&t);
	scsi_task_release(&t);
	fx_cmd(f, &t, tur, SCSI_DIR_NONE, 0, NULL);
	assert_sense(&t, 0x2, 0x0404);
	scsi_task_release(&t);
	assert_int_equal(fake_run(&f->bs), 2);		/* the unmap and its flush */
	fx_cmd(f, &t, tur, SCSI_DIR_NONE, 0, NULL);
	assert_good(&t);
	scsi_task_release(&t);
	/* A failed format: MEDIUM FORMAT CORRUPTED until one succeeds. */
	f->st.fail_next = 1;
	format(f, &t, 0x00, NULL, 0);
	assert_sense(&t, 0x3, 0x3101);			/* FORMAT COMMAND FAILED */
	scsi_task_release(&t);
	fx_cmd(f, &t, tur, SCSI_DIR_NONE, 0, NULL);
	assert_sense(&t, 0x3, 0x3100);
	scsi_task_release(&t);
	expect_good(f, 0x00, NULL, 0);
	fx_cmd(f, &t, tur, SCSI_DIR_NONE, 0, NULL);
	assert_good(&t);
	scsi_task_release(&t);
	fx_free(f);
}

static void test_readonly(void **state)
{
	struct fixture *f = new_lu(true, true);
	uint8_t h[4] = { 0 };
	struct scsi_task t;

	(void)state;
	format(f, &t, 0x00, NULL, 0);
	assert_sense(&t, 0x7, 0x2700);
	scsi_task_release(&t);
	format(f, &t, 0x10, h, 4);
	assert_sense(&t, 0x7, 0x2700);
	scsi_task_release(&t);
	assert_int_equal(f->st.submits, 0);
	fx_free(f);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_cdb),
		cmocka_unit_test(test_header),
		cmocka_unit_test(test_thick_keeps_data),
		cmocka_unit_test(test_thin_deallocates),
		cmocka_unit_test(test_readonly),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
