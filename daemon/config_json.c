/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Loading gotgt-style config.json files (jansson) into struct ctgt_config.
 * The LU keys of a storage are lu_options.c's; a target's settings and
 * the discovery credentials target_options.c's.
 */
#include <errno.h>
#include <jansson.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "daemon/config.h"
#include "daemon/config_internal.h"
#include "daemon/lu_options.h"
#include "daemon/target_options.h"
#include "util/log.h"

/* ---- config.json -------------------------------------------------------- */

/* What a config file is being read into, plus where errors go. */
struct jload {
	const char *file;
	char *err;
	size_t errlen;
	struct storage *stores;
	size_t nstores;
	struct jportal *portals;
	size_t nportals;
	struct ctgt_config out;
};

struct storage {
	json_int_t id;
	bool online;
	struct ctgt_lun_cfg lun;	/* everything but the LUN number */
};

struct jportal {
	json_int_t id;
	char *host;
	uint16_t port;
	uint16_t tpgt;			/* 0 until a target's tpgts names it */
};

static bool key_known(const char *key, const char *const *known)
{
	for (size_t i = 0; known[i] != NULL; i++)
		if (strcmp(key, known[i]) == 0)
			return true;
	return false;
}

/* A key may be a typo: say it is not used (the file still loads). */
static void warn_unknown_keys(const struct jload *jl, const char *where, json_t *obj,
			      const char *const *known)
{
	const char *key;
	json_t *val;

	json_object_foreach(obj, key, val)
		if (!key_known(key, known))
			LOG_WARN("config", "%s: %s: ignoring unknown key \"%s\"", jl->file, where, key);
}

/* warn_unknown_keys() of the top level, where the limits' keys and the
 * discovery settings' are known too. */
static void warn_unknown_top_keys(const struct jload *jl, json_t *root, const char *const *known)
{
	const char *key;
	json_t *val;

	json_object_foreach(root, key, val) {
		bool known_here = topt_find_key(discovery_options, key) != NULL;

		for (size_t i = 0; i < config_nlimits && !known_here; i++)
			known_here = strcmp(key, config_limits[i].key) == 0;
		if (!known_here && !key_known(key, known))
			LOG_WARN("config", "%s: top level: ignoring unknown key \"%s\"", jl->file, key);
	}
}

/* warn_unknown_keys() of a storage, whose LU keys are in lu_options[]. */
static void warn_unknown_storage_keys(const struct jload *jl, const char *where, json_t *obj)
{
	static const char *const known[] = { "deviceID", "path", "online", NULL };
	const char *key;
	json_t *val;
	char keys[256];

	lu_json_keys(keys, sizeof(keys));
	json_object_foreach(obj, key, val)
		if (!key_known(key, known) && lu_opt_find(LU_SYNTAX_JSON, key, strlen(key)) == NULL)
			LOG_WARN("config", "%s: %s: ignoring unknown key \"%s\" (a storage has "
				 "deviceID, path, online, %s)", jl->file, where, key, keys);
}

/* An optional boolean member; false with an error when it is not one. */
static bool get_bool(const struct jload *jl, const char *where, json_t *obj,
		     const char *key, bool def, bool *out)
{
	json_t *v = json_object_get(obj, key);

	if (v == NULL) {
		*out = def;
		return true;
	}
	if (!json_is_boolean(v)) {
		set_err(jl->err, jl->errlen, "%s: %s: %s must be true or false", jl->file, where, key);
		return false;
	}
	*out = json_is_true(v);
	return true;
}

/* An integer member in [min, max]; false with an error otherwise. */
static bool get_int(const struct jload *jl, const char *where, json_t *v,
		    const char *what, json_int_t min, json_int_t max, json_int_t *out)
{
	if (v == NULL) {
		set_err(jl->err, jl->errlen, "%s: %s: missing %s", jl->file, where, what);
		return false;
	}
	if (!json_is_integer(v) || json_integer_value(v) < min || json_integer_value(v) > max) {
		set_err(jl->err, jl->errlen, "%s: %s: %s must be an integer from %lld to %lld",
			jl->file, where, what, (long long)min, (long long)max);
		return false;
	}
	*out = json_integer_value(v);
	return true;
}

