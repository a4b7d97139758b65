/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Reservation state of a logical unit: its life cycle, which registration
 * applies to which I_T nexus, the unit attentions that service actions
 * establish, and the check every command goes through (SPC-4 5.13, with the
 * SPC-2 RESERVE/RELEASE interactions of 5.13.3 for CRH=0).
 */
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "scsi/pr.h"
#include "scsi/sense.h"
#include "util/log.h"

int pr_lu_init(struct scsi_lu *lu, const char *file, unsigned max_regs)
{
	struct pr_state *pr = calloc(1, sizeof(*pr));

	if (!pr)
		return -1;
	list_init(&pr->regs);
	pr->max_regs = max_regs ? max_regs : SCSI_PR_MAX_REGS_DEFAULT;
	pr->epoch = 1;		/* the zeroed cache slots are stale */
	if (file && file[0]) {
		pr->file = strdup(file);
		if (!pr->file || pr_load(pr, lu->lun) < 0) {
			lu->pr = pr;
			pr_lu_free(lu);
			return -1;
		}
	}
	lu->pr = pr;
	return 0;
}

void pr_lu_free(struct scsi_lu *lu)
{
	struct pr_state *pr = lu->pr;
	struct list_node *pos, *tmp;

	if (!pr)
		return;
	list_for_each_safe(pos, tmp, &pr->regs)
		free(container_of(pos, struct pr_reg, node));
	free(pr->file);
	free(pr);
	lu->pr = NULL;
}

bool pr_type_valid(uint8_t type)
{
	return type == PR_WE || type == PR_EA || (type >= PR_WE_RO && type <= PR_EA_AR);
}

bool pr_type_all_reg(uint8_t type)
{
	return type == PR_WE_AR || type == PR_EA_AR;
}

/* Length of the iSCSI name part of an initiator port ("name,i,0x..."). */
static size_t name_len(const char *port)
{
	const char *sep = strstr(port, ",i,0x");

	return sep ? (size_t)(sep - port) : strlen(port);
}

bool pr_reg_matches(const struct pr_reg *r, const struct scsi_itn *itn)
{
	size_t n = name_len(r->init_port);

	if (!r->all_tg_pt && strcasecmp(r->target_port, itn->target_port) != 0)
		return false;
	/* iSCSI names and ISIDs compare without regard to case. */
	if (r->init_port[n] == '\0')	/* name only: any ISID */
		return n == name_len(itn->initiator_port) &&
		       strncasecmp(r->init_port, itn->initiator_port, n) == 0;
	return strcasecmp(r->init_port, itn->initiator_port) == 0;
}

static struct pr_reg *reg_scan(struct pr_state *pr, const struct scsi_itn *itn)
{
	struct list_node *pos, *tmp;

	list_for_each_safe(pos, tmp, &pr->regs) {
		struct pr_reg *r = container_of(pos, struct pr_reg, node);

		if (pr_reg_matches(r, itn))
			return r;
	}
	return NULL;
}

struct pr_reg *pr_reg_of(struct pr_state *pr, const struct scsi_itn *itn)
{
	struct pr_cache_slot *c;

	if (!itn)
		return NULL;
	c = &pr->cache[itn->id % PR_CACHE_SLOTS];
	if (c->epoch != pr->epoch || c->itn_id != itn->id) {
		pr->scans++;
		c->reg = reg_scan(pr, itn);
		c->itn_id = itn->id;
		c->epoch = pr->epoch;
	}
	return c->reg;
}

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

bool pr_reg_room(struct scsi_lu *lu, unsigned n)
{
	struct pr_state *pr = lu->pr;
	uint64_t now;

	if (pr->nregs <= pr->max_regs && n <= pr->max_regs - pr->nregs)
		return true;
	pr->full_refused++;
	now = now_ns();
	if (now >= pr->full_log_ns) {
		LOG_WARN("scsi", "LUN %llu: %u persistent reservation registrations, the "
			 "limit: %u REGISTER refused with INSUFFICIENT REGISTRATION RESOURCES",
			 (unsigned long long)lu->lun, pr->nregs, pr->full_refused);
		pr->full_refused = 0;
		pr->full_log_ns = now + 60ull * 1000000000u;	/* one line a minute */
	}
	return false;
}

bool pr_is_holder(struct pr_state *pr, const struct scsi_itn *itn)
{
	struct pr_reg *r;

	if (!pr->reserved)
		return false;
	r = pr_reg_of(pr, itn);
	if (!r)
		return false;
	return pr_type_all_reg(pr->type) || pr->holder == r;
}

