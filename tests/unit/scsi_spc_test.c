/* SPDX-License-Identifier: Apache-2.0 */
/*
 * SPC commands through the public task API: INQUIRY (standard and every VPD
 * page), MODE SENSE(6/10), REQUEST SENSE, START STOP UNIT and PREVENT ALLOW
 * MEDIUM REMOVAL on a removable LU.
 */
#include "tests/unit/scsi_fixture.h"

#include "util/endian.h"

#define NBLOCKS 2048u

static void inquiry(struct fixture *f, struct scsi_task *t, bool evpd, uint8_t page,
		    uint16_t alloc)
{
	uint8_t cdb[SCSI_CDB_MAX] = { 0x12, evpd ? 1 : 0, page };

	put_be16(&cdb[3], alloc);
	assert_int_equal(fx_cmd(f, t, cdb, SCSI_DIR_READ, alloc, NULL), SCSI_TASK_COMPLETE);
}

static void test_inquiry_standard(void **state)
{
	struct scsi_lu_config cfg = { .product = "TESTDISK", .removable = true };
	struct fixture *f = fx_new_cfg(NBLOCKS, &cfg);
	struct scsi_task t;

	(void)state;
	inquiry(f, &t, false, 0, 255);
	assert_good(&t);
	assert_int_equal(t.data_in_len, 96);
	assert_int_equal(t.buf[0], 0x00);		/* PQ 0, direct access */
	assert_int_equal(t.buf[1], 0x80);		/* RMB */
	assert_int_equal(t.buf[2], 0x06);		/* SPC-4 */
	assert_int_equal(t.buf[3], 0x12);		/* HISUP, format 2 */
	assert_int_equal(t.buf[4], 96 - 5);
	assert_int_equal(t.buf[7] & 0x02, 0x02);	/* CMDQUE */
	assert_memory_equal(&t.buf[8], "CTGT    ", 8);
	assert_memory_equal(&t.buf[16], "TESTDISK        ", 16);
	assert_memory_equal(&t.buf[32], "0001", 4);
	/* SPC-4 and SBC-3 are claimed among the version descriptors. */
	bool spc4 = false, sbc3 = false;
	for (int i = 58; i < 74; i += 2) {
		spc4 |= get_be16(&t.buf[i]) == 0x0460;
		sbc3 |= get_be16(&t.buf[i]) == 0x04c0;
	}
	assert_true(spc4 && sbc3);
	scsi_task_release(&t);

	inquiry(f, &t, false, 0, 5);		/* allocation length truncates */
	assert_good(&t);
	assert_int_equal(t.data_in_len, 5);
	scsi_task_release(&t);
	inquiry(f, &t, false, 0, 0);
	assert_good(&t);
	assert_int_equal(t.data_in_len, 0);
	scsi_task_release(&t);
	inquiry(f, &t, false, 0, 512);		/* 16-bit allocation length */
	assert_int_equal(t.data_in_len, 96);
	scsi_task_release(&t);
	fx_free(f);
}

static void test_inquiry_invalid(void **state)
{
	struct fixture *f = fx_new(NBLOCKS);
	uint8_t cdb[SCSI_CDB_MAX] = { 0x12, 0x02, 0, 0, 255 };
	struct scsi_task t;

	(void)state;
	inquiry(f, &t, false, 0x80, 255);	/* page code without EVPD */
	assert_sense(&t, 0x5, 0x2400);
	assert_int_equal(get_be16(&t.sense[16]), 2);
	scsi_task_release(&t);
	inquiry(f, &t, true, 0x99, 255);	/* unknown VPD page */
	assert_sense(&t, 0x5, 0x2400);
	scsi_task_release(&t);
	fx_cmd(f, &t, cdb, SCSI_DIR_READ, 255, NULL);	/* CMDDT */
	assert_sense(&t, 0x5, 0x2400);
	scsi_task_release(&t);
	fx_free(f);
}

static void vpd(struct fixture *f, struct scsi_task *t, uint8_t page)
{
	inquiry(f, t, true, page, 1024);
	assert_good(t);
	assert_int_equal(t->buf[0], 0x00);
	assert_int_equal(t->buf[1], page);
	assert_int_equal(get_be16(&t->buf[2]) + 4u, t->data_in_len);
}

