/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The control socket's listener and clients (daemon/control.h), on a
 * thread of their own: poll() over the listening socket, the clients, a
 * stop eventfd and a reload eventfd (SIGHUP: daemon/reload.h). A peer is admitted by the credentials it connected with
 * (daemon/control_peer.h: root, or the socket's group as its primary or a
 * supplementary group) before anything it sends is read; requests are
 * lines of at most CONTROL_MAX_REQUEST bytes, answered one per client per
 * turn of the loop. Nothing here waits for a peer: sockets are
 * non-blocking, a reply is queued on its client and sent as the client
 * takes it, from the same loop, so a slow reader holds neither the thread
 * nor a stop. A client silent for CONTROL_IDLE_S seconds, or with a
 * request unfinished for CONTROL_REQUEST_S, is closed, so that idle ones
 * cannot hold every slot, and so is one that has not taken a whole reply
 * CONTROL_SEND_MS after it was made.
 */
#include "daemon/control.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdbool.h>
#include <stdint.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/file.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "daemon/control_peer.h"
#include "daemon/reload.h"
#include "util/log.h"
#include "util/sock.h"

#define CONTROL_IDLE_MS (60 * 1000)	/* a client silent this long is closed */
#define CONTROL_REQUEST_MS (10 * 1000)	/* ... or one whose request is unfinished this long */
#define CONTROL_SEND_MS 1000		/* ... or one that has not taken a reply in this long */
#define CONTROL_ACCEPT_PAUSE_MS 200	/* out of descriptors: the listener rests this long */
#define CONTROL_LOG_MS 10000		/* at most one line per kind of trouble in this long */

struct client {
	int fd;
	char *buf;		/* CONTROL_MAX_REQUEST bytes */
	size_t len;
	char *out;		/* the reply being sent (malloc'd), NULL: none */
	size_t out_len, out_off;	/* its length, and how much of it went */
	uint64_t out_due;	/* CLOCK_MONOTONIC ms by which all of it must have gone */
	uint64_t last;		/* ms of the last byte received */
	uint64_t since;		/* when the unfinished request (or the draining) began */
	bool draining;		/* answered with an error: read to EOF, then close */
	bool shut;		/* draining, and its error reply went: SHUT_WR done */
};

/* What is logged, each kind at most once per CONTROL_LOG_MS (a peer can
 * cause any of them over and over). */
struct control_logs {
	struct log_ratelimit refused, creds, full, accept, slow, gone, nomem, too_long;
};

/* Set up by control_start(); then the control thread's alone until
 * control_stop() has joined it. */
struct control {
	struct control_env env;
	char path[sizeof(((struct sockaddr_un *)0)->sun_path)];
	int lfd, stopfd;
	int reloadfd;		/* an eventfd: control_request_reload() */
	int lockfd;		/* PATH.lock, flock()ed while we serve */
	gid_t gid;		/* the socket's group */
	pthread_t tid;
	bool started;		/* tid runs */
	uint64_t accept_resume;	/* ms when the paused listener is watched again; 0: not paused */
	struct control_logs logs;
	struct client clients[CONTROL_MAX_CLIENTS];
};

static uint64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}

static void logs_init(struct control_logs *l)
{
	struct log_ratelimit rl = LOG_RATELIMIT_INIT(CONTROL_LOG_MS);

	l->refused = l->creds = l->full = l->accept = rl;
	l->slow = l->gone = l->nomem = l->too_long = rl;
}

/* A flood that stopped still shows its size (called once a turn). */
static void logs_summary(struct control_logs *l)
{
	log_rl_summary(&l->refused, LOG_LVL_WARN, "control", "peer refused");
	log_rl_summary(&l->creds, LOG_LVL_WARN, "control", "credentials unreadable");
	log_rl_summary(&l->full, LOG_LVL_WARN, "control", "too many clients");
	log_rl_summary(&l->accept, LOG_LVL_WARN, "control", "accept failed");
	log_rl_summary(&l->slow, LOG_LVL_WARN, "control", "reply not taken");
	log_rl_summary(&l->gone, LOG_LVL_WARN, "control", "client gone before its reply");
	log_rl_summary(&l->nomem, LOG_LVL_WARN, "control", "out of memory");
	log_rl_summary(&l->too_long, LOG_LVL_WARN, "control", "request too long");
}

/* ---- credentials ---------------------------------------------------------- */

