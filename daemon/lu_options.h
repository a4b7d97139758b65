/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The options of one LU, described once. lu_options[] (lu_options.c) lists
 * every setting of a struct ctgt_lun_cfg that a user gives: its --lun key,
 * its config.json key, its type, its field in struct ctgt_lu_params, its
 * help text and the values it takes. Everything that reads or writes LU
 * options goes through it: the --lun parser (flags.c), the storages of
 * config.json (config_json.c), the usage text (main.c), and the writers
 * below, which turn a LU back into a --lun value or a JSON object (for
 * `save` and `lun list`). lu_check() is the one validation of a LU's
 * settings as a whole, run by both parsers.
 *
 * Internal to daemon/; runs on the thread that parses the configuration.
 * Messages go into the caller's buffer (@why, @len), never allocated; a
 * parsed LU's path is malloc'ed and owned by the struct ctgt_lun_cfg
 * (freed with it by config_free() or the caller).
 */
#ifndef CTGT_DAEMON_LU_OPTIONS_H
#define CTGT_DAEMON_LU_OPTIONS_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "daemon/config.h"

/* Which spelling a message or a writer uses: --lun's or config.json's. */
enum lu_syntax { LU_SYNTAX_FLAG, LU_SYNTAX_JSON };

enum lu_opt_type {
	LU_OPT_SIZE,	/* uint64_t bytes > 0: "512M" or a number */
	LU_OPT_POW2,	/* uint32_t bytes, a power of two in [min, max] */
	LU_OPT_SHIFT,	/* uint32_t bytes given as their log2 in [min, max]
			 * (gotgt's blockShift); 0 is the default (512) */
	LU_OPT_BOOL,	/* bool: a bare word in --lun, true/false in JSON */
	LU_OPT_ENUM,	/* bool named by one of two words (io=uring|pool) */
};

struct lu_opt {
	const char *flag;	/* --lun key ("size", "thin"); NULL: JSON only */
	const char *key;	/* config.json key ("size", "thinProvisioning") */
	enum lu_opt_type type;
	size_t offset;		/* of its field in struct ctgt_lu_params */
	uint64_t min, max;	/* POW2, SHIFT: the values it takes */
	const char *on, *off;	/* ENUM: the words for true and false */
	const char *want;	/* what a good --lun value looks like, for errors */
	const char *help;	/* one line for --help */
	bool once;		/* a second one in one --lun is an error */
	bool nested;		/* the synopsis nests it in the option before
				 * ("[,io=uring[,direct]]"): it needs that one */
};

extern const struct lu_opt lu_options[];
extern const size_t lu_noptions;

/** The option @name (@len bytes) is the key of in @syn, or NULL. */
const struct lu_opt *lu_opt_find(enum lu_syntax syn, const char *name, size_t len);

/** A fresh LU: every option at its default (block size 512), no path. */
void lu_defaults(struct ctgt_lun_cfg *lun);

/**
 * A --lun value "N=PATH[,OPTION]..." into @lun (its path allocated), the
 * options checked with lu_check(). Returns 0, or -1 with why not in @why
 * (then @lun holds no path).
 */
int lu_parse_flag(const char *val, struct ctgt_lun_cfg *lun, char *why, size_t len);

/**
 * The LU keys of config.json object @obj (a storage) over @lun, whose path
 * (checked by lu_check()) the caller has set: each key of lu_options[] it
 * has, then lu_check(). Other keys are the caller's. Returns 0, or -1 with
 * why not in @why.
 */
int lu_load_json(json_t *obj, struct ctgt_lun_cfg *lun, char *why, size_t len);

/**
 * Whether @lun's settings go together (block sizes, size, io and direct,
 * bandwidth, the store type of its path). 0 when they do, else -1 with why
 * not in @why, naming the options as @syn spells them.
 */
int lu_check(const struct ctgt_lun_cfg *lun, enum lu_syntax syn, char *why, size_t len);

/**
 * @lun as a --lun value, "N=PATH" and its options that are not at their
 * default, in table order. Returns the length, or -1 when it does not fit
 * in @len or an option that --lun cannot give (block size) is set: then
 * @buf holds why.
 */
int lu_format_flag(const struct ctgt_lun_cfg *lun, char *buf, size_t len);

/** @lun as a config.json storage without "deviceID": "path" and its
 *  options not at their default. A new reference (NULL: out of memory). */
json_t *lu_to_json(const struct ctgt_lun_cfg *lun);

/** The --lun synopsis after "N=PATH" ("[,size=SIZE]...[,io=uring[,direct]]")
 *  into @buf; its length (truncated like snprintf when @len is short). */
size_t lu_synopsis(char *buf, size_t len);

/** The config.json keys, "blockShift, size, ..." into @buf; its length
 *  (truncated like snprintf when @len is short). */
size_t lu_json_keys(char *buf, size_t len);

/** "[--lun N=PATH" and the synopsis, wrapped at 80 columns with lines after
 *  the first indented by @indent + 9 spaces, then "]...\n". */
void lu_usage(FILE *out, int indent);

/** One line per option: its --lun form, its config.json key, its help. */
void lu_help(FILE *out);

#endif
