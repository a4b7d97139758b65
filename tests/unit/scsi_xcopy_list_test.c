/* SPDX-License-Identifier: Apache-2.0 */
/*
 * EXTENDED COPY (LID1) parameter list checks, each with the sense SPC-4
 * gives it: lengths, header fields, descriptor counts, types and fields,
 * segments too long for the destination, a write-protected destination
 * and a nexus's LUN map. No store is touched by a rejected list.
 */
#include "tests/unit/scsi_xcopy_fixture.h"

/* ---- parameter list checks ----------------------------------------------- */

static void test_empty_list(void **state)
{
	struct two *w = two_new(BS, false);
	struct scsi_task t;

	(void)state;
	assert_int_equal(xcopy(w, &t, NULL, 0), SCSI_TASK_COMPLETE);
	assert_good(&t);
	assert_int_equal(w->f->st.submits, 0);
	scsi_task_release(&t);
	two_free(w);
}

static void test_list_lengths(void **state)
{
	struct two *w = two_new(BS, false);
	uint8_t p[2048];
	uint32_t len = simple_list(w, p, 1, 0, 1, 8, 0, 0);

	(void)state;
	expect(w, p, 8, 0x5, 0x1a00);			/* shorter than the header */
	expect(w, p, len - 1, 0x5, 0x1a00);		/* segment cut short */
	expect(w, p, HDR + CSCD - 1, 0x5, 0x1a00);	/* CSCD cut short */
	/* Longer than MAXIMUM DESCRIPTOR LIST LENGTH allows. */
	expect(w, p, HDR + 8 * CSCD + 32 * SEG + 1, 0x5, 0x1a00);
	two_free(w);
}

static void test_header_fields(void **state)
{
	struct two *w = two_new(BS, false);
	uint8_t p[512];
	uint32_t len = simple_list(w, p, 1, 0, 1, 8, 0, 0);

	(void)state;
	p[1] = 1 << 3;				/* LIST ID USAGE 01b: reserved */
	expect_field(w, p, len, 0x5, 0x2600, 1);
	p[1] = 3 << 3;				/* no list identifier, but one given */
	expect_field(w, p, len, 0x5, 0x2600, 0);
	p[1] = 0;
	put_be32(&p[12], 4);			/* inline data: none supported */
	expect_field(w, p, len + 4, 0x5, 0x2600, 12);
	assert_int_equal(w->f->st.submits + w->st1.submits, 0);
	two_free(w);
}

static void test_too_many_descriptors(void **state)
{
	struct two *w = two_new(BS, false);
	uint8_t p[2048];
	uint32_t off = HDR;
	struct scsi_task t;

	(void)state;
	header(p, 1, 0, 9, 1);
	for (int i = 0; i < 9; i++, off += CSCD)
		cscd_for(w, 0, &p[off]);
	off += seg_b2b(&p[off], 0, 0, 1, 0, 1, false);
	xcopy(w, &t, p, off);
	assert_sense(&t, 0x5, 0x2606);		/* TOO MANY TARGET DESCRIPTORS */
	scsi_task_release(&t);

	header(p, 1, 0, 1, 33);
	cscd_for(w, 0, &p[HDR]);
	off = HDR + CSCD;
	for (int i = 0; i < 33; i++)
		off += seg_b2b(&p[off], 0, 0, 1, 0, 1, false);
	xcopy(w, &t, p, off);
	assert_sense(&t, 0x5, 0x2608);		/* TOO MANY SEGMENT DESCRIPTORS */
	scsi_task_release(&t);
	two_free(w);
}

static void test_descriptor_types(void **state)
{
	struct two *w = two_new(BS, false);
	uint8_t p[512];
	uint32_t len = simple_list(w, p, 1, 0, 1, 8, 0, 0);

	(void)state;
	p[HDR + CSCD] = 0xe0;			/* Fibre Channel N_Port_Name */
	expect_field(w, p, len, 0x5, 0x2607, HDR + CSCD);
	p[HDR + CSCD] = 0xe4;
	p[HDR + 2 * CSCD] = 0x03;		/* stream to stream */
	expect_field(w, p, len, 0x5, 0x2609, HDR + 2 * CSCD);
	two_free(w);
}