/* Whether the peer on @fd may use the socket; logs a refusal. */
static bool admit(struct control *ctl, int fd)
{
	struct peer_creds pc;
	bool ok;
	int rc = peer_creds_read(fd, &pc);

	if (rc < 0) {
		LOG_WARN_RL(&ctl->logs.creds, "control", "cannot read a peer's credentials: %s",
			    strerror(-rc));
		return false;
	}
	ok = control_admit(pc.uid, pc.gid, pc.groups, pc.ngroups, ctl->gid);
	if (!ok)
		LOG_WARN_RL(&ctl->logs.refused, "control",
			    "refused pid %d uid %u gid %u: not root and not in group %u",
			    (int)pc.pid, (unsigned)pc.uid, (unsigned)pc.gid, (unsigned)ctl->gid);
	peer_creds_free(&pc);
	return ok;
}

/* ---- clients ---------------------------------------------------------- */

/* The error line @why to a socket just accepted, never waiting: its send
 * buffer is empty, so the short line fits, and if it does not the peer
 * loses only the reason. */
static void tell_and_close(int fd, const char *why)
{
	char text[256];
	int n = snprintf(text, sizeof(text), "{\"version\":%d,\"ok\":false,\"error\":\"%s\"}\n",
			 CONTROL_VERSION, why);

	sock_send_nowait(fd, text, (size_t)n);
	close(fd);
}

static void drop_client(struct client *c)
{
	close(c->fd);
	if (c->buf != NULL)
		explicit_bzero(c->buf, CONTROL_MAX_REQUEST);
	free(c->buf);
	free(c->out);
	memset(c, 0, sizeof(*c));
	c->fd = -1;
}

static struct client *free_slot(struct control *ctl)
{
	for (int k = 0; k < CONTROL_MAX_CLIENTS; k++)
		if (ctl->clients[k].fd < 0)
			return &ctl->clients[k];
	return NULL;
}

/* Out of descriptors (or memory): the pending connection stays in the
 * backlog and the listener would be readable again at once, so it is not
 * watched for CONTROL_ACCEPT_PAUSE_MS instead of spinning on the error. */
static void accept_pause(struct control *ctl, int err)
{
	LOG_WARN_RL(&ctl->logs.accept, "control", "accept: %s: not accepting for %d ms",
		    strerror(err), CONTROL_ACCEPT_PAUSE_MS);
	ctl->accept_resume = now_ms() + CONTROL_ACCEPT_PAUSE_MS;
}

static void accept_client(struct control *ctl)
{
	int fd = accept4(ctl->lfd, NULL, NULL, SOCK_CLOEXEC | SOCK_NONBLOCK);
	struct client *c;

	if (fd < 0) {
		if (errno == EMFILE || errno == ENFILE || errno == ENOBUFS || errno == ENOMEM)
			accept_pause(ctl, errno);
		else if (errno != EAGAIN && errno != EINTR && errno != ECONNABORTED)
			LOG_WARN_RL(&ctl->logs.accept, "control", "accept: %s", strerror(errno));
		return;
	}
	if (!admit(ctl, fd)) {
		tell_and_close(fd, "permission denied: root or the socket's group only");
		return;
	}
	c = free_slot(ctl);
	if (c == NULL || (c->buf = malloc(CONTROL_MAX_REQUEST)) == NULL) {
		if (c == NULL)
			LOG_WARN_RL(&ctl->logs.full, "control", "more than %d clients: one refused",
				    CONTROL_MAX_CLIENTS);
		else
			LOG_WARN_RL(&ctl->logs.nomem, "control", "out of memory for a client: one refused");
		tell_and_close(fd, c == NULL ? "too many clients" : "out of memory");
		return;
	}
	c->fd = fd;
	c->len = 0;
	c->last = now_ms();
}

/* Whether @c has a complete request waiting for its answer. */
static bool has_line(const struct client *c)
{
	return c->fd >= 0 && !c->draining && memchr(c->buf, '\n', c->len) != NULL;
}

/* Whether @c's first request can be answered now: one reply at a time, so
 * that a client holds at most one reply's memory. */
static bool can_serve(const struct client *c)
{
	return has_line(c) && c->out == NULL;
}

/* Queue @len bytes of @text and a newline behind what @c has still to
 * take. The deadline starts with the first byte queued. False: no memory. */
static bool queue_line(struct client *c, const char *text, size_t len)
{
	char *p = realloc(c->out, c->out_len + len + 1);

	if (p == NULL)
		return false;
	if (c->out == NULL)
		c->out_due = now_ms() + CONTROL_SEND_MS;
	memcpy(p + c->out_len, text, len);
	p[c->out_len + len] = '\n';
	c->out = p;
	c->out_len += len + 1;
	return true;
}

