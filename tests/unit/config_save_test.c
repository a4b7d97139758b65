/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Unit tests of writing the configuration back (daemon/config_save.c): a
 * config.json with every key the loader reads, and one given by flags,
 * written with config_to_json()/config_save() and loaded again, give the
 * same configuration field by field (and the same JSON); the file is mode
 * 0600 and replaces the old one whole; a save that cannot be done (a
 * read-only directory, a failing write) leaves the old file as it was and
 * no temporary file behind; config_check_file() refuses what serve would.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <dirent.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "daemon/config.h"
#include "daemon/config_internal.h"
#include "daemon/config_save.h"
#include "daemon/lu_options.h"
#include "tests/unit/config_fixture.h"

/* Every key config_json.c reads, each away from its default. */
static const char rich[] =
	"{\"storages\": ["
	" {\"deviceID\": 10, \"path\": \"file:/var/tmp/a.img\", \"size\": \"1G\","
	"  \"thinProvisioning\": true, \"physicalBlockSize\": 4096, \"maxBandwidth\": \"4M\"},"
	" {\"deviceID\": 11, \"path\": \"/var/tmp/b.img\", \"io\": \"uring\", \"direct\": true,"
	"  \"blockShift\": 12, \"removable\": true},"
	" {\"deviceID\": 12, \"path\": \"mem:\", \"size\": 8388608, \"readonly\": true},"
	" {\"deviceID\": 13, \"path\": \"null:\", \"size\": \"2G\", \"online\": false},"
	" {\"deviceID\": 14, \"path\": \"null:\", \"size\": \"1M\"}],"
	" \"iscsiportals\": [{\"id\": 3, \"portal\": \"127.0.0.1:3261\"},"
	"  {\"id\": 5, \"portal\": \"[::1]:3262\"}, {\"id\": 7, \"portal\": \"127.0.0.2\"}],"
	" \"iscsitargets\": {"
	"  \"iqn.2026-12.io.ctgt.test:vault\": {"
	"   \"tpgts\": {\"2\": [3, 5]}, \"luns\": {\"0\": 10, \"1\": 11, \"7\": 12, \"9\": 13},"
	"   \"allowTargetReset\": true,"
	"   \"chap\": {\"user\": \"hosts\", \"secret\": \"a-long-shared-secret\"},"
	"   \"mutualChap\": {\"user\": \"vault\", \"secret\": \"the-targets-own-secret\"},"
	"   \"allow\": [\"iqn.1994-05.com.redhat:db1\", \"10.1.0.0/16\", \"::1/128\"],"
	"   \"initiators\": {"
	"    \"iqn.1994-05.com.redhat:backup\": {"
	"     \"chap\": {\"user\": \"backup\", \"secret\": \"backup-host-secret\"},"
	"     \"luns\": [{\"lun\": 0, \"targetLun\": 1, \"readonly\": true}, {\"lun\": 3}]},"
	"    \"iqn.1994-05.com.redhat:none\": {\"luns\": []},"
	"    \"iqn.1994-05.com.redhat:db1\": {\"chap\": {\"user\": \"db\", \"secret\": \"db-host-secret1\"}}"
	"   }},"
	"  \"iqn.2026-12.io.ctgt.test:plain\": {\"tpgts\": {\"1\": [7]}, \"luns\": {\"0\": 14}}},"
	" \"stateDir\": \"/var/lib/ctgt\", \"maxConnections\": 4, \"threads\": 3,"
	" \"metrics\": \"[::1]:9417\","
	" \"sessionThreads\": \"target\","
	" \"logLevel\": \"warn\", \"nopInterval\": 0, \"prMaxRegistrations\": 2048,"
	" \"connectionLimit\": 100, \"connectionLimitPerAddress\": 10, \"sessionLimit\": 20,"
	" \"loginTimeout\": 30, \"connectionBuffer\": \"2M\", \"txBacklog\": 131072,"
	" \"bufferCache\": \"64M\","
	" \"discoveryChap\": {\"user\": \"disc\", \"secret\": \"discovery-secret\"},"
	" \"discoveryMutualChap\": {\"user\": \"tgt\", \"secret\": \"discovery-target-secret\"}}";

