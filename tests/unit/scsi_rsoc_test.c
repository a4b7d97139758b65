/* SPDX-License-Identifier: Apache-2.0 */
/*
 * REPORT SUPPORTED OPERATION CODES (every reporting option, RCTD, CDB usage
 * data, allocation length) and REPORT SUPPORTED TASK MANAGEMENT FUNCTIONS,
 * and that the report agrees with what the dispatcher actually runs.
 */
#include "tests/unit/scsi_fixture.h"

#include "util/endian.h"

#define NBLOCKS 2048u
#define ALLOC 4096u

static void rsoc(struct fixture *f, struct scsi_task *t, uint8_t opts, uint8_t opcode,
		 uint16_t sa, uint32_t alloc)
{
	uint8_t cdb[SCSI_CDB_MAX] = { 0xa3, 0x0c, opts, opcode };

	put_be16(&cdb[4], sa);
	put_be32(&cdb[6], alloc);
	assert_int_equal(fx_cmd(f, t, cdb, SCSI_DIR_READ, alloc, NULL), SCSI_TASK_COMPLETE);
}

/* INVALID FIELD IN CDB pointing at @byte (and @bit when >= 0). */
static void assert_invalid_field(const struct scsi_task *t, unsigned byte, int bit)
{
	assert_sense(t, 0x5, 0x2400);
	assert_int_equal(get_be16(&t->sense[16]), byte);
	if (bit >= 0)
		assert_int_equal(t->sense[15] & 0x0f, 0x08 | bit);
	assert_int_equal(t->data_in_len, 0);
}

/* Index of the all_commands descriptor of (@opcode, @sa), or -1. */
static int find_desc(const struct scsi_task *t, unsigned stride, uint8_t opcode, uint16_t sa)
{
	uint32_t len = get_be32(t->buf);

	for (uint32_t off = 4; off < 4 + len; off += stride) {
		if (t->buf[off] == opcode && get_be16(&t->buf[off + 2]) == sa)
			return (int)off;
	}
	return -1;
}

/* (opcode, service action) of a command descriptor, as one number. */
static uint32_t cmd_key(const uint8_t *desc)
{
	return ((uint32_t)desc[0] << 16) | get_be16(&desc[2]);
}

static void test_all_commands(void **state)
{
	struct fixture *f = fx_new(NBLOCKS);
	struct scsi_task t;
	uint32_t len;
	int off;

	(void)state;
	rsoc(f, &t, 0, 0, 0, ALLOC);
	assert_good(&t);
	len = get_be32(t.buf);
	assert_int_equal(len % 8, 0);
	assert_true(len >= 8 * 20);
	assert_int_equal(t.data_in_len, 4 + len);
	for (uint32_t p = 4; p < 4 + len; p += 8) {
		assert_int_equal(t.buf[p + 5] & 0x02, 0);	/* no CTDP */
		if (!(t.buf[p + 5] & 0x01))			/* SERVACTV clear: SA 0 */
			assert_int_equal(get_be16(&t.buf[p + 2]), 0);
		if (p > 4)	/* ascending (opcode, service action) */
			assert_true(cmd_key(&t.buf[p]) > cmd_key(&t.buf[p - 8]));
	}
	off = find_desc(&t, 8, 0x28, 0);
	assert_true(off > 0);
	assert_int_equal(t.buf[off + 5], 0x00);
	assert_int_equal(get_be16(&t.buf[off + 6]), 10);
	off = find_desc(&t, 8, 0x9e, 0x10);			/* READ CAPACITY(16) */
	assert_true(off > 0);
	assert_int_equal(t.buf[off + 5], 0x01);
	assert_int_equal(get_be16(&t.buf[off + 6]), 16);
	off = find_desc(&t, 8, 0xa3, 0x0c);			/* itself */
	assert_true(off > 0);
	assert_int_equal(get_be16(&t.buf[off + 6]), 12);
	assert_true(find_desc(&t, 8, 0xa3, 0x0d) > 0);	/* RSTMF */
	assert_int_equal(find_desc(&t, 8, 0x9e, 0), -1);
	scsi_task_release(&t);
	fx_free(f);
}

