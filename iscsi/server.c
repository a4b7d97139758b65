/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Server: listening portals, exported targets, shutdown.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

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
	iscsi_server_limits_default(&srv->rlim);
	list_init(&srv->targets);
	pthread_rwlock_init(&srv->targets_lock, NULL);
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

static void accept_resume(struct evloop *loop, void *arg)
{
	struct iscsi_portal *portal = arg;

	portal->accept_timer = 0;
	if (portal->fd >= 0)
		evloop_mod_fd(loop, portal->fd, EV_READ);
}

/* Out of descriptors: the pending connection stays in the backlog and the
 * listening socket would be readable at once again, so stop watching it for
 * a moment instead of spinning (and logging) on the same error. */
static void accept_pause(struct iscsi_portal *portal, int err)
{
	struct iscsi_thread *thr = &portal->srv->thr[0];

	iscsi_count(&portal->srv->ctr.accept_pauses);
	LOG_WARN_RL(&thr->rl_accept, "portal",
		    "accept on %s:%u: %s: not accepting for %u ms", portal->host, portal->port,
		    strerror(err), ISCSI_ACCEPT_PAUSE_MS);
	evloop_mod_fd(thr->loop, portal->fd, 0);
	if (!portal->accept_timer)
		portal->accept_timer = evloop_add_timer(thr->loop, ISCSI_ACCEPT_PAUSE_MS,
							accept_resume, portal);
	if (!portal->accept_timer)	/* no memory for a timer: better to spin than to stop */
		evloop_mod_fd(thr->loop, portal->fd, EV_READ);
}

static void peer_host(const struct sockaddr_storage *ss, char *host, size_t len)
{
	host[0] = '\0';
	if (ss->ss_family == AF_INET6)
		inet_ntop(AF_INET6, &((const struct sockaddr_in6 *)ss)->sin6_addr, host,
			  (socklen_t)len);
	else if (ss->ss_family == AF_INET)
		inet_ntop(AF_INET, &((const struct sockaddr_in *)ss)->sin_addr, host,
			  (socklen_t)len);
}

static void on_accept(struct evloop *loop, int fd, unsigned events, void *arg)
{
	struct iscsi_portal *portal = arg;

	(void)loop;
	(void)events;
	for (int i = 0; i < 16; i++) {
		struct sockaddr_storage ss;
		socklen_t sl = sizeof(ss);
		char host[64];
		int c = accept4(fd, (struct sockaddr *)&ss, &sl, SOCK_NONBLOCK | SOCK_CLOEXEC);

		if (c < 0) {
			if (errno == EMFILE || errno == ENFILE || errno == ENOBUFS || errno == ENOMEM)
				accept_pause(portal, errno);
			else if (errno != EAGAIN && errno != EINTR && errno != ECONNABORTED)
				LOG_WARN_RL(&portal->srv->thr[0].rl_accept, "portal", "accept on %s:%u: %s",
					    portal->host, portal->port, strerror(errno));
			return;
		}
		peer_host(&ss, host, sizeof(host));
		if (portal->srv->shutting_down || !conn_count_admit(portal->srv, host)) {
			close(c);
			continue;
		}
		iscsi_count(&portal->srv->ctr.conns_accepted);
		conn_accept(portal, c);
	}
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
	if (n < srv->rlim.max_sessions_per_target)
		return true;
	iscsi_count(&srv->ctr.sessions_refused);
	LOG_WARN_RL(&thr->rl_sessions, "login", "%s: login refused: target %s has %u sessions (limit)",
		    conn->peer, target->name, n);
	return false;
}

static int make_sockaddr(const char *host, uint16_t port, struct sockaddr_storage *ss,
			 socklen_t *len, bool *ipv6)
{
	struct sockaddr_in *s4 = (struct sockaddr_in *)ss;
	struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)ss;

	memset(ss, 0, sizeof(*ss));
	if (inet_pton(AF_INET, host, &s4->sin_addr) == 1) {
		s4->sin_family = AF_INET;
		s4->sin_port = htons(port);
		*len = sizeof(*s4);
		*ipv6 = false;
		return 0;
	}
	if (inet_pton(AF_INET6, host, &s6->sin6_addr) == 1) {
		s6->sin6_family = AF_INET6;
		s6->sin6_port = htons(port);
		*len = sizeof(*s6);
		*ipv6 = true;
		return 0;
	}
	return -EINVAL;
}

