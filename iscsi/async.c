/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Async Messages the target sends (RFC 7143 section 11.9): the request to
 * log out (AsyncEvent 1) of `ctgtadm session logout`. The initiator must
 * log out within Parameter3 seconds; one that has not is dropped then.
 * The connection's thread only.
 */
#include <string.h>

#include "iscsi/iscsi.h"
#include "util/log.h"

enum { ASYNC_EVENT_LOGOUT_REQUEST = 1 };

void async_request_logout(struct iscsi_conn *conn, unsigned wait_s)
{
	struct iscsi_pdu *pdu;

	if (conn->state != CONN_FULL_FEATURE || conn->logout_due_ms != 0)
		return;		/* logging in or out, or asked already */
	pdu = pdu_alloc(ISCSI_OP_ASYNC_MSG);
	if (pdu == NULL) {
		conn_close(conn, "logout requested (no memory to ask)");
		return;
	}
	pdu->bhs[BHS_FLAGS] = ISCSI_FLAG_FINAL;
	bhs_set_u32(pdu->bhs, BHS_ITT, ISCSI_RSVD_TAG);
	pdu->bhs[BHS_ASYNC_EVENT] = ASYNC_EVENT_LOGOUT_REQUEST;
	put_be16(pdu->bhs + BHS_ASYNC_PARAM3, (uint16_t)wait_s);
	conn_fill_sn(conn, pdu, true, 0);	/* it carries a StatSN */
	conn->logout_due_ms = evloop_now_ms() + (uint64_t)wait_s * 1000u;
	LOG_INFO("logout", "%s: asking the initiator to log out within %u s", conn->peer, wait_s);
	conn_send(conn, pdu);
}

void async_check(struct iscsi_conn *conn, uint64_t now_ms)
{
	if (conn->logout_due_ms == 0 || now_ms < conn->logout_due_ms ||
	    conn->state != CONN_FULL_FEATURE)
		return;
	conn->logout_due_ms = 0;
	conn_close(conn, "no logout after the target's request");
}
