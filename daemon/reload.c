/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The reload (daemon/reload.h): plan, then apply (daemon/reload_apply.c).
 * The plan compares the file's configuration with the running one in
 * parts: everything that cannot change live, as config_to_json() writes
 * it without the LUs and the access settings (equal, or refused at the
 * first differing key; a target only one side has is compared with what
 * a target added live would be); then the targets to add and remove, the
 * access settings of each target (checked as the server would, before
 * anything changes), and the LUs of each target by number. Only when the
 * whole plan is possible is anything changed.
 */
#include "daemon/reload.h"

#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ctgt/admin.h"
#include "daemon/access.h"
#include "daemon/config.h"
#include "daemon/config_internal.h"
#include "daemon/config_save.h"
#include "daemon/control_cmds.h"
#include "daemon/lu_options.h"
#include "daemon/luns.h"
#include "daemon/notify.h"
#include "daemon/reload_plan.h"
#include "daemon/target_options.h"
#include "util/log.h"

#define RESTART " needs a restart (not yet live)"

static void plan_free(struct plan *p)
{
	free(p->padd);
	free(p->pbound);
	for (size_t k = 0; k < p->nold; k++)
		free_target(&p->old[k]);
	free(p->old);
	free_target(&p->old_disc);
	for (size_t k = 0; k < p->npdrop; k++)
		free(p->pdrop[k].host);
	free(p->pdrop);
	free(p->tadd);
	free(p->access);
	free(p->add);
	free(p->grow);
	free(p->drop);
	for (size_t k = 0; k < p->ntdrop; k++)
		free(p->tdrop[k]);
	free(p->tdrop);
	config_chap_free(&p->discovery_chap);
	config_chap_free(&p->discovery_mutual);
}

static size_t count_luns(const struct ctgt_config *cfg)
{
	size_t n = 0;

	for (size_t k = 0; k < cfg->ntargets; k++)
		n += cfg->targets[k].nluns;
	return n;
}

/* ---- everything but the LUs ------------------------------------------- */

/* What a reload changes live: the keys of a target (its portal groups
 * follow the portals, compared on their own) and its access settings
 * (target_options[]), the top level's and the discovery settings
 * (discovery_options[]). */
static const char *const live_target_keys[] = { "luns", "tpgts", "allowTargetReset", NULL };
static const char *const live_top_keys[] = { "iscsiportals", "logLevel", "nopInterval", NULL };

/* @keys and the keys of @tab's access settings out of @o. */
static void strip(json_t *o, const char *const *keys, const struct target_opt *tab)
{
	for (; *keys; keys++)
		json_object_del(o, *keys);
	for (; tab->key != NULL; tab++)
		if (tab->access)
			json_object_del(o, tab->key);
}

/* The resource limits out of the top level @o: a reload changes them live. */
static void strip_limits(json_t *o)
{
	for (size_t i = 0; i < config_nlimits; i++)
		json_object_del(o, config_limits[i].key);
}

/* config_to_json() of @cfg's targets @t (@n of them) without their LUs
 * (a shallow copy with none), and, with @fixed, without what a reload
 * changes live. */
static json_t *outer_json(const struct ctgt_config *cfg, const struct ctgt_target_cfg *tgts,
			  size_t n, bool fixed)
{
	struct ctgt_config c = *cfg;
	struct ctgt_target_cfg *t = calloc(n + 1, sizeof(*t));
	const char *name;
	json_t *j, *v;

	if (t == NULL)
		return NULL;
	for (size_t k = 0; k < n; k++) {
		t[k] = tgts[k];
		t[k].luns = NULL;
		t[k].nluns = 0;
	}
	c.targets = t;
	c.ntargets = n;
	j = config_to_json(&c);
	free(t);
	if (j == NULL || !fixed)
		return j;
	strip(j, live_top_keys, discovery_options);
	strip_limits(j);
	json_object_foreach(json_object_get(j, "iscsitargets"), name, v)
		strip(v, live_target_keys, target_options);
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
	(void)key;
	return "changing it";
}

/* The first difference between the targets both @have and @want hold
 * (fixed parts), in @err. */
static void targets_diff(json_t *have, json_t *want, char *err, size_t errlen)
{
	const char *name, *key;
	json_t *v;

	json_object_foreach(have, name, v) {
		if ((key = first_diff(v, json_object_get(want, name))) != NULL) {
			snprintf(err, errlen, "target %s: %s differs; %s" RESTART, name, key,
				 target_key_what(key));
			return;
		}
	}
	snprintf(err, errlen, "the targets differ; that" RESTART);
}

