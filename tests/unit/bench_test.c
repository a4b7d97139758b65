/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Unit tests for the load generator's parts (tools/bench/): the histogram's
 * buckets tile the whole uint64_t range and its percentiles stay within one
 * bucket (3%) of the exact ones; the verify pattern is a function of place,
 * seed and generation, and a check finds a changed byte, another place's
 * data, an older generation and zeros; the command line takes the widest
 * point of make bench's scale series (64 sessions x depth 16) and no more
 * sessions than the poll loop has room for; the VmRSS line of
 * /proc/PID/status is read wherever it is, and a malformed one is refused.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stdio.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>
#include <getopt.h>

#include "tools/bench/hist.h"
#include "tools/bench/opts.h"
#include "tools/bench/pattern.h"
#include "tools/bench/procmem.h"

static void test_buckets_tile(void **state)
{
	(void)state;
	/* Consecutive buckets touch: the next one starts where this one ends. */
	for (unsigned i = 0; i + 1 < HIST_BUCKETS; i++)
		assert_int_equal(hist_bucket_low(i) + hist_bucket_width(i), hist_bucket_low(i + 1));
	assert_int_equal(hist_index(0), 0);
	assert_int_equal(hist_index(HIST_SUB - 1), HIST_SUB - 1);
	assert_int_equal(hist_index(UINT64_MAX), HIST_BUCKETS - 1);
	uint64_t samples[] = { 1, 31, 32, 33, 63, 64, 65, 1000, 4097, 123456789, 1ULL << 40,
			       UINT64_MAX / 3 };
	for (size_t i = 0; i < sizeof(samples) / sizeof(samples[0]); i++) {
		unsigned idx = hist_index(samples[i]);
		assert_true(samples[i] >= hist_bucket_low(idx));
		assert_true(samples[i] - hist_bucket_low(idx) < hist_bucket_width(idx));
	}
}

static void assert_near(uint64_t got, uint64_t want)
{
	uint64_t diff = got > want ? got - want : want - got;
	assert_true(diff * HIST_SUB <= want);
}

static void test_percentiles(void **state)
{
	(void)state;
	static struct hist h;
	hist_reset(&h);
	assert_int_equal(hist_percentile(&h, 50), 0);
	/* 1..100000 ns: the p-th percentile is p * 1000. */
	for (uint64_t v = 1; v <= 100000; v++)
		hist_add(&h, v);
	assert_near(hist_percentile(&h, 50), 50000);
	assert_near(hist_percentile(&h, 99), 99000);
	assert_near(hist_percentile(&h, 1), 1000);
	assert_int_equal(hist_percentile(&h, 100), 100000);
	assert_true(hist_mean(&h) == 50000.5);
	/* One outlier does not move the median, and is the maximum. */
	hist_reset(&h);
	for (int i = 0; i < 99; i++)
		hist_add(&h, 100000);
	hist_add(&h, 9000000000ULL);
	assert_near(hist_percentile(&h, 50), 100000);
	assert_near(hist_percentile(&h, 99), 100000);
	assert_int_equal(hist_percentile(&h, 100), 9000000000ULL);
}

static void test_pattern(void **state)
{
	(void)state;
	enum { LEN = 4 * PATTERN_UNIT };
	static uint8_t a[LEN], b[LEN];
	pattern_fill(a, LEN, 8192, 7, 3);
	assert_int_equal(pattern_check(a, LEN, 8192, 7, 3), -1);
	/* The same place, filled in two pieces, is the same data. */
	pattern_fill(b, PATTERN_UNIT, 8192, 7, 3);
	pattern_fill(b + PATTERN_UNIT, LEN - PATTERN_UNIT, 8192 + PATTERN_UNIT, 7, 3);
	assert_memory_equal(a, b, LEN);
	/* Another place, seed or generation does not match (the unit number is
	 * big-endian: the neighbour differs in its 8th byte). */
	assert_int_equal(pattern_check(a, LEN, 8192 + PATTERN_UNIT, 7, 3), 7);
	assert_int_not_equal(pattern_check(a, LEN, 8192, 8, 3), -1);
	assert_int_not_equal(pattern_check(a, LEN, 8192, 7, 2), -1);
	/* One changed byte is found where it is. */
	b[3 * PATTERN_UNIT + 100] ^= 1;
	assert_int_equal(pattern_check(b, LEN, 8192, 7, 3), 3 * PATTERN_UNIT + 100);
	memset(b, 0, LEN);
	assert_int_equal(pattern_check(b, LEN, 8192, 7, 3), 7);
}

/* parse_args on "loadgen --sessions SESS --depth DEPTH URL". */
static int parse_sessions(const char *sess, const char *depth, struct opts *o)
{
	char a0[] = "loadgen", a1[] = "--sessions", a3[] = "--depth", a5[] = "iscsi://h/t/0";
	char a2[16], a4[16];
	snprintf(a2, sizeof(a2), "%s", sess);
	snprintf(a4, sizeof(a4), "%s", depth);
	char *argv[] = { a0, a1, a2, a3, a4, a5, NULL };
	optind = 0; /* glibc: start a new scan */
	return parse_args(6, argv, o);
}

static void test_scale_opts(void **state)
{
	(void)state;
	static struct opts o;
	/* The scale series of tools/bench/run.sh: 1, 4, 16 and 64 sessions. */
	const char *points[] = { "1", "4", "16", "64" };
	for (size_t i = 0; i < sizeof(points) / sizeof(points[0]); i++) {
		assert_int_equal(parse_sessions(points[i], "16", &o), 0);
		assert_int_equal(o.sessions, atoi(points[i]));
		assert_int_equal(o.depth, 16);
		assert_int_equal(o.nurls, 1);
	}
	assert_int_equal(parse_sessions("256", "16", &o), 0);
	assert_int_equal(o.sessions, MAX_SESSIONS);
	assert_int_equal(parse_sessions("257", "16", &o), -1);
	assert_int_equal(parse_sessions("0", "16", &o), -1);
	assert_int_equal(parse_sessions("64", "257", &o), -1);
}

static void test_rss_parse(void **state)
{
	(void)state;
	assert_int_equal(rss_parse_kb("Name:\tctgt\nVmHWM:\t  9 kB\nVmRSS:\t    3652 kB\n"), 3652);
	assert_int_equal(rss_parse_kb("VmRSS:\t0 kB"), 0);
	/* A key that only ends in VmRSS, no line, a missing unit, a negative. */
	assert_int_equal(rss_parse_kb("XVmRSS:\t12 kB\n"), -1);
	assert_int_equal(rss_parse_kb(""), -1);
	assert_int_equal(rss_parse_kb("VmRSS:\t12\n"), -1);
	assert_int_equal(rss_parse_kb("VmRSS:\t-12 kB\n"), -1);
	assert_int_equal(rss_parse_kb("VmRSS:\t kB\n"), -1);
	/* This process has one. */
	assert_true(proc_rss_kb((long)getpid()) > 0);
	assert_int_equal(proc_rss_kb(-5), -1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_buckets_tile),
		cmocka_unit_test(test_percentiles),
		cmocka_unit_test(test_pattern),
		cmocka_unit_test(test_scale_opts),
		cmocka_unit_test(test_rss_parse),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
