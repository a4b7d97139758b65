/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Target affinity: every session of a target, and so every connection of
 * it, is served by the target's home thread (struct iscsi_target.home),
 * the task thread of its LUs (scsi/scsi.h "Threads"). A connection is
 * accepted on thread 0 and logs in there until it names its target: when
 * its first complete Login Request sequence names a target served by
 * another thread (a normal session), the connection moves there before
 * that request is processed. Session lookup, creation, reinstatement and
 * MC/S joining then all happen on the home thread, among its sessions.
 *
 * The move: login_handle() calls migrate_login(), which sets the
 * connection aside (off its thread's list, not read any more); the
 * thread's before-sleep hook (migrate_flush()) takes its socket off the
 * loop and sends it to the home thread in a message (conn->mig_msg), which
 * puts it on that thread's list and loop and answers the request it brought.
 */
#include <string.h>

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

/* The target this login names if it is another thread's, or NULL: a
 * discovery session, no target or no such target stays where it is (its
 * failure, if any, is answered here). */
static const struct iscsi_target *login_target(const struct iscsi_conn *conn)
{
	char type[32], name[ISCSI_NAME_LEN];
	const struct iscsi_target *t;

	if (login_key(conn, "SessionType", type, sizeof(type)) &&
	    strcmp(type, "Discovery") == 0)
		return NULL;
	if (!login_key(conn, "TargetName", name, sizeof(name)))
		return NULL;
	t = server_find_target(conn->srv, name);
	return t && t->home != conn->thr ? t : NULL;
}

bool migrate_login(struct iscsi_conn *conn, const uint8_t *bhs)
{
	const struct iscsi_target *t;

	if (conn->srv->nthreads == 1 || conn->sess || conn->state != CONN_LOGIN)
		return false;
	t = login_target(conn);
	if (!t)
		return false;
	LOG_DEBUG("conn", "%s: login to %s continues on thread %u", conn->peer, t->name,
		  t->home->index);
	memcpy(conn->mig_bhs, bhs, ISCSI_BHS_LEN);
	conn->mig_to = t->home;		/* conn_rx_waiting(): not read from here on */
	list_del(&conn->link);
	list_add_tail(&conn->thr->migrating, &conn->link);
	return true;
}

/* On the home thread: serve the connection from now on. */
static void migrate_arrive(struct ev_msg *msg)
{
	struct iscsi_conn *conn = container_of(msg, struct iscsi_conn, mig_msg);

	conn->mig_to = NULL;
	list_add_tail(&conn->thr->conns, &conn->link);
	if (conn_watch(conn) < 0) {
		conn_close(conn, "cannot watch the connection on its target's thread");
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
		/* From here on the connection is the home thread's. */
		conn->thr = conn->mig_to;
		conn->mig_msg.fn = migrate_arrive;
		ev_thread_send(conn->thr->ev, &conn->mig_msg);
	}
}
