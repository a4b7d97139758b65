/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Wire-level tests of multiple connections per session (MC/S, RFC 7143):
 * adding connections (same TSIH, per-connection StatSN, a session-wide
 * CmdSN window), commands run in CmdSN order across the connections (a
 * READ sent on B ahead of the WRITE it follows on A sees the WRITE's data;
 * unsolicited Data-Out of a waiting WRITE), connection allegiance (R2T,
 * Data-In and status on the connection of the command; its Data-Out on
 * another connection is dropped), Logout of each reason code (the session,
 * this connection, another connection, an unknown CID, connection recovery
 * at ERL 0), connection reinstatement (same CID)
 * and session reinstatement (TSIH 0, same ISID) with the old tasks gone,
 * ABORT TASK on B of a task of A and of a command still waiting for its
 * CmdSN, the MaxConnections limit and joins with the wrong ISID, initiator
 * or TSIH, another portal group, a connection failure ending the whole
 * session (ERL 0), a gap no connection can fill, and TARGET COLD RESET
 * answered on a session of two connections. With keep-alive on: a
 * connection waiting for a CmdSN is not closed for a ping answer it could
 * not read, and a CmdSN a live initiator never sends ends the session.
 *
 * Usage: mcs_test PORT TARGET_IQN [PORT1 (a daemon with --max-connections 1)],
 * or mcs_test tpgt PORT_A PORT_B TARGET_IQN (two portal groups: no session
 * spans them), or mcs_test keepalive PORT TARGET_IQN (a daemon with
 * --nop-interval 2) (run by tests/integration/wire.sh).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <poll.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cmocka.h>

#include "iscsi/pdu.h"
#include "tests/wire/session.h"
#include "util/endian.h"

#define BLOCK		512u
#define INITIATOR	"iqn.2026-11.io.ctgt:mcs-test"
#define LOGIN_OK	0x0000
#define TOO_MANY	0x0206
#define NO_SESSION	0x020a

enum { FN_ABORT_TASK = 1, FN_COLD_RESET = 7 };
enum { LOGOUT_SESSION = 0, LOGOUT_CONN = 1, LOGOUT_RECOVERY = 2 };

static int g_port, g_port1;
static const char *g_target;
static uint8_t g_isid_seq;

/* A leading login offering @maxconn connections; every WRITE byte is
 * solicited unless @unsolicited (then InitialR2T=No, no immediate data). */
static void lead_login(struct sess *s, const char *maxconn, bool unsolicited)
{
	sess_login(s, g_port, ++g_isid_seq, INITIATOR, g_target, maxconn,
		   unsolicited ? "InitialR2T=No" : "InitialR2T=Yes", "ImmediateData=No",
		   NULL);
	s->min_window = 1;
	sess_clear_ua(s, 0);
}

static void join(struct sess *s, struct sess *lead, uint16_t cid)
{
	assert_int_equal(sess_join(s, lead, g_port, cid, 0, INITIATOR, g_target, NULL), LOGIN_OK);
	s->min_window = 1;
}

static uint32_t rw10_attr(struct sess *s, uint8_t op, uint32_t lba, uint8_t attr)
{
	uint8_t cdb[16];

	cdb_rw10(cdb, op, lba, 1);
	return sess_cmd(s, 0, ISCSI_FLAG_FINAL | attr |
			(op == 0x28 ? ISCSI_CMD_READ : ISCSI_CMD_WRITE), BLOCK, cdb, NULL, 0);
}

static uint32_t rw10(struct sess *s, uint8_t op, uint32_t lba)
{
	return rw10_attr(s, op, lba, ATTR_SIMPLE);
}

/* Expect the R2T for @itt on @s and answer it with @data. */
static void answer_r2t(struct sess *s, uint32_t itt, const uint8_t *data)
{
	struct rx rx = { 0 };

	expect_pdu(s->fd, &rx, ISCSI_OP_R2T);
	assert_int_equal(bhs_u32(rx.bhs, BHS_ITT), itt);
	assert_int_equal(bhs_u32(rx.bhs, BHS_R2T_DESIRED_LEN), BLOCK);
	sess_data_out(s, itt, bhs_u32(rx.bhs, BHS_TTT), 0, 0, data, BLOCK, true);
	rx_free(&rx);
}

/* Expect the one Data-In (status collapsed into it) of a one-block READ. */
static void expect_read(struct sess *s, uint32_t itt, uint8_t *out)
{
	struct rx rx = { 0 };

	expect_pdu(s->fd, &rx, ISCSI_OP_DATA_IN);
	assert_int_equal(bhs_u32(rx.bhs, BHS_ITT), itt);
	assert_int_equal(rx.len, BLOCK);
	assert_true(rx.bhs[BHS_FLAGS] & ISCSI_DATAIN_STATUS);
	assert_int_equal(rx.bhs[BHS_RSP_STATUS], STATUS_GOOD);
	sess_check_sn(s, rx.bhs);
	memcpy(out, rx.data, BLOCK);
	rx_free(&rx);
}

static void write_block(struct sess *s, uint32_t lba, uint8_t fill)
{
	uint8_t data[BLOCK];
	struct rx rx = { 0 };
	uint32_t itt = rw10(s, 0x2a, lba);

	memset(data, fill, sizeof(data));
	answer_r2t(s, itt, data);
	assert_int_equal(sess_expect_rsp(s, itt, &rx), STATUS_GOOD);
	rx_free(&rx);
}

