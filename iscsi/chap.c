/* SPDX-License-Identifier: Apache-2.0 */
/*
 * CHAP engine (RFC 7143 section 12.1.3, RFC 1994). The exchange, target side:
 *
 *   I: CHAP_A=<A1,A2,...>        T: CHAP_A=<A> CHAP_I=<I> CHAP_C=<C>
 *   I: CHAP_N=<N> CHAP_R=<R>     (mutual: also CHAP_I=<I'> CHAP_C=<C'>)
 *                                T: (mutual) CHAP_N=<N'> CHAP_R=<R'>
 *
 * R = H(I || secret || C). Responses are compared in constant time, a
 * challenge from the initiator equal to ours (reflection) is refused, and
 * every buffer that held a secret or a digest of one is cleansed.
 */
#include "iscsi/chap.h"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/rand.h>
#include <stdio.h>
#include <string.h>

/* Strongest first: the order in which we pick from the initiator's list. */
static const int alg_pref[] = { CHAP_ALG_SHA3_256, CHAP_ALG_SHA256, CHAP_ALG_SHA1, CHAP_ALG_MD5 };

static const EVP_MD *alg_md(int alg)
{
	switch (alg) {
	case CHAP_ALG_MD5:
		return EVP_md5();
	case CHAP_ALG_SHA1:
		return EVP_sha1();
	case CHAP_ALG_SHA256:
		return EVP_sha256();
	case CHAP_ALG_SHA3_256:
		return EVP_sha3_256();
	default:
		return NULL;
	}
}

size_t chap_digest_len(int alg)
{
	const EVP_MD *md = alg_md(alg);

	return md ? (size_t)EVP_MD_get_size(md) : 0;
}

int chap_digest(int alg, uint8_t id, const unsigned char *secret, size_t slen,
		const uint8_t *chal, size_t clen, uint8_t out[CHAP_DIGEST_MAX])
{
	const EVP_MD *md = alg_md(alg);
	EVP_MD_CTX *ctx;
	int ok;

	if (!md || (ctx = EVP_MD_CTX_new()) == NULL)
		return -1;
	ok = EVP_DigestInit_ex(ctx, md, NULL) && EVP_DigestUpdate(ctx, &id, 1) &&
	     EVP_DigestUpdate(ctx, secret, slen) && EVP_DigestUpdate(ctx, chal, clen) &&
	     EVP_DigestFinal_ex(ctx, out, NULL);
	EVP_MD_CTX_free(ctx);	/* cleanses the hash state */
	return ok ? 0 : -1;
}

const char *chap_cred_set(struct chap_cred *c, const char *name, const char *secret)
{
	size_t nl = strlen(name), sl = strlen(secret);

	if (nl == 0 || nl >= sizeof(c->name))
		return "the CHAP user name must be 1 to 255 bytes";
	if (sl < CHAP_SECRET_MIN)
		return "the CHAP secret must be at least 12 bytes (RFC 7143 12.1.3)";
	if (sl > CHAP_SECRET_MAX)
		return "the CHAP secret must be at most 255 bytes";
	memcpy(c->name, name, nl + 1);
	memcpy(c->secret, secret, sl);
	c->secret_len = sl;
	return NULL;
}

void chap_cred_wipe(struct chap_cred *c)
{
	OPENSSL_cleanse(c, sizeof(*c));
}

void chap_init(struct chap *c, const struct chap_cred *expect, const struct chap_cred *ours)
{
	memset(c, 0, sizeof(*c));
	c->state = CHAP_WAIT_A;
	c->expect = expect;
	c->ours = ours;
}

void chap_wipe(struct chap *c)
{
	OPENSSL_cleanse(c->challenge, sizeof(c->challenge));
	c->state = CHAP_FAILED;
}

/* ---- value encodings (RFC 7143 section 6.1) ------------------------------ */

static int hexval(char ch)
{
	if (ch >= '0' && ch <= '9')
		return ch - '0';
	if (ch >= 'a' && ch <= 'f')
		return ch - 'a' + 10;
	if (ch >= 'A' && ch <= 'F')
		return ch - 'A' + 10;
	return -1;
}

static long decode_hex(const char *h, size_t hl, uint8_t *buf, size_t cap)
{
	size_t n = (hl + 1) / 2, i = 0, o = 0;

	if (hl == 0 || n > cap)
		return -1;
	if (hl % 2) {	/* an odd count: the first digit is a whole byte */
		int d = hexval(h[0]);

		if (d < 0)
			return -1;
		buf[o++] = (uint8_t)d;
		i = 1;
	}
	for (; i < hl; i += 2) {
		int hi = hexval(h[i]), lo = hexval(h[i + 1]);

		if (hi < 0 || lo < 0)
			return -1;
		buf[o++] = (uint8_t)(hi << 4 | lo);
	}
	return (long)o;
}

