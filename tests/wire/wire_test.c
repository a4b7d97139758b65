/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Wire-level tests against a running daemon: hand-built PDUs that real
 * initiators never send (bad versions, unknown targets, missing keys,
 * unknown opcodes, oversized segments, out-of-window CmdSNs, header
 * digests), each checked for the exact status class/detail, Reject reason
 * or connection close, and each followed by a normal login to prove the
 * daemon keeps serving.
 *
 * Usage: wire_test PORT TARGET_IQN   (run by tests/integration/wire.sh)
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cmocka.h>

#include "iscsi/pdu.h"
#include "tests/wire/client.h"

static int g_port;
static const char *g_target;

/* Receive one PDU into @bhs; its data (NUL terminated) into @data if given. */
static int recv_hdr(int fd, uint8_t bhs[ISCSI_BHS_LEN], char *data, size_t cap)
{
	struct rx rx = { 0 };
	int rc = recv_pdu(fd, &rx);

	if (rc == 0) {
		memcpy(bhs, rx.bhs, ISCSI_BHS_LEN);
		if (data && cap) {
			size_t n = rx.len < cap - 1 ? rx.len : cap - 1;

			memcpy(data, rx.data, n);
			data[n] = 0;
		}
	}
	rx_free(&rx);
	return rc;
}

static size_t keys(char *out, size_t cap, ...)
{
	va_list ap;
	const char *k;
	size_t len = 0;

	va_start(ap, cap);
	while ((k = va_arg(ap, const char *)) != NULL) {
		size_t n = strlen(k) + 1;

		assert_true(len + n <= cap);
		memcpy(out + len, k, n);
		len += n;
	}
	va_end(ap);
	return len;
}



/* Send a login with @data; return the response status class<<8 | detail. */
static int login_status(int fd, uint8_t flags, uint8_t version_min, const char *data, size_t len,
			uint8_t rsp[ISCSI_BHS_LEN])
{
	uint8_t bhs[ISCSI_BHS_LEN];

	login_bhs(bhs, flags, 1);
	bhs[BHS_LOGIN_VERSION_MIN] = version_min;
	send_pdu(fd, bhs, data, (uint32_t)len);
	assert_int_equal(recv_hdr(fd, rsp, NULL, 0), 0);
	assert_int_equal(bhs_opcode(rsp), ISCSI_OP_LOGIN_RSP);
	return (rsp[BHS_LOGIN_STATUS_CLASS] << 8) | rsp[BHS_LOGIN_STATUS_DETAIL];
}

/* A complete normal login; returns the connected fd in full feature phase. */
static int login_ok(const char *extra_key)
{
	char buf[1024], tn[300];
	uint8_t rsp[ISCSI_BHS_LEN];
	int fd = wire_connect(g_port);
	size_t len;

	snprintf(tn, sizeof(tn), "TargetName=%s", g_target);
	len = keys(buf, sizeof(buf), "InitiatorName=iqn.2026-11.io.ctgt:wire-test", tn,
		   "SessionType=Normal", extra_key ? extra_key : "MaxBurstLength=262144", NULL);
	assert_int_equal(login_status(fd, LOGIN_TO_FFP, 0, buf, len, rsp), 0);
	assert_true(rsp[BHS_FLAGS] & ISCSI_LOGIN_TRANSIT);
	assert_int_not_equal(get_be16(rsp + BHS_LOGIN_TSIH), 0);
	return fd;
}

