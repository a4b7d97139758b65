/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Logical units: creation from a configuration, identifiers, medium state,
 * and the table that maps an operation code to its handlers.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "scsi/internal.h"
#include "util/log.h"

/*
 * CDB usage maps (SPC-4 6.35.3) reported by REPORT SUPPORTED OPERATION
 * CODES: a bit is one when the handler evaluates it. Byte 0 (the operation
 * code) and the SERVICE ACTION field are filled in by the report. Bits a
 * handler only checks for zero (RDPROTECT and friends, CMDDT) are reserved
 * to it and so zero here; DPO and FUA are accepted (MODE SENSE says DPOFUA).
 */
#define U_NONE6		{ 0 }
#define U_RW6		{ 0, 0x1f, 0xff, 0xff, 0xff }
#define U_RW10		{ 0, 0x18, 0xff, 0xff, 0xff, 0xff, 0, 0xff, 0xff }
#define U_RW12		{ 0, 0x18, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff }
#define U_RW16		{ 0, 0x18, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, \
			  0xff, 0xff, 0xff, 0xff }
/* WRITE AND VERIFY / VERIFY: DPO and BYTCHK */
#define U_VRF10		{ 0, 0x16, 0xff, 0xff, 0xff, 0xff, 0, 0xff, 0xff }
#define U_VRF12		{ 0, 0x16, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff }
#define U_VRF16		{ 0, 0x16, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, \
			  0xff, 0xff, 0xff, 0xff }
#define U_SYNC10	{ 0, 0, 0xff, 0xff, 0xff, 0xff, 0, 0xff, 0xff }
#define U_SYNC16	{ 0, 0, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, \
			  0xff, 0xff, 0xff, 0xff }
#define U_REQ_SENSE	{ 0, 0x01, 0, 0, 0xff }			/* DESC */
#define U_INQUIRY	{ 0, 0x01, 0xff, 0xff, 0xff }		/* EVPD, page */
#define U_MODE_SENSE6	{ 0, 0x08, 0xff, 0xff, 0xff }		/* DBD */
#define U_MODE_SENSE10	{ 0, 0x18, 0xff, 0xff, 0, 0, 0, 0xff, 0xff } /* LLBAA */
#define U_START_STOP	{ 0, 0, 0, 0, 0xf7 }	/* POWER CONDITION, NO_FLUSH, LOEJ, START */
#define U_PREVENT	{ 0, 0, 0, 0, 0x03 }
#define U_READ_CAP10	{ 0, 0, 0xff, 0xff, 0xff, 0xff, 0, 0, 0x01 } /* PMI */
#define U_READ_CAP16	{ 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff, 0xff, 0xff }
#define U_REPORT_LUNS	{ 0, 0, 0xff, 0, 0, 0, 0xff, 0xff, 0xff, 0xff }
#define U_RSOC		{ 0, 0, 0x87, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff }
#define U_RSTMF		{ 0, 0, 0x80, 0, 0, 0, 0xff, 0xff, 0xff, 0xff }
#define U_XCOPY		{ 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff, 0xff, 0xff, 0, 0 }
#define U_RCR		{ 0, 0, 0xff, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff, 0xff, 0xff, 0, 0 }
#define U_UNMAP		{ 0, 0x01, 0, 0, 0, 0, 0, 0xff, 0xff }	/* ANCHOR, length */
#define U_FORMAT	{ 0, 0x37 }		/* LONGLIST, FMTDATA, DEFECT LIST FORMAT */
#define U_PREFETCH10	{ 0, 0x02, 0xff, 0xff, 0xff, 0xff, 0, 0xff, 0xff }	/* IMMED */
#define U_PREFETCH16	{ 0, 0x02, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, \
			  0xff, 0xff, 0xff, 0xff }
#define U_DEFECT10	{ 0, 0, 0x1f, 0, 0, 0, 0, 0xff, 0xff }	/* REQ_P/GLIST, format */
#define U_DEFECT12	{ 0, 0x1f, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff }
#define U_LBA_STATUS	{ 0, 0, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, \
			  0xff, 0xff, 0xff, 0xff }