/* The first byte of block @lba (every test fills whole blocks with one byte). */
static uint8_t read_block(struct sess *s, uint32_t lba)
{
	uint8_t data[BLOCK];

	expect_read(s, rw10(s, 0x28, lba), data);
	for (unsigned i = 1; i < BLOCK; i++)
		assert_int_equal(data[i], data[0]);
	return data[0];
}

static uint16_t tur(struct sess *s)
{
	static const uint8_t cdb[16];
	struct rx rx = { 0 };
	uint32_t itt = sess_cmd(s, 0, ISCSI_FLAG_FINAL | ATTR_SIMPLE, 0, cdb, NULL, 0);
	uint8_t st = sess_expect_rsp(s, itt, &rx);

	rx_free(&rx);
	return st;
}

/* A Logout Request; returns the response code (checks Time2Wait/Time2Retain). */
static uint8_t logout(struct sess *s, uint8_t reason, uint16_t cid)
{
	uint8_t bhs[ISCSI_BHS_LEN] = { 0 };
	struct rx rx = { 0 };
	uint8_t rsp;

	bhs[BHS_OPCODE] = ISCSI_OP_LOGOUT_REQ;
	bhs[BHS_FLAGS] = ISCSI_FLAG_FINAL | reason;
	bhs_set_u32(bhs, BHS_ITT, 0x10600d);
	put_be16(bhs + BHS_LOGOUT_CID, cid);
	bhs_set_u32(bhs, BHS_CMDSN, (*sess_cmdsn(s))++);
	bhs_set_u32(bhs, BHS_EXPSTATSN, s->exp_statsn);
	send_pdu(s->fd, bhs, NULL, 0);
	expect_pdu(s->fd, &rx, ISCSI_OP_LOGOUT_RSP);
	assert_int_equal(bhs_u32(rx.bhs, BHS_ITT), 0x10600d);
	sess_check_sn(s, rx.bhs);
	/* ERL 0: nothing retained, nothing to wait for. */
	assert_int_equal(get_be16(rx.bhs + BHS_LOGOUT_TIME2WAIT), 0);
	assert_int_equal(get_be16(rx.bhs + BHS_LOGOUT_TIME2RETAIN), 0);
	rsp = rx.bhs[BHS_RSP_RESPONSE];
	rx_free(&rx);
	return rsp;
}

/* An immediate TMF @fn (ABORT TASK: of @rtt, RefCmdSN @ref) on @s; returns the response. */
static uint8_t tmf(struct sess *s, uint8_t fn, uint32_t rtt, uint32_t ref)
{
	uint8_t bhs[ISCSI_BHS_LEN] = { 0 };
	struct rx rx = { 0 };
	uint8_t rsp;

	bhs[BHS_OPCODE] = ISCSI_OP_TMF_REQ | ISCSI_OP_IMMEDIATE;
	bhs[BHS_FLAGS] = ISCSI_FLAG_FINAL | fn;
	bhs_set_u32(bhs, BHS_ITT, 0x20000 + s->next_itt++);
	bhs_set_u32(bhs, BHS_TMF_RTT, rtt);
	bhs_set_u32(bhs, BHS_CMDSN, *sess_cmdsn(s));
	bhs_set_u32(bhs, BHS_EXPSTATSN, s->exp_statsn);
	bhs_set_u32(bhs, BHS_TMF_REFCMDSN, ref);
	send_pdu(s->fd, bhs, NULL, 0);
	expect_pdu(s->fd, &rx, ISCSI_OP_TMF_RSP);
	assert_int_equal(bhs_u32(rx.bhs, BHS_ITT), bhs_u32(bhs, BHS_ITT));
	sess_check_sn(s, rx.bhs);
	rsp = rx.bhs[BHS_RSP_RESPONSE];
	rx_free(&rx);
	return rsp;
}

static uint8_t abort_task(struct sess *s, uint32_t rtt, uint32_t ref)
{
	return tmf(s, FN_ABORT_TASK, rtt, ref);
}

/* ---- tests ---- */

/* Two connections, one session: StatSN counts per connection, ExpCmdSN is
 * the session's, and each command is answered where it was sent. */
static void test_join_allegiance_statsn(void **state)
{
	struct sess a, b;
	const char *mc;
	uint32_t a_statsn, b_statsn;

	(void)state;
	lead_login(&a, "MaxConnections=4", false);
	mc = find_key(a.login_rsp.data, a.login_rsp.len, "MaxConnections");
	assert_non_null(mc);
	assert_string_equal(mc, "4");
	join(&b, &a, 1);
	a_statsn = a.exp_statsn;
	b_statsn = b.exp_statsn;

	write_block(&b, 10, 0xb1);	/* R2T and response on B only */
	assert_quiet(a.fd, 100);
	assert_int_equal(read_block(&a, 10), 0xb1);	/* Data-In on A only */
	assert_quiet(b.fd, 100);
	assert_int_equal(tur(&b), STATUS_GOOD);
	/* A took one StatSN, B two: neither saw the other's. */
	assert_int_equal(a.exp_statsn, a_statsn + 1);
	assert_int_equal(b.exp_statsn, b_statsn + 2);
	sess_close(&b);	/* a failure at ERL 0: the session goes */
	assert_true(wait_closed(a.fd));
	sess_close(&a);
}

