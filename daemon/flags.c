/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The quick-mode flags of "ctgt serve": each flag is parsed into a struct
 * flags, then the whole set is moved into a struct ctgt_config (config.c),
 * with --config's file (config_json.c) loaded first so the flags win.
 * The options of --lun are lu_options.c's; the other settings of a target
 * and the discovery credentials are target_options.c's.
 */
#include "daemon/config.h"
#include "daemon/config_internal.h"
#include "daemon/lu_options.h"
#include "daemon/target_options.h"

#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "util/log.h"

/* What the flags said, before defaults and --config are applied. */
struct flags {
	struct ctgt_config portals;	/* only .portals is used */
	/* Only the settings of discovery_options[] are used (merge() of the
	 * portals frees the rest of its config). */
	struct ctgt_config top;
	/*
	 * One group per --target, each holding the per-target flags after it
	 * (--lun and those of target_options[]); flags before the first
	 * --target start a group without a name, which that --target then
	 * names (or which goes to the default target).
	 */
	struct ctgt_target_cfg *groups;
	size_t ngroups;
	const char *config;
	int log_level;
	int nop_interval;
	const char *state_dir;
	const char *control;
	const char *metrics;
	unsigned pr_max_regs;
	struct ctgt_limits limits;	/* 0: not given */
	int max_connections;
	int threads;
	int session_threads;
};

static int flag_portal(struct flags *fl, const char *val, char *err, size_t errlen)
{
	char *host;
	uint16_t port;
	const char *why = portal_parse(val, &host, &port);

	if (why != NULL) {
		set_err(err, errlen, "--portal %s: %s", val, why);
		return -1;
	}
	if (find_portal(&fl->portals, host, port) != NULL) {
		set_err(err, errlen, "--portal %s: given twice", val);
		free(host);
		return -1;
	}
	if (add_portal(&fl->portals, host, port, DEFAULT_TPGT) < 0) {
		set_err(err, errlen, "--portal %s: out of memory", val);
		return -1;
	}
	return 0;
}

/* The group the per-target flags go to: the last --target's. */
static struct ctgt_target_cfg *cur_group(struct flags *fl)
{
	struct ctgt_target_cfg *g;

	if (fl->ngroups > 0)
		return &fl->groups[fl->ngroups - 1];
	g = grow(fl->groups, &fl->ngroups, sizeof(*g));
	if (g == NULL)
		return NULL;
	fl->groups = g;
	return &g[0];
}

static int flag_lun(struct flags *fl, const char *val, char *err, size_t errlen)
{
	struct ctgt_lun_cfg lun;
	char why[CONFIG_ERR_LEN];
	struct ctgt_target_cfg *g;

	if (lu_parse_flag(val, &lun, why, sizeof(why)) < 0) {
		set_err(err, errlen, "--lun %s: %s", val, why);
		return -1;
	}
	g = cur_group(fl);
	if (g == NULL) {
		free(lun.path);
		set_err(err, errlen, "out of memory");
		return -1;
	}
	if (find_lun(g, lun.params.lun) != NULL) {
		set_err(err, errlen, "--lun %s: LUN %llu given twice", val,
			(unsigned long long)lun.params.lun);
		free(lun.path);
		return -1;
	}
	if (add_lun(g, &lun) < 0) {
		set_err(err, errlen, "--lun %s: out of memory", val);
		return -1;
	}
	return 0;
}

/* Options that may appear once; a second one is probably a mistake. */
static int flag_once(const char **slot, const char *name, const char *val,
		     char *err, size_t errlen)
{
	if (*slot != NULL) {
		set_err(err, errlen, "--%s given twice", name);
		return -1;
	}
	*slot = val;
	return 0;
}

