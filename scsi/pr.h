/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Reservations of one logical unit (SPC-4 5.13): the persistent
 * registrations and reservation, and the SPC-2 RESERVE/RELEASE reservation.
 *
 * Internal to the pr*.c and reserve.c files. All of it is touched only on the
 * task thread (commands, nexus loss, resets; scsi/scsi.h), so it has no lock
 * of its own: a reset that holds tgt->lock touches it as the task thread.
 *
 * A registration belongs to an initiator port name and a target port, not to
 * a live I_T nexus: SPEC_I_PT and REGISTER AND MOVE can register an initiator
 * port that has not logged in yet, and the registration applies to every
 * session it opens later through that target port (or through any target
 * port when ALL_TG_PT was set).
 */
#ifndef CTGT_SCSI_PR_H
#define CTGT_SCSI_PR_H

#include <stdbool.h>
#include <stdint.h>

#include "scsi/internal.h"
#include "util/list.h"

#define PR_PORT_MAX	(SCSI_NAME_MAX + 32)
/* Nexus -> registration cache slots per LU (pr_reg_of()). */
#define PR_CACHE_SLOTS	64u

/* Persistent reservation types (TYPE field of PERSISTENT RESERVE OUT). */
enum {
	PR_WE = 1,		/* write exclusive */
	PR_EA = 3,		/* exclusive access */
	PR_WE_RO = 5,		/* write exclusive, registrants only */
	PR_EA_RO = 6,		/* exclusive access, registrants only */
	PR_WE_AR = 7,		/* write exclusive, all registrants */
	PR_EA_AR = 8,		/* exclusive access, all registrants */
};

struct pr_reg {
	struct list_node node;
	uint64_t key;
	/** "name,i,0x<ISID>", or only "name" (a TransportID of format 00b:
	 *  every initiator port of that iSCSI initiator device). */
	char init_port[PR_PORT_MAX];
	char target_port[PR_PORT_MAX];	/**< "name,t,0x<TPGT>" */
	uint16_t rel_port_id;
	bool all_tg_pt;			/**< registered through every target port */
};

/* Which registration (or none) applies to nexus itn_id, valid while the
 * registration set is still at @epoch. */
struct pr_cache_slot {
	uint64_t itn_id;
	uint64_t epoch;
	struct pr_reg *reg;
};

struct pr_state {
	struct list_node regs;		/**< struct pr_reg, in registration order */
	unsigned nregs;
	unsigned max_regs;		/**< REGISTER beyond it: 55/04 */
	/* The reservation check runs on every command: it finds the nexus'
	 * registration in a direct-mapped cache (slot = nexus id modulo
	 * PR_CACHE_SLOTS; ids are sequential, so up to 64 live nexuses of a
	 * LU never evict one another) instead of comparing port names with
	 * every registration. Adding or removing a registration bumps
	 * @epoch, which invalidates every slot: no slot points to a freed
	 * registration. */
	uint64_t epoch;
	struct pr_cache_slot cache[PR_CACHE_SLOTS];
	uint64_t full_log_ns;		/**< when "registrations full" may be logged again */
	unsigned full_refused;		/**< REGISTERs refused since that line */
	unsigned long scans;		/**< registration list walks of pr_reg_of() */
	uint32_t generation;		/**< PRgeneration */
	bool reserved;			/**< a persistent reservation exists */
	uint8_t type;			/**< its type (scope is always LU) */
	struct pr_reg *holder;		/**< its holder; NULL for the all-registrants types */
	bool aptpl;			/**< persist through power loss (pr_file) */
	char *file;			/**< APTPL state file, NULL: APTPL unsupported */
	bool save_failing;		/**< the last save failed (and was logged) */
	bool r2_held;			/**< SPC-2 RESERVE reservation */
	uint64_t r2_itn;		/**< its holder (scsi_itn.id) */
};

/* pr.c: state, matching, unit attentions, the conflict check */
bool pr_type_valid(uint8_t type);
bool pr_type_all_reg(uint8_t type);
/** True when registration @r applies to the I_T nexus @itn. */
bool pr_reg_matches(const struct pr_reg *r, const struct scsi_itn *itn);
/** The registration of @itn on @pr, or NULL. */
struct pr_reg *pr_reg_of(struct pr_state *pr, const struct scsi_itn *itn);
/** True when @itn holds the persistent reservation. */
bool pr_is_holder(struct pr_state *pr, const struct scsi_itn *itn);
/** True when @n more registrations fit under @lu's limit; otherwise
 *  logs (at most once a minute per LU) and returns false. */
bool pr_reg_room(struct scsi_lu *lu, unsigned n);
/** Add a registration (the caller filled it); takes ownership. */
void pr_reg_add(struct pr_state *pr, struct pr_reg *r);
/** Remove and free @r; a reservation it held is released (all-registrants
 *  types: when the last registration goes). */
void pr_reg_remove(struct pr_state *pr, struct pr_reg *r);
/** Unit attention @asc on @lu for every nexus that @r applies to. With
 *  @abort, their tasks on @lu are aborted too. */
void pr_ua_reg(struct scsi_lu *lu, const struct pr_reg *r, uint16_t asc, bool abort);
/** Unit attention @asc for every registered nexus except @except. */
void pr_ua_registered(struct scsi_lu *lu, const struct scsi_itn *except, uint16_t asc);
/** RESERVATION CONFLICT status; returns SCSI_TASK_COMPLETE. */
int pr_conflict(struct scsi_task *task);

/* pr_persist.c */
/** Write @pr to its file when APTPL is set, else remove the file.
 *  Returns 0 or -errno. */
int pr_save(const struct pr_state *pr);
/** Load @pr->file (a missing file is an empty state). A file that cannot
 *  be read or parsed is moved aside and logged, and @pr stays empty (its
 *  file NULL when it could not be moved). Returns 0, or -1 when out of
 *  memory. @lun is for the log. */
int pr_load(struct pr_state *pr, uint64_t lun);

/* pr_table.c */
/** True when @cdb from @itn, which does not hold it, conflicts with the
 *  persistent reservation @pr (SPC-4 table 5.13.1, SBC-3 table 4.17). */
bool pr_table_conflict(const uint8_t *cdb, const struct scsi_itn *itn, struct pr_state *pr);
/** True when the command may run while another nexus holds an SPC-2
 *  reservation. */
bool pr_table_r2_allowed(const uint8_t *cdb);

#endif
