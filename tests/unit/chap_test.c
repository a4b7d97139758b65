/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Unit tests for iscsi/chap.c: known answers for every CHAP_A, and the
 * target side of the exchange (algorithm choice, encodings, wrong and
 * malformed responses, mutual CHAP, reflection).
 *
 * The expected digests were computed independently with OpenSSL's command
 * line: for id 0x2a, secret "alicesecret12" and the challenge 00 01 .. 1f,
 *   python3 -c "import sys; sys.stdout.buffer.write(bytes([0x2a]) +
 *       b'alicesecret12' + bytes(range(32)))" | openssl dgst -md5
 * (and -sha1, -sha256, -sha3-256); for the mutual answer, id 7, secret
 * "targetsecret99" and sixteen 0xaa bytes, with -sha256.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <openssl/evp.h>

#include "iscsi/chap.h"

static const char *const kat_hex[] = {
	[CHAP_ALG_MD5] = "6f615f1403e0587cc7f26d447d796197",
	[CHAP_ALG_SHA1] = "d844332216a27243dfc4044fbc71fae2f5ae3558",
	[CHAP_ALG_SHA256] = "b5aed0eb5797426a4a0dfb9ef64f1722f26d68f587a055ce3191dcf4557fe7a5",
	[CHAP_ALG_SHA3_256] = "0bd5a4dfa9aeb8a6a7b2aa1acabe354d9eff6abeac2731256f669d9ad53c2321",
};

static void to_hex(const uint8_t *b, size_t n, char *out)
{
	for (size_t i = 0; i < n; i++)
		sprintf(out + 2 * i, "%02x", b[i]);
}

static void test_known_answers(void **state)
{
	uint8_t chal[32], out[CHAP_DIGEST_MAX];
	char hex[2 * CHAP_DIGEST_MAX + 1];

	(void)state;
	for (int i = 0; i < 32; i++)
		chal[i] = (uint8_t)i;
	for (int alg = CHAP_ALG_MD5; alg <= CHAP_ALG_SHA3_256; alg++) {
		size_t dl = chap_digest_len(alg);

		assert_int_equal(dl * 2, strlen(kat_hex[alg]));
		assert_int_equal(chap_digest(alg, 0x2a, (const unsigned char *)"alicesecret12", 13,
					     chal, sizeof(chal), out), 0);
		to_hex(out, dl, hex);
		assert_string_equal(hex, kat_hex[alg]);
	}
	assert_int_equal(chap_digest_len(4), 0);
	assert_int_equal(chap_digest(9, 0, NULL, 0, chal, 1, out), -1);
}

static void test_decode(void **state)
{
	uint8_t b[8];

	(void)state;
	assert_int_equal(chap_decode("0x0102ff", b, sizeof(b)), 3);
	assert_int_equal(b[2], 0xff);
	assert_int_equal(chap_decode("0X1ab", b, sizeof(b)), 2);	/* odd: 01 ab */
	assert_int_equal(b[0], 0x01);
	assert_int_equal(b[1], 0xab);
	assert_int_equal(chap_decode("0bAQL/", b, sizeof(b)), 3);	/* 01 02 ff */
	assert_int_equal(b[2], 0xff);
	assert_int_equal(chap_decode("0bAQI=", b, sizeof(b)), 2);
	assert_int_equal(chap_decode("0bAQ==", b, sizeof(b)), 1);
	assert_int_equal(chap_decode("0x", b, sizeof(b)), -1);
	assert_int_equal(chap_decode("0xzz", b, sizeof(b)), -1);
	assert_int_equal(chap_decode("0bAQ=", b, sizeof(b)), -1);	/* not a multiple of 4 */
	assert_int_equal(chap_decode("0bA=QI", b, sizeof(b)), -1);	/* '=' inside */
	assert_int_equal(chap_decode("0b!!!!", b, sizeof(b)), -1);
	assert_int_equal(chap_decode("1234", b, sizeof(b)), -1);	/* no prefix */
	assert_int_equal(chap_decode("0x000102030405060708", b, sizeof(b)), -1); /* 9 > 8 */
}

static void test_cred_set(void **state)
{
	struct chap_cred c;

	(void)state;
	assert_null(chap_cred_set(&c, "alice", "123456789012"));
	assert_int_equal(c.secret_len, 12);
	assert_non_null(chap_cred_set(&c, "alice", "12345678901"));
	assert_non_null(chap_cred_set(&c, "", "123456789012"));
	chap_cred_wipe(&c);
	assert_int_equal(c.secret_len, 0);
}

/* ---- the exchange ------------------------------------------------------------- */

struct ex {
	struct chap_cred ini, tgt;
	struct chap chap;
	struct kvbuf out;
	const char *why;
};

static int setup(void **state)
{
	struct ex *e = calloc(1, sizeof(*e));

	assert_non_null(e);
	assert_null(chap_cred_set(&e->ini, "alice", "alicesecret12"));
	assert_null(chap_cred_set(&e->tgt, "tgt", "targetsecret99"));
	chap_init(&e->chap, &e->ini, &e->tgt);
	*state = e;
	return 0;
}

