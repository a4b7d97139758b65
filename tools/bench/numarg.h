/* SPDX-License-Identifier: Apache-2.0 */
/* Numeric command-line arguments of the benchmark's programs. */
#ifndef CTGT_BENCH_NUMARG_H
#define CTGT_BENCH_NUMARG_H

/* @s as a decimal integer in [lo, hi] into *out: 0, or -1 (nothing stored)
 * for anything else (a sign outside the range, trailing characters, an
 * overflow). */
int parse_int(const char *s, int lo, int hi, int *out);

#endif
