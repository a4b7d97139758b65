/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Internal types of the iSCSI layer: server, portal, session, connection and
 * task. Only files in iscsi/ include this.
 */
#ifndef CTGT_ISCSI_INTERNAL_H
#define CTGT_ISCSI_INTERNAL_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>

#include "event/thread.h"

#include "iscsi/acl.h"
#include "iscsi/chap.h"
#include "iscsi/counters.h"
#include "iscsi/param.h"
#include "iscsi/pdu.h"
#include "iscsi/policy.h"
#include "iscsi/server.h"
#include "scsi/scsi.h"
#include "util/list.h"
#include "util/log.h"

#define ISCSI_QUEUE_DEPTH	128	/* commands in flight per session */
#define ISCSI_MAX_R2T		16	/* outstanding R2Ts per task we track */
#define ISCSI_MAX_TEXT		65536	/* bytes of login/text keys we accept in a sequence */
#define ISCSI_PDUS_PER_WAKEUP	64	/* PDUs handled per connection and round */
#define ISCSI_MAX_CONNECTIONS	64	/* MaxConnections we ever offer */
#define ISCSI_AHS_MAX		256	/* bytes of AHS we accept (extended CDB, bidi length) */
#define ISCSI_MAX_IMMEDIATE	16	/* immediate commands/TMFs in flight per connection */
#define ISCSI_ACCEPT_PAUSE_MS	250	/* no accept() for this long after EMFILE/ENFILE */
#define ISCSI_LOG_BURST		10	/* lines of a kind any peer can cause, per 10 s */

/* A listening socket (portal.c), on thread 0. Freed with the server only:
 * each connection accepted through it points at it (conn->portal). */
struct iscsi_portal {
	struct iscsi_server *srv;
	int fd;				/* -1 once closed */
	char host[64];		/* numeric, canonical (inet_ntop), no brackets */
	uint16_t port;
	uint16_t tpgt;
	bool ipv6;
	bool closed;			/* removed, or shut down: no longer listening */
	uint64_t accept_timer;		/* accepting paused (EMFILE) until it fires */
};

/* The server-wide settings a thread reads as it serves: the resource
 * limits and the keep-alive. Each thread has its own copy (thr->set), so
 * that a change while serving reaches it as a message, never as a write
 * under its feet (iscsi_server_change_settings()). */
struct iscsi_settings {
	struct iscsi_server_limits lim;
	uint64_t nop_interval_ms;	/* 0: no keep-alive pings */
	uint64_t nop_timeout_ms;
};

struct iscsi_thread;
struct iscsi_place;

/* A thread's new settings, in a message (server.c). */
struct iscsi_settings_msg {
	struct iscsi_thread *thr;
	struct iscsi_settings set;
};		/* migrate.c: which thread serves an initiator's session */

struct iscsi_target {
	struct list_node link;	/* in srv->targets */
	struct iscsi_thread *home;	/* the task thread of its LUs; fixed */
	/* Session placement (migrate.c): taken at login and logout only,
	 * never per I/O (and by a refused target reset, tmf.c). */
	pthread_mutex_t place_mu;
	struct iscsi_place *places;	/* (initiator, ISID) -> thread */
	unsigned place_next;		/* round-robin from home */
	unsigned nsessions;		/* linked sessions, every thread */
	struct scsi_tgt *scsi;
	const char *name;	/* scsi_tgt_name(scsi) */
	/* Credentials, access rules, initiators (iscsi/policy.h): replaced
	 * whole while serving, under srv->policy_mu; server_policy(). */
	struct iscsi_policy *policy;
	/* tmf.c, under place_mu (sessions of every thread refuse resets): */
	uint64_t reset_log_ms;	/* next "reset refused" line not before */
	unsigned reset_refused;	/* refusals since the last line */
	/* Removed while serving (iscsi_server_close_target()): no longer
	 * found, listed or logged in to; kept in srv->targets until the
	 * server is freed, so a pointer a login holds stays valid. */
	atomic_bool closed;
};

struct auth_throttle;		/* auth_throttle.c: recent CHAP failures */

/*
 * One network thread (thread.c): its event loop, the completion queue of
 * the stores of the targets it is home to, and the connections and
 * sessions it serves. Everything here is touched by that thread only
 * (after the server is set up), except through its messages.
 */
