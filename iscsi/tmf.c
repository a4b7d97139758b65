/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Task Management Function Requests (RFC 7143 section 11.5, the query and
 * I_T NEXUS RESET functions of RFC 7144): the request is mapped to a SCSI
 * task management function (scsi_tmf_execute) and answered when that has
 * completed, i.e. after every task it aborted is gone. Aborted tasks get no
 * SCSI Response.
 *
 * TARGET COLD RESET also ends every connection to the target once the
 * response has been sent; TARGET WARM RESET keeps them.
 *
 * Both reset every initiator's state on the target (and a cold reset ends
 * their sessions), so one initiator could disrupt all the others with
 * them: they are refused unless the target allows them
 * (scsi_tgt_target_reset_allowed(), --allow-target-reset). The answer is
 * "Function authorization failed" (6) rather than "Task management
 * function not supported" (5) or "Function rejected" (255): the function
 * exists and is well formed, this initiator is just not authorized to use
 * it here, which is what RFC 7143 11.6.1 has response 6 for (and an
 * initiator that sees 6 escalates to session recovery, as it would after
 * any refused reset).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "iscsi/iscsi.h"
#include "util/log.h"
#include "util/log_escape.h"

/* Function codes (RFC 7143 11.5.1; 9-11 from RFC 7144) */
enum {
	TMF_ABORT_TASK = 1,
	TMF_ABORT_TASK_SET = 2,
	TMF_CLEAR_ACA = 3,
	TMF_CLEAR_TASK_SET = 4,
	TMF_LUN_RESET = 5,
	TMF_TARGET_WARM_RESET = 6,
	TMF_TARGET_COLD_RESET = 7,
	TMF_TASK_REASSIGN = 8,
	TMF_QUERY_TASK = 9,
	TMF_QUERY_TASK_SET = 10,
	TMF_IT_NEXUS_RESET = 11,
};

/* Response codes (RFC 7143 11.6.1, RFC 7144) */
enum {
	TMF_RSP_COMPLETE = 0,
	TMF_RSP_NO_TASK = 1,
	TMF_RSP_NO_LUN = 2,
	TMF_RSP_NO_REASSIGN = 4,
	TMF_RSP_NOT_SUPPORTED = 5,
	TMF_RSP_AUTH_FAILED = 6,
	TMF_RSP_SUCCEEDED = 7,
	TMF_RSP_REJECTED = 255,
};

struct iscsi_tmf {
	struct scsi_tmf scsi;
	struct iscsi_conn *conn;
	uint8_t bhs[ISCSI_BHS_LEN];	/* the request's header */
	/* A remote session's request goes to its target's home and back
	 * (handoff.c): home runs scsi_tmf_execute(), the answer tmf_finish(). */
	struct ev_msg msg;
	struct ev_thread *conn_ev;
};

/* After a TARGET COLD RESET, another thread closes its connections to the
 * target (its sessions placed there, migrate.c). */
struct cold_reset_msg {
	struct ev_msg msg;
	struct iscsi_thread *thr;
	const struct iscsi_target *target;
};

static void send_response(struct iscsi_conn *conn, const uint8_t *req, uint8_t response)
{
	struct iscsi_pdu *pdu = pdu_alloc(ISCSI_OP_TMF_RSP);

	session_req_done(conn->sess, req);
	if (!pdu) {
		conn_close(conn, "out of memory");
		return;
	}
	pdu->bhs[BHS_FLAGS] = ISCSI_FLAG_FINAL;
	pdu->bhs[BHS_RSP_RESPONSE] = response;
	bhs_set_u32(pdu->bhs, BHS_ITT, bhs_u32(req, BHS_ITT));
	conn_fill_sn(conn, pdu, true, 0);
	conn_send(conn, pdu);
}

