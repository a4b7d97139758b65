/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Unit tests of the quick-mode flags (config_parse_args()): sizes, portals,
 * --lun, --target and the other flags, their defaults and their errors.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "daemon/config.h"
#include "tests/unit/config_fixture.h"

static void portal_ok(const char *s, const char *host, uint16_t port)
{
	char *h = NULL;
	uint16_t p = 1;

	assert_int_equal(config_parse_portal(s, &h, &p), 0);
	assert_string_equal(h, host);
	assert_int_equal(p, port);
	free(h);
}

static void test_size_good(void **state)
{
	static const struct { const char *s; uint64_t v; } cases[] = {
		{ "0", 0 }, { "4096", 4096 }, { "512K", 512 * 1024ull },
		{ "512M", 512 * MiB }, { "10G", 10 * GiB }, { "10g", 10 * GiB },
		{ "1T", 1024 * GiB }, { "1p", 1024 * 1024 * GiB },
		{ "18446744073709551615", UINT64_MAX },
		{ "16777215T", 16777215ull << 40 },
	};
	uint64_t v;

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		v = 1;
		assert_int_equal(config_parse_size(cases[i].s, &v), 0);
		assert_true(v == cases[i].v);
	}
}

static void test_size_bad(void **state)
{
	static const char *const bad[] = {
		"", "G", "-1", "+5", " 1", "1 ", "1.5G", "10GB", "10X", "0x10", "1e9",
		"18446744073709551616",	/* 2^64 */
		"16777216T",		/* 2^64 after scaling */
		"99999999999999999999G",
		"18014398509481984K",	/* 2^54 * 2^10 */
	};
	uint64_t v = 7;

	(void)state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		assert_int_equal(config_parse_size(bad[i], &v), -1);
	assert_int_equal(config_parse_size(NULL, &v), -1);
	assert_true(v == 7);	/* untouched on failure */
}

static void test_portal_good(void **state)
{
	(void)state;
	portal_ok("127.0.0.1:3260", "127.0.0.1", 3260);
	portal_ok("0.0.0.0:860", "0.0.0.0", 860);
	portal_ok("10.1.2.3:0", "10.1.2.3", 0);
	portal_ok("10.1.2.3:65535", "10.1.2.3", 65535);
	portal_ok("127.0.0.1", "127.0.0.1", 3260);
	portal_ok("localhost:3261", "127.0.0.1", 3261);
	portal_ok("localhost", "127.0.0.1", 3260);
	portal_ok("[::1]:3260", "::1", 3260);
	portal_ok("[0:0::1]:3260", "::1", 3260);	/* canonical form */
	portal_ok("[::]:0", "::", 0);
	portal_ok("[fe80::1]", "fe80::1", 3260);
}

static void test_portal_bad(void **state)
{
	static const char *const bad[] = {
		"", ":3260", "127.0.0.1:", "1.2.3.4:99999", "1.2.3.4:65536",
		"1.2.3.4:-1", "1.2.3.4:+1", "1.2.3.4:32a", "1.2.3:3260",
		"example.com:3260", "::1:3260", "::1", "[::1:3260", "[::1]3260",
		"[::1]:", "[1.2.3.4]:3260", "[]:3260", "[localhost]:3260",
		"1.2.3.4 :3260",
	};
	char *h = NULL;
	uint16_t p;

	(void)state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		assert_int_equal(config_parse_portal(bad[i], &h, &p), -1);
		assert_null(h);
	}
}

static void test_portal_flag_errors(void **state)
{
	struct fixture *f = *state;

	PARSE_FAILS(f, "--portal 1.2.3.4:99999: bad port", "--portal", "1.2.3.4:99999");
	PARSE_FAILS(f, "--portal 127.0.0.1:: missing port", "--portal", "127.0.0.1:");
	PARSE_FAILS(f, "--portal ::1:3260: IPv6 address needs brackets, as in [::1]:3260",
		    "--portal", "::1:3260");
	PARSE_FAILS(f, "--portal [::1:3260: missing ']' after IPv6 address",
		    "--portal", "[::1:3260");
	PARSE_FAILS(f, "--portal :3260: missing host", "--portal", ":3260");
	PARSE_FAILS(f, "--portal host.example:3260: bad host address (want a numeric "
		    "IPv4 or [IPv6] address, or localhost)", "--portal", "host.example:3260");
	PARSE_FAILS(f, "--portal localhost:3260: given twice", "--lun", "0=a,size=1M",
		    "--portal", "127.0.0.1:3260", "--portal", "localhost:3260");
}

