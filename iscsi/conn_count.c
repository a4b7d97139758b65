/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The connection limits (--connection-limit, and per source address)
 * count the connections of every thread: the counts are shared, under a
 * mutex taken at accept and at close only, never on the I/O path. Only
 * thread 0 accepts, so a count checked there can only have gone down
 * (other threads close) by the time the connection is counted.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "iscsi/iscsi.h"
#include "util/log.h"

struct conn_addr_count {
	char host[64];
	unsigned n;
};

/* Under counts.mu: the entry of @host, or NULL. */
static struct conn_addr_count *addr_find(struct conn_counts *c, const char *host)
{
	for (size_t i = 0; i < c->naddrs; i++)
		if (strcmp(c->addrs[i].host, host) == 0)
			return &c->addrs[i];
	return NULL;
}

/*
 * Whether one more connection from @host fits the connection limits. Beyond
 * them the connection is closed at once, before it costs a buffer or a login:
 * a login refused with a status (0302) would have to be read and answered
 * first, which is what a flood of connections wants us to spend.
 */
bool conn_count_admit(struct iscsi_server *srv, const char *host)
{
	struct conn_counts *c = &srv->counts;
	struct iscsi_thread *thr = &srv->thr[0];
	const struct conn_addr_count *a;
	unsigned total, same;

	pthread_mutex_lock(&c->mu);
	a = addr_find(c, host);
	total = c->total;
	same = a ? a->n : 0;
	pthread_mutex_unlock(&c->mu);
	if (total >= thr->set.lim.max_conns) {
		iscsi_count(&srv->ctr.conns_refused_total);
		LOG_WARN_RL(&thr->rl_conns, "portal",
			    "%s: connection refused: %u connections already (limit)", host, total);
		return false;
	}
	if (same >= thr->set.lim.max_conns_per_addr) {
		iscsi_count(&srv->ctr.conns_refused_addr);
		LOG_WARN_RL(&thr->rl_addr, "portal",
			    "%s: connection refused: %u connections from this address already (limit)",
			    host, same);
		return false;
	}
	return true;
}

/* Under counts.mu: an entry for @host with n = 0, or NULL on no memory. */
static struct conn_addr_count *addr_new(struct conn_counts *c, const char *host)
{
	if (c->naddrs == c->cap) {
		size_t cap = c->cap ? c->cap * 2 : 16;
		struct conn_addr_count *v = realloc(c->addrs, cap * sizeof(*v));

		if (!v)
			return NULL;
		c->addrs = v;
		c->cap = cap;
	}
	c->addrs[c->naddrs] = (struct conn_addr_count){ .n = 0 };
	snprintf(c->addrs[c->naddrs].host, sizeof(c->addrs[0].host), "%s", host);
	return &c->addrs[c->naddrs++];
}

void conn_count_add(struct iscsi_conn *conn)
{
	struct conn_counts *c = &conn->srv->counts;
	struct conn_addr_count *a;

	pthread_mutex_lock(&c->mu);
	a = addr_find(c, conn->peer_host);
	if (!a)
		a = addr_new(c, conn->peer_host);
	/* Without memory for the entry only the per-address limit misses it. */
	if (a)
		a->n++;
	c->total++;
	pthread_mutex_unlock(&c->mu);
}

void conn_count_del(struct iscsi_conn *conn)
{
	struct conn_counts *c = &conn->srv->counts;
	struct conn_addr_count *a;

	pthread_mutex_lock(&c->mu);
	a = addr_find(c, conn->peer_host);
	if (a && a->n > 0 && --a->n == 0)
		*a = c->addrs[--c->naddrs];	/* the last takes its place */
	if (c->total > 0)
		c->total--;
	pthread_mutex_unlock(&c->mu);
}

void conn_counts_free(struct iscsi_server *srv)
{
	free(srv->counts.addrs);
	srv->counts.addrs = NULL;
	srv->counts.naddrs = srv->counts.cap = 0;
}
