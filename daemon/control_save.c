/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The control socket's configuration-file commands: "save" writes the
 * running configuration (env->cfg, kept equal to what the daemon serves)
 * as config.json (config_save.h), "check-config" loads a file the way
 * `serve --config` would and says whether it would start, changing
 * nothing. Arguments: "file", an absolute path: a relative one would be
 * taken from the daemon's working directory, not the client's, so it is
 * refused (ctgtadm sends absolute paths).
 */
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "daemon/config.h"
#include "daemon/config_save.h"
#include "daemon/control_cmds.h"
#include "util/log.h"

/* Args "file": the path, NULL with why in @err when it is not an absolute
 * one; NULL without an error when it is absent and @optional. */
static const char *arg_file(json_t *args, bool optional, char *err, size_t errlen)
{
	json_t *v = json_object_get(args, "file");
	const char *path = json_string_value(v);

	if (v == NULL && optional)
		return NULL;
	if (path == NULL || path[0] == '\0')
		snprintf(err, errlen, "\"file\" (a path) is needed");
	else if (path[0] != '/')
		snprintf(err, errlen, "\"file\" must be an absolute path (a relative one would be "
			 "the daemon's working directory's)");
	else if (strlen(path) >= 4000)
		snprintf(err, errlen, "\"file\": path too long");
	else
		return path;
	return NULL;
}

/* "save" {file?}: {"file": PATH} once written (the --config file when
 * none is given). */
json_t *cmd_save(const struct control_env *env, json_t *args, char *err, size_t errlen)
{
	const char *path = arg_file(args, true, err, errlen);

	if (path == NULL && err[0] != '\0')
		return NULL;
	if (path == NULL)
		path = env->cfg->config_file;
	if (path == NULL) {
		snprintf(err, errlen, "no file given, and the daemon was not started with --config "
			 "(give one: save FILE)");
		return NULL;
	}
	if (config_save(env->cfg, path, err, errlen) < 0) {
		LOG_WARN("control", "save: %s", err);
		return NULL;
	}
	LOG_INFO("control", "configuration saved to %s", path);
	return json_pack("{s:s}", "file", path);
}

static size_t count_luns(const struct ctgt_config *cfg)
{
	size_t n = 0;

	for (size_t k = 0; k < cfg->ntargets; k++)
		n += cfg->targets[k].nluns;
	return n;
}

/* "check-config" {file}: {"file", "targets", "luns", "portals"} when
 * `serve --config FILE` would accept it; else its first problem. */
json_t *cmd_check_config(const struct control_env *env, json_t *args, char *err,
			 size_t errlen)
{
	const char *path = arg_file(args, false, err, errlen);
	struct ctgt_config cfg = { .log_level = -1 };
	json_t *out = NULL;

	(void)env;
	if (path == NULL)
		return NULL;
	if (config_check_file(path, &cfg, err, errlen) == 0)
		out = json_pack("{s:s, s:I, s:I, s:I}", "file", path, "targets",
				(json_int_t)cfg.ntargets, "luns", (json_int_t)count_luns(&cfg),
				"portals", (json_int_t)cfg.nportals);
	config_free(&cfg);
	return out;
}