static void test_vpd_supported_and_serial(void **state)
{
	struct scsi_lu_config cfg = { .serial = "SN-0042" };
	struct fixture *f = fx_new_cfg(NBLOCKS, &cfg);
	const uint8_t want[] = { 0x00, 0x80, 0x83, 0x8f, 0xb0, 0xb1, 0xb2 };
	struct scsi_task t;

	(void)state;
	vpd(f, &t, 0x00);
	assert_int_equal(t.data_in_len, 4 + sizeof(want));
	assert_memory_equal(&t.buf[4], want, sizeof(want));
	scsi_task_release(&t);
	/* Every listed page can be read. */
	for (size_t i = 0; i < sizeof(want); i++) {
		vpd(f, &t, want[i]);
		scsi_task_release(&t);
	}
	vpd(f, &t, 0x80);
	assert_int_equal(t.data_in_len, 4 + 7);
	assert_memory_equal(&t.buf[4], "SN-0042", 7);
	scsi_task_release(&t);
	inquiry(f, &t, true, 0x80, 6);		/* truncated */
	assert_good(&t);
	assert_int_equal(t.data_in_len, 6);
	scsi_task_release(&t);
	fx_free(f);
}

/* Find the designator with the given byte 1 (PIV/association/type). */
static const uint8_t *find_designator(const struct scsi_task *t, uint8_t b1)
{
	for (uint32_t off = 4; off + 4 <= t->data_in_len; off += 4u + t->buf[off + 3]) {
		if ((t->buf[off + 1] & 0xbf) == b1)
			return &t->buf[off];
	}
	return NULL;
}

static void test_vpd_device_id(void **state)
{
	struct scsi_lu_config cfg = { .naa_id = 0x123456789ull };
	struct fixture *f = fx_new_cfg(NBLOCKS, &cfg);
	const uint8_t *d;
	struct scsi_task t;

	(void)state;
	f->itn.rel_port_id = 7;
	vpd(f, &t, 0x83);
	d = find_designator(&t, 0x03);		/* LU, NAA */
	assert_non_null(d);
	assert_int_equal(d[0] & 0x0f, 1);	/* binary */
	assert_int_equal(d[3], 16);
	assert_int_equal(d[4] >> 4, 6);		/* NAA IEEE Registered Extended */
	assert_int_equal(get_be64(&d[4]) & ((1ull << 36) - 1), 0x123456789ull);
	d = find_designator(&t, 0x94);		/* relative target port */
	assert_non_null(d);
	assert_int_equal(d[0] >> 4, 5);		/* iSCSI */
	assert_int_equal(get_be16(&d[6]), 7);
	d = find_designator(&t, 0x95);		/* target port group */
	assert_non_null(d);
	assert_int_equal(get_be16(&d[6]), 1);
	d = find_designator(&t, 0x98);		/* target port name */
	assert_non_null(d);
	assert_int_equal(d[0], 0x53);
	assert_int_equal(d[3] % 4, 0);
	assert_string_equal((const char *)&d[4], "iqn.2026-11.io.ctgt:disk0,t,0x0001");
	d = find_designator(&t, 0xa8);		/* target device name */
	assert_non_null(d);
	assert_string_equal((const char *)&d[4], "iqn.2026-11.io.ctgt:disk0");
	scsi_task_release(&t);
	fx_free(f);
}

static void test_vpd_derived_ids_differ(void **state)
{
	struct fixture *f = fx_new(NBLOCKS);
	struct scsi_lu_config cfg = { .lun = 1 };
	struct scsi_lu *lu1 = scsi_lu_create(&cfg, &f->bs);
	uint8_t naa0[16];
	struct scsi_task t;

	(void)state;
	assert_int_equal(scsi_tgt_add_lu(f->tgt, lu1), 0);
	vpd(f, &t, 0x83);
	memcpy(naa0, &find_designator(&t, 0x03)[4], 16);
	scsi_task_release(&t);
	/* LU 1: first command sees its power-on UA... */
	uint8_t cdb[SCSI_CDB_MAX] = { 0x12, 1, 0x83, 4, 0 };
	fx_cmd_lun(f, &t, 1, cdb, SCSI_DIR_READ, 1024, NULL);
	assert_good(&t);			/* ...but INQUIRY is not blocked */
	assert_memory_not_equal(&find_designator(&t, 0x03)[4], naa0, 16);
	scsi_task_release(&t);
	vpd(f, &t, 0x80);
	assert_true(t.data_in_len > 4);		/* a derived serial exists */
	scsi_task_release(&t);
	fx_free(f);
}

