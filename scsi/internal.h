/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Declarations shared by the files of scsi/ and nothing else: the target and
 * LU structures, the command dispatch descriptor, and the handlers.
 *
 * Threads: scsi/scsi.h says which thread owns what. In short, the LU table
 * and the configuration of a LU are fixed before the first command; the
 * per-nexus state (unit attentions, PREVENT) and the copy results are under
 * tgt->lock; everything else here belongs to the task thread, with no lock.
 */
#ifndef CTGT_SCSI_INTERNAL_H
#define CTGT_SCSI_INTERNAL_H

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>

#include "scsi/scsi.h"
#include "util/list.h"

#define CTGT_VENDOR_DEFAULT	"CTGT"
#define CTGT_PRODUCT_DEFAULT	"VIRTUAL-DISK"
#define CTGT_REVISION		"0001"
/* Company id in NAA-6 designators: a CID (the "X" bit of the first byte
 * set), so it claims no IEEE-assigned OUI. */
#define CTGT_NAA_COMPANY_ID	0x0a5347u

/* Largest READ/WRITE we accept, reported in the Block Limits VPD page. */
#define SCSI_MAX_XFER_BYTES	(8u * 1024 * 1024)
/* Buffer size for every non-I/O data-in command (INQUIRY, MODE SENSE...):
 * more than the largest response we build (REPORT LUNS: 8 + 256 * 8). */
#define SCSI_DATA_IN_MAX	4096u
/* UNMAP limits of a thin LU, reported in the Block Limits VPD page. */
#define SCSI_UNMAP_MAX_LBAS	(1024u * 1024)	/* blocks per command */
#define SCSI_UNMAP_MAX_DESCS	256u		/* block descriptors per command */
/* Largest WRITE SAME range (MAXIMUM WRITE SAME LENGTH), in bytes: twice a
 * WRITE, so that writing it stays well inside an initiator's timeout. */
#define SCSI_WS_MAX_BYTES	(2u * SCSI_MAX_XFER_BYTES)
/* Largest COMPARE AND WRITE: its NUMBER OF LOGICAL BLOCKS field is one byte. */
#define SCSI_CAW_MAX_BLOCKS	255u

/* The mode parameters MODE SELECT can change (modepage.c). */
struct lu_mode {
	bool wce;		/**< caching page: write back cache enabled */
	bool swp;		/**< control page: software write protect */
	bool d_sense;		/**< control page: descriptor format sense */
	uint8_t iec_flags;	/**< IEC page byte 2: PERF, EWASC, DEXCPT, LOGERR */
	uint8_t mrie;		/**< IEC page: method of reporting */
	uint32_t interval_timer;
	uint32_t report_count;
};

/* The task set of a LU (task_set.c). Task thread only: no lock. */
struct task_set {
	struct list_node tasks;		/**< struct scsi_task, oldest first */
	unsigned nblocking;		/**< ORDERED + HEAD OF QUEUE tasks in it */
	unsigned nparked;		/**< tasks parked for their attribute */
	unsigned naborted;		/**< aborted, waiting for their I/O */
	struct scsi_task *running_now;	/**< inside its handler's execute() */
	bool dispatching;		/**< ts_dispatch() is on the stack */
	bool redispatch;		/**< it must look again */
};

