/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Snapshots for the administrator (iscsi/admin.h). Each thread copies its
 * own sessions in a call run on it, so nothing is read across threads; the
 * parts are joined on the caller's thread. The snapshot is of one moment
 * per thread, not of one moment for the whole server.
 */
#include "iscsi/admin.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "iscsi/iscsi.h"

struct gather {
	struct iscsi_thread *thr;
	struct iscsi_sessions *out;
	int rc;
};

static bool grow(void **arr, size_t n, size_t size)
{
	void *p = realloc(*arr, (n + 1) * size);

	if (p == NULL)
		return false;
	*arr = p;
	return true;
}

static bool copy_conn(struct iscsi_sessions *out, const struct iscsi_conn *conn)
{
	struct iscsi_conn_info *ci;

	if (!grow((void **)&out->c, out->nc, sizeof(*out->c)))
		return false;
	ci = &out->c[out->nc++];
	memset(ci, 0, sizeof(*ci));
	ci->cid = conn->cid;
	memcpy(ci->peer, conn->peer, sizeof(ci->peer));
	memcpy(ci->local, conn->local_host, sizeof(ci->local));
	ci->hdr_digest = conn->hdr_digest;
	ci->data_digest = conn->data_digest;
	ci->full_feature = conn->state == CONN_FULL_FEATURE;
	return true;
}

static void fill_session(struct iscsi_session_info *si, const struct iscsi_session *s,
			 unsigned thread)
{
	const struct iscsi_params *p = &s->params;

	memset(si, 0, sizeof(*si));
	si->tsih = s->tsih;
	memcpy(si->isid, s->isid, sizeof(si->isid));
	si->thread = thread;
	si->remote = s->remote;
	si->discovery = p->discovery;
	memcpy(si->initiator, p->initiator_name, sizeof(si->initiator));
	memcpy(si->target, p->target_name, sizeof(si->target));
	si->max_recv_dlen = p->max_recv_dlen;
	si->max_xmit_dlen = p->max_xmit_dlen;
	si->max_burst = p->max_burst;
	si->first_burst = p->first_burst;
	si->immediate_data = p->immediate_data;
	si->initial_r2t = p->initial_r2t;
	si->in_flight = s->in_flight;
	si->commands = s->commands;
}

static bool copy_session(struct iscsi_sessions *out, const struct iscsi_session *s,
			 unsigned thread)
{
	struct iscsi_session_info *si;
	struct list_node *pos, *tmp;

	if (!grow((void **)&out->s, out->ns, sizeof(*out->s)))
		return false;
	si = &out->s[out->ns++];
	fill_session(si, s, thread);
	si->conn0 = out->nc;
	list_for_each_safe(pos, tmp, &s->conns) {
		if (!copy_conn(out, container_of(pos, struct iscsi_conn, sess_link)))
			return false;
		si->nconns++;
	}
	return true;
}

/* On thread g->thr. */
static void gather_thread(void *arg)
{
	struct gather *g = arg;
	struct list_node *pos, *tmp;

	list_for_each_safe(pos, tmp, &g->thr->sessions) {
		if (!copy_session(g->out, container_of(pos, struct iscsi_session, link),
				  g->thr->index)) {
			g->rc = -ENOMEM;
			return;
		}
	}
}

int iscsi_server_sessions(struct iscsi_server *srv, struct ev_caller *caller,
			  struct iscsi_sessions *out)
{
	for (unsigned i = 0; i < srv->nthreads; i++) {
		struct gather g = { .thr = &srv->thr[i], .out = out };
		int rc;

		if (g.thr->ev == NULL)
			return -ENOTSUP;
		rc = ev_caller_call(caller, g.thr->ev, gather_thread, &g);
		if (rc == 0)
			rc = g.rc;
		if (rc < 0)
			return rc;
	}
	return 0;
}

void iscsi_sessions_free(struct iscsi_sessions *out)
{
	free(out->s);
	free(out->c);
	memset(out, 0, sizeof(*out));
}

struct lu_gather {
	struct iscsi_target *target;
	struct iscsi_lu_stats *out;	/* SCSI_MAX_LUNS of them */
	size_t n;
};

/* On the target's home thread. */
static void gather_lus(void *arg)
{
	struct lu_gather *g = arg;

	for (uint64_t lun = 0; lun < SCSI_MAX_LUNS; lun++) {
		struct scsi_lu *lu = scsi_tgt_lu(g->target->scsi, lun);
		struct iscsi_lu_stats *o = &g->out[g->n];

		if (lu == NULL)
			continue;
		o->lun = lun;
		o->nblocks = scsi_lu_num_blocks(lu);
		o->block_size = scsi_lu_block_size(lu);
		scsi_lu_stats(lu, &o->st);
		scsi_lu_progress(lu, &o->prog);
		g->n++;
	}
}

