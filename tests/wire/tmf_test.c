/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Wire-level tests of task management (RFC 7143 sections 11.5-11.6, RFC
 * 7144): ABORT TASK of a WRITE still waiting for its Data-Out (no SCSI
 * Response ever, later Data-Out dropped silently, StatSN and the CmdSN
 * window unharmed), ABORT TASK of an unknown ITT, an ORDERED command waiting
 * for an older WRITE, a connection closed with tasks waiting, LOGICAL UNIT
 * RESET and the unit attention it leaves, QUERY TASK, QUERY TASK SET and
 * I_T NEXUS RESET, TARGET WARM RESET (connections stay) and TARGET COLD
 * RESET (every connection to the target closes after the response), and the
 * functions we answer without running (TASK REASSIGN at ERL 0, CLEAR ACA,
 * a LUN without a LU).
 *
 * Target resets are refused unless the target allows them: "refused" runs
 * only the check that both get "Function authorization failed" (6) and
 * change nothing, against a daemon started without --allow-target-reset.
 *
 * Usage: tmf_test PORT TARGET_IQN [refused] (run by tests/integration/tmf.sh).
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
#define INITIATOR	"iqn.2026-11.io.ctgt:tmf-test"

enum {
	FN_ABORT_TASK = 1, FN_CLEAR_ACA = 3, FN_LUN_RESET = 5, FN_WARM_RESET = 6,
	FN_COLD_RESET = 7, FN_TASK_REASSIGN = 8, FN_QUERY_TASK = 9, FN_QUERY_TASK_SET = 10,
	FN_IT_NEXUS_RESET = 11,
};

static int g_port;
static const char *g_target;
static uint8_t g_isid_seq;

static void login(struct sess *s)
{
	/* Every byte of a WRITE is solicited with an R2T. */
	sess_login(s, g_port, ++g_isid_seq, INITIATOR, g_target, "InitialR2T=Yes",
		   "ImmediateData=No", NULL);
	assert_int_equal(s->login_rsp.bhs[BHS_FLAGS] & 3, ISCSI_STAGE_FULL_FEATURE);
	/* Each status must leave room for the next command: these tests send it without waiting. */
	s->min_window = 1;
}

/* TEST UNIT READY: 0 when GOOD, else the unit attention's ASC/ASCQ. */
static uint16_t tur(struct sess *s)
{
	static const uint8_t cdb[16];
	uint32_t itt = sess_cmd(s, 0, ISCSI_FLAG_FINAL | ATTR_SIMPLE, 0, cdb, NULL, 0);
	struct rx rx = { 0 };
	uint16_t asc = 0;

	if (sess_expect_rsp(s, itt, &rx) != STATUS_GOOD) {
		assert_int_equal(rx.bhs[BHS_RSP_STATUS], STATUS_CHECK);
		assert_true(rx.len >= 2 + 14);
		assert_int_equal(rx.data[2 + 2] & 0x0f, 0x6);	/* UNIT ATTENTION */
		asc = (uint16_t)(rx.data[2 + 12] << 8 | rx.data[2 + 13]);
	}
	rx_free(&rx);
	return asc;
}

static void clear_uas(struct sess *s)
{
	int i;

	for (i = 0; i < 4 && tur(s); i++)
		;
	assert_true(i < 4);
}

/* An immediate Task Management Function Request; returns the response code. */
static uint8_t tmf(struct sess *s, uint8_t fn, uint8_t lun, uint32_t rtt, uint32_t refcmdsn)
{
	uint8_t bhs[ISCSI_BHS_LEN];
	uint32_t itt = s->next_itt++;
	struct rx rx = { 0 };
	uint8_t rsp;

	sess_tmf_bhs(bhs, s, itt, fn, lun, rtt, refcmdsn);
	send_pdu(s->fd, bhs, NULL, 0);
	expect_pdu(s->fd, &rx, ISCSI_OP_TMF_RSP);
	assert_true(rx.bhs[BHS_FLAGS] & ISCSI_FLAG_FINAL);
	assert_int_equal(bhs_u32(rx.bhs, BHS_ITT), itt);
	sess_check_sn(s, rx.bhs);
	rsp = rx.bhs[BHS_RSP_RESPONSE];
	rx_free(&rx);
	return rsp;
}

static uint32_t write10(struct sess *s, uint32_t lba, uint16_t blocks)
{
	uint8_t cdb[16];

	cdb_rw10(cdb, 0x2a, lba, blocks);
	return sess_cmd(s, 0, ISCSI_FLAG_FINAL | ISCSI_CMD_WRITE | ATTR_SIMPLE, blocks * BLOCK, cdb,
			NULL, 0);
}

