/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Access policies (iscsi/policy.h): building one, reading one, and the
 * reference that keeps one alive while a login or session uses it.
 */
#include "iscsi/policy.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <openssl/crypto.h>

#include "util/iscsi_name.h"

struct iscsi_policy *iscsi_policy_new(void)
{
	struct iscsi_policy *p = calloc(1, sizeof(*p));

	if (p != NULL)
		atomic_init(&p->refs, 1);
	return p;
}

struct iscsi_policy *iscsi_policy_ref(struct iscsi_policy *p)
{
	atomic_fetch_add_explicit(&p->refs, 1, memory_order_relaxed);
	return p;
}

void iscsi_policy_put(struct iscsi_policy *p)
{
	if (p == NULL || atomic_fetch_sub_explicit(&p->refs, 1, memory_order_acq_rel) != 1)
		return;
	OPENSSL_cleanse(&p->auth, sizeof(p->auth));
	acl_free(&p->acl);
	for (size_t i = 0; i < p->ninits; i++) {
		chap_cred_wipe(&p->inits[i].cred);
		free(p->inits[i].entries);
	}
	free(p->inits);
	free(p);
}

const struct iscsi_initiator *iscsi_policy_initiator(const struct iscsi_policy *p,
						     const char *name)
{
	for (size_t i = 0; name && i < p->ninits; i++)
		if (strcasecmp(p->inits[i].name, name) == 0)
			return &p->inits[i];
	return NULL;
}

/* Whether map @a holds entry @x exactly. */
static bool has_entry(const struct iscsi_initiator *a, const struct scsi_lun_map_entry *x)
{
	for (size_t i = 0; i < a->map.n; i++)
		if (a->map.e[i].lun == x->lun && a->map.e[i].target_lun == x->target_lun &&
		    a->map.e[i].readonly == x->readonly)
			return true;
	return false;
}

/* Whether every entry of @e's map is the LU of its own number, writable:
 * what an unmapped initiator sees of those LUs too. */
static bool identity(const struct iscsi_initiator *e)
{
	for (size_t i = 0; i < e->map.n; i++)
		if (e->map.e[i].lun != e->map.e[i].target_lun || e->map.e[i].readonly)
			return false;
	return true;
}

enum iscsi_view_change iscsi_policy_view_change(const struct iscsi_policy *a,
						const struct iscsi_policy *b, const char *name)
{
	const struct iscsi_initiator *ea = iscsi_policy_initiator(a, name);
	const struct iscsi_initiator *eb = iscsi_policy_initiator(b, name);
	bool ma = ea != NULL && ea->mapped, mb = eb != NULL && eb->mapped;

	if (!ma && !mb)
		return ISCSI_VIEW_SAME;	/* both see every LU as it is */
	if (!mb)
		return identity(ea) ? ISCSI_VIEW_WIDER : ISCSI_VIEW_OTHER;
	if (!ma)
		return ISCSI_VIEW_OTHER;	/* everything before, a map now */
	/* Entries are unique by LUN number (map_problem()). */
	for (size_t i = 0; i < ea->map.n; i++)
		if (!has_entry(eb, &ea->map.e[i]))
			return ISCSI_VIEW_OTHER;
	return ea->map.n == eb->map.n ? ISCSI_VIEW_SAME : ISCSI_VIEW_WIDER;
}

bool iscsi_policy_requires_chap(const struct iscsi_policy *p, const char *name)
{
	const struct iscsi_initiator *e = iscsi_policy_initiator(p, name);

	return p->auth.chap || (e != NULL && e->chap);
}

/* ---- building ---------------------------------------------------------------- */

static const char *who_str(const char *who)
{
	return who ? who : "discovery";
}

/* Whether @a and @b hold the same secret (constant time in the bytes). */
static bool same_secret(const struct chap_cred *a, const struct chap_cred *b)
{
	return a->secret_len == b->secret_len &&
	       CRYPTO_memcmp(a->secret, b->secret, a->secret_len) == 0;
}

/* The first initiator of @p whose own secret is @mutual's, or NULL. */
static const struct iscsi_initiator *secret_user(const struct iscsi_policy *p,
						 const struct chap_cred *mutual)
{
	for (size_t i = 0; i < p->ninits; i++)
		if (p->inits[i].chap && same_secret(&p->inits[i].cred, mutual))
			return &p->inits[i];
	return NULL;
}

/* Whether credentials @c can be @p's; if not, why in @err. */
static bool chap_ok(const struct iscsi_policy *p, const char *who, const struct iscsi_auth_cfg *c,
		    char *err, size_t errlen)
{
	const struct iscsi_initiator *e;

	if (c->mutual && same_secret(&c->target, &c->initiator)) {
		snprintf(err, errlen, "mutual CHAP secret of %s equals the initiator's secret "
			 "(RFC 7143 12.1.3 forbids it)", who_str(who));
		return false;
	}
	if (c->mutual && (e = secret_user(p, &c->target)) != NULL) {
		snprintf(err, errlen, "mutual CHAP secret of %s equals the secret of initiator %s "
			 "(RFC 7143 12.1.3 forbids it)", who_str(who), e->name);
		return false;
	}
	return true;
}

