/* SPDX-License-Identifier: MIT */
/* torture.c: client threads against rc_rsm over a log while nodes stall, crash and restart, recorded and checked linearizable (replicore torture). */
#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <replicore/clock.h>
#include <replicore/log.h>
#include <replicore/paxos.h>
#include <replicore/recorder.h>
#include <replicore/rsm.h>
#include <replicore/topo.h>

#include "examples/rsm_map.h"
#include "tools/torture.h"

/*
 * The object is a register (--object register): one integer per replica,
 * READ returns it and WRITE sets it; or the hash map of examples/rsm_map.h
 * (--object map) with keys 1..MAP_KEYS, GET and PUT. An operation is
 * key << 8 | code (the register's key is 0), the codes READ/GET 1,
 * WRITE/PUT 2, and STALL 3 for both. STALL(node, id) does nothing except
 * on replica `node`,
 * where it blocks inside apply while the run's hold names stall id: the
 * thread applying it holds that node's combiner, so the node stops
 * consuming the log (as examples/rsm_map_stall.h does for node 1). An
 * old STALL that a log orders late finds hold changed and returns. The
 * map's snapshot is the example's; the register's is its value. The
 * register's history is checked against the register spec, the map's
 * against the kv spec, key by key.
 *
 * Clients: client i registers on the i-th PU rc_topo_spread gives (so
 * clients alternate between nodes) and runs random reads and writes of
 * fresh values ((i + 1) << 32 | sequence number), each recorded with
 * rc_recorder: begin just before rc_rsm_execute, end just after. A
 * failed operation is recorded as failed (no effect) when the log has
 * RC_LOG_CAP_NOPARTIAL, else as indeterminate (it may still take
 * effect); after an indeterminate operation the client goes on as a new
 * process (the next recorder slot of its own), as a history requires.
 * A failed read is recorded as failed whatever the log: a read has no
 * effect. Reads fail only by the read index (--reads index: the Paxos
 * log's, RC_RSM_READ_INDEX), which gives up after the bound when the
 * node's side of a partition has no majority; with the tail (the
 * default) a read on a cut-off node waits for the heal instead.
 *
 * Faults come from a schedule drawn from the seed before the run and
 * carried out in order by one thread:
 *
 *   stall N for L ms  pause the clients on node N (between operations),
 *                     run STALL on N from a handle of the run's own and
 *                     wait until it blocks; with the Paxos log stall
 *                     Paxos node N too; after L ms let both go; then
 *                     wait until clients on other nodes completed two
 *                     more writes (at most 2 s), and let node N's clients
 *                     go on, each with a read first. That read is the
 *                     one a replica that lags must not get wrong.
 *   partition N for L ms  (Paxos only) node N is cut off from the
 *                     others for L ms (rc_paxos_partition) while its
 *                     clients go on; then the network heals (see
 *                     do_partition).
 *   member N -> S     (Paxos only) rc_log_paxos_reconfigure: member N
 *                     leaves the Paxos members and the spare S joins
 *                     (N is the spare from then on), the command
 *                     submitted at S (at another node up if S crashed)
 *                     while every client goes on; the fault lasts until
 *                     that node delivered it. With member among the kinds
 *                     the Paxos group runs with alpha RC_PAXOS_ALPHA and
 *                     starts with every node but the last as a member:
 *                     the last is the spare.
 *   crash N           (Paxos only) rc_paxos_crash: node N stops for good.
 *                     Only nodes without clients.
 *   restart N after L (Paxos only) node N goes down: its clients stop
 *                     starting reads (a linearizable read on a crashed
 *                     node would wait for ever for its replica to catch
 *                     up) and, once none is inside one, Paxos node N
 *                     crashes. The clients go on with writes, which fail
 *                     (-RC_EAGAIN, recorded indeterminate: the Paxos log
 *                     has no RC_LOG_CAP_NOPARTIAL); a client whose
 *                     operation failed on the down node unregisters, as
 *                     rc_rsm_restart requires, and waits. After L ms and
 *                     two more writes completed elsewhere (at most 2 s),
 *                     rc_rsm_restart brings the node back from a peer's
 *                     snapshot; its clients register again and go on as new
 *                     processes, each with a read first.
 *
 * At any time a minority of the nodes at most is down: the faults run
 * one after the other, so a restart's node is down with the nodes
 * crashed for good before it, and the schedule keeps their number to
 * (nodes - 1) / 2; with member faults to (nodes - 2) / 2, a minority of
 * the nodes - 1 members whichever they are, so that every member set
 * keeps a majority up and a change may swap any member for the spare,
 * even a spare crashed for good (the change is then submitted at the
 * first node up). When that is 2 or more and restarts are drawn, the
 * crashes for good leave room for a restart's node.
 *
 * Every restart of a run hits the same node (the first restart's), and
 * a crash for good spares that node: the schedule as it was drawn when
 * a node restarted right after another could get an empty snapshot pair
 * from it and hang (fixed in the Paxos log since; test_rsm_restart
 * restarts two nodes back to back), kept so that seeds keep their
 * schedules.
 *
 * With the Paxos log nobody applies the log to a node without clients,
 * so its replica would never snapshot (and a restart's peer without a
 * snapshot gives none): between faults the fault thread runs a
 * linearizable read on each such node that is up, which catches its
 * replica up (the read is not recorded: it changes nothing).
 */

_Static_assert(RC_TORTURE_MAX_NODES == RC_PAXOS_MAX_NODES,
	       "a result holds every node of a Paxos group");

enum { REG_READ = 1, REG_WRITE = 2, REG_STALL = 3 };
_Static_assert((int)MAP_GET == (int)REG_READ && (int)MAP_PUT == (int)REG_WRITE,
	       "one code per operation for both objects");

/* The map's keys: 1..MAP_KEYS, few, so that operations meet on them. */
#define MAP_KEYS 5u

