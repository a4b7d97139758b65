/* SPDX-License-Identifier: Apache-2.0 */
/*
 * EXTENDED COPY over the wire between two LUs of one daemon: no initiator
 * we can run drives a copy across LUs (libiscsi's tests copy within one),
 * so this one writes a pattern to LUN 0, names LUN 0 and LUN 1 by the NAA
 * designators INQUIRY reports, copies with EXTENDED COPY sent to LUN 0,
 * reads LUN 1 back and asks RECEIVE COPY RESULTS for the copy status;
 * a copy to a LUN another session has reserved gets RESERVATION CONFLICT.
 *
 * Usage: xcopy_wire_test PORT TARGET_IQN (run by tests/integration/xcopy.sh,
 * against a daemon with 512-byte LUNs 0 and 1).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "iscsi/pdu.h"
#include "tests/wire/session.h"

#define BLOCK		512u
#define NCOPY		16u		/* blocks: 8 KiB, one immediate data PDU */
#define SRC_LBA		10u
#define DST_LBA		100u
#define INITIATOR	"iqn.2026-11.io.ctgt:xcopy-test"

static int g_port;
static const char *g_target;

/* An Identification CSCD descriptor naming @lun by its NAA designator. */
static void cscd(struct sess *s, uint8_t lun, uint8_t d[32])
{
	uint8_t cdb[16] = { 0x12, 0x01, 0x83, 0x00, 0xff }, page[255] = { 0 };
	uint32_t off = 4, end;

	assert_int_equal(sess_run(s, lun, cdb, NULL, 0, page, sizeof(page), NULL), STATUS_GOOD);
	end = 4u + get_be16(&page[2]);
	/* The designator with LU association and type NAA. */
	while (off < end && !((page[off + 1] & 0x30) == 0 && (page[off + 1] & 0x0f) == 3))
		off += 4u + page[off + 3];
	assert_true(off < end);
	memset(d, 0, 32);
	d[0] = 0xe4;
	memcpy(&d[4], &page[off], 4u + page[off + 3]);
	put_be24(&d[29], BLOCK);
}

static void login(struct sess *s)
{
	sess_login(s, g_port, 0x42, INITIATOR, g_target, "ImmediateData=Yes",
		   "MaxRecvDataSegmentLength=262144", NULL);
}

static void test_copy_between_luns(void **state)
{
	uint8_t cdb[16] = { 0 }, data[NCOPY * BLOCK], back[NCOPY * BLOCK], list[16 + 64 + 28];
	uint8_t st[64] = { 0 }, *seg = &list[16 + 64];
	struct sess s;

	(void)state;
	login(&s);
	sess_clear_ua(&s, 0);
	sess_clear_ua(&s, 1);
	for (uint32_t i = 0; i < sizeof(data); i++)
		data[i] = (uint8_t)(i * 13 + i / BLOCK);
	cdb_rw10(cdb, 0x2a, SRC_LBA, NCOPY);		/* WRITE(10) on LUN 0 */
	assert_int_equal(sess_run(&s, 0, cdb, data, sizeof(data), NULL, 0, NULL), STATUS_GOOD);

	memset(list, 0, sizeof(list));
	list[0] = 5;					/* LIST IDENTIFIER, held */
	put_be16(&list[2], 64);
	put_be32(&list[8], 28);
	cscd(&s, 0, &list[16]);
	cscd(&s, 1, &list[48]);
	seg[0] = 0x02;					/* block to block */
	put_be16(&seg[2], 24);
	put_be16(&seg[4], 0);
	put_be16(&seg[6], 1);
	put_be16(&seg[10], NCOPY);
	put_be64(&seg[12], SRC_LBA);
	put_be64(&seg[20], DST_LBA);
	memset(cdb, 0, sizeof(cdb));
	cdb[0] = 0x83;
	put_be32(&cdb[10], sizeof(list));
	assert_int_equal(sess_run(&s, 0, cdb, list, sizeof(list), NULL, 0, NULL), STATUS_GOOD);

	cdb_rw10(cdb, 0x28, DST_LBA, NCOPY);		/* READ(10) on LUN 1 */
	assert_int_equal(sess_run(&s, 1, cdb, NULL, 0, back, sizeof(back), NULL), STATUS_GOOD);
	assert_memory_equal(back, data, sizeof(data));

	memset(cdb, 0, sizeof(cdb));
	cdb[0] = 0x84;					/* RECEIVE COPY RESULTS */
	cdb[2] = 5;					/* COPY STATUS of list 5 */
	put_be32(&cdb[10], sizeof(st));
	assert_int_equal(sess_run(&s, 0, cdb, NULL, 0, st, sizeof(st), NULL), STATUS_GOOD);
	assert_int_equal(st[4], 0x01);			/* completed without errors */
	assert_int_equal(get_be16(&st[5]), 1);
	assert_int_equal(get_be32(&st[8]), sizeof(data));
	sess_close(&s);
}