static int flag_target(struct flags *fl, const char *val, char *err, size_t errlen)
{
	const char *why = name_problem(val);
	struct ctgt_target_cfg *g;

	if (why != NULL) {
		set_err(err, errlen, "--target %s: %s", val, why);
		return -1;
	}
	for (size_t i = 0; i < fl->ngroups; i++) {
		if (fl->groups[i].name != NULL && strcmp(fl->groups[i].name, val) == 0) {
			set_err(err, errlen, "--target %s given twice", val);
			return -1;
		}
	}
	/* The first --target names the flags before it; later ones start a group. */
	if (fl->ngroups == 1 && fl->groups[0].name == NULL)
		g = &fl->groups[0];
	else if ((g = grow(fl->groups, &fl->ngroups, sizeof(*g))) != NULL)
		fl->groups = g, g = &g[fl->ngroups - 1];
	if (g == NULL || (g->name = strdup(val)) == NULL) {
		set_err(err, errlen, "out of memory");
		return -1;
	}
	return 0;
}

/* A CHAP setting's flag @name, "USER:SECRET", into @slot; @target: the
 * setting is a target's. */
static int chap_flag(struct ctgt_chap_cfg *slot, const char *name, bool target, const char *val,
		     char *err, size_t errlen)
{
	const char *colon = strchr(val, ':');
	int ulen = colon ? (int)(colon - val) : (int)strlen(val);
	const char *why;

	if (slot->user != NULL) {
		set_err(err, errlen, "--%s given twice%s", name, target ? " for one target" : "");
		return -1;
	}
	/* The secret never goes into a message, only the user name. */
	why = config_parse_chap(val, slot);
	if (why != NULL) {
		set_err(err, errlen, "--%s %.*s:...: %s", name, ulen > 64 ? 64 : ulen, val, why);
		return -1;
	}
	return 0;
}

/* The flag of setting @o (of target_options[] when @target, else of
 * discovery_options[]) with its value @val ("" for a bare one). */
static int flag_setting(struct flags *fl, const struct target_opt *o, bool target,
			const char *val, char *err, size_t errlen)
{
	void *base = target ? (void *)cur_group(fl) : (void *)&fl->top;
	const char *why;

	if (base == NULL) {
		set_err(err, errlen, "out of memory");
		return -1;
	}
	switch (o->kind) {
	case TOPT_BOOL:
		*(bool *)topt_field(o, base) = true;
		return 0;
	case TOPT_CHAP:
		return chap_flag(topt_field(o, base), o->flag, target, val, err, errlen);
	case TOPT_RULES:
		why = add_rule(topt_field(o, base), topt_count(o, base), val);
		if (why != NULL) {
			set_err(err, errlen, "--%s %s: %s", o->flag, val, why);
			return -1;
		}
		return 0;
	case TOPT_INITIATORS:	/* no flag */
		break;
	}
	set_err(err, errlen, "--%s: no flag gives it", o->flag);
	return -1;
}

static int flag_log_level(struct flags *fl, const char *val, char *err, size_t errlen)
{
	int lvl = log_parse_level(val);

	if (lvl < 0) {
		set_err(err, errlen, "--log-level %s: expected error, warn, info or debug", val);
		return -1;
	}
	fl->log_level = lvl;
	return 0;
}

static int flag_nop_interval(struct flags *fl, const char *val, char *err, size_t errlen)
{
	uint64_t secs;

	if (parse_dec(val, strlen(val), CONFIG_NOP_INTERVAL_MAX, &secs) < 0) {
		set_err(err, errlen, "--nop-interval %s: expected seconds from 0 (off) to %d", val,
			CONFIG_NOP_INTERVAL_MAX);
		return -1;
	}
	fl->nop_interval = (int)secs;
	return 0;
}

static int flag_pr_max_regs(struct flags *fl, const char *val, char *err, size_t errlen)
{
	uint64_t n;

	if (parse_dec(val, strlen(val), CONFIG_PR_MAX_REGS_MAX, &n) < 0 || n == 0) {
		set_err(err, errlen, "--pr-max-registrations %s: expected 1 to %d", val,
			CONFIG_PR_MAX_REGS_MAX);
		return -1;
	}
	fl->pr_max_regs = (unsigned)n;
	return 0;
}

/* A resource limit (config_limits[]): a number, or for a size also one
 * like "64M", in the limit's range. */
