/* SPDX-License-Identifier: MIT */
/* demo_history.c: the demo's history check: an sc object's recorded history is sequentially consistent but not linearizable; a lin object's passes. */
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <ck_pr.h>

#include <replicore/check.h>
#include <replicore/clock.h>
#include <replicore/history.h>
#include <replicore/mem.h>
#include <replicore/recorder.h>
#include <replicore/topo.h>

#include "runtime/wait.h"
#include "tools/demo.h"

/*
 * The workload. Three replicas of one object:
 *
 *   A  stores to location 1 without pause (not recorded): at RC_SC each
 *      store reserves a slot of the shared log, then publishes it;
 *   B  on request, stores the next value 1, 2, 3, ... to location 0;
 *   R  shares A's CPU; each round it sleeps a little, asks B for a store,
 *      waits until that store has returned, then loads location 0.
 *
 * R's wake-up preempts A wherever A is; often that is between reserving
 * a slot and publishing it. B's store takes a later slot and returns. An
 * SC load applies the log up to the first unpublished slot, so R reads
 * the value before B's store although the store returned before the load
 * began: a stale read. No order of the operations that respects real
 * time explains it (not linearizable); one that respects only each
 * replica's program order does (R's load before B's store: sequentially
 * consistent). The same workload on RC_LIN reads B's value every time.
 *
 * The recorded history is location 0's: B's stores and R's loads, with
 * their invocation and response times (rc_recorder), checked as a
 * register by rc_check at lin and at sc. A run of the sc object stops a
 * few rounds after its first stale read; a run without one is repeated,
 * at most history_tries times, and the output says how many runs it took
 * or that none showed a stale read.
 */

#define AFTER_STALE 10 /* rounds run after the first stale read */
/*
 * A's stores per run: the log of an sc object takes at most 2^28 entries
 * over its life (mem.h); A stops at this many, and every 4096 of them
 * applies the log (as B does after each store) so that the segments all
 * replicas have passed are freed.
 */
#define A_MAX_STORES (1u << 24)
#define A_PROGRESS 4096u
#define NAP_NS 20000	   /* R's sleep before each round */
#define CHECK_TIMEOUT 20.0 /* seconds per check */

struct shared {
	rc_mem_t *mem;
	rc_recorder_t *rec;
	const rc_topo_t *real;
	unsigned cpu_ar, cpu_b; /* real PUs: A and R, B */
	unsigned rounds;
	/* R -> B: the number of stores asked for; B -> R: of stores done */
	_Alignas(64) _Atomic uint64_t asked;
	_Alignas(64) _Atomic uint64_t done;
	_Alignas(64) _Atomic bool stop;
	/* results */
	unsigned rounds_run, stale_reads, first_stale;
	uint64_t a_stores;
	atomic_bool pin_failed; /* set by any of the three threads */
};

static void pin(struct shared *s, unsigned pu)
{
	/* relaxed: read after the joins */
	if (rc_topo_pin(s->real, pu, NULL) < 0)
		atomic_store_explicit(&s->pin_failed, true,
				      memory_order_relaxed);
}

/*
 * Waits until *v differs from old (ne) or equals want (!ne): spins hard
 * for up to SPIN_NS, so that a waiting R keeps A off the CPU they share,
 * then spins, yields and naps (_rc_wait) in case the partner needs this
 * CPU. Gives up when stop is raised (NULL: never).
 */
#define SPIN_NS 2000000u
static bool wait_for(_Atomic uint64_t *v, uint64_t x, bool ne,
		     _Atomic bool *stop)
{
	uint64_t t0 = rc_clock_now_ns(), k = 0;
	struct _rc_wait w;

	_rc_wait_init(&w, UINT64_MAX);
	/* acquire: pairs with the partner's release store of *v */
	while ((atomic_load_explicit(v, memory_order_acquire) != x) != ne) {
		/* relaxed: the flag carries no data */
		if (stop != NULL &&
		    atomic_load_explicit(stop, memory_order_relaxed))
			return false;
		if (++k % 64 == 0 && rc_clock_now_ns() - t0 > SPIN_NS)
			_rc_wait_step(&w);
		ck_pr_stall();
	}
	return true;
}