/* A storage: gotgt's "deviceID", "path" and "online", then the LU
 * options (lu_options.c, which checks them together). */
static bool storage_fields(const struct jload *jl, const char *where, json_t *obj,
			   struct storage *st)
{
	json_t *path = json_object_get(obj, "path");
	char why[CONFIG_ERR_LEN];

	if (!get_int(jl, where, json_object_get(obj, "deviceID"), "deviceID", 0,
		     LLONG_MAX, &st->id))
		return false;
	if (!json_is_string(path) || json_string_length(path) == 0) {
		set_err(jl->err, jl->errlen, "%s: %s: path must be a non-empty string", jl->file, where);
		return false;
	}
	if (!get_bool(jl, where, obj, "online", true, &st->online))
		return false;
	lu_defaults(&st->lun);
	st->lun.path = strdup(json_string_value(path));
	if (st->lun.path == NULL) {
		set_err(jl->err, jl->errlen, "%s: out of memory", jl->file);
		return false;
	}
	if (lu_load_json(obj, &st->lun, why, sizeof(why)) < 0) {
		set_err(jl->err, jl->errlen, "%s: %s: %s", jl->file, where, why);
		free(st->lun.path);
		st->lun.path = NULL;
		return false;
	}
	return true;
}

static const struct storage *find_storage(const struct jload *jl, json_int_t id)
{
	for (size_t i = 0; i < jl->nstores; i++)
		if (jl->stores[i].id == id)
			return &jl->stores[i];
	return NULL;
}

static bool load_storage(struct jload *jl, size_t idx, json_t *obj)
{
	char where[32];
	struct storage st = { 0 }, *arr;

	snprintf(where, sizeof(where), "storages[%zu]", idx);
	if (!json_is_object(obj)) {
		set_err(jl->err, jl->errlen, "%s: %s: must be an object", jl->file, where);
		return false;
	}
	warn_unknown_storage_keys(jl, where, obj);
	if (!storage_fields(jl, where, obj, &st))
		return false;
	if (find_storage(jl, st.id) != NULL) {
		set_err(jl->err, jl->errlen, "%s: %s: duplicate deviceID %lld",
			jl->file, where, (long long)st.id);
		free(st.lun.path);
		return false;
	}
	arr = grow(jl->stores, &jl->nstores, sizeof(*arr));
	if (arr == NULL) {
		set_err(jl->err, jl->errlen, "%s: out of memory", jl->file);
		free(st.lun.path);
		return false;
	}
	jl->stores = arr;
	arr[jl->nstores - 1] = st;
	return true;
}

static bool load_portal(struct jload *jl, size_t idx, json_t *obj)
{
	static const char *const known[] = { "id", "portal", NULL };
	char where[32];
	struct jportal p = { 0 }, *arr;
	json_t *addr = json_object_get(obj, "portal");
	const char *why;

	snprintf(where, sizeof(where), "iscsiportals[%zu]", idx);
	if (!json_is_object(obj)) {
		set_err(jl->err, jl->errlen, "%s: %s: must be an object", jl->file, where);
		return false;
	}
	warn_unknown_keys(jl, where, obj, known);
	if (!get_int(jl, where, json_object_get(obj, "id"), "id", 0, LLONG_MAX, &p.id))
		return false;
	for (size_t i = 0; i < jl->nportals; i++) {
		if (jl->portals[i].id == p.id) {
			set_err(jl->err, jl->errlen, "%s: %s: duplicate id %lld",
				jl->file, where, (long long)p.id);
			return false;
		}
	}
	if (!json_is_string(addr)) {
		set_err(jl->err, jl->errlen, "%s: %s: portal must be a string like \"127.0.0.1:3260\"",
			jl->file, where);
		return false;
	}
	why = portal_parse(json_string_value(addr), &p.host, &p.port);
	if (why != NULL) {
		set_err(jl->err, jl->errlen, "%s: %s: portal \"%s\": %s",
			jl->file, where, json_string_value(addr), why);
		return false;
	}
	arr = grow(jl->portals, &jl->nportals, sizeof(*arr));
	if (arr == NULL) {
		set_err(jl->err, jl->errlen, "%s: out of memory", jl->file);
		free(p.host);
		return false;
	}
	jl->portals = arr;
	arr[jl->nportals - 1] = p;
	return true;
}

