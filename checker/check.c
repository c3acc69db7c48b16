/* SPDX-License-Identifier: MIT */
/* check.c: rc_check: the spec, the split into independent keys, the levels, the verdict. */
#include <assert.h>
#include <pthread.h>
#include <sched.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "checker/internal.h"

static const char *const verdict_names[] = { "ok", "violation", "unknown" };

const char *rc_verdict_name(enum rc_verdict v)
{
	return (unsigned)v < 3 ? verdict_names[v] : "?";
}

bool _rc_spec_has(enum rc_spec spec, unsigned k)
{
	switch (spec) {
	case RC_SPEC_REGISTER:
		return k == RC_HOP_READ || k == RC_HOP_WRITE;
	case RC_SPEC_CAS_REGISTER:
		return k == RC_HOP_READ || k == RC_HOP_WRITE || k == RC_HOP_CAS;
	case RC_SPEC_KV:
		return k == RC_HOP_GET || k == RC_HOP_PUT || k == RC_HOP_APPEND;
	case RC_SPEC_QUEUE:
		return k == RC_HOP_ENQ || k == RC_HOP_DEQ;
	case RC_SPEC_STACK:
		return k == RC_HOP_PUSH || k == RC_HOP_POP;
	case RC_SPEC_SET:
		return k == RC_HOP_ADD || k == RC_HOP_REMOVE ||
		       k == RC_HOP_CONTAINS;
	case RC_SPEC_COUNTER:
		return k == RC_HOP_INC || k == RC_HOP_READ;
	default:
		return false;
	}
}

static enum rc_spec guess_spec(const rc_history_t *h)
{
	unsigned seen = 0;

	if (h->format == RC_HFMT_JEPSEN_LOG)
		return RC_SPEC_CAS_REGISTER;
	for (size_t i = 0; i < h->n; i++)
		seen |= 1u << h->ops[i].kind;
#define HAS(k) (seen & (1u << (k)))
	if (HAS(RC_HOP_GET) || HAS(RC_HOP_PUT) || HAS(RC_HOP_APPEND))
		return RC_SPEC_KV;
	if (HAS(RC_HOP_ENQ) || HAS(RC_HOP_DEQ))
		return RC_SPEC_QUEUE;
	if (HAS(RC_HOP_PUSH) || HAS(RC_HOP_POP))
		return RC_SPEC_STACK;
	if (HAS(RC_HOP_ADD) || HAS(RC_HOP_REMOVE) || HAS(RC_HOP_CONTAINS))
		return RC_SPEC_SET;
	if (HAS(RC_HOP_INC))
		return RC_SPEC_COUNTER;
	if (HAS(RC_HOP_CAS))
		return RC_SPEC_CAS_REGISTER;
#undef HAS
	return RC_SPEC_REGISTER;
}

void rc_check_result_free(rc_check_result_t *r)
{
	if (r == NULL)
		return;
	for (size_t i = 0; i < r->nparts; i++) {
		free(r->parts[i].order);
		free(r->parts[i].blocked);
	}
	free(r->parts);
	free(r);
}

/*
 * Is order (a linearization) also a sequential witness: does it keep each
 * process's determinate operations in their program order?
 */
static bool keeps_program_order(const rc_history_t *h, const uint32_t *ids,
				size_t n, const uint32_t *order, size_t norder)
{
	uint32_t *pos = malloc((h->n + 1) * sizeof(*pos));
	uint32_t *last = NULL;
	bool good = pos != NULL;

	for (size_t i = 0; good && i < h->n; i++)
		pos[i] = UINT32_MAX;
	for (size_t i = 0; good && i < norder; i++)
		pos[order[i]] = (uint32_t)i;
	/* each determinate op after the process's op invoked before it */
	for (size_t a = 0; good && a < n; a++) {
		const struct rc_hop *x = &h->ops[ids[a]];

		if (x->status != RC_HST_OK || pos[ids[a]] == UINT32_MAX)
			continue;
		for (size_t b = 0; good && b < n; b++) {
			const struct rc_hop *y = &h->ops[ids[b]];

			if (y->proc == x->proc && y->status == RC_HST_OK &&
			    pos[ids[b]] != UINT32_MAX && x->call < y->call &&
			    pos[ids[a]] > pos[ids[b]])
				good = false;
		}
	}
	free(last);
	free(pos);
	return good;
}

