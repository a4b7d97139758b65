/* SPDX-License-Identifier: Apache-2.0 */
/* Unit tests for quick-mode flags and config.json loading. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "daemon/config.h"
#include "daemon/config_internal.h"
#include "util/log.h"

#define MiB (1024ull * 1024)
#define GiB (1024ull * MiB)

/* The example from gotgt's documentation, byte for byte. */
static const char gotgt_example[] =
	"{\n"
	"  \"storages\": [\n"
	"    {\n"
	"      \"deviceID\": 1000,\n"
	"      \"path\": \"file:/var/tmp/disk.img\",\n"
	"      \"online\": true,\n"
	"      \"thinProvisioning\": false,\n"
	"      \"blockShift\": 9\n"
	"    }\n"
	"  ],\n"
	"  \"iscsiportals\": [\n"
	"    {\n"
	"      \"id\": 0,\n"
	"      \"portal\": \"127.0.0.1:3260\"\n"
	"    }\n"
	"  ],\n"
	"  \"iscsitargets\": {\n"
	"    \"iqn.2016-09.com.gotgt.gostor:02:example-tgt-0\": {\n"
	"      \"tpgts\": {\n"
	"        \"1\": [\n"
	"          0\n"
	"        ]\n"
	"      },\n"
	"      \"luns\": {\n"
	"        \"0\": 1000\n"
	"      }\n"
	"    }\n"
	"  }\n"
	"}";

#define GOTGT_IQN "iqn.2016-09.com.gotgt.gostor:02:example-tgt-0"

struct fixture {
	char dir[64];
	char path[128];
	char err[CONFIG_ERR_LEN];
	struct ctgt_config cfg;
};

static int setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));

	if (f == NULL)
		return -1;
	snprintf(f->dir, sizeof(f->dir), "/tmp/ctgt-cfg-XXXXXX");
	if (mkdtemp(f->dir) == NULL)
		return -1;
	snprintf(f->path, sizeof(f->path), "%s/config.json", f->dir);
	f->cfg.log_level = -1;
	/* Unknown-key warnings are expected in some tests; keep output clean. */
	log_set_level(LOG_LVL_ERROR);
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;

	config_free(&f->cfg);
	unlink(f->path);
	rmdir(f->dir);
	free(f);
	return 0;
}

static void write_config(struct fixture *f, const char *text)
{
	FILE *fp = fopen(f->path, "w");

	assert_non_null(fp);
	assert_int_equal(fputs(text, fp) >= 0, 1);
	assert_int_equal(fclose(fp), 0);
}

/* Run config_parse_args on a NULL-terminated list of arguments. */
static int parse(struct fixture *f, const char *first, ...)
{
	char *argv[32];
	int argc = 0;
	va_list ap;

	va_start(ap, first);
	for (const char *a = first; a != NULL; a = va_arg(ap, const char *)) {
		assert_true(argc < 31);
		argv[argc++] = (char *)a;
	}
	va_end(ap);
	argv[argc] = NULL;
	config_free(&f->cfg);
	f->err[0] = '\0';
	return config_parse_args(argc, argv, &f->cfg, f->err, sizeof(f->err));
}

/* Expect a parse failure with exactly @want, and an empty config after it. */
#define PARSE_FAILS(f, want, ...) do { \
	assert_int_equal(parse(f, __VA_ARGS__, NULL), -1); \
	assert_string_equal((f)->err, want); \
	assert_int_equal((f)->cfg.ntargets, 0); \
	assert_int_equal((f)->cfg.nportals, 0); \
} while (0)

static int load(struct fixture *f, const char *text)
{
	write_config(f, text);
	f->err[0] = '\0';
	return config_load_json(f->path, &f->cfg, f->err, sizeof(f->err));
}

/* Expect @text to be refused with a message ending in @tail (after "PATH"). */
static void load_fails(struct fixture *f, const char *text, const char *tail)
{
	char want[CONFIG_ERR_LEN];

	assert_int_equal(load(f, text), -1);
	snprintf(want, sizeof(want), "%s%s", f->path, tail);
	assert_string_equal(f->err, want);
	assert_int_equal(f->cfg.ntargets, 0);
	assert_int_equal(f->cfg.nportals, 0);
}

/* ---- sizes -------------------------------------------------------------- */

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

/* ---- portals ------------------------------------------------------------ */

static void portal_ok(const char *s, const char *host, uint16_t port)
{
	char *h = NULL;
	uint16_t p = 1;

	assert_int_equal(config_parse_portal(s, &h, &p), 0);
	assert_string_equal(h, host);
	assert_int_equal(p, port);
	free(h);
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

/* ---- flags -------------------------------------------------------------- */

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
	assert_int_equal(l->lun, 0);
	assert_string_equal(l->path, "var/disk0.img");
	assert_true(l->size == GiB);
	assert_int_equal(l->block_size, 512);
	assert_false(l->thin || l->readonly || l->removable);
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
	assert_true(t->luns[2].io_uring && t->luns[2].direct);
	assert_true(t->luns[3].io_uring && !t->luns[3].direct);
	assert_false(t->luns[4].io_uring);
	assert_false(t->luns[0].io_uring || t->luns[0].direct || t->luns[1].io_uring);
	assert_int_equal(t->luns[0].lun, 0);
	assert_string_equal(t->luns[0].path, "file:/tmp/a.img");
	assert_true(t->luns[0].size == 512 * MiB);
	assert_true(t->luns[0].thin);
	assert_int_equal(t->luns[0].phys_block_size, 4096);
	assert_int_equal(t->luns[1].phys_block_size, 0);
	assert_true(t->luns[0].max_bandwidth == 100 * MiB);
	assert_true(t->luns[1].max_bandwidth == 0);
	assert_false(t->luns[0].readonly);
	assert_int_equal(t->luns[1].lun, 7);
	assert_string_equal(t->luns[1].path, "mem:");
	assert_true(t->luns[1].size == 4096);
	assert_true(t->luns[1].readonly && t->luns[1].removable);
	assert_false(t->luns[1].thin);
	assert_int_equal(f->cfg.log_level, LOG_LVL_DEBUG);
}