struct scsi_lu {
	struct scsi_tgt *tgt;		/**< set by scsi_tgt_add_lu() */
	struct backend *bs;		/**< not owned */
	uint64_t lun;
	uint64_t nblocks;
	uint32_t block_size;
	uint32_t max_xfer_blocks;
	char vendor[9];			/**< NUL-terminated, <= 8 chars */
	char product[17];
	char serial[33];		/**< configured, or derived by lu_derive_ids() */
	uint64_t naa_id;		/**< 36 bits, never 0 */
	uint64_t naa_ext;		/**< vendor specific identifier extension */
	bool serial_cfg;		/**< serial came from the configuration */
	bool naa_cfg;			/**< naa_id came from the configuration */
	bool removable;
	bool readonly;
	bool thin;			/**< LBPME: UNMAP deallocates blocks */
	bool medium_present;		/**< false once START STOP UNIT ejected it */
	struct lu_job *job;		/**< SANITIZE/FORMAT UNIT job, or NULL (lu_job.c) */
	unsigned copy_io;		/**< EXTENDED COPY requests of other LUs' tasks
					 *   in flight on this LU's store (xcopy.c) */
	struct lu_mode mode;		/**< current mode parameters */
	struct lu_mode mode_default;	/**< their default values */
	struct pr_state *pr;		/**< reservations (pr.c), never NULL */
	struct task_set ts;
	uint8_t phys_exp;		/**< logical blocks per physical block, log2 */
	/* Limits of the write commands, reported in the Block Limits page. */
	uint32_t max_ws_blocks;		/**< MAXIMUM WRITE SAME LENGTH */
	uint32_t max_caw_blocks;	/**< MAXIMUM COMPARE AND WRITE LENGTH */
	uint32_t atomic_max_blocks;	/**< MAXIMUM ATOMIC TRANSFER LENGTH */
	uint32_t atomic_align;		/**< ATOMIC ALIGNMENT (0 or 1: none) */
	uint32_t atomic_gran;		/**< ATOMIC TRANSFER LENGTH GRANULARITY (0 or 1: none) */
	/* LBA range lock (lba_lock.c); task thread only. */
	struct list_node lba_held;	/**< struct scsi_lba_range, granted */
	struct list_node lba_waiting;	/**< struct scsi_lba_range, arrival order */
	bool lba_kicking;		/**< granting waiters (no re-entry) */
	bool lba_rescan;		/**< a range was released meanwhile */
	struct scsi_lu_stats stats;	/**< lu_stats.c; task thread only */
};

/* lu_stats.c, task thread: time @task from now; count it as done. */
void lu_stats_start(struct scsi_task *task);
void lu_stats_done(struct scsi_lu *lu, const struct scsi_task *task);

struct scsi_tgt {
	char name[SCSI_NAME_MAX];
	struct scsi_lu *luns[SCSI_MAX_LUNS];	/**< fixed before serving: no lock */
	pthread_mutex_t lock;		/**< nexuses (their UA and PREVENT) and xcopy */
	struct list_node nexuses;	/**< struct itn_state, under lock */
	unsigned ua_pending;		/**< pending UAs in all nexuses: changed under
					 *   lock, read atomically without it */
	struct xcopy_store *xcopy;	/**< copy results (xcopy_results.c), under lock */
	struct list_node tmfs;		/**< struct scsi_tmf waiting for aborted tasks;
					 *   task thread */
	atomic_bool allow_target_reset;	/**< TARGET WARM/COLD RESET allowed */
};

/* Flags of a command descriptor. */
enum {
	OP_ANY_LUN = 1 << 0,	/**< also runs on a LUN without a LU */
	OP_UA_EXEMPT = 1 << 1,	/**< neither blocked by nor clears a UA */
	OP_MEDIUM = 1 << 2,	/**< NOT READY when the medium is ejected */
	OP_DATA_IN = 1 << 3,	/**< gets a SCSI_DATA_IN_MAX zeroed buffer */
	OP_THIN = 1 << 4,	/**< only a thin-provisioned LU has the command */
};

/**
 * How one command is run. prepare (optional) checks the CDB and sizes the
 * buffer: it returns SCSI_TASK_READY or SCSI_TASK_COMPLETE (sense set).
 * execute returns SCSI_TASK_COMPLETE or SCSI_TASK_PENDING.
 */