/* The daemon still logs in a normal session and answers a NOP. */
static void assert_still_serving(void)
{
	int fd = login_ok(NULL);
	uint8_t bhs[ISCSI_BHS_LEN] = { 0 }, rsp[ISCSI_BHS_LEN];

	bhs[BHS_OPCODE] = ISCSI_OP_NOP_OUT | ISCSI_OP_IMMEDIATE;
	bhs[BHS_FLAGS] = ISCSI_FLAG_FINAL;
	bhs_set_u32(bhs, BHS_ITT, 7);
	bhs_set_u32(bhs, BHS_TTT, ISCSI_RSVD_TAG);
	bhs_set_u32(bhs, BHS_CMDSN, 1);
	send_pdu(fd, bhs, "ping", 4);
	assert_int_equal(recv_hdr(fd, rsp, NULL, 0), 0);
	assert_int_equal(bhs_opcode(rsp), ISCSI_OP_NOP_IN);
	assert_int_equal(bhs_u32(rsp, BHS_ITT), 7);
	close(fd);
}

/*
 * Log in with the keys given (NULL-terminated; "TARGET" stands for
 * TargetName=<the served target>) and expect the login to fail with @want
 * (class << 8 | detail), the connection to close, and the daemon to serve on.
 */
static void assert_login_fails(uint8_t flags, uint8_t version_min, int want, ...)
{
	char buf[1024], tn[300];
	uint8_t rsp[ISCSI_BHS_LEN];
	int fd = wire_connect(g_port);
	size_t len = 0;
	const char *k;
	va_list ap;

	snprintf(tn, sizeof(tn), "TargetName=%s", g_target);
	va_start(ap, want);
	while ((k = va_arg(ap, const char *)) != NULL)
		len = add_key(buf, len, sizeof(buf), strcmp(k, "TARGET") == 0 ? tn : k);
	va_end(ap);
	assert_int_equal(login_status(fd, flags, version_min, buf, len, rsp), want);
	assert_true(wait_closed(fd));
	close(fd);
	assert_still_serving();
}

#define INIT_NAME "InitiatorName=iqn.2026-11.io.ctgt:wire-test"
#define INIT_ERR(detail) ((LOGIN_CLASS_INITIATOR_ERR << 8) | (detail))

static void test_unknown_target(void **state)
{
	(void)state;
	assert_login_fails(LOGIN_TO_FFP, 0, INIT_ERR(LOGIN_DETAIL_NOT_FOUND), INIT_NAME,
			   "TargetName=iqn.2026-11.io.ctgt:no-such-target", "SessionType=Normal",
			   NULL);
}

static void test_missing_initiator_name(void **state)
{
	(void)state;
	assert_login_fails(LOGIN_TO_FFP, 0, INIT_ERR(LOGIN_DETAIL_MISSING_PARAMETER), "TARGET",
			   "SessionType=Normal", NULL);
}

static void test_missing_target_name(void **state)
{
	(void)state;
	assert_login_fails(LOGIN_TO_FFP, 0, INIT_ERR(LOGIN_DETAIL_MISSING_PARAMETER), INIT_NAME,
			   "SessionType=Normal", NULL);
}

static void test_bad_version(void **state)
{
	(void)state;
	assert_login_fails(LOGIN_TO_FFP, 5, INIT_ERR(LOGIN_DETAIL_UNSUPPORTED_VERSION), INIT_NAME,
			   "TARGET", NULL);
}

static void test_malformed_keys(void **state)
{
	(void)state;
	/* "garbage" has no '=': a syntax error, so the login fails (initiator error). */
	assert_login_fails(LOGIN_TO_FFP, 0, INIT_ERR(LOGIN_DETAIL_INIT_ERR), INIT_NAME, "garbage",
			   NULL);
}

static void test_duplicate_key(void **state)
{
	(void)state;
	assert_login_fails(LOGIN_TO_FFP, 0, INIT_ERR(LOGIN_DETAIL_INIT_ERR), INIT_NAME, "TARGET",
			   "MaxBurstLength=4096", "MaxBurstLength=8192", NULL);
}

static void test_chap_only_fails_auth(void **state)
{
	(void)state;
	/* Security stage, transit to operational. */
	assert_login_fails(ISCSI_LOGIN_TRANSIT | ISCSI_STAGE_OPERATIONAL, 0,
			   INIT_ERR(LOGIN_DETAIL_AUTH_FAILED), INIT_NAME, "TARGET", "AuthMethod=CHAP",
			   NULL);
}

