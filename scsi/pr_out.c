/* SPDX-License-Identifier: Apache-2.0 */
/*
 * PERSISTENT RESERVE OUT (SPC-4 6.16, 5.13.5-5.13.11): REGISTER, REGISTER
 * AND IGNORE EXISTING KEY, RESERVE, RELEASE, CLEAR, PREEMPT, PREEMPT AND
 * ABORT and REGISTER AND MOVE.
 *
 * prepare checks the CDB and sizes the parameter data; execute decodes the
 * parameter data (struct prout) and runs the service action. A service
 * action either fails before it changes anything or completes, so there is
 * never half an update. Every change is written to the APTPL file
 * (pr_save()) before the command completes.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "scsi/pr.h"
#include "scsi/sense.h"
#include "util/endian.h"
#include "util/log.h"

#define PROUT_BASIC	24u		/* the basic parameter list */
#define PROUT_MAX	(64u * 1024)	/* most parameter data we take */
#define TID_MAX		64u		/* TransportIDs in one SPEC_I_PT list */

enum {
	SA_REGISTER = 0, SA_RESERVE, SA_RELEASE, SA_CLEAR, SA_PREEMPT,
	SA_PREEMPT_ABORT, SA_REGISTER_IGNORE, SA_REGISTER_MOVE,
};

struct prout {
	struct scsi_task *task;
	struct scsi_lu *lu;
	struct pr_state *pr;
	const struct scsi_itn *itn;
	const uint8_t *p;	/* parameter data */
	uint32_t len;		/* bytes of it received */
	uint64_t rk, sark;	/* RESERVATION KEY, SERVICE ACTION RESERVATION KEY */
	uint8_t type;
	bool spec_i_pt, all_tg_pt, aptpl;
	struct pr_reg *me;	/* the registration of this nexus */
};

static bool sa_has_type(uint8_t sa)
{
	return sa == SA_RESERVE || sa == SA_RELEASE || sa == SA_PREEMPT || sa == SA_PREEMPT_ABORT;
}

int spc_prout_prepare(struct scsi_task *task)
{
	const uint8_t *cdb = task->cdb;
	uint8_t sa = cdb[1] & 0x1f;
	uint32_t len = get_be32(&cdb[5]);

	if (sa_has_type(sa)) {
		if (cdb[2] >> 4)			/* SCOPE: only LU_SCOPE */
			return sense_invalid_cdb(task, 2, 7);
		if (!pr_type_valid(cdb[2] & 0x0f))
			return sense_invalid_cdb(task, 2, 3);
	}
	/* Only REGISTER (SPEC_I_PT), REGISTER AND IGNORE EXISTING KEY (to
	 * report SPEC_I_PT as an invalid field) and REGISTER AND MOVE take
	 * more than the basic 24 bytes. */
	if (len < PROUT_BASIC || len > PROUT_MAX ||
	    (len != PROUT_BASIC && sa != SA_REGISTER && sa != SA_REGISTER_IGNORE &&
	     sa != SA_REGISTER_MOVE))
		return sense_check(task, SENSE_ILLEGAL_REQUEST, ASC_PARAM_LIST_LENGTH_ERROR);
	if (task_alloc_buf(task, len, true))
		return SCSI_TASK_COMPLETE;
	task->data_out_len = len;
	return SCSI_TASK_READY;
}

/* A save that fails keeps failing (a full disk, a directory gone) on every
 * PERSISTENT RESERVE OUT of every initiator: the error is logged when saving
 * starts failing, and once more when it works again. */
static void changed(struct prout *o, bool bump)
{
	struct pr_state *pr = o->pr;
	int rc;

	if (bump)
		pr->generation++;
	rc = pr_save(pr);
	if (rc < 0 && !pr->save_failing)	/* the state stands; only its persistence failed */
		LOG_ERR("scsi", "LUN %llu: cannot save the reservations to %s: %s (not logged "
			"again until saving works)", (unsigned long long)o->lu->lun, pr->file,
			strerror(-rc));
	else if (rc == 0 && pr->save_failing)
		LOG_INFO("scsi", "LUN %llu: saving the reservations to %s works again",
			 (unsigned long long)o->lu->lun, pr->file);
	pr->save_failing = rc < 0;
}

