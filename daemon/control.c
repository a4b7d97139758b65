/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The control socket's listener and clients (daemon/control.h), on a
 * thread of their own: poll() over the listening socket, the clients and
 * a stop eventfd. A peer is admitted by its SO_PEERCRED credentials (root,
 * or the socket's group as its primary or a supplementary group) before
 * anything it sends is read; requests are lines of at most
 * CONTROL_MAX_REQUEST bytes, answered one per client per turn of the
 * loop; a client silent for CONTROL_IDLE_S seconds, or with a request
 * unfinished for CONTROL_REQUEST_S, is closed, so that idle ones cannot
 * hold every slot, and one that does not read its replies is closed
 * after CONTROL_SEND_S, so that it cannot hold the thread (or a stop).
 */
#include "daemon/control.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdbool.h>
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

#include "util/log.h"
#include "util/sock.h"

#define CONTROL_IDLE_S 60	/* a client silent this long is closed */
#define CONTROL_REQUEST_S 10	/* ... or one whose request is unfinished this long */
#define CONTROL_SEND_S 1	/* a reply that cannot be sent in this long drops it */

struct client {
	int fd;
	char *buf;		/* CONTROL_MAX_REQUEST bytes */
	size_t len;
	time_t last;		/* CLOCK_MONOTONIC seconds of the last byte */
	time_t since;		/* when the unfinished request (or the draining) began */
	bool draining;		/* answered with an error: read to EOF, then close */
};

/* Set up by control_start(); then the control thread's alone until
 * control_stop() has joined it. */
struct control {
	struct control_env env;
	char path[sizeof(((struct sockaddr_un *)0)->sun_path)];
	int lfd, stopfd;
	int lockfd;		/* PATH.lock, flock()ed while we serve */
	gid_t gid;		/* the socket's group */
	pthread_t tid;
	bool started;		/* tid runs */
	struct client clients[CONTROL_MAX_CLIENTS];
};

static time_t now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec;
}

/* ---- credentials ---------------------------------------------------------- */

/* Whether process @pid is in group @gid as a supplementary group
 * (/proc/PID/status "Groups:"). */
static bool in_supplementary(pid_t pid, gid_t gid)
{
	char name[64], line[4096];
	bool found = false;
	FILE *f;

	snprintf(name, sizeof(name), "/proc/%d/status", (int)pid);
	if ((f = fopen(name, "re")) == NULL)
		return false;
	while (!found && fgets(line, sizeof(line), f) != NULL) {
		char *p = line + 7, *end;

		if (strncmp(line, "Groups:", 7) != 0)
			continue;
		for (unsigned long g; (g = strtoul(p, &end, 10)), end != p; p = end)
			found |= (gid_t)g == gid;
		break;
	}
	fclose(f);
	return found;
}

/* Whether the peer on @fd may use the socket; logs a refusal. */
static bool admit(const struct control *ctl, int fd)
{
	struct ucred cred;
	socklen_t len = sizeof(cred);

	if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cred, &len) < 0) {
		LOG_WARN("control", "cannot read a peer's credentials: %s", strerror(errno));
		return false;
	}
	if (cred.uid == 0 || cred.gid == ctl->gid || in_supplementary(cred.pid, ctl->gid))
		return true;
	LOG_WARN("control", "refused pid %d uid %u gid %u: not root and not in group %u",
		 (int)cred.pid, (unsigned)cred.uid, (unsigned)cred.gid, (unsigned)ctl->gid);
	return false;
}

/* ---- clients ---------------------------------------------------------- */

/* Blocking socket with a send timeout (accept_client): a peer that stops
 * reading holds the thread up for CONTROL_SEND_S at most, and is then
 * dropped (false). */
static bool send_line(int fd, const char *text)
{
	return sock_send_all(fd, text, strlen(text)) && sock_send_all(fd, "\n", 1);
}

static void send_error(int fd, const char *why)
{
	char text[256];

	snprintf(text, sizeof(text), "{\"version\":%d,\"ok\":false,\"error\":\"%s\"}",
		 CONTROL_VERSION, why);
	send_line(fd, text);
}

