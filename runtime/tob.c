/* SPDX-License-Identifier: MIT */
/* tob.c: total order broadcast as the operation log seen from its processes, and the compare-and-swap register on it. */
#include <stdlib.h>
#include <string.h>

#include <replicore/tob.h>

#include "runtime/wait.h"

/*
 * A process's queue holds what it read from the log while one of its
 * broadcasts waited (the help function below): the log's room may depend
 * on that process's cursor, so a waiting broadcast reads on. The queue is
 * the process's alone (its thread's), so it needs no synchronisation; the
 * log's read is the acquire of what it returns.
 */
struct proc {
	struct rc_log_entry *q; /* queued deliveries: q[head..n) */
	size_t head, n, cap;
	uint64_t qfirst; /* sequence number of q[head] */
	bool oom;	 /* the queue could not grow while a broadcast waited */
} __attribute__((aligned(64)));

struct rc_tob {
	rc_log_t *log;
	unsigned nprocs;
	struct proc *p;
};

int rc_tob_create(rc_tob_t **out, rc_log_t *log, rc_err_t *err)
{
	rc_tob_t *t;

	*out = NULL;
	if (log == NULL)
		return rc_err_set(err, RC_EINVAL, "tob", 0, 0, "no log");
	if ((t = calloc(1, sizeof(*t))) == NULL ||
	    (t->p = aligned_alloc(64, rc_log_nnodes(log) * sizeof(*t->p))) ==
		    NULL) {
		free(t);
		return rc_err_set(err, RC_ENOMEM, "tob", 0, 0, "out of memory");
	}
	memset(t->p, 0, rc_log_nnodes(log) * sizeof(*t->p));
	t->log = log;
	t->nprocs = rc_log_nnodes(log);
	*out = t;
	return 0;
}

void rc_tob_destroy(rc_tob_t *t)
{
	if (t == NULL)
		return;
	for (unsigned i = 0; i < t->nprocs; i++)
		free(t->p[i].q);
	free(t->p);
	free(t);
}

unsigned rc_tob_nprocs(const rc_tob_t *t)
{
	return t->nprocs;
}

struct help_arg {
	rc_tob_t *t;
	unsigned p;
};

/* While p's broadcast waits: what the log has for p goes to p's queue. */
static void help(void *arg)
{
	struct help_arg *h = arg;
	struct proc *pr = &h->t->p[h->p];

	for (;;) {
		uint64_t first;
		unsigned got;

		if (pr->n == pr->cap) {
			size_t live = pr->n - pr->head;
			size_t nc = live * 2 > 64 ? live * 2 : 64;
			struct rc_log_entry *q;

			if (pr->head > 0 && live * 2 <= pr->cap) {
				/* half of it is delivered: reuse that */
				memmove(pr->q, pr->q + pr->head,
					live * sizeof(*pr->q));
			} else if ((q = realloc(pr->q, nc * sizeof(*q))) !=
				   NULL) {
				if (pr->head > 0)
					memmove(q, q + pr->head,
						live * sizeof(*q));
				pr->q = q;
				pr->cap = nc;
			} else {
				pr->oom = true;
				return;
			}
			pr->head = 0;
			pr->n = live;
		}
		got = rc_log_read(h->t->log, h->p, &first, pr->q + pr->n,
				  (unsigned)(pr->cap - pr->n > 256
						     ? 256
						     : pr->cap - pr->n));
		if (got == 0)
			return;
		if (pr->n == pr->head)
			pr->qfirst = first;
		pr->n += got;
	}
}

int rc_tob_broadcast(rc_tob_t *t, unsigned p, uint64_t op, uint64_t arg,
		     uint32_t tag, uint64_t *seq, uint64_t timeout_ns,
		     rc_err_t *err)
{
	struct rc_log_entry e = { op, arg, p, tag };
	struct help_arg h = { t, p };
	uint64_t idx;
	int rc;

	if (p >= t->nprocs)
		return rc_err_set(err, RC_EINVAL, "tob", 0, 0,
				  "process %u of 0..%u", p, t->nprocs - 1);
	rc = rc_log_append(t->log, p, &e, 1, &idx, timeout_ns, help, &h, err);
	if (t->p[p].oom) {
		t->p[p].oom = false;
		if (rc == 0)
			rc = rc_err_set(err, RC_ENOMEM, "tob", 0, 0,
					"process %u's delivery queue could not "
					"grow",
					p);
	}
	if (rc == 0 && seq != NULL)
		*seq = idx;
	return rc;
}

unsigned rc_tob_deliver(rc_tob_t *t, unsigned p, uint64_t *first,
			struct rc_log_entry *out, unsigned max)
{
	struct proc *pr;
	size_t k;

	if (p >= t->nprocs || max == 0)
		return 0;
	pr = &t->p[p];
	if (pr->n == pr->head)
		return rc_log_read(t->log, p, first, out, max);
	k = pr->n - pr->head < max ? pr->n - pr->head : max;
	memcpy(out, pr->q + pr->head, k * sizeof(*out));
	*first = pr->qfirst;
	pr->head += k;
	pr->qfirst += k;
	if (pr->head == pr->n)
		pr->head = pr->n = 0;
	return (unsigned)k;
}

