/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Writes the seed corpora of the fuzz targets: gen_corpus DIR makes
 * DIR/<target>/<seed> for pdu, login, scsi and config. `make fuzz-corpus`
 * runs it into tests/fuzz/corpus/, where the seeds are checked in, so a
 * seed can always be explained by the code that made it.
 *
 * Each seed is a valid input as far as possible (a complete login, then
 * commands): mutations start from the interesting states, not from the
 * first check that rejects garbage.
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/uio.h>

#include "backend/backend.h"
#include "iscsi/pdu.h"
#include "scsi/scsi.h"
#include "scsi/xcopy.h"
#include "tests/fuzz/fuzz_common.h"
#include "tests/fuzz/fuzz_scsi.h"
#include "util/endian.h"

static const char *g_root;

struct buf {
	uint8_t d[65536];
	size_t len;
};

static void put(struct buf *b, const void *p, size_t n)
{
	if (b->len + n > sizeof(b->d)) {
		fprintf(stderr, "seed too large\n");
		exit(1);
	}
	memcpy(b->d + b->len, p, n);
	b->len += n;
}

static void put_u8(struct buf *b, uint8_t v)
{
	put(b, &v, 1);
}

static void put_str(struct buf *b, const char *s)
{
	put(b, s, strlen(s));
}

static void save(const char *target, const char *name, const struct buf *b)
{
	char path[512];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", g_root, target);
	if (mkdir(path, 0755) < 0 && errno != EEXIST) {
		perror(path);
		exit(1);
	}
	snprintf(path, sizeof(path), "%s/%s/%s", g_root, target, name);
	f = fopen(path, "wb");
	if (!f || fwrite(b->d, 1, b->len, f) != b->len || fclose(f) != 0) {
		perror(path);
		exit(1);
	}
}

/* ---------------- config ---------------- */

static void config_json(const char *name, const char *json)
{
	struct buf b = { .len = 0 };

	put_u8(&b, 0);
	put_str(&b, json);
	save("config", name, &b);
}

/* @args (ended by NULL): NUL-separated in the seed (the target splits at
 * NUL and newline). A list, not a count and varargs: a wrong count read
 * past the arguments (UB) or dropped the last ones. */
static void config_argv(const char *name, const char *const *args)
{
	struct buf b = { .len = 0 };

	put_u8(&b, 1);
	for (int i = 0; args[i]; i++) {
		if (i)
			put_u8(&b, 0);
		put_str(&b, args[i]);
	}
	save("config", name, &b);
}

#define config_args(name, ...) config_argv(name, (const char *const[]){ __VA_ARGS__, NULL })

static void gen_config(void)
{
	config_json("gotgt.json",
		"{\"storages\":[{\"deviceID\":1000,\"path\":\"file:/tmp/x.img\",\"online\":true,"
		"\"thinProvisioning\":false,\"blockShift\":9}],"
		"\"iscsiportals\":[{\"id\":0,\"portal\":\"127.0.0.1:3260\"}],"
		"\"iscsitargets\":{\"iqn.2016-09.com.gotgt.gostor:02:example-tgt-0\":"
		"{\"tpgts\":{\"1\":[0]},\"luns\":{\"0\":1000}}}}");
	config_json("ext.json",
		"{\"storages\":[{\"deviceID\":1,\"path\":\"mem:\",\"online\":true,"
		"\"thinProvisioning\":true,\"blockShift\":12,\"size\":\"32M\",\"readonly\":true,"
		"\"removable\":true,\"physicalBlockSize\":8192,\"maxBandwidth\":1048576},"
		"{\"deviceID\":2,\"path\":\"mem:b\",\"size\":1073741824}],"
		"\"iscsiportals\":[{\"id\":0,\"portal\":\"[::1]:3261\"},{\"id\":1,\"portal\":\"127.0.0.1\"}],"
		"\"stateDir\":\"/tmp/state\","
		"\"iscsitargets\":{\"iqn.2026-11.io.ctgt.test:json-a\":{\"tpgts\":{\"1\":[0,1]},"
		"\"luns\":{\"0\":1,\"1\":2}},\"iqn.2026-11.io.ctgt.test:json-b\":"
		"{\"tpgts\":{\"2\":[1]},\"luns\":{\"3\":2}}}}");
	config_json("empty.json", "{}");
	config_json("bad-types.json",
		"{\"storages\":{\"deviceID\":\"x\"},\"iscsiportals\":[1,null,{\"id\":-1}],"
		"\"iscsitargets\":[],\"unknown\":true}");
	config_args("quick", "--portal", "127.0.0.1:3260", "--target",
		    "iqn.2026-11.io.ctgt:disk0", "--lun", "0=mem:,size=1G,thin");
	config_args("luns", "--lun=0=file:/tmp/d.img,size=512M,block_size=4096,"
		    "physical_block_size=8192,readonly,removable,max_bandwidth=10M",
		    "--lun", "1=mem:x,size=64K", "--portal=[::1]:0", "--portal", "0.0.0.0",
		    "--log-level", "debug", "--nop-interval", "30");
	config_json("discovery-chap.json",
		"{\"discoveryChap\":{\"user\":\"d\",\"secret\":\"discoverysecret\"},"
		"\"discoveryMutualChap\":{\"user\":\"dt\",\"secret\":\"disctargetsecret\"}}");
	config_args("discovery-chap", "--lun", "0=mem:,size=1M", "--discovery-chap",
		    "d:discoverysecret", "--discovery-mutual-chap=dt:disctargetsecret");
	config_args("state", "--state-dir", "/tmp/s", "--config", "/nonexistent.json");
	config_args("bad", "-x", "--lun", "--target=eui.0123456789ABCDEF");
}

