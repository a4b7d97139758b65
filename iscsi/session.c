/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Sessions: identity (ISID, TSIH), the I_T nexus handed to the SCSI layer,
 * the CmdSN window (RFC 7143 section 4.2.2.1), and its connections (MC/S):
 * adding and reinstating them, CmdSN order across them, and ending the
 * session when one fails. Every connection of a session is served by the
 * same thread (migrate.c places it): the order logic runs one connection's
 * handler from another's. A session on another thread than its target's
 * home hands its nexus and its commands to home (handoff.c).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "iscsi/iscsi.h"
#include "util/log.h"

struct iscsi_target *server_find_target(struct iscsi_server *srv, const char *name)
{
	struct iscsi_target *found = NULL;
	struct list_node *pos;

	pthread_rwlock_rdlock(&srv->targets_lock);
	for (pos = srv->targets.next; pos != &srv->targets && !found; pos = pos->next) {
		struct iscsi_target *t = container_of(pos, struct iscsi_target, link);

		/* iSCSI names compare case-insensitively (RFC 3722 stringprep
		 * folds case); a removed target is not there any more. */
		if (!atomic_load(&t->closed) && strcasecmp(t->name, name) == 0)
			found = t;
	}
	pthread_rwlock_unlock(&srv->targets_lock);
	return found;
}

struct iscsi_session *session_find(struct iscsi_thread *thr, const char *initiator,
				   const uint8_t isid[6], const struct iscsi_target *target)
{
	struct list_node *pos;

	for (pos = thr->sessions.next; pos != &thr->sessions; pos = pos->next) {
		struct iscsi_session *s = container_of(pos, struct iscsi_session, link);

		if (s->target == target && memcmp(s->isid, isid, 6) == 0 &&
		    strcasecmp(s->params.initiator_name, initiator) == 0)
			return s;
	}
	return NULL;
}

struct iscsi_session *session_find_tsih(struct iscsi_thread *thr, uint16_t tsih)
{
	struct list_node *pos;

	for (pos = thr->sessions.next; pos != &thr->sessions; pos = pos->next) {
		struct iscsi_session *s = container_of(pos, struct iscsi_session, link);

		if (s->tsih == tsih)
			return s;
	}
	return NULL;
}

/* The counter is shared by the threads (a TSIH names one session of the
 * server, whichever thread serves it); the check for one still in use
 * after a wrap looks at this thread's sessions, where a TSIH is looked up. */
static uint16_t next_tsih(struct iscsi_thread *thr)
{
	uint16_t t;

	do {
		t = (uint16_t)(atomic_fetch_add(&thr->srv->next_tsih, 1) + 1);
	} while (t == 0 || session_find_tsih(thr, t));
	return t;
}

/* Session reinstatement (RFC 7143 section 6.3.5): the old one goes. */
static void reinstate(struct iscsi_thread *thr, struct iscsi_conn *conn,
		      const struct iscsi_target *target)
{
	struct iscsi_session *old = session_find(thr, conn->params.initiator_name,
						 conn->login_isid, target);
	struct list_node *pos, *tmp;

	if (!old)
		return;
	LOG_INFO("session", "%s: reinstating session %u", conn->peer, old->tsih);
	list_for_each_safe(pos, tmp, &old->conns)
		conn_close_clean(container_of(pos, struct iscsi_conn, sess_link),
				 "session reinstated");
	/* Unlink now, so a lookup cannot find it while its I/O drains. */
	list_del(&old->link);
	old->tsih = 0;
	if (old->target)
		place_session_count(old->target, -1);
}

