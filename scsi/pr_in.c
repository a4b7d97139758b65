/* SPDX-License-Identifier: Apache-2.0 */
/*
 * PERSISTENT RESERVE IN (SPC-4 6.15): READ KEYS, READ RESERVATION, REPORT
 * CAPABILITIES and READ FULL STATUS. The length fields tell what the whole
 * answer holds; task_data_in() cuts it to the ALLOCATION LENGTH. READ KEYS
 * and READ FULL STATUS, whose answers grow with the registrations, build
 * only what the ALLOCATION LENGTH lets through (plus the one descriptor
 * that straddles it), so neither memory nor work grows past it.
 */
#include <string.h>

#include "scsi/pr.h"
#include "scsi/sense.h"
#include "util/endian.h"

#define PRIN_HDR	8u
#define FULL_DESC_HDR	24u

static uint16_t alloc_len(const struct scsi_task *task)
{
	return get_be16(&task->cdb[7]);
}

static int prin_buf(struct scsi_task *task, uint32_t size)
{
	return task_alloc_buf(task, size < SCSI_DATA_IN_MAX ? SCSI_DATA_IN_MAX : size, true);
}

int spc_prin_read_keys(struct scsi_task *task)
{
	struct pr_state *pr = task->lu->pr;
	struct list_node *pos, *tmp;
	uint32_t n = 0, room = alloc_len(task);

	if (prin_buf(task, room + 8))
		return SCSI_TASK_COMPLETE;
	list_for_each_safe(pos, tmp, &pr->regs) {
		if (PRIN_HDR + 8 * n >= room)
			break;
		put_be64(&task->buf[PRIN_HDR + 8 * n++], container_of(pos, struct pr_reg, node)->key);
	}
	put_be32(&task->buf[0], pr->generation);
	/* ADDITIONAL LENGTH: every key, whether it fits or not. */
	put_be32(&task->buf[4], 8 * pr->nregs);
	return task_data_in(task, PRIN_HDR + 8 * n, room);
}

int spc_prin_read_reservation(struct scsi_task *task)
{
	struct pr_state *pr = task->lu->pr;
	uint8_t *b;

	if (prin_buf(task, PRIN_HDR + 16))
		return SCSI_TASK_COMPLETE;
	b = task->buf;
	put_be32(&b[0], pr->generation);
	if (!pr->reserved)
		return task_data_in(task, PRIN_HDR, alloc_len(task));
	put_be32(&b[4], 16);
	/* The all-registrants types have no single holder: key zero. */
	put_be64(&b[8], pr->holder ? pr->holder->key : 0);
	b[21] = pr->type;			/* SCOPE 0h: logical unit */
	return task_data_in(task, PRIN_HDR + 16, alloc_len(task));
}

int spc_prin_report_caps(struct scsi_task *task)
{
	struct pr_state *pr = task->lu->pr;
	uint8_t *b;

	if (prin_buf(task, 8))
		return SCSI_TASK_COMPLETE;
	b = task->buf;
	put_be16(&b[0], 8);
	/* CRH 0 (RESERVE/RELEASE conflict with registrations), SIP_C,
	 * ATP_C, and PTPL_C when there is a file to persist to. */
	b[2] = 0x08 | 0x04 | (pr->file ? 0x01 : 0);
	/* TMV, ALLOW COMMANDS 001b (TEST UNIT READY passes WE and EA),
	 * PTPL_A. */
	b[3] = 0x80 | (1 << 4) | (pr->aptpl ? 0x01 : 0);
	b[4] = 0x80 | 0x40 | 0x20 | 0x08 | 0x02;	/* WR_EX_AR EX_AC_RO WR_EX_RO EX_AC WR_EX */
	b[5] = 0x01;					/* EX_AC_AR */
	return task_data_in(task, 8, alloc_len(task));
}

/* Bytes of the iSCSI TransportID for @port: the NUL-terminated name padded
 * to a multiple of four, after a 4-byte header, and at least 24 bytes. */
static uint32_t tid_len(const char *port)
{
	uint32_t n = (uint32_t)strlen(port) + 1;

	n = (n + 3) & ~3u;
	return 4 + (n < 20 ? 20 : n);
}

static void put_tid(uint8_t *p, const char *port)
{
	uint32_t len = tid_len(port);
	/* FORMAT CODE 01b: an initiator port ("name,i,0x<ISID>"); 00b: the
	 * initiator device by its name alone. PROTOCOL IDENTIFIER 5: iSCSI. */
	bool port_form = strstr(port, ",i,0x") != NULL;

	memset(p, 0, len);
	p[0] = (uint8_t)((port_form ? 0x40 : 0x00) | 0x05);
	put_be16(&p[2], (uint16_t)(len - 4));
	memcpy(&p[4], port, strlen(port));
}

int spc_prin_read_full_status(struct scsi_task *task)
{
	struct pr_state *pr = task->lu->pr;
	struct list_node *pos, *tmp;
	uint32_t size = PRIN_HDR, off = PRIN_HDR, room = alloc_len(task);

	/* Room for what the allocation length takes and the descriptor
	 * that crosses it (at most FULL_DESC_HDR + tid_len(PR_PORT_MAX)). */
	if (prin_buf(task, room + FULL_DESC_HDR + 4 + PR_PORT_MAX + 4))
		return SCSI_TASK_COMPLETE;
	list_for_each_safe(pos, tmp, &pr->regs)
		size += FULL_DESC_HDR + tid_len(container_of(pos, struct pr_reg, node)->init_port);
	list_for_each_safe(pos, tmp, &pr->regs) {
		struct pr_reg *r = container_of(pos, struct pr_reg, node);
		uint8_t *d = &task->buf[off];
		bool holder = pr->reserved && (pr_type_all_reg(pr->type) || pr->holder == r);
		uint32_t tl = tid_len(r->init_port);

		if (off >= room)
			break;
		put_be64(&d[0], r->key);
		d[12] = (uint8_t)((r->all_tg_pt ? 0x02 : 0) | (holder ? 0x01 : 0));
		d[13] = holder ? pr->type : 0;
		put_be16(&d[18], r->all_tg_pt ? 0 : r->rel_port_id);
		put_be32(&d[20], tl);
		put_tid(&d[FULL_DESC_HDR], r->init_port);
		off += FULL_DESC_HDR + tl;
	}
	put_be32(&task->buf[0], pr->generation);
	put_be32(&task->buf[4], size - PRIN_HDR);
	return task_data_in(task, off, room);
}
