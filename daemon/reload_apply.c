/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Carrying out a reload's plan (daemon/reload_plan.h). The order keeps a
 * failure cheap and the targets safe:
 *   0. portals added (before any goes, so one always listens);
 *   1. targets added, each given its access settings before anything
 *      else (an added target admits everyone until then, and it has no
 *      LU yet);
 *   2. access settings of the other targets, then discovery's (before
 *      any LU is added: a LU added first would be seen by a session the
 *      new settings shut out);
 *   3. LUs added;
 *   4. each target's allowTargetReset, the limits and the keep-alive;
 *   5. LUs grown, 6. LUs removed, 7. targets removed, 8. portals removed.
 * A failure in 0 to 3 takes back what they did (the access settings
 * replaced are put back from copies), so nothing has changed, or the
 * message says what could not be taken back; the plan checked every
 * access setting first, so 2 fails only without memory; a failure from 4
 * on stops there and says what was done.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ctgt/admin.h"
#include "daemon/access.h"
#include "daemon/config_internal.h"
#include "daemon/control_cmds.h"
#include "daemon/luns.h"
#include "daemon/reload_plan.h"
#include "util/log.h"

struct ctgt_target_cfg *reload_target(struct ctgt_config *cfg, const char *name)
{
	for (size_t k = 0; k < cfg->ntargets; k++)
		if (strcmp(cfg->targets[k].name, name) == 0)	/* as the JSON keys compared */
			return &cfg->targets[k];
	return NULL;
}

struct ctgt_lun_cfg *reload_lun(struct ctgt_target_cfg *tc, uint64_t lun)
{
	for (size_t k = 0; tc != NULL && k < tc->nluns; k++)
		if (tc->luns[k].params.lun == lun)
			return &tc->luns[k];
	return NULL;
}

/* Drop LU @lun from target @name's configuration (it is out of the server). */
static void forget_lun(struct ctgt_config *cfg, const char *name, uint64_t lun)
{
	struct ctgt_target_cfg *tc = reload_target(cfg, name);
	struct ctgt_lun_cfg *lc = reload_lun(tc, lun);

	if (lc == NULL)
		return;
	free(lc->path);
	memmove(lc, lc + 1, (size_t)(&tc->luns[tc->nluns] - (lc + 1)) * sizeof(*lc));
	tc->nluns--;
}

/* Give running target @name the access settings of the file's @want. */
static int set_access(const struct control_env *env, const char *name,
		      const struct ctgt_target_cfg *want, char *err, size_t errlen)
{
	struct ctgt_target_cfg copy = { 0 }, *tc = reload_target(env->cfg, name);
	int rc = tc ? access_copy(&copy, want) : -ENOENT;

	if (rc == 0)
		rc = access_apply(env->srv, name, &copy, false, NULL, err, errlen);
	else
		snprintf(err, errlen, "%s", tc ? "out of memory" : "no such target");
	if (rc == 0)
		access_move(tc, &copy);
	free_target(&copy);
	return rc;
}

/* ---- 0 to 3: additions and access changes, taken back on failure ---------- */

/* Take portal @host, @port out of @cfg. */
static void forget_portal(struct ctgt_config *cfg, const char *host, uint16_t port)
{
	for (size_t k = 0; k < cfg->nportals; k++) {
		if (cfg->portals[k].port != port || strcmp(cfg->portals[k].host, host) != 0)
			continue;
		free(cfg->portals[k].host);
		memmove(&cfg->portals[k], &cfg->portals[k + 1],
			(cfg->nportals - k - 1) * sizeof(cfg->portals[0]));
		cfg->nportals--;
		return;
	}
}

/* The first @n portal additions of @p, removed again; how many could not be. */
static size_t undo_portals(const struct control_env *env, struct plan *p, size_t n)
{
	char why[256];
	size_t left = 0;

	for (size_t k = n; k-- > 0;) {
		struct ctgt_portal_cfg *wp = p->padd[k];

		if (ctgt_server_portal_remove(env->srv, wp->host, p->pbound[k], why,
					      sizeof(why)) < 0) {
			LOG_ERR("control", "reload: cannot take back portal %s:%u: %s", wp->host,
				p->pbound[k], why);
			left++;
		} else {
			forget_portal(env->cfg, wp->host, wp->port);
		}
	}
	return left;
}

