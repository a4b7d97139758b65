/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Server: exported targets, limits, shutdown (the portals: portal.c).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "event/call.h"
#include "iscsi/iscsi.h"
#include "util/log.h"

static struct iscsi_server *server_alloc(unsigned n)
{
	struct iscsi_server *srv = calloc(1, sizeof(*srv));

	if (!srv)
		return NULL;
	srv->thr = calloc(n, sizeof(*srv->thr));
	srv->discovery_policy = srv->thr ? iscsi_policy_new() : NULL;
	if (!srv->discovery_policy) {
		free(srv->thr);
		free(srv);
		return NULL;
	}
	srv->nthreads = n;
	iscsi_target_limits_default(&srv->lim);
	iscsi_server_limits_default(&srv->set.lim);
	list_init(&srv->targets);
	pthread_rwlock_init(&srv->targets_lock, NULL);
	pthread_rwlock_init(&srv->portals_lock, NULL);
	pthread_mutex_init(&srv->auth_mu, NULL);
	pthread_mutex_init(&srv->policy_mu, NULL);
	pthread_mutex_init(&srv->counts.mu, NULL);
	return srv;
}

static void server_free(struct iscsi_server *srv)
{
	for (unsigned i = 0; i < srv->nthreads; i++)
		iscsi_thread_fini(&srv->thr[i]);
	conn_counts_free(srv);
	iscsi_policy_put(srv->discovery_policy);	/* NULL once auth_server_free() ran */
	pthread_mutex_destroy(&srv->auth_mu);
	pthread_mutex_destroy(&srv->policy_mu);
	pthread_mutex_destroy(&srv->counts.mu);
	pthread_rwlock_destroy(&srv->targets_lock);
	pthread_rwlock_destroy(&srv->portals_lock);
	free(srv->thr);
	free(srv);
}

struct iscsi_server *iscsi_server_create(struct evloop *loop, struct bs_cq *cq)
{
	struct iscsi_server *srv = server_alloc(1);

	if (srv && iscsi_thread_init(srv, 0, NULL, loop, cq) < 0) {
		server_free(srv);
		return NULL;
	}
	return srv;
}

struct iscsi_server *iscsi_server_create_threads(struct ev_threads *ts, struct bs_cq *cqs)
{
	struct iscsi_server *srv = server_alloc(ts->n);

	for (unsigned i = 0; srv && i < ts->n; i++)
		if (iscsi_thread_init(srv, i, &ts->thr[i], ts->thr[i].loop, &cqs[i]) < 0) {
			server_free(srv);
			return NULL;
		}
	return srv;
}

int iscsi_server_add_target(struct iscsi_server *srv, struct scsi_tgt *tgt)
{
	struct iscsi_target *t;

	if (server_find_target(srv, scsi_tgt_name(tgt)))
		return -EEXIST;
	t = calloc(1, sizeof(*t));
	if (t && !(t->policy = iscsi_policy_new())) {
		free(t);
		t = NULL;
	}
	if (!t)
		return -ENOMEM;
	t->scsi = tgt;
	t->name = scsi_tgt_name(tgt);
	pthread_mutex_init(&t->place_mu, NULL);
	pthread_rwlock_wrlock(&srv->targets_lock);
	/* Round-robin: the task thread of the target's LUs (scsi/scsi.h
	 * "Threads"), and the thread of its first session (migrate.c). */
	t->home = &srv->thr[srv->next_home++ % srv->nthreads];
	list_add_tail(&srv->targets, &t->link);
	pthread_rwlock_unlock(&srv->targets_lock);
	return 0;
}

struct iscsi_target *server_find_scsi(struct iscsi_server *srv, const struct scsi_tgt *tgt)
{
	struct iscsi_target *found = NULL;
	struct list_node *pos;

	pthread_rwlock_rdlock(&srv->targets_lock);
	for (pos = srv->targets.next; pos != &srv->targets && !found; pos = pos->next) {
		struct iscsi_target *t = container_of(pos, struct iscsi_target, link);

		if (t->scsi == tgt)
			found = t;
	}
	pthread_rwlock_unlock(&srv->targets_lock);
	return found;
}

int iscsi_server_close_target(struct iscsi_server *srv, struct scsi_tgt *tgt)
{
	struct iscsi_target *t = server_find_scsi(srv, tgt);

	if (t == NULL || atomic_load(&t->closed))
		return -ENOENT;
	/* Under the write lock: a walk of the list sees it open or closed,
	 * and a login that found it open is still in its event handler. */
	pthread_rwlock_wrlock(&srv->targets_lock);
	atomic_store(&t->closed, true);
	pthread_rwlock_unlock(&srv->targets_lock);
	return 0;
}

unsigned iscsi_server_target_sessions(struct iscsi_server *srv, struct scsi_tgt *tgt)
{
	struct iscsi_target *t = server_find_scsi(srv, tgt);

	return t ? place_sessions(t) : 0;
}

int iscsi_server_target_thread(struct iscsi_server *srv, const char *name)
{
	const struct iscsi_target *t = server_find_target(srv, name);

	return t ? (int)t->home->index : -ENOENT;
}

