/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Declarations shared by the files of scsi/ and nothing else: the target and
 * LU structures, the command dispatch descriptor, and the handlers.
 *
 * Threading: the LU table of a target is fixed before the first command
 * arrives. Per-nexus state (unit attentions, PREVENT) is under tgt->lock; the
 * medium state of a removable LU is accessed atomically. Everything else a
 * task touches belongs to the task.
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
/* The unit a file system (page cache) writes at once: reported as the
 * physical block size, and the alignment/granularity of WRITE ATOMIC. */
#define SCSI_PHYS_BLOCK_BYTES	4096u
/* Largest COMPARE AND WRITE: its NUMBER OF LOGICAL BLOCKS field is one byte. */
#define SCSI_CAW_MAX_BLOCKS	255u

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
	bool write_cache;
	bool removable;
	bool readonly;
	bool thin;			/**< LBPME: UNMAP deallocates blocks */
	bool medium_present;		/**< atomic: START STOP UNIT vs. commands */
	uint8_t phys_exp;		/**< logical blocks per physical block, log2 */
	/* Limits of the write commands, reported in the Block Limits page. */
	uint32_t max_ws_blocks;		/**< MAXIMUM WRITE SAME LENGTH */
	uint32_t max_caw_blocks;	/**< MAXIMUM COMPARE AND WRITE LENGTH */
	uint32_t atomic_max_blocks;	/**< MAXIMUM ATOMIC TRANSFER LENGTH */
	uint32_t atomic_align;		/**< ATOMIC ALIGNMENT (0 or 1: none) */
	uint32_t atomic_gran;		/**< ATOMIC TRANSFER LENGTH GRANULARITY (0 or 1: none) */
	/* LBA range lock (lba_lock.c); network thread only. */
	struct list_node lba_held;	/**< struct scsi_lba_range, granted */
	struct list_node lba_waiting;	/**< struct scsi_lba_range, arrival order */
	bool lba_kicking;		/**< granting waiters (no re-entry) */
	bool lba_rescan;		/**< a range was released meanwhile */
};

struct scsi_tgt {
	char name[SCSI_NAME_MAX];
	struct scsi_lu *luns[SCSI_MAX_LUNS];
	pthread_mutex_t lock;		/**< nexus list, UA and PREVENT state */
	struct list_node nexuses;	/**< struct itn_state */
	unsigned ua_pending;		/**< pending UAs in all nexuses; atomic */
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
/** Allocate task->buf of @size bytes (zeroed when @zero). Returns 0 or -1
 *  with BUSY status set. */
int task_alloc_buf(struct scsi_task *task, uint32_t size, bool zero);
/** Data-in of a non-I/O command: @produced bytes built, the CDB allows
 *  @alloc_len. Sets data_in_len and GOOD; returns SCSI_TASK_COMPLETE. */
int task_data_in(struct scsi_task *task, uint32_t produced, uint32_t alloc_len);

/* tgt.c */
/** Take the pending unit attention of (task->itn, task->lu): returns its
 *  ASC/ASCQ and clears it, or 0 when there is none. */
uint16_t tgt_ua_take(struct scsi_task *task);
/** Record PREVENT (true) or ALLOW for (task->itn, task->lu). */
void tgt_set_prevent(struct scsi_task *task, bool prevent);
/** True when any nexus prevents medium removal from @lu. */
bool tgt_lu_prevented(struct scsi_lu *lu);
int spc_report_luns(struct scsi_task *task);

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

/* modesense.c */
int spc_mode_sense(struct scsi_task *task);

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
/** Data-out shorter than the CDB asks (residual overflow): keep only the
 *  whole blocks received (task->nblocks shrinks). False, sense set, when the
 *  data ends inside a block. */
bool sbc_trim_to_received(struct scsi_task *task);

/* unmap.c */
int sbc_unmap_prepare(struct scsi_task *task);
int sbc_unmap_execute(struct scsi_task *task);

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
/** Release the range @task holds, if any, and start the waiters it
 *  blocked. Call it before task->done(). */
void lba_unlock(struct scsi_task *task);
/** Helper for backend completions: lba_unlock() then task->done(). */
void lba_lock_done(struct scsi_task *task);

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
