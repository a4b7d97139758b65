/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The small requests: NOP-Out and Logout (task management: tmf.c).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "iscsi/iscsi.h"
#include "util/log.h"

void ops_handle_nop_out(struct iscsi_conn *conn)
{
	const uint8_t *bhs = conn->rx_bhs;
	uint32_t itt = bhs_u32(bhs, BHS_ITT);
	struct iscsi_pdu *pdu;

	/* ITT 0xffffffff: the answer to a NOP-In we sent; nothing to reply. */
	if (itt == ISCSI_RSVD_TAG) {
		if (bhs_u32(bhs, BHS_TTT) == conn->ping_ttt)
			conn->ping_ttt = ISCSI_RSVD_TAG;
		return;
	}
	/* A NOP-Out without the I bit takes a CmdSN (libiscsi sends those). */
	if (!session_check_cmdsn(conn->sess, bhs))
		return;
	if (bhs_data_len(bhs) > conn->params.max_xmit_dlen) {
		/* The echo would not fit the initiator's MaxRecvDataSegmentLength:
		 * ping data it could not take back is a protocol error (and it
		 * would double what one PDU makes us hold). */
		LOG_WARN_RL(&conn->thr->rl_nop, "nop",
			    "%s: %u bytes of ping data, more than the %u the initiator receives",
			    conn->peer, bhs_data_len(bhs), conn->params.max_xmit_dlen);
		session_req_done(conn->sess, bhs);
		conn_reject(conn, bhs, REJECT_PROTOCOL_ERROR);
		return;
	}
	pdu = pdu_alloc(ISCSI_OP_NOP_IN);
	if (!pdu || pdu_set_data_copy(pdu, conn->rx_payload, bhs_data_len(bhs)) < 0) {
		pdu_free(pdu);
		conn_close(conn, "out of memory");
		return;
	}
	pdu->bhs[BHS_FLAGS] = ISCSI_FLAG_FINAL;
	memcpy(pdu->bhs + BHS_LUN, bhs + BHS_LUN, 8);
	bhs_set_u32(pdu->bhs, BHS_ITT, itt);
	bhs_set_u32(pdu->bhs, BHS_TTT, ISCSI_RSVD_TAG);
	session_req_done(conn->sess, bhs);
	conn_fill_sn(conn, pdu, true, 0);
	conn_send(conn, pdu);
}

enum { LOGOUT_CLOSE_SESSION = 0, LOGOUT_CLOSE_CONN = 1, LOGOUT_RECOVERY = 2 };
enum { LOGOUT_RSP_OK = 0, LOGOUT_RSP_CID_NOT_FOUND = 1, LOGOUT_RSP_NO_RECOVERY = 2 };

/* The Logout Response code for @reason (RFC 7143 11.15.1); *victim is the
 * connection to close (another one than @conn for a CID named elsewhere). */
static uint8_t logout_response(struct iscsi_conn *conn, uint8_t reason, uint16_t cid,
			       struct iscsi_conn **victim)
{
	*victim = NULL;
	switch (reason) {
	case LOGOUT_CLOSE_SESSION:
		return LOGOUT_RSP_OK;
	case LOGOUT_CLOSE_CONN:
		*victim = session_find_cid(conn->sess, cid);
		return *victim ? LOGOUT_RSP_OK : LOGOUT_RSP_CID_NOT_FOUND;
	default:	/* LOGOUT_RECOVERY: ErrorRecoveryLevel 0 cannot recover a connection */
		return LOGOUT_RSP_NO_RECOVERY;
	}
}

/* Close what a successful Logout named: the whole session, or one connection. */
static void logout_close(struct iscsi_conn *conn, uint8_t reason, struct iscsi_conn *victim)
{
	struct list_node *pos;

	LOG_INFO("logout", "%s: logout (reason %u, CID %u)", conn->peer, reason,
		 victim ? victim->cid : conn->cid);
	if (reason == LOGOUT_CLOSE_SESSION) {
		for (pos = conn->sess->conns.next; pos != &conn->sess->conns; pos = pos->next) {
			struct iscsi_conn *c = container_of(pos, struct iscsi_conn, sess_link);

			if (c != conn)
				conn_close_clean(c, "session logged out");
		}
		victim = conn;
	}
	if (victim != conn) {
		conn_close_clean(victim, "logged out from another connection");
		return;
	}
	/* Closed once the response is on the wire. */
	conn->clean_close = true;
	conn_set_state(conn, CONN_LOGOUT);
}