static long decode_b64(const char *b, size_t bl, uint8_t *buf, size_t cap)
{
	uint8_t tmp[(CHAP_PEER_CHALLENGE_MAX + 2) / 3 * 3 + 3];
	size_t pad = 0;
	int n;

	if (bl == 0 || bl % 4 || bl / 4 * 3 > sizeof(tmp))
		return -1;
	for (size_t i = 0; i < bl; i++) {
		char ch = b[i];

		if (ch == '=') {
			if (i < bl - 2)
				return -1;
			pad++;
		} else if (pad || !((ch >= 'A' && ch <= 'Z') || (ch >= 'a' && ch <= 'z') ||
				    (ch >= '0' && ch <= '9') || ch == '+' || ch == '/')) {
			return -1;
		}
	}
	n = EVP_DecodeBlock(tmp, (const unsigned char *)b, (int)bl);
	if (n < 0 || (size_t)n < pad || (size_t)n - pad > cap)
		return -1;
	memcpy(buf, tmp, (size_t)n - pad);
	OPENSSL_cleanse(tmp, sizeof(tmp));
	return (long)((size_t)n - pad);
}

long chap_decode(const char *v, uint8_t *buf, size_t cap)
{
	size_t vl = strlen(v);

	if (vl > 2 && v[0] == '0' && (v[1] == 'x' || v[1] == 'X'))
		return decode_hex(v + 2, vl - 2, buf, cap);
	if (vl > 2 && v[0] == '0' && (v[1] == 'b' || v[1] == 'B'))
		return decode_b64(v + 2, vl - 2, buf, cap);
	return -1;
}

static int encode_hex(const uint8_t *b, size_t n, char *out, size_t cap)
{
	if (cap < 2 * n + 3)
		return -1;
	out[0] = '0';
	out[1] = 'x';
	for (size_t i = 0; i < n; i++)
		snprintf(out + 2 + 2 * i, 3, "%02x", b[i]);
	return 0;
}

/* CHAP_I: a numerical value 0..255 (decimal or 0x hex). */
static bool parse_id(const char *v, uint8_t *id)
{
	unsigned long n = 0;
	size_t vl = strlen(v), i = 0;
	unsigned base = 10;

	if (vl > 2 && v[0] == '0' && (v[1] == 'x' || v[1] == 'X')) {
		base = 16;
		i = 2;
	} else if (vl == 0 || vl > 3 || (v[0] == '0' && vl > 1)) {
		return false;
	}
	if (vl - i > 4)
		return false;
	for (; i < vl; i++) {
		int d = base == 16 ? hexval(v[i]) : (v[i] >= '0' && v[i] <= '9' ? v[i] - '0' : -1);

		if (d < 0)
			return false;
		n = n * base + (unsigned)d;
	}
	if (n > 255)
		return false;
	*id = (uint8_t)n;
	return true;
}

/* ---- the exchange ----------------------------------------------------------- */

static enum chap_rc fail(struct chap *c, const char **why, const char *reason)
{
	chap_wipe(c);
	*why = reason;
	return CHAP_FAIL;
}

/* Is @alg in the comma-separated list @list? Unknown values are ignored
 * (RFC 7143 12.1.3: the list may hold algorithms we do not know). */
static bool list_has(const char *list, int alg)
{
	char want[8];
	size_t wl = (size_t)snprintf(want, sizeof(want), "%d", alg);

	for (const char *p = list; *p;) {
		const char *comma = strchr(p, ',');
		size_t tl = comma ? (size_t)(comma - p) : strlen(p);

		if (tl == wl && memcmp(p, want, wl) == 0)
			return true;
		if (!comma)
			break;
		p = comma + 1;
	}
	return false;
}

static enum chap_rc send_challenge(struct chap *c, const char *list, struct kvbuf *out,
				   const char **why)
{
	char buf[8], hex[2 * CHAP_CHALLENGE_LEN + 3];

	c->alg = 0;
	for (size_t i = 0; i < sizeof(alg_pref) / sizeof(alg_pref[0]) && !c->alg; i++)
		if (list_has(list, alg_pref[i]))
			c->alg = alg_pref[i];
	if (!c->alg)
		return fail(c, why, "no supported CHAP_A offered (want 5, 6, 7 or 8)");
	c->dlen = chap_digest_len(c->alg);
	if (RAND_bytes(c->challenge, sizeof(c->challenge)) != 1 ||
	    RAND_bytes(&c->id, 1) != 1)
		return fail(c, why, "no random bytes for the challenge");
	snprintf(buf, sizeof(buf), "%d", c->alg);
	if (kv_append(out, "CHAP_A", buf) < 0)
		return CHAP_NOMEM;
	snprintf(buf, sizeof(buf), "%u", c->id);
	encode_hex(c->challenge, sizeof(c->challenge), hex, sizeof(hex));
	if (kv_append(out, "CHAP_I", buf) < 0 || kv_append(out, "CHAP_C", hex) < 0)
		return CHAP_NOMEM;
	c->state = CHAP_WAIT_R;
	return CHAP_CONTINUE;
}

