/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Sessions: identity (ISID, TSIH), the I_T nexus handed to the SCSI layer,
 * and the CmdSN window (RFC 7143 section 4.2.2.1).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "iscsi/iscsi.h"
#include "util/log.h"

struct iscsi_target *server_find_target(struct iscsi_server *srv, const char *name)
{
	struct list_node *pos;

	for (pos = srv->targets.next; pos != &srv->targets; pos = pos->next) {
		struct iscsi_target *t = container_of(pos, struct iscsi_target, link);

		/* iSCSI names compare case-insensitively (RFC 3722 stringprep folds case). */
		if (strcasecmp(t->name, name) == 0)
			return t;
	}
	return NULL;
}

struct iscsi_session *session_find(struct iscsi_server *srv, const char *initiator,
				   const uint8_t isid[6], const struct iscsi_target *target)
{
	struct list_node *pos;

	for (pos = srv->sessions.next; pos != &srv->sessions; pos = pos->next) {
		struct iscsi_session *s = container_of(pos, struct iscsi_session, link);

		if (s->target == target && memcmp(s->isid, isid, 6) == 0 &&
		    strcasecmp(s->params.initiator_name, initiator) == 0)
			return s;
	}
	return NULL;
}

struct iscsi_session *session_find_tsih(struct iscsi_server *srv, uint16_t tsih)
{
	struct list_node *pos;

	for (pos = srv->sessions.next; pos != &srv->sessions; pos = pos->next) {
		struct iscsi_session *s = container_of(pos, struct iscsi_session, link);

		if (s->tsih == tsih)
			return s;
	}
	return NULL;
}

static uint16_t next_tsih(struct iscsi_server *srv)
{
	do {
		srv->next_tsih++;
	} while (srv->next_tsih == 0 || session_find_tsih(srv, srv->next_tsih));
	return srv->next_tsih;
}

/* Session reinstatement (RFC 7143 section 6.3.5): the old one goes. */
static void reinstate(struct iscsi_server *srv, struct iscsi_conn *conn,
		      const struct iscsi_target *target)
{
	struct iscsi_session *old = session_find(srv, conn->params.initiator_name,
						 conn->login_isid, target);
	struct list_node *pos, *tmp;

	if (!old)
		return;
	LOG_INFO("session", "%s: reinstating session %u", conn->peer, old->tsih);
	list_for_each_safe(pos, tmp, &old->conns)
		conn_close(container_of(pos, struct iscsi_conn, sess_link), "session reinstated");
	/* Unlink now, so a lookup cannot find it while its I/O drains. */
	list_del(&old->link);
	old->tsih = 0;
}

static void set_itn(struct iscsi_session *s, struct iscsi_conn *conn)
{
	const uint8_t *i = s->isid;

	s->itn.id = ++conn->srv->next_itn_id;
	snprintf(s->itn.initiator_port, sizeof(s->itn.initiator_port),
		 "%s,i,0x%02x%02x%02x%02x%02x%02x", s->params.initiator_name,
		 i[0], i[1], i[2], i[3], i[4], i[5]);
	snprintf(s->itn.target_port, sizeof(s->itn.target_port), "%s,t,0x%04x",
		 s->target ? s->target->name : "", conn->portal->tpgt);
	s->itn.rel_port_id = conn->portal->tpgt;
	if (s->target) {
		const struct iscsi_initiator *e = auth_find_initiator(s->target,
								      s->params.initiator_name);

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
	reinstate(srv, conn, target);
	s->srv = srv;
	s->target = target;
	s->params = conn->params;
	memcpy(s->isid, conn->login_isid, 6);
	s->tsih = next_tsih(srv);
	s->exp_cmd_sn = conn->login_cmdsn;
	s->max_cmd_sn = conn->login_cmdsn + ISCSI_QUEUE_DEPTH - 1;
	list_init(&s->conns);
	list_add_tail(&srv->sessions, &s->link);
	list_add_tail(&s->conns, &conn->sess_link);
	s->nconns = 1;
	conn->sess = s;
	if (target) {
		set_itn(s, conn);
		scsi_tgt_nexus_add(target->scsi, &s->itn);
		s->nexus_added = true;
	}
	return s;
}

void session_destroy(struct iscsi_session *sess)
{
	if (sess->nexus_added)
		scsi_tgt_nexus_remove(sess->target->scsi, &sess->itn);
	if (sess->tsih)
		list_del(&sess->link);
	free(sess);
}

bool session_check_cmdsn(struct iscsi_session *sess, const uint8_t *bhs)
{
	uint32_t cmdsn = bhs_u32(bhs, BHS_CMDSN);

	if (bhs_immediate(bhs))
		return true;
	/* Outside [ExpCmdSN, MaxCmdSN]: silently ignored (RFC 7143 section 4.2.2.1). */
	if (sn_lt(cmdsn, sess->exp_cmd_sn) || sn_lt(sess->max_cmd_sn, cmdsn)) {
		LOG_WARN("session", "tsih %u: CmdSN %u outside window [%u, %u], ignored",
			 sess->tsih, cmdsn, sess->exp_cmd_sn, sess->max_cmd_sn);
		return false;
	}
	/* One connection per session: commands arrive in order, so the next
	 * expected one is simply the one after this. */
	sess->exp_cmd_sn = cmdsn + 1;
	sess->in_flight++;
	return true;
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
