/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Per-LU counters (struct scsi_lu_stats): every command the task set
 * executes is timed from its execution to its completion and counted by
 * kind. Kept on the LU's task thread with plain increments (no atomics:
 * only that thread writes them, and readers ask it, iscsi/admin.c).
 */
#include <time.h>

#include "scsi/internal.h"

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

void lu_stats_start(struct scsi_task *task)
{
	task->start_ns = now_ns();
}

static unsigned bucket(uint64_t us)
{
	unsigned b = 0;

	while (b < SCSI_LAT_BUCKETS - 1 && us >= (1ull << b))
		b++;
	return b;
}

static bool is_read(uint8_t op)
{
	return op == 0x08 || op == 0x28 || op == 0xa8 || op == 0x88;
}

static bool is_write(uint8_t op)
{
	return op == 0x0a || op == 0x2a || op == 0xaa || op == 0x8a;
}

void lu_stats_done(struct scsi_lu *lu, const struct scsi_task *task)
{
	struct scsi_lu_stats *st = &lu->stats;
	uint64_t us = (now_ns() - task->start_ns) / 1000u;

	if (task->aborted) {
		st->aborted++;
		return;
	}
	if (task->status != SCSI_STATUS_GOOD)
		st->errors++;
	if (is_read(task->cdb[0])) {
		st->reads++;
		st->read_bytes += task->data_in_len;
		st->read_us += us;
		st->read_hist[bucket(us)]++;
	} else if (is_write(task->cdb[0])) {
		st->writes++;
		st->write_bytes += task->status == SCSI_STATUS_GOOD ? task->data_out_len : 0;
		st->write_us += us;
		st->write_hist[bucket(us)]++;
	} else {
		st->others++;
	}
}

void scsi_lu_stats(const struct scsi_lu *lu, struct scsi_lu_stats *out)
{
	*out = lu->stats;
}
