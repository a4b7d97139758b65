/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Text Request/Response in full feature phase (RFC 7143 section 11.10-11.11):
 * SendTargets discovery and key renegotiation, with C-bit continuation in
 * both directions.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "iscsi/iscsi.h"
#include "util/log.h"

/* The portals listening now: one added live is listed, a removed one no
 * more (portals_lock: they change on thread 0, this may run on any). */
static int add_addresses(struct iscsi_conn *conn, struct kvbuf *out)
{
	struct iscsi_server *srv = conn->srv;
	int rc = 0;

	pthread_rwlock_rdlock(&srv->portals_lock);
	for (size_t i = 0; i < srv->nportals && rc == 0; i++) {
		const struct iscsi_portal *p = srv->portals[i];
		const char *host = p->host;
		char addr[96];

		if (p->closed)
			continue;
		/* A wildcard portal is reported as the address this initiator used. */
		if (strcmp(host, "0.0.0.0") == 0 || strcmp(host, "::") == 0)
			host = conn->local_host;
		snprintf(addr, sizeof(addr), strchr(host, ':') ? "[%s]:%u,%u" : "%s:%u,%u", host,
			 p->port, p->tpgt);
		if (kv_append(out, "TargetAddress", addr) < 0)
			rc = -ENOMEM;
	}
	pthread_rwlock_unlock(&srv->portals_lock);
	return rc;
}

static int add_target(struct iscsi_conn *conn, const struct iscsi_target *t, struct kvbuf *out)
{
	if (kv_append(out, "TargetName", t->name) < 0)
		return -ENOMEM;
	return add_addresses(conn, out);
}

/* SendTargets (RFC 7143 appendix C): All in discovery, else the named or
 * current target; only targets this initiator may log in to (access rules). */
static int send_targets(struct iscsi_conn *conn, const char *what, struct kvbuf *out)
{
	struct iscsi_session *sess = conn->sess;
	struct list_node *pos;

	struct iscsi_server *srv = conn->srv;
	int rc = 0;

	if (!sess->params.discovery && (what[0] == 0 || strcmp(what, "All") == 0))
		return add_target(conn, sess->target, out);
	/* The list may grow meanwhile (a target added live); a removed
	 * target is listed no more. */
	pthread_rwlock_rdlock(&srv->targets_lock);
	for (pos = srv->targets.next; pos != &srv->targets && rc == 0; pos = pos->next) {
		struct iscsi_target *t = container_of(pos, struct iscsi_target, link);
		bool all = strcmp(what, "All") == 0 && sess->params.discovery;

		if (atomic_load(&t->closed) || !auth_acl_permits(conn, t))
			continue;
		if (all || (strcasecmp(t->name, what) == 0 &&
			    (sess->params.discovery || t == sess->target))) {
			rc = add_target(conn, t, out) < 0 ? -ENOMEM : 0;
			if (!all)
				break;
		}
	}
	pthread_rwlock_unlock(&srv->targets_lock);
	return rc;
}

/* Send the next chunk of conn->text_out, at most the initiator's MaxRecvDataSegmentLength. */
static void send_chunk(struct iscsi_conn *conn, uint32_t itt, const uint8_t *req)
{
	struct iscsi_pdu *pdu = pdu_alloc(ISCSI_OP_TEXT_RSP);
	uint32_t left = conn->text_out_len - conn->text_out_off;
	uint32_t n = left < conn->params.max_xmit_dlen ? left : conn->params.max_xmit_dlen;
	bool final = n == left;

	/* n == 0 (empty answer, or the C-bit acknowledgement): text_out may be
	 * NULL, and NULL + 0 is undefined behaviour. */
	if (!pdu || (n && pdu_set_data_copy(pdu, conn->text_out + conn->text_out_off, n) < 0)) {
		pdu_free(pdu);
		conn_close(conn, "out of memory");
		return;
	}
	conn->text_out_off += n;
	pdu->bhs[BHS_FLAGS] = final ? ISCSI_FLAG_FINAL : ISCSI_TEXT_CONTINUE;
	memcpy(pdu->bhs + BHS_LUN, req + BHS_LUN, 8);
	bhs_set_u32(pdu->bhs, BHS_ITT, itt);
	if (final) {
		bhs_set_u32(pdu->bhs, BHS_TTT, ISCSI_RSVD_TAG);
		free(conn->text_out);
		conn->text_out = NULL;
		conn->text_out_len = conn->text_out_off = 0;
	} else {
		if (++conn->text_ttt == ISCSI_RSVD_TAG)
			conn->text_ttt = 1;
		bhs_set_u32(pdu->bhs, BHS_TTT, conn->text_ttt);
	}
	session_req_done(conn->sess, req);
	conn_fill_sn(conn, pdu, true, 0);
	conn_send(conn, pdu);
}

static int build_response(struct iscsi_conn *conn, struct kvbuf *out)
{
	const char *st = kv_find(conn->text_in, conn->text_in_len, "SendTargets");
	struct iscsi_neg neg;
	int rc;

	iscsi_neg_init(&neg, &conn->params, &conn->srv->lim, false, false);
	rc = iscsi_param_negotiate(&neg, conn->text_in, conn->text_in_len, out);
	if (rc < 0)
		return rc;
	if (st && send_targets(conn, st, out) < 0)
		return NEG_ERR_NOMEM;
	return 0;
}

int text_append(struct iscsi_conn *conn, const uint8_t *data, uint32_t len)
{
	char *p;

	if (conn->text_in_len + len > ISCSI_MAX_TEXT)
		return -E2BIG;
	p = realloc(conn->text_in, conn->text_in_len + len + 1);
	if (!p)
		return -ENOMEM;
	memcpy(p + conn->text_in_len, data, len);
	conn->text_in = p;
	conn->text_in_len += len;
	p[conn->text_in_len] = 0;
	return 0;
}

void text_handle(struct iscsi_conn *conn)
{
	const uint8_t *bhs = conn->rx_bhs;
	uint32_t itt = bhs_u32(bhs, BHS_ITT), ttt = bhs_u32(bhs, BHS_TTT);
	struct kvbuf out = { 0 };

	if (!session_check_cmdsn(conn->sess, bhs))
		return;
	if (ttt != ISCSI_RSVD_TAG) {
		/* The initiator asks for the rest of a long response. */
		if (!conn->text_out || ttt != conn->text_ttt) {
			session_req_done(conn->sess, bhs);
			conn_reject(conn, bhs, REJECT_INVALID_PDU_FIELD);
			return;
		}
		send_chunk(conn, itt, bhs);
		return;
	}
	if (text_append(conn, conn->rx_payload, bhs_data_len(bhs)) < 0) {
		session_req_done(conn->sess, bhs);
		conn_reject(conn, bhs, REJECT_OUT_OF_RESOURCES);
		return;
	}
	free(conn->text_out);
	conn->text_out = NULL;
	conn->text_out_len = conn->text_out_off = 0;
	if (!(bhs[BHS_FLAGS] & ISCSI_TEXT_CONTINUE)) {
		int rc = build_response(conn, &out);

		free(conn->text_in);
		conn->text_in = NULL;
		conn->text_in_len = 0;
		if (rc < 0) {
			kv_free(&out);
			session_req_done(conn->sess, bhs);
			conn_reject(conn, bhs, REJECT_PROTOCOL_ERROR);
			return;
		}
		conn->text_out = out.data;
		conn->text_out_len = (uint32_t)out.len;
	}
	/* With C set this sends an empty response asking for the rest. */
	send_chunk(conn, itt, bhs);
}
