/* SPDX-License-Identifier: Apache-2.0 */
/*
 * ctgtadm: the administrator's client of the daemon's control socket
 * (daemon/control_proto.h). ctgtadm.c parses the command line, client.c
 * talks to the socket, print.c turns replies into tables, stats.c is the
 * iostat-like "stats" loop.
 */
#ifndef CTGT_TOOLS_CTGTADM_H
#define CTGT_TOOLS_CTGTADM_H

#include <stdbool.h>
#include <stdio.h>

#include <jansson.h>

/** Send request @command with @args (a new reference taken over; NULL:
 *  none) to the socket @path. Returns the reply, or NULL after a message
 *  on stderr (cannot connect, no valid reply). */
json_t *adm_request(const char *path, const char *command, json_t *args);

/** Send the line @text as it is; print the reply line. 0 when it says ok,
 *  else 1. */
int adm_raw(const char *path, const char *text);

/** The "result" of @reply, or NULL after printing its error on stderr
 *  (prefixed by @what). */
json_t *adm_result(json_t *reply, const char *what);

void print_targets(FILE *out, json_t *result);
void print_sessions(FILE *out, json_t *result);
void print_version(FILE *out, json_t *result);
void print_lun_stats(FILE *out, json_t *result);
void print_luns(FILE *out, json_t *result);
void print_luns_one(FILE *out, json_t *result);
void print_removed(FILE *out, json_t *result);
void print_logout(FILE *out, json_t *result);
void print_target_added(FILE *out, json_t *result);
void print_target_removed(FILE *out, json_t *result);
void print_portals(FILE *out, json_t *result);
void print_portal_added(FILE *out, json_t *result);
void print_portal_removed(FILE *out, json_t *result);
void print_saved(FILE *out, json_t *result);
void print_acl(FILE *out, json_t *result);
void print_acl_changed(FILE *out, json_t *result);
void print_chap_set(FILE *out, json_t *result);
void print_checked(FILE *out, json_t *result);
void print_reloaded(FILE *out, json_t *result);

/** "stats [--once] [--interval S] [--count N] [IQN]": per LU rates from
 *  "lun stats" taken S seconds apart, N times (--once: one interval;
 *  default: until interrupted). Returns the exit status. */
int adm_stats(const char *path, int argc, char **argv, bool as_json);

#endif