static void *writer_a(void *arg)
{
	struct shared *s = arg;
	rc_mem_replica_t *r = rc_mem_replica(s->mem, 0);
	uint64_t n = 0;

	pin(s, s->cpu_ar);
	/* relaxed: the flag carries no data; the join orders the rest */
	while (!atomic_load_explicit(&s->stop, memory_order_relaxed) &&
	       n < A_MAX_STORES) {
		rc_mem_store(r, 1, ++n, RC_RELEASE);
		if (n % A_PROGRESS == 0)
			rc_mem_progress(r);
	}
	s->a_stores = n;
	return NULL;
}

static void *writer_b(void *arg)
{
	struct shared *s = arg;
	rc_mem_replica_t *r = rc_mem_replica(s->mem, 1);
	uint64_t v = 0;

	pin(s, s->cpu_b);
	for (;;) {
		/* acquire (in wait_for): pairs with R's release of asked */
		if (!wait_for(&s->asked, v, true, &s->stop))
			return NULL;
		v++;
		rc_recorder_begin(s->rec, 0, RC_HOP_WRITE, RC_HVAL_NONE,
				  (rc_hval_t)v, RC_HVAL_NONE);
		rc_mem_store(r, 0, v, RC_RELEASE);
		rc_recorder_end(s->rec, 0, RC_HVAL_OK, RC_HST_OK);
		rc_mem_progress(r);
		/* release: the store's response is recorded before R may
		 * begin its load; pairs with R's acquire of done */
		atomic_store_explicit(&s->done, v, memory_order_release);
	}
}

static void *reader_r(void *arg)
{
	struct shared *s = arg;
	rc_mem_replica_t *r = rc_mem_replica(s->mem, 2);
	unsigned stop_at = s->rounds;

	pin(s, s->cpu_ar);
	for (unsigned k = 1; k <= stop_at; k++) {
		struct timespec nap = { 0, NAP_NS };
		uint64_t v;

		nanosleep(&nap, NULL);
		/* release: pairs with B's acquire of asked */
		atomic_store_explicit(&s->asked, k, memory_order_release);
		/* acquire (in wait_for): B's store returned before this
		 * load begins */
		wait_for(&s->done, k, false, NULL);
		rc_recorder_begin(s->rec, 1, RC_HOP_READ, RC_HVAL_NONE,
				  RC_HVAL_NONE, RC_HVAL_NONE);
		v = rc_mem_load(r, 0);
		rc_recorder_end(s->rec, 1, (rc_hval_t)v, RC_HST_OK);
		s->rounds_run = k;
		if (v != k) {
			if (s->stale_reads++ == 0) {
				s->first_stale = k;
				if (k + AFTER_STALE < stop_at)
					stop_at = k + AFTER_STALE;
			}
		}
	}
	/* relaxed: as in writer_a */
	atomic_store_explicit(&s->stop, true, memory_order_relaxed);
	return NULL;
}

/* One object's run and its checks. */
struct hist_run {
	enum rc_level level;
	unsigned runs;	      /* runs made (sc: until a stale read) */
	unsigned rounds;      /* rounds of the kept run */
	unsigned stale_reads; /* in the kept run */
	unsigned first_stale; /* its round, or 0 */
	uint64_t a_stores;    /* A's stores in the kept run */
	bool pinned;
	unsigned cpu_ar, cpu_b;
	rc_history_t *h;
	rc_check_result_t *lin, *sc;
	int64_t t0;		/* the first invocation */
	size_t stale_op, newer; /* the first stale read, the write it missed */
};

