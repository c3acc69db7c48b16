/* SPDX-License-Identifier: MIT */
/* check.c: rc_check: the spec, the split into independent keys, the levels, the verdict. */
#include <assert.h>
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

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
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

int rc_check(const rc_history_t *h, const struct rc_check_opts *opts,
	     rc_check_result_t **out, rc_err_t *err)
{
	rc_check_result_t *r;
	enum rc_spec spec = opts->spec;
	double t0 = _rc_now(), deadline = 0;
	size_t max_states =
		opts->max_states ? opts->max_states : (size_t)1 << 25;
	uint32_t *ids = NULL;
	uint64_t *keyed = NULL;
	int rc = 0;
	bool causal = opts->level == RC_CC || opts->level == RC_CM ||
		      opts->level == RC_CCV;

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
	r = calloc(1, sizeof(*r));
	ids = malloc((h->n + 1) * sizeof(*ids));
	keyed = malloc((h->n + 1) * sizeof(*keyed));
	if (r == NULL || ids == NULL || keyed == NULL)
		goto nomem;
	r->spec = spec;
	r->level = opts->level;
	r->nops = h->n;
	r->differentiated = true;
	/*
	 * P-compositionality: a kv history is linearizable iff each key's
	 * sub-history is. Sequential and causal consistency are not local
	 * properties (they relate keys through process order), so those
	 * levels take the history whole.
	 */
	if (spec == RC_SPEC_KV && opts->level == RC_LIN) {
		/* sort (first appearance of key, index) pairs */
		uint64_t *first = NULL;
		size_t nk = 0;

		first = malloc((h->n + 1) * 2 * sizeof(*first));
		if (first == NULL)
			goto nomem;
		for (size_t i = 0; i < h->n; i++) {
			size_t j;

			for (j = 0; j < nk; j++)
				if ((int64_t)first[2 * j] == h->ops[i].key)
					break;
			if (j == nk) {
				first[2 * nk] = (uint64_t)h->ops[i].key;
				first[2 * nk + 1] = nk;
				nk++;
			}
			keyed[i] = ((uint64_t)j << 32) | i;
		}
		qsort(keyed, h->n, sizeof(*keyed), cmp_u64);
		r->parts = calloc(nk + 1, sizeof(*r->parts));
		if (r->parts == NULL) {
			free(first);
			goto nomem;
		}
		r->nparts = nk;
		for (size_t i = 0; i < h->n; i++)
			ids[i] = (uint32_t)keyed[i];
		for (size_t p = 0, i = 0; p < nk; p++) {
			size_t s = i;

			while (i < h->n && (keyed[i] >> 32) == p)
				i++;
			r->parts[p].key = (rc_hval_t)first[2 * p];
			r->parts[p].nops = i - s;
			r->parts[p].order = NULL;
			/* the start index is kept in states until run */
			r->parts[p].states = s;
		}
		free(first);
	} else {
		r->parts = calloc(1, sizeof(*r->parts));
		if (r->parts == NULL)
			goto nomem;
		r->nparts = 1;
		r->parts[0].key = RC_HVAL_NONE;
		r->parts[0].nops = h->n;
		for (size_t i = 0; i < h->n; i++)
			ids[i] = (uint32_t)i;
	}
	r->verdict = RC_VERDICT_OK;
	for (size_t p = 0; p < r->nparts; p++) {
		struct rc_check_part *part = &r->parts[p];
		size_t start = r->nparts > 1 ? (size_t)part->states : 0;
		double pt = _rc_now();

		part->states = 0;
		if (causal)
			rc = _rc_check_causal(h, spec, opts->level, ids + start,
					      part->nops, deadline, max_states,
					      part, &r->differentiated);
		else if (opts->level == RC_SC)
			rc = check_sc(h, spec, ids + start, part->nops,
				      deadline, max_states, part);
		else
			rc = _rc_check_search(h, spec, opts->level, ids + start,
					      part->nops, deadline, max_states,
					      part);
		if (rc < 0)
			goto fail;
		part->seconds = _rc_now() - pt;
		if (part->verdict == RC_VERDICT_VIOLATION)
			r->verdict = RC_VERDICT_VIOLATION;
		else if (part->verdict == RC_VERDICT_UNKNOWN &&
			 r->verdict == RC_VERDICT_OK)
			r->verdict = RC_VERDICT_UNKNOWN;
	}
	r->seconds = _rc_now() - t0;
	free(ids);
	free(keyed);
	*out = r;
	return 0;
nomem:
	rc = rc_err_set(err, RC_ENOMEM, NULL, 0, 0, "out of memory");
fail:
	if (rc == -RC_ENOMEM && err != NULL && err->msg[0] == '\0')
		rc_err_set(err, RC_ENOMEM, NULL, 0, 0, "out of memory");
	free(ids);
	free(keyed);
	rc_check_result_free(r);
	return rc;
}
