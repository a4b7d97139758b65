/* SPDX-License-Identifier: Apache-2.0 */
/*
 * What an administrator asks the running server (iscsi/admin.c): a
 * snapshot of its sessions and connections, gathered on the threads that
 * own them. Called from a thread that is not an event thread (the
 * daemon's control thread), through an ev_caller (event/call.h), while
 * the threads run; a stopped caller gets -ESHUTDOWN.
 */
#ifndef CTGT_ISCSI_ADMIN_H
#define CTGT_ISCSI_ADMIN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "event/call.h"
#include "iscsi/counters.h"
#include "iscsi/param.h"
#include "scsi/scsi.h"

struct iscsi_server;

/** One connection of a session, as the administrator sees it. */
struct iscsi_conn_info {
	uint16_t cid;
	char peer[80];			/**< "addr:port" of the initiator */
	char local[64];			/**< the address it reached us on */
	bool hdr_digest, data_digest;	/**< CRC32C in force */
	bool full_feature;		/**< logged in (not logging in or out) */
};

/** One session; its connections are conns[conn0 .. conn0 + nconns). */
struct iscsi_session_info {
	uint16_t tsih;
	uint8_t isid[6];
	unsigned thread;		/**< the network thread serving it */
	bool remote;			/**< not its target's home thread */
	bool discovery;
	char initiator[ISCSI_NAME_LEN];
	char target[ISCSI_NAME_LEN];	/**< "" for discovery */
	uint32_t max_recv_dlen, max_xmit_dlen, max_burst, first_burst;
	bool immediate_data, initial_r2t;
	uint32_t in_flight;		/**< commands not answered yet */
	uint64_t commands;		/**< SCSI commands received */
	size_t conn0, nconns;
};

struct iscsi_sessions {
	struct iscsi_session_info *s;	/**< ns of them, by thread then age */
	size_t ns;
	struct iscsi_conn_info *c;	/**< nc of them */
	size_t nc;
};

/**
 * Fill @out (zeroed by the caller) with every logged-in session of @srv
 * (a server on event threads), asking each thread through @caller.
 * Returns 0, -ESHUTDOWN, -ENOMEM, or -ENOTSUP for a server on one plain
 * loop. iscsi_sessions_free() frees @out in every case.
 */
int iscsi_server_sessions(struct iscsi_server *srv, struct ev_caller *caller,
			  struct iscsi_sessions *out);

void iscsi_sessions_free(struct iscsi_sessions *out);

/** One LU's counters (scsi_lu_stats()), size and long work in progress. */
struct iscsi_lu_stats {
	uint64_t lun;
	uint64_t nblocks;
	uint32_t block_size;
	struct scsi_lu_stats st;
	struct scsi_lu_progress prog;
};

/**
 * The counters of every LU of target @target, copied on its home thread
 * through @caller: *out (free() it) holds *n, by LUN. Returns 0, -ENOENT
 * (no such target), -ESHUTDOWN, -ENOMEM or -ENOTSUP (a plain loop).
 */
int iscsi_server_lu_stats(struct iscsi_server *srv, struct ev_caller *caller, const char *target,
			  struct iscsi_lu_stats **out, size_t *n);

/** The longest a session is given to log out when asked: its
 *  DefaultTime2Wait, at least ISCSI_LOGOUT_WAIT_MIN_S. */
#define ISCSI_LOGOUT_WAIT_MIN_S 2

/**
 * Ask session @tsih to log out (an Async Message on each of its
 * connections, RFC 7143 11.9, AsyncEvent 1), on the thread serving it,
 * through @caller; a connection that has not logged out after the wait
 * (*wait_s, may be NULL) is dropped. Returns 0, -ENOENT (no such session,
 * or one not in full feature phase), -ESHUTDOWN or -ENOTSUP.
 */
int iscsi_server_session_logout(struct iscsi_server *srv, struct ev_caller *caller,
				uint16_t tsih, unsigned *wait_s);