struct iscsi_thread {
	struct iscsi_server *srv;
	unsigned index;			/* 0: the portals' thread, where logins start */
	struct ev_thread *ev;		/* NULL: a server on one plain loop */
	struct evloop *loop;
	struct bs_cq *cq;
	/* tasks, their data buffers and their PDUs (util/bufpool.h); bufsrc
	 * hands the pool to the SCSI layer for task data buffers */
	struct bufpool pool;
	struct scsi_bufsrc bufsrc;
	struct iscsi_settings set;	/* this thread's copy of srv->set */
	struct list_node sessions;
	struct list_node conns;
	struct list_node migrating;	/* logins to hand to their session's thread (migrate.c) */
	unsigned nexus_pending;		/* nexus removals sent to a home, not answered */
	uint64_t tick_timer;		/* once a second: keep-alive, login timeouts */
	bool shutting_down;
	bool drained;			/* shutting down, nothing left: told thread 0 */
	struct ev_msg shutdown_msg;	/* thread 0 -> this thread: close everything */
	struct ev_msg drained_msg;	/* this thread -> thread 0: nothing left */
	/* one rate-limited log line per limit (struct log_ratelimit is not
	 * thread-safe: each thread has its own, summed up by its tick) */
	struct log_ratelimit rl_conns, rl_addr, rl_sessions, rl_login, rl_accept, rl_buffer, rl_backlog,
		rl_immediate, rl_nop, rl_reject;
	/* connected / closing / CmdSN outside the window / login failed / a
	 * session or CHAP login that succeeded / a CHAP answer held back:
	 * ISCSI_LOG_BURST per 10 s, a summary of the rest from the tick */
	struct log_ratelimit rl_connect, rl_close, rl_cmdsn, rl_login_fail, rl_login_ok,
		rl_login_hold;
};

/* Connections per source address, shared by the threads (conn_count.c):
 * changed at accept and close only, under its mutex. */
struct conn_counts {
	pthread_mutex_t mu;
	unsigned total;
	struct conn_addr_count *addrs;
	size_t naddrs, cap;
};

/*
 * What every thread reads: settings are fixed before serving; the target
 * list grows while serving (a target added live) under targets_lock, which
 * every walk of it holds for reading (logins, discovery: never the I/O
 * path); a removed target stays in it, closed; the access policies are
 * replaced whole while serving (policy_mu, iscsi/policy.h). What they
 * share while serving: the connection counts (mutex), the CHAP failure
 * table (auth_mu), the TSIH and I_T nexus counters (atomics).
 */
struct iscsi_server {
	struct iscsi_thread *thr;	/* nthreads of them */
	unsigned nthreads;
	unsigned next_home;		/* the thread the next target gets */
	bool keep_home;			/* every session on its target's home thread
					 * (iscsi_server_set_spread_sessions) */
	struct iscsi_target_limits lim;
	struct list_node targets;
	pthread_rwlock_t targets_lock;	/* the list (not the targets' settings) */
	/* Changed on thread 0 only (portal.c), under portals_lock for
	 * writing, which the other threads hold to read them (SendTargets,
	 * inside targets_lock: never the other way round); thread 0 reads
	 * without it. A removed portal stays, closed. */
	pthread_rwlock_t portals_lock;
	struct iscsi_portal **portals;
	size_t nportals;
	atomic_uint next_tsih;
	atomic_uint_fast64_t next_itn_id;
	bool shutting_down;		/* thread 0 */
	unsigned drained;		/* thread 0: threads with nothing left */
	struct iscsi_settings set;	/* as configured; the threads read their copies */
	void (*shutdown_done)(void *arg);
	void *shutdown_arg;
	struct iscsi_policy *discovery_policy;	/* as a target's policy */
	pthread_mutex_t policy_mu;	/* guards the policy pointers (logins only) */
	pthread_mutex_t auth_mu;		/* guards auth_fails */
	struct auth_throttle *auth_fails;	/* made at the first CHAP failure */
	struct conn_counts counts;
	struct iscsi_counters ctr;	/* relaxed atomics, any thread (counters.h) */
};

struct iscsi_session {
	struct list_node link;		/* in thr->sessions */
	struct iscsi_server *srv;
	struct iscsi_thread *thr;	/* serving it (migrate.c; discovery: thread 0) */
	struct iscsi_target *target;	/* NULL for discovery */
	struct iscsi_params params;
	uint8_t isid[6];
	uint16_t tsih;
	uint32_t exp_cmd_sn;
	uint32_t max_cmd_sn;		/* last value sent: never goes backwards */
	uint32_t in_flight;		/* commands taking a CmdSN and not yet answered */
	uint64_t commands;		/* SCSI commands received (iscsi/admin.h) */
	struct scsi_itn itn;
	struct iscsi_policy *policy;	/* a reference: itn.lun_map points into it */
	bool chap;			/* its leading login proved CHAP credentials */
	bool nexus_added;
	/* Served by a thread that is not its target's home: every SCSI call
	 * goes to home in a message (handoff.c). */
	bool remote;
	struct ev_msg nexus_add_msg, nexus_rm_msg;
	struct list_node conns;
	int nconns;			/* in conns, closed ones included until freed */
	bool failed;			/* a connection failed: every other one is closing */
	bool releasing;			/* inside session_release_held() */
};

