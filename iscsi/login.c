/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The login phase (RFC 7143 section 6.3): stage transitions, key
 * negotiation, session creation, and a status class/detail for every failure.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "iscsi/iscsi.h"
#include "util/iscsi_name.h"
#include "util/log.h"
#include "util/log_escape.h"

struct login_rsp {
	uint8_t status_class;
	uint8_t status_detail;
	bool transit;
	int nsg;
};

static void login_enable_digests(struct iscsi_pdu *pdu, void *arg, bool ok)
{
	struct iscsi_conn *conn = arg;

	(void)pdu;
	/* Digests start with the first PDU after the final Login Response. */
	if (ok) {
		conn->hdr_digest = conn->params.header_digest;
		conn->data_digest = conn->params.data_digest;
	}
}

static void login_send(struct iscsi_conn *conn, const struct login_rsp *r, struct kvbuf *kv)
{
	struct iscsi_pdu *pdu = pdu_alloc(ISCSI_OP_LOGIN_RSP);
	uint8_t *bhs;

	if (!pdu || (kv && kv->len && pdu_set_data_copy(pdu, kv->data, (uint32_t)kv->len) < 0)) {
		pdu_free(pdu);
		conn_close(conn, "out of memory");
		return;
	}
	bhs = pdu->bhs;
	bhs[BHS_FLAGS] = (uint8_t)((r->transit ? ISCSI_LOGIN_TRANSIT : 0) |
				   (conn->login_stage << 2) | (r->transit ? r->nsg : 0));
	bhs[BHS_LOGIN_VERSION_MAX] = 0;
	bhs[BHS_LOGIN_VERSION_MIN] = 0;
	memcpy(bhs + BHS_LOGIN_ISID, conn->login_isid, 6);
	put_be16(bhs + BHS_LOGIN_TSIH, conn->sess && r->status_class == LOGIN_CLASS_SUCCESS &&
						       r->transit && r->nsg == ISCSI_STAGE_FULL_FEATURE
					       ? conn->sess->tsih : conn->login_tsih);
	bhs_set_u32(bhs, BHS_ITT, conn->login_itt);
	bhs[BHS_LOGIN_STATUS_CLASS] = r->status_class;
	bhs[BHS_LOGIN_STATUS_DETAIL] = r->status_detail;
	conn_fill_sn(conn, pdu, true, 0);
	if (!conn->sess) {
		/* A connection joining a session sees that session's window. */
		const struct iscsi_session *s = conn->login_tsih
			? session_find_tsih(conn->thr, conn->login_tsih) : NULL;

		bhs_set_u32(bhs, BHS_EXPCMDSN, s ? s->exp_cmd_sn : conn->login_cmdsn);
		bhs_set_u32(bhs, BHS_MAXCMDSN, s ? s->max_cmd_sn
						 : conn->login_cmdsn + ISCSI_QUEUE_DEPTH - 1);
	}
	if (r->status_class == LOGIN_CLASS_SUCCESS && r->transit &&
	    r->nsg == ISCSI_STAGE_FULL_FEATURE) {
		pdu->sent = login_enable_digests;
		pdu->sent_arg = conn;
	}
	conn_send(conn, pdu);
}

void login_fail(struct iscsi_conn *conn, uint8_t cls, uint8_t detail, const char *why)
{
	struct login_rsp r = { .status_class = cls, .status_detail = detail };

	iscsi_count(&conn->srv->ctr.login_failures[iscsi_lf_index(cls, detail)]);
	LOG_WARN_RL(&conn->thr->rl_login_fail, "login", "%s: login failed (%02x/%02x): %s",
		    conn->peer, cls, detail, why);
	login_send(conn, &r, NULL);
	/* The connection closes once the response is on the wire. */
	conn_set_state(conn, CONN_LOGOUT);
}

