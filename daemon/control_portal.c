/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The control socket's portal commands: "portal list", and the live
 * changes "portal add" {"portal": "HOST:PORT", "tpgt": N (optional, 1)}
 * and "portal remove" {"portal"}, which change the running server
 * (include/ctgt/admin.h) and then the configuration it was built from,
 * so that `save` writes the portals it listens on. HOST:PORT is read as
 * --portal reads it ("[::1]:3260", a missing port is 3260).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ctgt/admin.h"
#include "daemon/config.h"
#include "daemon/config_internal.h"
#include "daemon/control_cmds.h"
#include "daemon/notify.h"

/* {"portal": "HOST:PORT", "host", "port", "tpgt"}. */
static json_t *portal_json(const char *host, unsigned port, unsigned tpgt)
{
	char addr[96];

	return json_pack("{s:s, s:s, s:i, s:i}", "portal", config_portal_text(addr, sizeof(addr), host, port),
			 "host", host, "port", (int)port, "tpgt", (int)tpgt);
}

/* "portal list": the portals listening now, in the order added. */
json_t *cmd_portal_list(const struct control_env *env, json_t *args, char *err, size_t errlen)
{
	struct ctgt_portal_info *p = NULL;
	size_t n = 0;
	json_t *out = NULL;
	int rc = ctgt_server_portals(env->srv, &p, &n);

	(void)args;
	if (rc < 0)
		snprintf(err, errlen, "cannot list portals: %s", strerror(-rc));
	else if ((out = json_array()) != NULL)
		for (size_t k = 0; k < n; k++)
			json_array_append_new(out, portal_json(p[k].host, p[k].port, p[k].tpgt));
	free(p);
	return out;
}

/* The "portal" argument of @args parsed: 0, or -1 with why in @err. */
static int portal_arg(json_t *args, char **host, uint16_t *port, char *err, size_t errlen)
{
	const char *text = json_string_value(json_object_get(args, "portal"));
	const char *why;

	if (text == NULL) {
		snprintf(err, errlen, "\"portal\" (a string, HOST:PORT) is needed");
		return -1;
	}
	if ((why = portal_parse(text, host, port)) != NULL) {
		snprintf(err, errlen, "portal %s: %s", text, why);
		return -1;
	}
	return 0;
}

/* "portal add" {portal, tpgt}: the new portal, with the port bound. */
json_t *cmd_portal_add(const struct control_env *env, json_t *args, char *err, size_t errlen)
{
	struct ctgt_config *cfg = env->cfg;
	json_t *t = json_object_get(args, "tpgt");
	struct ctgt_portal_cfg *portals;
	uint16_t port, tpgt = DEFAULT_TPGT;
	char *host;
	int bound;

	if (t != NULL && (!json_is_integer(t) || json_integer_value(t) < 1 ||
			  json_integer_value(t) > 65535)) {
		snprintf(err, errlen, "\"tpgt\" must be an integer, 1 to 65535");
		return NULL;
	}
	if (t != NULL)
		tpgt = (uint16_t)json_integer_value(t);
	if (portal_arg(args, &host, &port, err, errlen) < 0)
		return NULL;
	/* Room first: once the server listens, the configuration must say so. */
	portals = realloc(cfg->portals, (cfg->nportals + 1) * sizeof(*portals));
	if (portals == NULL) {
		free(host);
		return NULL;
	}
	cfg->portals = portals;
	bound = ctgt_server_portal_add(env->srv, host, port, tpgt, err, errlen);
	if (bound < 0) {
		free(host);
		return NULL;
	}
	/* The bound port, so that `save` writes the port it listens on
	 * (port 0 would be another one at the next start). */
	cfg->portals[cfg->nportals++] = (struct ctgt_portal_cfg){ host, (uint16_t)bound, tpgt };
	notify_status(cfg->ntargets, cfg->nportals);
	return portal_json(host, (unsigned)bound, tpgt);
}

/* The configured portal the server listens on at @host, @port: the one
 * configured so, else one configured with port 0 (the kernel picked
 * @port for it at start-up; port-0 portals on one host are alike). */
static long cfg_portal_index(const struct ctgt_config *cfg, const char *host, uint16_t port)
{
	long any = -1;

	for (size_t k = 0; k < cfg->nportals; k++) {
		if (strcmp(cfg->portals[k].host, host) != 0)
			continue;
		if (cfg->portals[k].port == port)
			return (long)k;
		if (cfg->portals[k].port == 0 && any < 0)
			any = (long)k;
	}
	return any;
}

/* "portal remove" {portal}: {"portal", "host", "port"} once it no longer
 * listens (its connections carry on). */
json_t *cmd_portal_remove(const struct control_env *env, json_t *args, char *err,
			  size_t errlen)
{
	struct ctgt_config *cfg = env->cfg;
	char addr[96];
	uint16_t port;
	char *host;
	json_t *out;
	long k;

	if (portal_arg(args, &host, &port, err, errlen) < 0)
		return NULL;
	if (ctgt_server_portal_remove(env->srv, host, port, err, errlen) < 0) {
		free(host);
		return NULL;
	}
	if ((k = cfg_portal_index(cfg, host, port)) >= 0) {
		free(cfg->portals[k].host);
		memmove(&cfg->portals[k], &cfg->portals[k + 1],
			(cfg->nportals - (size_t)k - 1) * sizeof(cfg->portals[0]));
		cfg->nportals--;
	}
	notify_status(cfg->ntargets, cfg->nportals);
	out = json_pack("{s:s, s:s, s:i}", "portal", config_portal_text(addr, sizeof(addr), host, port),
			"host", host, "port", (int)port);
	free(host);
	return out;
}