struct scsi_op {
	uint8_t flags;
	int (*prepare)(struct scsi_task *task);
	int (*execute)(struct scsi_task *task);
	/** CDB USAGE DATA for REPORT SUPPORTED OPERATION CODES: the bits of
	 *  the CDB the handlers evaluate; byte 0 and the SERVICE ACTION field
	 *  are left zero. Its length is that of the opcode's CDB. */
	uint8_t usage[SCSI_CDB_MAX];
};

/* Service actions per operation code (a 5-bit SERVICE ACTION field). */
#define LU_MAX_SA 32

/* task->flags bits used by the SBC handlers. */
enum {
	TF_FUA = 1 << 0,	/**< write through */
	TF_BYTCHK = 1 << 1,	/**< VERIFY: compare with data-out */
	TF_WRITE = 1 << 2,	/**< the command writes the medium */
};

/* lu.c */
/**
 * The descriptor for @cdb as @lu (NULL: no LU at that LUN) supports it, or
 * NULL. For an opcode that has service actions and an unknown service
 * action, *bad_sa is set to true.
 */
const struct scsi_op *lu_find_op(const struct scsi_lu *lu, const uint8_t *cdb,
				 bool *bad_sa);
/** True when @opcode selects its command by a SERVICE ACTION field. */
bool lu_opcode_has_sa(uint8_t opcode);
/** The command (@opcode, @sa) if @lu supports it, or NULL; @sa is ignored
 *  for an opcode without service actions. */
const struct scsi_op *lu_op_at(const struct scsi_lu *lu, uint8_t opcode, uint16_t sa);
bool lu_medium_present(const struct scsi_lu *lu);
void lu_set_medium(struct scsi_lu *lu, bool present);
/** Fill serial and NAA identifier from @tgt_name when not configured. */
void lu_derive_ids(struct scsi_lu *lu, const char *tgt_name);

/* task.c */
/** Run the handler of a prepared task (what execute() does once the task
 *  set lets it): SCSI_TASK_COMPLETE or SCSI_TASK_PENDING. */
int task_run(struct scsi_task *task);
/** Allocate task->buf of @size bytes (zeroed when @zero). Returns 0 or -1
 *  with BUSY status set. */
int task_alloc_buf(struct scsi_task *task, uint32_t size, bool zero);
/** Data-in of a non-I/O command: @produced bytes built, the CDB allows
 *  @alloc_len. Sets data_in_len and GOOD; returns SCSI_TASK_COMPLETE. */
int task_data_in(struct scsi_task *task, uint32_t produced, uint32_t alloc_len);
/** Out of memory or another passing shortage: BUSY status, no sense (the
 *  initiator retries). Returns SCSI_TASK_COMPLETE. */
int task_busy(struct scsi_task *task);
/** Bytes of data-out the transport announced (its expected length of a
 *  write), whatever the CDB asks for. */
uint32_t task_dout_announced(const struct scsi_task *task);
/** Bytes of task->buf that hold data-out: the announced bytes, at most
 *  data_out_len (the transport never receives more). */
uint32_t task_dout_received(const struct scsi_task *task);
/** A task has ended: its sense in the format the LU's D_SENSE asks for.
 *  Called once per completion (task.c for tasks done at once, the task
 *  set for the others). */
void task_sense_format(struct scsi_task *task);

/* tgt.c */
/** Take the pending unit attention of (task->itn, task->lu): returns its
 *  ASC/ASCQ and clears it, or 0 when there is none. */
uint16_t tgt_ua_take(struct scsi_task *task);
/** Record PREVENT (true) or ALLOW for (task->itn, task->lu). */
void tgt_set_prevent(struct scsi_task *task, bool prevent);
/** True when any nexus prevents medium removal from @lu. */
bool tgt_lu_prevented(struct scsi_lu *lu);
/** Establish unit attention @asc for @lu on every I_T nexus except @itn
 *  (NULL: on all), without replacing a pending power on / reset one. */
void tgt_ua_others(struct scsi_lu *lu, const struct scsi_itn *itn, uint16_t asc);
/** Set unit attention @asc on @lu for every nexus @match accepts (called
 *  under tgt->lock: it must not call back into tgt.c). Stores up to
 *  @max_ids of their ids in @ids; returns how many matched. */
