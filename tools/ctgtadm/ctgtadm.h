/* SPDX-License-Identifier: Apache-2.0 */
/*
 * ctgtadm: the administrator's client of the daemon's control socket
 * (daemon/control_proto.h). ctgtadm.c parses the command line and talks
 * to the socket; print.c turns replies into tables.
 */
#ifndef CTGT_TOOLS_CTGTADM_H
#define CTGT_TOOLS_CTGTADM_H

#include <stdio.h>

#include <jansson.h>

/** Print the result of "target list" as a table on @out. */
void print_targets(FILE *out, json_t *result);

/** Print the result of "session list" as a table on @out. */
void print_sessions(FILE *out, json_t *result);

/** Print the result of "version" on @out. */
void print_version(FILE *out, json_t *result);

#endif
