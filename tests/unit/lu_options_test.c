/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Unit tests of the LU option table (daemon/lu_options.c): every option
 * round-trips --lun string -> struct -> --lun string and JSON -> struct ->
 * JSON; each bad value and each bad combination gets its message in both
 * spellings; gotgt's storage keys load; the synopsis, the unknown-option
 * message and the usage text come from the table. Single-threaded.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "daemon/config.h"
#include "daemon/lu_options.h"

#define N(a) (sizeof(a) / sizeof((a)[0]))

/* --lun values in the writer's form: options in table order, not defaults. */
static const char *const canonical_flags[] = {
	"0=p",
	"1=file:/x,size=1G",
	"2=p,physical_block_size=4K",
	"3=p,max_bandwidth=100M",
	"4=p,thin",
	"5=p,readonly",
	"6=p,removable",
	"7=p,io=uring",
	"8=/dev/sdz,io=uring,direct",
	"255=p,size=1536,physical_block_size=8K,max_bandwidth=1000,thin,readonly,removable",
	"9=p,size=4K,thin,io=uring,direct",
};

/* config.json storages in the writer's form (without "deviceID"). */
static const char *const canonical_json[] = {
	"{\"path\": \"p\"}",
	"{\"path\": \"p\", \"blockShift\": 12}",
	"{\"path\": \"p\", \"size\": \"1G\"}",
	"{\"path\": \"p\", \"size\": 1536}",
	"{\"path\": \"p\", \"physicalBlockSize\": 4096}",
	"{\"path\": \"p\", \"maxBandwidth\": \"100M\"}",
	"{\"path\": \"p\", \"thinProvisioning\": true}",
	"{\"path\": \"p\", \"readonly\": true}",
	"{\"path\": \"p\", \"removable\": true}",
	"{\"path\": \"p\", \"io\": \"uring\"}",
	"{\"path\": \"p\", \"io\": \"uring\", \"direct\": true}",
	"{\"path\": \"mem:\", \"blockShift\": 11, \"size\": \"6K\", \"physicalBlockSize\": 8192,"
	" \"thinProvisioning\": true, \"readonly\": true, \"removable\": true}",
};

static void flag_ok(const char *val, struct ctgt_lun_cfg *lun)
{
	char why[256] = "";

	if (lu_parse_flag(val, lun, why, sizeof(why)) != 0)
		fail_msg("--lun %s: %s", val, why);
}

static void flag_fails(const char *val, const char *want)
{
	struct ctgt_lun_cfg lun;
	char why[256] = "";

	assert_int_equal(lu_parse_flag(val, &lun, why, sizeof(why)), -1);
	assert_string_equal(why, want);
	assert_null(lun.path);
}

/* lu_load_json() of @text the way config_json.c calls it: path first. */
static int json_load(const char *text, struct ctgt_lun_cfg *lun, char *why, size_t len)
{
	json_t *obj = json_loads(text, 0, NULL);
	int rc;

	assert_non_null(obj);
	lu_defaults(lun);
	lun->path = strdup(json_string_value(json_object_get(obj, "path")));
	assert_non_null(lun->path);
	rc = lu_load_json(obj, lun, why, len);
	json_decref(obj);
	return rc;
}

static void json_fails(const char *text, const char *want)
{
	struct ctgt_lun_cfg lun;
	char why[256] = "";

	assert_int_equal(json_load(text, &lun, why, sizeof(why)), -1);
	assert_string_equal(why, want);
	free(lun.path);
}

static void test_flag_roundtrip(void **state)
{
	(void)state;
	for (size_t i = 0; i < N(canonical_flags); i++) {
		struct ctgt_lun_cfg lun;
		char out[512];

		flag_ok(canonical_flags[i], &lun);
		assert_true(lu_format_flag(&lun, out, sizeof(out)) > 0);
		assert_string_equal(out, canonical_flags[i]);
		free(lun.path);
	}
}

/* Every option of the table with a --lun key is in some round trip, so an
 * option added to the table without a test here fails. */
