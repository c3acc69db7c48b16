/* SPDX-License-Identifier: MIT */
/* check.c: the properties of a Paxos run, checked from its proposals and its learners' deliveries. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "protocols/paxos/internal.h"

/*
 * Agreement: the first delivery of a slot by any learner becomes the
 * slot's reference; every later delivery of that slot must equal it.
 * Validity: every delivered command was proposed, with its payload.
 * Integrity: no learner delivers one command twice. No gaps: a learner's
 * slots come 0, 1, 2, ... Liveness (at the end): every command proposed at
 * a live node was delivered by every live node. With membership changes,
 * each delivery also names the member set the node takes to govern the
 * slot; the first named becomes the slot's, and a node that names
 * another breaks agreement (it follows from agreement on the earlier
 * slots, and is checked all the same).
 */

struct ref {
	uint64_t off;
	uint32_t n;
	bool set;
};

struct learner {
	uint64_t next;
	struct _rc_pxset seen;
};

struct _rc_pxcheck {
	unsigned nodes;
	/* proposed commands: open addressing, id -> command */
	uint64_t *pid, pcap, pn;
	struct rc_paxos_cmd *pcmd;
	struct learner l[RC_PAXOS_MAX_NODES];
	struct ref *ref;
	uint64_t rcap;
	struct rc_paxos_cmd *pool;
	uint64_t pool_n, pool_cap;
	unsigned viol;
	char why[256];
	/* the member set of each slot, 0 while none was named */
	uint64_t *conf, ccap;
};