unsigned tgt_ua_set_if(struct scsi_lu *lu, bool (*match)(const struct scsi_itn *itn, void *arg),
		       void *arg, uint16_t asc, uint64_t *ids, unsigned max_ids);
int spc_report_luns(struct scsi_task *task);
/** Set unit attention @asc for nexus @itn_id (UINT64_MAX: every nexus) on
 *  @lu (NULL: every LU), replacing a pending one. */
void tgt_set_ua(struct scsi_tgt *tgt, uint64_t itn_id, const struct scsi_lu *lu, uint16_t asc);
/** The state part of I_T NEXUS RESET (SAM-5: I_T nexus loss while the
 *  nexus stays): nexus @itn_id loses its PREVENT on every LU and gets unit
 *  attention 29/07 on each. Its tasks are aborted by tmf.c. */
void tgt_nexus_reset(struct scsi_tgt *tgt, uint64_t itn_id);

/* spc.c */
int spc_test_unit_ready(struct scsi_task *task);
int spc_request_sense(struct scsi_task *task);
int spc_start_stop_unit(struct scsi_task *task);
int spc_prevent_allow(struct scsi_task *task);

/* inquiry.c */
int spc_inquiry(struct scsi_task *task);

/* rsoc.c */
int spc_rsoc_prepare(struct scsi_task *task);
int spc_rsoc(struct scsi_task *task);
int spc_rstmf(struct scsi_task *task);

/* modepage.c */
/* Page control values of MODE SENSE (the PC field). */
enum { MP_CURRENT = 0, MP_CHANGEABLE = 1, MP_DEFAULT = 2, MP_SAVED = 3 };
#define MP_ALL_PAGES	0x3f
#define MP_ALL_SUBPAGES	0xff
/* A mode page or subpage. len is the whole page, its header included. */
struct mode_page {
	uint8_t code;
	uint8_t subpage;	/**< nonzero: SPF (subpage) format */
	uint16_t len;
	/** Set the values of @m after the page header (p is zeroed). */
	void (*fill)(const struct lu_mode *m, uint8_t *p);
	/** Changeable bits per byte; NULL when nothing is changeable. */
	const uint8_t *changeable;
	/** Check the page values @p accepted by the mask: returns the byte
	 *  offset of an unsupported value, or -1 when they are fine. NULL: any. */
	int (*check)(const uint8_t *p);
	/** Store the changeable fields of @p into @m; NULL: nothing to store. */
	void (*apply)(struct lu_mode *m, const uint8_t *p);
};
/** Set the default (and current) mode parameters of a new LU. */
void mode_init(struct scsi_lu *lu, bool write_cache);
/** The page (@code, @subpage), or NULL. */
const struct mode_page *mode_page_find(uint8_t code, uint8_t subpage);
/** The @i-th page in MODE SENSE order (ascending code, then subpage), or NULL. */
const struct mode_page *mode_page_at(size_t i);
/** Build @mp into @p (mp->len bytes) with values @pc of @lu (not MP_SAVED). */
uint32_t mode_page_put(const struct scsi_lu *lu, const struct mode_page *mp,
		       uint8_t pc, uint8_t *p);
/** Whether medium writes are refused: read-only LU or SWP set. */
bool mode_write_protected(const struct scsi_lu *lu);
/** Whether @task's nexus sees its LU read-only through a LUN map (lun_map.c). */
bool itn_lu_readonly(const struct scsi_task *task);
/** Whether @task's nexus sees @lu at all (under any number), and whether
 *  read-only; EXTENDED COPY names LUs by designator, not by LUN. */
bool itn_sees_lu(const struct scsi_task *task, const struct scsi_lu *lu, bool *readonly);

/* modesense.c */
int spc_mode_sense(struct scsi_task *task);

