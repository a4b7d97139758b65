/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Commands that wait for the connection's buffers, against a daemon whose
 * LU is capped at 1 MiB/s and whose --connection-buffer is 1M
 * (tests/integration/limits.sh): a reset connection whose command waits
 * costs no CPU (no busy loop on the hang-up, /proc/PID/stat), and the
 * keep-alive sends no ping whose answer could not be read while the
 * connection is not read, nor times out one sent before.
 *
 * Two WRITEs with immediate data sent in one piece behind a long READ: the
 * first waits for buffers with its data in place in the read-ahead buffer,
 * the second behind it, and both land as sent.
 *
 * Usage: limits_wait_test PORT TARGET_IQN MODE [DAEMON_PID]
 *   MODE: hangup (needs DAEMON_PID) | deferred | deferred-ping
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <sys/socket.h>

#include <cmocka.h>

#include "tests/wire/limits_fixture.h"

/* ---- hangup: a LU at 1 MiB/s, --connection-buffer 1M, --nop-interval 0 ---- */

/*
 * A READ of 4 MiB takes 4 s; the next READ does not fit the connection's
 * buffer beside it, so it waits unread and the connection is not read.
 * Nothing is queued for transmit yet when the initiator resets the
 * connection: the daemon closes it at once instead of being woken by the
 * hang-up again and again (level-triggered) until the first READ is done.
 */
static void test_hangup_while_waiting_for_buffers(void **state)
{
	struct linger lg = { .l_onoff = 1, .l_linger = 0 };
	uint8_t cdb[16], bhs[ISCSI_BHS_LEN];
	struct sess s;
	long used;

	(void)state;
	sess_on(&s, wire_connect(g_port), 1);
	cdb_rw10(cdb, 0x28, 0, 8192);
	cmd_bhs(bhs, &s, ISCSI_FLAG_FINAL | ISCSI_CMD_READ | ATTR_SIMPLE, 4 * MiB, cdb);
	send_all(s.fd, bhs, sizeof(bhs));
	cdb_rw10(cdb, 0x28, 0, 2048);
	cmd_bhs(bhs, &s, ISCSI_FLAG_FINAL | ISCSI_CMD_READ | ATTR_SIMPLE, MiB, cdb);
	send_all(s.fd, bhs, sizeof(bhs));
	sleep_ms(300);
	assert_int_equal(setsockopt(s.fd, SOL_SOCKET, SO_LINGER, &lg, sizeof(lg)), 0);
	sess_close(&s);		/* RST */
	sleep_ms(200);
	used = cpu_ticks_during(1500);
	print_message("hangup: daemon used %ld ticks of CPU in 1.5 s after the reset\n", used);
	/* A spinning loop would use most of the 150 ticks of the 1.5 s. */
	assert_true(used < 15);
	sess_on(&s, wire_connect(g_port), 2);
	tur_ok(&s);
	sess_close(&s);
}

/* ---- deferred: a LU at 1 MiB/s, --connection-buffer 1M, --nop-interval 1 (or 2) ---- */

/* The commands a deferred-mode test has sent, and what has come back. */
struct cmds {
	int n;
	uint32_t itt[3];
	uint32_t got[3];	/* Data-In bytes */
	int status[3];		/* -1 until it arrived */
	int pings;		/* NOP-In pings answered */
	int pings_early;	/* of them, before the status of the first command */
};

static void cmds_add(struct cmds *c, uint32_t itt)
{
	assert_true(c->n < 3);
	c->itt[c->n] = itt;
	c->got[c->n] = 0;
	c->status[c->n++] = -1;
}

/* A READ of 4 MiB, 4 s at 1 MiB/s, then one of 1 MiB, which does not fit
 * the connection's 1 MiB buffer beside it: it waits unread (rx_deferred). */
static void send_two_reads(struct sess *s, struct cmds *c)
{
	uint8_t flags = ISCSI_FLAG_FINAL | ISCSI_CMD_READ | ATTR_SIMPLE, cdb[16];

	memset(c, 0, sizeof(*c));
	cdb_rw10(cdb, 0x28, 0, 8192);
	cmds_add(c, sess_cmd(s, 0, flags, 4 * MiB, cdb, NULL, 0));
	cdb_rw10(cdb, 0x28, 8192, 2048);
	cmds_add(c, sess_cmd(s, 0, flags, MiB, cdb, NULL, 0));
}

static int cmds_done(const struct cmds *c)
{
	int done = 0;

	for (int i = 0; i < c->n; i++)
		done += c->status[i] >= 0;
	return done;
}

/* Take one PDU for the commands of @c: Data-In counted, a status taken
 * (its StatSN in order), a ping answered at once; anything else fails. */
