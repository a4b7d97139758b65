/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The seeds of fuzz_chap (gen_corpus.h): rounds of CHAP keys (byte 0:
 * mode flags).
 */
#include <stdint.h>
#include <string.h>

#include "tests/fuzz/fuzz_common.h"
#include "tests/fuzz/gen_corpus.h"

/* @rounds: one string per round, its keys separated by '\n'; NULL ends. */
static void chap_seed(const char *name, uint8_t mode, const char *const *rounds)
{
	struct buf b = { .len = 0 };

	put_u8(&b, mode);
	for (int r = 0; rounds[r]; r++) {
		const char *k = rounds[r];

		if (r)
			put_u8(&b, FUZZ_SEP);
		while (*k) {
			size_t n = strcspn(k, "\n");

			put(&b, k, n);
			put_u8(&b, 0);
			k += n + (k[n] == '\n');
		}
	}
	save("chap", name, &b);
}

void gen_chap(void)
{
	/* One-way, answered by the harness (hex, base64, another name) or
	 * guessed by the fuzzer. */
	chap_seed("oneway-right", 0x02, (const char *const[]){ "CHAP_A=5", "", NULL });
	chap_seed("oneway-b64", 0x06, (const char *const[]){ "CHAP_A=7,6,5", "", NULL });
	chap_seed("oneway-other-name", 0x0a, (const char *const[]){ "CHAP_A=8", "", NULL });
	chap_seed("oneway-guess", 0x00, (const char *const[]){ "CHAP_A=5",
		"CHAP_N=alice\nCHAP_R=0x00112233445566778899aabbccddeeff", NULL });
	chap_seed("oneway-b64-guess", 0x00, (const char *const[]){ "CHAP_A=6",
		"CHAP_N=alice\nCHAP_R=0bABEiM0RVZneImaq7zN3u/wARIjM=", NULL });
	/* Mutual: the harness answers, the fuzzer's CHAP_I/CHAP_C follow. */
	chap_seed("mutual", 0x03, (const char *const[]){ "CHAP_A=7",
		"CHAP_I=77\nCHAP_C=0x0f1e2d3c4b5a69788796a5b4c3d2e1f0", NULL });
	chap_seed("mutual-b64", 0x07, (const char *const[]){ "CHAP_A=5",
		"CHAP_I=0\nCHAP_C=0bAAECAwQFBgcICQoLDA0ODw==", NULL });
	chap_seed("mutual-no-creds", 0x02, (const char *const[]){ "CHAP_A=5",
		"CHAP_I=1\nCHAP_C=0x01", NULL });
	chap_seed("mutual-bad-id", 0x03, (const char *const[]){ "CHAP_A=5",
		"CHAP_I=256\nCHAP_C=0x0102", NULL });
	/* Out of order, repeated, after the end, nothing we support. */
	chap_seed("keys-before-a", 0x02, (const char *const[]){ "CHAP_N=alice\nCHAP_R=0x00", NULL });
	chap_seed("a-twice", 0x02, (const char *const[]){ "CHAP_A=5", "CHAP_A=5", NULL });
	chap_seed("after-end", 0x02, (const char *const[]){ "CHAP_A=5", "", "CHAP_A=5", NULL });
	chap_seed("no-alg", 0x00, (const char *const[]){ "CHAP_A=1,2,3,4,9,255", NULL });
}