/* Checks of one Login Request header against the login so far. */
static int check_request(struct iscsi_conn *conn, const uint8_t *bhs, const char **why)
{
	uint8_t flags = bhs[BHS_FLAGS];
	int csg = (flags >> 2) & 3, nsg = flags & 3;
	bool transit = flags & ISCSI_LOGIN_TRANSIT;

	if (bhs[BHS_LOGIN_VERSION_MIN] > 0) {
		*why = "unsupported version";
		return LOGIN_DETAIL_UNSUPPORTED_VERSION;
	}
	if (transit && (flags & ISCSI_LOGIN_CONTINUE)) {
		*why = "T and C both set";
		return LOGIN_DETAIL_INIT_ERR;
	}
	if (csg == 2 || (transit && (nsg == 2 || nsg <= csg))) {
		*why = "bad CSG/NSG";
		return LOGIN_DETAIL_INIT_ERR;
	}
	if (conn->login_started &&
	    (memcmp(conn->login_isid, bhs + BHS_LOGIN_ISID, 6) != 0 ||
	     conn->login_tsih != get_be16(bhs + BHS_LOGIN_TSIH) ||
	     csg != conn->login_stage)) {
		*why = "ISID, TSIH or stage changed during login";
		return LOGIN_DETAIL_INIT_ERR;
	}
	return -1;
}

static void login_start(struct iscsi_conn *conn, const uint8_t *bhs)
{
	conn->login_started = true;
	memcpy(conn->login_isid, bhs + BHS_LOGIN_ISID, 6);
	conn->login_tsih = get_be16(bhs + BHS_LOGIN_TSIH);
	conn->login_cmdsn = bhs_u32(bhs, BHS_CMDSN);
	conn->cid = get_be16(bhs + BHS_LOGIN_CID);
	conn->login_stage = (bhs[BHS_FLAGS] >> 2) & 3;
	conn->stat_sn = bhs_u32(bhs, BHS_EXPSTATSN);
	iscsi_neg_init(&conn->neg, &conn->params, &conn->srv->lim, conn->login_tsih == 0, true);
}

/*
 * A name that is not an iqn./eui./naa. name (util/iscsi_name.h). RFC 7143
 * 11.13.5 has no status for a malformed name: a bad InitiatorName is a
 * malformed request, 0200 (initiator error; 0207 is for a name that is
 * missing); a bad TargetName names no target there can be, 0203 (not
 * found), which initiators already treat as final. The log shows the name
 * escaped: it is whatever the initiator sent.
 */
static int check_name(struct iscsi_conn *conn, const char *key, const char *name,
		      uint8_t detail)
{
	const char *why = iscsi_name_problem(name, false);
	char esc[LOG_ESC_LEN], msg[LOG_ESC_LEN + 128];

	if (!why)
		return 0;
	snprintf(msg, sizeof(msg), "%s \"%s\": %s", key, log_escape(esc, sizeof(esc), name), why);
	login_fail(conn, LOGIN_CLASS_INITIATOR_ERR, detail, msg);
	return -1;
}

/* Session-level checks once the first stage's keys are known; -1 = failed. */
static int check_identity(struct iscsi_conn *conn)
{
	struct iscsi_params *p = &conn->params;
	struct iscsi_target *t;

	if (!p->initiator_name[0]) {
		login_fail(conn, LOGIN_CLASS_INITIATOR_ERR, LOGIN_DETAIL_MISSING_PARAMETER,
			   "no InitiatorName");
		return -1;
	}
	if (check_name(conn, "InitiatorName", p->initiator_name, LOGIN_DETAIL_INIT_ERR) < 0)
		return -1;
	if (p->discovery)
		return auth_check_decided(conn, NULL);
	if (!p->target_name[0]) {
		login_fail(conn, LOGIN_CLASS_INITIATOR_ERR, LOGIN_DETAIL_MISSING_PARAMETER,
			   "no TargetName");
		return -1;
	}
	if (check_name(conn, "TargetName", p->target_name, LOGIN_DETAIL_NOT_FOUND) < 0)
		return -1;
	t = server_find_target(conn->srv, p->target_name);
	if (!t || !auth_acl_permits(conn, t)) {
		char esc[LOG_ESC_LEN], esc2[LOG_ESC_LEN], msg[2 * LOG_ESC_LEN + 64];

		log_escape(esc, sizeof(esc), p->target_name);
		if (!t)
			snprintf(msg, sizeof(msg), "unknown target %s", esc);
		else
			snprintf(msg, sizeof(msg), "%s may not log in to %s (access rules)",
				 log_escape(esc2, sizeof(esc2), p->initiator_name), esc);
		/* RFC 7143 11.13.5: 0202 "Authorization failure". */
		login_fail(conn, LOGIN_CLASS_INITIATOR_ERR,
			   t ? LOGIN_DETAIL_FORBIDDEN : LOGIN_DETAIL_NOT_FOUND, msg);
		return -1;
	}
	return auth_check_decided(conn, t);
}

