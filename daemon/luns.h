/* SPDX-License-Identifier: Apache-2.0 */
/*
 * A configured LU handed to the server: the daemon's own settings added
 * (the reservation limit and APTPL file of --state-dir), at start-up
 * (ctgt_server_add_store()) or while serving (ctgt_server_lun_add(), the
 * control socket's "lun add"). Internal to daemon/.
 */
#ifndef CTGT_DAEMON_LUNS_H
#define CTGT_DAEMON_LUNS_H

#include <stdbool.h>
#include <stddef.h>

#include "ctgt/server.h"
#include "daemon/config.h"

/** Add @lc to target @iqn of @srv: before it runs (@live false) or while
 *  it runs (@live true, from a thread not its own). 0, or a negative
 *  errno with a one-line reason in @err. */
int daemon_add_lun(struct ctgt_server *srv, const char *iqn, const struct ctgt_lun_cfg *lc,
		   const struct ctgt_config *cfg, bool live, char *err, size_t errlen);

#endif
