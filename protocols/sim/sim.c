/* SPDX-License-Identifier: MIT */
/* sim.c: the seeded simulator: any protocol's nodes in one thread on simulated time, over a faulty transport, with crashes and stalls. */
#include <assert.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <replicore/err.h>

#include "protocols/rand.h"
#include "protocols/sim/sim.h"

/*
 * Determinism: every choice the simulator makes (latencies, faults, which
 * node a command goes to and when) comes from a splitmix64 stream seeded
 * by the seed; events are ordered by (time, sequence number) and nodes
 * whose timers are due tick in id order (sim.h).
 *
 * The schedule: commands are submitted at random nodes during the
 * submission span; faults happen during the fault period (the span plus a
 * margin); a stall lasts up to STALL_MAX and then the node resumes with
 * its state and catches up; a crash is for good unless it is a restart
 * fault (the node comes back with its record, sim.h); a partition splits
 * the nodes into two groups for a while. After the fault period
 * messages arrive within LAT_MAX, so a protocol that tolerates the crashes
 * (Paxos: with a majority alive) must finish before the time limit.
 */

#define LAT_MIN 1
#define LAT_MAX 10
#define DELAY_MAX 500 /* a delayed message takes up to this much more */
#define STALL_MAX 3000
#define DOWN_MAX 2000 /* a node that restarts is down 100..DOWN_MAX+99 us */
#define PART_MAX 3000 /* a partition lasts 100..PART_MAX+99 us */
#define LIMIT 2000000 /* simulated us after the fault period */

enum {
	EV_MSG,
	EV_SUBMIT,
	EV_CRASH,
	EV_STALL,
	EV_RESUME,
	EV_RESTART,
	EV_SPLIT,
	EV_HEAL,
	EV_READ,
	EV_MEMBER
};
enum { UP, STALLED, CRASHED };

struct ev {
	uint64_t t, seq;
	uint32_t kind, node, from;
	uint64_t data;
	void *msg;
};

struct snode {
	int state;
	uint64_t stall_until, last_tick, down_until;
	struct ev *backlog;
	uint64_t nback, backcap;
	unsigned char *rec; /* the stable record */
	size_t nrec, reccap;
};

struct _rc_sim {
	const struct _rc_sim_proto *p;
	void *ctx;
	const struct _rc_sim_opts *o;
	struct _rc_sim_stats st;
	uint64_t rng, prng, now, seq, heal;
	struct ev *heap;
	uint64_t nheap, heapcap;
	struct snode node[RC_SIM_MAX_NODES];
	uint64_t crashing;	   /* nodes that will crash, a bit each */
	uint64_t side, part_until; /* while partitioned: one group's nodes */
	uint64_t expect; /* commands submitted at nodes up at the time that
			    never crash for good */
	bool oom, ran;
};

static bool ev_less(const struct ev *a, const struct ev *b)
{
	return a->t < b->t || (a->t == b->t && a->seq < b->seq);
}

static void push(struct _rc_sim *s, struct ev e)
{
	uint64_t i;

	if (s->nheap == s->heapcap) {
		uint64_t nc = s->heapcap ? 2 * s->heapcap : 256;
		struct ev *nh = realloc(s->heap, nc * sizeof *nh);

		if (!nh) {
			s->oom = true;
			free(e.msg);
			return;
		}
		s->heap = nh;
		s->heapcap = nc;
	}
	e.seq = s->seq++;
	i = s->nheap++;
	while (i > 0 && ev_less(&e, &s->heap[(i - 1) / 2])) {
		s->heap[i] = s->heap[(i - 1) / 2];
		i = (i - 1) / 2;
	}
	s->heap[i] = e;
}

static struct ev pop(struct _rc_sim *s)
{
	struct ev top = s->heap[0], last = s->heap[--s->nheap];
	uint64_t i = 0;

