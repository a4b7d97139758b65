/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The reload (daemon/reload.h): plan, then apply. The plan compares the
 * file's configuration with the running one in two parts: everything but
 * the LUs, as config_to_json() writes it with the LUs taken out (equal,
 * or refused at the first differing key), then the LUs of each target,
 * by number. Only when the whole plan is possible is anything changed:
 * additions first (a failure removes the ones just added, so nothing has
 * changed), then the resizes, then the removals.
 */
#include "daemon/reload.h"

#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ctgt/admin.h"
#include "daemon/config.h"
#include "daemon/config_save.h"
#include "daemon/control_cmds.h"
#include "daemon/lu_options.h"
#include "daemon/luns.h"
#include "daemon/notify.h"
#include "util/log.h"

#define RESTART " needs a restart (not yet live)"

/* One LU to add, grow or remove. @tc is the running target (the targets
 * array never moves during a reload; its LUs may, so they are found by
 * number when the change is made); @want the file's LU (add, resize). */
struct change {
	struct ctgt_target_cfg *tc;
	uint64_t lun;
	struct ctgt_lun_cfg *want;
	uint64_t from;		/* resize: the size now, in bytes */
};

struct plan {
	struct change *add, *grow, *drop;
	size_t nadd, ngrow, ndrop;
};

static void plan_free(struct plan *p)
{
	free(p->add);
	free(p->grow);
	free(p->drop);
}

static size_t count_luns(const struct ctgt_config *cfg)
{
	size_t n = 0;

	for (size_t k = 0; k < cfg->ntargets; k++)
		n += cfg->targets[k].nluns;
	return n;
}

/* ---- everything but the LUs ------------------------------------------- */

/* config_to_json() of @cfg without its LUs (a shallow copy with none). */
static json_t *outer_json(const struct ctgt_config *cfg)
{
	struct ctgt_config c = *cfg;
	struct ctgt_target_cfg *t = calloc(cfg->ntargets + 1, sizeof(*t));
	json_t *j;

	if (t == NULL)
		return NULL;
	for (size_t k = 0; k < cfg->ntargets; k++) {
		t[k] = cfg->targets[k];
		t[k].luns = NULL;
		t[k].nluns = 0;
	}
	c.targets = t;
	j = config_to_json(&c);
	free(t);
	return j;
}

/* The first key of @a or @b (in @a's order, then @b's) whose values
 * differ, or NULL. */
static const char *first_diff(json_t *a, json_t *b)
{
	const char *key;
	json_t *v;

	json_object_foreach(a, key, v)
		if (!json_equal(v, json_object_get(b, key)))
			return key;
	json_object_foreach(b, key, v)
		if (json_object_get(a, key) == NULL)
			return key;
	return NULL;
}

/* What changing a target's @key needs. */
static const char *target_key_what(const char *key)
{
	if (strcmp(key, "allow") == 0 || strcmp(key, "initiators") == 0)
		return "changing ACLs";
	if (strcmp(key, "chap") == 0 || strcmp(key, "mutualChap") == 0)
		return "changing CHAP";
	if (strcmp(key, "tpgts") == 0)
		return "changing portals";
	return "changing it";
}

/* The first difference between two targets objects, in @err. */
static void targets_diff(json_t *have, json_t *want, char *err, size_t errlen)
{
	const char *name;
	json_t *v;

	json_object_foreach(want, name, v) {
		if (json_object_get(have, name) == NULL) {
			snprintf(err, errlen, "target %s is new in the file; adding targets" RESTART,
				 name);
			return;
		}
	}
	json_object_foreach(have, name, v) {
		json_t *w = json_object_get(want, name);
		const char *key;

		if (w == NULL) {
			snprintf(err, errlen, "target %s is not in the file; removing targets" RESTART,
				 name);
			return;
		}
		if ((key = first_diff(v, w)) != NULL) {
			snprintf(err, errlen, "target %s: %s differs; %s" RESTART, name, key,
				 target_key_what(key));
			return;
		}
	}
	snprintf(err, errlen, "the targets differ; that" RESTART);
}

/* 0 when @have and @want differ in their LUs at most, else -1 with the
 * first other difference in @err. */
static int compare_outer(const struct ctgt_config *have, const struct ctgt_config *want,
			 char *err, size_t errlen)
{
	json_t *a = outer_json(have), *b = outer_json(want);
	const char *key = a && b ? first_diff(a, b) : NULL;
	int rc = -1;

	if (a == NULL || b == NULL)
		snprintf(err, errlen, "out of memory");
	else if (key == NULL)
		rc = 0;
	else if (strcmp(key, "iscsitargets") == 0)
		targets_diff(json_object_get(a, key), json_object_get(b, key), err, errlen);
	else if (strcmp(key, "iscsiportals") == 0)
		snprintf(err, errlen, "iscsiportals differs; changing portals" RESTART);
	else
		snprintf(err, errlen, "%s differs; changing the daemon's settings" RESTART, key);
	json_decref(a);
	json_decref(b);
	return rc;
}

