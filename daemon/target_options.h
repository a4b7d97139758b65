/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The settings of a target, and of the discovery sessions, described once.
 * target_options[] (target_options.c) lists every setting of a struct
 * ctgt_target_cfg a user gives besides its LUs (--lun, lu_options.h) and
 * portal groups ("tpgts"): its flag, its config.json key, its kind, its
 * field, whether a reload and the access commands change it live, whether
 * it holds a secret, and its help text. discovery_options[] does the same
 * for the discovery credentials, settings of struct ctgt_config.
 *
 * Everything that reads or writes these settings goes through the tables:
 * the flag parser (flags.c), the loader of config.json with its list of
 * known keys (config_json.c), `save` (config_save.c), the moving of flag
 * groups into targets and the freeing (config.c), the usage text and
 * hide_secrets() (main.c), and the keys a reload changes live (reload.c).
 * A setting of an existing kind is one entry here; a new kind is code in
 * each of them too, and every switch on enum topt_kind stops the build
 * (-Wswitch) until it has its case.
 *
 * Not in the tables: the LUs (their flag and key reach storages by
 * deviceID; lu_options.h has their options), "tpgts" (it names portals by
 * their id in "iscsiportals" and so tags the portals, not the target) and
 * the portals (the "iscsiportals" array of {id, portal}, loaded around the
 * targets whose "tpgts" refer to it). The control socket's `acl` and `chap
 * set` commands have their own argument syntax (chap=USER:SECRET) and
 * reply keys ("chap_user"): a protocol, not configuration.
 *
 * Internal to daemon/; runs on the thread that parses or holds the
 * configuration. Nothing here allocates but topt_move()'s arrays.
 */
#ifndef CTGT_DAEMON_TARGET_OPTIONS_H
#define CTGT_DAEMON_TARGET_OPTIONS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "daemon/config.h"

enum topt_kind {
	TOPT_BOOL,		/* bool: a bare flag; true or false in JSON */
	TOPT_CHAP,		/* struct ctgt_chap_cfg: --FLAG USER:SECRET (once);
				 * {"user", "secret"} in JSON */
	TOPT_RULES,		/* char ** and its count: a repeatable flag, each
				 * an access rule (IQN or CIDR); a JSON array */
	TOPT_INITIATORS,	/* struct ctgt_initiator_cfg * and its count: JSON
				 * only, {NAME: {"chap", "luns"}} */
};

struct target_opt {
	const char *flag;	/* "mutual-chap" (--mutual-chap); NULL: config.json only */
	const char *key;	/* config.json key ("mutualChap"); NULL ends a table */
	enum topt_kind kind;
	size_t offset;		/* of its field in the struct the table describes */
	size_t count;		/* RULES, INITIATORS: of the size_t that counts them */
	const char *arg;	/* what the flag takes, for the usage ("USER:SECRET") */
	const char *needs;	/* the key of the setting it needs (mutual CHAP: the
				 * initiators' CHAP); the usage nests it in that one */
	bool access;		/* changed live: by `acl` / `chap set` and by a reload */
	bool secret;		/* holds a secret: hidden from ps, never in a message */
	const char *help;	/* one line for --help */
};

/* Over struct ctgt_target_cfg; the flags follow --target. */
extern const struct target_opt target_options[];
/* Over struct ctgt_config (the top level of config.json). */
extern const struct target_opt discovery_options[];

static inline void *topt_field(const struct target_opt *o, void *base)
{
	return (char *)base + o->offset;
}

static inline const void *topt_cfield(const struct target_opt *o, const void *base)
{
	return (const char *)base + o->offset;
}

/** RULES, INITIATORS: the number of elements at topt_field(). */
static inline size_t *topt_count(const struct target_opt *o, void *base)
{
	return (size_t *)((char *)base + o->count);
}

/** RULES, INITIATORS: that number; 0 for the other kinds. */
static inline size_t topt_n(const struct target_opt *o, const void *base)
{
	if (o->kind != TOPT_RULES && o->kind != TOPT_INITIATORS)
		return 0;
	return *(const size_t *)((const char *)base + o->count);
}

/** The entry of @tab whose flag is @name (@len bytes), or NULL. */
const struct target_opt *topt_find_flag(const struct target_opt *tab, const char *name,
					size_t len);

/** The entry of @tab whose config.json key is @key, or NULL. */
const struct target_opt *topt_find_key(const struct target_opt *tab, const char *key);

/** Whether @base (the struct @o describes) has setting @o: credentials,
 *  a rule, an initiator, true. What `save` writes. */
bool topt_is_set(const struct target_opt *o, const void *base);

/** Move setting @o of @src over @dst's, where @src has it: credentials
 *  replace, true stays, rules and initiators are appended. @src keeps
 *  none. 0, or -1 when out of memory (@src then keeps what did not move). */
int topt_move(const struct target_opt *o, void *dst, void *src);

/** Free setting @o of @base (secrets wiped) and leave it unset. */
void topt_free(const struct target_opt *o, void *base);

/** Whether @o's setting of @base goes with the one it needs (@tab holds
 *  both): NULL, or why not (config_chap_problem()). */
const char *topt_problem(const struct target_opt *tab, const struct target_opt *o,
			 const void *base);

/** The synopsis of @tab's flags ("[--chap USER:SECRET [--mutual-chap
 *  USER:SECRET]] [--allow IQN|CIDR]..."), each group after a space, from
 *  column *@col on, a group that would pass column 80 on a new line
 *  indented by @indent; *@col is where it ended. */
void topt_usage(FILE *out, const struct target_opt *tab, int *col, int indent);

/** @title, then one line per setting of @tab: its flag (or "(config.json
 *  only)"), its config.json key, and its help below. */
void topt_help(FILE *out, const char *title, const struct target_opt *tab);

#endif