/* Listen on the file's new portals; env->cfg gets each as the file says
 * it (port 0 stays 0, so the next reload of the same file finds it). */
static int add_portals(const struct control_env *env, struct plan *p, struct done *d, char *err,
		       size_t errlen)
{
	char why[256];

	for (size_t k = 0; k < p->npadd; k++) {
		struct ctgt_portal_cfg *wp = p->padd[k];
		char *host = strdup(wp->host);
		int bound = host ? ctgt_server_portal_add(env->srv, host, wp->port, wp->tpgt, why,
							  sizeof(why))
				 : -ENOMEM;

		if (host == NULL)
			snprintf(why, sizeof(why), "out of memory");
		if (bound >= 0 && add_portal(env->cfg, host, wp->port, wp->tpgt) < 0) {
			/* Listening, but not configured: take it back. */
			ctgt_server_portal_remove(env->srv, wp->host, (uint16_t)bound, why,
						  sizeof(why));
			snprintf(why, sizeof(why), "out of memory");
			bound = -ENOMEM;
			host = NULL;	/* add_portal() freed it */
		}
		if (bound < 0) {
			free(host);
			snprintf(err, errlen, "portal %s:%u cannot be added: %s", wp->host, wp->port,
				 why);
			return -1;
		}
		p->pbound[k] = (uint16_t)bound;	/* what undo_portals() closes */
		d->padd++;
	}
	return 0;
}

static size_t undo_targets(const struct control_env *env, struct plan *p, size_t n)
{
	char why[256];
	size_t left = 0;

	for (size_t k = n; k-- > 0;) {
		if (control_remove_target(env, p->tadd[k]->name, why, sizeof(why)) < 0 &&
		    reload_target(env->cfg, p->tadd[k]->name) != NULL) {
			LOG_ERR("control", "reload: cannot take back target %s: %s",
				p->tadd[k]->name, why);
			left++;
		}
	}
	return left;
}

static int add_targets(const struct control_env *env, struct plan *p, struct done *d, char *err,
		       size_t errlen)
{
	char why[256];

	for (size_t k = 0; k < p->ntadd; k++) {
		const char *name = p->tadd[k]->name;

		if (control_add_target(env, name, why, sizeof(why)) < 0) {
			snprintf(err, errlen, "target %s cannot be added: %s", name, why);
			return -1;
		}
		d->tadd++;	/* taken back with the others if its settings fail */
		if (set_access(env, name, p->tadd[k], why, sizeof(why)) < 0) {
			snprintf(err, errlen, "target %s cannot be given its access settings: %s",
				 name, why);
			return -1;
		}
	}
	return 0;
}

/* Keep the access settings running target @name has now, to put back. */
static int keep_old(const struct control_env *env, struct plan *p, const char *name)
{
	struct ctgt_target_cfg *old = &p->old[p->nold], *tc = reload_target(env->cfg, name);

	memset(old, 0, sizeof(*old));
	p->nold++;	/* freed by plan_free() either way */
	if (tc == NULL || (old->name = strdup(name)) == NULL || access_copy(old, tc) < 0)
		return -1;
	return 0;
}

/* Step 2: the access settings of the targets both sides have, then of
 * discovery, each kept first for take_back(). */
