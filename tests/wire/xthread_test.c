/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Wire-level tests of two sessions of one target served by different
 * network threads (--threads 2, iscsi/migrate.c and iscsi/handoff.c): the
 * first session of a target is on its home thread, the second on the other
 * one, which hands its SCSI work to home. Between the two: a persistent
 * reservation of one blocks the other's WRITE; LOGICAL UNIT RESET from
 * either aborts the other's WRITE waiting for its Data-Out and leaves its
 * unit attention; ABORT TASK on the remote session; COMPARE AND WRITE
 * (match and miscompare) from the remote session with the data written by
 * the home one; a remote connection closed with tasks waiting. Which thread
 * each session is on is checked by threads.sh from the daemon's log.
 *
 * Usage: xthread_test PORT TARGET_IQN (run by tests/integration/threads.sh,
 * with no other session to the target open).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "iscsi/pdu.h"
#include "tests/wire/session.h"

#define BLOCK		512u
#define INITIATOR	"iqn.2026-12.io.ctgt:xthread-test"

enum { FN_ABORT_TASK = 1, FN_LUN_RESET = 5 };

static int g_port;
static const char *g_target;
static uint8_t g_isid_seq;

/* @home logs in first (the target's home thread), then @remote (the other). */
static void login_pair(struct sess *home, struct sess *remote)
{
	struct sess *s[2] = { home, remote };

	for (int i = 0; i < 2; i++) {
		sess_login(s[i], g_port, ++g_isid_seq, INITIATOR, g_target, "InitialR2T=Yes",
			   "ImmediateData=Yes", NULL);
		s[i]->min_window = 1;
		sess_clear_ua(s[i], 0);
	}
}

/* Both go; the daemon is given a moment to free them, so that the next
 * pair finds no placement left (and its first session is home's again). */
static void close_pair(struct sess *a, struct sess *b)
{
	sess_close(a);
	sess_close(b);
	usleep(200 * 1000);
}

/* A TMF request (immediate); returns its response code. */
static uint8_t tmf(struct sess *s, uint8_t fn, uint32_t rtt, uint32_t refcmdsn)
{
	uint8_t bhs[ISCSI_BHS_LEN];
	uint32_t itt = s->next_itt++;
	struct rx rx = { 0 };
	uint8_t rsp;

	sess_tmf_bhs(bhs, s, itt, fn, 0, rtt, refcmdsn);
	send_pdu(s->fd, bhs, NULL, 0);
	expect_pdu(s->fd, &rx, ISCSI_OP_TMF_RSP);
	assert_int_equal(bhs_u32(rx.bhs, BHS_ITT), itt);
	sess_check_sn(s, rx.bhs);
	rsp = rx.bhs[BHS_RSP_RESPONSE];
	rx_free(&rx);
	return rsp;
}

/* TEST UNIT READY: 0 when GOOD, else the sense's ASC/ASCQ. */
static uint16_t tur(struct sess *s)
{
	static const uint8_t cdb[16];
	uint8_t sense[SENSE_MAX] = { 0 };

	if (sess_run(s, 0, cdb, NULL, 0, NULL, 0, sense) == STATUS_GOOD)
		return 0;
	return (uint16_t)(sense[12] << 8 | sense[13]);
}

/* A WRITE(10) of 8 blocks with no immediate data: it waits for an R2T's
 * Data-Out, which the caller never sends. Returns its ITT once the R2T came. */
static uint32_t write_waiting(struct sess *s, uint32_t lba)
{
	uint8_t cdb[16];
	struct rx rx = { 0 };
	uint32_t itt;

	cdb_rw10(cdb, 0x2a, lba, 8);
	itt = sess_cmd(s, 0, ISCSI_FLAG_FINAL | ISCSI_CMD_WRITE | ATTR_SIMPLE, 8 * BLOCK, cdb,
		       NULL, 0);
	expect_pdu(s->fd, &rx, ISCSI_OP_R2T);
	assert_int_equal(bhs_u32(rx.bhs, BHS_ITT), itt);
	rx_free(&rx);
	return itt;
}