static void test_flag_roundtrip_covers_table(void **state)
{
	(void)state;
	for (size_t i = 0; i < lu_noptions; i++) {
		char want[64];
		bool seen = false;

		if (lu_options[i].flag == NULL)
			continue;
		snprintf(want, sizeof(want), ",%s", lu_options[i].flag);
		for (size_t k = 0; k < N(canonical_flags) && !seen; k++)
			seen = strstr(canonical_flags[k], want) != NULL;
		if (!seen)
			fail_msg("--lun option %s has no round trip", lu_options[i].flag);
	}
}

/* What each option sets, and the writer's normal form of other spellings. */
static void test_flag_values(void **state)
{
	struct ctgt_lun_cfg lun;
	char out[256];

	(void)state;
	flag_ok("255=p,size=512M,physical_block_size=4096,max_bandwidth=1048576,thin,readonly,"
		"removable", &lun);
	assert_int_equal(lun.params.lun, 255);
	assert_string_equal(lun.path, "p");
	assert_true(lun.params.size == 512ull << 20);
	assert_int_equal(lun.params.block_size, 512);
	assert_int_equal(lun.params.phys_block_size, 4096);
	assert_true(lun.params.max_bandwidth == 1ull << 20);
	assert_true(lun.params.thin && lun.params.readonly && lun.params.removable);
	assert_false(lun.params.io_uring || lun.params.direct);
	free(lun.path);
	flag_ok("0=p,io=uring,direct", &lun);
	assert_true(lun.params.io_uring && lun.params.direct);
	free(lun.path);
	flag_ok("0=p,io=uring,io=pool,size=1048576", &lun);
	assert_false(lun.params.io_uring);
	assert_true(lu_format_flag(&lun, out, sizeof(out)) > 0);
	assert_string_equal(out, "0=p,size=1M");
	free(lun.path);
}

static void test_json_roundtrip(void **state)
{
	(void)state;
	for (size_t i = 0; i < N(canonical_json); i++) {
		json_t *want = json_loads(canonical_json[i], 0, NULL), *got;
		struct ctgt_lun_cfg lun;
		char why[256] = "";

		if (json_load(canonical_json[i], &lun, why, sizeof(why)) != 0)
			fail_msg("%s: %s", canonical_json[i], why);
		got = lu_to_json(&lun);
		assert_non_null(got);
		if (!json_equal(got, want)) {
			char *s = json_dumps(got, JSON_SORT_KEYS);

			fail_msg("%s came back as %s", canonical_json[i], s);
		}
		json_decref(got);
		json_decref(want);
		free(lun.path);
	}
}

static void test_json_roundtrip_covers_table(void **state)
{
	(void)state;
	for (size_t i = 0; i < lu_noptions; i++) {
		char want[64];
		bool seen = false;

		snprintf(want, sizeof(want), "\"%s\":", lu_options[i].key);
		for (size_t k = 0; k < N(canonical_json) && !seen; k++)
			seen = strstr(canonical_json[k], want) != NULL;
		if (!seen)
			fail_msg("JSON key %s has no round trip", lu_options[i].key);
	}
}

/* A LU from --lun written as JSON and one from JSON as --lun: same LU. */
static void test_flag_to_json(void **state)
{
	struct ctgt_lun_cfg a, b;
	char why[256] = "", out[256];
	json_t *j;
	char *text;

	(void)state;
	flag_ok("3=mem:,size=64M,physical_block_size=4K,thin,readonly,removable", &a);
	j = lu_to_json(&a);
	text = json_dumps(j, 0);
	assert_int_equal(json_load(text, &b, why, sizeof(why)), 0);
	b.params.lun = 3;
	assert_true(lu_format_flag(&b, out, sizeof(out)) > 0);
	assert_string_equal(out, "3=mem:,size=64M,physical_block_size=4K,thin,readonly,removable");
	assert_memory_equal(&a.params, &b.params, sizeof(a.params));
	free(text);
	json_decref(j);
	free(a.path);
	free(b.path);
}

