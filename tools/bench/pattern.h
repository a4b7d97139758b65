/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The data the load generator's verify mode writes and expects back.
 *
 * Every 512-byte unit of the disk gets its own content, a function of its
 * byte offset on the disk, the run's seed and the generation of the write
 * (how many times the load generator wrote that chunk): the first 16 bytes
 * say which (offset / 512, seed, generation), the rest is a pseudo-random
 * stream seeded by the three. So a read that returns another place's data,
 * an older write, zeros or a torn mix of two writes does not compare equal.
 * Pure functions of their arguments; the caller owns the buffers.
 */
#ifndef CTGT_BENCH_PATTERN_H
#define CTGT_BENCH_PATTERN_H

#include <stddef.h>
#include <stdint.h>

#define PATTERN_UNIT 512

/* Fill buf (len a multiple of PATTERN_UNIT) with the content of the disk
 * bytes [offset, offset + len) for this seed and generation. */
void pattern_fill(uint8_t *buf, size_t len, uint64_t offset, uint64_t seed, uint32_t gen);

/* Byte index of the first byte of buf that differs from what pattern_fill
 * would have written, or -1 when all len bytes match. */
long pattern_check(const uint8_t *buf, size_t len, uint64_t offset, uint64_t seed,
		   uint32_t gen);

#endif