/*
 * Sequential consistency is NP-complete and its search can be long; a
 * linearization that keeps program order is an answer found cheaply, so
 * the linearizability search runs first and the sequential search only
 * when it does not give one.
 */
static int check_sc(const rc_history_t *h, enum rc_spec spec,
		    const uint32_t *ids, size_t n, double deadline,
		    size_t max_states, struct rc_check_part *part)
{
	int rc = _rc_check_search(h, spec, RC_LIN, ids, n, deadline, max_states,
				  part);

	if (rc < 0)
		return rc;
	if (part->verdict == RC_VERDICT_OK &&
	    keeps_program_order(h, ids, n, part->order, part->norder))
		return 0;
	free(part->order);
	free(part->blocked);
	part->order = part->blocked = NULL;
	part->norder = part->nblocked = 0;
	part->note[0] = '\0';
	return _rc_check_search(h, spec, RC_SC, ids, n, deadline, max_states,
				part);
}

/* Bytes a history holds: what the check starts with. */
static size_t history_bytes(const rc_history_t *h)
{
	return h->cap * sizeof(*h->ops) + h->strs.cap +
	       h->strs.ncap * sizeof(*h->strs.off) +
	       h->strs.tcap * sizeof(*h->strs.tab);
}

/* What the threads checking the parts of one history share. */
struct run {
	const rc_history_t *h;
	enum rc_spec spec;
	enum rc_level level;
	unsigned guarantees; /* session levels: bits 1u << level */
	double deadline;
	size_t max_states;
	rc_check_result_t *r;
	const uint32_t *ids;
	const size_t *start; /* part p's ops: ids[start[p] .. start[p + 1]) */
	struct _rc_budget *b;
	_Atomic size_t next; /* the next part to take */
	_Atomic int rc;	     /* the first error, or 0 */
	bool *skipped;	     /* parts abandoned or never started */
};

/* The levels checked as an order of each key's writes (session.c). */
static bool orders_writes(enum rc_level l)
{
	return rc_level_is_session(l) || l == RC_EVENTUAL;
}

static int check_part(struct run *u, size_t p)
{
	struct rc_check_part *part = &u->r->parts[p];
	const uint32_t *ids = u->ids + u->start[p];
	double pt = _rc_now();
	int rc;

	part->states = 0;
	if (orders_writes(u->level))
		rc = _rc_check_session(u->h, u->spec, u->guarantees, ids,
				       part->nops, part);
	else if (u->level == RC_CC || u->level == RC_CM || u->level == RC_CCV)
		rc = _rc_check_causal(u->h, u->spec, u->level, ids, part->nops,
				      u->deadline, u->max_states, part,
				      &u->r->differentiated);
	else if (u->level == RC_SC)
		rc = check_sc(u->h, u->spec, ids, part->nops, u->deadline,
			      u->max_states, part);
	else
		rc = _rc_check_search(u->h, u->spec, u->level, ids, part->nops,
				      u->deadline, u->max_states, part);
	part->seconds = _rc_now() - pt;
	if (rc == -RC_ENOMEM &&
	    atomic_load_explicit(&u->b->over, memory_order_relaxed) ==
		    RC_STOP_MEMORY) {
		/* the limit, not the machine, refused the memory */
		part->verdict = RC_VERDICT_UNKNOWN;
		snprintf(part->note, sizeof(part->note),
			 "memory limit reached (%zu MiB)",
			 u->b->max_bytes >> 20);
		rc = 0;
	}
	return rc;
}

/*
 * Takes parts in file order until none is left. With stop_first, a part
 * after the first violating one found so far is not started, and one
 * running is abandoned (its search polls first_bad); parts before it go
 * on, so the first violating part in file order is always found.
 */
static void *worker(void *arg)
{
	struct run *u = arg;
	struct _rc_task task = { u->b, 0, 0 };
	size_t nparts = u->r->nparts;

	_rc_task = &task;
	for (;;) {
		size_t p = atomic_fetch_add_explicit(&u->next, 1,
						     memory_order_relaxed);
		size_t bad;
		int rc;

		if (p >= nparts)
			break;
		task.part = p;
		if (atomic_load_explicit(&u->rc, memory_order_relaxed) != 0 ||
		    _rc_poll() != RC_GO) {
			u->skipped[p] = true;
			continue;
		}
		rc = check_part(u, p);
		_rc_charge(-task.charged); /* the search freed it all */
		if (rc < 0) {
			int zero = 0;

			atomic_compare_exchange_strong(&u->rc, &zero, rc);
			continue;
		}
		if (u->r->parts[p].verdict == RC_VERDICT_UNKNOWN &&
		    _rc_poll() == RC_STOP_ABANDON) {
			u->skipped[p] = true;
			continue;
		}
		if (u->r->parts[p].verdict != RC_VERDICT_VIOLATION)
			continue;
		/* the smallest violating part: a CAS-min */
		bad = atomic_load_explicit(&u->b->first_bad,
					   memory_order_relaxed);
		while (p < bad &&
		       !atomic_compare_exchange_weak_explicit(
			       &u->b->first_bad, &bad, p, memory_order_relaxed,
			       memory_order_relaxed))
			;
	}
	_rc_task = NULL;
	return NULL;
}