static int flag_limit(struct flags *fl, const struct config_limit *l, const char *val,
		      char *err, size_t errlen)
{
	uint64_t v = 0;
	int rc = l->size ? config_parse_size(val, &v) : parse_dec(val, strlen(val), UINT64_MAX, &v);

	if (rc < 0 || v < l->min || v > l->max) {
		set_err(err, errlen, "--%s %s: expected %s from %llu to %llu", l->flag, val,
			l->size ? "a size (bytes, or like 64M)" : "a number",
			(unsigned long long)l->min, (unsigned long long)l->max);
		return -1;
	}
	*limit_slot(&fl->limits, l) = (unsigned)v;
	return 0;
}

static int flag_max_connections(struct flags *fl, const char *val, char *err, size_t errlen)
{
	uint64_t n;

	if (parse_dec(val, strlen(val), CONFIG_MAX_CONNECTIONS, &n) < 0 || n == 0) {
		set_err(err, errlen, "--max-connections %s: expected a number from 1 to %d", val,
			CONFIG_MAX_CONNECTIONS);
		return -1;
	}
	fl->max_connections = (int)n;
	return 0;
}

static int flag_threads(struct flags *fl, const char *val, char *err, size_t errlen)
{
	uint64_t n;

	if (parse_dec(val, strlen(val), CONFIG_MAX_THREADS, &n) < 0 || n == 0) {
		set_err(err, errlen, "--threads %s: expected a number from 1 to %d", val,
			CONFIG_MAX_THREADS);
		return -1;
	}
	fl->threads = (int)n;
	return 0;
}

static int flag_session_threads(struct flags *fl, const char *val, char *err, size_t errlen)
{
	fl->session_threads = config_session_threads(val, strlen(val));
	if (!fl->session_threads) {
		set_err(err, errlen, "--session-threads %s: expected spread or target", val);
		return -1;
	}
	return 0;
}

static int flag_state_dir(struct flags *fl, const char *val, char *err, size_t errlen)
{
	return flag_once(&fl->state_dir, "state-dir", val, err, errlen);
}

static int flag_control(struct flags *fl, const char *val, char *err, size_t errlen)
{
	return flag_once(&fl->control, "control", val, err, errlen);
}

static int flag_metrics(struct flags *fl, const char *val, char *err, size_t errlen)
{
	char *host = NULL;
	uint16_t port;
	const char *why = config_parse_metrics(val, &host, &port);

	free(host);	/* checked now; parsed again in apply_flags() */
	if (why != NULL) {
		set_err(err, errlen, "--metrics %s: %s", val, why);
		return -1;
	}
	return flag_once(&fl->metrics, "metrics", val, err, errlen);
}

static int flag_config(struct flags *fl, const char *val, char *err, size_t errlen)
{
	return flag_once(&fl->config, "config", val, err, errlen);
}

static const struct {
	const char *name;
	int (*fn)(struct flags *fl, const char *val, char *err, size_t errlen);
} flag_table[] = {
	{ "portal", flag_portal },
	{ "target", flag_target },
	{ "lun", flag_lun },
	{ "config", flag_config },
	{ "log-level", flag_log_level },
	{ "nop-interval", flag_nop_interval },
	{ "state-dir", flag_state_dir },
	{ "control", flag_control },
	{ "metrics", flag_metrics },
	{ "pr-max-registrations", flag_pr_max_regs },
	{ "max-connections", flag_max_connections },
	{ "threads", flag_threads },
	{ "session-threads", flag_session_threads },
	/* the resource limits' flags are in config_limits[] (flag_limit), the
	 * targets' and the discovery sessions' settings in target_options.c
	 * (flag_setting) */
};

/* Whether @name (@n bytes, not NUL-terminated) is @flag. */
static bool is_flag(const char *flag, const char *name, size_t n)
{
	return strlen(flag) == n && strncmp(flag, name, n) == 0;
}

static const struct config_limit *find_limit(const char *name, size_t n)
{
	for (size_t k = 0; k < config_nlimits; k++)
		if (is_flag(config_limits[k].flag, name, n))
			return &config_limits[k];
	return NULL;
}

