/* SPDX-License-Identifier: Apache-2.0 */
/*
 * libFuzzer target: CDB dispatch in the SCSI layer, parameter lists included
 * (PERSISTENT RESERVE OUT, UNMAP, EXTENDED COPY, MODE SELECT, WRITE SAME,
 * COMPARE AND WRITE, ... any CDB).
 *
 * Each input builds a fresh target with two LUs over mem: stores (LU 0:
 * 128 512-byte blocks, thin, with an APTPL file; LU 1: 16 4096-byte blocks) and
 * three I_T nexuses, then runs a sequence of records through the SCSI layer
 * exactly as a transport does (prepare, data-out into task->buf, execute,
 * the completion queue run on this thread):
 *
 *   command record:  ctrl(1) expected_len(2, BE) dout_len(2, BE) cdb(16) dout
 *   TMF record:      ctrl(1) with CTRL_TMF set, fn(1)
 *
 *   ctrl bits 0-1: nexus 0..2 (3: nexus 0 is lost and comes back, then 0)
 *        bits 2-3: LUN 0, 1, 7 (no such LU), 1
 *        bits 4-5: direction NONE, READ, WRITE, BIDI (the iSCSI R/W bits)
 *        bit  6:   CTRL_TMF (the fn byte picks the function; ABORT TASK
 *                  and QUERY TASK name the tag of the newest task)
 *        bit  7:   CTRL_HOLD: leave the task in flight (backend completions
 *                  not run yet; with dout_len 0xffff: not even executed,
 *                  still "waiting for data-out"), so later commands and
 *                  TMFs meet it in the task set
 *
 * The transport hands over min(data_out_len, expected_len) bytes of
 * data-out (the SCSI layer's rule for a short expected length): the record's
 * bytes, zero-filled when the input has fewer. Every task must end (done()
 * or a COMPLETE return) once the completion queue is drained; a task left
 * hanging aborts the run, as does any sanitizer report or leak.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "backend/backend.h"
#include "scsi/scsi.h"
#include "util/endian.h"
#include "util/log.h"
#include "tests/fuzz/fuzz_scsi.h"

#define CTRL_TMF	0x40
#define CTRL_HOLD	0x80
#define NO_EXECUTE	0xffff
#define MAX_TASKS	16
#define MAX_RECORDS	64
#define REC_HDR		(1 + 2 + 2 + SCSI_CDB_MAX)

enum slot_state { SLOT_FREE, SLOT_WAIT_DOUT, SLOT_RUNNING, SLOT_DONE };

struct slot {
	struct scsi_task t;
	enum slot_state state;
	const uint8_t *dout;	/* the record's data-out, inside the input */
	size_t dout_len;
};

struct world {
	struct bs_cq cq;
	struct backend *bs[2];
	struct scsi_tgt *tgt;
	struct scsi_itn itn[3];
	bool itn_on[3];
	struct slot slot[MAX_TASKS];
	struct scsi_tmf tmf[MAX_RECORDS];
	bool tmf_pending[MAX_RECORDS];
	int ntmf;
	uint64_t next_tag;
};

static char pr_path[64];
static bool trace;	/* FUZZ_TRACE=1: one line per finished task on stderr */

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	log_set_level(LOG_LVL_ERROR);
	trace = getenv("FUZZ_TRACE") != NULL;
	/* tmpfs when there is one: APTPL writes fsync the file and its directory. */
	snprintf(pr_path, sizeof(pr_path), "%s/ctgt-fuzz-scsi-pr.%d",
		 access("/dev/shm", W_OK) == 0 ? "/dev/shm" : "/tmp", (int)getpid());
	return 0;
}

static void task_done(struct scsi_task *t)
{
	struct slot *s = (struct slot *)t;	/* t is the first member */

	if (s->state != SLOT_RUNNING && s->state != SLOT_WAIT_DOUT)
		__builtin_trap();	/* done() twice, or for a task never started */
	s->state = SLOT_DONE;
}

static struct world *g_world;

static void tmf_done(struct scsi_tmf *tmf)
{
	size_t i = (size_t)(tmf - g_world->tmf);

	if (i >= MAX_RECORDS || !g_world->tmf_pending[i])
		__builtin_trap();	/* done() twice, or after a COMPLETE return */
	g_world->tmf_pending[i] = false;
}

