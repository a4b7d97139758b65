/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Wire-level tests of the security stage (RFC 7143 section 12.1.3) for what
 * libiscsi cannot produce: the strongest CHAP_A chosen, a CHAP exchange
 * completed by hand into full feature phase, and each refusal with status
 * 0201 and a closed connection (wrong response, response of the wrong
 * length, no supported algorithm, a reflected challenge, a malformed
 * CHAP_I, the security stage skipped), then the slow-down of repeated
 * failures, measured, while another client is served at full speed, and a
 * request sent during that wait; a login refused by the access rules
 * (0202); InitiatorName/TargetName values that are not iSCSI names (0200,
 * 0203).
 *
 * Every test connects from its own loopback address (127.0.0.N), so the
 * failures of one do not slow the next one down.
 *
 * Usage: auth_test PORT CHAP_IQN OPEN_IQN ACL_IQN (run by
 * tests/integration/wire.sh). The CHAP target takes alice / alicesecret12,
 * mutual tgt / targetsecret99; the ACL target admits 127.0.0.13 only.
 */
#include <arpa/inet.h>
#include <netinet/in.h>
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

#include "iscsi/chap.h"
#include "iscsi/pdu.h"
#include "tests/wire/session.h"

#define USER	"alice"
#define SECRET	"alicesecret12"

/* Security stage, transit to the operational stage. */
#define SEC_TO_OP (ISCSI_LOGIN_TRANSIT | (ISCSI_STAGE_SECURITY << 2) | ISCSI_STAGE_OPERATIONAL)

static int g_port;
static const char *g_chap, *g_open, *g_acl;



/* One Login Request in the security stage holding @keys; the response in @rx. */
static void sec_step(int fd, const char *keys, size_t len, struct rx *rx)
{
	uint8_t bhs[ISCSI_BHS_LEN];

	login_bhs(bhs, SEC_TO_OP, 1);
	send_pdu(fd, bhs, keys, (uint32_t)len);
	expect_pdu(fd, rx, ISCSI_OP_LOGIN_RSP);
}

static void expect_status(const struct rx *rx, uint8_t cls, uint8_t detail)
{
	assert_int_equal(rx->bhs[BHS_LOGIN_STATUS_CLASS], cls);
	assert_int_equal(rx->bhs[BHS_LOGIN_STATUS_DETAIL], detail);
}

static void expect_auth_failure(int fd, const struct rx *rx)
{
	expect_status(rx, LOGIN_CLASS_INITIATOR_ERR, LOGIN_DETAIL_AUTH_FAILED);
	assert_true(wait_closed(fd));
}

/*
 * Open a CHAP login as @initiator from @src: the AuthMethod request, then
 * CHAP_A=@algs. Returns the socket with the challenge in @rx (id, bytes).
 */
static int chap_begin(const char *src, const char *initiator, const char *algs, struct rx *rx)
{
	char keys[512], a[64];
	size_t n;
	int fd = wire_connect_from(g_port, src);

	n = login_keys(keys, sizeof(keys), initiator, g_chap, "AuthMethod=CHAP,None", NULL);
	sec_step(fd, keys, n, rx);
	expect_status(rx, 0, 0);
	assert_string_equal(find_key(rx->data, rx->len, "AuthMethod"), "CHAP");
	/* No stage change before CHAP is done, though we asked for one. */
	assert_int_equal(rx->bhs[BHS_FLAGS] & ISCSI_LOGIN_TRANSIT, 0);
	n = (size_t)snprintf(a, sizeof(a), "CHAP_A=%s", algs) + 1;
	sec_step(fd, a, n, rx);
	return fd;
}

/* The response to the challenge in @rx with @secret, as "0x..." in @out. */
static int respond(const struct rx *rx, const char *secret, char *out, size_t cap)
{
	const char *ci = find_key(rx->data, rx->len, "CHAP_I");
	const char *cc = find_key(rx->data, rx->len, "CHAP_C");
	int alg = atoi(find_key(rx->data, rx->len, "CHAP_A"));
	uint8_t chal[CHAP_PEER_CHALLENGE_MAX], d[CHAP_DIGEST_MAX];
	long cl;

	assert_non_null(ci);
	assert_non_null(cc);
	cl = chap_decode(cc, chal, sizeof(chal));
	assert_int_equal(cl, CHAP_CHALLENGE_LEN);
	assert_int_equal(chap_digest(alg, (uint8_t)atoi(ci), (const unsigned char *)secret,
				     strlen(secret), chal, (size_t)cl, d), 0);
	assert_true(cap > 2 * chap_digest_len(alg) + 3);
	strcpy(out, "0x");
	for (size_t i = 0; i < chap_digest_len(alg); i++)
		sprintf(out + 2 + 2 * i, "%02x", d[i]);
	return alg;
}