/* Recorder slots per client: a new one after each indeterminate op, and
 * one more for each restart in the schedule. */
#define SLOTS_PER_CLIENT 8u
/* Operations one slot records at most. */
#define SLOT_CAP 60000u
#define NAP_NS 100000L
/* Entries a replica applies between snapshots with the Paxos log: short
 * runs restart from real snapshots. */
#define SNAPSHOT_EVERY 1024u
/* No operation returned for this long at the end: the clients are stuck. */
#define STUCK_MS 10000u

struct reg_ctl {
	_Atomic uint64_t hold; /* the stall id that blocks, 0: none */
	_Atomic uint64_t in;   /* the stall id that blocked */
};

struct reg {
	uint64_t v;
	unsigned node;
	struct reg_ctl *ctl;
};

static void nap(long ns)
{
	struct timespec ts = { ns / 1000000000L, ns % 1000000000L };

	nanosleep(&ts, NULL);
}

static void *reg_init(void *arg, unsigned node)
{
	struct reg *r = calloc(1, sizeof(*r));

	if (r) {
		r->node = node;
		r->ctl = arg;
	}
	return r;
}

/* STALL(node, id) at replica `node` of a run's ctl. */
static uint64_t stall_apply(struct reg_ctl *ctl, unsigned node, uint64_t arg)
{
	uint64_t id = arg >> 8;

	if (node != (arg & 0xff))
		return 0;
	/* seq_cst: a handshake with the fault thread */
	if (atomic_load(&ctl->hold) != id)
		return 0;
	atomic_store(&ctl->in, id);
	while (atomic_load(&ctl->hold) == id)
		nap(NAP_NS);
	return 0;
}

static uint64_t reg_apply(void *state, uint64_t op, uint64_t arg)
{
	struct reg *r = state;
	uint64_t old = r->v;

	switch (op) {
	case REG_READ:
		return old;
	case REG_WRITE:
		r->v = arg;
		return old;
	default:
		return stall_apply(r->ctl, r->node, arg);
	}
}

static bool reg_is_read(uint64_t op)
{
	return op == REG_READ;
}

static void reg_fini(void *state)
{
	free(state);
}

/* The snapshot: the value. */
static size_t reg_snapshot(const void *state, void *buf, size_t len)
{
	const struct reg *r = state;

	if (buf && len >= sizeof(r->v))
		memcpy(buf, &r->v, sizeof(r->v));
	return sizeof(r->v);
}

static void *reg_restore(void *arg, unsigned node, const void *buf, size_t len)
{
	struct reg *r;

	if (len != sizeof(r->v))
		return NULL;
	r = reg_init(arg, node);
	if (r)
		memcpy(&r->v, buf, sizeof(r->v));
	return r;
}

static const struct rc_rsm_ops reg_ops = {
	reg_init, reg_apply, reg_is_read, reg_fini, reg_snapshot, reg_restore
};

/* The map: the example's, and where STALL blocks. */
struct tmap {
	struct map *m;
	unsigned node;
	struct reg_ctl *ctl;
};

static void *tmap_wrap(struct map *m, void *arg, unsigned node)
{
	struct tmap *t = m ? calloc(1, sizeof(*t)) : NULL;

	if (!t) {
		if (m)
			map_fini(m);
		return NULL;
	}
	t->m = m;
	t->node = node;
	t->ctl = arg;
	return t;
}

static void *tmap_init(void *arg, unsigned node)
{
	return tmap_wrap(map_init(NULL, node), arg, node);
}

static uint64_t tmap_apply(void *state, uint64_t op, uint64_t arg)
{
	struct tmap *t = state;

	if ((op & 0xff) == REG_STALL)
		return stall_apply(t->ctl, t->node, arg);
	return map_apply(t->m, op, arg);
}

static void tmap_fini(void *state)
{
	struct tmap *t = state;

	map_fini(t->m);
	free(t);
}

static size_t tmap_snapshot(const void *state, void *buf, size_t len)
{
	return map_snapshot(((const struct tmap *)state)->m, buf, len);
}

static void *tmap_restore(void *arg, unsigned node, const void *buf, size_t len)
{
	return tmap_wrap(map_restore(NULL, node, buf, len), arg, node);
}

static const struct rc_rsm_ops tmap_ops = { tmap_init,	   tmap_apply,
					    map_is_read,   tmap_fini,
					    tmap_snapshot, tmap_restore };

struct torture;

struct client {
	struct torture *t;
	unsigned id, node, pu, slot;
	pthread_t th;
	bool started;
	rc_rsm_handle_t *h; /* NULL while out (its node down) */
	_Atomic bool pause, parked;
	_Atomic bool in_read; /* a read is running (see down) */
	_Atomic bool gone;    /* no handle: out for a restart, or ended */
	_Atomic uint64_t writes_done;
	uint64_t reads, writes, failed, indet;
	unsigned down_fails; /* operations that failed on its down node */
	uint64_t in_slot;    /* operations recorded in the current slot */
	bool capped;
};

struct torture {
	const struct torture_opts *o;
	rc_rsm_t *rsm;
	rc_log_t *log;
	rc_paxos_t *px;
	rc_recorder_t *rec;
	uint64_t slot_cap; /* operations a recorder slot holds */
	bool nopartial;
	struct reg_ctl ctl;
	struct client *cl;
	unsigned ncl, slots; /* recorder slots per client */
	/* a restart's node: no read may start on it; set for good when
	 * the node did not come back */
	_Atomic bool down[RC_PAXOS_MAX_NODES];
	rc_topo_t *topo;
	uint64_t t0;
	_Atomic bool stop;
	_Atomic unsigned running;
	_Atomic uint64_t returned; /* operations that returned, all clients */
	uint64_t members;	   /* the fault thread's: the member set */
	bool members_lost; /* a change did not complete: later ones skip */
};

static uint64_t splitmix(uint64_t *s)
{
	uint64_t z = (*s += 0x9e3779b97f4a7c15ull);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return z ^ (z >> 31);
}

