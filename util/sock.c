/* SPDX-License-Identifier: Apache-2.0 */
#include "util/sock.h"

#include <errno.h>
#include <sys/socket.h>

bool sock_send_all(int fd, const void *p, size_t len)
{
	const char *c = p;

	while (len > 0) {
		ssize_t n = send(fd, c, len, MSG_NOSIGNAL);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return false;
		c += n;
		len -= (size_t)n;
	}
	return true;
}

ssize_t sock_send_nowait(int fd, const void *p, size_t len)
{
	const char *c = p;
	size_t done = 0;

	while (done < len) {
		ssize_t n = send(fd, c + done, len - done, MSG_DONTWAIT | MSG_NOSIGNAL);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
			break;
		if (n < 0)
			return -1;
		if (n == 0)
			break;
		done += (size_t)n;
	}
	return (ssize_t)done;
}
