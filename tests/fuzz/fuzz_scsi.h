/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The LUs of the fuzz_scsi target, shared with gen_corpus so that seeds can
 * name them in EXTENDED COPY descriptors (their NAA designators follow from
 * the fixed serial numbers and NAA ids).
 */
#ifndef CTGT_TESTS_FUZZ_SCSI_H
#define CTGT_TESTS_FUZZ_SCSI_H

#include "scsi/scsi.h"

#define FUZZ_SCSI_TARGET	"iqn.2026-11.io.ctgt:fuzz"
#define FUZZ_SCSI_STORE_BYTES	(64u << 10)	/* 128 and 16 blocks: cheap to make per input */

/* LU 0: 512-byte blocks, thin, write cache, APTPL file at @pr. */
static inline struct scsi_lu_config fuzz_scsi_lu0(const char *pr)
{
	return (struct scsi_lu_config){ .lun = 0, .write_cache = true, .thin = true,
					.serial = "FUZZ0", .naa_id = 0x1230, .pr_file = pr };
}

/* LU 1: 4096-byte blocks, removable, no write cache. */
static inline struct scsi_lu_config fuzz_scsi_lu1(void)
{
	return (struct scsi_lu_config){ .lun = 1, .block_size = 4096, .removable = true,
					.serial = "FUZZ1", .naa_id = 0x4560 };
}

#endif