static int change_access(const struct control_env *env, struct plan *p, struct done *d,
			 char *err, size_t errlen)
{
	struct ctgt_config *cfg = env->cfg;
	char why[256] = "out of memory";

	for (size_t k = 0; k < p->naccess; k++) {
		if (keep_old(env, p, p->access[k]->name) < 0 ||
		    set_access(env, p->access[k]->name, p->access[k], why, sizeof(why)) < 0)
			goto fail;
		d->access++;
	}
	if (!p->discovery)
		return 0;
	p->old_disc = (struct ctgt_target_cfg){ .chap = cfg->discovery_chap,
						 .mutual_chap = cfg->discovery_mutual_chap };
	memset(&cfg->discovery_chap, 0, sizeof(cfg->discovery_chap));
	memset(&cfg->discovery_mutual_chap, 0, sizeof(cfg->discovery_mutual_chap));
	if (access_apply(env->srv, NULL, &(struct ctgt_target_cfg){
				 .chap = p->discovery_chap, .mutual_chap = p->discovery_mutual },
			 false, NULL, why, sizeof(why)) < 0) {
		cfg->discovery_chap = p->old_disc.chap;	/* unchanged: the old ones back */
		cfg->discovery_mutual_chap = p->old_disc.mutual_chap;
		memset(&p->old_disc, 0, sizeof(p->old_disc));
		goto fail;
	}
	move_chap(&cfg->discovery_chap, &p->discovery_chap);
	move_chap(&cfg->discovery_mutual_chap, &p->discovery_mutual);
	d->disc = true;
	return 0;
fail:
	snprintf(err, errlen, "access settings cannot be changed: %s", why);
	return -1;
}

/* Put back the access settings step 2 replaced; how many could not be. */
static size_t undo_access(const struct control_env *env, struct plan *p, struct done *d)
{
	struct ctgt_config *cfg = env->cfg;
	char why[256];
	size_t left = 0;

	for (size_t k = d->access; k-- > 0;)
		if (set_access(env, p->old[k].name, &p->old[k], why, sizeof(why)) < 0) {
			LOG_ERR("control", "reload: cannot put back the access settings of %s: %s",
				p->old[k].name, why);
			left++;
		}
	if (d->disc && access_apply(env->srv, NULL, &p->old_disc, false, NULL, why,
				    sizeof(why)) < 0) {
		LOG_ERR("control", "reload: cannot put back the discovery credentials: %s", why);
		left++;
	} else if (d->disc) {
		config_chap_free(&cfg->discovery_chap);
		config_chap_free(&cfg->discovery_mutual_chap);
		move_chap(&cfg->discovery_chap, &p->old_disc.chap);
		move_chap(&cfg->discovery_mutual_chap, &p->old_disc.mutual_chap);
	}
	return left;
}

/* Add @c's LU to the server and to the configuration (its path taken
 * from the file's configuration). 0 or -1 with why in @err. */
static int add_one(const struct control_env *env, struct change *c, char *err, size_t errlen)
{
	struct ctgt_target_cfg *tc = reload_target(env->cfg, c->target);
	struct ctgt_lun_cfg *luns = tc ? realloc(tc->luns, (tc->nluns + 1) * sizeof(*luns)) : NULL;

	/* Room first: once the server has the LU, the configuration must. */
	if (luns == NULL) {
		snprintf(err, errlen, tc ? "out of memory" : "no such target");
		return -1;
	}
	tc->luns = luns;
	if (daemon_add_lun(env->srv, tc->name, c->want, env->cfg, true, err, errlen) < 0)
		return -1;
	tc->luns[tc->nluns++] = *c->want;
	c->want->path = NULL;	/* the running configuration's now */
	return 0;
}

/* Remove the first @n LU additions of @p again; how many could not be. */
static size_t undo_adds(const struct control_env *env, struct plan *p, size_t n)
{
	char why[256];
	size_t left = 0;

	for (size_t k = n; k-- > 0;) {
		struct change *c = &p->add[k];
		int rc = ctgt_server_lun_remove(env->srv, c->target, c->lun, why, sizeof(why));

		if (rc < 0 && rc != -ETIMEDOUT) {
			LOG_ERR("control", "reload: cannot take back target %s LUN %llu: %s",
				c->target, (unsigned long long)c->lun, why);
			left++;
			continue;	/* still served: it stays configured */
		}
		forget_lun(env->cfg, c->target, c->lun);
	}
	return left;
}

