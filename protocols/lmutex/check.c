/* SPDX-License-Identifier: MIT */
/* check.c: the properties of mutual exclusion, checked online as processes enter and leave the critical section, and liveness at the end of a run. */
#include <stdio.h>
#include <string.h>

#include "protocols/lmutex/lmutex.h"

/*
 * Exclusion: no process enters while another is in the critical section
 * (one that crashed inside stays in: nobody may enter after it).
 * Order: the grants follow the (Lamport time, process id) order of the
 * requests granted: each grant's pair is above the previous grant's.
 * Liveness: where it is promised (no process crashed), every request
 * made is granted by the end of the run and no process is left waiting.
 */

const char *_rc_lmutex_prop_name(unsigned prop)
{
	switch (prop) {
	case RC_LMUTEX_EXCLUSION:
		return "exclusion";
	case RC_LMUTEX_ORDER:
		return "order";
	case RC_LMUTEX_LIVENESS:
		return "liveness";
	}
	return "?";
}

void _rc_lmutex_check_init(struct _rc_lmutex_checker *c)
{
	memset(c, 0, sizeof *c);
	c->holder = -1;
}

static void violate(struct _rc_lmutex_checker *c, unsigned prop,
		    const char *why)
{
	if (!c->violations)
		snprintf(c->why, sizeof c->why, "%s", why);
	c->violations |= prop;
}

void _rc_lmutex_check_enter(struct _rc_lmutex_checker *c, uint64_t now,
			    unsigned id, uint64_t ts)
{
	char why[256];

	c->granted++;
	if (c->holder >= 0) {
		snprintf(why, sizeof why,
			 "exclusion: process %u enters at %llu us while "
			 "process %d is in the critical section",
			 id, (unsigned long long)now, c->holder);
		violate(c, RC_LMUTEX_EXCLUSION, why);
	}
	if (c->last_ts &&
	    (ts < c->last_ts || (ts == c->last_ts && id <= c->last_id))) {
		snprintf(why, sizeof why,
			 "order: request (%llu, %u) granted at %llu us after "
			 "request (%llu, %llu)",
			 (unsigned long long)ts, id, (unsigned long long)now,
			 (unsigned long long)c->last_ts,
			 (unsigned long long)c->last_id);
		violate(c, RC_LMUTEX_ORDER, why);
	}
	c->holder = (int)id;
	c->last_ts = ts;
	c->last_id = id;
}

void _rc_lmutex_check_exit(struct _rc_lmutex_checker *c, unsigned id)
{
	if (c->holder == (int)id)
		c->holder = -1;
}

void _rc_lmutex_check_end(struct _rc_lmutex_checker *c, bool promised,
			  unsigned stuck, uint64_t now)
{
	char why[256];

	if (!promised || (c->granted == c->requested && stuck == UINT32_MAX))
		return;
	if (c->granted != c->requested)
		snprintf(why, sizeof why,
			 "liveness: %llu of %llu requests granted by %llu us "
			 "without a crash",
			 (unsigned long long)c->granted,
			 (unsigned long long)c->requested,
			 (unsigned long long)now);
	else
		snprintf(why, sizeof why,
			 "liveness: process %u not idle at %llu us without a "
			 "crash",
			 stuck, (unsigned long long)now);
	violate(c, RC_LMUTEX_LIVENESS, why);
}