bool server_session_allowed(struct iscsi_server *srv, const struct iscsi_conn *conn)
{
	struct iscsi_target *target = server_find_target(srv, conn->params.target_name);
	struct iscsi_thread *thr = conn->thr;
	unsigned n;

	if (conn->params.discovery || !target)
		return true;
	/* The sessions of the target on every thread; the one this login
	 * would reinstate is on this thread (placement, migrate.c). */
	n = place_sessions(target);
	if (n && session_find(thr, conn->params.initiator_name, conn->login_isid, target))
		n--;
	if (n < thr->set.lim.max_sessions_per_target)
		return true;
	iscsi_count(&srv->ctr.sessions_refused);
	LOG_WARN_RL(&thr->rl_sessions, "login", "%s: login refused: target %s has %u sessions (limit)",
		    conn->peer, target->name, n);
	return false;
}

/* The keep-alive of @set: ping after @interval_s idle, give up @timeout_s
 * (0: the interval) later. */
static void nop_into(struct iscsi_settings *set, unsigned interval_s, unsigned timeout_s)
{
	set->nop_interval_ms = (uint64_t)interval_s * 1000u;
	set->nop_timeout_ms = (uint64_t)(timeout_s ? timeout_s : interval_s) * 1000u;
}

/* Before serving: the threads' copies are written directly. */
static void settings_to_threads(struct iscsi_server *srv)
{
	for (unsigned i = 0; i < srv->nthreads; i++)
		srv->thr[i].set = srv->set;
}

void iscsi_server_set_nop(struct iscsi_server *srv, unsigned interval_s, unsigned timeout_s)
{
	nop_into(&srv->set, interval_s, timeout_s);
	settings_to_threads(srv);
}

void iscsi_server_limits_default(struct iscsi_server_limits *lim)
{
	*lim = (struct iscsi_server_limits){
		.max_conns = 1024,
		.max_conns_per_addr = 128,
		.max_sessions_per_target = 64,
		.login_timeout_s = 15,
		.conn_buffer = 64u << 20,
		.tx_backlog = 8u << 20,
		.buffer_cache = BUFPOOL_LIMIT_DEFAULT,
	};
}

/* @lim with its 0 fields at the defaults, into @out. */
static void limits_into(struct iscsi_server_limits *out, const struct iscsi_server_limits *lim)
{
	struct iscsi_server_limits d;

	iscsi_server_limits_default(&d);
	*out = (struct iscsi_server_limits){
		.max_conns = lim->max_conns ? lim->max_conns : d.max_conns,
		.max_conns_per_addr = lim->max_conns_per_addr ? lim->max_conns_per_addr
							      : d.max_conns_per_addr,
		.max_sessions_per_target = lim->max_sessions_per_target
						   ? lim->max_sessions_per_target
						   : d.max_sessions_per_target,
		.login_timeout_s = lim->login_timeout_s ? lim->login_timeout_s : d.login_timeout_s,
		.conn_buffer = lim->conn_buffer ? lim->conn_buffer : d.conn_buffer,
		.tx_backlog = lim->tx_backlog ? lim->tx_backlog : d.tx_backlog,
		.buffer_cache = lim->buffer_cache ? lim->buffer_cache : d.buffer_cache,
	};
}

void iscsi_server_set_limits(struct iscsi_server *srv, const struct iscsi_server_limits *lim)
{
	limits_into(&srv->set.lim, lim);
	settings_to_threads(srv);
}

/* On each thread: its copy of the settings, from the message. */
static void take_settings(void *arg)
{
	struct iscsi_thread *thr = ((struct iscsi_settings_msg *)arg)->thr;

	thr->set = ((struct iscsi_settings_msg *)arg)->set;
}

int iscsi_server_change_settings(struct iscsi_server *srv, struct ev_caller *caller,
				 const struct iscsi_server_limits *lim, unsigned nop_interval_s,
				 unsigned nop_timeout_s)
{
	limits_into(&srv->set.lim, lim);
	nop_into(&srv->set, nop_interval_s, nop_timeout_s);
	for (unsigned i = 0; i < srv->nthreads; i++) {
		struct iscsi_settings_msg m = { &srv->thr[i], srv->set };
		int rc;

		if (srv->thr[i].ev == NULL)
			return -ENOTSUP;
		if ((rc = ev_caller_call(caller, srv->thr[i].ev, take_settings, &m)) < 0)
			return rc;
	}
	return 0;
}

void iscsi_server_set_spread_sessions(struct iscsi_server *srv, bool on)
{
	srv->keep_home = !on;
}

void iscsi_server_set_max_connections(struct iscsi_server *srv, unsigned n)
{
	if (n < 1)
		n = 1;
	if (n > ISCSI_MAX_CONNECTIONS)
		n = ISCSI_MAX_CONNECTIONS;
	srv->lim.max_connections = n;
}

void iscsi_server_shutdown(struct iscsi_server *srv, void (*done)(void *arg), void *arg)
{
	srv->shutting_down = true;
	srv->shutdown_done = done;
	srv->shutdown_arg = arg;
	portals_close_all(srv);
	/* Logins on their way to another thread get there before the
	 * shutdown message does (one sender's messages keep their order). */
	migrate_flush(&srv->thr[0]);
	iscsi_threads_shutdown(srv);
}

void iscsi_server_destroy(struct iscsi_server *srv)
{
	struct list_node *pos, *tmp;

	if (!srv)
		return;
	auth_server_free(srv);
	list_for_each_safe(pos, tmp, &srv->targets) {
		struct iscsi_target *t = container_of(pos, struct iscsi_target, link);

		list_del(pos);
		scsi_tgt_destroy(t->scsi);
		pthread_mutex_destroy(&t->place_mu);
		free(t);
	}
	for (size_t i = 0; i < srv->nportals; i++)
		free(srv->portals[i]);
	free(srv->portals);
	server_free(srv);
}