static void test_lun_without_size(void **state)
{
	struct fixture *f = *state;

	/* An existing file or device supplies its own size. */
	assert_int_equal(parse(f, "--lun", "255=/dev/sdz", NULL), 0);
	assert_int_equal(f->cfg.targets[0].luns[0].lun, 255);
	assert_true(f->cfg.targets[0].luns[0].size == 0);
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

/* Weak or inconsistent secrets stop the daemon before it serves, and the
 * message never shows the secret. */
static void test_chap_refused(void **state)
{
	struct fixture *f = *state;

	PARSE_FAILS(f, "--chap alice:...: the secret is shorter than 12 bytes "
		    "(RFC 7143 12.1.3 asks for at least 96 bits)",
		    "--lun", "0=a", "--chap", "alice:short12345");
	PARSE_FAILS(f, "--chap :...: expected USER:SECRET", "--lun", "0=a", "--chap", ":abcdefghijklmn");
	PARSE_FAILS(f, "--chap nocolon:...: expected USER:SECRET", "--lun", "0=a", "--chap", "nocolon");
	PARSE_FAILS(f, "--discovery-chap d:...: the secret is shorter than 12 bytes "
		    "(RFC 7143 12.1.3 asks for at least 96 bits)",
		    "--lun", "0=a", "--discovery-chap", "d:12345678901");
	PARSE_FAILS(f, "--target iqn.2026-11.io.ctgt:disk0: the mutual CHAP secret must differ from "
		    "the initiators' secret (RFC 7143 12.1.3)", "--lun", "0=a",
		    "--chap", "a:samesecret123", "--mutual-chap", "t:samesecret123");
	PARSE_FAILS(f, "--target iqn.2020-01.a.b: mutual CHAP needs CHAP credentials for the "
		    "initiators too (--chap)", "--target", "iqn.2020-01.a.b", "--lun", "0=a",
		    "--mutual-chap", "t:targetsecret12");
	PARSE_FAILS(f, "--chap given twice for one target", "--lun", "0=a",
		    "--chap", "a:alicesecret12", "--chap", "b:alicesecret12");
	/* Exactly 12 bytes is enough. */
	assert_int_equal(parse(f, "--lun", "0=a", "--chap", "a:123456789012", NULL), 0);
}

/* --discovery-mutual-chap / "discoveryMutualChap": the target's own
 * credentials in discovery sessions, checked like a target's mutual ones
 * (wherever the two discovery credentials come from). */
static void test_discovery_mutual_chap(void **state)
{
	struct fixture *f = *state;
	const struct ctgt_config *c = &f->cfg;

	assert_int_equal(parse(f, "--lun", "0=a", "--discovery-chap", "d:discoverysecret",
			       "--discovery-mutual-chap=dt:disctargetsecret", NULL), 0);
	assert_string_equal(c->discovery_chap.user, "d");
	assert_string_equal(c->discovery_chap.secret, "discoverysecret");
	assert_string_equal(c->discovery_mutual_chap.user, "dt");
	assert_string_equal(c->discovery_mutual_chap.secret, "disctargetsecret");
	/* A target's credentials are not the discovery sessions'. */
	assert_null(c->targets[0].chap.user);
	assert_null(c->targets[0].mutual_chap.user);
	assert_int_equal(parse(f, "--lun", "0=a", "--mutual-chap", "t:targetsecret12",
			       "--chap", "a:alicesecret12", NULL), 0);
	assert_null(c->discovery_mutual_chap.user);

	PARSE_FAILS(f, "--discovery-mutual-chap: mutual CHAP needs CHAP credentials for the "
		    "initiators too (--discovery-chap)", "--lun", "0=a",
		    "--discovery-mutual-chap", "dt:disctargetsecret");
	/* A target's --chap is not the discovery sessions' either. */
	PARSE_FAILS(f, "--discovery-mutual-chap: mutual CHAP needs CHAP credentials for the "
		    "initiators too (--discovery-chap)", "--lun", "0=a", "--chap", "a:alicesecret12",
		    "--discovery-mutual-chap", "dt:disctargetsecret");
	PARSE_FAILS(f, "--discovery-mutual-chap: the mutual CHAP secret must differ from the "
		    "initiators' secret (RFC 7143 12.1.3)", "--lun", "0=a",
		    "--discovery-chap", "d:samesecret123", "--discovery-mutual-chap", "dt:samesecret123");
	PARSE_FAILS(f, "--discovery-mutual-chap dt:...: the secret is shorter than 12 bytes "
		    "(RFC 7143 12.1.3 asks for at least 96 bits)", "--lun", "0=a",
		    "--discovery-chap", "d:discoverysecret", "--discovery-mutual-chap", "dt:12345678901");
	PARSE_FAILS(f, "--discovery-mutual-chap nocolon:...: expected USER:SECRET", "--lun", "0=a",
		    "--discovery-chap", "d:discoverysecret", "--discovery-mutual-chap", "nocolon");
	PARSE_FAILS(f, "--discovery-mutual-chap given twice", "--lun", "0=a",
		    "--discovery-chap", "d:discoverysecret", "--discovery-mutual-chap",
		    "dt:disctargetsecret", "--discovery-mutual-chap", "du:disctargetsecret");
	PARSE_FAILS(f, "--discovery-chap given twice", "--lun", "0=a", "--discovery-chap",
		    "d:discoverysecret", "--discovery-chap", "e:discoverysecret");
	PARSE_FAILS(f, "--discovery-mutual-chap: missing value", "--lun", "0=a",
		    "--discovery-mutual-chap");

	/* The file's keys, the same checks. */
	assert_int_equal(load(f, "{\"discoveryChap\": {\"user\": \"d\", \"secret\": \"discoverysecret\"},"
			      "\"discoveryMutualChap\": {\"user\": \"dt\", \"secret\": \"disctargetsecret\"}}"), 0);
	assert_string_equal(c->discovery_chap.user, "d");
	assert_string_equal(c->discovery_mutual_chap.user, "dt");
	assert_string_equal(c->discovery_mutual_chap.secret, "disctargetsecret");
	config_free(&f->cfg);
	load_fails(f, "{\"discoveryMutualChap\": {\"user\": \"dt\", \"secret\": \"disctargetsecret\"}}",
		   ": discoveryMutualChap: mutual CHAP needs CHAP credentials for the initiators too "
		   "(discoveryChap)");
	load_fails(f, "{\"discoveryChap\": {\"user\": \"d\", \"secret\": \"samesecret123\"},"
		   "\"discoveryMutualChap\": {\"user\": \"dt\", \"secret\": \"samesecret123\"}}",
		   ": discoveryMutualChap: the mutual CHAP secret must differ from the initiators' "
		   "secret (RFC 7143 12.1.3)");
	load_fails(f, "{\"discoveryChap\": {\"user\": \"d\", \"secret\": \"discoverysecret\"},"
		   "\"discoveryMutualChap\": {\"user\": \"dt\", \"secret\": \"short\"}}",
		   ": discoveryMutualChap: the secret is shorter than 12 bytes (RFC 7143 12.1.3 asks "
		   "for at least 96 bits)");
	load_fails(f, "{\"discoveryChap\": {\"user\": \"d\", \"secret\": \"discoverysecret\"},"
		   "\"discoveryMutualChap\": \"dt:disctargetsecret\"}",
		   ": discoveryMutualChap: must be an object with \"user\" and \"secret\" strings");

	/* The file's discoveryChap with the flag's mutual credentials; the
	 * flag's discovery credentials replace the file's and are checked
	 * against its mutual ones. */
	write_config(f, "{\"discoveryChap\": {\"user\": \"d\", \"secret\": \"discoverysecret\"},"
		     "\"storages\": [{\"deviceID\": 1, \"path\": \"mem:\", \"size\": \"1M\"}],"
		     "\"iscsitargets\": {\"iqn.2020-01.a.b\": {\"luns\": {\"0\": 1}}}}");
	assert_int_equal(parse(f, "--config", f->path, "--discovery-mutual-chap",
			       "dt:disctargetsecret", NULL), 0);
	assert_string_equal(c->discovery_chap.secret, "discoverysecret");
	assert_string_equal(c->discovery_mutual_chap.secret, "disctargetsecret");
	write_config(f, "{\"discoveryChap\": {\"user\": \"d\", \"secret\": \"discoverysecret\"},"
		     "\"discoveryMutualChap\": {\"user\": \"dt\", \"secret\": \"disctargetsecret\"},"
		     "\"storages\": [{\"deviceID\": 1, \"path\": \"mem:\", \"size\": \"1M\"}],"
		     "\"iscsitargets\": {\"iqn.2020-01.a.b\": {\"luns\": {\"0\": 1}}}}");
	assert_int_equal(parse(f, "--config", f->path, "--discovery-chap", "e:othersecret123", NULL), 0);
	assert_string_equal(c->discovery_chap.user, "e");
	assert_string_equal(c->discovery_mutual_chap.user, "dt");
	PARSE_FAILS(f, "--discovery-mutual-chap: the mutual CHAP secret must differ from the "
		    "initiators' secret (RFC 7143 12.1.3)",
		    "--config", f->path, "--discovery-chap", "e:disctargetsecret");
}

/* ---- config.json -------------------------------------------------------- */

static void test_gotgt_example(void **state)
{
	struct fixture *f = *state;
	const struct ctgt_lun_cfg *l;

	write_config(f, gotgt_example);
	assert_int_equal(parse(f, "--config", f->path, NULL), 0);
	assert_int_equal(f->cfg.nportals, 1);
	assert_string_equal(f->cfg.portals[0].host, "127.0.0.1");
	assert_int_equal(f->cfg.portals[0].port, 3260);
	assert_int_equal(f->cfg.portals[0].tpgt, 1);
	assert_int_equal(f->cfg.ntargets, 1);
	assert_string_equal(f->cfg.targets[0].name, GOTGT_IQN);
	assert_int_equal(f->cfg.targets[0].nluns, 1);
	l = &f->cfg.targets[0].luns[0];
	assert_int_equal(l->lun, 0);
	assert_string_equal(l->path, "file:/var/tmp/disk.img");
	assert_true(l->size == 0);
	assert_int_equal(l->block_size, 512);
	assert_false(l->thin || l->readonly || l->removable);
}

static void test_config_with_flags(void **state)
{
	struct fixture *f = *state;
	const struct ctgt_target_cfg *t;
	char want[CONFIG_ERR_LEN];

	write_config(f, gotgt_example);
	/* --portal adds a portal; one equal to the file's is the same listener. */
	assert_int_equal(parse(f, "--config", f->path, "--portal", "[::1]:3260",
			       "--portal", "localhost:3260", NULL), 0);
	assert_int_equal(f->cfg.nportals, 2);
	assert_string_equal(f->cfg.portals[1].host, "::1");

	/* --lun without --target goes to the default target, next to the file's. */
	assert_int_equal(parse(f, "--config=" , NULL), -1);
	assert_int_equal(parse(f, "--lun", "1=mem:,size=1M", "--config", f->path, NULL), 0);
	assert_int_equal(f->cfg.ntargets, 2);
	assert_string_equal(f->cfg.targets[1].name, "iqn.2026-11.io.ctgt:disk0");

	/* --lun with --target naming the file's target adds to it. */
	assert_int_equal(parse(f, "--config", f->path, "--target", GOTGT_IQN,
			       "--lun", "1=mem:,size=1M", NULL), 0);
	assert_int_equal(f->cfg.ntargets, 1);
	t = &f->cfg.targets[0];
	assert_int_equal(t->nluns, 2);
	assert_int_equal(t->luns[1].lun, 1);

	snprintf(want, sizeof(want), "--lun 0: %s already has LUN 0 in %s", GOTGT_IQN, f->path);
	PARSE_FAILS(f, want, "--config", f->path, "--target", GOTGT_IQN, "--lun", "0=b");
	/* A listener has one tag: a flag portal cannot give the file's another. */
	write_config(f, "{\"storages\": [{\"deviceID\": 1, \"path\": \"mem:\", \"size\": \"1M\"}],"
		     "\"iscsiportals\": [{\"id\": 0, \"portal\": \"127.0.0.1:3260\"}],"
		     "\"iscsitargets\": {\"iqn.2020-01.a.b\": {\"tpgts\": {\"2\": [0]},"
		     " \"luns\": {\"0\": 1}}}}");
	PARSE_FAILS(f, "--portal: portal 127.0.0.1:3260 has tag 1, but is already configured with tag 2",
		    "--config", f->path, "--portal", "127.0.0.1:3260");
	assert_int_equal(parse(f, "--config", f->path, "--portal", "127.0.0.1:3261", NULL), 0);
	assert_int_equal(f->cfg.nportals, 2);
	assert_int_equal(f->cfg.portals[0].tpgt, 2);
	assert_int_equal(f->cfg.portals[1].tpgt, 1);
	write_config(f, gotgt_example);
	PARSE_FAILS(f, "--target " GOTGT_IQN
		    ": with --config, --target only names the target of --lun, --chap and --allow flags",
		    "--config", f->path, "--target", GOTGT_IQN);
}

static void test_config_missing_file(void **state)
{
	struct fixture *f = *state;
	char want[CONFIG_ERR_LEN];

	snprintf(want, sizeof(want), "open %s: No such file or directory", f->path);
	PARSE_FAILS(f, want, "--config", f->path);
}

static void test_config_extensions(void **state)
{
	struct fixture *f = *state;
	const struct ctgt_target_cfg *t;

	assert_int_equal(load(f,
		"{\"storages\": ["
		" {\"deviceID\": 1, \"path\": \"var/a.img\", \"size\": \"1G\", \"readonly\": true,"
		"  \"thinProvisioning\": true, \"physicalBlockSize\": 8192, \"maxBandwidth\": \"4M\"},"
		" {\"deviceID\": 2, \"path\": \"mem:\", \"size\": 8192, \"removable\": true,"
		"  \"blockShift\": 12, \"online\": true},"
		" {\"deviceID\": 3, \"path\": \"var/c.img\", \"online\": false},"
		" {\"deviceID\": 4, \"path\": \"var/d.img\", \"io\": \"uring\", \"direct\": true},"
		" {\"deviceID\": 5, \"path\": \"var/e.img\", \"io\": \"pool\"}],"
		"\"iscsiportals\": [{\"id\": 5, \"portal\": \"[::1]:3262\"},"
		"                  {\"id\": 6, \"portal\": \"127.0.0.1:3263\"}],"
		"\"iscsitargets\": {"
		" \"iqn.2020-01.com.example:a\": {\"tpgts\": {\"7\": [5]},"
		"   \"luns\": {\"0\": 1, \"1\": 2, \"2\": 3, \"3\": 4, \"4\": 5}}}}"), 0);
	assert_int_equal(f->cfg.nportals, 2);
	assert_string_equal(f->cfg.portals[0].host, "::1");
	assert_int_equal(f->cfg.portals[0].port, 3262);
	assert_int_equal(f->cfg.portals[0].tpgt, 7);
	assert_int_equal(f->cfg.portals[1].tpgt, 1);	/* listed, in no tpgt */
	assert_int_equal(f->cfg.ntargets, 1);
	t = &f->cfg.targets[0];
	assert_int_equal(t->nluns, 4);	/* the offline store is left out */
	assert_true(t->luns[2].io_uring && t->luns[2].direct);
	assert_false(t->luns[3].io_uring || t->luns[3].direct || t->luns[0].io_uring);
	assert_string_equal(t->luns[0].path, "var/a.img");
	assert_true(t->luns[0].size == GiB);
	assert_true(t->luns[0].readonly && t->luns[0].thin);
	assert_false(t->luns[0].removable);
	assert_int_equal(t->luns[0].block_size, 512);
	assert_int_equal(t->luns[0].phys_block_size, 8192);
	assert_int_equal(t->luns[1].phys_block_size, 0);
	assert_true(t->luns[0].max_bandwidth == 4 * MiB);
	assert_true(t->luns[1].max_bandwidth == 0);
	assert_int_equal(t->luns[1].lun, 1);
	assert_true(t->luns[1].size == 8192);
	assert_int_equal(t->luns[1].block_size, 4096);
	assert_true(t->luns[1].removable);
}

static void test_config_appends(void **state)
{
	struct fixture *f = *state;
	char want[CONFIG_ERR_LEN];

	assert_int_equal(load(f, gotgt_example), 0);
	/* Loading the same file again would define the target twice. */
	assert_int_equal(load(f, gotgt_example), -1);
	snprintf(want, sizeof(want), "%s: target %s is already configured", f->path, GOTGT_IQN);
	assert_string_equal(f->err, want);
	assert_int_equal(f->cfg.ntargets, 1);	/* untouched by the failure */
	assert_int_equal(f->cfg.nportals, 1);
	assert_int_equal(f->cfg.targets[0].nluns, 1);
}

static void test_config_unknown_device(void **state)
{
	struct fixture *f = *state;
	char text[sizeof(gotgt_example)];
	char *p;

	memcpy(text, gotgt_example, sizeof(text));
	p = strstr(text, "\"0\": 1000");
	assert_non_null(p);
	memcpy(p, "\"0\": 1001", 9);
	load_fails(f, text, ": iscsitargets." GOTGT_IQN ": lun 0 refers to unknown deviceID 1001");
}

static void test_config_syntax_errors(void **state)
{
	struct fixture *f = *state;

	assert_int_equal(load(f, "{\n  \"storages\": [\n    {\"deviceID\": 1 \"path\": \"x\"}\n]}"), -1);
	assert_non_null(strstr(f->err, f->path));
	assert_non_null(strstr(f->err, ":3:"));	/* jansson's line number */
	assert_int_equal(load(f, "{\"storages\": ["), -1);
	assert_non_null(strstr(f->err, ":1:"));
	assert_int_equal(load(f, ""), -1);
	assert_int_equal(strncmp(f->err, f->path, strlen(f->path)), 0);
	assert_int_equal(load(f, "{\"iscsitargets\": {}, \"iscsitargets\": {}}"), -1);
	assert_non_null(strstr(f->err, "duplicate"));
	assert_int_equal(load(f, "{} trailing"), -1);
	assert_int_equal(f->cfg.ntargets, 0);
}

static void test_config_bad_content(void **state)
{
	struct fixture *f = *state;

	load_fails(f, "[]", ": the top level must be a JSON object");
	load_fails(f, "{\"storages\": {}}", ": storages must be an array");
	load_fails(f, "{\"storages\": [1]}", ": storages[0]: must be an object");
	load_fails(f, "{\"storages\": [{\"path\": \"a\"}]}", ": storages[0]: missing deviceID");
	load_fails(f, "{\"storages\": [{\"deviceID\": \"1\", \"path\": \"a\"}]}",
		   ": storages[0]: deviceID must be an integer from 0 to 9223372036854775807");
	load_fails(f, "{\"storages\": [{\"deviceID\": 1}]}",
		   ": storages[0]: path must be a non-empty string");
	load_fails(f, "{\"storages\": [{\"deviceID\": 1, \"path\": \"a\"},"
		   "{\"deviceID\": 1, \"path\": \"b\"}]}", ": storages[1]: duplicate deviceID 1");
	load_fails(f, "{\"storages\": [{\"deviceID\": 1, \"path\": \"a\", \"blockShift\": 8}]}",
		   ": storages[0]: blockShift must be 9 (512 bytes) to 12 (4096 bytes)");
	load_fails(f, "{\"storages\": [{\"deviceID\": 1, \"path\": \"a\", \"online\": 1}]}",
		   ": storages[0]: online must be true or false");
	load_fails(f, "{\"storages\": [{\"deviceID\": 1, \"path\": \"a\", \"size\": \"1Q\"}]}",
		   ": storages[0]: size must be a positive number of bytes or a string like \"10G\"");
	load_fails(f, "{\"storages\": [{\"deviceID\": 1, \"path\": \"a\", \"maxBandwidth\": 0}]}",
		   ": storages[0]: maxBandwidth must be a positive number of bytes or a string like \"10G\"");
	load_fails(f, "{\"storages\": [{\"deviceID\": 1, \"path\": \"a\", \"io\": \"fast\"}]}",
		   ": storages[0]: io must be \"uring\" or \"pool\"");
	load_fails(f, "{\"storages\": [{\"deviceID\": 1, \"path\": \"a\", \"direct\": true}]}",
		   ": storages[0]: direct needs \"io\": \"uring\"");
	load_fails(f, "{\"storages\": [{\"deviceID\": 1, \"path\": \"a\", \"size\": 1000}]}",
		   ": storages[0]: size is not a multiple of the block size (512)");
	load_fails(f, "{\"iscsiportals\": [{\"id\": 0, \"portal\": \"1.2.3.4:99999\"}]}",
		   ": iscsiportals[0]: portal \"1.2.3.4:99999\": bad port");
	load_fails(f, "{\"iscsiportals\": [{\"id\": 0, \"portal\": \"1.2.3.4\"},"
		   "{\"id\": 0, \"portal\": \"1.2.3.5\"}]}", ": iscsiportals[1]: duplicate id 0");
	load_fails(f, "{\"iscsitargets\": {\"bad\": {}}}",
		   ": iscsitargets.bad: not an iqn./eui./naa. name");
	load_fails(f, "{\"iscsitargets\": {\"iqn.2020-01.a.b\": {\"luns\": {\"x\": 1}}}}",
		   ": iscsitargets.iqn.2020-01.a.b: lun \"x\" must be 0 to 255");
	load_fails(f, "{\"iscsitargets\": {\"iqn.2020-01.a.b\": {\"tpgts\": {\"1\": [3]}}}}",
		   ": iscsitargets.iqn.2020-01.a.b: tpgts.1 refers to unknown portal id");
	load_fails(f, "{\"iscsitargets\": {\"iqn.2020-01.a.b\": {\"tpgts\": {\"0\": []}}}}",
		   ": iscsitargets.iqn.2020-01.a.b: tpgt \"0\" must be 1 to 65535");
	load_fails(f, "{\"iscsiportals\": [{\"id\": 0, \"portal\": \"1.2.3.4\"}],"
		   "\"iscsitargets\": {\"iqn.2020-01.a.b\": {\"tpgts\": {\"1\": [0]}},"
		   "\"iqn.2020-01.a.c\": {\"tpgts\": {\"2\": [0]}}}}",
		   ": iscsitargets.iqn.2020-01.a.c: portal id 0 already has tag 1, cannot also be 2");
}

/* ctgt's access keys: "chap", "mutualChap", "allow", "initiators", "discoveryChap". */
static void test_config_access(void **state)
{
	struct fixture *f = *state;
	const struct ctgt_target_cfg *t;
	const struct ctgt_initiator_cfg *ic;

	assert_int_equal(load(f, "{\"storages\": [{\"deviceID\": 1, \"path\": \"mem:\", \"size\": \"1M\"}],"
			      "\"discoveryChap\": {\"user\": \"d\", \"secret\": \"discoverysecret\"},"
			      "\"iscsitargets\": {\"iqn.2020-01.a.b\": {\"luns\": {\"0\": 1},"
			      "\"chap\": {\"user\": \"u\", \"secret\": \"usersecret123\"},"
			      "\"mutualChap\": {\"user\": \"t\", \"secret\": \"targetsecret1\"},"
			      "\"allow\": [\"iqn.2020-01.a.i\", \"10.0.0.0/8\"],"
			      "\"initiators\": {\"iqn.2020-01.a.i\": {\"chap\": {\"user\": \"i\","
			      "\"secret\": \"initsecret123\"}, \"luns\": [{\"lun\": 4, \"targetLun\": 0,"
			      "\"readonly\": true}, {\"lun\": 0}]}, \"iqn.2020-01.a.j\": {}}}}}"), 0);
	assert_string_equal(f->cfg.discovery_chap.user, "d");
	t = &f->cfg.targets[0];
	assert_string_equal(t->chap.secret, "usersecret123");
	assert_string_equal(t->mutual_chap.user, "t");
	assert_int_equal(t->nallow, 2);
	assert_string_equal(t->allow[1], "10.0.0.0/8");
	assert_int_equal(t->ninitiators, 2);
	ic = &t->initiators[0];
	assert_string_equal(ic->name, "iqn.2020-01.a.i");
	assert_string_equal(ic->chap.user, "i");
	assert_true(ic->map_luns);
	assert_int_equal(ic->nluns, 2);
	assert_int_equal(ic->luns[0].lun, 4);
	assert_int_equal(ic->luns[0].target_lun, 0);
	assert_true(ic->luns[0].readonly);
	assert_int_equal(ic->luns[1].target_lun, 0);	/* defaults to "lun" */
	assert_false(ic->luns[1].readonly);
	assert_false(t->initiators[1].map_luns);	/* no "luns": sees every LU */
	config_free(&f->cfg);

	load_fails(f, "{\"iscsitargets\": {\"iqn.2020-01.a.b\": {\"allow\": [\"10.0.0.0/40\"]}}}",
		   ": iscsitargets.iqn.2020-01.a.b.allow[0]: IPv4 prefix longer than 32");
	load_fails(f, "{\"iscsitargets\": {\"iqn.2020-01.a.b\": {\"chap\": {\"user\": \"u\","
		   "\"secret\": \"short\"}}}}",
		   ": iscsitargets.iqn.2020-01.a.b.chap: the secret is shorter than 12 bytes "
		   "(RFC 7143 12.1.3 asks for at least 96 bits)");
	load_fails(f, "{\"iscsitargets\": {\"iqn.2020-01.a.b\": {\"chap\": \"u:secretsecret\"}}}",
		   ": iscsitargets.iqn.2020-01.a.b.chap: must be an object with \"user\" and \"secret\" strings");
	load_fails(f, "{\"iscsitargets\": {\"iqn.2020-01.a.b\": {\"initiators\": {\"bad\": {}}}}}",
		   ": iscsitargets.iqn.2020-01.a.b.initiators.bad: not an iqn./eui./naa. name");
	load_fails(f, "{\"iscsitargets\": {\"iqn.2020-01.a.b\": {\"initiators\": {\"iqn.2020-01.a.i\":"
		   "{\"luns\": [{\"lun\": 256}]}}}}}",
		   ": iscsitargets.iqn.2020-01.a.b.initiators.iqn.2020-01.a.i.luns[0]: lun must be an integer from 0 to 255");
	load_fails(f, "{\"iscsitargets\": {\"iqn.2020-01.a.b\": {"
		   "\"chap\": {\"user\": \"u\", \"secret\": \"samesecret123\"},"
		   "\"mutualChap\": {\"user\": \"t\", \"secret\": \"samesecret123\"}}}}",
		   ": iscsitargets.iqn.2020-01.a.b: the mutual CHAP secret must differ from the "
		   "initiators' secret (RFC 7143 12.1.3)");
}

static void test_config_unknown_keys_ignored(void **state)
{
	struct fixture *f = *state;

	assert_int_equal(load(f, "{\"comment\": \"x\", \"storages\": [{\"deviceID\": 1,"
			      " \"path\": \"a\", \"color\": \"red\"}]}"), 0);
	assert_int_equal(f->cfg.ntargets, 0);
}

/* --state-dir and "stateDir": where APTPL reservation files go; the flag
 * wins over the file. */
static void test_state_dir(void **state)
{
	struct fixture *f = *state;

	assert_int_equal(parse(f, "--lun", "0=mem:,size=1M", NULL), 0);
	assert_null(f->cfg.state_dir);
	assert_int_equal(parse(f, "--lun", "0=mem:,size=1M", "--state-dir", "/var/lib/ctgt", NULL), 0);
	assert_string_equal(f->cfg.state_dir, "/var/lib/ctgt");
	PARSE_FAILS(f, "--state-dir given twice", "--lun", "0=mem:,size=1M",
		    "--state-dir", "a", "--state-dir=b");
	PARSE_FAILS(f, "--state-dir: missing value", "--lun", "0=mem:,size=1M", "--state-dir=");

	write_config(f, "{\"stateDir\": \"/srv/pr\", \"storages\": [{\"deviceID\": 1,"
		     " \"path\": \"mem:\", \"size\": \"1M\"}],"
		     " \"iscsitargets\": {\"iqn.2020-01.a.b\": {\"luns\": {\"0\": 1}}}}");
	assert_int_equal(parse(f, "--config", f->path, NULL), 0);
	assert_string_equal(f->cfg.state_dir, "/srv/pr");
	assert_int_equal(parse(f, "--config", f->path, "--state-dir", "/other", NULL), 0);
	assert_string_equal(f->cfg.state_dir, "/other");
	config_free(&f->cfg);
	load_fails(f, "{\"stateDir\": 5}", ": \"stateDir\" must be a non-empty string");
	load_fails(f, "{\"stateDir\": \"\"}", ": \"stateDir\" must be a non-empty string");
}

/* Resource limit flags and top-level keys; 0 means "the default"; a flag
 * wins over the file. */
static void test_limits(void **state)
{
	struct fixture *f = *state;
	const struct ctgt_limits *l = &f->cfg.limits;

	assert_int_equal(parse(f, "--lun", "0=mem:,size=1M", NULL), 0);
	assert_int_equal(l->max_connections | l->max_connections_per_address |
			 l->max_sessions_per_target | l->login_timeout |
			 l->connection_buffer | l->tx_backlog, 0);
	assert_int_equal(parse(f, "--lun", "0=mem:,size=1M", "--connection-limit", "10",
			       "--connection-limit-per-address=3", "--session-limit", "2",
			       "--login-timeout", "5", "--connection-buffer", "16M",
			       "--tx-backlog", "256K", NULL), 0);
	assert_int_equal(l->max_connections, 10);
	assert_int_equal(l->max_connections_per_address, 3);
	assert_int_equal(l->max_sessions_per_target, 2);
	assert_int_equal(l->login_timeout, 5);
	assert_int_equal(l->connection_buffer, 16u << 20);
	assert_int_equal(l->tx_backlog, 256u << 10);
	/* The upper bounds, each seen in its own field. */
	assert_int_equal(parse(f, "--lun", "0=mem:,size=1M", "--connection-buffer", "2G",
			       "--tx-backlog=1G", "--session-limit", "65536", NULL), 0);
	assert_int_equal(l->connection_buffer, 1u << 31);
	assert_int_equal(l->tx_backlog, 1u << 30);
	assert_int_equal(l->max_sessions_per_target, 65536);
	assert_int_equal(l->max_connections | l->max_connections_per_address | l->login_timeout, 0);
	PARSE_FAILS(f, "--login-timeout 0: expected a number from 1 to 3600",
		    "--lun", "0=mem:,size=1M", "--login-timeout", "0");
	PARSE_FAILS(f, "--connection-limit 65537: expected a number from 1 to 65536",
		    "--lun", "0=mem:,size=1M", "--connection-limit", "65537");
	PARSE_FAILS(f, "--connection-buffer 4K: expected a size (bytes, or like 64M) from 1048576 to 2147483648",
		    "--lun", "0=mem:,size=1M", "--connection-buffer", "4K");

	write_config(f, "{\"connectionLimit\": 7, \"connectionLimitPerAddress\": 2,"
		     " \"sessionLimit\": 4, \"loginTimeout\": 9, \"connectionBuffer\": \"32M\","
		     " \"txBacklog\": 1048576, \"storages\": [{\"deviceID\": 1,"
		     " \"path\": \"mem:\", \"size\": \"1M\"}],"
		     " \"iscsitargets\": {\"iqn.2020-01.a.b\": {\"luns\": {\"0\": 1}}}}");
	assert_int_equal(parse(f, "--config", f->path, "--login-timeout", "3", NULL), 0);
	assert_int_equal(l->max_connections, 7);
	assert_int_equal(l->max_connections_per_address, 2);
	assert_int_equal(l->max_sessions_per_target, 4);
	assert_int_equal(l->login_timeout, 3);	/* the flag wins */
	assert_int_equal(l->connection_buffer, 32u << 20);
	assert_int_equal(l->tx_backlog, 1u << 20);
	config_free(&f->cfg);
	load_fails(f, "{\"loginTimeout\": 0}", ": top level: loginTimeout must be an integer from 1 to 3600");
	load_fails(f, "{\"sessionLimit\": \"4\"}", ": top level: sessionLimit must be an integer from 1 to 65536");
	load_fails(f, "{\"txBacklog\": \"1K\"}",
		   ": top level: txBacklog must be from 65536 to 1073741824 bytes (a number or a string like \"64M\")");
}

/* config_limits[] covers struct ctgt_limits: one entry per field, each
 * field once (so a limit added to the struct without an entry is caught). */
static void test_limit_table_covers_limits(void **state)
{
	(void)state;
	assert_int_equal(config_nlimits * sizeof(unsigned), sizeof(struct ctgt_limits));
	for (size_t i = 0; i < config_nlimits; i++) {
		assert_true(config_limits[i].offset % sizeof(unsigned) == 0);
		assert_true(config_limits[i].offset < sizeof(struct ctgt_limits));
		assert_true(config_limits[i].min >= 1);	/* 0 means "the default" */
		assert_true(config_limits[i].min <= config_limits[i].max);
		for (size_t k = 0; k < i; k++)
			assert_int_not_equal(config_limits[i].offset, config_limits[k].offset);
	}
}

/* Only @l's field of @lim is set, to @want. */
static void assert_only_limit(const struct ctgt_limits *lim, const struct config_limit *l,
			      uint64_t want)
{
	for (size_t i = 0; i < config_nlimits; i++)
		assert_int_equal(limit_get(lim, &config_limits[i]),
				 &config_limits[i] == l ? want : 0);
}

/* One limit's flag: its bounds are taken, one past them refused with a
 * message naming the flag, the value and the range. */
static void limit_flag_bounds(struct fixture *f, const struct config_limit *l)
{
	char flag[64], val[32], want[CONFIG_ERR_LEN];
	const uint64_t ok[] = { l->min, l->max }, bad[] = { l->min - 1, l->max + 1 };

	snprintf(flag, sizeof(flag), "--%s", l->flag);
	for (size_t k = 0; k < 2; k++) {
		snprintf(val, sizeof(val), "%llu", (unsigned long long)ok[k]);
		assert_int_equal(parse(f, "--lun", "0=mem:,size=1M", flag, val, NULL), 0);
		assert_only_limit(&f->cfg.limits, l, ok[k]);
	}
	for (size_t k = 0; k < 2; k++) {
		snprintf(val, sizeof(val), "%llu", (unsigned long long)bad[k]);
		snprintf(want, sizeof(want), "%s %s: expected %s from %llu to %llu", flag, val,
			 l->size ? "a size (bytes, or like 64M)" : "a number",
			 (unsigned long long)l->min, (unsigned long long)l->max);
		PARSE_FAILS(f, want, "--lun", "0=mem:,size=1M", flag, val);
	}
	/* A size takes a unit; a count does not. */
	snprintf(val, sizeof(val), "%lluK", (unsigned long long)(l->max >> 10));
	assert_int_equal(parse(f, "--lun", "0=mem:,size=1M", flag, val, NULL), l->size ? 0 : -1);
	if (l->size)
		assert_only_limit(&f->cfg.limits, l, l->max);
	snprintf(flag, sizeof(flag), "--%s=", l->flag);
	snprintf(want, sizeof(want), "--%s: missing value", l->flag);
	PARSE_FAILS(f, want, "--lun", "0=mem:,size=1M", flag);
}

/* One limit's config.json key: the same bounds as its flag. */
static void limit_key_bounds(struct fixture *f, const struct config_limit *l)
{
	char text[128], want[CONFIG_ERR_LEN];

	snprintf(text, sizeof(text), "{\"%s\": %llu}", l->key, (unsigned long long)l->max);
	assert_int_equal(load(f, text), 0);
	assert_only_limit(&f->cfg.limits, l, l->max);
	config_free(&f->cfg);
	snprintf(text, sizeof(text), "{\"%s\": %llu}", l->key, (unsigned long long)l->min);
	assert_int_equal(load(f, text), 0);
	assert_only_limit(&f->cfg.limits, l, l->min);
	config_free(&f->cfg);
	snprintf(want, sizeof(want), ": top level: %s must be an integer from %llu to %llu", l->key,
		 (unsigned long long)l->min, (unsigned long long)l->max);
	snprintf(text, sizeof(text), "{\"%s\": %llu}", l->key, (unsigned long long)l->min - 1);
	load_fails(f, text, want);
	snprintf(text, sizeof(text), "{\"%s\": %llu}", l->key, (unsigned long long)l->max + 1);
	load_fails(f, text, want);
}

/* Every entry of config_limits[], as a flag and as a config.json key. */
static void test_limit_table_bounds(void **state)
{
	struct fixture *f = *state;

	for (size_t i = 0; i < config_nlimits; i++) {
		limit_flag_bounds(f, &config_limits[i]);
		limit_key_bounds(f, &config_limits[i]);
	}
}

/* --max-connections and "maxConnections": connections per session; the
 * flag wins over the file; 0 in the result means the server's default. */
static void test_max_connections(void **state)
{
	struct fixture *f = *state;

	assert_int_equal(parse(f, "--lun", "0=mem:,size=1M", NULL), 0);
	assert_int_equal(f->cfg.max_connections, 0);
	assert_int_equal(parse(f, "--lun", "0=mem:,size=1M", "--max-connections", "1", NULL), 0);
	assert_int_equal(f->cfg.max_connections, 1);
	assert_int_equal(parse(f, "--lun", "0=mem:,size=1M", "--max-connections=64", NULL), 0);
	assert_int_equal(f->cfg.max_connections, 64);
	PARSE_FAILS(f, "--max-connections 0: expected a number from 1 to 64",
		    "--lun", "0=mem:,size=1M", "--max-connections", "0");
	PARSE_FAILS(f, "--max-connections 65: expected a number from 1 to 64",
		    "--lun", "0=mem:,size=1M", "--max-connections=65");
	PARSE_FAILS(f, "--max-connections: missing value", "--lun", "0=mem:,size=1M",
		    "--max-connections=");

	write_config(f, "{\"maxConnections\": 2, \"storages\": [{\"deviceID\": 1,"
		     " \"path\": \"mem:\", \"size\": \"1M\"}],"
		     " \"iscsitargets\": {\"iqn.2020-01.a.b\": {\"luns\": {\"0\": 1}}}}");
	assert_int_equal(parse(f, "--config", f->path, NULL), 0);
	assert_int_equal(f->cfg.max_connections, 2);
	assert_int_equal(parse(f, "--config", f->path, "--max-connections", "8", NULL), 0);
	assert_int_equal(f->cfg.max_connections, 8);
	config_free(&f->cfg);
	load_fails(f, "{\"maxConnections\": 0}", ": \"maxConnections\" must be a number from 1 to 64");
	load_fails(f, "{\"maxConnections\": \"4\"}",
		   ": \"maxConnections\" must be a number from 1 to 64");
}

#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)

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
		T(test_config_access),
		T(test_chap_refused),
		T(test_discovery_mutual_chap),
		T(test_gotgt_example),
		T(test_config_with_flags),
		T(test_config_missing_file),
		T(test_config_extensions),
		T(test_config_appends),
		T(test_config_unknown_device),
		T(test_config_syntax_errors),
		T(test_config_bad_content),
		T(test_config_unknown_keys_ignored),
		T(test_state_dir),
		T(test_limits),
		T(test_limit_table_covers_limits),
		T(test_limit_table_bounds),
		T(test_max_connections),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
