/* SPDX-License-Identifier: Apache-2.0 */
/*
 * A reload's plan (daemon/reload.c builds it, daemon/reload_apply.c
 * carries it out). Targets are named, never pointed at: the running
 * configuration's target array moves as targets come and go. Names are
 * the file's (its configuration lives until the reload ends), or copies
 * for the targets that go. Internal to daemon/.
 */
#ifndef CTGT_DAEMON_RELOAD_PLAN_H
#define CTGT_DAEMON_RELOAD_PLAN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "daemon/config.h"
#include "daemon/control.h"

/* One LU to add, grow or remove: LU @lun of target @target; @want the
 * file's LU (add, resize). */
struct change {
	const char *target;
	uint64_t lun;
	struct ctgt_lun_cfg *want;
	uint64_t from;		/* resize: the size now, in bytes */
};

struct plan {
	struct ctgt_portal_cfg **padd;	/* the file's portals the daemon lacks */
	size_t npadd;
	uint16_t *pbound;		/* the port each of them bound (apply) */
	struct ctgt_portal_cfg *pdrop;	/* running portals the file lacks (copies) */
	size_t npdrop;
	struct ctgt_target_cfg **tadd;	/* the file's targets the daemon lacks */
	size_t ntadd;
	struct ctgt_target_cfg **access; /* the file's targets, on both sides, whose
					  * access settings differ */
	size_t naccess;
	struct ctgt_target_cfg *old;	/* apply: their settings before (named copies) */
	size_t nold;
	struct ctgt_target_cfg old_disc; /* apply: the discovery CHAP before (owned) */
	bool discovery;			/* the discovery CHAP credentials differ: */
	struct ctgt_chap_cfg discovery_chap, discovery_mutual;	/* the file's (owned) */
	struct change *add, *grow, *drop;
	size_t nadd, ngrow, ndrop;
	char **tdrop;			/* running targets the file lacks (copies) */
	size_t ntdrop;
};

/* What got done: each step's count. */
struct done {
	size_t padd, tadd, access, add, grow, drop, tdrop, pdrop;
	bool disc;		/* the discovery credentials replaced */
	size_t resets;		/* targets whose allowTargetReset changed */
	bool settings;		/* the limits or the keep-alive changed */
};

/** The running target named @name, exactly as the file's keys compare. */
struct ctgt_target_cfg *reload_target(struct ctgt_config *cfg, const char *name);

/** LU @lun of target @tc (NULL: none), or NULL. */
struct ctgt_lun_cfg *reload_lun(struct ctgt_target_cfg *tc, uint64_t lun);

/** Carry out @p, and @want's limits, keep-alive and each target's
 *  allowTargetReset where they differ, on env->cfg and the server: 0, or -1 with why in @err
 *  (which says what had been done) and the counts in @d. */
int plan_apply(const struct control_env *env, struct plan *p, const struct ctgt_config *want,
	       struct done *d, char *err, size_t errlen);

#endif