static int teardown(void **state)
{
	struct ex *e = *state;

	kv_free(&e->out);
	free(e);
	return 0;
}

/* Feed @keys (joined with \0, @len bytes); fresh output each time. */
static enum chap_rc feed(struct ex *e, const char *keys, size_t len)
{
	kv_free(&e->out);
	return chap_step(&e->chap, keys, len, &e->out, &e->why);
}

#define FEED(e, lit) feed(e, lit, sizeof(lit))

/* Offer @alist and return the algorithm the target chose. */
static int challenge(struct ex *e, const char *alist)
{
	char req[64];
	int n = snprintf(req, sizeof(req), "CHAP_A=%s", alist);
	const char *a;

	assert_int_equal(feed(e, req, (size_t)n + 1), CHAP_CONTINUE);
	a = kv_find(e->out.data, e->out.len, "CHAP_A");
	assert_non_null(a);
	assert_non_null(kv_find(e->out.data, e->out.len, "CHAP_I"));
	assert_non_null(kv_find(e->out.data, e->out.len, "CHAP_C"));
	return atoi(a);
}

/* The correct response to the challenge in e->out, hex or base64. */
static void response(struct ex *e, const char *secret, bool b64, char *buf, size_t cap)
{
	uint8_t chal[CHAP_CHALLENGE_LEN], d[CHAP_DIGEST_MAX];
	const char *c = kv_find(e->out.data, e->out.len, "CHAP_C");
	int id = atoi(kv_find(e->out.data, e->out.len, "CHAP_I"));
	size_t dl = chap_digest_len(e->chap.alg);

	assert_int_equal(chap_decode(c, chal, sizeof(chal)), CHAP_CHALLENGE_LEN);
	assert_int_equal(chap_digest(e->chap.alg, (uint8_t)id, (const unsigned char *)secret,
				     strlen(secret), chal, sizeof(chal), d), 0);
	assert_true(cap > 2 * dl + 3);
	buf[0] = '0';
	buf[1] = b64 ? 'b' : 'x';
	if (b64)
		EVP_EncodeBlock((unsigned char *)buf + 2, d, (int)dl);
	else
		to_hex(d, dl, buf + 2);
}

/* "CHAP_N=@n\0CHAP_R=@r\0" plus @extra (already \0-joined) into @req. */
static size_t answer(char *req, size_t cap, const char *n, const char *r, const char *extra,
		     size_t elen)
{
	size_t len = (size_t)snprintf(req, cap, "CHAP_N=%s", n) + 1;

	len += (size_t)snprintf(req + len, cap - len, "CHAP_R=%s", r) + 1;
	memcpy(req + len, extra, elen);
	return len + elen;
}

static void test_picks_strongest(void **state)
{
	struct ex *e = *state;

	assert_int_equal(challenge(e, "5,6,7,8"), 8);
	chap_init(&e->chap, &e->ini, NULL);
	assert_int_equal(challenge(e, "5,7"), 7);
	chap_init(&e->chap, &e->ini, NULL);
	assert_int_equal(challenge(e, "99,6,5"), 6);
	chap_init(&e->chap, &e->ini, NULL);
	assert_int_equal(challenge(e, "5"), 5);
	/* Our challenge is 32 bytes, hex encoded. */
	assert_int_equal(strlen(kv_find(e->out.data, e->out.len, "CHAP_C")), 2 + 64);
}

static void test_unsupported_algorithms(void **state)
{
	struct ex *e = *state;

	assert_int_equal(FEED(e, "CHAP_A=1,2,70"), CHAP_FAIL);
	assert_non_null(e->why);
	assert_int_equal(e->out.len, 0);
}

static void test_one_way(void **state)
{
	struct ex *e = *state;
	char r[128], req[512];

	/* A request without CHAP keys (the AuthMethod one) just continues. */
	assert_int_equal(FEED(e, "AuthMethod=CHAP"), CHAP_CONTINUE);
	assert_int_equal(e->out.len, 0);
	challenge(e, "5");
	response(e, "alicesecret12", false, r, sizeof(r));
	assert_int_equal(feed(e, req, answer(req, sizeof(req), "alice", r, "", 0)), CHAP_SUCCESS);
	assert_int_equal(e->out.len, 0);	/* no mutual answer asked for */
	assert_int_equal(e->chap.state, CHAP_DONE);
}

static void test_base64_response(void **state)
{
	struct ex *e = *state;
	char r[128], req[512];

	challenge(e, "7");
	response(e, "alicesecret12", true, r, sizeof(r));
	assert_int_equal(feed(e, req, answer(req, sizeof(req), "alice", r, "", 0)), CHAP_SUCCESS);
}

