/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The control socket's commands (daemon/control.h): one JSON request,
 * {"version": 1, "command": "session list", "args": {...}}, answered by
 * {"version": 1, "ok": true, "result": ...} or {"version": 1, "ok": false,
 * "error": "why"}. Requests come from admitted peers only, but are still
 * checked as input: types, the version, known commands and arguments.
 */
#include "daemon/control.h"
#include "daemon/control_cmds.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <jansson.h>

#include "ctgt/admin.h"
#include "daemon/config.h"
#include "daemon/lu_options.h"


static json_t *cmd_version(const struct control_env *env, json_t *args, char *err,
			   size_t errlen)
{
	(void)env;
	(void)args;
	(void)err;
	(void)errlen;
	return json_pack("{s:i, s:s}", "protocol", CONTROL_VERSION, "server", "ctgt");
}

/* Sessions per target name, from a snapshot. */
static json_int_t count_sessions(const struct ctgt_sessions *snap, const char *target)
{
	json_int_t n = 0;

	for (size_t k = 0; k < snap->nsessions; k++)
		n += strcasecmp(snap->sessions[k].target, target) == 0;	/* as logins */
	return n;
}

static json_t *target_json(const struct ctgt_target_info *t, const struct ctgt_sessions *snap)
{
	json_t *luns = json_array();

	for (size_t k = 0; luns && k < t->nluns; k++)
		json_array_append_new(luns, json_integer((json_int_t)t->luns[k]));
	return json_pack("{s:s, s:i, s:o, s:I}", "name", t->name, "thread", (int)t->thread,
			 "luns", luns, "sessions", count_sessions(snap, t->name));
}

static json_t *cmd_target_list(const struct control_env *env, json_t *args, char *err,
			       size_t errlen)
{
	struct ctgt_server *srv = env->srv;
	struct ctgt_sessions snap;
	struct ctgt_target_info *t = NULL;
	size_t n = 0;
	json_t *out = NULL;
	int rc;

	(void)args;
	rc = ctgt_server_sessions(srv, &snap);
	if (rc == 0)
		rc = ctgt_server_targets(srv, &t, &n);
	if (rc == 0 && (out = json_array()) != NULL)
		for (size_t k = 0; k < n; k++)
			json_array_append_new(out, target_json(&t[k], &snap));
	if (rc < 0)
		snprintf(err, errlen, "cannot list targets: %s", strerror(-rc));
	free(t);
	ctgt_sessions_free(&snap);
	return out;
}

static json_t *conn_json(const struct ctgt_conn_info *c)
{
	return json_pack("{s:i, s:s, s:s, s:b, s:b, s:b}", "cid", (int)c->cid, "peer", c->peer,
			 "local", c->local, "header_digest", c->header_digest, "data_digest",
			 c->data_digest, "logged_in", c->logged_in);
}

static json_t *session_json(const struct ctgt_session_info *s, const struct ctgt_sessions *snap)
{
	json_t *conns = json_array();

	for (size_t k = 0; conns && k < s->nconns; k++)
		json_array_append_new(conns, conn_json(&snap->conns[s->conn0 + k]));
	return json_pack("{s:i, s:s, s:s, s:s, s:b, s:i, s:o, s:{s:I, s:I, s:I, s:I, s:b, s:b},"
			 " s:I, s:I}",
			 "tsih", (int)s->tsih, "isid", s->isid, "initiator", s->initiator,
			 "target", s->target, "discovery", s->discovery, "thread", (int)s->thread,
			 "connections", conns, "negotiated",
			 "max_recv_data_segment_length", (json_int_t)s->max_recv_data_segment_length,
			 "max_xmit_data_segment_length", (json_int_t)s->max_xmit_data_segment_length,
			 "max_burst_length", (json_int_t)s->max_burst_length,
			 "first_burst_length", (json_int_t)s->first_burst_length,
			 "immediate_data", s->immediate_data, "initial_r2t", s->initial_r2t,
			 "commands", (json_int_t)s->commands, "in_flight", (json_int_t)s->in_flight);
}