static void test_abort_task_waiting_for_data_out(void **state)
{
	uint8_t data[8 * BLOCK];
	struct sess s;
	struct rx rx = { 0 };
	uint32_t itt, ttt, cmdsn;

	(void)state;
	login(&s);
	clear_uas(&s);
	cmdsn = s.cmdsn;
	itt = write10(&s, 0, 8);
	expect_pdu(s.fd, &rx, ISCSI_OP_R2T);
	assert_int_equal(bhs_u32(rx.bhs, BHS_ITT), itt);
	ttt = bhs_u32(rx.bhs, BHS_TTT);
	rx_free(&rx);

	assert_int_equal(tmf(&s, FN_ABORT_TASK, 0, itt, cmdsn), 0);	/* function complete */
	/* The Data-Out the initiator had in flight is dropped silently. */
	memset(data, 0x5a, sizeof(data));
	sess_data_out(&s, itt, ttt, 0, 0, data, sizeof(data), true);
	assert_quiet(s.fd, 300);
	/* No SCSI Response came, StatSN has no gap, the session goes on;
	 * aborting it again finds nothing (already received: not in window). */
	assert_int_equal(tur(&s), 0);
	assert_int_equal(tmf(&s, FN_ABORT_TASK, 0, itt, cmdsn), 1);
	sess_close(&s);
}

/* Answer the R2T of WRITE @itt (one R2T for the whole transfer). */
static void answer_r2t(struct sess *s, uint32_t itt, uint32_t len)
{
	uint8_t data[8 * BLOCK];
	struct rx rx = { 0 };

	expect_pdu(s->fd, &rx, ISCSI_OP_R2T);
	assert_int_equal(bhs_u32(rx.bhs, BHS_ITT), itt);
	assert_int_equal(bhs_u32(rx.bhs, BHS_R2T_DESIRED_LEN), len);
	memset(data, 0xa5, sizeof(data));
	sess_data_out(s, itt, bhs_u32(rx.bhs, BHS_TTT), 0, 0, data, len, true);
	rx_free(&rx);
}

/* An ORDERED command waits for the older WRITE, even one still waiting for
 * its data; the answers come in task order. */
static void test_ordered_waits(void **state)
{
	static const uint8_t tur_cdb[16];
	struct sess s;
	struct rx rx = { 0 };
	uint32_t w, o;

	(void)state;
	login(&s);
	clear_uas(&s);
	w = write10(&s, 0, 8);
	o = sess_cmd(&s, 0, ISCSI_FLAG_FINAL | ATTR_ORDERED, 0, tur_cdb, NULL, 0);
	answer_r2t(&s, w, 8 * BLOCK);
	assert_int_equal(sess_expect_rsp(&s, w, &rx), STATUS_GOOD);
	assert_int_equal(sess_expect_rsp(&s, o, &rx), STATUS_GOOD);
	rx_free(&rx);
	sess_close(&s);
}

/* Closing a connection with a task waiting for data and an ORDERED task
 * parked behind it: both are dropped and the target serves on. */
static void test_close_with_waiting_tasks(void **state)
{
	static const uint8_t tur_cdb[16];
	struct sess s;
	struct rx rx = { 0 };
	uint32_t w;

	(void)state;
	login(&s);
	clear_uas(&s);
	w = write10(&s, 0, 8);
	sess_cmd(&s, 0, ISCSI_FLAG_FINAL | ATTR_ORDERED, 0, tur_cdb, NULL, 0);
	expect_pdu(s.fd, &rx, ISCSI_OP_R2T);
	assert_int_equal(bhs_u32(rx.bhs, BHS_ITT), w);
	rx_free(&rx);
	sess_close(&s);
	login(&s);
	clear_uas(&s);
	assert_int_equal(tur(&s), 0);
	sess_close(&s);
}

static void test_abort_task_unknown(void **state)
{
	struct sess s;

	(void)state;
	login(&s);
	clear_uas(&s);
	/* RefCmdSN already used: "Task does not exist". */
	assert_int_equal(tmf(&s, FN_ABORT_TASK, 0, 0x7777, s.cmdsn - 1), 1);
	assert_int_equal(tur(&s), 0);
	sess_close(&s);
}

static void test_lun_reset(void **state)
{
	struct sess a, b;
	struct rx rx = { 0 };
	uint32_t itt;

	(void)state;
	login(&a);
	login(&b);
	clear_uas(&a);
	clear_uas(&b);
	/* A WRITE waiting for data is aborted by the reset: no response. */
	itt = write10(&a, 0, 8);
	expect_pdu(a.fd, &rx, ISCSI_OP_R2T);
	assert_int_equal(bhs_u32(rx.bhs, BHS_ITT), itt);
	rx_free(&rx);
	assert_int_equal(tmf(&a, FN_LUN_RESET, 0, ISCSI_RSVD_TAG, 0), 0);
	/* BUS DEVICE RESET FUNCTION OCCURRED, once, to every nexus. */
	assert_int_equal(tur(&a), 0x2903);
	assert_int_equal(tur(&a), 0);
	assert_int_equal(tur(&b), 0x2903);
	assert_int_equal(tur(&b), 0);
	assert_int_equal(tmf(&a, FN_LUN_RESET, 5, ISCSI_RSVD_TAG, 0), 2);	/* no such LUN */
	sess_close(&a);
	sess_close(&b);
}

/* RFC 7144: QUERY TASK / QUERY TASK SET answer "Function succeeded" (7)
 * while the task exists, "Function complete" (0) otherwise; I_T NEXUS
 * RESET aborts the nexus' tasks and leaves I_T NEXUS LOSS OCCURRED. */
