/* SPDX-License-Identifier: MIT */
/* crdt_ops.h: random updates of every convergent type and a comparison of two states by their answers, for the CRDT tests. */
#ifndef RC_TESTS_CRDT_OPS_H
#define RC_TESTS_CRDT_OPS_H

#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include <replicore/crdt.h>

/* xorshift64 from *rng: a draw below n. */
static inline uint64_t crdt_rnd(uint64_t *rng, uint64_t n)
{
	*rng ^= *rng << 13;
	*rng ^= *rng >> 7;
	*rng ^= *rng << 17;
	return *rng % n;
}

/* One random update of c at replica r, drawn from *rng; its status. */
static inline int crdt_update(rc_crdt_t *c, unsigned r, uint64_t *rng)
{
	uint64_t len;

	switch (rc_crdt_kind(c)) {
	case RC_CRDT_GCOUNTER:
		return rc_crdt_inc(c, r, crdt_rnd(rng, 5));
	case RC_CRDT_PNCOUNTER:
		return crdt_rnd(rng, 2) ? rc_crdt_inc(c, r, crdt_rnd(rng, 5))
					: rc_crdt_dec(c, r, crdt_rnd(rng, 5));
	case RC_CRDT_GSET:
		return rc_crdt_add(c, r, crdt_rnd(rng, 40));
	case RC_CRDT_TWOPSET:
	case RC_CRDT_ORSET:
		return crdt_rnd(rng, 3)
			       ? rc_crdt_add(c, r, crdt_rnd(rng, 12))
			       : rc_crdt_remove(c, r, crdt_rnd(rng, 12));
	case RC_CRDT_LWW:
	case RC_CRDT_MV:
		return rc_crdt_write(c, r, crdt_rnd(rng, 100));
	case RC_CRDT_RGA:
		len = rc_crdt_list(c, NULL, 0);
		if (len > 0 && crdt_rnd(rng, 3) == 0)
			return rc_crdt_delete(c, r, crdt_rnd(rng, len));
		return rc_crdt_insert(c, r, crdt_rnd(rng, len + 1),
				      'a' + crdt_rnd(rng, 26));
	default:
		return -1;
	}
}

/* Whether two states answer every query alike. */
static inline bool crdt_same_answers(const rc_crdt_t *a, const rc_crdt_t *b)
{
	uint64_t x[512], y[512];
	size_t nx, ny;

	if (rc_crdt_value(a) != rc_crdt_value(b))
		return false;
	nx = rc_crdt_elements(a, x, 512);
	ny = rc_crdt_elements(b, y, 512);
	if (nx != ny || memcmp(x, y, (nx < 512 ? nx : 512) * 8) != 0)
		return false;
	nx = rc_crdt_read(a, x, 512);
	ny = rc_crdt_read(b, y, 512);
	if (nx != ny || memcmp(x, y, (nx < 512 ? nx : 512) * 8) != 0)
		return false;
	nx = rc_crdt_list(a, x, 512);
	ny = rc_crdt_list(b, y, 512);
	return nx == ny && memcmp(x, y, (nx < 512 ? nx : 512) * 8) == 0;
}

#endif /* RC_TESTS_CRDT_OPS_H */
