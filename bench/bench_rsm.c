/* SPDX-License-Identifier: MIT */
/* bench_rsm.c: `replicore bench rsm`, hash-map throughput of rc_rsm against a global spinlock, a reader-writer lock, liburcu's lock-free hash table and flat combining. */
#include <math.h>
#include <pthread.h>
#include <sys/wait.h>
#include <unistd.h>
#ifdef __GLIBC__
#include <malloc.h>
#endif
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

#include <ck_rwlock.h>
#include <ck_spinlock.h>
#include <urcu/urcu-memb.h>
#include <urcu/rculfhash.h>

#include <replicore/paxos.h>
#include <replicore/rsm.h>

#include "bench/bench.h"
#include "examples/rsm_map.h"
#include "protocols/rand.h"
#include "runtime/tsan.h"

/*
 * The workload of Node Replication's hash-map experiment, scaled down: a
 * map prefilled with KEYS keys; each thread runs get or put (the update
 * share is the mix: 0, 10, 50, 90, 100%) of uniformly random keys for the
 * sample's duration. Implementations of the same sequential map
 * (examples/rsm_map.h), except lfht:
 *
 *   rsm       rc_rsm: a replica per NUMA node of the layout, the shared
 *             log, flat combining per node, linearizable reads
 *   spinlock  one map under one global ck_spinlock (fetch-and-store)
 *   rwlock    one map under one ck_rwlock (gets share it)
 *   lfht      liburcu's lock-free resizable hash table (cds_lfht, memb
 *             flavour, as many buckets as keys): gets look up under
 *             rcu_read_lock; puts store the value into the key's node
 *             (every key is there after the prefill; a missing key
 *             would be added, a replaced node freed after a grace
 *             period)
 *   fc        flat combining without replication: one map, one
 *             combiner applying every thread's posted operation
 *
 * Threads 1..P (P: the layout's PUs, or --threads) are placed by
 * rc_topo_spread: one per NUMA node first, so a 4-socket machine sees
 * rsm's replicas all in use from 4 threads on, as in the paper's plots.
 * Each sample builds a fresh structure. Throughput is all threads'
 * operations over the sample's wall time.
 */

#define KEYS 16384u
#define CHECK_EVERY 64 /* operations between two looks at the stop flag */

enum {
	IMPL_RSM = RC_BENCH_RSM,
	IMPL_SPIN = RC_BENCH_RSM_SPIN,
	IMPL_RW = RC_BENCH_RSM_RW,
	IMPL_LFHT = RC_BENCH_RSM_LFHT,
	IMPL_FC = RC_BENCH_RSM_FC,
	NIMPLS = RC_BENCH_RSM_NIMPLS
};
static const char *const impl_name[] = { "rsm", "spinlock", "rwlock", "lfht",
					 "fc" };
static const unsigned mix_pct[] = { 0, 10, 50, 90, 100 };
#define NMIXES (sizeof(mix_pct) / sizeof(mix_pct[0]))

/* ---- the sequential map, prefilled: the same state on every replica */

static void *bench_map_init(void *arg, unsigned node)
{
	void *m = map_init(arg, node);

	for (uint64_t k = 1; m && k <= KEYS; k++)
		map_apply(m, MAP_OP(MAP_PUT, k), k);
	return m;
}

static const struct rc_rsm_ops bench_map_ops = { bench_map_init, map_apply,
						 map_is_read,	 map_fini,
						 NULL,		 NULL };

/* ---- lock-based baselines */

struct locked {
	_Alignas(RC_BENCH_LINE) ck_spinlock_t spin;
	_Alignas(RC_BENCH_LINE) ck_rwlock_t rw;
	_Alignas(RC_BENCH_LINE) void *map;
};

/* ---- flat combining without replication */

#define FC_MAX_THREADS 4096u

struct fc_slot {
	_Alignas(RC_BENCH_LINE) _Atomic unsigned state; /* 0 idle, 1 posted,
							  2 done */
	uint64_t op, arg, result;
};

struct fc {
	_Alignas(RC_BENCH_LINE) _Atomic bool lock;
	_Alignas(RC_BENCH_LINE) void *map;
	unsigned nslots;
	struct fc_slot *slots;
};

static uint64_t fc_execute(struct fc *fc, unsigned id, uint64_t op,
			   uint64_t arg)
{
	struct fc_slot *s = &fc->slots[id];

	s->op = op;
	s->arg = arg;
	/* Release: publishes op and arg to the combiner's acquire. */
	atomic_store_explicit(&s->state, 1, memory_order_release);
	for (;;) {
		/* Acquire: pairs with the combiner's release of done. */
		if (atomic_load_explicit(&s->state, memory_order_acquire) == 2)
			break;
		/* Acquire: the previous combiner's map writes. */
		if (!atomic_load_explicit(&fc->lock, memory_order_relaxed) &&
		    !atomic_exchange_explicit(&fc->lock, true,
					      memory_order_acquire)) {
			for (unsigned i = 0; i < fc->nslots; i++) {
				struct fc_slot *o = &fc->slots[i];

				/* Acquire: pairs with the poster's release. */
				if (atomic_load_explicit(
					    &o->state, memory_order_acquire) !=
				    1)
					continue;
				o->result = map_apply(fc->map, o->op, o->arg);
				/* Release: publishes the result. */
				atomic_store_explicit(&o->state, 2,
						      memory_order_release);
			}
			/* Release: the map writes to the next combiner. */
			atomic_store_explicit(&fc->lock, false,
					      memory_order_release);
		} else {
			ck_pr_stall();
		}
	}
	/* Relaxed: only the owner looks at an idle slot. */
	atomic_store_explicit(&s->state, 0, memory_order_relaxed);
	return s->result;
}

/* ---- liburcu's hash table */

struct lfht_node {
	struct cds_lfht_node node;
	uint64_t key;
	_Atomic uint64_t val;
	struct lfht_node *next; /* lfht_destroy's list of removed nodes */
};

static unsigned long lfht_hash(uint64_t key)
{
	return (unsigned long)(key * 0x9e3779b97f4a7c15ull);
}

static int lfht_match(struct cds_lfht_node *n, const void *key)
{
	return caa_container_of(n, struct lfht_node, node)->key ==
	       *(const uint64_t *)key;
}