static void test_defaults(void **state)
{
	struct fixture *f = *state;
	const struct ctgt_lun_cfg *l;

	assert_int_equal(parse(f, "--lun", "0=var/disk0.img,size=1G", NULL), 0);
	assert_int_equal(f->cfg.nportals, 1);
	assert_string_equal(f->cfg.portals[0].host, "127.0.0.1");
	assert_int_equal(f->cfg.portals[0].port, 3260);
	assert_int_equal(f->cfg.portals[0].tpgt, 1);
	assert_int_equal(f->cfg.ntargets, 1);
	assert_string_equal(f->cfg.targets[0].name, "iqn.2026-11.io.ctgt:disk0");
	assert_int_equal(f->cfg.targets[0].nluns, 1);
	l = &f->cfg.targets[0].luns[0];
	assert_int_equal(l->params.lun, 0);
	assert_string_equal(l->path, "var/disk0.img");
	assert_true(l->params.size == GiB);
	assert_int_equal(l->params.block_size, 512);
	assert_false(l->params.thin || l->params.readonly || l->params.removable);
	assert_int_equal(f->cfg.log_level, -1);
}

static void test_nop_interval(void **state)
{
	struct fixture *f = *state;

	assert_int_equal(parse(f, "--lun", "0=mem:,size=1M", NULL), 0);
	assert_int_equal(f->cfg.nop_interval, -1);	/* not given: daemon default */
	assert_int_equal(parse(f, "--lun", "0=mem:,size=1M", "--nop-interval", "0", NULL), 0);
	assert_int_equal(f->cfg.nop_interval, 0);
	assert_int_equal(parse(f, "--lun", "0=mem:,size=1M", "--nop-interval=15", NULL), 0);
	assert_int_equal(f->cfg.nop_interval, 15);
	PARSE_FAILS(f, "--nop-interval 3601: expected seconds from 0 (off) to 3600",
		    "--lun", "0=mem:,size=1M", "--nop-interval", "3601");
	PARSE_FAILS(f, "--nop-interval -1: expected seconds from 0 (off) to 3600",
		    "--lun", "0=mem:,size=1M", "--nop-interval=-1");
}

static void test_all_flags(void **state)
{
	struct fixture *f = *state;
	const struct ctgt_target_cfg *t;

	assert_int_equal(parse(f, "--portal", "127.0.0.1:0", "--portal=[::1]:3261",
			       "--target", "iqn.2020-01.com.example:t1",
			       "--lun", "0=file:/tmp/a.img,size=512M,thin,physical_block_size=4K,max_bandwidth=100M",
			       "--lun=7=mem:,size=4096,readonly,removable",
			       "--lun", "9=/dev/sdz,io=uring,direct", "--lun", "10=b,io=uring",
			       "--lun", "11=c,io=uring,io=pool",
			       "--log-level=debug", NULL), 0);
	assert_int_equal(f->cfg.nportals, 2);
	assert_string_equal(f->cfg.portals[0].host, "127.0.0.1");
	assert_int_equal(f->cfg.portals[0].port, 0);
	assert_string_equal(f->cfg.portals[1].host, "::1");
	assert_int_equal(f->cfg.portals[1].port, 3261);
	assert_int_equal(f->cfg.portals[1].tpgt, 1);
	assert_int_equal(f->cfg.ntargets, 1);
	t = &f->cfg.targets[0];
	assert_string_equal(t->name, "iqn.2020-01.com.example:t1");
	assert_int_equal(t->nluns, 5);
	assert_true(t->luns[2].params.io_uring && t->luns[2].params.direct);
	assert_true(t->luns[3].params.io_uring && !t->luns[3].params.direct);
	assert_false(t->luns[4].params.io_uring);
	assert_false(t->luns[0].params.io_uring || t->luns[0].params.direct || t->luns[1].params.io_uring);
	assert_int_equal(t->luns[0].params.lun, 0);
	assert_string_equal(t->luns[0].path, "file:/tmp/a.img");
	assert_true(t->luns[0].params.size == 512 * MiB);
	assert_true(t->luns[0].params.thin);
	assert_int_equal(t->luns[0].params.phys_block_size, 4096);
	assert_int_equal(t->luns[1].params.phys_block_size, 0);
	assert_true(t->luns[0].params.max_bandwidth == 100 * MiB);
	assert_true(t->luns[1].params.max_bandwidth == 0);
	assert_false(t->luns[0].params.readonly);
	assert_int_equal(t->luns[1].params.lun, 7);
	assert_string_equal(t->luns[1].path, "mem:");
	assert_true(t->luns[1].params.size == 4096);
	assert_true(t->luns[1].params.readonly && t->luns[1].params.removable);
	assert_false(t->luns[1].params.thin);
	assert_int_equal(f->cfg.log_level, LOG_LVL_DEBUG);
}