static void assert_str_or_null(const char *a, const char *b)
{
	if (a == NULL || b == NULL)
		assert_true(a == b);
	else
		assert_string_equal(a, b);
}

static void assert_chap_equal(const struct ctgt_chap_cfg *a, const struct ctgt_chap_cfg *b)
{
	assert_str_or_null(a->user, b->user);
	assert_str_or_null(a->secret, b->secret);
}

static void assert_lun_equal(const struct ctgt_lun_cfg *a, const struct ctgt_lun_cfg *b)
{
	const struct ctgt_lu_params *p = &a->params, *q = &b->params;

	assert_string_equal(a->path, b->path);
	assert_int_equal(p->lun, q->lun);
	assert_true(p->size == q->size);
	assert_int_equal(p->block_size, q->block_size);
	assert_int_equal(p->phys_block_size, q->phys_block_size);
	assert_int_equal(p->threads, q->threads);
	assert_true(p->max_bandwidth == q->max_bandwidth);
	assert_int_equal(p->readonly, q->readonly);
	assert_int_equal(p->thin, q->thin);
	assert_int_equal(p->removable, q->removable);
	assert_int_equal(p->io_uring, q->io_uring);
	assert_int_equal(p->direct, q->direct);
}

static void assert_initiator_equal(const struct ctgt_initiator_cfg *a,
				   const struct ctgt_initiator_cfg *b)
{
	assert_string_equal(a->name, b->name);
	assert_chap_equal(&a->chap, &b->chap);
	assert_int_equal(a->map_luns, b->map_luns);
	assert_int_equal(a->nluns, b->nluns);
	for (size_t i = 0; i < a->nluns; i++) {
		assert_int_equal(a->luns[i].lun, b->luns[i].lun);
		assert_int_equal(a->luns[i].target_lun, b->luns[i].target_lun);
		assert_int_equal(a->luns[i].readonly, b->luns[i].readonly);
	}
}

static void assert_target_equal(const struct ctgt_target_cfg *a, const struct ctgt_target_cfg *b)
{
	assert_string_equal(a->name, b->name);
	assert_int_equal(a->allow_target_reset, b->allow_target_reset);
	assert_int_equal(a->nluns, b->nluns);
	for (size_t i = 0; i < a->nluns; i++)
		assert_lun_equal(&a->luns[i], &b->luns[i]);
	assert_chap_equal(&a->chap, &b->chap);
	assert_chap_equal(&a->mutual_chap, &b->mutual_chap);
	assert_int_equal(a->nallow, b->nallow);
	for (size_t i = 0; i < a->nallow; i++)
		assert_string_equal(a->allow[i], b->allow[i]);
	assert_int_equal(a->ninitiators, b->ninitiators);
	for (size_t i = 0; i < a->ninitiators; i++)
		assert_initiator_equal(&a->initiators[i], &b->initiators[i]);
}

/* The settings as the daemon applies them: "not given" is the default. */
static int eff_log_level(const struct ctgt_config *c)
{
	return c->log_level < 0 ? LOG_LVL_INFO : c->log_level;
}

static int eff_nop_interval(const struct ctgt_config *c)
{
	return c->nop_interval < 0 ? CONFIG_NOP_INTERVAL_DEFAULT : c->nop_interval;
}

static unsigned eff_pr_max_regs(const struct ctgt_config *c)
{
	return c->pr_max_regs == 0 ? CONFIG_PR_MAX_REGS_DEFAULT : c->pr_max_regs;
}

