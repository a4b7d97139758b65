/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Resource limits, against a daemon started with the flags each mode needs
 * (tests/integration/limits.sh): connections in total and per source
 * address, sessions per target, the login timeout (a silent connection and a
 * slowloris login), keep-alive idleness counted from the last PDU received,
 * the memory a client that never reads or never sends its write data can
 * make the daemon hold (VmRSS of /proc/PID/status), and running out of file
 * descriptors (CPU time of /proc/PID/stat: no busy loop), and a flood of
 * what any peer can make the daemon log (limits.sh counts the lines).
 * Commands that wait for buffers are limits_wait_test.c's. Each mode also
 * proves that a well-behaved session keeps working.
 *
 * Usage: limits_test PORT TARGET_IQN MODE [DAEMON_PID]
 *   MODE: conns | sessions | login-timeout | keepalive | window | immediate | memory | fds |
 *         logflood
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "tests/wire/limits_fixture.h"

/* ---- conns: --connection-limit 4 --connection-limit-per-address 2 ---- */

static void test_connection_limits(void **state)
{
	struct sess a1, a2, b1, b2, c1;

	(void)state;
	sess_on(&a1, wire_connect_from(g_port, "127.0.0.1"), 1);
	sess_on(&a2, wire_connect_from(g_port, "127.0.0.1"), 2);
	/* A third connection from 127.0.0.1 is over the per-address limit. */
	assert_closed_at_once(wire_connect_from(g_port, "127.0.0.1"));
	sess_on(&b1, wire_connect_from(g_port, "127.0.0.2"), 3);
	sess_on(&b2, wire_connect_from(g_port, "127.0.0.2"), 4);
	/* 127.0.0.3 has none, but four is the total. */
	assert_closed_at_once(wire_connect_from(g_port, "127.0.0.3"));
	tur_ok(&a1);
	tur_ok(&b2);
	/* A slot frees when a connection ends. */
	sess_close(&a1);
	sleep_ms(300);
	sess_on(&c1, wire_connect_from(g_port, "127.0.0.3"), 5);
	tur_ok(&c1);
	tur_ok(&a2);
	sess_close(&a2);
	sess_close(&b1);
	sess_close(&b2);
	sess_close(&c1);
}

/* ---- sessions: --session-limit 2 ---- */

static void test_session_limit(void **state)
{
	struct sess s1, s2, again;
	struct rx rsp = { 0 };
	int fd;

	(void)state;
	sess_on(&s1, wire_connect(g_port), 1);
	sess_on(&s2, wire_connect(g_port), 2);
	/* A third session: target error, out of resources (RFC 7143 11.13.5). */
	fd = wire_connect(g_port);
	assert_int_equal(login_on(fd, 3, &rsp), 0x0302);
	assert_true(wait_closed(fd));
	close(fd);
	/* Reinstating an existing session (same ISID) replaces it: allowed. */
	sess_on(&again, wire_connect(g_port), 1);
	tur_ok(&again);
	tur_ok(&s2);
	rx_free(&rsp);
	sess_close(&s1);
	sess_close(&s2);
	sess_close(&again);
}

/* ---- login-timeout: --login-timeout 2 ---- */

/* Wait for the target to close @fd; returns the milliseconds since @t0. */
static uint64_t closed_after(int fd, uint64_t t0)
{
	assert_true(wait_closed(fd));
	return wire_now_ms() - t0;
}

static void test_login_timeout_silent(void **state)
{
	uint64_t t0 = wire_now_ms();
	int fd = wire_connect(g_port);
	uint64_t ms = closed_after(fd, t0);

	(void)state;
	/* Timeout 2 s, checked once a second. */
	assert_true(ms >= 1500 && ms <= 4500);
	close(fd);
}