	for (;;) {
		uint64_t c = 2 * i + 1;

		if (c >= s->nheap)
			break;
		if (c + 1 < s->nheap && ev_less(&s->heap[c + 1], &s->heap[c]))
			c++;
		if (!ev_less(&s->heap[c], &last))
			break;
		s->heap[i] = s->heap[c];
		i = c;
	}
	if (s->nheap > 0)
		s->heap[i] = last;
	return top;
}

void _rc_sim_trace(struct _rc_sim *s, const char *fmt, ...)
{
	va_list ap;

	if (!s->o->trace)
		return;
	fprintf(s->o->trace, "%8llu ", (unsigned long long)s->now);
	va_start(ap, fmt);
	vfprintf(s->o->trace, fmt, ap);
	va_end(ap);
	fputc('\n', s->o->trace);
}

#define trace(...) _rc_sim_trace(__VA_ARGS__)

static void post(struct _rc_sim *s, unsigned from, unsigned to, const void *m,
		 uint64_t lat)
{
	size_t size = s->p->msg_size(m);
	struct ev e = { 0 };

	e.msg = malloc(size);
	if (!e.msg) {
		s->oom = true;
		return;
	}
	memcpy(e.msg, m, size);
	e.t = s->now + lat;
	e.kind = EV_MSG;
	e.node = to;
	e.from = from;
	push(s, e);
}

void _rc_sim_send(struct _rc_sim *s, unsigned from, unsigned to, const void *m)
{
	const struct _rc_sim_faults *f = &s->o->faults;
	bool faulty = s->now < s->heal;
	uint64_t lat = LAT_MIN + _rc_rand(&s->rng) % (LAT_MAX - LAT_MIN + 1);
	char d[128];

	s->st.messages++;
	if (s->o->trace)
		s->p->msg_describe(m, d, sizeof d);
	if (faulty && f->drop > 0 && _rc_rand_unit(&s->rng) < f->drop) {
		s->st.dropped++;
		trace(s, "drop %u>%u %s", from, to, d);
		return;
	}
	if (faulty && f->delay > 0 && _rc_rand_unit(&s->rng) < f->delay) {
		s->st.delayed++;
		lat += LAT_MAX + _rc_rand(&s->rng) % DELAY_MAX;
	}
	trace(s, "send %u>%u +%llu %s", from, to, (unsigned long long)lat, d);
	post(s, from, to, m, lat);
	if (faulty && f->dup > 0 && _rc_rand_unit(&s->rng) < f->dup) {
		s->st.duplicated++;
		lat = LAT_MIN + _rc_rand(&s->rng) % (LAT_MAX + DELAY_MAX);
		trace(s, "dup  %u>%u +%llu", from, to, (unsigned long long)lat);
		post(s, from, to, m, lat);
	}
}

/* Handles e at node e.node, which is up. */
static void handle(struct _rc_sim *s, struct ev *e)
{
	if (e->kind == EV_MSG) {
		char d[128];

		if (s->o->trace) {
			s->p->msg_describe(e->msg, d, sizeof d);
			trace(s, "recv %u>%u %s", e->from, e->node, d);
		}
		s->p->recv(s->ctx, e->node, s->now, e->msg);
	} else if (e->kind == EV_SUBMIT) {
		s->p->submit(s->ctx, e->node, s->now, e->data);
	} else if (e->kind == EV_READ) {
		s->p->read(s->ctx, e->node, s->now, e->data);
	} else if (e->kind == EV_MEMBER) {
		trace(s, "member change %llu at %u",
		      (unsigned long long)e->data, e->node);
		s->p->member(s->ctx, e->node, s->now, e->data);
	}
	free(e->msg);
	e->msg = NULL;
}

static void backlog(struct _rc_sim *s, struct snode *sn, struct ev *e)
{
	if (sn->nback == sn->backcap) {
		uint64_t nc = sn->backcap ? 2 * sn->backcap : 64;
		struct ev *nb = realloc(sn->backlog, nc * sizeof *nb);

		if (!nb) {
			s->oom = true;
			free(e->msg);
			return;
		}
		sn->backlog = nb;
		sn->backcap = nc;
	}
	sn->backlog[sn->nback++] = *e;
}