static int add_luns(const struct control_env *env, struct plan *p, struct done *d, char *err,
		    size_t errlen)
{
	char why[256];

	for (size_t k = 0; k < p->nadd; k++) {
		struct change *c = &p->add[k];

		if (add_one(env, c, why, sizeof(why)) < 0) {
			snprintf(err, errlen, "target %s LUN %llu cannot be added: %s", c->target,
				 (unsigned long long)c->lun, why);
			return -1;
		}
		d->add++;
	}
	return 0;
}

/* Steps 0 to 3 failed (@err says how): take back what they did, in
 * reverse, and say so after @err. */
static void take_back(const struct control_env *env, struct plan *p, struct done *d, char *err,
		      size_t errlen)
{
	size_t left = undo_adds(env, p, d->add);
	size_t n = strlen(err);

	left += undo_access(env, p, d);
	left += undo_targets(env, p, d->tadd);
	left += undo_portals(env, p, d->padd);
	if (left)
		snprintf(err + n, errlen - n, " (%zu change(s) could not be taken back: see the log)",
			 left);
	else if (d->tadd + d->padd + d->access + d->disc == 0)
		snprintf(err + n, errlen - n, " (the %zu LU(s) added before it were removed again: "
			 "nothing changed)", d->add);
	else
		snprintf(err + n, errlen - n, " (taken back: %zu LU(s), %zu access change(s), %zu "
			 "target(s), %zu portal(s); nothing changed)", d->add, d->access + d->disc,
			 d->tadd, d->padd);
	*d = (struct done){ 0 };
}

/* ---- 4 to 8: the rest, stopping at a failure ----------------------------- */

/* What was done before a failure, for its message. */
static const char *so_far(const struct done *d, char *buf, size_t len)
{
	snprintf(buf, len, "applied before it: %zu portal(s) added, %zu target(s) added, %zu "
		 "access change(s), %zu LU(s) added, %zu resized, %zu removed, %zu target(s) "
		 "removed, %zu portal(s) removed", d->padd, d->tadd, d->access, d->add, d->grow,
		 d->drop, d->tdrop, d->pdrop);
	return buf;
}

static int grow_luns(const struct control_env *env, struct plan *p, struct done *d, char *err,
		     size_t errlen)
{
	char why[256], sf[256];

	for (size_t k = 0; k < p->ngrow; k++) {
		struct change *c = &p->grow[k];
		uint64_t got = 0;

		if (ctgt_server_lun_resize(env->srv, c->target, c->lun, c->want->params.size, &got,
					   why, sizeof(why)) < 0) {
			snprintf(err, errlen, "target %s LUN %llu cannot be grown: %s (%s)", c->target,
				 (unsigned long long)c->lun, why, so_far(d, sf, sizeof(sf)));
			return -1;
		}
		/* What a restart opens. */
		reload_lun(reload_target(env->cfg, c->target), c->lun)->params.size = got;
		d->grow++;
	}
	return 0;
}

static int drop_luns(const struct control_env *env, struct plan *p, struct done *d, char *err,
		     size_t errlen)
{
	char why[256], sf[256];

	for (size_t k = 0; k < p->ndrop; k++) {
		struct change *c = &p->drop[k];
		int rc = ctgt_server_lun_remove(env->srv, c->target, c->lun, why, sizeof(why));

		if (rc < 0 && rc != -ETIMEDOUT) {
			snprintf(err, errlen, "target %s LUN %llu cannot be removed: %s (%s)",
				 c->target, (unsigned long long)c->lun, why,
				 so_far(d, sf, sizeof(sf)));
			return -1;
		}
		if (rc < 0)	/* out of the target; its store is freed at exit */
			LOG_WARN("control", "reload: %s", why);
		forget_lun(env->cfg, c->target, c->lun);
		d->drop++;
	}
	return 0;
}