/*
 * A put of a key that is there stores the new value into its node (the
 * nodes are never removed while the threads run); a new key gets a node,
 * and a node it replaces is freed after a grace period (synchronize_rcu:
 * the bench prefills every key, so this never runs while it measures).
 */
static bool lfht_put(struct cds_lfht *ht, uint64_t key, uint64_t val)
{
	struct lfht_node *n, *old;
	struct cds_lfht_iter it;
	struct cds_lfht_node *o;

	urcu_memb_read_lock();
	cds_lfht_lookup(ht, lfht_hash(key), lfht_match, &key, &it);
	o = cds_lfht_iter_get_node(&it);
	if (o) {
		/* Release: pairs with the acquire load in lfht_get. */
		atomic_store_explicit(
			&caa_container_of(o, struct lfht_node, node)->val, val,
			memory_order_release);
		urcu_memb_read_unlock();
		return true;
	}
	urcu_memb_read_unlock();
	n = malloc(sizeof(*n));
	if (!n)
		return false;
	cds_lfht_node_init(&n->node);
	n->key = key;
	atomic_init(&n->val, val);
	urcu_memb_read_lock();
	o = cds_lfht_add_replace(ht, lfht_hash(key), lfht_match, &key,
				 &n->node);
	urcu_memb_read_unlock();
	if (o) {
		old = caa_container_of(o, struct lfht_node, node);
		urcu_memb_synchronize_rcu();
		free(old);
	}
	return true;
}

static uint64_t lfht_get(struct cds_lfht *ht, uint64_t key)
{
	struct cds_lfht_iter it;
	struct cds_lfht_node *n;
	uint64_t v = 0;

	urcu_memb_read_lock();
	cds_lfht_lookup(ht, lfht_hash(key), lfht_match, &key, &it);
	n = cds_lfht_iter_get_node(&it);
	if (n)
		/* Acquire: pairs with the release store in lfht_put. */
		v = atomic_load_explicit(
			&caa_container_of(n, struct lfht_node, node)->val,
			memory_order_acquire);
	urcu_memb_read_unlock();
	return v;
}

/* Empties and frees the table; no other thread is using it. */
static void lfht_destroy(struct cds_lfht *ht)
{
	struct lfht_node *removed = NULL, *x;
	struct cds_lfht_iter it;
	struct cds_lfht_node *n;

	urcu_memb_read_lock();
	cds_lfht_for_each(ht, &it, n)
	{
		if (cds_lfht_del(ht, n) == 0) {
			x = caa_container_of(n, struct lfht_node, node);
			x->next = removed;
			removed = x;
		}
	}
	urcu_memb_read_unlock();
	urcu_memb_synchronize_rcu();
	while (removed) {
		x = removed->next;
		free(removed);
		removed = x;
	}
	cds_lfht_destroy(ht, NULL);
}

/* ---- one sample */

struct shared {
	int impl;
	const rc_topo_t *topo;
	rc_rsm_t *rsm;
	struct locked *locked;
	struct fc *fc;
	struct cds_lfht *ht;
};

struct worker {
	_Alignas(RC_BENCH_LINE) struct shared *sh;
	unsigned id, pu, upd_pct;
	_Atomic bool *stop;
	struct rc_bench_gate *gate;
	unsigned parties;
	/* results */
	uint64_t ops, elapsed_ns, sink;
	bool failed;
};

static uint64_t one_op(struct worker *w, rc_rsm_handle_t *h, uint64_t key,
		       bool upd, uint64_t val)
{
	struct shared *sh = w->sh;
	uint64_t op = MAP_OP(upd ? MAP_PUT : MAP_GET, key), r = 0;

	switch (sh->impl) {
	case IMPL_RSM:
		/* No bounded wait (make_shared): it returns 0. */
		(void)rc_rsm_execute(h, op, val, &r);
		return r;
	case IMPL_SPIN:
		ck_spinlock_lock(&sh->locked->spin);
		RC_TSAN_ACQUIRE(&sh->locked->spin);
		r = map_apply(sh->locked->map, op, val);
		RC_TSAN_RELEASE(&sh->locked->spin);
		ck_spinlock_unlock(&sh->locked->spin);
		return r;
	case IMPL_RW:
		if (upd) {
			ck_rwlock_write_lock(&sh->locked->rw);
			RC_TSAN_ACQUIRE(&sh->locked->rw);
			r = map_apply(sh->locked->map, op, val);
			RC_TSAN_RELEASE(&sh->locked->rw);
			ck_rwlock_write_unlock(&sh->locked->rw);
		} else {
			ck_rwlock_read_lock(&sh->locked->rw);
			RC_TSAN_ACQUIRE(&sh->locked->rw);
			r = map_apply(sh->locked->map, op, val);
			RC_TSAN_RELEASE(&sh->locked->rw);
			ck_rwlock_read_unlock(&sh->locked->rw);
		}
		return r;
	case IMPL_LFHT:
		if (upd) {
			if (!lfht_put(sh->ht, key, val))
				w->failed = true;
			return 0;
		}
		return lfht_get(sh->ht, key);
	default:
		return fc_execute(sh->fc, w->id, op, val);
	}
}

static void *worker_main(void *arg)
{
	struct worker *w = arg;
	struct shared *sh = w->sh;
	rc_err_t err = RC_ERR_INITIALIZER;
	rc_rsm_handle_t *h = NULL;
	uint64_t n = 0, sink = 0, t0, x = 0x9e3779b97f4a7c15ull * (w->id + 1);

	if (sh->impl == IMPL_RSM) {
		if (rc_rsm_register(sh->rsm, w->pu, RC_RSM_PIN, &h, &err) < 0)
			w->failed = true;
	} else if (rc_topo_pin(sh->topo, w->pu, &err) < 0) {
		w->failed = true;
	}
	if (sh->impl == IMPL_LFHT)
		urcu_memb_register_thread();
	_rc_bench_gate_wait(w->gate, w->parties);
	t0 = _rc_bench_now();
	if (sh->impl != IMPL_RSM || h != NULL) {
		do {
			for (unsigned k = 0; k < CHECK_EVERY; k++, n++) {
				x ^= x << 13;
				x ^= x >> 7;
				x ^= x << 17;
				sink += one_op(w, h, 1 + (x >> 40) % KEYS,
					       x % 100 < w->upd_pct,
					       (x & 0xffff) + 1);
			}
			/* relaxed: the stop flag carries no data; join
			 * orders the results */
		} while (!atomic_load_explicit(w->stop, memory_order_relaxed));
	}
	w->elapsed_ns = _rc_bench_now() - t0;
	w->ops = n;
	w->sink = sink;
	if (sh->impl == IMPL_LFHT)
		urcu_memb_unregister_thread();
	rc_rsm_unregister(h);
	return NULL;
}

