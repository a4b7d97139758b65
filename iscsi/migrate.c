/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Session placement: which network thread serves a session, and moving a
 * login there. Every connection of a session is served by one thread (the
 * session's thread); the sessions of one target may be on several.
 *
 * A connection is accepted on thread 0 and logs in there until its first
 * complete Login Request sequence names its target and initiator. A normal
 * session's login then looks up its placement: the per-target table of
 * (initiator name, ISID) -> thread (struct iscsi_place, under the target's
 * place_mu, taken at login and when a connection is freed, never per I/O).
 * A pair already placed (a session that exists, or a login for it in
 * progress: MC/S joining, session or connection reinstatement) goes to that
 * thread; a new pair gets the target's home thread when the target has no
 * placement yet (so one session, or --threads 1, pays no hand-off), else
 * the next thread round-robin from home (with --session-threads target,
 * home again: iscsi_server_set_spread_sessions()). Only a leading login (TSIH 0)
 * makes an entry; a join that finds none goes to home (and fails there). Every connection that looked a
 * pair up holds a reference to its entry until it is freed; the entry goes
 * with the last. So session lookup, creation, reinstatement and MC/S
 * joining all happen on the one thread, among its sessions.
 *
 * A session on a thread other than its target's home (sess->remote) makes
 * its SCSI calls on home by messages (handoff.c): home is the task thread
 * of the target's LUs (scsi/scsi.h "Threads").
 *
 * The move: login_handle() calls migrate_login(), which sets the
 * connection aside (off its thread's list, not read any more); the
 * thread's before-sleep hook (migrate_flush()) takes its socket off the
 * loop and sends it to the session's thread in a message (conn->mig_msg),
 * which puts it on that thread's list and loop and answers the request it
 * brought.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "iscsi/iscsi.h"
#include "util/log.h"

/* @key's value in the keys received (NUL-terminated into @out), or false. */
static bool login_key(const struct iscsi_conn *conn, const char *key, char *out, size_t len)
{
	const char *v = kv_find(conn->text_in, conn->text_in_len, key);
	size_t left, n;

	if (!v)
		return false;
	left = (size_t)(conn->text_in + conn->text_in_len - v);
	n = strnlen(v, left);
	if (n >= len)
		return false;
	memcpy(out, v, n);
	out[n] = '\0';
	return true;
}

/* One (initiator, ISID) of a target and the thread that serves it. */
struct iscsi_place {
	struct iscsi_place *next;
	char initiator[ISCSI_NAME_LEN];
	uint8_t isid[6];
	unsigned thread;
	unsigned refs;			/* connections holding it */
};

/* The target a normal login names, or NULL: a discovery session, no target
 * or no such target stays where it is (its failure, if any, is answered
 * here). */
static struct iscsi_target *login_target(const struct iscsi_conn *conn)
{
	char type[32], name[ISCSI_NAME_LEN];

	if (login_key(conn, "SessionType", type, sizeof(type)) &&
	    strcmp(type, "Discovery") == 0)
		return NULL;
	if (!login_key(conn, "TargetName", name, sizeof(name)))
		return NULL;
	return server_find_target(conn->srv, name);
}

/* Under t->place_mu: the entry of (@ini, @isid), or a new one. NULL: no
 * memory (the login then goes to home, unplaced). */
static struct iscsi_place *place_get(struct iscsi_target *t, unsigned nthreads, const char *ini,
				     const uint8_t isid[6], bool create, bool keep_home)
{
	struct iscsi_place *p;

	for (p = t->places; p; p = p->next)
		if (memcmp(p->isid, isid, 6) == 0 && strcasecmp(p->initiator, ini) == 0)
			return p;
	if (!create)
		return NULL;
	p = calloc(1, sizeof(*p));
	if (!p)
		return NULL;
	snprintf(p->initiator, sizeof(p->initiator), "%s", ini);
	memcpy(p->isid, isid, 6);
	if (!t->places)
		t->place_next = 0;	/* the first one is home's */
	p->thread = (t->home->index + (keep_home ? 0 : t->place_next++)) % nthreads;
	p->next = t->places;
	t->places = p;
	return p;
}

/* The thread @conn's login to @t goes to; takes a reference on its entry. */
static struct iscsi_thread *place_login(struct iscsi_conn *conn, struct iscsi_target *t,
					const uint8_t *bhs)
{
	struct iscsi_server *srv = conn->srv;
	char ini[ISCSI_NAME_LEN];
	struct iscsi_place *p = NULL;
	/* A join (TSIH set) goes where its session is, or, unplaced, home. */
	bool leading = get_be16(bhs + BHS_LOGIN_TSIH) == 0;

	if (login_key(conn, "InitiatorName", ini, sizeof(ini))) {
		pthread_mutex_lock(&t->place_mu);
		p = place_get(t, srv->nthreads, ini, bhs + BHS_LOGIN_ISID, leading,
			      srv->keep_home);
		if (p)
			p->refs++;
		pthread_mutex_unlock(&t->place_mu);
	}
	conn->place = p;
	conn->place_target = t;
	return p ? &srv->thr[p->thread] : t->home;
}

void migrate_conn_gone(struct iscsi_conn *conn)
{
	struct iscsi_target *t = conn->place_target;
	struct iscsi_place **pp;

	if (!conn->place)
		return;
	pthread_mutex_lock(&t->place_mu);
	if (--conn->place->refs == 0) {
		for (pp = &t->places; *pp != conn->place; pp = &(*pp)->next)
			;
		*pp = conn->place->next;
		free(conn->place);
	}
	pthread_mutex_unlock(&t->place_mu);
	conn->place = NULL;
}

void place_session_count(struct iscsi_target *t, int delta)
{
	pthread_mutex_lock(&t->place_mu);
	t->nsessions = (unsigned)((int)t->nsessions + delta);
	pthread_mutex_unlock(&t->place_mu);
}

unsigned place_sessions(struct iscsi_target *t)
{
	unsigned n;

	pthread_mutex_lock(&t->place_mu);
	n = t->nsessions;
	pthread_mutex_unlock(&t->place_mu);
	return n;
}

bool migrate_login(struct iscsi_conn *conn, const uint8_t *bhs)
{
	struct iscsi_thread *to;
	struct iscsi_target *t;

	if (conn->srv->nthreads == 1 || conn->sess || conn->state != CONN_LOGIN)
		return false;
	if (conn->place_target) {
		to = conn->place ? &conn->srv->thr[conn->place->thread] : conn->place_target->home;
	} else {
		t = login_target(conn);
		if (!t)
			return false;
		to = place_login(conn, t, bhs);
	}
	if (to == conn->thr)
		return false;
	LOG_DEBUG("conn", "%s: login to %s continues on thread %u", conn->peer,
		  conn->place_target->name, to->index);
	memcpy(conn->mig_bhs, bhs, ISCSI_BHS_LEN);
	conn->mig_to = to;		/* conn_rx_waiting(): not read from here on */
	list_del(&conn->link);
	list_add_tail(&conn->thr->migrating, &conn->link);
	return true;
}

/* On the session's thread: serve the connection from now on. */
static void migrate_arrive(struct ev_msg *msg)
{
	struct iscsi_conn *conn = container_of(msg, struct iscsi_conn, mig_msg);

	conn->mig_to = NULL;
	list_add_tail(&conn->thr->conns, &conn->link);
	if (conn_watch(conn) < 0) {
		conn_close(conn, "cannot watch the connection on its session's thread");
		return;
	}
	login_handle_migrated(conn);
}

void migrate_flush(struct iscsi_thread *thr)
{
	while (!list_empty(&thr->migrating)) {
		struct iscsi_conn *conn = list_first_entry(&thr->migrating, struct iscsi_conn,
							   link);

		list_del(&conn->link);
		evloop_del_fd(thr->loop, conn->fd);
		/* From here on the connection is that thread's. */
		conn->thr = conn->mig_to;
		conn->mig_msg.fn = migrate_arrive;
		ev_thread_send(conn->thr->ev, &conn->mig_msg);
	}
}
