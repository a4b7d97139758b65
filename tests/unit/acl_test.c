/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Unit tests for iscsi/acl.c: rule parsing, IPv4/IPv6 network matching at
 * the prefix edges (/0, /32, /128, prefixes inside a byte), IPv4-mapped
 * IPv6 addresses, and how name and network rules combine.
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "iscsi/acl.h"

static struct sockaddr_storage ss_of(const char *addr)
{
	struct sockaddr_storage ss;

	memset(&ss, 0, sizeof(ss));
	if (strchr(addr, ':')) {
		struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)&ss;

		s6->sin6_family = AF_INET6;
		assert_int_equal(inet_pton(AF_INET6, addr, &s6->sin6_addr), 1);
	} else {
		struct sockaddr_in *s4 = (struct sockaddr_in *)&ss;

		s4->sin_family = AF_INET;
		assert_int_equal(inet_pton(AF_INET, addr, &s4->sin_addr), 1);
	}
	return ss;
}

static bool net_match(const char *rule, const char *addr)
{
	struct acl_rule r;
	struct sockaddr_storage ss = ss_of(addr);

	assert_null(acl_rule_parse(&r, rule));
	assert_true(r.is_net);
	return acl_net_match(&r, (const struct sockaddr *)&ss);
}

static void test_parse(void **state)
{
	struct acl_rule r;

	(void)state;
	assert_null(acl_rule_parse(&r, "iqn.1994-05.com.redhat:host1"));
	assert_false(r.is_net);
	assert_string_equal(r.name, "iqn.1994-05.com.redhat:host1");
	assert_null(acl_rule_parse(&r, "eui.02004567A425678D"));
	assert_null(acl_rule_parse(&r, "10.1.2.3/8"));
	assert_int_equal(r.prefix, 8);
	assert_int_equal(r.addr[0], 10);
	assert_int_equal(r.addr[1], 0);	/* host bits cleared */
	assert_null(acl_rule_parse(&r, "192.168.1.7"));
	assert_int_equal(r.prefix, 32);
	assert_null(acl_rule_parse(&r, "fd00::/8"));
	assert_int_equal(r.family, AF_INET6);
	assert_null(acl_rule_parse(&r, "::1"));
	assert_int_equal(r.prefix, 128);
	assert_null(acl_rule_parse(&r, "0.0.0.0/0"));

	static const char *const bad[] = {
		"10.0.0.0/33", "::/129", "10.0.0.0/", "10.0.0.0/-1", "10.0.0.0/08",
		"10.0.0.0/1x", "10.0.0", "host.example.com", "", "/8", "iqn.bad name",
		"eui.123", "10.0.0.0/8/8", "fe80::1%lo",
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		assert_non_null(acl_rule_parse(&r, bad[i]));
}

static void test_ipv4_edges(void **state)
{
	(void)state;
	assert_true(net_match("10.0.0.0/8", "10.255.255.255"));
	assert_false(net_match("10.0.0.0/8", "11.0.0.0"));
	assert_false(net_match("10.0.0.0/8", "9.255.255.255"));
	assert_true(net_match("192.168.1.128/25", "192.168.1.128"));
	assert_true(net_match("192.168.1.128/25", "192.168.1.255"));
	assert_false(net_match("192.168.1.128/25", "192.168.1.127"));
	assert_true(net_match("172.16.0.0/12", "172.31.255.1"));
	assert_false(net_match("172.16.0.0/12", "172.32.0.1"));
	assert_true(net_match("127.0.0.1", "127.0.0.1"));
	assert_false(net_match("127.0.0.1", "127.0.0.2"));
	assert_true(net_match("127.0.0.1/31", "127.0.0.0"));
	assert_true(net_match("0.0.0.0/0", "203.0.113.9"));
	/* A v4 rule never matches a v6 address that is not v4-mapped. */
	assert_false(net_match("0.0.0.0/0", "::1"));
	assert_true(net_match("127.0.0.0/8", "::ffff:127.0.0.5"));
	assert_false(net_match("10.0.0.0/8", "::ffff:127.0.0.5"));
}

static void test_ipv6_edges(void **state)
{
	(void)state;
	assert_true(net_match("::1", "::1"));
	assert_false(net_match("::1", "::2"));
	assert_true(net_match("fd00::/8", "fdff:ffff::1"));
	assert_false(net_match("fd00::/8", "fe00::1"));
	assert_true(net_match("2001:db8::/32", "2001:db8:ffff::1"));
	assert_false(net_match("2001:db8::/32", "2001:db9::1"));
	assert_true(net_match("2001:db8:0:8000::/49", "2001:db8:0:ffff::1"));
	assert_false(net_match("2001:db8:0:8000::/49", "2001:db8:0:7fff::1"));
	assert_true(net_match("::/0", "2001:db8::1"));
	assert_false(net_match("::/0", "10.0.0.1"));
	assert_true(net_match("2001:db8::1/127", "2001:db8::"));
}

static void test_permits(void **state)
{
	struct acl a = { 0 };
	struct acl_rule r;
	struct sockaddr_storage lo = ss_of("127.0.0.1"), other = ss_of("10.0.0.1");
	const struct sockaddr *plo = (const struct sockaddr *)&lo;
	const struct sockaddr *pother = (const struct sockaddr *)&other;

	(void)state;
	/* No rule: everyone. */
	assert_true(acl_permits(&a, "iqn.2026-11.io.x:a", pother));
	/* Names only. */
	assert_null(acl_rule_parse(&r, "iqn.2026-11.io.x:a"));
	assert_int_equal(acl_add(&a, &r), 0);
	assert_null(acl_rule_parse(&r, "iqn.2026-11.io.x:b"));
	assert_int_equal(acl_add(&a, &r), 0);
	assert_true(acl_permits(&a, "iqn.2026-11.io.x:a", pother));
	assert_true(acl_permits(&a, "IQN.2026-11.IO.X:B", pother));	/* case-insensitive */
	assert_false(acl_permits(&a, "iqn.2026-11.io.x:c", plo));
	assert_false(acl_permits(&a, "iqn.2026-11.io.x:a2", plo));	/* no prefix match */
	/* Names and a network: both must hold. */
	assert_null(acl_rule_parse(&r, "127.0.0.0/8"));
	assert_int_equal(acl_add(&a, &r), 0);
	assert_true(acl_permits(&a, "iqn.2026-11.io.x:a", plo));
	assert_false(acl_permits(&a, "iqn.2026-11.io.x:a", pother));
	assert_false(acl_permits(&a, "iqn.2026-11.io.x:c", plo));
	assert_false(acl_permits(&a, "iqn.2026-11.io.x:a", NULL));	/* address unknown */
	acl_free(&a);
	/* Networks only: any name from them. */
	assert_null(acl_rule_parse(&r, "10.0.0.0/24"));
	assert_int_equal(acl_add(&a, &r), 0);
	assert_null(acl_rule_parse(&r, "::1"));
	assert_int_equal(acl_add(&a, &r), 0);
	assert_true(acl_permits(&a, "iqn.2026-11.io.x:z", pother));
	assert_false(acl_permits(&a, "iqn.2026-11.io.x:z", plo));
	acl_free(&a);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse),
		cmocka_unit_test(test_ipv4_edges),
		cmocka_unit_test(test_ipv6_edges),
		cmocka_unit_test(test_permits),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
