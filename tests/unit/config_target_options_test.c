/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Unit tests of the tables of target settings and discovery credentials
 * (daemon/target_options.c), walked entry by entry: each setting given by
 * its flag, saved with config_to_json() and loaded back, is the same
 * setting; each given by its config.json key is written back as it was;
 * every key `save` writes for a target is in the table (or is "tpgts" or
 * "luns"); the flag parser knows every flag, the usage and the help name
 * every flag and key; the tables hang together. Single-threaded.
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
#include "daemon/config_internal.h"
#include "daemon/config_save.h"
#include "daemon/target_options.h"
#include "tests/unit/config_fixture.h"

#define TARGET "iqn.2026-12.io.ctgt.test:t"

static const struct target_opt *const tables[] = { target_options, discovery_options };

/* ---- samples, one per kind ------------------------------------------------- */

/* The flag values of setting @o into @argv (from *@argc on): "--FLAG" for
 * a bool, else "--FLAG" and a value; @i makes the credentials differ. */
static void sample_flags(const struct target_opt *o, size_t i, char **argv, int *argc,
			 char bufs[][64])
{
	switch (o->kind) {
	case TOPT_BOOL:
		snprintf(bufs[0], 64, "--%s", o->flag);
		argv[(*argc)++] = bufs[0];
		return;
	case TOPT_CHAP:
		snprintf(bufs[0], 64, "--%s", o->flag);
		snprintf(bufs[1], 64, "user%zu:secret-number-%zu", i, i);
		argv[(*argc)++] = bufs[0];
		argv[(*argc)++] = bufs[1];
		return;
	case TOPT_RULES:
		snprintf(bufs[0], 64, "--%s=iqn.2020-01.a.i", o->flag);
		snprintf(bufs[1], 64, "--%s", o->flag);
		snprintf(bufs[2], 64, "10.0.0.0/8");
		argv[(*argc)++] = bufs[0];
		argv[(*argc)++] = bufs[1];
		argv[(*argc)++] = bufs[2];
		return;
	case TOPT_INITIATORS:
		fail_msg("%s has a flag but its kind has none", o->key);
	}
}

/* The config.json value of a setting of @o's kind (a new reference). */
static json_t *sample_json(const struct target_opt *o, size_t i)
{
	char user[16], secret[32];

	snprintf(user, sizeof(user), "user%zu", i);
	snprintf(secret, sizeof(secret), "secret-number-%zu", i);
	switch (o->kind) {
	case TOPT_BOOL:
		return json_true();
	case TOPT_CHAP:
		return json_pack("{s:s, s:s}", "user", user, "secret", secret);
	case TOPT_RULES:
		return json_pack("[s, s]", "iqn.2020-01.a.i", "10.0.0.0/8");
	case TOPT_INITIATORS:
		return json_pack("{s:{s:{s:s, s:s}, s:[{s:i, s:i, s:b}, {s:i}]}, s:{s:[]}}",
				 "iqn.2020-01.a.i", "chap", "user", user, "secret", secret, "luns",
				 "lun", 0, "targetLun", 1, "readonly", 1, "lun", 3,
				 "iqn.2020-01.a.j", "luns");
	}
	return NULL;
}

/* The base of table @tab in @cfg: its first target, or @cfg itself. */
static void *base_of(const struct target_opt *tab, struct ctgt_config *cfg)
{
	if (tab != target_options)
		return cfg;
	assert_int_equal(cfg->ntargets, 1);
	return &cfg->targets[0];
}

/* @o and, first, the settings it needs (@tab's), as flags into @argv. */
static void flags_with_needs(const struct target_opt *tab, const struct target_opt *o,
			     char **argv, int *argc, char bufs[][3][64], size_t *nb)
{
	if (o->needs != NULL)
		flags_with_needs(tab, topt_find_key(tab, o->needs), argv, argc, bufs, nb);
	sample_flags(o, (size_t)(o - tab), argv, argc, bufs[(*nb)++]);
}

/* Setting @o the same in @a and @b (the struct @o's table describes). */
static void assert_setting_equal(const struct target_opt *o, const void *a, const void *b)
{
	assert_int_equal(topt_is_set(o, a), topt_is_set(o, b));
	assert_int_equal(topt_n(o, a), topt_n(o, b));
	if (o->kind == TOPT_CHAP) {
		const struct ctgt_chap_cfg *x = topt_cfield(o, a), *y = topt_cfield(o, b);

		assert_string_equal(x->user, y->user);
		assert_string_equal(x->secret, y->secret);
	}
	if (o->kind == TOPT_RULES)
		for (size_t i = 0; i < topt_n(o, a); i++)
			assert_string_equal((*(char *const *const *)topt_cfield(o, a))[i],
					    (*(char *const *const *)topt_cfield(o, b))[i]);
}

