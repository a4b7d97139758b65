// SPDX-License-Identifier: Apache-2.0
/*
 * tcpbw: the loopback TCP bandwidth of this machine, the ceiling of a large
 * iSCSI transfer in `make bench`.
 *
 * A sender thread writes a 1 MiB buffer over and over to a receiver thread
 * (recv into a 1 MiB buffer) through one TCP connection on 127.0.0.1 (an
 * ephemeral port), for the given seconds; it prints one JSON object with the
 * bytes per second the receiver saw. Only ever 127.0.0.1.
 *
 * usage: tcpbw [SECONDS]   (0.1 to 60, default 3)
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define BUF_SIZE (1u << 20)

static atomic_bool stop;

static double now_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* A listening socket on 127.0.0.1 with a port the kernel picks. */
static int listen_loopback(struct sockaddr_in *addr)
{
	socklen_t len = sizeof(*addr);
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	memset(addr, 0, sizeof(*addr));
	addr->sin_family = AF_INET;
	addr->sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (fd < 0 || bind(fd, (struct sockaddr *)addr, sizeof(*addr)) != 0 ||
	    listen(fd, 1) != 0 || getsockname(fd, (struct sockaddr *)addr, &len) != 0) {
		perror("tcpbw: listen on 127.0.0.1");
		exit(1);
	}
	return fd;
}

/* The sender thread: writes until told to stop, then closes its end. The
 * thread owns the socket and the buffer. */
static void *sender(void *arg)
{
	int fd = (int)(intptr_t)arg;
	char *buf = malloc(BUF_SIZE);
	if (buf) {
		memset(buf, 0x5a, BUF_SIZE);
		while (!atomic_load(&stop))
			if (send(fd, buf, BUF_SIZE, MSG_NOSIGNAL) < 0 && errno != EINTR)
				break;
	}
	free(buf);
	close(fd);
	return NULL;
}

/* Receive for secs seconds; the bytes received. */
static uint64_t receive(int fd, double secs)
{
	char *buf = malloc(BUF_SIZE);
	uint64_t total = 0;
	double end = now_s() + secs;
	while (buf && now_s() < end) {
		ssize_t n = recv(fd, buf, BUF_SIZE, 0);
		if (n <= 0 && errno != EINTR)
			break;
		if (n > 0)
			total += (uint64_t)n;
	}
	free(buf);
	return total;
}

static int connect_to(const struct sockaddr_in *addr)
{
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0 || connect(fd, (const struct sockaddr *)addr, sizeof(*addr)) != 0) {
		perror("tcpbw: connect to 127.0.0.1");
		exit(1);
	}
	return fd;
}

int main(int argc, char **argv)
{
	double secs = argc > 1 ? strtod(argv[1], NULL) : 3.0;
	if (argc > 2 || !(secs >= 0.1 && secs <= 60)) {
		fprintf(stderr, "usage: tcpbw [SECONDS]   (0.1 to 60, default 3)\n");
		return 2;
	}
	struct sockaddr_in addr;
	int lfd = listen_loopback(&addr);
	int tx = connect_to(&addr);
	int rx = accept(lfd, NULL, NULL);
	pthread_t t;
	if (rx < 0 || pthread_create(&t, NULL, sender, (void *)(intptr_t)tx) != 0) {
		perror("tcpbw: start");
		return 1;
	}
	double t0 = now_s();
	uint64_t bytes = receive(rx, secs);
	double elapsed = now_s() - t0;
	atomic_store(&stop, true);
	close(rx); /* the sender's next send fails, so it cannot block */
	pthread_join(t, NULL);
	close(lfd);
	printf("{\"tool\":\"ctgt-tcpbw\",\"buffer\":%u,\"elapsed_s\":%.3f,\"bytes\":%llu,"
	       "\"mb_s\":%.1f}\n",
	       BUF_SIZE, elapsed, (unsigned long long)bytes, (double)bytes / elapsed / 1e6);
	return bytes ? 0 : 1;
}