static int drop_targets(const struct control_env *env, struct plan *p, struct done *d, char *err,
			size_t errlen)
{
	char why[256], sf[256];

	for (size_t k = 0; k < p->ntdrop; k++) {
		int rc = control_remove_target(env, p->tdrop[k], why, sizeof(why));

		if (rc < 0 && rc != -ETIMEDOUT) {
			snprintf(err, errlen, "target %s cannot be removed: %s (%s)", p->tdrop[k], why,
				 so_far(d, sf, sizeof(sf)));
			return -1;
		}
		if (rc < 0)	/* gone for initiators; what is left is freed at exit */
			LOG_WARN("control", "reload: %s", why);
		d->tdrop++;
	}
	return 0;
}

static int drop_portals(const struct control_env *env, struct plan *p, struct done *d, char *err,
			size_t errlen)
{
	char why[256], sf[256];

	for (size_t k = 0; k < p->npdrop; k++) {
		struct ctgt_portal_cfg *q = &p->pdrop[k];

		if (ctgt_server_portal_remove(env->srv, q->host, q->port, why, sizeof(why)) < 0) {
			snprintf(err, errlen, "portal %s:%u cannot be removed: %s (%s)", q->host,
				 q->port, why, so_far(d, sf, sizeof(sf)));
			return -1;
		}
		forget_portal(env->cfg, q->host, q->port);
		d->pdrop++;
	}
	return 0;
}

/* Each target's allowTargetReset as @want has it (the new targets' too). */
static void change_resets(const struct control_env *env, const struct ctgt_config *want,
			  struct done *d)
{
	for (size_t k = 0; k < want->ntargets; k++) {
		const struct ctgt_target_cfg *wt = &want->targets[k];
		struct ctgt_target_cfg *tc = reload_target(env->cfg, wt->name);

		if (tc == NULL || tc->allow_target_reset == wt->allow_target_reset)
			continue;
		ctgt_server_allow_target_reset(env->srv, tc->name, wt->allow_target_reset);
		tc->allow_target_reset = wt->allow_target_reset;
		LOG_INFO("control", "reload: target %s: TARGET WARM/COLD RESET %s", tc->name,
			 wt->allow_target_reset ? "allowed" : "refused");
		d->resets++;
	}
}

static unsigned nop_of(const struct ctgt_config *cfg)
{
	return cfg->nop_interval < 0 ? CONFIG_NOP_INTERVAL_DEFAULT : (unsigned)cfg->nop_interval;
}

/* The limits and the keep-alive of @want, where they differ. */
static int change_settings(const struct control_env *env, const struct ctgt_config *want,
			   struct done *d, char *err, size_t errlen)
{
	struct ctgt_config *cfg = env->cfg;
	char sf[256];
	int rc;

	if (memcmp(&cfg->limits, &want->limits, sizeof(want->limits)) == 0 &&
	    nop_of(cfg) == nop_of(want))
		return 0;
	rc = ctgt_server_change_limits(env->srv, &want->limits, nop_of(want), 0);
	if (rc < 0) {
		snprintf(err, errlen, "the limits cannot be changed: %s (%s)", strerror(-rc),
			 so_far(d, sf, sizeof(sf)));
		return -1;
	}
	cfg->limits = want->limits;
	cfg->nop_interval = want->nop_interval;
	LOG_INFO("control", "reload: limits and keep-alive (%u s) changed", nop_of(want));
	d->settings = true;
	return 0;
}

int plan_apply(const struct control_env *env, struct plan *p, const struct ctgt_config *want,
	       struct done *d, char *err, size_t errlen)
{
	if (add_portals(env, p, d, err, errlen) < 0 || add_targets(env, p, d, err, errlen) < 0 ||
	    change_access(env, p, d, err, errlen) < 0 || add_luns(env, p, d, err, errlen) < 0) {
		take_back(env, p, d, err, errlen);
		return -1;
	}
	change_resets(env, want, d);
	if (change_settings(env, want, d, err, errlen) < 0 || grow_luns(env, p, d, err, errlen) < 0 ||
	    drop_luns(env, p, d, err, errlen) < 0 || drop_targets(env, p, d, err, errlen) < 0 ||
	    drop_portals(env, p, d, err, errlen) < 0)
		return -1;
	return 0;
}
