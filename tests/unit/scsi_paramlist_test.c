/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Every parser of a parameter list (data-out) reads only what arrived: a
 * list shorter than its own fields say, or shorter than the CDB's
 * PARAMETER LIST LENGTH, ends with PARAMETER LIST LENGTH ERROR (1A/00) or
 * INVALID FIELD IN PARAMETER LIST (26/00), never with a read past the
 * received bytes.
 *
 * send() fills the received bytes and then marks the rest of the buffer
 * (what the CDB announced but the transport never received) as unreadable:
 * with AddressSanitizer (build this test once with -fsanitize=address) any
 * read of it aborts the test; without it the rest is filled with 0xa5, so a
 * parser that used it would see a list that is wrong in every field.
 */
#include "tests/unit/scsi_fixture.h"

#include "util/endian.h"

#if defined(__SANITIZE_ADDRESS__)
#include <sanitizer/asan_interface.h>
#define POISON(p, n)	ASAN_POISON_MEMORY_REGION(p, n)
#define UNPOISON(p, n)	ASAN_UNPOISON_MEMORY_REGION(p, n)
#else
#define POISON(p, n)	memset(p, 0xa5, n)
#define UNPOISON(p, n)	((void)(p), (void)(n))
#endif

#define NBLOCKS 256u
#define PLLE 0x1a00
#define BAD_PARAM 0x2600
#define BAD_CDB 0x2400

static struct fixture *thin_lu(void)
{
	struct scsi_lu_config cfg = { .lun = 0, .thin = true, .write_cache = true };

	return fx_new_cfg(NBLOCKS, &cfg);
}

/* Run @cdb with @got bytes of data-out @d received (the expected length). */
static void send(struct fixture *f, struct scsi_task *t, const uint8_t *cdb,
		 const void *d, uint32_t got)
{
	uint32_t n;
	int rc;

	fx_task(t, f->tgt, &f->itn, 0, cdb, SCSI_DIR_WRITE, got, fx_done);
	g_fx = f;
	f->done_calls = 0;
	rc = scsi_task_prepare(t);
	if (rc == SCSI_TASK_COMPLETE)
		return;
	n = t->data_out_len < got ? t->data_out_len : got;
	if (t->buf) {
		memcpy(t->buf, d, n);
		POISON(t->buf + n, t->buf_size - n);
	}
	rc = scsi_task_execute(t);
	if (rc == SCSI_TASK_PENDING)
		fake_run(&f->bs);
	if (t->buf)
		UNPOISON(t->buf + n, t->buf_size - n);
}

static void expect(struct fixture *f, const uint8_t *cdb, const void *d, uint32_t got,
		   uint16_t asc)
{
	struct scsi_task t;

	send(f, &t, cdb, d, got);
	assert_sense(&t, 0x5, asc);
	scsi_task_release(&t);
}

static void test_mode_select(void **state)
{
	struct fixture *f = fx_new(NBLOCKS);
	uint8_t l[64] = { 0 };
	uint8_t c6[SCSI_CDB_MAX] = { 0x15, 0x10 }, c10[SCSI_CDB_MAX] = { 0x55, 0x10 };

	(void)state;
	/* The header itself cut short, CDB and data agreeing. */
	for (uint8_t n = 1; n < 4; n++) {
		c6[4] = n;
		expect(f, c6, l, n, PLLE);
	}
	for (uint8_t n = 1; n < 8; n++) {
		put_be16(&c10[7], n);
		expect(f, c10, l, n, PLLE);
	}
	/* The CDB announces 12 bytes, 4 arrive; the header asks for a block
	 * descriptor that is not there. */
	c6[4] = 12;
	l[3] = 8;
	expect(f, c6, l, 4, PLLE);
	/* A page header cut after its code byte, and a page cut inside. */
	l[3] = 0;
	l[4] = 0x08;
	c6[4] = 5;
	expect(f, c6, l, 5, PLLE);
	l[5] = 18;
	c6[4] = 10;
	expect(f, c6, l, 10, PLLE);
	/* The same page list, with the CDB longer than what arrived. */
	c6[4] = 24;
	expect(f, c6, l, 10, PLLE);
	fx_free(f);
}

static void test_prout(void **state)
{
	struct fixture *f = fx_new(NBLOCKS);
	uint8_t cdb[SCSI_CDB_MAX] = { 0x5f, 0x00 }, l[128] = { 0 };
	const char *name = "iqn.2026-01.test:x,i,0x000000000007";

	(void)state;
	/* REGISTER: 24 announced, 20 received. */
	put_be32(&cdb[5], 24);
	put_be64(&l[8], 0x1234);
	expect(f, cdb, l, 20, PLLE);
	/* SPEC_I_PT without the TRANSPORTID PARAMETER DATA LENGTH field. */
	l[20] = 0x08;
	expect(f, cdb, l, 24, PLLE);
	/* It says 40 bytes of TransportIDs, 8 arrive (the CDB says 68). */
	put_be32(&cdb[5], 68);
	put_be32(&l[24], 40);
	expect(f, cdb, l, 36, PLLE);
	/* One TransportID whose own length runs past the list. */
	put_be32(&cdb[5], 52);
	put_be32(&l[24], 24);
	l[28] = 0x45;
	put_be16(&l[30], 100);
	memcpy(&l[32], name, 20);
	expect(f, cdb, l, 52, BAD_PARAM);
	/* A TransportID header cut short (2 bytes of TransportID). */
	put_be32(&cdb[5], 30);
	put_be32(&l[24], 2);
	expect(f, cdb, l, 30, BAD_PARAM);
	fx_free(f);
}

