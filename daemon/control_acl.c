/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The control socket's access commands: "acl list", "acl add", "acl
 * remove" (args {"target", "rule", "options": [...]}) and "chap set"
 * ({"target" or "discovery", "chap": "USER:SECRET" or "off", "options"}).
 * Each change is made to a copy of the target's access settings, applied
 * to the running server whole (daemon/access.h), and only then kept in
 * the configuration: a refused change leaves both as they were, and
 * `save` writes what runs. Secrets are never part of a reply.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "daemon/access.h"
#include "daemon/config.h"
#include "daemon/config_internal.h"
#include "daemon/control_cmds.h"
#include "iscsi/acl.h"
#include "util/log.h"

/* ---- acl list ---------------------------------------------------------------- */

static json_t *map_json(const struct ctgt_initiator_cfg *ic)
{
	json_t *a = json_array();

	for (size_t i = 0; a && i < ic->nluns; i++)
		json_array_append_new(a, json_pack("{s:I, s:I, s:b}", "lun",
						   (json_int_t)ic->luns[i].lun, "targetLun",
						   (json_int_t)ic->luns[i].target_lun, "readonly",
						   ic->luns[i].readonly));
	return a;
}

static json_t *initiators_json(const struct ctgt_target_cfg *tc)
{
	json_t *a = json_array();

	for (size_t i = 0; a && i < tc->ninitiators; i++) {
		const struct ctgt_initiator_cfg *ic = &tc->initiators[i];

		json_array_append_new(a, json_pack("{s:s, s:s?, s:o?}", "name", ic->name,
						   "chap_user", ic->chap.user, "luns",
						   ic->map_luns ? map_json(ic) : NULL));
	}
	return a;
}

static json_t *rules_json(const struct ctgt_target_cfg *tc)
{
	json_t *a = json_array();

	for (size_t i = 0; a && i < tc->nallow; i++)
		json_array_append_new(a, json_string(tc->allow[i]));
	return a;
}

/* "acl list" {target}: {"target", "chap_user", "mutual_user", "allow",
 * "initiators"} (users null when unset; "luns" null: every LU). */
json_t *cmd_acl_list(const struct control_env *env, json_t *args, char *err, size_t errlen)
{
	struct ctgt_target_cfg *tc = control_find_target(env->cfg, args, err, errlen);

	if (tc == NULL)
		return NULL;
	return json_pack("{s:s, s:s?, s:s?, s:o, s:o}", "target", tc->name, "chap_user",
			 tc->chap.user, "mutual_user", tc->mutual_chap.user, "allow",
			 rules_json(tc), "initiators", initiators_json(tc));
}

/* ---- the options of acl add ----------------------------------------------------- */

/* "LUN[=TARGETLUN][:ro]" into @m; NULL or why not. */
static const char *map_entry_parse(const char *s, size_t len, struct ctgt_lun_map_cfg *m)
{
	bool ro = len >= 3 && strncmp(s + len - 3, ":ro", 3) == 0;
	size_t end = ro ? len - 3 : len, n = 0, t;

	while (n < end && s[n] != '=' && s[n] != ':')
		n++;

	if (parse_dec(s, n, 255, &m->lun) < 0)
		return "LUN numbers are 0 to 255";
	m->target_lun = m->lun;
	m->readonly = ro;
	if (n == end)
		return NULL;
	if (s[n] != '=')
		return "an entry is LUN[=TARGETLUN][:ro]";
	t = end - n - 1;
	return parse_dec(s + n + 1, t, 255, &m->target_lun) < 0 ? "LUN numbers are 0 to 255" : NULL;
}

/* "none" or "ENTRY,ENTRY..." into @ic's map; NULL or why not. */
static const char *map_parse(const char *s, struct ctgt_initiator_cfg *ic)
{
	ic->map_luns = true;
	if (strcmp(s, "none") == 0)
		return NULL;
	while (*s) {
		size_t len = strcspn(s, ",");
		struct ctgt_lun_map_cfg *m = grow(ic->luns, &ic->nluns, sizeof(*m));
		const char *why;

		if (m == NULL)
			return "out of memory";
		ic->luns = m;
		if ((why = map_entry_parse(s, len, &m[ic->nluns - 1])) != NULL)
			return why;
		s += len + (s[len] == ',');
	}
	return ic->nluns ? NULL : "luns= wants LUN[=TARGETLUN][:ro],... or none";
}

