/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Sense data (SPC-4 4.5): the sense keys and additional sense codes this
 * target reports, and helpers that end a task with CHECK CONDITION.
 *
 * Internal to scsi/. Sense is always built in fixed format in task->sense;
 * when the LU's control mode page has D_SENSE=1, task.c rewrites it in
 * descriptor format as the task ends (sense_to_desc). REQUEST SENSE builds
 * the format its DESC bit asks for into its data-in buffer.
 */
#ifndef CTGT_SCSI_SENSE_H
#define CTGT_SCSI_SENSE_H

#include <stdbool.h>
#include <stdint.h>

#include "scsi/scsi.h"

enum {
	SENSE_NO_SENSE = 0x0,
	SENSE_NOT_READY = 0x2,
	SENSE_MEDIUM_ERROR = 0x3,
	SENSE_HARDWARE_ERROR = 0x4,
	SENSE_ILLEGAL_REQUEST = 0x5,
	SENSE_UNIT_ATTENTION = 0x6,
	SENSE_DATA_PROTECT = 0x7,
	SENSE_ABORTED_COMMAND = 0xb,
	SENSE_MISCOMPARE = 0xe,
};

/* Additional sense code and qualifier packed as (ASC << 8) | ASCQ. */
enum {
	ASC_NO_ADDITIONAL_SENSE = 0x0000,
	ASC_WRITE_ERROR = 0x0c00,
	ASC_READ_ERROR = 0x1100,
	ASC_PARAM_LIST_LENGTH_ERROR = 0x1a00,
	ASC_MISCOMPARE_DURING_VERIFY = 0x1d00,
	ASC_INVALID_OPCODE = 0x2000,
	ASC_LBA_OUT_OF_RANGE = 0x2100,
	ASC_INVALID_FIELD_IN_CDB = 0x2400,
	ASC_LU_NOT_SUPPORTED = 0x2500,
	ASC_INVALID_FIELD_IN_PARAM_LIST = 0x2600,
	ASC_WRITE_PROTECTED = 0x2700,
	ASC_POWER_ON_RESET = 0x2900,
	ASC_POWER_ON_OCCURRED = 0x2901,
	ASC_SCSI_BUS_RESET = 0x2902,
	ASC_IT_NEXUS_LOSS = 0x2907,
	ASC_COMMANDS_CLEARED_BY_ANOTHER = 0x2f00,
	ASC_INVALID_MESSAGE_ERROR = 0x4900,
	ASC_BUS_DEVICE_RESET = 0x2903,
	ASC_NOT_READY_TO_READY = 0x2800,	/* MEDIUM MAY HAVE CHANGED */
	ASC_MODE_PARAMS_CHANGED = 0x2a01,
	ASC_CAPACITY_DATA_CHANGED = 0x2a09,
	ASC_REPORTED_LUNS_CHANGED = 0x3f0e,
	ASC_SELF_TEST_FAILED = 0x3e03,		/* LOGICAL UNIT FAILED SELF-TEST */
	ASC_SAVING_PARAMS_NOT_SUPPORTED = 0x3900,
	ASC_MEDIUM_NOT_PRESENT = 0x3a00,
	ASC_INVALID_FIELD_IN_CMD_IU = 0x0e03,
	ASC_MEDIUM_REMOVAL_PREVENTED = 0x5302,
	ASC_INTERNAL_TARGET_FAILURE = 0x4400,
	ASC_FORMAT_IN_PROGRESS = 0x0404,	/* LU NOT READY, FORMAT IN PROGRESS */
	ASC_SANITIZE_IN_PROGRESS = 0x041b,	/* LU NOT READY, SANITIZE IN PROGRESS */
	ASC_FORMAT_CORRUPTED = 0x3100,		/* MEDIUM FORMAT CORRUPTED */
	ASC_FORMAT_FAILED = 0x3101,		/* FORMAT COMMAND FAILED */
	ASC_SANITIZE_FAILED = 0x3103,		/* SANITIZE COMMAND FAILED */
	ASC_INVALID_RELEASE_OF_PR = 0x2604,
	ASC_RESERVATIONS_PREEMPTED = 0x2a03,
	ASC_RESERVATIONS_RELEASED = 0x2a04,
	ASC_REGISTRATIONS_PREEMPTED = 0x2a05,
	ASC_INSUFFICIENT_REG_RESOURCES = 0x5504,
};

/** Length of the fixed-format sense data we build. */
#define SENSE_FIXED_LEN 18

/**
 * Write fixed-format sense data (response code 70h) into @buf, which must
 * hold SENSE_FIXED_LEN bytes. Returns the length written.
 */
uint32_t sense_build_fixed(uint8_t *buf, uint8_t key, uint16_t asc);

/**
 * Write descriptor-format sense data (response code 72h, no descriptors)
 * into @buf, which must hold 8 bytes. Returns the length written.
 */
uint32_t sense_build_desc(uint8_t *buf, uint8_t key, uint16_t asc);

/** End @task with CHECK CONDITION and @key/@asc. Returns SCSI_TASK_COMPLETE. */
int sense_check(struct scsi_task *task, uint8_t key, uint16_t asc);

/**
 * CHECK CONDITION, ILLEGAL REQUEST, INVALID FIELD IN CDB with the
 * sense-key-specific field pointer at CDB byte @byte, bit @bit (bit < 0: no
 * bit pointer). Returns SCSI_TASK_COMPLETE.
 */
int sense_invalid_cdb(struct scsi_task *task, unsigned byte, int bit);

/**
 * CHECK CONDITION, ILLEGAL REQUEST, INVALID FIELD IN PARAMETER LIST with the
 * field pointer at byte @byte of the parameter data (C/D=0, no bit pointer).
 * Returns SCSI_TASK_COMPLETE.
 */
int sense_invalid_param(struct scsi_task *task, unsigned byte);

/** Set the INFORMATION field (VALID=1) of the fixed sense in @task. */
void sense_set_info(struct scsi_task *task, uint32_t info);

/** Rewrite the fixed format sense of a CHECK CONDITION @task in
 *  descriptor format (sense_desc.c); anything else is left alone. */
void sense_to_desc(struct scsi_task *task);

/** End @task with GOOD status and no sense. Returns SCSI_TASK_COMPLETE. */
int task_good(struct scsi_task *task);

#endif