static void test_unreachable_lun(void **state)
{
	uint8_t cdb[16] = { 0x83 }, list[16 + 32 + 28] = { 0 }, sense[SENSE_MAX] = { 0 };
	struct sess s;

	(void)state;
	login(&s);
	sess_clear_ua(&s, 0);
	put_be16(&list[2], 32);
	put_be32(&list[8], 28);
	cscd(&s, 0, &list[16]);
	list[16 + 8 + 15] ^= 0x5a;			/* a designator of no LU */
	list[48] = 0x02;
	put_be16(&list[50], 24);
	put_be16(&list[58], 1);
	put_be32(&cdb[10], sizeof(list));
	assert_int_equal(sess_run(&s, 0, cdb, list, sizeof(list), NULL, 0, sense), STATUS_CHECK);
	assert_int_equal(sense[2] & 0x0f, 0x0a);		/* COPY ABORTED */
	assert_int_equal(sense[12], 0x08);		/* UNREACHABLE COPY TARGET */
	assert_int_equal(sense[13], 0x04);
	sess_close(&s);
}

/* LUN 1 reserved (SPC-2 RESERVE) by another session: the copy to it gets
 * RESERVATION CONFLICT, as this session's own WRITE would; once released,
 * it runs. */
static void test_reserved_destination(void **state)
{
	uint8_t cdb[16] = { 0x83 }, r6[16] = { 0x16 }, rel6[16] = { 0x17 };
	uint8_t list[16 + 64 + 28] = { 0 }, *seg = &list[16 + 64];
	struct sess s, other;

	(void)state;
	login(&s);
	sess_login(&other, g_port, 0x43, INITIATOR, g_target, NULL);
	sess_clear_ua(&s, 0);
	sess_clear_ua(&s, 1);
	sess_clear_ua(&other, 1);
	assert_int_equal(sess_run(&other, 1, r6, NULL, 0, NULL, 0, NULL), STATUS_GOOD);
	put_be16(&list[2], 64);
	put_be32(&list[8], 28);
	cscd(&s, 0, &list[16]);
	cscd(&s, 1, &list[48]);
	seg[0] = 0x02;
	put_be16(&seg[2], 24);
	put_be16(&seg[6], 1);
	put_be16(&seg[10], 8);
	put_be32(&cdb[10], sizeof(list));
	assert_int_equal(sess_run(&s, 0, cdb, list, sizeof(list), NULL, 0, NULL), 0x18);
	assert_int_equal(sess_run(&other, 1, rel6, NULL, 0, NULL, 0, NULL), STATUS_GOOD);
	assert_int_equal(sess_run(&s, 0, cdb, list, sizeof(list), NULL, 0, NULL), STATUS_GOOD);
	sess_close(&other);
	sess_close(&s);
}

int main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_copy_between_luns),
		cmocka_unit_test(test_unreachable_lun),
		cmocka_unit_test(test_reserved_destination),
	};

	if (argc < 3) {
		fprintf(stderr, "usage: xcopy_wire_test PORT TARGET_IQN\n");
		return 2;
	}
	g_port = atoi(argv[1]);
	g_target = argv[2];
	return cmocka_run_group_tests(tests, NULL, NULL);
}
