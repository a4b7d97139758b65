/* SPDX-License-Identifier: Apache-2.0 */
/*
 * ctgt: wiring only. Parse the configuration and hand it to the embedding
 * API (include/ctgt/server.h), which opens the stores, builds the targets,
 * listens on the portals and serves until SIGINT or SIGTERM.
 */
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "ctgt/server.h"
#include "daemon/config.h"
#include "daemon/control.h"
#include "daemon/lu_options.h"
#include "daemon/luns.h"
#include "daemon/notify.h"
#include "daemon/metrics.h"
#include "daemon/target_options.h"
#include "util/log.h"

/* The synopsis; with @full (--help) also what each setting of a target
 * and each LU option means. */
static void usage(FILE *out, bool full)
{
	int col = fprintf(out, "usage: ctgt serve [--portal HOST:PORT]...");

	topt_usage(out, discovery_options, &col, 18);
	col = fprintf(out, "\n%18s[--target IQN", "") - 1;
	topt_usage(out, target_options, &col, 32);
	fprintf(out, "]...\n");
	lu_usage(out, 18);
	fprintf(out,
		"                  [--config FILE] [--log-level error|warn|info|debug]\n"
		"                  [--nop-interval SECONDS] [--state-dir DIR] [--control PATH|none]\n"
		"                  [--metrics [HOST:]PORT] [--pr-max-registrations N]\n"
		"                  [--connection-limit N] [--connection-limit-per-address N]\n"
		"                  [--session-limit N] [--login-timeout SECONDS]\n"
		"                  [--connection-buffer SIZE] [--tx-backlog SIZE] [--buffer-cache SIZE]\n"
		"                  [--max-connections N] [--threads N]\n"
		"                  [--session-threads spread|target]\n");
	if (!full)
		return;
	topt_help(out, "Discovery settings (the flag; the key at the top level of config.json):",
		  discovery_options);
	topt_help(out, "Target settings (the flag after --target IQN; the key of a config.json "
		  "target):", target_options);
	lu_help(out);
}

static int fail(const char *msg)
{
	fprintf(stderr, "ctgt: %s\n", msg);
	return 1;
}

static int add_initiator(struct ctgt_server *srv, const char *iqn,
			 const struct ctgt_initiator_cfg *ic, char *err, size_t errlen)
{
	struct ctgt_lun_map map[256];
	struct ctgt_initiator_params p = {
		.name = ic->name,
		.chap_user = ic->chap.user,
		.chap_secret = ic->chap.secret,
		.map_luns = ic->map_luns,
		.luns = map,
		.nluns = ic->nluns,
	};

	if (ic->nluns > 256) {
		snprintf(err, errlen, "initiator %s: more than 256 LUN mappings", ic->name);
		return -1;
	}
	for (size_t i = 0; i < ic->nluns; i++)
		map[i] = (struct ctgt_lun_map){ .lun = ic->luns[i].lun,
						.target_lun = ic->luns[i].target_lun,
						.readonly = ic->luns[i].readonly };
	return ctgt_server_add_initiator(srv, iqn, &p, err, errlen);
}

static int build_targets(struct ctgt_server *srv, const struct ctgt_config *cfg,
			 char *err, size_t errlen)
{
	/* A state directory that cannot hold the files would only show up
	 * at the first PERSISTENT RESERVE OUT with APTPL: refuse it now. */
	if (config_check_state_dir(cfg, err, errlen) < 0)
		return -1;
	if (cfg->discovery_chap.user &&
	    ctgt_server_set_chap(srv, NULL, cfg->discovery_chap.user, cfg->discovery_chap.secret,
				 cfg->discovery_mutual_chap.user, cfg->discovery_mutual_chap.secret,
				 err, errlen) < 0)
		return -1;
	for (size_t t = 0; t < cfg->ntargets; t++) {
		const struct ctgt_target_cfg *tc = &cfg->targets[t];

		if (ctgt_server_add_target(srv, tc->name, err, errlen) < 0)
			return -1;
		ctgt_server_allow_target_reset(srv, tc->name, tc->allow_target_reset);
		if (tc->chap.user &&
		    ctgt_server_set_chap(srv, tc->name, tc->chap.user, tc->chap.secret,
					 tc->mutual_chap.user, tc->mutual_chap.secret, err, errlen) < 0)
			return -1;
		for (size_t a = 0; a < tc->nallow; a++)
			if (ctgt_server_allow(srv, tc->name, tc->allow[a], err, errlen) < 0)
				return -1;
		for (size_t i = 0; i < tc->ninitiators; i++)
			if (add_initiator(srv, tc->name, &tc->initiators[i], err, errlen) < 0)
				return -1;
		for (size_t l = 0; l < tc->nluns; l++)
			if (daemon_add_lun(srv, tc->name, &tc->luns[l], cfg, false, err, errlen) < 0)
				return -1;
	}
	return 0;
}

