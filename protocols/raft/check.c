/* SPDX-License-Identifier: MIT */
/* check.c: the properties of a Raft run, checked from its elections, its leaders' commits, its nodes' applies and their logs. */
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "protocols/raft/raft.h"

/*
 * Election safety: a term's first leader is its reference; another node
 * elected in it violates it. Log matching: two logs whose entries at
 * index i have one term hold the same entries up to i (checked between a
 * new leader and every node, and between every two nodes at the end).
 * Leader completeness: a new leader's log holds every entry committed
 * by the leaders of earlier terms (as their commits say). Agreement: no two commits put
 * different entries at one index. State-machine safety: no two applies
 * (by any nodes, before or after restarts) differ at one index, nor from
 * what was committed there. Validity: an applied command was submitted.
 * Integrity: a node applies indexes 1, 2, 3, ... in order (from 1 again
 * after a restart) and no command twice between restarts. Liveness (at
 * the end, where the caller promises it): every command submitted at a
 * node that never crashed for good was applied by every node up, since
 * its last restart.
 */

struct slot {
	struct _rc_raft_ent e;
	uint64_t by; /* commits: the term of the first leader to commit it */
	bool set;
};

struct _rc_raft_check {
	unsigned nodes;
	uint64_t cmds;
	uint64_t *submitted; /* [1..cmds]: the command, 0: not submitted */
	uint32_t *leader;    /* [term]: node + 1 */
	uint64_t nterms;
	struct slot *commit, *applied; /* [index] */
	uint64_t ncommit, napplied;
	uint64_t checked[RC_SIM_MAX_NODES]; /* commits compared, per node */
	uint64_t next[RC_SIM_MAX_NODES];    /* the index it applies next */
	uint64_t *seen[RC_SIM_MAX_NODES];   /* bitmaps of k applied since the
					     node's last restart */
	unsigned viol;
	bool oom;
	char why[256];
};