static void cmds_take(struct sess *s, struct cmds *c, const struct rx *rx)
{
	uint8_t op = bhs_opcode(rx->bhs);
	int i;

	if (op == ISCSI_OP_NOP_IN) {
		c->pings_early += c->status[0] < 0;
		c->pings++;
		sess_answer_ping(s, rx);
		return;
	}
	assert_true(op == ISCSI_OP_DATA_IN || op == ISCSI_OP_SCSI_RSP);
	for (i = 0; i < c->n && c->itt[i] != bhs_u32(rx->bhs, BHS_ITT); i++)
		;
	assert_true(i < c->n && c->status[i] < 0);
	if (op == ISCSI_OP_DATA_IN)
		c->got[i] += rx->len;
	if (op == ISCSI_OP_SCSI_RSP || (rx->bhs[BHS_FLAGS] & ISCSI_DATAIN_STATUS)) {
		assert_int_equal(bhs_u32(rx->bhs, BHS_STATSN), s->exp_statsn);
		s->exp_statsn++;
		c->status[i] = rx->bhs[BHS_RSP_STATUS];
	}
}

/* Read what arrives for @c for at most @ms, until @want of its commands
 * have their status. Returns how many have, or -1 when the target closed
 * the connection. */
static int cmds_read(struct sess *s, struct cmds *c, int ms, int want)
{
	uint64_t end = wire_now_ms() + (uint64_t)ms;
	struct rx rx = { 0 };

	while (cmds_done(c) < want && wire_now_ms() < end) {
		struct pollfd pfd = { .fd = s->fd, .events = POLLIN };

		if (poll(&pfd, 1, (int)(end - wire_now_ms())) <= 0)
			continue;
		if (recv_pdu(s->fd, &rx) < 0) {
			rx_free(&rx);
			return -1;
		}
		cmds_take(s, c, &rx);
	}
	rx_free(&rx);
	return cmds_done(c);
}

/* Both READs GOOD with all their data; then a TEST UNIT READY is (pings
 * may still come in between). */
static void assert_reads_good_then_tur(struct sess *s, struct cmds *c)
{
	static const uint8_t tur[16];

	assert_int_equal(c->status[0], STATUS_GOOD);
	assert_int_equal(c->status[1], STATUS_GOOD);
	assert_int_equal(c->got[0], 4 * MiB);
	assert_int_equal(c->got[1], MiB);
	cmds_add(c, sess_cmd(s, 0, ISCSI_FLAG_FINAL | ATTR_SIMPLE, 0, tur, NULL, 0));
	assert_int_equal(cmds_read(s, c, 5000, 3), 3);
	assert_int_equal(c->status[2], STATUS_GOOD);
}

/*
 * --nop-interval 1. While the 1 MiB READ waits for buffers (about 4 s) the
 * connection is not read, so the answer to a ping could not be read
 * either: no ping comes (it would have after 1 to 2 s, and the connection
 * been closed a second later for want of the answer). Pings after the wait
 * are answered and read, as ever.
 */
static void test_keepalive_while_deferred(void **state)
{
	struct cmds c;
	struct sess s;

	(void)state;
	sess_on(&s, wire_connect(g_port), 1);
	send_two_reads(&s, &c);
	assert_int_equal(cmds_read(&s, &c, 15000, 2), 2);
	print_message("deferred: %d pings answered, %d before the first READ's status\n",
		      c.pings, c.pings_early);
	assert_int_equal(c.pings_early, 0);
	assert_reads_good_then_tur(&s, &c);
	sess_close(&s);
}

/*
 * --nop-interval 2. A ping is outstanding when the second READ starts
 * waiting for buffers: its answer cannot be read during the wait, so the
 * ping does not time out meanwhile, and once reading resumes it has its
 * whole 2 s again: answered 1.5 s after the first READ's status (the keep-
 * alive check, once a second, would otherwise have closed the connection
 * by then), it counts.
 */
static void test_keepalive_ping_outstanding_while_deferred(void **state)
{
	struct rx ping = { 0 };
	struct cmds c;
	struct sess s;

	(void)state;
	sess_on(&s, wire_connect(g_port), 1);
	expect_pdu(s.fd, &ping, ISCSI_OP_NOP_IN);	/* after 2 to 3 s idle */
	send_two_reads(&s, &c);
	assert_true(cmds_read(&s, &c, 10000, 1) >= 1);
	assert_true(cmds_read(&s, &c, 1500, 3) >= 1);	/* not closed */
	sess_answer_ping(&s, &ping);
	rx_free(&ping);
	assert_int_equal(cmds_read(&s, &c, 10000, 2), 2);
	print_message("deferred-ping: %d more pings answered\n", c.pings);
	assert_reads_good_then_tur(&s, &c);
	sess_close(&s);
}