static void event(struct _rc_sim *s, struct ev *e)
{
	struct snode *sn = &s->node[e->node];

	switch (e->kind) {
	case EV_MSG:
	case EV_SUBMIT:
	case EV_READ:
	case EV_MEMBER:
		if (e->kind == EV_MSG && s->side &&
		    (s->side >> e->node & 1) != (s->side >> e->from & 1)) {
			s->st.cut++;
			trace(s, "cut  %u>%u", e->from, e->node);
			free(e->msg);
		} else if (sn->state == UP)
			handle(s, e);
		else if (sn->state == STALLED)
			backlog(s, sn, e);
		else {
			if (e->kind == EV_MEMBER)
				trace(s, "lost member change at crashed %u",
				      e->node);
			if (e->kind == EV_SUBMIT) {
				/* Proposed at a crashed node: lost. */
				trace(s, "lost submit at crashed %u", e->node);
				if (!(s->crashing >> e->node & 1))
					s->expect--; /* down for a restart */
			}
			free(e->msg);
		}
		break;
	case EV_CRASH:
		if (sn->state != CRASHED) {
			if (e->data) {
				struct ev r = { 0 };

				sn->down_until = s->now + e->data;
				trace(s, "crash %u until %llu", e->node,
				      (unsigned long long)sn->down_until);
				r.t = sn->down_until;
				r.kind = EV_RESTART;
				r.node = e->node;
				push(s, r);
			} else {
				trace(s, "crash %u", e->node);
				s->st.crashed++;
			}
			sn->state = CRASHED;
			for (uint64_t i = 0; i < sn->nback; i++) {
				if (sn->backlog[i].kind == EV_SUBMIT &&
				    !(s->crashing >> e->node & 1)) {
					trace(s, "lost submit at crashed %u",
					      e->node);
					s->expect--; /* stalled, then down */
				}
				free(sn->backlog[i].msg);
			}
			sn->nback = 0;
		}
		break;
	case EV_RESTART:
		if (sn->state != CRASHED || s->now < sn->down_until ||
		    (s->crashing >> e->node & 1))
			break;
		trace(s, "restart %u", e->node);
		sn->state = UP;
		sn->stall_until = 0;
		s->st.restarts++;
		s->p->restart(s->ctx, e->node, s->now);
		break;
	case EV_SPLIT: {
		struct ev h = { 0 };

		s->side = e->data;
		if (s->now + e->from > s->part_until)
			s->part_until = s->now + e->from;
		s->st.partitions++;
		trace(s, "split %llx until %llu", (unsigned long long)s->side,
		      (unsigned long long)s->part_until);
		h.t = s->part_until;
		h.kind = EV_HEAL;
		push(s, h);
		break;
	}
	case EV_HEAL:
		if (s->side && s->now >= s->part_until) {
			trace(s, "heal");
			s->side = 0;
		}
		break;
	case EV_STALL:
		if (sn->state == CRASHED)
			break;
		if (s->now + e->data > sn->stall_until)
			sn->stall_until = s->now + e->data;
		if (sn->state == UP) {
			trace(s, "stall %u until %llu", e->node,
			      (unsigned long long)sn->stall_until);
			sn->state = STALLED;
			s->st.stalls++;
		}
		{
			struct ev r = { 0 };

			r.t = sn->stall_until;
			r.kind = EV_RESUME;
			r.node = e->node;
			push(s, r);
		}
		break;
	case EV_RESUME:
		if (sn->state != STALLED || s->now < sn->stall_until)
			break;
		trace(s, "resume %u with %llu waiting", e->node,
		      (unsigned long long)sn->nback);
		sn->state = UP;
		for (uint64_t i = 0; i < sn->nback && sn->state == UP; i++)
			handle(s, &sn->backlog[i]);
		sn->nback = 0;
		break;
	}
}