/* ---------------- scsi ---------------- */

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

#define CDB(...) (const uint8_t[]){ __VA_ARGS__ }, sizeof((const uint8_t[]){ __VA_ARGS__ })

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

static uint8_t pattern[8192];

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

static void gen_scsi(void)
{
	for (size_t i = 0; i < sizeof(pattern); i++)
		pattern[i] = (uint8_t)(i * 7 + 1);
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

/* ---------------- pdu ---------------- */

/* The initiator side of one connection, as fuzz_pdu receives it. */
struct ini {
	struct buf b;
	bool hdr_digest, data_digest;	/* in force from the first FFP PDU */
	uint32_t cmdsn, itt;
};

static void digest(struct buf *b, const void *p, size_t n)
{
	struct iovec v = { (void *)p, n };
	uint8_t d[4];

	iscsi_digest_put(d, iscsi_crc32c(&v, 1));
	put(b, d, 4);
}

/* One PDU: @bhs (48 bytes, data length filled in here), optional AHS, data. */
static void pdu(struct ini *s, uint8_t *bhs, const uint8_t *ahs, size_t ahslen,
		const void *data, uint32_t dlen)
{
	static const uint8_t zero[4];
	uint8_t hdr[ISCSI_BHS_LEN + 256];
	uint8_t seg[65536];

	bhs[BHS_TOTAL_AHS_LEN] = (uint8_t)(ahslen / 4);
	bhs_set_data_len(bhs, dlen);
	memcpy(hdr, bhs, ISCSI_BHS_LEN);
	if (ahslen)
		memcpy(hdr + ISCSI_BHS_LEN, ahs, ahslen);
	put(&s->b, hdr, ISCSI_BHS_LEN + ahslen);
	if (s->hdr_digest)
		digest(&s->b, hdr, ISCSI_BHS_LEN + ahslen);
	if (!dlen)
		return;
	memcpy(seg, data, dlen);
	memcpy(seg + dlen, zero, iscsi_pad(dlen));
	put(&s->b, seg, dlen + iscsi_pad(dlen));
	if (s->data_digest)
		digest(&s->b, seg, dlen + iscsi_pad(dlen));
}

/* key=value\0 pairs from a list of "key=value" strings ending with NULL. */
static uint32_t keys(uint8_t *out, const char *const *kv)
{
	uint32_t n = 0;

	for (; *kv; kv++) {
		size_t l = strlen(*kv) + 1;

		memcpy(out + n, *kv, l);
		n += (uint32_t)l;
	}
	return n;
}

static const uint8_t isid[6] = { 0x80, 0, 0, 0x12, 0x34, 0 };

static void login_pdu(struct ini *s, uint8_t flags, const char *const *kv)
{
	uint8_t bhs[48] = { ISCSI_OP_LOGIN_REQ | ISCSI_OP_IMMEDIATE, flags };
	uint8_t data[4096];

	memcpy(bhs + BHS_LOGIN_ISID, isid, 6);
	bhs_set_u32(bhs, BHS_ITT, s->itt++);
	bhs_set_u32(bhs, BHS_CMDSN, s->cmdsn);
	pdu(s, bhs, NULL, 0, data, keys(data, kv));
}

#define ST_SEC	0
#define ST_OP	1
#define ST_FFP	3
#define LFLAGS(t, csg, nsg) (uint8_t)(((t) ? ISCSI_LOGIN_TRANSIT : 0) | ((csg) << 2) | (nsg))

static void login_normal(struct ini *s, bool digests)
{
	const char *const sec[] = { "InitiatorName=" FUZZ_INITIATOR, "TargetName=" FUZZ_IQN,
				    "SessionType=Normal", "AuthMethod=None", NULL };
	const char *const op[] = { digests ? "HeaderDigest=CRC32C" : "HeaderDigest=None",
				   digests ? "DataDigest=CRC32C" : "DataDigest=None",
				   "InitialR2T=No", "ImmediateData=Yes",
				   "MaxRecvDataSegmentLength=262144", "MaxBurstLength=262144",
				   "FirstBurstLength=65536", "MaxOutstandingR2T=1",
				   "ErrorRecoveryLevel=0", "DefaultTime2Wait=2",
				   "DefaultTime2Retain=0", "DataPDUInOrder=Yes",
				   "DataSequenceInOrder=Yes", "MaxConnections=1", NULL };

	login_pdu(s, LFLAGS(1, ST_SEC, ST_OP), sec);
	login_pdu(s, LFLAGS(1, ST_OP, ST_FFP), op);
	s->hdr_digest = s->data_digest = digests;
}

static void cmd(struct ini *s, uint8_t flags, uint32_t edtl, const uint8_t *cdb, size_t cdblen,
		const void *imm, uint32_t immlen)
{
	uint8_t bhs[48] = { ISCSI_OP_SCSI_CMD, (uint8_t)(flags | 1) };	/* SIMPLE */

	bhs_set_u32(bhs, BHS_ITT, s->itt++);
	bhs_set_u32(bhs, BHS_CMD_EDTL, edtl);
	bhs_set_u32(bhs, BHS_CMDSN, s->cmdsn++);
	memcpy(bhs + BHS_CMD_CDB, cdb, cdblen);
	pdu(s, bhs, NULL, 0, imm, immlen);
}

static void data_out(struct ini *s, uint32_t itt, uint32_t ttt, uint32_t datasn, uint32_t off,
		     bool final, const void *data, uint32_t len)
{
	uint8_t bhs[48] = { ISCSI_OP_DATA_OUT, final ? ISCSI_FLAG_FINAL : 0 };

	bhs_set_u32(bhs, BHS_ITT, itt);
	bhs_set_u32(bhs, BHS_TTT, ttt);
	bhs_set_u32(bhs, BHS_DATASN, datasn);
	bhs_set_u32(bhs, BHS_BUFFER_OFFSET, off);
	pdu(s, bhs, NULL, 0, data, len);
}

static void nop(struct ini *s, const void *data, uint32_t len)
{
	uint8_t bhs[48] = { ISCSI_OP_NOP_OUT | ISCSI_OP_IMMEDIATE, ISCSI_FLAG_FINAL };

	bhs_set_u32(bhs, BHS_ITT, s->itt++);
	bhs_set_u32(bhs, BHS_TTT, ISCSI_RSVD_TAG);
	bhs_set_u32(bhs, BHS_CMDSN, s->cmdsn);
	pdu(s, bhs, NULL, 0, data, len);
}

static void text(struct ini *s, const char *const *kv)
{
	uint8_t bhs[48] = { ISCSI_OP_TEXT_REQ, ISCSI_FLAG_FINAL };
	uint8_t data[1024];

	bhs_set_u32(bhs, BHS_ITT, s->itt++);
	bhs_set_u32(bhs, BHS_TTT, ISCSI_RSVD_TAG);
	bhs_set_u32(bhs, BHS_CMDSN, s->cmdsn++);
	pdu(s, bhs, NULL, 0, data, keys(data, kv));
}

static void tmf_req(struct ini *s, uint8_t fn, uint32_t rtt)
{
	uint8_t bhs[48] = { ISCSI_OP_TMF_REQ | ISCSI_OP_IMMEDIATE, (uint8_t)(ISCSI_FLAG_FINAL | fn) };

	bhs_set_u32(bhs, BHS_ITT, s->itt++);
	bhs_set_u32(bhs, BHS_TMF_RTT, rtt);
	bhs_set_u32(bhs, BHS_CMDSN, s->cmdsn);
	bhs_set_u32(bhs, BHS_TMF_REFCMDSN, s->cmdsn - 1);
	pdu(s, bhs, NULL, 0, NULL, 0);
}

static void logout(struct ini *s, uint8_t reason)
{
	uint8_t bhs[48] = { ISCSI_OP_LOGOUT_REQ | ISCSI_OP_IMMEDIATE,
			    (uint8_t)(ISCSI_FLAG_FINAL | reason) };

	bhs_set_u32(bhs, BHS_ITT, s->itt++);
	bhs_set_u32(bhs, BHS_CMDSN, s->cmdsn);
	pdu(s, bhs, NULL, 0, NULL, 0);
}

/* The two control bytes of fuzz_pdu: largest read() (index) and its seed. */
static void pdu_save(const char *name, struct ini *s, uint8_t chunking, uint8_t seed)
{
	struct buf *out = malloc(sizeof(*out));

	if (!out)
		exit(1);
	out->len = 0;
	put_u8(out, chunking);
	put_u8(out, seed);
	put(out, s->b.d, s->b.len);
	save("pdu", name, out);
	free(out);
}

#define R ISCSI_CMD_READ
#define W ISCSI_CMD_WRITE
#define F ISCSI_FLAG_FINAL

/* The commands of a normal session: every way data-out arrives. */
static void session_io(struct ini *s)
{
	uint32_t itt;

	cmd(s, F, 0, CDB(0x00), NULL, 0);				/* UA */
	cmd(s, F | R, 96, CDB(0x12, 0, 0, 0, 96), NULL, 0);
	cmd(s, F | R, 8, CDB(0x25), NULL, 0);
	cmd(s, F | R, 64, CDB(0xa0, 0, 0, 0, 0, 0, 0, 0, 0, 64), NULL, 0);
	cmd(s, F | W, 512, CDB(0x2a, 0, 0, 0, 0, 1, 0, 0, 1), pattern, 512);	/* immediate */
	itt = s->itt;
	cmd(s, W, 2048, CDB(0x2a, 0, 0, 0, 0, 2, 0, 0, 4), pattern, 512);	/* + unsolicited */
	data_out(s, itt, ISCSI_RSVD_TAG, 0, 512, false, pattern + 512, 1024);
	data_out(s, itt, ISCSI_RSVD_TAG, 1, 1536, true, pattern + 1536, 512);
	itt = s->itt;
	cmd(s, F | W, 4096, CDB(0x2a, 0, 0, 0, 0, 8, 0, 0, 8), NULL, 0);	/* solicited */
	data_out(s, itt, 1, 0, 0, false, pattern, 2048);			/* R2T TTT 1 */
	data_out(s, itt, 1, 1, 2048, true, pattern + 2048, 2048);
	cmd(s, F | R, 4096, CDB(0x28, 0, 0, 0, 0, 8, 0, 0, 8), NULL, 0);
	cmd(s, F | R, 1024, CDB(0x28, 0, 0, 0, 0, 2, 0, 0, 4), NULL, 0);	/* residual */
	cmd(s, F | W, 1024, CDB(0x89, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0, 1), pattern, 1024);
	nop(s, "ping", 4);
	tmf_req(s, 1, 0x1234);						/* ABORT TASK */
	tmf_req(s, 5, ISCSI_RSVD_TAG);					/* LU RESET */
}

static void gen_pdu(void)
{
	struct ini s;

	memset(&s, 0, sizeof(s));
	login_normal(&s, false);
	session_io(&s);
	text(&s, (const char *const[]){ "SendTargets=All", NULL });
	logout(&s, 0);
	pdu_save("session", &s, 0, 0);
	pdu_save("session-chunked", &s, 2, 7);

	memset(&s, 0, sizeof(s));
	login_normal(&s, true);
	session_io(&s);
	logout(&s, 0);
	pdu_save("session-digests", &s, 3, 1);	/* reads < 48: login ends a wake-up */

	memset(&s, 0, sizeof(s));
	login_pdu(&s, LFLAGS(1, ST_OP, ST_FFP), (const char *const[]){
		"InitiatorName=" FUZZ_INITIATOR, "SessionType=Discovery",
		"HeaderDigest=None", "DataDigest=None", NULL });
	text(&s, (const char *const[]){ "SendTargets=All", NULL });
	text(&s, (const char *const[]){ "SendTargets=" FUZZ_IQN, NULL });
	nop(&s, NULL, 0);
	logout(&s, 0);
	pdu_save("discovery", &s, 0, 0);

	/* Login keys in two PDUs (C bit), then a command with an extended
	 * CDB AHS and one with a bidirectional read length AHS, SNACK. */
	memset(&s, 0, sizeof(s));
	login_pdu(&s, ISCSI_LOGIN_CONTINUE | LFLAGS(0, ST_OP, 0), (const char *const[]){
		"InitiatorName=" FUZZ_INITIATOR, NULL });
	login_pdu(&s, LFLAGS(1, ST_OP, ST_FFP), (const char *const[]){
		"TargetName=" FUZZ_IQN, "ImmediateData=No", "InitialR2T=Yes",
		"MaxRecvDataSegmentLength=512", NULL });
	{
		uint8_t bhs[48] = { ISCSI_OP_SCSI_CMD, F | R | 1 };
		uint8_t ahs[20] = { 0, 17, 1, 0 };
		uint8_t bidi[8] = { 0, 5, 2, 0, 0, 0, 2, 0 };

		bhs_set_u32(bhs, BHS_ITT, s.itt++);
		bhs_set_u32(bhs, BHS_CMD_EDTL, 512);
		bhs_set_u32(bhs, BHS_CMDSN, s.cmdsn++);
		bhs[BHS_CMD_CDB] = 0x7f;	/* variable length CDB */
		pdu(&s, bhs, ahs, sizeof(ahs), NULL, 0);
		memset(bhs, 0, sizeof(bhs));
		bhs[0] = ISCSI_OP_SCSI_CMD;
		bhs[1] = F | R | W | 1;
		bhs_set_u32(bhs, BHS_ITT, s.itt++);
		bhs_set_u32(bhs, BHS_CMD_EDTL, 512);
		bhs_set_u32(bhs, BHS_CMDSN, s.cmdsn++);
		bhs[BHS_CMD_CDB] = 0x89;
		bhs[BHS_CMD_CDB + 13] = 1;
		pdu(&s, bhs, bidi, sizeof(bidi), NULL, 0);
		memset(bhs, 0, sizeof(bhs));
		bhs[0] = ISCSI_OP_SNACK_REQ;
		bhs[1] = F;
		pdu(&s, bhs, NULL, 0, NULL, 0);
	}
	{
		uint32_t itt = s.itt;

		cmd(&s, F | W, 1024, CDB(0x2a, 0, 0, 0, 0, 0, 0, 0, 2), NULL, 0);	/* R2T */
		data_out(&s, itt, 1, 0, 0, false, pattern, 512);
		data_out(&s, itt, 1, 1, 512, true, pattern + 512, 512);
	}
	text(&s, (const char *const[]){ "MaxRecvDataSegmentLength=8192", "X-fuzz=1", NULL });
	logout(&s, 1);
	pdu_save("ahs-continue", &s, 5, 3);

	/* Failures: a login to an unknown target; garbage after a Reject. */
	memset(&s, 0, sizeof(s));
	login_pdu(&s, LFLAGS(1, ST_SEC, ST_FFP), (const char *const[]){
		"InitiatorName=" FUZZ_INITIATOR, "TargetName=iqn.2026-11.io.ctgt:nope",
		NULL });
	pdu_save("login-fail", &s, 0, 0);
}

/* ---------------- login ---------------- */

/* @rounds rounds of fuzz_login: each a list of "key=value" strings ended
 * by NULL, in server mode prefixed by the round's two bytes from @hdr (BHS
 * flags, variations). */
static void login_seed(const char *name, uint8_t mode, int rounds, const uint8_t (*hdr)[2],
		       const char *const *kv)
{
	struct buf b = { .len = 0 };

	put_u8(&b, mode);
	for (int round = 0; round < rounds; round++) {
		if (round)
			put_u8(&b, FUZZ_SEP);
		if (hdr)
			put(&b, hdr[round], 2);
		for (; *kv; kv++)
			put(&b, *kv, strlen(*kv) + 1);
		kv++;
	}
	save("login", name, &b);
}

/* Regression: a last TargetName without its NUL (the negotiation takes
 * it, the login's kv_find() did not, so no credentials were required). */
static void login_regress_unterminated(void)
{
	struct buf b = { .len = 0 };

	put_u8(&b, FZ_LOGIN_SERVER | FZ_LOGIN_AUTH(1));
	put_u8(&b, LFLAGS(1, ST_OP, ST_FFP));
	put_u8(&b, 0);
	put_str(&b, "InitiatorName=" FUZZ_INITIATOR);
	put_u8(&b, 0);
	put_str(&b, "TargetName=" FUZZ_IQN);	/* no NUL */
	save("login", "regress-chap-unterminated", &b);
}

/* Server mode with CHAP on the target (FZ_LOGIN_AUTH()): the harness
 * answers the challenge where a round says FZ_LOGIN_ANSWER, so these logins
 * reach the operational stage and full feature phase; a guess must not,
 * nor a login that skips the security stage. */
static void gen_login_chap(void)
{
	const uint8_t sec = LFLAGS(0, ST_SEC, 0), answer = FZ_LOGIN_ANSWER;
	const uint8_t to_op = LFLAGS(1, ST_SEC, ST_OP), to_ffp = LFLAGS(1, ST_OP, ST_FFP);

	login_seed("chap-oneway", FZ_LOGIN_SERVER | FZ_LOGIN_AUTH(1), 5, (const uint8_t[][2]){
		{ sec, 0 }, { sec, 0 }, { to_op, answer }, { to_ffp, 0 }, { ISCSI_FLAG_FINAL, 1 } },
		(const char *const[]){
		"InitiatorName=" FUZZ_INITIATOR, "TargetName=" FUZZ_IQN, "SessionType=Normal",
		"AuthMethod=CHAP,None", NULL, "CHAP_A=5", NULL, NULL,
		"InitialR2T=No", "ImmediateData=Yes", "MaxBurstLength=262144", NULL,
		"SendTargets=All", NULL, NULL });
	login_seed("chap-mutual", FZ_LOGIN_SERVER | FZ_LOGIN_AUTH(2), 3, (const uint8_t[][2]){
		{ sec, 0 }, { to_op, answer }, { to_ffp, 0 } },
		(const char *const[]){
		"InitiatorName=" FUZZ_INITIATOR, "TargetName=" FUZZ_IQN, "AuthMethod=CHAP",
		"CHAP_A=7,5", NULL, "CHAP_I=9", "CHAP_C=0x00112233445566778899aabbccddeeff", NULL,
		"MaxRecvDataSegmentLength=8192", NULL, NULL });
	login_seed("chap-initiator-b64", FZ_LOGIN_SERVER | FZ_LOGIN_AUTH(3), 3,
		(const uint8_t[][2]){ { sec, 0 }, { to_op, answer | FZ_LOGIN_B64 | FZ_LOGIN_BOB },
				      { to_ffp, 0 } },
		(const char *const[]){
		"InitiatorName=" FUZZ_INITIATOR, "TargetName=" FUZZ_IQN, "AuthMethod=CHAP",
		"CHAP_A=6", NULL, NULL, "ErrorRecoveryLevel=0", NULL, NULL });
	login_seed("chap-discovery", FZ_LOGIN_SERVER | FZ_LOGIN_AUTH(2), 3, (const uint8_t[][2]){
		{ sec, 0 }, { LFLAGS(1, ST_SEC, ST_FFP), answer }, { ISCSI_FLAG_FINAL, 1 } },
		(const char *const[]){
		"InitiatorName=" FUZZ_INITIATOR, "SessionType=Discovery", "AuthMethod=CHAP",
		"CHAP_A=8", NULL, NULL, "SendTargets=All", NULL, NULL });
	login_seed("chap-guess", FZ_LOGIN_SERVER | FZ_LOGIN_AUTH(1), 2, (const uint8_t[][2]){
		{ sec, 0 }, { to_op, 0 } },
		(const char *const[]){
		"InitiatorName=" FUZZ_INITIATOR, "TargetName=" FUZZ_IQN, "AuthMethod=CHAP",
		"CHAP_A=5", NULL, "CHAP_N=alice", "CHAP_R=0x00112233445566778899aabbccddeeff",
		NULL, NULL });
	login_seed("chap-skip", FZ_LOGIN_SERVER | FZ_LOGIN_AUTH(2), 1, (const uint8_t[][2]){
		{ to_ffp, 0 } },
		(const char *const[]){
		"InitiatorName=" FUZZ_INITIATOR, "TargetName=" FUZZ_IQN, NULL, NULL });
	login_regress_unterminated();
}

static void gen_login(void)
{
	/* negotiation alone: leading login, then a text exchange */
	login_seed("param-leading", 0x06, 3, NULL, (const char *const[]){
		"InitiatorName=" FUZZ_INITIATOR, "InitiatorAlias=fuzz host",
		"TargetName=" FUZZ_IQN, "SessionType=Normal", "AuthMethod=CHAP,None", NULL,
		"HeaderDigest=CRC32C,None", "DataDigest=None,CRC32C", "InitialR2T=No",
		"ImmediateData=Yes", "MaxRecvDataSegmentLength=262144",
		"MaxBurstLength=16776192", "FirstBurstLength=262144", "MaxOutstandingR2T=1",
		"ErrorRecoveryLevel=2", "DefaultTime2Wait=2", "DefaultTime2Retain=20",
		"DataPDUInOrder=Yes", "DataSequenceInOrder=Yes", "MaxConnections=8", NULL,
		"IFMarker=No", "OFMarker=Yes", "IFMarkInt=2048~8192",
		"TaskReporting=ResponseFence", "iSCSIProtocolLevel=2", "X-com.example.key=1",
		"TargetAlias=nope", NULL, NULL });
	login_seed("param-text", 0x00, 2, NULL, (const char *const[]){
		"MaxRecvDataSegmentLength=4096", "SendTargets=All", NULL,
		"MaxBurstLength=512", "InitialR2T=Yes", NULL, NULL });
	login_seed("param-nonleading", 0x0c, 2, NULL, (const char *const[]){
		"InitiatorName=" FUZZ_INITIATOR, "SessionType=Discovery",
		"HeaderDigest=CRC32C", "MaxConnections=2", "FirstBurstLength=1024",
		"MaxBurstLength=512", NULL, "MaxRecvDataSegmentLength=511",
		"DataDigest=CRC32C", "CHAP_A=5,7", NULL, NULL });
	login_seed("param-dup", 0x06, 1, NULL, (const char *const[]){
		"InitialR2T=No", "InitialR2T=Yes", NULL, NULL });

	/* through the server: security, operational, full feature, text */
	login_seed("server-normal", 0x01, 3, (const uint8_t[][2]){
		{ LFLAGS(1, ST_SEC, ST_OP), 0 }, { LFLAGS(1, ST_OP, ST_FFP), 0 },
		{ ISCSI_FLAG_FINAL, 1 } },
		(const char *const[]){
		"InitiatorName=" FUZZ_INITIATOR, "TargetName=" FUZZ_IQN,
		"SessionType=Normal", "AuthMethod=None", NULL,
		"InitialR2T=No", "ImmediateData=Yes", "MaxRecvDataSegmentLength=65536",
		"MaxBurstLength=262144", "FirstBurstLength=65536", "ErrorRecoveryLevel=0", NULL,
		"SendTargets=All", "MaxRecvDataSegmentLength=8192", NULL, NULL });
	login_seed("server-continue", 0x01, 5, (const uint8_t[][2]){
		{ ISCSI_LOGIN_CONTINUE | LFLAGS(0, ST_OP, 0), 0 }, { LFLAGS(0, ST_OP, 0), 0 },
		{ LFLAGS(1, ST_OP, ST_FFP), 0 }, { ISCSI_TEXT_CONTINUE, 1 },
		{ ISCSI_FLAG_FINAL, 1 } },
		(const char *const[]){
		"InitiatorName=" FUZZ_INITIATOR, NULL,
		"TargetName=" FUZZ_IQN, "MaxConnections=1", NULL,
		"InitialR2T=Yes", NULL,
		"X-fuzz-part=1", NULL, "SendTargets=" FUZZ_IQN, NULL, NULL });
	login_seed("server-discovery", 0x01, 2, (const uint8_t[][2]){
		{ LFLAGS(1, ST_SEC, ST_FFP), 0 }, { ISCSI_FLAG_FINAL, 1 } },
		(const char *const[]){
		"InitiatorName=" FUZZ_INITIATOR, "SessionType=Discovery",
		"AuthMethod=None", NULL, "SendTargets=All", NULL, NULL });
	login_seed("server-tsih", 0x01, 1, (const uint8_t[][2]){
		{ LFLAGS(1, ST_OP, ST_FFP), 2 } },
		(const char *const[]){
		"InitiatorName=" FUZZ_INITIATOR, "TargetName=" FUZZ_IQN, NULL, NULL });
	/* Regression: an empty Text Request (its empty answer was copied from
	 * a NULL buffer: UB in iscsi/text.c send_chunk()). */
	login_seed("regress-text-empty", 0x01, 2, (const uint8_t[][2]){
		{ LFLAGS(1, ST_OP, ST_FFP), 0 }, { ISCSI_FLAG_FINAL, 1 } },
		(const char *const[]){
		"InitiatorName=" FUZZ_INITIATOR, "TargetName=" FUZZ_IQN, NULL, NULL,
		NULL });
	login_seed("server-chap", 0x01, 3, (const uint8_t[][2]){
		{ LFLAGS(0, ST_SEC, 0), 0 }, { LFLAGS(0, ST_SEC, 0), 0 },
		{ LFLAGS(1, ST_SEC, ST_OP), 0 } },
		(const char *const[]){
		"InitiatorName=" FUZZ_INITIATOR, "TargetName=" FUZZ_IQN,
		"AuthMethod=CHAP,None", NULL, "CHAP_A=7,6,5", NULL,
		"CHAP_N=user", "CHAP_R=0x0123456789abcdef0123456789abcdef", NULL, NULL });
	gen_login_chap();
}

/* ---- chap: fuzz_chap's rounds (byte 0: mode flags) ---- */

/* @rounds: one string per round, its keys separated by '\n'; NULL ends. */
static void chap_seed(const char *name, uint8_t mode, const char *const *rounds)
{
	struct buf b = { .len = 0 };

	put_u8(&b, mode);
	for (int r = 0; rounds[r]; r++) {
		const char *k = rounds[r];

		if (r)
			put_u8(&b, FUZZ_SEP);
		while (*k) {
			size_t n = strcspn(k, "\n");

			put(&b, k, n);
			put_u8(&b, 0);
			k += n + (k[n] == '\n');
		}
	}
	save("chap", name, &b);
}

static void gen_chap(void)
{
	/* One-way, answered by the harness (hex, base64, another name) or
	 * guessed by the fuzzer. */
	chap_seed("oneway-right", 0x02, (const char *const[]){ "CHAP_A=5", "", NULL });
	chap_seed("oneway-b64", 0x06, (const char *const[]){ "CHAP_A=7,6,5", "", NULL });
	chap_seed("oneway-other-name", 0x0a, (const char *const[]){ "CHAP_A=8", "", NULL });
	chap_seed("oneway-guess", 0x00, (const char *const[]){ "CHAP_A=5",
		"CHAP_N=alice\nCHAP_R=0x00112233445566778899aabbccddeeff", NULL });
	chap_seed("oneway-b64-guess", 0x00, (const char *const[]){ "CHAP_A=6",
		"CHAP_N=alice\nCHAP_R=0bABEiM0RVZneImaq7zN3u/wARIjM=", NULL });
	/* Mutual: the harness answers, the fuzzer's CHAP_I/CHAP_C follow. */
	chap_seed("mutual", 0x03, (const char *const[]){ "CHAP_A=7",
		"CHAP_I=77\nCHAP_C=0x0f1e2d3c4b5a69788796a5b4c3d2e1f0", NULL });
	chap_seed("mutual-b64", 0x07, (const char *const[]){ "CHAP_A=5",
		"CHAP_I=0\nCHAP_C=0bAAECAwQFBgcICQoLDA0ODw==", NULL });
	chap_seed("mutual-no-creds", 0x02, (const char *const[]){ "CHAP_A=5",
		"CHAP_I=1\nCHAP_C=0x01", NULL });
	chap_seed("mutual-bad-id", 0x03, (const char *const[]){ "CHAP_A=5",
		"CHAP_I=256\nCHAP_C=0x0102", NULL });
	/* Out of order, repeated, after the end, nothing we support. */
	chap_seed("keys-before-a", 0x02, (const char *const[]){ "CHAP_N=alice\nCHAP_R=0x00", NULL });
	chap_seed("a-twice", 0x02, (const char *const[]){ "CHAP_A=5", "CHAP_A=5", NULL });
	chap_seed("after-end", 0x02, (const char *const[]){ "CHAP_A=5", "", "CHAP_A=5", NULL });
	chap_seed("no-alg", 0x00, (const char *const[]){ "CHAP_A=1,2,3,4,9,255", NULL });
}

int main(int argc, char **argv)
{
	if (argc != 2) {
		fprintf(stderr, "usage: %s DIR\n", argv[0]);
		return 2;
	}
	g_root = argv[1];
	if (mkdir(g_root, 0755) < 0 && errno != EEXIST) {
		perror(g_root);
		return 1;
	}
	gen_config();
	gen_scsi();
	gen_pdu();
	gen_login();
	gen_chap();
	return 0;
}
