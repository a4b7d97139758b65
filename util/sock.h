/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Small socket helpers shared by the daemon's control socket and ctgtadm.
 */
#ifndef CTGT_UTIL_SOCK_H
#define CTGT_UTIL_SOCK_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

/** Send all @len bytes of @p on the stream socket @fd, retrying after
 *  EINTR and partial sends, without SIGPIPE. Returns false on an error or
 *  if the peer stops taking bytes (a non-blocking socket that would block
 *  counts as an error: the caller chose not to wait). On a blocking socket
 *  it may wait for as long as the peer takes some bytes now and then
 *  (SO_SNDTIMEO bounds each wait, not the whole): for a client (ctgtadm),
 *  not for a server that must not be held by its peers. Any thread. */
bool sock_send_all(int fd, const void *p, size_t len);

/** Send as much of @len bytes of @p on @fd as it takes now, never waiting
 *  (MSG_DONTWAIT, whatever the socket's mode), without SIGPIPE; retries
 *  after EINTR. Returns the bytes sent (0..@len; fewer than @len when the
 *  socket is full), or -1 with errno on an error (EPIPE: the peer closed).
 *  Any thread. */
ssize_t sock_send_nowait(int fd, const void *p, size_t len);

#endif