/* A section that must be an array; a missing one counts as empty. */
static bool load_array(struct jload *jl, json_t *root, const char *key,
		       bool (*one)(struct jload *, size_t, json_t *))
{
	json_t *arr = json_object_get(root, key), *v;
	size_t i;

	if (arr == NULL)
		return true;
	if (!json_is_array(arr)) {
		set_err(jl->err, jl->errlen, "%s: %s must be an array", jl->file, key);
		return false;
	}
	json_array_foreach(arr, i, v) {
		if (!one(jl, i, v))
			return false;
	}
	return true;
}

static struct jportal *find_jportal(const struct jload *jl, json_int_t id)
{
	for (size_t i = 0; i < jl->nportals; i++)
		if (jl->portals[i].id == id)
			return &jl->portals[i];
	return NULL;
}

/* "tpgts": {"1": [portal ids]}: give each listed portal that tag. */
static bool load_tpgts(struct jload *jl, const char *iqn, json_t *tpgts)
{
	const char *key;
	json_t *ids;

	if (tpgts == NULL)
		return true;
	if (!json_is_object(tpgts)) {
		set_err(jl->err, jl->errlen, "%s: iscsitargets.%s: tpgts must be an object",
			jl->file, iqn);
		return false;
	}
	json_object_foreach(tpgts, key, ids) {
		uint64_t tag;
		size_t i;
		json_t *id;

		if (parse_dec(key, strlen(key), 65535, &tag) < 0 || tag == 0) {
			set_err(jl->err, jl->errlen, "%s: iscsitargets.%s: tpgt \"%s\" must be 1 to 65535",
				jl->file, iqn, key);
			return false;
		}
		if (!json_is_array(ids)) {
			set_err(jl->err, jl->errlen, "%s: iscsitargets.%s: tpgts.%s must be an array of portal ids",
				jl->file, iqn, key);
			return false;
		}
		json_array_foreach(ids, i, id) {
			struct jportal *p = json_is_integer(id) ?
				find_jportal(jl, json_integer_value(id)) : NULL;

			if (p == NULL) {
				set_err(jl->err, jl->errlen, "%s: iscsitargets.%s: tpgts.%s refers to unknown portal id",
					jl->file, iqn, key);
				return false;
			}
			/* One listener serves one tag for every target. */
			if (p->tpgt != 0 && p->tpgt != tag) {
				set_err(jl->err, jl->errlen,
					"%s: iscsitargets.%s: portal id %lld already has tag %u, cannot also be %s",
					jl->file, iqn, (long long)p->id, p->tpgt, key);
				return false;
			}
			p->tpgt = (uint16_t)tag;
		}
	}
	return true;
}

static bool load_lun(struct jload *jl, const char *iqn, struct ctgt_target_cfg *t,
		     const char *key, json_t *dev)
{
	const struct storage *st;
	struct ctgt_lun_cfg lun;
	uint64_t n;

	if (parse_dec(key, strlen(key), MAX_LUN, &n) < 0) {
		set_err(jl->err, jl->errlen, "%s: iscsitargets.%s: lun \"%s\" must be 0 to %d",
			jl->file, iqn, key, MAX_LUN);
		return false;
	}
	if (!json_is_integer(dev)) {
		set_err(jl->err, jl->errlen, "%s: iscsitargets.%s: lun %s must be a deviceID number",
			jl->file, iqn, key);
		return false;
	}
	st = find_storage(jl, json_integer_value(dev));
	if (st == NULL) {
		set_err(jl->err, jl->errlen, "%s: iscsitargets.%s: lun %s refers to unknown deviceID %lld",
			jl->file, iqn, key, (long long)json_integer_value(dev));
		return false;
	}
	if (!st->online) {
		LOG_WARN("config", "%s: iscsitargets.%s: lun %s: deviceID %lld is offline, not exported",
			 jl->file, iqn, key, (long long)st->id);
		return true;
	}
	lun = st->lun;
	lun.params.lun = n;
	lun.path = strdup(st->lun.path);
	if (lun.path == NULL || add_lun(t, &lun) < 0) {
		set_err(jl->err, jl->errlen, "%s: out of memory", jl->file);
		return false;
	}
	return true;
}