/* A target of the file the daemon lacks (@wj, its fixed part) must be one
 * `target add` makes: 0, or -1 with its first other key in @err. */
static int check_new_target(const struct ctgt_config *have, const char *name, json_t *wj,
			    char *err, size_t errlen)
{
	struct ctgt_target_cfg fresh = { .name = (char *)name };
	json_t *f = outer_json(have, &fresh, 1, true);
	json_t *fj = f ? json_object_get(json_object_get(f, "iscsitargets"), name) : NULL;
	const char *key = fj ? first_diff(fj, wj) : NULL;
	int rc = fj && key == NULL ? 0 : -1;

	if (fj == NULL)
		snprintf(err, errlen, "out of memory");
	else if (key != NULL)
		snprintf(err, errlen, "target %s is new in the file with %s; adding a target with "
			 "that" RESTART, name, key);
	json_decref(f);
	return rc;
}

/* Take out of @ht and @wt the targets only one has: those only @want has
 * are checked (check_new_target()). 0, or -1 with why in @err. */
static int split_targets(const struct ctgt_config *have, json_t *ht, json_t *wt, char *err,
			 size_t errlen)
{
	const char *name;
	json_t *v;
	void *tmp;

	json_object_foreach_safe(wt, tmp, name, v) {
		if (json_object_get(ht, name) != NULL)
			continue;
		if (check_new_target(have, name, v, err, errlen) < 0)
			return -1;
		json_object_del(wt, name);
	}
	json_object_foreach_safe(ht, tmp, name, v)
		if (json_object_get(wt, name) == NULL)
			json_object_del(ht, name);
	return 0;
}

/* 0 when @have and @want differ only in what a reload changes live, else
 * -1 with the first other difference in @err. */
static int compare_fixed(const struct ctgt_config *have, const struct ctgt_config *want,
			 char *err, size_t errlen)
{
	json_t *a = outer_json(have, have->targets, have->ntargets, true);
	json_t *b = outer_json(want, want->targets, want->ntargets, true);
	json_t *ta = json_incref(json_object_get(a, "iscsitargets"));
	json_t *tb = json_incref(json_object_get(b, "iscsitargets"));
	const char *key = NULL;
	int rc = -1;

	if (a == NULL || b == NULL) {
		snprintf(err, errlen, "out of memory");
		goto out;
	}
	/* Portals and settings first: a new target is compared under them. */
	json_object_del(a, "iscsitargets");
	json_object_del(b, "iscsitargets");
	if ((key = first_diff(a, b)) != NULL) {
		snprintf(err, errlen, "%s differs; changing the daemon's settings" RESTART, key);
	} else if (split_targets(have, ta, tb, err, errlen) == 0) {
		if (first_diff(ta, tb) != NULL)
			targets_diff(ta, tb, err, errlen);
		else
			rc = 0;
	}
out:
	json_decref(ta);
	json_decref(tb);
	json_decref(a);
	json_decref(b);
	return rc;
}

/* ---- targets and their access settings ---------------------------------- */

/* The access settings of target @t as JSON (config_to_json()'s keys). */
static json_t *access_json(const struct ctgt_config *cfg, const struct ctgt_target_cfg *t)
{
	json_t *j = outer_json(cfg, t, 1, false), *o = NULL, *tj;

	tj = j ? json_object_get(json_object_get(j, "iscsitargets"), t->name) : NULL;
	if (tj != NULL && (o = json_object()) != NULL)
		for (const struct target_opt *k = target_options; k->key != NULL; k++)
			if (k->access && json_object_get(tj, k->key) != NULL)
				json_object_set(o, k->key, json_object_get(tj, k->key));
	json_decref(j);
	return o;
}

/* Whether @a and @b differ in their access settings. */
static bool access_differs(const struct ctgt_config *cfg, const struct ctgt_target_cfg *a,
			   const struct ctgt_target_cfg *b)
{
	json_t *ja = access_json(cfg, a), *jb = access_json(cfg, b);
	bool differ = ja == NULL || jb == NULL || !json_equal(ja, jb);

	json_decref(ja);
	json_decref(jb);
	return differ;
}

