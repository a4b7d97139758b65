/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The metrics endpoint's listener and clients (daemon/metrics.h), on a
 * thread of their own: poll() over the listening socket, the clients and
 * a stop eventfd, every socket non-blocking. A client goes through three
 * states, each with its deadline: reading its request head (into a fixed
 * buffer of METRICS_MAX_HEADER bytes, parsed by daemon/metrics_http.c),
 * sending the reply (built whole, its size the server's, never the
 * client's), then draining what it still sends after our end is shut
 * (closing with unread bytes would reset the connection and could destroy
 * the reply before the client has read it). Nothing a client sends makes
 * the thread allocate, and no client can hold it: the only wait is for
 * the network threads' answers to the admin calls of a scrape.
 */
#include "daemon/metrics.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "daemon/metrics_http.h"
#include "daemon/metrics_text.h"
#include "util/log.h"

#define METRICS_DRAIN_MS 2000	/* after the reply: how long its rest is read */
#define METRICS_ACCEPTS 64	/* accept()s per turn, so that a flood cannot starve the rest */

enum client_state { C_FREE, C_READ, C_SEND, C_DRAIN };

struct client {
	int fd;
	enum client_state st;
	uint64_t deadline;	/* monotonic ms: closed if its state lasts longer */
	size_t inlen;
	struct mtext out;	/* the reply */
	size_t off;		/* bytes of it sent */
	char in[METRICS_MAX_HEADER];
};

/* Set up by metrics_start(); then the metrics thread's alone until
 * metrics_stop() has joined it. */
struct metrics {
	struct ctgt_server *srv;
	int lfd, stopfd;
	pthread_t tid;
	bool started;
	struct log_ratelimit rl_refused;
	struct metrics_self self;
	struct client clients[METRICS_MAX_CLIENTS];
};

static uint64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}

static void drop_client(struct client *c)
{
	close(c->fd);
	free(c->out.p);
	c->out = (struct mtext){ 0 };
	c->fd = -1;
	c->st = C_FREE;
	c->inlen = c->off = 0;
}

/* ---- replies --------------------------------------------------------- */

static const char *reason(int status)
{
	switch (status) {
	case 200: return "OK";
	case 400: return "Bad Request";
	case 404: return "Not Found";
	case 405: return "Method Not Allowed";
	case 431: return "Request Header Fields Too Large";
	case 503: return "Service Unavailable";
	case 505: return "HTTP Version Not Supported";
	}
	return "Error";
}

/* The whole reply to a request answered with @status into @c->out. */
static void build_reply(struct metrics *m, struct client *c, int status, bool head)
{
	struct mtext body = { 0 };
	const char *type = "text/plain; charset=utf-8";

	if (status == 200) {
		m->self.requests++;	/* this one included */
		if (metrics_render(m->srv, &m->self, &body) == 0)
			type = "text/plain; version=0.0.4; charset=utf-8";
		else
			status = 503;
	} else {
		m->self.requests++;
	}
	if (status != 200) {
		free(body.p);
		body = (struct mtext){ 0 };
		mt_printf(&body, "%d %s\n", status, reason(status));
	}
	mt_printf(&c->out, "HTTP/1.1 %d %s\r\nContent-Type: %s\r\nContent-Length: %zu\r\n"
		  "Connection: close\r\n%s\r\n", status, reason(status), type, body.len,
		  status == 405 ? "Allow: GET, HEAD\r\n" : "");
	if (!head)
		mt_printf(&c->out, "%s", body.len ? body.p : "");
	free(body.p);
}

/* Send what the socket takes. False when the client must go. */
static bool send_some(struct client *c, uint64_t now)
{
	while (c->off < c->out.len) {
		ssize_t n = send(c->fd, c->out.p + c->off, c->out.len - c->off,
				 MSG_DONTWAIT | MSG_NOSIGNAL);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
			return true;
		if (n <= 0)
			return false;
		c->off += (size_t)n;
	}
	free(c->out.p);
	c->out = (struct mtext){ 0 };
	shutdown(c->fd, SHUT_WR);
	c->st = C_DRAIN;
	c->deadline = now + METRICS_DRAIN_MS;
	return true;
}

static bool respond(struct metrics *m, struct client *c, int status, bool head, uint64_t now)
{
	build_reply(m, c, status, head);
	if (c->out.failed)
		return false;
	c->st = C_SEND;
	c->off = 0;
	c->deadline = now + METRICS_SEND_S * 1000u;
	return send_some(c, now);
}