/* {"user": "...", "secret": "..."} into @c; @where names it in errors. */
static bool load_chap(struct jload *jl, const char *where, json_t *v, struct ctgt_chap_cfg *c)
{
	static const char *const known[] = { "user", "secret", NULL };
	json_t *u = json_object_get(v, "user"), *sec = json_object_get(v, "secret");
	const char *why;

	if (!json_is_object(v) || !json_is_string(u) || !json_is_string(sec)) {
		set_err(jl->err, jl->errlen, "%s: %s: must be an object with \"user\" and \"secret\" strings",
			jl->file, where);
		return false;
	}
	warn_unknown_keys(jl, where, v, known);
	why = config_set_chap(c, json_string_value(u), strlen(json_string_value(u)),
			      json_string_value(sec));
	if (why != NULL) {
		set_err(jl->err, jl->errlen, "%s: %s: %s", jl->file, where, why);
		return false;
	}
	return true;
}

/* An array of access rules at @at into the @n rules at *@rules. */
static bool load_rules(struct jload *jl, const char *at, json_t *v, char ***rules, size_t *n)
{
	size_t i;
	json_t *r;

	if (!json_is_array(v)) {
		set_err(jl->err, jl->errlen, "%s: %s: must be an array of names and networks",
			jl->file, at);
		return false;
	}
	json_array_foreach(v, i, r) {
		const char *why = json_is_string(r) ? add_rule(rules, n, json_string_value(r)) :
						      "must be a string";

		if (why != NULL) {
			set_err(jl->err, jl->errlen, "%s: %s[%zu]: %s", jl->file, at, i, why);
			return false;
		}
	}
	return true;
}

/* One {"lun": N, "targetLun": M, "readonly": B} of an initiator's "luns". */
static bool load_map_entry(struct jload *jl, const char *where, size_t idx, json_t *v,
			   struct ctgt_lun_map_cfg *m)
{
	static const char *const known[] = { "lun", "targetLun", "readonly", NULL };
	json_t *tl = json_object_get(v, "targetLun");
	json_int_t lun, target;
	char at[MAX_NAME_LEN * 2 + 64];

	snprintf(at, sizeof(at), "%s.luns[%zu]", where, idx);
	if (!json_is_object(v)) {
		set_err(jl->err, jl->errlen, "%s: %s: must be an object", jl->file, at);
		return false;
	}
	warn_unknown_keys(jl, at, v, known);
	if (!get_int(jl, at, json_object_get(v, "lun"), "lun", 0, MAX_LUN, &lun))
		return false;
	target = lun;
	if (tl != NULL && !get_int(jl, at, tl, "targetLun", 0, MAX_LUN, &target))
		return false;
	m->lun = (uint64_t)lun;
	m->target_lun = (uint64_t)target;
	return get_bool(jl, at, v, "readonly", false, &m->readonly);
}

/* Initiator @name (its settings @v, at @where.@name) after the @*n at *@arr. */
static bool load_initiator(struct jload *jl, const char *where, const char *name, json_t *v,
			   struct ctgt_initiator_cfg **arr, size_t *n)
{
	static const char *const known[] = { "chap", "luns", NULL };
	json_t *chap = json_object_get(v, "chap"), *luns = json_object_get(v, "luns"), *e;
	struct ctgt_initiator_cfg *ic;
	char at[MAX_NAME_LEN * 2 + 32];
	const char *why = name_problem(name);
	size_t i;

	snprintf(at, sizeof(at), "%s.%s", where, name);
	if (why != NULL || !json_is_object(v) || (luns != NULL && !json_is_array(luns))) {
		set_err(jl->err, jl->errlen, "%s: %s: %s", jl->file, at,
			why ? why : "must be an object, its \"luns\" an array");
		return false;
	}
	warn_unknown_keys(jl, at, v, known);
	ic = grow(*arr, n, sizeof(*ic));
	if (ic == NULL || (ic[*n - 1].name = strdup(name)) == NULL) {
		if (ic != NULL)
			*arr = ic;
		set_err(jl->err, jl->errlen, "out of memory");
		return false;
	}
	*arr = ic;
	ic = &ic[*n - 1];
	if (chap != NULL && !load_chap(jl, at, chap, &ic->chap))
		return false;
	ic->map_luns = luns != NULL;
	if (luns == NULL || json_array_size(luns) == 0)
		return true;
	ic->luns = calloc(json_array_size(luns), sizeof(*ic->luns));
	if (ic->luns == NULL) {
		set_err(jl->err, jl->errlen, "out of memory");
		return false;
	}
	json_array_foreach(luns, i, e) {
		if (!load_map_entry(jl, at, i, e, &ic->luns[i]))
			return false;
		ic->nluns++;
	}
	return true;
}