/* One operation, recorded. Returns false when the client must stop. */
static bool client_op(struct client *c, bool write, uint64_t key, uint64_t *seq)
{
	struct torture *t = c->t;
	unsigned slot = c->id * t->slots + c->slot, st;
	uint64_t r = 0, v = ((uint64_t)(c->id + 1) << 32) | ++*seq;
	rc_hval_t hkey = key ? (rc_hval_t)key : RC_HVAL_NONE;
	int rc;

	if (c->in_slot == t->slot_cap) {
		c->capped = true;
		return false;
	}
	if (!write) {
		/* seq_cst, with the fault thread's store of down and its
		 * load of in_read: either it sees this read running, or
		 * this sees the node going down and writes instead */
		atomic_store(&c->in_read, true);
		if (atomic_load(&t->down[c->node])) {
			atomic_store(&c->in_read, false);
			write = true;
		}
	}
	c->in_slot++;
	if (write) {
		if (rc_recorder_begin(t->rec, slot,
				      key ? RC_HOP_PUT : RC_HOP_WRITE, hkey,
				      (rc_hval_t)v, RC_HVAL_NONE) < 0) {
			c->capped = true;
			return false;
		}
		rc = rc_rsm_execute(c->h, key << 8 | REG_WRITE, v, &r);
	} else {
		if (rc_recorder_begin(t->rec, slot,
				      key ? RC_HOP_GET : RC_HOP_READ, hkey,
				      RC_HVAL_NONE, RC_HVAL_NONE) < 0) {
			c->capped = true;
			return false;
		}
		rc = rc_rsm_execute_flags(
			c->h, key << 8 | REG_READ, 0,
			t->o->local_reads ? RC_RSM_READ_SEQ : 0, &r);
	}
	st = rc == 0		      ? RC_HST_OK
	     : t->nopartial || !write ? RC_HST_FAIL
				      : RC_HST_INDET;
	if (!write)
		atomic_store(&c->in_read, false); /* seq_cst: see above */
	/* seq_cst: the watchdog's progress count, nothing to tune */
	atomic_fetch_add(&t->returned, 1);
	rc_recorder_end(t->rec, slot,
			rc != 0 ? RC_HVAL_UNKNOWN
			: write ? RC_HVAL_OK
				: (rc_hval_t)r,
			st);
	if (rc == 0 && write) {
		c->writes++;
		/* seq_cst: the fault thread counts completed writes */
		atomic_fetch_add(&c->writes_done, 1);
	} else if (rc == 0) {
		c->reads++;
	} else if (st == RC_HST_FAIL) {
		c->failed++;
	} else {
		c->indet++;
		/* a new process: the old one's operation stays open */
		c->in_slot = 0;
		if (++c->slot == t->slots)
			return false;
	}
	/* seq_cst: see client_op's read */
	if (rc != 0 && atomic_load(&t->down[c->node])) {
		/* the node is down: leave it until it restarts */
		c->down_fails++;
		rc_rsm_unregister(c->h);
		c->h = NULL;
		/* seq_cst: publishes down_fails and the unregistration
		 * to the fault thread's load of gone */
		atomic_store(&c->gone, true);
	}
	return true;
}

/* Registers c on its PU (pinned where it can be). */
static int client_register(struct client *c, rc_err_t *err)
{
	int rc = rc_rsm_register(c->t->rsm, c->pu, RC_RSM_PIN, &c->h, err);

	if (rc < 0)
		rc = rc_rsm_register(c->t->rsm, c->pu, 0, &c->h, err);
	return rc;
}

/*
 * Out of its node while the node is down: waits until it restarted and
 * registers again. Returns false when the client must stop.
 */
static bool client_rejoin(struct client *c)
{
	struct torture *t = c->t;

	for (;;) {
		/* seq_cst: see client_main */
		while (atomic_load(&t->down[c->node]) && !atomic_load(&t->stop))
			nap(NAP_NS);
		if (atomic_load(&t->stop))
			return false;
		/* seq_cst, with do_restart's store of down and its load of
		 * gone: either it sees this client back (and waits for it
		 * to leave again), or this sees the node going down again
		 * and stays out */
		atomic_store(&c->gone, false);
		if (!atomic_load(&t->down[c->node]))
			break;
		atomic_store(&c->gone, true);
	}
	if (client_register(c, NULL) < 0) {
		atomic_store(&c->gone, true); /* seq_cst: as above */
		return false;
	}
	return true;
}

static void *client_main(void *arg)
{
	struct client *c = arg;
	struct torture *t = c->t;
	uint64_t rs = t->o->seed * 0x2545f4914f6cdd1dull + c->id + 1, seq = 0;
	uint64_t gap = t->o->rate ? 1000000000ull / t->o->rate : 0, next, r;
	bool read_next = false;

	next = rc_clock_now_ns();
	/* seq_cst: stop, pause and parked are handshakes, nothing to tune */
	for (uint64_t i = 0; !atomic_load(&t->stop); i++) {
		if (t->o->ops && i >= t->o->ops)
			break;
		if (!c->h) {
			if (!client_rejoin(c))
				break;
			read_next = true;
			next = rc_clock_now_ns();
			continue;
		}
		if (atomic_load(&c->pause)) {
			atomic_store(&c->parked, true);
			while (atomic_load(&c->pause) && !atomic_load(&t->stop))
				nap(NAP_NS);
			atomic_store(&c->parked, false);
			read_next = true;
			next = rc_clock_now_ns();
			continue;
		}
		if (gap) {
			uint64_t now = rc_clock_now_ns();

			if (now < next)
				nap((long)(next - now));
			next += gap;
		}
		r = splitmix(&rs);
		if (!client_op(c, !read_next && (r & 1),
			       t->o->object == TORTURE_MAP
				       ? (r >> 1) % MAP_KEYS + 1
				       : 0,
			       &seq))
			break;
		read_next = false;
	}
	rc_rsm_unregister(c->h);
	c->h = NULL;
	/* seq_cst: after the unregistration, for all_parked and all_gone */
	atomic_store(&c->parked, true);
	atomic_store(&c->gone, true);
	atomic_fetch_sub(&t->running, 1);
	return NULL;
}