static bool make_shared(struct shared *sh, int impl, const rc_topo_t *topo,
			unsigned t)
{
	memset(sh, 0, sizeof(*sh));
	sh->impl = impl;
	sh->topo = topo;
	switch (impl) {
	case IMPL_RSM: {
		struct rc_rsm_options o = RC_RSM_OPTIONS_INITIALIZER;

		o.max_node_threads = t;
		return rc_rsm_create(&sh->rsm, &bench_map_ops, NULL, topo, &o,
				     NULL) == 0;
	}
	case IMPL_SPIN:
	case IMPL_RW:
		sh->locked = aligned_alloc(RC_BENCH_LINE, sizeof(*sh->locked));
		if (!sh->locked)
			return false;
		ck_spinlock_init(&sh->locked->spin);
		ck_rwlock_init(&sh->locked->rw);
		sh->locked->map = bench_map_init(NULL, 0);
		return sh->locked->map != NULL;
	case IMPL_LFHT:
		sh->ht = cds_lfht_new_flavor(KEYS, KEYS, 0, 0,
					     &urcu_memb_flavor, NULL);
		if (!sh->ht)
			return false;
		urcu_memb_register_thread();
		for (uint64_t k = 1; k <= KEYS; k++)
			lfht_put(sh->ht, k, k);
		urcu_memb_unregister_thread();
		return true;
	default:
		sh->fc = aligned_alloc(RC_BENCH_LINE, sizeof(*sh->fc));
		if (!sh->fc)
			return false;
		memset(sh->fc, 0, sizeof(*sh->fc));
		atomic_init(&sh->fc->lock, false);
		sh->fc->nslots = t;
		sh->fc->slots = aligned_alloc(RC_BENCH_LINE,
					      t * sizeof(struct fc_slot));
		sh->fc->map = bench_map_init(NULL, 0);
		if (!sh->fc->slots || !sh->fc->map)
			return false;
		for (unsigned i = 0; i < t; i++)
			atomic_init(&sh->fc->slots[i].state, 0);
		return true;
	}
}

static void free_shared(struct shared *sh)
{
	if (sh->rsm)
		rc_rsm_destroy(sh->rsm);
	if (sh->locked) {
		if (sh->locked->map)
			map_fini(sh->locked->map);
		free(sh->locked);
	}
	if (sh->ht) {
		urcu_memb_register_thread();
		lfht_destroy(sh->ht);
		urcu_memb_unregister_thread();
	}
	if (sh->fc) {
		if (sh->fc->map)
			map_fini(sh->fc->map);
		free(sh->fc->slots);
		free(sh->fc);
	}
}

/* One sample: *mops, millions of operations per second over all threads. */
static bool sample(const rc_topo_t *topo, const unsigned *pus, unsigned t,
		   int impl, unsigned upd_pct, double duration,
		   struct worker *w, double *mops, bool *pin_failed)
{
	static struct {
		_Alignas(RC_BENCH_LINE) _Atomic bool stop;
	} flag;
	struct rc_bench_gate gate;
	struct shared sh;
	double wall = 0, total = 0;
	bool ok;

	if (!make_shared(&sh, impl, topo, t)) {
		free_shared(&sh);
		return false;
	}
	memset(&gate, 0, sizeof gate);
	atomic_init(&gate.arrived, 0);
	atomic_store_explicit(&flag.stop, false, memory_order_relaxed);
	for (unsigned i = 0; i < t; i++) {
		memset(&w[i], 0, sizeof w[i]);
		w[i].sh = &sh;
		w[i].id = i;
		w[i].pu = pus[i];
		w[i].upd_pct = upd_pct;
		w[i].stop = &flag.stop;
		w[i].gate = &gate;
		w[i].parties = t + 1;
	}
	ok = _rc_bench_run_workers(t, worker_main, w, sizeof(*w), &gate,
				   &flag.stop, duration);
	for (unsigned i = 0; ok && i < t; i++) {
		if (w[i].failed)
			*pin_failed = true;
		total += (double)w[i].ops;
		wall = fmax(wall, (double)w[i].elapsed_ns);
	}
	free_shared(&sh);
	*mops = wall > 0 ? total / wall * 1e3 : NAN;
	return ok;
}

bool _rc_bench_rsm_sample(const rc_topo_t *topo, const unsigned *pus,
			  unsigned t, enum rc_bench_rsm_impl impl,
			  unsigned upd_pct, double duration, double *mops,
			  bool *pin_failed)
{
	struct worker *w;
	bool ok;

	if (t == 0 || t > FC_MAX_THREADS)
		return false;
	w = aligned_alloc(RC_BENCH_LINE, t * sizeof(*w));
	if (!w)
		return false;
	ok = sample(topo, pus, t, (int)impl, upd_pct, duration, w, mops,
		    pin_failed);
	free(w);
	return ok;
}

/* ---- --memory: the resident size over a long run of each log */

/*
 * Two shapes per log, on the layout MEM_LAYOUT: one thread pinned on node
 * 0 and one on node 1, each making half the commands ("busy"), or node
 * 1's stopping after a tenth of them, so that node 1 is live but idle for
 * the rest (test_rsm_memory's shape, with the map in place of its
 * counter); node 2 idle over the shared-memory log and crashed over the
 * Paxos log, which keeps snapshots (a replica's after every
 * RC_RSM_SNAPSHOT_EVERY entries it applies). Each thread draws its keys
 * (1..KEYS), its gets and puts (MEM_PUT_PCT% puts) and its values from a
 * splitmix64 stream of its own, seeded MEM_SEED + its node, so every run
 * issues the same commands; the map is prefilled with every key and keeps
 * its size, so what could grow is the replication's. The RSS is read by
 * the thread that completes command MEM_MARK (command n / 10 of a run of
 * fewer than 10 * MEM_MARK) and by the main thread after the joins.
 */
