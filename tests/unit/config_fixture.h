/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Shared fixture of the configuration tests (config_flags_test.c,
 * config_json_test.c, config_limits_test.c, config_chap_test.c): a
 * temporary config.json, config_parse_args() on a list of arguments,
 * config_load_json() on a text, and checks of the exact error message.
 *
 * Header-only (static inline) because every test program is built from one
 * source file; single-threaded.
 */
#ifndef CTGT_TESTS_CONFIG_FIXTURE_H
#define CTGT_TESTS_CONFIG_FIXTURE_H

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "daemon/config.h"
#include "util/log.h"

#define MiB (1024ull * 1024)
#define GiB (1024ull * MiB)


/* One test's: a temporary directory with DIR/config.json (@path), the
 * last error, and the config parsed or loaded (freed before each parse and
 * by teardown). */
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
	f->cfg.nop_interval = -1;
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

static inline void write_config(struct fixture *f, const char *text)
{
	FILE *fp = fopen(f->path, "w");

	assert_non_null(fp);
	assert_int_equal(fputs(text, fp) >= 0, 1);
	assert_int_equal(fclose(fp), 0);
}

/* Run config_parse_args on a NULL-terminated list of arguments. */
static inline int parse(struct fixture *f, const char *first, ...)
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

static inline int load(struct fixture *f, const char *text)
{
	write_config(f, text);
	f->err[0] = '\0';
	return config_load_json(f->path, &f->cfg, f->err, sizeof(f->err));
}

/* Expect @text to be refused with a message ending in @tail (after "PATH").
 * Not inline: inlined into config_limits_test.c's callers, whose @tail comes
 * from a buffer, gcc warns that the snprintf() may truncate (-Werror);
 * "unused" because config_flags_test.c loads no file. */
__attribute__((unused))
static void load_fails(struct fixture *f, const char *text, const char *tail)
{
	char want[CONFIG_ERR_LEN];

	assert_int_equal(load(f, text), -1);
	snprintf(want, sizeof(want), "%s%s", f->path, tail);
	assert_string_equal(f->err, want);
	assert_int_equal(f->cfg.ntargets, 0);
	assert_int_equal(f->cfg.nportals, 0);
}

/* A test with the fixture. */
#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)

#endif