static uint64_t since_ms(const struct torture *t)
{
	return (rc_clock_now_ns() - t->t0) / 1000000;
}

/* The fault's times, relative to the clients' start and on the clock. */
static void mark_begin(struct torture *t, struct torture_fault *f)
{
	f->began_ns = rc_clock_now_ns();
	f->began_ms = (f->began_ns - t->t0) / 1000000;
}

static void mark_end(struct torture *t, struct torture_fault *f)
{
	f->ended_ns = rc_clock_now_ns();
	f->ended_ms = (f->ended_ns - t->t0) / 1000000;
}

/* Waits until pred holds, the clients are gone or limit_ms passed. */
static bool wait_until(struct torture *t, bool (*pred)(void *), void *arg,
		       uint64_t limit_ms)
{
	uint64_t end = rc_clock_now_ns() + limit_ms * 1000000;

	while (!pred(arg)) {
		/* seq_cst: see client_main */
		if (atomic_load(&t->running) == 0 || rc_clock_now_ns() >= end)
			return false;
		nap(NAP_NS);
	}
	return true;
}

struct parked_arg {
	struct torture *t;
	unsigned node;
};

static bool all_parked(void *arg)
{
	struct parked_arg *p = arg;

	for (unsigned i = 0; i < p->t->ncl; i++) {
		struct client *c = &p->t->cl[i];

		/* seq_cst: see client_main; a client that ended is parked,
		 * and one out of its down node runs nothing */
		if (c->node == p->node && c->started &&
		    !atomic_load(&c->parked) && !atomic_load(&c->gone))
			return false;
	}
	return true;
}

static bool stall_in(void *arg)
{
	struct torture *t = arg;

	/* seq_cst: the handshake of reg_apply */
	return atomic_load(&t->ctl.in) == atomic_load(&t->ctl.hold);
}

struct writes_arg {
	struct torture *t;
	unsigned node;
	uint64_t from, need;
};

static uint64_t writes_elsewhere(struct torture *t, unsigned node)
{
	uint64_t n = 0;

	for (unsigned i = 0; i < t->ncl; i++)
		if (t->cl[i].node != node)
			/* seq_cst: see client_op */
			n += atomic_load(&t->cl[i].writes_done);
	return n;
}

static bool writes_reached(void *arg)
{
	struct writes_arg *w = arg;

	return writes_elsewhere(w->t, w->node) >= w->from + w->need;
}

struct stall_thread {
	rc_rsm_handle_t *h;
	struct torture *t;
	uint64_t arg;
};

/* Runs STALL until it went through or blocked (a timed-out append may
 * still be ordered: it blocks the node all the same). */
static void *stall_main(void *p)
{
	struct stall_thread *s = p;
	uint64_t r;

	/* seq_cst: the handshake of reg_apply */
	while (rc_rsm_execute(s->h, REG_STALL, s->arg, &r) < 0 &&
	       atomic_load(&s->t->ctl.in) != s->arg >> 8 &&
	       atomic_load(&s->t->ctl.hold) == s->arg >> 8)
		;
	return NULL;
}

static void do_stall(struct torture *t, struct torture_fault *f, uint64_t id,
		     rc_rsm_handle_t *h)
{
	struct parked_arg pa = { t, f->node };
	struct writes_arg wa = { t, f->node, 0, 2 };
	struct stall_thread st = { h, t, (id << 8) | f->node };
	pthread_t th;

	if (!h) {
		snprintf(f->note, sizeof(f->note),
			 "skipped: the node did not restart");
		return;
	}
	for (unsigned i = 0; i < t->ncl; i++)
		if (t->cl[i].node == f->node) {
			/* seq_cst: see client_main */
			atomic_store(&t->cl[i].pause, true);
			f->paused++;
		}
	if (!wait_until(t, all_parked, &pa, 10000)) {
		/* seq_cst: see client_main */
		snprintf(f->note, sizeof(f->note), "%s",
			 atomic_load(&t->running) == 0
				 ? "not reached: the clients were done"
				 : "the node's clients did not pause in 10 s");
		goto resume;
	}
	/* seq_cst: the handshake of reg_apply, set before STALL runs */
	atomic_store(&t->ctl.in, 0);
	atomic_store(&t->ctl.hold, id);
	if (pthread_create(&th, NULL, stall_main, &st) != 0) {
		atomic_store(&t->ctl.hold, 0);
		snprintf(f->note, sizeof(f->note), "no thread");
		goto resume;
	}
	mark_begin(t, f);
	if (!wait_until(t, stall_in, t, 10000)) {
		snprintf(f->note, sizeof(f->note),
			 "STALL did not reach the node in 10 s");
	} else {
		wa.from = writes_elsewhere(t, f->node);
		if (t->px)
			rc_paxos_stall(t->px, f->node, f->len_ms * 1000000);
		nap((long)(f->len_ms * 1000000));
		if (t->px)
			rc_paxos_stall(t->px, f->node, 0);
		f->writes_during = writes_elsewhere(t, f->node) - wa.from;
		mark_end(t, f);
		f->done = true;
	}
	atomic_store(&t->ctl.hold, 0);
	pthread_join(th, NULL);
	if (f->done && f->paused) {
		/* the node's replica lags now: writes elsewhere complete
		 * before its clients' first read */
		wa.from = writes_elsewhere(t, f->node);
		wait_until(t, writes_reached, &wa, 2000);
	}
resume:
	for (unsigned i = 0; i < t->ncl; i++)
		if (t->cl[i].node == f->node)
			atomic_store(&t->cl[i].pause, false);
}