/* Send CHAP_N/CHAP_R (and @extra, \0-joined, @elen bytes); answer in @rx. */
static void chap_answer(int fd, const char *name, const char *r, const char *extra, size_t elen,
			struct rx *rx)
{
	char keys[2048];
	size_t n = (size_t)snprintf(keys, sizeof(keys), "CHAP_N=%s", name) + 1;

	n += (size_t)snprintf(keys + n, sizeof(keys) - n, "CHAP_R=%s", r) + 1;
	memcpy(keys + n, extra, elen);
	sec_step(fd, keys, n + elen, rx);
}

/* After the security stage: the operational stage into full feature phase. */
static void finish_login(int fd)
{
	uint8_t bhs[ISCSI_BHS_LEN];
	struct rx rx = { 0 };

	login_bhs(bhs, LOGIN_TO_FFP, 1);
	send_pdu(fd, bhs, "", 0);
	expect_pdu(fd, &rx, ISCSI_OP_LOGIN_RSP);
	expect_status(&rx, 0, 0);
	assert_int_equal(rx.bhs[BHS_FLAGS] & 3, ISCSI_STAGE_FULL_FEATURE);
	rx_free(&rx);
}

static void test_strongest_and_success(void **state)
{
	struct rx rx = { 0 };
	char r[128];
	int fd;

	(void)state;
	fd = chap_begin("127.0.0.2", "iqn.2026-11.io.ctgt:auth-ok", "5,7,6", &rx);
	expect_status(&rx, 0, 0);
	assert_string_equal(find_key(rx.data, rx.len, "CHAP_A"), "7");
	assert_int_equal(rx.bhs[BHS_FLAGS] & ISCSI_LOGIN_TRANSIT, 0);
	respond(&rx, SECRET, r, sizeof(r));
	chap_answer(fd, USER, r, "", 0, &rx);
	expect_status(&rx, 0, 0);
	/* Authenticated: now the target goes to the operational stage. */
	assert_true(rx.bhs[BHS_FLAGS] & ISCSI_LOGIN_TRANSIT);
	assert_int_equal(rx.bhs[BHS_FLAGS] & 3, ISCSI_STAGE_OPERATIONAL);
	assert_null(find_key(rx.data, rx.len, "CHAP_R"));	/* not mutual */
	finish_login(fd);
	close(fd);
	rx_free(&rx);

	fd = chap_begin("127.0.0.2", "iqn.2026-11.io.ctgt:auth-ok", "8", &rx);
	assert_string_equal(find_key(rx.data, rx.len, "CHAP_A"), "8");
	close(fd);
	rx_free(&rx);
}

static void test_mutual_success(void **state)
{
	static const char mutual[] = "CHAP_I=9\0CHAP_C=0x0123456789abcdef0123456789abcdef";
	uint8_t chal[16], want[CHAP_DIGEST_MAX], got[CHAP_DIGEST_MAX];
	struct rx rx = { 0 };
	char r[128];
	int fd, alg;

	(void)state;
	fd = chap_begin("127.0.0.3", "iqn.2026-11.io.ctgt:auth-mutual", "6", &rx);
	alg = respond(&rx, SECRET, r, sizeof(r));
	chap_answer(fd, USER, r, mutual, sizeof(mutual), &rx);
	expect_status(&rx, 0, 0);
	assert_string_equal(find_key(rx.data, rx.len, "CHAP_N"), "tgt");
	assert_int_equal(chap_decode("0x0123456789abcdef0123456789abcdef", chal, sizeof(chal)), 16);
	chap_digest(alg, 9, (const unsigned char *)"targetsecret99", 14, chal, 16, want);
	assert_int_equal(chap_decode(find_key(rx.data, rx.len, "CHAP_R"), got, sizeof(got)), 20);
	assert_memory_equal(got, want, 20);
	finish_login(fd);
	close(fd);
	rx_free(&rx);
}

static void test_wrong_response(void **state)
{
	struct rx rx = { 0 };
	char r[128];
	int fd;

	(void)state;
	fd = chap_begin("127.0.0.4", "iqn.2026-11.io.ctgt:auth-wrong", "5", &rx);
	respond(&rx, "alicesecret13", r, sizeof(r));
	chap_answer(fd, USER, r, "", 0, &rx);
	expect_auth_failure(fd, &rx);
	close(fd);
	rx_free(&rx);
}

