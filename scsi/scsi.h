/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The SCSI layer: a transport-independent block device emulation (SPC-4/SBC-3).
 *
 * A transport (iSCSI here) turns each received command into a struct
 * scsi_task and drives it through three calls:
 *
 *   scsi_task_prepare()  decode and check the CDB; size the data-out buffer.
 *                        Returns SCSI_TASK_READY or SCSI_TASK_COMPLETE (the
 *                        command failed early: status/sense are set and no
 *                        data is to be transferred in either direction).
 *   (transport)          for a command with data_out_len > 0, receive that
 *                        many bytes into task->buf.
 *   scsi_task_execute()  run it. Returns SCSI_TASK_COMPLETE (done now) or
 *                        SCSI_TASK_PENDING (task->done() follows, on the
 *                        task thread: see "Threads" below).
 *   scsi_task_release()  free what the SCSI layer allocated for the task.
 *
 * Between prepare (when it says READY) and completion a task is in its LU's
 * task set (scsi/task_set.c): execute may park it while its task attribute
 * says older tasks go first, and task management (scsi_tmf_execute) may
 * abort it. An aborted task ends with done() and task->aborted set, even one
 * still waiting for its data-out (before execute): the transport then sends
 * nothing for it (no status: TAS is 0) and only releases it.
 *
 * After completion: task->status, task->sense/sense_len, and for data-in
 * commands task->buf holding task->data_in_len bytes to send. Residuals are
 * the transport's business: it compares data_in_len/data_out_len with the
 * expected length it was given.
 *
 * The SCSI layer never sees an iSCSI structure: the transport embeds
 * struct scsi_task in its own task and gets back with container_of().
 *
 * Threads: the one concurrency model of scsi/ and the stores under it.
 *
 * The task thread. Every call of this header for a target and its LUs
 * (scsi_task_*(), scsi_tmf_execute(), scsi_tgt_nexus_add/remove(), the
 * resets, scsi_itn_lu()) is made on one thread, the target's task thread,
 * and every done() the SCSI layer calls runs there: it is the thread that
 * runs bs_cq_run() on the completion queue the stores of the target's LUs
 * were opened with (one thread for all of them: EXTENDED COPY moves data
 * between LUs of a target, resets reach all of them). In ctgt it is the
 * network thread the target was given, its home (one of --threads event
 * loops, "the network thread" in iscsi/ and backend/); an application with
 * its own transport (libctgt-scsi.a) chooses it. The sessions of a target
 * may be served by other threads (iscsi/migrate.c spreads them): such a
 * session's thread never calls this header itself, it sends each call to
 * the task thread in a message (event/mbox.h, lock-free) and gets the
 * result, done() included, back the same way (iscsi/handoff.c); the task,
 * the TMF request and the nexus belong to the task thread between those
 * messages, whose release/acquire order the other thread's writes (CDB,
 * data-out into task->buf) before the call and the task thread's (status,
 * sense, data-in) before the answer is read. task->bufsrc must then be a
 * source the task thread may use (iSCSI: the home thread's buffer cache).
 * So every task of a LU still runs on one thread, and the task attributes,
 * reservations, unit attentions, the LBA range lock, task management and
 * the SANITIZE/FORMAT jobs need no lock. Setting a
 * target up (scsi_tgt_create(), scsi_tgt_add_lu(), scsi_lu_create(),
 * scsi_tgt_set_target_reset_allowed()) happens before the first command,
 * on the thread that then serves it or before that thread starts.
 *
 * What belongs to whom:
 *
 *   struct scsi_tgt   name: fixed before serving. allow_target_reset: an
 *                     atomic, any thread (a reload changes it).
 *                     The LU table (tgt->luns): the task thread's, read
 *                     without a lock; it changes while serving only there
 *                     (scsi_tgt_add_lu(), scsi_tgt_detach_lu()), in a call
 *                     another thread waits for (the control socket), which
 *                     may read it between such calls.
 *                     Under tgt->lock (scsi/tgt.c, scsi/xcopy_results.c):
 *                     the nexus list with each nexus' unit attentions and
 *                     PREVENT bits per LU, and the EXTENDED COPY results
 *                     (tgt->xcopy): the state of the target that every LU
 *                     and every session reaches. tgt->ua_pending, the
 *                     number of pending unit attentions, changes under the
 *                     lock and is read without it (an atomic load) so that
 *                     a command takes no lock while no UA is pending. The
 *                     task management requests waiting for aborted tasks
 *                     (tgt->tmfs): task thread, no lock.
 *   struct scsi_lu    configuration (block sizes, identifiers, limits,
 *                     readonly, thin, removable): fixed by scsi_lu_create();
 *                     its size changes on the task thread (scsi_lu_resize()),
 *                     like its store's bs->size. The rest
 *                     is the task thread's, with no lock: the task set, the
 *                     LBA range lock, the mode parameters, the reservations
 *                     (lu->pr), the medium state (present or ejected), the
 *                     SANITIZE/FORMAT job, copy_io. A reset holding
 *                     tgt->lock also resets mode parameters and the RESERVE
 *                     reservation: it does so as the task thread, the lock
 *                     does not cover them. The reservation file (APTPL) is
 *                     written synchronously on the task thread.
 *   struct scsi_task  the transport's; on the task thread from prepare to
 *                     done(). While a backend request of it is in flight
 *                     (task->bsreq, task->iov and the buffer they name,
 *                     task->buf) those belong to the store: nothing on the
 *                     task thread reads or frees them until its done() has
 *                     run (an abort only marks the task, task->aborted).
 *   struct scsi_tmf   the transport's; task thread.
 *   struct scsi_itn   the transport's; unchanged from scsi_tgt_nexus_add()
 *                     to scsi_tgt_nexus_remove() (its port names are read
 *                     on the task thread, also under tgt->lock).
 *
 * Messages. A struct bs_request (backend/backend.h), with the buffers its
 * iovecs name, is the only thing that crosses threads. backend_submit()
 * hands it to the store: the file and callback stores queue it to their
 * worker pool (under the pool's lock, backend/pool.c), where a worker runs
 * it (a bandwidth cap makes the worker wait, never the task thread) and
 * pushes it to the completion queue (lock-free, util/mpsc.h, with an
 * eventfd wake-up, backend/cq.c); mem: and null: run it inline and queue
 * it on the queue's owner-only list, and so does the file store with a
 * READ the page cache holds (RWF_NOWAIT, on the task thread); the io_uring
 * store submits it from the task thread and reaps it there too. bs_cq_run()
 * on the task thread then calls its done(). The pool's lock and the queue's
 * release/acquire order the worker's writes (data, result) before done().
 * Workers touch nothing else but their pool (under its lock) and their
 * store's own state, fixed at open (the file descriptor; the application's
 * callbacks and ctx, which run on the workers, include/ctgt/lu.h).
 *
 * So the per-I/O path takes only the pool's lock, held for a few list
 * operations (the completion queue and the transport's hand-off messages
 * take none). tgt->lock is never contended: only the task thread takes it.
 */
#ifndef CTGT_SCSI_H
#define CTGT_SCSI_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/uio.h>

#include "backend/backend.h"
#include "util/list.h"

#define SCSI_CDB_MAX		16
#define SCSI_SENSE_MAX		96
#define SCSI_MAX_LUNS		256
#define SCSI_NAME_MAX		224	/* iSCSI names are at most 223 bytes */

/* SAM status codes */
enum {
	SCSI_STATUS_GOOD = 0x00,
	SCSI_STATUS_CHECK_CONDITION = 0x02,
	SCSI_STATUS_CONDITION_MET = 0x04,
	SCSI_STATUS_BUSY = 0x08,
	SCSI_STATUS_RESERVATION_CONFLICT = 0x18,
	SCSI_STATUS_TASK_SET_FULL = 0x28,
	SCSI_STATUS_TASK_ABORTED = 0x40,
};

enum scsi_task_rc {
	SCSI_TASK_READY,	/**< prepare: go on (receive data-out, then execute) */
	SCSI_TASK_COMPLETE,	/**< status and sense are final */
	SCSI_TASK_PENDING,	/**< execute: task->done() will be called */
};

/** Data direction as the transport announced it (iSCSI R and W bits). */
enum scsi_dir {
	SCSI_DIR_NONE = 0,
	SCSI_DIR_READ = 1,
	SCSI_DIR_WRITE = 2,
	SCSI_DIR_BIDI = 3,
};

enum scsi_task_attr {
	SCSI_ATTR_UNTAGGED = 0,
	SCSI_ATTR_SIMPLE = 1,
	SCSI_ATTR_ORDERED = 2,
	SCSI_ATTR_HEAD_OF_QUEUE = 3,
	SCSI_ATTR_ACA = 4,
};

/** One LU a nexus with a LUN map sees (scsi/lun_map.c). */
struct scsi_lun_map_entry {
	uint64_t lun;		/**< the LUN number this nexus uses */
	uint64_t target_lun;	/**< the LU's own number in the target */
	bool readonly;		/**< write protected for this nexus only */
};

/** Which LUs a nexus sees, under which numbers: REPORT LUNS lists these,
 *  every other LUN number is "not supported" to it. */
struct scsi_lun_map {
	size_t n;
	const struct scsi_lun_map_entry *e;
};

/**
 * An I_T nexus as the SCSI layer sees it. Owned by the transport (one per
 * iSCSI session), registered with scsi_tgt_nexus_add() for its lifetime.
 */
struct scsi_itn {
	uint64_t id;				/**< unique for the process lifetime */
	char initiator_port[SCSI_NAME_MAX + 32];/**< "iqn...,i,0x<ISID>" */
	char target_port[SCSI_NAME_MAX + 32];	/**< "iqn...,t,0x<TPGT>" */
	uint16_t rel_port_id;			/**< relative target port identifier */
	/** NULL: every LU under its own number. Otherwise the map, which must
	 *  outlive the nexus (the transport owns it). */
	const struct scsi_lun_map *lun_map;
};



struct scsi_lu;
struct scsi_tgt;
struct scsi_task;

/** The LU behind LUN @lun as nexus @itn (may be NULL) sees it, or NULL. */
struct scsi_lu *scsi_itn_lu(struct scsi_tgt *tgt, const struct scsi_itn *itn, uint64_t lun);

/** The LBA range a task holds or waits for (scsi/lba_lock.c). Private to
 *  the SCSI layer; zero (as the transport leaves it) means "none". */
struct scsi_lba_range {
	struct list_node link;		/**< in the LU's held or waiting list */
	uint64_t lba;
	uint64_t nblocks;
	int (*start)(struct scsi_task *task); /**< run once the range is held */
	struct scsi_lu *lu;		/**< whose range it is (EXTENDED COPY: not
					 *   always the task's own LU) */
	uint8_t mode;
	uint8_t state;
};

/**
 * Where a task's data buffer comes from: the transport's own memory (the
 * iSCSI threads' caches, util/bufpool.h). get() returns at least @size
 * bytes (uninitialised) or NULL; put() takes back a buffer get() returned
 * for the same @size. Both are called on the task's thread only.
 */
struct scsi_bufsrc {
	void *(*get)(struct scsi_bufsrc *src, uint32_t size);
	void (*put)(struct scsi_bufsrc *src, void *buf, uint32_t size);
};

/** Per-command state. The transport zeroes it, fills the inputs, embeds it. */
struct scsi_task {
	/* Inputs, set by the transport */
	struct scsi_tgt *tgt;
	/** NULL: malloc and free. The task's data buffer is taken from it
	 *  and given back to it before scsi_task_release() returns. */
	struct scsi_bufsrc *bufsrc;
	struct scsi_itn *itn;
	uint64_t lun;			/**< LUN number (flat/peripheral addressing decoded) */
	uint8_t cdb[SCSI_CDB_MAX];
	uint32_t expected_len;		/**< transport's expected data transfer length */
	enum scsi_dir dir;
	enum scsi_task_attr attr;
	uint64_t tag;			/**< the transport's task tag (iSCSI ITT) */
	/** For SCSI_TASK_PENDING, and for an aborted task (see above). */
	void (*done)(struct scsi_task *task);

	/* Outputs, set by the SCSI layer */
	struct scsi_lu *lu;		/**< NULL when the LUN does not exist */
	uint8_t *buf;			/**< data buffer; owned by the task */
	uint32_t buf_size;		/**< usable bytes of buf (as asked of bufsrc) */
	uint32_t data_out_len;		/**< bytes of data-out the command needs */
	uint32_t data_in_len;		/**< bytes of data-in the command produced */
	uint8_t status;
	uint8_t sense[SCSI_SENSE_MAX];
	uint32_t sense_len;
	bool aborted;			/**< ended by task management: no response */

	/* Private to the SCSI layer */
	struct bs_request bsreq;
	struct iovec iov;
	uint64_t lba;			/**< UNMAP: index of the next descriptor */
	uint32_t nblocks;		/**< UNMAP: number of descriptors */
	uint32_t flags;
	/* task_set.c */
	struct list_node ts_link;	/**< in lu->ts.tasks, oldest first */
	void (*ts_done)(struct scsi_task *task); /**< the transport's done() */
	/** Set by a handler that parks a running task outside backend I/O
	 *  (e.g. waiting for an LBA range lock): unlinks it from that wait so
	 *  an abort can end it at once. Cleared when the wait ends. */
	void (*cancel)(struct scsi_task *task);
	uint8_t ts_state;
	uint64_t start_ns;		/**< lu_stats.c: when it was executed */
	struct scsi_lba_range range;
	void *priv;			/**< the handler's own state (EXTENDED COPY) */
};

/* Latency histogram buckets: bucket i counts commands that took less than
 * 2^i microseconds (and at least 2^(i-1)); the last one counts the rest. */
#define SCSI_LAT_BUCKETS 24

/** What a LU has done since it was created (lu_stats.c): commands the
 *  task set executed, counted when they complete. */
struct scsi_lu_stats {
	uint64_t reads, writes, others;	/**< READ(6..16), WRITE(6..16), the rest */
	uint64_t read_bytes, write_bytes;
	uint64_t errors;		/**< completed with a status other than GOOD */
	uint64_t aborted;		/**< ended by task management */
	uint64_t read_us, write_us;	/**< latency sums, microseconds */
	uint64_t read_hist[SCSI_LAT_BUCKETS], write_hist[SCSI_LAT_BUCKETS];
};

/** Copy @lu's counters into @out. The LU's task thread only. */
void scsi_lu_stats(const struct scsi_lu *lu, struct scsi_lu_stats *out);

/** The long work of a LU in progress (scsi_lu_progress()). */
struct scsi_lu_progress {
	uint8_t job_opcode;		/**< SANITIZE (0x48), FORMAT UNIT (0x04), 0: none */
	bool job_failed;		/**< the last one failed: the LU is in failure mode */
	uint16_t job_progress;		/**< done, in 1/65536 (as sense data says) */
	unsigned copies;		/**< EXTENDED COPY commands running on it */
	uint64_t copy_segs_done, copy_segs;	/**< their segments, done and in all */
	uint64_t copy_bytes;		/**< bytes they have written */
};

/** What SANITIZE, FORMAT UNIT or EXTENDED COPY work @lu has in progress
 *  into @out. The LU's task thread only. */
void scsi_lu_progress(const struct scsi_lu *lu, struct scsi_lu_progress *out);

/* Default limit of persistent reservation registrations per LU. One is
 * held per initiator port (I_T nexus) that registers: a cluster of a few
 * dozen nodes with a few paths each uses well under a hundred. 1024 leaves
 * room for any real setup while bounding a LU's reservation memory (about
 * 0.5 MiB) and the work of the PR commands that walk every registration. */
#define SCSI_PR_MAX_REGS_DEFAULT 1024u
/* Largest configurable limit. */
#define SCSI_PR_MAX_REGS_LIMIT	65536u

/** How a logical unit is created. Zero/NULL fields take defaults. */
struct scsi_lu_config {
	uint64_t lun;
	uint32_t block_size;		/**< bytes; default 512 */
	uint32_t phys_block_size;	/**< bytes, a power-of-two multiple of
					 *   block_size (READ CAPACITY(16) reports
					 *   the ratio); 0 = block_size */
	const char *vendor;		/**< T10 vendor id, 8 chars; default "CTGT" */
	const char *product;		/**< 16 chars; default "VIRTUAL-DISK" */
	const char *serial;		/**< unit serial number; default derived from the backend */
	uint64_t naa_id;		/**< low 36 bits of the NAA-6 identifier; 0 = derive */
	bool write_cache;		/**< WCE bit of the caching mode page */
	bool removable;			/**< RMB set; START STOP UNIT can eject/load */
	bool readonly;			/**< write protected: WP bit, DATA PROTECT on writes */
	bool thin;			/**< thin provisioned: LBPME, UNMAP */
	/** Where the persistent reservations live while APTPL is set (read
	 *  at creation, rewritten on every change; the path is copied). NULL:
	 *  APTPL is not supported. A file that cannot be read or parsed is
	 *  renamed to <file>.damaged-<UTC time>, logged, and the LU starts
	 *  with no reservations. */
	const char *pr_file;
	/** Most persistent reservation registrations the LU holds (REGISTER
	 *  beyond it: INSUFFICIENT REGISTRATION RESOURCES); 0 =
	 *  SCSI_PR_MAX_REGS_DEFAULT. */
	unsigned pr_max_regs;
};

/**
 * Create a LU over @bs (not owned: the caller closes it after
 * scsi_lu_destroy()). Returns NULL on a bad configuration.
 */
struct scsi_lu *scsi_lu_create(const struct scsi_lu_config *cfg, struct backend *bs);
void scsi_lu_destroy(struct scsi_lu *lu);
uint64_t scsi_lu_num_blocks(const struct scsi_lu *lu);
/** Bytes per logical block. */
uint32_t scsi_lu_block_size(const struct scsi_lu *lu);

/** The block size of @lu in bytes (fixed at creation). */
uint32_t scsi_lu_block_size(const struct scsi_lu *lu);

/** A SCSI target device: a named set of LUs. */
struct scsi_tgt *scsi_tgt_create(const char *name);
/** Destroys the target and every LU added to it. */
void scsi_tgt_destroy(struct scsi_tgt *tgt);
/** Add @lu at its configured LUN; returns 0, -EEXIST or -ERANGE. Takes
 *  ownership. Before serving, or on the task thread while serving: every
 *  nexus then gets POWER ON/RESET from @lu and REPORTED LUNS DATA HAS
 *  CHANGED from the target's other LUs. */
int scsi_tgt_add_lu(struct scsi_tgt *tgt, struct scsi_lu *lu);
/**
 * Take LU @lun out of @tgt while serving (task thread): from now on no
 * command reaches it (LOGICAL UNIT NOT SUPPORTED), the nexuses forget its
 * unit attentions and PREVENT state, and every nexus gets REPORTED LUNS
 * DATA HAS CHANGED from the other LUs. Its tasks run on: *out is the LU,
 * now the caller's, to be destroyed with scsi_lu_destroy() on the task
 * thread once scsi_lu_busy() says false (scsi_lu_abort_all() hurries it),
 * and its store closed after that. Returns 0, -ENOENT, or -EBUSY while a
 * SANITIZE or FORMAT UNIT runs on it (nothing changed).
 */
int scsi_tgt_detach_lu(struct scsi_tgt *tgt, uint64_t lun, struct scsi_lu **out);
/** Task thread: whether anything of @lu still runs (a task, a copy of
 *  another LU's EXTENDED COPY on its store, a SANITIZE/FORMAT job, an LBA
 *  range held or waited for). */
bool scsi_lu_busy(const struct scsi_lu *lu);
/** Task thread: abort every task of @lu, as CLEAR TASK SET does but with
 *  no unit attention (the LU is going away); see scsi_tmf_execute(). */
void scsi_lu_abort_all(struct scsi_lu *lu);
/**
 * Task thread: @lu now has @nblocks logical blocks (its store, already
 * grown by the caller, backend_grow(), holds them); every nexus gets
 * CAPACITY DATA HAS CHANGED. Returns 0 (also for the same size: nothing
 * happens), -EINVAL for fewer blocks (a LU never shrinks under its
 * initiators), -EBUSY while a SANITIZE or FORMAT UNIT runs.
 */
int scsi_lu_resize(struct scsi_lu *lu, uint64_t nblocks);
struct scsi_lu *scsi_tgt_lu(struct scsi_tgt *tgt, uint64_t lun);
const char *scsi_tgt_name(const struct scsi_tgt *tgt);
/** Whether TARGET WARM RESET and TARGET COLD RESET may be run on @tgt
 *  (they end or reset every initiator's state, not only the asker's): the
 *  transport refuses them when not. Default false; set before serving. */
void scsi_tgt_set_target_reset_allowed(struct scsi_tgt *tgt, bool allowed);
bool scsi_tgt_target_reset_allowed(const struct scsi_tgt *tgt);

/** An I_T nexus starts: every LU will report POWER ON/RESET to it once. */
void scsi_tgt_nexus_add(struct scsi_tgt *tgt, struct scsi_itn *itn);
/** The I_T nexus is gone (session closed). */
void scsi_tgt_nexus_remove(struct scsi_tgt *tgt, struct scsi_itn *itn);

/**
 * The logical unit state part of LOGICAL UNIT RESET: every nexus loses its
 * PREVENT MEDIUM REMOVAL on @lun and gets a unit attention (29/03).
 * scsi_tmf_execute(SCSI_TMF_LU_RESET) aborts the LU's tasks and then calls
 * this. Returns 0 or -ENOENT.
 */
int scsi_tgt_lu_reset(struct scsi_tgt *tgt, uint64_t lun);
/** The state part of a target reset: scsi_tgt_lu_reset() of every LU, with
 *  unit attention 29/00. scsi_tmf_execute() aborts every task first and
 *  then sets the more precise 29/01 (cold) or 29/02 (warm). */
void scsi_tgt_reset(struct scsi_tgt *tgt);

/* ---- Task management (SAM-5 clause 7; scsi/tmf.c) ---- */

enum scsi_tmf_fn {
	SCSI_TMF_ABORT_TASK,		/**< the task @tag of the nexus on @lun */
	SCSI_TMF_ABORT_TASK_SET,	/**< every task of the nexus on @lun */
	SCSI_TMF_CLEAR_TASK_SET,	/**< every task on @lun; others get UA 2F/00 */
	SCSI_TMF_LU_RESET,		/**< CLEAR TASK SET + scsi_tgt_lu_reset() */
	SCSI_TMF_IT_NEXUS_RESET,	/**< its tasks on every LU; tgt_nexus_reset() */
	SCSI_TMF_TARGET_WARM_RESET,	/**< every task; scsi_tgt_reset(); UA 29/02 */
	SCSI_TMF_TARGET_COLD_RESET,	/**< same, with UA 29/01 (power on) */
	SCSI_TMF_QUERY_TASK,		/**< is task @tag of the nexus on @lun there? */
	SCSI_TMF_QUERY_TASK_SET,	/**< has the nexus any task on @lun? */
};

enum scsi_tmf_rsp {
	SCSI_TMF_RSP_COMPLETE,		/**< FUNCTION COMPLETE */
	SCSI_TMF_RSP_SUCCEEDED,		/**< FUNCTION SUCCEEDED (QUERY: found) */
	SCSI_TMF_RSP_NO_TASK,		/**< ABORT TASK: no such task */
	SCSI_TMF_RSP_NO_LU,		/**< INCORRECT LOGICAL UNIT NUMBER */
	SCSI_TMF_RSP_REJECTED,		/**< FUNCTION REJECTED */
};

/**
 * One task management request. The transport zeroes it, fills the inputs
 * and keeps it alive until it has completed. On the task thread, like the
 * tasks it acts on.
 */
struct scsi_tmf {
	/* Inputs */
	struct scsi_tgt *tgt;
	struct scsi_itn *itn;		/**< the nexus that sent the request */
	enum scsi_tmf_fn fn;
	uint64_t lun;			/**< ignored by nexus and target resets */
	uint64_t tag;			/**< ABORT TASK, QUERY TASK */
	void (*done)(struct scsi_tmf *tmf);	/**< after SCSI_TASK_PENDING */
	/* Output */
	enum scsi_tmf_rsp response;
	/* Private */
	struct list_node link;		/**< in tgt->tmfs while it waits */
	struct scsi_lu *scope;		/**< the LU it waits for; NULL = all */
};

/**
 * Run a task management function. Tasks not yet in backend I/O (waiting for
 * data-out, parked by the task set or by a handler's cancel hook) end at
 * once with done() and task->aborted; tasks whose I/O is in flight are
 * marked aborted and end when it completes. Returns SCSI_TASK_COMPLETE
 * (tmf->response is final) or SCSI_TASK_PENDING: tmf->done() follows once
 * every aborted task of its scope has ended (the response must not go out
 * before, RFC 7143 / SAM-5).
 */
int scsi_tmf_execute(struct scsi_tmf *tmf);

/**
 * The transport lost @task (its connection closed: I_T nexus loss for this
 * task). Like an abort without unit attentions: done() follows with
 * task->aborted set, at once unless backend I/O is in flight. No-op for a
 * task not in a task set (not prepared, or completed).
 */
void scsi_task_abort(struct scsi_task *task);

/**
 * For transports: end @task with CHECK CONDITION and fixed-format sense
 * @key/@asc/@ascq (e.g. ILLEGAL REQUEST, INVALID FIELD IN COMMAND
 * INFORMATION UNIT when the transport's expected length is too short).
 */
void scsi_task_set_sense(struct scsi_task *task, uint8_t key, uint8_t asc, uint8_t ascq);

int scsi_task_prepare(struct scsi_task *task);
int scsi_task_execute(struct scsi_task *task);
void scsi_task_release(struct scsi_task *task);

/** Decode an 8-byte SAM LUN field (peripheral or flat addressing). */
uint64_t scsi_lun_decode(const uint8_t lun[8]);
/** Encode a LUN number in the 8-byte field (peripheral < 256, else flat). */
void scsi_lun_encode(uint64_t lun, uint8_t out[8]);

#endif
