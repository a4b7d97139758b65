/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Third-party copy (SPC-4: EXTENDED COPY (LID1), RECEIVE COPY RESULTS):
 * what xcopy_parse.c (parameter list checks), xcopy.c (the copy engine),
 * xcopy_results.c (RECEIVE COPY RESULTS and the per-nexus results) and
 * xcopy_vpd.c (VPD page 8Fh) share. Internal to scsi/.
 *
 * The copy manager is every LU of the target: an EXTENDED COPY sent to any
 * of them copies between any LUs of the same target that its CSCD
 * descriptors name by their NAA designator.
 */
#ifndef CTGT_SCSI_XCOPY_H
#define CTGT_SCSI_XCOPY_H

#include <stdbool.h>
#include <stdint.h>

#include "scsi/internal.h"
#include "scsi/sense.h"
#include "util/list.h"

/* Limits, reported by RECEIVE COPY RESULTS (OPERATING PARAMETERS) and the
 * Third-party Copy VPD page and enforced by EXTENDED COPY. */
#define XCOPY_MAX_CSCD		8u	/* CSCD descriptors per list */
#define XCOPY_MAX_SEGS		32u	/* segment descriptors per list */
#define XCOPY_CSCD_LEN		32u	/* every supported CSCD descriptor */
#define XCOPY_SEG_B2B_LEN	28u	/* segment descriptor 02h */
#define XCOPY_MAX_DESC_LIST	(XCOPY_MAX_CSCD * XCOPY_CSCD_LEN + \
				 XCOPY_MAX_SEGS * XCOPY_SEG_B2B_LEN)
#define XCOPY_MAX_SEG_BYTES	(256u << 20)	/* bytes one segment may copy */
#define XCOPY_MAX_INLINE	0u	/* no inline data (no segment uses it) */
#define XCOPY_MAX_CONCURRENT	16u	/* copies running in a target */
#define XCOPY_MAX_HELD		16u	/* results kept per I_T nexus */
#define XCOPY_HDR_LEN		16u	/* parameter list header */
#define XCOPY_MAX_PARAM_LEN	(XCOPY_HDR_LEN + XCOPY_MAX_DESC_LIST + XCOPY_MAX_INLINE)
/* Bytes moved per backend request: one buffer of this size per copy, so a
 * segment is never held in memory as a whole. A multiple of every block
 * size an LU may have. */
#define XCOPY_CHUNK_BYTES	(1u << 20)

/* Sense codes only third-party copy reports (kept here, next to their only
 * users, rather than in sense.h). */
#define SENSE_COPY_ABORTED		0xa
#define ASC_OPERATION_IN_PROGRESS	0x0016
#define ASC_UNREACHABLE_COPY_TARGET	0x0804
#define ASC_TOO_MANY_CSCD		0x2606	/* TOO MANY TARGET DESCRIPTORS */
#define ASC_UNSUPPORTED_CSCD		0x2607	/* UNSUPPORTED TARGET DESCRIPTOR TYPE CODE */
#define ASC_TOO_MANY_SEGS		0x2608	/* TOO MANY SEGMENT DESCRIPTORS */
#define ASC_UNSUPPORTED_SEG		0x2609	/* UNSUPPORTED SEGMENT DESCRIPTOR TYPE CODE */
#define ASC_INSUFFICIENT_RESOURCES	0x5503

#define XCOPY_CSCD_IDENT	0xe4	/* Identification descriptor CSCD */
#define XCOPY_SEG_B2B		0x02	/* block device to block device */

/* LIST ID USAGE values (parameter list byte 1, bits 4..3). */
enum {
	XCOPY_LID_HOLD = 0,	/* hold results for RECEIVE COPY RESULTS */
	XCOPY_LID_DISCARD = 2,	/* unique while running, nothing held */
	XCOPY_LID_NONE = 3,	/* no list identifier */
};

/* COPY MANAGER STATUS of the COPY STATUS service action. */
enum {
	XCOPY_CM_RUNNING = 0x00,
	XCOPY_CM_DONE = 0x01,
	XCOPY_CM_FAILED = 0x02,
};

/* One CSCD descriptor: the LU it names on this target, or NULL (an
 * unreachable copy target, reported when a segment uses it). */
struct xcopy_cscd {
	struct scsi_lu *lu;
};

/* One block to block segment, in bytes of the LUs' stores. */
struct xcopy_seg {
	uint16_t src, dst;	/* CSCD descriptor indexes */
	uint32_t param_off;	/* offset of the descriptor in the parameter list */
	uint16_t nblocks;	/* BLOCK DEVICE NUMBER OF BLOCKS */
	bool dc;		/* nblocks counts destination blocks */
	uint64_t src_lba, dst_lba;
};

/* What a copy leaves for RECEIVE COPY RESULTS, per (I_T nexus, list id). */
struct xcopy_result {
	struct list_node node;
	uint64_t itn_id;
	uint8_t list_id;
	uint8_t usage;		/* XCOPY_LID_* */
	bool orphan;		/* the nexus went away while it ran */
	uint8_t cm_status;	/* XCOPY_CM_* */
	uint16_t segs_done;	/* SEGMENTS PROCESSED */
	uint64_t bytes;		/* written to copy destinations */
	bool status_held;	/* COPY STATUS still to be retrieved */
	bool fsd_held;		/* FAILED SEGMENT DETAILS still to be retrieved */
	uint8_t cmd_status;	/* status the EXTENDED COPY ended with */
	uint8_t sense[SCSI_SENSE_MAX];
	uint32_t sense_len;
};

/* A parsed parameter list. */
struct xcopy_list {
	uint8_t list_id;
	uint8_t usage;
	unsigned ncscd, nsegs;
	struct xcopy_cscd cscd[XCOPY_MAX_CSCD];
	struct xcopy_seg segs[XCOPY_MAX_SEGS];
};

/* xcopy_parse.c */
/**
 * Check the @len received bytes of the parameter list in @p (header, CSCD
 * and segment descriptors) and fill @l, resolving each CSCD descriptor to
 * an LU of @task's target. Returns SCSI_TASK_READY, or SCSI_TASK_COMPLETE
 * with ILLEGAL REQUEST (or DATA PROTECT) sense set in @task.
 */
int xcopy_parse(struct scsi_task *task, const uint8_t *p, uint32_t len,
		struct xcopy_list *l);
/** The 16-byte NAA-6 designator of @lu, as VPD page 83h reports it. */
void xcopy_lu_naa(const struct scsi_lu *lu, uint8_t out[16]);

/* xcopy_results.c */
/**
 * Register a copy of (task->itn, @l->list_id) starting. Returns its result
 * entry (NULL when the list identifier is not held), or sets sense in @task
 * and returns NULL with *@rc = SCSI_TASK_COMPLETE (identifier in use, too
 * many copies). *@rc is SCSI_TASK_READY when the copy may start.
 */
struct xcopy_result *xcopy_result_start(struct scsi_task *task, const struct xcopy_list *l,
					int *rc);
/** Progress of the copy of @r (may be NULL): @segs segments processed and
 *  @bytes written so far. */
void xcopy_result_progress(struct scsi_tgt *tgt, struct xcopy_result *r,
			   uint16_t segs, uint64_t bytes);
/** The copy of @r (may be NULL) ended with @task's status and sense; @r is
 *  kept for RECEIVE COPY RESULTS or freed. */
void xcopy_result_end(struct scsi_task *task, struct xcopy_result *r);

#endif