static void itn_init(struct scsi_itn *itn, int i)
{
	memset(itn, 0, sizeof(*itn));
	itn->id = (uint64_t)i + 1;
	snprintf(itn->initiator_port, sizeof(itn->initiator_port),
		 "iqn.2026-01.fuzz:init%d,i,0x00000000000%d", i, i + 1);
	snprintf(itn->target_port, sizeof(itn->target_port), "iqn.2026-11.io.ctgt:fuzz,t,0x0001");
	itn->rel_port_id = 1;
}

static int world_init(struct world *w)
{
	struct scsi_lu_config c0 = fuzz_scsi_lu0(pr_path), c1 = fuzz_scsi_lu1();
	char err[128];
	struct scsi_lu *lu;

	memset(w, 0, sizeof(*w));
	unlink(pr_path);	/* each input starts from a blank reservation state */
	if (bs_cq_init(&w->cq) < 0)
		abort();
	w->bs[0] = backend_open("mem:", FUZZ_SCSI_STORE_BYTES, &w->cq, err, sizeof(err));
	w->bs[1] = backend_open("mem:", FUZZ_SCSI_STORE_BYTES, &w->cq, err, sizeof(err));
	w->tgt = scsi_tgt_create(FUZZ_SCSI_TARGET);
	if (!w->bs[0] || !w->bs[1] || !w->tgt)
		abort();
	lu = scsi_lu_create(&c0, w->bs[0]);
	if (!lu || scsi_tgt_add_lu(w->tgt, lu) < 0)
		abort();
	lu = scsi_lu_create(&c1, w->bs[1]);
	if (!lu || scsi_tgt_add_lu(w->tgt, lu) < 0)
		abort();
	for (int i = 0; i < 3; i++) {
		itn_init(&w->itn[i], i);
		scsi_tgt_nexus_add(w->tgt, &w->itn[i]);
		w->itn_on[i] = true;
	}
	return 0;
}

static void release_done(struct world *w)
{
	for (int i = 0; i < MAX_TASKS; i++) {
		if (w->slot[i].state == SLOT_DONE) {
			const struct scsi_task *t = &w->slot[i].t;

			if (trace)
				fprintf(stderr, "tag %llu op %02x/%02x lun %llu: status %02x sense %x/%02x%02x"
					" in %u%s\n", (unsigned long long)t->tag, t->cdb[0],
					t->cdb[1] & 0x1f, (unsigned long long)t->lun, t->status,
					t->sense[2] & 0xf, t->sense[12], t->sense[13], t->data_in_len,
					t->aborted ? " aborted" : "");
			scsi_task_release(&w->slot[i].t);
			w->slot[i].state = SLOT_FREE;
		}
	}
}

/* Hand over the data-out a transport would have received, then execute. */
static void slot_execute(struct slot *s)
{
	struct scsi_task *t = &s->t;
	uint32_t got = (t->dir & SCSI_DIR_WRITE) ? t->expected_len : 0;

	if (got > t->data_out_len)
		got = t->data_out_len;
	if (got) {
		size_t n = s->dout_len < got ? s->dout_len : got;

		if (!t->buf || t->buf_size < t->data_out_len)
			__builtin_trap();	/* the SCSI layer promised a buffer */
		memcpy(t->buf, s->dout, n);
		memset(t->buf + n, 0, got - n);
	}
	s->state = SLOT_RUNNING;
	if (scsi_task_execute(t) == SCSI_TASK_COMPLETE)
		s->state = SLOT_DONE;
}

/* Run every task that waits for its data-out and every backend completion. */
static void settle(struct world *w)
{
	for (int i = 0; i < MAX_TASKS; i++)
		if (w->slot[i].state == SLOT_WAIT_DOUT && !w->slot[i].t.aborted)
			slot_execute(&w->slot[i]);
	for (int guard = 0; bs_cq_pending(&w->cq); guard++) {
		if (guard > 1000000)
			__builtin_trap();	/* completions that never end */
		bs_cq_run(&w->cq);
	}
	release_done(w);
}

static struct slot *free_slot(struct world *w)
{
	for (int i = 0; i < MAX_TASKS; i++)
		if (w->slot[i].state == SLOT_FREE)
			return &w->slot[i];
	settle(w);
	for (int i = 0; i < MAX_TASKS; i++)
		if (w->slot[i].state == SLOT_FREE)
			return &w->slot[i];
	__builtin_trap();	/* settle() leaves no task in flight */
}

static struct scsi_itn *pick_itn(struct world *w, uint8_t ctrl)
{
	int i = ctrl & 3;

