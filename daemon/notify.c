/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The sd_notify protocol (daemon/notify.h), written from its description
 * in sd_notify(3): one datagram per message, no reply.
 */
#include "daemon/notify.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "util/log.h"

int notify_addr(const char *value, struct sockaddr_un *sa, socklen_t *len)
{
	size_t n = value ? strlen(value) : 0;

	memset(sa, 0, sizeof(*sa));
	sa->sun_family = AF_UNIX;
	if (n < 2 || (value[0] != '/' && value[0] != '@'))
		return -EINVAL;
	if (value[0] == '/') {
		/* A path needs its terminating NUL inside sun_path. */
		if (n >= sizeof(sa->sun_path))
			return -ENAMETOOLONG;
		memcpy(sa->sun_path, value, n + 1);
		*len = (socklen_t)(offsetof(struct sockaddr_un, sun_path) + n + 1);
		return 0;
	}
	/* Abstract: the name is the bytes after the leading NUL, exactly as
	 * long as given (no terminator, no padding: those would be part of
	 * the name). */
	if (n > sizeof(sa->sun_path))
		return -ENAMETOOLONG;
	sa->sun_path[0] = '\0';
	memcpy(sa->sun_path + 1, value + 1, n - 1);
	*len = (socklen_t)(offsetof(struct sockaddr_un, sun_path) + n);
	return 0;
}

int notify_send(const char *msg)
{
	const char *value = getenv("NOTIFY_SOCKET");
	struct sockaddr_un sa;
	socklen_t len;
	size_t n = strlen(msg);
	int fd, rc;

	if (value == NULL)
		return 0;
	rc = notify_addr(value, &sa, &len);
	if (rc < 0) {
		LOG_DEBUG("notify", "NOTIFY_SOCKET %s: %s", value, strerror(-rc));
		return rc;
	}
	if (n > NOTIFY_MAX)
		return -EMSGSIZE;
	/* A socket per message: four messages in a daemon's life do not
	 * justify one more descriptor kept open (and leaked to nothing). */
	fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd < 0) {
		rc = -errno;
		LOG_DEBUG("notify", "socket: %s", strerror(errno));
		return rc;
	}
	/* MSG_DONTWAIT: a supervisor that does not read its queue must not
	 * hold the daemon; MSG_NOSIGNAL for good measure. */
	if (sendto(fd, msg, n, MSG_DONTWAIT | MSG_NOSIGNAL, (struct sockaddr *)&sa, len) < 0) {
		rc = -errno;
		LOG_DEBUG("notify", "sending to %s: %s", value, strerror(errno));
	} else {
		rc = 1;
	}
	close(fd);
	return rc;
}

/* notify_send() of a message built from @fmt. */
static int notify_fmt(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

static int notify_fmt(const char *fmt, ...)
{
	char msg[NOTIFY_MAX + 1];
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (n < 0 || (size_t)n >= sizeof(msg))
		return -EMSGSIZE;
	return notify_send(msg);
}

int notify_ready(const char *status)
{
	/* MAINPID: the daemon does not fork, so this is only a confirmation,
	 * but it is what a manager that started a wrapper needs. */
	return notify_fmt("READY=1\nSTATUS=%.200s\nMAINPID=%ld", status, (long)getpid());
}

int notify_status(size_t ntargets, size_t nportals)
{
	return notify_fmt("STATUS=serving %zu target(s) on %zu portal(s)", ntargets, nportals);
}

int notify_serving(size_t ntargets, size_t nportals)
{
	char status[128];

	snprintf(status, sizeof(status), "serving %zu target(s) on %zu portal(s)", ntargets,
		 nportals);
	return notify_ready(status);
}

int notify_stopping(const char *why)
{
	return notify_fmt("STOPPING=1\nSTATUS=stopping (%.200s)", why);
}

int notify_reloading(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return notify_fmt("RELOADING=1\nMONOTONIC_USEC=%llu\nSTATUS=reloading the configuration",
			  (unsigned long long)ts.tv_sec * 1000000ull +
				  (unsigned long long)ts.tv_nsec / 1000u);
}