/* Connection lifecycle; changed only through conn_set_state(). */
enum conn_state {
	CONN_LOGIN,		/* login phase, conn->login_stage says where */
	CONN_FULL_FEATURE,
	CONN_LOGOUT,		/* final PDU (Logout or failed Login Response) queued;
				   close once it is sent */
	CONN_CLOSED,		/* socket gone; freed when no I/O is in flight */
};

/*
 * Receive state machine (iscsi/rx.c), one PDU at a time. Bytes come from
 * the socket in large reads into the connection's read-ahead buffer
 * (rx_buf) and are parsed from there; the header phase decides where the
 * data segment goes (rx_dst): straight into a task's buffer (Data-Out
 * answering what the task waits for), into the scratch buffer rx_data, or
 * nowhere (a rejected PDU). A data segment still on the socket is read
 * straight into its destination.
 */
enum rx_state {
	RX_BHS,			/* the 48-byte BHS */
	RX_HDR_REST,		/* AHS and header digest */
	RX_DATA,		/* the data segment, into rx_dst (NULL: dropped) */
	RX_TRAIL,		/* padding and data digest */
};

#define ISCSI_RX_BUF		65536	/* bytes of read-ahead per connection */

/* The security stage of one login (auth.c). */
struct iscsi_login_auth {
	bool decided;			/* chosen (from the first request's names) */
	bool for_discovery;		/* ... for a discovery session */
	const struct iscsi_target *for_target; /* ... for this target (or none) */
	struct iscsi_policy *policy;	/* ... from this one (a reference, or NULL) */
	bool required;			/* this initiator must authenticate */
	const struct chap_cred *expect;	/* what it proves */
	const struct chap_cred *ours;	/* our mutual credentials, or NULL */
	bool done;			/* the initiator proved its secret */
	struct chap chap;
	uint64_t hold_timer;		/* an answer held back after failures, or 0 */
	uint8_t held_bhs[ISCSI_BHS_LEN];
};

struct iscsi_task;

struct iscsi_conn {
	struct list_node link;		/* in thr->conns (or thr->migrating) */
	struct list_node sess_link;	/* in sess->conns */
	struct iscsi_server *srv;
	struct iscsi_thread *thr;	/* serving it: the only one touching it */
	struct iscsi_thread *mig_to;	/* migrating: to this thread (migrate.c) */
	struct iscsi_place *place;	/* the placement it holds, or NULL */
	struct iscsi_target *place_target;
	struct ev_msg mig_msg;
	uint8_t mig_bhs[ISCSI_BHS_LEN];	/* the Login Request it migrates with */
	struct iscsi_portal *portal;
	struct iscsi_session *sess;
	int fd;
	char peer[80];			/* "addr:port" for logs */
	char peer_host[64];		/* numeric source address: per-address limit */
	char local_host[64];		/* address the initiator reached us on */
	enum conn_state state;
	uint16_t cid;
	struct iscsi_params params;	/* negotiation result, copied to the session */
	bool hdr_digest, data_digest;	/* in force (from the end of login) */

	/* receive (rx.c) */
	enum rx_state rx_state;
	uint8_t rx_bhs[ISCSI_BHS_LEN];
	uint8_t rx_rest[ISCSI_AHS_MAX + ISCSI_DIGEST_LEN]; /* AHS + header digest */
	uint8_t rx_trail[3 + ISCSI_DIGEST_LEN];	/* padding + data digest */
	uint32_t rx_want, rx_got;	/* bytes of the current state */
	uint8_t *rx_buf;		/* read-ahead: [rx_head, rx_tail) not parsed yet */
	uint32_t rx_head, rx_tail;
	uint8_t *rx_data;		/* scratch for data segments */
	uint32_t rx_data_cap;
	uint8_t *rx_dst;		/* where the data segment goes, or NULL */
	struct iscsi_task *rx_task;	/* rx_dst is in this task's buffer */
	const uint8_t *rx_payload;	/* the received data segment, for its handler:
					   rx_dst, or in rx_buf */
	uint32_t rx_crc;		/* running data digest */
	bool rx_skip;			/* this PDU was rejected: drop its payload */
	bool rx_orphan;			/* rx_task went while its data came: drop the PDU */
	bool rx_large;			/* the last data segment was large: read ahead little */
	bool rx_held;			/* the PDU in rx_bhs/rx_payload is ahead of ExpCmdSN:
					   it waits there, and nothing more is read */
	bool rx_held_aborted;		/* task management aborted the held command */
	uint64_t held_ms;		/* when the held request started waiting */
	bool clean_close;		/* Logout or reinstatement, not a failure */