/* ---- clients ---------------------------------------------------------- */

/* Read what came. False when the client must go. */
static bool read_client(struct metrics *m, struct client *c, uint64_t now)
{
	struct http_request req;
	char scratch[1024];
	ssize_t n;

	if (c->st == C_DRAIN) {
		n = recv(c->fd, scratch, sizeof(scratch), MSG_DONTWAIT);
		return n > 0 || (n < 0 && (errno == EAGAIN || errno == EINTR));
	}
	n = recv(c->fd, c->in + c->inlen, sizeof(c->in) - c->inlen, MSG_DONTWAIT);
	if (n < 0 && (errno == EAGAIN || errno == EINTR))
		return true;
	if (n <= 0)
		return false;	/* gone before its request was complete */
	c->inlen += (size_t)n;
	if (http_parse(c->in, c->inlen, &req))
		return respond(m, c, req.status, req.head, now);
	if (c->inlen == sizeof(c->in))
		return respond(m, c, 431, false, now);
	return true;
}

static struct client *free_slot(struct metrics *m)
{
	for (int k = 0; k < METRICS_MAX_CLIENTS; k++)
		if (m->clients[k].st == C_FREE)
			return &m->clients[k];
	return NULL;
}

/* One client too many: told so if its socket takes the few bytes at once,
 * and closed. */
static void refuse(struct metrics *m, int fd)
{
	static const char busy[] = "HTTP/1.1 503 Service Unavailable\r\nContent-Length: 0\r\n"
				   "Connection: close\r\n\r\n";

	m->self.clients_refused++;
	log_msg_rl(&m->rl_refused, LOG_LVL_WARN, "metrics",
		   "more than %d clients: one refused", METRICS_MAX_CLIENTS);
	if (send(fd, busy, sizeof(busy) - 1, MSG_DONTWAIT | MSG_NOSIGNAL) < 0)
		LOG_DEBUG("metrics", "refused client: %s", strerror(errno));
	close(fd);
}

