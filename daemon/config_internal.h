/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Helpers shared by the two halves of the configuration code: config.c
 * (flags, validation, the config model) and config_json.c (gotgt JSON).
 * Internal to daemon/.
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
const char *add_allow(struct ctgt_target_cfg *t, const char *rule);
/** @c from @user (@ulen bytes) and @secret, copied and checked; NULL or why not. */
const char *config_set_chap(struct ctgt_chap_cfg *c, const char *user, size_t ulen,
			    const char *secret);
int merge(struct ctgt_config *dst, struct ctgt_config *src, const char *what,
		 char *err, size_t errlen);

#endif