#define MEM_LAYOUT "numa:3 core:1 pu:1"
#define MEM_COMMANDS 10000000ull
#define MEM_MARK 1000000ull
#define MEM_PUT_PCT 50u
#define MEM_SEED 1ull
#define MEM_TOLERANCE 0.10

/* The map with its snapshots, which the Paxos log compacts to. */
static const struct rc_rsm_ops mem_map_ops = { bench_map_init, map_apply,
					       map_is_read,    map_fini,
					       map_snapshot,   map_restore };

struct mem_run {
	/* commands completed by both threads */
	_Alignas(RC_BENCH_LINE) _Atomic uint64_t done;
	_Alignas(RC_BENCH_LINE) rc_rsm_t *rsm;
	uint64_t mark, tenth;
	/* each written once, by the thread that completed that command */
	uint64_t rss_mark, rss_tenth[10], heap_mark;
};

/*
 * The bytes the allocator has handed out and not had back (glibc's
 * mallinfo2: in-use heap chunks and mmapped blocks), 0 where unknown: the
 * memory the program holds, which the resident size exceeds by what the
 * allocator keeps after frees.
 */
static uint64_t heap_in_use(void)
{
#if defined(__GLIBC__) && (__GLIBC__ > 2 || __GLIBC_MINOR__ >= 33)
	struct mallinfo2 mi = mallinfo2();

	return (uint64_t)mi.uordblks + (uint64_t)mi.hblkhd;
#else
	return 0;
#endif
}

struct mem_worker {
	_Alignas(RC_BENCH_LINE) struct mem_run *run;
	unsigned pu;
	uint64_t n, seed, ok, sink;
	bool failed;
};

static void *mem_worker_main(void *arg)
{
	struct mem_worker *w = arg;
	struct mem_run *r = w->run;
	rc_rsm_handle_t *h;
	uint64_t s = w->seed;

	if (rc_rsm_register(r->rsm, w->pu, RC_RSM_PIN, &h, NULL) < 0) {
		w->failed = true;
		return NULL;
	}
	for (uint64_t i = 0; i < w->n; i++) {
		uint64_t x = _rc_rand(&s), v = 0, d;
		bool put = (x >> 32) % 100 < MEM_PUT_PCT;

		/* No bounded wait (mem_one): it returns 0. */
		if (rc_rsm_execute(
			    h, MAP_OP(put ? MAP_PUT : MAP_GET, 1 + x % KEYS),
			    ((x >> 16) & 0xffff) + 1, &v) == 0)
			w->ok++;
		w->sink += v;
		/* relaxed: a count that picks the reader of each mark; the
		 * joins order the readings before the main thread's */
		d = atomic_fetch_add_explicit(&r->done, 1,
					      memory_order_relaxed) +
		    1;
		if (d == r->mark) {
			r->rss_mark = _rc_bench_rss();
			r->heap_mark = heap_in_use();
		}
		if (d % r->tenth == 0 && d / r->tenth <= 10)
			r->rss_tenth[d / r->tenth - 1] = _rc_bench_rss();
	}
	rc_rsm_unregister(h);
	return NULL;
}

/* One log's run and what it measured. */
struct mem_res {
	const char *log, *what;
	bool idle; /* node 1's thread stops after a tenth */
	bool made, failed;
	uint64_t commands, completed, mark, rss_mark, rss_end, rss_tenth[10];
	uint64_t heap_mark, heap_end; /* heap_in_use(), 0: unknown */
	double seconds, ratio;
};

static void mem_one(const rc_topo_t *topo, bool paxos, bool idle, uint64_t n,
		    struct mem_res *res)
{
	struct rc_rsm_options o = RC_RSM_OPTIONS_INITIALIZER;
	rc_err_t err = RC_ERR_INITIALIZER;
	struct mem_worker *w = NULL;
	struct mem_run *r = NULL;
	rc_log_t *log = NULL;
	pthread_t t[2];
	unsigned started = 0;
	uint64_t t0;

	static const char *const what[2][2] = {
		{ "shm, node 2 idle", "shm, nodes 1 (at 1/10) and 2 idle" },
		{ "paxos, snapshots, node 2 crashed",
		  "paxos, node 1 idle at 1/10, 2 crashed" }
	};

	res->log = paxos ? "paxos" : "shm";
	res->what = what[paxos][idle];
	res->idle = idle;
	res->commands = n;
	res->mark = n >= 10 * MEM_MARK ? MEM_MARK : n / 10;
	res->ratio = NAN;
	if (paxos) {
		struct rc_paxos_opts po;

		rc_log_paxos_defaults(&po);
		po.topo = topo;
		po.snapshots = true;
		if (rc_log_paxos_create(&log, 3, &po, &err) < 0)
			goto out;
	} else if (rc_log_shm_create(&log, 3, RC_RSM_LOG_CAPACITY, &err) < 0) {
		goto out;
	}
	r = aligned_alloc(RC_BENCH_LINE, sizeof(*r));
	w = aligned_alloc(RC_BENCH_LINE, 2 * sizeof(*w));
	if (r == NULL || w == NULL)
		goto out;
	memset(r, 0, sizeof(*r));
	atomic_init(&r->done, 0);
	r->mark = res->mark;
	r->tenth = n / 10;
	o.log = log;
	if (rc_rsm_create(&r->rsm, &mem_map_ops, NULL, topo, &o, &err) < 0)
		goto out;
	if (paxos && rc_paxos_crash(rc_log_paxos_group(log), 2) < 0) {
		rc_err_set(&err, RC_ESYS, NULL, 0, 0,
			   "node 2 could not be crashed");
		goto out;
	}
	res->made = true;
	/* The first reading's fopen allocates (stdio's buffer and the
	 * heap's growth for it): done here, before the run, it is not
	 * counted between the first size and the last (3% of the
	 * shared-memory log's 4.9 MiB). */
	(void)_rc_bench_rss();
	(void)heap_in_use();
	t0 = _rc_bench_now();
	for (; started < 2; started++) {
		struct mem_worker *x = &w[started];

		memset(x, 0, sizeof(*x));
		x->run = r;
		x->pu = started; /* PU i sits on node i */
		x->n = idle ? (started == 0 ? n - n / 10 : n / 10)
			    : (started == 0 ? n - n / 2 : n / 2);
		x->seed = MEM_SEED + started;
		if (pthread_create(&t[started], NULL, mem_worker_main, x) != 0)
			break;
	}
	for (unsigned i = 0; i < started; i++) {
		pthread_join(t[i], NULL);
		res->completed += w[i].ok;
		res->failed |= w[i].failed;
	}
	res->failed |= started < 2;
	res->seconds = (double)(_rc_bench_now() - t0) * 1e-9;
	res->rss_end = _rc_bench_rss();
	res->heap_end = heap_in_use();
	res->rss_mark = r->rss_mark;
	res->heap_mark = r->heap_mark;
	memcpy(res->rss_tenth, r->rss_tenth, sizeof res->rss_tenth);
	if (res->rss_mark > 0 && res->rss_end > 0)
		res->ratio = (double)res->rss_end / (double)res->rss_mark;
out:
	if (err.code != 0)
		fprintf(stderr, "replicore bench rsm: %s log: %s\n", res->log,
			err.msg);
	if (r != NULL && r->rsm != NULL)
		rc_rsm_destroy(r->rsm);
	if (log != NULL)
		rc_log_destroy(log);
	free(r);
	free(w);
}

