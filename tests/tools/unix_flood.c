/* SPDX-License-Identifier: Apache-2.0 */
/*
 * unix_flood PATH N SECONDS: connect to the AF_UNIX socket PATH, send N
 * copies of a control "version" request without reading any reply, then
 * hold the connection SECONDS seconds and exit 0. A peer that does not
 * read, for control.sh.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	static const char req[] = "{\"version\":1,\"command\":\"version\"}\n";
	struct sockaddr_un a = { .sun_family = AF_UNIX };
	int fd, n;

	if (argc != 4 || strlen(argv[1]) >= sizeof(a.sun_path)) {
		fprintf(stderr, "usage: unix_flood PATH N SECONDS\n");
		return 2;
	}
	memcpy(a.sun_path, argv[1], strlen(argv[1]) + 1);
	fd = socket(AF_UNIX, SOCK_STREAM, 0);
	if (fd < 0 || connect(fd, (struct sockaddr *)&a, sizeof(a)) < 0) {
		perror("unix_flood: connect");
		return 1;
	}
	n = atoi(argv[2]);
	/* The daemon may close us part-way: that is what is being tested. */
	for (int k = 0; k < n; k++)
		if (send(fd, req, sizeof(req) - 1, MSG_NOSIGNAL) < 0)
			break;
	sleep((unsigned)atoi(argv[3]));
	close(fd);
	return 0;
}