/**
 * Run @fn(@tgt, @arg) on the home thread of the target over @tgt (its
 * LUs' task thread, scsi/scsi.h; a removed target's too) through @caller
 * and wait for it: how a LU is added, removed or resized while the server
 * runs. Returns 0 once it has run, -ENOENT (no such target), -ESHUTDOWN,
 * -ENOMEM or -ENOTSUP (a server on one plain loop).
 */
int iscsi_server_target_call(struct iscsi_server *srv, struct ev_caller *caller,
			     struct scsi_tgt *tgt, void (*fn)(struct scsi_tgt *tgt, void *arg),
			     void *arg);

/**
 * Every session of the target over @tgt (removed, iscsi_server_close_target())
 * is asked to log out as iscsi_server_session_logout() asks one (@drop:
 * its connections are closed now instead), on each thread through
 * @caller. *wait_s: the longest wait given. Returns 0, -ESHUTDOWN or
 * -ENOTSUP.
 */
int iscsi_server_target_logout(struct iscsi_server *srv, struct ev_caller *caller,
			       struct scsi_tgt *tgt, bool drop, unsigned *wait_s);

/* ---- Portals while serving (portal.c) ---- */

/**
 * Listen on numeric @host, @port (0: the kernel picks) in portal group
 * @tpgt (0 = 1), as iscsi_server_add_portal() does, while serving: the
 * socket is made and watched on thread 0, through @caller, where the
 * accept loop runs; discovery lists it from then on. Returns the bound
 * port, or a negative errno with a one-line reason in @err: -EINVAL (not
 * numeric), -EEXIST (already a portal), -EADDRINUSE and the like from
 * bind(), -ESHUTDOWN, -ENOTSUP (one plain loop).
 */
int iscsi_server_portal_add(struct iscsi_server *srv, struct ev_caller *caller, const char *host,
			    uint16_t port, uint16_t tpgt, char *err, size_t errlen);

/**
 * Stop listening on portal @host, @port (the bound port) while serving,
 * on thread 0 through @caller: its socket is closed (connections still in
 * its backlog are reset) and discovery lists it no more. Connections
 * accepted through it go on; the portal stays allocated for them until
 * the server is freed. Returns 0, -ENOENT, -EBUSY (the last open portal:
 * refused), -EINVAL, -ESHUTDOWN or -ENOTSUP, with why in @err.
 */
int iscsi_server_portal_remove(struct iscsi_server *srv, struct ev_caller *caller,
			       const char *host, uint16_t port, char *err, size_t errlen);

/** One open portal. */
struct iscsi_portal_info {
	char host[64];			/**< canonical numeric, no brackets */
	uint16_t port;			/**< bound */
	uint16_t tpgt;
};

/** Any thread: the open portals, in the order added; *out (free() it)
 *  holds *n. Returns 0 or -ENOMEM. */
int iscsi_server_portals(struct iscsi_server *srv, struct iscsi_portal_info **out, size_t *n);

/**
 * After iscsi_server_set_policy() on the target over @tgt, on each thread
 * through @caller: every session of it that the policy now in force does
 * not admit (the initiator name, or the source address of one of its
 * connections) is closed at once (*closed counts them): access taken away
 * must not last the seconds a polite logout takes. Every other session
 * under which its initiator would now see other LUs, other LUN numbers
 * or other write protection is asked to log out as
 * iscsi_server_session_logout() asks one (*asked), to log in again and
 * see them. A session whose credentials alone changed stays (it proved
 * the old ones; the new apply at its next login). Returns 0, -ESHUTDOWN
 * or -ENOTSUP.
 */
int iscsi_server_policy_logout(struct iscsi_server *srv, struct ev_caller *caller,
			       struct scsi_tgt *tgt, unsigned *asked, unsigned *closed);

/**
 * Any thread: copy the server-wide counters of @srv (iscsi/counters.h)
 * into @out. Each is read on its own (relaxed), so the copy is not of one
 * instant, which a set of monotonic tallies does not need; no event
 * thread is asked.
 */
void iscsi_server_counters(const struct iscsi_server *srv, struct iscsi_counters_snap *out);

#endif