	/* transmit */
	struct list_node txq;
	bool tx_blocked;		/* waiting for EV_WRITE */
	uint32_t stat_sn;
	uint32_t exp_stat_sn;

	/* login */
	int login_stage;		/* CSG of the stage in progress */
	bool login_started;
	uint8_t login_isid[6];
	uint16_t login_tsih;
	uint32_t login_itt;
	uint32_t login_cmdsn;
	bool login_sent_tpgt;
	struct iscsi_neg neg;
	char *text_in;			/* accumulated keys of a C-bit sequence */
	uint32_t text_in_len;
	char *text_out;			/* pending response text (continuations) */
	uint32_t text_out_len, text_out_off;
	uint32_t text_ttt;
	struct iscsi_login_auth auth;

	/* tasks */
	struct list_node tasks;
	uint32_t io_pending;		/* tasks inside the SCSI layer/backends */
	uint32_t next_ttt;

	/* resources */
	uint64_t accepted_ms;		/* login timeout counts from here */
	uint64_t logout_ms;		/* when CONN_LOGOUT was entered */
	uint64_t tx_bytes;		/* wire bytes queued and not yet written */
	uint64_t buf_bytes;		/* data buffers of tasks (see task->charge) */
	uint32_t n_immediate;		/* immediate SCSI commands and TMF requests
					   not yet answered */
	bool rx_paused;			/* not read from: tx_bytes above the backlog limit */
	bool rx_deferred;		/* the SCSI Command in rx_bhs/rx_payload waits for
					   buffers: not read from, dispatched again */
	struct iscsi_task *rx_prep;	/* the SCSI Command in rx_bhs/rx_payload is being
					   prepared on its target's thread (handoff.c):
					   not read from until the answer */

	/* keep-alive */
	uint64_t last_rx_ms;		/* when the last PDU arrived */
	uint32_t ping_ttt;		/* TTT of the NOP-In awaiting an answer, or RSVD */
	uint64_t ping_sent_ms;
	uint64_t logout_due_ms;		/* async.c: logout requested, dropped at; 0 = no */
};

enum task_state {
	TASK_DATA_OUT,		/* receiving unsolicited and/or solicited data */
	TASK_EXECUTING,		/* inside the SCSI layer */
	TASK_DONE,		/* response queued */
	TASK_RELEASING,		/* remote: released on home, freed at the answer */
};

/* The messages of a remote task between its connection's thread and its
 * target's home (handoff.c): requests to home, answers back. */
enum handoff_op {
	HO_PREP = 1,		/* scsi_task_prepare() (0: x_sent nothing yet) */
	HO_PREP_EXEC,		/* prepare, then execute if READY (no data-out) */
	HO_EXEC,		/* scsi_task_execute() (or the data phase error) */
	HO_RELEASE,		/* scsi_task_release() */
	HO_PREPARED,		/* answer: READY */
	HO_EARLY,		/* answer: status final without execution */
	HO_DONE,		/* answer: executed (or aborted) */
	HO_RELEASED,		/* answer: home lets go of the task */
};

struct iscsi_r2t {
	uint32_t ttt;
	uint32_t offset;
	uint32_t len;
	uint32_t got;
	uint32_t next_datasn;
};

