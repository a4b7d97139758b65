/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The security stage of a login (RFC 7143 section 12.1): which initiators
 * must authenticate, the CHAP exchange through iscsi/chap.c, and the
 * slow-down of repeated failures.
 *
 * Slow-down (the table is iscsi/auth_throttle.c): the answer to a CHAP
 * response from an address or name with recent failures is held back,
 * success or not, so a guesser cannot tell the verdict early either. The
 * hold is a timer (login.c): the event loop and every other connection go
 * on meanwhile.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>

#include "iscsi/auth_throttle.h"
#include "iscsi/iscsi.h"
#include "util/log.h"
#include "util/log_escape.h"

/* The key the address part of conn->peer ("host:port") counts under. */
static void peer_host(const struct iscsi_conn *conn, char *buf, size_t len)
{
	const char *colon = strrchr(conn->peer, ':');
	size_t n = colon ? (size_t)(colon - conn->peer) : strlen(conn->peer);
	char host[64];

	snprintf(host, sizeof(host), "%.*s", (int)n, conn->peer);
	auth_throttle_addr_key(host, buf, len);
}

/* Count a failure (the table is made on the first one; without memory for
 * it failures go uncounted, which only weakens the slow-down). */
static void fail_record(struct iscsi_conn *conn)
{
	char host[80];

	struct iscsi_server *srv = conn->srv;

	peer_host(conn, host, sizeof(host));
	/* Shared by the threads: logins of any target (login path only). */
	pthread_mutex_lock(&srv->auth_mu);
	if (!srv->auth_fails)
		srv->auth_fails = auth_throttle_new();
	auth_throttle_fail(srv->auth_fails, host, conn->params.initiator_name, evloop_now_ms());
	pthread_mutex_unlock(&srv->auth_mu);
}

/* A success from this address and name ends their slow-down: a user who
 * mistyped once, or who shares an address with a guesser, is not held back
 * for minutes. A guesser gains nothing: the names it attacks keep counting. */
static void fail_forget(struct iscsi_conn *conn)
{
	char host[80];

	peer_host(conn, host, sizeof(host));
	pthread_mutex_lock(&conn->srv->auth_mu);
	auth_throttle_success(conn->srv->auth_fails, host, conn->params.initiator_name,
			      evloop_now_ms());
	pthread_mutex_unlock(&conn->srv->auth_mu);
}

/* The held answer must leave the login time to finish (a second to spare):
 * a hold past the login timeout would close every login of a name that
 * failed a few times, the right secret included, until its failures are
 * forgotten. Holding less is still a growing delay up to the cap. */
static uint64_t hold_within_login(const struct iscsi_conn *conn, uint64_t hold)
{
	uint64_t limit = (uint64_t)conn->thr->set.lim.login_timeout_s * 1000u;
	uint64_t used = evloop_now_ms() - conn->accepted_ms;
	uint64_t left = used + 1000u < limit ? limit - used - 1000u : 0;

	return hold < left ? hold : left;
}

uint64_t auth_hold_ms(struct iscsi_conn *conn)
{
	char host[80];
	uint64_t delay;

	if (!conn->auth.required || conn->auth.chap.state != CHAP_WAIT_R ||
	    conn->params.auth_method[0] != 'C')
		return 0;
	peer_host(conn, host, sizeof(host));
	pthread_mutex_lock(&conn->srv->auth_mu);
	delay = auth_throttle_delay(conn->srv->auth_fails, host, conn->params.initiator_name,
				    evloop_now_ms());
	pthread_mutex_unlock(&conn->srv->auth_mu);
	return hold_within_login(conn, delay);
}

/* ---- policy ---------------------------------------------------------------- */

struct iscsi_policy *server_policy(struct iscsi_server *srv, const struct iscsi_target *t)
{
	struct iscsi_policy *p;

	pthread_mutex_lock(&srv->policy_mu);
	p = iscsi_policy_ref(t ? t->policy : srv->discovery_policy);
	pthread_mutex_unlock(&srv->policy_mu);
	return p;
}

/*
 * Discovery sessions: the discovery credentials. Normal sessions: the
 * initiator's own credentials where it has some, else the target's; the
 * target's mutual credentials either way.
 */
