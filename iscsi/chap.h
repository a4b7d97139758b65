/* SPDX-License-Identifier: Apache-2.0 */
/*
 * CHAP for the iSCSI security stage (RFC 7143 section 12.1.3, RFC 1994):
 * one-way and mutual, algorithms CHAP_A 5 (MD5), 6 (SHA-1), 7 (SHA-256) and
 * 8 (SHA3-256). A pure engine: it reads the initiator's key=value\0 list and
 * appends the target's keys to a kvbuf; it owns no socket, timer or log
 * policy, so the login code and the fuzzers drive it alike. One struct chap
 * per login, on the thread of its connection.
 */
#ifndef CTGT_ISCSI_CHAP_H
#define CTGT_ISCSI_CHAP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "iscsi/param.h"

#define CHAP_NAME_MAX	 256	/* CHAP_N, NUL included */
#define CHAP_SECRET_MIN	 12	/* RFC 7143 12.1.3: secrets of at least 96 bits */
#define CHAP_SECRET_MAX	 255
#define CHAP_DIGEST_MAX	 32	/* SHA-256 / SHA3-256 */
/*
 * Our challenge: 32 random bytes for every algorithm. That is as long as the
 * longest digest (RFC 1994 section 2.3 wants the challenge to be at least
 * as long as the hash output to be unpredictable), well below the 255 bytes
 * libiscsi before 1.18 could hash, and inside what open-iscsi (1024) and
 * the Microsoft initiator accept.
 */
#define CHAP_CHALLENGE_LEN 32
/* The initiator's challenge in mutual CHAP: 1 to 1024 bytes (LIO's cap). */
#define CHAP_PEER_CHALLENGE_MAX 1024

enum chap_alg {
	CHAP_ALG_MD5 = 5,
	CHAP_ALG_SHA1 = 6,
	CHAP_ALG_SHA256 = 7,
	CHAP_ALG_SHA3_256 = 8,
};

/** A CHAP name and secret. Wipe with chap_cred_wipe(). */
struct chap_cred {
	char name[CHAP_NAME_MAX];
	unsigned char secret[CHAP_SECRET_MAX];
	size_t secret_len;
};

/** Fill @c from @name and @secret; NULL or why they are not acceptable
 *  (empty name, secret shorter than CHAP_SECRET_MIN or too long). */
const char *chap_cred_set(struct chap_cred *c, const char *name, const char *secret);
void chap_cred_wipe(struct chap_cred *c);

enum chap_state {
	CHAP_WAIT_A,		/* waiting for the initiator's CHAP_A list */
	CHAP_WAIT_R,		/* challenge sent, waiting for CHAP_N/CHAP_R */
	CHAP_DONE,		/* the initiator (and, mutual, we) authenticated */
	CHAP_FAILED,
};

enum chap_rc {
	CHAP_CONTINUE,		/* send @out and wait for the next request */
	CHAP_SUCCESS,		/* authenticated: @out holds our mutual answer, if any */
	CHAP_FAIL,		/* authentication failure (login status 0201) */
	CHAP_NOMEM,
};

struct chap {
	enum chap_state state;
	const struct chap_cred *expect;	/* what the initiator must prove */
	const struct chap_cred *ours;	/* our credentials for mutual CHAP, or NULL */
	int alg;
	size_t dlen;			/* digest length of alg */
	uint8_t id;
	uint8_t challenge[CHAP_CHALLENGE_LEN];
};

/** Start an exchange; @expect and @ours (may be NULL) must outlive @c. */
void chap_init(struct chap *c, const struct chap_cred *expect, const struct chap_cred *ours);

/**
 * Feed one complete request's keys (key=value\0 list, @len bytes). Appends
 * CHAP_A/CHAP_I/CHAP_C, or in mutual CHAP our CHAP_N/CHAP_R, to @out. On
 * CHAP_FAIL *@why says what went wrong (never a secret). Requests without
 * any CHAP key in state CHAP_WAIT_A return CHAP_CONTINUE and append nothing.
 */
enum chap_rc chap_step(struct chap *c, const char *keys, size_t len, struct kvbuf *out,
		       const char **why);

/** Forget the challenge (the credentials belong to the caller). */
void chap_wipe(struct chap *c);

/** Digest length of CHAP_A @alg, 0 if unsupported. */
size_t chap_digest_len(int alg);

/** out = H(id || secret || challenge) with CHAP_A @alg; 0, or -1 if unsupported. */
int chap_digest(int alg, uint8_t id, const unsigned char *secret, size_t slen,
		const uint8_t *chal, size_t clen, uint8_t out[CHAP_DIGEST_MAX]);

/**
 * Decode an RFC 7143 section 6.1 binary value: "0x" + hex digits (an odd
 * count takes a leading 0) or "0b" + base64. Returns the byte count, or -1
 * if malformed or longer than @cap.
 */
long chap_decode(const char *v, uint8_t *buf, size_t cap);

#endif