/*
 * partition N for L ms: Paxos node N is cut off from the others (every
 * message between them dropped, rc_paxos_partition), its clients going
 * on: their updates wait for the heal (the majority side goes on without
 * N) and their reads for N's replica, which waits for N's Paxos node, to
 * catch up after it. Then the network heals.
 */
static void do_partition(struct torture *t, struct torture_fault *f)
{
	uint64_t from = writes_elsewhere(t, f->node);

	mark_begin(t, f);
	if (rc_paxos_partition(t->px, 1ull << f->node, 0) < 0) {
		snprintf(f->note, sizeof(f->note), "refused");
		return;
	}
	nap((long)(f->len_ms * 1000000));
	rc_paxos_heal(t->px);
	mark_end(t, f);
	f->writes_during = writes_elsewhere(t, f->node) - from;
	f->done = true;
}

struct node_arg {
	struct torture *t;
	unsigned node;
};

static bool no_read_running(void *arg)
{
	struct node_arg *a = arg;

	for (unsigned i = 0; i < a->t->ncl; i++)
		/* seq_cst: see client_op's read */
		if (a->t->cl[i].node == a->node &&
		    atomic_load(&a->t->cl[i].in_read))
			return false;
	return true;
}

static bool all_gone(void *arg)
{
	struct node_arg *a = arg;

	for (unsigned i = 0; i < a->t->ncl; i++)
		/* seq_cst: see client_op */
		if (a->t->cl[i].node == a->node && a->t->cl[i].started &&
		    !atomic_load(&a->t->cl[i].gone))
			return false;
	return true;
}

/* restart N after L ms: see the comment at the top. */
static void do_restart(struct torture *t, struct torture_fault *f,
		       rc_rsm_handle_t **sh)
{
	struct node_arg na = { t, f->node };
	struct writes_arg wa = { t, f->node, 0, 2 };
	rc_err_t err = RC_ERR_INITIALIZER;
	int rc;

	for (unsigned i = 0; i < t->ncl; i++)
		if (t->cl[i].node == f->node)
			t->cl[i].down_fails = 0; /* its client is not out */
	/* seq_cst: see client_op's read */
	atomic_store(&t->down[f->node], true);
	if (!wait_until(t, no_read_running, &na, 10000)) {
		snprintf(f->note, sizeof(f->note), "%s",
			 atomic_load(&t->running) == 0
				 ? "not reached: the clients were done"
				 : "a read on the node did not end in 10 s");
		atomic_store(&t->down[f->node], false); /* seq_cst: back up */
		return;
	}
	mark_begin(t, f);
	wa.from = writes_elsewhere(t, f->node);
	if (rc_paxos_crash(t->px, f->node) < 0) {
		snprintf(f->note, sizeof(f->note), "the crash failed");
		atomic_store(&t->down[f->node], false); /* seq_cst: back up */
		return;
	}
	rc_rsm_unregister(sh[f->node]);
	sh[f->node] = NULL;
	if (!wait_until(t, all_gone, &na, 10000) &&
	    atomic_load(&t->running) > 0) {
		/* a client still on the node: it may not restart */
		snprintf(f->note, sizeof(f->note),
			 "not restarted: a client stayed on the node 10 s");
		return;
	}
	for (unsigned i = 0; i < t->ncl; i++) {
		struct client *c = &t->cl[i];

		/* seq_cst: gone publishes down_fails (client_op) */
		if (c->node == f->node && c->started && atomic_load(&c->gone)) {
			f->out++;
			f->failed += c->down_fails;
		}
	}
	nap((long)(f->len_ms * 1000000));
	wait_until(t, writes_reached, &wa, 2000);
	f->writes_during = writes_elsewhere(t, f->node) - wa.from;
	rc = rc_rsm_restart(t->rsm, f->node, &err);
	if (rc < 0) {
		snprintf(f->note, sizeof(f->note), "not restarted: %.60s",
			 err.msg);
		return; /* down for good: its clients stay out */
	}
	f->restored_at = rc_rsm_applied(t->rsm, f->node);
	rc_rsm_register(t->rsm, rc_topo_node_pu(t->topo, f->node, 0), 0,
			&sh[f->node], NULL);
	mark_end(t, f);
	f->done = true;
	/* seq_cst: the restart happens before the clients register again */
	atomic_store(&t->down[f->node], false);
}

/* member N -> S: see the comment at the top. */
static void do_member(struct torture *t, struct torture_fault *f,
		      const bool *crashed)
{
	rc_err_t err = RC_ERR_INITIALIZER;
	unsigned n = rc_rsm_nnodes(t->rsm);
	uint64_t next = (t->members & ~(1ull << f->node)) | 1ull << f->node_in;
	int rc;

	if (t->members_lost) {
		snprintf(f->note, sizeof(f->note),
			 "skipped: an earlier change did not complete");
		return;
	}
	f->at = f->node_in;
	for (unsigned i = 0; crashed[f->at] && i < n; i++)
		f->at = i;
	mark_begin(t, f);
	rc = rc_log_paxos_reconfigure(t->log, f->at, next, 10000000000ull,
				      &err);
	mark_end(t, f);
	if (rc < 0) {
		/* it may still take effect: the set is not known any more */
		t->members_lost = true;
		snprintf(f->note, sizeof(f->note), "failed: %.70s", err.msg);
		return;
	}
	t->members = next;
	f->done = true;
}

/*
 * Waits for the clients to end. Returns how many have not when no
 * operation returned for STUCK_MS: those are stuck inside rc_rsm_execute (their operations stay open in the
 * history, indeterminate), and their threads are never joined.
 */
static unsigned wait_clients(struct torture *t)
{
	uint64_t last = atomic_load(&t->returned), since = rc_clock_now_ns();

	/* seq_cst: see client_main and client_op */
	while (atomic_load(&t->running) > 0) {
		uint64_t now = rc_clock_now_ns(), r = atomic_load(&t->returned);

		if (r != last) {
			last = r;
			since = now;
		} else if (now - since > STUCK_MS * 1000000ull) {
			return atomic_load(&t->running);
		}
		nap(NAP_NS * 10);
	}
	return 0;
}