static void fail(struct _rc_pxcheck *c, unsigned prop, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static void fail(struct _rc_pxcheck *c, unsigned prop, const char *fmt, ...)
{
	va_list ap;

	if (c->viol == 0) {
		va_start(ap, fmt);
		vsnprintf(c->why, sizeof c->why, fmt, ap);
		va_end(ap);
	}
	c->viol |= prop;
}

static uint64_t mix(uint64_t k)
{
	k ^= k >> 31;
	k *= 0x7fb5d329728ea185ull;
	k ^= k >> 27;
	return k;
}

struct _rc_pxcheck *_rc_pxcheck_create(unsigned nodes)
{
	struct _rc_pxcheck *c = calloc(1, sizeof *c);

	if (c)
		c->nodes = nodes;
	return c;
}

void _rc_pxcheck_destroy(struct _rc_pxcheck *c)
{
	if (!c)
		return;
	for (unsigned i = 0; i < c->nodes; i++)
		_rc_pxset_free(&c->l[i].seen);
	free(c->pid);
	free(c->pcmd);
	free(c->ref);
	free(c->pool);
	free(c->conf);
	free(c);
}

static const struct rc_paxos_cmd *lookup(const struct _rc_pxcheck *c,
					 uint64_t id)
{
	if (!c->pcap)
		return NULL;
	for (uint64_t h = mix(id) & (c->pcap - 1);;
	     h = (h + 1) & (c->pcap - 1)) {
		if (c->pid[h] == id)
			return &c->pcmd[h];
		if (!c->pid[h])
			return NULL;
	}
}

static void insert(uint64_t *ids, struct rc_paxos_cmd *cmds, uint64_t cap,
		   const struct rc_paxos_cmd *cmd)
{
	uint64_t h = mix(cmd->id) & (cap - 1);

	while (ids[h] && ids[h] != cmd->id)
		h = (h + 1) & (cap - 1);
	ids[h] = cmd->id;
	cmds[h] = *cmd;
}

static bool same_cmd(const struct rc_paxos_cmd *a, const struct rc_paxos_cmd *b)
{
	return a->id == b->id && a->op == b->op && a->arg == b->arg &&
	       a->tag == b->tag;
}

void _rc_pxcheck_proposed(struct _rc_pxcheck *c, const struct rc_paxos_cmd *cmd)
{
	if ((c->pn + 1) * 2 > c->pcap) {
		uint64_t nc = c->pcap ? 2 * c->pcap : 256;
		uint64_t *ni = calloc(nc, sizeof *ni);
		struct rc_paxos_cmd *nd = calloc(nc, sizeof *nd);

		if (!ni || !nd) {
			free(ni);
			free(nd);
			fail(c, RC_PAXOS_LIVENESS, "checker out of memory");
			return;
		}
		for (uint64_t i = 0; i < c->pcap; i++)
			if (c->pid[i])
				insert(ni, nd, nc, &c->pcmd[i]);
		free(c->pid);
		free(c->pcmd);
		c->pid = ni;
		c->pcmd = nd;
		c->pcap = nc;
	}
	insert(c->pid, c->pcmd, c->pcap, cmd);
	c->pn++;
}

static bool set_ref(struct _rc_pxcheck *c, uint64_t slot,
		    const struct rc_paxos_cmd *cmds, unsigned n)
{
	if (slot >= c->rcap) {
		uint64_t nc = c->rcap ? c->rcap : 256;
		struct ref *nr;

		while (nc <= slot)
			nc *= 2;
		nr = realloc(c->ref, nc * sizeof *nr);
		if (!nr)
			return false;
		memset(nr + c->rcap, 0, (nc - c->rcap) * sizeof *nr);
		c->ref = nr;
		c->rcap = nc;
	}
	if (c->pool_n + n > c->pool_cap) {
		uint64_t nc = c->pool_cap ? c->pool_cap : 1024;
		void *np;

		while (nc < c->pool_n + n)
			nc *= 2;
		np = realloc(c->pool, nc * sizeof *c->pool);
		if (!np)
			return false;
		c->pool = np;
		c->pool_cap = nc;
	}
	if (n)
		memcpy(c->pool + c->pool_n, cmds, n * sizeof *cmds);
	c->ref[slot].off = c->pool_n;
	c->ref[slot].n = n;
	c->ref[slot].set = true;
	c->pool_n += n;
	return true;
}

void _rc_pxcheck_deliver(struct _rc_pxcheck *c, unsigned node, uint64_t slot,
			 const struct rc_paxos_cmd *cmds, unsigned n)
{
	struct learner *l = &c->l[node];

	if (slot != l->next)
		fail(c, RC_PAXOS_NO_GAPS,
		     "no gaps: node %u delivered slot %llu after slot %llu",
		     node, (unsigned long long)slot,
		     (unsigned long long)l->next - 1);
	l->next = slot + 1;
	for (unsigned i = 0; i < n; i++) {
		const struct rc_paxos_cmd *p = lookup(c, cmds[i].id);

		if (!p || !same_cmd(p, &cmds[i]))
			fail(c, RC_PAXOS_VALIDITY,
			     "validity: node %u delivered command %llx (op "
			     "%llu) in slot %llu, never proposed",
			     node, (unsigned long long)cmds[i].id,
			     (unsigned long long)cmds[i].op,
			     (unsigned long long)slot);
		if (_rc_pxset_add(&l->seen, cmds[i].id) == 0)
			fail(c, RC_PAXOS_INTEGRITY,
			     "integrity: node %u delivered command %llx twice "
			     "(again in slot %llu)",
			     node, (unsigned long long)cmds[i].id,
			     (unsigned long long)slot);
	}
	if (slot < c->rcap && c->ref[slot].set) {
		const struct ref *r = &c->ref[slot];

		bool same = r->n == n;

		for (unsigned i = 0; same && i < n; i++)
			same = same_cmd(&c->pool[r->off + i], &cmds[i]);
		if (!same)
			fail(c, RC_PAXOS_AGREEMENT,
			     "agreement: node %u delivered %u commands in "
			     "slot %llu, another node %u different ones",
			     node, n, (unsigned long long)slot, r->n);
	} else if (!set_ref(c, slot, cmds, n)) {
		fail(c, RC_PAXOS_LIVENESS, "checker out of memory");
	}
}

void _rc_pxcheck_install(struct _rc_pxcheck *c, unsigned node, uint64_t slot)
{
	struct learner *l = &c->l[node];

	_rc_pxset_free(&l->seen);
	l->next = slot;
	for (uint64_t s = 0; s < slot; s++) {
		if (s >= c->rcap || !c->ref[s].set) {
			fail(c, RC_PAXOS_NO_GAPS,
			     "no gaps: node %u installed a checkpoint at slot "
			     "%llu, but slot %llu was never delivered",
			     node, (unsigned long long)slot,
			     (unsigned long long)s);
			return;
		}
		for (uint32_t i = 0; i < c->ref[s].n; i++)
			if (_rc_pxset_add(&l->seen,
					  c->pool[c->ref[s].off + i].id) < 0)
				fail(c, RC_PAXOS_LIVENESS,
				     "checker out of memory");
	}
}

void _rc_pxcheck_config(struct _rc_pxcheck *c, unsigned node, uint64_t slot,
			uint64_t mask)
{
	if (slot >= c->ccap) {
		uint64_t nc = c->ccap ? c->ccap : 256;
		uint64_t *nv;

		while (nc <= slot)
			nc *= 2;
		nv = realloc(c->conf, nc * sizeof *nv);
		if (!nv) {
			fail(c, RC_PAXOS_LIVENESS, "checker out of memory");
			return;
		}
		memset(nv + c->ccap, 0, (nc - c->ccap) * sizeof *nv);
		c->conf = nv;
		c->ccap = nc;
	}
	if (!c->conf[slot])
		c->conf[slot] = mask;
	else if (c->conf[slot] != mask)
		fail(c, RC_PAXOS_AGREEMENT,
		     "agreement: node %u takes members %llx to govern slot "
		     "%llu, another node %llx",
		     node, (unsigned long long)mask, (unsigned long long)slot,
		     (unsigned long long)c->conf[slot]);
}

unsigned _rc_pxcheck_violations(const struct _rc_pxcheck *c)
{
	return c->viol;
}

unsigned _rc_pxcheck_final(struct _rc_pxcheck *c, uint64_t live,
			   uint64_t *committed, uint64_t *slots, char *why,
			   size_t len)
{
	uint64_t all = 0, minslot = UINT64_MAX;

	for (uint64_t i = 0; i < c->pcap; i++) {
		uint64_t id = c->pid[i];
		unsigned origin, missing = c->nodes;
		bool everywhere = true;

		if (!id)
			continue;
		origin = RC_PAXOS_ID_ORIGIN(id);
		for (unsigned k = 0; k < c->nodes; k++)
			if ((live >> k & 1) &&
			    !_rc_pxset_has(&c->l[k].seen, id)) {
				everywhere = false;
				missing = k;
			}
		/* configuration commands are the group's, not the
		 * workload's: checked, not counted */
		if (everywhere)
			all += c->pcmd[i].tag != RC_PAXOS_TAG_CONFIG;
		else if (origin < c->nodes && (live >> origin & 1))
			fail(c, RC_PAXOS_LIVENESS,
			     "liveness: command %llx proposed at live node %u "
			     "never delivered by live node %u",
			     (unsigned long long)id, origin, missing);
	}
	for (unsigned k = 0; k < c->nodes; k++)
		if ((live >> k & 1) && c->l[k].next < minslot)
			minslot = c->l[k].next;
	if (committed)
		*committed = all;
	if (slots)
		*slots = minslot == UINT64_MAX ? 0 : minslot;
	if (why && len)
		snprintf(why, len, "%s", c->viol ? c->why : "");
	return c->viol;
}

const char *rc_paxos_prop_name(enum rc_paxos_prop p)
{
	switch (p) {
	case RC_PAXOS_AGREEMENT:
		return "agreement";
	case RC_PAXOS_VALIDITY:
		return "validity";
	case RC_PAXOS_INTEGRITY:
		return "integrity";
	case RC_PAXOS_NO_GAPS:
		return "no gaps";
	case RC_PAXOS_LIVENESS:
		return "liveness";
	case RC_PAXOS_MINORITY:
		return "minority";
	case RC_PAXOS_READS:
		return "reads";
	}
	return "?";
}
