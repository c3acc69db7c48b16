/* SPDX-License-Identifier: MIT */
/* recorder.c: per-thread operation logs (one writer each, wait-free appends) and their export as histories. */
#include <assert.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include <replicore/clock.h>
#include <replicore/recorder.h>

#define RC_CACHELINE 64
#define RC_RECORDER_MAX_THREADS 4096u

/*
 * Each slot's log is written by its owner only. An operation i is begun
 * when its invocation fields are written and `begun` is release-stored
 * to i + 1; it is ended when its response fields are written and `ended`
 * is release-stored to i + 1. An exporter acquires `ended`, then
 * `begun`: operations below `ended` are complete, an operation at
 * `ended` below `begun` is pending and only its invocation fields are
 * read, which the owner no longer writes. The response fields of
 * operation i are written only before `ended` moves past i, so an
 * exporter never reads a field being written.
 */
struct rec_op {
	int64_t call, ret;
	rc_hval_t key, arg[2], result;
	uint16_t kind;
	uint8_t status;
};

struct rec_slot {
	_Alignas(RC_CACHELINE) _Atomic size_t begun;
	_Atomic size_t ended;
	atomic_size_t dropped;
	bool pending;  /* owner only: begun > ended, or a dropped begin */
	bool skipping; /* owner only: the pending begin was dropped */
	struct rec_op *log;
	/* the alignment pads each slot to whole cache lines */
};

struct rc_recorder {
	unsigned n;
	size_t cap;
	rc_hval_t initial; /* set before recording: read-only after */
	struct rec_slot *slots;
};

int rc_recorder_create(rc_recorder_t **out, unsigned nthreads, size_t cap,
		       rc_err_t *err)
{
	struct rc_recorder *rec;

	*out = NULL;
	if (nthreads < 1 || nthreads > RC_RECORDER_MAX_THREADS)
		return rc_err_set(err, RC_EINVAL, NULL, 0, 0,
				  "recorder: %u threads (expected 1..%u)",
				  nthreads, RC_RECORDER_MAX_THREADS);
	if (cap < 1 || cap > SIZE_MAX / sizeof(struct rec_op) / 2)
		return rc_err_set(err, RC_EINVAL, NULL, 0, 0,
				  "recorder: capacity %zu out of range", cap);
	rec = calloc(1, sizeof(*rec));
	if (rec == NULL)
		goto nomem;
	rec->n = nthreads;
	rec->cap = cap;
	rec->initial = RC_HVAL_NIL;
	rec->slots = aligned_alloc(RC_CACHELINE,
				   (size_t)nthreads * sizeof(struct rec_slot));
	if (rec->slots == NULL)
		goto nomem;
	memset(rec->slots, 0, (size_t)nthreads * sizeof(struct rec_slot));
	for (unsigned i = 0; i < nthreads; i++) {
		struct rec_slot *s = &rec->slots[i];
		/* whole cache lines, so two slots' logs never share one */
		size_t bytes =
			(cap * sizeof(struct rec_op) + RC_CACHELINE - 1) /
			RC_CACHELINE * RC_CACHELINE;

		atomic_init(&s->begun, 0);
		atomic_init(&s->ended, 0);
		atomic_init(&s->dropped, 0);
		s->log = aligned_alloc(RC_CACHELINE, bytes);
		if (s->log == NULL)
			goto nomem;
		memset(s->log, 0, bytes);
	}
	*out = rec;
	return 0;
nomem:
	rc_recorder_destroy(rec);
	return rc_err_set(err, RC_ENOMEM, NULL, 0, 0, "out of memory");
}

void rc_recorder_destroy(rc_recorder_t *rec)
{
	if (rec == NULL)
		return;
	if (rec->slots != NULL)
		for (unsigned i = 0; i < rec->n; i++)
			free(rec->slots[i].log);
	free(rec->slots);
	free(rec);
}

unsigned rc_recorder_nthreads(const rc_recorder_t *rec)
{
	return rec->n;
}

int rc_recorder_set_initial(rc_recorder_t *rec, rc_hval_t v)
{
	if (v != RC_HVAL_NIL && !rc_hval_is_int(v))
		return -RC_EINVAL;
	rec->initial = v;
	return 0;
}

rc_hval_t rc_recorder_initial(const rc_recorder_t *rec)
{
	return rec->initial;
}