/* gotgt's storage keys, as its example writes them, load as its defaults. */
static void test_gotgt_keys(void **state)
{
	struct ctgt_lun_cfg lun;
	char why[256] = "";
	json_t *j;

	(void)state;
	assert_int_equal(json_load("{\"deviceID\": 1000, \"path\": \"file:/var/tmp/disk.img\","
				   " \"online\": true, \"thinProvisioning\": false, \"blockShift\": 9}",
				   &lun, why, sizeof(why)), 0);
	assert_int_equal(lun.params.block_size, 512);
	assert_false(lun.params.thin);
	j = lu_to_json(&lun);
	assert_int_equal(json_object_size(j), 1);	/* defaults are not written */
	json_decref(j);
	free(lun.path);
	/* gotgt's "blockShift": 0 (or none) is 512-byte blocks too. */
	assert_int_equal(json_load("{\"path\": \"p\", \"blockShift\": 0, \"thinProvisioning\": true}",
				   &lun, why, sizeof(why)), 0);
	assert_int_equal(lun.params.block_size, 512);
	assert_true(lun.params.thin);
	free(lun.path);
}

static void test_flag_bad_values(void **state)
{
	(void)state;
	flag_fails("0=p,size=12Q", "bad size (want a number of bytes or one like 512M, 10G)");
	flag_fails("0=p,size=0", "bad size (want a number of bytes or one like 512M, 10G)");
	flag_fails("0=p,size=1M,size=1M", "size given twice");
	flag_fails("0=p,physical_block_size=3000",
		   "bad physical_block_size (want a power of two such as 4096)");
	flag_fails("0=p,physical_block_size=256",
		   "bad physical_block_size (want a power of two such as 4096)");
	flag_fails("0=p,physical_block_size=32M",
		   "bad physical_block_size (want a power of two such as 4096)");
	flag_fails("0=p,max_bandwidth=fast", "bad max_bandwidth (want bytes per second, e.g. 100M)");
	flag_fails("0=p,io=fast", "bad io (want uring or pool)");
	flag_fails("0=p,io", "bad io (want uring or pool)");
	flag_fails("0=p,thin=1", "thin takes no value");
	flag_fails("0=p,readonly=yes", "readonly takes no value");
	flag_fails("300=p", "LUN number must be 0 to 255");
	flag_fails("0=", "missing path");
	flag_fails("p", "expected N=PATH[,size=SIZE][,physical_block_size=SIZE]"
		   "[,max_bandwidth=SIZE][,thin][,readonly][,removable][,io=uring[,direct]]");
}

/* The unknown-option message lists every --lun key of the table, and no
 * JSON-only one. */
static void test_flag_unknown(void **state)
{
	struct ctgt_lun_cfg lun;
	char why[256] = "";

	(void)state;
	flag_fails("0=p,fast", "unknown option (want size=SIZE, physical_block_size=SIZE, "
		   "max_bandwidth=SIZE, thin, readonly, removable, io=uring or direct)");
	flag_fails("0=p,blockShift=12", "unknown option (want size=SIZE, physical_block_size=SIZE, "
		   "max_bandwidth=SIZE, thin, readonly, removable, io=uring or direct)");
	assert_int_equal(lu_parse_flag("0=p,size=", &lun, why, sizeof(why)), -1);
	for (size_t i = 0; i < lu_noptions; i++)
		if (lu_options[i].flag != NULL)
			assert_non_null(strstr(why, lu_options[i].flag));
}

static void test_json_bad_values(void **state)
{
	(void)state;
	json_fails("{\"path\": \"p\", \"blockShift\": 8}",
		   "blockShift must be 9 (512 bytes) to 12 (4096 bytes)");
	json_fails("{\"path\": \"p\", \"blockShift\": 13}",
		   "blockShift must be 9 (512 bytes) to 12 (4096 bytes)");
	json_fails("{\"path\": \"p\", \"blockShift\": \"9\"}",
		   "blockShift must be 9 (512 bytes) to 12 (4096 bytes)");
	json_fails("{\"path\": \"p\", \"size\": \"1Q\"}",
		   "size must be a positive number of bytes or a string like \"10G\"");
	json_fails("{\"path\": \"p\", \"size\": -512}",
		   "size must be a positive number of bytes or a string like \"10G\"");
	json_fails("{\"path\": \"p\", \"maxBandwidth\": 0}",
		   "maxBandwidth must be a positive number of bytes or a string like \"10G\"");
	json_fails("{\"path\": \"p\", \"physicalBlockSize\": 3000}",
		   "physicalBlockSize must be a power of two from 512 to 16777216");
	json_fails("{\"path\": \"p\", \"physicalBlockSize\": 33554432}",
		   "physicalBlockSize must be a power of two from 512 to 16777216");
	json_fails("{\"path\": \"p\", \"thinProvisioning\": 1}", "thinProvisioning must be true or false");
	json_fails("{\"path\": \"p\", \"readonly\": \"yes\"}", "readonly must be true or false");
	json_fails("{\"path\": \"p\", \"removable\": null}", "removable must be true or false");
	json_fails("{\"path\": \"p\", \"direct\": 1}", "direct must be true or false");
	json_fails("{\"path\": \"p\", \"io\": \"fast\"}", "io must be \"uring\" or \"pool\"");
	json_fails("{\"path\": \"p\", \"io\": true}", "io must be \"uring\" or \"pool\"");
}