static void test_bad_stage_transition(void **state)
{
	(void)state;
	/* CSG operational, NSG security: going backwards. */
	assert_login_fails(ISCSI_LOGIN_TRANSIT | (ISCSI_STAGE_OPERATIONAL << 2), 0,
			   INIT_ERR(LOGIN_DETAIL_INIT_ERR), INIT_NAME, "TARGET", NULL);
}

static void test_unknown_tsih(void **state)
{
	char buf[512], tn[300];
	uint8_t bhs[ISCSI_BHS_LEN], rsp[ISCSI_BHS_LEN];
	int fd = wire_connect(g_port);
	size_t len;

	(void)state;
	snprintf(tn, sizeof(tn), "TargetName=%s", g_target);
	len = keys(buf, sizeof(buf), "InitiatorName=iqn.2026-11.io.ctgt:wire-test", tn, NULL);
	login_bhs(bhs, LOGIN_TO_FFP, 1);
	put_be16(bhs + BHS_LOGIN_TSIH, 0x7777);	/* gotgt crashed on this */
	send_pdu(fd, bhs, buf, (uint32_t)len);
	assert_int_equal(recv_hdr(fd, rsp, NULL, 0), 0);
	assert_int_equal(rsp[BHS_LOGIN_STATUS_CLASS], LOGIN_CLASS_INITIATOR_ERR);
	assert_int_equal(rsp[BHS_LOGIN_STATUS_DETAIL], LOGIN_DETAIL_SESSION_NOT_FOUND);
	close(fd);
	assert_still_serving();
}

static void test_scsi_cmd_during_login(void **state)
{
	uint8_t bhs[ISCSI_BHS_LEN] = { 0 };
	int fd = wire_connect(g_port);

	(void)state;
	bhs[BHS_OPCODE] = ISCSI_OP_SCSI_CMD;
	bhs[BHS_FLAGS] = ISCSI_FLAG_FINAL;
	send_pdu(fd, bhs, NULL, 0);
	assert_true(wait_closed(fd));
	close(fd);
	assert_still_serving();
}

static void test_unknown_opcode_rejected(void **state)
{
	int fd = login_ok(NULL);
	uint8_t bhs[ISCSI_BHS_LEN] = { 0 }, rsp[ISCSI_BHS_LEN];
	char data[64];

	(void)state;
	bhs[BHS_OPCODE] = 0x1c | ISCSI_OP_IMMEDIATE;	/* a vendor opcode we do not know */
	bhs[BHS_FLAGS] = ISCSI_FLAG_FINAL;
	bhs_set_u32(bhs, BHS_ITT, 9);
	send_pdu(fd, bhs, "abcd", 4);
	assert_int_equal(recv_hdr(fd, rsp, data, sizeof(data)), 0);
	assert_int_equal(bhs_opcode(rsp), ISCSI_OP_REJECT);
	assert_int_equal(rsp[BHS_REJECT_REASON], REJECT_CMD_NOT_SUPPORTED);
	assert_int_equal(bhs_data_len(rsp), ISCSI_BHS_LEN);	/* the rejected header */
	/* The connection survives: a NOP still works on it. */
	memset(bhs, 0, sizeof(bhs));
	bhs[BHS_OPCODE] = ISCSI_OP_NOP_OUT | ISCSI_OP_IMMEDIATE;
	bhs[BHS_FLAGS] = ISCSI_FLAG_FINAL;
	bhs_set_u32(bhs, BHS_ITT, 10);
	bhs_set_u32(bhs, BHS_TTT, ISCSI_RSVD_TAG);
	bhs_set_u32(bhs, BHS_CMDSN, 1);
	send_pdu(fd, bhs, NULL, 0);
	assert_int_equal(recv_hdr(fd, rsp, NULL, 0), 0);
	assert_int_equal(bhs_opcode(rsp), ISCSI_OP_NOP_IN);
	close(fd);
}