static void test_lun_without_size(void **state)
{
	struct fixture *f = *state;

	/* An existing file or device supplies its own size. */
	assert_int_equal(parse(f, "--lun", "255=/dev/sdz", NULL), 0);
	assert_int_equal(f->cfg.targets[0].luns[0].params.lun, 255);
	assert_true(f->cfg.targets[0].luns[0].params.size == 0);
	/* Two kernel-picked ports are two listeners, not a duplicate. */
	assert_int_equal(parse(f, "--lun", "0=a", "--portal", "127.0.0.1:0",
			       "--portal", "127.0.0.1:0", NULL), 0);
	assert_int_equal(f->cfg.nportals, 2);
}

static void test_lun_errors(void **state)
{
	struct fixture *f = *state;

	PARSE_FAILS(f, "--lun 0=: missing path", "--lun", "0=");
	PARSE_FAILS(f, "--lun 0=,size=1G: missing path", "--lun", "0=,size=1G");
	PARSE_FAILS(f, "--lun disk.img: expected N=PATH[,size=SIZE][,physical_block_size=SIZE]"
		    "[,max_bandwidth=SIZE][,thin][,readonly][,removable][,io=uring[,direct]]",
		    "--lun", "disk.img");
	PARSE_FAILS(f, "--lun 256=a: LUN number must be 0 to 255", "--lun", "256=a");
	PARSE_FAILS(f, "--lun x=a: LUN number must be 0 to 255", "--lun", "x=a");
	PARSE_FAILS(f, "--lun =a: LUN number must be 0 to 255", "--lun", "=a");
	PARSE_FAILS(f, "--lun -1=a: LUN number must be 0 to 255", "--lun", "-1=a");
	PARSE_FAILS(f, "--lun 0=a,size=12Q: bad size (want a number of bytes or one like 512M, 10G)",
		    "--lun", "0=a,size=12Q");
	PARSE_FAILS(f, "--lun 0=a,size=0: bad size (want a number of bytes or one like 512M, 10G)",
		    "--lun", "0=a,size=0");
	PARSE_FAILS(f, "--lun 0=a,size=: unknown option (want size=SIZE, physical_block_size=SIZE, "
		    "max_bandwidth=SIZE, thin, readonly, removable, io=uring or direct)",
		    "--lun", "0=a,size=");
	PARSE_FAILS(f, "--lun 0=a,size=1000: size is not a multiple of 512 bytes",
		    "--lun", "0=a,size=1000");
	PARSE_FAILS(f, "--lun 0=a,size=1M,size=2M: size given twice", "--lun", "0=a,size=1M,size=2M");
	PARSE_FAILS(f, "--lun 0=a,physical_block_size=3000: bad physical_block_size (want a power of two such as 4096)",
		    "--lun", "0=a,physical_block_size=3000");
	PARSE_FAILS(f, "--lun 0=a,max_bandwidth=0: bad max_bandwidth (want bytes per second, e.g. 100M)",
		    "--lun", "0=a,max_bandwidth=0");
	PARSE_FAILS(f, "--lun 0=a,max_bandwidth=fast: bad max_bandwidth (want bytes per second, e.g. 100M)",
		    "--lun", "0=a,max_bandwidth=fast");
	PARSE_FAILS(f, "--lun 0=a,fast: unknown option (want size=SIZE, physical_block_size=SIZE, "
		    "max_bandwidth=SIZE, thin, readonly, removable, io=uring or direct)",
		    "--lun", "0=a,fast");
	PARSE_FAILS(f, "--lun 0=a,,thin: unknown option (want size=SIZE, physical_block_size=SIZE, "
		    "max_bandwidth=SIZE, thin, readonly, removable, io=uring or direct)",
		    "--lun", "0=a,,thin");
	PARSE_FAILS(f, "--lun 0=a,direct: direct needs io=uring", "--lun", "0=a,direct");
	PARSE_FAILS(f, "--lun 0=a,io=uring,direct,io=pool: direct needs io=uring",
		    "--lun", "0=a,io=uring,direct,io=pool");
	PARSE_FAILS(f, "--lun 00=b: LUN 0 given twice", "--lun", "0=a", "--lun", "00=b");
}