void pr_reg_add(struct pr_state *pr, struct pr_reg *r)
{
	list_add_tail(&pr->regs, &r->node);
	pr->nregs++;
	pr->epoch++;
}

void pr_reg_remove(struct pr_state *pr, struct pr_reg *r)
{
	list_del(&r->node);
	pr->nregs--;
	pr->epoch++;
	/* SPC-4 5.13.11: unregistering the holder releases the reservation;
	 * an all-registrants reservation lasts while anyone is registered. */
	if (pr->reserved && (pr->holder == r ||
			     (pr_type_all_reg(pr->type) && pr->nregs == 0))) {
		pr->reserved = false;
		pr->holder = NULL;
		pr->type = 0;
	}
	free(r);
}

struct ua_match {
	struct pr_state *pr;
	const struct pr_reg *reg;	/* this registration's nexuses, or */
	const struct scsi_itn *except;	/* every registered one but this */
};

static bool ua_match(const struct scsi_itn *itn, void *arg)
{
	struct ua_match *m = arg;

	if (m->reg)
		return pr_reg_matches(m->reg, itn);
	if (m->except && m->except->id == itn->id)
		return false;
	return pr_reg_of(m->pr, itn) != NULL;
}

void pr_ua_reg(struct scsi_lu *lu, const struct pr_reg *r, uint16_t asc, bool abort)
{
	struct ua_match m = { .pr = lu->pr, .reg = r };
	uint64_t ids[64];
	unsigned n = tgt_ua_set_if(lu, ua_match, &m, asc, ids, 64);

	for (unsigned i = 0; abort && i < n && i < 64; i++)
		tgt_abort_tasks_of(lu, ids[i]);
}

void pr_ua_registered(struct scsi_lu *lu, const struct scsi_itn *except, uint16_t asc)
{
	struct ua_match m = { .pr = lu->pr, .except = except };

	tgt_ua_set_if(lu, ua_match, &m, asc, NULL, 0);
}

int pr_conflict(struct scsi_task *task)
{
	task->status = SCSI_STATUS_RESERVATION_CONFLICT;
	task->sense_len = 0;
	task->data_in_len = 0;
	return SCSI_TASK_COMPLETE;
}

/* RESERVE(6)/(10), RELEASE(6)/(10) */
static bool is_r2_cmd(uint8_t op)
{
	return op == 0x16 || op == 0x17 || op == 0x56 || op == 0x57;
}

/* Does @cdb from @itn conflict with the reservations of @pr? */
static bool conflicts(struct pr_state *pr, const uint8_t *cdb, const struct scsi_itn *itn)
{
	uint8_t op = cdb[0];

	if (pr->r2_held) {
		/* SPC-4 5.13.3: while a RESERVE reservation exists, every
		 * PERSISTENT RESERVE IN/OUT conflicts, whoever sends it. */
		if (op == 0x5e || op == 0x5f)
			return true;
		return !((itn && itn->id == pr->r2_itn) || pr_table_r2_allowed(cdb));
	}
	if (is_r2_cmd(op))	/* ...and RESERVE/RELEASE conflict with any registration */
		return pr->nregs || pr->reserved;
	if (!pr->reserved || !itn || pr_is_holder(pr, itn))
		return false;
	return pr_table_conflict(cdb, itn, pr);
}

int pr_check(struct scsi_task *task)
{
	struct pr_state *pr = task->lu->pr;

	if (pr && conflicts(pr, task->cdb, task->itn))
		return pr_conflict(task);
	return SCSI_TASK_READY;
}

bool pr_io_conflict(struct scsi_lu *lu, const struct scsi_itn *itn, bool write)
{
	/* READ(16) and WRITE(16): what the initiator would have sent. */
	uint8_t cdb[SCSI_CDB_MAX] = { write ? 0x8a : 0x88 };

	return lu->pr && conflicts(lu->pr, cdb, itn);
}

void pr_nexus_lost(struct scsi_lu *lu, const struct scsi_itn *itn)
{
	/* Persistent reservations survive I_T nexus loss; RESERVE does not. */
	if (lu->pr && lu->pr->r2_held && lu->pr->r2_itn == itn->id)
		lu->pr->r2_held = false;
}

void pr_lu_reset(struct scsi_lu *lu)
{
	if (lu->pr)
		lu->pr->r2_held = false;
}
