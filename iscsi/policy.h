/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The access policy of one target, or of discovery sessions: who must
 * authenticate with which CHAP credentials, who may log in (iscsi/acl.h),
 * and each named initiator's own credentials and LUN map.
 *
 * A policy is built by one thread and then published (the target's, or
 * the server's for discovery); once published it never changes. A change
 * while serving builds a whole new policy and swaps it in
 * (iscsi_server_set_policy()); a login keeps the policy it chose its
 * credentials from, and a session the one its LUN map points into, until
 * they end (a reference each), so neither sees half a change. Reference
 * counts are atomics: any thread. The last reference wipes the secrets.
 */
#ifndef CTGT_ISCSI_POLICY_H
#define CTGT_ISCSI_POLICY_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>

#include "iscsi/acl.h"
#include "iscsi/chap.h"
#include "scsi/scsi.h"

/* Who must authenticate, with what (RFC 7143 section 12.1.3). */
struct iscsi_auth_cfg {
	bool chap;			/* initiators must log in with CHAP */
	struct chap_cred initiator;	/* the name and secret they prove */
	bool mutual;			/* we can authenticate ourselves */
	struct chap_cred target;	/* our name and secret for mutual CHAP */
};

/* Settings of one initiator on one target (access rules decide whether it
 * may log in at all). */
struct iscsi_initiator {
	char name[ISCSI_NAME_LEN];
	bool chap;			/* its own CHAP credentials, instead of the target's */
	struct chap_cred cred;
	bool mapped;			/* sees map only; else every LU as it is */
	struct scsi_lun_map map;	/* map.e points into entries */
	struct scsi_lun_map_entry *entries;
};

/* Most access rules, and most initiators with settings, one policy
 * holds: every login walks them, and a control client must not grow
 * them without bound. */
#define ISCSI_POLICY_MAX_RULES		4096
#define ISCSI_POLICY_MAX_INITIATORS	4096

struct iscsi_policy {
	atomic_uint refs;
	struct iscsi_auth_cfg auth;
	struct acl acl;			/* who may log in; empty: everyone */
	struct iscsi_initiator *inits;
	size_t ninits;
};

/** An empty policy (no CHAP, everyone admitted), one reference; NULL
 *  without memory. */
struct iscsi_policy *iscsi_policy_new(void);
/** Another reference to @p. */
struct iscsi_policy *iscsi_policy_ref(struct iscsi_policy *p);
/** Drop a reference (NULL: nothing); the last frees @p and wipes its
 *  secrets. */
void iscsi_policy_put(struct iscsi_policy *p);

/*
 * Building a policy that is not published yet (one thread). @who names
 * the target (NULL: discovery) in the one-line reasons written to @err.
 * Each returns 0, -EINVAL or -ENOMEM; on failure @p is unchanged.
 */

/** Require CHAP: initiators prove @user/@secret; with @muser (and
 *  @msecret) the target answers mutual CHAP with those. Secrets of 12 to
 *  255 bytes; the mutual secret must differ from every initiator secret
 *  (RFC 7143 12.1.3). The secrets are copied. */
int iscsi_policy_set_chap(struct iscsi_policy *p, const char *who, const char *user,
			  const char *secret, const char *muser, const char *msecret, char *err,
			  size_t errlen);
/** Add access rule @rule: an initiator name or "ADDR[/PREFIX]". */
int iscsi_policy_allow(struct iscsi_policy *p, const char *who, const char *rule, char *err,
		       size_t errlen);
/** Settings of initiator @name: its own CHAP credentials (@chap_user and
 *  @chap_secret, or NULL) and, with @mapped, the @nluns LUs of @luns it
 *  sees (copied). Discovery policies have none. */
int iscsi_policy_add_initiator(struct iscsi_policy *p, const char *who, const char *name,
			       const char *chap_user, const char *chap_secret,
			       const struct scsi_lun_map_entry *luns, size_t nluns, bool mapped,
			       char *err, size_t errlen);

/* ---- Reading one (any thread holding a reference) ---- */

/** The settings of initiator @name (case-insensitive), or NULL. */
const struct iscsi_initiator *iscsi_policy_initiator(const struct iscsi_policy *p,
						     const char *name);
/** How what initiator @name sees changes from policy @a to @b. */
enum iscsi_view_change {
	ISCSI_VIEW_SAME,	/* the same LUs, numbers and write protection */
	ISCSI_VIEW_WIDER,	/* all it saw, as it saw it, and more */
	ISCSI_VIEW_OTHER,	/* a LU gone, renumbered or write-protected */
};
enum iscsi_view_change iscsi_policy_view_change(const struct iscsi_policy *a,
						const struct iscsi_policy *b, const char *name);
/** Whether initiator @name must prove CHAP credentials to log in under @p. */
bool iscsi_policy_requires_chap(const struct iscsi_policy *p, const char *name);

#endif