struct iscsi_task {
	struct scsi_task scsi;		/* first: the SCSI layer's view */
	struct list_node link;		/* in conn->tasks */
	struct iscsi_conn *conn;
	enum task_state state;
	uint32_t itt;
	uint32_t cmdsn;
	bool counts_in_window;		/* took a CmdSN (not immediate) */
	uint8_t lun_raw[8];
	uint32_t exp_read;		/* expected Data-In length (R bit) */
	uint32_t exp_write;		/* expected Data-Out length (W bit) */
	uint32_t need;			/* data-out bytes the command uses */
	uint32_t unsol_end;		/* bytes of unsolicited data expected */
	uint32_t unsol_got;
	uint32_t unsol_datasn;
	bool unsol_done;
	uint32_t solicit_next;		/* next offset to ask for with an R2T */
	uint32_t r2tsn;
	struct iscsi_r2t r2t[ISCSI_MAX_R2T];
	int nr2t;
	bool early;			/* status known before execution */
	bool data_error;		/* a Data-Out came with the wrong DataSN */
	bool abort_sent;		/* connection closed: scsi_task_abort() called */
	uint64_t charge;		/* bytes counted in conn->buf_bytes */
	uint32_t datain_sn;
	/* A remote task (handoff.c). The chain message goes back and forth,
	 * one side owning it at a time; the other two are sent once at most. */
	bool remote;
	bool final;			/* the command's F bit */
	bool x_data_error;		/* HO_EXEC: end with DATA PHASE ERROR */
	uint8_t x_sent;			/* conn: the last request sent (0: none) */
	uint8_t x_op;			/* the chain message's operation */
	bool h_exec, h_aborted;		/* home: executing / aborted while at conn */
	struct ev_thread *conn_ev, *home_ev;
	struct ev_msg x_msg;		/* the chain */
	struct ev_msg x_abort;		/* conn -> home: the connection closed */
	struct ev_msg x_notice;		/* home -> conn: aborted while at conn */
};

/* conn.c */
void conn_accept(struct iscsi_portal *portal, int fd);
void conn_set_state(struct iscsi_conn *conn, enum conn_state next);
/** Queue @pdu for transmission; StatSN etc. must already be filled in. */
void conn_send(struct iscsi_conn *conn, struct iscsi_pdu *pdu);
/** Fail the connection: close the socket, drop queued PDUs, abort its tasks;
 *  unless conn->clean_close, the rest of its session goes too (ERL 0:
 *  session_conn_failed()). */
void conn_close(struct iscsi_conn *conn, const char *why);
/** Free a closed connection once nothing references it. */
void conn_maybe_free(struct iscsi_conn *conn);
/** Before-sleep work for every connection of @thr: parse read-ahead PDUs,
 *  flush, close, free. Nonzero when the loop must not sleep (PDUs still
 *  buffered). */
int conn_service_all(struct iscsi_thread *thr);
/** Watch @conn's socket on the loop of conn->thr (at accept, and on the
 *  thread a login migrated to). Returns 0 or -errno. */
int conn_watch(struct iscsi_conn *conn);
/** Fill StatSN/ExpCmdSN/MaxCmdSN of a target PDU; @take_statsn advances StatSN.
 *  @credit: CmdSN window slots that are released once this PDU is sent (a
 *  task's final response frees its slot only then), already counted as free
 *  in its MaxCmdSN (session_max_cmd_sn()). */
void conn_fill_sn(struct iscsi_conn *conn, struct iscsi_pdu *pdu, bool take_statsn,
		  uint32_t credit);
/** Send a Reject for the PDU whose header is @bhs. */
void conn_reject(struct iscsi_conn *conn, const uint8_t *bhs, uint8_t reason);
/** Close @conn as a Logout or reinstatement does: not a connection failure,
 *  so the rest of its session goes on. */
void conn_close_clean(struct iscsi_conn *conn, const char *why);
/** Whether a request received on @conn waits in its receive buffers, for
 *  its CmdSN (rx_held) or for buffer space (rx_deferred): @conn is not read
 *  until it runs, so nothing the initiator sends meanwhile is seen. */
bool conn_rx_waiting(const struct iscsi_conn *conn);
/** Whether @conn may take in another PDU now: not closed or logging out,
 *  its transmit backlog under the limit, no request waiting in place. */
bool conn_may_receive(const struct iscsi_conn *conn);
/** Hand the PDU held in @conn's receive buffers (conn->rx_held) to its
 *  handler now that its CmdSN is due; reading the connection resumes. */
void conn_run_held(struct iscsi_conn *conn);

/** Hand the request in conn->rx_bhs/rx_payload to its handler (rx.c,
 *  once the whole PDU is in and checked); it may wait for its CmdSN. */
void conn_dispatch(struct iscsi_conn *conn);

/* rx.c */
/** Set up @conn's receive state (at accept); -ENOMEM. */
int rx_init(struct iscsi_conn *conn);
/** Free @conn's receive buffers. */
void rx_free(struct iscsi_conn *conn);
/** Receive and handle PDUs: parse what is buffered, then, when @may_read,
 *  read the socket, until it has nothing more, ISCSI_PDUS_PER_WAKEUP
 *  PDUs were handled, or the connection must not go on (closed, logging
 *  out, transmit backlog, a request waiting). On the network thread. */
void rx_run(struct iscsi_conn *conn, bool may_read);
/** Bytes read from the socket and not parsed yet: rx_run() must be called
 *  again (with or without reading) once the connection may go on. */