static void test_vpd_block_pages(void **state)
{
	struct fixture *f = fx_new(NBLOCKS);
	struct scsi_task t;

	(void)state;
	vpd(f, &t, 0xb0);
	assert_int_equal(get_be16(&t.buf[2]), 0x3c);
	assert_int_equal(get_be32(&t.buf[8]), (8u << 20) / 512);	/* MAXIMUM TRANSFER */
	assert_int_equal(get_be32(&t.buf[12]), (8u << 20) / 512);	/* OPTIMAL TRANSFER */
	assert_int_equal(get_be32(&t.buf[20]), 0);		/* no UNMAP */
	assert_int_equal(get_be32(&t.buf[24]), 0);
	scsi_task_release(&t);
	vpd(f, &t, 0xb1);
	assert_int_equal(get_be16(&t.buf[4]), 1);		/* non-rotating */
	scsi_task_release(&t);
	vpd(f, &t, 0xb2);
	assert_int_equal(t.buf[5], 0);				/* no LBPU/LBPWS */
	scsi_task_release(&t);
	fx_free(f);
}

static void mode_sense(struct fixture *f, struct scsi_task *t, bool ten, uint8_t b1,
		       uint8_t b2, uint8_t sub, uint16_t alloc)
{
	uint8_t cdb[SCSI_CDB_MAX] = { ten ? 0x5a : 0x1a, b1, b2, sub };

	if (ten)
		put_be16(&cdb[7], alloc);
	else
		cdb[4] = (uint8_t)alloc;
	assert_int_equal(fx_cmd(f, t, cdb, SCSI_DIR_READ, alloc, NULL), SCSI_TASK_COMPLETE);
}

static void test_mode_sense6_all(void **state)
{
	struct scsi_lu_config cfg = { .write_cache = true };
	struct fixture *f = fx_new_cfg(NBLOCKS, &cfg);
	const uint8_t want[] = { 0x02, 0x08, 0x0a, 0x1c };
	struct scsi_task t;
	uint32_t off;

	(void)state;
	mode_sense(f, &t, false, 0, 0x3f, 0, 255);
	assert_good(&t);
	assert_int_equal(t.buf[0] + 1u, t.data_in_len);	/* MODE DATA LENGTH */
	assert_int_equal(t.buf[2], 0x10);		/* DPOFUA, not WP */
	assert_int_equal(t.buf[3], 8);			/* block descriptor */
	assert_int_equal(get_be32(&t.buf[4]), NBLOCKS);
	assert_int_equal(get_be24(&t.buf[9]), 512);
	off = 12;
	for (size_t i = 0; i < sizeof(want); i++) {
		assert_true(off < t.data_in_len);
		assert_int_equal(t.buf[off], want[i]);
		if (want[i] == 0x08)
			assert_int_equal(t.buf[off + 2] & 0x04, 0x04);	/* WCE */
		if (want[i] == 0x0a)
			assert_int_equal(t.buf[off + 2] & 0x04, 0);	/* D_SENSE 0 */
		off += 2u + t.buf[off + 1];
	}
	assert_int_equal(off, t.data_in_len);
	scsi_task_release(&t);

	mode_sense(f, &t, false, 0, 0x3f, 0, 4);	/* truncated to 4 bytes */
	assert_good(&t);
	assert_int_equal(t.data_in_len, 4);
	assert_true(t.buf[0] > 3);			/* length of the full data */
	scsi_task_release(&t);

	mode_sense(f, &t, false, 0, 0x3f, 0xff, 255);	/* all subpages */
	assert_good(&t);
	scsi_task_release(&t);
	fx_free(f);
}

