/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Writing a struct ctgt_config back as ctgt's config.json (the format
 * config_json.c loads), for the control socket's "save": the file alone
 * rebuilds the same portals, targets, LUs, access rules, CHAP credentials
 * and settings, however the configuration was given (flags, a file, live
 * changes). Runs on the caller's thread; touches nothing but the file.
 *
 * What config.json has no key for is not written: --control (the
 * socket's path is how one reaches the daemon) stays a flag.
 */
#ifndef CTGT_DAEMON_CONFIG_SAVE_H
#define CTGT_DAEMON_CONFIG_SAVE_H

#include <stddef.h>

#include <jansson.h>

#include "daemon/config.h"

/**
 * @cfg as a config.json document: "storages" (one per LU, deviceID 1, 2,
 * ... in target order, its options as lu_to_json() writes them),
 * "iscsiportals" (ids 0, 1, ...), "iscsitargets" (each with every portal
 * in "tpgts" under its tag, its "luns", and its access keys) and the
 * top-level settings that are not at their default. CHAP secrets are in
 * it. A new reference (the caller decrefs it); NULL when out of memory.
 */
json_t *config_to_json(const struct ctgt_config *cfg);

/**
 * config_to_json(@cfg) written to @path atomically: a temporary file in
 * @path's directory (mode 0600: it holds the secrets), written, fsync'ed,
 * renamed over @path, then the directory fsync'ed. 0, or -1 with a
 * one-line reason in @err (never a secret): then @path is as it was
 * (unless only the last step, the directory's fsync, failed: the message
 * says so) and no temporary file is left.
 */
int config_save(const struct ctgt_config *cfg, const char *path, char *err, size_t errlen);

#endif
