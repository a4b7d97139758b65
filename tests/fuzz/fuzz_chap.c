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
#include <stdlib.h>
#include <string.h>

#include "iscsi/chap.h"
#include "iscsi/param.h"
#include "tests/fuzz/fuzz_common.h"

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

/* The right answer to the challenge in @chal_keys (our last answer) in
 * @out; false if that answer has no challenge. */
static bool right_answer(const struct kvbuf *chal_keys, uint8_t flags,
			 char out[FZ_CHAP_ANSWER_MAX], size_t *outlen)
{
	*outlen = fz_chap_answer(chal_keys->data, chal_keys->len,
				 flags & 8 ? "mallory" : expect.name, expect.secret,
				 expect.secret_len, flags & 4, out);
	return *outlen != 0;
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
	struct fz_rounds rounds = fz_rounds_of(data + (size != 0), size - (size != 0));
	const uint8_t *round;
	size_t rlen;
	bool ended = false;

	chap_init(&c, &expect, flags & 1 ? &ours : NULL);
	while (fz_rounds_next(&rounds, &round, &rlen)) {
		char *keys = malloc(rlen + FZ_CHAP_ANSWER_MAX);
		size_t klen = 0;
		bool answered = false;
		struct kvbuf out = { 0 };
		const char *why;
		enum chap_rc rc;

		if (!keys)
			break;
		if ((flags & 2) && c.state == CHAP_WAIT_R)
			answered = right_answer(&last, flags, keys, &klen);
		memcpy(keys + klen, round, rlen);
		klen += rlen;
		rc = chap_step(&c, keys, klen, &out, &why);
		free(keys);
		fz_check_kv_list(out.data, out.len);
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
	}
	kv_free(&last);
	chap_wipe(&c);
	return 0;
}