static bool chap_differs(const struct ctgt_chap_cfg *a, const struct ctgt_chap_cfg *b)
{
	if (a->user == NULL || b->user == NULL)
		return a->user != b->user;
	return strcmp(a->user, b->user) != 0 || strcmp(a->secret, b->secret) != 0;
}

/* The file's discovery credentials, when they differ, into @p (copies),
 * checked. 0, or -1 with why in @err. */
static int plan_discovery(const struct control_env *env, const struct ctgt_config *want,
			  struct plan *p, char *err, size_t errlen)
{
	const struct ctgt_config *cfg = env->cfg;
	struct ctgt_target_cfg d = { .chap = want->discovery_chap,
				     .mutual_chap = want->discovery_mutual_chap };
	struct ctgt_target_cfg copy = { 0 };

	if (!chap_differs(&cfg->discovery_chap, &want->discovery_chap) &&
	    !chap_differs(&cfg->discovery_mutual_chap, &want->discovery_mutual_chap))
		return 0;
	if (access_copy(&copy, &d) < 0) {
		free_target(&copy);
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	p->discovery = true;
	p->discovery_chap = copy.chap;
	p->discovery_mutual = copy.mutual_chap;
	if (access_apply(env->srv, NULL, &d, true, NULL, err, errlen) < 0)
		return -1;
	return 0;
}

/* ---- portals ------------------------------------------------------------- */

static const struct ctgt_portal_cfg *portal_in(const struct ctgt_config *cfg,
					       const struct ctgt_portal_cfg *p)
{
	for (size_t k = 0; k < cfg->nportals; k++)
		if (cfg->portals[k].port == p->port && strcmp(cfg->portals[k].host, p->host) == 0)
			return &cfg->portals[k];
	return NULL;
}

/* Portals the file adds and leaves out, into @p. 0, or -1 with why in
 * @err: a portal whose group changes, or one whose port the kernel chose
 * at the start (port 0: the file cannot name it). */
static int plan_portals(const struct ctgt_config *have, struct ctgt_config *want, struct plan *p,
			char *err, size_t errlen)
{
	const struct ctgt_portal_cfg *q;
	char addr[96];

	for (size_t k = 0; k < want->nportals; k++) {
		struct ctgt_portal_cfg *wp = &want->portals[k];

		if ((q = portal_in(have, wp)) == NULL) {
			p->padd[p->npadd++] = wp;
		} else if (q->tpgt != wp->tpgt) {
			snprintf(err, errlen, "portal %s: its portal group differs; changing it" RESTART
				 ", or remove the portal and add it back", config_portal_text(addr,
				 sizeof(addr), wp->host, wp->port));
			return -1;
		}
	}
	for (size_t k = 0; k < have->nportals; k++) {
		const struct ctgt_portal_cfg *hp = &have->portals[k];

		if (portal_in(want, hp) != NULL)
			continue;
		if (hp->port == 0) {
			snprintf(err, errlen, "portal %s:0 is not in the file; the kernel chose its port "
				 "at the start, so a reload cannot remove it", hp->host);
			return -1;
		}
		p->pdrop[p->npdrop] = (struct ctgt_portal_cfg){ strdup(hp->host), hp->port, hp->tpgt };
		if (p->pdrop[p->npdrop].host == NULL) {
			snprintf(err, errlen, "out of memory");
			return -1;
		}
		p->npdrop++;
	}
	return 0;
}

/* Targets to add and remove, and access settings to change, into @p; each
 * access setting checked as the server will take it. */
static int plan_targets(const struct control_env *env, struct ctgt_config *want,
			struct plan *p, char *err, size_t errlen)
{
	struct ctgt_config *cfg = env->cfg;
	char why[256];

	for (size_t k = 0; k < want->ntargets; k++) {
		struct ctgt_target_cfg *wt = &want->targets[k], *ht = reload_target(cfg, wt->name);

		if (ht != NULL && !access_differs(cfg, ht, wt))
			continue;
		if (access_apply(env->srv, wt->name, wt, true, NULL, why, sizeof(why)) < 0) {
			snprintf(err, errlen, "target %s: %s", wt->name, why);
			return -1;
		}
		if (ht == NULL)
			p->tadd[p->ntadd++] = wt;
		else
			p->access[p->naccess++] = wt;
	}
	for (size_t k = 0; k < cfg->ntargets; k++) {
		if (reload_target(want, cfg->targets[k].name) != NULL)
			continue;
		if ((p->tdrop[p->ntdrop] = strdup(cfg->targets[k].name)) == NULL) {
			snprintf(err, errlen, "out of memory");
			return -1;
		}
		p->ntdrop++;
	}
	return plan_discovery(env, want, p, err, errlen);
}

/* ---- the LUs ------------------------------------------------------------ */

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
	p->grow[p->ngrow++] = (struct change){ tc->name, want->params.lun, want, now };
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
		struct ctgt_lun_cfg *want = &wt->luns[k], *have = reload_lun(tc, want->params.lun);