bool rx_buffered(const struct iscsi_conn *conn);
/** @task, whose buffer the data segment being received goes into, is being
 *  freed: the rest of that segment is dropped, and so is the PDU. */
void rx_task_gone(struct iscsi_conn *conn, struct iscsi_task *task);

/* login.c */
/** Handle one Login Request (header in conn->rx_bhs, data at conn->rx_payload). */
void login_handle(struct iscsi_conn *conn);

/* auth.c: the security stage and the slow-down of repeated CHAP failures */
/** Choose who must authenticate from the first request's keys; sets which
 *  AuthMethods conn->neg accepts. Idempotent. */
void auth_decide(struct iscsi_conn *conn);
/**
 * Run the security stage on this request's keys (after negotiation).
 * Appends CHAP keys to @out; *@transit is cleared while authentication is
 * unfinished. Returns 0, or -1 after failing the login (status 0201).
 */
int auth_step(struct iscsi_conn *conn, struct kvbuf *out, bool *transit);
/** The negotiated session type and target (@t, NULL for discovery) are the
 *  ones the credentials were chosen for; else -1 after failing the login. */
int auth_check_decided(struct iscsi_conn *conn, const struct iscsi_target *t);
/** Leaving the security stage (or never entering it): -1 after failing the
 *  login when this initiator had to authenticate and did not. */
int auth_check_done(struct iscsi_conn *conn);
/** Milliseconds the answer to this request is held back: > 0 only for a
 *  CHAP response from an address or name with recent failures. */
uint64_t auth_hold_ms(struct iscsi_conn *conn);
/** Forget this connection's login secrets and held answer (on close). */
void auth_conn_closed(struct iscsi_conn *conn);
/** Whether this login proved CHAP credentials, or the policy of @t in
 *  force now requires none of its initiator. */
bool auth_chap_current(const struct iscsi_conn *conn, const struct iscsi_target *t);
/** Whether this connection's initiator (name and source address) may log
 *  in to @t under the access rules in force now. */
bool auth_acl_permits(const struct iscsi_conn *conn, const struct iscsi_target *t);
/** A reference to the policy of @t (NULL: discovery's) in force now:
 *  iscsi_policy_put() it. Login path only (takes srv->policy_mu). */
struct iscsi_policy *server_policy(struct iscsi_server *srv, const struct iscsi_target *t);
/** Whether initiator @name, connected from @sa (NULL: unknown), may log
 *  in under @p. */
bool auth_policy_permits(const struct iscsi_policy *p, const char *name,
			 const struct sockaddr *sa);
/** Free the failure table and drop the server's policies. */
void auth_server_free(struct iscsi_server *srv);

/* login.c (continued) */
/** Send a failed Login Response (@cls/@detail) and close after it; logs @why. */
void login_fail(struct iscsi_conn *conn, uint8_t cls, uint8_t detail, const char *why);
/** Answer the request whose header was saved in conn->auth.held_bhs. */
void login_resume(struct iscsi_conn *conn);
/** On the thread @conn migrated to: go on with the Login Request it
 *  brought (conn->mig_bhs, its keys in conn->text_in) where login_handle()
 *  left it for the migration. */
void login_handle_migrated(struct iscsi_conn *conn);

/* migrate.c: a login goes to the thread of its session */
/**
 * The Login Request sequence in conn->text_in (header @bhs) is complete:
 * when it is for a session (a normal one: initiator, ISID, target) that
 * another thread serves or is to serve, the connection is set to migrate
 * there, and true is returned: the request is processed there, and @conn
 * is not read here any more. Else false.
 */
bool migrate_login(struct iscsi_conn *conn, const uint8_t *bhs);
/** @conn is being freed: give back the placement it holds (any thread). */
void migrate_conn_gone(struct iscsi_conn *conn);
/** Sessions of @t linked on any thread: one more / one less (session.c). */
void place_session_count(struct iscsi_target *t, int delta);
unsigned place_sessions(struct iscsi_target *t);

/* handoff.c: a remote session's SCSI calls, made on its target's home */
/** Conn thread: send @task's chain message with @op to home (or, HO_...
 *  answers, home: back to the connection's thread). */
void handoff_task(struct iscsi_task *task, enum handoff_op op);
/** Conn thread: the connection closed while @task is at home: abort it
 *  there (once). */
void handoff_abort(struct iscsi_task *task);
/** The done() of a remote task, on home. */
void handoff_home_done(struct scsi_task *st);
/** Conn thread: register / remove @sess's nexus on home; the removal
 *  frees @sess once home has run it. */