/* One Text Request of a negotiation; returns its Text Response (data in @data). */
static void text_req(int fd, uint8_t flags, uint32_t itt, uint32_t cmdsn, const char *data,
		     size_t len, uint8_t rsp[ISCSI_BHS_LEN], char *out, size_t cap)
{
	uint8_t bhs[ISCSI_BHS_LEN] = { 0 };

	bhs[BHS_OPCODE] = ISCSI_OP_TEXT_REQ;
	bhs[BHS_FLAGS] = flags;
	bhs_set_u32(bhs, BHS_ITT, itt);
	bhs_set_u32(bhs, BHS_TTT, ISCSI_RSVD_TAG);
	bhs_set_u32(bhs, BHS_CMDSN, cmdsn);
	send_pdu(fd, bhs, data, (uint32_t)len);
	assert_int_equal(recv_hdr(fd, rsp, out, cap), 0);
	assert_int_equal(bhs_opcode(rsp), ISCSI_OP_TEXT_RSP);
	assert_int_equal(bhs_u32(rsp, BHS_ITT), itt);
}

/* An empty Text Request, and the first part of a C-bit sequence, get a
 * Text Response without data (found by tests/fuzz/fuzz_login: the empty
 * answer was copied from a NULL buffer); the keys of the parts add up. */
static void test_text_empty_and_continued(void **state)
{
	int fd = login_ok(NULL);
	uint8_t rsp[ISCSI_BHS_LEN];
	char out[1024], buf[256];
	size_t len;

	(void)state;
	text_req(fd, ISCSI_FLAG_FINAL, 1, 1, NULL, 0, rsp, out, sizeof(out));
	assert_int_equal(bhs_data_len(rsp), 0);
	assert_true(rsp[BHS_FLAGS] & ISCSI_FLAG_FINAL);
	len = keys(buf, sizeof(buf), "X-com.example.part=1", NULL);
	text_req(fd, ISCSI_TEXT_CONTINUE, 2, 2, buf, len, rsp, out, sizeof(out));
	assert_int_equal(bhs_data_len(rsp), 0);
	len = keys(buf, sizeof(buf), "SendTargets=All", NULL);
	text_req(fd, ISCSI_FLAG_FINAL, 2, 3, buf, len, rsp, out, sizeof(out));
	assert_true(rsp[BHS_FLAGS] & ISCSI_FLAG_FINAL);
	assert_string_equal(find_key((const uint8_t *)out, bhs_data_len(rsp), "X-com.example.part"),
			    "NotUnderstood");
	assert_non_null(find_key((const uint8_t *)out, bhs_data_len(rsp), "TargetName"));
	close(fd);
	assert_still_serving();
}

static void test_oversized_segment(void **state)
{
	int fd = login_ok(NULL);
	uint8_t bhs[ISCSI_BHS_LEN] = { 0 }, rsp[ISCSI_BHS_LEN];

	(void)state;
	bhs[BHS_OPCODE] = ISCSI_OP_NOP_OUT | ISCSI_OP_IMMEDIATE;
	bhs[BHS_FLAGS] = ISCSI_FLAG_FINAL;
	bhs_set_u32(bhs, BHS_ITT, 11);
	bhs_set_u32(bhs, BHS_TTT, ISCSI_RSVD_TAG);
	bhs_set_data_len(bhs, 0xffffff);	/* 16 MiB: far over MaxRecvDataSegmentLength */
	send_all(fd, bhs, ISCSI_BHS_LEN);
	assert_int_equal(recv_hdr(fd, rsp, NULL, 0), 0);
	assert_int_equal(bhs_opcode(rsp), ISCSI_OP_REJECT);
	assert_int_equal(rsp[BHS_REJECT_REASON], REJECT_PROTOCOL_ERROR);
	assert_true(wait_closed(fd));
	close(fd);
	assert_still_serving();
}

