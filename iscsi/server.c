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

static void server_tick(struct evloop *loop, void *arg);

static int server_hook(struct evloop *loop, void *arg)
{
	struct iscsi_server *srv = arg;
	int busy;

	(void)loop;
	/* Backend completions first: they queue responses that the flush below
	 * sends. What their callbacks complete in turn is on the local list
	 * (bs_cq_has_local(): another round) or signals the queue's eventfd
	 * (a wake-up): no further round is needed just because some ran. */
	bs_cq_run(srv->cq);
	busy = conn_service_all(srv);
	if (srv->shutting_down && list_empty(&srv->conns) && srv->shutdown_done) {
		void (*done)(void *) = srv->shutdown_done;

		srv->shutdown_done = NULL;
		done(srv->shutdown_arg);
	}
	/*
	 * Last before the loop sleeps: everything this iteration submitted
	 * (socket events, timers, the completions and services above) goes
	 * to the kernel now, in one io_uring_enter per io_uring store.
	 */
	bs_cq_flush(srv->cq);
	return busy || bs_cq_has_local(srv->cq);
}

static void on_cq_event(struct evloop *loop, int fd, unsigned events, void *arg)
{
	(void)loop;
	(void)fd;
	(void)events;
	(void)arg;
	/* Nothing here: the before-sleep hook drains the queue. */
}

struct iscsi_server *iscsi_server_create(struct evloop *loop, struct bs_cq *cq)
{
	struct iscsi_server *srv = calloc(1, sizeof(*srv));

	if (!srv)
		return NULL;
	srv->loop = loop;
	srv->cq = cq;
	iscsi_target_limits_default(&srv->lim);
	iscsi_server_limits_default(&srv->rlim);
	srv->rl_conns = srv->rl_addr = srv->rl_sessions = srv->rl_login = srv->rl_accept =
		srv->rl_buffer = srv->rl_backlog = srv->rl_immediate =
		srv->rl_nop = srv->rl_reject =
			(struct log_ratelimit)LOG_RATELIMIT_INIT(10000);
	/* Lines any peer can cause at will, but that tell an operator who
	 * came and went: the first ten of every 10 s. */
	srv->rl_connect = srv->rl_close = srv->rl_cmdsn = srv->rl_login_fail =
		srv->rl_login_ok = srv->rl_login_hold =
			(struct log_ratelimit)LOG_RATELIMIT_BURST(10000, ISCSI_LOG_BURST);
	list_init(&srv->targets);
	list_init(&srv->sessions);
	list_init(&srv->conns);
	/* server_hook flushes the queue before each sleep. */
	bs_cq_set_batch(cq, true);
	if (evloop_add_hook(loop, server_hook, srv) < 0 ||
	    evloop_add_fd(loop, cq->efd, EV_READ, on_cq_event, srv) < 0) {
		free(srv);
		return NULL;
	}
	srv->tick_timer = evloop_add_timer(loop, 1000, server_tick, srv);
	return srv;
}

int iscsi_server_add_target(struct iscsi_server *srv, struct scsi_tgt *tgt)
{
	struct iscsi_target *t;

	if (server_find_target(srv, scsi_tgt_name(tgt)))
		return -EEXIST;
	t = calloc(1, sizeof(*t));
	if (!t)
		return -ENOMEM;
	t->scsi = tgt;
	t->name = scsi_tgt_name(tgt);
	list_add_tail(&srv->targets, &t->link);
	return 0;
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
	struct iscsi_server *srv = portal->srv;

	LOG_WARN_RL(&srv->rl_accept, "portal",
		    "accept on %s:%u: %s: not accepting for %u ms", portal->host, portal->port,
		    strerror(err), ISCSI_ACCEPT_PAUSE_MS);
	evloop_mod_fd(srv->loop, portal->fd, 0);
	if (!portal->accept_timer)
		portal->accept_timer = evloop_add_timer(srv->loop, ISCSI_ACCEPT_PAUSE_MS,
							accept_resume, portal);
	if (!portal->accept_timer)	/* no memory for a timer: better to spin than to stop */
		evloop_mod_fd(srv->loop, portal->fd, EV_READ);
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

/*
 * Whether one more connection from @host fits the connection limits. Beyond
 * them the connection is closed at once, before it costs a buffer or a login:
 * a login refused with a status (0302) would have to be read and answered
 * first, which is what a flood of connections wants us to spend.
 */
static bool conn_admit(struct iscsi_server *srv, const char *host)
{
	unsigned total = 0, same = 0;
	struct list_node *pos;

	for (pos = srv->conns.next; pos != &srv->conns; pos = pos->next) {
		const struct iscsi_conn *c = container_of(pos, struct iscsi_conn, link);

		if (c->state == CONN_CLOSED)
			continue;
		total++;
		same += strcmp(c->peer_host, host) == 0;
	}
	if (total >= srv->rlim.max_conns) {
		LOG_WARN_RL(&srv->rl_conns, "portal",
			    "%s: connection refused: %u connections already (limit)", host, total);
		return false;
	}
	if (same >= srv->rlim.max_conns_per_addr) {
		LOG_WARN_RL(&srv->rl_addr, "portal",
			    "%s: connection refused: %u connections from this address already (limit)",
			    host, same);
		return false;
	}
	return true;
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
				LOG_WARN_RL(&portal->srv->rl_accept, "portal", "accept on %s:%u: %s",
					    portal->host, portal->port, strerror(errno));
			return;
		}
		peer_host(&ss, host, sizeof(host));
		if (portal->srv->shutting_down || !conn_admit(portal->srv, host)) {
			close(c);
			continue;
		}
		conn_accept(portal, c);
	}
}