/* The options of "acl add" (chap=USER:SECRET, luns=MAP) into @ic; NULL or
 * why not. *given: whether there were any. */
static const char *initiator_parse(json_t *opts, struct ctgt_initiator_cfg *ic, bool *given)
{
	size_t i;
	json_t *o;

	*given = false;
	if (opts != NULL && !json_is_array(opts))
		return "\"options\" must be an array of strings";
	json_array_foreach(opts, i, o) {
		const char *s = json_string_value(o), *why;

		if (s == NULL)
			return "\"options\" must be an array of strings";
		if (strncmp(s, "chap=", 5) == 0 && ic->chap.user == NULL)
			why = config_parse_chap(s + 5, &ic->chap);
		else if (strncmp(s, "luns=", 5) == 0 && !ic->map_luns)
			why = map_parse(s + 5, ic);
		else
			why = "options are chap=USER:SECRET and luns=LUN[=TARGETLUN][:ro],... "
			      "(or luns=none), each once";
		if (why != NULL)
			return why;
		*given = true;
	}
	return NULL;
}

/* ---- changing a copy, then the server ------------------------------------------ */

/* Whether rules @a and @b are the same rule (names case-insensitively,
 * networks as parsed: 10.0.0.1 is 10.0.0.1/32). */
static bool same_rule(const char *a, const char *b)
{
	struct acl_rule ra, rb;

	if (acl_rule_parse(&ra, a) != NULL || acl_rule_parse(&rb, b) != NULL)
		return strcasecmp(a, b) == 0;
	if (ra.is_net != rb.is_net)
		return false;
	if (!ra.is_net)
		return strcasecmp(ra.name, rb.name) == 0;
	return ra.family == rb.family && ra.prefix == rb.prefix &&
	       memcmp(ra.addr, rb.addr, sizeof(ra.addr)) == 0;
}

static long rule_index(const struct ctgt_target_cfg *t, const char *rule)
{
	for (size_t i = 0; i < t->nallow; i++)
		if (same_rule(t->allow[i], rule))
			return (long)i;
	return -1;
}

static long initiator_index(const struct ctgt_target_cfg *t, const char *name)
{
	for (size_t i = 0; i < t->ninitiators; i++)
		if (strcasecmp(t->initiators[i].name, name) == 0)
			return (long)i;
	return -1;
}

static void drop_initiator(struct ctgt_target_cfg *t, size_t k)
{
	struct ctgt_initiator_cfg *ic = &t->initiators[k];

	free(ic->name);
	config_chap_free(&ic->chap);
	free(ic->luns);
	memmove(ic, ic + 1, (t->ninitiators - k - 1) * sizeof(*ic));
	t->ninitiators--;
}

static void drop_rule(struct ctgt_target_cfg *t, size_t k)
{
	free(t->allow[k]);
	memmove(&t->allow[k], &t->allow[k + 1], (t->nallow - k - 1) * sizeof(t->allow[0]));
	t->nallow--;
}

/* Append @ic (emptied) to @t's initiators; 0 or -ENOMEM. */
static int put_initiator(struct ctgt_target_cfg *t, struct ctgt_initiator_cfg *ic)
{
	struct ctgt_initiator_cfg *a = grow(t->initiators, &t->ninitiators, sizeof(*a));

	if (a == NULL)
		return -ENOMEM;
	t->initiators = a;
	a[t->ninitiators - 1] = *ic;
	memset(ic, 0, sizeof(*ic));
	return 0;
}

/* Apply @copy to target @tc (or discovery) of the running server, then
 * keep it; @copy is emptied either way. The result gets "closed" and "asked". */
static json_t *commit(const struct control_env *env, struct ctgt_target_cfg *tc,
		      struct ctgt_target_cfg *copy, json_t *result, char *err, size_t errlen)
{
	struct ctgt_access_effect fx;
	int rc = result ? access_apply(env->srv, tc->name, copy, false, &fx, err, errlen) : -ENOMEM;

	if (rc == 0) {
		access_move(tc, copy);
		json_object_set_new(result, "closed", json_integer(fx.closed));
		json_object_set_new(result, "asked", json_integer(fx.asked));
		return result;
	}
	free_target(copy);
	json_decref(result);
	return NULL;
}

/* ---- acl add / remove ------------------------------------------------------------ */

