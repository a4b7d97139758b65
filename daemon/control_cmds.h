/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The control socket's commands, shared by control_cmds.c (the table, the
 * requests, the read-only commands) and control_lun.c (the LU commands).
 * Each runs on the control thread: it returns its result (a new
 * reference) or NULL with why in @err.
 */
#ifndef CTGT_DAEMON_CONTROL_CMDS_H
#define CTGT_DAEMON_CONTROL_CMDS_H

#include <stddef.h>

#include <jansson.h>

#include "daemon/control.h"

typedef json_t *(*cmd_fn)(const struct control_env *env, json_t *args, char *err,
			  size_t errlen);

/* control_target.c */
/** The configured target @args names ("target", compared as logins
 *  compare names), or NULL with why in @err. */
struct ctgt_target_cfg *control_find_target(struct ctgt_config *cfg, json_t *args, char *err,
					    size_t errlen);
/** Add target @name to the server and to env->cfg: 0, or a negative
 *  errno with why in @err (then neither changed). */
int control_add_target(const struct control_env *env, const char *name, char *err,
		       size_t errlen);
/** Remove target @name (as logins compare names) from the server, as
 *  ctgt_server_target_remove() does, and from env->cfg: 0, -ETIMEDOUT
 *  (gone from env->cfg; something of it is left running), or another
 *  negative errno with why in @err (nothing changed). */
int control_remove_target(const struct control_env *env, const char *name, char *err,
			  size_t errlen);
json_t *cmd_target_add(const struct control_env *env, json_t *args, char *err, size_t errlen);
json_t *cmd_target_remove(const struct control_env *env, json_t *args, char *err,
			  size_t errlen);

/* control_portal.c */
json_t *cmd_portal_list(const struct control_env *env, json_t *args, char *err, size_t errlen);
json_t *cmd_portal_add(const struct control_env *env, json_t *args, char *err, size_t errlen);
json_t *cmd_portal_remove(const struct control_env *env, json_t *args, char *err,
			  size_t errlen);

/* control_lun.c */
json_t *cmd_lun_list(const struct control_env *env, json_t *args, char *err, size_t errlen);
json_t *cmd_lun_add(const struct control_env *env, json_t *args, char *err, size_t errlen);
json_t *cmd_lun_remove(const struct control_env *env, json_t *args, char *err, size_t errlen);
json_t *cmd_lun_resize(const struct control_env *env, json_t *args, char *err, size_t errlen);
json_t *cmd_lun_set(const struct control_env *env, json_t *args, char *err, size_t errlen);

/* control_acl.c */
json_t *cmd_acl_list(const struct control_env *env, json_t *args, char *err, size_t errlen);
json_t *cmd_acl_add(const struct control_env *env, json_t *args, char *err, size_t errlen);
json_t *cmd_acl_remove(const struct control_env *env, json_t *args, char *err, size_t errlen);
json_t *cmd_chap_set(const struct control_env *env, json_t *args, char *err, size_t errlen);

/* control_save.c */
json_t *cmd_save(const struct control_env *env, json_t *args, char *err, size_t errlen);
json_t *cmd_check_config(const struct control_env *env, json_t *args, char *err,
			 size_t errlen);

/* reload.c */
json_t *cmd_reload(const struct control_env *env, json_t *args, char *err, size_t errlen);

#endif