static int invalid_param(struct prout *o, unsigned byte)
{
	return sense_invalid_param(o->task, byte);
}

/* INVALID FIELD IN PARAMETER LIST at one bit (BPV=1). */
static int invalid_param_bit(struct prout *o, unsigned byte, unsigned bit)
{
	sense_invalid_param(o->task, byte);
	o->task->sense[15] |= (uint8_t)(0x08 | (bit & 7));
	return SCSI_TASK_COMPLETE;
}

static int plle(struct prout *o)
{
	return sense_check(o->task, SENSE_ILLEGAL_REQUEST, ASC_PARAM_LIST_LENGTH_ERROR);
}

/*
 * Decode the iSCSI TransportID at @t (@avail bytes there) into @out (the
 * initiator port name, or the initiator name for format 00b). Returns its
 * length, or 0 when it is malformed.
 */
static uint32_t parse_tid(const uint8_t *t, uint32_t avail, char out[PR_PORT_MAX])
{
	uint32_t addl, n;
	const uint8_t *nul;
	bool has_isid;
	uint8_t fmt;

	/* Not even the header arrived: nothing of it is read. */
	if (avail < 4)
		return 0;
	fmt = t[0] >> 6;
	if ((t[0] & 0x0f) != 0x05 || fmt > 1 || (t[0] & 0x30))
		return 0;
	addl = get_be16(&t[2]);
	/* SPC-4 7.5.4.6: at least 20 bytes of name, a multiple of four. */
	if (addl < 20 || addl % 4 || 4 + addl > avail)
		return 0;
	nul = memchr(&t[4], 0, addl);
	if (!nul)
		return 0;
	n = (uint32_t)(nul - &t[4]);
	if (n == 0 || n >= PR_PORT_MAX)
		return 0;
	for (uint32_t i = 0; i < n; i++) {
		if (t[4 + i] <= 0x20 || t[4 + i] > 0x7e)
			return 0;
	}
	memcpy(out, &t[4], n);
	out[n] = '\0';
	has_isid = strstr(out, ",i,0x") != NULL;
	if (has_isid != (fmt == 1) || (has_isid && strstr(out, ",i,0x")[5] == '\0'))
		return 0;
	return 4 + addl;
}

static struct pr_reg *new_reg(const struct prout *o, const char *init_port, uint64_t key)
{
	struct pr_reg *r = calloc(1, sizeof(*r));

	if (!r)
		return NULL;
	r->key = key;
	snprintf(r->init_port, sizeof(r->init_port), "%s", init_port);
	snprintf(r->target_port, sizeof(r->target_port), "%s", o->itn->target_port);
	r->rel_port_id = o->itn->rel_port_id;
	r->all_tg_pt = o->all_tg_pt;
	return r;
}

static int no_resources(struct prout *o, struct pr_reg **regs, unsigned n)
{
	for (unsigned i = 0; i < n; i++)
		free(regs[i]);
	return sense_check(o->task, SENSE_ILLEGAL_REQUEST, ASC_INSUFFICIENT_REG_RESOURCES);
}

/* The registration that names exactly this initiator port (or device) and
 * target port, or NULL. */
static struct pr_reg *find_exact(struct pr_state *pr, const char *init_port,
				 const char *target_port)
{
	struct list_node *pos, *tmp;

	list_for_each_safe(pos, tmp, &pr->regs) {
		struct pr_reg *r = container_of(pos, struct pr_reg, node);

		if (strcasecmp(r->init_port, init_port) == 0 &&
		    (r->all_tg_pt || strcasecmp(r->target_port, target_port) == 0))
			return r;
	}
	return NULL;
}

