/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Latency histogram of the load generator.
 *
 * Log-linear buckets: values below HIST_SUB are exact, above that every power
 * of two is split into HIST_SUB equal buckets, so a percentile read back is
 * within 1/HIST_SUB (about 3%) of the true sample. The size is fixed (any
 * uint64_t fits), so recording a sample costs no allocation and a run of any
 * length takes the same memory. Not thread-safe: one owner per histogram.
 */
#ifndef CTGT_BENCH_HIST_H
#define CTGT_BENCH_HIST_H

#include <stdint.h>

#define HIST_SUB_BITS 5
#define HIST_SUB (1u << HIST_SUB_BITS)
/* Groups for bit positions HIST_SUB_BITS..63, plus the exact group. */
#define HIST_BUCKETS (HIST_SUB * (64 - HIST_SUB_BITS + 1))

struct hist {
	uint64_t count;
	uint64_t sum;
	uint64_t min;
	uint64_t max;
	uint64_t bucket[HIST_BUCKETS];
};

/* Empty the histogram. */
void hist_reset(struct hist *h);

/* Record one sample. */
void hist_add(struct hist *h, uint64_t v);

/* The value at percentile p (0 < p <= 100): the middle of the bucket holding
 * the sample of that rank, clamped to the smallest and largest sample. 0 for
 * an empty histogram; the largest sample for the last rank. */
uint64_t hist_percentile(const struct hist *h, double p);

/* Mean of the samples (exact), 0 for an empty histogram. */
double hist_mean(const struct hist *h);

/* Bucket arithmetic, exposed for the unit test. */
unsigned hist_index(uint64_t v);
uint64_t hist_bucket_low(unsigned idx);
uint64_t hist_bucket_width(unsigned idx);

#endif
