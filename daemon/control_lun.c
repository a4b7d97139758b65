/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The control socket's LU commands: "lun list" (the LUs as configured,
 * and their size now), and the live changes "lun add", "lun remove" and
 * "lun resize", which change the running server (include/ctgt/admin.h)
 * and then the configuration it was built from, so that both stay equal.
 * Arguments: "target" (IQN, as at login, any case), "lun" (0..255),
 * "spec" ("PATH[,OPTION]...", as --lun takes after "N="), "size" (bytes,
 * or "10G" as --lun's size=; none: the store's size now).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "ctgt/admin.h"
#include "daemon/config.h"
#include "daemon/control_cmds.h"
#include "daemon/lu_options.h"
#include "daemon/luns.h"

static struct ctgt_target_cfg *find_target_cfg(struct ctgt_config *cfg,
						    const char *name)
{
	for (size_t k = 0; k < cfg->ntargets; k++)
		if (strcasecmp(cfg->targets[k].name, name) == 0)	/* as logins */
			return &cfg->targets[k];
	return NULL;
}

/* The SANITIZE/FORMAT job and the EXTENDED COPY commands of @st, or null. */
static json_t *work_json(const struct ctgt_lu_stats *st)
{
	json_t *job = NULL, *copies = NULL;

	if (st == NULL)
		return json_pack("{s:n, s:n}", "job", "copies");
	if (st->job != NULL)
		job = json_pack("{s:s, s:b, s:f}", "kind", st->job, "failed", st->job_failed,
				"done", st->job_done);
	if (st->copies > 0)
		copies = json_pack("{s:I, s:I, s:I, s:I}", "running", (json_int_t)st->copies,
				   "segments_done", (json_int_t)st->copy_segments_done,
				   "segments", (json_int_t)st->copy_segments, "bytes",
				   (json_int_t)st->copy_bytes);
	return json_pack("{s:o, s:o}", "job", job ? job : json_null(), "copies",
			 copies ? copies : json_null());
}

/* One configured LU, with its capacity and work in progress from the
 * running LU's @st. */
static json_t *lun_json(const struct ctgt_lun_cfg *lc, const struct ctgt_lu_stats *st)
{
	char flag[1024];
	json_t *spec = lu_to_json(lc);
	int n = lu_format_flag(lc, flag, sizeof(flag));
	uint32_t bsz = lc->params.block_size ? lc->params.block_size : 512;
	json_t *out = json_pack("{s:I, s:o, s:s?, s:I, s:I}", "lun", (json_int_t)lc->params.lun,
				"config", spec ? spec : json_null(), "flag", n < 0 ? NULL : flag,
				"block_size", (json_int_t)bsz, "blocks",
				(json_int_t)(st ? st->blocks : 0));

	if (out != NULL)
		json_object_update_new(out, work_json(st));
	return out;
}

static const struct ctgt_lu_stats *find_stats(const struct ctgt_lu_stats *st, size_t n,
					      uint64_t lun)
{
	for (size_t k = 0; k < n; k++)
		if (st[k].lun == lun)
			return &st[k];
	return NULL;
}

/* "lun list", args {"target": IQN}: the LUs as configured, and their size. */
json_t *cmd_lun_list(const struct control_env *env, json_t *args, char *err,
			    size_t errlen)
{
	const char *name = json_string_value(json_object_get(args, "target"));
	const struct ctgt_target_cfg *tc = name ? find_target_cfg(env->cfg, name) : NULL;
	struct ctgt_lu_stats *st = NULL;
	size_t n = 0;
	json_t *out;
	int rc;

	if (name == NULL || tc == NULL) {
		snprintf(err, errlen, name ? "no such target" : "\"target\" (a string) is needed");
		return NULL;
	}
	if ((rc = ctgt_server_lu_stats(env->srv, name, &st, &n)) < 0) {
		snprintf(err, errlen, "cannot read the LUs: %s", strerror(-rc));
		return NULL;
	}
	if ((out = json_array()) != NULL)
		for (size_t k = 0; k < tc->nluns; k++)
			json_array_append_new(out, lun_json(&tc->luns[k],
				find_stats(st, n, tc->luns[k].params.lun)));
	free(st);
	return out;
}