/* One run of the workload at level; the history, or NULL. */
static rc_history_t *record(const struct demo_ctx *c, struct hist_run *hr,
			    unsigned rounds)
{
	struct shared s;
	pthread_t ta, tb, trd;
	rc_err_t err = RC_ERR_INITIALIZER;
	rc_history_t *h = NULL;
	bool started_a = false, started_b = false, started_r = false;

	memset(&s, 0, sizeof s);
	s.real = c->real;
	s.cpu_ar = hr->cpu_ar;
	s.cpu_b = hr->cpu_b;
	s.rounds = rounds;
	atomic_init(&s.pin_failed, false);
	if (rc_mem_create(&s.mem, hr->level, 2, 3, 0, &err) < 0 ||
	    rc_recorder_create(&s.rec, 2, 2 * (size_t)rounds + 2, &err) < 0) {
		fprintf(stderr, "replicore demo: history: %s\n", err.msg);
		goto out;
	}
	/* the register starts where the location does: 0 */
	rc_recorder_set_initial(s.rec, 0);
	started_a = pthread_create(&ta, NULL, writer_a, &s) == 0;
	started_b = started_a && pthread_create(&tb, NULL, writer_b, &s) == 0;
	started_r = started_b && pthread_create(&trd, NULL, reader_r, &s) == 0;
	if (!started_r)
		/* relaxed: as in writer_a */
		atomic_store_explicit(&s.stop, true, memory_order_relaxed);
	if (started_r)
		pthread_join(trd, NULL);
	if (started_b)
		pthread_join(tb, NULL);
	if (started_a)
		pthread_join(ta, NULL);
	if (!started_r) {
		fprintf(stderr, "replicore demo: history: cannot start "
				"threads\n");
		goto out;
	}
	hr->rounds = s.rounds_run;
	hr->stale_reads = s.stale_reads;
	hr->first_stale = s.first_stale;
	hr->a_stores = s.a_stores;
	hr->pinned = !atomic_load(&s.pin_failed);
	h = rc_history_new();
	if (h != NULL && rc_recorder_export(s.rec, h, 0, &err) < 0) {
		fprintf(stderr, "replicore demo: history: %s\n", err.msg);
		rc_history_free(h);
		h = NULL;
	}
out:
	rc_recorder_destroy(s.rec);
	if (s.mem != NULL)
		rc_mem_destroy(s.mem);
	return h;
}

static rc_check_result_t *check(const rc_history_t *h, enum rc_level lv)
{
	struct rc_check_opts o = RC_CHECK_OPTS_INITIALIZER;
	rc_err_t err = RC_ERR_INITIALIZER;
	rc_check_result_t *r = NULL;

	o.spec = RC_SPEC_REGISTER;
	o.level = lv;
	o.timeout = CHECK_TIMEOUT;
	if (rc_check(h, &o, &r, &err) < 0) {
		fprintf(stderr, "replicore demo: history: check: %s\n",
			err.msg);
		return NULL;
	}
	return r;
}

/*
 * Finds in the history the first read (by invocation) that returned less
 * than a write that had returned before the read was invoked.
 */
static void find_stale(struct hist_run *hr)
{
	const rc_history_t *h = hr->h;
	size_t n = rc_history_len(h);

	hr->stale_op = hr->newer = SIZE_MAX;
	hr->t0 = INT64_MAX;
	for (size_t i = 0; i < n; i++)
		if (rc_history_op(h, i)->call < hr->t0)
			hr->t0 = rc_history_op(h, i)->call;
	for (size_t i = 0; i < n; i++) {
		const struct rc_hop *rd = rc_history_op(h, i);
		size_t last = SIZE_MAX; /* the newest write done before rd */

		if (rd->kind != RC_HOP_READ ||
		    (hr->stale_op != SIZE_MAX &&
		     rc_history_op(h, hr->stale_op)->call <= rd->call))
			continue;
		for (size_t k = 0; k < n; k++) {
			const struct rc_hop *w = rc_history_op(h, k);

			if (w->kind == RC_HOP_WRITE && w->ret < rd->call &&
			    (last == SIZE_MAX ||
			     w->arg[0] > rc_history_op(h, last)->arg[0]))
				last = k;
		}
		if (last != SIZE_MAX &&
		    rc_history_op(h, last)->arg[0] > rd->result) {
			hr->stale_op = i;
			hr->newer = last;
		}
	}
}

/* "B write 42        [   120.3,    120.5] us" */
static void op_text(const struct hist_run *hr, size_t i, char *buf, size_t n)
{
	const struct rc_hop *o = rc_history_op(hr->h, i);
	double a = (double)(o->call - hr->t0) / 1e3,
	       b = (double)(o->ret - hr->t0) / 1e3;
	char what[48];

	if (o->kind == RC_HOP_WRITE)
		snprintf(what, sizeof what, "B write %lld",
			 (long long)o->arg[0]);
	else
		snprintf(what, sizeof what, "R read -> %lld",
			 (long long)o->result);
	snprintf(buf, n, "%-16s [%9.1f, %9.1f] us", what, a, b);
}

static void run_level(const struct demo_ctx *c, struct hist_run *hr,
		      unsigned rounds, unsigned tries)
{
	for (hr->runs = 1; hr->runs <= tries; hr->runs++) {
		demo_progress(c, "history: %s object, run %u",
			      rc_level_name(hr->level), hr->runs);
		hr->h = record(c, hr, rounds);
		if (hr->h == NULL)
			return;
		/* sc: keep the first run with a stale read; lin: one run */
		if (hr->level != RC_SC || hr->stale_reads > 0 ||
		    hr->runs == tries)
			break;
		rc_history_free(hr->h);
		hr->h = NULL;
	}
	demo_progress(c, "history: checking the %s object's history",
		      rc_level_name(hr->level));
	hr->lin = check(hr->h, RC_LIN);
	hr->sc = check(hr->h, RC_SC);
	find_stale(hr);
}