/* Everything config.json carries (not --control: it has no key for it). */
static void assert_config_equal(const struct ctgt_config *a, const struct ctgt_config *b)
{
	assert_int_equal(a->nportals, b->nportals);
	for (size_t i = 0; i < a->nportals; i++) {
		assert_string_equal(a->portals[i].host, b->portals[i].host);
		assert_int_equal(a->portals[i].port, b->portals[i].port);
		assert_int_equal(a->portals[i].tpgt, b->portals[i].tpgt);
	}
	assert_int_equal(a->ntargets, b->ntargets);
	for (size_t i = 0; i < a->ntargets; i++)
		assert_target_equal(&a->targets[i], &b->targets[i]);
	assert_str_or_null(a->state_dir, b->state_dir);
	for (size_t i = 0; i < config_nlimits; i++)
		assert_int_equal(limit_get(&a->limits, &config_limits[i]),
				 limit_get(&b->limits, &config_limits[i]));
	assert_int_equal(a->max_connections, b->max_connections);
	assert_int_equal(a->threads, b->threads);
	assert_int_equal(a->session_threads, b->session_threads);
	assert_string_equal(a->metrics_host ? a->metrics_host : "", b->metrics_host ? b->metrics_host : "");
	assert_int_equal(a->metrics_port, b->metrics_port);
	assert_chap_equal(&a->discovery_chap, &b->discovery_chap);
	assert_chap_equal(&a->discovery_mutual_chap, &b->discovery_mutual_chap);
	assert_int_equal(eff_log_level(a), eff_log_level(b));
	assert_int_equal(eff_nop_interval(a), eff_nop_interval(b));
	assert_int_equal(eff_pr_max_regs(a), eff_pr_max_regs(b));
}

/* f->cfg saved to DIR/saved.json (its path in @out), loaded into @back. */
static void save_and_load(struct fixture *f, struct ctgt_config *back, char *out, size_t len)
{
	char err[CONFIG_ERR_LEN] = "";

	snprintf(out, len, "%s/saved.json", f->dir);
	assert_int_equal(config_save(&f->cfg, out, err, sizeof(err)), 0);
	memset(back, 0, sizeof(*back));
	back->log_level = -1;
	back->nop_interval = -1;
	if (config_load_json(out, back, err, sizeof(err)) < 0)
		fail_msg("the saved file does not load: %s", err);
}

/* Whether some storage of @j has LU key @key. */
static bool storage_has(json_t *j, const char *key)
{
	size_t i;
	json_t *st;

	json_array_foreach(json_object_get(j, "storages"), i, st)
		if (json_object_get(st, key) != NULL)
			return true;
	return false;
}

static void test_rich_file_round_trip(void **state)
{
	struct fixture *f = *state;
	struct ctgt_config back;
	const struct ctgt_target_cfg *t;
	char saved[192];
	json_t *j1, *j2;

	if (load(f, rich) < 0)
		fail_msg("%s", f->err);
	/* The file sets what it says (so the comparison below means something). */
	t = &f->cfg.targets[0];
	assert_int_equal(t->nluns, 3);	/* deviceID 13 is offline */
	assert_int_equal(t->ninitiators, 3);
	assert_int_equal(f->cfg.nportals, 3);
	assert_int_equal(f->cfg.portals[0].tpgt, 2);
	assert_int_equal(f->cfg.portals[2].tpgt, 1);
	for (size_t i = 0; i < config_nlimits; i++)
		assert_true(limit_get(&f->cfg.limits, &config_limits[i]) != 0);

	j1 = config_to_json(&f->cfg);
	assert_non_null(j1);
	/* Every LU key and every top-level key of the loader is written. */
	for (size_t i = 0; i < lu_noptions; i++)
		if (!storage_has(j1, lu_options[i].key))
			fail_msg("no storage has %s", lu_options[i].key);
	for (size_t i = 0; i < config_nlimits; i++)
		assert_non_null(json_object_get(j1, config_limits[i].key));
	for (const char *const *k = (const char *const[]){ "stateDir", "maxConnections", "threads",
		"sessionThreads", "metrics", "logLevel", "nopInterval", "prMaxRegistrations",
		"discoveryChap", "discoveryMutualChap", NULL }; *k; k++)
		if (json_object_get(j1, *k) == NULL)
			fail_msg("no %s", *k);

	save_and_load(f, &back, saved, sizeof(saved));
	assert_config_equal(&f->cfg, &back);
	j2 = config_to_json(&back);
	assert_true(json_equal(j1, j2));
	json_decref(j1);
	json_decref(j2);
	config_free(&back);
	unlink(saved);
}