void handoff_nexus_add(struct iscsi_session *sess);
void handoff_nexus_remove(struct iscsi_session *sess);
/* cmd.c: the connection's side of a remote task */
/** An answer (task->x_op) arrived for @task, on its connection's thread. */
void cmd_remote_answer(struct iscsi_task *task);
/** Home aborted @task while it waited for data-out (its connection's thread). */
void cmd_remote_aborted(struct iscsi_task *task);
/** Before-sleep, on @thr: hand the connections migrate_login() set aside
 *  to their threads. */
void migrate_flush(struct iscsi_thread *thr);

/* thread.c: the network threads */
/** Set up thread @i of @srv on @loop with completion queue @cq (@ev: its
 *  event thread, or NULL for a server of one plain loop). Creator's
 *  thread, before serving. Returns 0 or -errno. */
int iscsi_thread_init(struct iscsi_server *srv, unsigned i, struct ev_thread *ev,
		      struct evloop *loop, struct bs_cq *cq);
/** Creator's thread, after the threads have stopped: take @thr's hook
 *  work off its loop (the loop itself belongs to the caller). */
void iscsi_thread_fini(struct iscsi_thread *thr);
/** Thread 0: have every thread close its connections; @srv->shutdown_done
 *  runs on thread 0 once each reported it has none left. */
void iscsi_threads_shutdown(struct iscsi_server *srv);

/* conn_count.c: connection limits across threads */
/** Thread 0, at accept: whether one more connection from @host fits the
 *  limits (logs why not). */
bool conn_count_admit(struct iscsi_server *srv, const char *host);
/** Any thread: @conn is open (counted) / closed (no longer counted). */
void conn_count_add(struct iscsi_conn *conn);
void conn_count_del(struct iscsi_conn *conn);
void conn_counts_free(struct iscsi_server *srv);

/* session.c */
struct iscsi_session *session_create(struct iscsi_conn *conn);
/** Called when the last connection of @sess closes. */
void session_destroy(struct iscsi_session *sess);
/** Sessions are looked up among those of @thr: placement (migrate.c) puts
 *  every login for one initiator, ISID and target on the same thread. */
struct iscsi_session *session_find(struct iscsi_thread *thr, const char *initiator,
				   const uint8_t isid[6], const struct iscsi_target *target);
struct iscsi_session *session_find_tsih(struct iscsi_thread *thr, uint16_t tsih);
/*
 * MC/S (RFC 7143 sections 3.2.2.1, 4.2.2.1): commands reach the SCSI layer in
 * CmdSN order across the connections of a session. A non-immediate request
 * that arrives ahead of ExpCmdSN (but inside the window) while another
 * connection may still bring the missing ones stays in its connection's
 * receive buffers and the connection is not read any further (so its
 * Data-Out waits in the socket): at most one request waits per connection.
 * All on the session's thread (the event loop of its connections).
 */
/** True when the request in conn->rx_bhs must wait for an earlier CmdSN. */
bool session_must_wait(struct iscsi_conn *conn);
/** Run the waiting requests whose CmdSN has become due (or, when every
 *  connection of @sess waits, the lowest: the gap can no longer be filled). */
void session_release_held(struct iscsi_session *sess);
/** Task management reached commands still waiting for their CmdSN (ITT
 *  @itt or any for ISCSI_RSVD_TAG, on LUN @lun or any for UINT64_MAX):
 *  they will take their CmdSN and be dropped unanswered. Returns how many. */
int session_abort_held(struct iscsi_session *sess, uint32_t itt, uint64_t lun);
/** Connections of @sess that are not closed. */
int session_live_conns(struct iscsi_session *sess);
/** The live connection of @sess with @cid, or NULL. */
struct iscsi_conn *session_find_cid(struct iscsi_session *sess, uint16_t cid);
/** Add @conn (a non-leading login) to @sess; a live connection with the
 *  same CID is closed first (connection reinstatement). */
void session_add_conn(struct iscsi_session *sess, struct iscsi_conn *conn);
/** @conn failed (ERL 0: session recovery): close every other connection of
 *  its session, so the initiator recovers the session as a whole. */
void session_conn_failed(struct iscsi_conn *conn);
/** Check the CmdSN of a new request; true when it must be processed. */
bool session_check_cmdsn(struct iscsi_session *sess, const uint8_t *bhs);
/** The MaxCmdSN to advertise now, with @credit slots still taken counted as
 *  free (conn_fill_sn()); it never moves backwards (RFC 7143 section
 *  4.2.2.1), so it is also remembered as the window's end. */
