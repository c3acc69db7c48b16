/* SPDX-License-Identifier: MIT */
/* test_crdt_converge.c: replicas of every convergent type end equal once every update is delivered: over every interleaving of updates and deliveries (explored), and on threads that exchange states. */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include <replicore/crdt.h>
#include <replicore/topo.h>

#include "tests/tap.h"
#include "tests/unit/crdt_ops.h"

/* ---- explored: every interleaving ---- */

/*
 * Three replicas each make one update, drawn from a stream of their own
 * (so a replica's draws are the same on every path, and what they do
 * depends on what it has merged by then); right after it, the updating
 * replica sends its state to the other two. A step is a replica's update
 * or the delivery (a merge) of any message in flight, so the search
 * visits every order of the three updates and the six deliveries that
 * respects "sent before delivered": 9! / 3^3 = 13,440 complete runs. In
 * each, once every message is delivered, the three states must be equal
 * and answer every query alike.
 */
#define XR 3
#define XMSG (XR * (XR - 1))

struct xcfg {
	rc_crdt_t *rep[XR];
	uint64_t rng[XR];
	bool done[XR];		 /* made its update */
	rc_crdt_t *msg[XMSG];	 /* in flight: a sent state, or NULL */
	unsigned to[XMSG], nmsg; /* messages sent so far */
};

struct xstats {
	uint64_t runs, unequal, errs;
};

static void xfree(struct xcfg *c)
{
	for (unsigned i = 0; i < XR; i++)
		rc_crdt_destroy(c->rep[i]);
	for (unsigned m = 0; m < c->nmsg; m++)
		rc_crdt_destroy(c->msg[m]);
}

/* d becomes a copy of s; false without memory (d then freed). */
static bool xclone(struct xcfg *d, const struct xcfg *s)
{
	bool good = true;

	*d = *s;
	for (unsigned i = 0; i < XR; i++)
		good &= (d->rep[i] = rc_crdt_clone(s->rep[i])) != NULL;
	for (unsigned m = 0; m < s->nmsg; m++)
		if (s->msg[m])
			good &= (d->msg[m] = rc_crdt_clone(s->msg[m])) != NULL;
	if (!good)
		xfree(d);
	return good;
}

static void explore(struct xcfg *c, struct xstats *st)
{
	bool end = true;

	for (unsigned r = 0; r < XR; r++) {
		struct xcfg n;

		if (c->done[r])
			continue;
		end = false;
		if (!xclone(&n, c)) {
			st->errs++;
			continue;
		}
		n.done[r] = true;
		st->errs += crdt_update(n.rep[r], r, &n.rng[r]) < 0;
		for (unsigned q = 0; q < XR; q++)
			if (q != r) {
				n.to[n.nmsg] = q;
				n.msg[n.nmsg] = rc_crdt_clone(n.rep[r]);
				st->errs += n.msg[n.nmsg] == NULL;
				n.nmsg++;
			}
		explore(&n, st);
		xfree(&n);
	}
	for (unsigned m = 0; m < c->nmsg; m++) {
		struct xcfg n;

		if (!c->msg[m])
			continue;
		end = false;
		if (!xclone(&n, c)) {
			st->errs++;
			continue;
		}
		st->errs += rc_crdt_merge(n.rep[n.to[m]], n.msg[m]) < 0;
		rc_crdt_destroy(n.msg[m]);
		n.msg[m] = NULL;
		explore(&n, st);
		xfree(&n);
	}
	if (!end)
		return;
	st->runs++;
	for (unsigned i = 1; i < XR; i++)
		if (!rc_crdt_equal(c->rep[0], c->rep[i]) ||
		    !crdt_same_answers(c->rep[0], c->rep[i])) {
			st->unequal++;
			break;
		}
}

static void test_explore(enum rc_crdt_kind kind)
{
	struct xcfg c;
	struct xstats st = { 0, 0, 0 };

	memset(&c, 0, sizeof c);
	for (unsigned i = 0; i < XR; i++) {
		c.rep[i] = rc_crdt_create(kind, XR);
		c.rng[i] = 0x9e3779b97f4a7c15ull * (i + 1) + kind;
		/* a state to start from: an update at each replica, merged
		 * everywhere, so removes and deletes have something to take */
	}
	for (unsigned i = 0; i < XR; i++)
		st.errs += crdt_update(c.rep[i], i, &c.rng[i]) < 0;
	for (unsigned i = 0; i < XR; i++)
		for (unsigned j = 0; j < XR; j++)
			if (i != j)
				st.errs +=
					rc_crdt_merge(c.rep[i], c.rep[j]) < 0;
	explore(&c, &st);
	xfree(&c);
	ok(st.runs == 13440 && st.unequal == 0 && st.errs == 0,
	   "%s explored: %llu orders of 3 updates and their 6 deliveries, "
	   "%llu with unequal replicas, %llu failed calls",
	   rc_crdt_kind_name(kind), (unsigned long long)st.runs,
	   (unsigned long long)st.unequal, (unsigned long long)st.errs);
}

/* ---- threads: each owns a replica, states travel by mailbox ---- */

/*
 * Each thread owns one replica: it updates it, now and then posts a copy
 * of its state to another thread's mailbox (a mutex and a list), and
 * merges what its own mailbox holds. After ITER updates each, a barrier;
 * then each posts its final state to every other, a barrier, each
 * merges its mailbox: all replicas must be equal. Nobody spins: the only
 * waits are the barriers and the mailbox mutexes, held for a list
 * operation.
 */