/* The target of args "target", or NULL with why in @err. */
static struct ctgt_target_cfg *arg_target(const struct control_env *env, json_t *args,
					  char *err, size_t errlen)
{
	const char *name = json_string_value(json_object_get(args, "target"));
	struct ctgt_target_cfg *tc = name ? find_target_cfg(env->cfg, name) : NULL;

	if (tc == NULL)
		snprintf(err, errlen, name ? "no such target" : "\"target\" (a string) is needed");
	return tc;
}

/* Args "lun": 0 or -1 with why in @err. */
static int arg_lun(json_t *args, uint64_t *lun, char *err, size_t errlen)
{
	json_t *v = json_object_get(args, "lun");

	if (!json_is_integer(v) || json_integer_value(v) < 0 ||
	    json_integer_value(v) >= CTGT_MAX_LUNS) {
		snprintf(err, errlen, "\"lun\" (an integer, 0 to %d) is needed", CTGT_MAX_LUNS - 1);
		return -1;
	}
	*lun = (uint64_t)json_integer_value(v);
	return 0;
}

/* The configured LU @lun of @tc, or NULL. */
static struct ctgt_lun_cfg *find_lun(struct ctgt_target_cfg *tc, uint64_t lun)
{
	for (size_t k = 0; k < tc->nluns; k++)
		if (tc->luns[k].params.lun == lun)
			return &tc->luns[k];
	return NULL;
}

/* @lc as "lun list" shows it, with its size now. */
static json_t *lun_now(const struct control_env *env, const struct ctgt_target_cfg *tc,
		       const struct ctgt_lun_cfg *lc)
{
	struct ctgt_lu_stats *st = NULL;
	size_t n = 0;
	json_t *out;

	if (ctgt_server_lu_stats(env->srv, tc->name, &st, &n) < 0)
		n = 0;
	out = lun_json(lc, find_stats(st, n, lc->params.lun));
	free(st);
	return out;
}

/* "lun add" {target, lun, spec}: the new LU as "lun list" shows it. */
json_t *cmd_lun_add(const struct control_env *env, json_t *args, char *err, size_t errlen)
{
	struct ctgt_target_cfg *tc = arg_target(env, args, err, errlen);
	const char *spec = json_string_value(json_object_get(args, "spec"));
	struct ctgt_lun_cfg lc = { 0 }, *luns;
	char flag[4096], why[CONFIG_ERR_LEN];
	uint64_t lun;
	int rc;

	if (tc == NULL || arg_lun(args, &lun, err, errlen) < 0)
		return NULL;
	if (spec == NULL || snprintf(flag, sizeof(flag), "%llu=%s", (unsigned long long)lun,
				     spec) >= (int)sizeof(flag)) {
		snprintf(err, errlen, "\"spec\" (PATH[,OPTION]..., as --lun takes it) is needed");
		return NULL;
	}
	if (find_lun(tc, lun) != NULL) {
		snprintf(err, errlen, "target %s has a LUN %llu already", tc->name,
			 (unsigned long long)lun);
		return NULL;
	}
	if (lu_parse_flag(flag, &lc, why, sizeof(why)) < 0) {
		snprintf(err, errlen, "%s: %s", flag, why);
		return NULL;
	}
	/* Room first: once the server has the LU, the configuration must. */
	luns = realloc(tc->luns, (tc->nluns + 1) * sizeof(*luns));
	if (luns == NULL) {
		free(lc.path);
		return NULL;
	}
	tc->luns = luns;
	rc = daemon_add_lun(env->srv, tc->name, &lc, env->cfg, true, err, errlen);
	if (rc < 0) {
		free(lc.path);
		return NULL;
	}
	tc->luns[tc->nluns++] = lc;
	return lun_now(env, tc, &tc->luns[tc->nluns - 1]);
}

/* "lun remove" {target, lun}: {"lun": N}. */
json_t *cmd_lun_remove(const struct control_env *env, json_t *args, char *err, size_t errlen)
{
	struct ctgt_target_cfg *tc = arg_target(env, args, err, errlen);
	struct ctgt_lun_cfg *lc;
	uint64_t lun;
	int rc;

	if (tc == NULL || arg_lun(args, &lun, err, errlen) < 0)
		return NULL;
	if ((lc = find_lun(tc, lun)) == NULL) {
		snprintf(err, errlen, "target %s has no LUN %llu", tc->name,
			 (unsigned long long)lun);
		return NULL;
	}
	rc = ctgt_server_lun_remove(env->srv, tc->name, lun, err, errlen);
	if (rc < 0 && rc != -ETIMEDOUT)
		return NULL;
	/* Gone from the target, even when its store is still busy. */
	free(lc->path);
	memmove(lc, lc + 1, (size_t)(&tc->luns[tc->nluns] - (lc + 1)) * sizeof(*lc));
	tc->nluns--;
	return rc < 0 ? NULL : json_pack("{s:I}", "lun", (json_int_t)lun);
}