/* Slowloris: a login PDU, one byte every 300 ms, is closed by the timeout. */
static void test_login_timeout_slowloris(void **state)
{
	char keys[1024];
	uint8_t pdu[ISCSI_BHS_LEN + 1024];
	size_t len = login_keys(keys, sizeof(keys), INITIATOR, g_target, NULL), i;
	uint64_t t0 = wire_now_ms();
	int fd = wire_connect(g_port);
	struct sess s;

	(void)state;
	login_bhs(pdu, LOGIN_TO_FFP, 1);
	bhs_set_data_len(pdu, (uint32_t)len);
	memcpy(pdu + ISCSI_BHS_LEN, keys, len);
	for (i = 0; i < ISCSI_BHS_LEN + len; i++) {
		struct pollfd pfd = { .fd = fd, .events = POLLIN };

		if (send(fd, pdu + i, 1, MSG_NOSIGNAL) != 1 || poll(&pfd, 1, 300) != 0)
			break;	/* closed (or a reply, which would be wrong) */
	}
	/* Nowhere near the whole PDU went out, and no Login Response came. */
	assert_true(i < 20);
	assert_true(closed_after(fd, t0) <= 4500);
	close(fd);
	/* A full-feature session outlives the login timeout. */
	sess_on(&s, wire_connect(g_port), 2);
	sleep_ms(3000);
	tur_ok(&s);
	sess_close(&s);
}

/* ---- keepalive: --nop-interval 2 ---- */

static void test_keepalive_counts_from_last_pdu(void **state)
{
	struct sess s;
	struct rx rx = { 0 };
	uint64_t t0, idle;

	(void)state;
	sess_on(&s, wire_connect(g_port), 1);
	/* Busy for 5 s, a command every 400 ms: never idle for 2 s, so no
	 * NOP-In may arrive (sess_run fails on any PDU not for its command). */
	t0 = wire_now_ms();
	while (wire_now_ms() - t0 < 5000) {
		tur_ok(&s);
		sleep_ms(400);
	}
	/* Then idle: the ping comes 2 s (checked once a second) after the last PDU. */
	t0 = wire_now_ms();
	expect_pdu(s.fd, &rx, ISCSI_OP_NOP_IN);
	idle = wire_now_ms() - t0;
	assert_int_equal(bhs_u32(rx.bhs, BHS_ITT), ISCSI_RSVD_TAG);
	assert_true(idle >= 1000 && idle <= 3500);
	rx_free(&rx);
	sess_close(&s);
}

/* ---- memory: --connection-buffer 8M --tx-backlog 1M --nop-interval 0 ---- */

static long rss_kib(void)
{
	char path[64], line[256];
	long kib = -1;
	FILE *fp;

	snprintf(path, sizeof(path), "/proc/%d/status", g_pid);
	fp = fopen(path, "r");
	assert_non_null(fp);
	while (fgets(line, sizeof(line), fp))
		if (sscanf(line, "VmRSS: %ld kB", &kib) == 1)
			break;
	fclose(fp);
	assert_true(kib > 0);
	return kib;
}

/* Write @len bytes of PDU without blocking for more than @ms; false when
 * the target has stopped reading (then the connection is abandoned). */
static bool send_within(int fd, const uint8_t *p, size_t len, int ms)
{
	while (len) {
		struct pollfd pfd = { .fd = fd, .events = POLLOUT };
		ssize_t w;

		if (poll(&pfd, 1, ms) != 1)
			return false;
		w = send(fd, p, len, MSG_NOSIGNAL | MSG_DONTWAIT);
		if (w < 0 && errno == EAGAIN)
			continue;
		if (w <= 0)
			return false;
		p += w;
		len -= (size_t)w;
	}
	return true;
}

/* Well-behaved traffic on @s: a write and its read-back, within 3 s. */
static void still_serving(struct sess *s, uint8_t fill)
{
	static uint8_t out[65536], in[65536];
	uint8_t cdb[16];
	uint64_t t0 = wire_now_ms();

	memset(out, fill, sizeof(out));
	cdb_rw10(cdb, 0x2a, 4096, 128);
	assert_int_equal(sess_run(s, 0, cdb, out, sizeof(out), NULL, 0, NULL), STATUS_GOOD);
	cdb_rw10(cdb, 0x28, 4096, 128);
	assert_int_equal(sess_run(s, 0, cdb, NULL, 0, in, sizeof(in), NULL), STATUS_GOOD);
	assert_memory_equal(in, out, sizeof(out));
	assert_true(wire_now_ms() - t0 < 3000);
}

/* A reading initiator with more READs in flight than the connection buffer
 * holds is slowed down, not refused: every READ completes GOOD with its data. */