/* A TEST UNIT READY with the given CmdSN; returns 0 when a response came. */
static int tur(int fd, uint32_t itt, uint32_t cmdsn, uint8_t rsp[ISCSI_BHS_LEN])
{
	uint8_t bhs[ISCSI_BHS_LEN] = { 0 };

	bhs[BHS_OPCODE] = ISCSI_OP_SCSI_CMD;
	bhs[BHS_FLAGS] = ISCSI_FLAG_FINAL;
	bhs_set_u32(bhs, BHS_ITT, itt);
	bhs_set_u32(bhs, BHS_CMDSN, cmdsn);
	send_pdu(fd, bhs, NULL, 0);
	return recv_hdr(fd, rsp, NULL, 0);
}

static void test_cmdsn_window(void **state)
{
	int fd = login_ok(NULL);
	uint8_t rsp[ISCSI_BHS_LEN];
	uint32_t max;

	(void)state;
	/* First command: the unit attention of the new nexus, CmdSN 1. */
	assert_int_equal(tur(fd, 1, 1, rsp), 0);
	assert_int_equal(bhs_opcode(rsp), ISCSI_OP_SCSI_RSP);
	assert_int_equal(bhs_u32(rsp, BHS_EXPCMDSN), 2);
	max = bhs_u32(rsp, BHS_MAXCMDSN);
	assert_true(sn_lt(2, max));
	/* Beyond MaxCmdSN: silently ignored (RFC 7143 4.2.2.1). */
	{
		uint8_t bhs[ISCSI_BHS_LEN] = { 0 };
		struct pollfd pfd = { .fd = fd, .events = POLLIN };

		bhs[BHS_OPCODE] = ISCSI_OP_SCSI_CMD;
		bhs[BHS_FLAGS] = ISCSI_FLAG_FINAL;
		bhs_set_u32(bhs, BHS_ITT, 2);
		bhs_set_u32(bhs, BHS_CMDSN, max + 1);
		send_pdu(fd, bhs, NULL, 0);
		assert_int_equal(poll(&pfd, 1, 500), 0);
	}
	/* The window is unchanged: CmdSN 2 is answered. */
	assert_int_equal(tur(fd, 3, 2, rsp), 0);
	assert_int_equal(bhs_u32(rsp, BHS_ITT), 3);
	assert_int_equal(rsp[BHS_RSP_STATUS], 0);
	assert_int_equal(bhs_u32(rsp, BHS_EXPCMDSN), 3);
	close(fd);
}

static void test_header_digest(void **state)
{
	int fd = login_ok("HeaderDigest=CRC32C");
	uint8_t bhs[ISCSI_BHS_LEN] = { 0 }, rsp[ISCSI_BHS_LEN], dig[4];
	struct iovec iov = { bhs, ISCSI_BHS_LEN };

	(void)state;
	bhs[BHS_OPCODE] = ISCSI_OP_NOP_OUT | ISCSI_OP_IMMEDIATE;
	bhs[BHS_FLAGS] = ISCSI_FLAG_FINAL;
	bhs_set_u32(bhs, BHS_ITT, 12);
	bhs_set_u32(bhs, BHS_TTT, ISCSI_RSVD_TAG);
	bhs_set_u32(bhs, BHS_CMDSN, 1);
	iscsi_digest_put(dig, iscsi_crc32c(&iov, 1));
	send_all(fd, bhs, ISCSI_BHS_LEN);
	send_all(fd, dig, 4);
	assert_int_equal(recv_all(fd, rsp, ISCSI_BHS_LEN), 0);
	assert_int_equal(bhs_opcode(rsp), ISCSI_OP_NOP_IN);
	assert_int_equal(recv_all(fd, dig, 4), 0);
	iov.iov_base = rsp;
	assert_int_equal(iscsi_digest_get(dig), iscsi_crc32c(&iov, 1));
	/* A wrong digest ends the connection (ERL 0). */
	bhs_set_u32(bhs, BHS_ITT, 13);
	dig[0] ^= 0xff;
	send_all(fd, bhs, ISCSI_BHS_LEN);
	send_all(fd, dig, 4);
	assert_true(wait_closed(fd));
	close(fd);
	assert_still_serving();
}