static json_t *cmd_session_list(const struct control_env *env, json_t *args, char *err,
				size_t errlen)
{
	struct ctgt_server *srv = env->srv;
	struct ctgt_sessions snap;
	json_t *out = NULL;
	int rc = ctgt_server_sessions(srv, &snap);

	(void)args;
	if (rc < 0)
		snprintf(err, errlen, "cannot list sessions: %s", strerror(-rc));
	else if ((out = json_array()) != NULL)
		for (size_t k = 0; k < snap.nsessions; k++)
			json_array_append_new(out, session_json(&snap.sessions[k], &snap));
	ctgt_sessions_free(&snap);
	return out;
}

static json_t *hist_json(const uint64_t *h)
{
	json_t *a = json_array();

	for (int k = 0; a && k < CTGT_LAT_BUCKETS; k++)
		json_array_append_new(a, json_integer((json_int_t)h[k]));
	return a;
}

static json_t *lu_stats_json(const char *target, const struct ctgt_lu_stats *st)
{
	return json_pack("{s:s, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:o, s:o}",
			 "target", target, "lun", (json_int_t)st->lun, "blocks",
			 (json_int_t)st->blocks, "reads", (json_int_t)st->reads, "writes",
			 (json_int_t)st->writes, "others", (json_int_t)st->others, "read_bytes",
			 (json_int_t)st->read_bytes, "write_bytes", (json_int_t)st->write_bytes,
			 "errors", (json_int_t)st->errors, "aborted", (json_int_t)st->aborted,
			 "read_us", (json_int_t)st->read_us, "write_us", (json_int_t)st->write_us,
			 "read_hist", hist_json(st->read_hist), "write_hist",
			 hist_json(st->write_hist));
}

/* Append target @name's LUs to @out; 0 or a negative errno. */
static int target_stats(struct ctgt_server *srv, const char *name, json_t *out)
{
	struct ctgt_lu_stats *st;
	size_t n;
	int rc = ctgt_server_lu_stats(srv, name, &st, &n);

	for (size_t k = 0; rc == 0 && k < n; k++)
		json_array_append_new(out, lu_stats_json(name, &st[k]));
	free(st);
	return rc;
}

/* "lun stats", args {"target": IQN} (optional: every target). */
static json_t *cmd_lun_stats(const struct control_env *env, json_t *args, char *err,
			     size_t errlen)
{
	struct ctgt_server *srv = env->srv;
	json_t *t = json_object_get(args, "target"), *out;
	struct ctgt_target_info *ti = NULL;
	size_t n = 0;
	int rc = 0;

	if (t != NULL && !json_is_string(t)) {
		snprintf(err, errlen, "\"target\" must be a string");
		return NULL;
	}
	if ((out = json_array()) == NULL)
		return NULL;
	if (t != NULL)
		rc = target_stats(srv, json_string_value(t), out);
	else if ((rc = ctgt_server_targets(srv, &ti, &n)) == 0)
		for (size_t k = 0; rc == 0 && k < n; k++)
			rc = target_stats(srv, ti[k].name, out);
	free(ti);
	if (rc < 0) {
		snprintf(err, errlen, rc == -ENOENT ? "no such target" : "cannot read the counters: %s",
			 strerror(-rc));
		json_decref(out);
		return NULL;
	}
	return out;
}

/* "session logout" {tsih}: {"tsih", "wait_s"}: asked, not yet done. */
static json_t *cmd_session_logout(const struct control_env *env, json_t *args, char *err,
				  size_t errlen)
{
	json_t *v = json_object_get(args, "tsih");
	unsigned wait_s = 0;
	int rc;

	if (!json_is_integer(v) || json_integer_value(v) < 1 || json_integer_value(v) > 0xffff) {
		snprintf(err, errlen, "\"tsih\" (an integer, 1 to 65535) is needed");
		return NULL;
	}
	rc = ctgt_server_session_logout(env->srv, (uint16_t)json_integer_value(v), &wait_s);
	if (rc < 0) {
		snprintf(err, errlen, rc == -ENOENT ? "no such session (see session list)"
						    : "cannot ask it: %s", strerror(-rc));
		return NULL;
	}
	return json_pack("{s:I, s:i}", "tsih", json_integer_value(v), "wait_s", (int)wait_s);
}