/* modeselect.c */
int spc_mode_select_prepare(struct scsi_task *task);
int spc_mode_select(struct scsi_task *task);

/* diag.c */
int spc_send_diag_prepare(struct scsi_task *task);
int spc_send_diag(struct scsi_task *task);
int spc_receive_diag(struct scsi_task *task);

/* sbc.c */
int sbc_read_prepare(struct scsi_task *task);
int sbc_write_prepare(struct scsi_task *task);
int sbc_write_verify_prepare(struct scsi_task *task);
int sbc_verify_prepare(struct scsi_task *task);
int sbc_rw_execute(struct scsi_task *task);
int sbc_verify_execute(struct scsi_task *task);
int sbc_sync_cache_prepare(struct scsi_task *task);
int sbc_sync_cache_execute(struct scsi_task *task);
int sbc_read_capacity10(struct scsi_task *task);
int sbc_read_capacity16(struct scsi_task *task);
/* Helpers for every SBC command file. */
/** Decode LBA and TRANSFER LENGTH of a READ/WRITE/VERIFY/SYNC CACHE CDB
 *  (6/10/12/16 by the opcode's group; a 6-byte length of 0 means 256). */
void sbc_rw_decode(const uint8_t *cdb, uint64_t *lba, uint32_t *len);
/** RDPROTECT/WRPROTECT/VRPROTECT (byte 1 bits 7..5) nonzero: we have no
 *  protection information, so that is an invalid field. False for 6-byte CDBs. */
bool sbc_protect_set(const uint8_t *cdb);
/** Check [lba, lba+len) against the LU (LBA OUT OF RANGE) and, when @limit,
 *  len against the transfer limit (INVALID FIELD IN CDB at the length
 *  field); stores task->lba/nblocks. Returns SCSI_TASK_READY or COMPLETE. */
int sbc_check_range(struct scsi_task *task, uint64_t lba, uint32_t len, bool limit);
/** DATA PROTECT / WRITE PROTECTED on a read-only LU; else SCSI_TASK_READY. */
int sbc_check_writable(struct scsi_task *task);
/** MEDIUM ERROR (read or write error by @op); returns SCSI_TASK_COMPLETE. */
int sbc_io_error(struct scsi_task *task, enum bs_op op);
/** Submit @op on [task->lba, +task->nblocks) with @data as the one iovec
 *  (task->bsreq/iov are used; FUA from TF_FUA). Returns SCSI_TASK_PENDING,
 *  or COMPLETE with MEDIUM ERROR when the backend refuses it. */
int sbc_submit(struct scsi_task *task, enum bs_op op, uint8_t *data, bs_done_fn done);
/** Submit BS_OP_UNMAP of the LBA range @task holds (task->range, see
 *  lba_lock.c). Returns SCSI_TASK_PENDING, or COMPLETE with MEDIUM ERROR. */
int sbc_submit_unmap(struct scsi_task *task, bs_done_fn done);
/** Completion of a READ, WRITE or FLUSH submitted with sbc_submit(): GOOD
 *  (a read's data_in_len set) or MEDIUM ERROR, then lba_lock_done(). */
void sbc_rw_done(struct bs_request *req);
/** Data-out shorter than the CDB asks (residual overflow): keep only the
 *  whole blocks received (task->nblocks shrinks). False, sense set, when the
 *  data ends inside a block. */
bool sbc_trim_to_received(struct scsi_task *task);

/* pr.c, pr_in.c, pr_out.c, reserve.c: reservations */
struct pr_state;
/** Give @lu its reservation state, at most @max_regs registrations (0:
 *  SCSI_PR_MAX_REGS_DEFAULT), loaded from @file (NULL: no APTPL; a damaged
 *  file is moved aside, see pr_load()). Returns 0 or -1 (out of memory). */