static void test_other_flag_errors(void **state)
{
	struct fixture *f = *state;

	PARSE_FAILS(f, "unknown option --foo", "--foo");
	PARSE_FAILS(f, "unknown option --foo", "--foo=bar");
	PARSE_FAILS(f, "unknown option --port", "--port", "1.2.3.4");
	PARSE_FAILS(f, "unknown option -v", "-v");
	PARSE_FAILS(f, "unexpected argument disk.img", "disk.img");
	PARSE_FAILS(f, "--log-level loud: expected error, warn, info or debug",
		    "--log-level", "loud");
	PARSE_FAILS(f, "--target bad name: not an iqn./eui./naa. name", "--target", "bad name");
	PARSE_FAILS(f, "--target iqn.2020-01.com.Example:x: iSCSI names are lowercase",
		    "--target", "iqn.2020-01.com.Example:x");
	PARSE_FAILS(f, "--target iqn.20-01.com.x: expected iqn.YYYY-MM.reversed.domain[:name]",
		    "--target", "iqn.20-01.com.x");
	PARSE_FAILS(f, "--target iqn.2020-01.com.x:a_b: only a-z, 0-9, '.', '-' and ':' are allowed",
		    "--target", "iqn.2020-01.com.x:a_b");
	PARSE_FAILS(f, "--target eui.123: expected eui. and 16 hex digits", "--target", "eui.123");
	PARSE_FAILS(f, "--target iqn.2020-01.a.b given twice", "--lun", "0=a",
		    "--target", "iqn.2020-01.a.b", "--target", "iqn.2020-01.a.b", "--lun", "0=b");
	PARSE_FAILS(f, "--target iqn.2020-01.a.c: no --lun follows it", "--lun", "0=a",
		    "--target", "iqn.2020-01.a.b", "--target", "iqn.2020-01.a.c");
	PARSE_FAILS(f, "--config given twice", "--config", "a.json", "--config", "b.json");
	PARSE_FAILS(f, "--portal: missing value", "--portal");
	PARSE_FAILS(f, "--portal: missing value", "--portal", "--lun", "0=a");
	PARSE_FAILS(f, "--portal: missing value", "--portal=");
	PARSE_FAILS(f, "--log-level: missing value", "--log-level");
}

static void test_names_accepted(void **state)
{
	struct fixture *f = *state;

	assert_int_equal(parse(f, "--target", "eui.02004567A425678D", "--lun", "0=a", NULL), 0);
	assert_int_equal(parse(f, "--target", "naa.52004567BA64678D", "--lun", "0=a", NULL), 0);
	assert_int_equal(parse(f, "--target", "naa.6001405abcdef0123456789abcdef012",
			       "--lun", "0=a", NULL), 0);
	assert_int_equal(parse(f, "--target", "iqn.2001-04.com.example", "--lun", "0=a", NULL), 0);
}

static void test_no_lun(void **state)
{
	struct fixture *f = *state;
	static const char want[] = "no LUN configured: use --lun 0=PATH,size=SIZE or --config FILE";
	char *argv[1] = { NULL };

	assert_int_equal(config_parse_args(0, argv, &f->cfg, f->err, sizeof(f->err)), -1);
	assert_string_equal(f->err, want);
	PARSE_FAILS(f, want, "--portal", "127.0.0.1:3260", "--log-level", "info");
	PARSE_FAILS(f, "--target iqn.2020-01.a.b: no --lun follows it", "--target", "iqn.2020-01.a.b");
}

/* Each --target takes the --lun and --chap flags after it; the flags before
 * the first --target are that target's. */
static void test_several_targets(void **state)
{
	struct fixture *f = *state;
	const struct ctgt_target_cfg *a, *b;

	assert_int_equal(parse(f, "--lun", "0=mem:,size=1M", "--discovery-chap", "d:discoverysecret",
			       "--target", "iqn.2020-01.a.b", "--chap", "alice:alicesecret12",
			       "--mutual-chap", "tgt:targetsecret12",
			       "--target", "iqn.2020-01.a.c", "--lun", "0=mem:,size=2M",
			       "--lun", "1=mem:,size=2M", NULL), 0);
	assert_int_equal(f->cfg.ntargets, 2);
	a = &f->cfg.targets[0];
	b = &f->cfg.targets[1];
	assert_string_equal(a->name, "iqn.2020-01.a.b");
	assert_int_equal(a->nluns, 1);
	assert_string_equal(a->chap.user, "alice");
	assert_string_equal(a->chap.secret, "alicesecret12");
	assert_string_equal(a->mutual_chap.user, "tgt");
	assert_string_equal(a->mutual_chap.secret, "targetsecret12");
	assert_string_equal(b->name, "iqn.2020-01.a.c");
	assert_int_equal(b->nluns, 2);
	assert_null(b->chap.user);
	assert_null(b->mutual_chap.user);
	assert_string_equal(f->cfg.discovery_chap.user, "d");
	assert_string_equal(f->cfg.discovery_chap.secret, "discoverysecret");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_size_good),
		T(test_size_bad),
		T(test_portal_good),
		T(test_portal_bad),
		T(test_portal_flag_errors),
		T(test_defaults),
		T(test_nop_interval),
		T(test_all_flags),
		T(test_lun_without_size),
		T(test_lun_errors),
		T(test_other_flag_errors),
		T(test_names_accepted),
		T(test_no_lun),
		T(test_several_targets),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