static void deep_queue_throttled(struct sess *s)
{
	struct rx rx = { 0 };
	uint8_t cdb[16], bhs[ISCSI_BHS_LEN];
	uint32_t first_itt = s->next_itt;
	int done = 0;
	uint64_t bytes = 0;

	cdb_rw10(cdb, 0x28, 0, 2048);
	for (int i = 0; i < 32; i++) {
		cmd_bhs(bhs, s, ISCSI_FLAG_FINAL | ISCSI_CMD_READ | ATTR_SIMPLE, MiB, cdb);
		send_all(s->fd, bhs, sizeof(bhs));
	}
	while (done < 32) {
		assert_int_equal(recv_pdu(s->fd, &rx), 0);
		assert_true(bhs_u32(rx.bhs, BHS_ITT) - first_itt < 32);
		if (bhs_opcode(rx.bhs) == ISCSI_OP_DATA_IN) {
			bytes += rx.len;
			if (!(rx.bhs[BHS_FLAGS] & ISCSI_DATAIN_STATUS))
				continue;
		} else {
			assert_int_equal(bhs_opcode(rx.bhs), ISCSI_OP_SCSI_RSP);
		}
		assert_int_equal(rx.bhs[BHS_RSP_STATUS], STATUS_GOOD);
		s->exp_statsn = bhs_u32(rx.bhs, BHS_STATSN) + 1;
		done++;
	}
	rx_free(&rx);
	assert_true(bytes == 32ull * MiB);
	print_message("memory: 32 READs of 1 MiB at once on a reading connection: all GOOD\n");
}

/*
 * The bound the README states for one connection with these flags:
 * connection buffer 8 MiB (+ one command: 1 MiB here) + transmit backlog
 * 1 MiB + receive buffer, login/text buffers and task structures (< 2 MiB),
 * rounded up for the allocator: 14 MiB.
 */
#define CONN_BOUND_KIB (14 * 1024)