static void test_wrong_length(void **state)
{
	struct rx rx = { 0 };
	char r[128];
	int fd;

	(void)state;
	/* MD5 chosen; a 20-byte (SHA-1 sized) response is refused. */
	fd = chap_begin("127.0.0.5", "iqn.2026-11.io.ctgt:auth-len", "5", &rx);
	respond(&rx, SECRET, r, sizeof(r));
	strcat(r, "00000000");
	chap_answer(fd, USER, r, "", 0, &rx);
	expect_auth_failure(fd, &rx);
	close(fd);
	rx_free(&rx);
}

static void test_unsupported_algorithms(void **state)
{
	struct rx rx = { 0 };
	int fd;

	(void)state;
	fd = chap_begin("127.0.0.6", "iqn.2026-11.io.ctgt:auth-alg", "1,2,128", &rx);
	expect_auth_failure(fd, &rx);
	close(fd);
	rx_free(&rx);
}

static void test_reflection(void **state)
{
	struct rx rx = { 0 };
	char r[128], extra[200];
	size_t el;
	int fd;

	(void)state;
	fd = chap_begin("127.0.0.7", "iqn.2026-11.io.ctgt:auth-reflect", "5", &rx);
	respond(&rx, SECRET, r, sizeof(r));
	el = (size_t)snprintf(extra, sizeof(extra), "CHAP_I=%s%cCHAP_C=%s",
			      find_key(rx.data, rx.len, "CHAP_I"), 0,
			      find_key(rx.data, rx.len, "CHAP_C")) + 1;
	chap_answer(fd, USER, r, extra, el, &rx);
	expect_auth_failure(fd, &rx);
	assert_null(find_key(rx.data, rx.len, "CHAP_R"));	/* nothing computed for it */
	close(fd);
	rx_free(&rx);
}

static void test_bad_chap_i(void **state)
{
	static const char extra[] = "CHAP_I=300\0CHAP_C=0x0102030405060708";
	struct rx rx = { 0 };
	char r[128];
	int fd;

	(void)state;
	fd = chap_begin("127.0.0.8", "iqn.2026-11.io.ctgt:auth-id", "5", &rx);
	respond(&rx, SECRET, r, sizeof(r));
	chap_answer(fd, USER, r, extra, sizeof(extra), &rx);
	expect_auth_failure(fd, &rx);
	close(fd);
	rx_free(&rx);
}

/* Straight to the operational stage, or AuthMethod=None: both refused. */
static void test_security_skipped(void **state)
{
	uint8_t bhs[ISCSI_BHS_LEN];
	struct rx rx = { 0 };
	char keys[512];
	size_t n;
	int fd;

	(void)state;
	fd = wire_connect_from(g_port, "127.0.0.9");
	n = login_keys(keys, sizeof(keys), "iqn.2026-11.io.ctgt:auth-skip", g_chap, NULL);
	login_bhs(bhs, LOGIN_TO_FFP, 1);
	send_pdu(fd, bhs, keys, (uint32_t)n);
	expect_pdu(fd, &rx, ISCSI_OP_LOGIN_RSP);
	expect_auth_failure(fd, &rx);
	close(fd);

	fd = wire_connect_from(g_port, "127.0.0.9");
	n = login_keys(keys, sizeof(keys), "iqn.2026-11.io.ctgt:auth-skip", g_chap,
		       "AuthMethod=None", NULL);
	sec_step(fd, keys, n, &rx);
	expect_auth_failure(fd, &rx);
	close(fd);
	rx_free(&rx);
}

/*
 * Found by fuzz_login: a first request whose last pair, TargetName, lacks
 * its NUL. The security stage looked the names up among terminated pairs
 * only and chose no credentials, while the negotiation took the name: the
 * initiator then left the security stage of a CHAP target without CHAP.
 * Such data is malformed (RFC 7143 section 6.1): 0200, closed, every time.
 */
static void test_unterminated_last_key(void **state)
{
	/* The keys in a request that stays in the security stage, then in
	 * one that leaves it for the operational stage. */
	static const uint8_t flags[] = { ISCSI_STAGE_SECURITY << 2, SEC_TO_OP };
	uint8_t bhs[ISCSI_BHS_LEN];
	struct rx rx = { 0 };
	char keys[512];
	int n;
	int fd;

	(void)state;
	n = snprintf(keys, sizeof(keys), "InitiatorName=iqn.2026-11.io.ctgt:unterminated%cTargetName=%s",
		     0, g_chap);
	for (size_t i = 0; i < sizeof(flags); i++) {
		fd = wire_connect_from(g_port, "127.0.0.15");
		login_bhs(bhs, flags[i], 1);
		send_pdu(fd, bhs, keys, (uint32_t)n);	/* no final NUL */
		expect_pdu(fd, &rx, ISCSI_OP_LOGIN_RSP);
		expect_status(&rx, LOGIN_CLASS_INITIATOR_ERR, LOGIN_DETAIL_INIT_ERR);
		assert_true(wait_closed(fd));
		close(fd);
	}
	rx_free(&rx);
}