/* Data-Out belongs to the connection of its command: sent on B for A's
 * WRITE it is dropped, and the WRITE still waits for it on A. */
static void test_data_out_allegiance(void **state)
{
	uint8_t data[BLOCK];
	struct sess a, b;
	struct rx rx = { 0 };
	uint32_t itt, ttt;

	(void)state;
	lead_login(&a, "MaxConnections=2", false);
	join(&b, &a, 1);
	itt = rw10(&a, 0x2a, 11);
	expect_pdu(a.fd, &rx, ISCSI_OP_R2T);
	ttt = bhs_u32(rx.bhs, BHS_TTT);
	memset(data, 0xbb, sizeof(data));
	sess_data_out(&b, itt, ttt, 0, 0, data, BLOCK, true);
	assert_quiet(a.fd, 200);
	assert_quiet(b.fd, 1);
	memset(data, 0xaa, sizeof(data));
	sess_data_out(&a, itt, ttt, 0, 0, data, BLOCK, true);
	assert_int_equal(sess_expect_rsp(&a, itt, &rx), STATUS_GOOD);
	rx_free(&rx);
	assert_int_equal(read_block(&b, 11), 0xaa);
	assert_int_equal(logout(&a, LOGOUT_SESSION, 0), 0);
	assert_true(wait_closed(b.fd));
	sess_close(&a);
	sess_close(&b);
}

/* CmdSN N+1 on B (an ORDERED READ) before N on A (a WRITE of the same
 * block): the READ waits for N, so it enters the task set after the WRITE
 * and, being ORDERED, runs after it and sees its data. Handed over in
 * arrival order it would have run at once and read the old data. */
static void test_cmdsn_order_across_connections(void **state)
{
	uint8_t data[BLOCK], got[BLOCK];
	struct sess a, b;
	struct rx rx = { 0 };
	uint32_t n, witt, ritt;

	(void)state;
	lead_login(&a, "MaxConnections=2", false);
	join(&b, &a, 7);
	write_block(&a, 20, 0x11);

	n = a.cmdsn;
	a.cmdsn = n + 1;		/* B's READ takes N+1 ... */
	ritt = rw10_attr(&b, 0x28, 20, ATTR_ORDERED);
	assert_quiet(b.fd, 300);	/* ... and waits for N */
	a.cmdsn = n;
	witt = rw10(&a, 0x2a, 20);	/* N: the WRITE, on A */
	a.cmdsn = n + 2;
	memset(data, 0x22, sizeof(data));
	/* R2T and status come while the ExpCmdSN already reads N+2. */
	expect_pdu(a.fd, &rx, ISCSI_OP_R2T);
	assert_int_equal(bhs_u32(rx.bhs, BHS_ITT), witt);
	sess_data_out(&a, witt, bhs_u32(rx.bhs, BHS_TTT), 0, 0, data, BLOCK, true);
	assert_int_equal(sess_expect_rsp(&a, witt, &rx), STATUS_GOOD);
	expect_read(&b, ritt, got);
	assert_memory_equal(got, data, BLOCK);
	rx_free(&rx);
	assert_int_equal(logout(&a, LOGOUT_SESSION, 0), 0);
	assert_true(wait_closed(a.fd));
	assert_true(wait_closed(b.fd));
	sess_close(&a);
	sess_close(&b);
}

/* A WRITE with unsolicited Data-Out waits on B for its CmdSN: its data is
 * taken once it runs, and nothing on B is lost meanwhile. */
static void test_waiting_write_with_unsolicited_data(void **state)
{
	uint8_t data[BLOCK], cdb[16];
	struct sess a, b;
	struct rx rx = { 0 };
	uint32_t n, witt;

	(void)state;
	lead_login(&a, "MaxConnections=2", true);
	join(&b, &a, 1);
	n = a.cmdsn;
	a.cmdsn = n + 1;
	cdb_rw10(cdb, 0x2a, 30, 1);
	witt = sess_cmd(&b, 0, ATTR_SIMPLE | ISCSI_CMD_WRITE, BLOCK, cdb, NULL, 0);
	memset(data, 0x33, sizeof(data));
	sess_data_out(&b, witt, ISCSI_RSVD_TAG, 0, 0, data, BLOCK, true);
	assert_quiet(b.fd, 300);
	a.cmdsn = n;
	assert_int_equal(tur(&a), STATUS_GOOD);	/* N: B's WRITE may go */
	a.cmdsn = n + 2;
	assert_int_equal(sess_expect_rsp(&b, witt, &rx), STATUS_GOOD);
	rx_free(&rx);
	assert_int_equal(read_block(&a, 30), 0x33);
	assert_int_equal(logout(&b, LOGOUT_SESSION, 0), 0);
	assert_true(wait_closed(a.fd));
	assert_true(wait_closed(b.fd));
	sess_close(&a);
	sess_close(&b);
}

/* A Logout with a reserved reason code gets a Reject (invalid PDU field)
 * and still takes its CmdSN. */