static void test_memory_bounded(void **state)
{
	static uint8_t block[MiB];
	struct sess good, reader, writer, pinger;
	struct rx rx = { 0 };
	uint8_t cdb[16], bhs[ISCSI_BHS_LEN];
	long base, after_reads, after_pings, after_writes;
	int sent = 0, r2t_itts = 0, tsf = 0, rcvbuf = 4096, pings;
	uint64_t t0;
	int fd;

	(void)state;
	sess_on(&good, wire_connect(g_port), 1);
	/* The 1 MiB every READ below returns, resident before the baseline. */
	for (uint32_t off = 0; off < MiB; off += 65536) {
		cdb_rw10(cdb, 0x2a, off / 512, 128);
		memset(block, (int)(off >> 16), 65536);
		assert_int_equal(sess_run(&good, 0, cdb, block, 65536, NULL, 0, NULL), STATUS_GOOD);
	}
	still_serving(&good, 0x11);
	base = rss_kib();

	/* A client that sends READs of 1 MiB and never reads a byte (with a
	 * small receive window, so the kernel does not read for it either). */
	fd = socket(AF_INET, SOCK_STREAM, 0);
	assert_true(fd >= 0);
	setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &rcvbuf, sizeof(rcvbuf));
	{
		struct sockaddr_in sa = { .sin_family = AF_INET,
					  .sin_port = htons((uint16_t)g_port) };

		inet_pton(AF_INET, "127.0.0.1", &sa.sin_addr);
		assert_int_equal(connect(fd, (struct sockaddr *)&sa, sizeof(sa)), 0);
	}
	sess_on(&reader, fd, 2);
	cdb_rw10(cdb, 0x28, 0, 2048);
	for (sent = 0; sent < 400; sent++) {
		cmd_bhs(bhs, &reader, ISCSI_FLAG_FINAL | ISCSI_CMD_READ | ATTR_SIMPLE, MiB, cdb);
		if (!send_within(reader.fd, bhs, sizeof(bhs), 1000))
			break;
	}
	sleep_ms(1500);
	after_reads = rss_kib();
	print_message("memory: baseline %ld KiB, after %d never-read READs of 1 MiB %ld KiB "
		      "(+%ld KiB, bound %d KiB)\n", base, sent, after_reads, after_reads - base,
		      CONN_BOUND_KIB);
	assert_true(after_reads - base < CONN_BOUND_KIB);
	/* Meanwhile another session is served at full speed. */
	still_serving(&good, 0x22);

	/* A client that sends pings with 8 KiB of data and never reads the
	 * echoes: they stop being read once the transmit backlog is full. */
	sess_on(&pinger, wire_connect(g_port), 4);
	memset(block, 0x5a, 8192);
	for (pings = 0; pings < 4000; pings++) {
		sess_nop_bhs(bhs, &pinger, 0x10000u + (uint32_t)pings);
		bhs_set_data_len(bhs, 8192);
		if (!send_within(pinger.fd, bhs, sizeof(bhs), 1000) ||
		    !send_within(pinger.fd, block, 8192, 1000))
			break;
	}
	sleep_ms(500);
	after_pings = rss_kib();
	print_message("memory: after %d pings of 8 KiB never read %ld KiB (+%ld KiB, bound %d KiB "
		      "for the two connections)\n", pings, after_pings, after_pings - base,
		      2 * CONN_BOUND_KIB);
	assert_true(pings < 4000);	/* it was stopped */
	assert_true(after_pings - base < 2 * CONN_BOUND_KIB);
	still_serving(&good, 0x2a);

	/* A client that sends WRITEs of 1 MiB and never their data: only what
	 * the connection buffer holds gets an R2T; the rest TASK SET FULL. */
	sess_on(&writer, wire_connect(g_port), 3);
	cdb_rw10(cdb, 0x2a, 0, 2048);
	for (int i = 0; i < 100; i++) {
		cmd_bhs(bhs, &writer, ISCSI_FLAG_FINAL | ISCSI_CMD_WRITE | ATTR_SIMPLE, MiB, cdb);
		send_all(writer.fd, bhs, sizeof(bhs));
	}
	t0 = wire_now_ms();
	while (wire_now_ms() - t0 < 3000 && tsf + r2t_itts < 100) {
		assert_int_equal(recv_pdu(writer.fd, &rx), 0);
		if (bhs_opcode(rx.bhs) == ISCSI_OP_R2T) {
			/* Maybe several R2Ts per command: count the first (R2TSN 0). */
			r2t_itts += bhs_u32(rx.bhs, BHS_DATASN) == 0;
		} else {
			assert_int_equal(bhs_opcode(rx.bhs), ISCSI_OP_SCSI_RSP);
			assert_int_equal(rx.bhs[BHS_RSP_STATUS], 0x28);	/* TASK SET FULL */
			tsf++;
		}
	}
	rx_free(&rx);
	print_message("memory: 100 unanswered WRITEs of 1 MiB: %d got R2Ts, %d TASK SET FULL\n",
		      r2t_itts, tsf);
	assert_int_equal(r2t_itts + tsf, 100);
	assert_true(r2t_itts >= 1 && r2t_itts <= 8);
	after_writes = rss_kib();
	print_message("memory: after the WRITEs %ld KiB (+%ld KiB over the baseline, bound %d KiB "
		      "for the three connections)\n", after_writes, after_writes - base,
		      3 * CONN_BOUND_KIB);
	assert_true(after_writes - base < 3 * CONN_BOUND_KIB);
	still_serving(&good, 0x33);
	sess_close(&reader);
	sess_close(&writer);
	sess_close(&pinger);
	sleep_ms(500);
	still_serving(&good, 0x44);
	deep_queue_throttled(&good);
	still_serving(&good, 0x55);
	sess_close(&good);
}

/* ---- window: --connection-buffer 2G --tx-backlog 1G --nop-interval 0 ---- */

/* With nothing else holding it back, a client that does not read is held by
 * the CmdSN window alone: a command keeps its slot until its response is on
 * the wire, so of 300 READs sent without reading only the window's worth
 * (plus what the kernel's socket buffers took) are run; the rest arrive
 * outside the window and are ignored. */
static void test_window_until_sent(void **state)
{
	struct sess s;
	struct rx rx = { 0 };
	uint8_t cdb[16], bhs[ISCSI_BHS_LEN];
	int rcvbuf = 4096, answered = 0;
	struct sockaddr_in sa = { .sin_family = AF_INET, .sin_port = htons((uint16_t)g_port) };
	int fd = socket(AF_INET, SOCK_STREAM, 0);

	(void)state;
	setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &rcvbuf, sizeof(rcvbuf));
	inet_pton(AF_INET, "127.0.0.1", &sa.sin_addr);
	assert_int_equal(connect(fd, (struct sockaddr *)&sa, sizeof(sa)), 0);
	sess_on(&s, fd, 1);
	cdb_rw10(cdb, 0x28, 0, 512);
	for (int i = 0; i < 300; i++) {
		cmd_bhs(bhs, &s, ISCSI_FLAG_FINAL | ISCSI_CMD_READ | ATTR_SIMPLE, 262144, cdb);
		send_all(s.fd, bhs, sizeof(bhs));
		sleep_ms(i % 16 == 15);	/* let the target read as they come */
	}
	sleep_ms(1000);
	/* Now read everything: what was answered, and nothing after it. */
	while (recv_pdu(s.fd, &rx) == 0) {
		if (bhs_opcode(rx.bhs) == ISCSI_OP_SCSI_RSP ||
		    (bhs_opcode(rx.bhs) == ISCSI_OP_DATA_IN &&
		     (rx.bhs[BHS_FLAGS] & ISCSI_DATAIN_STATUS)))
			answered++;
	}
	rx_free(&rx);
	print_message("window: %d of 300 never-read READs were run\n", answered);
	/* 128 slots, plus the few the kernel's buffers let out. */
	assert_true(answered >= 128 && answered <= 180);
	sess_close(&s);
}