/* ---- the LUs ------------------------------------------------------------ */

static struct ctgt_lun_cfg *find_lun(struct ctgt_target_cfg *tc, uint64_t lun)
{
	for (size_t k = 0; k < tc->nluns; k++)
		if (tc->luns[k].params.lun == lun)
			return &tc->luns[k];
	return NULL;
}

static struct ctgt_target_cfg *find_target(struct ctgt_config *cfg, const char *name)
{
	for (size_t k = 0; k < cfg->ntargets; k++)
		if (strcmp(cfg->targets[k].name, name) == 0)	/* as the JSON keys compared */
			return &cfg->targets[k];
	return NULL;
}

/* The first option (a storage key, "path" included) other than "size"
 * in which @have and @want differ, copied to @key; false when none. */
static bool options_differ(const struct ctgt_lun_cfg *have, const struct ctgt_lun_cfg *want,
			   char *key, size_t keylen)
{
	json_t *a = lu_to_json(have), *b = lu_to_json(want);
	const char *k = NULL;

	if (a == NULL || b == NULL) {
		snprintf(key, keylen, "(out of memory)");
	} else {
		json_object_del(a, "size");
		json_object_del(b, "size");
		k = first_diff(a, b);
		if (k != NULL)
			snprintf(key, keylen, "%s", k);
	}
	json_decref(a);
	json_decref(b);
	return a == NULL || b == NULL || k != NULL;
}

/* A store whose size is fixed at open (mem:, null:). */
static bool fixed_size(const struct ctgt_lun_cfg *lc)
{
	return strncmp(lc->path, "mem:", 4) == 0 || strncmp(lc->path, "null:", 5) == 0;
}

/* The bytes LU @lun serves now, from @st; 0 when unknown. */
static uint64_t size_now(const struct ctgt_lu_stats *st, size_t n, uint64_t lun)
{
	for (size_t k = 0; k < n; k++)
		if (st[k].lun == lun)
			return st[k].blocks * st[k].block_size;
	return 0;
}

/* LU @want of the file against the running @have (same number): nothing,
 * a resize added to @p, or -1 with why in @err. */
static int plan_same(struct plan *p, struct ctgt_target_cfg *tc, struct ctgt_lun_cfg *have,
		     struct ctgt_lun_cfg *want, uint64_t now, char *err, size_t errlen)
{
	unsigned long long n = (unsigned long long)want->params.lun;
	uint64_t size = want->params.size;
	char key[64];

	if (options_differ(have, want, key, sizeof(key))) {
		snprintf(err, errlen, "target %s LUN %llu: %s differs; changing a LU's path or "
			 "options" RESTART ", or remove it and add it back", tc->name, n, key);
		return -1;
	}
	if (now == 0)	/* not in the snapshot: what it was configured with */
		now = have->params.size;
	/* No size in the file: its store's size, as it is. */
	if (size == 0 || size == now)
		return 0;
	if (size < now) {
		snprintf(err, errlen, "target %s LUN %llu: size %llu is smaller than its %llu bytes "
			 "now; a LU never shrinks", tc->name, n, (unsigned long long)size,
			 (unsigned long long)now);
		return -1;
	}
	if (fixed_size(have)) {
		snprintf(err, errlen, "target %s LUN %llu: a %.*s LU cannot change size", tc->name,
			 n, (int)strcspn(have->path, ":") + 1, have->path);
		return -1;
	}
	p->grow[p->ngrow++] = (struct change){ tc, want->params.lun, want, now };
	return 0;
}

/* The LU changes of running target @tc towards the file's @wt. */
static int plan_target(const struct control_env *env, struct plan *p, struct ctgt_target_cfg *tc,
		       struct ctgt_target_cfg *wt, char *err, size_t errlen)
{
	struct ctgt_lu_stats *st = NULL;
	size_t n = 0;
	int rc = ctgt_server_lu_stats(env->srv, tc->name, &st, &n);

	if (rc < 0) {
		snprintf(err, errlen, "target %s: cannot read its LUs: %s", tc->name, strerror(-rc));
		return -1;
	}
	for (size_t k = 0; rc == 0 && k < wt->nluns; k++) {
		struct ctgt_lun_cfg *want = &wt->luns[k], *have = find_lun(tc, want->params.lun);

		if (have == NULL)
			p->add[p->nadd++] = (struct change){ tc, want->params.lun, want, 0 };
		else
			rc = plan_same(p, tc, have, want, size_now(st, n, want->params.lun), err,
				       errlen);
	}
	for (size_t k = 0; rc == 0 && k < tc->nluns; k++)
		if (find_lun(wt, tc->luns[k].params.lun) == NULL)
			p->drop[p->ndrop++] = (struct change){ tc, tc->luns[k].params.lun, NULL, 0 };
	free(st);
	return rc;
}