static unsigned usable_cpus(void)
{
	cpu_set_t set;

	if (sched_getaffinity(0, sizeof(set), &set) == 0 && CPU_COUNT(&set) > 0)
		return (unsigned)CPU_COUNT(&set);
	return 1;
}

/* Runs the parts on threads, or on this one when one thread is enough. */
static int run_parts(struct run *u, unsigned nthreads)
{
	pthread_t *ts;
	unsigned started = 0;
	struct _rc_task *mine = _rc_task;

	if (nthreads > u->r->nparts)
		nthreads = (unsigned)u->r->nparts;
	ts = nthreads > 1 ? calloc(nthreads, sizeof(*ts)) : NULL;
	if (ts != NULL)
		for (; started < nthreads; started++)
			if (pthread_create(&ts[started], NULL, worker, u) != 0)
				break;
	if (started == 0)
		worker(u); /* one thread, or none could start: this one */
	for (unsigned i = 0; i < started; i++)
		pthread_join(ts[i], NULL);
	free(ts);
	_rc_task = mine;
	return atomic_load(&u->rc);
}

/*
 * Splits a kv history by key in one pass: each key's part number (in order
 * of first appearance) from a hash table, then a counting sort that keeps
 * file order within each key. Returns the number of keys, or -1 when the
 * budget or the memory ran out (*why says which, RC_GO for the machine).
 */
static int64_t split_keys(const rc_history_t *h, uint32_t *ids, size_t **startp,
			  rc_hval_t **keysp, enum _rc_stop *why)
{
	size_t cap = 64, nk = 0;
	uint32_t *tab, *part = NULL;
	rc_hval_t *keys = NULL;
	size_t *start = NULL;
	size_t bytes;

	while (cap < 2 * h->n)
		cap *= 2;
	bytes = cap * sizeof(*tab) + h->n * (sizeof(*part) + sizeof(*keys)) +
		(h->n + 2) * sizeof(*start);
	*why = RC_GO;
	if (!_rc_charge((ptrdiff_t)bytes)) {
		*why = RC_STOP_MEMORY;
		return -1;
	}
	tab = calloc(cap, sizeof(*tab)); /* part + 1; 0 empty */
	part = malloc((h->n + 1) * sizeof(*part));
	keys = malloc((h->n + 1) * sizeof(*keys));
	if (tab == NULL || part == NULL || keys == NULL)
		goto fail;
	for (size_t i = 0; i < h->n; i++) {
		rc_hval_t k = h->ops[i].key;
		size_t x = _rc_mix64((uint64_t)k) & (cap - 1);

		if ((i & 4095) == 4095 && (*why = _rc_poll()) != RC_GO)
			goto fail;
		while (tab[x] != 0 && keys[tab[x] - 1] != k)
			x = (x + 1) & (cap - 1);
		if (tab[x] == 0) {
			keys[nk] = k;
			tab[x] = (uint32_t)++nk;
		}
		part[i] = tab[x] - 1;
	}
	free(tab);
	tab = NULL;
	start = calloc(nk + 2, sizeof(*start));
	if (start == NULL)
		goto fail;
	for (size_t i = 0; i < h->n; i++)
		start[part[i] + 2]++;
	for (size_t p = 2; p < nk + 2; p++)
		start[p] += start[p - 1];
	/* start[p + 1] is now where part p's next op goes */
	for (size_t i = 0; i < h->n; i++)
		ids[start[part[i] + 1]++] = (uint32_t)i;
	free(part);
	*startp = start;
	*keysp = keys;
	_rc_charge(-(ptrdiff_t)(cap * sizeof(*tab) + h->n * sizeof(*part)));
	return (int64_t)nk;
fail:
	free(tab);
	free(part);
	free(keys);
	free(start);
	_rc_charge(-(ptrdiff_t)bytes);
	return -1;
}