/* The target and rule of @args; NULL with why in @err. */
static struct ctgt_target_cfg *target_rule(const struct control_env *env, json_t *args,
					   const char **rule, struct acl_rule *r, char *err,
					   size_t errlen)
{
	struct ctgt_target_cfg *tc = control_find_target(env->cfg, args, err, errlen);
	const char *why;

	*rule = json_string_value(json_object_get(args, "rule"));
	if (tc == NULL)
		return NULL;
	if (*rule == NULL) {
		snprintf(err, errlen, "\"rule\" (an initiator name or a network) is needed");
		return NULL;
	}
	if ((why = acl_rule_parse(r, *rule)) != NULL) {
		snprintf(err, errlen, "rule: %s", why);
		return NULL;
	}
	return tc;
}

/* Into @copy: rule @rule (unless there), and @ic's settings for it
 * (replacing any) when @given. -EEXIST when nothing changes. */
static int add_to(struct ctgt_target_cfg *copy, const char *rule, struct ctgt_initiator_cfg *ic,
		  bool given)
{
	long k;
	int rc = -EEXIST;

	if (rule_index(copy, rule) < 0) {
		if (add_allow(copy, rule) != NULL)
			return -ENOMEM;
		rc = 0;
	}
	if (!given)
		return rc;
	if ((k = initiator_index(copy, rule)) >= 0)
		drop_initiator(copy, (size_t)k);
	if ((ic->name = strdup(rule)) == NULL)
		return -ENOMEM;
	return put_initiator(copy, ic);
}

/* "acl add" {target, rule, options}: {"target", "rule", "rules", "closed",
 * "asked"}. */
json_t *cmd_acl_add(const struct control_env *env, json_t *args, char *err, size_t errlen)
{
	struct ctgt_initiator_cfg ic = { 0 };
	struct ctgt_target_cfg copy = { 0 }, *tc;
	struct acl_rule r;
	const char *rule, *why;
	bool given;
	int rc;

	if ((tc = target_rule(env, args, &rule, &r, err, errlen)) == NULL)
		return NULL;
	why = initiator_parse(json_object_get(args, "options"), &ic, &given);
	if (why == NULL && given && r.is_net)
		why = "chap= and luns= are settings of an initiator name, not of a network";
	rc = why ? -EINVAL : access_copy(&copy, tc);
	if (rc == 0)
		rc = add_to(&copy, rule, &ic, given);
	if (rc < 0) {
		snprintf(err, errlen, "%s", why ? why : rc == -EEXIST ? "that rule is there already "
			 "(acl list shows it)" : "out of memory");
		free_target(&copy);
		free(ic.name);
		config_chap_free(&ic.chap);
		free(ic.luns);
		return NULL;
	}
	return commit(env, tc, &copy, json_pack("{s:s, s:s, s:i}", "target", tc->name, "rule",
						rule, "rules", (int)copy.nallow), err, errlen);
}

/* Whether @opts is ["--open"] (or empty: *open false); -1 for anything else. */
static int open_option(json_t *opts, bool *open)
{
	json_t *o = json_array_get(opts, 0);

	*open = false;
	if (opts == NULL || (json_is_array(opts) && json_array_size(opts) == 0))
		return 0;
	if (!json_is_array(opts) || json_array_size(opts) != 1 || !json_is_string(o) ||
	    strcmp(json_string_value(o), "--open") != 0)
		return -1;
	*open = true;
	return 0;
}

/* "acl remove" {target, rule, options: ["--open"]}: the rule and, for a
 * name, its settings. The last rule goes only with --open: without rules
 * every initiator may log in, which is rarely what removing one means. */
