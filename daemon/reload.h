/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Reloading the --config file into the running daemon (`ctgtadm reload`,
 * SIGHUP): the file is loaded and checked as `serve --config` would, then
 * compared with the running configuration (env->cfg), and only what
 * differs is changed. What can change live: portals added and removed
 * (not one bound to port 0 at the start); targets added (with their
 * access settings, before their LUs) and removed; the access settings
 * of a target (allow, initiators, chap, mutualChap) and of discovery; a
 * target's LUs added, removed, or grown (a larger "size"); each target's
 * allowTargetReset, the resource limits, the keep-alive and the log
 * level. Any other difference (a portal's group, a LU's path or options,
 * a smaller size, the daemon's settings) refuses the whole file, naming
 * the first difference, and nothing is changed; so does a file that does
 * not load or validate, or whose access settings the server refuses.
 *
 * Runs on the control thread only (it calls include/ctgt/admin.h and
 * waits for the network threads), serialized with the other commands.
 */
#ifndef CTGT_DAEMON_RELOAD_H
#define CTGT_DAEMON_RELOAD_H

#include <stddef.h>

#include <jansson.h>

#include "daemon/control.h"

/**
 * Reload env->cfg->config_file, between notify_reloading() and
 * notify_ready() (sent also when it is refused or fails). @origin
 * ("ctgtadm", "SIGHUP") is only for the log. Returns the changes made,
 * {"file", "portals_added": ["HOST:PORT"], "portals_removed": [...],
 * "targets_added": [names], "targets_removed": [names],
 * "access": [names, "discovery"], "added": [{"target", "lun"}],
 * "removed": [...], "resized": [{"target", "lun", "from", "to"}],
 * "summary": "reload: ..."} (a new
 * reference), or NULL with why in @err: refused (nothing changed), or a
 * change that failed (the message says what was applied before it; a
 * failed addition undoes the additions made). Each change and the
 * outcome are logged; env->cfg follows every change made, as the live
 * LU commands keep it.
 */
json_t *reload_config(const struct control_env *env, const char *origin, char *err,
		      size_t errlen);

#endif
