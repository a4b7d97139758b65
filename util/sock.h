/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Small socket helpers shared by the daemon's control socket and ctgtadm.
 */
#ifndef CTGT_UTIL_SOCK_H
#define CTGT_UTIL_SOCK_H

#include <stdbool.h>
#include <stddef.h>

/** Send all @len bytes of @p on the stream socket @fd, retrying after
 *  EINTR and partial sends, without SIGPIPE. Returns false on an error or
 *  if the peer stops taking bytes (a non-blocking socket that would block
 *  counts as an error: the caller chose not to wait). Any thread. */
bool sock_send_all(int fd, const void *p, size_t len);

#endif