static uint8_t write_blocks(struct sess *s, uint32_t lba, const uint8_t *data, uint16_t n,
			    uint8_t *sense)
{
	uint8_t cdb[16];

	cdb_rw10(cdb, 0x2a, lba, n);
	return sess_run(s, 0, cdb, data, n * BLOCK, NULL, 0, sense);
}

static void read_blocks(struct sess *s, uint32_t lba, uint8_t *data, uint16_t n)
{
	uint8_t cdb[16];

	cdb_rw10(cdb, 0x28, lba, n);
	assert_int_equal(sess_run(s, 0, cdb, NULL, 0, data, n * BLOCK, NULL), STATUS_GOOD);
}

/* LUN RESET from @from aborts @victim's WRITE waiting for data: no response
 * to it ever, and both get the reset's unit attention. */
static void reset_aborts_other(struct sess *from, struct sess *victim)
{
	write_waiting(victim, 64);
	assert_int_equal(tmf(from, FN_LUN_RESET, ISCSI_RSVD_TAG, 0), 0);
	assert_int_equal(tur(victim), 0x2903);	/* not the WRITE's response first */
	assert_int_equal(tur(victim), 0);
	assert_int_equal(tur(from), 0x2903);
	assert_int_equal(tur(from), 0);
}

static void test_lun_reset_both_ways(void **state)
{
	struct sess h, r;

	(void)state;
	login_pair(&h, &r);
	reset_aborts_other(&h, &r);
	reset_aborts_other(&r, &h);
	close_pair(&h, &r);
}

static void test_abort_task_remote(void **state)
{
	struct sess h, r;
	uint32_t cmdsn, itt;

	(void)state;
	login_pair(&h, &r);
	cmdsn = r.cmdsn;
	itt = write_waiting(&r, 0);
	assert_int_equal(tmf(&r, FN_ABORT_TASK, itt, cmdsn), 0);	/* function complete */
	assert_quiet(r.fd, 200);
	assert_int_equal(tur(&r), 0);
	assert_int_equal(tmf(&r, FN_ABORT_TASK, itt, cmdsn), 1);	/* gone */
	assert_int_equal(tur(&h), 0);
	close_pair(&h, &r);
}

/* PERSISTENT RESERVE OUT @sa with reservation key @key (REGISTER: the new
 * key @sakey), type WRITE EXCLUSIVE. */
static uint8_t pr_out(struct sess *s, uint8_t sa, uint64_t key, uint64_t sakey)
{
	uint8_t cdb[16] = { 0x5f, sa, 0x01 }, p[24] = { 0 };

	cdb[8] = sizeof(p);
	for (int i = 0; i < 8; i++) {
		p[i] = (uint8_t)(key >> (56 - 8 * i));
		p[8 + i] = (uint8_t)(sakey >> (56 - 8 * i));
	}
	return sess_run(s, 0, cdb, p, sizeof(p), NULL, 0, NULL);
}

static void test_reservation_across_threads(void **state)
{
	uint8_t data[8 * BLOCK];
	struct sess h, r;

	(void)state;
	memset(data, 0x3c, sizeof(data));
	login_pair(&h, &r);
	/* The remote session holds WRITE EXCLUSIVE: the home one may not write. */
	assert_int_equal(pr_out(&r, 0x00, 0, 0xabc), STATUS_GOOD);	/* REGISTER */
	assert_int_equal(pr_out(&r, 0x01, 0xabc, 0), STATUS_GOOD);	/* RESERVE */
	assert_int_equal(write_blocks(&h, 8, data, 8, NULL), 0x18);	/* RESERVATION CONFLICT */
	assert_int_equal(write_blocks(&r, 8, data, 8, NULL), STATUS_GOOD);
	assert_int_equal(pr_out(&r, 0x02, 0xabc, 0), STATUS_GOOD);	/* RELEASE */
	assert_int_equal(write_blocks(&h, 8, data, 8, NULL), STATUS_GOOD);
	/* And the other way round. */
	assert_int_equal(pr_out(&h, 0x00, 0, 0xdef), STATUS_GOOD);
	assert_int_equal(pr_out(&h, 0x01, 0xdef, 0), STATUS_GOOD);
	assert_int_equal(write_blocks(&r, 8, data, 8, NULL), 0x18);
	/* CLEAR: every registration and the reservation go (UA 2A/03 to the others). */
	assert_int_equal(pr_out(&h, 0x03, 0xdef, 0), STATUS_GOOD);
	assert_int_equal(tur(&r), 0x2a03);
	assert_int_equal(write_blocks(&r, 8, data, 8, NULL), STATUS_GOOD);
	close_pair(&h, &r);
}