/* What a flag is: one of flag_table, a setting of a target or of the
 * discovery sessions, or a resource limit (one of them set). */
struct flag_ref {
	int (*fn)(struct flags *fl, const char *val, char *err, size_t errlen);
	const struct target_opt *opt;
	bool target;		/* opt is one of target_options[] */
	const struct config_limit *lim;
};

/* The flag named @name (@n bytes) into @r; false when there is none. */
static bool find_flag(const char *name, size_t n, struct flag_ref *r)
{
	memset(r, 0, sizeof(*r));
	for (size_t k = 0; k < sizeof(flag_table) / sizeof(flag_table[0]); k++) {
		if (is_flag(flag_table[k].name, name, n)) {
			r->fn = flag_table[k].fn;
			return true;
		}
	}
	if ((r->opt = topt_find_flag(target_options, name, n)) != NULL)
		return r->target = true;
	if ((r->opt = topt_find_flag(discovery_options, name, n)) != NULL)
		return true;
	return (r->lim = find_limit(name, n)) != NULL;
}

static int run_flag(struct flags *fl, const struct flag_ref *r, const char *val, char *err,
		    size_t errlen)
{
	if (r->fn != NULL)
		return r->fn(fl, val, err, errlen);
	if (r->opt != NULL)
		return flag_setting(fl, r->opt, r->target, val, err, errlen);
	return flag_limit(fl, r->lim, val, err, errlen);
}

/* The value of flag argv[*i], whose name ends at @eq: after the '=', else
 * the next argument (*i then moves past it); "" when there is none. */
static const char *flag_value(int argc, char **argv, int *i, const char *eq)
{
	if (*eq == '=')
		return eq + 1;
	if (*i + 1 < argc && strncmp(argv[*i + 1], "--", 2) != 0)
		return argv[++*i];
	return "";
}

/* Handle argv[*i] (and its value); advances *i past what it used. */
static int one_flag(struct flags *fl, int argc, char **argv, int *i, char *err, size_t errlen)
{
	const char *arg = argv[*i], *name = arg + 2, *eq, *val;
	struct flag_ref r;
	size_t n;

	if (strncmp(arg, "--", 2) != 0) {
		set_err(err, errlen, arg[0] == '-' ? "unknown option %s" : "unexpected argument %s", arg);
		return -1;
	}
	eq = strchrnul(name, '=');
	n = (size_t)(eq - name);
	if (!find_flag(name, n, &r)) {
		set_err(err, errlen, "unknown option --%.*s", (int)n, name);
		return -1;
	}
	/* A bool's flag takes no value. */
	if (r.opt != NULL && r.opt->kind == TOPT_BOOL) {
		if (*eq == '=') {
			set_err(err, errlen, "--%s takes no value", r.opt->flag);
			return -1;
		}
		return run_flag(fl, &r, "", err, errlen);
	}
	val = flag_value(argc, argv, i, eq);
	if (val[0] == '\0') {
		set_err(err, errlen, "--%.*s: missing value", (int)n, name);
		return -1;
	}
	return run_flag(fl, &r, val, err, errlen);
}

/* The discovery credentials: the flags' replace the file's, and together
 * they must be consistent. */
static int apply_discovery_chap(struct ctgt_config *cfg, struct flags *fl, char *err,
				size_t errlen)
{
	char buf[128];
	const char *why;

	for (const struct target_opt *o = discovery_options; o->key != NULL; o++) {
		if (topt_move(o, cfg, &fl->top) < 0) {
			set_err(err, errlen, "out of memory");
			return -1;
		}
	}
	why = discovery_chap_problem(cfg, "--discovery-chap", buf, sizeof(buf));
	if (why != NULL) {
		set_err(err, errlen, "--discovery-mutual-chap: %s", why);
		return -1;
	}
	return 0;
}

/* Whether group @g gives a LU or a setting that stands alone: one that
 * needs another (--mutual-chap) is a mistake without it anyway. */