/* The SCSI function for an iSCSI one, or -1 with *rsp set to the answer. */
static int map_function(uint8_t function, uint8_t *rsp)
{
	switch (function) {
	case TMF_ABORT_TASK: return SCSI_TMF_ABORT_TASK;
	case TMF_ABORT_TASK_SET: return SCSI_TMF_ABORT_TASK_SET;
	case TMF_CLEAR_TASK_SET: return SCSI_TMF_CLEAR_TASK_SET;
	case TMF_LUN_RESET: return SCSI_TMF_LU_RESET;
	case TMF_TARGET_WARM_RESET: return SCSI_TMF_TARGET_WARM_RESET;
	case TMF_TARGET_COLD_RESET: return SCSI_TMF_TARGET_COLD_RESET;
	case TMF_QUERY_TASK: return SCSI_TMF_QUERY_TASK;
	case TMF_QUERY_TASK_SET: return SCSI_TMF_QUERY_TASK_SET;
	case TMF_IT_NEXUS_RESET: return SCSI_TMF_IT_NEXUS_RESET;
	case TMF_TASK_REASSIGN:
		/* Allegiance reassignment needs ErrorRecoveryLevel 2; we run 0. */
		*rsp = TMF_RSP_NO_REASSIGN;
		return -1;
	default:	/* CLEAR ACA (no ACA is ever established), unknown codes */
		*rsp = TMF_RSP_NOT_SUPPORTED;
		return -1;
	}
}

/*
 * ABORT TASK found no task (RFC 7143 11.5.1): when RefCmdSN lies in the
 * CmdSN window and before the request itself, the command is taken as
 * received (and so aborted): "Function complete"; otherwise -- e.g. the
 * command has already been answered -- "Task does not exist".
 */
static uint8_t no_task_response(const struct iscsi_session *sess, const uint8_t *req)
{
	uint32_t ref = bhs_u32(req, BHS_TMF_REFCMDSN);

	if (sn_le(sess->exp_cmd_sn, ref) && sn_le(ref, sess->max_cmd_sn) &&
	    sn_lt(ref, bhs_u32(req, BHS_CMDSN)))
		return TMF_RSP_COMPLETE;
	return TMF_RSP_NO_TASK;
}

static uint8_t iscsi_response(const struct iscsi_tmf *t)
{
	switch (t->scsi.response) {
	case SCSI_TMF_RSP_COMPLETE: return TMF_RSP_COMPLETE;
	case SCSI_TMF_RSP_SUCCEEDED: return TMF_RSP_SUCCEEDED;
	case SCSI_TMF_RSP_NO_TASK: return no_task_response(t->conn->sess, t->bhs);
	case SCSI_TMF_RSP_NO_LU: return TMF_RSP_NO_LUN;
	default: return TMF_RSP_REJECTED;
	}
}

/* After a cold reset every connection to the target ends: the one that
 * asked once its response is out, the others at once (what they had queued
 * belongs to the time before the "power cycle"). */
static void close_thread_conns(struct iscsi_thread *thr, const struct iscsi_target *target,
			       struct iscsi_conn *self)
{
	struct list_node *pos;

	for (pos = thr->conns.next; pos != &thr->conns; pos = pos->next) {
		struct iscsi_conn *c = container_of(pos, struct iscsi_conn, link);

		if (!c->sess || c->sess->target != target || c->state == CONN_CLOSED)
			continue;
		if (c == self)
			conn_set_state(c, CONN_LOGOUT);
		else
			conn_close(c, "TARGET COLD RESET");
	}
}

static void on_cold_reset_msg(struct ev_msg *msg)
{
	struct cold_reset_msg *m = container_of(msg, struct cold_reset_msg, msg);

	close_thread_conns(m->thr, m->target, NULL);
	free(m);
}

static void close_target_conns(struct iscsi_conn *self)
{
	const struct iscsi_target *target = self->sess->target;
	struct iscsi_server *srv = self->srv;

	close_thread_conns(self->thr, target, self);
	for (unsigned i = 0; i < srv->nthreads; i++) {
		struct cold_reset_msg *m;

		if (&srv->thr[i] == self->thr)
			continue;
		m = calloc(1, sizeof(*m));
		if (!m) {
			LOG_WARN("tmf", "TARGET COLD RESET: no memory to end thread %u's sessions", i);
			continue;
		}
		m->thr = &srv->thr[i];
		m->target = target;
		m->msg.fn = on_cold_reset_msg;
		ev_thread_send(srv->thr[i].ev, &m->msg);
	}
}