/* The checks of a LU as a whole, as each parser names them. */
static void test_combinations(void **state)
{
	(void)state;
	flag_fails("0=p,size=1000", "size is not a multiple of 512 bytes");
	json_fails("{\"path\": \"p\", \"size\": 1000}", "size is not a multiple of the block size (512)");
	json_fails("{\"path\": \"p\", \"blockShift\": 12, \"size\": 6144}",
		   "size is not a multiple of the block size (4096)");
	json_fails("{\"path\": \"p\", \"blockShift\": 12, \"physicalBlockSize\": 2048}",
		   "physicalBlockSize must be a power of two and at least the block size");
	flag_fails("0=p,direct", "direct needs io=uring");
	flag_fails("0=p,io=uring,direct,io=pool", "direct needs io=uring");
	json_fails("{\"path\": \"p\", \"direct\": true}", "direct needs \"io\": \"uring\"");
	flag_fails("0=mem:", "mem: needs a size");
	json_fails("{\"path\": \"null:\"}", "null: needs a size");
	flag_fails("0=mem:,size=1M,io=uring", "io=uring needs a file or block device");
	json_fails("{\"path\": \"null:x\", \"size\": 4096, \"io\": \"uring\"}",
		   "\"io\": \"uring\" needs a file or block device");
	flag_fails("0=p,io=uring,max_bandwidth=1M", "max_bandwidth: an io=uring LU cannot be given "
		   "a bandwidth limit (it has no worker threads to wait on)");
	json_fails("{\"path\": \"p\", \"io\": \"uring\", \"maxBandwidth\": \"1M\"}",
		   "maxBandwidth: an \"io\": \"uring\" LU cannot be given a bandwidth limit "
		   "(it has no worker threads to wait on)");
	flag_fails("0=null:,size=1M,max_bandwidth=1M",
		   "max_bandwidth: a null: store cannot be given a bandwidth limit");
	json_fails("{\"path\": \"mem:\", \"size\": 4096, \"maxBandwidth\": 4096}",
		   "maxBandwidth: a mem: store cannot be given a bandwidth limit");
}

/* lu_check() of structs no parser makes (the library's range, which a
 * later `lun set` may reach). */
static void test_check_struct(void **state)
{
	struct ctgt_lun_cfg lun;
	char why[256] = "";

	(void)state;
	lu_defaults(&lun);
	lun.path = "p";
	assert_int_equal(lu_check(&lun, LU_SYNTAX_FLAG, why, sizeof(why)), 0);
	lun.params.block_size = 0;	/* the public default */
	assert_int_equal(lu_check(&lun, LU_SYNTAX_FLAG, why, sizeof(why)), 0);
	lun.params.block_size = 1000;
	assert_int_equal(lu_check(&lun, LU_SYNTAX_JSON, why, sizeof(why)), -1);
	assert_string_equal(why, "block size 1000 is not a power of two from 512 to 65536");
	lun.params.block_size = 131072;
	assert_int_equal(lu_check(&lun, LU_SYNTAX_JSON, why, sizeof(why)), -1);
	lun.params.block_size = 512;
	lun.params.phys_block_size = 512u << 16;	/* a ratio READ CAPACITY(16) cannot say */
	assert_int_equal(lu_check(&lun, LU_SYNTAX_FLAG, why, sizeof(why)), -1);
	assert_string_equal(why, "physical_block_size must be a power of two and at least the block size");
}

