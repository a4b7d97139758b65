/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Who may log in to a target, and how they prove it: per-initiator
 * settings before serving (include/ctgt/server.h) and the whole access
 * settings of a target replaced while serving (include/ctgt/admin.h). A
 * replacement is built and checked as a new policy (iscsi/policy.h) on the
 * caller's thread, swapped in at once, and then the sessions it no longer
 * admits are asked to log out; the target's other sessions and every other
 * target go on undisturbed.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ctgt/admin.h"
#include "embed/server_internal.h"
#include "iscsi/admin.h"
#include "iscsi/policy.h"
#include "util/log.h"

/* @p's LUN map as the iSCSI layer's entries in *out (free() it; NULL for
 * none). Returns 0 or a negative errno with why in @err. */
static int map_entries(const struct ctgt_initiator_params *p, struct scsi_lun_map_entry **out,
		       char *err, size_t errlen)
{
	struct scsi_lun_map_entry *e = NULL;

	*out = NULL;
	if (p == NULL || p->name == NULL || !p->chap_user != !p->chap_secret ||
	    (p->map_luns && p->nluns && p->luns == NULL))
		return embed_err(err, errlen, -EINVAL, "initiator settings incomplete");
	if (p->map_luns && p->nluns > 256)
		return embed_err(err, errlen, -EINVAL, "initiator %s: more LUN mappings than LUNs",
				 p->name);
	if (p->map_luns && p->nluns && !(e = calloc(p->nluns, sizeof(*e))))
		return embed_err(err, errlen, -ENOMEM, "out of memory");
	for (size_t i = 0; p->map_luns && i < p->nluns; i++)
		e[i] = (struct scsi_lun_map_entry){ .lun = p->luns[i].lun,
						    .target_lun = p->luns[i].target_lun,
						    .readonly = p->luns[i].readonly };
	*out = e;
	return 0;
}

int ctgt_server_add_initiator(struct ctgt_server *s, const char *iqn,
			      const struct ctgt_initiator_params *p, char *err, size_t errlen)
{
	struct scsi_lun_map_entry *e;
	char why[256] = "";
	int rc;

	if (iqn == NULL)
		return embed_err(err, errlen, -EINVAL, "initiator settings without a target");
	if ((rc = map_entries(p, &e, err, errlen)) < 0)
		return rc;
	rc = iscsi_server_add_initiator(s->isrv, iqn, p->name, p->chap_user, p->chap_secret, e,
					p->map_luns ? p->nluns : 0, p->map_luns, why, sizeof(why));
	free(e);
	return rc < 0 ? embed_err(err, errlen, rc, "%s", why) : 0;
}

/* ---- replacing them while serving ------------------------------------------- */

static int add_one(struct iscsi_policy *pol, const char *iqn, const struct ctgt_initiator_params *p,
		   char *err, size_t errlen)
{
	struct scsi_lun_map_entry *e;
	int rc = map_entries(p, &e, err, errlen);

	if (rc == 0)
		rc = iscsi_policy_add_initiator(pol, iqn, p->name, p->chap_user, p->chap_secret, e,
						p->map_luns ? p->nluns : 0, p->map_luns, err,
						errlen);
	free(e);
	return rc;
}

/* The policy @a describes for target @iqn (NULL: discovery) in *out.
 * Initiators first, so that the mutual secret is checked against theirs. */
static int build(const char *iqn, const struct ctgt_access *a, struct iscsi_policy **out,
		 char *err, size_t errlen)
{
	struct iscsi_policy *p = iscsi_policy_new();
	int rc = p ? 0 : embed_err(err, errlen, -ENOMEM, "out of memory");

	if (rc == 0 && !a->chap_user != !a->chap_secret)
		rc = embed_err(err, errlen, -EINVAL, "CHAP needs a user and a secret");
	if (rc == 0 && (!a->mutual_user != !a->mutual_secret || (a->mutual_user && !a->chap_user)))
		rc = embed_err(err, errlen, -EINVAL, "mutual CHAP needs a user and a secret, and "
			       "CHAP for the initiators");
	for (size_t i = 0; rc == 0 && i < a->ninitiators; i++)
		rc = add_one(p, iqn, &a->initiators[i], err, errlen);
	if (rc == 0 && a->chap_user)
		rc = iscsi_policy_set_chap(p, iqn, a->chap_user, a->chap_secret, a->mutual_user,
					   a->mutual_secret, err, errlen);
	for (size_t i = 0; rc == 0 && i < a->nrules; i++)
		rc = iscsi_policy_allow(p, iqn, a->rules[i], err, errlen);
	if (rc < 0) {
		iscsi_policy_put(p);
		return rc;
	}
	*out = p;
	return 0;
}

static int set_locked(struct ctgt_server *s, const char *iqn, const struct ctgt_access *a,
		      bool check_only, struct ctgt_access_effect *fx, char *err, size_t errlen)
{
	struct scsi_tgt *tgt = iqn ? embed_find_target(s, iqn) : NULL;
	struct iscsi_policy *p;
	int rc;

	/* A check needs no target: a reload checks those it is to add. */
	if (iqn && tgt == NULL && !check_only)
		return embed_err(err, errlen, -ENOENT, "no such target");
	if ((rc = build(iqn, a, &p, err, errlen)) < 0)
		return rc;
	if (check_only) {
		iscsi_policy_put(p);
		return 0;
	}
	if ((rc = iscsi_server_set_policy(s->isrv, iqn, p, err, errlen)) < 0)
		return rc;
	if (tgt == NULL)
		return 0;	/* discovery sessions only list targets */
	/* In force from here on, whatever the sweep does: the caller keeps
	 * them (only a server that is stopping refuses the sweep, and it
	 * closes every session anyway). */
	rc = iscsi_server_policy_logout(s->isrv, &s->admin, tgt, &fx->asked, &fx->closed);
	if (rc < 0)
		LOG_WARN("admin", "target %s: new access settings in force, but its sessions were "
			 "not judged by them: %s", iqn, strerror(-rc));
	return 0;
}

int ctgt_server_set_access(struct ctgt_server *s, const char *iqn, const struct ctgt_access *a,
			   bool check_only, struct ctgt_access_effect *fx, char *err,
			   size_t errlen)
{
	struct ctgt_access_effect none = { 0 };
	int rc;

	if (a == NULL || (iqn == NULL && (a->nrules || a->ninitiators)))
		return embed_err(err, errlen, -EINVAL, "discovery sessions have no access rules "
				 "or initiators");
	pthread_mutex_lock(&s->admin_mu);
	rc = set_locked(s, iqn, a, check_only, &none, err, errlen);
	pthread_mutex_unlock(&s->admin_mu);
	if (fx != NULL)
		*fx = none;
	if (rc == 0 && !check_only)
		LOG_INFO("admin", "%s%s: access settings replaced (CHAP %s, %zu rules, %zu "
			 "initiators); %u sessions closed, %u asked to log out",
			 iqn ? "target " : "", iqn ? iqn : "discovery",
			 a->chap_user ? (a->mutual_user ? "mutual" : "one-way") : "off", a->nrules,
			 a->ninitiators, none.closed, none.asked);
	return rc;
}