json_t *cmd_acl_remove(const struct control_env *env, json_t *args, char *err, size_t errlen)
{
	struct ctgt_target_cfg copy = { 0 }, *tc;
	struct acl_rule r;
	const char *rule;
	long k, e;
	bool open;

	if ((tc = target_rule(env, args, &rule, &r, err, errlen)) == NULL)
		return NULL;
	if (open_option(json_object_get(args, "options"), &open) < 0) {
		snprintf(err, errlen, "the only option is --open");
		return NULL;
	}
	k = rule_index(tc, rule);
	e = r.is_net ? -1 : initiator_index(tc, rule);
	if (k < 0 && e < 0) {
		snprintf(err, errlen, "no such rule or initiator (acl list shows them)");
		return NULL;
	}
	if (k >= 0 && tc->nallow == 1 && !open) {
		snprintf(err, errlen, "that is the last access rule: without rules every initiator "
			 "may log in; add --open if that is what you want");
		return NULL;
	}
	if (access_copy(&copy, tc) < 0) {
		free_target(&copy);
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	if (k >= 0)
		drop_rule(&copy, (size_t)k);
	if (e >= 0)
		drop_initiator(&copy, (size_t)e);
	return commit(env, tc, &copy, json_pack("{s:s, s:s, s:i}", "target", tc->name, "rule",
						rule, "rules", (int)copy.nallow), err, errlen);
}

/* ---- chap set ---------------------------------------------------------------------- */

/* The "chap" and "options" (mutual=USER:SECRET) of @args into @chap and
 * @mutual ("off": none); NULL or why not. */
static const char *chap_args(json_t *args, struct ctgt_chap_cfg *chap, struct ctgt_chap_cfg *mutual)
{
	const char *c = json_string_value(json_object_get(args, "chap")), *m = NULL, *why;
	json_t *opts = json_object_get(args, "options");

	if (c == NULL)
		return "\"chap\" (USER:SECRET or off) is needed";
	if (json_array_size(opts) > 1 || (opts && !json_is_array(opts)))
		return "the only option is mutual=USER:SECRET";
	if (json_array_size(opts) == 1) {
		m = json_string_value(json_array_get(opts, 0));
		if (m == NULL || strncmp(m, "mutual=", 7) != 0)
			return "the only option is mutual=USER:SECRET";
		m += 7;
	}
	if (strcmp(c, "off") == 0)
		return m ? "mutual CHAP needs CHAP for the initiators" : NULL;
	if ((why = config_parse_chap(c, chap)) != NULL || m == NULL)
		return why;
	if ((why = config_parse_chap(m, mutual)) != NULL)
		return why;
	return config_chap_problem(chap, mutual);
}

/* chap set for discovery sessions: cfg->discovery_chap and _mutual_chap. */
static json_t *discovery_chap(const struct control_env *env, struct ctgt_target_cfg *copy,
			      char *err, size_t errlen)
{
	struct ctgt_config *cfg = env->cfg;
	bool on = copy->chap.user != NULL, mutual = copy->mutual_chap.user != NULL;

	if (access_apply(env->srv, NULL, copy, false, NULL, err, errlen) < 0) {
		free_target(copy);
		return NULL;
	}
	config_chap_free(&cfg->discovery_chap);
	config_chap_free(&cfg->discovery_mutual_chap);
	cfg->discovery_chap = copy->chap;
	cfg->discovery_mutual_chap = copy->mutual_chap;
	return json_pack("{s:s, s:b, s:b}", "target", "discovery", "chap", on, "mutual", mutual);
}

/* "chap set" {target (or "discovery"), chap, options}: {"target", "chap",
 * "mutual", "asked"}. Sessions logged in stay: they proved the old
 * credentials; the new apply at the next login. */
json_t *cmd_chap_set(const struct control_env *env, json_t *args, char *err, size_t errlen)
{
	const char *name = json_string_value(json_object_get(args, "target"));
	struct ctgt_target_cfg copy = { 0 }, *tc = NULL;
	const char *why = chap_args(args, &copy.chap, &copy.mutual_chap);
	bool on = copy.chap.user != NULL, mutual = copy.mutual_chap.user != NULL;
	struct ctgt_target_cfg keep = { 0 };

	if (why == NULL && name != NULL && strcmp(name, "discovery") == 0)
		return discovery_chap(env, &copy, err, errlen);
	if (why != NULL || (tc = control_find_target(env->cfg, args, err, errlen)) == NULL) {
		if (why != NULL)
			snprintf(err, errlen, "%s", why);
		free_target(&copy);
		return NULL;
	}
	/* The rest of the copy: the target's rules and initiators. */
	if (access_copy(&keep, tc) < 0) {
		free_target(&keep);
		free_target(&copy);
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	config_chap_free(&keep.chap);
	config_chap_free(&keep.mutual_chap);
	keep.chap = copy.chap;
	keep.mutual_chap = copy.mutual_chap;
	return commit(env, tc, &keep, json_pack("{s:s, s:b, s:b}", "target", tc->name, "chap", on,
						"mutual", mutual), err, errlen);
}