void auth_decide(struct iscsi_conn *conn)
{
	struct iscsi_login_auth *a = &conn->auth;
	const char *st, *tn, *in;
	const struct iscsi_auth_cfg *cfg = NULL;
	const struct iscsi_initiator *e = NULL;
	struct iscsi_target *t;

	if (a->decided)
		return;
	a->decided = true;
	st = kv_find(conn->text_in, conn->text_in_len, "SessionType");
	tn = kv_find(conn->text_in, conn->text_in_len, "TargetName");
	in = kv_find(conn->text_in, conn->text_in_len, "InitiatorName");
	if (st && strcmp(st, "Discovery") == 0) {
		a->policy = server_policy(conn->srv, NULL);
		a->for_discovery = true;
	} else if (tn && (t = server_find_target(conn->srv, tn)) != NULL) {
		a->policy = server_policy(conn->srv, t);
		e = iscsi_policy_initiator(a->policy, in);
		a->for_target = t;
	}
	/* The credentials point into a->policy, kept until the connection
	 * closes: a change made meanwhile applies to the next login. */
	cfg = a->policy ? &a->policy->auth : NULL;
	if (e && e->chap)
		a->expect = &e->cred;
	else if (cfg && cfg->chap)
		a->expect = &cfg->initiator;
	a->required = a->expect != NULL;
	a->ours = a->required && cfg->mutual ? &cfg->target : NULL;
	conn->neg.auth_chap = a->required;
	conn->neg.auth_none = !a->required;
	if (a->required)
		chap_init(&a->chap, a->expect, a->ours);
}

static void auth_fail_login(struct iscsi_conn *conn, const char *why)
{
	char esc[LOG_ESC_LEN], msg[LOG_ESC_LEN + 160];

	chap_wipe(&conn->auth.chap);
	snprintf(msg, sizeof(msg), "%s (initiator %s)", why,
		 log_escape(esc, sizeof(esc), conn->params.initiator_name));
	login_fail(conn, LOGIN_CLASS_INITIATOR_ERR, LOGIN_DETAIL_AUTH_FAILED, msg);
}

int auth_step(struct iscsi_conn *conn, struct kvbuf *out, bool *transit)
{
	struct iscsi_login_auth *a = &conn->auth;
	const char *why = NULL;
	enum chap_rc rc;

	if (strcmp(conn->params.auth_method, "CHAP") != 0 || !a->required || a->done)
		return 0;
	rc = chap_step(&a->chap, conn->text_in, conn->text_in_len, out, &why);
	switch (rc) {
	case CHAP_CONTINUE:
		*transit = false;	/* 12.1.3: no stage change before CHAP ends */
		return 0;
	case CHAP_SUCCESS: {
		char esc[LOG_ESC_LEN];

		a->done = true;
		fail_forget(conn);
		/* CHAP_N equals our configured name here, escaped all the same. */
		log_msg_rl(&conn->thr->rl_login_ok, LOG_LVL_INFO, "login",
			   "%s: CHAP authenticated as %s (algorithm %d)%s", conn->peer,
			   log_escape(esc, sizeof(esc), a->expect->name), a->chap.alg,
			   a->chap.ours && kv_find(conn->text_in, conn->text_in_len, "CHAP_C")
				   ? ", mutual" : "");
		return 0;
	}
	case CHAP_FAIL:
		iscsi_count(&conn->srv->ctr.chap_failures);
		fail_record(conn);
		auth_fail_login(conn, why);
		return -1;
	case CHAP_NOMEM:
		break;
	}
	login_fail(conn, LOGIN_CLASS_TARGET_ERR, LOGIN_DETAIL_OUT_OF_RESOURCES, "out of memory");
	return -1;
}

/*
 * The credentials were chosen from the first request's names, before the
 * negotiation read them: the session the login negotiated must be the one
 * they were chosen for. Both read the same terminated pairs, so this holds;
 * it is checked because a difference would be a login without the secret.
 */
int auth_check_decided(struct iscsi_conn *conn, const struct iscsi_target *t)
{
	const struct iscsi_login_auth *a = &conn->auth;

	if (a->for_discovery == conn->params.discovery &&
	    (conn->params.discovery || a->for_target == t))
		return 0;
	login_fail(conn, LOGIN_CLASS_INITIATOR_ERR, LOGIN_DETAIL_INIT_ERR,
		   "the session type or target name changed during the login");
	return -1;
}

int auth_check_done(struct iscsi_conn *conn)
{
	if (!conn->auth.required || conn->auth.done)
		return 0;
	auth_fail_login(conn, "this target requires CHAP and the initiator did not authenticate");
	return -1;
}

void auth_conn_closed(struct iscsi_conn *conn)
{
	if (conn->auth.hold_timer)
		evloop_del_timer(conn->thr->loop, conn->auth.hold_timer);
	conn->auth.hold_timer = 0;
	chap_wipe(&conn->auth.chap);
	conn->auth.expect = conn->auth.ours = NULL;
	iscsi_policy_put(conn->auth.policy);
	conn->auth.policy = NULL;
}