int pr_lu_init(struct scsi_lu *lu, const char *file, unsigned max_regs);
void pr_lu_free(struct scsi_lu *lu);
/** The reservation check of scsi_task_prepare(): SCSI_TASK_READY, or
 *  COMPLETE with RESERVATION CONFLICT status. */
int pr_check(struct scsi_task *task);
/** Would a READ (@write false) or WRITE of @lu from @itn conflict with a
 *  reservation of @lu (SPC-2 RESERVE or persistent)? For EXTENDED COPY,
 *  whose source and destination may be other LUs than the command's. */
bool pr_io_conflict(struct scsi_lu *lu, const struct scsi_itn *itn, bool write);
/** The I_T nexus @itn is gone: its RESERVE reservation on @lu ends. */
void pr_nexus_lost(struct scsi_lu *lu, const struct scsi_itn *itn);
/** LOGICAL UNIT RESET / target reset: the RESERVE reservation ends. */
void pr_lu_reset(struct scsi_lu *lu);
int spc_prin_read_keys(struct scsi_task *task);
int spc_prin_read_reservation(struct scsi_task *task);
int spc_prin_report_caps(struct scsi_task *task);
int spc_prin_read_full_status(struct scsi_task *task);
int spc_prout_prepare(struct scsi_task *task);
int spc_prout(struct scsi_task *task);
int spc_reserve(struct scsi_task *task);
int spc_release(struct scsi_task *task);

/* task_set.c */
/* task->ts_state */
enum {
	TS_NONE = 0,	/**< not in a task set */
	TS_PREPARED,	/**< in the set; the transport gathers its data-out */
	TS_PARKED,	/**< execute() called; waits for older tasks */
	TS_RUNNING,	/**< its handler runs or its I/O is in flight */
};
void ts_init(struct task_set *ts);
/** prepare() said READY: @task joins its LU's task set (task->lu set). */
void ts_add(struct scsi_task *task);
/** execute(): run the handler now or park the task for its attribute. */
int ts_execute(struct scsi_task *task);
/** The task leaves its set (release before completion, e.g. early status). */
void ts_remove(struct scsi_task *task);
/** Which tasks ts_abort_where() aborts. */
struct ts_match {
	const struct scsi_task *task;	/**< just this one, or NULL */
	bool any_nexus;			/**< else only tasks of itn_id */
	uint64_t itn_id;
	bool by_tag;			/**< only the task with @tag */
	uint64_t tag;
};
/** Abort the matching tasks of @lu (the task inside its handler is spared):
 *  parked or not yet executed ones end now through done() with
 *  task->aborted; those in backend I/O are marked and end when it does. */
void ts_abort_where(struct scsi_lu *lu, const struct ts_match *m);
/** The first task of @lu that @m matches and that is not aborted, or NULL. */
struct scsi_task *ts_find(struct scsi_lu *lu, const struct ts_match *m);
/** Whether a task of @lu other than @task (which may be NULL) is running:
 *  in its handler, waiting for backend I/O or for an LBA range. */
bool ts_busy_besides(const struct scsi_lu *lu, const struct scsi_task *task);

/* tmf.c */
/** An aborted task has ended: wake the TMFs waiting for it. */
void tmf_task_gone(struct scsi_tgt *tgt);

/**
 * Abort every task of I_T nexus @itn_id on @lu, as PERSISTENT RESERVE OUT
 * PREEMPT AND ABORT needs (SPC-4 5.12.11.2.6): tasks not in backend I/O end
 * at once, the others when their I/O completes; none gets a response. The
 * task calling this from its own handler is spared. No unit attention is
 * set: that is the caller's business. Implemented in task_set.c.
 */
void tgt_abort_tasks_of(struct scsi_lu *lu, uint64_t itn_id);

/* unmap.c */
int sbc_unmap_prepare(struct scsi_task *task);
int sbc_unmap_execute(struct scsi_task *task);