static void test_flags_round_trip(void **state)
{
	struct fixture *f = *state;
	struct ctgt_config back;
	char saved[192];

	/* More than the fixture's parse() takes. */
	static const char *const args[] = {
		"--portal", "127.0.0.1:3270", "--portal", "[::1]:3271",
		"--target", "iqn.2026-12.io.ctgt.test:a", "--lun", "0=mem:,size=4M",
		"--lun", "3=/var/tmp/x.img,size=1G,thin,readonly,removable,"
			 "physical_block_size=4096,max_bandwidth=10M",
		"--lun", "4=/var/tmp/y.img,io=uring,direct",
		"--chap", "alice:alicesecret12", "--mutual-chap", "tgt:targetsecret99",
		"--allow", "iqn.1994-05.com.redhat:h1", "--allow", "127.0.0.0/8",
		"--allow-target-reset",
		"--target", "iqn.2026-12.io.ctgt.test:b", "--lun", "1=null:,size=1G",
		"--state-dir", "/var/lib/ctgt", "--threads", "2", "--max-connections", "8",
		"--session-threads", "spread", "--login-timeout", "20", "--buffer-cache", "32M",
		"--connection-limit", "77", "--discovery-chap", "d:discsecret1234",
		"--discovery-mutual-chap", "t:discsecret5678",
		"--log-level", "debug", "--nop-interval", "7", "--pr-max-registrations", "77",
	};
	char *argv[sizeof(args) / sizeof(args[0])];
	int argc = (int)(sizeof(args) / sizeof(args[0]));

	memcpy(argv, args, sizeof(argv));
	if (config_parse_args(argc, argv, &f->cfg, f->err, sizeof(f->err)) < 0)
		fail_msg("%s", f->err);
	assert_int_equal(f->cfg.ntargets, 2);
	save_and_load(f, &back, saved, sizeof(saved));
	assert_config_equal(&f->cfg, &back);
	assert_true(back.targets[0].luns[1].params.max_bandwidth == 10 * MiB);
	assert_int_equal(back.session_threads, CONFIG_SESSIONS_SPREAD);
	assert_int_equal(back.log_level, LOG_LVL_DEBUG);
	assert_int_equal(back.nop_interval, 7);
	assert_int_equal(back.pr_max_regs, 77);
	config_free(&back);
	unlink(saved);
}

/* "logLevel", "nopInterval", "prMaxRegistrations": written only when they
 * are not the default (not given, or given as the default), so a daemon
 * started from the file does the same either way. */
static void test_daemon_settings_saved(void **state)
{
	static const char *const keys[] = { "logLevel", "nopInterval", "prMaxRegistrations" };
	struct fixture *f = *state;
	json_t *j;

	assert_int_equal(parse(f, "--lun", "0=mem:,size=1M", NULL), 0);
	j = config_to_json(&f->cfg);
	assert_non_null(j);
	for (size_t i = 0; i < 3; i++)
		assert_null(json_object_get(j, keys[i]));
	json_decref(j);
	/* Given as the defaults: left out too. */
	assert_int_equal(parse(f, "--lun", "0=mem:,size=1M", "--log-level", "info",
			       "--nop-interval", "30", "--pr-max-registrations", "1024", NULL), 0);
	j = config_to_json(&f->cfg);
	assert_non_null(j);
	for (size_t i = 0; i < 3; i++)
		assert_null(json_object_get(j, keys[i]));
	json_decref(j);
	/* Anything else is written, as the loader reads it. */
	assert_int_equal(parse(f, "--lun", "0=mem:,size=1M", "--log-level", "error",
			       "--nop-interval", "0", "--pr-max-registrations", "65536", NULL), 0);
	j = config_to_json(&f->cfg);
	assert_non_null(j);
	assert_string_equal(json_string_value(json_object_get(j, "logLevel")), "error");
	assert_true(json_is_integer(json_object_get(j, "nopInterval")));
	assert_int_equal(json_integer_value(json_object_get(j, "nopInterval")), 0);
	assert_int_equal(json_integer_value(json_object_get(j, "prMaxRegistrations")), 65536);
	json_decref(j);
	assert_int_equal(parse(f, "--lun", "0=mem:,size=1M", "--log-level", "warn",
			       "--nop-interval", "3600", "--pr-max-registrations", "1", NULL), 0);
	j = config_to_json(&f->cfg);
	assert_non_null(j);
	assert_string_equal(json_string_value(json_object_get(j, "logLevel")), "warn");
	assert_int_equal(json_integer_value(json_object_get(j, "nopInterval")), 3600);
	assert_int_equal(json_integer_value(json_object_get(j, "prMaxRegistrations")), 1);
	json_decref(j);
}