static int start_portals(struct ctgt_server *srv, const struct ctgt_config *cfg,
			 char *err, size_t errlen)
{
	for (size_t i = 0; i < cfg->nportals; i++) {
		const struct ctgt_portal_cfg *pc = &cfg->portals[i];

		if (ctgt_server_add_portal(srv, pc->host, pc->port, pc->tpgt, err, errlen) < 0)
			return -1;
	}
	return 0;
}

/* The value of flag --@flag at argv[@i] ("--FLAG VALUE" or
 * "--FLAG=VALUE"), or NULL when argv[@i] is not that flag. */
static char *flag_value(const char *flag, int argc, char **argv, int i)
{
	const char *a = argv[i];
	size_t n = strlen(flag);

	if (strncmp(a, "--", 2) != 0 || strncmp(a + 2, flag, n) != 0)
		return NULL;
	if (a[2 + n] == '\0')
		return i + 1 < argc ? argv[i + 1] : NULL;
	return a[2 + n] == '=' ? argv[i] + 2 + n + 1 : NULL;
}

/* Blank what follows the first ':' (USER:SECRET) of the values of the
 * flags of @tab's settings that hold a secret. */
static void hide_secrets_of(const struct target_opt *tab, int argc, char **argv)
{
	for (; tab->key != NULL; tab++) {
		for (int i = 0; tab->flag != NULL && tab->secret && i < argc; i++) {
			char *val = flag_value(tab->flag, argc, argv, i), *colon;

			if (val && (colon = strchr(val, ':')) != NULL)
				memset(colon + 1, 'x', strlen(colon + 1));
		}
	}
}

/*
 * The flags' copies of CHAP secrets are in the config now: blank them in
 * argv, so /proc/PID/cmdline and ps stop showing them once the daemon has
 * started (they were visible until here: a file is safer, see README).
 */
static void hide_secrets(int argc, char **argv)
{
	hide_secrets_of(target_options, argc, argv);
	hide_secrets_of(discovery_options, argc, argv);
}

/*
 * The control socket: --control PATH, else the default path (daemon/
 * control.h), which may be taken by another daemon: then this one serves
 * without one and says so. NULL with @ctl_failed false: none wanted.
 */
static struct control *start_control(struct ctgt_server *srv, struct ctgt_config *cfg,
				     bool *failed, char *err, size_t errlen)
{
	char buf[256];
	const char *path = cfg->control ? cfg->control : control_default_path(buf, sizeof(buf));
	struct control *ctl;

	*failed = false;
	if (path == NULL || strcmp(path, "none") == 0)
		return NULL;
	ctl = control_start(&(struct control_env){ .srv = srv, .cfg = cfg }, path, err, errlen);
	if (ctl == NULL && cfg->control != NULL)
		*failed = true;
	else if (ctl == NULL)
		LOG_INFO("control", "%s: no control socket", err);
	return ctl;
}

/* The server has begun to stop (a signal, a stop request): tell the
 * service manager now, not after the sessions are drained. */
static void on_stop(void *arg, const char *why)
{
	(void)arg;
	notify_stopping(why);
}

/*
 * SIGHUP, which systemd's ExecReload sends: reload the --config file
 * (daemon/reload.h). This runs on the server's thread, an event thread,
 * which must not wait for the admin calls a reload makes (they wait for
 * the event threads): the control thread is asked to do it, serialized
 * with the commands. @arg: serve()'s control, set on this same thread
 * before ctgt_server_run().
 */
static void on_hup(void *arg)
{
	struct control *ctl = *(struct control **)arg;

	if (ctl == NULL) {
		LOG_WARN("server", "SIGHUP: no control socket (--control none), which runs the "
			 "reload; ignored");
		return;
	}
	LOG_INFO("server", "SIGHUP: reloading the configuration");
	control_request_reload(ctl);
}