static void test_all_commands_rctd(void **state)
{
	struct fixture *f = fx_new(NBLOCKS);
	struct scsi_task t, plain;
	uint32_t len;

	(void)state;
	rsoc(f, &plain, 0, 0, 0, ALLOC);
	rsoc(f, &t, 0x80, 0, 0, ALLOC);
	assert_good(&t);
	len = get_be32(t.buf);
	assert_int_equal(len, get_be32(plain.buf) / 8 * 20);
	for (uint32_t p = 4; p < 4 + len; p += 20) {
		assert_int_equal(t.buf[p + 5] & 0x02, 0x02);	/* CTDP */
		assert_int_equal(get_be16(&t.buf[p + 8]), 0x0a);
		assert_int_equal(get_be32(&t.buf[p + 12]), 0);	/* not indicated */
		assert_int_equal(get_be32(&t.buf[p + 16]), 0);
	}
	assert_true(find_desc(&t, 20, 0x9e, 0x10) > 0);
	scsi_task_release(&plain);
	scsi_task_release(&t);
	fx_free(f);
}

static void assert_supported(const struct scsi_task *t, uint8_t opcode, unsigned cdb_len)
{
	assert_good(t);
	assert_int_equal(t->buf[1], 0x03);			/* SUPPORT 011b */
	assert_int_equal(get_be16(&t->buf[2]), cdb_len);
	assert_int_equal(t->buf[4], opcode);
	assert_int_equal(t->data_in_len, 4 + cdb_len);
}

static void assert_not_supported(const struct scsi_task *t)
{
	assert_good(t);
	assert_int_equal(t->buf[1], 0x01);			/* SUPPORT 001b */
	assert_int_equal(get_be16(&t->buf[2]), 0);
	assert_int_equal(t->data_in_len, 4);
}

/* DPO and FUA are accepted (MODE SENSE says DPOFUA), RDPROTECT/WRPROTECT
 * only as zero; the LBA and TRANSFER LENGTH are used in full. */
static void test_one_opcode_rw(void **state)
{
	const struct { uint8_t opcode; unsigned len; } rw[] = {
		{ 0x28, 10 }, { 0x2a, 10 }, { 0xa8, 12 }, { 0xaa, 12 }, { 0x88, 16 }, { 0x8a, 16 },
	};
	struct fixture *f = fx_new(NBLOCKS);
	struct scsi_task t;

	(void)state;
	for (size_t i = 0; i < sizeof(rw) / sizeof(rw[0]); i++) {
		rsoc(f, &t, 1, rw[i].opcode, 0, ALLOC);
		assert_supported(&t, rw[i].opcode, rw[i].len);
		assert_int_equal(t.buf[5] & 0x18, 0x18);	/* DPO, FUA */
		assert_int_equal(t.buf[5] & 0xe0, 0);		/* RDPROTECT/WRPROTECT */
		assert_int_equal(t.buf[6], 0xff);		/* LBA */
		assert_int_equal(t.buf[4 + rw[i].len - 1], 0);	/* CONTROL */
		scsi_task_release(&t);
	}
	rsoc(f, &t, 1, 0x28, 0, ALLOC);
	assert_memory_equal(&t.buf[4], ((uint8_t[]){ 0x28, 0x18, 0xff, 0xff, 0xff, 0xff,
						      0, 0xff, 0xff, 0 }), 10);
	scsi_task_release(&t);
	fx_free(f);
}

static void test_one_opcode_rctd(void **state)
{
	struct fixture *f = fx_new(NBLOCKS);
	struct scsi_task t;

	(void)state;
	rsoc(f, &t, 0x81, 0x12, 0, ALLOC);		/* INQUIRY, RCTD */
	assert_good(&t);
	assert_int_equal(t.buf[1], 0x83);		/* CTDP, SUPPORT 011b */
	assert_int_equal(get_be16(&t.buf[2]), 6);
	assert_int_equal(t.buf[4], 0x12);
	assert_int_equal(t.buf[5], 0x01);		/* EVPD; CMDDT is refused */
	assert_int_equal(get_be16(&t.buf[10]), 0x0a);	/* timeouts descriptor */
	assert_int_equal(t.data_in_len, 4 + 6 + 12);
	scsi_task_release(&t);
	fx_free(f);
}