static void accept_clients(struct metrics *m, uint64_t now)
{
	for (int i = 0; i < METRICS_ACCEPTS; i++) {
		int fd = accept4(m->lfd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
		struct client *c;

		if (fd < 0)
			return;
		if ((c = free_slot(m)) == NULL) {
			refuse(m, fd);
			continue;
		}
		c->fd = fd;
		c->st = C_READ;
		c->inlen = 0;
		c->deadline = now + METRICS_REQUEST_S * 1000u;
	}
}

/* ---- the thread ------------------------------------------------------- */

static int fill_poll(struct metrics *m, struct pollfd *p, struct client **who, uint64_t now,
		     int *timeout)
{
	int n = 0;

	*timeout = 1000;
	p[n++] = (struct pollfd){ .fd = m->stopfd, .events = POLLIN };
	p[n++] = (struct pollfd){ .fd = m->lfd, .events = POLLIN };
	for (int k = 0; k < METRICS_MAX_CLIENTS; k++) {
		struct client *c = &m->clients[k];

		if (c->st == C_FREE)
			continue;
		who[n] = c;
		p[n++] = (struct pollfd){ .fd = c->fd,
					  .events = c->st == C_SEND ? POLLOUT : POLLIN };
		if (c->deadline <= now)
			*timeout = 0;
		else if (c->deadline - now < (uint64_t)*timeout)
			*timeout = (int)(c->deadline - now);
	}
	return n;
}

/* Every state has its deadline: a slow request, a reply not taken, a
 * client that does not close after it. */
static void drop_late(struct metrics *m, uint64_t now)
{
	for (int k = 0; k < METRICS_MAX_CLIENTS; k++) {
		struct client *c = &m->clients[k];

		if (c->st == C_FREE || now < c->deadline)
			continue;
		if (c->st != C_DRAIN)
			LOG_DEBUG("metrics", "a client %s: closed", c->st == C_READ
				  ? "did not send its request in time" : "did not read its reply");
		drop_client(c);
	}
}

static void turn(struct metrics *m, const struct pollfd *p, struct client **who, int n)
{
	uint64_t now = now_ms();

	for (int k = 2; k < n; k++) {
		struct client *c = who[k];
		bool ok = true;

		if (!p[k].revents)
			continue;
		if (c->st == C_SEND)
			ok = !(p[k].revents & (POLLERR | POLLHUP)) && send_some(c, now);
		else
			ok = read_client(m, c, now);
		if (!ok)
			drop_client(c);
	}
	if (p[1].revents & POLLIN)
		accept_clients(m, now);
	drop_late(m, now);
}

static void *metrics_main(void *arg)
{
	struct metrics *m = arg;
	struct pollfd p[METRICS_MAX_CLIENTS + 2];
	struct client *who[METRICS_MAX_CLIENTS + 2];

	for (;;) {
		int timeout, n = fill_poll(m, p, who, now_ms(), &timeout);

		if (poll(p, (nfds_t)n, timeout) < 0 && errno != EINTR)
			break;
		if (p[0].revents)
			break;
		turn(m, p, who, n);
	}
	return NULL;
}

/* ---- start and stop ---------------------------------------------------- */

static void fmt_addr(char *buf, size_t len, const char *host, uint16_t port)
{
	snprintf(buf, len, strchr(host, ':') ? "[%s]:%u" : "%s:%u", host, (unsigned)port);
}

static int listen_at(struct metrics *m, const char *host, uint16_t port, char *err,
		     size_t errlen)
{
	struct sockaddr_storage ss = { 0 };
	struct sockaddr_in *s4 = (struct sockaddr_in *)&ss;
	struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)&ss;
	bool v6 = strchr(host, ':') != NULL;
	socklen_t sl = v6 ? sizeof(*s6) : sizeof(*s4);
	char addr[80];
	int one = 1;

	fmt_addr(addr, sizeof(addr), host, port);
	if (v6) {
		s6->sin6_family = AF_INET6;
		s6->sin6_port = htons(port);
	} else {
		s4->sin_family = AF_INET;
		s4->sin_port = htons(port);
	}
	if (inet_pton(v6 ? AF_INET6 : AF_INET, host,
		      v6 ? (void *)&s6->sin6_addr : (void *)&s4->sin_addr) != 1) {
		snprintf(err, errlen, "--metrics %s: bad address", addr);
		return -1;
	}
	m->lfd = socket(ss.ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (m->lfd < 0 || setsockopt(m->lfd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) < 0 ||
	    (v6 && setsockopt(m->lfd, IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof(one)) < 0) ||
	    bind(m->lfd, (struct sockaddr *)&ss, sl) < 0 || listen(m->lfd, 64) < 0 ||
	    getsockname(m->lfd, (struct sockaddr *)&ss, &sl) < 0) {
		snprintf(err, errlen, "--metrics %s: %s", addr, strerror(errno));
		return -1;
	}
	fmt_addr(addr, sizeof(addr), host, ntohs(v6 ? s6->sin6_port : s4->sin_port));
	LOG_INFO("metrics", "metrics on %s", addr);
	return 0;
}

struct metrics *metrics_open(struct ctgt_server *srv, const char *host, uint16_t port,
			     char *err, size_t errlen)
{
	struct metrics *m = calloc(1, sizeof(*m));

	if (m == NULL) {
		snprintf(err, errlen, "--metrics: out of memory");
		return NULL;
	}
	m->srv = srv;
	m->lfd = -1;
	m->rl_refused = (struct log_ratelimit)LOG_RATELIMIT_INIT(10000);
	for (int k = 0; k < METRICS_MAX_CLIENTS; k++)
		m->clients[k].fd = -1;
	m->stopfd = eventfd(0, EFD_CLOEXEC);
	if (m->stopfd < 0)
		snprintf(err, errlen, "--metrics: %s", strerror(errno));
	if (m->stopfd < 0 || listen_at(m, host, port, err, errlen) < 0) {
		metrics_stop(m);
		return NULL;
	}
	return m;
}

int metrics_run(struct metrics *m, char *err, size_t errlen)
{
	m->started = pthread_create(&m->tid, NULL, metrics_main, m) == 0;
	if (!m->started) {
		snprintf(err, errlen, "--metrics: cannot start its thread");
		return -1;
	}
	return 0;
}

void metrics_stop(struct metrics *m)
{
	if (m == NULL)
		return;
	if (m->started) {
		eventfd_write(m->stopfd, 1);
		pthread_join(m->tid, NULL);
	}
	for (int k = 0; k < METRICS_MAX_CLIENTS; k++)
		if (m->clients[k].st != C_FREE)
			drop_client(&m->clients[k]);
	if (m->lfd >= 0)
		close(m->lfd);
	if (m->stopfd >= 0)
		close(m->stopfd);
	free(m);
}