static void logout_reserved_reason(struct sess *s)
{
	uint8_t bhs[ISCSI_BHS_LEN] = { 0 };
	struct rx rx = { 0 };

	bhs[BHS_OPCODE] = ISCSI_OP_LOGOUT_REQ;
	bhs[BHS_FLAGS] = ISCSI_FLAG_FINAL | 5;
	bhs_set_u32(bhs, BHS_ITT, 0x10600e);
	bhs_set_u32(bhs, BHS_CMDSN, (*sess_cmdsn(s))++);
	bhs_set_u32(bhs, BHS_EXPSTATSN, s->exp_statsn);
	send_pdu(s->fd, bhs, NULL, 0);
	expect_pdu(s->fd, &rx, ISCSI_OP_REJECT);
	assert_int_equal(rx.bhs[BHS_REJECT_REASON], 0x09);
	sess_check_sn(s, rx.bhs);
	rx_free(&rx);
}

/* Logout reason codes on a session of three connections. */
static void test_logout_reasons(void **state)
{
	struct sess a, b, c;

	(void)state;
	lead_login(&a, "MaxConnections=3", false);
	join(&b, &a, 1);
	join(&c, &a, 2);
	logout_reserved_reason(&c);
	assert_int_equal(tur(&a), STATUS_GOOD);
	/* Connection recovery needs ERL 2: refused, nothing closes. */
	assert_int_equal(logout(&b, LOGOUT_RECOVERY, 2), 2);
	/* An unknown CID. */
	assert_int_equal(logout(&b, LOGOUT_CONN, 99), 1);
	/* A closes C: C goes, A and B stay. */
	assert_int_equal(logout(&a, LOGOUT_CONN, 2), 0);
	assert_true(wait_closed(c.fd));
	assert_int_equal(tur(&a), STATUS_GOOD);
	assert_int_equal(tur(&b), STATUS_GOOD);
	/* B closes itself: B goes after the response, A stays. */
	assert_int_equal(logout(&b, LOGOUT_CONN, 1), 0);
	assert_true(wait_closed(b.fd));
	sess_close(&b);
	assert_int_equal(tur(&a), STATUS_GOOD);
	/* The freed slots can be used again, under a new CID. */
	join(&b, &a, 5);
	assert_int_equal(tur(&b), STATUS_GOOD);
	/* Close the session from B: A goes too. */
	assert_int_equal(logout(&b, LOGOUT_SESSION, 0), 0);
	assert_true(wait_closed(b.fd));
	assert_true(wait_closed(a.fd));
	sess_close(&a);
	sess_close(&b);
	sess_close(&c);
}

/* MaxConnections, and joins that name no session of theirs. */
static void test_join_refused(void **state)
{
	struct sess a, b, x;

	(void)state;
	lead_login(&a, "MaxConnections=2", false);
	join(&b, &a, 1);
	assert_int_equal(sess_join(&x, &a, g_port, 2, 0, INITIATOR, g_target, NULL), TOO_MANY);
	/* Wrong ISID, wrong initiator, unknown TSIH. */
	assert_int_equal(sess_join(&x, &a, g_port, 3, 0x7e, INITIATOR, g_target, NULL),
			 NO_SESSION);
	assert_int_equal(sess_join(&x, &a, g_port, 3, 0, "iqn.2026-11.io.ctgt:someone-else",
				   g_target, NULL), NO_SESSION);
	put_be16(a.login_rsp.bhs + BHS_LOGIN_TSIH, (uint16_t)(get_be16(a.login_rsp.bhs +
							      BHS_LOGIN_TSIH) + 1000));
	assert_int_equal(sess_join(&x, &a, g_port, 3, 0, INITIATOR, g_target, NULL),
			 NO_SESSION);
	put_be16(a.login_rsp.bhs + BHS_LOGIN_TSIH, (uint16_t)(get_be16(a.login_rsp.bhs +
							      BHS_LOGIN_TSIH) - 1000));
	/* The refused logins did not hurt the session. */
	assert_int_equal(tur(&a), STATUS_GOOD);
	assert_int_equal(tur(&b), STATUS_GOOD);
	assert_int_equal(logout(&a, LOGOUT_SESSION, 0), 0);
	sess_close(&a);
	sess_close(&b);

	/* Without MaxConnections the RFC default is 1. */
	lead_login(&a, "MaxBurstLength=262144", false);
	assert_int_equal(sess_join(&x, &a, g_port, 1, 0, INITIATOR, g_target, NULL), TOO_MANY);
	assert_int_equal(tur(&a), STATUS_GOOD);
	sess_close(&a);
}

/* --max-connections 1: the negotiation answers 1, a second connection is refused. */
static void test_max_connections_flag(void **state)
{
	struct sess a, x;
	const char *mc;

	(void)state;
	if (!g_port1)
		skip();
	sess_login(&a, g_port1, ++g_isid_seq, INITIATOR, g_target, "MaxConnections=8", NULL);
	mc = find_key(a.login_rsp.data, a.login_rsp.len, "MaxConnections");
	assert_non_null(mc);
	assert_string_equal(mc, "1");
	assert_int_equal(sess_join(&x, &a, g_port1, 1, 0, INITIATOR, g_target, NULL), TOO_MANY);
	sess_close(&a);
}

