/* SPDX-License-Identifier: Apache-2.0 */
/*
 * What the application asks the running server (include/ctgt/admin.h):
 * the iSCSI layer's snapshots (iscsi/admin.h) turned into the public
 * structs, one call at a time.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ctgt/admin.h"
#include "embed/server_internal.h"
#include "iscsi/admin.h"

_Static_assert(sizeof(((struct ctgt_session_info *)0)->initiator) == ISCSI_NAME_LEN, "name");
_Static_assert(sizeof(((struct ctgt_conn_info *)0)->peer) ==
	       sizeof(((struct iscsi_conn_info *)0)->peer), "peer");
_Static_assert(sizeof(((struct ctgt_conn_info *)0)->local) ==
	       sizeof(((struct iscsi_conn_info *)0)->local), "local");

static void conn_public(struct ctgt_conn_info *o, const struct iscsi_conn_info *i)
{
	memset(o, 0, sizeof(*o));
	o->cid = i->cid;
	memcpy(o->peer, i->peer, sizeof(o->peer));
	memcpy(o->local, i->local, sizeof(o->local));
	o->header_digest = i->hdr_digest;
	o->data_digest = i->data_digest;
	o->logged_in = i->full_feature;
}

static void session_public(struct ctgt_session_info *o, const struct iscsi_session_info *i)
{
	memset(o, 0, sizeof(*o));
	o->tsih = i->tsih;
	for (int k = 0; k < 6; k++)
		snprintf(o->isid + 2 * k, 3, "%02x", i->isid[k]);
	o->thread = i->thread;
	o->discovery = i->discovery;
	memcpy(o->initiator, i->initiator, sizeof(o->initiator));
	memcpy(o->target, i->target, sizeof(o->target));
	o->max_recv_data_segment_length = i->max_recv_dlen;
	o->max_xmit_data_segment_length = i->max_xmit_dlen;
	o->max_burst_length = i->max_burst;
	o->first_burst_length = i->first_burst;
	o->immediate_data = i->immediate_data;
	o->initial_r2t = i->initial_r2t;
	o->in_flight = i->in_flight;
	o->commands = i->commands;
	o->conn0 = i->conn0;
	o->nconns = i->nconns;
}

static int sessions_public(struct ctgt_sessions *out, const struct iscsi_sessions *in)
{
	out->sessions = calloc(in->ns ? in->ns : 1, sizeof(*out->sessions));
	out->conns = calloc(in->nc ? in->nc : 1, sizeof(*out->conns));
	if (out->sessions == NULL || out->conns == NULL)
		return -ENOMEM;
	for (size_t k = 0; k < in->ns; k++)
		session_public(&out->sessions[k], &in->s[k]);
	for (size_t k = 0; k < in->nc; k++)
		conn_public(&out->conns[k], &in->c[k]);
	out->nsessions = in->ns;
	out->nconns = in->nc;
	return 0;
}

int ctgt_server_sessions(struct ctgt_server *srv, struct ctgt_sessions *out)
{
	struct iscsi_sessions snap = { 0 };
	int rc;

	memset(out, 0, sizeof(*out));
	pthread_mutex_lock(&srv->admin_mu);
	rc = iscsi_server_sessions(srv->isrv, &srv->admin, &snap);
	pthread_mutex_unlock(&srv->admin_mu);
	if (rc == 0)
		rc = sessions_public(out, &snap);
	iscsi_sessions_free(&snap);
	return rc;
}

void ctgt_sessions_free(struct ctgt_sessions *out)
{
	free(out->sessions);
	free(out->conns);
	memset(out, 0, sizeof(*out));
}

/* The LUNs of target @tgt, from the server's list of its LUs. */
static void target_luns(struct ctgt_server *srv, const struct scsi_tgt *tgt,
			struct ctgt_target_info *t)
{
	pthread_mutex_lock(&srv->lus_mu);
	for (size_t k = 0; k < srv->nlus && t->nluns < 256; k++)
		if (srv->lus[k].orphan == NULL && srv->lus[k].tgt == tgt)
			t->luns[t->nluns++] = srv->lus[k].lun;
	pthread_mutex_unlock(&srv->lus_mu);
}