bool server_session_allowed(struct iscsi_server *srv, const struct iscsi_conn *conn)
{
	const struct iscsi_target *target = server_find_target(srv, conn->params.target_name);
	const struct iscsi_session *old;
	unsigned n = 0;
	struct list_node *pos;

	if (conn->params.discovery || !target)
		return true;
	old = session_find(srv, conn->params.initiator_name, conn->login_isid, target);
	for (pos = srv->sessions.next; pos != &srv->sessions; pos = pos->next) {
		const struct iscsi_session *s = container_of(pos, struct iscsi_session, link);

		n += s->target == target && s != old;
	}
	if (n < srv->rlim.max_sessions_per_target)
		return true;
	LOG_WARN_RL(&srv->rl_sessions, "login", "%s: login refused: target %s has %u sessions (limit)",
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
	if (evloop_add_fd(srv->loop, fd, EV_READ, on_accept, p) < 0) {
		close(fd);
		free(p);
		snprintf(err, errlen, "cannot watch the listening socket");
		return -EIO;
	}
	srv->portals[srv->nportals++] = p;
	return bound;
}

/* A login that has not reached full feature phase in time (slowloris: one
 * byte every few seconds), or a last Login/Logout Response nobody reads. */
static void check_login_timeout(struct iscsi_conn *conn, uint64_t now)
{
	struct iscsi_server *srv = conn->srv;
	uint64_t limit = (uint64_t)srv->rlim.login_timeout_s * 1000u;
	bool late = (conn->state == CONN_LOGIN && now - conn->accepted_ms >= limit) ||
		    (conn->state == CONN_LOGOUT && now - conn->logout_ms >= limit);

	if (!late)
		return;
	LOG_WARN_RL(&srv->rl_login, "conn", "%s: %s not done within %u s: closing", conn->peer,
		    conn->state == CONN_LOGIN ? "login" : "final response",
		    srv->rlim.login_timeout_s);
	conn_close(conn, conn->state == CONN_LOGIN ? "login timeout" : "final response not read");
}

static void server_tick(struct evloop *loop, void *arg)
{
	struct iscsi_server *srv = arg;
	uint64_t now = evloop_now_ms();
	struct list_node *pos;

	for (pos = srv->conns.next; pos != &srv->conns; pos = pos->next) {
		struct iscsi_conn *conn = container_of(pos, struct iscsi_conn, link);

		check_login_timeout(conn, now);
		ops_keepalive(conn, now);
	}
	log_rl_summary(&srv->rl_connect, LOG_LVL_INFO, "conn", "connected");
	log_rl_summary(&srv->rl_close, LOG_LVL_INFO, "conn", "closing");
	log_rl_summary(&srv->rl_cmdsn, LOG_LVL_WARN, "session", "CmdSN outside window");
	log_rl_summary(&srv->rl_login_fail, LOG_LVL_WARN, "login", "login failed");
	log_rl_summary(&srv->rl_login_ok, LOG_LVL_INFO, "login", "session");
	log_rl_summary(&srv->rl_login_hold, LOG_LVL_WARN, "login", "CHAP answer held back");
	srv->tick_timer = srv->shutting_down ? 0 : evloop_add_timer(loop, 1000, server_tick, srv);
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
	};
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
	struct list_node *pos, *tmp;

	srv->shutting_down = true;
	if (srv->tick_timer)
		evloop_del_timer(srv->loop, srv->tick_timer);
	srv->tick_timer = 0;
	srv->shutdown_done = done;
	srv->shutdown_arg = arg;
	for (size_t i = 0; i < srv->nportals; i++) {
		if (srv->portals[i]->accept_timer)
			evloop_del_timer(srv->loop, srv->portals[i]->accept_timer);
		srv->portals[i]->accept_timer = 0;
		evloop_del_fd(srv->loop, srv->portals[i]->fd);
		close(srv->portals[i]->fd);
		srv->portals[i]->fd = -1;
	}
	list_for_each_safe(pos, tmp, &srv->conns)
		conn_close(container_of(pos, struct iscsi_conn, link), "target shutting down");
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
		free(t);
	}
	for (size_t i = 0; i < srv->nportals; i++)
		free(srv->portals[i]);
	free(srv->portals);
	free(srv);
}