int iscsi_server_lu_stats(struct iscsi_server *srv, struct ev_caller *caller, const char *target,
			  struct iscsi_lu_stats **out, size_t *n)
{
	struct lu_gather g = { .target = server_find_target(srv, target) };
	int rc;

	*out = NULL;
	*n = 0;
	if (g.target == NULL)
		return -ENOENT;
	if (g.target->home->ev == NULL)
		return -ENOTSUP;
	g.out = calloc(SCSI_MAX_LUNS, sizeof(*g.out));
	if (g.out == NULL)
		return -ENOMEM;
	rc = ev_caller_call(caller, g.target->home->ev, gather_lus, &g);
	if (rc < 0) {
		free(g.out);
		return rc;
	}
	*out = g.out;
	*n = g.n;
	return 0;
}

struct target_call {
	struct scsi_tgt *tgt;
	void (*fn)(struct scsi_tgt *tgt, void *arg);
	void *arg;
};

static void run_target_call(void *arg)
{
	struct target_call *c = arg;

	c->fn(c->tgt, c->arg);
}

int iscsi_server_target_call(struct iscsi_server *srv, struct ev_caller *caller,
			     struct scsi_tgt *tgt, void (*fn)(struct scsi_tgt *tgt, void *arg),
			     void *arg)
{
	struct iscsi_target *t = server_find_scsi(srv, tgt);
	struct target_call c = { .fn = fn, .arg = arg };

	if (t == NULL)
		return -ENOENT;
	if (t->home->ev == NULL)
		return -ENOTSUP;
	c.tgt = t->scsi;
	return ev_caller_call(caller, t->home->ev, run_target_call, &c);
}

struct logout_call {
	struct iscsi_thread *thr;
	uint16_t tsih;			/* this session, or */
	const struct scsi_tgt *tgt;	/* every session of this target */
	bool drop;			/* close them instead of asking */
	bool policy;			/* only those its policy no longer admits */
	unsigned wait_s;		/* the longest given */
	bool found;
	unsigned asked;			/* sessions asked (or dropped) */
	unsigned closed;		/* policy: of those, closed at once */
};

/* Ask session @s on its every connection (or drop it). */
static void logout_session(struct logout_call *l, struct iscsi_session *s)
{
	unsigned wait = s->params.default_time2wait > ISCSI_LOGOUT_WAIT_MIN_S
				? s->params.default_time2wait : ISCSI_LOGOUT_WAIT_MIN_S;
	struct list_node *pos, *tmp;

	if (wait > l->wait_s)
		l->wait_s = wait;
	l->asked++;
	list_for_each_safe(pos, tmp, &s->conns) {
		struct iscsi_conn *c = container_of(pos, struct iscsi_conn, sess_link);

		if (l->drop && c->state != CONN_CLOSED) {
			conn_close(c, l->policy ? "its access settings changed"
						: "its target was removed");
			l->found = true;
		} else if (c->state == CONN_FULL_FEATURE) {
			async_request_logout(c, wait);
			l->found = true;
		}
	}
}

/* What the policy in force now makes of session @s. */
enum verdict { KEEP, ASK, DROP };

/* Whether a connection of @s would be refused by @now's access rules. */
static bool any_refused(const struct iscsi_session *s, const struct iscsi_policy *now)
{
	struct list_node *pos;

	for (pos = s->conns.next; pos != &s->conns; pos = pos->next) {
		const struct iscsi_conn *c = container_of(pos, struct iscsi_conn, sess_link);
		struct sockaddr_storage ss;
		socklen_t sl = sizeof(ss);
		bool known;

		if (c->state == CONN_CLOSED || c->fd < 0)
			continue;
		known = getpeername(c->fd, (struct sockaddr *)&ss, &sl) == 0;
		if (!auth_policy_permits(now, s->params.initiator_name,
					 known ? (const struct sockaddr *)&ss : NULL))
			return true;
	}
	return false;
}

/* Why the policy in force now would not let @s in as it is, or NULL. */
static const char *refusal(const struct iscsi_session *s, const struct iscsi_policy *now)
{
	const char *name = s->params.initiator_name;

	if (any_refused(s, now))
		return "no longer admitted by the access rules";
	if (iscsi_policy_requires_chap(now, name) && !s->chap)
		return "logged in without CHAP, which is required now";
	if (iscsi_policy_view_change(s->policy, now, name) == ISCSI_VIEW_OTHER)
		return "a LU it saw is gone, renumbered or write-protected now";
	return NULL;
}