int rc_check(const rc_history_t *h, const struct rc_check_opts *opts,
	     rc_check_result_t **out, rc_err_t *err)
{
	rc_check_result_t *r;
	enum rc_spec spec = opts->spec;
	double t0 = _rc_now(), deadline = 0;
	size_t max_states =
		opts->max_states ? opts->max_states : (size_t)1 << 25;
	size_t max_bytes =
		opts->max_bytes ? opts->max_bytes : RC_CHECK_MAX_BYTES;
	uint32_t *ids = NULL;
	size_t *start = NULL;
	rc_hval_t *keys = NULL;
	bool *skipped = NULL;
	struct _rc_budget b;
	struct _rc_task task = { &b, 0, 0 }, *outer = _rc_task;
	struct run u;
	enum _rc_stop why = RC_GO;
	int rc = 0;

	*out = NULL;
	if (!rc_level_is_history(opts->level)) {
		if (rc_level_is_object(opts->level))
			return rc_err_set(err, RC_EINVAL, NULL, 0, 0,
					  "no checker decides %s; the "
					  "histories of a %s object are "
					  "checked at %s",
					  rc_level_name(opts->level),
					  rc_level_name(opts->level),
					  rc_level_name(rc_level_checked_at(
						  opts->level)));
		return rc_err_set(err, RC_EINVAL, NULL, 0, 0,
				  "unknown level %d", (int)opts->level);
	}
	if (opts->also != 0 &&
	    (!orders_writes(opts->level) ||
	     (opts->also & ~((1u << RC_RYW) | (1u << RC_MR) | (1u << RC_MW) |
			     (1u << RC_WFR))) != 0))
		return rc_err_set(err, RC_EINVAL, NULL, 0, 0,
				  "only session guarantees (ryw, mr, mw, wfr) "
				  "are checked together");
	if (spec == RC_SPEC_AUTO)
		spec = guess_spec(h);
	if (h->initial != RC_HVAL_NIL &&
	    (spec == RC_SPEC_QUEUE || spec == RC_SPEC_STACK ||
	     spec == RC_SPEC_SET ||
	     (spec == RC_SPEC_COUNTER && !rc_hval_is_int(h->initial))))
		return rc_err_set(err, RC_EINVAL, NULL, 0, 0,
				  "a %s history takes no initial value %s",
				  rc_spec_name(spec),
				  spec == RC_SPEC_COUNTER
					  ? "but an integer"
					  : "(it starts empty)");
	for (size_t i = 0; i < h->n; i++)
		if (!_rc_spec_has(spec, h->ops[i].kind))
			return rc_err_set(err, RC_EINVAL, NULL, h->ops[i].line,
					  0,
					  "operation '%s' is not one of the "
					  "%s spec's",
					  rc_hop_kind_name(h->ops[i].kind),
					  rc_spec_name(spec));
	if (opts->timeout > 0)
		deadline = t0 + opts->timeout;
	_rc_budget_init(&b, deadline, max_bytes == SIZE_MAX ? 0 : max_bytes,
			!opts->all_keys);
	_rc_task = &task;
	r = calloc(1, sizeof(*r));
	ids = malloc((h->n + 1) * sizeof(*ids));
	if (r == NULL || ids == NULL)
		goto nomem;
	r->spec = spec;
	r->level = opts->level;
	r->nops = h->n;
	r->differentiated = true;
	r->verdict = RC_VERDICT_OK;
	/* the history and the op lists count against the limit */
	if (!_rc_charge((ptrdiff_t)(history_bytes(h) +
				    (h->n + 1) * sizeof(*ids)))) {
		why = RC_STOP_MEMORY;
		goto stopped;
	}
	/*
	 * P-compositionality: a kv history is linearizable iff each key's
	 * sub-history is. Sequential and causal consistency are not local
	 * properties (they relate keys through process order), so those
	 * levels take the history whole.
	 */
	if (spec == RC_SPEC_KV && opts->level == RC_LIN && h->n > 0) {
		int64_t nk = split_keys(h, ids, &start, &keys, &why);

		if (nk < 0) {
			if (why != RC_GO)
				goto stopped;
			goto nomem;
		}
		r->parts = calloc((size_t)nk + 1, sizeof(*r->parts));
		if (r->parts == NULL)
			goto nomem;
		r->nparts = (size_t)nk;
		for (size_t p = 0; p < r->nparts; p++) {
			r->parts[p].key = keys[p];
			r->parts[p].nops = start[p + 1] - start[p];
		}
	} else {
		r->parts = calloc(1, sizeof(*r->parts));
		start = calloc(2, sizeof(*start));
		if (r->parts == NULL || start == NULL)
			goto nomem;
		r->nparts = 1;
		r->parts[0].key = RC_HVAL_NONE;
		r->parts[0].nops = h->n;
		start[1] = h->n;
		for (size_t i = 0; i < h->n; i++)
			ids[i] = (uint32_t)i;
	}
	r->nkeys = r->parts[0].key == RC_HVAL_NONE ? 0 : r->nparts;
	if (h->n == 0) {
		snprintf(r->note, sizeof(r->note),
			 "empty history: trivially consistent");
		goto done;
	}
	skipped = calloc(r->nparts + 1, sizeof(*skipped));
	if (skipped == NULL)
		goto nomem;
	memset(&u, 0, sizeof(u));
	u.h = h;
	u.spec = spec;
	u.level = opts->level;
	u.guarantees = (1u << opts->level) | opts->also;
	if (orders_writes(opts->level))
		r->guarantees = u.guarantees;
	u.deadline = deadline;
	u.max_states = max_states;
	u.r = r;
	u.ids = ids;
	u.start = start;
	u.b = &b;
	u.skipped = skipped;
	atomic_init(&u.next, 0);
	atomic_init(&u.rc, 0);
	rc = run_parts(&u, opts->threads ? opts->threads : usable_cpus());
	if (rc < 0)
		goto fail;
	if (!opts->all_keys && r->nkeys > 0 &&
	    atomic_load(&b.first_bad) != SIZE_MAX) {
		/* report the keys up to the first violating one */
		size_t keep = atomic_load(&b.first_bad) + 1;

		for (size_t p = keep; p < r->nparts; p++) {
			free(r->parts[p].order);
			free(r->parts[p].blocked);
		}
		if (keep < r->nparts)
			snprintf(r->note, sizeof(r->note),
				 "stopped at the first violating key in file "
				 "order, key %zu of %zu",
				 keep, r->nparts);
		r->nparts = keep;
	}
	for (size_t p = 0; p < r->nparts; p++) {
		struct rc_check_part *part = &r->parts[p];

		if (skipped[p]) {
			/* not checked: the budget ran out before it */
			int over = atomic_load(&b.over);

			part->verdict = RC_VERDICT_UNKNOWN;
			snprintf(part->note, sizeof(part->note),
				 "not checked: %s",
				 _rc_stop_name(over != RC_GO
						       ? (enum _rc_stop)over
						       : RC_STOP_ABANDON));
		}
		if (part->verdict == RC_VERDICT_VIOLATION)
			r->verdict = RC_VERDICT_VIOLATION;
		else if (part->verdict == RC_VERDICT_UNKNOWN &&
			 r->verdict == RC_VERDICT_OK)
			r->verdict = RC_VERDICT_UNKNOWN;
	}
done:
	r->seconds = _rc_now() - t0;
	free(ids);
	free(start);
	free(keys);
	free(skipped);
	_rc_task = outer;
	*out = r;
	return 0;
stopped:
	/* the budget ran out before the search: no verdict */
	if (r->parts == NULL) {
		r->parts = calloc(1, sizeof(*r->parts));
		if (r->parts == NULL)
			goto nomem;
		r->nparts = 1;
		r->parts[0].key = RC_HVAL_NONE;
		r->parts[0].nops = h->n;
	}
	r->verdict = RC_VERDICT_UNKNOWN;
	for (size_t p = 0; p < r->nparts; p++)
		r->parts[p].verdict = RC_VERDICT_UNKNOWN;
	snprintf(r->note, sizeof(r->note), "%s before the search",
		 _rc_stop_name(why));
	snprintf(r->parts[0].note, sizeof(r->parts[0].note), "%s", r->note);
	goto done;
nomem:
	rc = rc_err_set(err, RC_ENOMEM, NULL, 0, 0, "out of memory");
fail:
	if (rc == -RC_ENOMEM && err != NULL && err->msg[0] == '\0')
		rc_err_set(err, RC_ENOMEM, NULL, 0, 0, "out of memory");
	free(ids);
	free(start);
	free(keys);
	free(skipped);
	_rc_task = outer;
	rc_check_result_free(r);
	return rc;
}