static void test_mode_sense_pages(void **state)
{
	struct scsi_lu_config cfg = { .readonly = true };
	struct fixture *f = fx_new_cfg(NBLOCKS, &cfg);
	struct scsi_task t;

	(void)state;
	mode_sense(f, &t, false, 0x08, 0x08, 0, 255);	/* DBD, caching page */
	assert_good(&t);
	assert_int_equal(t.buf[2], 0x90);		/* WP + DPOFUA */
	assert_int_equal(t.buf[3], 0);
	assert_int_equal(t.data_in_len, 4 + 20);
	assert_int_equal(t.buf[4], 0x08);
	assert_int_equal(t.buf[5], 0x12);
	assert_int_equal(t.buf[6] & 0x04, 0);		/* WCE off */
	scsi_task_release(&t);

	mode_sense(f, &t, false, 0x08, 0x40 | 0x0a, 0, 255);	/* changeable */
	assert_good(&t);
	assert_int_equal(t.buf[4], 0x0a);
	for (int i = 6; i < 16; i++)			/* D_SENSE and SWP */
		assert_int_equal(t.buf[i], i == 6 ? 0x04 : i == 8 ? 0x08 : 0);
	scsi_task_release(&t);

	mode_sense(f, &t, false, 0, 0xc0 | 0x08, 0, 255);	/* saved */
	assert_sense(&t, 0x5, 0x3900);
	scsi_task_release(&t);
	mode_sense(f, &t, false, 0, 0x15, 0, 255);	/* unknown page */
	assert_sense(&t, 0x5, 0x2400);
	scsi_task_release(&t);
	mode_sense(f, &t, false, 0, 0x08, 1, 255);	/* unknown subpage */
	assert_sense(&t, 0x5, 0x2400);
	scsi_task_release(&t);
	fx_free(f);
}

static void test_mode_sense10(void **state)
{
	struct fixture *f = fx_new(NBLOCKS);
	struct scsi_task t;

	(void)state;
	mode_sense(f, &t, true, 0x10, 0x1c, 0, 1000);	/* LLBAA */
	assert_good(&t);
	assert_int_equal(get_be16(&t.buf[0]) + 2u, t.data_in_len);
	assert_int_equal(t.buf[4] & 1, 1);		/* LONGLBA */
	assert_int_equal(get_be16(&t.buf[6]), 16);
	assert_int_equal(get_be64(&t.buf[8]), NBLOCKS);
	assert_int_equal(get_be32(&t.buf[20]), 512);
	assert_int_equal(t.buf[24], 0x1c);
	assert_int_equal(t.data_in_len, 8 + 16 + 12);
	scsi_task_release(&t);
	mode_sense(f, &t, true, 0, 0x0a, 0, 1000);	/* short descriptor */
	assert_int_equal(get_be16(&t.buf[6]), 8);
	assert_int_equal(t.data_in_len, 8 + 8 + 12);
	scsi_task_release(&t);
	fx_free(f);
}

static void request_sense(struct fixture *f, struct scsi_task *t, bool desc)
{
	uint8_t cdb[SCSI_CDB_MAX] = { 0x03, desc ? 1 : 0, 0, 0, 252 };

	assert_int_equal(fx_cmd(f, t, cdb, SCSI_DIR_READ, 252, NULL), SCSI_TASK_COMPLETE);
	assert_good(t);
}

static void test_request_sense(void **state)
{
	struct fixture *f = fx_new(NBLOCKS);
	struct scsi_task t;

	(void)state;
	request_sense(f, &t, false);
	assert_int_equal(t.data_in_len, 18);
	assert_int_equal(t.buf[0], 0x70);
	assert_int_equal(t.buf[2], 0);
	assert_int_equal(t.buf[12], 0);
	scsi_task_release(&t);
	request_sense(f, &t, true);
	assert_int_equal(t.data_in_len, 8);
	assert_int_equal(t.buf[0], 0x72);
	assert_int_equal(t.buf[1], 0);
	scsi_task_release(&t);
	fx_free(f);
}

static int tur(struct fixture *f, struct scsi_task *t)
{
	uint8_t cdb[SCSI_CDB_MAX] = { 0 };

	return fx_cmd(f, t, cdb, SCSI_DIR_NONE, 0, NULL);
}

static void start_stop(struct fixture *f, struct scsi_task *t, uint8_t b4)
{
	uint8_t cdb[SCSI_CDB_MAX] = { 0x1b, 0, 0, 0, b4 };

	fx_cmd(f, t, cdb, SCSI_DIR_NONE, 0, NULL);
}

static void prevent(struct fixture *f, struct scsi_task *t, uint8_t v)
{
	uint8_t cdb[SCSI_CDB_MAX] = { 0x1e, 0, 0, 0, v };

	fx_cmd(f, t, cdb, SCSI_DIR_NONE, 0, NULL);
}

static void expect_no_medium(struct fixture *f, const uint8_t *cdb)
{
	struct scsi_task t;

	fx_cmd(f, &t, cdb, SCSI_DIR_READ, 512, NULL);
	assert_sense(&t, 0x2, 0x3a00);
	assert_null(t.buf);
	scsi_task_release(&t);
}