/* Access taken away (admission, CHAP, a LU or its write access) ends the
 * session at once: it must not last the seconds a polite logout takes,
 * nor however long the initiator's DefaultTime2Wait is, nor survive a
 * connection that replaces the one asked. One that would only see more
 * LUs is asked to log in again. */
static enum verdict judge(const struct iscsi_session *s)
{
	struct iscsi_policy *now = server_policy(s->srv, s->target);
	const char *why = refusal(s, now);
	enum verdict v = why ? DROP
			 : iscsi_policy_view_change(s->policy, now, s->params.initiator_name) ==
				   ISCSI_VIEW_WIDER ? ASK : KEEP;

	iscsi_policy_put(now);
	if (v == DROP)
		LOG_INFO("admin", "tsih %u (%s) on %s: %s; closing it", s->tsih,
			 s->params.initiator_name, s->target->name, why);
	else if (v == ASK)
		LOG_INFO("admin", "tsih %u (%s): it may see more LUs of %s now; asking it to log "
			 "out", s->tsih, s->params.initiator_name, s->target->name);
	return v;
}

/* On l->thr: the session or the target's sessions there. */
static void logout_on_thread(void *arg)
{
	struct logout_call *l = arg;
	struct list_node *pos, *tmp;

	list_for_each_safe(pos, tmp, &l->thr->sessions) {
		struct iscsi_session *s = container_of(pos, struct iscsi_session, link);

		if (l->tgt != NULL ? s->target == NULL || s->target->scsi != l->tgt
				   : s->tsih != l->tsih)
			continue;
		if (!l->policy) {
			logout_session(l, s);
			continue;
		}
		switch (judge(s)) {
		case KEEP:
			break;
		case ASK:
			logout_session(l, s);
			break;
		case DROP:
			l->drop = true;
			logout_session(l, s);
			l->drop = false;
			l->closed++;
			break;
		}
	}
}

/* @tmpl's logout on every thread in turn; @sum gets the longest wait
 * given, the counts, and whether any session was found. */
static int logout_everywhere(struct iscsi_server *srv, struct ev_caller *caller,
			     const struct logout_call *tmpl, struct logout_call *sum)
{
	for (unsigned i = 0; i < srv->nthreads; i++) {
		struct logout_call l = *tmpl;
		int rc;

		l.thr = &srv->thr[i];
		if (l.thr->ev == NULL)
			return -ENOTSUP;
		if ((rc = ev_caller_call(caller, l.thr->ev, logout_on_thread, &l)) < 0)
			return rc;
		if (l.wait_s > sum->wait_s)
			sum->wait_s = l.wait_s;
		sum->asked += l.asked;
		sum->closed += l.closed;
		sum->found = sum->found || l.found;
	}
	return 0;
}

int iscsi_server_target_logout(struct iscsi_server *srv, struct ev_caller *caller,
			       struct scsi_tgt *tgt, bool drop, unsigned *wait_s)
{
	struct logout_call sum = { 0 };
	int rc = logout_everywhere(srv, caller, &(struct logout_call){ .tgt = tgt, .drop = drop },
				   &sum);

	if (rc == 0 && wait_s != NULL)
		*wait_s = sum.wait_s;
	return rc;
}

int iscsi_server_policy_logout(struct iscsi_server *srv, struct ev_caller *caller,
			       struct scsi_tgt *tgt, unsigned *asked, unsigned *closed)
{
	struct logout_call sum = { 0 };
	int rc = logout_everywhere(srv, caller, &(struct logout_call){ .tgt = tgt, .policy = true },
				   &sum);

	*asked = sum.asked - sum.closed;
	*closed = sum.closed;
	return rc;
}

int iscsi_server_session_logout(struct iscsi_server *srv, struct ev_caller *caller,
				uint16_t tsih, unsigned *wait_s)
{
	struct logout_call sum = { 0 };
	int rc = logout_everywhere(srv, caller, &(struct logout_call){ .tsih = tsih }, &sum);

	if (rc < 0)
		return rc;
	if (!sum.found)
		return -ENOENT;
	if (wait_s != NULL)
		*wait_s = sum.wait_s;
	return 0;
}

void iscsi_server_counters(const struct iscsi_server *srv, struct iscsi_counters_snap *out)
{
	const struct iscsi_counters *c = &srv->ctr;

#define ISCSI_CTR_COPY(n) out->n = atomic_load_explicit(&c->n, memory_order_relaxed);
	ISCSI_COUNTERS(ISCSI_CTR_COPY)
#undef ISCSI_CTR_COPY
	for (unsigned k = 0; k < ISCSI_LF_KINDS; k++)
		out->login_failures[k] = atomic_load_explicit(&c->login_failures[k],
							      memory_order_relaxed);
}
