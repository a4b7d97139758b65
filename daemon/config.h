/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Daemon configuration: quick-mode command-line flags and gotgt-style JSON
 * files both become one struct ctgt_config. Every string in it is owned by
 * the config and freed by config_free().
 */
#ifndef CTGT_DAEMON_CONFIG_H
#define CTGT_DAEMON_CONFIG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ctgt/server.h"

#define CONFIG_ERR_LEN 256

struct ctgt_portal_cfg {
	char *host;		/**< numeric address: "127.0.0.1", "::1" (no brackets) */
	uint16_t port;		/**< 0 = let the kernel choose (tests) */
	uint16_t tpgt;		/**< target portal group tag; default 1 */
};

/**
 * One LU of a target: what the server is given for it (the public API's
 * struct ctgt_lu_params, handed over as it is; main.c adds the
 * reservation settings, pr_file and pr_max_registrations) and its store.
 * The options a user sets, their flags and JSON keys, are in
 * daemon/lu_options.h.
 */
struct ctgt_lun_cfg {
	struct ctgt_lu_params params;
	char *path;		/**< backend spec: "file:PATH", "PATH", "mem:", "null:" */
};

/** CHAP credentials; user == NULL: none. Both strings owned. */
struct ctgt_chap_cfg {
	char *user;
	char *secret;
};

/** One LU an initiator sees ("initiators" in the JSON config). */
struct ctgt_lun_map_cfg {
	uint64_t lun;		/**< "lun": the number it uses */
	uint64_t target_lun;	/**< "targetLun": the LU's number (default: lun) */
	bool readonly;		/**< "readonly" */
};

/** Settings of one initiator on one target. */
struct ctgt_initiator_cfg {
	char *name;
	struct ctgt_chap_cfg chap;	/**< "chap": its own credentials */
	bool map_luns;			/**< "luns" given: it sees only those */
	struct ctgt_lun_map_cfg *luns;
	size_t nluns;
};

/**
 * One target. Its settings besides the LUs (their flags, JSON keys, kinds)
 * are described in daemon/target_options.h, which every reader and writer
 * of them goes through: a field added here for a user to set takes an
 * entry there.
 */
struct ctgt_target_cfg {
	char *name;		/**< IQN */
	bool allow_target_reset; /**< --allow-target-reset / "allowTargetReset" */
	struct ctgt_lun_cfg *luns;
	size_t nluns;
	struct ctgt_chap_cfg chap;	/**< --chap: initiators must authenticate */
	struct ctgt_chap_cfg mutual_chap; /**< --mutual-chap: the target's own */
	char **allow;		/**< --allow / "allow": initiator names and networks */
	size_t nallow;
	struct ctgt_initiator_cfg *initiators;	/**< "initiators" (JSON only) */
	size_t ninitiators;
};

/* Highest --max-connections / "maxConnections" (the server clamps to its own limit). */
#define CONFIG_MAX_CONNECTIONS 64
/* --session-threads spread|target: where a target's sessions run. */
enum { CONFIG_SESSIONS_SPREAD = 1, CONFIG_SESSIONS_TARGET = 2 };
/* The value of "spread" or "target" (@n bytes), or 0. */
int config_session_threads(const char *s, size_t n);

/* Highest --threads / "threads" (CTGT_THREADS_MAX). */
#define CONFIG_MAX_THREADS 64

/* --nop-interval / "nopInterval": seconds, 0 (off) to the highest; the
 * default when neither gives one. */
#define CONFIG_NOP_INTERVAL_MAX 3600
#define CONFIG_NOP_INTERVAL_DEFAULT 30
/* --pr-max-registrations / "prMaxRegistrations": 1 to the highest
 * (SCSI_PR_MAX_REGS_LIMIT); the default (SCSI_PR_MAX_REGS_DEFAULT). */
#define CONFIG_PR_MAX_REGS_MAX 65536
#define CONFIG_PR_MAX_REGS_DEFAULT 1024