/* Send what @c will take now of its reply. False: @c must go (logged). */
static bool flush_out(struct control *ctl, struct client *c)
{
	ssize_t n = sock_send_nowait(c->fd, c->out + c->out_off, c->out_len - c->out_off);

	if (n < 0) {
		LOG_WARN_RL(&ctl->logs.gone, "control", "a client went before taking its reply (%s): closed",
			    errno == EPIPE ? "it closed" : strerror(errno));
		return false;
	}
	c->out_off += (size_t)n;
	if (c->out_off < c->out_len)
		return true;
	free(c->out);
	c->out = NULL;
	c->out_len = c->out_off = 0;
	if (c->draining && !c->shut) {
		/* Closing with its bytes unread would reset the connection and
		 * could destroy the reply before the client reads it. */
		shutdown(c->fd, SHUT_WR);
		c->shut = true;
	}
	return true;
}

/* A full buffer without a newline: answer, then read to EOF and close. */
static bool refuse_long(struct control *ctl, struct client *c)
{
	char text[128];
	int len = snprintf(text, sizeof(text), "{\"version\":%d,\"ok\":false,\"error\":\"%s\"}",
			   CONTROL_VERSION, "request too long");

	LOG_WARN_RL(&ctl->logs.too_long, "control", "a request longer than %d bytes: client closed",
		    CONTROL_MAX_REQUEST);
	c->draining = true;
	c->since = now_ms();
	c->len = 0;
	if (!queue_line(c, text, (size_t)len)) {
		LOG_WARN_RL(&ctl->logs.nomem, "control", "out of memory for a reply: client closed");
		return false;
	}
	return flush_out(ctl, c);
}

/* Answer @c's first complete request: queue the reply and send what the
 * client takes now. One per turn of the thread's loop, so that a client
 * with many pipelined requests cannot keep the others, or a stop,
 * waiting. False when @c must go (logged). */
static bool serve_line(struct control *ctl, struct client *c)
{
	char *nl = memchr(c->buf, '\n', c->len);
	size_t line = (size_t)(nl - c->buf);
	char *text = control_handle(&ctl->env, c->buf, line);
	bool queued = text != NULL && queue_line(c, text, strlen(text));

	free(text);
	if (!queued) {
		LOG_WARN_RL(&ctl->logs.nomem, "control", "out of memory for a reply: client closed");
		return false;
	}
	memmove(c->buf, nl + 1, c->len - line - 1);
	c->len -= line + 1;
	/* The request may have carried CHAP secrets (chap set, acl add). */
	explicit_bzero(c->buf + c->len, line + 1);
	c->since = now_ms();	/* what is left started now */
	return flush_out(ctl, c);
}

/* False when @c must go. */
static bool read_client(struct control *ctl, struct client *c)
{
	ssize_t n = recv(c->fd, c->buf + c->len, CONTROL_MAX_REQUEST - c->len, MSG_DONTWAIT);

	if (n < 0 && (errno == EAGAIN || errno == EINTR))
		return true;
	if (n <= 0)
		return false;
	c->last = now_ms();
	if (c->draining)
		return true;
	if (c->len == 0)
		c->since = c->last;
	c->len += (size_t)n;
	if (c->len == CONTROL_MAX_REQUEST && !has_line(c))
		return refuse_long(ctl, c);
	return true;
}

/* ---- the thread ------------------------------------------------------- */

static int fill_poll(struct control *ctl, struct pollfd *p, struct client **who)
{
	int n = 0;

	p[n++] = (struct pollfd){ .fd = ctl->stopfd, .events = POLLIN };
	p[n++] = (struct pollfd){ .fd = ctl->reloadfd, .events = POLLIN };
	/* A negative fd is skipped by poll(): the listener while it rests. */
	p[n++] = (struct pollfd){ .fd = ctl->accept_resume ? -1 : ctl->lfd, .events = POLLIN };
	for (int k = 0; k < CONTROL_MAX_CLIENTS; k++) {
		struct client *c = &ctl->clients[k];

		if (c->fd < 0)
			continue;
		who[n] = c;
		/* Not read while a request waits: its buffer must not fill. */
		p[n++] = (struct pollfd){ .fd = c->fd,
					  .events = (short)((has_line(c) ? 0 : POLLIN) |
							    (c->out ? POLLOUT : 0)) };
	}
	return n;
}

/* How long poll() may wait: not at all when a request can be answered,
 * else until the next deadline (a reply due, the listener's rest), at
 * most a second (the idle checks). */