		if (have == NULL)
			p->add[p->nadd++] = (struct change){ wt->name, want->params.lun, want, 0 };
		else
			rc = plan_same(p, tc, have, want, size_now(st, n, want->params.lun), err,
				       errlen);
	}
	for (size_t k = 0; rc == 0 && k < tc->nluns; k++)
		if (reload_lun(wt, tc->luns[k].params.lun) == NULL)
			p->drop[p->ndrop++] = (struct change){ wt->name, tc->luns[k].params.lun, NULL,
								0 };
	free(st);
	return rc;
}

/* The LUs of a target the file adds: each one an addition. */
static void plan_new_luns(struct plan *p, struct ctgt_target_cfg *wt)
{
	for (size_t k = 0; k < wt->nluns; k++)
		p->add[p->nadd++] = (struct change){ wt->name, wt->luns[k].params.lun, &wt->luns[k],
						     0 };
}

static int plan_alloc(struct plan *p, const struct ctgt_config *have,
		      const struct ctgt_config *want, char *err, size_t errlen)
{
	size_t nw = count_luns(want) + 1, nh = count_luns(have) + 1;

	p->padd = calloc(want->nportals + 1, sizeof(*p->padd));
	p->pbound = calloc(want->nportals + 1, sizeof(*p->pbound));
	p->old = calloc(want->ntargets + 1, sizeof(*p->old));
	p->pdrop = calloc(have->nportals + 1, sizeof(*p->pdrop));
	p->tadd = calloc(want->ntargets + 1, sizeof(*p->tadd));
	p->access = calloc(want->ntargets + 1, sizeof(*p->access));
	p->tdrop = calloc(have->ntargets + 1, sizeof(*p->tdrop));
	p->add = calloc(nw, sizeof(*p->add));
	p->grow = calloc(nw, sizeof(*p->grow));
	p->drop = calloc(nh, sizeof(*p->drop));
	if (p->padd && p->pbound && p->old && p->pdrop && p->tadd && p->access && p->tdrop &&
	    p->add && p->grow && p->drop)
		return 0;
	snprintf(err, errlen, "out of memory");
	return -1;
}

/* What reloading @want into env->cfg would change, in @p; -1 with why
 * in @err when the file cannot be applied live. */
static int plan_build(const struct control_env *env, struct ctgt_config *want, struct plan *p,
		      char *err, size_t errlen)
{
	struct ctgt_config *cfg = env->cfg;

	if (compare_fixed(cfg, want, err, errlen) < 0 || plan_alloc(p, cfg, want, err, errlen) < 0 ||
	    plan_portals(cfg, want, p, err, errlen) < 0 || plan_targets(env, want, p, err, errlen) < 0)
		return -1;
	for (size_t k = 0; k < want->ntargets; k++) {
		struct ctgt_target_cfg *wt = &want->targets[k], *ht = reload_target(cfg, wt->name);

		if (ht == NULL)
			plan_new_luns(p, wt);
		else if (plan_target(env, p, ht, wt, err, errlen) < 0)
			return -1;
	}
	return 0;
}