/*
 * mem_one in a child process, so that each row's resident size is its
 * own: after a row the parent's heap stays as large as the allocator
 * keeps it, which the next row would start from. The child hands its
 * result back through a pipe; without a child (fork or pipe failed) the
 * row runs here, and says so.
 */
static void mem_row(const rc_topo_t *topo, bool paxos, bool idle, uint64_t n,
		    struct mem_res *res)
{
	int fd[2];
	pid_t pid;
	size_t got = 0;

	if (pipe(fd) < 0) {
		mem_one(topo, paxos, idle, n, res);
		return;
	}
	fflush(stdout);
	fflush(stderr);
	pid = fork();
	if (pid < 0) {
		close(fd[0]);
		close(fd[1]);
		mem_one(topo, paxos, idle, n, res);
		return;
	}
	if (pid == 0) {
		const char *p = (const char *)res;
		size_t put = 0;

		close(fd[0]);
		mem_one(topo, paxos, idle, n, res);
		while (put < sizeof(*res)) {
			ssize_t k = write(fd[1], p + put, sizeof(*res) - put);

			if (k <= 0)
				break;
			put += (size_t)k;
		}
		_exit(put == sizeof(*res) ? 0 : 1);
	}
	close(fd[1]);
	while (got < sizeof(*res)) {
		ssize_t k = read(fd[0], (char *)res + got, sizeof(*res) - got);

		if (k <= 0)
			break;
		got += (size_t)k;
	}
	close(fd[0]);
	waitpid(pid, NULL, 0);
	if (got != sizeof(*res)) {
		memset(res, 0, sizeof(*res));
		res->log = paxos ? "paxos" : "shm";
		res->what = "(the row's process died)";
		res->idle = idle;
		res->commands = n;
		res->ratio = NAN;
	}
}

/* Whether the end's RSS is within MEM_TOLERANCE of the mark's. */
static bool mem_within(const struct mem_res *m)
{
	return isfinite(m->ratio) && fabs(m->ratio - 1) <= MEM_TOLERANCE;
}