static bool gives_something(const struct ctgt_target_cfg *g)
{
	if (g->nluns > 0)
		return true;
	for (const struct target_opt *o = target_options; o->key != NULL; o++)
		if (o->needs == NULL && topt_is_set(o, g))
			return true;
	return false;
}

/* Combine parsed flags, --config and the defaults into @cfg. */
static int apply_flags(struct ctgt_config *cfg, struct flags *fl, char *err, size_t errlen)
{
	if (fl->config != NULL) {
		for (size_t i = 0; i < fl->ngroups; i++) {
			const struct ctgt_target_cfg *g = &fl->groups[i];

			if (g->name != NULL && !gives_something(g)) {
				set_err(err, errlen, "--target %s: with --config, --target only names the target of --lun, --chap and --allow flags",
					g->name);
				return -1;
			}
		}
		if (config_load_json(fl->config, cfg, err, errlen) < 0)
			return -1;
		/* Absolute, so that `save` writes back to the same file
		 * whatever the daemon's working directory is by then. */
		cfg->config_file = realpath(fl->config, NULL);
		if (cfg->config_file == NULL) {
			set_err(err, errlen, "--config %s: %s", fl->config, strerror(errno));
			return -1;
		}
	}
	if (fl->state_dir != NULL) {	/* the flag wins over "stateDir" */
		free(cfg->state_dir);
		cfg->state_dir = strdup(fl->state_dir);
		if (cfg->state_dir == NULL) {
			set_err(err, errlen, "out of memory");
			return -1;
		}
	}
	if (fl->control != NULL && (cfg->control = strdup(fl->control)) == NULL) {
		set_err(err, errlen, "out of memory");
		return -1;
	}
	if (fl->metrics != NULL) {	/* the flag wins over "metrics" */
		free(cfg->metrics_host);
		cfg->metrics_host = NULL;
		if (config_parse_metrics(fl->metrics, &cfg->metrics_host, &cfg->metrics_port) != NULL) {
			set_err(err, errlen, "out of memory");
			return -1;
		}
	}
	apply_limits(&cfg->limits, &fl->limits);
	if (fl->max_connections > 0)	/* the flag wins over "maxConnections" */
		cfg->max_connections = fl->max_connections;
	if (fl->threads > 0)		/* the flag wins over "threads" */
		cfg->threads = fl->threads;
	if (fl->session_threads)	/* and over "sessionThreads" */
		cfg->session_threads = fl->session_threads;
	if (fl->log_level >= 0)		/* over "logLevel" */
		cfg->log_level = fl->log_level;
	if (fl->nop_interval >= 0)	/* over "nopInterval" */
		cfg->nop_interval = fl->nop_interval;
	if (fl->pr_max_regs != 0)	/* and over "prMaxRegistrations" */
		cfg->pr_max_regs = fl->pr_max_regs;
	if (merge(cfg, &fl->portals, "--portal", err, errlen) < 0)
		return -1;
	for (size_t i = 0; i < fl->ngroups; i++)
		if (place_group(cfg, &fl->groups[i], fl->config, err, errlen) < 0)
			return -1;
	if (apply_discovery_chap(cfg, fl, err, errlen) < 0)
		return -1;
	return finish_config(cfg, err, errlen);
}

int config_parse_args(int argc, char **argv, struct ctgt_config *cfg,
		      char *err, size_t errlen)
{
	struct flags fl = { .log_level = -1, .nop_interval = -1 };
	int rc = 0;

	memset(cfg, 0, sizeof(*cfg));
	cfg->log_level = -1;
	cfg->nop_interval = -1;
	for (int i = 0; i < argc && rc == 0; i++)
		rc = one_flag(&fl, argc, argv, &i, err, errlen);
	if (rc == 0)
		rc = apply_flags(cfg, &fl, err, errlen);
	config_free(&fl.portals);
	config_free(&fl.top);
	for (size_t i = 0; i < fl.ngroups; i++)
		free_target(&fl.groups[i]);
	free(fl.groups);
	if (rc < 0)
		config_free(cfg);
	return rc;
}