struct history_result {
	struct hist_run sc, lin;
	unsigned tries, rounds;
};

static void history_free(void *p)
{
	struct history_result *res = p;

	if (res == NULL)
		return;
	for (int k = 0; k < 2; k++) {
		struct hist_run *hr = k ? &res->lin : &res->sc;

		rc_history_free(hr->h);
		if (hr->lin != NULL)
			rc_check_result_free(hr->lin);
		if (hr->sc != NULL)
			rc_check_result_free(hr->sc);
	}
	free(res);
}

static enum rc_verdict verdict(const rc_check_result_t *r)
{
	return r != NULL ? r->verdict : RC_VERDICT_UNKNOWN;
}

static void *history_run(const struct demo_ctx *c, bool *failed)
{
	struct history_result *res = calloc(1, sizeof(*res));
	unsigned npus = rc_topo_npus(c->real);

	if (res == NULL)
		return NULL;
	res->tries = c->o->history_tries;
	res->rounds = c->o->history_rounds;
	res->sc.level = RC_SC;
	res->lin.level = RC_LIN;
	/* A and R on the first PU, B on the next one when there is one */
	res->sc.cpu_b = res->lin.cpu_b = npus > 1 ? 1 : 0;
	run_level(c, &res->sc, res->rounds, res->tries);
	/* the lin object: as many rounds as the sc run kept, at least 20 */
	run_level(c, &res->lin, res->sc.rounds > 20 ? res->sc.rounds : 20, 1);
	demo_progress(c, NULL);
	if (res->sc.h == NULL || res->lin.h == NULL) {
		history_free(res);
		return NULL;
	}
	/* the checks that must hold whatever the schedule */
	if (verdict(res->sc.sc) == RC_VERDICT_VIOLATION ||
	    verdict(res->lin.lin) != RC_VERDICT_OK ||
	    (res->sc.stale_reads > 0 && verdict(res->sc.lin) == RC_VERDICT_OK))
		*failed = true;
	return res;
}

/* Where op i stands in the witness order, or SIZE_MAX. */
static size_t pos_in(const struct rc_check_part *p, size_t i)
{
	for (size_t k = 0; k < p->norder; k++)
		if (p->order[k] == i)
			return k;
	return SIZE_MAX;
}

static void run_text(const struct hist_run *hr, FILE *out)
{
	const char *ln = rc_level_name(hr->level);
	char a[96];

	fprintf(out,
		"%s object: %zu operations recorded in %u rounds (run %u), "
		"%u stale read%s;\n  A stored %llu times%s\n",
		ln, rc_history_len(hr->h), hr->rounds, hr->runs,
		hr->stale_reads, hr->stale_reads == 1 ? "" : "s",
		(unsigned long long)hr->a_stores,
		hr->a_stores >= A_MAX_STORES ? " (its limit)" : "");
	fprintf(out, "  check --level lin: %s",
		rc_verdict_name(verdict(hr->lin)));
	if (hr->lin != NULL && hr->lin->nparts > 0 &&
	    hr->lin->verdict == RC_VERDICT_VIOLATION)
		fprintf(out,
			" (the longest linearizable prefix has %zu of "
			"%zu operations)",
			hr->lin->parts[0].norder, hr->lin->nops);
	fprintf(out, "\n  check --level sc:  %s\n",
		rc_verdict_name(verdict(hr->sc)));
	if (hr->stale_op == SIZE_MAX)
		return;
	op_text(hr, hr->newer, a, sizeof a);
	fprintf(out,
		"  witness: the write returned before the read was "
		"invoked, yet the read\n  missed it:\n    %s\n",
		a);
	op_text(hr, hr->stale_op, a, sizeof a);
	fprintf(out, "    %s\n", a);
	if (hr->lin != NULL && hr->lin->nparts > 0 &&
	    hr->lin->verdict == RC_VERDICT_VIOLATION) {
		const struct rc_check_part *p = &hr->lin->parts[0];

		fprintf(out, "  lin: after the longest prefix, none of these "
			     "can come next:\n");
		for (size_t i = 0; i < p->nblocked && i < 4; i++) {
			op_text(hr, p->blocked[i], a, sizeof a);
			fprintf(out, "    %s\n", a);
		}
	}
	if (hr->sc != NULL && hr->sc->nparts > 0 &&
	    hr->sc->verdict == RC_VERDICT_OK) {
		const struct rc_check_part *p = &hr->sc->parts[0];
		size_t at = pos_in(p, hr->stale_op), from, to;

		if (at == SIZE_MAX)
			return;
		from = at >= 2 ? at - 2 : 0;
		to = at + 3 < p->norder ? at + 3 : p->norder;
		fprintf(out,
			"  sc: the checker's order of all %zu operations "
			"puts the stale read\n  before the write "
			"(operations %zu to %zu of it):\n",
			p->norder, from + 1, to);
		for (size_t k = from; k < to; k++) {
			op_text(hr, p->order[k], a, sizeof a);
			fprintf(out, "    %s%s\n", a,
				k == at ? "   <- the stale read" : "");
		}
	}
}

