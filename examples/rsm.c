/* SPDX-License-Identifier: MIT */
/* rsm.c: four sequential structures (map, stack, priority queue, counter) made concurrent by rc_rsm, used from several threads. */
/*
 * Build against the installed library, from this folder:
 *   cc rsm.c $(pkg-config --cflags --libs replicore) -o rsm
 * Run: ./rsm [SYNTHETIC-LAYOUT]   (default "numa:2 core:2 pu:1")
 *
 * Each structure is a plain sequential implementation in its header; an
 * rc_rsm_ops table is all rc_rsm needs to keep a replica of it per NUMA
 * node and run it from any number of threads.
 */
#include <pthread.h>
#include <stdio.h>

#include <replicore/replicore.h>

#include "rsm_counter.h"
#include "rsm_map.h"
#include "rsm_pq.h"
#include "rsm_stack.h"

#define THREADS 4
#define OPS 2000

static rc_rsm_t *map, *stack, *pq, *counter;
static unsigned pus[THREADS];
static pthread_barrier_t inserted;

struct handles {
	rc_rsm_handle_t *map, *stack, *pq, *counter;
};

static void *worker(void *arg)
{
	unsigned id = (unsigned)(uintptr_t)arg;
	struct handles h;
	uint64_t popped = 0, last = 0, r;
	int sorted = 1;

	/* Each thread registers on its PU's node, once per structure. */
	rc_rsm_register(map, pus[id], 0, &h.map, NULL);
	rc_rsm_register(stack, pus[id], 0, &h.stack, NULL);
	rc_rsm_register(pq, pus[id], 0, &h.pq, NULL);
	rc_rsm_register(counter, pus[id], 0, &h.counter, NULL);
	/* With the default options an operation has no bounded wait: it
	 * returns 0 once it has taken effect, so its status needs no look
	 * here (with rc_rsm_options.timeout_ns set it would). */
	for (uint64_t i = 1; i <= OPS; i++) {
		uint64_t key = id * OPS + i;

		rc_rsm_execute(h.map, MAP_OP(MAP_PUT, key), key * 10, &r);
		rc_rsm_execute(h.stack, STACK_PUSH, key, &r);
		rc_rsm_execute(h.pq, PQ_INSERT, key, &r);
		rc_rsm_execute(h.counter, COUNTER_ADD, 1, &r);
		if (i % 2 == 0) {
			rc_rsm_execute(h.stack, STACK_POP, 0, &r);
			popped += r != STACK_EMPTY;
		}
	}
	rc_rsm_unregister(h.map);
	rc_rsm_unregister(h.stack);
	rc_rsm_unregister(h.counter);
	/* Once every thread has inserted, drain a quarter of the priority
	 * queue: each thread sees the minimums it extracts increase. */
	pthread_barrier_wait(&inserted);
	for (unsigned i = 0; i < OPS / 4; i++) {
		uint64_t v;

		rc_rsm_execute(h.pq, PQ_EXTRACT_MIN, 0, &v);
		sorted &= v != PQ_EMPTY && v > last;
		last = v;
	}
	rc_rsm_unregister(h.pq);
	return (void *)(uintptr_t)(sorted ? popped + 1 : 0);
}

int main(int argc, char **argv)
{
	rc_err_t err = RC_ERR_INITIALIZER;
	rc_rsm_handle_t *h;
	pthread_t t[THREADS];
	uint64_t popped = 0, n, v, got, bad = 0;
	rc_topo_t *topo;
	int sorted = 1;

	if (rc_topo_open(&topo, argc > 1 ? argv[1] : "numa:2 core:2 pu:1", NULL,
			 &err) < 0) {
		rc_err_print(&err, stderr);
		return 2;
	}
	if (rc_rsm_create(&map, &map_ops, NULL, topo, NULL, &err) < 0 ||
	    rc_rsm_create(&stack, &stack_ops, NULL, topo, NULL, &err) < 0 ||
	    rc_rsm_create(&pq, &pq_ops, NULL, topo, NULL, &err) < 0 ||
	    rc_rsm_create(&counter, &counter_ops, NULL, topo, NULL, &err) < 0) {
		rc_err_print(&err, stderr);
		return 1;
	}
	rc_topo_spread(topo, THREADS, pus);
	pthread_barrier_init(&inserted, NULL, THREADS);
	for (unsigned i = 0; i < THREADS; i++)
		pthread_create(&t[i], NULL, worker, (void *)(uintptr_t)i);
	for (unsigned i = 0; i < THREADS; i++) {
		void *r;

		pthread_join(t[i], &r);
		sorted &= r != NULL;
		popped += r ? (uintptr_t)r - 1 : 0;
	}
	rc_rsm_register(map, 0, 0, &h, NULL);
	for (uint64_t k = 1; k <= THREADS * OPS; k++) {
		rc_rsm_execute(h, MAP_OP(MAP_GET, k), 0, &got);
		bad += got != k * 10;
	}
	rc_rsm_unregister(h);
	rc_rsm_register(stack, 0, 0, &h, NULL);
	rc_rsm_execute(h, STACK_SIZE, 0, &n);
	rc_rsm_unregister(h);
	rc_rsm_register(counter, 0, 0, &h, NULL);
	rc_rsm_execute(h, COUNTER_READ, 0, &v);
	rc_rsm_unregister(h);
	printf("%u threads on %u NUMA node(s) of %s\n", THREADS,
	       rc_topo_nnodes(topo), rc_topo_source(topo));
	printf("map: %u keys, %llu wrong\n", THREADS * OPS,
	       (unsigned long long)bad);
	printf("stack: %u pushed, %llu popped, %llu left\n", THREADS * OPS,
	       (unsigned long long)popped, (unsigned long long)n);
	printf("priority queue: each thread extracted increasing minimums: "
	       "%s\n",
	       sorted ? "yes" : "no");
	printf("counter: %llu\n", (unsigned long long)v);
	rc_rsm_destroy(map);
	rc_rsm_destroy(stack);
	rc_rsm_destroy(pq);
	rc_rsm_destroy(counter);
	rc_topo_close(topo);
	pthread_barrier_destroy(&inserted);
	return bad == 0 && popped + n == THREADS * OPS && sorted &&
			       v == THREADS * OPS
		       ? 0
		       : 1;
}
