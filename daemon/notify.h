/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Telling a service manager (systemd, Type=notify) how the daemon is
 * doing: the sd_notify protocol, which systemd documents as stable
 * (sd_notify(3)): newline-separated VAR=VALUE assignments sent as one
 * datagram to the AF_UNIX socket named by $NOTIFY_SOCKET, a path, or an
 * abstract address written with a leading '@'. Without $NOTIFY_SOCKET
 * every call does nothing. Sending never blocks and its failures are only
 * logged at debug level: a supervisor that went away must not stop the
 * daemon. libsystemd is not needed.
 *
 * Call from the thread that runs the server (ctgt_server_run()'s, which
 * is also the one that starts it), or from the control thread (a reload,
 * daemon/reload.h); nothing is allocated and nothing is shared.
 */
#ifndef CTGT_DAEMON_NOTIFY_H
#define CTGT_DAEMON_NOTIFY_H

#include <stddef.h>
#include <sys/socket.h>
#include <sys/un.h>

/** Longest message sent; a longer one is refused (-EMSGSIZE). */
#define NOTIFY_MAX 512

/**
 * Turn the value of $NOTIFY_SOCKET into an address: "/path" (at most
 * sizeof(sun_path) - 1 bytes) or "@name" (an abstract address: a NUL
 * byte, then name). Returns 0 and fills @sa and @len, or -EINVAL for
 * anything else (empty, relative, another scheme such as "vsock:") and
 * -ENAMETOOLONG for a name that does not fit.
 */
int notify_addr(const char *value, struct sockaddr_un *sa, socklen_t *len);

/**
 * Send @msg (VAR=VALUE lines) to $NOTIFY_SOCKET. Returns 1 when sent, 0
 * when there is no $NOTIFY_SOCKET, or a negative errno (logged at debug
 * level) when it could not be sent.
 */
int notify_send(const char *msg);

/** "READY=1" with a STATUS= line (@status) and MAINPID=: once the
 *  portals listen and the control socket answers, and after a reload. */
int notify_ready(const char *status);

/** notify_ready() with the status "serving N target(s) on M portal(s)". */
int notify_serving(size_t ntargets, size_t nportals);

/** The STATUS= line alone, "serving N target(s) on M portal(s)": after a
 *  live change of the targets or portals (a reload ends with
 *  notify_serving()). */
int notify_status(size_t ntargets, size_t nportals);

/** "STOPPING=1" with a STATUS= line saying @why: as the stop begins. */
int notify_stopping(const char *why);

/**
 * "RELOADING=1" with MONOTONIC_USEC= (the CLOCK_MONOTONIC time, which
 * systemd's Type=notify-reload requires) and a STATUS= line: as a reload
 * starts. notify_ready() tells that it has ended, whatever its outcome.
 */
int notify_reloading(void);

#endif
