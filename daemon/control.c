/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The control socket's listener and clients (daemon/control.h), on a
 * thread of their own: poll() over the listening socket, the clients and
 * a stop eventfd. A peer is admitted by its SO_PEERCRED credentials (root,
 * or the socket's group as its primary or a supplementary group) before
 * anything it sends is read; requests are lines of at most
 * CONTROL_MAX_REQUEST bytes; a client silent for CONTROL_IDLE_S seconds is
 * closed, so that idle ones cannot hold every slot.
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

#define CONTROL_IDLE_S 60

struct client {
	int fd;
	char *buf;		/* CONTROL_MAX_REQUEST bytes */
	size_t len;
	time_t last;		/* CLOCK_MONOTONIC seconds of the last byte */
	bool draining;		/* answered with an error: read to EOF, then close */
};

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
 * reading holds the thread up for that long at most. */
static void send_all(int fd, const char *p, size_t len)
{
	while (len > 0) {
		ssize_t n = send(fd, p, len, MSG_NOSIGNAL);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return;
		p += n;
		len -= (size_t)n;
	}
}

static void send_line(int fd, const char *text)
{
	send_all(fd, text, strlen(text));
	send_all(fd, "\n", 1);
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
	struct timeval tv = { .tv_sec = 5 };
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

/* Answer every complete line in @c's buffer; false when it must go. */
static bool serve_lines(struct control *ctl, struct client *c)
{
	char *nl;

	while ((nl = memchr(c->buf, '\n', c->len)) != NULL) {
		size_t line = (size_t)(nl - c->buf);
		char *text = control_handle(&ctl->env, c->buf, line);

		if (text == NULL) {
			send_error(c->fd, "out of memory");
			return false;
		}
		send_line(c->fd, text);
		free(text);
		memmove(c->buf, nl + 1, c->len - line - 1);
		c->len -= line + 1;
	}
	if (c->len == CONTROL_MAX_REQUEST) {
		LOG_WARN("control", "a request longer than %d bytes: client closed",
			 CONTROL_MAX_REQUEST);
		send_error(c->fd, "request too long");
		/* Closing with its bytes unread would reset the connection and
		 * could destroy the reply before the client reads it. */
		shutdown(c->fd, SHUT_WR);
		c->draining = true;
		c->len = 0;
	}
	return true;
}

static void read_client(struct control *ctl, struct client *c)
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
	c->len += (size_t)n;
	if (!serve_lines(ctl, c))
		drop_client(c);
}

/* ---- the thread ------------------------------------------------------- */

static int fill_poll(struct control *ctl, struct pollfd *p, struct client **who)
{
	int n = 0;

	p[n++] = (struct pollfd){ .fd = ctl->stopfd, .events = POLLIN };
	p[n++] = (struct pollfd){ .fd = ctl->lfd, .events = POLLIN };
	for (int k = 0; k < CONTROL_MAX_CLIENTS; k++) {
		if (ctl->clients[k].fd < 0)
			continue;
		who[n] = &ctl->clients[k];
		p[n++] = (struct pollfd){ .fd = ctl->clients[k].fd, .events = POLLIN };
	}
	return n;
}

static void drop_idle(struct control *ctl)
{
	time_t now = now_s();

	for (int k = 0; k < CONTROL_MAX_CLIENTS; k++)
		if (ctl->clients[k].fd >= 0 && now - ctl->clients[k].last > CONTROL_IDLE_S)
			drop_client(&ctl->clients[k]);
}

static void *control_main(void *arg)
{
	struct control *ctl = arg;
	struct pollfd p[CONTROL_MAX_CLIENTS + 2];
	struct client *who[CONTROL_MAX_CLIENTS + 2];

	for (;;) {
		int n = fill_poll(ctl, p, who);

		if (poll(p, (nfds_t)n, 1000) < 0 && errno != EINTR)
			break;
		if (p[0].revents)
			break;
		if (p[1].revents & POLLIN)
			accept_client(ctl);
		for (int k = 2; k < n; k++)
			if (p[k].revents)
				read_client(ctl, who[k]);
		drop_idle(ctl);
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