static void test_one_service_action(void **state)
{
	struct fixture *f = fx_new(NBLOCKS);
	struct scsi_task t;

	(void)state;
	rsoc(f, &t, 2, 0x9e, 0x10, ALLOC);		/* READ CAPACITY(16) */
	assert_supported(&t, 0x9e, 16);
	assert_int_equal(t.buf[5], 0x10);		/* the service action */
	assert_int_equal(get_be32(&t.buf[4 + 10]), 0xffffffff);
	scsi_task_release(&t);
	rsoc(f, &t, 2, 0xa3, 0x0c, ALLOC);		/* itself */
	assert_supported(&t, 0xa3, 12);
	assert_int_equal(t.buf[5], 0x0c);
	assert_int_equal(t.buf[6], 0x87);		/* RCTD, REPORTING OPTIONS */
	scsi_task_release(&t);
	rsoc(f, &t, 2, 0x9e, 0x11, ALLOC);		/* unsupported service action */
	assert_not_supported(&t);
	scsi_task_release(&t);
	rsoc(f, &t, 2, 0x9e, 0x110, ALLOC);
	assert_not_supported(&t);
	scsi_task_release(&t);
	fx_free(f);
}

static void test_option3(void **state)
{
	struct fixture *f = fx_new(NBLOCKS);
	struct scsi_task t;

	(void)state;
	rsoc(f, &t, 3, 0x28, 5, ALLOC);		/* SA ignored without SAs */
	assert_supported(&t, 0x28, 10);
	scsi_task_release(&t);
	rsoc(f, &t, 3, 0x9e, 0x10, ALLOC);
	assert_supported(&t, 0x9e, 16);
	assert_int_equal(t.buf[5], 0x10);
	scsi_task_release(&t);
	rsoc(f, &t, 3, 0x9e, 0x00, ALLOC);
	assert_not_supported(&t);
	scsi_task_release(&t);
	rsoc(f, &t, 3, 0xff, 0, ALLOC);
	assert_not_supported(&t);
	scsi_task_release(&t);
	fx_free(f);
}

static void test_invalid_requests(void **state)
{
	struct fixture *f = fx_new(NBLOCKS);
	struct scsi_task t;

	(void)state;
	rsoc(f, &t, 1, 0x42, 0, ALLOC);		/* unknown opcode */
	assert_not_supported(&t);
	scsi_task_release(&t);
	rsoc(f, &t, 1, 0x9e, 0x10, ALLOC);		/* has service actions */
	assert_invalid_field(&t, 3, -1);
	scsi_task_release(&t);
	rsoc(f, &t, 1, 0xa3, 0x0c, ALLOC);
	assert_invalid_field(&t, 3, -1);
	scsi_task_release(&t);
	rsoc(f, &t, 2, 0x28, 0, ALLOC);		/* has none */
	assert_invalid_field(&t, 3, -1);
	scsi_task_release(&t);
	rsoc(f, &t, 2, 0x42, 0, ALLOC);
	assert_invalid_field(&t, 3, -1);
	scsi_task_release(&t);
	for (uint8_t opts = 4; opts < 8; opts++) {	/* reserved options */
		rsoc(f, &t, opts, 0x28, 0, ALLOC);
		assert_invalid_field(&t, 2, 2);
		assert_null(t.buf);
		scsi_task_release(&t);
	}
	fx_free(f);
}

static void test_allocation_length(void **state)
{
	struct fixture *f = fx_new(NBLOCKS);
	struct scsi_task t;

	(void)state;
	rsoc(f, &t, 0, 0, 0, 10);
	assert_good(&t);
	assert_int_equal(t.data_in_len, 10);
	assert_true(get_be32(t.buf) > 6);		/* the full length is reported */
	scsi_task_release(&t);
	rsoc(f, &t, 0x80, 0, 0, 0);
	assert_good(&t);
	assert_int_equal(t.data_in_len, 0);
	scsi_task_release(&t);
	rsoc(f, &t, 1, 0x28, 0, 3);
	assert_good(&t);
	assert_int_equal(t.data_in_len, 3);
	scsi_task_release(&t);
	rsoc(f, &t, 1, 0x28, 0, 0x10000);		/* 32-bit field */
	assert_int_equal(t.data_in_len, 14);
	scsi_task_release(&t);
	fx_free(f);
}