/* What --lun cannot say, the writer refuses rather than drop. */
static void test_format_refuses(void **state)
{
	struct ctgt_lun_cfg lun;
	char out[64];

	(void)state;
	lu_defaults(&lun);
	lun.path = "p";
	lun.params.block_size = 4096;
	assert_int_equal(lu_format_flag(&lun, out, sizeof(out)), -1);
	assert_string_equal(out, "blockShift 12 has no --lun option");
	lun.params.block_size = 512;
	lun.path = "a,b";
	assert_int_equal(lu_format_flag(&lun, out, sizeof(out)), -1);
	lun.path = "p";
	lun.params.thin = true;
	assert_int_equal(lu_format_flag(&lun, out, 6), -1);	/* "0=p,thin" needs 9 */
	assert_int_equal(lu_format_flag(&lun, out, 9), 8);
	assert_string_equal(out, "0=p,thin");
}

static void test_lookup(void **state)
{
	(void)state;
	assert_ptr_equal(lu_opt_find(LU_SYNTAX_FLAG, "thin", 4), lu_opt_find(LU_SYNTAX_JSON,
				"thinProvisioning", 16));
	assert_null(lu_opt_find(LU_SYNTAX_FLAG, "thinProvisioning", 16));
	assert_null(lu_opt_find(LU_SYNTAX_JSON, "thin", 4));
	assert_null(lu_opt_find(LU_SYNTAX_FLAG, "blockShift", 10));
	assert_non_null(lu_opt_find(LU_SYNTAX_JSON, "blockShift", 10));
	assert_null(lu_opt_find(LU_SYNTAX_FLAG, "siz", 3));
	for (size_t i = 0; i < lu_noptions; i++)
		assert_non_null(lu_options[i].help);
}

/* The key list of config_json.c's unknown-key warning. */
static void test_json_keys(void **state)
{
	char keys[256];

	(void)state;
	assert_true(lu_json_keys(keys, sizeof(keys)) < sizeof(keys));
	assert_string_equal(keys, "blockShift, size, physicalBlockSize, maxBandwidth, "
			    "thinProvisioning, readonly, removable, io, direct");
	assert_int_equal(lu_json_keys(keys, 8), strlen("blockShift, size, physicalBlockSize, "
			 "maxBandwidth, thinProvisioning, readonly, removable, io, direct"));
	assert_string_equal(keys, "blockSh");
}

/* The usage text: the table's synopsis, wrapped at 80 columns. */
static void test_usage(void **state)
{
	char *text = NULL, *line, *save = NULL;
	size_t len = 0;
	FILE *out = open_memstream(&text, &len);

	(void)state;
	assert_non_null(out);
	lu_usage(out, 18);
	fclose(out);
	assert_string_equal(text,
		"                  [--lun N=PATH[,size=SIZE][,physical_block_size=SIZE]\n"
		"                           [,max_bandwidth=SIZE][,thin][,readonly][,removable]\n"
		"                           [,io=uring[,direct]]]...\n");
	free(text);
	out = open_memstream(&text, &len);
	lu_help(out);
	fclose(out);
	for (size_t i = 0; i < lu_noptions; i++)
		assert_non_null(strstr(text, lu_options[i].help));
	for (line = strtok_r(text, "\n", &save); line; line = strtok_r(NULL, "\n", &save))
		assert_true(strlen(line) <= 80);
	free(text);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_flag_roundtrip),
		cmocka_unit_test(test_flag_roundtrip_covers_table),
		cmocka_unit_test(test_flag_values),
		cmocka_unit_test(test_json_roundtrip),
		cmocka_unit_test(test_json_roundtrip_covers_table),
		cmocka_unit_test(test_flag_to_json),
		cmocka_unit_test(test_gotgt_keys),
		cmocka_unit_test(test_flag_bad_values),
		cmocka_unit_test(test_flag_unknown),
		cmocka_unit_test(test_json_bad_values),
		cmocka_unit_test(test_combinations),
		cmocka_unit_test(test_check_struct),
		cmocka_unit_test(test_format_refuses),
		cmocka_unit_test(test_lookup),
		cmocka_unit_test(test_json_keys),
		cmocka_unit_test(test_usage),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