/* {"target", "lun"} of @c (and "from", "to" when @sized). */
static json_t *change_json(const struct change *c, bool sized)
{
	json_t *o = json_pack("{s:s, s:I}", "target", c->target, "lun", (json_int_t)c->lun);

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

static json_t *names_json(struct ctgt_target_cfg *const *t, size_t n)
{
	json_t *a = json_array();

	for (size_t k = 0; a && k < n; k++)
		json_array_append_new(a, json_string(t[k]->name));
	return a;
}

static json_t *strings_json(char *const *s, size_t n)
{
	json_t *a = json_array();

	for (size_t k = 0; a && k < n; k++)
		json_array_append_new(a, json_string(s[k]));
	return a;
}

static json_t *portals_json(struct ctgt_portal_cfg *const *one, const struct ctgt_portal_cfg *arr,
			    size_t n)
{
	json_t *a = json_array();
	char addr[96];

	for (size_t k = 0; a && k < n; k++) {
		const struct ctgt_portal_cfg *q = one ? one[k] : &arr[k];

		json_array_append_new(a, json_string(config_portal_text(addr, sizeof(addr), q->host,
									q->port)));
	}
	return a;
}

static json_t *result_json(const char *file, const struct plan *p, const char *summary)
{
	json_t *access = names_json(p->access, p->naccess);

	if (access != NULL && p->discovery)
		json_array_append_new(access, json_string("discovery"));
	return json_pack("{s:s, s:o, s:o, s:o, s:o, s:o, s:o, s:o, s:o, s:s}", "file", file,
			 "portals_added", portals_json(p->padd, NULL, p->npadd), "portals_removed",
			 portals_json(NULL, p->pdrop, p->npdrop),
			 "targets_added", names_json(p->tadd, p->ntadd), "targets_removed",
			 strings_json(p->tdrop, p->ntdrop), "access", access, "added",
			 changes_json(p->add, p->nadd, false), "removed",
			 changes_json(p->drop, p->ndrop, false), "resized",
			 changes_json(p->grow, p->ngrow, true), "summary", summary);
}

/* What @d did besides the plan's lists ("" when nothing). */
static void extras(const struct done *d, char *buf, size_t len)
{
	int n = 0;

	buf[0] = '\0';
	if (d->resets)
		n = snprintf(buf, len, "allowTargetReset of %zu target%s changed", d->resets,
			     d->resets == 1 ? "" : "s");
	if (d->settings)
		snprintf(buf + n, len - (size_t)n, "%slimits and keep-alive changed",
			 n ? "; " : "");
}

/* "reload: ..." for what @p and @d did. */
static void summarize(const struct plan *p, const struct done *d, char *buf, size_t len)
{
	size_t naccess = p->naccess + p->discovery;
	char more[128];
	int n = snprintf(buf, len, "reload: ");

	extras(d, more, sizeof(more));
	if (p->npadd + p->npdrop + p->ntadd + p->ntdrop + naccess + p->nadd + p->ngrow +
	    p->ndrop == 0) {
		snprintf(buf, len, "reload: %s", more[0] ? more : "nothing changed");
		return;
	}
	if (p->npadd + p->npdrop > 0)
		n += snprintf(buf + n, len - (size_t)n, "%zu portal%s added, %zu removed; ",
			      p->npadd, p->npadd == 1 ? "" : "s", p->npdrop);
	if (p->ntadd + p->ntdrop + naccess > 0)
		n += snprintf(buf + n, len - (size_t)n, "%zu target%s added, %zu removed, access "
			      "settings of %zu changed; ", p->ntadd, p->ntadd == 1 ? "" : "s",
			      p->ntdrop, naccess);
	n += snprintf(buf + n, len - (size_t)n, "%zu LU%s added, %zu removed, %zu resized",
		      p->nadd, p->nadd == 1 ? "" : "s", p->ndrop, p->ngrow);
	if (more[0])
		snprintf(buf + n, len - (size_t)n, "; %s", more);
}

/* The file's log level, at once (the default when it gives none). */
static void apply_log_level(struct ctgt_config *cfg, const struct ctgt_config *want)
{
	if (want->log_level == cfg->log_level)
		return;
	log_set_level(want->log_level >= 0 ? (enum log_level)want->log_level : LOG_LVL_INFO);
	LOG_INFO("control", "reload: log level %s", log_level_name(want->log_level >= 0
			? (enum log_level)want->log_level : LOG_LVL_INFO));
	cfg->log_level = want->log_level;
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
	struct done done = { 0 };
	char summary[256];
	json_t *out = NULL;

	*how = REFUSED;
	if (file == NULL) {
		snprintf(err, errlen, "the daemon was not started with --config: there is no file "
			 "to reload");
		return NULL;
	}
	if (config_reparse(env->cfg, &want, err, errlen) == 0 &&
	    plan_build(env, &want, &p, err, errlen) == 0 &&
	    (*how = FAILED, plan_apply(env, &p, &want, &done, err, errlen) == 0)) {
		apply_log_level(env->cfg, &want);
		summarize(&p, &done, summary, sizeof(summary));
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