/* ---- immediate: a LU capped at 1 MiB/s (max_bandwidth=1M) ---- */

/* Immediate commands take no CmdSN: at most 16 per connection are in flight,
 * the others get a Reject (immediate command reject). */
static void test_immediate_bounded(void **state)
{
	struct sess s;
	struct rx rx = { 0 };
	uint8_t cdb[16], bhs[ISCSI_BHS_LEN];
	int good = 0, rejected = 0;

	(void)state;
	sess_on(&s, wire_connect(g_port), 1);
	/* 40 immediate READs of 128 KiB: each takes 125 ms of the LU's 1 MiB/s
	 * (the first may go at once), all sent before the second is done. */
	cdb_rw10(cdb, 0x28, 0, 256);
	for (int i = 0; i < 40; i++) {
		cmd_bhs(bhs, &s, ISCSI_FLAG_FINAL | ISCSI_CMD_READ | ATTR_SIMPLE, 131072, cdb);
		bhs[BHS_OPCODE] |= ISCSI_OP_IMMEDIATE;
		s.cmdsn--;	/* immediate: CmdSN not advanced */
		send_all(s.fd, bhs, sizeof(bhs));
	}
	while (good + rejected < 40) {
		assert_int_equal(recv_pdu(s.fd, &rx), 0);
		switch (bhs_opcode(rx.bhs)) {
		case ISCSI_OP_REJECT:
			assert_int_equal(rx.bhs[BHS_REJECT_REASON], 0x06);
			assert_int_equal(rx.len, ISCSI_BHS_LEN);	/* the rejected header */
			assert_int_equal(bhs_opcode(rx.data), ISCSI_OP_SCSI_CMD);
			rejected++;
			break;
		case ISCSI_OP_DATA_IN:
			good += (rx.bhs[BHS_FLAGS] & ISCSI_DATAIN_STATUS) != 0;
			break;
		default:
			assert_int_equal(bhs_opcode(rx.bhs), ISCSI_OP_SCSI_RSP);
			assert_int_equal(rx.bhs[BHS_RSP_STATUS], STATUS_GOOD);
			good++;
		}
	}
	print_message("immediate: %d of 40 immediate READs ran, %d rejected\n", good, rejected);
	/* 16 in flight at most; one that ended at once freed its slot early. */
	assert_true(good >= 16 && good <= 18);
	assert_int_equal(good + rejected, 40);
	s.exp_statsn = bhs_u32(rx.bhs, BHS_STATSN) + 1;
	rx_free(&rx);
	tur_ok(&s);
	sess_close(&s);
}

/* Immediate task management requests are bounded the same way: ABORT TASK
 * SETs that wait for a slow READ to leave the LU. */