/* {NAME: {"chap", "luns"}} at @at after the @*n initiators at *@arr. */
static bool load_initiators(struct jload *jl, const char *at, json_t *v,
			    struct ctgt_initiator_cfg **arr, size_t *n)
{
	const char *name;
	json_t *e;

	if (!json_is_object(v)) {
		set_err(jl->err, jl->errlen, "%s: %s: must be an object", jl->file, at);
		return false;
	}
	json_object_foreach(v, name, e) {
		if (!load_initiator(jl, at, name, e, arr, n))
			return false;
	}
	return true;
}

/* Setting @o (target_options[] or discovery_options[]) of @base from @v,
 * where @where (NULL: the top level) has it. */
static bool load_setting(struct jload *jl, const char *where, const struct target_opt *o,
			 json_t *v, void *base)
{
	char at[MAX_NAME_LEN + 64];

	snprintf(at, sizeof(at), "%s%s%s", where ? where : "", where ? "." : "", o->key);
	switch (o->kind) {
	case TOPT_BOOL:
		if (!json_is_boolean(v)) {
			set_err(jl->err, jl->errlen, "%s: %s: %s must be true or false", jl->file,
				where ? where : "top level", o->key);
			return false;
		}
		*(bool *)topt_field(o, base) = json_is_true(v);
		return true;
	case TOPT_CHAP:
		return load_chap(jl, at, v, topt_field(o, base));
	case TOPT_RULES:
		return load_rules(jl, at, v, topt_field(o, base), topt_count(o, base));
	case TOPT_INITIATORS:
		return load_initiators(jl, at, v, topt_field(o, base), topt_count(o, base));
	}
	return false;
}

/* The keys of target_options[] that @obj (target @t, at @where) has, in
 * the table's order, each checked with the one it needs. */
static bool load_settings(struct jload *jl, const char *where, json_t *obj,
			  struct ctgt_target_cfg *t)
{
	for (const struct target_opt *o = target_options; o->key != NULL; o++) {
		json_t *v = json_object_get(obj, o->key);
		const char *why;

		if (v == NULL)
			continue;
		if (!load_setting(jl, where, o, v, t))
			return false;
		if ((why = topt_problem(target_options, o, t)) != NULL) {
			set_err(jl->err, jl->errlen, "%s: %s: %s", jl->file, where, why);
			return false;
		}
	}
	return true;
}

/* warn_unknown_keys() of a target: "tpgts", "luns" and the settings. */
static void warn_unknown_target_keys(const struct jload *jl, const char *where, json_t *obj)
{
	static const char *const known[] = { "tpgts", "luns", NULL };
	const char *key;
	json_t *val;

	json_object_foreach(obj, key, val)
		if (!key_known(key, known) && topt_find_key(target_options, key) == NULL)
			LOG_WARN("config", "%s: %s: ignoring unknown key \"%s\"", jl->file, where, key);
}

static bool load_target(struct jload *jl, const char *iqn, json_t *obj)
{
	json_t *luns = json_object_get(obj, "luns"), *dev;
	struct ctgt_target_cfg *t;
	const char *why = name_problem(iqn), *key;
	char where[MAX_NAME_LEN + 32];

	if (why != NULL) {
		set_err(jl->err, jl->errlen, "%s: iscsitargets.%s: %s", jl->file, iqn, why);
		return false;
	}
	if (!json_is_object(obj) || (luns != NULL && !json_is_object(luns))) {
		set_err(jl->err, jl->errlen,
			"%s: iscsitargets.%s: must be an object with \"luns\" and \"tpgts\" objects",
			jl->file, iqn);
		return false;
	}
	snprintf(where, sizeof(where), "iscsitargets.%s", iqn);
	warn_unknown_target_keys(jl, where, obj);
	if (!load_tpgts(jl, iqn, json_object_get(obj, "tpgts")))
		return false;
	t = add_target(&jl->out, iqn);
	if (t == NULL) {
		set_err(jl->err, jl->errlen, "%s: out of memory", jl->file);
		return false;
	}
	json_object_foreach(luns, key, dev) {
		if (!load_lun(jl, iqn, t, key, dev))
			return false;
	}
	return load_settings(jl, where, obj, t);
}

