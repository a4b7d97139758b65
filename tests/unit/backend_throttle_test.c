/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The bandwidth limit's virtual clock (backend/throttle.c): when each
 * request may run, given when it arrives, with no real time involved.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "backend/throttle.h"

#define SEC 1000000000ull
#define MiB (1024ull * 1024)

static void test_no_limit(void **state)
{
	struct bs_throttle t = { 0 };

	(void)state;
	assert_true(bs_throttle_book(&t, 5, 1ull << 40) == 5);
	assert_true(bs_throttle_book(&t, 6, 1ull << 40) == 6);
}

/* Each request runs once the limit has had time to move its bytes, after
 * those booked before it: one request alone waits its own share too. */
static void test_back_to_back(void **state)
{
	struct bs_throttle t = { .bytes_per_sec = 4 * MiB };

	(void)state;
	assert_true(bs_throttle_book(&t, 100, MiB) == 100 + SEC / 4);
	assert_true(bs_throttle_book(&t, 100, MiB) == 100 + SEC / 2);
	assert_true(bs_throttle_book(&t, 200, 2 * MiB) == 100 + SEC);
	assert_true(bs_throttle_book(&t, 300, 512) == 100 + SEC + SEC / 8192);
	assert_true(bs_throttle_book(&t, 400, 0) == 100 + SEC + SEC / 8192);
}

/* A pause earns no credit: after it, a request waits its full share again,
 * counted from its arrival. */
static void test_idle_earns_nothing(void **state)
{
	struct bs_throttle t = { .bytes_per_sec = MiB };

	(void)state;
	assert_true(bs_throttle_book(&t, 0, MiB) == SEC);
	assert_true(bs_throttle_book(&t, 10 * SEC, MiB) == 11 * SEC);
	assert_true(bs_throttle_book(&t, 10 * SEC, MiB / 2) == 11 * SEC + SEC / 2);
}

/* Huge requests and tiny limits do not overflow the arithmetic. */
static void test_large_values(void **state)
{
	struct bs_throttle t = { .bytes_per_sec = 1 };

	(void)state;
	assert_true(bs_throttle_book(&t, 0, 1ull << 40) == UINT64_MAX);	/* ~35,000 years: saturated */
	assert_true(bs_throttle_book(&t, 7, 1) == UINT64_MAX);

	t = (struct bs_throttle){ .bytes_per_sec = 100ull << 30 };
	assert_true(bs_throttle_book(&t, 0, 100ull << 30) == SEC);	/* 100 GiB at 100 GiB/s */
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_no_limit),
		cmocka_unit_test(test_back_to_back),
		cmocka_unit_test(test_idle_earns_nothing),
		cmocka_unit_test(test_large_values),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