static void test_immediate_tmf_bounded(void **state)
{
	struct sess s;
	struct rx rx = { 0 };
	uint8_t cdb[16], bhs[ISCSI_BHS_LEN];
	int answered = 0, rejected = 0;

	(void)state;
	sess_on(&s, wire_connect(g_port), 3);
	cdb_rw10(cdb, 0x28, 0, 2048);	/* 1 MiB: a second at 1 MiB/s */
	cmd_bhs(bhs, &s, ISCSI_FLAG_FINAL | ISCSI_CMD_READ | ATTR_SIMPLE, MiB, cdb);
	send_all(s.fd, bhs, sizeof(bhs));
	sleep_ms(100);
	for (int i = 0; i < 40; i++) {
		memset(bhs, 0, sizeof(bhs));
		bhs[BHS_OPCODE] = ISCSI_OP_TMF_REQ | ISCSI_OP_IMMEDIATE;
		bhs[BHS_FLAGS] = ISCSI_FLAG_FINAL | 2;	/* ABORT TASK SET */
		bhs_set_u32(bhs, BHS_ITT, 0x1000u + (uint32_t)i);
		bhs_set_u32(bhs, BHS_TMF_RTT, ISCSI_RSVD_TAG);
		bhs_set_u32(bhs, BHS_CMDSN, s.cmdsn);
		bhs_set_u32(bhs, BHS_EXPSTATSN, s.exp_statsn);
		send_all(s.fd, bhs, sizeof(bhs));
	}
	while (answered + rejected < 40) {
		assert_int_equal(recv_pdu(s.fd, &rx), 0);
		if (bhs_opcode(rx.bhs) == ISCSI_OP_REJECT) {
			assert_int_equal(rx.bhs[BHS_REJECT_REASON], 0x06);
			rejected++;
		} else {
			assert_int_equal(bhs_opcode(rx.bhs), ISCSI_OP_TMF_RSP);
			answered++;
		}
	}
	print_message("immediate: %d of 40 immediate ABORT TASK SETs answered, %d rejected\n",
		      answered, rejected);
	assert_true(rejected > 0);
	assert_true(answered >= 16);
	s.exp_statsn = bhs_u32(rx.bhs, BHS_STATSN) + 1;
	rx_free(&rx);
	tur_ok(&s);
	sess_close(&s);
}

/* Ping data the echo of which would not fit the initiator's
 * MaxRecvDataSegmentLength (8192 by default) is a protocol error. */
static void test_ping_data_bounded(void **state)
{
	static uint8_t data[16384];
	struct sess s;
	struct rx rx = { 0 };
	uint8_t bhs[ISCSI_BHS_LEN];

	(void)state;
	memset(data, 0x5a, sizeof(data));
	sess_on(&s, wire_connect(g_port), 2);
	sess_nop_bhs(bhs, &s, 0x77);
	send_pdu(s.fd, bhs, data, sizeof(data));
	expect_pdu(s.fd, &rx, ISCSI_OP_REJECT);
	assert_int_equal(rx.bhs[BHS_REJECT_REASON], 0x04);
	s.exp_statsn++;
	sess_nop_bhs(bhs, &s, 0x78);
	send_pdu(s.fd, bhs, data, 8192);
	expect_pdu(s.fd, &rx, ISCSI_OP_NOP_IN);
	assert_int_equal(bhs_u32(rx.bhs, BHS_ITT), 0x78);
	assert_int_equal(rx.len, 8192);
	assert_memory_equal(rx.data, data, 8192);
	s.exp_statsn++;
	rx_free(&rx);
	tur_ok(&s);
	sess_close(&s);
}

/* ---- logflood: the default daemon; limits.sh reads its log ---- */

/* A login to a target that does not exist: 0203 (not found). */
static void login_unknown_target(void)
{
	char keys[1024];
	uint8_t bhs[ISCSI_BHS_LEN];
	size_t len = login_keys(keys, sizeof(keys), INITIATOR, "iqn.2026-11.io.ctgt:nosuch", NULL);
	int fd = wire_connect(g_port);
	struct rx rsp = { 0 };

	login_bhs(bhs, LOGIN_TO_FFP, 9);
	send_pdu(fd, bhs, keys, (uint32_t)len);
	assert_int_equal(recv_pdu(fd, &rsp), 0);
	assert_int_equal(rsp.bhs[BHS_LOGIN_STATUS_CLASS] << 8 | rsp.bhs[BHS_LOGIN_STATUS_DETAIL],
			 0x0203);
	rx_free(&rsp);
	close(fd);
}

/*
 * What any peer can make the daemon log, at will: 100 connections opened
 * and closed, 30 failed logins, 30 sessions opened and closed, then 50
 * commands outside the CmdSN window on a session (which still works). Then
 * 11.5 s for the rate limits' interval to end, when the daemon logs how
 * many lines it suppressed.
 */
