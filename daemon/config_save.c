/* SPDX-License-Identifier: Apache-2.0 */
/*
 * config.json out of a struct ctgt_config (config_save.h): the inverse of
 * config_json.c, key for key, so that loading what this writes gives the
 * same configuration. Every value at its default is left out, as a person
 * would write the file; the LU keys are lu_options.c's (lu_to_json()), a
 * target's settings and the discovery credentials target_options.c's.
 */
#include "daemon/config_save.h"
#include "daemon/config_internal.h"
#include "daemon/lu_options.h"
#include "daemon/target_options.h"

#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "util/log.h"

/* Set @key of @obj to @v (taken over, NULL: out of memory); false when
 * it could not be. jansson drops @v itself when it fails. */
static bool put(json_t *obj, const char *key, json_t *v)
{
	return v != NULL && json_object_set_new(obj, key, v) == 0;
}

static bool append(json_t *arr, json_t *v)
{
	return v != NULL && json_array_append_new(arr, v) == 0;
}

/* {"user", "secret"}, or true (nothing to write) when @c has none. */
static bool put_chap(json_t *obj, const char *key, const struct ctgt_chap_cfg *c)
{
	if (c->user == NULL)
		return true;
	return put(obj, key, json_pack("{s:s, s:s}", "user", c->user, "secret", c->secret));
}

/* "HOST:PORT", "[V6]:PORT": what portal_parse() reads back. */
static json_t *portal_text(const struct ctgt_portal_cfg *p)
{
	char buf[128];

	snprintf(buf, sizeof(buf), strchr(p->host, ':') ? "[%s]:%u" : "%s:%u", p->host, p->port);
	return json_string(buf);
}

/* One storage per LU, deviceID 1, 2, ... in the order of the targets and
 * their LUs (the order luns_json() numbers them in again). */
static json_t *storage_json(const struct ctgt_lun_cfg *lun, json_int_t id)
{
	/* The ID first, as gotgt's files have it. */
	json_t *st = json_pack("{s:I}", "deviceID", id), *lu = lu_to_json(lun);
	bool ok = st != NULL && lu != NULL && json_object_update(st, lu) == 0;

	json_decref(lu);
	if (!ok)
		json_decref(st);
	return ok ? st : NULL;
}

static json_t *storages_json(const struct ctgt_config *cfg)
{
	json_t *arr = json_array();
	json_int_t id = 0;

	for (size_t t = 0; arr && t < cfg->ntargets; t++) {
		for (size_t l = 0; l < cfg->targets[t].nluns; l++) {
			if (!append(arr, storage_json(&cfg->targets[t].luns[l], ++id))) {
				json_decref(arr);
				return NULL;
			}
		}
	}
	return arr;
}

static json_t *portals_json(const struct ctgt_config *cfg)
{
	json_t *arr = json_array();

	for (size_t i = 0; arr && i < cfg->nportals; i++) {
		if (!append(arr, json_pack("{s:I, s:o}", "id", (json_int_t)i, "portal",
					   portal_text(&cfg->portals[i])))) {
			json_decref(arr);
			return NULL;
		}
	}
	return arr;
}

/* "tpgts": every portal, by its tag: a listener serves one tag for every
 * target, so each target names them all. */
static json_t *tpgts_json(const struct ctgt_config *cfg)
{
	json_t *obj = json_object();
	char tag[8];

	for (size_t i = 0; obj && i < cfg->nportals; i++) {
		json_t *ids;

		snprintf(tag, sizeof(tag), "%u", cfg->portals[i].tpgt);
		ids = json_object_get(obj, tag);
		if (ids == NULL && !put(obj, tag, ids = json_array()))
			ids = NULL;
		if (ids == NULL || !append(ids, json_integer((json_int_t)i))) {
			json_decref(obj);
			return NULL;
		}
	}
	return obj;
}

/* "luns": {"N": deviceID}, the IDs storages_json() gave, from *@id on. */
static json_t *luns_json(const struct ctgt_target_cfg *t, json_int_t *id)
{
	json_t *obj = json_object();
	char n[24];

	for (size_t l = 0; obj && l < t->nluns; l++) {
		snprintf(n, sizeof(n), "%llu", (unsigned long long)t->luns[l].params.lun);
		if (!put(obj, n, json_integer(++*id))) {
			json_decref(obj);
			return NULL;
		}
	}
	return obj;
}

static json_t *rules_json(char *const *rules, size_t n)
{
	json_t *arr = json_array();

	for (size_t i = 0; arr && i < n; i++) {
		if (!append(arr, json_string(rules[i]))) {
			json_decref(arr);
			return NULL;
		}
	}
	return arr;
}