/* One warning line per target and RESET_LOG_MS at most: an initiator
 * repeating refused resets must not flood the log. */
#define RESET_LOG_MS 10000u

/* Count a refusal; true when a line is due (*n: the refusals it reports).
 * The target's sessions on every thread count here (migrate.c spreads
 * them), so under place_mu: a refused reset is as rare as a login. */
static bool refusal_due(struct iscsi_target *t, unsigned *n)
{
	uint64_t now = evloop_now_ms();
	bool due;

	pthread_mutex_lock(&t->place_mu);
	*n = ++t->reset_refused;
	due = now >= t->reset_log_ms;
	if (due) {
		t->reset_refused = 0;
		t->reset_log_ms = now + RESET_LOG_MS;
	}
	pthread_mutex_unlock(&t->place_mu);
	return due;
}

/* TARGET WARM/COLD RESET on a target that does not allow them. */
static bool reset_refused(struct iscsi_conn *conn, int fn)
{
	struct iscsi_target *t = conn->sess->target;
	char name[LOG_ESC_LEN];
	unsigned n;

	if ((fn != SCSI_TMF_TARGET_WARM_RESET && fn != SCSI_TMF_TARGET_COLD_RESET) ||
	    scsi_tgt_target_reset_allowed(t->scsi))
		return false;
	iscsi_count(&conn->srv->ctr.resets_refused);
	if (!refusal_due(t, &n))
		return true;
	LOG_WARN("tmf", "%s: TARGET %s RESET from \"%s\" refused on %s (not allowed for this "
		 "target; %u refused since the last such line)", conn->peer,
		 fn == SCSI_TMF_TARGET_COLD_RESET ? "COLD" : "WARM",
		 log_escape(name, sizeof(name), conn->sess->params.initiator_name), t->name, n);
	return true;
}

static void tmf_finish(struct iscsi_tmf *t)
{
	struct iscsi_conn *conn = t->conn;
	uint8_t response;

	conn->io_pending--;
	if (bhs_immediate(t->bhs))
		conn->n_immediate--;
	if (conn->state != CONN_CLOSED) {
		response = iscsi_response(t);
		send_response(conn, t->bhs, response);
		if (t->scsi.fn == SCSI_TMF_TARGET_COLD_RESET && response == TMF_RSP_COMPLETE)
			close_target_conns(conn);
	}
	free(t);
}

static void tmf_scsi_done(struct scsi_tmf *st)
{
	tmf_finish(container_of(st, struct iscsi_tmf, scsi));
}

/* ---- a remote session's request (handoff.c) ---- */

static void on_tmf_answer(struct ev_msg *msg)
{
	tmf_finish(container_of(msg, struct iscsi_tmf, msg));
}

/* Home: the response is final; back to the connection's thread. */
static void tmf_home_done(struct scsi_tmf *st)
{
	struct iscsi_tmf *t = container_of(st, struct iscsi_tmf, scsi);

	t->msg.fn = on_tmf_answer;
	ev_thread_send(t->conn_ev, &t->msg);
}

static void on_tmf_home(struct ev_msg *msg)
{
	struct iscsi_tmf *t = container_of(msg, struct iscsi_tmf, msg);

	if (scsi_tmf_execute(&t->scsi) == SCSI_TASK_COMPLETE)
		tmf_home_done(&t->scsi);
}

static void tmf_execute(struct iscsi_session *sess, struct iscsi_tmf *t)
{
	if (!sess->remote) {
		if (scsi_tmf_execute(&t->scsi) == SCSI_TASK_COMPLETE)
			tmf_finish(t);
		return;
	}
	t->scsi.done = tmf_home_done;
	t->conn_ev = t->conn->thr->ev;
	t->msg.fn = on_tmf_home;
	ev_thread_send(sess->target->home->ev, &t->msg);
}

/* cmd_drop_early() on every connection of the session: a task is found
 * whichever connection it arrived on (MC/S). */