struct ctgt_config {
	struct ctgt_portal_cfg *portals;
	size_t nportals;
	struct ctgt_target_cfg *targets;
	size_t ntargets;
	int log_level;		/**< --log-level / "logLevel": enum log_level; -1 = not given */
	/** --nop-interval / "nopInterval": seconds of idle before a NOP-In
	 *  ping; 0 = off, -1 = not given (CONFIG_NOP_INTERVAL_DEFAULT). A
	 *  config that is not config_parse_args()'s or config_free()'s must
	 *  be started with -1 here, as with log_level. */
	int nop_interval;
	char *state_dir;	/**< --state-dir / "stateDir": APTPL reservation files; NULL = none */
	char *control;		/**< --control: the control socket's path; NULL = the
				 *   default (daemon/control.h), "none" = no socket */
	char *metrics_host;	/**< --metrics / "metrics": numeric, no brackets; NULL = off */
	uint16_t metrics_port;	/**< its port (0: any free one) */
	char *config_file;	/**< --config: the file loaded, made absolute (realpath);
				 *   where `save` without a file writes; NULL = none */
	char **args;		/**< the serve arguments (nargs), copied before their
				 *   secrets were hidden: what a reload parses again;
				 *   NULL: none kept (config_keep_args()) */
	int nargs;
	unsigned pr_max_regs;	/**< --pr-max-registrations / "prMaxRegistrations": per LU;
				 *   0 = not given (CONFIG_PR_MAX_REGS_DEFAULT) */
	struct ctgt_limits limits; /**< resource limits; 0 fields: the defaults */
	int max_connections;	/**< --max-connections / "maxConnections": per session; 0 = default */
	int threads;		/**< --threads / "threads": network threads; 0 = one per online CPU */
	/** --session-threads / "sessionThreads": 0 = not given (spread),
	 *  CONFIG_SESSIONS_SPREAD, CONFIG_SESSIONS_TARGET */
	int session_threads;
	/* The discovery credentials: described in daemon/target_options.h
	 * (discovery_options[]). */
	struct ctgt_chap_cfg discovery_chap;	/**< --discovery-chap / "discoveryChap" */
	/** --discovery-mutual-chap / "discoveryMutualChap": the target's own
	 *  credentials in discovery sessions (needs discovery_chap) */
	struct ctgt_chap_cfg discovery_mutual_chap;
};

/** "USER:SECRET" -> @c (both copied; the secret at least 12 bytes).
 *  NULL or why not. */
const char *config_parse_chap(const char *s, struct ctgt_chap_cfg *c);
/** Wipe and free both strings. */
void config_chap_free(struct ctgt_chap_cfg *c);
/** NULL when @t's CHAP settings are consistent, else why not (a mutual
 *  secret without --chap, or equal to the initiator's). */
const char *config_chap_problem(const struct ctgt_chap_cfg *chap,
				const struct ctgt_chap_cfg *mutual);

/**
 * Parse the arguments that follow "serve" (argv[0] is the first flag).
 * Applies the defaults (portal 127.0.0.1:3260, target
 * iqn.2026-11.io.ctgt:disk0) when neither flags nor --config give them.
 * Returns 0, or -1 with a one-line reason in @err.
 */
int config_parse_args(int argc, char **argv, struct ctgt_config *cfg,
		      char *err, size_t errlen);

/** Load a gotgt config.json into @cfg (appending). Returns 0 or -1 with @err. */
int config_load_json(const char *path, struct ctgt_config *cfg, char *err, size_t errlen);

void config_free(struct ctgt_config *cfg);

/** Keep a copy of the serve arguments @argv in @cfg (args, nargs) for a
 *  reload to parse again as the start did. 0 or -1 (out of memory). */
int config_keep_args(struct ctgt_config *cfg, int argc, char *const *argv);

/**
 * The configuration a restart with the same command line would serve
 * now, into @cfg (empty; the caller frees it either way): @have's kept
 * arguments parsed again (config_parse_args(): the --config file as it is
 * now, with the flags next to it), or without kept arguments @have's
 * --config file alone (config_check_file()); then the state directory
 * checked. 0, or -1 with the first problem in @err.
 */
int config_reparse(const struct ctgt_config *have, struct ctgt_config *cfg, char *err,
		   size_t errlen);

/** 0 when @cfg's state directory (if any) is a directory the daemon can
 *  write in, else -1 with why in @err: checked at start-up, before
 *  anything is opened, not at the first APTPL reservation. */
int config_check_state_dir(const struct ctgt_config *cfg, char *err, size_t errlen);

/**
 * What `serve --config @path` checks before it builds anything, without
 * building: the file loaded (config_load_json(), every LU's options and
 * the CHAP credentials checked) into @cfg, which must be empty (the
 * caller frees it either way), then a LUN required and the state
 * directory checked. 0, or -1 with the first problem in @err. The
 * settings the file leaves out are "not given" in @cfg (log_level and
 * nop_interval -1), whatever the caller started it with.
 */
int config_check_file(const char *path, struct ctgt_config *cfg, char *err, size_t errlen);

/** "4096", "512K", "512M", "10G", "1T" (powers of 1024) -> bytes. Returns 0 or -1. */
int config_parse_size(const char *s, uint64_t *out);

/** The address of --metrics: "PORT" or ":PORT" (127.0.0.1), "HOST:PORT",
 *  "[V6]:PORT" -> numeric host (malloc'd) and port. NULL or why not. */
const char *config_parse_metrics(const char *s, char **host, uint16_t *port);

/** "127.0.0.1:3260", "[::1]:3260", "host" (port 3260) -> numeric host and port. Returns 0 or -1. */
int config_parse_portal(const char *s, char **host, uint16_t *port);
/** "HOST:PORT", or "[HOST]:PORT" for IPv6, as --portal takes it, in @buf. */
const char *config_portal_text(char *buf, size_t len, const char *host, unsigned port);

#endif