static int cmp_fault(const void *a, const void *b)
{
	const struct torture_fault *x = a, *y = b;

	return x->at_ms < y->at_ms ? -1 : x->at_ms > y->at_ms;
}

/* The kinds a schedule over log draws from. */
static unsigned kinds_of(const struct torture_opts *o)
{
	if (o->kinds)
		return o->kinds;
	if (o->log == TORTURE_SHM)
		return TORTURE_KIND(TORTURE_STALL);
	/* partitions and membership changes only when asked for, so that
	 * the schedule a seed drew before they existed stays the same */
	return TORTURE_KIND(TORTURE_STALL) | TORTURE_KIND(TORTURE_CRASH) |
	       TORTURE_KIND(TORTURE_RESTART);
}

/* The n-th (from 0) node for which ok[] holds, n < the count of them. */
static unsigned nth_node(const bool *ok, unsigned nnodes, unsigned n)
{
	for (unsigned i = 0; i < nnodes; i++)
		if (ok[i] && n-- == 0)
			return i;
	return 0;
}

/*
 * The schedule: o->faults events drawn from the seed. The times first,
 * then in time order each event's kind (drawn among the allowed ones;
 * a crash or a restart that would leave a majority down becomes a
 * stall, or is skipped when stalls are not allowed) and node.
 */
static void schedule(const struct torture_opts *o, struct torture_result *res,
		     const bool *has_client)
{
	uint64_t rs = o->seed ^ 0x5fa17u, window = o->duration_ms;
	unsigned crashes = 0, maxdown = (res->nnodes - 1) / 2, kinds,
		 allowed[5], nallowed = 0, rnode = RC_PAXOS_MAX_NODES;
	bool crashed[RC_PAXOS_MAX_NODES] = { false };
	uint64_t members = res->members;
	unsigned spare = res->nnodes - 1;

	kinds = kinds_of(o);
	if (kinds & TORTURE_KIND(TORTURE_MEMBER))
		maxdown = (res->nnodes - 2) / 2;
	for (unsigned k = TORTURE_STALL; k <= TORTURE_MEMBER; k++)
		if (kinds & TORTURE_KIND(k))
			allowed[nallowed++] = k;
	if (window == 0)
		window = 1000;
	res->nfaults =
		o->faults < TORTURE_MAX_FAULTS ? o->faults : TORTURE_MAX_FAULTS;
	for (unsigned i = 0; i < res->nfaults; i++) {
		memset(&res->faults[i], 0, sizeof(res->faults[i]));
		res->faults[i].at_ms =
			window / 20 + splitmix(&rs) % (window * 13 / 20 + 1);
	}
	qsort(res->faults, res->nfaults, sizeof(res->faults[0]), cmp_fault);
	for (unsigned i = 0; i < res->nfaults; i++) {
		struct torture_fault *f = &res->faults[i];
		bool cand[RC_PAXOS_MAX_NODES] = { false };
		unsigned kind = allowed[splitmix(&rs) % nallowed], ncand = 0;
		uint64_t pick = splitmix(&rs);

		f->len_ms = 10 + splitmix(&rs) % 41;
		if (kind == TORTURE_MEMBER) {
			/* any member out, the spare in (crashed or not: a
			 * minority of any member set at most is down) */
			for (unsigned n = 0; n < res->nnodes; n++)
				ncand += cand[n] = (members >> n) & 1;
			f->kind = kind;
			f->len_ms = 0;
			f->node = nth_node(cand, res->nnodes,
					   (unsigned)(pick % ncand));
			f->node_in = spare;
			members =
				(members & ~(1ull << f->node)) | 1ull << spare;
			f->members = members;
			spare = f->node;
			continue;
		}
		for (unsigned n = 0; n < res->nnodes; n++) {
			cand[n] = !crashed[n] &&
				  (kind != TORTURE_CRASH ||
				   (!has_client[n] && n != rnode)) &&
				  (kind != TORTURE_RESTART ||
				   rnode == RC_PAXOS_MAX_NODES || n == rnode);
			ncand += cand[n];
		}
		if (kind != TORTURE_STALL &&
		    (ncand == 0 || crashes + 1 > maxdown ||
		     (kind == TORTURE_CRASH && crashes + 2 > maxdown &&
		      maxdown >= 2 &&
		      (kinds & TORTURE_KIND(TORTURE_RESTART))))) {
			if (!(kinds & TORTURE_KIND(TORTURE_STALL))) {
				f->kind = kind;
				f->node = (unsigned)(pick % res->nnodes);
				snprintf(f->note, sizeof(f->note),
					 "skipped: a majority would be down");
				continue;
			}
			kind = TORTURE_STALL;
		}
		f->kind = kind;
		if (kind == TORTURE_STALL) {
			/* any node up */
			ncand = 0;
			for (unsigned n = 0; n < res->nnodes; n++)
				ncand += cand[n] = !crashed[n];
		}
		f->node = nth_node(cand, res->nnodes, (unsigned)(pick % ncand));
		if (kind == TORTURE_CRASH) {
			f->len_ms = 0;
			crashed[f->node] = true;
			crashes++;
		} else if (kind == TORTURE_RESTART) {
			rnode = f->node;
		}
	}
}

/* Catches the replicas of nodes without clients up: see the top. */
static void touch_idle(struct torture *t, rc_rsm_handle_t **sh,
		       const bool *has_client, const bool *crashed)
{
	uint64_t r;

	for (unsigned n = 0; t->px && n < rc_rsm_nnodes(t->rsm); n++)
		if (!has_client[n] && !crashed[n] && sh[n])
			rc_rsm_execute(sh[n],
				       t->o->object == TORTURE_MAP
					       ? MAP_OP(MAP_GET, 1)
					       : REG_READ,
				       0, &r);
}