static const struct {
	const char *name;
	cmd_fn fn;
} commands[] = {
	{ "lun add", cmd_lun_add },
	{ "lun list", cmd_lun_list },
	{ "lun remove", cmd_lun_remove },
	{ "lun resize", cmd_lun_resize },
	{ "lun set", cmd_lun_set },
	{ "lun stats", cmd_lun_stats },
	{ "version", cmd_version },
	{ "target list", cmd_target_list },
	{ "target add", cmd_target_add },
	{ "target remove", cmd_target_remove },
	{ "acl list", cmd_acl_list },
	{ "acl add", cmd_acl_add },
	{ "acl remove", cmd_acl_remove },
	{ "chap set", cmd_chap_set },
	{ "portal list", cmd_portal_list },
	{ "portal add", cmd_portal_add },
	{ "portal remove", cmd_portal_remove },
	{ "session list", cmd_session_list },
	{ "session logout", cmd_session_logout },
	{ "save", cmd_save },
	{ "check-config", cmd_check_config },
	{ "reload", cmd_reload },
};

static cmd_fn find_command(const char *name)
{
	for (size_t k = 0; k < sizeof(commands) / sizeof(commands[0]); k++)
		if (strcmp(commands[k].name, name) == 0)
			return commands[k].fn;
	return NULL;
}

/* The command of request @req, or NULL with why in @err. */
static cmd_fn check_request(json_t *req, char *err, size_t errlen)
{
	json_t *v = json_object_get(req, "version"), *c = json_object_get(req, "command");
	json_t *a = json_object_get(req, "args");
	cmd_fn fn;

	if (!json_is_object(req))
		snprintf(err, errlen, "a request is a JSON object");
	else if (!json_is_integer(v) || json_integer_value(v) != CONTROL_VERSION)
		snprintf(err, errlen, "unsupported protocol version (this daemon speaks %d)",
			 CONTROL_VERSION);
	else if (!json_is_string(c))
		snprintf(err, errlen, "\"command\" must be a string");
	else if (a != NULL && !json_is_object(a))
		snprintf(err, errlen, "\"args\" must be an object");
	else if ((fn = find_command(json_string_value(c))) == NULL)
		snprintf(err, errlen, "unknown command");
	else
		return fn;
	return NULL;
}

/* @err made printable ASCII in place: an error may quote the request
 * (jansson's "invalid token near '...'"), whose bytes need not be UTF-8,
 * and json_pack() refuses a string that is not (the reply would be lost). */
static const char *printable(char *err)
{
	for (char *p = err; *p; p++)
		if ((unsigned char)*p < 0x20 || (unsigned char)*p >= 0x7f)
			*p = '?';
	return err;
}

static char *reply(json_t *result, char *err)
{
	json_t *r = result ? json_pack("{s:i, s:b, s:o}", "version", CONTROL_VERSION, "ok", 1,
				       "result", result)
			   : json_pack("{s:i, s:b, s:s}", "version", CONTROL_VERSION, "ok", 0,
				       "error", err[0] ? printable(err) : "out of memory");
	char *text = r ? json_dumps(r, JSON_COMPACT | JSON_ENSURE_ASCII) : NULL;

	json_decref(r);
	return text;
}

char *control_handle(const struct control_env *env, const char *req, size_t len)
{
	char err[256] = "";
	json_error_t jerr;
	json_t *j = json_loadb(req, len, JSON_REJECT_DUPLICATES, &jerr);
	json_t *result = NULL;
	cmd_fn fn;
	char *text;

	if (j == NULL)
		snprintf(err, sizeof(err), "not JSON: %s", jerr.text);
	else if ((fn = check_request(j, err, sizeof(err))) != NULL)
		result = fn(env, json_object_get(j, "args"), err, sizeof(err));
	text = reply(result, err);
	json_decref(j);
	return text;
}