static bool load_targets(struct jload *jl, json_t *root)
{
	json_t *targets = json_object_get(root, "iscsitargets"), *obj;
	const char *iqn;

	if (targets == NULL)
		return true;
	if (!json_is_object(targets)) {
		set_err(jl->err, jl->errlen, "%s: iscsitargets must be an object", jl->file);
		return false;
	}
	json_object_foreach(targets, iqn, obj) {
		if (!load_target(jl, iqn, obj))
			return false;
	}
	return true;
}

/* Hand the portals to the scratch config, untagged ones in group 1. */
static bool move_portals(struct jload *jl)
{
	for (size_t i = 0; i < jl->nportals; i++) {
		struct jportal *p = &jl->portals[i];
		uint16_t tag = p->tpgt != 0 ? p->tpgt : DEFAULT_TPGT;
		char *host = p->host;

		p->host = NULL;
		if (find_portal(&jl->out, host, p->port) != NULL) {
			free(host);
			continue;
		}
		if (add_portal(&jl->out, host, p->port, tag) < 0) {
			set_err(jl->err, jl->errlen, "%s: out of memory", jl->file);
			return false;
		}
	}
	return true;
}

static void jload_free(struct jload *jl)
{
	for (size_t i = 0; i < jl->nstores; i++)
		free(jl->stores[i].lun.path);
	free(jl->stores);
	for (size_t i = 0; i < jl->nportals; i++)
		free(jl->portals[i].host);
	free(jl->portals);
	config_free(&jl->out);
}

static json_t *read_json(const struct jload *jl)
{
	json_error_t jerr;
	json_t *root;
	FILE *fp = fopen(jl->file, "r");

	if (fp == NULL) {
		set_err(jl->err, jl->errlen, "open %s: %s", jl->file, strerror(errno));
		return NULL;
	}
	root = json_loadf(fp, JSON_REJECT_DUPLICATES, &jerr);
	fclose(fp);
	if (root == NULL) {
		set_err(jl->err, jl->errlen, "%s:%d:%d: %s", jl->file, jerr.line, jerr.column, jerr.text);
		return NULL;
	}
	if (!json_is_object(root)) {
		set_err(jl->err, jl->errlen, "%s: the top level must be a JSON object", jl->file);
		json_decref(root);
		return NULL;
	}
	return root;
}

/* "stateDir": where APTPL reservation state is kept (ctgt's own key). */
static bool load_state_dir(struct jload *jl, json_t *root, struct ctgt_config *cfg)
{
	json_t *v = json_object_get(root, "stateDir");

	if (v == NULL)
		return true;
	if (!json_is_string(v) || json_string_length(v) == 0) {
		set_err(jl->err, jl->errlen, "%s: \"stateDir\" must be a non-empty string", jl->file);
		return false;
	}
	free(cfg->state_dir);
	cfg->state_dir = strdup(json_string_value(v));
	if (cfg->state_dir == NULL) {
		set_err(jl->err, jl->errlen, "out of memory");
		return false;
	}
	return true;
}

/* "metrics": the metrics endpoint's address, "HOST:PORT" or a port
 * (ctgt's own key, as --metrics). */
static bool load_metrics(struct jload *jl, json_t *root, struct ctgt_config *cfg)
{
	json_t *v = json_object_get(root, "metrics");
	char num[16];
	const char *s = num, *why;

	if (v == NULL)
		return true;
	if (json_is_integer(v) && json_integer_value(v) >= 0 && json_integer_value(v) <= 65535)
		snprintf(num, sizeof(num), "%d", (int)json_integer_value(v));
	else if (json_is_string(v))
		s = json_string_value(v);
	else
		s = NULL;
	free(cfg->metrics_host);
	cfg->metrics_host = NULL;
	why = s ? config_parse_metrics(s, &cfg->metrics_host, &cfg->metrics_port)
		: "must be a string \"HOST:PORT\" or a port number";
	if (why != NULL) {
		set_err(jl->err, jl->errlen, "%s: \"metrics\": %s", jl->file, why);
		return false;
	}
	return true;
}