/* A login with the CID of a live connection replaces it; the WRITE the old
 * connection left waiting for data never runs. */
static void test_connection_reinstatement(void **state)
{
	struct sess a, b, b2;
	struct rx rx = { 0 };
	uint32_t itt;

	(void)state;
	lead_login(&a, "MaxConnections=2", false);
	join(&b, &a, 1);
	write_block(&a, 40, 0x44);
	itt = rw10(&b, 0x2a, 40);
	expect_pdu(b.fd, &rx, ISCSI_OP_R2T);
	assert_int_equal(bhs_u32(rx.bhs, BHS_ITT), itt);
	rx_free(&rx);
	/* Two connections already: CID 1 again still gets in. */
	join(&b2, &a, 1);
	assert_true(wait_closed(b.fd));
	assert_int_equal(tur(&b2), STATUS_GOOD);
	assert_int_equal(read_block(&b2, 40), 0x44);
	assert_int_equal(read_block(&a, 40), 0x44);
	assert_int_equal(logout(&a, LOGOUT_SESSION, 0), 0);
	assert_true(wait_closed(b2.fd));
	sess_close(&a);
	sess_close(&b);
	sess_close(&b2);
}

/* TSIH 0 with the ISID of a live session: every old connection closes and
 * the old tasks go; the new session is a new I_T nexus. */
static void test_session_reinstatement(void **state)
{
	struct sess a, b, n;
	struct rx rx = { 0 };
	uint32_t itt;
	uint8_t isid;

	(void)state;
	lead_login(&a, "MaxConnections=2", false);
	isid = g_isid_seq;
	join(&b, &a, 1);
	write_block(&a, 50, 0x66);
	itt = rw10(&b, 0x2a, 50);
	expect_pdu(b.fd, &rx, ISCSI_OP_R2T);
	assert_int_equal(bhs_u32(rx.bhs, BHS_ITT), itt);
	rx_free(&rx);
	sess_login(&n, g_port, isid, INITIATOR, g_target, "MaxConnections=2", "InitialR2T=Yes",
		   "ImmediateData=No", NULL);
	assert_memory_not_equal(n.login_rsp.bhs + BHS_LOGIN_TSIH, a.login_rsp.bhs + BHS_LOGIN_TSIH,
				2);
	assert_true(wait_closed(a.fd));
	assert_true(wait_closed(b.fd));
	n.min_window = 1;
	sess_clear_ua(&n, 0);
	assert_int_equal(read_block(&n, 50), 0x66);
	assert_int_equal(logout(&n, LOGOUT_SESSION, 0), 0);
	sess_close(&a);
	sess_close(&b);
	sess_close(&n);
}

/* A TEST UNIT READY on @a with CmdSN @n, the gap before an aborted request
 * held with n + 1: GOOD, and ExpCmdSN n + 1, or n + 2 when the held one's
 * CmdSN was taken first (a session off its target's thread builds the
 * response after the hand-off, threads.sh, by when it may have been). */
static void tur_filling_gap(struct sess *a, uint32_t n)
{
	static const uint8_t cdb[16];
	struct rx rx = { 0 };
	uint32_t itt = sess_cmd(a, 0, ISCSI_FLAG_FINAL | ATTR_SIMPLE, 0, cdb, NULL, 0);
	uint32_t exp;

	expect_pdu(a->fd, &rx, ISCSI_OP_SCSI_RSP);
	assert_int_equal(bhs_u32(rx.bhs, BHS_ITT), itt);
	assert_int_equal(rx.bhs[BHS_RSP_STATUS], STATUS_GOOD);
	assert_int_equal(bhs_u32(rx.bhs, BHS_STATSN), a->exp_statsn);
	a->exp_statsn++;
	exp = bhs_u32(rx.bhs, BHS_EXPCMDSN);
	assert_true(exp == n + 1 || exp == n + 2);
	rx_free(&rx);
}

/* ABORT TASK on B finds the task of A; the response goes on B, none on A. */
static void test_abort_task_on_other_connection(void **state)
{
	uint8_t data[BLOCK];
	struct sess a, b;
	struct rx rx = { 0 };
	uint32_t itt, ttt, ref, n;

	(void)state;
	lead_login(&a, "MaxConnections=2", false);
	join(&b, &a, 1);
	write_block(&a, 60, 0x77);
	ref = a.cmdsn;
	itt = rw10(&a, 0x2a, 60);
	expect_pdu(a.fd, &rx, ISCSI_OP_R2T);
	ttt = bhs_u32(rx.bhs, BHS_TTT);
	rx_free(&rx);
	assert_int_equal(abort_task(&b, itt, ref), 0);	/* function complete */
	memset(data, 0x88, sizeof(data));
	sess_data_out(&a, itt, ttt, 0, 0, data, BLOCK, true);
	assert_quiet(a.fd, 300);	/* no SCSI Response for the aborted WRITE */
	assert_int_equal(read_block(&a, 60), 0x77);

	/* A READ waiting on B for its CmdSN, aborted from A: it never runs. */
	n = a.cmdsn;
	a.cmdsn = n + 1;
	itt = rw10(&b, 0x28, 60);
	assert_quiet(b.fd, 200);
	a.cmdsn = n;		/* an immediate request carries the next CmdSN */
	assert_int_equal(abort_task(&a, itt, n + 1), 0);
	tur_filling_gap(&a, n);
	a.cmdsn = n + 2;
	assert_quiet(b.fd, 300);
	assert_int_equal(tur(&b), STATUS_GOOD);	/* B reads again; the window moved on */
	assert_int_equal(logout(&a, LOGOUT_SESSION, 0), 0);
	assert_true(wait_closed(b.fd));
	sess_close(&a);
	sess_close(&b);
}