/*
 * --nop-interval 1. Two 4 KiB WRITEs with immediate data sent in one piece
 * behind the 4 MiB READ: the first waits for buffers with its data where
 * the target read it (in place in the read-ahead buffer, the second WRITE
 * behind it), for about 4 s. Once it runs, each WRITE's blocks hold its
 * own data.
 */
static void test_deferred_keeps_immediate_data(void **state)
{
	enum { LEN = 4096, LBA1 = 9000, LBA2 = 9008 };
	uint8_t flags = ISCSI_FLAG_FINAL | ISCSI_CMD_WRITE | ATTR_SIMPLE, cdb[16];
	uint8_t a[LEN], b[LEN], back[LEN], wire[2 * (ISCSI_BHS_LEN + LEN)];
	struct cmds c;
	struct sess s;

	(void)state;
	for (unsigned i = 0; i < LEN; i++) {
		a[i] = (uint8_t)(i * 7 + 1);
		b[i] = (uint8_t)(i * 13 + 5);
	}
	sess_on(&s, wire_connect(g_port), 1);
	memset(&c, 0, sizeof(c));
	cdb_rw10(cdb, 0x28, 0, 8192);
	cmds_add(&c, sess_cmd(&s, 0, ISCSI_FLAG_FINAL | ISCSI_CMD_READ | ATTR_SIMPLE, 4 * MiB, cdb,
			      NULL, 0));
	cdb_rw10(cdb, 0x2a, LBA1, LEN / 512);
	cmd_bhs(wire, &s, flags, LEN, cdb);
	bhs_set_data_len(wire, LEN);
	memcpy(wire + ISCSI_BHS_LEN, a, LEN);
	cmds_add(&c, bhs_u32(wire, BHS_ITT));
	cdb_rw10(cdb, 0x2a, LBA2, LEN / 512);
	cmd_bhs(wire + ISCSI_BHS_LEN + LEN, &s, flags, LEN, cdb);
	bhs_set_data_len(wire + ISCSI_BHS_LEN + LEN, LEN);
	memcpy(wire + 2 * ISCSI_BHS_LEN + LEN, b, LEN);
	cmds_add(&c, bhs_u32(wire + ISCSI_BHS_LEN + LEN, BHS_ITT));
	sleep_ms(100);	/* the READ runs */
	send_all(s.fd, wire, sizeof(wire));
	assert_int_equal(cmds_read(&s, &c, 15000, 3), 3);
	assert_int_equal(c.status[0], STATUS_GOOD);
	assert_int_equal(c.got[0], 4 * MiB);
	assert_int_equal(c.status[1], STATUS_GOOD);
	assert_int_equal(c.status[2], STATUS_GOOD);
	cdb_rw10(cdb, 0x28, LBA1, LEN / 512);
	assert_int_equal(sess_run(&s, 0, cdb, NULL, 0, back, LEN, NULL), STATUS_GOOD);
	assert_memory_equal(back, a, LEN);
	cdb_rw10(cdb, 0x28, LBA2, LEN / 512);
	assert_int_equal(sess_run(&s, 0, cdb, NULL, 0, back, LEN, NULL), STATUS_GOOD);
	assert_memory_equal(back, b, LEN);
	sess_close(&s);
}

int main(int argc, char **argv)
{
	const struct CMUnitTest hangup[] = {
		cmocka_unit_test(test_hangup_while_waiting_for_buffers),
	};
	const struct CMUnitTest deferred[] = {
		cmocka_unit_test(test_keepalive_while_deferred),
		cmocka_unit_test(test_deferred_keeps_immediate_data),
	};
	const struct CMUnitTest deferred_ping[] = {
		cmocka_unit_test(test_keepalive_ping_outstanding_while_deferred),
	};
	const char *mode;

	if (argc < 4) {
		fprintf(stderr, "usage: limits_wait_test PORT TARGET_IQN MODE [DAEMON_PID]\n");
		return 2;
	}
	g_port = atoi(argv[1]);
	g_target = argv[2];
	mode = argv[3];
	g_pid = argc > 4 ? atoi(argv[4]) : 0;
	if (strcmp(mode, "deferred") == 0)
		return cmocka_run_group_tests(deferred, NULL, NULL);
	if (strcmp(mode, "deferred-ping") == 0)
		return cmocka_run_group_tests(deferred_ping, NULL, NULL);
	if (strcmp(mode, "hangup") == 0 && g_pid > 0)
		return cmocka_run_group_tests(hangup, NULL, NULL);
	fprintf(stderr, "limits_wait_test: unknown mode %s (hangup needs the daemon's pid)\n", mode);
	return 2;
}