/* The initiator's response to our challenge; NULL when it proves the secret. */
static const char *check_response(struct chap *c, const char *n, const char *r)
{
	uint8_t got[CHAP_DIGEST_MAX], want[CHAP_DIGEST_MAX];
	long gl = chap_decode(r, got, sizeof(got));
	const char *why = NULL;

	if (gl < 0 || (size_t)gl != c->dlen)
		why = "CHAP_R malformed or of the wrong length";
	else if (chap_digest(c->alg, c->id, c->expect->secret, c->expect->secret_len,
			     c->challenge, sizeof(c->challenge), want) < 0)
		why = "digest failed";
	/* Both compared, always, so timing tells nothing about which failed. */
	else if ((strcmp(n, c->expect->name) != 0) |
		 (CRYPTO_memcmp(got, want, c->dlen) != 0))
		why = "wrong CHAP_N or CHAP_R";
	OPENSSL_cleanse(want, sizeof(want));
	return why;
}

/* Mutual CHAP: answer the initiator's CHAP_I/CHAP_C with our credentials. */
static enum chap_rc answer_mutual(struct chap *c, const char *ci, const char *cc,
				  struct kvbuf *out, const char **why)
{
	uint8_t chal[CHAP_PEER_CHALLENGE_MAX], resp[CHAP_DIGEST_MAX];
	char hex[2 * CHAP_DIGEST_MAX + 3];
	long cl;
	uint8_t id;
	int rc;

	if (!c->ours)
		return fail(c, why, "mutual CHAP asked for, but the target has no credentials");
	if (!parse_id(ci, &id))
		return fail(c, why, "malformed CHAP_I");
	cl = chap_decode(cc, chal, sizeof(chal));
	if (cl <= 0)
		return fail(c, why, "malformed or oversized CHAP_C");
	if ((size_t)cl == sizeof(c->challenge) && CRYPTO_memcmp(chal, c->challenge, (size_t)cl) == 0)
		return fail(c, why, "CHAP_C equals our own challenge (reflection)");
	if (chap_digest(c->alg, id, c->ours->secret, c->ours->secret_len, chal, (size_t)cl,
			resp) < 0)
		return fail(c, why, "digest failed");
	encode_hex(resp, c->dlen, hex, sizeof(hex));
	OPENSSL_cleanse(resp, sizeof(resp));
	rc = kv_append(out, "CHAP_N", c->ours->name) < 0 || kv_append(out, "CHAP_R", hex) < 0;
	OPENSSL_cleanse(hex, sizeof(hex));
	return rc ? CHAP_NOMEM : CHAP_SUCCESS;
}

static enum chap_rc take_response(struct chap *c, const char *keys, size_t len,
				  struct kvbuf *out, const char **why)
{
	const char *n = kv_find(keys, len, "CHAP_N"), *r = kv_find(keys, len, "CHAP_R");
	const char *ci = kv_find(keys, len, "CHAP_I"), *cc = kv_find(keys, len, "CHAP_C");
	const char *bad;

	if (!n || !r)
		return fail(c, why, "CHAP_N or CHAP_R missing");
	if (kv_find(keys, len, "CHAP_A"))
		return fail(c, why, "CHAP_A sent twice");
	if (!ci != !cc)
		return fail(c, why, "CHAP_I without CHAP_C, or CHAP_C without CHAP_I");
	bad = check_response(c, n, r);
	if (bad)
		return fail(c, why, bad);
	if (ci) {
		enum chap_rc rc = answer_mutual(c, ci, cc, out, why);

		if (rc != CHAP_SUCCESS)
			return rc;
	}
	OPENSSL_cleanse(c->challenge, sizeof(c->challenge));
	c->state = CHAP_DONE;
	return CHAP_SUCCESS;
}

enum chap_rc chap_step(struct chap *c, const char *keys, size_t len, struct kvbuf *out,
		       const char **why)
{
	const char *a;

	*why = NULL;
	switch (c->state) {
	case CHAP_WAIT_A:
		a = kv_find(keys, len, "CHAP_A");
		if (a)
			return send_challenge(c, a, out, why);
		if (kv_find(keys, len, "CHAP_N") || kv_find(keys, len, "CHAP_R") ||
		    kv_find(keys, len, "CHAP_C") || kv_find(keys, len, "CHAP_I"))
			return fail(c, why, "CHAP keys before CHAP_A");
		return CHAP_CONTINUE;
	case CHAP_WAIT_R:
		return take_response(c, keys, len, out, why);
	case CHAP_DONE:
	case CHAP_FAILED:
		break;
	}
	return fail(c, why, "CHAP keys after the exchange ended");
}