/* One wrong response from @src as @name; returns how long its answer took. */
static uint64_t timed_failure(const char *src, const char *name)
{
	struct rx rx = { 0 };
	char r[128];
	uint64_t t0;
	int fd = chap_begin(src, name, "5", &rx);

	respond(&rx, "alicesecret13", r, sizeof(r));
	t0 = wire_now_ms();
	chap_answer(fd, USER, r, "", 0, &rx);
	t0 = wire_now_ms() - t0;
	expect_auth_failure(fd, &rx);
	close(fd);
	rx_free(&rx);
	return t0;
}

static void test_failures_slowed_down(void **state)
{
	struct sess s;
	uint64_t t;

	(void)state;
	t = timed_failure("127.0.0.10", "iqn.2026-11.io.ctgt:auth-slow");
	assert_true(t < 500);		/* the first failure: at once */
	t = timed_failure("127.0.0.10", "iqn.2026-11.io.ctgt:auth-slow");
	assert_true(t >= 950 && t < 1800);	/* then 1 s */
	/* Same name, another address: the name counts too (2 s now). While
	 * that answer is held, another client logs in at full speed. */
	{
		struct rx rx = { 0 };
		char r[128];
		uint64_t t0, t1;
		int fd = chap_begin("127.0.0.11", "iqn.2026-11.io.ctgt:auth-slow", "5", &rx);

		respond(&rx, "alicesecret13", r, sizeof(r));
		t0 = wire_now_ms();
		{
			char keys[2048];
			size_t n = (size_t)snprintf(keys, sizeof(keys), "CHAP_N=%s", USER) + 1;
			uint8_t bhs[ISCSI_BHS_LEN];

			n += (size_t)snprintf(keys + n, sizeof(keys) - n, "CHAP_R=%s", r) + 1;
			login_bhs(bhs, SEC_TO_OP, 1);
			send_pdu(fd, bhs, keys, (uint32_t)n);
		}
		t1 = wire_now_ms();
		sess_login(&s, g_port, 3, "iqn.2026-11.io.ctgt:auth-bystander", g_open, NULL);
		sess_clear_ua(&s, 0);
		assert_true(wire_now_ms() - t1 < 500);
		sess_close(&s);
		expect_pdu(fd, &rx, ISCSI_OP_LOGIN_RSP);
		t = wire_now_ms() - t0;
		expect_auth_failure(fd, &rx);
		assert_true(t >= 1950 && t < 3000);
		close(fd);
		rx_free(&rx);
	}
}

/* While a CHAP answer is held, another Login Request closes the connection
 * (the initiator must wait for the answer): no response at all. */
static void test_request_during_hold(void **state)
{
	uint8_t bhs[ISCSI_BHS_LEN];
	struct rx rx = { 0 };
	char r[128], keys[512];
	size_t n;
	int fd;

	(void)state;
	timed_failure("127.0.0.14", "iqn.2026-11.io.ctgt:auth-impatient");		/* one failure: the next answer waits 1 s */
	fd = chap_begin("127.0.0.14", "iqn.2026-11.io.ctgt:auth-impatient", "5", &rx);
	respond(&rx, SECRET, r, sizeof(r));
	n = (size_t)snprintf(keys, sizeof(keys), "CHAP_N=%s", USER) + 1;
	n += (size_t)snprintf(keys + n, sizeof(keys) - n, "CHAP_R=%s", r) + 1;
	login_bhs(bhs, SEC_TO_OP, 1);
	send_pdu(fd, bhs, keys, (uint32_t)n);
	send_pdu(fd, bhs, keys, (uint32_t)n);	/* again, without waiting */
	assert_int_equal(recv_pdu(fd, &rx), -1);	/* closed, nothing sent */
	close(fd);
	rx_free(&rx);
}

