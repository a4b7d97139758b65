/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Helpers shared by the fuzz targets and gen_corpus.c: the names the
 * harnesses use, the 0xff-separated rounds of fuzz_login and fuzz_chap, the
 * check that an answer is a well-formed key list, and the right answer to a
 * CHAP challenge (what an initiator with the secret would send).
 *
 * Header-only (static inline) because each fuzz target is one program built
 * from one source file (the Makefile rule build/fuzz/fuzz_%). Everything is
 * pure: no allocation, no global state; callers own every buffer.
 */
#ifndef CTGT_TESTS_FUZZ_FUZZ_COMMON_H
#define CTGT_TESTS_FUZZ_FUZZ_COMMON_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "iscsi/chap.h"
#include "iscsi/param.h"

#define FUZZ_IQN	"iqn.2026-11.io.ctgt:fuzz"	/* the target of server_harness.h */
#define FUZZ_INITIATOR	"iqn.2026-01.fuzz:init"		/* the seeds' initiator */
/* Rounds are separated by 0xff: keys and values cannot use it in a useful
 * way, and a separator survives insertions and deletions better than a
 * length field. */
#define FUZZ_SEP	0xff

/* fuzz_login, server mode (byte 0 bit 0 set): byte 0 bits 1-2 are the
 * target's CHAP (none, one-way, mutual, one-way with FUZZ_INITIATOR's own
 * credentials); in round byte 1, the harness answers the target's last
 * challenge, in base64, with the per-initiator credentials. */
#define FZ_LOGIN_SERVER		0x01
#define FZ_LOGIN_AUTH(mode)	((mode) << 1)
#define FZ_LOGIN_ANSWER		0x20
#define FZ_LOGIN_B64		0x40
#define FZ_LOGIN_BOB		0x80

/* The rounds of an input, one after another. "a<sep>b" is two rounds, a
 * trailing separator makes an empty last round (an answer of the harness
 * alone), and an empty input is one empty round. */
struct fz_rounds {
	const uint8_t *p;
	size_t left;
	bool done;
};

static inline struct fz_rounds fz_rounds_of(const uint8_t *data, size_t size)
{
	return (struct fz_rounds){ .p = data, .left = size, .done = false };
}

/* The next round in *@round / *@len (pointing into the input); false once
 * every round was returned. */
static inline bool fz_rounds_next(struct fz_rounds *r, const uint8_t **round, size_t *len)
{
	const uint8_t *sep = r->left ? memchr(r->p, FUZZ_SEP, r->left) : NULL;

	if (r->done)
		return false;
	*round = r->p;
	*len = sep ? (size_t)(sep - r->p) : r->left;
	r->p += *len + (sep != NULL);
	r->left -= *len + (sep != NULL);
	r->done = sep == NULL;
	return true;
}

/* Traps unless every entry of @p is key=value\0 with a non-empty key:
 * what the target must send. */
static inline void fz_check_kv_list(const void *p, size_t n)
{
	const uint8_t *b = p;
	size_t i = 0;

	while (i < n) {
		const uint8_t *end = memchr(b + i, '\0', n - i);
		const uint8_t *eq = memchr(b + i, '=', n - i);

		if (!end || !eq || eq > end || eq == b + i)
			__builtin_trap();	/* a malformed answer */
		i = (size_t)(end - b) + 1;
	}
}

/* "0x" + lower-case hex of @b into @dst (2 * @n + 3 bytes). */
static inline void fz_put_hex(char *dst, const uint8_t *b, size_t n)
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

/* "0b" + base64 of @b into @dst (4 * ((@n + 2) / 3) + 3 bytes). */
static inline void fz_put_b64(char *dst, const uint8_t *b, size_t n)
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

/* Room for CHAP_N=<name>\0CHAP_R=<digest>\0 with a name of up to 64 bytes. */
#define FZ_CHAP_ANSWER_MAX (64 + 2 * CHAP_DIGEST_MAX + 32)

/*
 * The answer to the challenge in the target's keys @keys/@len (CHAP_A,
 * CHAP_I, CHAP_C): "CHAP_N=@name\0CHAP_R=H(I, @secret, C)\0" into @out
 * (FZ_CHAP_ANSWER_MAX bytes), the response in base64 if @b64, else hex.
 * Returns its length with the last NUL, or 0 if @keys hold no challenge.
 * Traps on a challenge the target sent but we cannot decode or hash.
 */
static inline size_t fz_chap_answer(const char *keys, size_t len, const char *name,
				    const unsigned char *secret, size_t slen, bool b64,
				    char out[FZ_CHAP_ANSWER_MAX])
{
	const char *a = kv_find(keys, len, "CHAP_A");
	const char *i = kv_find(keys, len, "CHAP_I");
	const char *c = kv_find(keys, len, "CHAP_C");
	uint8_t chal[CHAP_CHALLENGE_LEN * 2], dig[CHAP_DIGEST_MAX];
	char enc[2 * CHAP_DIGEST_MAX + 3];	/* hex is the longer */
	long clen;
	int n;

	if (!a || !i || !c)
		return 0;
	clen = chap_decode(c, chal, sizeof(chal));
	if (clen <= 0 || chap_digest(atoi(a), (uint8_t)atoi(i), secret, slen, chal, (size_t)clen,
				     dig) < 0)
		__builtin_trap();	/* the target's own challenge must be usable */
	if (b64)
		fz_put_b64(enc, dig, chap_digest_len(atoi(a)));
	else
		fz_put_hex(enc, dig, chap_digest_len(atoi(a)));
	n = snprintf(out, FZ_CHAP_ANSWER_MAX, "CHAP_N=%s%cCHAP_R=%s", name, 0, enc);
	if (n < 0 || n >= FZ_CHAP_ANSWER_MAX)
		abort();		/* the harness's own name is too long */
	return (size_t)n + 1;
}

#endif