static void test_eject_load(void **state)
{
	struct scsi_lu_config cfg = { .removable = true };
	struct fixture *f = fx_new_cfg(NBLOCKS, &cfg);
	const uint8_t medium_cmds[][SCSI_CDB_MAX] = {
		{ 0x00 }, { 0x25 }, { 0x9e, 0x10, [13] = 32 },
		{ 0x28, [8] = 1 }, { 0xa8, [9] = 1 }, { 0x88, [13] = 1 },
		{ 0x2a, [8] = 1 }, { 0x8a, [13] = 1 }, { 0x2f, 0x02, [8] = 1 },
		{ 0x2e, [8] = 1 }, { 0x35 }, { 0x91 },
	};
	struct scsi_task t;

	(void)state;
	start_stop(f, &t, 0x02);		/* LoEj, Start=0: eject */
	assert_good(&t);
	for (size_t i = 0; i < sizeof(medium_cmds) / sizeof(medium_cmds[0]); i++)
		expect_no_medium(f, medium_cmds[i]);
	inquiry(f, &t, false, 0, 96);		/* INQUIRY still works */
	assert_good(&t);
	scsi_task_release(&t);
	request_sense(f, &t, false);		/* and reports the condition */
	assert_int_equal(t.buf[2], 0x2);
	assert_int_equal(t.buf[12], 0x3a);
	scsi_task_release(&t);
	start_stop(f, &t, 0x03);		/* LoEj, Start=1: load */
	assert_good(&t);
	tur(f, &t);
	assert_good(&t);
	/* A power condition makes LoEj/Start ignored; LoEj=0 does nothing. */
	start_stop(f, &t, 0x12);
	assert_good(&t);
	start_stop(f, &t, 0x00);
	assert_good(&t);
	tur(f, &t);
	assert_good(&t);
	fx_free(f);
}

static void test_prevent_allow(void **state)
{
	struct scsi_lu_config cfg = { .removable = true };
	struct fixture *f = fx_new_cfg(NBLOCKS, &cfg);
	struct scsi_itn itn2;
	struct scsi_task t;

	(void)state;
	prevent(f, &t, 1);
	assert_good(&t);
	start_stop(f, &t, 0x02);
	assert_sense(&t, 0x5, 0x5302);
	tur(f, &t);
	assert_good(&t);			/* still loaded */
	prevent(f, &t, 0);
	assert_good(&t);
	start_stop(f, &t, 0x02);
	assert_good(&t);
	tur(f, &t);
	assert_sense(&t, 0x2, 0x3a00);
	start_stop(f, &t, 0x03);
	assert_good(&t);
	prevent(f, &t, 2);			/* obsolete persistent prevent */
	assert_sense(&t, 0x5, 0x2400);

	/* A prevention ends with the nexus that set it. */
	fx_itn_init(&itn2, 99);
	scsi_tgt_nexus_add(f->tgt, &itn2);
	f->itn = itn2;
	tur(f, &t);				/* consume its power-on UA */
	prevent(f, &t, 1);
	assert_good(&t);
	fx_itn_init(&f->itn, 1);
	start_stop(f, &t, 0x02);
	assert_sense(&t, 0x5, 0x5302);
	scsi_tgt_nexus_remove(f->tgt, &itn2);
	start_stop(f, &t, 0x02);
	assert_good(&t);
	fx_free(f);
}

static void test_not_removable(void **state)
{
	struct fixture *f = fx_new(NBLOCKS);
	struct scsi_task t;

	(void)state;
	start_stop(f, &t, 0x02);
	assert_sense(&t, 0x5, 0x2400);
	tur(f, &t);
	assert_good(&t);
	inquiry(f, &t, false, 0, 96);
	assert_int_equal(t.buf[1], 0);		/* RMB clear */
	scsi_task_release(&t);
	fx_free(f);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_inquiry_standard),
		cmocka_unit_test(test_inquiry_invalid),
		cmocka_unit_test(test_vpd_supported_and_serial),
		cmocka_unit_test(test_vpd_device_id),
		cmocka_unit_test(test_vpd_derived_ids_differ),
		cmocka_unit_test(test_vpd_block_pages),
		cmocka_unit_test(test_mode_sense6_all),
		cmocka_unit_test(test_mode_sense_pages),
		cmocka_unit_test(test_mode_sense10),
		cmocka_unit_test(test_request_sense),
		cmocka_unit_test(test_eject_load),
		cmocka_unit_test(test_prevent_allow),
		cmocka_unit_test(test_not_removable),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