#define U_SANITIZE	{ 0, 0xa0, 0, 0, 0, 0, 0, 0xff, 0xff }	/* IMMED, AUSE */
#define U_MODE_SELECT6	{ 0, 0x11, 0, 0, 0xff }			/* PF, SP, length */
#define U_MODE_SELECT10	{ 0, 0x11, 0, 0, 0, 0, 0, 0xff, 0xff }
#define U_SEND_DIAG	{ 0, 0xf7, 0, 0xff, 0xff }	/* SELF-TEST CODE, PF, SELFTEST, DEVOFFL, UNITOFFL */
#define U_RECV_DIAG	{ 0, 0x01, 0xff, 0xff, 0xff }		/* PCV, page, length */
#define U_PRIN		{ 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff }	/* ALLOCATION LENGTH */
/* SCOPE and TYPE, PARAMETER LIST LENGTH */
#define U_PROUT		{ 0, 0, 0xff, 0, 0, 0xff, 0xff, 0xff, 0xff }
#define U_RESERVE10	{ 0 }	/* 3RDPTY and LONGID are only checked for zero */
/* WRITE SAME: ANCHOR, UNMAP (and NDOB for the 16-byte one) */
#define U_WS10		{ 0, 0x18, 0xff, 0xff, 0xff, 0xff, 0, 0xff, 0xff }
#define U_WS16		{ 0, 0x19, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, \
			  0xff, 0xff, 0xff, 0xff }
/* COMPARE AND WRITE: DPO, FUA, LBA, NUMBER OF LOGICAL BLOCKS */
#define U_CAW		{ 0, 0x18, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, \
			  0, 0, 0, 0xff }
/* WRITE ATOMIC(16): DPO, FUA, LBA, TRANSFER LENGTH (ATOMIC BOUNDARY must
 * be zero: no boundaries are supported) */
#define U_WATOMIC16	{ 0, 0x18, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, \
			  0, 0, 0xff, 0xff }

/* Commands by operation code: every LU understands them, except that only
 * a thin LU has those marked OP_THIN. An entry without an execute handler
 * is an unsupported opcode. */