/* Every (opcode, SA) index of the all_commands list, as a bitmap. */
static void listed_commands(struct fixture *f, uint8_t listed[256][32])
{
	struct scsi_task t;
	uint32_t len;

	rsoc(f, &t, 0, 0, 0, ALLOC);
	len = get_be32(t.buf);
	memset(listed, 0, 256 * 32);
	for (uint32_t p = 4; p < 4 + len; p += 8) {
		assert_true(get_be16(&t.buf[p + 2]) < 32);
		listed[t.buf[p]][get_be16(&t.buf[p + 2])] = 1;
	}
	scsi_task_release(&t);
}

/* The report and the dispatcher agree: listed commands run (whatever their
 * CDB fields say), all others are refused as unknown. */
static void test_report_matches_dispatch(void **state)
{
	struct fixture *f = fx_new(NBLOCKS);
	static uint8_t listed[256][32];
	uint8_t cdb[SCSI_CDB_MAX];
	struct scsi_task t;

	(void)state;
	listed_commands(f, listed);
	for (unsigned opc = 0; opc < 256; opc++) {
		bool sa_op = opc == 0x9e || opc == 0xa3 || opc == 0x48;

		for (unsigned sa = 0; sa < (sa_op ? 32u : 1u); sa++) {
			memset(cdb, 0, sizeof(cdb));
			cdb[0] = (uint8_t)opc;
			cdb[1] = (uint8_t)sa;
			fx_cmd(f, &t, cdb, SCSI_DIR_NONE, 0, NULL);
			if (listed[opc][sa])
				assert_true(t.status != SCSI_STATUS_CHECK_CONDITION ||
					    (sense_asc(&t) != 0x2000 &&
					     !(sa_op && get_be16(&t.sense[16]) == 1)));
			else if (sa_op)
				assert_invalid_field(&t, 1, 4);
			else
				assert_sense(&t, 0x5, 0x2000);
			scsi_task_release(&t);
		}
	}
	fx_free(f);
}

static void rstmf(struct fixture *f, struct scsi_task *t, bool repd, uint32_t alloc)
{
	uint8_t cdb[SCSI_CDB_MAX] = { 0xa3, 0x0d, repd ? 0x80 : 0 };

	put_be32(&cdb[6], alloc);
	assert_int_equal(fx_cmd(f, t, cdb, SCSI_DIR_READ, alloc, NULL), SCSI_TASK_COMPLETE);
}

static void test_rstmf(void **state)
{
	struct fixture *f = fx_new(NBLOCKS);
	struct scsi_task t;

	(void)state;
	rstmf(f, &t, false, 255);
	assert_good(&t);
	assert_int_equal(t.data_in_len, 4);
	assert_int_equal(t.buf[0], 0xde);	/* ATS ATSS CTSS LURS QTS TRS */
	assert_int_equal(t.buf[1], 0x03);	/* QTSS ITNRS */
	scsi_task_release(&t);
	rstmf(f, &t, true, 255);		/* extended format */
	assert_good(&t);
	assert_int_equal(t.data_in_len, 16);
	assert_int_equal(t.buf[0], 0xde);
	assert_int_equal(t.buf[3], 0x0c);
	scsi_task_release(&t);
	rstmf(f, &t, true, 2);
	assert_int_equal(t.data_in_len, 2);
	scsi_task_release(&t);
	fx_free(f);
}

static void test_maintenance_in_bad_sa(void **state)
{
	struct fixture *f = fx_new(NBLOCKS);
	uint8_t cdb[SCSI_CDB_MAX] = { 0xa3, 0x05, [9] = 64 };
	struct scsi_task t;

	(void)state;
	fx_cmd(f, &t, cdb, SCSI_DIR_READ, 64, NULL);
	assert_invalid_field(&t, 1, 4);
	scsi_task_release(&t);
	fx_free(f);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_all_commands),
		cmocka_unit_test(test_all_commands_rctd),
		cmocka_unit_test(test_one_opcode_rw),
		cmocka_unit_test(test_one_opcode_rctd),
		cmocka_unit_test(test_one_service_action),
		cmocka_unit_test(test_option3),
		cmocka_unit_test(test_invalid_requests),
		cmocka_unit_test(test_allocation_length),
		cmocka_unit_test(test_report_matches_dispatch),
		cmocka_unit_test(test_rstmf),
		cmocka_unit_test(test_maintenance_in_bad_sa),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
