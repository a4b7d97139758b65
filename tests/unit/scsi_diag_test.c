/* SPDX-License-Identifier: Apache-2.0 */
/*
 * SEND DIAGNOSTIC and RECEIVE DIAGNOSTIC RESULTS through the public task
 * API, and the medium change unit attention of a removable LU.
 */
#include "tests/unit/scsi_fixture.h"

#include "util/endian.h"

#define NBLOCKS 2048u
#define BS 512u

static int send_diag(struct fixture *f, struct scsi_task *t, uint8_t b1,
		     const uint8_t *list, uint16_t len)
{
	uint8_t cdb[SCSI_CDB_MAX] = { 0x1d, b1 };

	put_be16(&cdb[3], len);
	return fx_cmd(f, t, cdb, len ? SCSI_DIR_WRITE : SCSI_DIR_NONE, len, list);
}

static void test_default_selftest(void **state)
{
	struct fixture *f = fx_new(NBLOCKS);
	struct scsi_task t;

	(void)state;
	/* SELFTEST=1: the last block is read through the backend. */
	assert_int_equal(send_diag(f, &t, 0x04, NULL, 0), SCSI_TASK_PENDING);
	assert_good(&t);
	assert_int_equal(f->st.last.op, BS_OP_READ);
	assert_int_equal(f->st.last.offset, (NBLOCKS - 1) * BS);
	assert_int_equal(f->st.last.len, BS);
	scsi_task_release(&t);
	/* DEVOFFL and UNITOFFL (and PF) are allowed with it. */
	assert_int_equal(send_diag(f, &t, 0x17, NULL, 0), SCSI_TASK_PENDING);
	assert_good(&t);
	scsi_task_release(&t);
	/* A store that cannot be read fails the self-test. */
	f->st.fail_next = 1;
	send_diag(f, &t, 0x04, NULL, 0);
	assert_sense(&t, 0x4, 0x3e03);
	scsi_task_release(&t);
	fx_free(f);
}

static void test_selftest_codes(void **state)
{
	struct fixture *f = fx_new(NBLOCKS);
	uint8_t page[4] = { 0 };
	struct scsi_task t;

	(void)state;
	for (uint8_t code = 1; code < 8; code++) {
		/* With SELFTEST=1 the code must be 0; the short and extended
		 * self-tests (and aborting one) are not supported. */
		send_diag(f, &t, (uint8_t)(code << 5) | 0x04, NULL, 0);
		assert_sense(&t, 0x5, 0x2400);
		assert_int_equal(t.sense[15], 0xcf);	/* C/D, BPV, bit 7 */
		assert_int_equal(get_be16(&t.sense[16]), 1);
		send_diag(f, &t, (uint8_t)(code << 5), NULL, 0);
		assert_sense(&t, 0x5, 0x2400);
	}
	/* SELFTEST=1 takes no parameter list. */
	send_diag(f, &t, 0x14, page, 4);
	assert_sense(&t, 0x5, 0x2400);
	assert_int_equal(get_be16(&t.sense[16]), 3);
	assert_null(t.buf);
	/* SELFTEST=0 and nothing to do: fine. */
	send_diag(f, &t, 0x00, NULL, 0);
	assert_good(&t);
	fx_free(f);
}

static void test_diag_pages(void **state)
{
	struct fixture *f = fx_new(NBLOCKS);
	uint8_t list[8] = { 0 };
	uint8_t rcv[SCSI_CDB_MAX] = { 0x1c, 0x01, 0x00, 0, 64 };
	struct scsi_task t;

	(void)state;
	send_diag(f, &t, 0x10, list, 4);		/* Supported Diagnostic Pages */
	assert_good(&t);
	scsi_task_release(&t);
	send_diag(f, &t, 0x10, list, 8);		/* twice */
	assert_good(&t);
	scsi_task_release(&t);
	send_diag(f, &t, 0x00, list, 4);		/* PF=0: vendor specific */
	assert_sense(&t, 0x5, 0x2400);
	assert_int_equal(t.sense[15], 0xcc);
	list[0] = 0x80;					/* a page we lack */
	send_diag(f, &t, 0x10, list, 4);
	assert_sense(&t, 0x5, 0x2600);
	assert_int_equal(get_be16(&t.sense[16]), 0);
	scsi_task_release(&t);
	list[0] = 0;
	list[3] = 2;					/* PAGE LENGTH */
	send_diag(f, &t, 0x10, list, 4);
	assert_sense(&t, 0x5, 0x2600);
	assert_int_equal(get_be16(&t.sense[16]), 2);
	scsi_task_release(&t);
	list[3] = 0;
	send_diag(f, &t, 0x10, list, 3);		/* truncated header */
	assert_sense(&t, 0x5, 0x1a00);
	scsi_task_release(&t);
	send_diag(f, &t, 0x10, list, 6);
	assert_sense(&t, 0x5, 0x1a00);
	scsi_task_release(&t);

	fx_cmd(f, &t, rcv, SCSI_DIR_READ, 64, NULL);	/* PCV=1, page 0 */
	assert_good(&t);
	assert_int_equal(t.data_in_len, 5);
	assert_int_equal(t.buf[0], 0);
	assert_int_equal(get_be16(&t.buf[2]), 1);
	assert_int_equal(t.buf[4], 0);
	scsi_task_release(&t);
	rcv[1] = 0;					/* PCV=0: the same page */
	fx_cmd(f, &t, rcv, SCSI_DIR_READ, 64, NULL);
	assert_good(&t);
	assert_int_equal(t.data_in_len, 5);
	scsi_task_release(&t);
	rcv[4] = 3;					/* allocation length */
	fx_cmd(f, &t, rcv, SCSI_DIR_READ, 3, NULL);
	assert_int_equal(t.data_in_len, 3);
	scsi_task_release(&t);
	rcv[1] = 1;
	rcv[2] = 0x80;
	fx_cmd(f, &t, rcv, SCSI_DIR_READ, 3, NULL);
	assert_sense(&t, 0x5, 0x2400);
	assert_int_equal(get_be16(&t.sense[16]), 2);
	scsi_task_release(&t);
	fx_free(f);
}

