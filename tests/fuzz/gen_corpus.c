/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Writes the seed corpora of the fuzz targets: gen_corpus DIR makes
 * DIR/<target>/<seed> for pdu, login, chap, scsi, config, http and control (the seeds of
 * each in tests/fuzz/seeds_<target>.c). `make fuzz-corpus` runs it into
 * tests/fuzz/corpus/, where the seeds are checked in, so a seed can always
 * be explained by the code that made it.
 *
 * Each seed is a valid input as far as possible (a complete login, then
 * commands): mutations start from the interesting states, not from the
 * first check that rejects garbage.
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "tests/fuzz/gen_corpus.h"

static const char *g_root;

uint8_t pattern[8192];

void put(struct buf *b, const void *p, size_t n)
{
	if (b->len + n > sizeof(b->d)) {
		fprintf(stderr, "seed too large\n");
		exit(1);
	}
	memcpy(b->d + b->len, p, n);
	b->len += n;
}

void put_u8(struct buf *b, uint8_t v)
{
	put(b, &v, 1);
}

void put_str(struct buf *b, const char *s)
{
	put(b, s, strlen(s));
}

void save(const char *target, const char *name, const struct buf *b)
{
	char path[512];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", g_root, target);
	if (mkdir(path, 0755) < 0 && errno != EEXIST) {
		perror(path);
		exit(1);
	}
	snprintf(path, sizeof(path), "%s/%s/%s", g_root, target, name);
	f = fopen(path, "wb");
	if (!f || fwrite(b->d, 1, b->len, f) != b->len || fclose(f) != 0) {
		perror(path);
		exit(1);
	}
}

int main(int argc, char **argv)
{
	if (argc != 2) {
		fprintf(stderr, "usage: %s DIR\n", argv[0]);
		return 2;
	}
	g_root = argv[1];
	if (mkdir(g_root, 0755) < 0 && errno != EEXIST) {
		perror(g_root);
		return 1;
	}
	for (size_t i = 0; i < sizeof(pattern); i++)
		pattern[i] = (uint8_t)(i * 7 + 1);
	gen_config();
	gen_scsi();
	gen_pdu();
	gen_login();
	gen_chap();
	gen_http();
	gen_control();
	return 0;
}