int _rc_sim_faults_parse(const char *spec, struct _rc_sim_faults *f,
			 rc_err_t *err)
{
	const char *p = spec;

	memset(f, 0, sizeof *f);
	if (!spec || !*spec || strcmp(spec, "none") == 0)
		return 0;
	while (*p) {
		const char *tok = p, *eq, *end = strchr(p, ',');
		unsigned col = (unsigned)(tok - spec) + 1;
		char key[16], val[64], *rest;
		size_t kl, vl;

		if (!end)
			end = p + strlen(p);
		eq = memchr(tok, '=', (size_t)(end - tok));
		if (!eq)
			return rc_err_set(err, RC_EINVAL, "faults", 1, col,
					  "'%.*s' is not NAME=VALUE",
					  (int)(end - tok), tok);
		kl = (size_t)(eq - tok);
		vl = (size_t)(end - eq - 1);
		if (kl == 0 || kl >= sizeof key || vl == 0 || vl >= sizeof val)
			return rc_err_set(err, RC_EINVAL, "faults", 1, col,
					  "'%.*s' is not NAME=VALUE",
					  (int)(end - tok), tok);
		memcpy(key, tok, kl);
		key[kl] = 0;
		memcpy(val, eq + 1, vl);
		val[vl] = 0;
		if (!strcmp(key, "drop") || !strcmp(key, "dup") ||
		    !strcmp(key, "delay") || !strcmp(key, "partition")) {
			double v = strtod(val, &rest);

			if (*rest || rest == val || !(v >= 0 && v <= 1))
				return rc_err_set(
					err, RC_EINVAL, "faults", 1,
					col + (unsigned)kl + 1,
					"%s: '%s' is not a probability "
					"between 0 and 1",
					key, val);
			if (key[1] == 'r')
				f->drop = v;
			else if (key[1] == 'u')
				f->dup = v;
			else if (key[1] == 'e')
				f->delay = v;
			else
				f->partition = v;
		} else if (!strcmp(key, "crash") || !strcmp(key, "stall") ||
			   !strcmp(key, "restart") || !strcmp(key, "part") ||
			   !strcmp(key, "member")) {
			unsigned long v = strtoul(val, &rest, 10);

			if (*rest || rest == val || val[0] == '-' || v > 1000)
				return rc_err_set(err, RC_EINVAL, "faults", 1,
						  col + (unsigned)kl + 1,
						  "%s: '%s' is not a count "
						  "0..1000",
						  key, val);
			if (key[0] == 'c')
				f->crash = (unsigned)v;
			else if (key[0] == 's')
				f->stall = (unsigned)v;
			else if (key[0] == 'r')
				f->restart = (unsigned)v;
			else if (key[0] == 'm')
				f->member = (unsigned)v;
			else
				f->part = (unsigned)v;
		} else {
			return rc_err_set(err, RC_EINVAL, "faults", 1, col,
					  "unknown fault '%s' (drop, dup, "
					  "delay, crash, stall, restart, part, "
					  "partition, member)",
					  key);
		}
		p = *end ? end + 1 : end;
		if (*end && !*p)
			return rc_err_set(err, RC_EINVAL, "faults", 1,
					  (unsigned)(p - spec),
					  "a fault is missing after ','");
	}
	return 0;
}

/*
 * When node sn ticks next: its deadline, not before now and at most once
 * per microsecond.
 */
static uint64_t tick_at(const struct _rc_sim *s, const struct snode *sn)
{
	uint64_t d = s->p->deadline(s->ctx, (unsigned)(sn - s->node));

	if (d < s->now)
		d = s->now;
	if (d <= sn->last_tick)
		d = sn->last_tick + 1;
	return d;
}

static bool done(const struct _rc_sim *s, uint64_t last_submit)
{
	if (s->now < last_submit || s->now < s->heal || s->side)
		return false;
	for (unsigned i = 0; i < s->o->nodes; i++)
		if (!(s->crashing >> i & 1) &&
		    (!s->p->finished(s->ctx, i, s->expect) ||
		     s->node[i].state != UP))
			return false;
	return true;
}

