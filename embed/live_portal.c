/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The portals of a running server (include/ctgt/admin.h): listed from
 * the iSCSI layer's list (under its lock, any thread), added and removed
 * on thread 0, where the accept loop runs (iscsi/portal.c). One change
 * at a time (admin_mu), like every admin call.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ctgt/admin.h"
#include "embed/server_internal.h"
#include "iscsi/admin.h"
#include "util/log.h"

_Static_assert(sizeof(((struct ctgt_portal_info *)0)->host) ==
	       sizeof(((struct iscsi_portal_info *)0)->host), "host");

int ctgt_server_portals(struct ctgt_server *s, struct ctgt_portal_info **out, size_t *n)
{
	struct iscsi_portal_info *in = NULL;
	size_t count = 0;
	int rc;

	*out = NULL;
	*n = 0;
	pthread_mutex_lock(&s->admin_mu);
	rc = iscsi_server_portals(s->isrv, &in, &count);
	pthread_mutex_unlock(&s->admin_mu);
	if (rc == 0 && (*out = calloc(count ? count : 1, sizeof(**out))) == NULL)
		rc = -ENOMEM;
	for (size_t k = 0; rc == 0 && k < count; k++) {
		memcpy((*out)[k].host, in[k].host, sizeof((*out)[k].host));
		(*out)[k].port = in[k].port;
		(*out)[k].tpgt = in[k].tpgt;
	}
	if (rc == 0)
		*n = count;
	free(in);
	return rc;
}

/* "HOST:PORT" or "[V6]:PORT" of @host, @port, for the log. */
static const char *addr_text(char *buf, size_t len, const char *host, unsigned port)
{
	snprintf(buf, len, strchr(host, ':') ? "[%s]:%u" : "%s:%u", host, port);
	return buf;
}

int ctgt_server_portal_add(struct ctgt_server *s, const char *host, uint16_t port,
			   uint16_t tpgt, char *err, size_t errlen)
{
	char dummy[8], addr[96];
	int rc;

	if (err == NULL || errlen == 0) {
		err = dummy;
		errlen = sizeof(dummy);
	}
	pthread_mutex_lock(&s->admin_mu);
	rc = iscsi_server_portal_add(s->isrv, &s->admin, host, port, tpgt, err, errlen);
	pthread_mutex_unlock(&s->admin_mu);
	if (rc > 0)
		LOG_INFO("admin", "portal %s added (tpgt %u)",
			 addr_text(addr, sizeof(addr), host, (unsigned)rc), tpgt ? tpgt : 1u);
	return rc;
}

int ctgt_server_portal_remove(struct ctgt_server *s, const char *host, uint16_t port,
			      char *err, size_t errlen)
{
	char dummy[8], addr[96];
	int rc;

	if (err == NULL || errlen == 0) {
		err = dummy;
		errlen = sizeof(dummy);
	}
	pthread_mutex_lock(&s->admin_mu);
	rc = iscsi_server_portal_remove(s->isrv, &s->admin, host, port, err, errlen);
	pthread_mutex_unlock(&s->admin_mu);
	if (rc == 0)
		LOG_INFO("admin", "portal %s removed (connections through it carry on)",
			 addr_text(addr, sizeof(addr), host, port));
	return rc;
}