/* A connection that drops while another waits for a CmdSN that will never
 * come: at ERL 0 the whole session ends, nothing hangs. */
static void test_failure_ends_session(void **state)
{
	struct sess a, b, c;

	(void)state;
	lead_login(&a, "MaxConnections=3", false);
	join(&b, &a, 1);
	join(&c, &a, 2);
	a.cmdsn++;		/* B's command waits for a CmdSN A never sends */
	(void)rw10(&b, 0x28, 0);
	assert_quiet(b.fd, 200);
	sess_close(&a);
	assert_true(wait_closed(b.fd));
	assert_true(wait_closed(c.fd));
	sess_close(&b);
	sess_close(&c);
	/* The daemon still serves. */
	lead_login(&a, "MaxConnections=2", false);
	assert_int_equal(tur(&a), STATUS_GOOD);
	sess_close(&a);
}

/* When no connection is left that could bring the missing CmdSN, nothing
 * waits for it: the session skips the gap instead of hanging. */
static void test_gap_nobody_can_fill(void **state)
{
	uint8_t bhs[ISCSI_BHS_LEN] = { 0 }, data[BLOCK], got[BLOCK];
	struct sess a, b;
	struct rx rx = { 0 };
	uint32_t n, itt_a, itt_b;
	static const uint8_t cdb[16];

	(void)state;
	lead_login(&a, "MaxConnections=2", false);
	join(&b, &a, 1);
	/* Both connections ahead of N: the second one has nobody to wait for. */
	n = a.cmdsn;
	a.cmdsn = n + 2;
	itt_a = sess_cmd(&a, 0, ISCSI_FLAG_FINAL | ATTR_SIMPLE, 0, cdb, NULL, 0);	/* N+2 */
	assert_quiet(a.fd, 200);
	a.cmdsn = n + 1;
	itt_b = sess_cmd(&b, 0, ISCSI_FLAG_FINAL | ATTR_SIMPLE, 0, cdb, NULL, 0);	/* N+1 */
	a.cmdsn = n + 3;
	/* N+1 ran with ExpCmdSN N+2 (N skipped) before N+2 was let go; a
	 * session off its target's thread answers after the hand-off
	 * (iscsi/handoff.c), when N+2 may have been taken as well. */
	expect_pdu(b.fd, &rx, ISCSI_OP_SCSI_RSP);
	assert_int_equal(bhs_u32(rx.bhs, BHS_ITT), itt_b);
	assert_true(bhs_u32(rx.bhs, BHS_EXPCMDSN) == n + 2 ||
		    bhs_u32(rx.bhs, BHS_EXPCMDSN) == n + 3);
	b.exp_statsn++;
	assert_int_equal(sess_expect_rsp(&a, itt_a, &rx), STATUS_GOOD);

	/* A waits for N+3; B, the only one that could bring it, leaves with an
	 * immediate Logout (no CmdSN of its own): A's request runs. */
	a.cmdsn = n + 4;
	itt_a = sess_cmd(&a, 0, ISCSI_FLAG_FINAL | ATTR_SIMPLE, 0, cdb, NULL, 0);	/* N+4 */
	assert_quiet(a.fd, 200);
	bhs[BHS_OPCODE] = ISCSI_OP_LOGOUT_REQ | ISCSI_OP_IMMEDIATE;
	bhs[BHS_FLAGS] = ISCSI_FLAG_FINAL | LOGOUT_CONN;
	bhs_set_u32(bhs, BHS_ITT, 0x600d);
	put_be16(bhs + BHS_LOGOUT_CID, 1);
	bhs_set_u32(bhs, BHS_CMDSN, n + 3);
	bhs_set_u32(bhs, BHS_EXPSTATSN, b.exp_statsn);
	send_pdu(b.fd, bhs, NULL, 0);
	expect_pdu(b.fd, &rx, ISCSI_OP_LOGOUT_RSP);
	assert_int_equal(rx.bhs[BHS_RSP_RESPONSE], 0);
	assert_true(wait_closed(b.fd));
	a.cmdsn = n + 5;
	assert_int_equal(sess_expect_rsp(&a, itt_a, &rx), STATUS_GOOD);
	rx_free(&rx);
	assert_int_equal(tur(&a), STATUS_GOOD);
	sess_close(&a);
	sess_close(&b);

	/* B waits with M+1, a WRITE; A, the last connection that could bring
	 * M, sends M+2, an ORDERED READ of the same block: M is skipped, and
	 * M+1 still enters the task set first, so the READ waits for its data
	 * and sees it. (Not judged by ExpCmdSN: a session off its target's
	 * thread builds M+1's response after the hand-off, when M+2 may have
	 * been taken too.) */
	lead_login(&a, "MaxConnections=2", false);
	join(&b, &a, 1);
	write_block(&a, 40, 0x11);
	n = a.cmdsn;
	a.cmdsn = n + 1;
	itt_b = rw10(&b, 0x2a, 40);					/* M+1 */
	assert_quiet(b.fd, 200);
	itt_a = rw10_attr(&a, 0x28, 40, ATTR_ORDERED);			/* M+2 */
	memset(data, 0x22, sizeof(data));
	answer_r2t(&b, itt_b, data);
	assert_int_equal(sess_expect_rsp(&b, itt_b, &rx), STATUS_GOOD);
	expect_read(&a, itt_a, got);
	assert_memory_equal(got, data, BLOCK);
	rx_free(&rx);
	sess_close(&a);
	sess_close(&b);
}