/* One {"lun", "targetLun", "readonly"} of an initiator's "luns"; the
 * defaults (targetLun = lun, not read-only) left out. */
static json_t *map_entry_json(const struct ctgt_lun_map_cfg *m)
{
	json_t *e = json_pack("{s:I}", "lun", (json_int_t)m->lun);
	bool ok = e != NULL;

	if (ok && m->target_lun != m->lun)
		ok = put(e, "targetLun", json_integer((json_int_t)m->target_lun));
	if (ok && m->readonly)
		ok = put(e, "readonly", json_true());
	if (!ok)
		json_decref(e);
	return ok ? e : NULL;
}

/* {"chap", "luns"} of one initiator; "luns" whenever it has a mapping,
 * even an empty one (it then sees no LU). */
static json_t *initiator_json(const struct ctgt_initiator_cfg *ic)
{
	json_t *obj = json_object(), *luns = NULL;
	bool ok = obj != NULL && put_chap(obj, "chap", &ic->chap);

	if (ok && ic->map_luns)
		ok = put(obj, "luns", luns = json_array());
	for (size_t i = 0; ok && ic->map_luns && i < ic->nluns; i++)
		ok = append(luns, map_entry_json(&ic->luns[i]));
	if (!ok)
		json_decref(obj);
	return ok ? obj : NULL;
}

static json_t *initiators_json(const struct ctgt_initiator_cfg *ics, size_t n)
{
	json_t *obj = json_object();

	for (size_t i = 0; obj && i < n; i++) {
		if (!put(obj, ics[i].name, initiator_json(&ics[i]))) {
			json_decref(obj);
			return NULL;
		}
	}
	return obj;
}

/* Setting @o (target_options[] or discovery_options[]) of @base as its
 * key of @obj, when @base has it. */
static bool put_setting(json_t *obj, const struct target_opt *o, const void *base)
{
	const void *f = topt_cfield(o, base);
	size_t n = topt_n(o, base);

	if (!topt_is_set(o, base))
		return true;
	switch (o->kind) {
	case TOPT_BOOL:
		return put(obj, o->key, json_true());
	case TOPT_CHAP:
		return put_chap(obj, o->key, f);
	case TOPT_RULES:
		return put(obj, o->key, rules_json(*(char *const *const *)f, n));
	case TOPT_INITIATORS:
		return put(obj, o->key,
			   initiators_json(*(const struct ctgt_initiator_cfg *const *)f, n));
	}
	return false;
}

/* Every setting of @tab that @base has. */
static bool put_settings_of(json_t *obj, const struct target_opt *tab, const void *base)
{
	bool ok = true;

	for (; ok && tab->key != NULL; tab++)
		ok = put_setting(obj, tab, base);
	return ok;
}

static json_t *target_json(const struct ctgt_config *cfg, const struct ctgt_target_cfg *t,
			   json_int_t *id)
{
	json_t *obj = json_object();
	bool ok = obj != NULL && put(obj, "tpgts", tpgts_json(cfg)) &&
		  put(obj, "luns", luns_json(t, id)) && put_settings_of(obj, target_options, t);

	if (!ok)
		json_decref(obj);
	return ok ? obj : NULL;
}

static json_t *targets_json(const struct ctgt_config *cfg)
{
	json_t *obj = json_object();
	json_int_t id = 0;

	for (size_t t = 0; obj && t < cfg->ntargets; t++) {
		if (!put(obj, cfg->targets[t].name, target_json(cfg, &cfg->targets[t], &id))) {
			json_decref(obj);
			return NULL;
		}
	}
	return obj;
}

/* The top-level settings config_json.c reads, those not at their default. */
static bool put_settings(json_t *root, const struct ctgt_config *cfg)
{
	bool ok = true;

	if (cfg->state_dir != NULL)
		ok = put(root, "stateDir", json_string(cfg->state_dir));
	if (ok && cfg->metrics_host != NULL) {
		char addr[96];

		snprintf(addr, sizeof(addr), strchr(cfg->metrics_host, ':') ? "[%s]:%u" : "%s:%u",
			 cfg->metrics_host, (unsigned)cfg->metrics_port);
		ok = put(root, "metrics", json_string(addr));
	}
	if (ok && cfg->max_connections > 0)
		ok = put(root, "maxConnections", json_integer(cfg->max_connections));
	if (ok && cfg->threads > 0)
		ok = put(root, "threads", json_integer(cfg->threads));
	if (ok && cfg->session_threads != 0)
		ok = put(root, "sessionThreads",
			 json_string(cfg->session_threads == CONFIG_SESSIONS_TARGET ? "target"
										    : "spread"));
	/* Given, and not the default: a daemon without the key does the same. */
	if (ok && cfg->log_level >= 0 && cfg->log_level != LOG_LVL_INFO)
		ok = put(root, "logLevel", json_string(log_level_name((enum log_level)cfg->log_level)));
	if (ok && cfg->nop_interval >= 0 && cfg->nop_interval != CONFIG_NOP_INTERVAL_DEFAULT)
		ok = put(root, "nopInterval", json_integer(cfg->nop_interval));
	if (ok && cfg->pr_max_regs != 0 && cfg->pr_max_regs != CONFIG_PR_MAX_REGS_DEFAULT)
		ok = put(root, "prMaxRegistrations", json_integer((json_int_t)cfg->pr_max_regs));
	for (size_t i = 0; ok && i < config_nlimits; i++) {
		unsigned v = limit_get(&cfg->limits, &config_limits[i]);

		if (v != 0)
			ok = put(root, config_limits[i].key, json_integer((json_int_t)v));
	}
	return ok && put_settings_of(root, discovery_options, cfg);
}