/* One leading login to @target (NULL: discovery) as @initiator from @src: its status. */
static void login_status_from(const char *src, const char *initiator, const char *target,
			      uint8_t cls, uint8_t detail)
{
	uint8_t bhs[ISCSI_BHS_LEN];
	struct rx rx = { 0 };
	char keys[1024];
	size_t n = login_keys(keys, sizeof(keys), initiator, target, NULL);
	int fd = wire_connect_from(g_port, src);

	login_bhs(bhs, LOGIN_TO_FFP, 1);
	send_pdu(fd, bhs, keys, (uint32_t)n);
	expect_pdu(fd, &rx, ISCSI_OP_LOGIN_RSP);
	expect_status(&rx, cls, detail);
	if (cls)
		assert_true(wait_closed(fd));
	close(fd);
	rx_free(&rx);
}

static void login_status(const char *initiator, const char *target, uint8_t cls, uint8_t detail)
{
	login_status_from("127.0.0.12", initiator, target, cls, detail);
}

/* The access target admits 127.0.0.13 only: 0202 from anywhere else. */
static void test_access_rules(void **state)
{
	(void)state;
	login_status_from("127.0.0.13", "iqn.2026-11.io.ctgt:acl", g_acl, 0, 0);
	login_status_from("127.0.0.12", "iqn.2026-11.io.ctgt:acl", g_acl,
			  LOGIN_CLASS_INITIATOR_ERR, LOGIN_DETAIL_FORBIDDEN);
}

/* RFC 7143 4.2.7: names that are not iqn./eui./naa. names are refused. */
static void test_bad_names(void **state)
{
	char longname[300];

	(void)state;
	/* Control bytes and non-ASCII (the log shows them escaped, wire.sh checks). */
	login_status("iqn.2026-11.io.ctgt:bad\x01\x1b[31mname\xc3\xa9", g_open,
		     LOGIN_CLASS_INITIATOR_ERR, LOGIN_DETAIL_INIT_ERR);
	login_status("iqn.2026-11.io.ctgt:has space", g_open, LOGIN_CLASS_INITIATOR_ERR,
		     LOGIN_DETAIL_INIT_ERR);
	login_status("initiator", g_open, LOGIN_CLASS_INITIATOR_ERR, LOGIN_DETAIL_INIT_ERR);
	login_status("eui.0123", g_open, LOGIN_CLASS_INITIATOR_ERR, LOGIN_DETAIL_INIT_ERR);
	login_status("naa.0123456789abcdef0", g_open, LOGIN_CLASS_INITIATOR_ERR,
		     LOGIN_DETAIL_INIT_ERR);
	login_status("iqn.2026-11.io.ctgt:ok", "disk0", LOGIN_CLASS_INITIATOR_ERR,
		     LOGIN_DETAIL_NOT_FOUND);
	/* Discovery checks the initiator's name too. */
	login_status("iqn.2026-11.io.ctgt:under_score", NULL, LOGIN_CLASS_INITIATOR_ERR,
		     LOGIN_DETAIL_INIT_ERR);
	/* 223 bytes are fine, 224 are not. */
	memset(longname, 'a', sizeof(longname));
	memcpy(longname, "iqn.2026-11.io.ctgt:", 20);
	longname[223] = '\0';
	login_status(longname, g_open, 0, 0);
	/* Valid names of every kind, upper-case hex included. */
	login_status("eui.02004567A425678D", g_open, 0, 0);
	login_status("naa.52004567BA64678D", g_open, 0, 0);
	login_status("naa.6001405abcdef0123456789abcdef012", g_open, 0, 0);
	login_status("iqn.1991-05.com.microsoft:win-host", NULL, 0, 0);
}

int main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_strongest_and_success),
		cmocka_unit_test(test_mutual_success),
		cmocka_unit_test(test_wrong_response),
		cmocka_unit_test(test_wrong_length),
		cmocka_unit_test(test_unsupported_algorithms),
		cmocka_unit_test(test_reflection),
		cmocka_unit_test(test_bad_chap_i),
		cmocka_unit_test(test_security_skipped),
		cmocka_unit_test(test_unterminated_last_key),
		cmocka_unit_test(test_failures_slowed_down),
		cmocka_unit_test(test_request_during_hold),
		cmocka_unit_test(test_access_rules),
		cmocka_unit_test(test_bad_names),
	};

	if (argc < 5) {
		fprintf(stderr, "usage: auth_test PORT CHAP_IQN OPEN_IQN ACL_IQN [TEST]\n");
		return 2;
	}
	g_port = atoi(argv[1]);
	g_chap = argv[2];
	g_open = argv[3];
	g_acl = argv[4];
	if (argc > 5)
		cmocka_set_test_filter(argv[5]);	/* one test (a glob) */
	return cmocka_run_group_tests(tests, NULL, NULL);
}