/* config_to_json() of @cfg into @f's file, then loaded into @back. */
static void save_and_load(struct fixture *f, const struct ctgt_config *cfg,
			  struct ctgt_config *back)
{
	json_t *j = config_to_json(cfg);
	char *text = j ? json_dumps(j, JSON_INDENT(2)) : NULL;

	assert_non_null(text);
	write_config(f, text);
	free(text);
	json_decref(j);
	memset(back, 0, sizeof(*back));
	back->log_level = -1;
	back->nop_interval = -1;
	if (config_load_json(f->path, back, f->err, sizeof(f->err)) != 0)
		fail_msg("%s", f->err);
}

/* ---- flags -> struct -> config.json -> struct ------------------------------ */

static void test_flag_round_trip(void **state)
{
	struct fixture *f = *state;

	for (size_t t = 0; t < 2; t++) {
		for (const struct target_opt *o = tables[t]; o->key != NULL; o++) {
			char *argv[32] = { "--target", TARGET, "--lun", "0=mem:,size=1M" };
			char bufs[8][3][64];
			struct ctgt_config back;
			int argc = 4;
			size_t nb = 0;

			if (o->flag == NULL)
				continue;
			flags_with_needs(tables[t], o, argv, &argc, bufs, &nb);
			config_free(&f->cfg);
			if (config_parse_args(argc, argv, &f->cfg, f->err, sizeof(f->err)) != 0)
				fail_msg("--%s: %s", o->flag, f->err);
			if (!topt_is_set(o, base_of(tables[t], &f->cfg)))
				fail_msg("--%s set nothing", o->flag);
			save_and_load(f, &f->cfg, &back);
			assert_setting_equal(o, base_of(tables[t], &f->cfg), base_of(tables[t], &back));
			config_free(&back);
		}
	}
}

/* ---- config.json -> struct -> config.json ----------------------------------- */

/* {"iscsitargets": {TARGET: {"luns": ..., KEY: ...}}} or the key at the
 * top level, with what it needs, and a storage for LUN 0. */
static json_t *file_with(const struct target_opt *tab, const struct target_opt *o,
			 json_t *where)
{
	json_t *root = where;

	if (root == NULL) {
		root = json_pack("{s:[{s:i, s:s, s:s}], s:{s:{s:{s:i}}}}", "storages", "deviceID",
				 1, "path", "mem:", "size", "1M", "iscsitargets", TARGET, "luns",
				 "0", 1);
		where = tab == target_options ?
			json_object_get(json_object_get(root, "iscsitargets"), TARGET) : root;
	}
	if (o->needs != NULL)
		file_with(tab, topt_find_key(tab, o->needs), where);
	json_object_set_new(where, o->key, sample_json(o, (size_t)(o - tab)));
	return root;
}

static void test_json_round_trip(void **state)
{
	struct fixture *f = *state;

	for (size_t t = 0; t < 2; t++) {
		for (const struct target_opt *o = tables[t]; o->key != NULL; o++) {
			json_t *in = file_with(tables[t], o, NULL), *out, *want, *got;
			char *text = json_dumps(in, 0);

			config_free(&f->cfg);
			if (load(f, text) != 0)
				fail_msg("%s: %s", o->key, f->err);
			free(text);
			if (!topt_is_set(o, base_of(tables[t], &f->cfg)))
				fail_msg("\"%s\" set nothing", o->key);
			out = config_to_json(&f->cfg);
			assert_non_null(out);
			want = sample_json(o, (size_t)(o - tables[t]));
			got = tables[t] == target_options ?
				json_object_get(json_object_get(json_object_get(out, "iscsitargets"),
								 TARGET), o->key) :
				json_object_get(out, o->key);
			if (got == NULL || !json_equal(got, want))
				fail_msg("\"%s\" was not written back as it was", o->key);
			json_decref(want);
			json_decref(out);
			json_decref(in);
		}
	}
}

/* Every key `save` writes for a target, with every setting set, is one of
 * the table's, or "tpgts" or "luns"; and every one of the table's is
 * written. */