/*
 * The security stage (RFC 7143 section 12.1): an AuthMethod offer we cannot
 * take fails the login, CHAP runs in auth.c, and nobody leaves the stage (or
 * skips it) without authenticating where the target requires it.
 */
static int check_auth(struct iscsi_conn *conn, struct login_rsp *r, struct kvbuf *out)
{
	if (conn->login_stage == ISCSI_STAGE_SECURITY) {
		if (kv_find(conn->text_in, conn->text_in_len, "AuthMethod") &&
		    !conn->params.auth_method[0]) {
			login_fail(conn, LOGIN_CLASS_INITIATOR_ERR, LOGIN_DETAIL_AUTH_FAILED,
				   "no acceptable AuthMethod");
			return -1;
		}
		if (auth_step(conn, out, &r->transit) < 0)
			return -1;
	}
	if (conn->login_stage != ISCSI_STAGE_SECURITY || r->transit)
		return auth_check_done(conn);
	return 0;
}

/* A connection added to a session runs with the session's values of the
 * leading-only keys and its own connection-only ones (RFC 7143 section 6.3). */
static void adopt_session_params(struct iscsi_conn *conn, const struct iscsi_params *s)
{
	struct iscsi_params own = conn->params;

	conn->params = *s;
	conn->params.header_digest = own.header_digest;
	conn->params.data_digest = own.data_digest;
	conn->params.max_xmit_dlen = own.max_xmit_dlen;
	conn->params.max_recv_dlen = own.max_recv_dlen;
	memcpy(conn->params.auth_method, own.auth_method, sizeof(own.auth_method));
}

/* Login with a non-zero TSIH (RFC 7143 section 6.3.1): add this connection
 * to that session, which must have the same initiator, ISID and target. */
static int join_session(struct iscsi_conn *conn)
{
	struct iscsi_server *srv = conn->srv;
	struct iscsi_session *s = session_find_tsih(conn->thr, conn->login_tsih);
	const struct iscsi_target *t = conn->params.discovery ? NULL
				       : server_find_target(srv, conn->params.target_name);

	if (!s || s->failed || s->target != t || memcmp(s->isid, conn->login_isid, 6) != 0 ||
	    strcasecmp(s->params.initiator_name, conn->params.initiator_name) != 0) {
		login_fail(conn, LOGIN_CLASS_INITIATOR_ERR, LOGIN_DETAIL_SESSION_NOT_FOUND,
			   "no session with that TSIH, ISID, initiator and target");
		return -1;
	}
	if (s->params.discovery) {
		login_fail(conn, LOGIN_CLASS_INITIATOR_ERR, LOGIN_DETAIL_TOO_MANY_CONNECTIONS,
			   "a discovery session has one connection");
		return -1;
	}
	/* A session lives within one target portal group (RFC 7143 section 4.4.1). */
	if (s->itn.rel_port_id != conn->portal->tpgt) {
		login_fail(conn, LOGIN_CLASS_INITIATOR_ERR, LOGIN_DETAIL_NO_SESSION_SPANNING,
			   "the session belongs to another portal group");
		return -1;
	}
	/* The CID of a live connection replaces it (reinstatement): no new slot. */
	if (!session_find_cid(s, conn->cid) &&
	    session_live_conns(s) >= (int)s->params.max_connections) {
		LOG_WARN("login", "%s: tsih %u already has %u connections (MaxConnections)",
			 conn->peer, s->tsih, s->params.max_connections);
		login_fail(conn, LOGIN_CLASS_INITIATOR_ERR, LOGIN_DETAIL_TOO_MANY_CONNECTIONS,
			   "MaxConnections reached");
		return -1;
	}
	adopt_session_params(conn, &s->params);
	session_add_conn(s, conn);
	return 0;
}

