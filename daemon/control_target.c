/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The control socket's target commands: "target add" and "target remove"
 * (args {"target": IQN}), which change the running server
 * (include/ctgt/admin.h) and then the configuration it was built from.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "ctgt/admin.h"
#include "daemon/config.h"
#include "daemon/config_internal.h"
#include "daemon/control_cmds.h"
#include "daemon/notify.h"

/* The index of configured target @name (as logins compare names), or -1. */
static long target_index(const struct ctgt_config *cfg, const char *name)
{
	for (size_t k = 0; k < cfg->ntargets; k++)
		if (strcasecmp(cfg->targets[k].name, name) == 0)
			return (long)k;
	return -1;
}

struct ctgt_target_cfg *control_find_target(struct ctgt_config *cfg, json_t *args, char *err,
					    size_t errlen)
{
	const char *name = json_string_value(json_object_get(args, "target"));
	long k = name ? target_index(cfg, name) : -1;

	if (name == NULL)
		snprintf(err, errlen, "\"target\" (a string) is needed");
	else if (k < 0)
		snprintf(err, errlen, "no such target");
	return k >= 0 ? &cfg->targets[k] : NULL;
}

int control_add_target(const struct control_env *env, const char *name, char *err,
		       size_t errlen)
{
	struct ctgt_config *cfg = env->cfg;
	struct ctgt_target_cfg *tgts, *tc;
	const char *why;

	if ((why = name_problem(name)) != NULL) {
		snprintf(err, errlen, "target name: %s", why);
		return -EINVAL;
	}
	if (target_index(cfg, name) >= 0) {
		snprintf(err, errlen, "target %s exists already", name);
		return -EEXIST;
	}
	/* Room first: once the server has it, the configuration must. */
	tgts = realloc(cfg->targets, (cfg->ntargets + 1) * sizeof(*tgts));
	if (tgts == NULL)
		return -ENOMEM;
	cfg->targets = tgts;
	tc = &cfg->targets[cfg->ntargets];
	memset(tc, 0, sizeof(*tc));
	if ((tc->name = strdup(name)) == NULL)
		return -ENOMEM;
	if (ctgt_server_target_add(env->srv, name, err, errlen) < 0) {
		free(tc->name);
		return -EINVAL;
	}
	cfg->ntargets++;
	return 0;
}

int control_remove_target(const struct control_env *env, const char *name, char *err,
			  size_t errlen)
{
	struct ctgt_config *cfg = env->cfg;
	long k = target_index(cfg, name);
	int rc;

	if (k < 0) {
		snprintf(err, errlen, "no such target");
		return -ENOENT;
	}
	rc = ctgt_server_target_remove(env->srv, cfg->targets[k].name, err, errlen);
	if (rc < 0 && rc != -ETIMEDOUT)
		return rc;
	/* Gone for initiators even when something of it is left running. */
	free_target(&cfg->targets[k]);
	memmove(&cfg->targets[k], &cfg->targets[k + 1],
		(cfg->ntargets - (size_t)k - 1) * sizeof(cfg->targets[0]));
	cfg->ntargets--;
	return rc;
}

/* "target add" {target}: {"name"}. */
json_t *cmd_target_add(const struct control_env *env, json_t *args, char *err, size_t errlen)
{
	const char *name = json_string_value(json_object_get(args, "target"));

	if (name == NULL) {
		snprintf(err, errlen, "\"target\" (a string) is needed");
		return NULL;
	}
	if (control_add_target(env, name, err, errlen) < 0)
		return NULL;
	notify_status(env->cfg->ntargets, env->cfg->nportals);
	return json_pack("{s:s}", "name", name);
}

/* "target remove" {target}: {"name"} once its sessions and LUs are gone. */
json_t *cmd_target_remove(const struct control_env *env, json_t *args, char *err,
			  size_t errlen)
{
	const char *name = json_string_value(json_object_get(args, "target"));
	long k = name ? target_index(env->cfg, name) : -1;
	json_t *out;
	int rc;

	if (name == NULL) {
		snprintf(err, errlen, "\"target\" (a string) is needed");
		return NULL;
	}
	/* The configured spelling: the request's goes with the request. */
	out = json_pack("{s:s}", "name", k >= 0 ? env->cfg->targets[k].name : name);
	rc = control_remove_target(env, name, err, errlen);
	if (rc == 0 || rc == -ETIMEDOUT)	/* gone from the configuration either way */
		notify_status(env->cfg->ntargets, env->cfg->nportals);
	if (rc < 0) {
		json_decref(out);
		return NULL;
	}
	return out;
}