static int bench_rsm_memory(struct rc_bench_opts *o)
{
	rc_err_t err = RC_ERR_INITIALIZER;
	uint64_t n = o->commands ? o->commands : MEM_COMMANDS;
	struct mem_res res[4];
	double load_start, load_end;
	bool failed = false;
	struct cli_json j;
	rc_topo_t *topo;

	if (rc_topo_open(&topo, MEM_LAYOUT, NULL, &err) < 0) {
		fprintf(stderr, "replicore bench rsm: ");
		rc_err_print(&err, stderr);
		return CLI_EXIT_FOUND;
	}
	o->duration = 0;
	o->repeat = 1;
	o->warmup = "not timed: one run per log; the resident size after "
		    "its first 1,000,000 commands (its first tenth when it "
		    "runs fewer than 10,000,000) is the baseline";
	load_start = _rc_bench_load();
	memset(res, 0, sizeof res);
	for (unsigned k = 0; k < 4; k++) {
		_rc_bench_progress(
			o, "%s log%s, %llu commands", k & 1 ? "paxos" : "shm",
			k & 2 ? ", node 1 idle" : "", (unsigned long long)n);
		mem_row(topo, k & 1, k & 2, n, &res[k]);
		failed |=
			!res[k].made || res[k].failed || res[k].completed != n;
	}
	_rc_bench_progress(o, NULL);
	load_end = _rc_bench_load();
	if (o->json) {
		_rc_bench_json_begin(&j, o, topo, "ns");
		cli_json_key(&j, "results");
		cli_json_arr(&j);
		for (unsigned k = 0; k < 4; k++) {
			const struct mem_res *m = &res[k];

			cli_json_obj(&j);
			cli_json_kv_str(&j, "log", m->log);
			cli_json_kv_str(&j, "what", m->what);
			cli_json_kv_bool(&j, "node1_idle", m->idle);
			cli_json_kv_str(&j, "layout", MEM_LAYOUT);
			cli_json_kv_uint(&j, "keys", KEYS);
			cli_json_kv_uint(&j, "update_pct", MEM_PUT_PCT);
			cli_json_key(&j, "seeds");
			cli_json_arr(&j);
			cli_json_uint(&j, MEM_SEED);
			cli_json_uint(&j, MEM_SEED + 1);
			cli_json_arr_end(&j);
			cli_json_kv_uint(&j, "commands", m->commands);
			cli_json_kv_uint(&j, "completed", m->completed);
			cli_json_kv_uint(&j, "first_commands", m->mark);
			_rc_bench_json_num(&j, "rss_first_kib",
					   m->rss_mark ? m->rss_mark / 1024.0
						       : NAN);
			_rc_bench_json_num(&j, "rss_end_kib",
					   m->made && m->rss_end
						   ? m->rss_end / 1024.0
						   : NAN);
			cli_json_key(&j, "rss_tenths_kib");
			cli_json_arr(&j);
			for (unsigned i = 0; i < 10; i++)
				if (m->rss_tenth[i])
					cli_json_uint(&j,
						      m->rss_tenth[i] / 1024);
				else
					cli_json_null(&j);
			cli_json_arr_end(&j);
			_rc_bench_json_num(&j, "end_vs_first", m->ratio);
			_rc_bench_json_num(&j, "heap_first_kib",
					   m->heap_mark ? m->heap_mark / 1024.0
							: NAN);
			_rc_bench_json_num(&j, "heap_end_kib",
					   m->heap_end ? m->heap_end / 1024.0
						       : NAN);
			cli_json_kv_double(&j, "tolerance", MEM_TOLERANCE);
			cli_json_kv_bool(&j, "within_tolerance", mem_within(m));
			_rc_bench_json_num(&j, "seconds",
					   m->made ? m->seconds : NAN);
			cli_json_obj_end(&j);
		}
		cli_json_arr_end(&j);
		_rc_bench_json_num(&j, "load_start", load_start);
		_rc_bench_json_num(&j, "load_end", load_end);
		_rc_bench_json_end(&j);
	} else {
		uint64_t mark = res[0].mark;

		printf("rc_rsm hash map: resident size after the first %llu "
		       "of %llu commands and at the end, per log\n",
		       (unsigned long long)mark, (unsigned long long)n);
		printf("%u keys prefilled, %u%% puts, seeds %llu (node 0's "
		       "thread) and %llu (node 1's); layout %s; half the "
		       "commands each, or node 1's thread stopping after "
		       "%llu (idle)\n",
		       KEYS, MEM_PUT_PCT, (unsigned long long)MEM_SEED,
		       (unsigned long long)MEM_SEED + 1, MEM_LAYOUT,
		       (unsigned long long)(n / 10));
		printf("cpu: %s; load %.2f at the start, %.2f at the end\n",
		       _rc_bench_cpu_model(), load_start, load_end);
		printf("\n%-38s %11s %14s %12s %9s %10s %8s %11s\n", "log",
		       "commands", "RSS first KiB", "RSS end KiB", "end/first",
		       "within 10%", "seconds", "heap e/f");
		for (unsigned k = 0; k < 4; k++) {
			const struct mem_res *m = &res[k];

			printf("%-38s %11llu %14llu %12llu %9.3f %10s %8.1f",
			       m->what, (unsigned long long)m->completed,
			       (unsigned long long)m->rss_mark / 1024,
			       (unsigned long long)m->rss_end / 1024, m->ratio,
			       mem_within(m) ? "yes" : "no", m->seconds);
			if (m->heap_mark && m->heap_end)
				printf(" %11.3f\n",
				       (double)m->heap_end /
					       (double)m->heap_mark);
			else
				printf(" %11s\n", "n/a");
		}
		for (unsigned k = 0; k < 4; k++) {
			printf("%s%s RSS KiB at each tenth:", res[k].log,
			       res[k].idle ? " (node 1 idle)" : "");
			for (unsigned i = 0; i < 10; i++)
				printf(" %llu",
				       (unsigned long long)res[k].rss_tenth[i] /
					       1024);
			printf("\n");
		}
	}
	rc_topo_close(topo);
	if (failed)
		fprintf(stderr, "replicore bench rsm: a log or a thread could "
				"not be made, or a command failed\n");
	return failed ? CLI_EXIT_FOUND : CLI_EXIT_OK;
}

static const char rsm_help[] =
	"NAME\n"
	"    replicore bench rsm - a hash map made concurrent by rc_rsm "
	"against the\n"
	"    usual ways\n"
	"\n"
	"SYNOPSIS\n"
	"    replicore bench rsm [--json] [--plot FILE.svg] [--duration S] "
	"[--repeat N]\n"
	"                        [--threads N] [--synthetic SPEC | --xml "
	"FILE]\n"
	"    replicore bench rsm --memory [--commands N] [--json]\n"
	"\n"
	"DESCRIPTION\n"
	"    Runs gets and puts of uniformly random keys on a hash map "
	"prefilled with\n"
	"    16384 keys, at 0, 10, 50, 90 and 100% puts, from 1 to N "
	"threads placed\n"
	"    one per NUMA node first (rc_topo_spread), on five "
	"implementations:\n"
	"      rsm       rc_rsm: a replica per NUMA node, the shared log, "
	"flat\n"
	"                combining per node, linearizable reads\n"
	"      spinlock  one map under one global ck_spinlock\n"
	"      rwlock    one map under one ck_rwlock\n"
	"      lfht      liburcu's lock-free hash table (cds_lfht, memb "
	"flavour)\n"
	"      fc        one map, flat combining without replication\n"
	"    Reports millions of operations per second over all threads, "
	"and the\n"
	"    targets: rsm against rwlock at 10% puts (target: at least 1) "
	"and rsm\n"
	"    against spinlock at 100% puts (target: at least 1/1.5), at the "
	"most\n"
	"    threads. Each sample builds a fresh structure; samples are taken "
	"in\n"
	"    rounds over all measurements (the first round is a discarded "
	"warm-up),\n"
	"    so a change of load spreads over all alike; median, p10/p90 and "
	"min/max\n"
	"    of N samples of S seconds are reported. Measured, never "
	"asserted. On a\n"
	"    machine with several NUMA nodes this is Node Replication's "
	"hash-map\n"
	"    experiment: rsm keeps one replica per node and its reads stay "
	"node-local.\n"
	"\n"
	"    With --memory, instead: the same map (with its snapshots) over "
	"rc_rsm on\n"
	"    the layout \"" MEM_LAYOUT "\", over the shared-memory log "
	"(node 2 idle)\n"
	"    and over the Paxos log with snapshots (node 2 crashed), each "
	"row in a\n"
	"    process of its own. A thread pinned on node 0 and one on node "
	"1 run N\n"
	"    commands, half each, or node 1's stopping after a tenth (the "
	"idle rows),\n"
	"    each drawing keys and 50% puts from a seeded splitmix64 "
	"stream. Prints\n"
	"    the resident size (/proc/self/statm) after the first 1000000 "
	"commands\n"
	"    (the first tenth of a shorter run) and at the end, their "
	"ratio, whether\n"
	"    it is within 10% (the target; reported, never asserted), the "
	"same ratio\n"
	"    of the bytes in use (glibc's mallinfo2), and the size at each "
	"tenth.\n"
	"    Not timed.\n"
	"\n"
	"OPTIONS\n" RC_BENCH_HELP_JSON
	"    --plot FILE.svg   write throughput against threads, one panel "
	"per mix\n"
	"    --duration S      seconds per sample (default 0.05; decimals "
	"allowed)\n"
	"    --repeat N        samples per measurement, 1..1000 (default "
	"3)\n"
	"    --threads N       the most threads (default: the layout's "
	"PUs)\n"
	"    --memory          the resident-size run instead (takes "
	"--commands and\n"
	"                      --json only)\n"
	"    --commands N      commands of the --memory run, 1000..10^12 "
	"(default\n"
	"                      10000000)\n"
	"    --synthetic SPEC  an hwloc synthetic layout, e.g. \"numa:2 "
	"core:1 pu:1\"\n" RC_BENCH_HELP_XML "\n" RC_BENCH_HELP_EXIT_THREADS
	"    With --memory, also 1 when a log could not be made or a command "
	"failed;\n"
	"    a size outside 10% does not change the status.\n"
	"\n"
	"EXAMPLE\n"
	"    replicore bench rsm --synthetic 'numa:2 core:1 pu:1' --json "
	"--plot rsm.svg\n"
	"    replicore bench rsm --memory --json\n";