static int poll_timeout(const struct control *ctl)
{
	uint64_t now = now_ms(), until = now + 1000;

	if (ctl->accept_resume && ctl->accept_resume < until)
		until = ctl->accept_resume;
	for (int k = 0; k < CONTROL_MAX_CLIENTS; k++) {
		const struct client *c = &ctl->clients[k];

		if (can_serve(c))
			return 0;
		if (c->fd >= 0 && c->out && c->out_due < until)
			until = c->out_due;
	}
	return until > now ? (int)(until - now) : 0;
}

/* Silent for CONTROL_IDLE_MS, a request unfinished (or a refused one still
 * being drained) for CONTROL_REQUEST_MS, a reply not taken by its due
 * time (given one last chance to go): the slot goes back. */
static void drop_late(struct control *ctl)
{
	uint64_t now = now_ms();

	for (int k = 0; k < CONTROL_MAX_CLIENTS; k++) {
		struct client *c = &ctl->clients[k];
		bool partial = c->draining || (c->len > 0 && !has_line(c));

		if (c->fd < 0)
			continue;
		if (c->out && now >= c->out_due) {
			if (!flush_out(ctl, c)) {
				drop_client(c);
				continue;
			}
			if (c->out != NULL) {
				LOG_WARN_RL(&ctl->logs.slow, "control",
					    "a client that does not read its replies (%zu of %zu bytes "
					    "not taken within %d ms): closed", c->out_len - c->out_off,
					    c->out_len, CONTROL_SEND_MS);
				drop_client(c);
				continue;
			}
		}
		if (now - c->last > CONTROL_IDLE_MS ||
		    (partial && now - c->since > CONTROL_REQUEST_MS))
			drop_client(c);
	}
}

/* One turn: accept, send and read what the sockets take, answer one
 * request per client. */
static void turn(struct control *ctl, const struct pollfd *p, struct client **who, int n)
{
	if (ctl->accept_resume && now_ms() >= ctl->accept_resume)
		ctl->accept_resume = 0;
	if (p[2].revents & POLLIN)
		accept_client(ctl);
	for (int k = 3; k < n; k++) {
		struct client *c = who[k];
		bool ok = true;

		if (c->fd < 0)
			continue;
		if (c->out && (p[k].revents & (POLLOUT | POLLERR | POLLHUP)))
			ok = flush_out(ctl, c);
		if (ok && (p[k].revents & (POLLIN | POLLERR | POLLHUP)) && !has_line(c))
			ok = read_client(ctl, c);
		if (!ok)
			drop_client(c);
	}
	for (int k = 0; k < CONTROL_MAX_CLIENTS; k++)
		if (can_serve(&ctl->clients[k]) && !serve_line(ctl, &ctl->clients[k]))
			drop_client(&ctl->clients[k]);
	drop_late(ctl);
	logs_summary(&ctl->logs);
}

/* SIGHUP: the reload, which logs its outcome (no client waits for it). */
static void reload_signalled(struct control *ctl)
{
	char err[512];
	eventfd_t v;
	json_t *out;

	if (eventfd_read(ctl->reloadfd, &v) < 0)
		return;
	out = reload_config(&ctl->env, "SIGHUP", err, sizeof(err));
	json_decref(out);
}

void control_request_reload(struct control *ctl)
{
	eventfd_write(ctl->reloadfd, 1);
}

static void *control_main(void *arg)
{
	struct control *ctl = arg;
	struct pollfd p[CONTROL_MAX_CLIENTS + 3];
	struct client *who[CONTROL_MAX_CLIENTS + 3];

	for (;;) {
		int n = fill_poll(ctl, p, who);

		if (poll(p, (nfds_t)n, poll_timeout(ctl)) < 0 && errno != EINTR)
			break;
		if (p[0].revents)
			break;
		if (p[1].revents & POLLIN)
			reload_signalled(ctl);
		turn(ctl, p, who, n);
	}
	return NULL;
}

/* ---- start and stop ---------------------------------------------------- */

/* Take PATH.lock and hold it for the daemon's life: whoever holds it owns
 * PATH, so two daemons starting at once cannot both take one socket (a
 * probe by connect() could not tell a socket being set up from a stale
 * one). The kernel releases it when the daemon dies, however it dies. */
