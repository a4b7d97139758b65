/* SPDX-License-Identifier: Apache-2.0 */
/* Unit tests for the rate limit of repeated log lines. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include "util/log.h"

/* One hit at each millisecond of [@from, @to); returns how many logged. */
static unsigned hits(struct log_ratelimit *rl, uint64_t from, uint64_t to, unsigned *n)
{
	unsigned lines = 0;

	for (uint64_t t = from; t < to; t++)
		lines += log_ratelimit_check(rl, t, n);
	return lines;
}

static void test_first_hit_logs(void **state)
{
	struct log_ratelimit rl = LOG_RATELIMIT_INIT(1000);
	unsigned n = 99;

	(void)state;
	assert_true(log_ratelimit_check(&rl, 0, &n));	/* even at clock 0 */
	assert_int_equal(n, 0);
	assert_false(log_ratelimit_check(&rl, 1, &n));
}

static void test_one_line_per_interval(void **state)
{
	struct log_ratelimit rl = LOG_RATELIMIT_INIT(1000);
	unsigned n = 0;

	(void)state;
	/* A hit every millisecond for 3.5 s: four lines, not 3500. */
	assert_int_equal(hits(&rl, 5000, 8500, &n), 4);
	/* The last line counted the 999 hits since the one before. */
	assert_int_equal(n, 999);
	assert_int_equal(rl.suppressed, 499);
}

static void test_quiet_after_interval(void **state)
{
	struct log_ratelimit rl = LOG_RATELIMIT_INIT(500);
	unsigned n = 7;

	(void)state;
	assert_true(log_ratelimit_check(&rl, 100, &n));
	assert_false(log_ratelimit_check(&rl, 599, &n));
	assert_true(log_ratelimit_check(&rl, 600, &n));
	assert_int_equal(n, 1);
	assert_true(log_ratelimit_check(&rl, 100000, &n));
	assert_int_equal(n, 0);
}

/* A burst of 3: the first three hits of an interval log, the rest are
 * counted, and the next interval's first line carries the count. */
static void test_burst(void **state)
{
	struct log_ratelimit rl = LOG_RATELIMIT_BURST(1000, 3);
	unsigned n = 99;

	(void)state;
	assert_int_equal(hits(&rl, 100, 200, &n), 3);
	assert_int_equal(n, 0);
	assert_int_equal(rl.suppressed, 97);
	assert_true(log_ratelimit_check(&rl, 1100, &n));
	assert_int_equal(n, 97);
	assert_true(log_ratelimit_check(&rl, 1101, &n));
	assert_int_equal(n, 0);
	assert_true(log_ratelimit_check(&rl, 1102, &n));
	assert_false(log_ratelimit_check(&rl, 1103, &n));
}

/* The count of a flood that stops comes out once its interval has ended,
 * once; the next hit then logs at once. */
static void test_flush(void **state)
{
	struct log_ratelimit rl = LOG_RATELIMIT_BURST(1000, 2);
	unsigned n = 0;

	(void)state;
	assert_false(log_ratelimit_flush(&rl, 5000, &n));	/* nothing yet */
	(void)hits(&rl, 5000, 5010, &n);
	assert_false(log_ratelimit_flush(&rl, 5999, &n));	/* interval not over */
	assert_true(log_ratelimit_flush(&rl, 6000, &n));
	assert_int_equal(n, 8);
	assert_false(log_ratelimit_flush(&rl, 6001, &n));
	assert_true(log_ratelimit_check(&rl, 6002, &n));
	assert_int_equal(n, 0);
	assert_true(log_ratelimit_check(&rl, 6003, &n));
	assert_false(log_ratelimit_check(&rl, 6004, &n));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_first_hit_logs),
		cmocka_unit_test(test_one_line_per_interval),
		cmocka_unit_test(test_quiet_after_interval),
		cmocka_unit_test(test_burst),
		cmocka_unit_test(test_flush),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