/*
 * SPEC_I_PT: register this nexus and every initiator port of the
 * TransportID list, all or none (SPC-4 6.16.3).
 */
static int register_spec_i_pt(struct prout *o)
{
	struct pr_reg *regs[TID_MAX + 1];
	uint32_t tlen, off, end;
	unsigned n = 0;
	char name[PR_PORT_MAX];

	if (o->len < PROUT_BASIC + 4)
		return plle(o);
	tlen = get_be32(&o->p[24]);
	end = PROUT_BASIC + 4 + tlen;
	if (end > o->len || end < tlen)
		return plle(o);
	for (off = PROUT_BASIC + 4; off < end; ) {
		uint32_t l = parse_tid(&o->p[off], end - off, name);
		bool dup = false;

		if (!l) {
			for (unsigned i = 0; i < n; i++)
				free(regs[i]);
			return invalid_param(o, off);
		}
		/* Naming this nexus again adds nothing; naming one that is
		 * registered already is an error. */
		if (strcasecmp(name, o->itn->initiator_port) == 0)
			dup = true;
		for (unsigned i = 0; i < n && !dup; i++)
			dup = strcasecmp(regs[i]->init_port, name) == 0;
		if (!dup && find_exact(o->pr, name, o->itn->target_port)) {
			for (unsigned i = 0; i < n; i++)
				free(regs[i]);
			return invalid_param(o, off);
		}
		if (!dup) {
			if (n == TID_MAX || !(regs[n] = new_reg(o, name, o->sark)))
				return no_resources(o, regs, n);
			n++;
		}
		off += l;
	}
	if (!pr_reg_room(o->lu, n + 1))
		return no_resources(o, regs, n);
	if (!(regs[n] = new_reg(o, o->itn->initiator_port, o->sark)))
		return no_resources(o, regs, n);
	pr_reg_add(o->pr, regs[n]);
	for (unsigned i = 0; i < n; i++)
		pr_reg_add(o->pr, regs[i]);
	return SCSI_TASK_READY;
}

static int do_register(struct prout *o, bool ignore)
{
	struct pr_state *pr = o->pr;

	if (!ignore && o->rk != (o->me ? o->me->key : 0))
		return pr_conflict(o->task);
	if (o->spec_i_pt && o->me)	/* SPC-4 6.16.3: only from a new nexus */
		return sense_check(o->task, SENSE_ILLEGAL_REQUEST, ASC_INVALID_FIELD_IN_CDB);
	if (!o->spec_i_pt && o->len != PROUT_BASIC)
		return plle(o);
	if (!o->me) {
		if (o->sark == 0)	/* unregistering what is not registered */
			return task_good(o->task);
		if (o->spec_i_pt) {
			if (register_spec_i_pt(o) != SCSI_TASK_READY)
				return SCSI_TASK_COMPLETE;
		} else {
			struct pr_reg *r = pr_reg_room(o->lu, 1) ?
					   new_reg(o, o->itn->initiator_port, o->sark) : NULL;

			if (!r)
				return no_resources(o, NULL, 0);
			pr_reg_add(pr, r);
		}
	} else if (o->sark == 0) {
		bool ro_holder = pr->holder == o->me &&
				 (pr->type == PR_WE_RO || pr->type == PR_EA_RO);

		pr_reg_remove(pr, o->me);
		o->me = NULL;
		/* SPC-4 5.13.11.2.3: a registrants-only reservation goes with
		 * its holder, and every registrant hears of it. */
		if (ro_holder)
			pr_ua_registered(o->lu, o->itn, ASC_RESERVATIONS_RELEASED);
	} else {
		o->me->key = o->sark;
	}
	pr->aptpl = o->aptpl;	/* the last REGISTER decides */
	changed(o, true);
	return task_good(o->task);
}