int rc_recorder_begin(rc_recorder_t *rec, unsigned thread, unsigned kind,
		      rc_hval_t key, rc_hval_t arg0, rc_hval_t arg1)
{
	struct rec_slot *s;
	struct rec_op *op;
	size_t i;

	assert(thread < rec->n);
	assert(kind < RC_HOP_NKINDS);
	s = &rec->slots[thread];
	assert(!s->pending);
	s->pending = true;
	/* relaxed: the owner is the only writer of begun */
	i = atomic_load_explicit(&s->begun, memory_order_relaxed);
	if (i >= rec->cap) {
		s->skipping = true;
		/* relaxed: a statistic; the exports' acquire of begun does
		 * not need it */
		atomic_fetch_add_explicit(&s->dropped, 1, memory_order_relaxed);
		return -RC_EAGAIN;
	}
	s->skipping = false;
	op = &s->log[i];
	op->key = key;
	op->arg[0] = arg0;
	op->arg[1] = arg1;
	op->kind = (uint16_t)kind;
	op->call = (int64_t)rc_clock_now_ns();
	/* release: the invocation fields before the count; pairs with the
	 * acquire load of begun in rc_recorder_export */
	atomic_store_explicit(&s->begun, i + 1, memory_order_release);
	return 0;
}

void rc_recorder_end(rc_recorder_t *rec, unsigned thread, rc_hval_t result,
		     unsigned status)
{
	int64_t now = (int64_t)rc_clock_now_ns();
	struct rec_slot *s;
	struct rec_op *op;
	size_t i;

	assert(thread < rec->n);
	s = &rec->slots[thread];
	assert(s->pending);
	s->pending = false;
	if (s->skipping)
		return;
	/* relaxed: the owner is the only writer of ended */
	i = atomic_load_explicit(&s->ended, memory_order_relaxed);
	op = &s->log[i];
	op->ret = now;
	op->result = result;
	op->status = (uint8_t)status;
	/* release: the response fields before the count; pairs with the
	 * acquire load of ended in rc_recorder_export */
	atomic_store_explicit(&s->ended, i + 1, memory_order_release);
}

size_t rc_recorder_count(const rc_recorder_t *rec)
{
	size_t n = 0;

	for (unsigned i = 0; i < rec->n; i++)
		/* relaxed: a count, no fields are read */
		n += atomic_load_explicit(&rec->slots[i].begun,
					  memory_order_relaxed);
	return n;
}

size_t rc_recorder_dropped(const rc_recorder_t *rec)
{
	size_t n = 0;

	for (unsigned i = 0; i < rec->n; i++)
		/* relaxed: a statistic */
		n += atomic_load_explicit(&rec->slots[i].dropped,
					  memory_order_relaxed);
	return n;
}

int rc_recorder_export(const rc_recorder_t *rec, rc_history_t *h,
		       unsigned flags, rc_err_t *err)
{
	size_t dropped = rc_recorder_dropped(rec);

	if (dropped > 0 && !(flags & RC_RECORDER_PARTIAL))
		return rc_err_set(err, RC_EINVAL, NULL, 0, 0,
				  "recorder: %zu operations were dropped (a "
				  "log was full); the history is incomplete",
				  dropped);
	if (rec->initial != RC_HVAL_NIL) {
		rc_hval_t had = rc_history_initial(h);

		if (had != RC_HVAL_NIL && had != rec->initial)
			return rc_err_set(err, RC_EINVAL, NULL, 0, 0,
					  "recorder: the history starts at "
					  "another initial value");
		if (rc_history_set_initial(h, rec->initial, err) < 0)
			return -RC_EINVAL;
	}
	for (unsigned t = 0; t < rec->n; t++) {
		const struct rec_slot *s = &rec->slots[t];
		/* acquire: pairs with the release stores in rc_recorder_end
		 * and rc_recorder_begin; ended first, so every operation
		 * below it is also below the begun read after it */
		size_t ended =
			atomic_load_explicit(&s->ended, memory_order_acquire);
		size_t begun =
			atomic_load_explicit(&s->begun, memory_order_acquire);

		/* the owner may have ended one and begun more between the
		 * two loads: only the one at `ended` is taken as pending */
		if (begun > ended + 1)
			begun = ended + 1;

		for (size_t i = 0; i < begun; i++) {
			const struct rec_op *o = &s->log[i];
			struct rc_hop op;
			int rc;

			memset(&op, 0, sizeof(op));
			op.proc = t;
			op.call = o->call;
			op.key = o->key;
			op.arg[0] = o->arg[0];
			op.arg[1] = o->arg[1];
			op.kind = o->kind;
			if (i < ended) {
				op.ret = o->ret;
				op.result = o->result;
				op.status = o->status;
			} else {
				op.ret = RC_HTIME_INF;
				op.result = RC_HVAL_UNKNOWN;
				op.status = RC_HST_INDET;
			}
			rc = rc_history_add(h, &op, err);
			if (rc < 0)
				return rc;
		}
	}
	return 0;
}

int rc_recorder_write(const rc_recorder_t *rec, FILE *out, unsigned flags,
		      rc_err_t *err)
{
	rc_history_t *h = rc_history_new();
	int rc;

	if (h == NULL)
		return rc_err_set(err, RC_ENOMEM, NULL, 0, 0, "out of memory");
	rc = rc_recorder_export(rec, h, flags, err);
	if (rc == 0)
		rc = rc_history_write(h, out, err);
	rc_history_free(h);
	return rc;
}
