/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The null store seen from an initiator: LUN 0 is "null:,size=SIZE", LUN 1
 * the same with ",thin". READ CAPACITY(16) gives SIZE (and LBPME, LBPRZ on
 * the thin LU only); a WRITE is acknowledged and the same blocks then read
 * as zeros; SYNCHRONIZE CACHE, UNMAP and WRITE SAME (with and without
 * UNMAP) succeed; GET LBA STATUS reports the thin LU deallocated from end
 * to end even after writes (nothing is stored), the thick one mapped.
 *
 * Usage: null_test PORT TARGET_IQN SIZE_BYTES (run by tests/integration/null.sh).
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
#include "util/endian.h"

#define BLOCK		512u
#define INITIATOR	"iqn.2026-12.io.ctgt:null-test"
#define LUN_THICK	0
#define LUN_THIN	1

static int g_port;
static const char *g_target;
static uint64_t g_size;

/* A session past the power-on unit attentions of both LUNs. */
static void login(struct sess *s)
{
	static uint8_t isid;

	sess_login(s, g_port, ++isid, INITIATOR, g_target, NULL);
	sess_clear_ua(s, LUN_THICK);
	sess_clear_ua(s, LUN_THIN);
}

static uint8_t run_in(struct sess *s, uint8_t lun, const uint8_t cdb[16], void *in, uint32_t cap)
{
	return sess_run(s, lun, cdb, NULL, 0, in, cap, NULL);
}

static uint8_t run_out(struct sess *s, uint8_t lun, const uint8_t cdb[16], const void *out,
		       uint32_t len)
{
	return sess_run(s, lun, cdb, out, len, NULL, 0, NULL);
}

/* READ(10) @blocks at @lba and assert every byte is zero. */
static void expect_zeros(struct sess *s, uint8_t lun, uint32_t lba, uint16_t blocks)
{
	static uint8_t buf[64 * BLOCK];
	uint8_t cdb[16];

	assert_true(blocks <= sizeof(buf) / BLOCK);
	memset(buf, 0xee, sizeof(buf));
	cdb_rw10(cdb, 0x28, lba, blocks);
	assert_int_equal(run_in(s, lun, cdb, buf, blocks * BLOCK), STATUS_GOOD);
	for (uint32_t i = 0; i < blocks * BLOCK; i++)
		assert_int_equal(buf[i], 0);
}

/* WRITE(10) @blocks of @byte at @lba; GOOD expected. */
static void write_pattern(struct sess *s, uint8_t lun, uint32_t lba, uint16_t blocks, uint8_t byte)
{
	static uint8_t buf[16 * BLOCK];
	uint8_t cdb[16];

	assert_true(blocks <= sizeof(buf) / BLOCK);
	memset(buf, byte, sizeof(buf));
	cdb_rw10(cdb, 0x2a, lba, blocks);
	assert_int_equal(run_out(s, lun, cdb, buf, blocks * BLOCK), STATUS_GOOD);
}

static void expect_capacity(struct sess *s, uint8_t lun, uint8_t lbp_bits)
{
	uint8_t cdb[16] = { 0x9e, 0x10 }, rsp[32];

	put_be32(&cdb[10], sizeof(rsp));
	assert_int_equal(run_in(s, lun, cdb, rsp, sizeof(rsp)), STATUS_GOOD);
	assert_int_equal(get_be64(&rsp[0]), g_size / BLOCK - 1);
	assert_int_equal(get_be32(&rsp[8]), BLOCK);
	assert_int_equal(rsp[14] & 0xc0, lbp_bits);	/* LBPME, LBPRZ */
}

static void test_capacity(void **state)
{
	struct sess s;

	(void)state;
	login(&s);
	expect_capacity(&s, LUN_THICK, 0);
	expect_capacity(&s, LUN_THIN, 0xc0);
	sess_close(&s);
}

/* Written blocks read back as zeros, the last LBA too; SYNCHRONIZE CACHE
 * after them succeeds. */