/* ---- the register ---- */

enum { REG_READ = 1, REG_WRITE, REG_CAS };

struct rc_tob_reg {
	rc_tob_t *t;
	int32_t *val;	   /* each process's copy */
	uint64_t *applied; /* messages each process applied */
};

int rc_tob_reg_create(rc_tob_reg_t **out, rc_tob_t *t, int32_t initial,
		      rc_err_t *err)
{
	rc_tob_reg_t *r;

	*out = NULL;
	if (t == NULL)
		return rc_err_set(err, RC_EINVAL, "tob", 0, 0, "no tob");
	if ((r = calloc(1, sizeof(*r))) == NULL ||
	    (r->val = malloc(t->nprocs * sizeof(*r->val))) == NULL ||
	    (r->applied = calloc(t->nprocs, sizeof(*r->applied))) == NULL) {
		if (r != NULL)
			free(r->val);
		free(r);
		return rc_err_set(err, RC_ENOMEM, "tob", 0, 0, "out of memory");
	}
	for (unsigned i = 0; i < t->nprocs; i++)
		r->val[i] = initial;
	r->t = t;
	*out = r;
	return 0;
}

void rc_tob_reg_destroy(rc_tob_reg_t *r)
{
	if (r == NULL)
		return;
	free(r->val);
	free(r->applied);
	free(r);
}

/* Applies n delivered messages at p, the first numbered first; the value
 * before message seq goes to *before. */
static void apply(rc_tob_reg_t *r, unsigned p, const struct rc_log_entry *e,
		  unsigned n, uint64_t first, uint64_t seq, int32_t *before)
{
	int32_t *v = &r->val[p];

	for (unsigned i = 0; i < n; i++) {
		uint32_t kind = (uint32_t)e[i].op;

		if (first + i == seq)
			*before = *v;
		if (kind == REG_WRITE)
			*v = (int32_t)(uint32_t)e[i].arg;
		else if (kind == REG_CAS &&
			 *v == (int32_t)(uint32_t)(e[i].op >> 32))
			*v = (int32_t)(uint32_t)e[i].arg;
	}
	r->applied[p] = first + n;
}

uint64_t rc_tob_reg_sync(rc_tob_reg_t *r, unsigned p)
{
	struct rc_log_entry e[32];
	uint64_t first, total = 0;
	int32_t before;
	unsigned n;

	if (p >= r->t->nprocs)
		return 0;
	while ((n = rc_tob_deliver(r->t, p, &first, e, 32)) > 0) {
		apply(r, p, e, n, first, UINT64_MAX, &before);
		total += n;
	}
	return total;
}

/*
 * Broadcasts the operation and applies messages at p up to its own; the
 * value the register held just before it in *before.
 */
static int reg_op(rc_tob_reg_t *r, unsigned p, uint64_t op, uint64_t arg,
		  int32_t *before, uint64_t timeout_ns, rc_err_t *err)
{
	struct rc_log_entry e[32];
	struct _rc_wait w;
	uint64_t seq, first;
	int rc;

	if (p >= r->t->nprocs)
		return rc_err_set(err, RC_EINVAL, "tob", 0, 0,
				  "process %u of 0..%u", p, r->t->nprocs - 1);
	rc = rc_tob_broadcast(r->t, p, op, arg, 0, &seq, timeout_ns, err);
	if (rc < 0)
		return rc;
	_rc_wait_init(&w, UINT64_MAX);
	while (r->applied[p] <= seq) {
		uint64_t want = seq + 1 - r->applied[p];
		unsigned n = rc_tob_deliver(r->t, p, &first, e,
					    want < 32 ? (unsigned)want : 32);

		if (n == 0) {
			/* ordered, not yet readable: another appender is
			 * copying its entry in; nobody signals that */
			_rc_wait_step(&w);
			continue;
		}
		apply(r, p, e, n, first, seq, before);
	}
	return 0;
}

int rc_tob_reg_read(rc_tob_reg_t *r, unsigned p, int32_t *val,
		    uint64_t timeout_ns, rc_err_t *err)
{
	return reg_op(r, p, REG_READ, 0, val, timeout_ns, err);
}

int rc_tob_reg_write(rc_tob_reg_t *r, unsigned p, int32_t val,
		     uint64_t timeout_ns, rc_err_t *err)
{
	int32_t before;

	return reg_op(r, p, REG_WRITE, (uint32_t)val, &before, timeout_ns, err);
}

int rc_tob_reg_cas(rc_tob_reg_t *r, unsigned p, int32_t expect, int32_t desired,
		   bool *swapped, uint64_t timeout_ns, rc_err_t *err)
{
	int32_t before;
	int rc = reg_op(r, p, REG_CAS | (uint64_t)(uint32_t)expect << 32,
			(uint32_t)desired, &before, timeout_ns, err);

	if (rc == 0)
		*swapped = before == expect;
	return rc;
}