static const struct scsi_op ops[256] = {
	[0x00] = { OP_MEDIUM, NULL, spc_test_unit_ready, U_NONE6 },
	[0x03] = { OP_ANY_LUN | OP_UA_EXEMPT | OP_DATA_IN, NULL, spc_request_sense, U_REQ_SENSE },
	[0x04] = { OP_MEDIUM, sbc_format_prepare, sbc_format_execute, U_FORMAT },	/* FORMAT UNIT */
	[0x08] = { OP_MEDIUM, sbc_read_prepare, sbc_rw_execute, U_RW6 },		/* READ(6) */
	[0x0a] = { OP_MEDIUM, sbc_write_prepare, sbc_rw_execute, U_RW6 },		/* WRITE(6) */
	[0x12] = { OP_ANY_LUN | OP_UA_EXEMPT | OP_DATA_IN, NULL, spc_inquiry, U_INQUIRY },
	[0x15] = { 0, spc_mode_select_prepare, spc_mode_select, U_MODE_SELECT6 },	/* MODE SELECT(6) */
	[0x16] = { 0, NULL, spc_reserve, U_NONE6 },				/* RESERVE(6) */
	[0x17] = { 0, NULL, spc_release, U_NONE6 },				/* RELEASE(6) */
	[0x1a] = { OP_DATA_IN, NULL, spc_mode_sense, U_MODE_SENSE6 },		/* MODE SENSE(6) */
	[0x1b] = { 0, NULL, spc_start_stop_unit, U_START_STOP },
	[0x1c] = { OP_DATA_IN, NULL, spc_receive_diag, U_RECV_DIAG },
	[0x1d] = { 0, spc_send_diag_prepare, spc_send_diag, U_SEND_DIAG },
	[0x1e] = { 0, NULL, spc_prevent_allow, U_PREVENT },
	[0x25] = { OP_MEDIUM | OP_DATA_IN, NULL, sbc_read_capacity10, U_READ_CAP10 },
	[0x28] = { OP_MEDIUM, sbc_read_prepare, sbc_rw_execute, U_RW10 },		/* READ(10) */
	[0x2a] = { OP_MEDIUM, sbc_write_prepare, sbc_rw_execute, U_RW10 },		/* WRITE(10) */
	[0x2e] = { OP_MEDIUM, sbc_write_verify_prepare, sbc_rw_execute, U_VRF10 },	/* WRITE AND VERIFY(10) */
	[0x2f] = { OP_MEDIUM, sbc_verify_prepare, sbc_verify_execute, U_VRF10 },	/* VERIFY(10) */
	[0x34] = { OP_MEDIUM, sbc_prefetch_prepare, sbc_prefetch_execute, U_PREFETCH10 },
	[0x35] = { OP_MEDIUM, sbc_sync_cache_prepare, sbc_sync_cache_execute, U_SYNC10 },
	[0x37] = { OP_MEDIUM | OP_DATA_IN, NULL, sbc_read_defect_data10, U_DEFECT10 },
	[0x41] = { OP_MEDIUM, sbc_write_same_prepare, sbc_write_same_execute, U_WS10 },
	[0x42] = { OP_MEDIUM | OP_THIN, sbc_unmap_prepare, sbc_unmap_execute, U_UNMAP },
	[0x55] = { 0, spc_mode_select_prepare, spc_mode_select, U_MODE_SELECT10 },	/* MODE SELECT(10) */
	[0x56] = { 0, NULL, spc_reserve, U_RESERVE10 },			/* RESERVE(10) */
	[0x57] = { 0, NULL, spc_release, U_RESERVE10 },			/* RELEASE(10) */
	[0x5a] = { OP_DATA_IN, NULL, spc_mode_sense, U_MODE_SENSE10 },		/* MODE SENSE(10) */
	[0x88] = { OP_MEDIUM, sbc_read_prepare, sbc_rw_execute, U_RW16 },		/* READ(16) */
	[0x89] = { OP_MEDIUM, sbc_caw_prepare, sbc_caw_execute, U_CAW },		/* COMPARE AND WRITE */
	[0x8a] = { OP_MEDIUM, sbc_write_prepare, sbc_rw_execute, U_RW16 },		/* WRITE(16) */
	[0x8b] = { OP_MEDIUM, sbc_orwrite_prepare, sbc_orwrite_execute, U_RW16 },	/* ORWRITE(16) */
	[0x8e] = { OP_MEDIUM, sbc_write_verify_prepare, sbc_rw_execute, U_VRF16 },	/* WRITE AND VERIFY(16) */
	[0x8f] = { OP_MEDIUM, sbc_verify_prepare, sbc_verify_execute, U_VRF16 },	/* VERIFY(16) */
	[0x90] = { OP_MEDIUM, sbc_prefetch_prepare, sbc_prefetch_execute, U_PREFETCH16 },
	[0x91] = { OP_MEDIUM, sbc_sync_cache_prepare, sbc_sync_cache_execute, U_SYNC16 },
	[0x93] = { OP_MEDIUM, sbc_write_same_prepare, sbc_write_same_execute, U_WS16 },
	[0x9c] = { OP_MEDIUM, sbc_write_atomic_prepare, sbc_write_atomic_execute, U_WATOMIC16 },
	[0xa0] = { OP_ANY_LUN | OP_UA_EXEMPT | OP_DATA_IN, NULL, spc_report_luns, U_REPORT_LUNS },
	[0xa8] = { OP_MEDIUM, sbc_read_prepare, sbc_rw_execute, U_RW12 },		/* READ(12) */
	[0xaa] = { OP_MEDIUM, sbc_write_prepare, sbc_rw_execute, U_RW12 },		/* WRITE(12) */
	[0xae] = { OP_MEDIUM, sbc_write_verify_prepare, sbc_rw_execute, U_VRF12 },	/* WRITE AND VERIFY(12) */
	[0xaf] = { OP_MEDIUM, sbc_verify_prepare, sbc_verify_execute, U_VRF12 },	/* VERIFY(12) */
	[0xb7] = { OP_MEDIUM | OP_DATA_IN, NULL, sbc_read_defect_data12, U_DEFECT12 },
};

/* SERVICE ACTION IN(16), by service action. */
static const struct scsi_op service_action_in_ops[LU_MAX_SA] = {
	[0x10] = { OP_MEDIUM | OP_DATA_IN, NULL, sbc_read_capacity16, U_READ_CAP16 },
	[0x12] = { OP_MEDIUM | OP_DATA_IN, NULL, sbc_get_lba_status, U_LBA_STATUS },
};

