/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Control-socket peers that misbehave, for control.sh:
 *
 * unix_flood PATH N SECONDS: connect to the AF_UNIX socket PATH, send N
 * copies of a control "version" request without reading any reply, then
 * hold the connection SECONDS seconds and exit 0. A peer that does not
 * read.
 *
 * unix_flood --slow PATH BYTES MS SECONDS COMMAND: connect, keep sending
 * COMMAND requests ("lun stats" of many LUs: a long reply) as fast as the
 * socket takes them, and read BYTES bytes of the replies every MS
 * milliseconds, for SECONDS seconds; exit 0 (also when the daemon closes
 * it). A peer that reads, but too slowly: each read makes room for a
 * little more of a reply, so a daemon that waits while each send makes
 * progress is held for seconds per reply.
 */
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

static const char version_req[] = "{\"version\":1,\"command\":\"version\"}\n";

static int connect_to(const char *path)
{
	struct sockaddr_un a = { .sun_family = AF_UNIX };
	int fd;

	if (strlen(path) >= sizeof(a.sun_path)) {
		fprintf(stderr, "unix_flood: path too long\n");
		return -1;
	}
	memcpy(a.sun_path, path, strlen(path) + 1);
	fd = socket(AF_UNIX, SOCK_STREAM, 0);
	if (fd < 0 || connect(fd, (struct sockaddr *)&a, sizeof(a)) < 0) {
		perror("unix_flood: connect");
		return -1;
	}
	return fd;
}

static long long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static int flood(const char *path, int n, int seconds)
{
	int fd = connect_to(path);

	if (fd < 0)
		return 1;
	/* The daemon may close us part-way: that is what is being tested. */
	for (int k = 0; k < n; k++)
		if (send(fd, version_req, sizeof(version_req) - 1, MSG_NOSIGNAL) < 0)
			break;
	sleep((unsigned)seconds);
	close(fd);
	return 0;
}

/* Send requests whenever the socket takes them (whole requests only, so
 * the daemon never sees a cut one), read @bytes every @ms. */
static int slow(const char *path, size_t bytes, int ms, int seconds, const char *command)
{
	char req[256];
	size_t len = (size_t)snprintf(req, sizeof(req), "{\"version\":1,\"command\":\"%s\"}\n", command);
	long long end = now_ms() + seconds * 1000LL, next = now_ms() + ms;
	char *buf = malloc(bytes ? bytes : 1);
	size_t off = 0;		/* bytes of the current request sent */
	int fd = connect_to(path);

	if (fd < 0 || buf == NULL)
		return 1;
	while (now_ms() < end) {
		struct pollfd p = { .fd = fd, .events = POLLOUT };
		long long wait = next - now_ms();
		ssize_t n;

		if (poll(&p, 1, wait > 0 ? (int)wait : 0) < 0 && errno != EINTR)
			break;
		if (p.revents & (POLLERR | POLLHUP))
			break;
		if (p.revents & POLLOUT) {
			n = send(fd, req + off, len - off, MSG_NOSIGNAL | MSG_DONTWAIT);
			if (n < 0 && errno != EAGAIN && errno != EINTR)
				break;
			if (n > 0)
				off = (off + (size_t)n) % len;
		}
		if (now_ms() >= next) {
			n = recv(fd, buf, bytes, MSG_DONTWAIT);
			if (n == 0 || (n < 0 && errno != EAGAIN && errno != EINTR))
				break;	/* closed by the daemon */
			next += ms;
		}
	}
	close(fd);
	free(buf);
	return 0;
}

int main(int argc, char **argv)
{
	if (argc == 7 && strcmp(argv[1], "--slow") == 0 && strlen(argv[6]) < 200)
		return slow(argv[2], (size_t)atol(argv[3]), atoi(argv[4]), atoi(argv[5]), argv[6]);
	if (argc == 4)
		return flood(argv[1], atoi(argv[2]), atoi(argv[3]));
	fprintf(stderr, "usage: unix_flood PATH N SECONDS | unix_flood --slow PATH BYTES MS SECONDS COMMAND\n");
	return 2;
}
