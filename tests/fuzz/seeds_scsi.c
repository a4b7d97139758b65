/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The seeds of fuzz_scsi (gen_corpus.h): command records and task
 * management functions on the target's two LUs and three nexuses. Some
 * seeds ask a copy of that target what it answers (MODE SENSE data, the
 * LUs' NAA designators) to build parameter lists it accepts.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "backend/backend.h"
#include "scsi/scsi.h"
#include "scsi/xcopy.h"
#include "tests/fuzz/fuzz_scsi.h"
#include "tests/fuzz/gen_corpus.h"
#include "util/endian.h"

#define D_NONE	0x00
#define D_READ	0x10
#define D_WRITE	0x20
#define HOLD	0x80
#define LU1	0x04

/* One command record of fuzz_scsi: ctrl, expected length, data-out, CDB. */
static void rec(struct buf *b, uint8_t ctrl, uint16_t expected, const uint8_t *cdb, size_t cdblen,
		const void *dout, uint16_t dlen)
{
	uint8_t c[16] = { 0 };

	memcpy(c, cdb, cdblen);
	put_u8(b, ctrl);
	put_u8(b, (uint8_t)(expected >> 8));
	put_u8(b, (uint8_t)expected);
	put_u8(b, (uint8_t)(dlen >> 8));
	put_u8(b, (uint8_t)dlen);
	put(b, c, 16);
	if (dout && dlen != 0xffff)
		put(b, dout, dlen);
}

static void tmf(struct buf *b, uint8_t ctrl, uint8_t fn)
{
	put_u8(b, (uint8_t)(ctrl | 0x40));
	put_u8(b, fn);
}

/* TEST UNIT READY on every nexus, to consume the power-on unit attention. */
static void clear_ua(struct buf *b)
{
	for (uint8_t n = 0; n < 3; n++) {
		rec(b, n, 0, CDB(0x00), NULL, 0);
		rec(b, n | LU1, 0, CDB(0x00), NULL, 0);
	}
}

static void scsi_basic(void)
{
	struct buf b = { .len = 0 };

	clear_ua(&b);
	rec(&b, D_READ, 96, CDB(0x12, 0, 0, 0, 96), NULL, 0);
	for (uint8_t pg = 0x00; pg <= 0xb2; pg = pg == 0x00 ? 0x80 : pg == 0x80 ? 0x83 :
							pg == 0x83 ? 0x86 : pg == 0x86 ? 0x8f : pg == 0x8f ? 0xb0 : (uint8_t)(pg + 1))
		rec(&b, D_READ, 255, CDB(0x12, 1, pg, 0, 255), NULL, 0);
	rec(&b, D_READ, 32, CDB(0x9e, 0x10, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 32), NULL, 0);
	rec(&b, D_READ | LU1, 8, CDB(0x25), NULL, 0);
	rec(&b, D_READ, 64, CDB(0xa0, 0, 0, 0, 0, 0, 0, 0, 0, 64), NULL, 0);
	rec(&b, D_READ, 1024, CDB(0x5a, 0, 0x3f, 0, 0, 0, 0, 4, 0), NULL, 0);
	rec(&b, D_READ | LU1, 255, CDB(0x1a, 0, 0x3f, 0, 255), NULL, 0);
	rec(&b, D_READ, 252, CDB(0x03, 0, 0, 0, 252), NULL, 0);
	rec(&b, D_READ, 4096, CDB(0xa3, 0x0c, 0, 0, 0, 0, 0, 0, 0x10, 0), NULL, 0);
	rec(&b, D_READ, 64, CDB(0xa3, 0x0c, 0x01, 0x89, 0, 0, 0, 0, 0, 64), NULL, 0);
	rec(&b, D_READ, 64, CDB(0x9e, 0x12, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 64), NULL, 0);
	rec(&b, D_READ, 64, CDB(0xb7, 0x08, 0, 0, 0, 0, 0, 0, 0, 64), NULL, 0);
	rec(&b, 2 | D_READ, 96, CDB(0x12, 0, 0, 0, 96), NULL, 0);	/* unknown LU 7 */
	rec(&b, 0x08 | D_READ, 64, CDB(0xa0, 0, 0, 0, 0, 0, 0, 0, 0, 64), NULL, 0);
	save("scsi", "basic", &b);
}

static void scsi_rw(void)
{
	struct buf b = { .len = 0 };

	clear_ua(&b);
	rec(&b, D_WRITE, 2048, CDB(0x2a, 0, 0, 0, 0, 8, 0, 0, 4), pattern, 2048);
	rec(&b, D_READ, 2048, CDB(0x28, 0, 0, 0, 0, 8, 0, 0, 4), NULL, 0);
	rec(&b, D_WRITE | LU1, 4096, CDB(0x8a, 0x08, 0, 0, 0, 0, 0, 0, 0, 3, 0, 0, 0, 1), pattern, 4096);
	rec(&b, D_READ | LU1, 8192, CDB(0x88, 0, 0, 0, 0, 0, 0, 0, 0, 3, 0, 0, 0, 2), NULL, 0);
	rec(&b, D_WRITE, 512, CDB(0x0a, 0, 0, 1, 1), pattern, 512);
	rec(&b, D_READ, 512, CDB(0x08, 0, 0, 1, 1), NULL, 0);
	rec(&b, D_WRITE, 1024, CDB(0xaa, 0, 0, 0, 0, 16, 0, 0, 0, 2), pattern, 1024);
	rec(&b, D_WRITE, 512, CDB(0x2f, 0x02, 0, 0, 0, 8, 0, 0, 1), pattern, 512);	/* VERIFY BYTCHK */
	rec(&b, D_WRITE, 512, CDB(0x2e, 0x02, 0, 0, 0, 9, 0, 0, 1), pattern, 512);
	rec(&b, D_WRITE, 512, CDB(0x8b, 0, 0, 0, 0, 0, 0, 0, 0, 9, 0, 0, 0, 1), pattern, 512);
	rec(&b, D_WRITE, 512, CDB(0x9c, 0, 0, 0, 0, 0, 0, 0, 0, 32, 0, 0, 0, 0, 1), pattern, 512);
	rec(&b, D_NONE, 0, CDB(0x35, 0, 0, 0, 0, 0, 0, 0, 0), NULL, 0);
	rec(&b, D_NONE, 0, CDB(0x90, 0x02, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 8), NULL, 0);
	/* shorter expected length than the CDB asks */
	rec(&b, D_WRITE, 700, CDB(0x2a, 0, 0, 0, 0, 20, 0, 0, 4), pattern, 700);
	rec(&b, D_WRITE | HOLD, 512, CDB(0x2a, 0, 0, 0, 0, 30, 0, 0, 1), pattern, 512);
	rec(&b, D_READ | HOLD, 512, CDB(0x28, 0, 0, 0, 0, 30, 0, 0, 1), NULL, 0);
	rec(&b, D_READ, 512, CDB(0x28, 0, 0, 0, 0, 30, 0, 0, 1), NULL, 0);
	save("scsi", "rw", &b);
}

static void scsi_caw_ws(void)
{
	struct buf b = { .len = 0 };
	uint8_t two[1024] = { 0 };

	memcpy(two + 512, pattern, 512);
	clear_ua(&b);
	rec(&b, D_WRITE, 1024, CDB(0x89, 0, 0, 0, 0, 0, 0, 0, 0, 5, 0, 0, 0, 1), two, 1024);
	rec(&b, D_WRITE, 1024, CDB(0x89, 0, 0, 0, 0, 0, 0, 0, 0, 5, 0, 0, 0, 1), two, 1024);
	rec(&b, D_WRITE, 512, CDB(0x41, 0, 0, 0, 0, 40, 0, 0, 8), pattern, 512);
	rec(&b, D_WRITE, 512, CDB(0x93, 0x08, 0, 0, 0, 0, 0, 0, 0, 64, 0, 0, 0, 16), two, 512);
	rec(&b, D_NONE, 0, CDB(0x93, 0x09, 0, 0, 0, 0, 0, 0, 0, 80, 0, 0, 0, 16), NULL, 0);
	rec(&b, D_WRITE | LU1, 4096, CDB(0x93, 0, 0, 0, 0, 0, 0, 0, 0, 10, 0, 0, 0, 4), pattern, 4096);
	save("scsi", "caw-ws", &b);
}

static void scsi_unmap(void)
{
	struct buf b = { .len = 0 };
	uint8_t p[8 + 3 * 16] = { 0, 6 + 48, 0, 48 };

	for (int i = 0; i < 3; i++) {
		p[8 + 16 * i + 7] = (uint8_t)(8 * i);
		p[8 + 16 * i + 11] = 4;
	}
	clear_ua(&b);
	rec(&b, D_WRITE, 2048, CDB(0x2a, 0, 0, 0, 0, 0, 0, 0, 4), pattern, 2048);
	rec(&b, D_WRITE, sizeof(p), CDB(0x42, 0, 0, 0, 0, 0, 0, 0, sizeof(p)), p, sizeof(p));
	rec(&b, D_READ, 24, CDB(0x9e, 0x12, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 24), NULL, 0);
	rec(&b, D_WRITE, 20, CDB(0x42, 0, 0, 0, 0, 0, 0, 0, 24), p, 20);	/* short */
	rec(&b, D_WRITE | LU1, sizeof(p), CDB(0x42, 0, 0, 0, 0, 0, 0, 0, sizeof(p)), p, sizeof(p));
	save("scsi", "unmap", &b);
}

static void prout(struct buf *b, uint8_t ctrl, uint8_t sa, uint8_t type, uint64_t key,
		  uint64_t sakey, uint8_t flags)
{
	uint8_t p[24] = { 0 };

	put_be64(p, key);
	put_be64(p + 8, sakey);
	p[20] = flags;
	rec(b, (uint8_t)(ctrl | D_WRITE), 24, CDB(0x5f, sa, type, 0, 0, 0, 0, 0, 24), p, 24);
}

static void prin(struct buf *b, uint8_t ctrl, uint8_t sa)
{
	rec(b, (uint8_t)(ctrl | D_READ), 1024, CDB(0x5e, sa, 0, 0, 0, 0, 0, 4, 0), NULL, 0);
}

static void scsi_pr(void)
{
	struct buf b = { .len = 0 };
	/* REGISTER AND MOVE to nexus 1's port (iSCSI TransportID, format 01h). */
	const char *tid = "iqn.2026-01.fuzz:init1,i,0x000000000002";
	uint8_t mv[24 + 4 + 64] = { 0 };
	uint16_t tlen = (uint16_t)((4 + strlen(tid) + 1 + 3) & ~3u);

	clear_ua(&b);
	prout(&b, 0, 0x00, 0, 0, 0xaa, 0);		/* REGISTER */
	prout(&b, 1, 0x00, 0, 0, 0xbb, 0x04);		/* REGISTER ALL_TG_PT */
	prout(&b, 0, 0x01, 0x05, 0xaa, 0, 0);		/* RESERVE WE-RO */
	prin(&b, 0, 0);
	prin(&b, 1, 1);
	prin(&b, 0, 2);
	prin(&b, 2, 3);
	rec(&b, 2 | D_WRITE, 512, CDB(0x2a, 0, 0, 0, 0, 0, 0, 0, 1), pattern, 512);	/* conflict */
	prout(&b, 1, 0x04, 0x05, 0xbb, 0xaa, 0);	/* PREEMPT */
	prout(&b, 1, 0x02, 0x05, 0xbb, 0, 0);		/* RELEASE */
	prout(&b, 2, 0x06, 0, 0, 0xcc, 0x01);		/* REGISTER AND IGNORE, APTPL */
	prout(&b, 2, 0x01, 0x01, 0xcc, 0, 0);		/* RESERVE WE */
	put_be64(mv, 0xcc);
	put_be64(mv + 8, 0xdd);
	mv[19] = 1;
	put_be32(mv + 20, tlen);
	mv[24] = 0x45;
	put_be16(mv + 26, (uint16_t)(tlen - 4));
	memcpy(mv + 28, tid, strlen(tid));
	rec(&b, 2 | D_WRITE, (uint16_t)(24 + tlen), CDB(0x5f, 0x07, 0x01, 0, 0, 0, 0, 0,
							(uint8_t)(24 + tlen)), mv, (uint16_t)(24 + tlen));
	prin(&b, 0, 3);
	prout(&b, 1, 0x05, 0x01, 0xbb, 0xdd, 0);	/* PREEMPT AND ABORT */
	prout(&b, 1, 0x03, 0, 0xbb, 0, 0);		/* CLEAR */
	rec(&b, D_NONE, 0, CDB(0x16), NULL, 0);		/* RESERVE(6) */
	rec(&b, 1 | D_READ, 512, CDB(0x28, 0, 0, 0, 0, 0, 0, 0, 1), NULL, 0);
	rec(&b, D_NONE, 0, CDB(0x17), NULL, 0);
	save("scsi", "pr", &b);
}

/* The target and LUs of fuzz_scsi, to learn what they answer. */
struct world {
	struct bs_cq cq;
	struct backend *bs[2];
	struct scsi_tgt *tgt;
	struct scsi_lu *lu[2];
	struct scsi_itn itn;
};

static void world_open(struct world *w)
{
	struct scsi_lu_config c0 = fuzz_scsi_lu0(NULL), c1 = fuzz_scsi_lu1();
	char err[128];

	memset(w, 0, sizeof(*w));
	if (bs_cq_init(&w->cq) < 0)
		exit(1);
	w->bs[0] = backend_open("mem:", FUZZ_SCSI_STORE_BYTES, &w->cq, err, sizeof(err));
	w->bs[1] = backend_open("mem:", FUZZ_SCSI_STORE_BYTES, &w->cq, err, sizeof(err));
	w->tgt = scsi_tgt_create(FUZZ_SCSI_TARGET);
	w->lu[0] = w->bs[0] ? scsi_lu_create(&c0, w->bs[0]) : NULL;
	w->lu[1] = w->bs[1] ? scsi_lu_create(&c1, w->bs[1]) : NULL;
	if (!w->tgt || !w->lu[0] || !w->lu[1] || scsi_tgt_add_lu(w->tgt, w->lu[0]) < 0 ||
	    scsi_tgt_add_lu(w->tgt, w->lu[1]) < 0)
		exit(1);
	w->itn.id = 1;
	strcpy(w->itn.initiator_port, "iqn.2026-01.gen:init,i,0x000000000001");
	strcpy(w->itn.target_port, "iqn.2026-11.io.ctgt:fuzz,t,0x0001");
	w->itn.rel_port_id = 1;
}

static void world_close(struct world *w)
{
	scsi_tgt_destroy(w->tgt);
	backend_close(w->bs[0]);
	backend_close(w->bs[1]);
	bs_cq_destroy(&w->cq);
}

/* A data-in command without backend I/O (MODE SENSE): its data, or exit. */
static uint32_t world_data_in(struct world *w, uint64_t lun, const uint8_t *cdb, size_t cdblen,
			      uint8_t *out, uint32_t len)
{
	struct scsi_task t;
	uint32_t n;

	memset(&t, 0, sizeof(t));
	t.tgt = w->tgt;
	t.itn = &w->itn;
	t.lun = lun;
	memcpy(t.cdb, cdb, cdblen);
	t.expected_len = len;
	t.dir = SCSI_DIR_READ;
	if (scsi_task_prepare(&t) != SCSI_TASK_READY ||
	    scsi_task_execute(&t) != SCSI_TASK_COMPLETE || t.status != SCSI_STATUS_GOOD) {
		fprintf(stderr, "gen_corpus: command %02x failed\n", cdb[0]);
		exit(1);
	}
	n = t.data_in_len < len ? t.data_in_len : len;
	memcpy(out, t.buf, n);
	scsi_task_release(&t);
	return n;
}

static void scsi_mode(void)
{
	struct world w;
	struct buf b = { .len = 0 };
	uint8_t ms10[256], ms6[256];
	uint32_t n10, n6;

	/* MODE SELECT data = what MODE SENSE returns (mode data length zeroed,
	 * caching page with WCE toggled): a list the LU accepts. */
	world_open(&w);
	n10 = world_data_in(&w, 0, CDB(0x5a, 0x08, 0x08, 0, 0, 0, 0, 0, 255), ms10, 255);
	n6 = world_data_in(&w, 1, CDB(0x1a, 0, 0x0a, 0, 255), ms6, 255);
	world_close(&w);
	ms10[0] = ms10[1] = 0;
	ms10[8 + 2] ^= 0x04;
	ms6[0] = 0;
	clear_ua(&b);
	rec(&b, D_WRITE, (uint16_t)n10, CDB(0x55, 0x10, 0, 0, 0, 0, 0, 0, (uint8_t)n10), ms10,
	    (uint16_t)n10);
	rec(&b, D_WRITE | LU1, (uint16_t)n6, CDB(0x15, 0x10, 0, 0, (uint8_t)n6), ms6, (uint16_t)n6);
	rec(&b, D_WRITE, 3, CDB(0x15, 0x10, 0, 0, 3), ms6, 3);		/* short list */
	rec(&b, D_WRITE | LU1, 11, CDB(0x55, 0x10, 0, 0, 0, 0, 0, 0, 11), ms10, 11);
	rec(&b, D_READ, 255, CDB(0x1a, 0, 0x08, 0, 255), NULL, 0);
	rec(&b, D_READ, 255, CDB(0x1a, 0, 0x4a, 0, 255), NULL, 0);	/* changeable control */
	save("scsi", "mode", &b);
}

static void scsi_xcopy(void)
{
	struct world w;
	struct buf b = { .len = 0 };
	uint8_t p[16 + 2 * 32 + 2 * 28] = { 0 };

	world_open(&w);
	put_be16(p + 2, 64);
	put_be32(p + 8, 56);
	for (int i = 0; i < 2; i++) {
		uint8_t *d = p + 16 + 32 * i;

		d[0] = 0xe4;
		d[4] = 0x01;
		d[5] = 0x03;
		d[7] = 16;
		xcopy_lu_naa(w.lu[i], d + 8);
		put_be24(d + 29, i ? 4096 : 512);
	}
	world_close(&w);
	for (int i = 0; i < 2; i++) {
		uint8_t *d = p + 16 + 64 + 28 * i;

		d[0] = 0x02;
		put_be16(d + 2, 24);
		put_be16(d + 6, (uint16_t)i);		/* LU0 -> LU0, LU0 -> LU1 */
		put_be16(d + 10, 8);
		put_be64(d + 20, i ? 2 : 64);
	}

	clear_ua(&b);
	rec(&b, D_WRITE, 4096, CDB(0x2a, 0, 0, 0, 0, 0, 0, 0, 8), pattern, 4096);
	rec(&b, D_WRITE, sizeof(p), CDB(0x83, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, sizeof(p)), p,
	    sizeof(p));
	p[0] = 7;
	p[1] = 0x10;	/* LIST ID USAGE 10b: held results */
	rec(&b, D_WRITE | HOLD, sizeof(p), CDB(0x83, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, sizeof(p)), p,
	    sizeof(p));
	rec(&b, D_READ, 256, CDB(0x84, 0x00, 7, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0), NULL, 0);
	rec(&b, D_READ, 256, CDB(0x84, 0x03, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0), NULL, 0);
	rec(&b, D_READ, 256, CDB(0x84, 0x04, 7, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0), NULL, 0);
	rec(&b, D_READ | LU1, 4096, CDB(0x28, 0, 0, 0, 0, 2, 0, 0, 1), NULL, 0);
	rec(&b, D_READ, 255, CDB(0x12, 1, 0x8f, 0, 255), NULL, 0);
	save("scsi", "xcopy", &b);
}

static void scsi_tmf(void)
{
	struct buf b = { .len = 0 };

	clear_ua(&b);
	rec(&b, D_WRITE | HOLD, 512, CDB(0x2a, 0, 0, 0, 0, 0, 0, 0, 1), pattern, 0xffff);
	rec(&b, D_WRITE | HOLD, 512, CDB(0x2a, 0, 0, 0, 0, 0, 0, 0, 1), pattern, 512);
	rec(&b, 1 | D_READ | HOLD, 512, CDB(0x28, 0, 0, 0, 0, 0, 0, 0, 1), NULL, 0);
	tmf(&b, HOLD, 0);		/* ABORT TASK the newest */
	tmf(&b, HOLD, 7);		/* QUERY TASK */
	tmf(&b, 0, 1);			/* ABORT TASK SET */
	rec(&b, D_WRITE | HOLD, 512, CDB(0x2a, 0, 0, 0, 0, 0, 0, 0, 1), pattern, 512);
	tmf(&b, 1, 2);			/* CLEAR TASK SET from another nexus */
	tmf(&b, 0, 3);			/* LU RESET */
	rec(&b, 2 | D_WRITE | HOLD, 512, CDB(0x2a, 0, 0, 0, 0, 0, 0, 0, 1), pattern, 0xffff);
	tmf(&b, 2, 4);			/* I_T NEXUS RESET */
	rec(&b, D_WRITE | HOLD, 512, CDB(0x2a, 0, 0, 0, 0, 0, 0, 0, 1), pattern, 512);
	tmf(&b, 3, 5);			/* nexus 0 lost, then TARGET WARM RESET */
	tmf(&b, 0, 6);
	tmf(&b, 0, 8);
	rec(&b, D_READ, 252, CDB(0x03, 0, 0, 0, 252), NULL, 0);
	save("scsi", "tmf", &b);
}

static void scsi_misc(void)
{
	struct buf b = { .len = 0 };
	uint8_t ovw[4 + 8] = { 0x01, 0, 0, 8, 0xde, 0xad, 0xbe, 0xef, 1, 2, 3, 4 };
	uint8_t diag[8] = { 0 };

	clear_ua(&b);
	rec(&b, D_WRITE, sizeof(ovw), CDB(0x48, 0x01, 0, 0, 0, 0, 0, 0, sizeof(ovw)), ovw,
	    sizeof(ovw));
	rec(&b, D_READ, 252, CDB(0x03, 0, 0, 0, 252), NULL, 0);
	rec(&b, D_NONE, 0, CDB(0x48, 0x02), NULL, 0);	/* BLOCK ERASE */
	rec(&b, D_NONE, 0, CDB(0x04), NULL, 0);		/* FORMAT UNIT */
	rec(&b, D_WRITE, 8, CDB(0x1d, 0x10, 0, 0, 8), diag, 8);
	rec(&b, D_NONE, 0, CDB(0x1d, 0x04), NULL, 0);
	rec(&b, D_READ, 64, CDB(0x1c, 0, 0, 0, 64), NULL, 0);
	rec(&b, LU1, 0, CDB(0x1e, 0, 0, 0, 1), NULL, 0);	/* PREVENT */
	rec(&b, LU1, 0, CDB(0x1b, 0, 0, 0, 2), NULL, 0);	/* eject: refused */
	rec(&b, LU1, 0, CDB(0x1e, 0, 0, 0, 0), NULL, 0);
	rec(&b, LU1, 0, CDB(0x1b, 0, 0, 0, 2), NULL, 0);
	rec(&b, LU1 | D_READ, 4096, CDB(0x28, 0, 0, 0, 0, 0, 0, 0, 1), NULL, 0);
	rec(&b, LU1, 0, CDB(0x1b, 0, 0, 0, 3), NULL, 0);	/* load */
	rec(&b, D_NONE, 0, CDB(0x56, 0, 0, 0, 0, 0, 0, 0, 0), NULL, 0);
	rec(&b, D_NONE, 0, CDB(0x57, 0, 0, 0, 0, 0, 0, 0, 0), NULL, 0);
	save("scsi", "misc", &b);
}

/* Regression: MODE SELECT parameter lists shorter than the mode parameter
 * header (scsi/modeselect.c read the header before checking its length). */
static void scsi_regress_modeselect(void)
{
	struct buf b = { .len = 0 };
	uint8_t z[8] = { 0 };

	rec(&b, D_WRITE, 1, CDB(0x15, 0x10, 0, 0, 1), z, 1);
	rec(&b, D_WRITE, 3, CDB(0x55, 0x10, 0, 0, 0, 0, 0, 0, 3), z, 3);
	save("scsi", "regress-modeselect-short", &b);
}

void gen_scsi(void)
{
	scsi_basic();
	scsi_rw();
	scsi_caw_ws();
	scsi_unmap();
	scsi_mode();
	scsi_pr();
	scsi_xcopy();
	scsi_tmf();
	scsi_misc();
	scsi_regress_modeselect();
}