static int drop_early_session(struct iscsi_session *sess, uint32_t itt, uint64_t lun)
{
	struct list_node *pos;
	int n = 0;

	for (pos = sess->conns.next; pos != &sess->conns; pos = pos->next)
		n += cmd_drop_early(container_of(pos, struct iscsi_conn, sess_link), itt, lun);
	n += session_abort_held(sess, itt, lun);
	return n;
}

/* Tasks that only wait for data-out to send an early status are not in a
 * SCSI task set, nor are commands waiting for an earlier CmdSN: the
 * transport forgets them itself. True when ABORT TASK found its task there. */
static bool drop_early_tasks(struct iscsi_conn *conn, const uint8_t *bhs, int fn)
{
	uint64_t lun = scsi_lun_decode(bhs + BHS_LUN);

	switch (fn) {
	case SCSI_TMF_ABORT_TASK:
		return drop_early_session(conn->sess, bhs_u32(bhs, BHS_TMF_RTT), UINT64_MAX) > 0;
	case SCSI_TMF_ABORT_TASK_SET:
	case SCSI_TMF_CLEAR_TASK_SET:
	case SCSI_TMF_LU_RESET:
		drop_early_session(conn->sess, ISCSI_RSVD_TAG, lun);
		return false;
	case SCSI_TMF_IT_NEXUS_RESET:
	case SCSI_TMF_TARGET_WARM_RESET:
	case SCSI_TMF_TARGET_COLD_RESET:
		drop_early_session(conn->sess, ISCSI_RSVD_TAG, UINT64_MAX);
		return false;
	default:
		return false;
	}
}

void ops_handle_tmf(struct iscsi_conn *conn)
{
	const uint8_t *bhs = conn->rx_bhs;
	struct iscsi_session *sess = conn->sess;
	uint8_t rsp = TMF_RSP_COMPLETE;
	struct iscsi_tmf *t;
	int fn;

	if (!session_check_cmdsn(sess, bhs))
		return;
	if (bhs_immediate(bhs) && conn->n_immediate >= ISCSI_MAX_IMMEDIATE) {
		/* Like immediate commands: no CmdSN, so bounded here (they may
		 * wait long for the tasks they abort). */
		iscsi_count(&conn->srv->ctr.immediate_rejected);
		LOG_WARN_RL(&conn->thr->rl_immediate, "tmf",
			    "%s: more than %u immediate requests in flight: rejected", conn->peer,
			    ISCSI_MAX_IMMEDIATE);
		conn_reject(conn, bhs, REJECT_IMMEDIATE_REJECTED);
		return;
	}
	if (!sess->target) {	/* a discovery session reaches no LU */
		send_response(conn, bhs, TMF_RSP_AUTH_FAILED);
		return;
	}
	fn = map_function(bhs[BHS_FLAGS] & 0x7f, &rsp);
	if (fn >= 0 && reset_refused(conn, fn)) {
		send_response(conn, bhs, TMF_RSP_AUTH_FAILED);
		return;
	}
	if (fn < 0 || drop_early_tasks(conn, bhs, fn)) {
		send_response(conn, bhs, rsp);
		return;
	}
	t = calloc(1, sizeof(*t));
	if (!t) {
		session_req_done(sess, bhs);
		conn_reject(conn, bhs, REJECT_OUT_OF_RESOURCES);
		return;
	}
	t->conn = conn;
	memcpy(t->bhs, bhs, ISCSI_BHS_LEN);
	t->scsi.tgt = sess->target->scsi;
	t->scsi.itn = &sess->itn;
	t->scsi.fn = (enum scsi_tmf_fn)fn;
	t->scsi.lun = scsi_lun_decode(bhs + BHS_LUN);
	t->scsi.tag = bhs_u32(bhs, BHS_TMF_RTT);
	t->scsi.done = tmf_scsi_done;
	LOG_DEBUG("tmf", "%s: function %u LUN %llu RTT 0x%x", conn->peer,
		  bhs[BHS_FLAGS] & 0x7f, (unsigned long long)t->scsi.lun,
		  bhs_u32(bhs, BHS_TMF_RTT));
	/* Counted like a task, so the connection outlives a pending request. */
	conn->io_pending++;
	if (bhs_immediate(bhs))
		conn->n_immediate++;
	tmf_execute(sess, t);
}