static void test_saved_keys_in_table(void **state)
{
	struct fixture *f = *state;
	json_t *in = file_with(target_options, &target_options[0], NULL), *out, *tj, *v;
	const char *key;
	char *text;

	/* Into the file's target, and its top level. */
	tj = json_object_get(json_object_get(in, "iscsitargets"), TARGET);
	for (const struct target_opt *o = target_options; o->key != NULL; o++)
		file_with(target_options, o, tj);
	for (const struct target_opt *o = discovery_options; o->key != NULL; o++)
		file_with(discovery_options, o, in);
	text = json_dumps(in, 0);
	if (load(f, text) != 0)
		fail_msg("%s", f->err);
	free(text);
	out = config_to_json(&f->cfg);
	assert_non_null(out);
	tj = json_object_get(json_object_get(out, "iscsitargets"), TARGET);
	assert_non_null(tj);
	json_object_foreach(tj, key, v)
		if (strcmp(key, "tpgts") != 0 && strcmp(key, "luns") != 0 &&
		    topt_find_key(target_options, key) == NULL)
			fail_msg("save writes \"%s\" for a target, which is not in target_options[]",
				 key);
	for (const struct target_opt *o = target_options; o->key != NULL; o++)
		if (json_object_get(tj, o->key) == NULL)
			fail_msg("save does not write \"%s\"", o->key);
	for (const struct target_opt *o = discovery_options; o->key != NULL; o++)
		if (json_object_get(out, o->key) == NULL)
			fail_msg("save does not write \"%s\"", o->key);
	json_decref(out);
	json_decref(in);
}

/* ---- the parser, the usage, the table itself ---------------------------------- */

/* The parser knows each flag: a bool's takes no value, the others need one. */
static void test_parser_knows_flags(void **state)
{
	struct fixture *f = *state;

	for (size_t t = 0; t < 2; t++) {
		for (const struct target_opt *o = tables[t]; o->key != NULL; o++) {
			char arg[64], want[96];

			if (o->flag == NULL)
				continue;
			if (o->kind == TOPT_BOOL) {
				snprintf(arg, sizeof(arg), "--%s=yes", o->flag);
				snprintf(want, sizeof(want), "--%s takes no value", o->flag);
			} else {
				snprintf(arg, sizeof(arg), "--%s", o->flag);
				snprintf(want, sizeof(want), "--%s: missing value", o->flag);
			}
			assert_int_equal(parse(f, "--lun", "0=mem:,size=1M", arg, NULL), -1);
			assert_string_equal(f->err, want);
		}
	}
}

static void test_usage_and_help(void **state)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *out = open_memstream(&buf, &len);
	int col = 0;

	(void)state;
	assert_non_null(out);
	for (size_t t = 0; t < 2; t++) {
		topt_usage(out, tables[t], &col, 4);
		topt_help(out, "title", tables[t]);
	}
	assert_int_equal(fclose(out), 0);
	for (size_t t = 0; t < 2; t++) {
		for (const struct target_opt *o = tables[t]; o->key != NULL; o++) {
			char want[64];

			snprintf(want, sizeof(want), "[--%s", o->flag);
			if (o->flag != NULL && strstr(buf, want) == NULL)
				fail_msg("the usage lacks --%s", o->flag);
			snprintf(want, sizeof(want), "\"%s\"", o->key);
			if (strstr(buf, want) == NULL)
				fail_msg("the help lacks \"%s\"", o->key);
		}
	}
	free(buf);
}

/* Keys and flags once across both tables; what needs another names one of
 * its table; the kinds' fields are there. */
static void test_tables(void **state)
{
	(void)state;
	for (size_t t = 0; t < 2; t++) {
		for (const struct target_opt *o = tables[t]; o->key != NULL; o++) {
			assert_non_null(o->help);
			assert_true(o->kind != TOPT_CHAP || o->secret);
			assert_true(o->flag == NULL || o->kind == TOPT_BOOL || o->arg != NULL);
			assert_true((o->kind == TOPT_RULES || o->kind == TOPT_INITIATORS) ==
				    (o->count != 0));
			if (o->needs != NULL && topt_find_key(tables[t], o->needs) == NULL)
				fail_msg("%s needs %s, not in its table", o->key, o->needs);
			for (size_t u = 0; u < 2; u++) {
				for (const struct target_opt *p = tables[u]; p->key != NULL; p++) {
					if (p == o)
						continue;
					if (strcmp(p->key, o->key) == 0)
						fail_msg("key %s twice", o->key);
					if (o->flag && p->flag && strcmp(p->flag, o->flag) == 0)
						fail_msg("flag --%s twice", o->flag);
				}
			}
		}
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_flag_round_trip),
		T(test_json_round_trip),
		T(test_saved_keys_in_table),
		T(test_parser_knows_flags),
		cmocka_unit_test(test_usage_and_help),
		cmocka_unit_test(test_tables),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
