/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Who may use the control socket (daemon/control.c): a peer's credentials
 * as the kernel recorded them when it connected, and the rule applied to
 * them. The control thread only.
 */
#ifndef CTGT_DAEMON_CONTROL_PEER_H
#define CTGT_DAEMON_CONTROL_PEER_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

/** A connected peer: from SO_PEERCRED (pid, uid, primary gid) and
 *  SO_PEERGROUPS (its supplementary groups, @groups malloc'd, @ngroups of
 *  them; peer_creds_free() frees). */
struct peer_creds {
	pid_t pid;
	uid_t uid;
	gid_t gid;
	gid_t *groups;
	size_t ngroups;
};

/**
 * The admission rule, a pure function: root (@uid 0), or a process whose
 * primary group @gid or one of its @n supplementary @groups is @sock_gid,
 * the socket's group.
 */
bool control_admit(uid_t uid, gid_t gid, const gid_t *groups, size_t n, gid_t sock_gid);

/**
 * Read the credentials of the peer of the connected AF_UNIX socket @fd
 * into @pc. They are those the peer had when it called connect(), so a
 * process that exits (and whose pid is reused) cannot lend them to
 * another, and no /proc file is parsed. Returns 0, or -errno (nothing to
 * free then).
 */
int peer_creds_read(int fd, struct peer_creds *pc);

/** Free what peer_creds_read() allocated. */
void peer_creds_free(struct peer_creds *pc);

#endif