static void set_itn(struct iscsi_session *s, struct iscsi_conn *conn)
{
	const uint8_t *i = s->isid;

	s->itn.id = atomic_fetch_add(&conn->srv->next_itn_id, 1) + 1;
	snprintf(s->itn.initiator_port, sizeof(s->itn.initiator_port),
		 "%s,i,0x%02x%02x%02x%02x%02x%02x", s->params.initiator_name,
		 i[0], i[1], i[2], i[3], i[4], i[5]);
	snprintf(s->itn.target_port, sizeof(s->itn.target_port), "%s,t,0x%04x",
		 s->target ? s->target->name : "", conn->portal->tpgt);
	s->itn.rel_port_id = conn->portal->tpgt;
	if (s->target) {
		const struct iscsi_initiator *e;

		/* The policy in force now (login_finish() checked the access
		 * rules under it), kept while the nexus lives. */
		s->policy = server_policy(s->srv, s->target);
		e = iscsi_policy_initiator(s->policy, s->params.initiator_name);
		s->itn.lun_map = e && e->mapped ? &e->map : NULL;
	}
}

struct iscsi_session *session_create(struct iscsi_conn *conn)
{
	struct iscsi_server *srv = conn->srv;
	struct iscsi_session *s = calloc(1, sizeof(*s));
	struct iscsi_target *target = NULL;

	if (!s)
		return NULL;
	if (!conn->params.discovery)
		target = server_find_target(srv, conn->params.target_name);
	reinstate(conn->thr, conn, target);
	s->srv = srv;
	s->thr = conn->thr;
	s->target = target;
	s->params = conn->params;
	s->chap = conn->auth.required && conn->auth.done;
	memcpy(s->isid, conn->login_isid, 6);
	s->tsih = next_tsih(conn->thr);
	s->exp_cmd_sn = conn->login_cmdsn;
	s->max_cmd_sn = conn->login_cmdsn + ISCSI_QUEUE_DEPTH - 1;
	list_init(&s->conns);
	list_add_tail(&conn->thr->sessions, &s->link);
	list_add_tail(&s->conns, &conn->sess_link);
	s->nconns = 1;
	conn->sess = s;
	if (target) {
		place_session_count(target, 1);
		set_itn(s, conn);
		s->remote = target->home != conn->thr;
		LOG_DEBUG("session", "%s: tsih %u of %s on thread %u (%s)", conn->peer, s->tsih,
			  target->name, conn->thr->index,
			  s->remote ? "handing its commands to the target's thread" : "the target's");
		if (s->remote)
			handoff_nexus_add(s);
		else
			scsi_tgt_nexus_add(target->scsi, &s->itn);
		s->nexus_added = true;
	}
	return s;
}

void session_destroy(struct iscsi_session *sess)
{
	if (sess->tsih) {
		list_del(&sess->link);
		if (sess->target)
			place_session_count(sess->target, -1);
	}
	if (sess->nexus_added && sess->remote) {
		handoff_nexus_remove(sess);	/* frees it */
		return;
	}
	if (sess->nexus_added)
		scsi_tgt_nexus_remove(sess->target->scsi, &sess->itn);
	iscsi_policy_put(sess->policy);
	free(sess);
}

bool session_check_cmdsn(struct iscsi_session *sess, const uint8_t *bhs)
{
	uint32_t cmdsn = bhs_u32(bhs, BHS_CMDSN);

	if (bhs_immediate(bhs))
		return true;
	/* Outside [ExpCmdSN, MaxCmdSN]: silently ignored (RFC 7143 section 4.2.2.1). */
	if (sn_lt(cmdsn, sess->exp_cmd_sn) || sn_lt(sess->max_cmd_sn, cmdsn)) {
		iscsi_count(&sess->srv->ctr.cmdsn_dropped);
		LOG_WARN_RL(&sess->thr->rl_cmdsn, "session",
			    "tsih %u: CmdSN %u outside window [%u, %u], ignored", sess->tsih, cmdsn,
			    sess->exp_cmd_sn, sess->max_cmd_sn);
		return false;
	}
	/* session_must_wait() held back everything ahead of ExpCmdSN that
	 * another connection could still fill in; what gets here ahead of it
	 * (one connection, or every connection waiting) skips the gap. */
	if (cmdsn != sess->exp_cmd_sn)
		LOG_DEBUG("session", "tsih %u: CmdSN %u skips from %u", sess->tsih, cmdsn,
			  sess->exp_cmd_sn);
	sess->exp_cmd_sn = cmdsn + 1;
	sess->in_flight++;
	return true;
}