static void test_register_and_move(void **state)
{
	struct fixture *f = fx_new(NBLOCKS);
	uint8_t cdb[SCSI_CDB_MAX] = { 0x5f }, l[64] = { 0 };
	struct scsi_task t;

	(void)state;
	put_be32(&cdb[5], 24);
	put_be64(&l[8], 0x1234);
	send(f, &t, cdb, l, 24);		/* REGISTER key 1234 */
	assert_good(&t);
	scsi_task_release(&t);
	cdb[1] = 0x01;				/* RESERVE, WRITE EXCLUSIVE */
	cdb[2] = 0x01;
	memset(l, 0, sizeof(l));
	put_be64(&l[0], 0x1234);
	send(f, &t, cdb, l, 24);
	assert_good(&t);
	scsi_task_release(&t);
	/* REGISTER AND MOVE (the nexus holds the reservation, so the
	 * parser gets to the TransportID). */
	cdb[1] = 0x07;
	cdb[2] = 0;
	put_be64(&l[8], 0x5678);
	put_be16(&l[18], 1);
	/* No TransportID: TRANSPORTID PARAMETER DATA LENGTH 0. */
	expect(f, cdb, l, 24, BAD_PARAM);
	/* 24 bytes announced by the list, the CDB says 48, 24 arrive. */
	put_be32(&l[20], 24);
	put_be32(&cdb[5], 48);
	expect(f, cdb, l, 24, PLLE);
	/* 3 bytes of TransportID: too short for its header. */
	put_be32(&l[20], 3);
	put_be32(&cdb[5], 27);
	expect(f, cdb, l, 27, BAD_PARAM);
	fx_free(f);
}

static void test_unmap(void **state)
{
	struct fixture *f = thin_lu();
	uint8_t cdb[SCSI_CDB_MAX] = { 0x42 }, l[40] = { 0 };

	(void)state;
	put_be16(&cdb[7], 24);
	expect(f, cdb, l, 7, PLLE);		/* the header cut */
	put_be16(&l[0], 22);
	put_be16(&l[2], 16);			/* one descriptor, half of it sent */
	expect(f, cdb, l, 16, PLLE);
	put_be16(&cdb[7], 40);
	put_be16(&l[0], 38);
	put_be16(&l[2], 32);			/* two, the CDB agreeing, 24 sent */
	expect(f, cdb, l, 24, PLLE);
	fx_free(f);
}

static void test_xcopy(void **state)
{
	struct fixture *f = fx_new(NBLOCKS);
	uint8_t cdb[SCSI_CDB_MAX] = { 0x83 }, l[128] = { 0 };

	(void)state;
	put_be32(&cdb[10], 16);
	expect(f, cdb, l, 15, PLLE);		/* the header cut */
	put_be16(&l[2], 32);			/* one CSCD, one segment */
	put_be32(&l[8], 28);
	put_be32(&cdb[10], 76);
	expect(f, cdb, l, 40, PLLE);		/* 40 of 76 sent */
	expect(f, cdb, l, 75, PLLE);		/* the segment cut by one byte */
	/* A segment whose DESCRIPTOR LENGTH runs past the segment list. */
	l[16] = 0xe4;
	l[48] = 0x02;
	put_be16(&l[50], 200);
	put_be32(&cdb[10], 76);
	expect(f, cdb, l, 76, BAD_PARAM);
	fx_free(f);
}

static void test_write_same_caw(void **state)
{
	struct fixture *f = fx_new(NBLOCKS);
	uint8_t ws[SCSI_CDB_MAX] = { 0x93, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 8 };
	uint8_t caw[SCSI_CDB_MAX] = { 0x89, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1 };
	uint8_t d[1024] = { 0 };

	(void)state;
	expect(f, ws, d, 100, BAD_CDB);		/* less than one block */
	ws[1] = 0x01;				/* NDOB: no data-out at all */
	expect(f, ws, d, 512, BAD_CDB);
	expect(f, caw, d, 1000, BAD_CDB);	/* less than both halves */
	fx_free(f);
}

static void test_diag_sanitize_format(void **state)
{
	struct fixture *f = thin_lu();
	uint8_t diag[SCSI_CDB_MAX] = { 0x1d, 0x10, 0, 0, 6 };
	uint8_t san[SCSI_CDB_MAX] = { 0x48, 0x01, 0, 0, 0, 0, 0, 0, 8 };
	uint8_t fmt[SCSI_CDB_MAX] = { 0x04, 0x10 };
	uint8_t l[16] = { 0 };

	(void)state;
	expect(f, diag, l, 6, PLLE);		/* the second page cut */
	expect(f, diag, l, 3, PLLE);		/* the first one cut */
	l[0] = 0x01;
	l[2] = 0;
	l[3] = 4;
	expect(f, san, l, 5, PLLE);		/* 8 announced, 5 sent */
	expect(f, fmt, l, 2, PLLE);		/* a 4-byte header, 2 sent */
	fmt[1] |= 0x20;				/* LONGLIST: 8 bytes */
	expect(f, fmt, l, 4, PLLE);
	fx_free(f);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_mode_select),
		cmocka_unit_test(test_prout),
		cmocka_unit_test(test_register_and_move),
		cmocka_unit_test(test_unmap),
		cmocka_unit_test(test_xcopy),
		cmocka_unit_test(test_write_same_caw),
		cmocka_unit_test(test_diag_sanitize_format),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