static void run_faults(struct torture *t, struct torture_result *res,
		       rc_rsm_handle_t **sh, const bool *has_client)
{
	bool crashed[RC_PAXOS_MAX_NODES] = { false };
	uint64_t last = 0;

	for (unsigned i = 0; i < res->nfaults; i++) {
		struct torture_fault *f = &res->faults[i];

		if (f->note[0])
			continue;
		/* seq_cst: see client_main */
		while (since_ms(t) < f->at_ms && atomic_load(&t->running) > 0) {
			if (since_ms(t) >= last + 10) {
				touch_idle(t, sh, has_client, crashed);
				last = since_ms(t);
			}
			nap(NAP_NS * 10);
		}
		if (atomic_load(&t->running) == 0) {
			snprintf(f->note, sizeof(f->note),
				 "not reached: the clients were done");
			continue;
		}
		if (f->kind == TORTURE_CRASH) {
			mark_begin(t, f);
			f->done = rc_paxos_crash(t->px, f->node) == 0;
			crashed[f->node] = true;
			continue;
		}
		if (f->kind == TORTURE_RESTART) {
			do_restart(t, f, sh);
			crashed[f->node] = !f->done;
		} else if (f->kind == TORTURE_MEMBER)
			do_member(t, f, crashed);
		else if (f->kind == TORTURE_PARTITION)
			do_partition(t, f);
		else
			do_stall(t, f, i + 1, sh[f->node]);
	}
}

static void tally(struct torture *t, struct torture_result *res)
{
	for (unsigned i = 0; i < t->ncl; i++) {
		res->reads += t->cl[i].reads;
		res->writes += t->cl[i].writes;
		res->failed += t->cl[i].failed;
		res->indet += t->cl[i].indet;
		res->capped |= t->cl[i].capped;
	}
}