int iscsi_policy_set_chap(struct iscsi_policy *p, const char *who, const char *user,
			  const char *secret, const char *muser, const char *msecret, char *err,
			  size_t errlen)
{
	struct iscsi_auth_cfg c = { .chap = true };
	const char *why;
	int rc = -EINVAL;

	if ((why = chap_cred_set(&c.initiator, user, secret)) != NULL) {
		snprintf(err, errlen, "CHAP credentials of %s: %s", who_str(who), why);
		goto out;
	}
	if (muser) {
		c.mutual = true;
		if ((why = chap_cred_set(&c.target, muser, msecret)) != NULL) {
			snprintf(err, errlen, "mutual CHAP credentials of %s: %s", who_str(who), why);
			goto out;
		}
	}
	if (!chap_ok(p, who, &c, err, errlen))
		goto out;
	p->auth = c;
	rc = 0;
out:
	OPENSSL_cleanse(&c, sizeof(c));
	return rc;
}

int iscsi_policy_allow(struct iscsi_policy *p, const char *who, const char *rule, char *err,
		       size_t errlen)
{
	struct acl_rule r;
	const char *why;

	if (who == NULL) {
		snprintf(err, errlen, "discovery sessions have no access rules");
		return -EINVAL;
	}
	if ((why = acl_rule_parse(&r, rule)) != NULL) {
		snprintf(err, errlen, "access rule %s: %s", rule, why);
		return -EINVAL;
	}
	if (p->acl.n >= ISCSI_POLICY_MAX_RULES) {
		snprintf(err, errlen, "target %s: more than %d access rules", who,
			 ISCSI_POLICY_MAX_RULES);
		return -EINVAL;
	}
	if (acl_add(&p->acl, &r) < 0) {
		snprintf(err, errlen, "out of memory");
		return -ENOMEM;
	}
	return 0;
}

/* NULL when @luns is a usable map, else why not. */
static const char *map_problem(const struct scsi_lun_map_entry *luns, size_t n)
{
	if (n > SCSI_MAX_LUNS)
		return "more LUN mappings than LUNs";
	for (size_t i = 0; i < n; i++) {
		if (luns[i].lun >= SCSI_MAX_LUNS || luns[i].target_lun >= SCSI_MAX_LUNS)
			return "LUN numbers are 0 to 255";
		for (size_t k = 0; k < i; k++)
			if (luns[k].lun == luns[i].lun)
				return "a LUN number is mapped twice";
	}
	return NULL;
}

/* Why initiator @e cannot join @p (NULL: it can). */
static const char *initiator_problem(const struct iscsi_policy *p, const char *name,
				     const struct iscsi_initiator *e, const char *chap_user,
				     const struct scsi_lun_map_entry *luns, size_t nluns)
{
	const char *why = iscsi_name_problem(name, false);

	if (!why && p->ninits >= ISCSI_POLICY_MAX_INITIATORS)
		why = "more initiators with settings than a target takes (4096)";
	if (!why && iscsi_policy_initiator(p, name))
		why = "configured twice";
	if (!why && chap_user && p->auth.mutual && same_secret(&e->cred, &p->auth.target))
		why = "its CHAP secret equals the target's mutual secret (RFC 7143 12.1.3)";
	if (!why && e->mapped)
		why = map_problem(luns, nluns);
	return why;
}

int iscsi_policy_add_initiator(struct iscsi_policy *p, const char *who, const char *name,
			       const char *chap_user, const char *chap_secret,
			       const struct scsi_lun_map_entry *luns, size_t nluns, bool mapped,
			       char *err, size_t errlen)
{
	struct iscsi_initiator e = { .mapped = mapped }, *n;
	const char *why = who ? NULL : "discovery sessions have no initiator settings";

	if (!why && chap_user)
		why = chap_cred_set(&e.cred, chap_user, chap_secret);
	if (!why)
		why = initiator_problem(p, name, &e, chap_user, luns, nluns);
	if (why) {
		snprintf(err, errlen, "initiator %s of %s: %s", name, who_str(who), why);
		chap_cred_wipe(&e.cred);
		return -EINVAL;
	}
	snprintf(e.name, sizeof(e.name), "%s", name);
	e.chap = chap_user != NULL;
	if (mapped && nluns && !(e.entries = calloc(nluns, sizeof(*luns))))
		goto nomem;
	if (mapped && nluns)
		memcpy(e.entries, luns, nluns * sizeof(*luns));
	e.map = (struct scsi_lun_map){ .n = mapped ? nluns : 0, .e = e.entries };
	n = realloc(p->inits, (p->ninits + 1) * sizeof(*n));
	if (!n) {
		free(e.entries);
		goto nomem;
	}
	p->inits = n;
	p->inits[p->ninits++] = e;
	return 0;
nomem:
	chap_cred_wipe(&e.cred);
	snprintf(err, errlen, "out of memory");
	return -ENOMEM;
}
