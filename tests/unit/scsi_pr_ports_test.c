/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Persistent reservations across initiator ports: SPEC_I_PT TransportID
 * lists (including initiators not logged in yet), READ FULL STATUS, and
 * REGISTER AND MOVE.
 */
#include "tests/unit/scsi_pr_fixture.h"

static int register_spec(struct prt *p, const struct scsi_itn *itn, uint64_t sark,
			 const uint8_t *tids, uint32_t tlen, uint32_t list_len)
{
	uint8_t cdb[SCSI_CDB_MAX] = { 0x5f, REGISTER }, d[512] = { 0 };

	put_be32(&cdb[5], list_len);
	put_be64(&d[8], sark);
	d[20] = 0x08;
	put_be32(&d[24], tlen);
	memcpy(&d[28], tids, tlen);
	return run_as(p, itn, cdb, SCSI_DIR_WRITE, list_len, d);
}

static void test_spec_i_pt(void **state)
{
	struct prt *p = setup();
	uint8_t tids[256], *fs;
	uint32_t tlen = 0, off;

	(void)state;
	tlen += put_tid(&tids[tlen], PORT2);
	tlen += put_tid(&tids[tlen], NAME3);		/* not logged in yet; any ISID */
	/* The list must fit in the parameter data. */
	assert_int_equal(register_spec(p, &p->f->itn, K1, tids, tlen, 28 + tlen - 4), 2);
	assert_sense(&p->t, 0x5, 0x1a00);
	assert_int_equal(register_spec(p, &p->f->itn, K1, tids, tlen, 28 + tlen), 0);
	assert_keys(p, 3, (uint64_t[]){ K1, K1, K1 });
	assert_int_equal(generation(p), 1);
	/* Nexus 2 is registered: it may reserve. */
	assert_int_equal(prout(p, &p->n2, RESERVE, 1, K1, 0), 0);
	assert_int_equal(prout(p, &p->n2, RELEASE, 1, K1, 0), 0);
	/* So is the third initiator once it logs in, with any ISID. */
	add_nexus(p, &p->n3, 3, NAME3 ",i,0x23d000000007");
	assert_int_equal(prout(p, &p->n3, REGISTER, 0, K1, K3), 0);
	assert_keys(p, 3, (uint64_t[]){ K1, K1, K3 });

	/* READ FULL STATUS: TransportIDs, relative port, holder. */
	assert_int_equal(prout(p, &p->f->itn, RESERVE, 1, K1, 0), 0);
	assert_int_equal(prin(p, &p->f->itn, 3, 4096), 0);
	fs = p->t.buf;
	off = 8;
	for (int i = 0; i < 3; i++) {
		const char *want[] = { "iqn.2026-01.test:init,i,0x000000000001", PORT2, NAME3 };
		uint32_t dl = get_be32(&fs[off + 20]);

		assert_true(get_be64(&fs[off]) == (i == 2 ? K3 : K1));
		assert_int_equal(fs[off + 12], i == 0 ? 0x01 : 0x00);	/* R_HOLDER */
		assert_int_equal(fs[off + 13], i == 0 ? 1 : 0);
		assert_int_equal(get_be16(&fs[off + 18]), 1);
		assert_int_equal(fs[off + 24], i == 2 ? 0x05 : 0x45);
		assert_int_equal(get_be16(&fs[off + 26]), dl - 4);
		assert_int_equal(dl % 4, 0);
		assert_string_equal((const char *)&fs[off + 28], want[i]);
		off += 24 + dl;
	}
	assert_int_equal(get_be32(&fs[4]), off - 8);
	assert_int_equal(p->t.data_in_len, off);
	teardown(p);
}

static void test_spec_i_pt_errors(void **state)
{
	struct prt *p = setup();
	uint8_t tids[256];
	uint32_t tlen, off;

	(void)state;
	/* Not iSCSI (protocol 6). */
	tlen = put_tid(tids, PORT2);
	tids[0] = 0x46;
	assert_int_equal(register_spec(p, &p->f->itn, K1, tids, tlen, 28 + tlen), 2);
	assert_sense(&p->t, 0x5, 0x2600);
	assert_field_ptr(&p->t, false, 28, -1);
	/* Format 01b without an ISID, and an unterminated name. */
	tlen = put_tid(tids, NAME3);
	tids[0] = 0x45;
	assert_int_equal(register_spec(p, &p->f->itn, K1, tids, tlen, 28 + tlen), 2);
	assert_sense(&p->t, 0x5, 0x2600);
	tlen = put_tid(tids, PORT2);
	memset(&tids[4], 'a', tlen - 4);
	assert_int_equal(register_spec(p, &p->f->itn, K1, tids, tlen, 28 + tlen), 2);
	assert_sense(&p->t, 0x5, 0x2600);
	/* ADDITIONAL LENGTH under 20 or not a multiple of four. */
	tlen = put_tid(tids, "iqn.a,i,0x01");
	put_be16(&tids[2], 16);
	assert_int_equal(register_spec(p, &p->f->itn, K1, tids, 20, 28 + 20), 2);
	assert_sense(&p->t, 0x5, 0x2600);
	put_be16(&tids[2], 22);
	assert_int_equal(register_spec(p, &p->f->itn, K1, tids, tlen, 28 + tlen), 2);
	assert_sense(&p->t, 0x5, 0x2600);
	/* Length field beyond the list. */
	tlen = put_tid(tids, PORT2);
	put_be16(&tids[2], 200);
	assert_int_equal(register_spec(p, &p->f->itn, K1, tids, tlen, 28 + tlen), 2);
	assert_sense(&p->t, 0x5, 0x2600);
	/* Second TransportID bad: nothing at all is registered. */
	off = put_tid(tids, PORT2);
	tlen = off + put_tid(&tids[off], NAME3);
	tids[off] = 0x85;
	assert_int_equal(register_spec(p, &p->f->itn, K1, tids, tlen, 28 + tlen), 2);
	assert_sense(&p->t, 0x5, 0x2600);
	assert_field_ptr(&p->t, false, 28 + off, -1);
	assert_keys(p, 0, NULL);
	/* Naming an initiator port that is registered already. */
	assert_int_equal(prout(p, &p->n2, REGISTER, 0, 0, K2), 0);
	tlen = put_tid(tids, PORT2);
	assert_int_equal(register_spec(p, &p->f->itn, K1, tids, tlen, 28 + tlen), 2);
	assert_sense(&p->t, 0x5, 0x2600);
	assert_keys(p, 1, (uint64_t[]){ K2 });
	/* Naming ourselves adds nothing more. */
	tlen = put_tid(tids, "iqn.2026-01.test:init,i,0x000000000001");
	assert_int_equal(register_spec(p, &p->f->itn, K1, tids, tlen, 28 + tlen), 0);
	assert_keys(p, 2, (uint64_t[]){ K2, K1 });
	teardown(p);
}

