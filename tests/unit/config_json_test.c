/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Unit tests of config.json loading (config_load_json(), --config): the
 * gotgt format, ctgt's extensions, errors, and flags given with a file.
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
	assert_int_equal(l->params.lun, 0);
	assert_string_equal(l->path, "file:/var/tmp/disk.img");
	assert_true(l->params.size == 0);
	assert_int_equal(l->params.block_size, 512);
	assert_false(l->params.thin || l->params.readonly || l->params.removable);
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
	assert_int_equal(t->luns[1].params.lun, 1);

	snprintf(want, sizeof(want), "--lun 0: %s already has LUN 0 in %s, with other settings",
		 GOTGT_IQN, f->path);
	PARSE_FAILS(f, want, "--config", f->path, "--target", GOTGT_IQN, "--lun", "0=b");
	/* The same LU and rule the file has already (`save` wrote what the
	 * flags gave): taken once, not refused. */
	write_config(f, "{\"storages\": [{\"deviceID\": 1, \"path\": \"mem:\", \"size\": \"1M\"}],"
		     "\"iscsitargets\": {\"iqn.2020-01.a.b\": {\"luns\": {\"0\": 1},"
		     " \"allow\": [\"10.0.0.0/8\"]}}}");
	assert_int_equal(parse(f, "--config", f->path, "--target", "iqn.2020-01.a.b", "--lun",
			       "0=mem:,size=1M", "--allow", "10.0.0.0/8", "--allow", "10.1.0.0/16",
			       NULL), 0);
	t = &f->cfg.targets[0];
	assert_int_equal(t->nluns, 1);
	assert_int_equal(t->nallow, 2);
	assert_string_equal(t->allow[1], "10.1.0.0/16");
	snprintf(want, sizeof(want), "--lun 0: iqn.2020-01.a.b already has LUN 0 in %s, with "
		 "other settings", f->path);
	PARSE_FAILS(f, want, "--config", f->path, "--target", "iqn.2020-01.a.b", "--lun",
		    "0=mem:,size=2M");
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
	assert_true(t->luns[2].params.io_uring && t->luns[2].params.direct);
	assert_false(t->luns[3].params.io_uring || t->luns[3].params.direct || t->luns[0].params.io_uring);
	assert_string_equal(t->luns[0].path, "var/a.img");
	assert_true(t->luns[0].params.size == GiB);
	assert_true(t->luns[0].params.readonly && t->luns[0].params.thin);
	assert_false(t->luns[0].params.removable);
	assert_int_equal(t->luns[0].params.block_size, 512);
	assert_int_equal(t->luns[0].params.phys_block_size, 8192);
	assert_int_equal(t->luns[1].params.phys_block_size, 0);
	assert_true(t->luns[0].params.max_bandwidth == 4 * MiB);
	assert_true(t->luns[1].params.max_bandwidth == 0);
	assert_int_equal(t->luns[1].params.lun, 1);
	assert_true(t->luns[1].params.size == 8192);
	assert_int_equal(t->luns[1].params.block_size, 4096);
	assert_true(t->luns[1].params.removable);
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

/* "logLevel", "nopInterval", "prMaxRegistrations": the settings of
 * --log-level, --nop-interval and --pr-max-registrations; each flag wins
 * over its key, a flag not given leaves the file's. */