/* Enter full feature phase: find or make the session. -1 = failed. */
static int login_finish(struct iscsi_conn *conn)
{
	struct iscsi_server *srv = conn->srv;
	struct iscsi_target *t = NULL;
	char ini[LOG_ESC_LEN], tgt[LOG_ESC_LEN];

	if (conn->thr->shutting_down) {
		login_fail(conn, LOGIN_CLASS_TARGET_ERR, LOGIN_DETAIL_SERVICE_UNAVAILABLE,
			   "shutting down");
		return -1;
	}
	/* Removed while this login went on (the target is found no more):
	 * no session is made for it (iscsi_server_close_target()). */
	if (!conn->params.discovery && !(t = server_find_target(srv, conn->params.target_name))) {
		login_fail(conn, LOGIN_CLASS_INITIATOR_ERR, LOGIN_DETAIL_TARGET_REMOVED,
			   "the target was removed");
		return -1;
	}
	/* The access rules may have changed since they were checked; what
	 * joins a session from here on is seen by the sweep that follows a
	 * change (iscsi_server_policy_logout()). */
	if (t && !auth_acl_permits(conn, t)) {
		login_fail(conn, LOGIN_CLASS_INITIATOR_ERR, LOGIN_DETAIL_FORBIDDEN,
			   "the access rules changed during the login");
		return -1;
	}
	/* Credentials chosen before CHAP was required (a target added, then
	 * given CHAP): this login proved none. */
	if (t && !auth_chap_current(conn, t)) {
		login_fail(conn, LOGIN_CLASS_INITIATOR_ERR, LOGIN_DETAIL_AUTH_FAILED,
			   "CHAP became required during the login");
		return -1;
	}
	if (conn->login_tsih) {
		if (join_session(conn) < 0)
			return -1;
	} else if (!server_session_allowed(srv, conn)) {
		login_fail(conn, LOGIN_CLASS_TARGET_ERR, LOGIN_DETAIL_OUT_OF_RESOURCES,
			   "too many sessions to the target");
		return -1;
	} else if (!session_create(conn)) {
		login_fail(conn, LOGIN_CLASS_TARGET_ERR, LOGIN_DETAIL_OUT_OF_RESOURCES,
			   "cannot create session");
		return -1;
	}
	conn_set_state(conn, CONN_FULL_FEATURE);
	iscsi_count(conn->params.discovery ? &srv->ctr.logins_discovery : &srv->ctr.logins_normal);
	/* The names were checked (check_identity), escaped all the same. */
	log_msg_rl(&conn->thr->rl_login_ok, LOG_LVL_INFO, "login",
		   "%s: %s session %u (CID %u, %d connections) for %s%s%s", conn->peer,
		   conn->params.discovery ? "discovery" : "normal", conn->sess->tsih, conn->cid,
		   session_live_conns(conn->sess),
		   log_escape(ini, sizeof(ini), conn->params.initiator_name),
		   conn->params.discovery ? "" : " to ",
		   conn->params.discovery ? "" : log_escape(tgt, sizeof(tgt), conn->params.target_name));
	return 0;
}

static int add_declarations(struct iscsi_conn *conn, const struct login_rsp *r, struct kvbuf *out)
{
	bool operational = conn->login_stage == ISCSI_STAGE_OPERATIONAL ||
			   (r->transit && r->nsg == ISCSI_STAGE_FULL_FEATURE);

	if (!conn->params.discovery && !conn->login_sent_tpgt) {
		char tag[8];

		/* RFC 7143 13.9: in the first Login Response of a normal session. */
		snprintf(tag, sizeof(tag), "%u", conn->portal->tpgt);
		if (kv_append(out, "TargetPortalGroupTag", tag) < 0)
			return -ENOMEM;
		conn->login_sent_tpgt = true;
	}
	if (operational && iscsi_param_declare(&conn->neg, out) < 0)
		return -ENOMEM;
	return 0;
}

