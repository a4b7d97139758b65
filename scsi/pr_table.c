/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Which commands a reservation lets through, by operation code and service
 * action: SPC-4 table "SPC commands that are allowed in the presence of
 * various reservations" (5.13.1) and SBC-3 table "SBC commands that are
 * allowed in the presence of various reservations" (4.17). It is kept here,
 * apart from the dispatch table of lu.c, so that a command can be added to
 * one without the other; a command missing here counts as one that
 * conflicts (the safe side: it may change the medium or the LU's state).
 *
 * Three classes cover the tables, for a nexus that does not hold the
 * reservation:
 *   ALLOW  allowed under every reservation type;
 *   READ   conflicts with Exclusive Access, and with the Exclusive Access
 *          registrants-only / all-registrants types unless registered;
 *   WRITE  conflicts with Write Exclusive and Exclusive Access, and with the
 *          registrants-only / all-registrants types unless registered.
 * A few commands depend on a CDB field (START STOP UNIT, PREVENT ALLOW).
 */
#include "scsi/pr.h"

enum pr_class { PR_C_WRITE = 0, PR_C_READ, PR_C_ALLOW, PR_C_START_STOP, PR_C_PREVENT };

struct pr_rule {
	uint8_t opcode;
	int16_t sa;		/* -1: any (no service action) */
	uint8_t cls;
	bool r2_ok;		/* also runs under another nexus's RESERVE */
};

static const struct pr_rule rules[] = {
	{ 0x00, -1, PR_C_ALLOW, false },	/* TEST UNIT READY */
	{ 0x03, -1, PR_C_ALLOW, true },		/* REQUEST SENSE */
	{ 0x08, -1, PR_C_READ, false },		/* READ(6) */
	{ 0x12, -1, PR_C_ALLOW, true },		/* INQUIRY */
	{ 0x17, -1, PR_C_ALLOW, true },		/* RELEASE(6): a no-op for others */
	{ 0x1a, -1, PR_C_WRITE, false },	/* MODE SENSE(6) */
	{ 0x1b, -1, PR_C_START_STOP, false },	/* START STOP UNIT */
	{ 0x1e, -1, PR_C_PREVENT, false },	/* PREVENT ALLOW MEDIUM REMOVAL */
	{ 0x25, -1, PR_C_ALLOW, false },	/* READ CAPACITY(10) */
	{ 0x28, -1, PR_C_READ, false },		/* READ(10) */
	{ 0x2f, -1, PR_C_READ, false },		/* VERIFY(10) */
	{ 0x34, -1, PR_C_READ, false },		/* PRE-FETCH(10) */
	{ 0x37, -1, PR_C_READ, false },		/* READ DEFECT DATA(10) */
	{ 0x4d, -1, PR_C_ALLOW, false },	/* LOG SENSE */
	{ 0x57, -1, PR_C_ALLOW, true },		/* RELEASE(10) */
	{ 0x5a, -1, PR_C_WRITE, false },	/* MODE SENSE(10) */
	{ 0x5e, -1, PR_C_ALLOW, false },	/* PERSISTENT RESERVE IN */
	{ 0x5f, -1, PR_C_ALLOW, false },	/* PERSISTENT RESERVE OUT: per service action */
	{ 0x88, -1, PR_C_READ, false },		/* READ(16) */
	{ 0x8f, -1, PR_C_READ, false },		/* VERIFY(16) */
	{ 0x90, -1, PR_C_READ, false },		/* PRE-FETCH(16) */
	{ 0x9e, 0x10, PR_C_ALLOW, false },	/* READ CAPACITY(16) */
	{ 0x9e, 0x12, PR_C_READ, false },	/* GET LBA STATUS */
	{ 0xa0, -1, PR_C_ALLOW, true },		/* REPORT LUNS */
	{ 0xa3, 0x05, PR_C_ALLOW, false },	/* REPORT IDENTIFYING INFORMATION */
	{ 0xa3, 0x0a, PR_C_ALLOW, false },	/* REPORT TARGET PORT GROUPS */
	{ 0xa3, 0x0b, PR_C_ALLOW, false },	/* REPORT ALIASES */
	{ 0xa3, 0x0c, PR_C_ALLOW, false },	/* REPORT SUPPORTED OPERATION CODES */
	{ 0xa3, 0x0d, PR_C_ALLOW, false },	/* REPORT SUPPORTED TASK MANAGEMENT FUNCTIONS */
	{ 0xa3, 0x0e, PR_C_ALLOW, false },	/* REPORT PRIORITY */
	{ 0xa3, 0x0f, PR_C_ALLOW, false },	/* REPORT TIMESTAMP */
	{ 0xa8, -1, PR_C_READ, false },		/* READ(12) */
	{ 0xab, 0x01, PR_C_ALLOW, false },	/* READ MEDIA SERIAL NUMBER */
	{ 0xaf, -1, PR_C_READ, false },		/* VERIFY(12) */
	{ 0xb7, -1, PR_C_READ, false },		/* READ DEFECT DATA(12) */
};

static const struct pr_rule *rule_of(const uint8_t *cdb)
{
	bool has_sa = lu_opcode_has_sa(cdb[0]);

	for (size_t i = 0; i < sizeof(rules) / sizeof(rules[0]); i++) {
		if (rules[i].opcode != cdb[0])
			continue;
		if (rules[i].sa < 0 || (has_sa && rules[i].sa == (cdb[1] & 0x1f)))
			return &rules[i];
	}
	return NULL;
}

static enum pr_class class_of(const uint8_t *cdb)
{
	const struct pr_rule *r = rule_of(cdb);

	if (!r)
		return PR_C_WRITE;
	switch (r->cls) {
	case PR_C_START_STOP:
		/* START=1 with POWER CONDITION 0 is allowed; stopping is not. */
		return ((cdb[4] & 0x01) && (cdb[4] >> 4) == 0) ? PR_C_ALLOW : PR_C_WRITE;
	case PR_C_PREVENT:
		return (cdb[4] & 0x03) == 0 ? PR_C_ALLOW : PR_C_WRITE;
	default:
		return (enum pr_class)r->cls;
	}
}

bool pr_table_conflict(const uint8_t *cdb, const struct scsi_itn *itn, struct pr_state *pr)
{
	enum pr_class cls = class_of(cdb);
	bool registered = pr_reg_of(pr, itn) != NULL;

	if (cls == PR_C_ALLOW)
		return false;
	switch (pr->type) {
	case PR_WE:
		return cls == PR_C_WRITE;
	case PR_EA:
		return true;
	case PR_WE_RO:
	case PR_WE_AR:
		return cls == PR_C_WRITE && !registered;
	default:	/* PR_EA_RO, PR_EA_AR */
		return !registered;
	}
}

bool pr_table_r2_allowed(const uint8_t *cdb)
{
	const struct pr_rule *r = rule_of(cdb);

	return r && r->r2_ok;
}