static void test_descriptor_fields(void **state)
{
	struct two *w = two_new(BS, false);
	uint8_t p[512], saved[512];
	uint32_t len = simple_list(w, p, 1, 0, 1, 8, 0, 0);
	const uint32_t seg = HDR + 2 * CSCD;
	struct scsi_task t;
	static const struct { uint32_t off; uint8_t val; uint32_t ptr; } bad[] = {
		{ HDR + 1, 0x01, HDR + 1 },		/* device type: tape */
		{ HDR + 7, 21, HDR + 7 },		/* designator too long */
		{ HDR + 30, 0x10, HDR + 29 },		/* DISK BLOCK LENGTH 4096 */
		{ seg + 3, 0x14, seg + 2 },		/* DESCRIPTOR LENGTH */
		{ seg + 1, 0x01, seg + 1 },		/* CAT */
	};

	(void)state;
	memcpy(saved, p, len);
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		memcpy(p, saved, len);
		p[bad[i].off] = bad[i].val;
		expect_field(w, p, len, 0x5, 0x2600, (uint16_t)bad[i].ptr);
	}
	/* LU ID TYPE and NUL are obsolete: ignored. */
	memcpy(p, saved, len);
	p[HDR + 1] = 0xe0;
	xcopy(w, &t, p, len);
	assert_good(&t);
	scsi_task_release(&t);
	two_free(w);
}

static void test_segment_too_long(void **state)
{
	struct two *w = two_new(8192, false);
	uint8_t p[512];
	uint32_t len = simple_list(w, p, 1, 0, 1, 3, 0, 0);

	(void)state;
	/* 3 blocks of 512 bytes do not fill whole 8192-byte blocks. */
	expect(w, p, len, 0x5, 0x2600);
	/* 65535 destination blocks of 8192 bytes: more than 256 MiB. */
	p[HDR + 2 * CSCD + 1] = 0x02;		/* DC */
	put_be16(&p[HDR + 2 * CSCD + 10], 0xffff);
	expect(w, p, len, 0x5, 0x2600);
	two_free(w);
}

static void test_write_protected_destination(void **state)
{
	struct two *w = two_new(BS, true);
	uint8_t p[512];
	uint32_t len = simple_list(w, p, 1, 0, 1, 8, 0, 0);

	(void)state;
	expect(w, p, len, 0x7, 0x2700);		/* DATA PROTECT, WRITE PROTECTED */
	assert_int_equal(w->f->st.submits + w->st1.submits, 0);
	two_free(w);
}

/* A nexus's LUN map holds for EXTENDED COPY too, whose CSCDs name LUs by
 * designator: a destination mapped read-only is write protected, a LU the
 * map hides is unreachable. */
static void test_lun_map(void **state)
{
	static const struct scsi_lun_map_entry ro[] = {
		{ .lun = 0, .target_lun = 0 }, { .lun = 4, .target_lun = 1, .readonly = true },
	};
	static const struct scsi_lun_map_entry hidden[] = { { .lun = 0, .target_lun = 0 } };
	static const struct scsi_lun_map map_ro = { .n = 2, .e = ro };
	static const struct scsi_lun_map map_hidden = { .n = 1, .e = hidden };
	struct two *w = two_new(BS, false);
	uint8_t p[512];
	uint32_t len = simple_list(w, p, 1, 0, 1, 8, 0, 0);

	(void)state;
	w->f->itn.lun_map = &map_ro;
	expect(w, p, len, 0x7, 0x2700);		/* DATA PROTECT, WRITE PROTECTED */
	w->f->itn.lun_map = &map_hidden;
	expect(w, p, len, 0xa, 0x0804);		/* COPY ABORTED, UNREACHABLE COPY TARGET */
	assert_int_equal(w->f->st.submits + w->st1.submits, 0);
	w->f->itn.lun_map = NULL;
	two_free(w);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_empty_list),
		cmocka_unit_test(test_list_lengths),
		cmocka_unit_test(test_header_fields),
		cmocka_unit_test(test_too_many_descriptors),
		cmocka_unit_test(test_descriptor_types),
		cmocka_unit_test(test_descriptor_fields),
		cmocka_unit_test(test_segment_too_long),
		cmocka_unit_test(test_write_protected_destination),
		cmocka_unit_test(test_lun_map),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