/* One limit: an integer in [min, max]; a size may also be a string like "64M". */
static bool limit_value(const struct jload *jl, json_t *val, const char *key, json_int_t min,
			json_int_t max, bool size, json_int_t *out)
{
	uint64_t sz;

	if (!size || !json_is_string(val))
		return get_int(jl, "top level", val, key, min, max, out);
	if (config_parse_size(json_string_value(val), &sz) == 0 && sz >= (uint64_t)min &&
	    sz <= (uint64_t)max) {
		*out = (json_int_t)sz;
		return true;
	}
	set_err(jl->err, jl->errlen, "%s: top level: %s must be from %lld to %lld bytes "
		"(a number or a string like \"64M\")", jl->file, key, (long long)min, (long long)max);
	return false;
}

/* ctgt's resource limit keys at the top level (config_limits[]). */
static bool load_limits(struct jload *jl, json_t *root, struct ctgt_limits *lim)
{
	for (size_t i = 0; i < config_nlimits; i++) {
		const struct config_limit *l = &config_limits[i];
		json_t *val = json_object_get(root, l->key);
		json_int_t v;

		if (val == NULL)
			continue;
		if (!limit_value(jl, val, l->key, (json_int_t)l->min, (json_int_t)l->max, l->size, &v))
			return false;
		*limit_slot(lim, l) = (unsigned)v;
	}
	return true;
}

/* "maxConnections": connections per session (ctgt's own key). */
static bool load_max_connections(struct jload *jl, json_t *root, struct ctgt_config *cfg)
{
	json_t *v = json_object_get(root, "maxConnections");

	if (v == NULL)
		return true;
	if (!json_is_integer(v) || json_integer_value(v) < 1 ||
	    json_integer_value(v) > CONFIG_MAX_CONNECTIONS) {
		set_err(jl->err, jl->errlen, "%s: \"maxConnections\" must be a number from 1 to %d",
			jl->file, CONFIG_MAX_CONNECTIONS);
		return false;
	}
	cfg->max_connections = (int)json_integer_value(v);
	return true;
}

/* "threads": network threads (ctgt's own key). */
static bool load_threads(struct jload *jl, json_t *root, struct ctgt_config *cfg)
{
	json_t *v = json_object_get(root, "threads");

	if (v == NULL)
		return true;
	if (!json_is_integer(v) || json_integer_value(v) < 1 ||
	    json_integer_value(v) > CONFIG_MAX_THREADS) {
		set_err(jl->err, jl->errlen, "%s: \"threads\" must be a number from 1 to %d",
			jl->file, CONFIG_MAX_THREADS);
		return false;
	}
	cfg->threads = (int)json_integer_value(v);
	return true;
}

/* "sessionThreads": "spread" or "target" (ctgt's own key). */
static bool load_session_threads(struct jload *jl, json_t *root, struct ctgt_config *cfg)
{
	json_t *v = json_object_get(root, "sessionThreads");

	if (v == NULL)
		return true;
	cfg->session_threads = json_is_string(v) ? config_session_threads(json_string_value(v),
									  json_string_length(v))
						 : 0;
	if (!cfg->session_threads) {
		set_err(jl->err, jl->errlen, "%s: \"sessionThreads\" must be \"spread\" or \"target\"",
			jl->file);
		return false;
	}
	return true;
}

/* "logLevel": "error", "warn", "info" or "debug" (as --log-level). */
static bool load_log_level(struct jload *jl, json_t *root, struct ctgt_config *cfg)
{
	json_t *v = json_object_get(root, "logLevel");
	int lvl = json_is_string(v) ? log_parse_level(json_string_value(v)) : -1;

	if (v == NULL)
		return true;
	if (lvl < 0) {
		set_err(jl->err, jl->errlen,
			"%s: \"logLevel\" must be \"error\", \"warn\", \"info\" or \"debug\"",
			jl->file);
		return false;
	}
	cfg->log_level = lvl;
	return true;
}