static void test_query_and_nexus_reset(void **state)
{
	struct sess s, other;
	struct rx rx = { 0 };
	uint32_t itt, cmdsn;

	(void)state;
	login(&s);
	login(&other);
	clear_uas(&s);
	clear_uas(&other);
	cmdsn = s.cmdsn;
	itt = write10(&s, 0, 8);
	expect_pdu(s.fd, &rx, ISCSI_OP_R2T);
	rx_free(&rx);
	assert_int_equal(tmf(&s, FN_QUERY_TASK, 0, itt, cmdsn), 7);
	assert_int_equal(tmf(&s, FN_QUERY_TASK, 0, itt + 100, cmdsn), 0);
	assert_int_equal(tmf(&s, FN_QUERY_TASK_SET, 0, ISCSI_RSVD_TAG, 0), 7);
	assert_int_equal(tmf(&other, FN_QUERY_TASK_SET, 0, ISCSI_RSVD_TAG, 0), 0);
	assert_int_equal(tmf(&s, FN_IT_NEXUS_RESET, 0, ISCSI_RSVD_TAG, 0), 0);
	assert_int_equal(tmf(&s, FN_QUERY_TASK, 0, itt, cmdsn), 0);
	assert_int_equal(tur(&s), 0x2907);
	assert_int_equal(tur(&s), 0);
	assert_int_equal(tur(&other), 0);	/* another nexus: untouched */
	sess_close(&s);
	sess_close(&other);
}

static void test_unsupported_functions(void **state)
{
	struct sess s;

	(void)state;
	login(&s);
	assert_int_equal(tmf(&s, FN_TASK_REASSIGN, 0, 1, 0), 4);
	assert_int_equal(tmf(&s, FN_CLEAR_ACA, 0, ISCSI_RSVD_TAG, 0), 5);
	assert_int_equal(tmf(&s, 12, 0, ISCSI_RSVD_TAG, 0), 5);	/* QUERY ASYNC EVENT */
	sess_close(&s);
}

static void test_warm_reset(void **state)
{
	struct sess s;

	(void)state;
	login(&s);
	clear_uas(&s);
	assert_int_equal(tmf(&s, FN_WARM_RESET, 0, ISCSI_RSVD_TAG, 0), 0);
	assert_int_equal(tur(&s), 0x2902);	/* SCSI BUS RESET OCCURRED */
	assert_int_equal(tur(&s), 0);
	sess_close(&s);
}

static void test_cold_reset(void **state)
{
	struct sess a, b;

	(void)state;
	login(&a);
	login(&b);
	clear_uas(&a);
	clear_uas(&b);
	assert_int_equal(tmf(&a, FN_COLD_RESET, 0, ISCSI_RSVD_TAG, 0), 0);
	/* Both connections end after the response. */
	assert_true(wait_closed(a.fd));
	assert_true(wait_closed(b.fd));
	sess_close(&a);
	sess_close(&b);
	login(&a);
	assert_int_equal(tur(&a), 0x2900);	/* a new nexus: POWER ON */
	sess_close(&a);
}

/* Without --allow-target-reset: both resets answered 6, and neither the
 * asker nor another session sees any effect (no unit attention, the other
 * connection stays up and works). */
static void test_resets_refused(void **state)
{
	struct sess a, b;

	(void)state;
	login(&a);
	login(&b);
	clear_uas(&a);
	clear_uas(&b);
	assert_int_equal(tmf(&a, FN_WARM_RESET, 0, ISCSI_RSVD_TAG, 0), 6);
	assert_int_equal(tmf(&a, FN_COLD_RESET, 0, ISCSI_RSVD_TAG, 0), 6);
	assert_int_equal(tur(&a), 0);
	assert_int_equal(tur(&b), 0);
	/* Other functions still run. */
	assert_int_equal(tmf(&b, FN_LUN_RESET, 0, ISCSI_RSVD_TAG, 0), 0);
	assert_int_equal(tur(&a), 0x2903);
	sess_close(&a);
	sess_close(&b);
}

int main(int argc, char **argv)
{
	const struct CMUnitTest refused[] = {
		cmocka_unit_test(test_resets_refused),
	};
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_abort_task_waiting_for_data_out),
		cmocka_unit_test(test_abort_task_unknown),
		cmocka_unit_test(test_ordered_waits),
		cmocka_unit_test(test_close_with_waiting_tasks),
		cmocka_unit_test(test_lun_reset),
		cmocka_unit_test(test_query_and_nexus_reset),
		cmocka_unit_test(test_unsupported_functions),
		cmocka_unit_test(test_warm_reset),
		cmocka_unit_test(test_cold_reset),
	};

	if (argc < 3 || (argc > 3 && strcmp(argv[3], "refused") != 0)) {
		fprintf(stderr, "usage: tmf_test PORT TARGET_IQN [refused]\n");
		return 2;
	}
	g_port = atoi(argv[1]);
	g_target = argv[2];
	if (argc > 3)
		return cmocka_run_group_tests(refused, NULL, NULL);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
