// SPDX-License-Identifier: Apache-2.0
#include "tools/bench/pattern.h"

#include <string.h>

#include "util/endian.h"

/* splitmix64: a well-mixed 64-bit stream from any seed, zero included. */
static uint64_t mix_next(uint64_t *state)
{
	uint64_t z = (*state += 0x9e3779b97f4a7c15ULL);
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

static void fill_unit(uint8_t *unit, uint64_t unit_no, uint64_t seed, uint32_t gen)
{
	put_be64(unit, unit_no);
	put_be64(unit + 8, seed ^ ((uint64_t)gen << 32 | gen));
	uint64_t state = unit_no * 0x2545f4914f6cdd1dULL ^ seed ^ ((uint64_t)gen << 17);
	for (size_t i = 16; i < PATTERN_UNIT; i += 8)
		put_be64(unit + i, mix_next(&state));
}

void pattern_fill(uint8_t *buf, size_t len, uint64_t offset, uint64_t seed, uint32_t gen)
{
	for (size_t at = 0; at + PATTERN_UNIT <= len; at += PATTERN_UNIT)
		fill_unit(buf + at, (offset + at) / PATTERN_UNIT, seed, gen);
}

long pattern_check(const uint8_t *buf, size_t len, uint64_t offset, uint64_t seed,
		   uint32_t gen)
{
	uint8_t want[PATTERN_UNIT];
	for (size_t at = 0; at + PATTERN_UNIT <= len; at += PATTERN_UNIT) {
		fill_unit(want, (offset + at) / PATTERN_UNIT, seed, gen);
		if (memcmp(buf + at, want, PATTERN_UNIT) == 0)
			continue;
		for (size_t i = 0; i < PATTERN_UNIT; i++)
			if (buf[at + i] != want[i])
				return (long)(at + i);
	}
	return -1;
}