/* Needs a daemon started with --nop-interval 1. */
static void test_keepalive_ping(void **state)
{
	int fd = login_ok(NULL);
	uint8_t rsp[ISCSI_BHS_LEN], bhs[ISCSI_BHS_LEN] = { 0 };
	uint32_t ttt, statsn;

	(void)state;
	/* Idle for the interval: a NOP-In ping arrives (ITT reserved, a real TTT). */
	assert_int_equal(recv_hdr(fd, rsp, NULL, 0), 0);
	assert_int_equal(bhs_opcode(rsp), ISCSI_OP_NOP_IN);
	assert_int_equal(bhs_u32(rsp, BHS_ITT), ISCSI_RSVD_TAG);
	ttt = bhs_u32(rsp, BHS_TTT);
	assert_int_not_equal(ttt, ISCSI_RSVD_TAG);
	statsn = bhs_u32(rsp, BHS_STATSN);
	/* Answer it: the connection lives on, and the ping took no StatSN. */
	bhs[BHS_OPCODE] = ISCSI_OP_NOP_OUT | ISCSI_OP_IMMEDIATE;
	bhs[BHS_FLAGS] = ISCSI_FLAG_FINAL;
	bhs_set_u32(bhs, BHS_ITT, ISCSI_RSVD_TAG);
	bhs_set_u32(bhs, BHS_TTT, ttt);
	bhs_set_u32(bhs, BHS_CMDSN, 1);
	send_pdu(fd, bhs, NULL, 0);
	bhs_set_u32(bhs, BHS_ITT, 5);
	bhs_set_u32(bhs, BHS_TTT, ISCSI_RSVD_TAG);
	send_pdu(fd, bhs, NULL, 0);
	assert_int_equal(recv_hdr(fd, rsp, NULL, 0), 0);
	assert_int_equal(bhs_u32(rsp, BHS_ITT), 5);
	assert_int_equal(bhs_u32(rsp, BHS_STATSN), statsn);
	/* Next ping goes unanswered: the target closes the connection. */
	assert_int_equal(recv_hdr(fd, rsp, NULL, 0), 0);
	assert_int_equal(bhs_opcode(rsp), ISCSI_OP_NOP_IN);
	assert_int_equal(bhs_u32(rsp, BHS_ITT), ISCSI_RSVD_TAG);
	assert_true(wait_closed(fd));
	close(fd);
	assert_still_serving();
}

int main(int argc, char **argv)
{
	const struct CMUnitTest keepalive[] = {
		cmocka_unit_test(test_keepalive_ping),
	};
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_unknown_target),
		cmocka_unit_test(test_missing_initiator_name),
		cmocka_unit_test(test_missing_target_name),
		cmocka_unit_test(test_bad_version),
		cmocka_unit_test(test_malformed_keys),
		cmocka_unit_test(test_duplicate_key),
		cmocka_unit_test(test_chap_only_fails_auth),
		cmocka_unit_test(test_bad_stage_transition),
		cmocka_unit_test(test_unknown_tsih),
		cmocka_unit_test(test_scsi_cmd_during_login),
		cmocka_unit_test(test_unknown_opcode_rejected),
		cmocka_unit_test(test_oversized_segment),
		cmocka_unit_test(test_text_empty_and_continued),
		cmocka_unit_test(test_cmdsn_window),
		cmocka_unit_test(test_header_digest),
	};

	if (argc != 3 && argc != 4) {
		fprintf(stderr, "usage: wire_test PORT TARGET_IQN [keepalive]\n");
		return 2;
	}
	g_port = atoi(argv[1]);
	g_target = argv[2];
	if (argc == 4)
		return cmocka_run_group_tests(keepalive, NULL, NULL);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
