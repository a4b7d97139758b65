/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The metrics endpoint's HTTP/1.x request parser: a pure function over a
 * buffer (no allocation, no state between calls, no I/O), so that the
 * thread that serves the endpoint (daemon/metrics.c) and the fuzzer
 * (tests/fuzz/fuzz_http.c) run the same code. Only what a scraper needs
 * is understood: the request line, and headers that are well formed and
 * otherwise ignored (a request has no body we read: the connection is
 * closed after the reply).
 */
#ifndef CTGT_DAEMON_METRICS_HTTP_H
#define CTGT_DAEMON_METRICS_HTTP_H

#include <stdbool.h>
#include <stddef.h>

/** What a complete request head asks for: the status to answer with. */
struct http_request {
	int status;	/**< 200 (GET or HEAD of /metrics), 400 (malformed), 404
			 *   (another path), 405 (another method), 505 (not HTTP/1.x) */
	bool head;	/**< HEAD: the headers of the reply only */
	size_t len;	/**< bytes of the request head, its empty line
			 *   included; 0 for a 400 */
};

/**
 * Parse the request head at @buf (@len bytes, not NUL-terminated; any
 * bytes). Returns false while the head is incomplete and nothing in it is
 * wrong yet (the caller reads more, and bounds how much), true with @req
 * filled once it is complete or known to be malformed (then status 400:
 * a malformed request is answered at its first bad line, not after the
 * caller's bound). Runs in time linear in @len.
 */
bool http_parse(const char *buf, size_t len, struct http_request *req);

#endif