/* xcopy.c, xcopy_parse.c, xcopy_results.c: third-party copy */
int spc_xcopy_prepare(struct scsi_task *task);
int spc_xcopy(struct scsi_task *task);
int spc_rcr_copy_status(struct scsi_task *task);
int spc_rcr_op_params(struct scsi_task *task);
int spc_rcr_failed_segs(struct scsi_task *task);
/** Build the Third-party Copy VPD page (8Fh) into @buf; returns its length. */
uint32_t xcopy_vpd_page(struct scsi_task *task, uint8_t *buf);
/** Forget the copy results of @itn (tgt.c, when the nexus is removed). */
void xcopy_nexus_gone(struct scsi_tgt *tgt, const struct scsi_itn *itn);
/** Free all copy results of @tgt (no copy may be running). */
void xcopy_tgt_free(struct scsi_tgt *tgt);
/* prefetch.c */
int sbc_prefetch_prepare(struct scsi_task *task);
int sbc_prefetch_execute(struct scsi_task *task);

/* defect.c */
int sbc_read_defect_data10(struct scsi_task *task);
int sbc_read_defect_data12(struct scsi_task *task);

/* lba_status.c */
int sbc_get_lba_status(struct scsi_task *task);

/* lu_job.c: medium-wide background work (SANITIZE, FORMAT UNIT) */
struct lu_job;
/** What a job does to every block of the LU. */
struct lu_job_spec {
	bool unmap;		/**< deallocate; else write the pattern */
	const uint8_t *pattern;	/**< copied at start; NULL: zeros */
	uint32_t pattern_len;	/**< 1..block size, repeated to fill each block */
	uint32_t passes;	/**< pattern writes: how many times (0 means 1) */
	bool invert;		/**< alternate the pattern and its inverse; the
				 *   last pass writes the pattern */
	bool ause;		/**< SANITIZE AUSE: EXIT FAILURE MODE allowed after a failure */
};
/**
 * Start @spec on task->lu for the command in @task (its opcode names the
 * job). With @immed the task completes GOOD at once; otherwise it completes
 * (done()) when the job ends, with MEDIUM ERROR if it failed. Returns
 * SCSI_TASK_COMPLETE or SCSI_TASK_PENDING.
 */
int lu_job_start(struct scsi_task *task, const struct lu_job_spec *spec, bool immed);
/** The additional sense code of the job running on @lu (SANITIZE or
 *  FORMAT IN PROGRESS), or 0 when none runs. For I/O that no task of @lu
 *  carries (EXTENDED COPY from another LU). */
uint16_t lu_job_busy_asc(const struct scsi_lu *lu);
/** scsi_task_prepare(): NOT READY while a job runs, MEDIUM ERROR after a
 *  failed one, except for the commands still allowed. Returns
 *  SCSI_TASK_READY or SCSI_TASK_COMPLETE (sense set). */
int lu_job_check(struct scsi_task *task);
/** REQUEST SENSE: when a job runs or failed, build the sense that says so
 *  (with the progress) into task->buf, set *len, return true. */
bool lu_job_sense(struct scsi_task *task, bool desc, uint32_t *len);
/** True when the last job of @lu was @opcode and failed; *ause from it. */
bool lu_job_failed(const struct scsi_lu *lu, uint8_t opcode, bool *ause);
/** Leave failure mode (SANITIZE EXIT FAILURE MODE). */
void lu_job_clear_failure(struct scsi_lu *lu);
/** A task of the LU has ended: a job waiting for the tasks that were
 *  running when it started begins once none is left. */
void lu_job_kick(struct scsi_lu *lu);
/** Free the job state of a LU being destroyed (kept if still running). */
void lu_job_free(struct scsi_lu *lu);
/** Whether a SANITIZE or FORMAT UNIT job runs on @lu (lu_job.c). */
bool lu_job_running(const struct scsi_lu *lu);
/** The running (or failed) job of @lu into @out's job fields (lu_job.c). */
void lu_job_progress(const struct scsi_lu *lu, struct scsi_lu_progress *out);
/** Add the EXTENDED COPY @task (opcode 0x83) runs to @out's copy fields,
 *  if it is copying (xcopy.c). */