static int do_reserve(struct prout *o)
{
	struct pr_state *pr = o->pr;

	if (!o->me || o->me->key != o->rk)
		return pr_conflict(o->task);
	if (pr->reserved) {
		/* The holder may repeat its RESERVE; nothing else may. */
		if (pr_is_holder(pr, o->itn) && pr->type == o->type)
			return task_good(o->task);
		return pr_conflict(o->task);
	}
	pr->reserved = true;
	pr->type = o->type;
	pr->holder = pr_type_all_reg(o->type) ? NULL : o->me;
	changed(o, false);
	return task_good(o->task);
}

static int do_release(struct prout *o)
{
	struct pr_state *pr = o->pr;
	uint8_t old;

	if (!o->me || o->me->key != o->rk)
		return pr_conflict(o->task);
	if (!pr_is_holder(pr, o->itn))
		return task_good(o->task);	/* nothing of ours to release */
	if (pr->type != o->type)
		return sense_check(o->task, SENSE_ILLEGAL_REQUEST, ASC_INVALID_RELEASE_OF_PR);
	old = pr->type;
	pr->reserved = false;
	pr->holder = NULL;
	pr->type = 0;
	if (old != PR_WE && old != PR_EA)
		pr_ua_registered(o->lu, o->itn, ASC_RESERVATIONS_RELEASED);
	changed(o, false);
	return task_good(o->task);
}

/* Remove every registration but ours with @key (any key when @all);
 * their nexuses get unit attention @asc (0: none). Returns how many went. */
static unsigned remove_regs(struct prout *o, uint64_t key, bool all, uint16_t asc, bool abort)
{
	struct list_node *pos, *tmp;
	unsigned n = 0;

	list_for_each_safe(pos, tmp, &o->pr->regs) {
		struct pr_reg *r = container_of(pos, struct pr_reg, node);

		if (r == o->me || (!all && r->key != key))
			continue;
		if (asc)
			pr_ua_reg(o->lu, r, asc, abort);
		pr_reg_remove(o->pr, r);
		n++;
	}
	return n;
}

static int do_clear(struct prout *o)
{
	if (!o->me || o->me->key != o->rk)
		return pr_conflict(o->task);
	pr_ua_registered(o->lu, o->itn, ASC_RESERVATIONS_PREEMPTED);
	o->pr->reserved = false;
	o->pr->holder = NULL;
	o->pr->type = 0;
	remove_regs(o, 0, true, 0, false);	/* they have RESERVATIONS PREEMPTED */
	pr_reg_remove(o->pr, o->me);
	o->me = NULL;
	changed(o, true);
	return task_good(o->task);
}

static int do_preempt(struct prout *o, bool abort)
{
	struct pr_state *pr = o->pr;
	bool all_reg = pr->reserved && pr_type_all_reg(pr->type);
	uint8_t old;

	if (!o->me || o->me->key != o->rk)
		return pr_conflict(o->task);
	if (!pr->reserved || (all_reg && o->sark) ||
	    (!all_reg && pr->holder->key != o->sark)) {
		/* Only registrations are preempted (SPC-4 5.13.11.4.4). */
		if (o->sark == 0)
			return invalid_param(o, 8);
		if (!remove_regs(o, o->sark, false, ASC_REGISTRATIONS_PREEMPTED, abort))
			return pr_conflict(o->task);
		changed(o, true);
		return task_good(o->task);
	}
	/* The reservation is preempted too (5.13.11.4.3): the preempted
	 * registrations go, and this nexus holds the new reservation. */
	old = pr->type;
	remove_regs(o, o->sark, all_reg, ASC_REGISTRATIONS_PREEMPTED, abort);
	pr->reserved = true;
	pr->type = o->type;
	pr->holder = pr_type_all_reg(o->type) ? NULL : o->me;
	if (old != o->type)
		pr_ua_registered(o->lu, o->itn, ASC_RESERVATIONS_RELEASED);
	changed(o, true);
	return task_good(o->task);
}

