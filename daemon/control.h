/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The control socket (README "Control socket"): an AF_UNIX stream socket,
 * mode 0660, on which root or a member of the socket's group sends one
 * JSON request per line and reads one JSON reply per line. Served by a
 * thread of its own, which asks the running server through
 * include/ctgt/admin.h; the network threads never wait for it.
 */
#ifndef CTGT_DAEMON_CONTROL_H
#define CTGT_DAEMON_CONTROL_H

#include <stddef.h>

#include "ctgt/server.h"
#include "daemon/control_proto.h"

/** Clients connected at once; more are told so and closed. */
#define CONTROL_MAX_CLIENTS 16

struct control;
struct ctgt_config;

/** What the commands work on: the running server and the configuration
 *  it was built from, kept equal to what it serves: the commands that
 *  change the server change it too. Both outlive the control thread,
 *  which is the only one to use the configuration once it has started. */
struct control_env {
	struct ctgt_server *srv;
	struct ctgt_config *cfg;
};

/**
 * Listen on @path (a stale socket there is replaced; one somebody listens
 * on, or any other file, is refused; the directory of the default path
 * is created 0750) and start the control thread, which serves @srv until
 * control_stop() (@env is copied). The calling thread must have SIGINT and SIGTERM
 * blocked (ctgt_server_catch_signals()), so the control thread does too.
 * Returns the control, or NULL with a one-line reason in @err.
 */
struct control *control_start(const struct control_env *env, const char *path, char *err,
			      size_t errlen);

/**
 * Have the control thread reload the --config file (daemon/reload.h) as
 * soon as it has answered the request it may be answering: for SIGHUP,
 * whose handler runs on an event thread, which must not make admin calls.
 * Any thread; never waits. Requests made before it starts are merged.
 */
void control_request_reload(struct control *ctl);

/** Stop the thread, close every client, remove the socket, free. NULL is
 *  ignored. Before ctgt_server_destroy(). */
void control_stop(struct control *ctl);

/**
 * Answer one request line (@req, @len bytes, no newline) from a peer
 * already admitted: the reply, a malloc'd NUL-terminated JSON text
 * without newline (the caller frees it); NULL on no memory. The control
 * thread only (it asks the server and waits).
 */
char *control_handle(const struct control_env *env, const char *req, size_t len);

#endif
