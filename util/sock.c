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