struct meas {
	int impl;
	unsigned mix, threads, got;
	struct rc_bench_stats mops;
	double *s;
};

static double find(const struct meas *ms, unsigned nm, int impl, unsigned mix,
		   unsigned t)
{
	for (unsigned q = 0; q < nm; q++)
		if (ms[q].impl == impl && ms[q].mix == mix &&
		    ms[q].threads == t)
			return ms[q].mops.n ? ms[q].mops.median : NAN;
	return NAN;
}

static int plot(const char *path, const struct rc_bench_opts *o,
		const rc_topo_t *topo, const struct meas *ms, unsigned nm,
		unsigned tmax, double r90, double r100)
{
	static const double panel_w = 480, panel_h = 300;
	struct rc_svg_series series[NIMPLS];
	double *x, *y, *lo, *hi;
	char sub[512], title[64];
	struct rc_svg *s;

	x = calloc(NIMPLS * tmax, sizeof(double));
	y = calloc(NIMPLS * tmax, sizeof(double));
	lo = calloc(NIMPLS * tmax, sizeof(double));
	hi = calloc(NIMPLS * tmax, sizeof(double));
	snprintf(sub, sizeof sub,
		 "%s; %s%s; median of %u samples of %g s, bars p10-p90; load "
		 "%.2f; rsm/rwlock at 10%% puts %.2f, rsm/spinlock at 100%% "
		 "puts %.2f",
		 _rc_bench_cpu_model(),
		 rc_topo_kind(topo) == RC_TOPO_REAL ? "this machine"
						    : "layout ",
		 rc_topo_kind(topo) == RC_TOPO_REAL ? "" : rc_topo_source(topo),
		 o->repeat, o->duration, _rc_bench_load(), r90, r100);
	s = x && y && lo && hi
		    ? _rc_svg_open(path, (unsigned)(3 * panel_w),
				   (unsigned)(90 + 2 * (panel_h + 30)),
				   "rc_rsm: hash-map throughput against "
				   "threads, per share of puts",
				   sub)
		    : NULL;
	if (s == NULL) {
		free(x);
		free(y);
		free(lo);
		free(hi);
		return -1;
	}
	for (unsigned m = 0; m < NMIXES; m++) {
		double px = (m % 3) * panel_w,
		       py = 70 + (m / 3) * (panel_h + 30);

		for (int i = 0; i < NIMPLS; i++) {
			unsigned n = 0;

			for (unsigned q = 0; q < nm; q++) {
				if (ms[q].impl != i || ms[q].mix != m ||
				    !ms[q].mops.n)
					continue;
				x[i * tmax + n] = ms[q].threads;
				y[i * tmax + n] = ms[q].mops.median;
				lo[i * tmax + n] = ms[q].mops.p10;
				hi[i * tmax + n] = ms[q].mops.p90;
				n++;
			}
			series[i].name = impl_name[i];
			series[i].n = n;
			series[i].x = x + i * tmax;
			series[i].y = y + i * tmax;
			series[i].lo = lo + i * tmax;
			series[i].hi = hi + i * tmax;
			series[i].dash = i == IMPL_RSM ? 0 : 1;
			series[i].color = (unsigned)i;
		}
		snprintf(title, sizeof title, "%u%% puts", mix_pct[m]);
		_rc_svg_text(s, px + panel_w / 2, py + 12, 13, "middle", title);
		_rc_svg_lines(s, px, py + 18, panel_w, panel_h - 18, "threads",
			      "million operations per second", series, NIMPLS);
	}
	free(x);
	free(y);
	free(lo);
	free(hi);
	return _rc_svg_close(s);
}

