/* SPDX-License-Identifier: Apache-2.0 */
/*
 * EXTENDED COPY (LID1) parameter list checks (SPC-4): the header, the
 * CSCD descriptors and the segment descriptors.
 *
 * Everything that can be judged from the list alone is checked here, before
 * any segment is processed, and reported with sense key ILLEGAL REQUEST (or
 * DATA PROTECT for a write-protected destination, and RESERVATION CONFLICT
 * when the initiator's own READ of a source or WRITE of a destination would
 * conflict with a reservation of that LU): SPC-4 keeps COPY ABORTED for
 * errors found while segments are being processed. A CSCD descriptor
 * that names no LU of this target is not an error yet: it becomes one
 * (UNREACHABLE COPY TARGET) when a segment uses it.
 */
#include <string.h>

#include "scsi/xcopy.h"
#include "util/endian.h"

/* Byte offsets in the parameter list header. */
#define HDR_CSCD_LEN	2
#define HDR_SEG_LEN	8
#define HDR_INLINE_LEN	12

/* Longest designator an Identification descriptor CSCD holds (bytes 8..27). */
#define IDENT_DESIG_MAX	20

void xcopy_lu_naa(const struct scsi_lu *lu, uint8_t out[16])
{
	/* The same NAA IEEE Registered Extended designator inquiry.c puts
	 * in VPD page 83h (a unit test keeps the two equal). */
	put_be64(&out[0], (6ull << 60) | ((uint64_t)CTGT_NAA_COMPANY_ID << 36) | lu->naa_id);
	put_be64(&out[8], lu->naa_ext);
}

/* ILLEGAL REQUEST @asc with a field pointer into the parameter list. */
static int param_err(struct scsi_task *task, uint16_t asc, uint32_t off)
{
	sense_check(task, SENSE_ILLEGAL_REQUEST, asc);
	task->sense[15] = 0x80;		/* SKSV=1, C/D=0 */
	put_be16(&task->sense[16], (uint16_t)off);
	return SCSI_TASK_COMPLETE;
}

static int len_err(struct scsi_task *task)
{
	return sense_check(task, SENSE_ILLEGAL_REQUEST, ASC_PARAM_LIST_LENGTH_ERROR);
}

/* The LU of @task's target whose NAA designator the Identification
 * descriptor @d carries, or NULL. Only the designator VPD page 83h reports
 * for a LU (binary, LU association, NAA, 16 bytes) can match. */
static struct scsi_lu *ident_lu(const struct scsi_task *task, const uint8_t *d)
{
	struct scsi_tgt *tgt = task->tgt;
	uint8_t naa[16];

	if (!tgt || (d[4] & 0x0f) != 1 || (d[5] & 0x30) != 0 ||
	    (d[5] & 0x0f) != 3 || d[7] != sizeof(naa))
		return NULL;
	for (unsigned i = 0; i < SCSI_MAX_LUNS; i++) {
		struct scsi_lu *lu = tgt->luns[i];
		bool ro;

		/* A LU this nexus's LUN map hides is not there for it. */
		if (!lu || !itn_sees_lu(task, lu, &ro))
			continue;
		xcopy_lu_naa(lu, naa);
		if (memcmp(naa, &d[8], sizeof(naa)) == 0)
			return lu;
	}
	return NULL;
}

/* One CSCD descriptor at parameter byte @off. */
static int parse_cscd(struct scsi_task *task, const uint8_t *p, uint32_t off,
		      struct xcopy_cscd *c)
{
	const uint8_t *d = &p[off];

	if (d[0] != XCOPY_CSCD_IDENT)
		return param_err(task, ASC_UNSUPPORTED_CSCD, off);
	/* LU ID TYPE and NUL (bits 7..5 of byte 1) are obsolete in SPC-4 and
	 * ignored. Only block devices (type 0) can be copied. */
	if (d[1] & 0x1f)
		return sense_invalid_param(task, off + 1);
	if (d[7] > IDENT_DESIG_MAX)
		return sense_invalid_param(task, off + 7);
	c->lu = ident_lu(task, d);
	/* DISK BLOCK LENGTH must be the LU's: we do not re-block. */
	if (c->lu && get_be24(&d[29]) != c->lu->block_size)
		return sense_invalid_param(task, off + 29);
	return SCSI_TASK_READY;
}

static int parse_cscds(struct scsi_task *task, const uint8_t *p, uint32_t len,
		       struct xcopy_list *l)
{
	int rc;

	/* Every CSCD descriptor type we know is 32 bytes long. */
	if (len % XCOPY_CSCD_LEN)
		return sense_invalid_param(task, HDR_CSCD_LEN);
	if (len / XCOPY_CSCD_LEN > XCOPY_MAX_CSCD)
		return param_err(task, ASC_TOO_MANY_CSCD, HDR_CSCD_LEN);
	l->ncscd = len / XCOPY_CSCD_LEN;
	for (unsigned i = 0; i < l->ncscd; i++) {
		rc = parse_cscd(task, p, XCOPY_HDR_LEN + i * XCOPY_CSCD_LEN, &l->cscd[i]);
		if (rc != SCSI_TASK_READY)
			return rc;
	}
	return SCSI_TASK_READY;
}

/* Count the segment descriptors in [off, end) by their DESCRIPTOR LENGTH;
 * -1 (sense set) when the last one runs past the list. */