/* "nopInterval": seconds of idle before a NOP-In ping, 0 = off (as
 * --nop-interval). */
static bool load_nop_interval(struct jload *jl, json_t *root, struct ctgt_config *cfg)
{
	json_t *v = json_object_get(root, "nopInterval");

	if (v == NULL)
		return true;
	if (!json_is_integer(v) || json_integer_value(v) < 0 ||
	    json_integer_value(v) > CONFIG_NOP_INTERVAL_MAX) {
		set_err(jl->err, jl->errlen,
			"%s: \"nopInterval\" must be a number of seconds from 0 (off) to %d",
			jl->file, CONFIG_NOP_INTERVAL_MAX);
		return false;
	}
	cfg->nop_interval = (int)json_integer_value(v);
	return true;
}

/* "prMaxRegistrations": persistent reservation registrations per LU (as
 * --pr-max-registrations). */
static bool load_pr_max_regs(struct jload *jl, json_t *root, struct ctgt_config *cfg)
{
	json_t *v = json_object_get(root, "prMaxRegistrations");

	if (v == NULL)
		return true;
	if (!json_is_integer(v) || json_integer_value(v) < 1 ||
	    json_integer_value(v) > CONFIG_PR_MAX_REGS_MAX) {
		set_err(jl->err, jl->errlen, "%s: \"prMaxRegistrations\" must be a number from 1 to %d",
			jl->file, CONFIG_PR_MAX_REGS_MAX);
		return false;
	}
	cfg->pr_max_regs = (unsigned)json_integer_value(v);
	return true;
}

/* The keys of discovery_options[]: the credentials of discovery sessions,
 * the initiators' and the target's own (ctgt's keys). @cfg has none yet. */
static bool load_discovery_chap(struct jload *jl, json_t *root, struct ctgt_config *cfg)
{
	const char *why;
	char buf[128];

	for (const struct target_opt *o = discovery_options; o->key != NULL; o++) {
		json_t *v = json_object_get(root, o->key);

		if (v != NULL && !load_setting(jl, NULL, o, v, cfg))
			return false;
	}
	why = discovery_chap_problem(cfg, "discoveryChap", buf, sizeof(buf));
	if (why != NULL) {
		set_err(jl->err, jl->errlen, "%s: discoveryMutualChap: %s", jl->file, why);
		return false;
	}
	return true;
}

int config_load_json(const char *path, struct ctgt_config *cfg, char *err, size_t errlen)
{
	static const char *const known[] = { "storages", "iscsiportals", "iscsitargets",
					     "stateDir", "metrics", "maxConnections", "threads", "sessionThreads",
					     "logLevel", "nopInterval", "prMaxRegistrations", NULL };
	struct jload jl = { .file = path, .err = err, .errlen = errlen };
	json_t *root;
	bool ok;

	jl.out.log_level = -1;
	jl.out.nop_interval = -1;
	root = read_json(&jl);
	if (root == NULL)
		return -1;
	warn_unknown_top_keys(&jl, root, known);
	/* Everything goes into the scratch config first: @cfg changes only
	 * once the whole file is good, so a bad file leaves it as it was. */
	ok = load_state_dir(&jl, root, &jl.out) && load_metrics(&jl, root, &jl.out) && load_limits(&jl, root, &jl.out.limits) &&
	     load_max_connections(&jl, root, &jl.out) && load_threads(&jl, root, &jl.out) &&
	     load_session_threads(&jl, root, &jl.out) && load_log_level(&jl, root, &jl.out) &&
	     load_nop_interval(&jl, root, &jl.out) && load_pr_max_regs(&jl, root, &jl.out) &&
	     load_discovery_chap(&jl, root, &jl.out) &&
	     load_array(&jl, root, "storages", load_storage) &&
	     load_array(&jl, root, "iscsiportals", load_portal) &&
	     load_targets(&jl, root) && move_portals(&jl);
	json_decref(root);
	if (ok)
		ok = merge_with_settings(cfg, &jl.out, path, err, errlen) == 0;
	jload_free(&jl);
	return ok ? 0 : -1;
}