/* A connection reset while its request waits for a CmdSN: the target
 * notices at once (no busy loop on the hang-up) and ends the session. */
static void test_reset_while_waiting(void **state)
{
	struct linger lg = { .l_onoff = 1, .l_linger = 0 };
	struct sess a, b;

	(void)state;
	lead_login(&a, "MaxConnections=2", false);
	join(&b, &a, 1);
	a.cmdsn++;
	(void)rw10(&b, 0x28, 0);
	(void)rw10(&b, 0x28, 1);	/* queued behind it, unread */
	assert_quiet(b.fd, 200);
	assert_int_equal(setsockopt(b.fd, SOL_SOCKET, SO_LINGER, &lg, sizeof(lg)), 0);
	sess_close(&b);		/* RST */
	assert_true(wait_closed(a.fd));
	sess_close(&a);
	lead_login(&a, "MaxConnections=2", false);
	assert_int_equal(tur(&a), STATUS_GOOD);
	sess_close(&a);
}

/* ---- keepalive: a daemon with --nop-interval 2 (ping after 2 s, 2 s to answer) ---- */

/*
 * For @ms milliseconds answer every ping on @a and @b (anything else fails
 * the test); pings[0] and pings[1] count them. Returns early, with 0 for @a
 * or 1 for @b, when the target closes one of them; or with 2 when @keep is
 * given and a ping arrives on @b: that one is left unanswered in @keep.
 * Returns -1 when neither closed.
 */
static int serve_pings(struct sess *a, struct sess *b, int ms, int pings[2], struct rx *keep)
{
	struct sess *c[2] = { a, b };
	uint64_t end = wire_now_ms() + (uint64_t)ms;
	struct rx rx = { 0 };
	int ret = -1;

	while (ret < 0 && wire_now_ms() < end) {
		struct pollfd pfd[2] = { { .fd = a->fd, .events = POLLIN },
					 { .fd = b->fd, .events = POLLIN } };

		if (poll(pfd, 2, (int)(end - wire_now_ms())) <= 0)
			continue;
		for (int i = 0; i < 2 && ret < 0; i++) {
			if (!pfd[i].revents)
				continue;
			if (recv_pdu(c[i]->fd, &rx) < 0) {
				ret = i;
				break;
			}
			assert_int_equal(bhs_opcode(rx.bhs), ISCSI_OP_NOP_IN);
			pings[i]++;
			if (i == 1 && keep) {
				rx_free(keep);
				*keep = rx;
				rx = (struct rx){ 0 };
				ret = 2;
				break;
			}
			sess_answer_ping(c[i], &rx);
		}
	}
	rx_free(&rx);
	return ret;
}

/*
 * B is pinged, and before the answer is read B's next request waits for a
 * CmdSN that A brings 6 s later: B, which could not read the answer while it
 * waited, is not pinged again nor closed; its READ runs, and the old ping
 * has its whole timeout again from then (answered 1.5 s later, it counts).
 * Then B's keep-alive works as before.
 */
static void test_keepalive_while_waiting(void **state)
{
	uint8_t data[BLOCK];
	int pings[2] = { 0, 0 };
	struct rx ping = { 0 };
	struct sess a, b;
	uint32_t n, itt;

	(void)state;
	lead_login(&a, "MaxConnections=2", false);
	join(&b, &a, 1);
	assert_int_equal(serve_pings(&a, &b, 5000, pings, &ping), 2);
	n = a.cmdsn;
	a.cmdsn = n + 1;
	itt = rw10(&b, 0x28, 0);	/* N + 1: waits for N */
	/* Keep-alive would have closed B after 2 s without the answer. */
	pings[1] = 0;
	assert_int_equal(serve_pings(&a, &b, 6000, pings, NULL), -1);
	print_message("keepalive: %d pings on A, %d on B while B waited\n", pings[0], pings[1]);
	assert_int_equal(pings[1], 0);
	a.cmdsn = n;
	assert_int_equal(tur(&a), STATUS_GOOD);
	a.cmdsn = n + 2;
	expect_read(&b, itt, data);
	assert_int_equal(serve_pings(&a, &b, 1500, pings, NULL), -1);
	sess_answer_ping(&b, &ping);
	rx_free(&ping);
	/* Reading again: B is pinged when idle, and its answers count. */
	assert_int_equal(serve_pings(&a, &b, 5000, pings, NULL), -1);
	assert_true(pings[1] >= 1);
	assert_int_equal(tur(&b), STATUS_GOOD);
	assert_int_equal(logout(&a, LOGOUT_SESSION, 0), 0);
	assert_true(wait_closed(b.fd));
	sess_close(&a);
	sess_close(&b);
}