void ops_handle_logout(struct iscsi_conn *conn)
{
	const uint8_t *bhs = conn->rx_bhs;
	uint8_t reason = bhs[BHS_FLAGS] & 0x7f;
	struct iscsi_conn *victim;
	struct iscsi_pdu *pdu;
	uint8_t response;

	if (!session_check_cmdsn(conn->sess, bhs))
		return;
	if (reason > LOGOUT_RECOVERY) {
		/* A reserved reason code: the request took its CmdSN, so no gap. */
		session_req_done(conn->sess, bhs);
		conn_reject(conn, bhs, REJECT_INVALID_PDU_FIELD);
		return;
	}
	response = logout_response(conn, reason, get_be16(bhs + BHS_LOGOUT_CID), &victim);
	pdu = pdu_alloc(ISCSI_OP_LOGOUT_RSP);
	if (!pdu) {
		conn_close(conn, "out of memory");
		return;
	}
	pdu->bhs[BHS_FLAGS] = ISCSI_FLAG_FINAL;
	pdu->bhs[BHS_RSP_RESPONSE] = response;
	bhs_set_u32(pdu->bhs, BHS_ITT, bhs_u32(bhs, BHS_ITT));
	/* ERL 0: no task waits for reassignment, so nothing is retained and
	 * nothing need be waited for (Time2Wait = Time2Retain = 0, 11.15.2-3). */
	put_be16(pdu->bhs + BHS_LOGOUT_TIME2WAIT, 0);
	put_be16(pdu->bhs + BHS_LOGOUT_TIME2RETAIN, 0);
	session_req_done(conn->sess, bhs);
	conn_fill_sn(conn, pdu, true, 0);
	conn_send(conn, pdu);
	if (response == LOGOUT_RSP_OK)
		logout_close(conn, reason, victim);
	else
		LOG_INFO("logout", "%s: logout reason %u refused (response %u)", conn->peer,
			 reason, response);
}

/* Send a NOP-In ping (RFC 7143 section 11.19): ITT reserved, a TTT the
 * initiator must echo, StatSN not advanced. */
static void send_ping(struct iscsi_conn *conn, uint64_t now_ms)
{
	struct iscsi_pdu *pdu = pdu_alloc(ISCSI_OP_NOP_IN);

	if (!pdu)
		return;
	if (conn->next_ttt == ISCSI_RSVD_TAG)
		conn->next_ttt = 1;
	conn->ping_ttt = conn->next_ttt++;
	conn->ping_sent_ms = now_ms;
	pdu->bhs[BHS_FLAGS] = ISCSI_FLAG_FINAL;
	bhs_set_u32(pdu->bhs, BHS_ITT, ISCSI_RSVD_TAG);
	bhs_set_u32(pdu->bhs, BHS_TTT, conn->ping_ttt);
	conn_fill_sn(conn, pdu, false, 0);
	conn_send(conn, pdu);
}

/*
 * A connection holding a request for its CmdSN (conn->rx_held) is not read,
 * so the answer to a ping could not be read either: it gets no ping, and one
 * already sent does not time out (ops_keepalive_resume()). It waits for
 * another connection of its session, whose own keep-alive finds a dead peer
 * within interval + timeout, and the session ends with that connection (ERL
 * 0). Held twice that long, the CmdSN it waits for is not coming from a live
 * initiator either: it fails, so the session ends instead of hanging.
 */
static void keepalive_held(struct iscsi_conn *conn, uint64_t now_ms)
{
	const struct iscsi_settings *set = &conn->thr->set;
	uint64_t limit = 2 * (set->nop_interval_ms + set->nop_timeout_ms);
	char why[96];

	if (now_ms - conn->held_ms < limit)
		return;
	snprintf(why, sizeof(why), "CmdSN %u waited %llu s for CmdSN %u",
		 bhs_u32(conn->rx_bhs, BHS_CMDSN), (unsigned long long)(limit / 1000),
		 conn->sess->exp_cmd_sn);
	conn_close(conn, why);
}

/*
 * A command waiting for buffer space (conn->rx_deferred) stops reading as
 * well: no ping either, and one already sent does not time out until
 * reading resumes. No limit is needed: the wait ends when the connection's
 * own earlier commands are done and their responses written (as long as
 * the backing store takes, which bounds them). A peer that is gone stops
 * acknowledging the Data-In they send: TCP's retransmission timeout then
 * fails the socket, and a reset is seen at once (conn_hung_up()). Once
 * reading resumes the keep-alive finds a dead peer as usual.
 */
void ops_keepalive(struct iscsi_conn *conn, uint64_t now_ms)
{
	const struct iscsi_settings *set = &conn->thr->set;

	if (conn->state != CONN_FULL_FEATURE || !set->nop_interval_ms)
		return;
	if (conn_rx_waiting(conn)) {
		if (conn->rx_held)
			keepalive_held(conn, now_ms);
		return;		/* deferred: no limit, see above */
	}
	if (conn->ping_ttt != ISCSI_RSVD_TAG) {
		if (now_ms - conn->ping_sent_ms >= set->nop_timeout_ms) {
			iscsi_count(&conn->srv->ctr.nop_timeouts);
			conn_close(conn, "no answer to NOP-In ping");
		}
		return;
	}
	if (now_ms - conn->last_rx_ms >= set->nop_interval_ms)
		send_ping(conn, now_ms);
}

void ops_keepalive_resume(struct iscsi_conn *conn, uint64_t now_ms)
{
	if (conn->ping_ttt != ISCSI_RSVD_TAG)
		conn->ping_sent_ms = now_ms;
}