/* SANITIZE, by service action; BLOCK ERASE needs logical block
 * provisioning (sanitize.c). */
static const struct scsi_op sanitize_ops[LU_MAX_SA] = {
	[0x01] = { OP_MEDIUM, sbc_sanitize_prepare, sbc_sanitize_execute, U_SANITIZE },
	[0x02] = { OP_MEDIUM | OP_THIN, sbc_sanitize_prepare, sbc_sanitize_execute, U_SANITIZE },
	[0x03] = { OP_MEDIUM, sbc_sanitize_prepare, sbc_sanitize_execute, U_SANITIZE },
	[0x1f] = { OP_MEDIUM, sbc_sanitize_prepare, sbc_sanitize_execute, U_SANITIZE },
};

/* EXTENDED COPY, by service action: LID1 only. */
static const struct scsi_op xcopy_ops[LU_MAX_SA] = {
	[0x00] = { 0, spc_xcopy_prepare, spc_xcopy, U_XCOPY },
};

/* RECEIVE COPY RESULTS, by service action (no RECEIVE DATA: nothing is held). */
static const struct scsi_op rcr_ops[LU_MAX_SA] = {
	[0x00] = { OP_DATA_IN, NULL, spc_rcr_copy_status, U_RCR },
	[0x03] = { OP_DATA_IN, NULL, spc_rcr_op_params, U_RCR },
	[0x04] = { OP_DATA_IN, NULL, spc_rcr_failed_segs, U_RCR },
};

/* MAINTENANCE IN, by service action. */
static const struct scsi_op maintenance_in_ops[LU_MAX_SA] = {
	[0x0c] = { 0, spc_rsoc_prepare, spc_rsoc, U_RSOC },
	[0x0d] = { OP_DATA_IN, NULL, spc_rstmf, U_RSTMF },
};

/* PERSISTENT RESERVE IN, by service action. */
static const struct scsi_op prin_ops[LU_MAX_SA] = {
	[0x00] = { 0, NULL, spc_prin_read_keys, U_PRIN },
	[0x01] = { 0, NULL, spc_prin_read_reservation, U_PRIN },
	[0x02] = { 0, NULL, spc_prin_report_caps, U_PRIN },
	[0x03] = { 0, NULL, spc_prin_read_full_status, U_PRIN },
};

/* PERSISTENT RESERVE OUT, by service action. */
static const struct scsi_op prout_ops[LU_MAX_SA] = {
	[0x00] = { 0, spc_prout_prepare, spc_prout, U_PROUT },	/* REGISTER */
	[0x01] = { 0, spc_prout_prepare, spc_prout, U_PROUT },	/* RESERVE */
	[0x02] = { 0, spc_prout_prepare, spc_prout, U_PROUT },	/* RELEASE */
	[0x03] = { 0, spc_prout_prepare, spc_prout, U_PROUT },	/* CLEAR */
	[0x04] = { 0, spc_prout_prepare, spc_prout, U_PROUT },	/* PREEMPT */
	[0x05] = { 0, spc_prout_prepare, spc_prout, U_PROUT },	/* PREEMPT AND ABORT */
	[0x06] = { 0, spc_prout_prepare, spc_prout, U_PROUT },	/* REGISTER AND IGNORE EXISTING KEY */
	[0x07] = { 0, spc_prout_prepare, spc_prout, U_PROUT },	/* REGISTER AND MOVE */
};

/* Operation codes whose SERVICE ACTION field (byte 1, bits 4..0) selects
 * the command. */
static const struct {
	uint8_t opcode;
	const struct scsi_op *ops;	/* LU_MAX_SA entries */
} sa_opcodes[] = {
	{ 0x48, sanitize_ops },			/* SANITIZE */
	{ 0x83, xcopy_ops },			/* EXTENDED COPY */
	{ 0x84, rcr_ops },			/* RECEIVE COPY RESULTS */
	{ 0x9e, service_action_in_ops },	/* SERVICE ACTION IN(16) */
	{ 0xa3, maintenance_in_ops },		/* MAINTENANCE IN */
	{ 0x5e, prin_ops },			/* PERSISTENT RESERVE IN */
	{ 0x5f, prout_ops },			/* PERSISTENT RESERVE OUT */
};