static int serve(int argc, char **argv)
{
	struct ctgt_config cfg = { 0 };
	struct ctgt_server *srv = NULL;
	struct control *ctl = NULL;
	struct metrics *met = NULL;
	bool ctl_failed;
	char err[CONFIG_ERR_LEN + 128];
	int rc = 1;

	/* Under systemd with stderr to the journal: priority prefixes. */
	log_set_format(log_detect_format());
	if (config_parse_args(argc, argv, &cfg, err, sizeof(err)) < 0) {
		fail(err);
		usage(stderr, false);
		config_free(&cfg);
		return 2;
	}
	/* A reload parses the command line again: keep it, secrets and all,
	 * before they are hidden from ps. */
	if (config_keep_args(&cfg, argc, argv) < 0) {
		fail("out of memory");
		config_free(&cfg);
		return 1;
	}
	hide_secrets(argc, argv);
	if (cfg.log_level >= 0)
		log_set_level((enum log_level)cfg.log_level);
	/* stdout may be a pipe whose reader went away: not a reason to die. */
	signal(SIGPIPE, SIG_IGN);
	/* 0 threads: one per online CPU. */
	srv = ctgt_server_create_threads(cfg.threads > 0 ? (unsigned)cfg.threads : 0);
	if (!srv || ctgt_server_catch_signals(srv) < 0 ||
	    ctgt_server_catch_hup(srv, on_hup, &ctl) < 0) {
		fail("cannot set up the server");
		goto out;
	}
	/* Default keep-alive: ping after 30 s idle, give up 30 s later. */
	ctgt_server_set_nop(srv, cfg.nop_interval < 0 ? CONFIG_NOP_INTERVAL_DEFAULT
						      : (unsigned)cfg.nop_interval, 0);
	ctgt_server_set_limits(srv, &cfg.limits);
	if (cfg.max_connections > 0)
		ctgt_server_set_max_connections(srv, (unsigned)cfg.max_connections);
	ctgt_server_set_spread_sessions(srv, cfg.session_threads != CONFIG_SESSIONS_TARGET);
	if (build_targets(srv, &cfg, err, sizeof(err)) < 0) {
		fail(err);
		goto out;
	}
	if (start_portals(srv, &cfg, err, sizeof(err)) < 0) {
		fail(err);
		goto out;
	}
	/* Bound before the control thread starts: a port in use stops the
	 * start-up while no thread waits in an admin call (daemon/metrics.h). */
	if (cfg.metrics_host &&
	    (met = metrics_open(srv, cfg.metrics_host, cfg.metrics_port, err, sizeof(err))) == NULL) {
		fail(err);
		goto out;
	}
	/* Last before serving: nothing after it can fail and leave its thread
	 * waiting for loops that never run; before "ready", so that the
	 * socket answers once "ready" is printed. */
	ctl = start_control(srv, &cfg, &ctl_failed, err, sizeof(err));
	if (ctl_failed) {
		fail(err);
		goto out;
	}
	if (met && metrics_run(met, err, sizeof(err)) < 0) {
		fail(err);
		goto out;
	}
	ctgt_server_announce(srv, stdout);
	/* The portals listen and the control socket answers: ready. */
	notify_serving(cfg.ntargets, cfg.nportals);
	ctgt_server_on_stop(srv, on_stop, NULL);
	if (ctgt_server_run(srv) < 0) {
		fail("event loop failed");
		goto out;
	}
	rc = 0;
out:
	metrics_stop(met);	/* before the server they ask goes */
	control_stop(ctl);
	ctgt_server_destroy(srv);
	config_free(&cfg);
	return rc;
}

int main(int argc, char **argv)
{
	setvbuf(stdout, NULL, _IOLBF, 0);
	if (argc >= 2 && strcmp(argv[1], "serve") == 0)
		return serve(argc - 2, argv + 2);
	if (argc >= 2 && (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0)) {
		usage(stdout, true);
		return 0;
	}
	if (argc >= 2)
		fprintf(stderr, "ctgt: unknown command '%s'\n", argv[1]);
	usage(stderr, false);
	return 2;
}
