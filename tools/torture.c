/* SPDX-License-Identifier: MIT */
/* torture.c: client threads against rc_rsm over a log while nodes stall and crash, recorded and checked linearizable (replicore torture). */
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

#include "tools/torture.h"

/*
 * The object is a register: one integer per replica, READ returns it and
 * WRITE sets it. STALL(node, id) does nothing except on replica `node`,
 * where it blocks inside apply while the run's hold names stall id: the
 * thread applying it holds that node's combiner, so the node stops
 * consuming the log (as examples/rsm_map_stall.h does for node 1). An
 * old STALL that a log orders late finds hold changed and returns.
 *
 * Clients: client i registers on the i-th PU rc_topo_spread gives (so
 * clients alternate between nodes) and runs random reads and writes of
 * fresh values ((i + 1) << 32 | sequence number), each recorded with
 * rc_recorder: begin just before rc_rsm_execute, end just after. A
 * failed operation is recorded as failed (no effect) when the log has
 * RC_LOG_CAP_NOPARTIAL, else as indeterminate (it may still take
 * effect); after an indeterminate operation the client goes on as a new
 * process (the next recorder slot of its own), as a history requires.
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
 *   crash N           (Paxos only) rc_paxos_crash: node N stops for good.
 *                     Only nodes without clients, and a minority of the
 *                     nodes at most: crash-restart does not exist.
 */

_Static_assert(RC_TORTURE_MAX_NODES == RC_PAXOS_MAX_NODES,
	       "a result holds every node of a Paxos group");

enum { REG_READ = 1, REG_WRITE = 2, REG_STALL = 3 };

/* Recorder slots per client: a new one after each indeterminate op. */
#define SLOTS_PER_CLIENT 8u
/* Operations one slot records at most. */
#define SLOT_CAP 60000u
#define NAP_NS 100000L
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