static void login_step(struct iscsi_conn *conn, const uint8_t *bhs)
{
	struct login_rsp r = { .transit = bhs[BHS_FLAGS] & ISCSI_LOGIN_TRANSIT,
			       .nsg = bhs[BHS_FLAGS] & 3 };
	struct kvbuf out = { 0 };
	int rc;

	auth_decide(conn);
	rc = iscsi_param_negotiate(&conn->neg, conn->text_in, conn->text_in_len, &out);
	if (rc < 0) {
		kv_free(&out);
		if (rc == NEG_ERR_NOMEM)
			login_fail(conn, LOGIN_CLASS_TARGET_ERR, LOGIN_DETAIL_OUT_OF_RESOURCES,
				   "out of memory");
		else
			login_fail(conn, LOGIN_CLASS_INITIATOR_ERR, LOGIN_DETAIL_INIT_ERR,
				   rc == NEG_ERR_DUPLICATE ? "duplicate key" : "malformed keys");
		return;
	}
	if (check_identity(conn) < 0 || check_auth(conn, &r, &out) < 0) {
		kv_free(&out);
		return;
	}
	if (add_declarations(conn, &r, &out) < 0) {
		kv_free(&out);
		login_fail(conn, LOGIN_CLASS_TARGET_ERR, LOGIN_DETAIL_OUT_OF_RESOURCES,
			   "out of memory");
		return;
	}
	if (r.transit && r.nsg == ISCSI_STAGE_FULL_FEATURE && login_finish(conn) < 0) {
		kv_free(&out);
		return;
	}
	login_send(conn, &r, &out);
	kv_free(&out);
	if (r.transit)
		conn->login_stage = r.nsg;
}

static void login_answer(struct iscsi_conn *conn, const uint8_t *bhs)
{
	login_step(conn, bhs);
	free(conn->text_in);
	conn->text_in = NULL;
	conn->text_in_len = 0;
}

static void on_hold_done(struct evloop *loop, void *arg)
{
	struct iscsi_conn *conn = arg;

	(void)loop;
	conn->auth.hold_timer = 0;
	login_resume(conn);
}

void login_resume(struct iscsi_conn *conn)
{
	if (conn->state == CONN_LOGIN)
		login_answer(conn, conn->auth.held_bhs);
}

/* After CHAP failures from this address or name, answer the response later. */
static bool hold_answer(struct iscsi_conn *conn, const uint8_t *bhs)
{
	uint64_t ms = auth_hold_ms(conn);

	if (!ms)
		return false;
	memcpy(conn->auth.held_bhs, bhs, ISCSI_BHS_LEN);
	conn->auth.hold_timer = evloop_add_timer(conn->thr->loop, ms, on_hold_done, conn);
	if (!conn->auth.hold_timer) {
		login_fail(conn, LOGIN_CLASS_TARGET_ERR, LOGIN_DETAIL_OUT_OF_RESOURCES,
			   "out of memory");
		return true;
	}
	iscsi_count(&conn->srv->ctr.chap_holds);
	LOG_WARN_RL(&conn->thr->rl_login_hold, "login",
		    "%s: earlier CHAP failures: answering in %llu ms", conn->peer,
		    (unsigned long long)ms);
	return true;
}

void login_handle(struct iscsi_conn *conn)
{
	const uint8_t *bhs = conn->rx_bhs;
	const char *why = NULL;
	int detail;

	if (conn->auth.hold_timer) {
		/* The initiator must wait for our answer (RFC 7143 section 6.3). */
		conn_close(conn, "Login Request while the previous one awaits its answer");
		return;
	}
	if (!conn->login_started)
		login_start(conn, bhs);
	conn->login_itt = bhs_u32(bhs, BHS_ITT);
	detail = check_request(conn, bhs, &why);
	if (detail >= 0) {
		login_fail(conn, LOGIN_CLASS_INITIATOR_ERR, (uint8_t)detail, why);
		return;
	}
	if (text_append(conn, conn->rx_payload, bhs_data_len(bhs)) < 0) {
		login_fail(conn, LOGIN_CLASS_INITIATOR_ERR, LOGIN_DETAIL_INIT_ERR,
			   "too many login keys");
		return;
	}
	if (bhs[BHS_FLAGS] & ISCSI_LOGIN_CONTINUE) {
		/* More keys follow: acknowledge with an empty response (RFC 7143 11.12.2). */
		struct login_rsp r = { 0 };

		login_send(conn, &r, NULL);
		return;
	}
	if (migrate_login(conn, bhs) || hold_answer(conn, bhs))
		return;
	login_answer(conn, bhs);
}

void login_handle_migrated(struct iscsi_conn *conn)
{
	if (conn->state != CONN_LOGIN || hold_answer(conn, conn->mig_bhs))
		return;
	login_answer(conn, conn->mig_bhs);
}
