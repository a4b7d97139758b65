/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The iSCSI target server: portals, exported targets and every session and
 * connection, on one event loop or on N event threads. This is all the embedding API (embed/)
 * sees of iscsi/.
 */
#ifndef CTGT_ISCSI_SERVER_H
#define CTGT_ISCSI_SERVER_H

#include <stddef.h>
#include <stdint.h>

#include "backend/backend.h"
#include "event/evloop.h"
#include "event/thread.h"
#include "scsi/scsi.h"

struct iscsi_server;

/** Create a server on @loop; backend completions arrive on @cq. NULL on no memory. */
struct iscsi_server *iscsi_server_create(struct evloop *loop, struct bs_cq *cq);

/**
 * Create a server on the @ts->n event threads (not started yet), thread i
 * taking the completions of @cqs[i] (the stores of the targets it is home
 * to must be opened with that queue: iscsi_server_target_thread()). The
 * portals and the start of every login are on thread 0; a normal session's
 * login moves to the session's thread: its target's for the target's first
 * session, else the next in turn (iscsi/migrate.c; SCSI work is handed to
 * the target's thread, iscsi/handoff.c). NULL on no memory.
 * Everything else here is called on the creator's thread (thread 0).
 */
struct iscsi_server *iscsi_server_create_threads(struct ev_threads *ts, struct bs_cq *cqs);

/**
 * Remove the target over @tgt while serving (any thread): from now on no
 * login finds it (a login under way fails with 0204, target removed),
 * discovery lists it no more, and a target of the same name may be added.
 * Its sessions go on until they log out or are dropped
 * (iscsi_server_target_logout(), iscsi/admin.h); the target (and @tgt,
 * which must keep no LU once they are gone) is freed with the server.
 * Returns 0 or -ENOENT.
 */
int iscsi_server_close_target(struct iscsi_server *srv, struct scsi_tgt *tgt);
/** The sessions of the target over @tgt, on every thread. Any thread. */
unsigned iscsi_server_target_sessions(struct iscsi_server *srv, struct scsi_tgt *tgt);

/** The index of target @name's home thread (chosen round-robin when it
 *  was added: its LUs' task thread), or -ENOENT. */
int iscsi_server_target_thread(struct iscsi_server *srv, const char *name);

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

struct iscsi_policy;

/**
 * Any thread, serving or not: replace the access policy of target @target
 * (NULL: of discovery sessions) with @p (iscsi/policy.h), which is taken
 * over either way. Logins from now on use it; a login under way keeps the
 * credentials it chose and has its access checked again before it enters
 * full feature phase; sessions keep the LUN map they had
 * (iscsi_server_policy_logout() asks those the new policy does not admit
 * to log out). Returns 0, -ENOENT, or -EINVAL (a discovery policy with
 * access rules or initiators), with why in @err.
 */
int iscsi_server_set_policy(struct iscsi_server *srv, const char *target, struct iscsi_policy *p,
			    char *err, size_t errlen);

/**
 * Listen on @host (numeric IPv4 or IPv6) port @port (0: kernel's choice),
 * before serving (while serving: iscsi_server_portal_add(), iscsi/admin.h).
 * Returns the bound port (> 0) or a negative errno with a one-line reason in
 * @err: -EINVAL, -EEXIST (already a portal), bind()'s error.
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
 * Whether the sessions of one target are spread over the threads (@on, the
 * default: migrate.c) or all served by the target's home thread, so that
 * none hands its SCSI work over (cheaper per I/O, one core per target).
 * Before serving; applies to sessions placed from then on.
 */
void iscsi_server_set_spread_sessions(struct iscsi_server *srv, bool on);

/** MaxConnections offered to new sessions (clamped to 1..ISCSI_MAX_CONNECTIONS). */
void iscsi_server_set_max_connections(struct iscsi_server *srv, unsigned n);

/**
 * Resource limits: what one client, or many, may make the server hold. Each
 * has a safe default (iscsi_server_limits_default()); hitting one logs one
 * rate-limited line.
 */
struct iscsi_server_limits {
	unsigned max_conns;		/**< connections at once; more are closed at accept */
	unsigned max_conns_per_addr;	/**< of them from one source address */
	unsigned max_sessions_per_target; /**< more logins get 0302 (out of resources) */
	unsigned login_timeout_s;	/**< a login (or a final Login/Logout Response
					 *   nobody reads) lasting longer is closed */
	uint32_t conn_buffer;		/**< bytes of command data buffers per connection;
					 *   a command that does not fit gets TASK SET FULL */
	uint32_t tx_backlog;		/**< bytes queued for transmit beyond which the
					 *   connection is not read from until they drain */
	uint32_t buffer_cache;		/**< bytes of freed buffers each network thread
					 *   keeps for reuse (util/bufpool.h) */
};

/** Defaults: 1024 connections, 128 per address, 64 sessions per target,
 *  15 s login, 64 MiB of buffers and 8 MiB of transmit backlog per connection,
 *  32 MiB of buffer cache per thread. */
void iscsi_server_limits_default(struct iscsi_server_limits *lim);

/** Apply @lim (copied); a 0 field keeps the default. Before serving. */
void iscsi_server_set_limits(struct iscsi_server *srv, const struct iscsi_server_limits *lim);

struct ev_caller;

/**
 * While serving, from a thread that is not a network thread: the limits
 * @lim (0 fields: the defaults) and the keep-alive (as
 * iscsi_server_set_nop()) from now on, handed to each network thread
 * through @caller (each reads its own copy). What a limit admits already
 * stays (a connection over a lowered limit is not closed); a lower
 * --connection-buffer or --tx-backlog applies to the next command or
 * send. Returns 0, -ESHUTDOWN or -ENOTSUP (a server on one plain loop).
 */
int iscsi_server_change_settings(struct iscsi_server *srv, struct ev_caller *caller,
				 const struct iscsi_server_limits *lim, unsigned nop_interval_s,
				 unsigned nop_timeout_s);

/**
 * Stop accepting, close every connection and call @done once no connection
 * and no backend I/O is left (at once if nothing is in flight).
 */
void iscsi_server_shutdown(struct iscsi_server *srv, void (*done)(void *arg), void *arg);

/** Free the server and its targets; only after shutdown has completed (and
 *  the event threads have stopped). */
void iscsi_server_destroy(struct iscsi_server *srv);

#endif