uint32_t session_max_cmd_sn(struct iscsi_session *sess, uint32_t credit)
{
	uint32_t busy = sess->in_flight > credit ? sess->in_flight - credit : 0;
	uint32_t max = sess->exp_cmd_sn + ISCSI_QUEUE_DEPTH - 1 - busy;

	if (sn_lt(sess->max_cmd_sn, max))
		sess->max_cmd_sn = max;
	return sess->max_cmd_sn;
}

void session_cmd_done(struct iscsi_session *sess)
{
	if (sess->in_flight)
		sess->in_flight--;
}

void session_req_done(struct iscsi_session *sess, const uint8_t *bhs)
{
	if (!bhs_immediate(bhs))
		session_cmd_done(sess);
}

/* ---- connections of a session (MC/S) ---- */

#define for_each_conn(pos, sess) \
	for (pos = (sess)->conns.next; pos != &(sess)->conns; pos = pos->next)

static struct iscsi_conn *sess_conn(struct list_node *pos)
{
	return container_of(pos, struct iscsi_conn, sess_link);
}

int session_live_conns(struct iscsi_session *sess)
{
	struct list_node *pos;
	int n = 0;

	for_each_conn(pos, sess)
		n += sess_conn(pos)->state != CONN_CLOSED;
	return n;
}

struct iscsi_conn *session_find_cid(struct iscsi_session *sess, uint16_t cid)
{
	struct list_node *pos;

	for_each_conn(pos, sess) {
		struct iscsi_conn *c = sess_conn(pos);

		if (c->cid == cid && c->state != CONN_CLOSED)
			return c;
	}
	return NULL;
}

void session_add_conn(struct iscsi_session *sess, struct iscsi_conn *conn)
{
	struct iscsi_conn *old = session_find_cid(sess, conn->cid);

	if (old) {
		/* Connection reinstatement (RFC 7143 section 6.3.4): at ERL 0
		 * the old connection's tasks are aborted, not reassigned. */
		LOG_INFO("session", "%s: tsih %u: reinstating CID %u (was %s)", conn->peer,
			 sess->tsih, conn->cid, old->peer);
		conn_close_clean(old, "connection reinstated");
	}
	list_add_tail(&sess->conns, &conn->sess_link);
	sess->nconns++;
	conn->sess = sess;
}

void session_conn_failed(struct iscsi_conn *conn)
{
	struct iscsi_session *sess = conn->sess;
	struct list_node *pos;

	if (!sess || sess->failed || sess->thr->shutting_down || session_live_conns(sess) == 0)
		return;
	/* ErrorRecoveryLevel 0 knows no connection recovery (RFC 7143 section
	 * 7: "session recovery" only): the initiator recovers a failed
	 * connection by reinstating the whole session, so the target ends the
	 * other connections and their tasks now rather than at that login. */
	sess->failed = true;
	LOG_WARN("session", "tsih %u: connection %s failed: closing the session", sess->tsih,
		 conn->peer);
	for_each_conn(pos, sess) {
		struct iscsi_conn *c = sess_conn(pos);

		/* One in CONN_LOGOUT closes once its last PDU (a Logout or
		 * TARGET COLD RESET response) is out: let it go out. */
		if (c != conn && c->state != CONN_CLOSED && c->state != CONN_LOGOUT)
			conn_close(c, "another connection of the session failed");
	}
}

static bool takes_cmdsn(const uint8_t *bhs)
{
	switch (bhs_opcode(bhs)) {
	case ISCSI_OP_SCSI_CMD:
	case ISCSI_OP_TMF_REQ:
	case ISCSI_OP_TEXT_REQ:
	case ISCSI_OP_LOGOUT_REQ:
		return true;
	case ISCSI_OP_NOP_OUT:	/* not the answer to our ping */
		return bhs_u32(bhs, BHS_ITT) != ISCSI_RSVD_TAG;
	default:
		return false;
	}
}

