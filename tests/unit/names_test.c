/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Unit tests for util/iscsi_name.c (RFC 7143 4.2.7, RFC 3722) and
 * util/log_escape.c (peer-supplied strings in log lines).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "util/iscsi_name.h"
#include "util/log_escape.h"

static void test_valid_names(void **state)
{
	static const char *const ok[] = {
		"iqn.2026-11.io.ctgt:disk0",
		"iqn.2007-10.com.github:sahlberg:libiscsi:iscsi-inq",
		"iqn.1991-05.com.microsoft:win-host",
		"iqn.2004-10.com.ubuntu:01:4b1cc2e3a9d",
		"iqn.2026-11.io.ctgt",
		"eui.02004567A425678D",
		"eui.02004567a425678d",
		"naa.52004567BA64678D",
		"naa.6001405abcdef0123456789abcdef012",
	};

	(void)state;
	for (size_t i = 0; i < sizeof(ok) / sizeof(ok[0]); i++) {
		assert_null(iscsi_name_problem(ok[i], false));
		assert_null(iscsi_name_problem(ok[i], true));
	}
	/* Upper case: folded by stringprep, so taken from a peer, not in our config. */
	assert_null(iscsi_name_problem("iqn.1991-05.com.Microsoft:HOST", false));
	assert_string_equal(iscsi_name_problem("iqn.1991-05.com.Microsoft:HOST", true),
			    "iSCSI names are lowercase");
	assert_null(iscsi_name_problem("IQN.1991-05.com.example", false));
}

static void test_invalid_names(void **state)
{
	static const char *const bad[] = {
		"", "disk0", "iqn.", "iqn.2026-11", "iqn.2026-11.", "iqn.26-11.io.x",
		"iqn.2026-1.io.x", "iqn.2026_11.io.x", "iqn.2026-11.io.x:a b",
		"iqn.2026-11.io.x:a_b", "iqn.2026-11.io.x:\x01", "iqn.2026-11.io.x:\xc3\xa9",
		"iqn.2026-11.io.x:a/b", "eui.", "eui.0123456789abcde", "eui.0123456789abcdef0",
		"eui.0123456789abcdeg", "naa.0123456789abcdef0", "naa.0123456789abcdef0123456789abcde",
		"naa.0123456789abcdef0123456789abcdefg", "naa.0123456789abcdef0123456789abcdef01",
		"iqnx2026-11.io.x", "eui:0123456789abcdef",
	};

	(void)state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		assert_non_null(iscsi_name_problem(bad[i], false));
}

static void test_length(void **state)
{
	char name[260];

	(void)state;
	memset(name, 'a', sizeof(name));
	memcpy(name, "iqn.2026-11.io.x:", 17);
	name[223] = '\0';
	assert_null(iscsi_name_problem(name, true));
	name[223] = 'a';
	name[224] = '\0';
	assert_string_equal(iscsi_name_problem(name, false), "longer than 223 bytes");
}

static void test_escape(void **state)
{
	char buf[LOG_ESC_LEN], small[12];

	(void)state;
	assert_string_equal(log_escape(buf, sizeof(buf), "iqn.2026-11.io.x:ok"),
			    "iqn.2026-11.io.x:ok");
	assert_string_equal(log_escape(buf, sizeof(buf), "a\nb\rc\x1b[31m\x7f\xff\\"),
			    "a\\x0ab\\x0dc\\x1b[31m\\x7f\\xff\\x5c");
	assert_string_equal(log_escape(buf, sizeof(buf), ""), "");
	/* Bounded: cut with "..." and always terminated. */
	assert_string_equal(log_escape(small, sizeof(small), "abcdefghijklmnop"), "abcdefgh...");
	assert_string_equal(log_escape(small, sizeof(small), "ab\x01\x02\x03"), "ab\\x01...");
	assert_true(strlen(log_escape(small, sizeof(small), "\x01\x01\x01\x01\x01")) < sizeof(small));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_valid_names),
		cmocka_unit_test(test_invalid_names),
		cmocka_unit_test(test_length),
		cmocka_unit_test(test_escape),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