/* What reloading @want into env->cfg would change, in @p; -1 with why
 * in @err when the file cannot be applied live. */
static int plan_build(const struct control_env *env, struct ctgt_config *want, struct plan *p,
		      char *err, size_t errlen)
{
	struct ctgt_config *cfg = env->cfg;
	size_t nw = count_luns(want) + 1, nh = count_luns(cfg) + 1;

	if (compare_outer(cfg, want, err, errlen) < 0)
		return -1;
	p->add = calloc(nw, sizeof(*p->add));
	p->grow = calloc(nw, sizeof(*p->grow));
	p->drop = calloc(nh, sizeof(*p->drop));
	if (p->add == NULL || p->grow == NULL || p->drop == NULL) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	/* compare_outer() found the same targets, by name. */
	for (size_t k = 0; k < cfg->ntargets; k++) {
		struct ctgt_target_cfg *wt = find_target(want, cfg->targets[k].name);

		if (wt == NULL || plan_target(env, p, &cfg->targets[k], wt, err, errlen) < 0) {
			if (wt == NULL)
				snprintf(err, errlen, "target %s is not in the file",
					 cfg->targets[k].name);
			return -1;
		}
	}
	return 0;
}

/* ---- applying it -------------------------------------------------------- */

/* Drop LU @lun from @tc's configuration (it is out of the server). */
static void forget_lun(struct ctgt_target_cfg *tc, uint64_t lun)
{
	struct ctgt_lun_cfg *lc = find_lun(tc, lun);

	if (lc == NULL)
		return;
	free(lc->path);
	memmove(lc, lc + 1, (size_t)(&tc->luns[tc->nluns] - (lc + 1)) * sizeof(*lc));
	tc->nluns--;
}

/* Add @c's LU to the server and to the configuration (its path taken
 * from the file's configuration). 0 or -1 with why in @err. */
static int add_one(const struct control_env *env, struct change *c, char *err, size_t errlen)
{
	struct ctgt_target_cfg *tc = c->tc;
	struct ctgt_lun_cfg *luns = realloc(tc->luns, (tc->nluns + 1) * sizeof(*luns));

	/* Room first: once the server has the LU, the configuration must. */
	if (luns == NULL) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	tc->luns = luns;
	if (daemon_add_lun(env->srv, tc->name, c->want, env->cfg, true, err, errlen) < 0)
		return -1;
	tc->luns[tc->nluns++] = *c->want;
	c->want->path = NULL;	/* the running configuration's now */
	return 0;
}

/* Remove the first @n additions of @p again (one of them failed). */
static void undo_adds(const struct control_env *env, struct plan *p, size_t n)
{
	char why[256];

	for (size_t k = n; k-- > 0;) {
		struct change *c = &p->add[k];
		int rc = ctgt_server_lun_remove(env->srv, c->tc->name, c->lun, why, sizeof(why));

		if (rc < 0 && rc != -ETIMEDOUT) {
			LOG_ERR("control", "reload: cannot take back target %s LUN %llu: %s",
				  c->tc->name, (unsigned long long)c->lun, why);
			continue;	/* still served: it stays configured */
		}
		forget_lun(c->tc, c->lun);
	}
}

/* {"target", "lun"} of @c (and "from", "to" when @sized). */
static json_t *change_json(const struct change *c, bool sized)
{
	json_t *o = json_pack("{s:s, s:I}", "target", c->tc->name, "lun", (json_int_t)c->lun);

	if (o != NULL && sized) {
		json_object_set_new(o, "from", json_integer((json_int_t)c->from));
		json_object_set_new(o, "to", json_integer((json_int_t)c->want->params.size));
	}
	return o;
}

static json_t *changes_json(const struct change *c, size_t n, bool sized)
{
	json_t *a = json_array();

	for (size_t k = 0; a && k < n; k++)
		json_array_append_new(a, change_json(&c[k], sized));
	return a;
}

