/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The metrics in Prometheus' text exposition format, version 0.0.4
 * (README "Metrics" lists them): built from the embedding admin API
 * (include/ctgt/admin.h), so the network threads are asked through it
 * as the control socket asks them, and never wait.
 */
#ifndef CTGT_DAEMON_METRICS_TEXT_H
#define CTGT_DAEMON_METRICS_TEXT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ctgt/server.h"

/** A growing text; a failed allocation sets @failed and stops it growing. */
struct mtext {
	char *p;		/* NUL-terminated while len > 0 */
	size_t len, cap;
	bool failed;
};

/** Append printf-style text to @t. */
void mt_printf(struct mtext *t, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/** Append @s as a label value (without its quotes): backslash, double
 *  quote and newline escaped as \\, \" and \n, as the format requires. */
void mt_label(struct mtext *t, const char *s);

/** What the endpoint itself counts, exposed with the rest. */
struct metrics_self {
	uint64_t requests;		/* requests answered, any status */
	uint64_t clients_refused;	/* beyond METRICS_MAX_CLIENTS */
};

/**
 * The exposition of @srv into @out (zeroed by the caller; free(out->p)
 * in every case). The calling thread waits for the network threads'
 * answers (a thread that is not one of them: the metrics thread).
 * Returns 0, or a negative errno (-ESHUTDOWN once the server stopped,
 * -ENOMEM).
 */
int metrics_render(struct ctgt_server *srv, const struct metrics_self *self, struct mtext *out);

#endif