static void test_wrong_responses(void **state)
{
	struct ex *e = *state;
	char r[128], req[512];

	challenge(e, "5");
	response(e, "alicesecret13", false, r, sizeof(r));
	assert_int_equal(feed(e, req, answer(req, sizeof(req), "alice", r, "", 0)), CHAP_FAIL);
	assert_string_equal(e->why, "wrong CHAP_N or CHAP_R");

	/* Right secret, wrong name. */
	chap_init(&e->chap, &e->ini, NULL);
	challenge(e, "5");
	response(e, "alicesecret12", false, r, sizeof(r));
	assert_int_equal(feed(e, req, answer(req, sizeof(req), "alic", r, "", 0)), CHAP_FAIL);

	/* One byte short, one byte long. */
	chap_init(&e->chap, &e->ini, NULL);
	challenge(e, "5");
	response(e, "alicesecret12", false, r, sizeof(r));
	r[strlen(r) - 2] = '\0';
	assert_int_equal(feed(e, req, answer(req, sizeof(req), "alice", r, "", 0)), CHAP_FAIL);
	assert_string_equal(e->why, "CHAP_R malformed or of the wrong length");
	chap_init(&e->chap, &e->ini, NULL);
	challenge(e, "5");
	response(e, "alicesecret12", false, r, sizeof(r));
	strcat(r, "00");
	assert_int_equal(feed(e, req, answer(req, sizeof(req), "alice", r, "", 0)), CHAP_FAIL);

	/* A failed exchange stays failed. */
	assert_int_equal(feed(e, req, answer(req, sizeof(req), "alice", r, "", 0)), CHAP_FAIL);
	/* CHAP_R without CHAP_N, and a response before any challenge. */
	chap_init(&e->chap, &e->ini, NULL);
	challenge(e, "5");
	assert_int_equal(FEED(e, "CHAP_R=0x00"), CHAP_FAIL);
	chap_init(&e->chap, &e->ini, NULL);
	assert_int_equal(FEED(e, "CHAP_N=alice\0CHAP_R=0x00"), CHAP_FAIL);
}

static void test_mutual(void **state)
{
	struct ex *e = *state;
	static const char mutual[] = "CHAP_I=7\0CHAP_C=0xaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa";
	char r[128], req[512];

	challenge(e, "7");
	response(e, "alicesecret12", false, r, sizeof(r));
	assert_int_equal(feed(e, req, answer(req, sizeof(req), "alice", r, mutual, sizeof(mutual))),
			 CHAP_SUCCESS);
	assert_string_equal(kv_find(e->out.data, e->out.len, "CHAP_N"), "tgt");
	assert_string_equal(kv_find(e->out.data, e->out.len, "CHAP_R"),
			    "0xaa457df58933a7f7f749640e0aa1cd11c6bcbaa1797539fcad0aa3d4494a6833");
}

static void test_mutual_refused(void **state)
{
	struct ex *e = *state;
	char r[128], req[512], extra[160];
	size_t el;

	/* Reflection: our own challenge sent back to us. */
	challenge(e, "5");
	el = (size_t)snprintf(extra, sizeof(extra), "CHAP_I=1%cCHAP_C=%s", 0,
			      kv_find(e->out.data, e->out.len, "CHAP_C")) + 1;
	response(e, "alicesecret12", false, r, sizeof(r));
	assert_int_equal(feed(e, req, answer(req, sizeof(req), "alice", r, extra, el)), CHAP_FAIL);
	assert_string_equal(e->why, "CHAP_C equals our own challenge (reflection)");

	/* CHAP_I out of range or malformed, CHAP_I without CHAP_C. */
	static const char *const bad[] = { "CHAP_I=256", "CHAP_I=-1", "CHAP_I=x", "CHAP_I=01" };
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		chap_init(&e->chap, &e->ini, &e->tgt);
		challenge(e, "5");
		response(e, "alicesecret12", false, r, sizeof(r));
		el = (size_t)snprintf(extra, sizeof(extra), "%s%cCHAP_C=0x0102", bad[i], 0) + 1;
		assert_int_equal(feed(e, req, answer(req, sizeof(req), "alice", r, extra, el)),
				 CHAP_FAIL);
		assert_string_equal(e->why, "malformed CHAP_I");
	}
	chap_init(&e->chap, &e->ini, &e->tgt);
	challenge(e, "5");
	response(e, "alicesecret12", false, r, sizeof(r));
	assert_int_equal(feed(e, req, answer(req, sizeof(req), "alice", r, "CHAP_I=3", 9)),
			 CHAP_FAIL);

	/* Mutual asked of a target without credentials of its own. */
	chap_init(&e->chap, &e->ini, NULL);
	challenge(e, "5");
	response(e, "alicesecret12", false, r, sizeof(r));
	el = (size_t)snprintf(extra, sizeof(extra), "CHAP_I=3%cCHAP_C=0x0102", 0) + 1;
	assert_int_equal(feed(e, req, answer(req, sizeof(req), "alice", r, extra, el)), CHAP_FAIL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_known_answers),
		cmocka_unit_test(test_decode),
		cmocka_unit_test(test_cred_set),
#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)
		T(test_picks_strongest),
		T(test_unsupported_algorithms),
		T(test_one_way),
		T(test_base64_response),
		T(test_wrong_responses),
		T(test_mutual),
		T(test_mutual_refused),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