struct _rc_sim *_rc_sim_create(const struct _rc_sim_proto *proto, void *ctx,
			       const struct _rc_sim_opts *o)
{
	struct _rc_sim *s;

	assert(o->nodes >= 1 && o->nodes <= RC_SIM_MAX_NODES);
	assert(o->faults.crash < o->nodes);
	assert(o->reads == 0 || proto->read != NULL);
	s = calloc(1, sizeof *s);
	if (!s)
		return NULL;
	s->p = proto;
	s->ctx = ctx;
	s->o = o;
	s->rng = o->seed ^ 0x5eed5eed5eedull;
	s->prng = o->seed ^ 0x9207c01ull;
	return s;
}

uint64_t _rc_sim_rand(struct _rc_sim *s)
{
	return _rc_rand(&s->prng);
}

uint64_t _rc_sim_doomed(const struct _rc_sim *s)
{
	return s->crashing;
}

uint64_t _rc_sim_side(const struct _rc_sim *s, uint64_t *epoch)
{
	if (epoch)
		*epoch = s->st.partitions;
	return s->side;
}

bool _rc_sim_crashed(const struct _rc_sim *s, unsigned node)
{
	return s->node[node].state == CRASHED;
}

bool _rc_sim_reachable(const struct _rc_sim *s, unsigned from, unsigned to)
{
	if (s->node[to].state == CRASHED)
		return false;
	return !s->side || (s->side >> from & 1) == (s->side >> to & 1);
}

bool _rc_sim_record(struct _rc_sim *s, unsigned node, const void *rec,
		    size_t len)
{
	struct snode *sn = &s->node[node];

	if (sn->nrec + len > sn->reccap) {
		size_t nc = sn->reccap ? 2 * sn->reccap : 256;
		unsigned char *nr;

		while (nc < sn->nrec + len)
			nc *= 2;
		nr = realloc(sn->rec, nc);
		if (!nr) {
			s->oom = true;
			return false;
		}
		sn->rec = nr;
		sn->reccap = nc;
	}
	memcpy(sn->rec + sn->nrec, rec, len);
	sn->nrec += len;
	return true;
}

const void *_rc_sim_records(const struct _rc_sim *s, unsigned node, size_t *len)
{
	*len = s->node[node].nrec;
	return s->node[node].rec;
}

/* Schedules a partition: when, how long, and one side of it. */
static void split(struct _rc_sim *s)
{
	const unsigned nn = s->o->nodes;
	const uint64_t all = nn == 64 ? ~0ull : (1ull << nn) - 1;
	struct ev e = { 0 };

	e.t = _rc_rand(&s->rng) % s->heal;
	e.kind = EV_SPLIT;
	e.from = (uint32_t)(100 + _rc_rand(&s->rng) % PART_MAX);
	do /* one group; the other nodes are the other */
		e.data = _rc_rand(&s->rng) & all;
	while (e.data == 0 || e.data == all);
	push(s, e);
}

