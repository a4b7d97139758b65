/* SPDX-License-Identifier: Apache-2.0 */
/*
 * What the daemon's control socket and its client (tools/ctgtadm/) agree
 * on: the protocol version, the request limit and the default path.
 * Header only, so that ctgtadm links none of the daemon.
 */
#ifndef CTGT_DAEMON_CONTROL_PROTO_H
#define CTGT_DAEMON_CONTROL_PROTO_H

#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

/** The protocol version ("version" in every request and reply). */
#define CONTROL_VERSION 1
/** Longest request line, in bytes; a longer one is answered with an error
 *  and the connection closed. */
#define CONTROL_MAX_REQUEST (64 * 1024)

/**
 * The default socket path into @buf: /run/ctgt/ctgt.sock for root, else
 * $XDG_RUNTIME_DIR/ctgt.sock. Returns @buf, or NULL when neither applies
 * (no absolute XDG_RUNTIME_DIR, or too long).
 */
static inline const char *control_default_path(char *buf, size_t len)
{
	const char *xdg = getenv("XDG_RUNTIME_DIR");
	int n;

	if (geteuid() == 0)
		n = snprintf(buf, len, "/run/ctgt/ctgt.sock");
	else if (xdg != NULL && xdg[0] == '/')
		n = snprintf(buf, len, "%s/ctgt.sock", xdg);
	else
		return NULL;
	return n > 0 && (size_t)n < len ? buf : NULL;
}

#endif