static void test_write_reads_zeros(void **state)
{
	uint32_t last = (uint32_t)(g_size / BLOCK - 1);
	uint8_t sync[16] = { 0x35 };
	struct sess s;

	(void)state;
	login(&s);
	for (uint8_t lun = LUN_THICK; lun <= LUN_THIN; lun++) {
		write_pattern(&s, lun, 100, 16, 0xab);
		expect_zeros(&s, lun, 96, 24);
		write_pattern(&s, lun, last, 1, 0x5a);
		expect_zeros(&s, lun, last, 1);
		assert_int_equal(run_out(&s, lun, sync, NULL, 0), STATUS_GOOD);
	}
	sess_close(&s);
}

/* UNMAP of two ranges of the thin LU. */
static void test_unmap(void **state)
{
	uint8_t cdb[16] = { 0x42 }, list[8 + 2 * 16] = { 0 };
	struct sess s;

	(void)state;
	put_be16(&cdb[7], sizeof(list));
	put_be16(&list[0], sizeof(list) - 2);
	put_be16(&list[2], 2 * 16);
	put_be64(&list[8], 0);
	put_be32(&list[16], 64);
	put_be64(&list[24], 1000);
	put_be32(&list[32], 8);
	login(&s);
	write_pattern(&s, LUN_THIN, 0, 16, 0x77);
	assert_int_equal(run_out(&s, LUN_THIN, cdb, list, sizeof(list)), STATUS_GOOD);
	expect_zeros(&s, LUN_THIN, 0, 64);
	sess_close(&s);
}

/* WRITE SAME(16) of a non-zero block over 64 blocks (@flags 0) or
 * deallocating them (UNMAP bit, thin LU); the range reads zeros after. */
static void write_same(struct sess *s, uint8_t lun, uint8_t flags)
{
	uint8_t cdb[16] = { 0x93, flags }, block[BLOCK];

	memset(block, 0x5c, sizeof(block));
	put_be64(&cdb[2], 2048);
	put_be32(&cdb[10], 64);
	assert_int_equal(run_out(s, lun, cdb, block, sizeof(block)), STATUS_GOOD);
	expect_zeros(s, lun, 2048, 64);
}

static void test_write_same(void **state)
{
	struct sess s;

	(void)state;
	login(&s);
	write_same(&s, LUN_THICK, 0);
	write_same(&s, LUN_THIN, 0);
	write_same(&s, LUN_THIN, 0x08);
	sess_close(&s);
}

/* GET LBA STATUS from LBA 0: a single descriptor for the whole LU
 * (deallocated on the thin LU, mapped on the thick one). */
static void expect_one_extent(struct sess *s, uint8_t lun, uint8_t status)
{
	uint8_t cdb[16] = { 0x9e, 0x12 }, rsp[8 + 2 * 16];

	put_be32(&cdb[10], sizeof(rsp));
	memset(rsp, 0xee, sizeof(rsp));
	assert_int_equal(run_in(s, lun, cdb, rsp, sizeof(rsp)), STATUS_GOOD);
	assert_int_equal(get_be32(&rsp[0]), 4 + 16);	/* one descriptor */
	assert_int_equal(get_be64(&rsp[8]), 0);
	assert_int_equal(get_be32(&rsp[16]), g_size / BLOCK);
	assert_int_equal(rsp[20] & 0x0f, status);
}

static void test_lba_status(void **state)
{
	struct sess s;

	(void)state;
	login(&s);
	write_pattern(&s, LUN_THIN, 10, 16, 0x33);
	expect_one_extent(&s, LUN_THIN, 1);
	expect_one_extent(&s, LUN_THICK, 0);
	sess_close(&s);
}

int main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_capacity),
		cmocka_unit_test(test_write_reads_zeros),
		cmocka_unit_test(test_unmap),
		cmocka_unit_test(test_write_same),
		cmocka_unit_test(test_lba_status),
	};

	if (argc != 4) {
		fprintf(stderr, "usage: null_test PORT TARGET_IQN SIZE_BYTES\n");
		return 2;
	}
	g_port = atoi(argv[1]);
	g_target = argv[2];
	g_size = strtoull(argv[3], NULL, 10);
	if (g_size < 4096 * BLOCK || g_size / BLOCK > 0xffffffffu) {
		fprintf(stderr, "null_test: SIZE_BYTES must be 2 MiB to 2 TiB\n");
		return 2;
	}
	return cmocka_run_group_tests(tests, NULL, NULL);
}
