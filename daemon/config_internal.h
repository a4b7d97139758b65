/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The pieces the configuration code shares between its files: config.c
 * (the config model: building, checking, merging, freeing), flags.c (the
 * quick-mode flags) and config_json.c (gotgt's config.json). Internal to
 * daemon/; all of it runs on the thread that parses the configuration.
 */
#ifndef CTGT_DAEMON_CONFIG_INTERNAL_H
#define CTGT_DAEMON_CONFIG_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "daemon/config.h"

#define DEFAULT_HOST	"127.0.0.1"
#define DEFAULT_PORT	3260
#define DEFAULT_TARGET	"iqn.2026-11.io.ctgt:disk0"
#define DEFAULT_TPGT	1
#define DEFAULT_BLOCK	512u
#define MAX_LUN		255
/* RFC 3720 section 3.2.6.1: names are at most 223 bytes. */
#define MAX_NAME_LEN	223

void set_err(char *err, size_t errlen, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
void *grow(void *arr, size_t *n, size_t elem);
int parse_dec(const char *s, size_t len, uint64_t max, uint64_t *out);
const char *portal_parse(const char *s, char **host, uint16_t *port);
struct ctgt_portal_cfg *find_portal(const struct ctgt_config *cfg,
				    const char *host, uint16_t port);
int add_portal(struct ctgt_config *cfg, char *host, uint16_t port, uint16_t tpgt);
const char *name_problem(const char *name);
struct ctgt_target_cfg *add_target(struct ctgt_config *cfg, const char *name);
int add_lun(struct ctgt_target_cfg *t, const struct ctgt_lun_cfg *lun);
/** Append access rule @rule (checked, copied) to the @n rules at *@rules;
 *  NULL or why not. add_allow(): to @t's "allow". */
const char *add_rule(char ***rules, size_t *n, const char *rule);
const char *add_allow(struct ctgt_target_cfg *t, const char *rule);
/** @c from @user (@ulen bytes) and @secret, copied and checked; NULL or why not. */
const char *config_set_chap(struct ctgt_chap_cfg *c, const char *user, size_t ulen,
			    const char *secret);
/** config_chap_problem() of @cfg's discovery credentials; @chap_name (the
 *  flag or key) names the initiators' ones in a message, which may be in
 *  @buf (@len bytes). NULL when they are consistent. */
const char *discovery_chap_problem(const struct ctgt_config *cfg, const char *chap_name,
				   char *buf, size_t len);
/** Move @src (emptied either way) into @dst, or change nothing in @dst and
 *  return -1 with @err when they clash; @what names @src in errors. */
int merge(struct ctgt_config *dst, struct ctgt_config *src, const char *what,
	  char *err, size_t errlen);
/** merge(), and then @src's top-level settings (state directory, limits,
 *  MaxConnections, discovery credentials: those it sets) over @dst's, so a
 *  clash changes nothing in @dst at all. */
int merge_with_settings(struct ctgt_config *dst, struct ctgt_config *src, const char *what,
			char *err, size_t errlen);

/**
 * A resource limit of struct ctgt_limits: its flag, its config.json key and
 * the values it takes. config_limits[] lists every limit, so adding one to
 * struct ctgt_limits takes one entry there (and its documentation).
 */
struct config_limit {
	const char *flag;	/**< "connection-limit" (given as --connection-limit) */
	const char *key;	/**< "connectionLimit" */
	size_t offset;		/**< of its unsigned field in struct ctgt_limits */
	uint64_t min, max;	/**< the values it takes (0, the default, never does) */
	bool size;		/**< a size: "64M" as well as a number of bytes */
};
extern const struct config_limit config_limits[];
extern const size_t config_nlimits;
/** The field of @lim that @l describes. */
unsigned *limit_slot(struct ctgt_limits *lim, const struct config_limit *l);
unsigned limit_get(const struct ctgt_limits *lim, const struct config_limit *l);

/* ---- moving parsed values into a config ------------------------------------ */

const struct ctgt_lun_cfg *find_lun(const struct ctgt_target_cfg *t, uint64_t lun);
/** Free what @t holds (not @t itself). */
void free_target(struct ctgt_target_cfg *t);
/** Move @src's credentials, if any, over @dst's; @src is left empty. */
void move_chap(struct ctgt_chap_cfg *dst, struct ctgt_chap_cfg *src);
/** Move the LUNs, credentials and rules of flag group @g into its target of
 *  @cfg (named by @g, else the default one), which @config (the --config
 *  file, for errors) may have defined. Returns 0 or -1 with @err. */
int place_group(struct ctgt_config *cfg, struct ctgt_target_cfg *g, const char *config,
		char *err, size_t errlen);
/** Each limit @fl gives (non-zero) replaces @cfg's. */
void apply_limits(struct ctgt_limits *cfg, const struct ctgt_limits *fl);
/** Check that @cfg has a LUN and give it the default portal if it has none.
 *  Returns 0 or -1 with @err. */
int finish_config(struct ctgt_config *cfg, char *err, size_t errlen);

#endif
