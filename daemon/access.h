/* SPDX-License-Identifier: Apache-2.0 */
/*
 * A target's access settings as the daemon's configuration holds them
 * (struct ctgt_target_cfg: chap, mutual_chap, allow, initiators), applied
 * to the running server whole (ctgt_server_set_access()). Control thread.
 */
#ifndef CTGT_DAEMON_ACCESS_H
#define CTGT_DAEMON_ACCESS_H

#include <stddef.h>

#include "ctgt/admin.h"
#include "daemon/config.h"

/** Copy the access settings of @src into @dst (zeroed by the caller;
 *  nothing else of @src). 0 or -ENOMEM (then free_target(@dst)). */
int access_copy(struct ctgt_target_cfg *dst, const struct ctgt_target_cfg *src);

/** Free @dst's access settings and move @src's there (@src keeps none). */
void access_move(struct ctgt_target_cfg *dst, struct ctgt_target_cfg *src);

/** Make @a's settings target @iqn's on the running @srv (NULL: discovery
 *  sessions, @a's chap and mutual_chap only), or with @check_only only
 *  check them; @fx (may be NULL) as ctgt_server_set_access() fills it.
 *  Returns 0 or a negative errno with why in @err. */
int access_apply(struct ctgt_server *srv, const char *iqn, const struct ctgt_target_cfg *a,
		 bool check_only, struct ctgt_access_effect *fx, char *err, size_t errlen);

#endif