int _rc_sim_run(struct _rc_sim *s, struct _rc_sim_stats *st)
{
	const struct _rc_sim_opts *o = s->o;
	const unsigned nn = o->nodes;
	uint64_t span, last_submit = 0;

	assert(!s->ran);
	s->ran = true;
	/* The schedule, drawn before the run from the seed. */
	span = 50 * (uint64_t)o->commands + 1000;
	s->heal = span + 2000;
	for (unsigned k = 0; k < o->faults.crash; k++) {
		struct ev e = { 0 };
		unsigned v;

		do
			v = (unsigned)(_rc_rand(&s->rng) % nn);
		while (s->crashing >> v & 1);
		s->crashing |= 1ull << v;
		e.t = _rc_rand(&s->rng) % s->heal;
		e.kind = EV_CRASH;
		e.node = v;
		push(s, e);
	}
	for (unsigned k = 0; k < o->faults.stall; k++) {
		struct ev e = { 0 };

		e.t = _rc_rand(&s->rng) % s->heal;
		e.kind = EV_STALL;
		e.node = (uint32_t)(_rc_rand(&s->rng) % nn);
		e.data = 100 + _rc_rand(&s->rng) % STALL_MAX;
		push(s, e);
	}
	for (unsigned k = 0; k < o->commands; k++) {
		struct ev e = { 0 };

		e.t = _rc_rand(&s->rng) % span;
		e.kind = EV_SUBMIT;
		e.node = (uint32_t)(_rc_rand(&s->rng) % nn);
		e.data = k + 1;
		if (!(s->crashing >> e.node & 1))
			s->expect++;
		if (e.t > last_submit)
			last_submit = e.t;
		push(s, e);
	}
	/* Drawn after the rest, so that runs without them do not change. */
	for (unsigned k = 0; k < o->faults.restart; k++) {
		struct ev e = { 0 };

		do
			e.node = (uint32_t)(_rc_rand(&s->rng) % nn);
		while (s->crashing >> e.node & 1);
		e.t = _rc_rand(&s->rng) % s->heal;
		e.kind = EV_CRASH;
		e.data = 100 + _rc_rand(&s->rng) % DOWN_MAX;
		push(s, e);
	}
	for (unsigned k = 0; k < o->faults.part && nn >= 2; k++)
		split(s);
	if (o->faults.partition > 0 && nn >= 2 &&
	    _rc_rand_unit(&s->rng) < o->faults.partition)
		split(s);
	for (unsigned k = 0; k < o->reads; k++) {
		struct ev e = { 0 };

		e.t = _rc_rand(&s->rng) % s->heal;
		e.kind = EV_READ;
		e.node = (uint32_t)(_rc_rand(&s->rng) % nn);
		e.data = k + 1;
		push(s, e);
	}
	for (unsigned k = 0; k < o->faults.member && s->p->member; k++) {
		struct ev e = { 0 };

		e.t = _rc_rand(&s->rng) % s->heal;
		e.kind = EV_MEMBER;
		e.node = (uint32_t)(_rc_rand(&s->rng) % nn);
		e.data = k + 1;
		push(s, e);
	}
	/* The run. */
	while (!s->oom && !done(s, last_submit)) {
		uint64_t tick = UINT64_MAX;
		bool ticked = false;

		for (unsigned i = 0; i < nn; i++)
			if (s->node[i].state == UP &&
			    tick_at(s, &s->node[i]) < tick)
				tick = tick_at(s, &s->node[i]);
		if (s->nheap > 0 && s->heap[0].t <= tick) {
			struct ev e = pop(s);

			s->now = e.t;
			event(s, &e);
		} else if (tick != UINT64_MAX) {
			s->now = tick;
			for (unsigned i = 0; i < nn; i++) {
				struct snode *sn = &s->node[i];

				if (sn->state == UP &&
				    tick_at(s, sn) <= s->now) {
					sn->last_tick = s->now;
					s->p->tick(s->ctx, i, s->now);
					ticked = true;
				}
			}
		}
		if (s->now > s->heal + LIMIT)
			break;
		if (!ticked && s->nheap == 0 && tick == UINT64_MAX) {
			/* Nothing left, unless the event woke a timer up (a
			 * node that resumed or restarted). */
			bool timer = false;

			for (unsigned i = 0; i < nn; i++)
				if (s->node[i].state == UP &&
				    s->p->deadline(s->ctx, i) != UINT64_MAX)
					timer = true;
			if (!timer)
				break;
		}
	}
	s->st.time = s->now;
	s->st.at_live = s->expect;
	*st = s->st;
	return s->oom ? -RC_ENOMEM : 0;
}

void _rc_sim_destroy(struct _rc_sim *s)
{
	if (!s)
		return;
	while (s->nheap > 0) {
		struct ev e = pop(s);

		free(e.msg);
	}
	free(s->heap);
	for (unsigned i = 0; i < s->o->nodes; i++) {
		for (uint64_t k = 0; k < s->node[i].nback; k++)
			free(s->node[i].backlog[k].msg);
		free(s->node[i].backlog);
		free(s->node[i].rec);
	}
	free(s);
}