	if (i == 3) {
		/* Nexus loss: its tasks are aborted first, as the transport does. */
		for (int k = 0; k < MAX_TASKS; k++)
			if ((w->slot[k].state == SLOT_RUNNING || w->slot[k].state == SLOT_WAIT_DOUT) &&
			    w->slot[k].t.itn == &w->itn[0])
				scsi_task_abort(&w->slot[k].t);
		settle(w);
		scsi_tgt_nexus_remove(w->tgt, &w->itn[0]);
		scsi_tgt_nexus_add(w->tgt, &w->itn[0]);
		i = 0;
	}
	return &w->itn[i];
}

static const uint64_t lun_of[4] = { 0, 1, 7, 1 };

static void run_tmf(struct world *w, uint8_t ctrl, uint8_t fn)
{
	struct scsi_tmf *tmf = &w->tmf[w->ntmf++];

	memset(tmf, 0, sizeof(*tmf));
	tmf->tgt = w->tgt;
	tmf->itn = pick_itn(w, ctrl);
	tmf->fn = (enum scsi_tmf_fn)(fn % (SCSI_TMF_QUERY_TASK_SET + 1));
	tmf->lun = lun_of[(ctrl >> 2) & 3];
	tmf->tag = fn & 0x80 ? w->next_tag : w->next_tag - 1;
	tmf->done = tmf_done;
	w->tmf_pending[w->ntmf - 1] = true;
	if (scsi_tmf_execute(tmf) == SCSI_TASK_COMPLETE)
		w->tmf_pending[w->ntmf - 1] = false;
	if (!(ctrl & CTRL_HOLD))
		settle(w);
}

static void run_cmd(struct world *w, const uint8_t *rec, const uint8_t *dout, size_t dlen)
{
	uint8_t ctrl = rec[0];
	uint16_t dout_field = get_be16(rec + 3);
	struct slot *s = free_slot(w);
	struct scsi_task *t = &s->t;

	memset(t, 0, sizeof(*t));
	t->itn = pick_itn(w, ctrl);
	t->tgt = w->tgt;
	t->lun = lun_of[(ctrl >> 2) & 3];
	memcpy(t->cdb, rec + 5, SCSI_CDB_MAX);
	t->expected_len = get_be16(rec + 1);
	t->dir = (enum scsi_dir)((ctrl >> 4) & 3);
	t->attr = (enum scsi_task_attr)(rec[1] & 3);	/* reuses bits: cheap variety */
	t->tag = w->next_tag++;
	t->done = task_done;
	s->dout = dout;
	s->dout_len = dlen;
	s->state = SLOT_WAIT_DOUT;
	if (scsi_task_prepare(t) == SCSI_TASK_COMPLETE) {
		s->state = SLOT_DONE;
	} else if (!(ctrl & CTRL_HOLD) || dout_field != NO_EXECUTE) {
		slot_execute(s);
	}
	if (!(ctrl & CTRL_HOLD))
		settle(w);
}

static void world_free(struct world *w)
{
	settle(w);
	for (int i = 0; i < MAX_TASKS; i++)
		if (w->slot[i].state != SLOT_FREE)
			__builtin_trap();	/* a task that never ended */
	for (int i = 0; i < w->ntmf; i++)
		if (w->tmf_pending[i])
			__builtin_trap();	/* a TMF that never answered */
	for (int i = 0; i < 3; i++)
		scsi_tgt_nexus_remove(w->tgt, &w->itn[i]);
	scsi_tgt_destroy(w->tgt);
	backend_close(w->bs[0]);
	backend_close(w->bs[1]);
	bs_cq_destroy(&w->cq);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct world w;
	size_t off = 0;

	g_world = &w;
	world_init(&w);
	for (int n = 0; n < MAX_RECORDS && off < size; n++) {
		if (data[off] & CTRL_TMF) {
			if (off + 2 > size)
				break;
			run_tmf(&w, data[off], data[off + 1]);
			off += 2;
			continue;
		}
		if (off + REC_HDR > size)
			break;
		size_t dlen = get_be16(data + off + 3);

		if (dlen == NO_EXECUTE)
			dlen = 0;
		if (dlen > size - off - REC_HDR)
			dlen = size - off - REC_HDR;
		run_cmd(&w, data + off, data + off + REC_HDR, dlen);
		off += REC_HDR + dlen;
	}
	world_free(&w);
	unlink(pr_path);
	return 0;
}
