/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Unit tests for iscsi/auth_throttle.c: the growing, bounded delay after
 * CHAP failures per address and per name, forgetting after a success or
 * after AUTH_FAIL_FORGET_MS, and a bounded table that makes room by
 * dropping the entry unused the longest.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include <cmocka.h>

#include "iscsi/auth_throttle.h"

#define A "192.0.2.1"
#define N "iqn.2026-11.io.x:guess"

static void test_growing_delay(void **state)
{
	struct auth_throttle *t = auth_throttle_new();
	static const uint64_t want[] = { 1000, 2000, 4000, 8000, 16000, 16000, 16000 };

	(void)state;
	assert_int_equal(auth_throttle_delay(t, A, N, 0), 0);
	for (size_t i = 0; i < sizeof(want) / sizeof(want[0]); i++) {
		auth_throttle_fail(t, A, N, 10 + i);
		assert_int_equal(auth_throttle_delay(t, A, N, 10 + i), want[i]);
	}
	/* The address counts for any name, the name from any address. */
	assert_int_equal(auth_throttle_delay(t, A, "iqn.2026-11.io.x:other", 20), 16000);
	assert_int_equal(auth_throttle_delay(t, "192.0.2.2", N, 20), 16000);
	assert_int_equal(auth_throttle_delay(t, "192.0.2.2", "iqn.2026-11.io.x:other", 20), 0);
	/* An unknown name counts the address only. */
	auth_throttle_fail(t, "192.0.2.3", "", 20);
	assert_int_equal(auth_throttle_delay(t, "192.0.2.3", "iqn.2026-11.io.x:z", 20), 1000);
	auth_throttle_free(t);
}

static void test_forgetting(void **state)
{
	struct auth_throttle *t = auth_throttle_new();

	(void)state;
	auth_throttle_fail(t, A, N, 1000);
	auth_throttle_fail(t, A, N, 1000);
	auth_throttle_success(t, A, N, 1001);
	assert_int_equal(auth_throttle_delay(t, A, N, 1002), 0);
	auth_throttle_fail(t, A, N, 5000);
	assert_int_equal(auth_throttle_delay(t, A, N, 5000 + AUTH_FAIL_FORGET_MS), 1000);
	assert_int_equal(auth_throttle_delay(t, A, N, 5001 + AUTH_FAIL_FORGET_MS), 0);
	/* No table (never a failure, or no memory for it): no delay. */
	assert_int_equal(auth_throttle_delay(NULL, A, N, 0), 0);
	auth_throttle_fail(NULL, A, N, 0);
	auth_throttle_success(NULL, A, N, 0);
	auth_throttle_free(t);
}

static void test_bounded(void **state)
{
	struct auth_throttle *t = auth_throttle_new();
	char addr[32];

	(void)state;
	/* The guessed name, counted first, then enough other addresses to fill
	 * the table: the oldest entry goes, the newest stay. */
	auth_throttle_fail(t, A, N, 1);
	for (unsigned i = 0; i < AUTH_FAIL_SLOTS; i++) {
		snprintf(addr, sizeof(addr), "198.51.100.%u", i);
		auth_throttle_fail(t, addr, NULL, 2 + i);
	}
	assert_int_equal(auth_throttle_delay(t, "203.0.113.1", N, 10000), 0);	/* evicted */
	assert_int_equal(auth_throttle_delay(t, "198.51.100.255", NULL, 10000), 1000);
	assert_int_equal(auth_throttle_delay(t, "198.51.100.2", NULL, 10000), 1000);
	auth_throttle_free(t);
}

static void test_addr_key(void **state)
{
	char k[80];

	(void)state;
	auth_throttle_addr_key("192.0.2.7", k, sizeof(k));
	assert_string_equal(k, "192.0.2.7");
	auth_throttle_addr_key("2001:db8:1:2:aaaa:bbbb:cccc:dddd", k, sizeof(k));
	assert_string_equal(k, "2001:db8:1:2::/64");
	auth_throttle_addr_key("2001:db8:1:2::1", k, sizeof(k));
	assert_string_equal(k, "2001:db8:1:2::/64");
	auth_throttle_addr_key("::1", k, sizeof(k));
	assert_string_equal(k, "::/64");
	auth_throttle_addr_key("::ffff:192.0.2.7", k, sizeof(k));	/* v4-mapped: as it is */
	assert_string_equal(k, "::ffff:192.0.2.7");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_growing_delay),
		cmocka_unit_test(test_forgetting),
		cmocka_unit_test(test_bounded),
		cmocka_unit_test(test_addr_key),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