bool auth_policy_permits(const struct iscsi_policy *p, const char *name,
			 const struct sockaddr *sa)
{
	return p->acl.n == 0 || acl_permits(&p->acl, name, sa);
}

bool auth_chap_current(const struct iscsi_conn *conn, const struct iscsi_target *t)
{
	struct iscsi_policy *p;
	bool ok = conn->auth.required && conn->auth.done;

	if (ok)
		return true;
	p = server_policy(conn->srv, t);
	ok = !iscsi_policy_requires_chap(p, conn->params.initiator_name);
	iscsi_policy_put(p);
	return ok;
}

bool auth_acl_permits(const struct iscsi_conn *conn, const struct iscsi_target *t)
{
	struct iscsi_policy *p = server_policy(conn->srv, t);
	struct sockaddr_storage ss;
	socklen_t sl = sizeof(ss);
	bool known, ok = p->acl.n == 0;

	if (!ok) {
		known = conn->fd >= 0 && getpeername(conn->fd, (struct sockaddr *)&ss, &sl) == 0;
		ok = auth_policy_permits(p, conn->params.initiator_name,
					 known ? (const struct sockaddr *)&ss : NULL);
	}
	iscsi_policy_put(p);
	return ok;
}

void auth_server_free(struct iscsi_server *srv)
{
	struct list_node *pos;

	for (pos = srv->targets.next; pos != &srv->targets; pos = pos->next) {
		struct iscsi_target *t = container_of(pos, struct iscsi_target, link);

		iscsi_policy_put(t->policy);
		t->policy = NULL;
	}
	iscsi_policy_put(srv->discovery_policy);
	srv->discovery_policy = NULL;
	auth_throttle_free(srv->auth_fails);
	srv->auth_fails = NULL;
}

/* ---- configuration -------------------------------------------------------------- */

/* The policy of target @target (NULL: discovery's) to change before
 * serving, or NULL with why in @err. */
static struct iscsi_policy *setup_policy(struct iscsi_server *srv, const char *target,
					 char *err, size_t errlen)
{
	struct iscsi_target *t;

	if (target == NULL)
		return srv->discovery_policy;
	if ((t = server_find_target(srv, target)) == NULL) {
		snprintf(err, errlen, "no target %s", target);
		return NULL;
	}
	return t->policy;
}

int iscsi_server_set_chap(struct iscsi_server *srv, const char *target, const char *user,
			  const char *secret, const char *muser, const char *msecret,
			  char *err, size_t errlen)
{
	struct iscsi_policy *p = setup_policy(srv, target, err, errlen);

	return p ? iscsi_policy_set_chap(p, target, user, secret, muser, msecret, err, errlen)
		 : -ENOENT;
}

int iscsi_server_allow(struct iscsi_server *srv, const char *target, const char *rule,
		       char *err, size_t errlen)
{
	struct iscsi_policy *p = target ? setup_policy(srv, target, err, errlen) : NULL;

	if (target == NULL) {
		snprintf(err, errlen, "access rule without a target");
		return -EINVAL;
	}
	return p ? iscsi_policy_allow(p, target, rule, err, errlen) : -ENOENT;
}

int iscsi_server_add_initiator(struct iscsi_server *srv, const char *target, const char *name,
			       const char *chap_user, const char *chap_secret,
			       const struct scsi_lun_map_entry *luns, size_t nluns, bool mapped,
			       char *err, size_t errlen)
{
	struct iscsi_policy *p = target ? setup_policy(srv, target, err, errlen) : NULL;

	if (target == NULL) {
		snprintf(err, errlen, "initiator settings without a target");
		return -EINVAL;
	}
	return p ? iscsi_policy_add_initiator(p, target, name, chap_user, chap_secret, luns, nluns,
					      mapped, err, errlen)
		 : -ENOENT;
}

int iscsi_server_set_policy(struct iscsi_server *srv, const char *target, struct iscsi_policy *p,
			    char *err, size_t errlen)
{
	struct iscsi_target *t = target ? server_find_target(srv, target) : NULL;
	struct iscsi_policy **slot, *old;

	if (target && t == NULL) {
		iscsi_policy_put(p);
		snprintf(err, errlen, "no target %s", target);
		return -ENOENT;
	}
	if (target == NULL && (p->acl.n || p->ninits)) {
		iscsi_policy_put(p);
		snprintf(err, errlen, "discovery sessions have no access rules or initiators");
		return -EINVAL;
	}
	pthread_mutex_lock(&srv->policy_mu);
	slot = t ? &t->policy : &srv->discovery_policy;
	old = *slot;
	*slot = p;
	pthread_mutex_unlock(&srv->policy_mu);
	iscsi_policy_put(old);
	return 0;
}