void xcopy_task_progress(const struct scsi_task *task, struct scsi_lu_progress *out);

/* sanitize.c */
int sbc_sanitize_prepare(struct scsi_task *task);
int sbc_sanitize_execute(struct scsi_task *task);

/* format.c */
int sbc_format_prepare(struct scsi_task *task);
int sbc_format_execute(struct scsi_task *task);
/* lba_lock.c: serialises commands on overlapping LBA ranges, so that a
 * read-modify-write (COMPARE AND WRITE, ORWRITE) or an atomic write is
 * never interleaved with another write, or seen half done by a read. */
enum lba_lock_mode {
	LBA_LOCK_READ = 1,	/**< conflicts with LBA_LOCK_ATOMIC only */
	LBA_LOCK_WRITE,		/**< conflicts with WRITE and ATOMIC */
	LBA_LOCK_ATOMIC,	/**< conflicts with everything */
};
void lba_lock_init(struct scsi_lu *lu);
/**
 * Run @start(task) once [lba, lba+nblocks) is held in @mode: now when no
 * conflicting range is held or waited for (returns what @start returns),
 * else later (returns SCSI_TASK_PENDING). When @start runs later and
 * returns SCSI_TASK_COMPLETE, the range is released and task->done() is
 * called for it. A task holds at most one range at a time.
 */
int lba_lock_run(struct scsi_task *task, uint64_t lba, uint64_t nblocks,
		 enum lba_lock_mode mode, int (*start)(struct scsi_task *task));
/** lba_lock_run() on a range of @lu, which need not be task->lu (EXTENDED
 *  COPY locks the blocks of its source and destination LUs). */
int lba_lock_run_on(struct scsi_task *task, struct scsi_lu *lu, uint64_t lba,
		    uint64_t nblocks, enum lba_lock_mode mode,
		    int (*start)(struct scsi_task *task));
/** The cancel hook lba_lock_run() installs while a task waits: takes the
 *  range out of the wait (a handler with its own hook calls it). */
void lba_lock_cancel(struct scsi_task *task);
/** Release the range @task holds, if any, and start the waiters it
 *  blocked. Call it before task->done(). */
void lba_unlock(struct scsi_task *task);
/** Helper for backend completions: lba_unlock() then task->done(). */
void lba_lock_done(struct scsi_task *task);
/** Start the waiters that may run now (after the task set aborted waiting
 *  tasks: their cancel hook only unlinks them; ts_abort_where() kicks every
 *  LU of the target, since a copy may wait on another LU than its own). */
void lba_lock_kick(struct scsi_lu *lu);

/* sbc.c, for the write commands: task->flags bits above the shared ones. */
enum {
	TF_WS_UNMAP = 1 << 16,	/**< WRITE SAME: deallocate instead of writing */
	TF_WS_FILLED = 1 << 17,	/**< WRITE SAME: chunk buffer replicated */
};
/** The transport announced exactly @len bytes of data-out; else CHECK
 *  CONDITION, INVALID FIELD IN CDB and false. For commands whose data-out
 *  size is fixed by the CDB in a way a residual cannot express. */
bool sbc_dout_exact(struct scsi_task *task, uint32_t len);

/* writesame.c */
int sbc_write_same_prepare(struct scsi_task *task);
int sbc_write_same_execute(struct scsi_task *task);

/* rmw.c: COMPARE AND WRITE and ORWRITE */
int sbc_caw_prepare(struct scsi_task *task);
int sbc_caw_execute(struct scsi_task *task);
int sbc_orwrite_prepare(struct scsi_task *task);
int sbc_orwrite_execute(struct scsi_task *task);

/* atomic.c */
int sbc_write_atomic_prepare(struct scsi_task *task);
int sbc_write_atomic_execute(struct scsi_task *task);

#endif