static const struct scsi_op *sa_table(uint8_t opcode)
{
	for (size_t i = 0; i < sizeof(sa_opcodes) / sizeof(sa_opcodes[0]); i++) {
		if (sa_opcodes[i].opcode == opcode)
			return sa_opcodes[i].ops;
	}
	return NULL;
}

bool lu_opcode_has_sa(uint8_t opcode)
{
	return sa_table(opcode) != NULL;
}

const struct scsi_op *lu_op_at(const struct scsi_lu *lu, uint8_t opcode, uint16_t sa)
{
	const struct scsi_op *tab = sa_table(opcode);
	const struct scsi_op *op;

	if (tab) {
		if (sa >= LU_MAX_SA)
			return NULL;
		op = &tab[sa];
	} else {
		op = &ops[opcode];
	}
	if (!op->execute)
		return NULL;
	/* A thick LU treats thin-only commands as unknown opcodes. */
	if ((op->flags & OP_THIN) && !(lu && lu->thin))
		return NULL;
	return op;
}

const struct scsi_op *lu_find_op(const struct scsi_lu *lu, const uint8_t *cdb,
				 bool *bad_sa)
{
	bool has_sa = lu_opcode_has_sa(cdb[0]);
	const struct scsi_op *op = lu_op_at(lu, cdb[0], cdb[1] & 0x1f);

	*bad_sa = has_sa && !op;
	return op;
}

/* Task thread only, like the rest of the LU's state (scsi/scsi.h). */
bool lu_medium_present(const struct scsi_lu *lu)
{
	return lu->medium_present;
}

void lu_set_medium(struct scsi_lu *lu, bool present)
{
	lu->medium_present = present;
}

/* T10 strings: printable ASCII only (SPC-4 4.3.1). */
static bool ascii_ok(const char *s, size_t max)
{
	size_t n = strlen(s);

	if (n > max)
		return false;
	for (size_t i = 0; i < n; i++) {
		if (s[i] < 0x20 || s[i] > 0x7e)
			return false;
	}
	return true;
}

static bool block_size_ok(uint32_t bs)
{
	return bs >= 512 && bs <= 65536 && (bs & (bs - 1)) == 0;
}

/* READ CAPACITY(16) has four bits for the exponent of the ratio. */
static bool phys_block_size_ok(uint32_t pbs, uint32_t bs)
{
	if (!pbs)
		return true;
	return pbs >= bs && (pbs & (pbs - 1)) == 0 && pbs / bs <= (1u << 15);
}

static bool config_ok(const struct scsi_lu_config *cfg, uint32_t block_size)
{
	if (!block_size_ok(block_size)) {
		LOG_ERR("scsi", "LUN %llu: block size %u is not a power of two in 512..65536",
			(unsigned long long)cfg->lun, block_size);
		return false;
	}
	if (!phys_block_size_ok(cfg->phys_block_size, block_size)) {
		LOG_ERR("scsi", "LUN %llu: physical block size %u is not a power-of-two multiple of %u",
			(unsigned long long)cfg->lun, cfg->phys_block_size, block_size);
		return false;
	}
	if ((cfg->vendor && !ascii_ok(cfg->vendor, 8)) ||
	    (cfg->product && !ascii_ok(cfg->product, 16)) ||
	    (cfg->serial && !ascii_ok(cfg->serial, 32))) {
		LOG_ERR("scsi", "LUN %llu: vendor/product/serial too long or not printable ASCII",
			(unsigned long long)cfg->lun);
		return false;
	}
	if (cfg->pr_max_regs > SCSI_PR_MAX_REGS_LIMIT) {
		LOG_ERR("scsi", "LUN %llu: at most %u persistent reservation registrations",
			(unsigned long long)cfg->lun, SCSI_PR_MAX_REGS_LIMIT);
		return false;
	}
	return true;
}

struct scsi_lu *scsi_lu_create(const struct scsi_lu_config *cfg, struct backend *bs)
{
	uint32_t block_size;
	struct scsi_lu *lu;

