/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Listening portals: open, accept, close; added and removed while the
 * server runs (iscsi/admin.h). Every portal lives on thread 0, which
 * accepts on it and is the only one to change srv->portals: the live
 * changes run there through an ev_caller, so none races the accept
 * loop. Other threads read the list (SendTargets, text.c) under
 * portals_lock. A removed portal is closed but stays allocated, and
 * listed as closed, until the server is freed: the connections accepted
 * through it keep conn->portal.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "iscsi/admin.h"
#include "iscsi/iscsi.h"
#include "util/log.h"

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

/* @host in its canonical text ("0::1" -> "::1") into @out, so that one
 * address is one portal whichever way it was written; -EINVAL when it
 * is not a numeric address. */
static int canon_host(const char *host, char *out, size_t outlen)
{
	struct sockaddr_storage ss;
	socklen_t sl;
	bool ipv6;

	if (host == NULL || make_sockaddr(host, 0, &ss, &sl, &ipv6) < 0)
		return -EINVAL;
	peer_host(&ss, out, outlen);
	return 0;
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

/* The open portal on canonical @host, @port, or NULL. Thread 0. */
static struct iscsi_portal *find_open(struct iscsi_server *srv, const char *host, uint16_t port)
{
	for (size_t i = 0; i < srv->nportals; i++) {
		struct iscsi_portal *p = srv->portals[i];

		if (!p->closed && p->port == port && strcmp(p->host, host) == 0)
			return p;
	}
	return NULL;
}

static size_t count_open(const struct iscsi_server *srv)
{
	size_t n = 0;

	for (size_t i = 0; i < srv->nportals; i++)
		n += !srv->portals[i]->closed;
	return n;
}

/* Thread 0: listen on canonical @host, @port and accept at once. */
static int portal_open(struct iscsi_server *srv, const char *host, uint16_t port,
		       uint16_t tpgt, char *err, size_t errlen)
{
	struct iscsi_portal **portals, *p;
	bool ipv6 = false;
	uint16_t bound = 0;
	int fd;

	/* Port 0 is a fresh port each time: never one we have. */
	if (port != 0 && find_open(srv, host, port) != NULL) {
		snprintf(err, errlen, strchr(host, ':') ? "portal [%s]:%u: already a portal"
							: "portal %s:%u: already a portal", host, port);
		return -EEXIST;
	}
	if ((fd = listen_on(host, port, &ipv6, &bound, err, errlen)) < 0)
		return fd;
	/* Connections point at their portal: each portal is its own allocation. */
	p = calloc(1, sizeof(*p));
	pthread_rwlock_wrlock(&srv->portals_lock);
	portals = p ? realloc(srv->portals, (srv->nportals + 1) * sizeof(*portals)) : NULL;
	if (portals)
		srv->portals = portals;
	pthread_rwlock_unlock(&srv->portals_lock);
	if (!portals) {
		close(fd);
		free(p);
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
	/* Published whole: a discovery reading the list sees it or not. */
	pthread_rwlock_wrlock(&srv->portals_lock);
	srv->portals[srv->nportals++] = p;
	pthread_rwlock_unlock(&srv->portals_lock);
	return bound;
}

int iscsi_server_add_portal(struct iscsi_server *srv, const char *host, uint16_t port,
			    uint16_t tpgt, char *err, size_t errlen)
{
	char canon[64];

	if (canon_host(host, canon, sizeof(canon)) < 0) {
		snprintf(err, errlen, "portal %s: not a numeric IP address", host ? host : "(null)");
		return -EINVAL;
	}
	return portal_open(srv, canon, port, tpgt, err, errlen);
}

/* Thread 0: stop listening on @p; it stays in the list, closed. Pending
 * connections in its backlog are reset by the close. */
static void portal_close(struct iscsi_server *srv, struct iscsi_portal *p)
{
	struct evloop *loop = srv->thr[0].loop;

	if (p->accept_timer)
		evloop_del_timer(loop, p->accept_timer);
	p->accept_timer = 0;
	evloop_del_fd(loop, p->fd);
	close(p->fd);
	pthread_rwlock_wrlock(&srv->portals_lock);
	p->fd = -1;
	p->closed = true;
	pthread_rwlock_unlock(&srv->portals_lock);
}

void portals_close_all(struct iscsi_server *srv)
{
	for (size_t i = 0; i < srv->nportals; i++)
		if (!srv->portals[i]->closed)
			portal_close(srv, srv->portals[i]);
}

/* ---- live changes (iscsi/admin.h) ------------------------------------------ */

struct portal_call {
	struct iscsi_server *srv;
	char host[64];		/* canonical */
	uint16_t port, tpgt;
	char *err;
	size_t errlen;
	bool ran;
	int rc;
};

static void add_on_thread0(void *arg)
{
	struct portal_call *c = arg;

	c->ran = true;
	if (c->srv->shutting_down) {
		snprintf(c->err, c->errlen, "the server is shutting down");
		c->rc = -ESHUTDOWN;
		return;
	}
	c->rc = portal_open(c->srv, c->host, c->port, c->tpgt, c->err, c->errlen);
}

static void remove_on_thread0(void *arg)
{
	struct portal_call *c = arg;
	struct iscsi_portal *p = find_open(c->srv, c->host, c->port);
	const char *fmt = strchr(c->host, ':') ? "[%s]:%u" : "%s:%u";
	char addr[80];

	c->ran = true;
	snprintf(addr, sizeof(addr), fmt, c->host, c->port);
	if (p == NULL) {
		snprintf(c->err, c->errlen, "portal %s: no such portal", addr);
		c->rc = -ENOENT;
	} else if (count_open(c->srv) == 1) {
		snprintf(c->err, c->errlen, "portal %s: the last portal (nobody could connect "
			 "any more); add another first", addr);
		c->rc = -EBUSY;
	} else {
		portal_close(c->srv, p);
		c->rc = 0;
	}
}

/* Run @fn on thread 0 through @caller; its rc, or why it did not run. */
static int call_thread0(struct iscsi_server *srv, struct ev_caller *caller,
			void (*fn)(void *arg), struct portal_call *c)
{
	int rc;

	if (srv->thr[0].ev == NULL) {
		snprintf(c->err, c->errlen, "not on event threads");
		return -ENOTSUP;
	}
	rc = ev_caller_call(caller, srv->thr[0].ev, fn, c);
	if (c->ran)
		return c->rc;
	snprintf(c->err, c->errlen, "the server is not running (%s)", strerror(-rc));
	return rc;
}

/* A call for @host, @port, or -EINVAL with why in @err. */
static int call_init(struct portal_call *c, struct iscsi_server *srv, const char *host,
		     uint16_t port, char *err, size_t errlen)
{
	memset(c, 0, sizeof(*c));
	c->srv = srv;
	c->port = port;
	c->err = err;
	c->errlen = errlen;
	if (canon_host(host, c->host, sizeof(c->host)) < 0) {
		snprintf(err, errlen, "portal %s: not a numeric IP address", host ? host : "(null)");
		return -EINVAL;
	}
	return 0;
}

int iscsi_server_portal_add(struct iscsi_server *srv, struct ev_caller *caller, const char *host,
			    uint16_t port, uint16_t tpgt, char *err, size_t errlen)
{
	struct portal_call c;
	int rc = call_init(&c, srv, host, port, err, errlen);

	if (rc < 0)
		return rc;
	c.tpgt = tpgt;
	return call_thread0(srv, caller, add_on_thread0, &c);
}

int iscsi_server_portal_remove(struct iscsi_server *srv, struct ev_caller *caller,
			       const char *host, uint16_t port, char *err, size_t errlen)
{
	struct portal_call c;
	int rc = call_init(&c, srv, host, port, err, errlen);

	if (rc < 0)
		return rc;
	return call_thread0(srv, caller, remove_on_thread0, &c);
}

int iscsi_server_portals(struct iscsi_server *srv, struct iscsi_portal_info **out, size_t *n)
{
	int rc = 0;

	*n = 0;
	pthread_rwlock_rdlock(&srv->portals_lock);
	*out = calloc(srv->nportals ? srv->nportals : 1, sizeof(**out));
	if (*out == NULL)
		rc = -ENOMEM;
	for (size_t i = 0; rc == 0 && i < srv->nportals; i++) {
		const struct iscsi_portal *p = srv->portals[i];
		struct iscsi_portal_info *o = &(*out)[*n];

		if (p->closed)
			continue;
		snprintf(o->host, sizeof(o->host), "%s", p->host);
		o->port = p->port;
		o->tpgt = p->tpgt;
		(*n)++;
	}
	pthread_rwlock_unlock(&srv->portals_lock);
	return rc;
}