/* The default target and portal of a bare --lun are saved like any other. */
static void test_defaults_round_trip(void **state)
{
	struct fixture *f = *state;
	struct ctgt_config back;
	char saved[192];

	assert_int_equal(parse(f, "--lun", "0=mem:,size=1M", NULL), 0);
	save_and_load(f, &back, saved, sizeof(saved));
	assert_config_equal(&f->cfg, &back);
	assert_string_equal(back.targets[0].name, "iqn.2026-11.io.ctgt:disk0");
	assert_int_equal(back.portals[0].port, 3260);
	config_free(&back);
	unlink(saved);
}

/* A relative --config is remembered absolute: `save` writes back to it
 * whatever the working directory is by then. */
static void test_config_file_remembered(void **state)
{
	struct fixture *f = *state;
	char *real, cwd[4096];

	write_config(f, "{\"storages\": [{\"deviceID\": 1, \"path\": \"mem:\", \"size\": \"1M\"}],"
		     " \"iscsitargets\": {\"iqn.2026-12.io.ctgt.test:a\": {\"luns\": {\"0\": 1}}}}");
	assert_non_null(getcwd(cwd, sizeof(cwd)));
	assert_int_equal(chdir(f->dir), 0);
	assert_int_equal(parse(f, "--config", "config.json", NULL), 0);
	assert_int_equal(chdir(cwd), 0);
	real = realpath(f->path, NULL);
	assert_non_null(real);
	assert_string_equal(f->cfg.config_file, real);
	free(real);
	/* Without --config there is none. */
	assert_int_equal(parse(f, "--lun", "0=mem:,size=1M", NULL), 0);
	assert_null(f->cfg.config_file);
}

static void write_file(const char *path, const char *text, mode_t mode)
{
	FILE *fp = fopen(path, "w");

	assert_non_null(fp);
	fputs(text, fp);
	assert_int_equal(fclose(fp), 0);
	assert_int_equal(chmod(path, mode), 0);
}

static bool file_is(const char *path, const char *text)
{
	char buf[256] = "";
	FILE *fp = fopen(path, "r");
	size_t n;

	if (fp == NULL)
		return false;
	n = fread(buf, 1, sizeof(buf) - 1, fp);
	fclose(fp);
	buf[n] = '\0';
	return strcmp(buf, text) == 0;
}

/* The files of @dir other than "." and "..". */
static int count_files(const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	int n = 0;

	assert_non_null(d);
	while ((e = readdir(d)) != NULL)
		n += strcmp(e->d_name, ".") != 0 && strcmp(e->d_name, "..") != 0;
	closedir(d);
	return n;
}

