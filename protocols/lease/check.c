/* SPDX-License-Identifier: MIT */
/* check.c: the properties of the lease service and the fenced store, checked online as the service grants and the store accepts. */
#include <stdlib.h>
#include <string.h>

#include "protocols/lease/lease.h"

/*
 * Exclusive: when the service grants the lease at its time now to a
 * client, the lease before it was that client's, released, or expired
 * (now >= its expiry).
 * Tokens: every grant carries a token above every token granted before.
 * Fencing: the store never accepts a write whose token is below the
 * token of a write it accepted before.
 * Granted: every write the store accepts carries a token the service
 * granted, to the client that wrote it.
 *
 * What is not a property: that an accepted write's token is the newest
 * the service has granted. A holder's write may reach the store after
 * its lease expired and a newer token was granted but before the newer
 * holder wrote; the store cannot know of the newer grant and accepts it
 * (counted as late). Fencing promises only that once the newer holder
 * has written, the older cannot.
 */

const char *_rc_lease_prop_name(unsigned prop)
{
	switch (prop) {
	case RC_LEASE_EXCLUSIVE:
		return "exclusive";
	case RC_LEASE_TOKENS:
		return "tokens";
	case RC_LEASE_FENCING:
		return "fencing";
	case RC_LEASE_GRANTED:
		return "granted";
	}
	return "?";
}

void _rc_lease_check_init(struct _rc_lease_checker *c)
{
	memset(c, 0, sizeof *c);
}

void _rc_lease_check_fini(struct _rc_lease_checker *c)
{
	free(c->owner);
	c->owner = NULL;
}

static void violate(struct _rc_lease_checker *c, unsigned prop, const char *why)
{
	if (!c->violations)
		snprintf(c->why, sizeof c->why, "%s", why);
	c->violations |= prop;
}

static void own(struct _rc_lease_checker *c, uint64_t token, uint64_t client)
{
	if (token >= c->capowner) {
		uint64_t nc = c->capowner ? 2 * c->capowner : 64;
		uint64_t *no;

		while (nc <= token)
			nc *= 2;
		no = realloc(c->owner, nc * sizeof *no);
		if (!no) {
			c->oom = true;
			return;
		}
		memset(no + c->capowner, 0xff, (nc - c->capowner) * sizeof *no);
		c->owner = no;
		c->capowner = nc;
	}
	c->owner[token] = client;
	if (token >= c->nowner)
		c->nowner = token + 1;
}

void _rc_lease_check_grant(struct _rc_lease_checker *c, uint64_t now,
			   uint64_t client, uint64_t token, uint64_t expiry)
{
	bool running = c->token != 0 && c->expiry != 0 && now < c->expiry;
	char why[256];

	c->granted++;
	if (token <= c->token) {
		snprintf(why, sizeof why,
			 "tokens: token %llu granted at %llu us to client "
			 "%llu after token %llu",
			 (unsigned long long)token, (unsigned long long)now,
			 (unsigned long long)client,
			 (unsigned long long)c->token);
		violate(c, RC_LEASE_TOKENS, why);
	}
	if (running && client != c->holder) {
		snprintf(why, sizeof why,
			 "exclusive: client %llu granted token %llu at %llu "
			 "us while client %llu holds token %llu until %llu "
			 "us",
			 (unsigned long long)client, (unsigned long long)token,
			 (unsigned long long)now, (unsigned long long)c->holder,
			 (unsigned long long)c->token,
			 (unsigned long long)c->expiry);
		violate(c, RC_LEASE_EXCLUSIVE, why);
	}
	own(c, token, client);
	c->token = token;
	c->holder = client;
	c->expiry = expiry;
}

void _rc_lease_check_release(struct _rc_lease_checker *c, uint64_t client,
			     uint64_t token)
{
	if (token == c->token && client == c->holder && c->expiry != 0) {
		c->expiry = 0;
		c->released++;
	}
}

void _rc_lease_check_write(struct _rc_lease_checker *c, uint64_t now,
			   uint64_t client, uint64_t token, bool accepted)
{
	char why[256];

	if (!accepted) {
		c->rejected++;
		return;
	}
	c->accepted++;
	if (token < c->accepted_token) {
		snprintf(why, sizeof why,
			 "fencing: the store accepts client %llu's write "
			 "with token %llu at %llu us after a write with "
			 "token %llu",
			 (unsigned long long)client, (unsigned long long)token,
			 (unsigned long long)now,
			 (unsigned long long)c->accepted_token);
		violate(c, RC_LEASE_FENCING, why);
	}
	if (token == 0 || token >= c->nowner || c->owner[token] != client) {
		snprintf(why, sizeof why,
			 "granted: the store accepts client %llu's write "
			 "with token %llu at %llu us, a token not granted "
			 "to it",
			 (unsigned long long)client, (unsigned long long)token,
			 (unsigned long long)now);
		violate(c, RC_LEASE_GRANTED, why);
	}
	if (token < c->token)
		c->late++;
	if (token > c->accepted_token)
		c->accepted_token = token;
}
