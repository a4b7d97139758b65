/* SPDX-License-Identifier: Apache-2.0 */
/*
 * libFuzzer target: the CHAP engine (iscsi/chap.c), the part of the login a
 * guesser talks to before anything else is open to it.
 *
 * The input is a list of rounds separated by 0xff bytes; each round is one
 * request's key=value\0 list given to chap_step(). Byte 0 picks:
 *   bit 0  the target has mutual credentials;
 *   bit 1  once our challenge is out, the harness answers it correctly
 *          (CHAP_N and CHAP_R computed from the challenge, in front of the
 *          round's own keys, so the fuzzer reaches the mutual half with its
 *          own CHAP_I/CHAP_C and whatever else it adds);
 *   bit 2  that answer in base64 (0b) instead of hex (0x);
 *   bit 3  that answer under another CHAP_N (must fail).
 *
 * What must hold, whatever the bytes:
 *   - every answer is a well-formed key=value\0 list;
 *   - CHAP_SUCCESS only after the harness gave the right name and response
 *     (the fuzzer cannot forge a digest of a 32-byte random challenge, so a
 *     success without it is an authentication bypass);
 *   - a mutual answer carries the target's own name;
 *   - nothing is accepted once the exchange has ended.
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "iscsi/chap.h"
#include "iscsi/param.h"

#define SEP 0xff

static struct chap_cred expect, ours;

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	if (chap_cred_set(&expect, "alice", "alicesecret12") ||
	    chap_cred_set(&ours, "target", "targetsecret99"))
		abort();
	return 0;
}

/* Every entry is key=value\0 with a non-empty key. */
static void check_kv_list(const char *p, size_t n)
{
	size_t i = 0;

	while (i < n) {
		const char *end = memchr(p + i, '\0', n - i);
		const char *eq = memchr(p + i, '=', n - i);

		if (!end || !eq || eq > end || eq == p + i)
			__builtin_trap();
		i = (size_t)(end - p) + 1;
	}
}

static void put_hex(char *dst, const uint8_t *b, size_t n)
{
	static const char digits[] = "0123456789abcdef";

	*dst++ = '0';
	*dst++ = 'x';
	for (size_t i = 0; i < n; i++) {
		*dst++ = digits[b[i] >> 4];
		*dst++ = digits[b[i] & 15];
	}
	*dst = '\0';
}

static void put_b64(char *dst, const uint8_t *b, size_t n)
{
	static const char t[] =
		"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

	*dst++ = '0';
	*dst++ = 'b';
	for (size_t i = 0; i < n; i += 3) {
		uint32_t v = (uint32_t)b[i] << 16 | (i + 1 < n ? (uint32_t)b[i + 1] << 8 : 0) |
			     (i + 2 < n ? b[i + 2] : 0);

		*dst++ = t[v >> 18 & 63];
		*dst++ = t[v >> 12 & 63];
		*dst++ = i + 1 < n ? t[v >> 6 & 63] : '=';
		*dst++ = i + 2 < n ? t[v & 63] : '=';
	}
	*dst = '\0';
}

/* The right answer to the challenge in @chal_keys (our last answer), as
 * CHAP_N=..\0CHAP_R=..\0 in @out; false if that answer has no challenge. */
static bool right_answer(const struct kvbuf *chal_keys, uint8_t flags, char *out, size_t cap,
			 size_t *outlen)
{
	const char *a = kv_find(chal_keys->data, chal_keys->len, "CHAP_A");
	const char *i = kv_find(chal_keys->data, chal_keys->len, "CHAP_I");
	const char *c = kv_find(chal_keys->data, chal_keys->len, "CHAP_C");
	uint8_t chal[CHAP_CHALLENGE_LEN * 2], dig[CHAP_DIGEST_MAX];
	char enc[2 * CHAP_DIGEST_MAX + 8];
	long clen;
	int n;

	if (!a || !i || !c)
		return false;
	clen = chap_decode(c, chal, sizeof(chal));
	if (clen <= 0 || chap_digest(atoi(a), (uint8_t)atoi(i), expect.secret, expect.secret_len,
				     chal, (size_t)clen, dig) < 0)
		__builtin_trap();	/* our own challenge must be decodable */
	if (flags & 4)
		put_b64(enc, dig, chap_digest_len(atoi(a)));
	else
		put_hex(enc, dig, chap_digest_len(atoi(a)));
	n = snprintf(out, cap, "CHAP_N=%s%cCHAP_R=%s", flags & 8 ? "mallory" : expect.name, 0,
		     enc);
	*outlen = (size_t)n + 1;	/* the last NUL too */
	return true;
}

static void check_mutual(const struct kvbuf *out)
{
	const char *n = kv_find(out->data, out->len, "CHAP_N");

	if (n && strcmp(n, ours.name) != 0)
		__builtin_trap();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct chap c;
	struct kvbuf last = { 0 };
	uint8_t flags = size ? data[0] : 0;
	size_t pos = size ? 1 : 0;
	bool ended = false;

	chap_init(&c, &expect, flags & 1 ? &ours : NULL);
	while (pos <= size) {
		const uint8_t *sep = memchr(data + pos, SEP, size - pos);
		size_t rlen = (sep ? (size_t)(sep - data) : size) - pos;
		char *keys = malloc(rlen + 512);
		size_t klen = 0;
		bool answered = false;
		struct kvbuf out = { 0 };
		const char *why;
		enum chap_rc rc;

		if (!keys)
			break;
		if ((flags & 2) && c.state == CHAP_WAIT_R)
			answered = right_answer(&last, flags, keys, 512, &klen);
		memcpy(keys + klen, data + pos, rlen);
		klen += rlen;
		rc = chap_step(&c, keys, klen, &out, &why);
		free(keys);
		check_kv_list(out.data, out.len);
		if (ended && rc != CHAP_FAIL)
			__builtin_trap();	/* nothing after the end */
		if (rc == CHAP_SUCCESS && (!answered || (flags & 8)))
			__builtin_trap();	/* authenticated without the secret */
		if (rc == CHAP_SUCCESS)
			check_mutual(&out);
		if (rc == CHAP_FAIL && !why)
			__builtin_trap();	/* a failure says why */
		ended = ended || rc == CHAP_SUCCESS || rc == CHAP_FAIL;
		kv_free(&last);
		last = out;
		if (!sep)
			break;
		pos = (size_t)(sep - data) + 1;
	}
	kv_free(&last);
	chap_wipe(&c);
	return 0;
}