/* ---- REGISTER AND MOVE ---- */

static int reg_move(struct prt *p, const struct scsi_itn *itn, uint64_t rk, uint64_t sark,
		    const char *to, uint16_t rel, uint8_t flags)
{
	uint8_t cdb[SCSI_CDB_MAX] = { 0x5f, REG_MOVE, 1 }, d[256] = { 0 };
	uint32_t tlen = put_tid(&d[24], to);

	put_be32(&cdb[5], 24 + tlen);
	put_be64(&d[0], rk);
	put_be64(&d[8], sark);
	d[17] = flags;
	put_be16(&d[18], rel);
	put_be32(&d[20], tlen);
	return run_as(p, itn, cdb, SCSI_DIR_WRITE, 24 + tlen, d);
}

static void test_register_and_move(void **state)
{
	struct prt *p = setup();
	const char *me = "iqn.2026-01.test:init,i,0x000000000001";

	(void)state;
	assert_int_equal(prout(p, &p->f->itn, REGISTER, 0, 0, K1), 0);
	/* Only the holder of a reservation may move it. */
	assert_int_equal(reg_move(p, &p->f->itn, K1, K2, PORT2, 1, 0), CONFLICT);
	assert_int_equal(prout(p, &p->f->itn, RESERVE, 3, K1, 0), 0);
	assert_int_equal(reg_move(p, &p->f->itn, K2, K2, PORT2, 1, 0), CONFLICT);
	assert_int_equal(reg_move(p, &p->f->itn, K1, 0, PORT2, 1, 0), 2);
	assert_sense(&p->t, 0x5, 0x2600);
	assert_field_ptr(&p->t, false, 8, -1);
	assert_int_equal(reg_move(p, &p->f->itn, K1, K2, me, 1, 0), 2);	/* to ourselves */
	assert_sense(&p->t, 0x5, 0x2600);
	assert_field_ptr(&p->t, false, 24, -1);
	assert_int_equal(reg_move(p, &p->f->itn, K1, K2, PORT2, 0, 0), 2);
	assert_sense(&p->t, 0x5, 0x2600);
	assert_int_equal(reg_move(p, &p->f->itn, K1, K2, PORT2, 1, 0x01), 2);	/* APTPL */
	assert_sense(&p->t, 0x5, 0x2600);
	assert_field_ptr(&p->t, false, 17, 0);
	assert_int_equal(generation(p), 1);
	/* Move to nexus 2 (not registered yet), keeping our registration. */
	assert_int_equal(reg_move(p, &p->f->itn, K1, K2, PORT2, 1, 0), 0);
	assert_keys(p, 2, (uint64_t[]){ K1, K2 });
	assert_resv(p, 3, K2);
	assert_int_equal(generation(p), 2);
	assert_int_equal(rw10(p, &p->n2, 0x2a), 0);
	assert_int_equal(rw10(p, &p->f->itn, 0x28), CONFLICT);
	/* And back, with UNREG. */
	assert_int_equal(reg_move(p, &p->n2, K2, K3, me, 1, 0x02), 0);
	assert_keys(p, 1, (uint64_t[]){ K1 });
	assert_resv(p, 3, K1);
	/* Not for an all-registrants reservation. */
	assert_int_equal(prout(p, &p->f->itn, RELEASE, 3, K1, 0), 0);
	assert_int_equal(prout(p, &p->f->itn, RESERVE, 7, K1, 0), 0);
	assert_int_equal(reg_move(p, &p->f->itn, K1, K2, PORT2, 1, 0), CONFLICT);
	teardown(p);
}


int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_spec_i_pt),
		cmocka_unit_test(test_spec_i_pt_errors),
		cmocka_unit_test(test_register_and_move),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