int ctgt_server_targets(struct ctgt_server *srv, struct ctgt_target_info **out, size_t *n)
{
	/* Targets and LUs change live under admin_mu (embed/live.c). */
	pthread_mutex_lock(&srv->admin_mu);
	*n = 0;
	*out = calloc(srv->ntgts ? srv->ntgts : 1, sizeof(**out));
	if (*out == NULL) {
		pthread_mutex_unlock(&srv->admin_mu);
		return -ENOMEM;
	}
	for (size_t k = 0; k < srv->ntgts; k++) {
		struct ctgt_target_info *t = &(*out)[k];

		t->name = scsi_tgt_name(srv->tgts[k]);
		t->thread = (unsigned)iscsi_server_target_thread(srv->isrv, t->name);
		target_luns(srv, srv->tgts[k], t);
	}
	*n = srv->ntgts;
	pthread_mutex_unlock(&srv->admin_mu);
	return 0;
}

_Static_assert(CTGT_LAT_BUCKETS == SCSI_LAT_BUCKETS, "one histogram");

static void lu_progress_public(struct ctgt_lu_stats *o, const struct scsi_lu_progress *p)
{
	if (p->job_opcode != 0) {
		o->job = p->job_opcode == 0x48 ? "sanitize" : "format";
		o->job_failed = p->job_failed;
		o->job_done = p->job_progress / 65536.0;
	}
	o->copies = p->copies;
	o->copy_segments_done = p->copy_segs_done;
	o->copy_segments = p->copy_segs;
	o->copy_bytes = p->copy_bytes;
}

static void lu_stats_public(struct ctgt_lu_stats *o, const struct iscsi_lu_stats *i)
{
	const struct scsi_lu_stats *st = &i->st;

	memset(o, 0, sizeof(*o));
	o->lun = i->lun;
	o->blocks = i->nblocks;
	o->block_size = i->block_size;
	o->reads = st->reads;
	o->writes = st->writes;
	o->others = st->others;
	o->read_bytes = st->read_bytes;
	o->write_bytes = st->write_bytes;
	o->errors = st->errors;
	o->aborted = st->aborted;
	o->read_us = st->read_us;
	o->write_us = st->write_us;
	memcpy(o->read_hist, st->read_hist, sizeof(o->read_hist));
	memcpy(o->write_hist, st->write_hist, sizeof(o->write_hist));
	lu_progress_public(o, &i->prog);
}

int ctgt_server_lu_stats(struct ctgt_server *srv, const char *iqn, struct ctgt_lu_stats **out,
			 size_t *n)
{
	struct iscsi_lu_stats *in = NULL;
	size_t k, count = 0;
	int rc;

	*out = NULL;
	*n = 0;
	pthread_mutex_lock(&srv->admin_mu);
	rc = iscsi_server_lu_stats(srv->isrv, &srv->admin, iqn, &in, &count);
	pthread_mutex_unlock(&srv->admin_mu);
	if (rc == 0 && (*out = calloc(count ? count : 1, sizeof(**out))) == NULL)
		rc = -ENOMEM;
	for (k = 0; rc == 0 && k < count; k++)
		lu_stats_public(&(*out)[k], &in[k]);
	if (rc == 0)
		*n = count;
	free(in);
	return rc;
}

int ctgt_server_session_logout(struct ctgt_server *srv, uint16_t tsih, unsigned *wait_s)
{
	int rc;

	pthread_mutex_lock(&srv->admin_mu);
	rc = iscsi_server_session_logout(srv->isrv, &srv->admin, tsih, wait_s);
	pthread_mutex_unlock(&srv->admin_mu);
	return rc;
}

_Static_assert((int)CTGT_LOGIN_FAILURE_KINDS == (int)ISCSI_LF_KINDS, "one list of failures");
_Static_assert((int)CTGT_LOGIN_TARGET_ERROR == (int)ISCSI_LF_CLASS3 &&
	       (int)CTGT_LOGIN_OTHER == (int)ISCSI_LF_OTHER, "in the same order");