static int count_segs(struct scsi_task *task, const uint8_t *p, uint32_t off,
		      uint32_t end)
{
	int n = 0;

	while (off < end) {
		if (end - off < 4 || end - off < 4u + get_be16(&p[off + 2])) {
			sense_invalid_param(task, HDR_SEG_LEN);
			return -1;
		}
		off += 4u + get_be16(&p[off + 2]);
		n++;
	}
	return n;
}

/* A resolved segment: checks that need both LUs. */
static int check_seg_lus(struct scsi_task *task, const struct xcopy_list *l,
			 const struct xcopy_seg *s)
{
	struct scsi_lu *src = l->cscd[s->src].lu, *dst = l->cscd[s->dst].lu;
	uint64_t bytes = (uint64_t)s->nblocks * (s->dc ? dst->block_size : src->block_size);
	bool mapped_ro;

	/* Whole blocks on both sides: no padding, no residue (CAT). */
	if (bytes > XCOPY_MAX_SEG_BYTES || bytes % src->block_size || bytes % dst->block_size)
		return sense_invalid_param(task, s->param_off + 10);
	/* As the initiator's own READ and WRITE would be answered. */
	if (pr_io_conflict(src, task->itn, false) || pr_io_conflict(dst, task->itn, true)) {
		task->status = SCSI_STATUS_RESERVATION_CONFLICT;
		task->sense_len = 0;
		return SCSI_TASK_COMPLETE;
	}
	/* readonly, SWP, or a read-only mapping for this initiator */
	if (mode_write_protected(dst) || (itn_sees_lu(task, dst, &mapped_ro) && mapped_ro))
		return sense_check(task, SENSE_DATA_PROTECT, ASC_WRITE_PROTECTED);
	return SCSI_TASK_READY;
}

static bool reachable(const struct xcopy_list *l, uint16_t idx)
{
	return idx < l->ncscd && l->cscd[idx].lu;
}

/* One segment descriptor at parameter byte @off. */
static int parse_seg(struct scsi_task *task, const uint8_t *p, uint32_t off,
		     struct xcopy_list *l, struct xcopy_seg *s)
{
	const uint8_t *d = &p[off];

	if (d[0] != XCOPY_SEG_B2B)
		return param_err(task, ASC_UNSUPPORTED_SEG, off);
	if (get_be16(&d[2]) != XCOPY_SEG_B2B_LEN - 4)
		return sense_invalid_param(task, off + 2);
	if (d[1] & 0x01)	/* CAT: residues are never left over */
		return sense_invalid_param(task, off + 1);
	s->param_off = off;
	s->dc = d[1] & 0x02;
	s->src = get_be16(&d[4]);
	s->dst = get_be16(&d[6]);
	s->nblocks = get_be16(&d[10]);
	s->src_lba = get_be64(&d[12]);
	s->dst_lba = get_be64(&d[20]);
	if (reachable(l, s->src) && reachable(l, s->dst))
		return check_seg_lus(task, l, s);
	return SCSI_TASK_READY;
}

static int parse_segs(struct scsi_task *task, const uint8_t *p, uint32_t off,
		      uint32_t len, struct xcopy_list *l)
{
	int n = count_segs(task, p, off, off + len), rc;

	if (n < 0)
		return SCSI_TASK_COMPLETE;
	if ((unsigned)n > XCOPY_MAX_SEGS)
		return param_err(task, ASC_TOO_MANY_SEGS, HDR_SEG_LEN);
	l->nsegs = (unsigned)n;
	for (unsigned i = 0; i < l->nsegs; i++) {
		rc = parse_seg(task, p, off, l, &l->segs[i]);
		if (rc != SCSI_TASK_READY)
			return rc;
		off += XCOPY_SEG_B2B_LEN;
	}
	return SCSI_TASK_READY;
}

int xcopy_parse(struct scsi_task *task, const uint8_t *p, uint32_t len,
		struct xcopy_list *l)
{
	uint32_t cscd_len, seg_len, inline_len;
	int rc;

	memset(l, 0, sizeof(*l));
	if (len < XCOPY_HDR_LEN)
		return len_err(task);
	l->list_id = p[0];
	l->usage = (p[1] >> 3) & 3;
	if (l->usage == 1)		/* reserved LIST ID USAGE */
		return sense_invalid_param(task, 1);
	if (l->usage == XCOPY_LID_NONE && l->list_id)
		return sense_invalid_param(task, 0);
	cscd_len = get_be16(&p[HDR_CSCD_LEN]);
	seg_len = get_be32(&p[HDR_SEG_LEN]);
	inline_len = get_be32(&p[HDR_INLINE_LEN]);
	if (inline_len > XCOPY_MAX_INLINE)
		return sense_invalid_param(task, HDR_INLINE_LEN);
	/* Longer than MAXIMUM DESCRIPTOR LIST LENGTH, or longer than what was
	 * sent: PARAMETER LIST LENGTH ERROR either way. */
	if ((uint64_t)cscd_len + seg_len > XCOPY_MAX_DESC_LIST ||
	    XCOPY_HDR_LEN + (uint64_t)cscd_len + seg_len + inline_len > len)
		return len_err(task);
	rc = parse_cscds(task, p, cscd_len, l);
	if (rc != SCSI_TASK_READY)
		return rc;
	return parse_segs(task, p, XCOPY_HDR_LEN + cscd_len, seg_len, l);
}