uint32_t session_max_cmd_sn(struct iscsi_session *sess, uint32_t credit);
/** A command that took a CmdSN has been answered. */
void session_cmd_done(struct iscsi_session *sess);
/** The request whose header is @bhs has been answered: frees its window slot
 *  unless it was immediate (immediate requests take none). */
void session_req_done(struct iscsi_session *sess, const uint8_t *bhs);
struct iscsi_target *server_find_target(struct iscsi_server *srv, const char *name);
/** The target over @tgt, closed ones too, or NULL. Any thread. */
struct iscsi_target *server_find_scsi(struct iscsi_server *srv, const struct scsi_tgt *tgt);

/* portal.c */
/** Thread 0, at shutdown: stop listening on every portal. */
void portals_close_all(struct iscsi_server *srv);

/* server.c */
/** Whether @conn's login may create one more session of its target (the
 *  session it would reinstate does not count); logs when it may not. */
bool server_session_allowed(struct iscsi_server *srv, const struct iscsi_conn *conn);

/* cmd.c */
/** Handle the SCSI Command in conn->rx_bhs/rx_payload. When the connection's
 *  buffers are full it may set conn->rx_deferred and leave the PDU there
 *  untouched: the caller stops reading and calls it again later. */
void cmd_handle_scsi(struct iscsi_conn *conn);
/** Handle the Data-Out in conn->rx_bhs/rx_payload (its data may already be
 *  in place: cmd_data_out_dest()). */
void cmd_handle_data_out(struct iscsi_conn *conn);
/** Header phase of the Data-Out in conn->rx_bhs: the place in its task's
 *  buffer where its whole data segment belongs, when it is the next data
 *  that task waits for (right ITT, TTT, offset, length and DataSN), so it
 *  can be received straight there; NULL otherwise (it then goes through the
 *  scratch buffer and cmd_handle_data_out() decides). Changes nothing. Sets
 *  *@task to the task. The task stays until the PDU is handled, or
 *  rx_task_gone() is called when it is freed first. */
uint8_t *cmd_data_out_dest(struct iscsi_conn *conn, struct iscsi_task **task);
/** Connection closing: free the tasks still receiving data-out and abort
 *  the executing ones in the SCSI layer (they are freed when it lets go). */
void cmd_abort_all(struct iscsi_conn *conn);
/** Forget the tasks of @conn that wait for data-out only to send an early
 *  status (they are not in the SCSI layer's task set), for ITT @itt, or
 *  for every ITT when @itt is ISCSI_RSVD_TAG, on LUN @lun (UINT64_MAX: any).
 *  Returns how many were dropped. */
int cmd_drop_early(struct iscsi_conn *conn, uint32_t itt, uint64_t lun);

/* text.c */
void text_handle(struct iscsi_conn *conn);
/** Append the received data segment to conn->text_in (a C-bit sequence of
 *  login or text keys). Returns 0, -E2BIG past ISCSI_MAX_TEXT, or -ENOMEM. */
int text_append(struct iscsi_conn *conn, const uint8_t *data, uint32_t len);

/* ops.c: NOP, logout */
void ops_handle_nop_out(struct iscsi_conn *conn);
void ops_handle_logout(struct iscsi_conn *conn);
/* tmf.c */
/** Handle a Task Management Function Request (RFC 7143 section 11.5). */
void ops_handle_tmf(struct iscsi_conn *conn);
/** Keep-alive check of one connection, called about once a second: a NOP-In
 *  ping after nop_interval idle, closed without an answer in nop_timeout. A
 *  connection not read because a request waits (conn_rx_waiting()) is not
 *  pinged nor timed out; one holding a request for its CmdSN fails when it
 *  has waited twice interval + timeout. */
void ops_keepalive(struct iscsi_conn *conn, uint64_t now_ms);

/* async.c: Async Messages (RFC 7143 11.9). */
/** Ask the initiator to log out @conn within @wait_s seconds (AsyncEvent
 *  1); it is closed if it has not by then. Full feature phase only. */
void async_request_logout(struct iscsi_conn *conn, unsigned wait_s);
/** From the thread's tick: close @conn if its logout is overdue. */
void async_check(struct iscsi_conn *conn, uint64_t now_ms);
/** Reading @conn resumes after a request waited for its CmdSN or for
 *  buffers (the answer to a ping could not be read meanwhile): a ping still
 *  unanswered gets its whole timeout from @now_ms. On the event loop's
 *  thread. */
void ops_keepalive_resume(struct iscsi_conn *conn, uint64_t now_ms);

#endif