static const struct {
	const char *name;
	unsigned status;
} login_failures[CTGT_LOGIN_FAILURE_KINDS] = {
	[CTGT_LOGIN_INITIATOR_ERROR] = { "initiator_error", 0x0200 },
	[CTGT_LOGIN_AUTHENTICATION_FAILED] = { "authentication_failed", 0x0201 },
	[CTGT_LOGIN_AUTHORIZATION_FAILED] = { "authorization_failed", 0x0202 },
	[CTGT_LOGIN_TARGET_NOT_FOUND] = { "target_not_found", 0x0203 },
	[CTGT_LOGIN_TARGET_REMOVED] = { "target_removed", 0x0204 },
	[CTGT_LOGIN_UNSUPPORTED_VERSION] = { "unsupported_version", 0x0205 },
	[CTGT_LOGIN_TOO_MANY_CONNECTIONS] = { "too_many_connections", 0x0206 },
	[CTGT_LOGIN_MISSING_PARAMETER] = { "missing_parameter", 0x0207 },
	[CTGT_LOGIN_CANNOT_INCLUDE_IN_SESSION] = { "cannot_include_in_session", 0x0208 },
	[CTGT_LOGIN_SESSION_TYPE_UNSUPPORTED] = { "session_type_unsupported", 0x0209 },
	[CTGT_LOGIN_SESSION_DOES_NOT_EXIST] = { "session_does_not_exist", 0x020a },
	[CTGT_LOGIN_INVALID_DURING_LOGIN] = { "invalid_during_login", 0x020b },
	[CTGT_LOGIN_TARGET_ERROR] = { "target_error", 0x0300 },
	[CTGT_LOGIN_SERVICE_UNAVAILABLE] = { "service_unavailable", 0x0301 },
	[CTGT_LOGIN_OUT_OF_RESOURCES] = { "out_of_resources", 0x0302 },
	[CTGT_LOGIN_OTHER] = { "other", 0 },
};

const char *ctgt_login_failure_name(unsigned kind)
{
	return kind < CTGT_LOGIN_FAILURE_KINDS ? login_failures[kind].name : NULL;
}

unsigned ctgt_login_failure_status(unsigned kind)
{
	return kind < CTGT_LOGIN_FAILURE_KINDS ? login_failures[kind].status : 0;
}

int ctgt_server_counters(struct ctgt_server *srv, struct ctgt_server_counters *out)
{
	struct iscsi_counters_snap c;

	iscsi_server_counters(srv->isrv, &c);
	memset(out, 0, sizeof(*out));
	out->connections_accepted = c.conns_accepted;
	out->connections_refused_limit = c.conns_refused_total;
	out->connections_refused_per_address = c.conns_refused_addr;
	out->accept_pauses = c.accept_pauses;
	out->logins_normal = c.logins_normal;
	out->logins_discovery = c.logins_discovery;
	memcpy(out->login_failures, c.login_failures, sizeof(out->login_failures));
	out->chap_failures = c.chap_failures;
	out->chap_delays = c.chap_holds;
	out->sessions_refused = c.sessions_refused;
	out->login_timeouts = c.login_timeouts;
	out->final_response_timeouts = c.final_rsp_timeouts;
	out->nop_timeouts = c.nop_timeouts;
	out->tx_backpressure = c.tx_backpressure;
	out->buffer_full = c.buffer_full;
	out->immediate_rejected = c.immediate_rejected;
	out->pdu_rejects = c.pdu_rejects;
	out->cmdsn_dropped = c.cmdsn_dropped;
	out->resets_refused = c.resets_refused;
	return 0;
}

int ctgt_server_change_limits(struct ctgt_server *s, const struct ctgt_limits *lim,
			      unsigned nop_interval_s, unsigned nop_timeout_s)
{
	struct iscsi_server_limits l = embed_limits(lim);
	int rc;

	pthread_mutex_lock(&s->admin_mu);
	rc = iscsi_server_change_settings(s->isrv, &s->admin, &l, nop_interval_s, nop_timeout_s);
	pthread_mutex_unlock(&s->admin_mu);
	return rc;
}
