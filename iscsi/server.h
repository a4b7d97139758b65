/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The iSCSI target server: portals, exported targets and every session and
 * connection of one event loop. This is all the daemon sees of iscsi/.
 */
#ifndef CTGT_ISCSI_SERVER_H
#define CTGT_ISCSI_SERVER_H

#include <stddef.h>
#include <stdint.h>

#include "backend/backend.h"
#include "daemon/evloop.h"
#include "scsi/scsi.h"

struct iscsi_server;

/** Create a server on @loop; backend completions arrive on @cq. NULL on no memory. */
struct iscsi_server *iscsi_server_create(struct evloop *loop, struct bs_cq *cq);

/**
 * Export @tgt (ownership passes to the server) under its own name. Returns 0,
 * -EEXIST for a duplicate name or -ENOMEM.
 */
int iscsi_server_add_target(struct iscsi_server *srv, struct scsi_tgt *tgt);

/**
 * Require CHAP from initiators of target @target (NULL: of discovery
 * sessions): they prove @user/@secret; with @muser (and @msecret) the
 * target answers mutual CHAP with those. Secrets of 12 to 255 bytes; the
 * mutual secret must differ from the initiator's. The secrets are copied
 * (and wiped when the server is destroyed). Returns 0, -ENOENT (no such
 * target) or -EINVAL, with a one-line reason in @err.
 */
int iscsi_server_set_chap(struct iscsi_server *srv, const char *target, const char *user,
			  const char *secret, const char *muser, const char *msecret,
			  char *err, size_t errlen);

/**
 * Add an access rule to target @target: an initiator name, or an IPv4/IPv6
 * network "ADDR[/PREFIX]" (iscsi/acl.h says how rules combine). Without
 * rules everyone may log in. Returns 0, -ENOENT, -EINVAL or -ENOMEM.
 */
int iscsi_server_allow(struct iscsi_server *srv, const char *target, const char *rule,
		       char *err, size_t errlen);

/**
 * Settings of initiator @name on target @target: with @chap_user (and
 * @chap_secret) it proves those instead of the target's credentials; with
 * @mapped it sees only the @nluns LUs of @luns, under their numbers there
 * (copied; none at all when @nluns is 0). Whether it may log in is the
 * access rules' business (iscsi_server_allow()). Returns 0, -ENOENT,
 * -EINVAL or -ENOMEM.
 */
int iscsi_server_add_initiator(struct iscsi_server *srv, const char *target, const char *name,
			       const char *chap_user, const char *chap_secret,
			       const struct scsi_lun_map_entry *luns, size_t nluns, bool mapped,
			       char *err, size_t errlen);

/**
 * Listen on @host (numeric IPv4 or IPv6) port @port (0: kernel's choice).
 * Returns the bound port (> 0) or a negative errno with a one-line reason in @err.
 */
int iscsi_server_add_portal(struct iscsi_server *srv, const char *host, uint16_t port,
			    uint16_t tpgt, char *err, size_t errlen);

/**
 * Keep-alive: after @interval_s seconds without a PDU from the initiator, a
 * full-feature connection gets a NOP-In ping; without the NOP-Out answer
 * within @timeout_s more seconds the connection is closed. 0 turns it off.
 */
void iscsi_server_set_nop(struct iscsi_server *srv, unsigned interval_s, unsigned timeout_s);

/**
 * Stop accepting, close every connection and call @done once no connection
 * and no backend I/O is left (at once if nothing is in flight).
 */
void iscsi_server_shutdown(struct iscsi_server *srv, void (*done)(void *arg), void *arg);

/** Free the server and its targets; only after shutdown has completed. */
void iscsi_server_destroy(struct iscsi_server *srv);

#endif
