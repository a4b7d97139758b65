/* SPDX-License-Identifier: Apache-2.0 */
/*
 * notify_listen ADDR SECONDS [PORT]: stand in for a service manager
 * (service.sh). Bind an AF_UNIX datagram socket at ADDR (a path, or
 * "@name" for an abstract address), print "listening", then print each
 * datagram received as one line, its newlines turned into spaces. When a
 * datagram holds READY=1 and PORT is given, connect to 127.0.0.1:PORT at
 * once and print "portal: connected" or "portal: refused (why)": what
 * the manager would start next must find the portal listening. Exit 0
 * after a datagram holding STOPPING=1, 1 when SECONDS pass first.
 * Output is flushed line by line.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

/* Whether the message @m holds the line @var (e.g. "READY=1"). */
static int has_line(const char *m, const char *var)
{
	size_t n = strlen(var);

	for (const char *p = m; (p = strstr(p, var)) != NULL; p += n)
		if ((p == m || p[-1] == '\n') && (p[n] == '\n' || p[n] == '\0'))
			return 1;
	return 0;
}

static void try_portal(int port)
{
	struct sockaddr_in a = { .sin_family = AF_INET, .sin_port = htons((uint16_t)port) };
	int fd = socket(AF_INET, SOCK_STREAM, 0);

	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (fd >= 0 && connect(fd, (struct sockaddr *)&a, sizeof(a)) == 0)
		printf("portal: connected\n");
	else
		printf("portal: refused (%s)\n", strerror(errno));
	if (fd >= 0)
		close(fd);
}

int main(int argc, char **argv)
{
	struct sockaddr_un a = { .sun_family = AF_UNIX };
	const char *addr = argc > 1 ? argv[1] : "";
	size_t n = strlen(addr);
	socklen_t len;
	time_t end;
	int fd, port;

	if ((argc != 3 && argc != 4) || n < 2 || n >= sizeof(a.sun_path)) {
		fprintf(stderr, "usage: notify_listen PATH|@NAME SECONDS [PORT]\n");
		return 2;
	}
	memcpy(a.sun_path, addr, n);
	len = (socklen_t)(offsetof(struct sockaddr_un, sun_path) + n + 1);
	if (addr[0] == '@') {
		a.sun_path[0] = '\0';
		len = (socklen_t)(offsetof(struct sockaddr_un, sun_path) + n);
	}
	port = argc == 4 ? atoi(argv[3]) : 0;
	fd = socket(AF_UNIX, SOCK_DGRAM, 0);
	if (fd < 0 || bind(fd, (struct sockaddr *)&a, len) < 0) {
		perror("notify_listen: bind");
		return 1;
	}
	setvbuf(stdout, NULL, _IOLBF, 0);
	printf("listening\n");
	end = time(NULL) + atoi(argv[2]);
	for (;;) {
		struct pollfd p = { .fd = fd, .events = POLLIN };
		char m[4097];
		ssize_t r;
		int left = (int)(end - time(NULL));

		if (left <= 0 || poll(&p, 1, left * 1000) <= 0) {
			printf("timeout\n");
			return 1;
		}
		r = recv(fd, m, sizeof(m) - 1, 0);
		if (r < 0)
			continue;
		m[r] = '\0';
		if (has_line(m, "READY=1") && port > 0)
			try_portal(port);
		for (ssize_t i = 0; i < r; i++)
			putchar(m[i] == '\n' ? ' ' : m[i]);
		putchar('\n');
		if (has_line(m, "STOPPING=1"))
			return 0;
	}
}