static void start_stop(struct fixture *f, struct scsi_task *t, uint8_t b4)
{
	uint8_t cdb[SCSI_CDB_MAX] = { 0x1b, 0, 0, 0, b4 };

	fx_cmd(f, t, cdb, SCSI_DIR_NONE, 0, NULL);
}

static void prevent(struct fixture *f, struct scsi_task *t, uint8_t v)
{
	uint8_t cdb[SCSI_CDB_MAX] = { 0x1e, 0, 0, 0, v };

	fx_cmd(f, t, cdb, SCSI_DIR_NONE, 0, NULL);
	assert_good(t);
}

static int tur(struct fixture *f, struct scsi_task *t)
{
	uint8_t cdb[SCSI_CDB_MAX] = { 0 };

	return fx_cmd(f, t, cdb, SCSI_DIR_NONE, 0, NULL);
}

/* Loading tells the other nexuses the medium may have changed; ejecting
 * with a write cache flushes it first, unless NO_FLUSH. */
static void test_medium_change(void **state)
{
	struct scsi_lu_config cfg = { .removable = true, .write_cache = true };
	struct fixture *f = fx_new_cfg(NBLOCKS, &cfg);
	struct scsi_itn one = f->itn, two;
	struct scsi_task t;

	(void)state;
	fx_itn_init(&two, 2);
	scsi_tgt_nexus_add(f->tgt, &two);
	f->itn = two;
	tur(f, &t);					/* power-on UA */

	f->itn = one;
	f->st.submits = 0;
	start_stop(f, &t, 0x02);			/* eject: flush first */
	assert_good(&t);
	assert_int_equal(f->st.submits, 1);
	assert_int_equal(f->st.last.op, BS_OP_FLUSH);
	tur(f, &t);
	assert_sense(&t, 0x2, 0x3a00);
	start_stop(f, &t, 0x03);			/* load */
	assert_good(&t);
	tur(f, &t);
	assert_good(&t);				/* it knows */
	f->itn = two;
	tur(f, &t);
	assert_sense(&t, 0x6, 0x2800);			/* it does not */
	tur(f, &t);
	assert_good(&t);

	start_stop(f, &t, 0x03);			/* already loaded: no UA */
	assert_good(&t);
	f->itn = one;
	tur(f, &t);
	assert_good(&t);

	f->st.submits = 0;
	start_stop(f, &t, 0x06);			/* NO_FLUSH eject */
	assert_good(&t);
	assert_int_equal(f->st.submits, 0);
	start_stop(f, &t, 0x02);			/* already out: nothing */
	assert_good(&t);
	assert_int_equal(f->st.submits, 0);
	/* A prevention blocks loading too. */
	prevent(f, &t, 1);
	start_stop(f, &t, 0x03);
	assert_sense(&t, 0x5, 0x5302);
	prevent(f, &t, 0);
	/* A flush that fails keeps the medium in. */
	start_stop(f, &t, 0x03);
	f->st.fail_next = 1;
	start_stop(f, &t, 0x02);
	assert_sense(&t, 0x3, 0x0c00);
	tur(f, &t);
	assert_good(&t);
	scsi_tgt_nexus_remove(f->tgt, &two);
	fx_free(f);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_default_selftest),
		cmocka_unit_test(test_selftest_codes),
		cmocka_unit_test(test_diag_pages),
		cmocka_unit_test(test_medium_change),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