static void test_save_replaces_0600(void **state)
{
	struct fixture *f = *state;
	char err[CONFIG_ERR_LEN] = "", path[192];
	struct stat st;

	assert_int_equal(parse(f, "--lun", "0=mem:,size=1M", "--chap", "u:secretsecret1", NULL), 0);
	snprintf(path, sizeof(path), "%s/old.json", f->dir);
	write_file(path, "OLD\n", 0644);
	assert_int_equal(config_save(&f->cfg, path, err, sizeof(err)), 0);
	assert_int_equal(stat(path, &st), 0);
	assert_int_equal(st.st_mode & 07777, 0600);
	assert_false(file_is(path, "OLD\n"));
	assert_int_equal(count_files(f->dir), 1);	/* no temporary file left */
	unlink(path);
}

/*
 * In a child: make @f's directory read-only (a non-root user: its mode;
 * root, whom modes do not stop: a read-only bind mount in a mount
 * namespace of its own), then save over DIR/old.json, which must fail.
 * Exit 0 when it did as expected, 77 when the directory could not be made
 * read-only, 1 otherwise.
 */
static void readonly_child(struct fixture *f, const char *path)
{
	char err[CONFIG_ERR_LEN] = "";

	if (geteuid() != 0) {
		if (chmod(f->dir, 0500) < 0)
			_exit(77);
	} else if (unshare(CLONE_NEWNS) < 0 ||
		   mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) < 0 ||
		   mount(f->dir, f->dir, NULL, MS_BIND, NULL) < 0 ||
		   mount(NULL, f->dir, NULL, MS_REMOUNT | MS_BIND | MS_RDONLY, NULL) < 0) {
		_exit(77);
	}
	if (config_save(&f->cfg, path, err, sizeof(err)) != -1)
		_exit(1);
	fprintf(stderr, "  (refused: %s)\n", err);
	_exit(strstr(err, "the file is unchanged") && !strstr(err, "secretsecret1") ? 0 : 1);
}

static int run_child(void (*fn)(struct fixture *, const char *), struct fixture *f,
		     const char *path)
{
	int status;
	pid_t pid = fork();

	assert_true(pid >= 0);
	if (pid == 0)
		fn(f, path);
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFEXITED(status));
	return WEXITSTATUS(status);
}

static void test_readonly_dir_keeps_old_file(void **state)
{
	struct fixture *f = *state;
	char path[192];
	int rc;

	assert_int_equal(parse(f, "--lun", "0=mem:,size=1M", "--chap", "u:secretsecret1", NULL), 0);
	snprintf(path, sizeof(path), "%s/old.json", f->dir);
	write_file(path, "OLD\n", 0600);
	rc = run_child(readonly_child, f, path);
	chmod(f->dir, 0700);
	if (rc == 77) {
		unlink(path);
		skip();
	}
	assert_int_equal(rc, 0);
	assert_true(file_is(path, "OLD\n"));
	assert_int_equal(count_files(f->dir), 1);
	unlink(path);
}

/* In a child: files limited to 64 bytes, so the write fails (EFBIG). */
static void short_write_child(struct fixture *f, const char *path)
{
	char err[CONFIG_ERR_LEN] = "";
	struct rlimit rl = { 64, 64 };

	signal(SIGXFSZ, SIG_IGN);
	if (setrlimit(RLIMIT_FSIZE, &rl) < 0)
		_exit(77);
	if (config_save(&f->cfg, path, err, sizeof(err)) != -1)
		_exit(1);
	_exit(strstr(err, "cannot write") && strstr(err, "the file is unchanged") ? 0 : 1);
}

static void test_failed_write_keeps_old_file(void **state)
{
	struct fixture *f = *state;
	char path[192];

	assert_int_equal(parse(f, "--lun", "0=mem:,size=1M", NULL), 0);
	snprintf(path, sizeof(path), "%s/old.json", f->dir);
	write_file(path, "OLD\n", 0600);
	assert_int_equal(run_child(short_write_child, f, path), 0);
	assert_true(file_is(path, "OLD\n"));
	assert_int_equal(count_files(f->dir), 1);
	unlink(path);
}

