/* SPDX-License-Identifier: Apache-2.0 */
/*
 * ctgtadm's side of the control protocol: one connection per request, one
 * line out, one line back (tools/ctgtadm/ctgtadm.h).
 */
#include "tools/ctgtadm/ctgtadm.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <sys/un.h>
#include <unistd.h>

#include "daemon/control_proto.h"
#include "util/sock.h"

/* How long ctgtadm waits for the daemon, at each step: room in a full
 * backlog (a blocking AF_UNIX connect() waits for it, bounded by
 * SO_SNDTIMEO), taking the request, answering it. */
#define ADM_TIMEOUT_S 30

/* Both timeouts set before connect(), so that no step waits forever. */
static int connect_to(const char *path)
{
	struct timeval tv = { .tv_sec = ADM_TIMEOUT_S };
	struct sockaddr_un a = { .sun_family = AF_UNIX };
	int fd;

	if (strlen(path) >= sizeof(a.sun_path)) {
		fprintf(stderr, "ctgtadm: %s: path too long\n", path);
		return -1;
	}
	memcpy(a.sun_path, path, strlen(path) + 1);
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd >= 0 && (setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv)) < 0 ||
			setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv)) < 0)) {
		close(fd);
		fd = -1;
	}
	if (fd < 0 || connect(fd, (struct sockaddr *)&a, sizeof(a)) < 0) {
		if (fd >= 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
			fprintf(stderr, "ctgtadm: the daemon at %s accepts no connection "
				"(none within %d s)\n", path, ADM_TIMEOUT_S);
		else
			fprintf(stderr, "ctgtadm: cannot reach the daemon at %s: %s\n", path,
				strerror(errno));
		if (fd >= 0)
			close(fd);
		return -1;
	}
	return fd;
}

/* One reply line (without its newline), malloc'd; NULL if the daemon
 * closed first or sent more than 64 MiB. */
static char *recv_line(int fd)
{
	size_t cap = 1 << 16, len = 0;
	char *buf = malloc(cap), *nl;

	while (buf != NULL && (nl = memchr(buf, '\n', len)) == NULL) {
		ssize_t n;

		if (len == cap) {
			char *p = cap < (64u << 20) ? realloc(buf, cap * 2) : NULL;

			if (p == NULL)
				break;
			buf = p;
			cap *= 2;
		}
		n = recv(fd, buf + len, cap - len, 0);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		len += (size_t)n;
	}
	if (buf != NULL && (nl = memchr(buf, '\n', len)) != NULL) {
		*nl = '\0';
		return buf;
	}
	free(buf);
	return NULL;
}

/* Send the line @text to @path; the reply line, malloc'd, or NULL. A send
 * that fails still looks for a reply: the daemon may have refused the
 * request before reading all of it. */
static char *exchange(const char *path, const char *text)
{
	int fd = connect_to(path);
	char *line;

	if (fd < 0)
		return NULL;
	if (sock_send_all(fd, text, strlen(text)))
		sock_send_all(fd, "\n", 1);
	line = recv_line(fd);
	close(fd);
	if (line == NULL)
		fprintf(stderr, "ctgtadm: no reply from the daemon\n");
	return line;
}

json_t *adm_request(const char *path, const char *command, json_t *args)
{
	json_t *req = json_pack("{s:i, s:s, s:o}", "version", CONTROL_VERSION, "command", command,
				"args", args ? args : json_object());
	char *text = req ? json_dumps(req, JSON_COMPACT) : NULL;
	char *line = text ? exchange(path, text) : NULL;
	json_t *reply = line ? json_loads(line, 0, NULL) : NULL;

	if (line != NULL && reply == NULL)
		fprintf(stderr, "ctgtadm: the daemon's reply is not JSON\n");
	free(line);
	free(text);
	json_decref(req);
	return reply;
}

int adm_raw(const char *path, const char *text)
{
	char *line = exchange(path, text);
	json_t *reply = line ? json_loads(line, 0, NULL) : NULL;
	int rc = json_is_true(json_object_get(reply, "ok")) ? 0 : 1;

	if (line != NULL)
		printf("%s\n", line);
	json_decref(reply);
	free(line);
	return rc;
}

json_t *adm_result(json_t *reply, const char *what)
{
	const char *why;

	if (json_is_true(json_object_get(reply, "ok")))
		return json_object_get(reply, "result");
	why = json_string_value(json_object_get(reply, "error"));
	fprintf(stderr, "ctgtadm: %s: %s\n", what, why ? why : "failed");
	return NULL;
}