/* COMPARE AND WRITE of one block at @lba: @verify compared, @write written. */
static uint8_t caw(struct sess *s, uint32_t lba, const uint8_t *verify, const uint8_t *write,
		   uint8_t *sense)
{
	uint8_t cdb[16] = { 0x89 }, buf[2 * BLOCK];

	cdb[6] = (uint8_t)(lba >> 24);	/* an 8-byte LBA at byte 2 */
	cdb[7] = (uint8_t)(lba >> 16);
	cdb[8] = (uint8_t)(lba >> 8);
	cdb[9] = (uint8_t)lba;
	cdb[13] = 1;
	memcpy(buf, verify, BLOCK);
	memcpy(buf + BLOCK, write, BLOCK);
	return sess_run(s, 0, cdb, buf, sizeof(buf), NULL, 0, sense);
}

static void test_compare_and_write(void **state)
{
	uint8_t a[BLOCK], b[BLOCK], c[BLOCK], got[BLOCK], sense[SENSE_MAX] = { 0 };
	struct sess h, r;

	(void)state;
	memset(a, 0x11, sizeof(a));
	memset(b, 0x22, sizeof(b));
	memset(c, 0x33, sizeof(c));
	login_pair(&h, &r);
	assert_int_equal(write_blocks(&h, 100, a, 1, NULL), STATUS_GOOD);
	assert_int_equal(caw(&r, 100, a, b, NULL), STATUS_GOOD);
	read_blocks(&h, 100, got, 1);
	assert_memory_equal(got, b, BLOCK);
	/* The home session's copy is stale now: MISCOMPARE, nothing written. */
	assert_int_equal(caw(&h, 100, a, c, sense), STATUS_CHECK);
	assert_int_equal(sense[2] & 0x0f, 0x0e);
	read_blocks(&r, 100, got, 1);
	assert_memory_equal(got, b, BLOCK);
	close_pair(&h, &r);
}

/* The remote connection closes with a WRITE waiting for data and an ORDERED
 * command parked behind it: the home session is served on at once. */
static void test_remote_close_with_waiting_tasks(void **state)
{
	static const uint8_t tur_cdb[16];
	struct sess h, r;

	(void)state;
	login_pair(&h, &r);
	write_waiting(&r, 0);
	sess_cmd(&r, 0, ISCSI_FLAG_FINAL | ATTR_ORDERED, 0, tur_cdb, NULL, 0);
	sess_close(&r);
	assert_int_equal(tur(&h), 0);
	sess_close(&h);
	usleep(200 * 1000);
}

int main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_lun_reset_both_ways),
		cmocka_unit_test(test_abort_task_remote),
		cmocka_unit_test(test_reservation_across_threads),
		cmocka_unit_test(test_compare_and_write),
		cmocka_unit_test(test_remote_close_with_waiting_tasks),
	};

	if (argc != 3) {
		fprintf(stderr, "usage: %s PORT TARGET_IQN\n", argv[0]);
		return 2;
	}
	g_port = atoi(argv[1]);
	g_target = argv[2];
	if (getenv("XT_ONLY"))
		cmocka_set_test_filter(getenv("XT_ONLY"));
	return cmocka_run_group_tests(tests, NULL, NULL);
}
