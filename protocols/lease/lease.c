/* SPDX-License-Identifier: MIT */
/* lease.c: the lease service and the fenced store (replicore/lease.h), as sequential objects and as rc_rsm ops tables. */
#include <stdlib.h>
#include <string.h>

#include <replicore/lease.h>

#include "protocols/lease/lease.h"

/*
 * The invariant of the service: token grows by one at every grant and
 * changes at nothing else, so a later grant's token is larger than every
 * earlier one's. A grant is made only when the last one is released or
 * expired by the command's time, or to its own holder (a renewal, which
 * replaces its lease): so by the times the commands carry, at most one
 * client's lease runs at any time.
 *
 * The store's invariant: token is the largest token of a write it
 * accepted, and it accepts a write only when the write's token is at
 * least that one. So the tokens of its accepted writes never decrease in
 * the order it applies them: a holder that lost its lease to a newer
 * holder who has written cannot write any more. (A write of an old token
 * that arrives before the newer holder's first write is accepted: the
 * store cannot know of a grant nobody has shown it. The newer holder's
 * writes then follow it, as if the old holder had finished in time.)
 *
 * The broken variant (ignore: set by the simulation's option, or always
 * in a copy built with RC_LEASE_BROKEN_FENCING) stores every write,
 * whatever its token, as a store that knows nothing of fencing does; the
 * property checks (check.c) and tests/unit/test_lease.c must catch it.
 */

#ifdef RC_LEASE_BROKEN_FENCING
#define IGNORE_TOKENS true
#else
#define IGNORE_TOKENS false
#endif

uint64_t rc_lease_acquire(struct rc_lease *l, uint64_t client, uint64_t now,
			  uint64_t duration)
{
	bool running = l->token != 0 && l->expiry != 0 && now < l->expiry;

	if (running && l->holder != client)
		return RC_LEASE_REFUSED | l->expiry;
	l->token++;
	l->holder = client;
	l->expiry = now + duration;
	return l->token;
}

bool rc_lease_release(struct rc_lease *l, uint64_t client, uint64_t token)
{
	if (l->token == 0 || l->token != token || l->holder != client ||
	    l->expiry == 0)
		return false;
	l->expiry = 0;
	return true;
}

uint64_t rc_lease_holder_token(const struct rc_lease *l, uint64_t now)
{
	return l->token != 0 && l->expiry != 0 && now < l->expiry ? l->token
								  : 0;
}

bool _rc_fenced_write(struct rc_fenced *s, uint64_t token, uint64_t value,
		      bool ignore)
{
	ignore |= IGNORE_TOKENS;
	if (!ignore && token < s->token)
		return false;
	if (token > s->token)
		s->token = token;
	s->value = value;
	return true;
}

bool rc_fenced_write(struct rc_fenced *s, uint64_t token, uint64_t value)
{
	return _rc_fenced_write(s, token, value, false);
}

/* The ops tables: the commands of replicore/lease.h, decoded. */

static void *lease_init(void *arg, unsigned node)
{
	(void)arg;
	(void)node;
	return calloc(1, sizeof(struct rc_lease));
}

static uint64_t lease_apply(void *state, uint64_t op, uint64_t arg)
{
	struct rc_lease *l = state;
	uint64_t client = op >> 8 & 0xffffff;

	switch (op & 0xff) {
	case 1:
		return rc_lease_acquire(l, client, arg, op >> 32);
	case 2:
		return rc_lease_release(l, client, arg);
	case 3:
		return rc_lease_holder_token(l, arg);
	}
	return 0;
}

static bool lease_is_read(uint64_t op)
{
	return op == RC_LEASE_OP_HOLDER;
}

static size_t lease_snapshot(const void *state, void *buf, size_t len)
{
	if (buf && len >= sizeof(struct rc_lease))
		memcpy(buf, state, sizeof(struct rc_lease));
	return sizeof(struct rc_lease);
}

static void *lease_restore(void *arg, unsigned node, const void *buf,
			   size_t len)
{
	void *l = len == sizeof(struct rc_lease) ? lease_init(arg, node) : NULL;

	if (l)
		memcpy(l, buf, sizeof(struct rc_lease));
	return l;
}

const struct rc_rsm_ops rc_lease_ops = {
	lease_init, lease_apply,    lease_is_read,
	free,	    lease_snapshot, lease_restore,
};

static void *fenced_init(void *arg, unsigned node)
{
	(void)arg;
	(void)node;
	return calloc(1, sizeof(struct rc_fenced));
}

static uint64_t fenced_apply(void *state, uint64_t op, uint64_t arg)
{
	struct rc_fenced *s = state;

	if ((op & 0xff) == 1)
		return rc_fenced_write(s, arg, op >> 8);
	return s->value;
}

static bool fenced_is_read(uint64_t op)
{
	return op == RC_FENCED_OP_READ;
}

static size_t fenced_snapshot(const void *state, void *buf, size_t len)
{
	if (buf && len >= sizeof(struct rc_fenced))
		memcpy(buf, state, sizeof(struct rc_fenced));
	return sizeof(struct rc_fenced);
}

static void *fenced_restore(void *arg, unsigned node, const void *buf,
			    size_t len)
{
	void *s =
		len == sizeof(struct rc_fenced) ? fenced_init(arg, node) : NULL;

	if (s)
		memcpy(s, buf, sizeof(struct rc_fenced));
	return s;
}

const struct rc_rsm_ops rc_fenced_ops = {
	fenced_init, fenced_apply,    fenced_is_read,
	free,	     fenced_snapshot, fenced_restore,
};