struct mail {
	rc_crdt_t *state;
	struct mail *next;
};

struct box {
	pthread_mutex_t lock;
	struct mail *head;
};

struct trun {
	enum rc_crdt_kind kind;
	unsigned nt;
	uint64_t iters;
	struct box *box;
	rc_crdt_t **rep;
	pthread_barrier_t bar;
};

struct targ {
	struct trun *run;
	unsigned id;
	uint64_t errs, merged;
};

static void post(struct trun *t, unsigned to, const rc_crdt_t *s,
		 uint64_t *errs)
{
	struct mail *m = malloc(sizeof *m);

	if (!m || !(m->state = rc_crdt_clone(s))) {
		free(m);
		(*errs)++;
		return;
	}
	pthread_mutex_lock(&t->box[to].lock);
	m->next = t->box[to].head;
	t->box[to].head = m;
	pthread_mutex_unlock(&t->box[to].lock);
}

static void take(struct targ *a)
{
	struct trun *t = a->run;
	struct mail *m;

	pthread_mutex_lock(&t->box[a->id].lock);
	m = t->box[a->id].head;
	t->box[a->id].head = NULL;
	pthread_mutex_unlock(&t->box[a->id].lock);
	while (m) {
		struct mail *next = m->next;

		a->errs += rc_crdt_merge(t->rep[a->id], m->state) < 0;
		a->merged++;
		rc_crdt_destroy(m->state);
		free(m);
		m = next;
	}
}

static void *tmain(void *p)
{
	struct targ *a = p;
	struct trun *t = a->run;
	uint64_t rng = 0x2545f4914f6cdd1dull * (a->id + 1) + t->kind;

	for (uint64_t i = 0; i < t->iters; i++) {
		a->errs += crdt_update(t->rep[a->id], a->id, &rng) < 0;
		if (crdt_rnd(&rng, 4) == 0)
			post(t,
			     (a->id + 1 + (unsigned)crdt_rnd(&rng, t->nt - 1)) %
				     t->nt,
			     t->rep[a->id], &a->errs);
		if (crdt_rnd(&rng, 3) == 0)
			take(a);
	}
	pthread_barrier_wait(&t->bar);
	take(a);
	for (unsigned q = 0; q < t->nt; q++)
		if (q != a->id)
			post(t, q, t->rep[a->id], &a->errs);
	pthread_barrier_wait(&t->bar);
	take(a);
	return NULL;
}

static void test_threads(enum rc_crdt_kind kind, unsigned nt, uint64_t iters)
{
	struct trun t;
	struct targ a[8];
	pthread_t th[8];
	uint64_t errs = 0, merged = 0;
	unsigned unequal = 0;

	memset(&t, 0, sizeof t);
	t.kind = kind;
	t.nt = nt;
	t.iters = iters;
	t.box = calloc(nt, sizeof *t.box);
	t.rep = calloc(nt, sizeof *t.rep);
	pthread_barrier_init(&t.bar, NULL, nt);
	for (unsigned i = 0; i < nt; i++) {
		pthread_mutex_init(&t.box[i].lock, NULL);
		t.rep[i] = rc_crdt_create(kind, nt);
	}
	for (unsigned i = 0; i < nt; i++) {
		a[i] = (struct targ){ &t, i, 0, 0 };
		pthread_create(&th[i], NULL, tmain, &a[i]);
	}
	for (unsigned i = 0; i < nt; i++) {
		pthread_join(th[i], NULL);
		errs += a[i].errs;
		merged += a[i].merged;
	}
	for (unsigned i = 1; i < nt; i++)
		unequal += !rc_crdt_equal(t.rep[0], t.rep[i]) ||
			   !crdt_same_answers(t.rep[0], t.rep[i]);
	ok(unequal == 0 && errs == 0,
	   "%s on %u threads: %llu updates each, %llu states merged, "
	   "replicas equal at the end (%u unequal, %llu failed calls)",
	   rc_crdt_kind_name(kind), nt, (unsigned long long)iters,
	   (unsigned long long)merged, unequal, (unsigned long long)errs);
	for (unsigned i = 0; i < nt; i++) {
		rc_crdt_destroy(t.rep[i]);
		pthread_mutex_destroy(&t.box[i].lock);
	}
	pthread_barrier_destroy(&t.bar);
	free(t.box);
	free(t.rep);
}

int main(void)
{
	rc_topo_t *topo = NULL;
	unsigned pus = 0, nt;
	uint64_t iters;

	for (unsigned k = 0; k < RC_CRDT_NKINDS; k++)
		test_explore((enum rc_crdt_kind)k);
	if (rc_topo_open(&topo, NULL, NULL, NULL) == 0) {
		/* the machine's PUs, as hwloc reports them */
		pus = rc_topo_npus(topo);
		rc_topo_close(topo);
	}
	/* threads: RC_THREADS (default 4), at most the PUs and 8 */
	nt = (unsigned)tap_env_fixed("RC_THREADS", 4);
	if (nt > pus)
		nt = pus;
	if (nt > 8)
		nt = 8;
	iters = tap_env_u64("RC_ITERS", 200);
	if (nt < 2) {
		skip(RC_CRDT_NKINDS,
		     "fewer than 2 PUs: no threads to exchange states");
	} else {
		for (unsigned k = 0; k < RC_CRDT_NKINDS; k++)
			test_threads((enum rc_crdt_kind)k, nt, iters);
	}
	done_testing();
	return exit_status();
}