json_t *config_to_json(const struct ctgt_config *cfg)
{
	json_t *root = json_object();
	bool ok = root != NULL && put(root, "storages", storages_json(cfg)) &&
		  put(root, "iscsiportals", portals_json(cfg)) &&
		  put(root, "iscsitargets", targets_json(cfg)) && put_settings(root, cfg);

	if (!ok)
		json_decref(root);
	return ok ? root : NULL;
}

/* ---- writing it --------------------------------------------------------- */

static int write_all(int fd, const char *buf, size_t len)
{
	while (len > 0) {
		ssize_t n = write(fd, buf, len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -1;
		buf += n;
		len -= (size_t)n;
	}
	return 0;
}

/* @path's directory into @dir ("." when it has none). */
static void dir_of(const char *path, char *dir, size_t len)
{
	const char *slash = strrchr(path, '/');

	if (slash == NULL)
		snprintf(dir, len, ".");
	else if (slash == path)
		snprintf(dir, len, "/");
	else
		snprintf(dir, len, "%.*s", (int)(slash - path), path);
}

/* Make the rename durable: a crash after it must not bring the old file
 * back. 0 or -1 (errno). */
static int sync_dir(const char *dir)
{
	int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC), rc;

	if (fd < 0)
		return -1;
	rc = fsync(fd);
	if (rc < 0) {
		int e = errno;

		close(fd);
		errno = e;
		return -1;
	}
	return close(fd);
}

/* @text and a newline into a new temporary file next to @path, then over
 * it. 0, or -1 with @err (the temporary removed). */
static int replace_file(const char *path, const char *text, char *err, size_t errlen)
{
	char tmp[4096], dir[4096];
	const char *step = NULL;
	int fd, e;

	dir_of(path, dir, sizeof(dir));
	if (snprintf(tmp, sizeof(tmp), "%s.tmp.XXXXXX", path) >= (int)sizeof(tmp)) {
		set_err(err, errlen, "%s: path too long", path);
		return -1;
	}
	/* mkostemp creates it 0600; fchmod in case the umask took more. */
	fd = mkostemp(tmp, O_CLOEXEC);
	if (fd < 0) {
		set_err(err, errlen, "%s: cannot create a temporary file in %s: %s (the file is "
			"unchanged)", path, dir, strerror(errno));
		return -1;
	}
	if (fchmod(fd, 0600) < 0)
		step = "set the mode of the temporary file";
	else if (write_all(fd, text, strlen(text)) < 0 || write_all(fd, "\n", 1) < 0)
		step = "write";
	else if (fsync(fd) < 0)
		step = "fsync";
	e = errno;
	if (close(fd) < 0 && step == NULL)
		step = "close", e = errno;
	if (step == NULL && rename(tmp, path) < 0)
		step = "rename the temporary file over it", e = errno;
	if (step != NULL) {
		unlink(tmp);
		set_err(err, errlen, "%s: cannot %s: %s (the file is unchanged)", path, step,
			strerror(e));
		return -1;
	}
	if (sync_dir(dir) < 0) {
		set_err(err, errlen, "%s: written, but the fsync of %s failed: %s", path, dir,
			strerror(errno));
		return -1;
	}
	return 0;
}

int config_save(const struct ctgt_config *cfg, const char *path, char *err, size_t errlen)
{
	json_t *j = config_to_json(cfg);
	char *text = j ? json_dumps(j, JSON_INDENT(2) | JSON_ENSURE_ASCII) : NULL;
	int rc = -1;

	json_decref(j);
	if (text == NULL)
		set_err(err, errlen, "%s: out of memory", path);
	else
		rc = replace_file(path, text, err, errlen);
	/* It holds the CHAP secrets. */
	if (text != NULL)
		explicit_bzero(text, strlen(text));
	free(text);
	return rc;
}