/* B waits for a CmdSN that A, alive and answering its pings, never sends:
 * after twice the keep-alive time (2 x (2 + 2) s) B fails, and with it the
 * session (ERL 0), instead of hanging forever. */
static void test_keepalive_gap_never_filled(void **state)
{
	int pings[2] = { 0, 0 };
	struct sess a, b;
	uint64_t t0, waited;

	(void)state;
	lead_login(&a, "MaxConnections=2", false);
	join(&b, &a, 1);
	a.cmdsn++;
	(void)rw10(&b, 0x28, 0);
	t0 = wire_now_ms();
	assert_true(serve_pings(&a, &b, 15000, pings, NULL) >= 0);	/* B, then A with it */
	waited = wire_now_ms() - t0;
	print_message("keepalive: B closed after %llu ms of waiting (%d pings answered on A)\n",
		      (unsigned long long)waited, pings[0]);
	assert_true(waited >= 7500 && waited <= 11000);
	assert_true(pings[0] >= 1);
	assert_true(wait_closed(a.fd));
	assert_true(wait_closed(b.fd));
	sess_close(&a);
	sess_close(&b);
}

/* Usage "tpgt PORT_A PORT_B IQN": portals A and B are in different portal
 * groups of IQN, so a session of A cannot span to B (0208). */
static void test_join_other_portal_group(void **state)
{
	struct sess a, x;

	(void)state;
	lead_login(&a, "MaxConnections=2", false);
	assert_int_equal(sess_join(&x, &a, g_port1, 1, 0, INITIATOR, g_target, NULL), 0x0208);
	join(&x, &a, 1);	/* the same portal group is fine */
	assert_int_equal(tur(&x), STATUS_GOOD);
	sess_close(&x);
	sess_close(&a);
}

/* TARGET COLD RESET from a session of two connections: its response still
 * goes out on the connection that asked (the other connections closing must
 * not take it along), then every connection closes. Refused by policy, the
 * session simply goes on. */
static void test_cold_reset_response(void **state)
{
	struct sess a, b;
	uint8_t rsp;

	(void)state;
	lead_login(&a, "MaxConnections=2", false);
	join(&b, &a, 1);
	rsp = tmf(&a, FN_COLD_RESET, ISCSI_RSVD_TAG, 0);
	if (rsp == 0) {
		assert_true(wait_closed(a.fd));
		assert_true(wait_closed(b.fd));
	} else {
		assert_true(rsp == 5 || rsp == 6);	/* not supported / authorization failed */
		assert_int_equal(tur(&b), STATUS_GOOD);
		assert_int_equal(logout(&a, LOGOUT_SESSION, 0), 0);
	}
	sess_close(&a);
	sess_close(&b);
}

int main(int argc, char **argv)
{
	const struct CMUnitTest tpgt_tests[] = {
		cmocka_unit_test(test_join_other_portal_group),
	};
	const struct CMUnitTest keepalive_tests[] = {
		cmocka_unit_test(test_keepalive_while_waiting),
		cmocka_unit_test(test_keepalive_gap_never_filled),
	};
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_join_allegiance_statsn),
		cmocka_unit_test(test_data_out_allegiance),
		cmocka_unit_test(test_cmdsn_order_across_connections),
		cmocka_unit_test(test_waiting_write_with_unsolicited_data),
		cmocka_unit_test(test_logout_reasons),
		cmocka_unit_test(test_join_refused),
		cmocka_unit_test(test_max_connections_flag),
		cmocka_unit_test(test_connection_reinstatement),
		cmocka_unit_test(test_session_reinstatement),
		cmocka_unit_test(test_abort_task_on_other_connection),
		cmocka_unit_test(test_failure_ends_session),
		cmocka_unit_test(test_gap_nobody_can_fill),
		cmocka_unit_test(test_reset_while_waiting),
		cmocka_unit_test(test_cold_reset_response),
	};

	if (argc == 5 && strcmp(argv[1], "tpgt") == 0) {
		g_port = atoi(argv[2]);
		g_port1 = atoi(argv[3]);
		g_target = argv[4];
		return cmocka_run_group_tests(tpgt_tests, NULL, NULL);
	}
	if (argc == 4 && strcmp(argv[1], "keepalive") == 0) {
		g_port = atoi(argv[2]);
		g_target = argv[3];
		return cmocka_run_group_tests(keepalive_tests, NULL, NULL);
	}
	if (argc < 3) {
		fprintf(stderr, "usage: %s PORT TARGET_IQN [PORT_MAXCONN_1]\n"
			"       %s tpgt PORT_TPG_A PORT_TPG_B TARGET_IQN\n"
			"       %s keepalive PORT TARGET_IQN (--nop-interval 2)\n", argv[0], argv[0],
			argv[0]);
		return 2;
	}
	g_port = atoi(argv[1]);
	g_target = argv[2];
	g_port1 = argc > 3 ? atoi(argv[3]) : 0;
	return cmocka_run_group_tests(tests, NULL, NULL);
}