/* Args "size": bytes, 0 when absent. 0 or -1 with why in @err. */
static int arg_size(json_t *args, uint64_t *size, char *err, size_t errlen)
{
	json_t *v = json_object_get(args, "size");

	*size = 0;
	if (v == NULL)
		return 0;
	if (json_is_integer(v) && json_integer_value(v) > 0) {
		*size = (uint64_t)json_integer_value(v);
		return 0;
	}
	if (json_is_string(v) && config_parse_size(json_string_value(v), size) == 0 && *size > 0)
		return 0;
	snprintf(err, errlen, "\"size\": bytes, or a size such as 512M or 10G");
	return -1;
}

/* "lun resize" {target, lun, size?}: the LU as "lun list" shows it. */
json_t *cmd_lun_resize(const struct control_env *env, json_t *args, char *err, size_t errlen)
{
	struct ctgt_target_cfg *tc = arg_target(env, args, err, errlen);
	struct ctgt_lun_cfg *lc;
	uint64_t lun, size, got;

	if (tc == NULL || arg_lun(args, &lun, err, errlen) < 0 ||
	    arg_size(args, &size, err, errlen) < 0)
		return NULL;
	if ((lc = find_lun(tc, lun)) == NULL) {
		snprintf(err, errlen, "target %s has no LUN %llu", tc->name,
			 (unsigned long long)lun);
		return NULL;
	}
	if (ctgt_server_lun_resize(env->srv, tc->name, lun, size, &got, err, errlen) < 0)
		return NULL;
	lc->params.size = got;	/* what a restart opens it with */
	return lun_now(env, tc, lc);
}

/* "lun set" {target, lun, option: "OPTION=VALUE"}: the LU as "lun list"
 * shows it. Only what a running LU can change: max_bandwidth. */
json_t *cmd_lun_set(const struct control_env *env, json_t *args, char *err, size_t errlen)
{
	struct ctgt_target_cfg *tc = arg_target(env, args, err, errlen);
	const char *opt = json_string_value(json_object_get(args, "option"));
	const char *eq = opt ? strchr(opt, '=') : NULL;
	struct ctgt_lun_cfg *lc;
	uint64_t lun, bps;

	if (tc == NULL || arg_lun(args, &lun, err, errlen) < 0)
		return NULL;
	if ((lc = find_lun(tc, lun)) == NULL) {
		snprintf(err, errlen, "target %s has no LUN %llu", tc->name,
			 (unsigned long long)lun);
		return NULL;
	}
	if (opt == NULL || eq == NULL) {
		snprintf(err, errlen, "\"option\" (OPTION=VALUE) is needed");
		return NULL;
	}
	if (lu_opt_find(LU_SYNTAX_FLAG, opt, (size_t)(eq - opt)) == NULL) {
		snprintf(err, errlen, "%.*s: unknown option", (int)(eq - opt), opt);
		return NULL;
	}
	if ((size_t)(eq - opt) != strlen("max_bandwidth") ||
	    strncmp(opt, "max_bandwidth", (size_t)(eq - opt)) != 0) {
		snprintf(err, errlen, "%.*s cannot change on a running LU (only max_bandwidth can; "
			 "remove the LU and add it again)", (int)(eq - opt), opt);
		return NULL;
	}
	if (strcmp(eq + 1, "0") == 0)
		bps = 0;
	else if (config_parse_size(eq + 1, &bps) < 0 || bps == 0) {
		snprintf(err, errlen, "max_bandwidth: bytes per second, such as 100M, or 0 for none");
		return NULL;
	}
	if (ctgt_server_lun_set_bandwidth(env->srv, tc->name, lun, bps, err, errlen) < 0)
		return NULL;
	lc->params.max_bandwidth = bps;
	return lun_now(env, tc, lc);
}