static int take_lock(struct control *ctl, const char *path, char *err, size_t errlen)
{
	char lock[sizeof(ctl->path) + 8];

	snprintf(lock, sizeof(lock), "%s.lock", path);
	ctl->lockfd = open(lock, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);
	if (ctl->lockfd < 0) {
		snprintf(err, errlen, "--control %s: %s: %s", path, lock, strerror(errno));
		return -1;
	}
	if (flock(ctl->lockfd, LOCK_EX | LOCK_NB) < 0) {
		snprintf(err, errlen, "--control %s: %s", path,
			 errno == EWOULDBLOCK ? "another daemon uses it" : strerror(errno));
		return -1;
	}
	return 0;
}

/* With the lock held, a socket at @path is a dead daemon's: remove it.
 * Anything else there is kept and refused. Returns 0 or -1 with @err. */
static int clear_stale(const char *path, char *err, size_t errlen)
{
	struct stat st;

	if (lstat(path, &st) < 0)
		return 0;
	if (!S_ISSOCK(st.st_mode)) {
		snprintf(err, errlen, "--control %s: exists and is not a socket", path);
		return -1;
	}
	unlink(path);
	return 0;
}

static int listen_at(struct control *ctl, const char *path, char *err, size_t errlen)
{
	struct sockaddr_un a = { .sun_family = AF_UNIX };
	struct stat st;

	if (strlen(path) >= sizeof(a.sun_path) || path[0] == '\0') {
		snprintf(err, errlen, "--control %s: path too long or empty", path);
		return -1;
	}
	if (take_lock(ctl, path, err, errlen) < 0 || clear_stale(path, err, errlen) < 0)
		return -1;
	memcpy(a.sun_path, path, strlen(path) + 1);
	ctl->lfd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (ctl->lfd < 0 || bind(ctl->lfd, (struct sockaddr *)&a, sizeof(a)) < 0) {
		snprintf(err, errlen, "--control %s: %s", path, strerror(errno));
		return -1;
	}
	memcpy(ctl->path, path, strlen(path) + 1);	/* ours now: removed at stop */
	if (chmod(path, 0660) < 0 || stat(path, &st) < 0 || listen(ctl->lfd, 16) < 0) {
		snprintf(err, errlen, "--control %s: %s", path, strerror(errno));
		return -1;
	}
	ctl->gid = st.st_gid;
	return 0;
}

/* The default path's directory, /run/ctgt, made when missing. */
static void make_default_dir(const char *path)
{
	if (strcmp(path, "/run/ctgt/ctgt.sock") == 0)
		mkdir("/run/ctgt", 0750);
}

struct control *control_start(const struct control_env *env, const char *path, char *err,
			      size_t errlen)
{
	struct control *ctl = calloc(1, sizeof(*ctl));

	if (ctl == NULL) {
		snprintf(err, errlen, "--control: out of memory");
		return NULL;
	}
	ctl->env = *env;
	logs_init(&ctl->logs);
	ctl->lfd = -1;
	ctl->lockfd = -1;
	ctl->reloadfd = -1;
	for (int k = 0; k < CONTROL_MAX_CLIENTS; k++)
		ctl->clients[k].fd = -1;
	make_default_dir(path);
	ctl->stopfd = eventfd(0, EFD_CLOEXEC);
	ctl->reloadfd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	if (ctl->stopfd < 0 || ctl->reloadfd < 0)
		snprintf(err, errlen, "--control %s: %s", path, strerror(errno));
	else if (listen_at(ctl, path, err, errlen) == 0 &&
		 !(ctl->started = pthread_create(&ctl->tid, NULL, control_main, ctl) == 0))
		snprintf(err, errlen, "--control %s: cannot start its thread", path);
	if (!ctl->started) {
		control_stop(ctl);
		return NULL;
	}
	LOG_INFO("control", "control socket %s", path);
	return ctl;
}

void control_stop(struct control *ctl)
{
	if (ctl == NULL)
		return;
	if (ctl->started) {
		eventfd_write(ctl->stopfd, 1);
		pthread_join(ctl->tid, NULL);
	}
	for (int k = 0; k < CONTROL_MAX_CLIENTS; k++)
		if (ctl->clients[k].fd >= 0)
			drop_client(&ctl->clients[k]);
	if (ctl->lfd >= 0)
		close(ctl->lfd);
	if (ctl->path[0])
		unlink(ctl->path);	/* before the lock goes: see take_lock() */
	if (ctl->lockfd >= 0)
		close(ctl->lockfd);
	if (ctl->stopfd >= 0)
		close(ctl->stopfd);
	if (ctl->reloadfd >= 0)
		close(ctl->reloadfd);
	free(ctl);
}
