/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Asking a running server what it serves (the daemon's control socket is
 * built on this). Every function here is called from a thread of the
 * application's that is not the one running ctgt_server_run(), while it
 * runs (a call made before waits for it to start); calls are serialised.
 * Once ctgt_server_run() has returned they fail with -ESHUTDOWN. A server
 * that is never run answers none: no call may be in progress, or start,
 * once ctgt_server_destroy() is called.
 */
#ifndef CTGT_ADMIN_H
#define CTGT_ADMIN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ctgt/server.h"

#ifdef __cplusplus
extern "C" {
#endif

/** One connection of a session. */
struct ctgt_conn_info {
	uint16_t cid;
	char peer[80];			/**< "ADDR:PORT" of the initiator */
	char local[64];			/**< the address it reached us on */
	bool header_digest, data_digest; /**< CRC32C in force */
	bool logged_in;			/**< full feature phase */
};

/** One session; its connections are conns[conn0 .. conn0 + nconns). */
struct ctgt_session_info {
	uint16_t tsih;
	char isid[13];			/**< 12 hex digits */
	unsigned thread;		/**< network thread serving it */
	bool discovery;
	char initiator[224];
	char target[224];		/**< "" for discovery */
	uint32_t max_recv_data_segment_length;	/**< ours */
	uint32_t max_xmit_data_segment_length;	/**< the initiator's */
	uint32_t max_burst_length, first_burst_length;
	bool immediate_data, initial_r2t;
	uint32_t in_flight;		/**< commands not answered yet */
	uint64_t commands;		/**< SCSI commands received */
	size_t conn0, nconns;
};

/** A snapshot of the sessions (ctgt_server_sessions()). */
struct ctgt_sessions {
	struct ctgt_session_info *sessions;
	size_t nsessions;
	struct ctgt_conn_info *conns;
	size_t nconns;
};

/** Fill @out with the logged-in sessions of @srv, each copied on the
 *  thread serving it. Returns 0 or a negative errno; free @out with
 *  ctgt_sessions_free() either way. */
int ctgt_server_sessions(struct ctgt_server *srv, struct ctgt_sessions *out);
void ctgt_sessions_free(struct ctgt_sessions *out);

/** One target. */
struct ctgt_target_info {
	const char *name;		/**< the server's: valid while it lives */
	unsigned thread;		/**< home thread of its LUs */
	uint64_t luns[256];		/**< nluns of them, in the order added */
	size_t nluns;
};

/** The targets of @srv, in the order added: *out (free() it) holds *n.
 *  Returns 0 or -ENOMEM. */
int ctgt_server_targets(struct ctgt_server *srv, struct ctgt_target_info **out, size_t *n);

/* Latency histogram buckets: bucket i counts commands that took less
 * than 2^i microseconds (and at least 2^(i-1)); the last counts the rest. */
#define CTGT_LAT_BUCKETS 24

/** What one LU has done since the daemon started: the commands it
 *  executed, counted when they complete (commands refused before they
 *  run, such as one beyond the last block, are not counted). */
struct ctgt_lu_stats {
	uint64_t lun;
	uint64_t blocks;		/**< capacity in logical blocks */
	uint32_t block_size;		/**< bytes per logical block */
	uint64_t reads, writes, others;	/**< READ(6..16), WRITE(6..16), the rest */
	uint64_t read_bytes, write_bytes;
	uint64_t errors;		/**< completed with a status other than GOOD */
	uint64_t aborted;		/**< ended by task management */
	uint64_t read_us, write_us;	/**< latency sums, microseconds */
	uint64_t read_hist[CTGT_LAT_BUCKETS], write_hist[CTGT_LAT_BUCKETS];
	/* Long work in progress now. */
	const char *job;		/**< "sanitize", "format", or NULL: none */
	bool job_failed;		/**< it failed: the LU is in failure mode */
	double job_done;		/**< the fraction done, 0 to 1 */
	unsigned copies;		/**< EXTENDED COPY commands running on it */
	uint64_t copy_segments_done, copy_segments;	/**< their segments */
	uint64_t copy_bytes;		/**< bytes they have written */
};

/** The counters of target @iqn's LUs, read on its home thread: *out
 *  (free() it) holds *n, by LUN. Returns 0, -ENOENT or a negative errno. */
int ctgt_server_lu_stats(struct ctgt_server *srv, const char *iqn, struct ctgt_lu_stats **out,
			 size_t *n);

/**
 * Ask session @tsih (ctgt_session_info.tsih) to log out: an Async Message
 * (RFC 7143 11.9, "target requests logout") on each of its connections;
 * one that has not logged out after *wait_s seconds (its DefaultTime2Wait,
 * at least 2) is dropped. Returns at once: 0, or -ENOENT when no session
 * in full feature phase has that TSIH.
 */
int ctgt_server_session_logout(struct ctgt_server *srv, uint16_t tsih, unsigned *wait_s);

/* ---- Adding and removing targets of a running server ---- */

/**
 * Add target @iqn while the server runs: initiators may log in to it at
 * once (it has no LU, access rule or CHAP yet: ctgt_server_lun_add()).
 * Returns 0, or a negative errno with why in @err (-EEXIST, -EINVAL).
 */
int ctgt_server_target_add(struct ctgt_server *srv, const char *iqn, char *err, size_t errlen);

/** How long ctgt_server_target_remove() waits for the sessions it asked
 *  to log out beyond their wait, and then for those it dropped. */
#define CTGT_TARGET_LOGOUT_SLACK_MS 3000
#define CTGT_TARGET_DROP_WAIT_MS 10000

/**
 * Remove target @iqn while the server runs: no login finds it any more
 * (one under way fails with 0204, target removed), discovery lists it no
 * more; each of its sessions gets an Async Message asking it to log out
 * (within its DefaultTime2Wait, at least 2 s); those still there after
 * that and CTGT_TARGET_LOGOUT_SLACK_MS are dropped; then its LUs are
 * removed as ctgt_server_lun_remove() does and their stores closed. The
 * other targets go on undisturbed. Returns 0; -ENOENT; -ETIMEDOUT when
 * sessions or LUs did not go in time (the target is gone for initiators;
 * what is left is freed with the server). @err says why.
 */
int ctgt_server_target_remove(struct ctgt_server *srv, const char *iqn, char *err,
			      size_t errlen);

/* ---- Portals of a running server ----
 * The portals listen on the server's thread 0, which accepts every
 * connection; these make the change there, so none races an accept. */

/** One portal the server listens on. */
struct ctgt_portal_info {
	char host[64];			/**< numeric, canonical, no brackets: "::1" */
	uint16_t port;			/**< the bound port */
	uint16_t tpgt;			/**< its target portal group */
};

/** The portals @srv listens on now, in the order added: *out (free() it)
 *  holds *n. Returns 0 or -ENOMEM. */
int ctgt_server_portals(struct ctgt_server *srv, struct ctgt_portal_info **out, size_t *n);

/**
 * Listen on numeric IPv4/IPv6 @host, @port (0: the kernel picks one) in
 * target portal group @tpgt (0 = 1) while the server runs, as
 * ctgt_server_add_portal() does before: connections are accepted at once
 * and SendTargets lists it (TargetAddress) from then on. Returns the bound
 * port (> 0), or a negative errno with a one-line reason in @err: -EINVAL
 * (not a numeric address), -EEXIST (already a portal), -EADDRINUSE (or
 * another error of bind()); then nothing changed.
 */
int ctgt_server_portal_add(struct ctgt_server *srv, const char *host, uint16_t port,
			   uint16_t tpgt, char *err, size_t errlen);

/**
 * Stop listening on portal @host, @port (its bound port) while the server
 * runs: no new connection comes through it (its socket is closed, which
 * resets those not yet accepted) and SendTargets lists it no more. The
 * connections already accepted through it carry on, sessions and their
 * I/O undisturbed, until they end (the portal is kept for them, and freed
 * with the server). Returns 0, or a negative errno with why in @err:
 * -ENOENT (not a portal), -EBUSY (the last one: refused, as nobody could
 * connect any more; add another first), -EINVAL.
 */
int ctgt_server_portal_remove(struct ctgt_server *srv, const char *host, uint16_t port,
			      char *err, size_t errlen);

/* ---- Changing the LUs of a running server ----
 * Each waits for the change to be made on the target's home thread; the
 * target's other LUs and sessions go on undisturbed. */

/**
 * Open the store @spec (as ctgt_server_add_store()) and add it as LU
 * @p->lun of target @iqn while the server runs: every session of the
 * target gets POWER ON from it and REPORTED LUNS DATA HAS CHANGED from the
 * other LUs. Returns 0, or a negative errno with why in @err (no such
 * target, the LUN in use, a store that cannot be opened); then nothing
 * changed.
 */
int ctgt_server_lun_add(struct ctgt_server *srv, const char *iqn, const struct ctgt_lu_params *p,
			const char *spec, char *err, size_t errlen);

/** How long ctgt_server_lun_remove() lets the LU's commands finish before
 *  it aborts them, and how long it then waits for its store. */
#define CTGT_LUN_REMOVE_GRACE_MS 5000
#define CTGT_LUN_REMOVE_GIVE_UP_MS 20000

/**
 * Remove LU @lun from target @iqn while the server runs: no new command
 * reaches it (LOGICAL UNIT NOT SUPPORTED) and the sessions get REPORTED
 * LUNS DATA HAS CHANGED from the other LUs; the commands it is running
 * finish, those left after CTGT_LUN_REMOVE_GRACE_MS are aborted; then the
 * LU goes and its store is closed. Returns 0; -ENOENT (no such target or
 * LUN) or -EBUSY (a SANITIZE or FORMAT UNIT runs on it), nothing changed;
 * -ETIMEDOUT when its store has not finished after
 * CTGT_LUN_REMOVE_GIVE_UP_MS: the LU is out of the target, and it and its
 * store are freed when the server is destroyed. @err says why.
 */
int ctgt_server_lun_remove(struct ctgt_server *srv, const char *iqn, uint64_t lun, char *err,
			   size_t errlen);

/**
 * Grow LU @lun of target @iqn to @size bytes, 0 for the size its file or
 * block device has now (a device grown underneath, a file extended by
 * hand): a file is extended (sparse), a device must hold @size. Sessions
 * get CAPACITY DATA HAS CHANGED. *got (may be NULL) is the new size (a
 * device's size rounded down to whole blocks). Returns 0 (also when the
 * size did not change), or a negative errno with why in @err: -ENOENT,
 * -EINVAL (smaller than now, not whole blocks), -EOPNOTSUPP (mem: and
 * callback stores keep their size), -EBUSY (SANITIZE or FORMAT UNIT).
 */
int ctgt_server_lun_resize(struct ctgt_server *srv, const char *iqn, uint64_t lun, uint64_t size,
			   uint64_t *got, char *err, size_t errlen);

/* ---- Access settings of a running server ---- */

/** The whole access settings of a target, or of discovery sessions:
 *  what ctgt_server_set_chap(), ctgt_server_allow() and
 *  ctgt_server_add_initiator() set one by one before serving. */
struct ctgt_access {
	const char *chap_user, *chap_secret;	/**< NULL: no CHAP required */
	const char *mutual_user, *mutual_secret; /**< NULL: no mutual CHAP */
	const char *const *rules;		/**< initiator names and networks; none: everyone */
	size_t nrules;
	const struct ctgt_initiator_params *initiators;
	size_t ninitiators;
};

/** What ctgt_server_set_access() did to the target's sessions. */
struct ctgt_access_effect {
	unsigned closed;	/**< no longer admitted: closed at once */
	unsigned asked;		/**< admitted, but would see other LUs: asked to log out */
};

/**
 * Replace the access settings of target @iqn (NULL: of discovery
 * sessions, which have CHAP only) with @a while the server runs. @a is
 * checked whole, as the calls before serving check it (secret lengths,
 * the mutual secret unlike every other, names, rules, LUN maps); on
 * failure nothing changed. Then logins use the new settings (one under
 * way keeps the credentials it chose, and is refused with 0202 if the new
 * rules do not admit it). Each session the new rules do not admit is
 * closed at once; each other one under which its initiator would see
 * other LUs or numbers or other write protection is asked to log out as
 * ctgt_server_session_logout() asks one; @fx (may be NULL) counts them.
 * A session whose CHAP credentials alone changed stays logged in (ask it
 * to log out to make it prove the new ones). Returns 0, or -ENOENT,
 * -EINVAL, -ENOMEM or -ESHUTDOWN with why in @err. With @check_only the
 * settings are checked and nothing else is done (target @iqn need not
 * exist yet).
 */
int ctgt_server_set_access(struct ctgt_server *srv, const char *iqn, const struct ctgt_access *a,
			   bool check_only, struct ctgt_access_effect *fx, char *err,
			   size_t errlen);

/** Login failures by the status of the Login Response (RFC 7143
 *  11.13.5), the index of ctgt_server_counters.login_failures[]. */
enum ctgt_login_failure {
	CTGT_LOGIN_INITIATOR_ERROR,	/**< 0200 (a malformed request too) */
	CTGT_LOGIN_AUTHENTICATION_FAILED, /**< 0201 */
	CTGT_LOGIN_AUTHORIZATION_FAILED, /**< 0202 (access rules) */
	CTGT_LOGIN_TARGET_NOT_FOUND,	/**< 0203 */
	CTGT_LOGIN_TARGET_REMOVED,	/**< 0204 */
	CTGT_LOGIN_UNSUPPORTED_VERSION,	/**< 0205 */
	CTGT_LOGIN_TOO_MANY_CONNECTIONS, /**< 0206 */
	CTGT_LOGIN_MISSING_PARAMETER,	/**< 0207 */
	CTGT_LOGIN_CANNOT_INCLUDE_IN_SESSION, /**< 0208 */
	CTGT_LOGIN_SESSION_TYPE_UNSUPPORTED, /**< 0209 */
	CTGT_LOGIN_SESSION_DOES_NOT_EXIST, /**< 020a */
	CTGT_LOGIN_INVALID_DURING_LOGIN, /**< 020b */
	CTGT_LOGIN_TARGET_ERROR,	/**< 0300 */
	CTGT_LOGIN_SERVICE_UNAVAILABLE,	/**< 0301 */
	CTGT_LOGIN_OUT_OF_RESOURCES,	/**< 0302 (--session-limit too) */
	CTGT_LOGIN_OTHER,		/**< any other status */
	CTGT_LOGIN_FAILURE_KINDS
};

/** "authentication_failed" for CTGT_LOGIN_AUTHENTICATION_FAILED...; NULL
 *  beyond the last. */
const char *ctgt_login_failure_name(unsigned kind);
/** Its status class and detail as 0xCCDD (0x0201); 0 for CTGT_LOGIN_OTHER. */
unsigned ctgt_login_failure_status(unsigned kind);

/** Server-wide event counters since the server was created: each place
 *  that logs a refused or held-back peer counts it, whether or not its
 *  log line was suppressed by the rate limit. */
struct ctgt_server_counters {
	uint64_t connections_accepted;
	uint64_t connections_refused_limit;	/**< --connection-limit */
	uint64_t connections_refused_per_address; /**< --connection-limit-per-address */
	uint64_t accept_pauses;		/**< out of descriptors: accept() paused */
	uint64_t logins_normal, logins_discovery; /**< reached full feature phase */
	uint64_t login_failures[CTGT_LOGIN_FAILURE_KINDS];
	uint64_t chap_failures;		/**< CHAP exchanges that failed */
	uint64_t chap_delays;		/**< answers held back after CHAP failures */
	uint64_t sessions_refused;	/**< --session-limit (also counted as 0302) */
	uint64_t login_timeouts;	/**< --login-timeout: no full feature phase */
	uint64_t final_response_timeouts; /**< a last Login/Logout Response not read */
	uint64_t nop_timeouts;		/**< no answer to a NOP-In ping */
	uint64_t tx_backpressure;	/**< --tx-backlog: reading paused */
	uint64_t buffer_full;		/**< --connection-buffer: TASK SET FULL */
	uint64_t immediate_rejected;	/**< too many immediate commands/TMFs */
	uint64_t pdu_rejects;		/**< Reject PDUs sent */
	uint64_t cmdsn_dropped;		/**< commands outside the CmdSN window */
	uint64_t resets_refused;	/**< TARGET WARM/COLD RESET not allowed */
};

/** Copy @srv's counters into @out. Unlike the calls above it asks no
 *  network thread (the counters are atomics) and works whether or not
 *  the server runs; still not after ctgt_server_destroy(). Returns 0. */
int ctgt_server_counters(struct ctgt_server *srv, struct ctgt_server_counters *out);

/**
 * While the server runs: the resource limits @lim (as ctgt_server_set_limits()
 * takes them before; 0 fields: the defaults) and the keep-alive (as
 * ctgt_server_set_nop(): @nop_interval_s, 0 off; @nop_timeout_s, 0 the
 * interval) from now on, on every network thread. What a limit admitted
 * already stays: a connection, session or buffer over a lowered limit is
 * not closed, the next one is refused. Returns 0 or -ESHUTDOWN.
 */
int ctgt_server_change_limits(struct ctgt_server *srv, const struct ctgt_limits *lim,
			      unsigned nop_interval_s, unsigned nop_timeout_s);

/**
 * Cap LU @lun of target @iqn at @bytes_per_sec of READ and WRITE traffic
 * (0: no cap) from now on, as ctgt_lu_params.max_bandwidth does at
 * start; commands in flight are paced by the new cap. Returns 0, -ENOENT,
 * or -EOPNOTSUPP (a store whose I/O runs inline: mem:, null:, io_uring),
 * with why in @err.
 */
int ctgt_server_lun_set_bandwidth(struct ctgt_server *srv, const char *iqn, uint64_t lun,
				  uint64_t bytes_per_sec, char *err, size_t errlen);

#ifdef __cplusplus
}
#endif

#endif
