/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The control socket's peer credentials (daemon/control_peer.h).
 */
#include "daemon/control_peer.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

bool control_admit(uid_t uid, gid_t gid, const gid_t *groups, size_t n, gid_t sock_gid)
{
	if (uid == 0 || gid == sock_gid)
		return true;
	for (size_t k = 0; k < n; k++)
		if (groups[k] == sock_gid)
			return true;
	return false;
}

/* The peer's supplementary groups (SO_PEERGROUPS, Linux 4.13): asked
 * first with room for a few; ERANGE gives the size needed, and asked once
 * more with that (they were fixed at connect(), so it cannot grow). */
static int read_groups(int fd, struct peer_creds *pc)
{
	socklen_t len = 32 * sizeof(gid_t);

	for (int tries = 0; tries < 2; tries++) {
		gid_t *g = malloc(len ? len : 1);
		socklen_t got = len;

		if (g == NULL)
			return -ENOMEM;
		if (getsockopt(fd, SOL_SOCKET, SO_PEERGROUPS, g, &got) == 0) {
			pc->groups = g;
			pc->ngroups = got / sizeof(gid_t);
			return 0;
		}
		free(g);
		if (errno != ERANGE || got <= len)
			return -errno;
		len = got;
	}
	return -ERANGE;
}

int peer_creds_read(int fd, struct peer_creds *pc)
{
	struct ucred cred;
	socklen_t len = sizeof(cred);
	int rc;

	memset(pc, 0, sizeof(*pc));
	if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cred, &len) < 0)
		return -errno;
	pc->pid = cred.pid;
	pc->uid = cred.uid;
	pc->gid = cred.gid;
	if ((rc = read_groups(fd, pc)) < 0)
		return rc;
	return 0;
}

void peer_creds_free(struct peer_creds *pc)
{
	free(pc->groups);
	pc->groups = NULL;
	pc->ngroups = 0;
}
