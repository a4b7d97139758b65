/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Descriptor format sense data (SPC-4 4.5.2) for a LU whose control mode
 * page has D_SENSE=1.
 *
 * Every handler builds fixed format sense (sense.c); when the task ends,
 * task.c has it rewritten here, so no handler needs to know the format. The
 * fields of the fixed format map to descriptors: INFORMATION (when VALID)
 * to an information descriptor, the sense-key specific bytes (when SKSV) to
 * a sense key specific descriptor, and FILEMARK/EOM/ILI to a stream
 * commands descriptor.
 */
#include <string.h>

#include "scsi/sense.h"
#include "util/endian.h"

#define DESC_HDR_LEN	8
#define DESC_INFO	0x00
#define DESC_SKS	0x02
#define DESC_STREAM	0x04

void sense_to_desc(struct scsi_task *task)
{
	const uint8_t *s = task->sense;
	uint8_t d[DESC_HDR_LEN + 12 + 8 + 4] = { 0 };
	uint32_t off = DESC_HDR_LEN;

	if (task->status != SCSI_STATUS_CHECK_CONDITION ||
	    task->sense_len < SENSE_FIXED_LEN || (s[0] & 0x7f) != 0x70)
		return;
	d[0] = 0x72;			/* current error, descriptor format */
	d[1] = s[2] & 0x0f;		/* SENSE KEY */
	d[2] = s[12];			/* ADDITIONAL SENSE CODE */
	d[3] = s[13];			/* ... QUALIFIER */
	if (s[0] & 0x80) {		/* VALID: INFORMATION */
		d[off] = DESC_INFO;
		d[off + 1] = 0x0a;
		d[off + 2] = 0x80;	/* VALID */
		put_be64(&d[off + 4], get_be32(&s[3]));
		off += 12;
	}
	if (s[15] & 0x80) {		/* SKSV: sense-key specific */
		d[off] = DESC_SKS;
		d[off + 1] = 0x06;
		memcpy(&d[off + 4], &s[15], 3);
		off += 8;
	}
	if (s[2] & 0xe0) {		/* FILEMARK, EOM, ILI */
		d[off] = DESC_STREAM;
		d[off + 1] = 0x02;
		d[off + 3] = s[2] & 0xe0;
		off += 4;
	}
	d[7] = (uint8_t)(off - DESC_HDR_LEN);	/* ADDITIONAL SENSE LENGTH */
	memcpy(task->sense, d, off);
	task->sense_len = off;
}