static void test_daemon_settings(void **state)
{
	struct fixture *f = *state;

	/* Neither file nor flags: "not given". */
	assert_int_equal(load(f, "{}"), 0);
	assert_int_equal(f->cfg.log_level, -1);
	assert_int_equal(f->cfg.nop_interval, -1);
	assert_int_equal(f->cfg.pr_max_regs, 0);
	config_free(&f->cfg);
	assert_int_equal(load(f, "{\"logLevel\": \"debug\", \"nopInterval\": 7,"
			      " \"prMaxRegistrations\": 77}"), 0);
	assert_int_equal(f->cfg.log_level, LOG_LVL_DEBUG);
	assert_int_equal(f->cfg.nop_interval, 7);
	assert_int_equal(f->cfg.pr_max_regs, 77);
	config_free(&f->cfg);
	/* The ends of the ranges; 0 turns keep-alive off. */
	assert_int_equal(load(f, "{\"logLevel\": \"error\", \"nopInterval\": 0,"
			      " \"prMaxRegistrations\": 1}"), 0);
	assert_int_equal(f->cfg.log_level, LOG_LVL_ERROR);
	assert_int_equal(f->cfg.nop_interval, 0);
	assert_int_equal(f->cfg.pr_max_regs, 1);
	config_free(&f->cfg);
	assert_int_equal(load(f, "{\"logLevel\": \"warn\", \"nopInterval\": 3600,"
			      " \"prMaxRegistrations\": 65536}"), 0);
	assert_int_equal(f->cfg.log_level, LOG_LVL_WARN);
	assert_int_equal(f->cfg.nop_interval, 3600);
	assert_int_equal(f->cfg.pr_max_regs, 65536);
	config_free(&f->cfg);

	/* With --config: the file's, unless a flag says otherwise. */
	write_config(f, "{\"logLevel\": \"debug\", \"nopInterval\": 7, \"prMaxRegistrations\": 77,"
		     " \"storages\": [{\"deviceID\": 1, \"path\": \"mem:\", \"size\": \"1M\"}],"
		     " \"iscsitargets\": {\"iqn.2020-01.a.b\": {\"luns\": {\"0\": 1}}}}");
	assert_int_equal(parse(f, "--config", f->path, NULL), 0);
	assert_int_equal(f->cfg.log_level, LOG_LVL_DEBUG);
	assert_int_equal(f->cfg.nop_interval, 7);
	assert_int_equal(f->cfg.pr_max_regs, 77);
	assert_int_equal(parse(f, "--log-level", "warn", "--config", f->path, "--nop-interval", "0",
			       "--pr-max-registrations", "5", NULL), 0);
	assert_int_equal(f->cfg.log_level, LOG_LVL_WARN);
	assert_int_equal(f->cfg.nop_interval, 0);
	assert_int_equal(f->cfg.pr_max_regs, 5);
	assert_int_equal(parse(f, "--config", f->path, "--nop-interval", "9", NULL), 0);
	assert_int_equal(f->cfg.log_level, LOG_LVL_DEBUG);
	assert_int_equal(f->cfg.nop_interval, 9);
	assert_int_equal(f->cfg.pr_max_regs, 77);
	/* A file without them leaves the flags' (and the defaults). */
	write_config(f, gotgt_example);
	assert_int_equal(parse(f, "--config", f->path, "--log-level", "error", NULL), 0);
	assert_int_equal(f->cfg.log_level, LOG_LVL_ERROR);
	assert_int_equal(f->cfg.nop_interval, -1);
	assert_int_equal(f->cfg.pr_max_regs, 0);
	config_free(&f->cfg);

	/* Wrong types and values, each named. */
	load_fails(f, "{\"logLevel\": \"loud\"}",
		   ": \"logLevel\" must be \"error\", \"warn\", \"info\" or \"debug\"");
	load_fails(f, "{\"logLevel\": 3}",
		   ": \"logLevel\" must be \"error\", \"warn\", \"info\" or \"debug\"");
	load_fails(f, "{\"logLevel\": \"DEBUG\"}",
		   ": \"logLevel\" must be \"error\", \"warn\", \"info\" or \"debug\"");
	load_fails(f, "{\"nopInterval\": 3601}",
		   ": \"nopInterval\" must be a number of seconds from 0 (off) to 3600");
	load_fails(f, "{\"nopInterval\": -1}",
		   ": \"nopInterval\" must be a number of seconds from 0 (off) to 3600");
	load_fails(f, "{\"nopInterval\": \"30\"}",
		   ": \"nopInterval\" must be a number of seconds from 0 (off) to 3600");
	load_fails(f, "{\"nopInterval\": 1.5}",
		   ": \"nopInterval\" must be a number of seconds from 0 (off) to 3600");
	load_fails(f, "{\"prMaxRegistrations\": 0}",
		   ": \"prMaxRegistrations\" must be a number from 1 to 65536");
	load_fails(f, "{\"prMaxRegistrations\": 65537}",
		   ": \"prMaxRegistrations\" must be a number from 1 to 65536");
	load_fails(f, "{\"prMaxRegistrations\": true}",
		   ": \"prMaxRegistrations\" must be a number from 1 to 65536");
	/* A refused file leaves the settings as they were. */
	assert_int_equal(f->cfg.log_level, -1);
	assert_int_equal(f->cfg.nop_interval, -1);
	assert_int_equal(f->cfg.pr_max_regs, 0);
}

