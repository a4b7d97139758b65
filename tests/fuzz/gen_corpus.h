/* SPDX-License-Identifier: Apache-2.0 */
/*
 * What the parts of gen_corpus share: the buffer a seed is built in, the
 * file it is saved to, the data pattern, and one generator per fuzz target
 * (tests/fuzz/seeds_<target>.c), each writing DIR/<target>/<seed>.
 *
 * One thread. A failure (a seed over 64 KiB, a file that cannot be
 * written) prints why and exits: the corpus is written whole or not at all.
 */
#ifndef CTGT_TESTS_FUZZ_GEN_CORPUS_H
#define CTGT_TESTS_FUZZ_GEN_CORPUS_H

#include <stddef.h>
#include <stdint.h>

#include "iscsi/pdu.h"

/* One seed, built by appending (put*()); start with { .len = 0 }. The
 * caller owns it (64 KiB: on the stack of a generator or malloc'd). */
struct buf {
	uint8_t d[65536];
	size_t len;
};

/* Append @n bytes of @p (a byte, a string without its NUL). */
void put(struct buf *b, const void *p, size_t n);
void put_u8(struct buf *b, uint8_t v);
void put_str(struct buf *b, const char *s);

/* Write @b as the seed DIR/@target/@name, creating DIR/@target. */
void save(const char *target, const char *name, const struct buf *b);

/* Data for writes: byte i is i * 7 + 1 (set by main() before any
 * generator runs). */
extern uint8_t pattern[8192];

/* A CDB literal as the two arguments (bytes, length) the generators take. */
#define CDB(...) (const uint8_t[]){ __VA_ARGS__ }, sizeof((const uint8_t[]){ __VA_ARGS__ })

/* Login Request flags: transit bit, current and next stage. */
#define ST_SEC	0
#define ST_OP	1
#define ST_FFP	3
#define LFLAGS(t, csg, nsg) (uint8_t)(((t) ? ISCSI_LOGIN_TRANSIT : 0) | ((csg) << 2) | (nsg))

/* The seeds of one target each. */
void gen_config(void);
void gen_scsi(void);
void gen_pdu(void);
void gen_login(void);
void gen_chap(void);
void gen_http(void);
void gen_control(void);

#endif
