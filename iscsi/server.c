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

static int server_hook(struct evloop *loop, void *arg)
{
	struct iscsi_server *srv = arg;
	int busy;

	(void)loop;
	/* Backend completions first: they queue responses that the flush below sends. */
	busy = bs_cq_run(srv->cq) > 0;
	conn_service_all(srv);
	if (srv->shutting_down && list_empty(&srv->conns) && srv->shutdown_done) {
		void (*done)(void *) = srv->shutdown_done;

		srv->shutdown_done = NULL;
		done(srv->shutdown_arg);
	}
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
	list_init(&srv->targets);
	list_init(&srv->sessions);
	list_init(&srv->conns);
	if (evloop_add_hook(loop, server_hook, srv) < 0 ||
	    evloop_add_fd(loop, cq->efd, EV_READ, on_cq_event, srv) < 0) {
		free(srv);
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
	if (!t)
		return -ENOMEM;
	t->scsi = tgt;
	t->name = scsi_tgt_name(tgt);
	list_add_tail(&srv->targets, &t->link);
	return 0;
}

static void on_accept(struct evloop *loop, int fd, unsigned events, void *arg)
{
	struct iscsi_portal *portal = arg;

	(void)loop;
	(void)events;
	for (int i = 0; i < 16; i++) {
		int c = accept4(fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);

		if (c < 0) {
			if (errno != EAGAIN && errno != EINTR && errno != ECONNABORTED)
				LOG_WARN("portal", "accept on %s:%u: %s", portal->host, portal->port,
					 strerror(errno));
			return;
		}
		if (portal->srv->shutting_down) {
			close(c);
			continue;
		}
		conn_accept(portal, c);
	}
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

static void keepalive_tick(struct evloop *loop, void *arg)
{
	struct iscsi_server *srv = arg;
	uint64_t now = evloop_now_ms();
	struct list_node *pos;

	for (pos = srv->conns.next; pos != &srv->conns; pos = pos->next)
		ops_keepalive(container_of(pos, struct iscsi_conn, link), now);
	srv->nop_timer = srv->nop_interval_ms && !srv->shutting_down
				 ? evloop_add_timer(loop, 1000, keepalive_tick, srv) : 0;
}

void iscsi_server_set_nop(struct iscsi_server *srv, unsigned interval_s, unsigned timeout_s)
{
	srv->nop_interval_ms = (uint64_t)interval_s * 1000u;
	srv->nop_timeout_ms = (uint64_t)(timeout_s ? timeout_s : interval_s) * 1000u;
	if (srv->nop_timer)
		evloop_del_timer(srv->loop, srv->nop_timer);
	srv->nop_timer = srv->nop_interval_ms ? evloop_add_timer(srv->loop, 1000, keepalive_tick, srv)
					      : 0;
}

void iscsi_server_shutdown(struct iscsi_server *srv, void (*done)(void *arg), void *arg)
{
	struct list_node *pos, *tmp;

	srv->shutting_down = true;
	if (srv->nop_timer)
		evloop_del_timer(srv->loop, srv->nop_timer);
	srv->nop_timer = 0;
	srv->shutdown_done = done;
	srv->shutdown_arg = arg;
	for (size_t i = 0; i < srv->nportals; i++) {
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