/* A connection that may still bring a CmdSN: in full feature phase, read. */
static bool can_fill_gap(const struct iscsi_conn *c)
{
	return c->state == CONN_FULL_FEATURE && !c->rx_held;
}

bool session_must_wait(struct iscsi_conn *conn)
{
	struct iscsi_session *sess = conn->sess;
	const uint8_t *bhs = conn->rx_bhs;
	uint32_t cmdsn = bhs_u32(bhs, BHS_CMDSN);
	struct list_node *pos;

	if (!sess || bhs_immediate(bhs) || !takes_cmdsn(bhs))
		return false;
	/* Due, stale, or outside the window: the handler decides at once. */
	if (!sn_lt(sess->exp_cmd_sn, cmdsn) || sn_lt(sess->max_cmd_sn, cmdsn))
		return false;
	/* Wait while another connection may still bring the gap, or holds an
	 * earlier CmdSN (that one goes first, even when the gap is skipped). */
	for_each_conn(pos, sess) {
		struct iscsi_conn *c = sess_conn(pos);

		if (c != conn && (can_fill_gap(c) ||
				  (c->rx_held && sn_lt(bhs_u32(c->rx_bhs, BHS_CMDSN), cmdsn)))) {
			LOG_DEBUG("session", "%s: CmdSN %u waits for %u", conn->peer, cmdsn,
				  sess->exp_cmd_sn);
			return true;
		}
	}
	return false;
}

/* The next held request to run, or NULL. */
static struct iscsi_conn *next_due(struct iscsi_session *sess)
{
	struct iscsi_conn *lowest = NULL;
	bool gap_fillable = false;
	struct list_node *pos;

	for_each_conn(pos, sess) {
		struct iscsi_conn *c = sess_conn(pos);
		uint32_t sn = bhs_u32(c->rx_bhs, BHS_CMDSN);

		gap_fillable |= can_fill_gap(c);
		if (!c->rx_held || c->state != CONN_FULL_FEATURE)
			continue;
		if (!sn_lt(sess->exp_cmd_sn, sn))
			return c;
		if (!lowest || sn_lt(sn, bhs_u32(lowest->rx_bhs, BHS_CMDSN)))
			lowest = c;
	}
	if (gap_fillable || !lowest)
		return NULL;
	LOG_WARN("session", "tsih %u: no connection can bring CmdSN %u: skipping to %u",
		 sess->tsih, sess->exp_cmd_sn, bhs_u32(lowest->rx_bhs, BHS_CMDSN));
	return lowest;
}

void session_release_held(struct iscsi_session *sess)
{
	struct iscsi_conn *c;

	/* Each run may make the next one due; one held request per connection
	 * bounds the loop. Nested calls (a handler closing a connection) leave
	 * the work to the outer loop. */
	if (sess->releasing)
		return;
	sess->releasing = true;
	while ((c = next_due(sess)) != NULL)
		conn_run_held(c);
	sess->releasing = false;
}

int session_abort_held(struct iscsi_session *sess, uint32_t itt, uint64_t lun)
{
	struct list_node *pos;
	int n = 0;

	for_each_conn(pos, sess) {
		struct iscsi_conn *c = sess_conn(pos);
		const uint8_t *bhs = c->rx_bhs;

		if (!c->rx_held || c->rx_held_aborted || bhs_opcode(bhs) != ISCSI_OP_SCSI_CMD ||
		    (itt != ISCSI_RSVD_TAG && bhs_u32(bhs, BHS_ITT) != itt) ||
		    (lun != UINT64_MAX && scsi_lun_decode(bhs + BHS_LUN) != lun))
			continue;
		c->rx_held_aborted = true;
		n++;
	}
	return n;
}