static int listen_on(const char *host, uint16_t port, bool *ipv6, uint16_t *bound,
		     char *err, size_t errlen)
{
	struct sockaddr_storage ss;
	socklen_t sl;
	int fd, one = 1, rc;

	if (make_sockaddr(host, port, &ss, &sl, ipv6) < 0) {
		snprintf(err, errlen, "portal %s: not a numeric IP address", host);
		return -EINVAL;
	}
	fd = socket(ss.ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0)
		goto fail;
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (*ipv6)
		setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof(one));
	if (bind(fd, (struct sockaddr *)&ss, sl) < 0 || listen(fd, 128) < 0)
		goto fail;
	sl = sizeof(ss);
	if (getsockname(fd, (struct sockaddr *)&ss, &sl) < 0)
		goto fail;
	*bound = ntohs(*ipv6 ? ((struct sockaddr_in6 *)&ss)->sin6_port
			     : ((struct sockaddr_in *)&ss)->sin_port);
	return fd;
fail:
	rc = -errno;
	snprintf(err, errlen, *ipv6 ? "portal [%s]:%u: %s" : "portal %s:%u: %s", host, port,
		 strerror(errno));
	if (fd >= 0)
		close(fd);
	return rc;
}

int iscsi_server_add_portal(struct iscsi_server *srv, const char *host, uint16_t port,
			    uint16_t tpgt, char *err, size_t errlen)
{
	struct iscsi_portal **portals, *p;
	bool ipv6 = false;
	uint16_t bound = 0;
	int fd = listen_on(host, port, &ipv6, &bound, err, errlen);

	if (fd < 0)
		return fd;
	/* Connections point at their portal: each portal is its own allocation. */
	portals = realloc(srv->portals, (srv->nportals + 1) * sizeof(*portals));
	p = portals ? calloc(1, sizeof(*p)) : NULL;
	if (portals)
		srv->portals = portals;
	if (!p) {
		close(fd);
		snprintf(err, errlen, "out of memory");
		return -ENOMEM;
	}
	p->srv = srv;
	p->fd = fd;
	snprintf(p->host, sizeof(p->host), "%s", host);
	p->port = bound;
	p->tpgt = tpgt ? tpgt : 1;
	p->ipv6 = ipv6;
	if (evloop_add_fd(srv->thr[0].loop, fd, EV_READ, on_accept, p) < 0) {
		close(fd);
		free(p);
		snprintf(err, errlen, "cannot watch the listening socket");
		return -EIO;
	}
	srv->portals[srv->nportals++] = p;
	return bound;
}

void iscsi_server_set_nop(struct iscsi_server *srv, unsigned interval_s, unsigned timeout_s)
{
	srv->nop_interval_ms = (uint64_t)interval_s * 1000u;
	srv->nop_timeout_ms = (uint64_t)(timeout_s ? timeout_s : interval_s) * 1000u;
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

void iscsi_server_set_limits(struct iscsi_server *srv, const struct iscsi_server_limits *lim)
{
	struct iscsi_server_limits d;

	iscsi_server_limits_default(&d);
	srv->rlim = (struct iscsi_server_limits){
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
	struct evloop *loop = srv->thr[0].loop;

	srv->shutting_down = true;
	srv->shutdown_done = done;
	srv->shutdown_arg = arg;
	for (size_t i = 0; i < srv->nportals; i++) {
		if (srv->portals[i]->accept_timer)
			evloop_del_timer(loop, srv->portals[i]->accept_timer);
		srv->portals[i]->accept_timer = 0;
		evloop_del_fd(loop, srv->portals[i]->fd);
		close(srv->portals[i]->fd);
		srv->portals[i]->fd = -1;
	}
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