int torture_run(const struct torture_opts *o, struct torture_result *res,
		rc_err_t *err)
{
	struct rc_rsm_options ro = RC_RSM_OPTIONS_INITIALIZER;
	struct rc_check_opts co = RC_CHECK_OPTS_INITIALIZER;
	struct torture t;
	rc_rsm_handle_t *sh[RC_PAXOS_MAX_NODES] = { NULL };
	bool has_client[RC_PAXOS_MAX_NODES] = { false };
	rc_topo_t *topo = NULL;
	unsigned *pus = NULL;
	int rc;

	memset(res, 0, sizeof(*res));
	memset(&t, 0, sizeof(t));
	t.o = o;
	rc = rc_topo_open(&topo, o->synthetic, NULL, err);
	if (rc < 0) {
		res->bad_usage = rc == -RC_EINVAL;
		return rc;
	}
	res->nnodes = rc_topo_nnodes(topo);
	res->npus_machine = rc_topo_real_npus(topo);
	t.ncl = o->clients;
	if (t.ncl == 0) { /* one per PU of the machine and of the layout */
		t.ncl = res->npus_machine < rc_topo_npus(topo)
				? res->npus_machine
				: rc_topo_npus(topo);
		if (t.ncl > 64)
			t.ncl = 64;
	}
	if (res->nnodes < 2 || res->nnodes > RC_PAXOS_MAX_NODES) {
		res->bad_usage = true;
		rc = rc_err_set(err, RC_EINVAL, "--synthetic", 0, 0,
				"the layout has %u NUMA nodes: 2..%u needed",
				res->nnodes, RC_PAXOS_MAX_NODES);
		goto out;
	}
	if (t.ncl > res->npus_machine || t.ncl > rc_topo_npus(topo) ||
	    t.ncl > 64) {
		res->bad_usage = true;
		rc = rc_err_set(err, RC_EINVAL, "--clients", 0, 0,
				"%u clients: at most %u (the machine's PUs "
				"and the layout's)",
				t.ncl,
				res->npus_machine < rc_topo_npus(topo)
					? res->npus_machine
					: rc_topo_npus(topo));
		goto out;
	}
	res->nclients = t.ncl;
	t.topo = topo;
	if (o->log == TORTURE_SHM &&
	    (kinds_of(o) & ~TORTURE_KIND(TORTURE_STALL))) {
		res->bad_usage = true;
		rc = rc_err_set(err, RC_EINVAL, "--fault-kinds", 0, 0,
				"crash, restart, partition and member need "
				"--log paxos");
		goto out;
	}
	if ((kinds_of(o) & TORTURE_KIND(TORTURE_MEMBER)) && res->nnodes < 3) {
		res->bad_usage = true;
		rc = rc_err_set(err, RC_EINVAL, "--fault-kinds", 0, 0,
				"member needs a layout of 3 NUMA nodes or "
				"more (members and a spare), not %u",
				res->nnodes);
		goto out;
	}
	if (o->read_index && o->log != TORTURE_PAXOS) {
		res->bad_usage = true;
		rc = rc_err_set(err, RC_EINVAL, "--reads", 0, 0,
				"reads by the read index need --log paxos");
		goto out;
	}
	if (o->read_index)
		ro.flags |= RC_RSM_READ_INDEX;
	if (o->log == TORTURE_PAXOS) {
		struct rc_paxos_opts po;

		rc_log_paxos_defaults(&po);
		po.topo = topo;
		/* the group forgets slots below the replicas' snapshots, and
		 * a crashed node restarts from one */
		po.snapshots = true;
		ro.snapshot_every = SNAPSHOT_EVERY;
		if (kinds_of(o) & TORTURE_KIND(TORTURE_MEMBER)) {
			/* every node but the last is a member */
			po.cfg.alpha = RC_PAXOS_ALPHA;
			po.cfg.members = (1ull << (res->nnodes - 1)) - 1;
			res->members = po.cfg.members;
		}
		rc = rc_log_paxos_create(&t.log, res->nnodes, &po, err);
		if (rc < 0)
			goto out;
		t.px = rc_log_paxos_group(t.log);
		/* by default longer than any stall: an update outlives
		 * a stall */
		ro.timeout_ns = o->op_timeout_ms ? o->op_timeout_ms * 1000000
						 : 2000000000ull;
	} else {
		/* a small log, so that a stall fills it */
		ro.log_capacity = 256;
		/* a stalled node fills the log; then updates fail */
		ro.timeout_ns = o->op_timeout_ms ? o->op_timeout_ms * 1000000
						 : 5000000ull;
	}
	ro.log = t.log;
	rc = rc_rsm_create(&t.rsm,
			   o->object == TORTURE_MAP ? &tmap_ops : &reg_ops,
			   &t.ctl, topo, &ro, err);
	if (rc < 0)
		goto out;
	t.nopartial =
		(rc_log_caps(rc_rsm_log(t.rsm)) & RC_LOG_CAP_NOPARTIAL) != 0;
	pus = calloc(t.ncl, sizeof(*pus));
	t.cl = calloc(t.ncl, sizeof(*t.cl));
	if (!pus || !t.cl) {
		rc = rc_err_set(err, RC_ENOMEM, NULL, 0, 0, "out of memory");
		goto out;
	}
	rc_topo_spread(topo, t.ncl, pus);
	for (unsigned i = 0; i < t.ncl; i++) {
		struct client *c = &t.cl[i];

		c->t = &t;
		c->id = i;
		c->pu = pus[i];
		rc = client_register(c, err);
		if (rc < 0)
			goto out;
		c->node = rc_rsm_handle_node(c->h);
		res->client_node[i] = c->node;
		has_client[c->node] = true;
	}
	for (unsigned n = 0; n < res->nnodes; n++) {
		rc = rc_rsm_register(t.rsm, rc_topo_node_pu(topo, n, 0), 0,
				     &sh[n], err);
		if (rc < 0)
			goto out;
	}
	t.members = res->members;
	schedule(o, res, has_client);
	t.slots = SLOTS_PER_CLIENT;
	for (unsigned i = 0; i < res->nfaults; i++)
		t.slots += res->faults[i].kind == TORTURE_RESTART;
	/* a slot holds what a client can do: --ops, or the rate over
	 * the run (and a quarter more), SLOT_CAP at most */
	t.slot_cap = SLOT_CAP;
	if (o->ops && o->ops < t.slot_cap)
		t.slot_cap = o->ops;
	if (o->rate && o->duration_ms &&
	    o->rate * o->duration_ms / 800 + 1000 < t.slot_cap)
		t.slot_cap = o->rate * o->duration_ms / 800 + 1000;
	rc = rc_recorder_create(&t.rec, t.ncl * t.slots, t.slot_cap, err);
	if (rc < 0)
		goto out;
	rc_recorder_set_initial(t.rec, 0);
	t.t0 = rc_clock_now_ns();
	res->t0_ns = t.t0;
	atomic_store(&t.running, t.ncl);
	for (unsigned i = 0; i < t.ncl; i++) {
		t.cl[i].started = pthread_create(&t.cl[i].th, NULL, client_main,
						 &t.cl[i]) == 0;
		if (!t.cl[i].started)
			atomic_fetch_sub(&t.running, 1);
	}
	if (o->duration_ms) {
		/* the faults run in this thread; then the clients stop */
		uint64_t end = t.t0 + o->duration_ms * 1000000;

		run_faults(&t, res, sh, has_client);
		while (rc_clock_now_ns() < end && atomic_load(&t.running) > 0)
			nap(NAP_NS * 10);
		atomic_store(&t.stop, true);
	} else {
		run_faults(&t, res, sh, has_client);
	}
	res->stuck = wait_clients(&t);
	for (unsigned n = 0; res->stuck && n < res->nnodes; n++) {
		res->stuck_applied[n] = rc_rsm_applied(t.rsm, n);
		if (t.px) {
			res->stuck_delivered[n] = rc_paxos_delivered(t.px, n);
			res->stuck_leader[n] = rc_paxos_leader(t.px, n);
		}
	}
	for (unsigned i = 0; res->stuck == 0 && i < t.ncl; i++)
		if (t.cl[i].started)
			pthread_join(t.cl[i].th, NULL);
	res->run_seconds = (double)(rc_clock_now_ns() - t.t0) / 1e9;
	tally(&t, res);
	res->history = rc_history_new();
	if (!res->history) {
		rc = rc_err_set(err, RC_ENOMEM, NULL, 0, 0, "out of memory");
		goto out;
	}
	rc = rc_recorder_export(t.rec, res->history, 0, err);
	if (rc < 0)
		goto out;
	res->ops_recorded = rc_history_len(res->history);
	co.spec = o->object == TORTURE_MAP ? RC_SPEC_KV : RC_SPEC_REGISTER;
	co.level = RC_LIN;
	co.timeout = o->check_timeout;
	rc = rc_check(res->history, &co, &res->check, err);
out:
	if (res->stuck) {
		/* a client never returns: the rsm, the log and the recorder
		 * stay in use; the process ends with them */
		rc_topo_close(topo);
		free(pus);
		return rc < 0 ? rc : 0;
	}
	for (unsigned i = 0; t.cl && i < t.ncl; i++)
		rc_rsm_unregister(t.cl[i].h);
	for (unsigned n = 0; n < RC_PAXOS_MAX_NODES; n++)
		rc_rsm_unregister(sh[n]);
	rc_recorder_destroy(t.rec);
	rc_rsm_destroy(t.rsm);
	rc_log_destroy(t.log);
	rc_topo_close(topo);
	free(pus);
	free(t.cl);
	return rc < 0 ? rc : 0;
}

void torture_result_free(struct torture_result *res)
{
	rc_check_result_free(res->check);
	rc_history_free(res->history);
	res->check = NULL;
	res->history = NULL;
}