static void fail(struct _rc_raft_check *c, unsigned prop, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static void fail(struct _rc_raft_check *c, unsigned prop, const char *fmt, ...)
{
	va_list ap;

	if (c->viol == 0) {
		va_start(ap, fmt);
		vsnprintf(c->why, sizeof c->why, fmt, ap);
		va_end(ap);
	}
	c->viol |= prop;
}

const char *_rc_raft_prop_name(unsigned prop)
{
	switch (prop) {
	case RC_RAFT_ELECTION:
		return "election safety";
	case RC_RAFT_LOG_MATCHING:
		return "log matching";
	case RC_RAFT_COMPLETENESS:
		return "leader completeness";
	case RC_RAFT_SM_SAFETY:
		return "state-machine safety";
	case RC_RAFT_AGREEMENT:
		return "agreement";
	case RC_RAFT_VALIDITY:
		return "validity";
	case RC_RAFT_INTEGRITY:
		return "integrity";
	case RC_RAFT_LIVENESS:
		return "liveness";
	}
	return "?";
}

struct _rc_raft_check *_rc_raft_check_create(unsigned nodes, uint64_t cmds)
{
	struct _rc_raft_check *c = calloc(1, sizeof *c);
	size_t words = (size_t)(cmds / 64 + 1);

	if (!c)
		return NULL;
	c->nodes = nodes;
	c->cmds = cmds;
	c->submitted = calloc((size_t)cmds + 1, sizeof *c->submitted);
	for (unsigned i = 0; i < nodes; i++) {
		c->seen[i] = calloc(words, sizeof(uint64_t));
		c->next[i] = 1;
		if (!c->seen[i])
			c->oom = true;
	}
	if (!c->submitted || c->oom) {
		_rc_raft_check_destroy(c);
		return NULL;
	}
	return c;
}

void _rc_raft_check_destroy(struct _rc_raft_check *c)
{
	if (!c)
		return;
	for (unsigned i = 0; i < c->nodes; i++) {
		free(c->seen[i]);
	}
	free(c->submitted);
	free(c->leader);
	free(c->commit);
	free(c->applied);
	free(c);
}

/* Grows *a (of *n elements of size sz) to hold index i; false: no memory. */
static bool grow(void *a, uint64_t *n, size_t sz, uint64_t i)
{
	void **p = a;
	uint64_t nc = *n ? *n : 64;
	void *np;

	if (i < *n)
		return true;
	while (nc <= i)
		nc *= 2;
	np = realloc(*p, (size_t)nc * sz);
	if (!np)
		return false;
	memset((char *)np + *n * sz, 0, (size_t)(nc - *n) * sz);
	*p = np;
	*n = nc;
	return true;
}

static bool same(const struct _rc_raft_ent *a, const struct _rc_raft_ent *b)
{
	return a->term == b->term && a->cmd == b->cmd && a->op == b->op &&
	       a->arg == b->arg && a->tag == b->tag;
}

void _rc_raft_check_submit(struct _rc_raft_check *c, uint64_t cmd)
{
	uint64_t k = RC_RAFT_CMD_K(cmd);

	if (k >= 1 && k <= c->cmds)
		c->submitted[k] = cmd;
}

void _rc_raft_check_elected(struct _rc_raft_check *c, unsigned node,
			    uint64_t term, const struct _rc_raft_ent *log,
			    uint64_t len)
{
	if (!grow(&c->leader, &c->nterms, sizeof *c->leader, term)) {
		c->oom = true;
		return;
	}
	if (c->leader[term] && c->leader[term] != node + 1)
		fail(c, RC_RAFT_ELECTION,
		     "election safety: nodes %u and %u both leaders of term "
		     "%llu",
		     c->leader[term] - 1, node, (unsigned long long)term);
	else
		c->leader[term] = node + 1;
	for (uint64_t i = 1; i < c->ncommit && c->commit[i].set; i++) {
		if (c->commit[i].by >= term)
			continue; /* committed in a later term, or this one */
		if (i > len || !same(&log[i], &c->commit[i].e)) {
			fail(c, RC_RAFT_COMPLETENESS,
			     "leader completeness: node %u leads term %llu "
			     "without the entry committed at index %llu "
			     "(term %llu)",
			     node, (unsigned long long)term,
			     (unsigned long long)i,
			     (unsigned long long)c->commit[i].e.term);
			break;
		}
	}
	c->checked[node] = 0;
}

void _rc_raft_check_committed(struct _rc_raft_check *c, unsigned node,
			      uint64_t term, uint64_t index,
			      const struct _rc_raft_ent *log)
{
	if (!grow(&c->commit, &c->ncommit, sizeof *c->commit, index)) {
		c->oom = true;
		return;
	}
	for (uint64_t i = c->checked[node] + 1; i <= index; i++) {
		struct slot *s = &c->commit[i];

		if (!s->set) {
			s->e = log[i];
			s->by = term;
			s->set = true;
		} else if (!same(&s->e, &log[i])) {
			fail(c, RC_RAFT_AGREEMENT,
			     "agreement: node %u commits term %llu command "
			     "%llx at index %llu, term %llu command %llx was "
			     "committed there",
			     node, (unsigned long long)log[i].term,
			     (unsigned long long)log[i].cmd,
			     (unsigned long long)i,
			     (unsigned long long)s->e.term,
			     (unsigned long long)s->e.cmd);
		}
	}
	if (index > c->checked[node])
		c->checked[node] = index;
}

void _rc_raft_check_apply(struct _rc_raft_check *c, unsigned node,
			  uint64_t index, const struct _rc_raft_ent *e)
{
	struct slot *s;

	if (index != c->next[node])
		fail(c, RC_RAFT_INTEGRITY,
		     "integrity: node %u applies index %llu after index %llu",
		     node, (unsigned long long)index,
		     (unsigned long long)c->next[node] - 1);
	c->next[node] = index + 1;
	if (!grow(&c->applied, &c->napplied, sizeof *c->applied, index)) {
		c->oom = true;
		return;
	}
	s = &c->applied[index];
	if (!s->set) {
		s->e = *e;
		s->set = true;
	} else if (!same(&s->e, e)) {
		fail(c, RC_RAFT_SM_SAFETY,
		     "state-machine safety: node %u applies term %llu command "
		     "%llx at index %llu, term %llu command %llx was applied "
		     "there",
		     node, (unsigned long long)e->term,
		     (unsigned long long)e->cmd, (unsigned long long)index,
		     (unsigned long long)s->e.term,
		     (unsigned long long)s->e.cmd);
	}
	if (index < c->ncommit && c->commit[index].set &&
	    !same(&c->commit[index].e, e))
		fail(c, RC_RAFT_SM_SAFETY,
		     "state-machine safety: node %u applies term %llu command "
		     "%llx at index %llu, term %llu command %llx was committed "
		     "there",
		     node, (unsigned long long)e->term,
		     (unsigned long long)e->cmd, (unsigned long long)index,
		     (unsigned long long)c->commit[index].e.term,
		     (unsigned long long)c->commit[index].e.cmd);
	if (e->cmd) {
		uint64_t k = RC_RAFT_CMD_K(e->cmd);

		if (k < 1 || k > c->cmds || c->submitted[k] != e->cmd) {
			fail(c, RC_RAFT_VALIDITY,
			     "validity: node %u applies command %llx at index "
			     "%llu, never submitted",
			     node, (unsigned long long)e->cmd,
			     (unsigned long long)index);
			return;
		}
		if (c->seen[node][k / 64] >> (k % 64) & 1)
			fail(c, RC_RAFT_INTEGRITY,
			     "integrity: node %u applies command %llx twice "
			     "(again at index %llu)",
			     node, (unsigned long long)e->cmd,
			     (unsigned long long)index);
		c->seen[node][k / 64] |= 1ull << (k % 64);
	}
}

void _rc_raft_check_restart(struct _rc_raft_check *c, unsigned node)
{
	c->next[node] = 1;
	memset(c->seen[node], 0, (size_t)(c->cmds / 64 + 1) * sizeof(uint64_t));
}

void _rc_raft_check_logs(struct _rc_raft_check *c, unsigned a,
			 const struct _rc_raft_ent *la, uint64_t na, unsigned b,
			 const struct _rc_raft_ent *lb, uint64_t nb)
{
	uint64_t i = na < nb ? na : nb;

	while (i > 0 && la[i].term != lb[i].term)
		i--;
	for (uint64_t j = i; j > 0; j--)
		if (!same(&la[j], &lb[j])) {
			fail(c, RC_RAFT_LOG_MATCHING,
			     "log matching: nodes %u and %u agree on the term "
			     "%llu at index %llu, not at index %llu",
			     a, b, (unsigned long long)la[i].term,
			     (unsigned long long)i, (unsigned long long)j);
			return;
		}
}

unsigned _rc_raft_check_final(struct _rc_raft_check *c, uint64_t live,
			      uint64_t doomed, bool liveness,
			      uint64_t *committed, char *why, size_t len)
{
	uint64_t all = 0;

	for (uint64_t k = 1; k <= c->cmds; k++) {
		uint64_t cmd = c->submitted[k];
		unsigned missing = c->nodes;

		if (!cmd)
			continue;
		for (unsigned i = 0; i < c->nodes; i++)
			if ((live >> i & 1) &&
			    !(c->seen[i][k / 64] >> (k % 64) & 1))
				missing = i;
		if (missing == c->nodes)
			all++;
		else if (liveness && !(doomed >> RC_RAFT_CMD_ORIGIN(cmd) & 1))
			fail(c, RC_RAFT_LIVENESS,
			     "liveness: command %llx submitted at node %u "
			     "never "
			     "applied by live node %u",
			     (unsigned long long)cmd, RC_RAFT_CMD_ORIGIN(cmd),
			     missing);
	}
	if (c->oom)
		fail(c, RC_RAFT_LIVENESS, "checker out of memory");
	if (committed)
		*committed = all;
	if (why && len)
		snprintf(why, len, "%s", c->viol ? c->why : "");
	return c->viol;
}
