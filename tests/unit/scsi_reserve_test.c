/* SPDX-License-Identifier: Apache-2.0 */
/*
 * RESERVE(6)/(10) and RELEASE(6)/(10): conflicts, their interplay with
 * persistent reservations, the events that end them; and APTPL: the state
 * file and its round trip through a new LU (damaged files:
 * scsi_pr_persist_test).
 */
#include "tests/unit/scsi_pr_fixture.h"

/* ---- RESERVE(6)/(10), RELEASE(6)/(10) ---- */

static void test_reserve6(void **state)
{
	struct prt *p = setup();
	uint8_t res6[SCSI_CDB_MAX] = { 0x16 }, rel6[SCSI_CDB_MAX] = { 0x17 };
	uint8_t res10[SCSI_CDB_MAX] = { 0x56 }, rel10[SCSI_CDB_MAX] = { 0x57 };
	uint8_t inq[SCSI_CDB_MAX] = { 0x12, 0, 0, 0, 36 };
	uint8_t tur[SCSI_CDB_MAX] = { 0 };

	(void)state;
	assert_int_equal(run_as(p, &p->f->itn, res6, SCSI_DIR_NONE, 0, NULL), 0);
	assert_int_equal(run_as(p, &p->f->itn, res6, SCSI_DIR_NONE, 0, NULL), 0);	/* again */
	assert_int_equal(run_as(p, &p->n2, res6, SCSI_DIR_NONE, 0, NULL), CONFLICT);
	assert_int_equal(run_as(p, &p->n2, res10, SCSI_DIR_NONE, 0, NULL), CONFLICT);
	assert_int_equal(rw10(p, &p->n2, 0x28), CONFLICT);
	assert_int_equal(run_as(p, &p->n2, tur, SCSI_DIR_NONE, 0, NULL), CONFLICT);
	assert_int_equal(run_as(p, &p->n2, inq, SCSI_DIR_READ, 36, NULL), 0);
	assert_int_equal(rw10(p, &p->f->itn, 0x2a), 0);
	/* Persistent reservation commands conflict for everyone meanwhile. */
	assert_int_equal(prin(p, &p->f->itn, 0, 64), CONFLICT);
	assert_int_equal(prout(p, &p->n2, REGISTER, 0, 0, K1), CONFLICT);
	/* RELEASE from another nexus: a no-op. */
	assert_int_equal(run_as(p, &p->n2, rel6, SCSI_DIR_NONE, 0, NULL), 0);
	assert_int_equal(rw10(p, &p->n2, 0x28), CONFLICT);
	assert_int_equal(run_as(p, &p->f->itn, rel10, SCSI_DIR_NONE, 0, NULL), 0);
	assert_int_equal(rw10(p, &p->n2, 0x28), 0);
	assert_int_equal(run_as(p, &p->n2, res10, SCSI_DIR_NONE, 0, NULL), 0);
	assert_int_equal(run_as(p, &p->n2, rel6, SCSI_DIR_NONE, 0, NULL), 0);
	/* Obsolete third-party and extent reservations. */
	res6[1] = 0x10;
	run_as(p, &p->f->itn, res6, SCSI_DIR_NONE, 0, NULL);
	assert_sense(&p->t, 0x5, 0x2400);
	res6[1] = 0x01;
	run_as(p, &p->f->itn, res6, SCSI_DIR_NONE, 0, NULL);
	assert_sense(&p->t, 0x5, 0x2400);
	res10[1] = 0x02;
	run_as(p, &p->f->itn, res10, SCSI_DIR_NONE, 0, NULL);
	assert_sense(&p->t, 0x5, 0x2400);
	/* With a persistent registration, RESERVE and RELEASE conflict. */
	assert_int_equal(prout(p, &p->n2, REGISTER, 0, 0, K2), 0);
	res6[1] = 0;
	assert_int_equal(run_as(p, &p->f->itn, res6, SCSI_DIR_NONE, 0, NULL), CONFLICT);
	assert_int_equal(run_as(p, &p->n2, rel6, SCSI_DIR_NONE, 0, NULL), CONFLICT);
	teardown(p);
}