/* Apply @p: 0, or -1 with why in @err and in *@done how far it got. */
static int plan_apply(const struct control_env *env, struct plan *p, size_t done[3], char *err,
		      size_t errlen)
{
	char why[256];
	int rc;

	for (size_t k = 0; k < p->nadd; k++) {
		struct change *c = &p->add[k];

		if (add_one(env, c, why, sizeof(why)) < 0) {
			undo_adds(env, p, k);
			snprintf(err, errlen, "target %s LUN %llu cannot be added: %s (the %zu LU(s) "
				 "added before it were removed again: nothing changed)", c->tc->name,
				 (unsigned long long)c->lun, why, k);
			return -1;
		}
		done[0]++;
	}
	for (size_t k = 0; k < p->ngrow; k++) {
		struct change *c = &p->grow[k];
		uint64_t got = 0;

		if (ctgt_server_lun_resize(env->srv, c->tc->name, c->lun, c->want->params.size, &got,
					   why, sizeof(why)) < 0) {
			snprintf(err, errlen, "target %s LUN %llu cannot be grown: %s (applied before "
				 "it: %zu added, %zu resized; no removal made)", c->tc->name,
				 (unsigned long long)c->lun, why, done[0], done[1]);
			return -1;
		}
		find_lun(c->tc, c->lun)->params.size = got;	/* what a restart opens */
		done[1]++;
	}
	for (size_t k = 0; k < p->ndrop; k++) {
		struct change *c = &p->drop[k];

		rc = ctgt_server_lun_remove(env->srv, c->tc->name, c->lun, why, sizeof(why));
		if (rc < 0 && rc != -ETIMEDOUT) {
			snprintf(err, errlen, "target %s LUN %llu cannot be removed: %s (applied before "
				 "it: %zu added, %zu resized, %zu removed)", c->tc->name,
				 (unsigned long long)c->lun, why, done[0], done[1], done[2]);
			return -1;
		}
		if (rc < 0)	/* out of the target; its store is freed at exit */
			LOG_WARN("control", "reload: %s", why);
		forget_lun(c->tc, c->lun);
		done[2]++;
	}
	return 0;
}

static json_t *result_json(const char *file, const struct plan *p, const char *summary)
{
	return json_pack("{s:s, s:o, s:o, s:o, s:s}", "file", file, "added",
			 changes_json(p->add, p->nadd, false), "removed",
			 changes_json(p->drop, p->ndrop, false), "resized",
			 changes_json(p->grow, p->ngrow, true), "summary", summary);
}

/* How far a reload that did not finish got. */
enum outcome { REFUSED, FAILED };

/* The reload proper, between the notifications; NULL with why in @err
 * and *@how. */
static json_t *reload_run(const struct control_env *env, enum outcome *how, char *err,
			  size_t errlen)
{
	const char *file = env->cfg->config_file;
	struct ctgt_config want = { .log_level = -1 };
	struct plan p = { 0 };
	size_t done[3] = { 0 };
	char summary[128];
	json_t *out = NULL;

	*how = REFUSED;
	if (file == NULL) {
		snprintf(err, errlen, "the daemon was not started with --config: there is no file "
			 "to reload");
		return NULL;
	}
	if (config_check_file(file, &want, err, errlen) == 0 &&
	    plan_build(env, &want, &p, err, errlen) == 0 &&
	    (*how = FAILED, plan_apply(env, &p, done, err, errlen) == 0)) {
		if (p.nadd + p.ngrow + p.ndrop == 0)
			snprintf(summary, sizeof(summary), "reload: nothing changed");
		else
			snprintf(summary, sizeof(summary), "reload: %zu LU%s added, %zu removed, "
				 "%zu resized", p.nadd, p.nadd == 1 ? "" : "s", p.ndrop, p.ngrow);
		out = result_json(file, &p, summary);
		if (out == NULL)
			snprintf(err, errlen, "%s (no memory for the reply)", summary);
		LOG_INFO("control", "%s", summary);
	}
	plan_free(&p);
	config_free(&want);
	return out;
}

json_t *reload_config(const struct control_env *env, const char *origin, char *err,
		      size_t errlen)
{
	const struct ctgt_config *cfg = env->cfg;
	char why[CONFIG_ERR_LEN + 256] = "";
	enum outcome how;
	json_t *out;

	notify_reloading();
	LOG_INFO("control", "reload of %s (%s)", cfg->config_file ? cfg->config_file : "no file",
		 origin);
	out = reload_run(env, &how, why, sizeof(why));
	if (out == NULL) {
		/* A refusal changed nothing; a failure says what it applied. */
		snprintf(err, errlen, "reload %s: %s", how == REFUSED ? "refused, nothing changed"
								     : "failed", why);
		LOG_WARN("control", "%s", err);
	}
	notify_serving(cfg->ntargets, cfg->nportals);
	return out;
}

/* "reload" (no args): the changes made, or why not. */
json_t *cmd_reload(const struct control_env *env, json_t *args, char *err, size_t errlen)
{
	(void)args;
	return reload_config(env, "ctgtadm", err, errlen);
}