static void history_text(const void *p, FILE *out)
{
	const struct history_result *res = p;
	char where[128];

	snprintf(where, sizeof where, "A and R on CPU %u, B on CPU %u%s",
		 res->sc.cpu_ar, res->sc.cpu_b,
		 res->sc.pinned ? "" : " (pinning failed)");
	fprintf(out,
		"Replica A stores to location 1 without pause; each round, "
		"R (sharing A's\n"
		"CPU) wakes up, has B store the next value to location 0, "
		"then loads it.\n"
		"The history of location 0 (B's stores, R's loads) is "
		"recorded and checked\n"
		"as a register (%s).\n\n",
		where);
	run_text(&res->sc, out);
	if (res->sc.stale_reads == 0)
		fprintf(out,
			"  no stale read in %u runs of at most %u rounds: "
			"this time the sc object\n"
			"  behaved linearizably (rerun, or raise "
			"--history-rounds)\n",
			res->sc.runs, res->rounds);
	else if (res->sc.runs > 1)
		fprintf(out, "  (runs 1 to %u showed no stale read)\n",
			res->sc.runs - 1);
	fputc('\n', out);
	run_text(&res->lin, out);
}

static void run_json(struct cli_json *j, const struct hist_run *hr)
{
	cli_json_obj(j);
	cli_json_kv_str(j, "level", rc_level_name(hr->level));
	cli_json_kv_uint(j, "runs", hr->runs);
	cli_json_kv_uint(j, "rounds", hr->rounds);
	cli_json_kv_uint(j, "operations", rc_history_len(hr->h));
	cli_json_kv_uint(j, "stale_reads", hr->stale_reads);
	cli_json_kv_uint(j, "a_stores", hr->a_stores);
	cli_json_kv_bool(j, "pinned", hr->pinned);
	cli_json_kv_str(j, "lin", rc_verdict_name(verdict(hr->lin)));
	cli_json_kv_str(j, "sc", rc_verdict_name(verdict(hr->sc)));
	cli_json_key(j, "witness");
	if (hr->stale_op == SIZE_MAX) {
		cli_json_null(j);
	} else {
		const struct rc_hop *r = rc_history_op(hr->h, hr->stale_op),
				    *w = rc_history_op(hr->h, hr->newer);

		cli_json_obj(j);
		cli_json_kv_int(j, "read_value", r->result);
		cli_json_kv_int(j, "read_call_ns", r->call - hr->t0);
		cli_json_kv_int(j, "write_value", w->arg[0]);
		cli_json_kv_int(j, "write_return_ns", w->ret - hr->t0);
		cli_json_obj_end(j);
	}
	cli_json_obj_end(j);
}

static void history_json(const void *p, struct cli_json *j)
{
	const struct history_result *res = p;

	cli_json_obj(j);
	cli_json_kv_uint(j, "max_runs", res->tries);
	cli_json_kv_uint(j, "max_rounds", res->rounds);
	cli_json_key(j, "sc");
	run_json(j, &res->sc);
	cli_json_key(j, "lin");
	run_json(j, &res->lin);
	cli_json_obj_end(j);
}

static void history_html(const void *p, FILE *out)
{
	demo_html_pre(out, history_text, p);
}

const struct demo_part demo_part_history = {
	"history",
	"A history check: sequentially consistent, not "
	"linearizable",
	history_run,
	history_text,
	history_json,
	history_html,
	history_free,
};