static uint64_t reg_apply(void *state, uint64_t op, uint64_t arg)
{
	struct reg *r = state;
	uint64_t old = r->v, id = arg >> 8;

	switch (op) {
	case REG_READ:
		return old;
	case REG_WRITE:
		r->v = arg;
		return old;
	default:
		if (r->node != (arg & 0xff))
			return 0;
		/* seq_cst: a handshake with the fault thread */
		if (atomic_load(&r->ctl->hold) != id)
			return 0;
		atomic_store(&r->ctl->in, id);
		while (atomic_load(&r->ctl->hold) == id)
			nap(NAP_NS);
		return 0;
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

static const struct rc_rsm_ops reg_ops = { reg_init, reg_apply, reg_is_read,
					   reg_fini, NULL,	NULL };

struct torture;

struct client {
	struct torture *t;
	unsigned id, node, pu, slot;
	pthread_t th;
	bool started;
	rc_rsm_handle_t *h;
	_Atomic bool pause, parked;
	_Atomic uint64_t writes_done;
	uint64_t reads, writes, failed, indet;
	uint64_t in_slot; /* operations recorded in the current slot */
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
	unsigned ncl;
	uint64_t t0;
	_Atomic bool stop;
	_Atomic unsigned running;
	_Atomic uint64_t returned; /* operations that returned, all clients */
};

static uint64_t splitmix(uint64_t *s)
{
	uint64_t z = (*s += 0x9e3779b97f4a7c15ull);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return z ^ (z >> 31);
}

/* One operation, recorded. Returns false when the client must stop. */
static bool client_op(struct client *c, bool write, uint64_t *seq)
{
	struct torture *t = c->t;
	unsigned slot = c->id * SLOTS_PER_CLIENT + c->slot, st;
	uint64_t r = 0, v = ((uint64_t)(c->id + 1) << 32) | ++*seq;
	int rc;

	if (c->in_slot == t->slot_cap) {
		c->capped = true;
		return false;
	}
	c->in_slot++;
	if (write) {
		if (rc_recorder_begin(t->rec, slot, RC_HOP_WRITE, RC_HVAL_NONE,
				      (rc_hval_t)v, RC_HVAL_NONE) < 0) {
			c->capped = true;
			return false;
		}
		rc = rc_rsm_execute(c->h, REG_WRITE, v, &r);
	} else {
		if (rc_recorder_begin(t->rec, slot, RC_HOP_READ, RC_HVAL_NONE,
				      RC_HVAL_NONE, RC_HVAL_NONE) < 0) {
			c->capped = true;
			return false;
		}
		rc = rc_rsm_execute_flags(
			c->h, REG_READ, 0,
			t->o->local_reads ? RC_RSM_READ_SEQ : 0, &r);
	}
	st = rc == 0 ? RC_HST_OK : t->nopartial ? RC_HST_FAIL : RC_HST_INDET;
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
		if (++c->slot == SLOTS_PER_CLIENT)
			return false;
	}
	return true;
}

static void *client_main(void *arg)
{
	struct client *c = arg;
	struct torture *t = c->t;
	uint64_t rs = t->o->seed * 0x2545f4914f6cdd1dull + c->id + 1, seq = 0;
	uint64_t gap = t->o->rate ? 1000000000ull / t->o->rate : 0, next;
	bool read_next = false;

	next = rc_clock_now_ns();
	/* seq_cst: stop, pause and parked are handshakes, nothing to tune */
	for (uint64_t i = 0; !atomic_load(&t->stop); i++) {
		if (t->o->ops && i >= t->o->ops)
			break;
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
		if (!client_op(c, !read_next && (splitmix(&rs) & 1), &seq))
			break;
		read_next = false;
	}
	atomic_store(&c->parked, true);
	atomic_fetch_sub(&t->running, 1);
	return NULL;
}

static uint64_t since_ms(const struct torture *t)
{
	return (rc_clock_now_ns() - t->t0) / 1000000;
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

		/* seq_cst: see client_main; a client that ended is parked */
		if (c->node == p->node && c->started &&
		    !atomic_load(&c->parked))
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
	f->began_ms = since_ms(t);
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

/* The schedule: o->faults events drawn from the seed. */
static void schedule(const struct torture_opts *o, struct torture_result *res,
		     const bool *has_client)
{
	uint64_t rs = o->seed ^ 0x5fa17u, window = o->duration_ms;
	unsigned crashes = 0, maxcrash = (res->nnodes - 1) / 2;
	bool crashed[RC_PAXOS_MAX_NODES] = { false };

	if (window == 0)
		window = 1000;
	res->nfaults =
		o->faults < TORTURE_MAX_FAULTS ? o->faults : TORTURE_MAX_FAULTS;
	for (unsigned i = 0; i < res->nfaults; i++) {
		struct torture_fault *f = &res->faults[i];

		memset(f, 0, sizeof(*f));
		f->at_ms = window / 20 + splitmix(&rs) % (window * 13 / 20 + 1);
		f->len_ms = 10 + splitmix(&rs) % 41;
		f->kind = TORTURE_STALL;
		f->node = (unsigned)(splitmix(&rs) % res->nnodes);
		if (o->log == TORTURE_PAXOS && crashes < maxcrash &&
		    splitmix(&rs) % 3 == 0) {
			unsigned cand = 0, pick;

			for (unsigned n = 0; n < res->nnodes; n++)
				cand += !has_client[n] && !crashed[n];
			if (cand) {
				pick = (unsigned)(splitmix(&rs) % cand);
				for (unsigned n = 0; n < res->nnodes; n++)
					if (!has_client[n] && !crashed[n] &&
					    pick-- == 0) {
						f->node = n;
						break;
					}
				f->kind = TORTURE_CRASH;
				f->len_ms = 0;
				crashed[f->node] = true;
				crashes++;
			}
		}
	}
	qsort(res->faults, res->nfaults, sizeof(res->faults[0]), cmp_fault);
	/* a stall of a node crashed before it is no stall: skip it */
	memset(crashed, 0, sizeof(crashed));
	for (unsigned i = 0; i < res->nfaults; i++) {
		struct torture_fault *f = &res->faults[i];

		if (f->kind == TORTURE_CRASH)
			crashed[f->node] = true;
		else if (crashed[f->node])
			snprintf(f->note, sizeof(f->note),
				 "skipped: the node crashed before");
	}
}

static void run_faults(struct torture *t, struct torture_result *res,
		       rc_rsm_handle_t **sh)
{
	for (unsigned i = 0; i < res->nfaults; i++) {
		struct torture_fault *f = &res->faults[i];

		if (f->note[0])
			continue;
		/* seq_cst: see client_main */
		while (since_ms(t) < f->at_ms && atomic_load(&t->running) > 0)
			nap(NAP_NS * 10);
		if (atomic_load(&t->running) == 0) {
			snprintf(f->note, sizeof(f->note),
				 "not reached: the clients were done");
			continue;
		}
		if (f->kind == TORTURE_CRASH) {
			f->began_ms = since_ms(t);
			f->done = rc_paxos_crash(t->px, f->node) == 0;
			continue;
		}
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
	if (o->log == TORTURE_PAXOS) {
		struct rc_paxos_opts po;

		rc_log_paxos_defaults(&po);
		po.topo = topo;
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
	rc = rc_rsm_create(&t.rsm, &reg_ops, &t.ctl, topo, &ro, err);
	if (rc < 0)
		goto out;
	t.nopartial =
		(rc_log_caps(rc_rsm_log(t.rsm)) & RC_LOG_CAP_NOPARTIAL) != 0;
	t.slot_cap = o->ops && o->ops < SLOT_CAP ? o->ops : SLOT_CAP;
	rc = rc_recorder_create(&t.rec, t.ncl * SLOTS_PER_CLIENT, t.slot_cap,
				err);
	if (rc < 0)
		goto out;
	rc_recorder_set_initial(t.rec, 0);
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
		rc = rc_rsm_register(t.rsm, c->pu, RC_RSM_PIN, &c->h, err);
		if (rc < 0)
			rc = rc_rsm_register(t.rsm, c->pu, 0, &c->h, err);
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
	schedule(o, res, has_client);
	t.t0 = rc_clock_now_ns();
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

		run_faults(&t, res, sh);
		while (rc_clock_now_ns() < end && atomic_load(&t.running) > 0)
			nap(NAP_NS * 10);
		atomic_store(&t.stop, true);
	} else {
		run_faults(&t, res, sh);
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
	co.spec = RC_SPEC_REGISTER;
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