/* A file that fails anywhere, even after its good top-level settings,
 * leaves the config exactly as it was: nothing half-loaded. */
static void test_failed_load_changes_nothing(void **state)
{
	struct fixture *f = *state;
	static const char *const bad_tail[] = {
		/* the settings are good, a target is not */
		"\"iscsitargets\": {\"bad\": {}}}",
		/* the settings are good, a second file's target clashes */
		"\"storages\": [{\"deviceID\": 1, \"path\": \"mem:\", \"size\": \"1M\"}],"
		" \"iscsitargets\": {\"iqn.2020-01.a.b\": {\"luns\": {\"0\": 1}}}}",
	};
	char text[1024];

	assert_int_equal(load(f, "{\"storages\": [{\"deviceID\": 1, \"path\": \"mem:\","
			      " \"size\": \"1M\"}], \"iscsitargets\": {\"iqn.2020-01.a.b\":"
			      " {\"luns\": {\"0\": 1}}}}"), 0);
	assert_int_equal(f->cfg.ntargets, 1);
	for (size_t i = 0; i < sizeof(bad_tail) / sizeof(bad_tail[0]); i++) {
		snprintf(text, sizeof(text), "{\"stateDir\": \"/srv/pr\", \"maxConnections\": 3,"
			 " \"connectionLimit\": 7, \"discoveryChap\": {\"user\": \"d\","
			 " \"secret\": \"discoverysecret\"}, \"logLevel\": \"debug\","
			 " \"nopInterval\": 5, \"prMaxRegistrations\": 9, %s", bad_tail[i]);
		assert_int_equal(load(f, text), -1);
		assert_null(f->cfg.state_dir);
		assert_int_equal(f->cfg.log_level, -1);
		assert_int_equal(f->cfg.nop_interval, -1);
		assert_int_equal(f->cfg.pr_max_regs, 0);
		assert_int_equal(f->cfg.max_connections, 0);
		assert_int_equal(f->cfg.limits.max_connections, 0);
		assert_null(f->cfg.discovery_chap.user);
		assert_int_equal(f->cfg.ntargets, 1);
	}
	/* The same settings with a good rest are all taken. */
	snprintf(text, sizeof(text), "{\"stateDir\": \"/srv/pr\", \"maxConnections\": 3,"
		 " \"connectionLimit\": 7, \"discoveryChap\": {\"user\": \"d\","
		 " \"secret\": \"discoverysecret\"}}");
	assert_int_equal(load(f, text), 0);
	assert_string_equal(f->cfg.state_dir, "/srv/pr");
	assert_int_equal(f->cfg.max_connections, 3);
	assert_int_equal(f->cfg.limits.max_connections, 7);
	assert_string_equal(f->cfg.discovery_chap.user, "d");
	assert_int_equal(f->cfg.ntargets, 1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
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
		T(test_daemon_settings),
		T(test_failed_load_changes_nothing),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