int bench_rsm(int argc, char **argv)
{
	struct rc_bench_opts o = { .kind = "rsm",
				   .duration = 0.05,
				   .repeat = 3 };
	unsigned *pus, tmax, nm = 0;
	bool failed = false, pin_failed = false;
	struct meas *ms;
	struct worker *w;
	struct cli_json j;
	rc_topo_t *topo;
	double rsm90, rw90, rsm100, spin100;
	int rc;

	rc = _rc_bench_start(&o, argc, argv, rsm_help, &topo);
	if (rc >= 0)
		return rc;
	if (o.memory) {
		/* the memory run opens a layout of its own */
		rc_topo_close(topo);
		return bench_rsm_memory(&o);
	}
	tmax = o.threads ? o.threads : rc_topo_npus(topo);
	if (tmax > RC_RSM_MAX_NODE_THREADS * rc_topo_nnodes(topo))
		tmax = RC_RSM_MAX_NODE_THREADS * rc_topo_nnodes(topo);
	pus = calloc(tmax, sizeof(unsigned));
	w = aligned_alloc(RC_BENCH_LINE, tmax * sizeof(struct worker));
	ms = calloc(NIMPLS * NMIXES * tmax, sizeof(*ms));
	if (!pus || !w || !ms) {
		fprintf(stderr, "replicore bench rsm: out of memory\n");
		free(pus);
		free(w);
		free(ms);
		rc_topo_close(topo);
		return CLI_EXIT_USAGE;
	}
	rc_topo_spread(topo, tmax, pus);
	for (unsigned m = 0; m < NMIXES; m++)
		for (int i = 0; i < NIMPLS; i++)
			for (unsigned t = 1; t <= tmax; t++) {
				ms[nm].impl = i;
				ms[nm].mix = m;
				ms[nm].threads = t;
				nm++;
			}
	/*
	 * Round-robin: each round takes one sample of every measurement (the
	 * first round is the discarded warm-up), so a change in the machine's
	 * load during the run spreads over all of them alike.
	 */
	for (unsigned k = 0; k < nm; k++) {
		ms[k].s = calloc(o.repeat, sizeof(double));
		if (!ms[k].s) {
			fprintf(stderr, "replicore bench rsm: out of memory\n");
			exit(CLI_EXIT_USAGE);
		}
	}
	for (unsigned round = 0; round <= o.repeat; round++) {
		for (unsigned k = 0; k < nm; k++) {
			struct meas *q = &ms[k];
			double mops;

			_rc_bench_progress(&o,
					   "round %u of %u: %s, %u%% puts, "
					   "%u thread%s",
					   round, o.repeat, impl_name[q->impl],
					   mix_pct[q->mix], q->threads,
					   q->threads == 1 ? "" : "s");
			if (sample(topo, pus, q->threads, q->impl,
				   mix_pct[q->mix], o.duration, w, &mops,
				   &pin_failed) &&
			    isfinite(mops)) {
				if (round > 0)
					q->s[q->got++] = mops;
			} else {
				failed = true;
			}
		}
	}
	for (unsigned k = 0; k < nm; k++)
		if (ms[k].got > 0)
			_rc_bench_stats(ms[k].s, ms[k].got, &ms[k].mops);
	_rc_bench_progress(&o, NULL);
	rsm90 = find(ms, nm, IMPL_RSM, 1, tmax);
	rw90 = find(ms, nm, IMPL_RW, 1, tmax);
	rsm100 = find(ms, nm, IMPL_RSM, NMIXES - 1, tmax);
	spin100 = find(ms, nm, IMPL_SPIN, NMIXES - 1, tmax);

	if (o.json) {
		_rc_bench_json_begin(&j, &o, topo, "ns");
		cli_json_key(&j, "results");
		cli_json_arr(&j);
		for (unsigned k = 0; k < nm; k++) {
			cli_json_obj(&j);
			cli_json_kv_str(&j, "impl", impl_name[ms[k].impl]);
			cli_json_kv_uint(&j, "update_pct", mix_pct[ms[k].mix]);
			cli_json_kv_uint(&j, "threads", ms[k].threads);
			cli_json_kv_uint(&j, "nodes_used",
					 ms[k].threads < rc_topo_nnodes(topo)
						 ? ms[k].threads
						 : rc_topo_nnodes(topo));
			cli_json_key(&j, "pus");
			cli_json_arr(&j);
			for (unsigned i = 0; i < ms[k].threads; i++)
				cli_json_uint(&j, pus[i]);
			cli_json_arr_end(&j);
			_rc_bench_json_stats_or_null(&j, "mops_per_s",
						     &ms[k].mops, ms[k].s);
			cli_json_obj_end(&j);
		}
		cli_json_arr_end(&j);
		cli_json_key(&j, "rsm_targets");
		cli_json_obj(&j);
		cli_json_kv_uint(&j, "threads", tmax);
		_rc_bench_json_num(&j, "rsm_mops_10pct", rsm90);
		_rc_bench_json_num(&j, "rwlock_mops_10pct", rw90);
		_rc_bench_json_num(&j, "rsm_vs_rwlock_10pct", rsm90 / rw90);
		cli_json_kv_double(&j, "rsm_vs_rwlock_10pct_target", 1.0);
		_rc_bench_json_num(&j, "rsm_mops_100pct", rsm100);
		_rc_bench_json_num(&j, "spinlock_mops_100pct", spin100);
		_rc_bench_json_num(&j, "rsm_vs_spinlock_100pct",
				   rsm100 / spin100);
		cli_json_kv_double(&j, "rsm_vs_spinlock_100pct_target",
				   1 / 1.5);
		cli_json_obj_end(&j);
		_rc_bench_json_end(&j);
	} else {
		printf("rc_rsm hash map: Mops/s over all threads (medians of "
		       "%u "
		       "samples of %g s)\n",
		       o.repeat, o.duration);
		_rc_bench_print_machine(pus, tmax);
		printf("\n%-9s %6s %7s %10s %16s\n", "impl", "puts", "threads",
		       "Mops/s", "p10-p90");
		for (unsigned k = 0; k < nm; k++) {
			char sp[40];

			snprintf(sp, sizeof sp, "%.2f-%.2f", ms[k].mops.p10,
				 ms[k].mops.p90);
			printf("%-9s %5u%% %7u %10.3f %16s\n",
			       impl_name[ms[k].impl], mix_pct[ms[k].mix],
			       ms[k].threads,
			       ms[k].mops.n ? ms[k].mops.median : NAN, sp);
		}
		printf("\nat %u threads: rsm / rwlock at 10%% puts: %.2f "
		       "(target >= 1); rsm / spinlock at 100%% puts: %.2f "
		       "(target >= 0.67)\n",
		       tmax, rsm90 / rw90, rsm100 / spin100);
	}
	if (o.plot != NULL && plot(o.plot, &o, topo, ms, nm, tmax, rsm90 / rw90,
				   rsm100 / spin100) < 0) {
		perror(o.plot);
		failed = true;
	}
	for (unsigned k = 0; k < nm; k++)
		free(ms[k].s);
	free(ms);
	free(w);
	free(pus);
	rc_topo_close(topo);
	if (pin_failed)
		fprintf(stderr, "replicore bench rsm: a thread could not be "
				"pinned or registered\n");
	return failed || pin_failed ? CLI_EXIT_FOUND : CLI_EXIT_OK;
}