static void test_reserve6_ends(void **state)
{
	struct prt *p = setup();
	uint8_t res6[SCSI_CDB_MAX] = { 0x16 };

	(void)state;
	/* I_T nexus loss. */
	assert_int_equal(run_as(p, &p->n2, res6, SCSI_DIR_NONE, 0, NULL), 0);
	assert_int_equal(rw10(p, &p->f->itn, 0x28), CONFLICT);
	scsi_tgt_nexus_remove(p->f->tgt, &p->n2);
	assert_int_equal(rw10(p, &p->f->itn, 0x28), 0);
	add_nexus(p, &p->n2, 2, PORT2);
	/* LOGICAL UNIT RESET. */
	assert_int_equal(run_as(p, &p->n2, res6, SCSI_DIR_NONE, 0, NULL), 0);
	assert_int_equal(scsi_tgt_lu_reset(p->f->tgt, 0), 0);
	assert_ua(p, &p->f->itn, 0x2903);
	assert_int_equal(rw10(p, &p->f->itn, 0x28), 0);
	assert_ua(p, &p->n2, 0x2903);
	/* Target reset. */
	assert_int_equal(run_as(p, &p->n2, res6, SCSI_DIR_NONE, 0, NULL), 0);
	scsi_tgt_reset(p->f->tgt);
	assert_ua(p, &p->f->itn, 0x2900);
	assert_int_equal(rw10(p, &p->f->itn, 0x28), 0);
	/* Persistent reservations survive all of these. */
	assert_ua(p, &p->n2, 0x2900);
	assert_int_equal(prout(p, &p->n2, REGISTER, 0, 0, K2), 0);
	assert_int_equal(prout(p, &p->n2, RESERVE, 3, K2, 0), 0);
	scsi_tgt_reset(p->f->tgt);
	scsi_tgt_nexus_remove(p->f->tgt, &p->n2);
	add_nexus(p, &p->n2, 2, PORT2);
	assert_ua(p, &p->f->itn, 0x2900);
	assert_resv(p, 3, K2);
	assert_int_equal(rw10(p, &p->f->itn, 0x28), CONFLICT);
	teardown(p);
}

/* ---- APTPL ---- */

static void read_file(const char *path, char *buf, size_t len)
{
	FILE *f = fopen(path, "r");
	size_t n;

	assert_non_null(f);
	n = fread(buf, 1, len - 1, f);
	buf[n] = '\0';
	fclose(f);
}

static void test_aptpl_round_trip(void **state)
{
	char dir[] = "/tmp/ctgt-pr-XXXXXX", file[64], tmp[80], text[1024];
	struct scsi_lu_config cfg = { .lun = 0 };
	struct prt *p;

	(void)state;
	assert_non_null(mkdtemp(dir));
	snprintf(file, sizeof(file), "%s/lu.pr", dir);
	snprintf(tmp, sizeof(tmp), "%s.tmp", file);
	cfg.pr_file = file;
	p = setup_cfg(&cfg);
	assert_int_equal(prin(p, &p->f->itn, 2, 8), 0);
	assert_int_equal(p->t.buf[2], 0x0d);		/* PTPL_C */
	assert_int_equal(p->t.buf[3] & 1, 0);		/* PTPL_A */
	assert_int_equal(prout(p, &p->f->itn, REGISTER, 0, 0, K1), 0);
	assert_int_equal(access(file, F_OK), -1);	/* no APTPL: no file */
	assert_int_equal(prout_ex(p, &p->n2, REGISTER, 0, 0, K2, 0x01), 0);
	assert_int_equal(prout(p, &p->n2, RESERVE, 6, K2, 0), 0);
	assert_int_equal(access(tmp, F_OK), -1);
	read_file(file, text, sizeof(text));
	assert_string_equal(text,
		"ctgt-pr 2\n"
		"reg 1111111111111111 1 0 iqn.2026-01.test:init,i,0x000000000001 "
		"iqn.2026-11.io.ctgt:disk0,t,0x0001\n"
		"reg 2222222222222222 1 0 " PORT2 " iqn.2026-11.io.ctgt:disk0,t,0x0001\n"
		"reservation 6 1\n"
		"end 2\n");
	teardown(p);

	/* A new LU over the same file: everything is back. */
	p = setup_cfg(&cfg);
	assert_keys(p, 2, (uint64_t[]){ K1, K2 });
	assert_int_equal(generation(p), 0);		/* a power on resets it */
	assert_resv(p, 6, K2);
	assert_int_equal(prin(p, &p->f->itn, 2, 8), 0);
	assert_int_equal(p->t.buf[3] & 1, 1);		/* PTPL_A */
	assert_int_equal(rw10(p, &p->n2, 0x2a), 0);
	/* All-registrants reservations have no holder line. */
	assert_int_equal(prout(p, &p->n2, RELEASE, 6, K2, 0), 0);
	assert_ua(p, &p->f->itn, 0x2a04);
	assert_int_equal(prout(p, &p->f->itn, RESERVE, 8, K1, 0), 0);
	read_file(file, text, sizeof(text));
	assert_non_null(strstr(text, "reservation 8 -\n"));
	teardown(p);
	p = setup_cfg(&cfg);
	assert_resv(p, 8, 0);
	/* APTPL=0 in a REGISTER: the file goes. */
	assert_int_equal(prout(p, &p->f->itn, REGISTER, 0, K1, K3), 0);
	assert_int_equal(access(file, F_OK), -1);
	teardown(p);
	p = setup_cfg(&cfg);
	assert_keys(p, 0, NULL);
	teardown(p);
	unlink(file);
	rmdir(dir);
}


int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_reserve6),
		cmocka_unit_test(test_reserve6_ends),
		cmocka_unit_test(test_aptpl_round_trip),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