	if (!cfg || !bs)
		return NULL;
	block_size = cfg->block_size ? cfg->block_size : 512;
	if (!config_ok(cfg, block_size))
		return NULL;
	if (bs->size / block_size == 0) {
		LOG_ERR("scsi", "LUN %llu: backing store smaller than one block",
			(unsigned long long)cfg->lun);
		return NULL;
	}
	lu = calloc(1, sizeof(*lu));
	if (!lu)
		return NULL;
	lu->bs = bs;
	lu->lun = cfg->lun;
	lu->block_size = block_size;
	lu->nblocks = bs->size / block_size;
	lu->max_xfer_blocks = SCSI_MAX_XFER_BYTES / block_size;
	lu->max_ws_blocks = SCSI_WS_MAX_BYTES / block_size;
	/* The compare and the write data travel together: 2n blocks. */
	lu->max_caw_blocks = lu->max_xfer_blocks / 2 < SCSI_CAW_MAX_BLOCKS ?
			     lu->max_xfer_blocks / 2 : SCSI_CAW_MAX_BLOCKS;
	/* Logical blocks per physical block, as a power of two. */
	while (cfg->phys_block_size && (block_size << lu->phys_exp) < cfg->phys_block_size)
		lu->phys_exp++;
	/* An atomic write is one backend write of one buffer under the range
	 * lock, up to a whole transfer. A file system writes whole pages, so
	 * a write torn by a crash splits at page boundaries only: atomic
	 * writes are made of whole, aligned physical blocks. */
	lu->atomic_max_blocks = lu->max_xfer_blocks;
	lu->atomic_align = 1u << lu->phys_exp;
	lu->atomic_gran = lu->atomic_align;
	lba_lock_init(lu);
	snprintf(lu->vendor, sizeof(lu->vendor), "%s", cfg->vendor ? cfg->vendor : CTGT_VENDOR_DEFAULT);
	snprintf(lu->product, sizeof(lu->product), "%s", cfg->product ? cfg->product : CTGT_PRODUCT_DEFAULT);
	if (cfg->serial && cfg->serial[0]) {
		snprintf(lu->serial, sizeof(lu->serial), "%s", cfg->serial);
		lu->serial_cfg = true;
	}
	lu->naa_id = cfg->naa_id & ((1ull << 36) - 1);
	lu->naa_cfg = lu->naa_id != 0;
	mode_init(lu, cfg->write_cache);
	lu->removable = cfg->removable;
	lu->readonly = cfg->readonly;
	lu->thin = cfg->thin;
	lu->medium_present = true;
	ts_init(&lu->ts);
	lu_derive_ids(lu, "");
	if (pr_lu_init(lu, cfg->pr_file, cfg->pr_max_regs) < 0) {
		LOG_ERR("scsi", "LUN %llu: out of memory for the reservations",
			(unsigned long long)cfg->lun);
		free(lu);
		return NULL;
	}
	return lu;
}

void scsi_lu_destroy(struct scsi_lu *lu)
{
	if (!lu)
		return;
	lu_job_free(lu);	/* a running job is left behind (shutdown only) */
	pr_lu_free(lu);
	free(lu);
}

uint64_t scsi_lu_num_blocks(const struct scsi_lu *lu)
{
	return lu->nblocks;
}

uint32_t scsi_lu_block_size(const struct scsi_lu *lu)
{
	return lu->block_size;
}

/* FNV-1a: a stable, well-spread hash for deriving identifiers. */
static uint64_t fnv1a(uint64_t h, const char *s)
{
	for (; *s; s++) {
		h ^= (uint8_t)*s;
		h *= 0x100000001b3ull;
	}
	return h;
}

void lu_derive_ids(struct scsi_lu *lu, const char *tgt_name)
{
	char lun[24];
	uint64_t h;

	/* Identifiers must stay the same across restarts, so they come from
	 * the target name and the LUN rather than from anything random. */
	snprintf(lun, sizeof(lun), "/%llu", (unsigned long long)lu->lun);
	h = fnv1a(fnv1a(0xcbf29ce484222325ull, tgt_name), lun);
	if (!lu->serial_cfg)
		snprintf(lu->serial, sizeof(lu->serial), "ct%014llx",
			 (unsigned long long)(h >> 8));
	if (!lu->naa_cfg) {
		lu->naa_id = (h >> 28) & ((1ull << 36) - 1);
		if (!lu->naa_id)
			lu->naa_id = 1;
	}
	lu->naa_ext = fnv1a(h, lu->serial);
}