static void test_log_flood(void **state)
{
	static const uint8_t tur[16];
	uint8_t bhs[ISCSI_BHS_LEN];
	struct sess s;

	(void)state;
	for (int i = 0; i < 100; i++)
		close(wire_connect(g_port));
	for (int i = 0; i < 30; i++)
		login_unknown_target();
	for (int i = 0; i < 30; i++) {
		sess_on(&s, wire_connect(g_port), 2);
		sess_close(&s);
	}
	sess_on(&s, wire_connect(g_port), 1);
	for (int i = 0; i < 50; i++) {
		cmd_bhs(bhs, &s, ISCSI_FLAG_FINAL | ATTR_SIMPLE, 0, tur);
		bhs_set_u32(bhs, BHS_CMDSN, s.cmdsn + 1000);
		s.cmdsn--;
		send_all(s.fd, bhs, sizeof(bhs));
	}
	assert_quiet(s.fd, 300);	/* ignored, silently */
	tur_ok(&s);
	sleep_ms(11500);
	tur_ok(&s);
	sess_close(&s);
}

/* ---- fds: the daemon runs with few descriptors (prlimit --nofile) ---- */

static void test_out_of_descriptors(void **state)
{
	int fds[80], n;
	long used;
	struct sess s;

	(void)state;
	/* More connections than the daemon has descriptors: the kernel queues
	 * them, accept() fails with EMFILE. */
	for (n = 0; n < 80; n++)
		fds[n] = wire_connect(g_port);
	sleep_ms(300);
	used = cpu_ticks_during(2000);
	print_message("fds: daemon used %ld ticks of CPU in 2 s with accept() failing\n", used);
	/* A spinning loop would use all 200 ticks of the 2 s. */
	assert_true(used < 40);
	for (int i = 0; i < n; i++)
		close(fds[i]);
	/* Once descriptors are free again, accepting resumes. */
	sleep_ms(1000);
	sess_on(&s, wire_connect(g_port), 1);
	tur_ok(&s);
	sess_close(&s);
}

int main(int argc, char **argv)
{
	const struct CMUnitTest conns[] = { cmocka_unit_test(test_connection_limits) };
	const struct CMUnitTest sessions[] = { cmocka_unit_test(test_session_limit) };
	const struct CMUnitTest login[] = {
		cmocka_unit_test(test_login_timeout_silent),
		cmocka_unit_test(test_login_timeout_slowloris),
	};
	const struct CMUnitTest keepalive[] = {
		cmocka_unit_test(test_keepalive_counts_from_last_pdu),
	};
	const struct CMUnitTest memory[] = { cmocka_unit_test(test_memory_bounded) };
	const struct CMUnitTest fds[] = { cmocka_unit_test(test_out_of_descriptors) };
	const struct CMUnitTest logflood[] = { cmocka_unit_test(test_log_flood) };
	const struct CMUnitTest window[] = { cmocka_unit_test(test_window_until_sent) };
	const struct CMUnitTest immediate[] = {
		cmocka_unit_test(test_immediate_bounded),
		cmocka_unit_test(test_immediate_tmf_bounded),
		cmocka_unit_test(test_ping_data_bounded),
	};
	const char *mode;

	if (argc < 4) {
		fprintf(stderr, "usage: limits_test PORT TARGET_IQN MODE [DAEMON_PID]\n");
		return 2;
	}
	g_port = atoi(argv[1]);
	g_target = argv[2];
	mode = argv[3];
	g_pid = argc > 4 ? atoi(argv[4]) : 0;
	if (strcmp(mode, "conns") == 0)
		return cmocka_run_group_tests(conns, NULL, NULL);
	if (strcmp(mode, "sessions") == 0)
		return cmocka_run_group_tests(sessions, NULL, NULL);
	if (strcmp(mode, "login-timeout") == 0)
		return cmocka_run_group_tests(login, NULL, NULL);
	if (strcmp(mode, "keepalive") == 0)
		return cmocka_run_group_tests(keepalive, NULL, NULL);
	if (strcmp(mode, "window") == 0)
		return cmocka_run_group_tests(window, NULL, NULL);
	if (strcmp(mode, "immediate") == 0)
		return cmocka_run_group_tests(immediate, NULL, NULL);
	if (strcmp(mode, "logflood") == 0)
		return cmocka_run_group_tests(logflood, NULL, NULL);
	if (g_pid <= 0) {
		fprintf(stderr, "limits_test: mode %s needs the daemon's pid\n", mode);
		return 2;
	}
	if (strcmp(mode, "memory") == 0)
		return cmocka_run_group_tests(memory, NULL, NULL);
	if (strcmp(mode, "fds") == 0)
		return cmocka_run_group_tests(fds, NULL, NULL);
	fprintf(stderr, "limits_test: unknown mode %s\n", mode);
	return 2;
}
