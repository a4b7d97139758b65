/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Unit tests of the resource limits: the limit flags and config.json
 * keys, the table config_limits[] that describes them, and
 * --max-connections / "maxConnections".
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
#include "daemon/config_internal.h"
#include "tests/unit/config_fixture.h"

/* Resource limit flags and top-level keys; 0 means "the default"; a flag
 * wins over the file. */
static void test_limits(void **state)
{
	struct fixture *f = *state;
	const struct ctgt_limits *l = &f->cfg.limits;

	assert_int_equal(parse(f, "--lun", "0=mem:,size=1M", NULL), 0);
	assert_int_equal(l->max_connections | l->max_connections_per_address |
			 l->max_sessions_per_target | l->login_timeout |
			 l->connection_buffer | l->tx_backlog | l->buffer_cache, 0);
	assert_int_equal(parse(f, "--lun", "0=mem:,size=1M", "--connection-limit", "10",
			       "--connection-limit-per-address=3", "--session-limit", "2",
			       "--login-timeout", "5", "--connection-buffer", "16M",
			       "--tx-backlog", "256K", "--buffer-cache", "4M", NULL), 0);
	assert_int_equal(l->max_connections, 10);
	assert_int_equal(l->max_connections_per_address, 3);
	assert_int_equal(l->max_sessions_per_target, 2);
	assert_int_equal(l->login_timeout, 5);
	assert_int_equal(l->connection_buffer, 16u << 20);
	assert_int_equal(l->tx_backlog, 256u << 10);
	assert_int_equal(l->buffer_cache, 4u << 20);
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
		     " \"txBacklog\": 1048576, \"bufferCache\": \"8M\", \"storages\": [{\"deviceID\": 1,"
		     " \"path\": \"mem:\", \"size\": \"1M\"}],"
		     " \"iscsitargets\": {\"iqn.2020-01.a.b\": {\"luns\": {\"0\": 1}}}}");
	assert_int_equal(parse(f, "--config", f->path, "--login-timeout", "3", NULL), 0);
	assert_int_equal(l->max_connections, 7);
	assert_int_equal(l->max_connections_per_address, 2);
	assert_int_equal(l->max_sessions_per_target, 4);
	assert_int_equal(l->login_timeout, 3);	/* the flag wins */
	assert_int_equal(l->connection_buffer, 32u << 20);
	assert_int_equal(l->tx_backlog, 1u << 20);
	assert_int_equal(l->buffer_cache, 8u << 20);
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

/* --threads and "threads": network threads; the flag wins over the file;
 * 0 in the result means one per online CPU. */
static void test_threads(void **state)
{
	struct fixture *f = *state;

	assert_int_equal(parse(f, "--lun", "0=mem:,size=1M", NULL), 0);
	assert_int_equal(f->cfg.threads, 0);
	assert_int_equal(parse(f, "--lun", "0=mem:,size=1M", "--threads", "1", NULL), 0);
	assert_int_equal(f->cfg.threads, 1);
	assert_int_equal(parse(f, "--lun", "0=mem:,size=1M", "--threads=64", NULL), 0);
	assert_int_equal(f->cfg.threads, 64);
	PARSE_FAILS(f, "--threads 0: expected a number from 1 to 64",
		    "--lun", "0=mem:,size=1M", "--threads", "0");
	PARSE_FAILS(f, "--threads 65: expected a number from 1 to 64",
		    "--lun", "0=mem:,size=1M", "--threads=65");

	write_config(f, "{\"threads\": 3, \"storages\": [{\"deviceID\": 1,"
		     " \"path\": \"mem:\", \"size\": \"1M\"}],"
		     " \"iscsitargets\": {\"iqn.2020-01.a.b\": {\"luns\": {\"0\": 1}}}}");
	assert_int_equal(parse(f, "--config", f->path, NULL), 0);
	assert_int_equal(f->cfg.threads, 3);
	assert_int_equal(parse(f, "--config", f->path, "--threads", "2", NULL), 0);
	assert_int_equal(f->cfg.threads, 2);
	config_free(&f->cfg);
	load_fails(f, "{\"threads\": 0}", ": \"threads\" must be a number from 1 to 64");
	load_fails(f, "{\"threads\": 65}", ": \"threads\" must be a number from 1 to 64");
	load_fails(f, "{\"threads\": \"2\"}", ": \"threads\" must be a number from 1 to 64");
}

/* --session-threads and "sessionThreads": spread (the default) or target;
 * the flag wins over the file. */
static void test_session_threads(void **state)
{
	struct fixture *f = *state;

	assert_int_equal(parse(f, "--lun", "0=mem:,size=1M", NULL), 0);
	assert_int_equal(f->cfg.session_threads, 0);
	assert_int_equal(parse(f, "--lun", "0=mem:,size=1M", "--session-threads", "target", NULL), 0);
	assert_int_equal(f->cfg.session_threads, CONFIG_SESSIONS_TARGET);
	assert_int_equal(parse(f, "--lun", "0=mem:,size=1M", "--session-threads=spread", NULL), 0);
	assert_int_equal(f->cfg.session_threads, CONFIG_SESSIONS_SPREAD);
	PARSE_FAILS(f, "--session-threads targets: expected spread or target",
		    "--lun", "0=mem:,size=1M", "--session-threads", "targets");

	write_config(f, "{\"sessionThreads\": \"target\", \"storages\": [{\"deviceID\": 1,"
		     " \"path\": \"mem:\", \"size\": \"1M\"}],"
		     " \"iscsitargets\": {\"iqn.2020-01.a.b\": {\"luns\": {\"0\": 1}}}}");
	assert_int_equal(parse(f, "--config", f->path, NULL), 0);
	assert_int_equal(f->cfg.session_threads, CONFIG_SESSIONS_TARGET);
	assert_int_equal(parse(f, "--config", f->path, "--session-threads", "spread", NULL), 0);
	assert_int_equal(f->cfg.session_threads, CONFIG_SESSIONS_SPREAD);
	config_free(&f->cfg);
	load_fails(f, "{\"sessionThreads\": 1}", ": \"sessionThreads\" must be \"spread\" or \"target\"");
	load_fails(f, "{\"sessionThreads\": \"home\"}",
		   ": \"sessionThreads\" must be \"spread\" or \"target\"");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_limits),
		T(test_limit_table_covers_limits),
		T(test_limit_table_bounds),
		T(test_max_connections),
		T(test_threads),
		T(test_session_threads),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