static void test_check_file(void **state)
{
	struct fixture *f = *state;
	struct ctgt_config c = { .log_level = -1 };
	char err[CONFIG_ERR_LEN] = "";

	write_config(f, "{\"storages\": [{\"deviceID\": 1, \"path\": \"mem:\", \"size\": \"1M\"}],"
		     " \"iscsitargets\": {\"iqn.2026-12.io.ctgt.test:a\": {\"luns\": {\"0\": 1}}}}");
	assert_int_equal(config_check_file(f->path, &c, err, sizeof(err)), 0);
	/* No portal: the default one, as the daemon listens on at start. */
	assert_int_equal(c.nportals, 1);
	assert_string_equal(c.portals[0].host, "127.0.0.1");
	assert_int_equal(c.portals[0].port, 3260);
	config_free(&c);
	/* No LUN: serve would refuse it. */
	write_config(f, "{\"iscsitargets\": {\"iqn.2026-12.io.ctgt.test:a\": {}}}");
	assert_int_equal(config_check_file(f->path, &c, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "no LUN configured"));
	config_free(&c);
	/* A state directory that is not one. */
	write_config(f, "{\"storages\": [{\"deviceID\": 1, \"path\": \"mem:\", \"size\": \"1M\"}],"
		     " \"iscsitargets\": {\"iqn.2026-12.io.ctgt.test:a\": {\"luns\": {\"0\": 1}}},"
		     " \"stateDir\": \"/nonexistent/ctgt\"}");
	assert_int_equal(config_check_file(f->path, &c, err, sizeof(err)), -1);
	assert_string_equal(err, "--state-dir /nonexistent/ctgt: not a writable directory");
	config_free(&c);
	/* The keys of the flags: a bad one refused, naming it; a file
	 * without "nopInterval" keeps the default, even in a config started
	 * with only log_level "not given" (as the control socket's). */
	write_config(f, "{\"storages\": [{\"deviceID\": 1, \"path\": \"mem:\", \"size\": \"1M\"}],"
		     " \"iscsitargets\": {\"iqn.2026-12.io.ctgt.test:a\": {\"luns\": {\"0\": 1}}},"
		     " \"logLevel\": \"debug\", \"prMaxRegistrations\": 77}");
	assert_int_equal(config_check_file(f->path, &c, err, sizeof(err)), 0);
	assert_int_equal(c.log_level, LOG_LVL_DEBUG);
	assert_int_equal(c.nop_interval, -1);
	assert_int_equal(c.pr_max_regs, 77);
	config_free(&c);
	memset(&c, 0, sizeof(c));
	write_config(f, "{\"storages\": [{\"deviceID\": 1, \"path\": \"mem:\", \"size\": \"1M\"}],"
		     " \"iscsitargets\": {\"iqn.2026-12.io.ctgt.test:a\": {\"luns\": {\"0\": 1}}},"
		     " \"nopInterval\": 4000}");
	assert_int_equal(config_check_file(f->path, &c, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "\"nopInterval\" must be a number of seconds from 0 (off) to 3600"));
	config_free(&c);
	/* The loader's own checks: a mutual secret equal to the initiators'. */
	write_config(f, "{\"storages\": [{\"deviceID\": 1, \"path\": \"mem:\", \"size\": \"1M\"}],"
		     " \"iscsitargets\": {\"iqn.2026-12.io.ctgt.test:a\": {\"luns\": {\"0\": 1},"
		     " \"chap\": {\"user\": \"a\", \"secret\": \"samesecret123\"},"
		     " \"mutualChap\": {\"user\": \"b\", \"secret\": \"samesecret123\"}}}}");
	assert_int_equal(config_check_file(f->path, &c, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "must differ"));
	config_free(&c);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_rich_file_round_trip),
		T(test_flags_round_trip),
		T(test_daemon_settings_saved),
		T(test_defaults_round_trip),
		T(test_config_file_remembered),
		T(test_save_replaces_0600),
		T(test_readonly_dir_keeps_old_file),
		T(test_failed_write_keeps_old_file),
		T(test_check_file),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