static int do_register_move(struct prout *o)
{
	struct pr_state *pr = o->pr;
	char name[PR_PORT_MAX], tport[PR_PORT_MAX];
	uint32_t tlen = get_be32(&o->p[20]);
	uint16_t rel = get_be16(&o->p[18]);
	bool unreg = o->p[17] & 0x02;
	struct pr_reg *dest;

	if (PROUT_BASIC + (uint64_t)tlen > o->len)
		return plle(o);
	if (!o->me || o->me->key != o->rk || !pr_is_holder(pr, o->itn) ||
	    pr_type_all_reg(pr->type))
		return pr_conflict(o->task);
	if (o->sark == 0)
		return invalid_param(o, 8);
	if (rel == 0)
		return invalid_param(o, 18);
	if (!parse_tid(&o->p[24], tlen, name))
		return invalid_param(o, 24);
	snprintf(tport, sizeof(tport), "%s,t,0x%04x", o->lu->tgt ? o->lu->tgt->name : "", rel);
	if (strcasecmp(name, o->itn->initiator_port) == 0 &&
	    strcasecmp(tport, o->itn->target_port) == 0)
		return invalid_param(o, 24);	/* moving to ourselves */
	dest = find_exact(pr, name, tport);
	if (!dest) {
		dest = pr_reg_room(o->lu, 1) ? new_reg(o, name, o->sark) : NULL;
		if (!dest)
			return no_resources(o, NULL, 0);
		snprintf(dest->target_port, sizeof(dest->target_port), "%s", tport);
		dest->rel_port_id = rel;
		dest->all_tg_pt = false;
		pr_reg_add(pr, dest);
	}
	pr->holder = dest;
	if (unreg) {
		pr_reg_remove(pr, o->me);
		o->me = NULL;
	}
	pr->aptpl = o->aptpl;	/* the last REGISTER decides */
	changed(o, true);
	return task_good(o->task);
}

int spc_prout(struct scsi_task *task)
{
	uint8_t sa = task->cdb[1] & 0x1f;
	struct prout o = {
		.task = task, .lu = task->lu, .pr = task->lu->pr, .itn = task->itn,
		.p = task->buf, .type = task->cdb[2] & 0x0f,
	};

	o.len = task_dout_received(task);
	if (o.len < PROUT_BASIC)
		return plle(&o);
	if (!o.itn)
		return pr_conflict(task);
	o.rk = get_be64(&o.p[0]);
	o.sark = get_be64(&o.p[8]);
	if (sa == SA_REGISTER_MOVE) {
		o.aptpl = o.p[17] & 0x01;
	} else {
		o.spec_i_pt = o.p[20] & 0x08;
		o.all_tg_pt = o.p[20] & 0x04;
		o.aptpl = o.p[20] & 0x01;
	}
	/* SPEC_I_PT belongs to REGISTER alone (SPC-4 6.16.3). */
	if (o.spec_i_pt && sa != SA_REGISTER)
		return invalid_param_bit(&o, 20, 3);
	if (o.aptpl && !o.pr->file &&
	    (sa == SA_REGISTER || sa == SA_REGISTER_IGNORE || sa == SA_REGISTER_MOVE))
		return invalid_param_bit(&o, sa == SA_REGISTER_MOVE ? 17 : 20, 0);
	o.me = pr_reg_of(o.pr, o.itn);
	switch (sa) {
	case SA_REGISTER:
		return do_register(&o, false);
	case SA_REGISTER_IGNORE:
		return do_register(&o, true);
	case SA_RESERVE:
		return do_reserve(&o);
	case SA_RELEASE:
		return do_release(&o);
	case SA_CLEAR:
		return do_clear(&o);
	case SA_PREEMPT:
		return do_preempt(&o, false);
	case SA_PREEMPT_ABORT:
		return do_preempt(&o, true);
	default:
		return do_register_move(&o);
	}
}