static void drop_client(struct client *c)
{
	close(c->fd);
	free(c->buf);
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

static void accept_client(struct control *ctl)
{
	struct timeval tv = { .tv_sec = CONTROL_SEND_S };
	int fd = accept4(ctl->lfd, NULL, NULL, SOCK_CLOEXEC);
	struct client *c;

	if (fd < 0)
		return;
	setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
	if (!admit(ctl, fd)) {
		send_error(fd, "permission denied: root or the socket's group only");
		close(fd);
		return;
	}
	c = free_slot(ctl);
	if (c == NULL || (c->buf = malloc(CONTROL_MAX_REQUEST)) == NULL) {
		LOG_WARN("control", "more than %d clients: one refused", CONTROL_MAX_CLIENTS);
		send_error(fd, "too many clients");
		close(fd);
		return;
	}
	c->fd = fd;
	c->len = 0;
	c->last = now_s();
}

/* Whether @c has a complete request waiting for its answer. */
static bool has_line(const struct client *c)
{
	return c->fd >= 0 && !c->draining && memchr(c->buf, '\n', c->len) != NULL;
}

/* A full buffer without a newline: answer, then read to EOF and close. */
static void refuse_long(struct client *c)
{
	LOG_WARN("control", "a request longer than %d bytes: client closed", CONTROL_MAX_REQUEST);
	send_error(c->fd, "request too long");
	/* Closing with its bytes unread would reset the connection and could
	 * destroy the reply before the client reads it. */
	shutdown(c->fd, SHUT_WR);
	c->draining = true;
	c->since = now_s();
	c->len = 0;
}

/* Answer @c's first complete request. One per turn of the thread's loop,
 * so that a client with many pipelined requests cannot keep the others,
 * or a stop, waiting. False when @c must go (it does not read). */
static bool serve_line(struct control *ctl, struct client *c)
{
	char *nl = memchr(c->buf, '\n', c->len);
	size_t line = (size_t)(nl - c->buf);
	char *text = control_handle(&ctl->env, c->buf, line);
	bool sent = text != NULL && send_line(c->fd, text);

	free(text);
	if (!sent) {
		LOG_WARN("control", "a client that does not read its replies: closed");
		return false;
	}
	memmove(c->buf, nl + 1, c->len - line - 1);
	c->len -= line + 1;
	c->since = now_s();	/* what is left started now */
	return true;
}

static void read_client(struct client *c)
{
	ssize_t n = recv(c->fd, c->buf + c->len, CONTROL_MAX_REQUEST - c->len, MSG_DONTWAIT);

	if (n < 0 && (errno == EAGAIN || errno == EINTR))
		return;
	if (n <= 0) {
		drop_client(c);
		return;
	}
	c->last = now_s();
	if (c->draining)
		return;
	if (c->len == 0)
		c->since = c->last;
	c->len += (size_t)n;
	if (c->len == CONTROL_MAX_REQUEST && !has_line(c))
		refuse_long(c);
}

/* ---- the thread ------------------------------------------------------- */

static int fill_poll(struct control *ctl, struct pollfd *p, struct client **who)
{
	int n = 0;

	p[n++] = (struct pollfd){ .fd = ctl->stopfd, .events = POLLIN };
	p[n++] = (struct pollfd){ .fd = ctl->lfd, .events = POLLIN };
	for (int k = 0; k < CONTROL_MAX_CLIENTS; k++) {
		struct client *c = &ctl->clients[k];

		if (c->fd < 0)
			continue;
		who[n] = c;
		/* Not read while a request waits: its buffer must not fill. */
		p[n++] = (struct pollfd){ .fd = c->fd, .events = has_line(c) ? 0 : POLLIN };
	}
	return n;
}

/* Silent for CONTROL_IDLE_S, a request unfinished (or a refused one still
 * being drained) for CONTROL_REQUEST_S: the slot goes back. */
static void drop_idle(struct control *ctl)
{
	time_t now = now_s();

	for (int k = 0; k < CONTROL_MAX_CLIENTS; k++) {
		struct client *c = &ctl->clients[k];
		bool partial = c->draining || (c->len > 0 && !has_line(c));

		if (c->fd >= 0 && (now - c->last > CONTROL_IDLE_S ||
				   (partial && now - c->since > CONTROL_REQUEST_S)))
			drop_client(c);
	}
}

static bool any_line(const struct control *ctl)
{
	for (int k = 0; k < CONTROL_MAX_CLIENTS; k++)
		if (has_line(&ctl->clients[k]))
			return true;
	return false;
}

/* One turn: accept, read what came, answer one request per client. */
static void turn(struct control *ctl, const struct pollfd *p, struct client **who, int n)
{
	if (p[1].revents & POLLIN)
		accept_client(ctl);
	for (int k = 2; k < n; k++)
		if (p[k].revents && !has_line(who[k]))
			read_client(who[k]);
	for (int k = 0; k < CONTROL_MAX_CLIENTS; k++)
		if (has_line(&ctl->clients[k]) && !serve_line(ctl, &ctl->clients[k]))
			drop_client(&ctl->clients[k]);
	drop_idle(ctl);
}

static void *control_main(void *arg)
{
	struct control *ctl = arg;
	struct pollfd p[CONTROL_MAX_CLIENTS + 2];
	struct client *who[CONTROL_MAX_CLIENTS + 2];

	for (;;) {
		int n = fill_poll(ctl, p, who);

		if (poll(p, (nfds_t)n, any_line(ctl) ? 0 : 1000) < 0 && errno != EINTR)
			break;
		if (p[0].revents)
			break;
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
	ctl->lfd = -1;
	ctl->lockfd = -1;
	for (int k = 0; k < CONTROL_MAX_CLIENTS; k++)
		ctl->clients[k].fd = -1;
	make_default_dir(path);
	ctl->stopfd = eventfd(0, EFD_CLOEXEC);
	if (ctl->stopfd < 0)
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
	free(ctl);
}
