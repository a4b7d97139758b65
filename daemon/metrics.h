/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The metrics endpoint (README "Metrics"): `--metrics HOST:PORT` serves
 * GET /metrics in Prometheus' text format over HTTP/1.x, on a thread of
 * its own, modelled on the control socket's (daemon/control.c): the
 * running server is asked through include/ctgt/admin.h, so the network
 * threads never wait for it. Anyone who can reach the address can use it,
 * so what a client can make it hold is bounded: METRICS_MAX_CLIENTS at
 * once, a request head of METRICS_MAX_HEADER bytes read within
 * METRICS_REQUEST_S, a reply taken within METRICS_SEND_S.
 */
#ifndef CTGT_DAEMON_METRICS_H
#define CTGT_DAEMON_METRICS_H

#include <stddef.h>
#include <stdint.h>

#include "ctgt/server.h"

#define METRICS_MAX_CLIENTS 16	/* clients at once; more are closed at accept */
#define METRICS_MAX_HEADER 8192	/* bytes of request head; more: 431 */
#define METRICS_REQUEST_S 5	/* a request head not complete in this long: closed */
#define METRICS_SEND_S 10	/* a reply not taken in this long: closed */

struct metrics;

/**
 * Listen on @host (numeric, no brackets) port @port (0: any free port),
 * for @srv; logs "metrics on HOST:PORT". Nothing is served (accepted
 * connections wait in the backlog) until metrics_run(). Split in two so
 * that a bind failure comes before any other thread that asks the server
 * (the control socket's) runs: a thread waiting in an admin call for a
 * server that will never run could not be joined. Returns the endpoint,
 * or NULL with a one-line reason in @err.
 */
struct metrics *metrics_open(struct ctgt_server *srv, const char *host, uint16_t port,
			     char *err, size_t errlen);

/**
 * Start the metrics thread, which serves until metrics_stop(). The
 * calling thread must have SIGINT and SIGTERM blocked, so that the thread
 * inherits it. Returns 0, or -1 with a reason in @err.
 */
int metrics_run(struct metrics *m, char *err, size_t errlen);

/** Stop the thread (if it runs), close every client and the socket,
 *  free. NULL is ignored. Before ctgt_server_destroy(), after
 *  ctgt_server_run() has returned if the thread ran. */
void metrics_stop(struct metrics *m);

#endif
