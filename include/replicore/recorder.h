/* SPDX-License-Identifier: MIT */
/* replicore/recorder.h: per-thread, wait-free recording of operations' invocations and responses, exported as checkable histories. */
#ifndef REPLICORE_RECORDER_H
#define REPLICORE_RECORDER_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include <replicore/err.h>
#include <replicore/history.h>

#ifdef __cplusplus
extern "C" {
#endif

/*
 * A recorder holds one preallocated log per thread slot (0..nthreads-1),
 * each on its own cache lines. The owner of a slot records an operation
 * with rc_recorder_begin() just before invoking it and rc_recorder_end()
 * just after it returns; the times are rc_clock_now_ns() readings taken
 * as the last thing of begin and the first thing of end, so the recorded
 * interval contains the operation. Slot t is process t of the history.
 *
 * Recording takes no lock and never waits: an append writes the slot's
 * own log and publishes it with one release store (wait-free). A full
 * log drops further operations and counts them (rc_recorder_dropped);
 * a history with dropped operations is not the whole history, so the
 * export refuses it unless asked otherwise.
 *
 * Concurrency: each slot has one owner thread at a time; different slots
 * may record at once. The export calls may run concurrently with
 * recording: they see every operation whose begin has returned, an
 * operation whose end has not returned yet as indeterminate (no response,
 * result unknown). After the recording threads are joined the export is
 * exact.
 */
typedef struct rc_recorder rc_recorder_t;

/* Export flags. */
#define RC_RECORDER_PARTIAL 0x1u /* export even when operations were dropped */

/*
 * Creates a recorder of nthreads slots (1..4096) of cap operations each
 * (cap >= 1). Any thread; blocking (allocates). Returns 0, -RC_EINVAL or
 * -RC_ENOMEM.
 */
int rc_recorder_create(rc_recorder_t **out, unsigned nthreads, size_t cap,
		       rc_err_t *err);

/* Frees rec; no thread may be recording or exporting. */
void rc_recorder_destroy(rc_recorder_t *rec);

unsigned rc_recorder_nthreads(const rc_recorder_t *rec);

/*
 * Says what the recorded object holds before its first write: an
 * integer, or RC_HVAL_NIL (the default) for the checker's spec's own
 * start (nil, "", 0). The exports give it to the history
 * (rc_history_set_initial), so the checkers start from it: for an
 * rc_mem object, whose locations start at 0, set 0 and record loads,
 * stores and RMWs with the values as they are. Not synchronised with
 * recording or exporting: call it before the recorder is handed to the
 * threads that use it (the hand-off publishes it). Wait-free. Returns 0,
 * or -RC_EINVAL when v is neither an integer nor nil.
 */
int rc_recorder_set_initial(rc_recorder_t *rec, rc_hval_t v);
rc_hval_t rc_recorder_initial(const rc_recorder_t *rec);

/*
 * Records the invocation of an operation of kind (enum rc_hop_kind) with
 * key and arguments (RC_HVAL_NONE when absent) on slot thread, and takes
 * its call time. The slot's owner only, and only when its previous
 * operation has ended (assert). Wait-free. Returns 0, or -RC_EAGAIN when the
 * slot's log is full (the operation is dropped and the matching
 * rc_recorder_end does nothing). Ordering: the operation's
 * fields are published by a release store, paired with the acquire load
 * of the exports.
 */
int rc_recorder_begin(rc_recorder_t *rec, unsigned thread, unsigned kind,
		      rc_hval_t key, rc_hval_t arg0, rc_hval_t arg1);

/*
 * Records the response of slot thread's pending operation: its return
 * time, then result and status (enum rc_hop_status). The slot's owner
 * only, after rc_recorder_begin (assert). Wait-free; a release store
 * publishes the response to the exports.
 */
void rc_recorder_end(rc_recorder_t *rec, unsigned thread, rc_hval_t result,
		     unsigned status);

/* Operations recorded so far (begun), and dropped for want of room. */
size_t rc_recorder_count(const rc_recorder_t *rec);
size_t rc_recorder_dropped(const rc_recorder_t *rec);

/*
 * Appends every recorded operation to h (rc_history_add), slot by slot in
 * program order, and gives h the recorder's initial value when it has
 * one. Any thread, concurrently with recording (see above) and with
 * other exports; blocking (allocates). Returns 0, -RC_EINVAL when
 * operations were dropped and flags lacks RC_RECORDER_PARTIAL or when h
 * already has another initial value (h is left as it was), or the error
 * of rc_history_add.
 */
int rc_recorder_export(const rc_recorder_t *rec, rc_history_t *h,
		       unsigned flags, rc_err_t *err);

/*
 * Writes the recorded operations in replicore's history format (what
 * rc_history_write writes; replicore-check(1)). Same callers and errors
 * as rc_recorder_export, plus -RC_ESYS on a write error.
 */
int rc_recorder_write(const rc_recorder_t *rec, FILE *out, unsigned flags,
		      rc_err_t *err);

#ifdef __cplusplus
}
#endif

#endif /* REPLICORE_RECORDER_H */
