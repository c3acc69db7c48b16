/* SPDX-License-Identifier: MIT */
/* test_rsm_memory.c: a replicated counter that lives forever: its resident size stays flat after warm-up over the shared-memory log and over the Paxos log with snapshots, a crashed node and an idle one. */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <replicore/paxos.h>
#include <replicore/rsm.h>

#include "tests/tap.h"
#include "examples/rsm_counter.h"

#define LAYOUT "numa:3 core:1 pu:1"
/*
 * Sanitized builds run 10 to 50 times slower: fewer updates there; and
 * their resident size counts the sanitizer's own books (ThreadSanitizer's
 * grew from 80 MiB to 156 MiB over the first 140,000 updates of the Paxos
 * run here, then stayed), so there the size is reported, not judged.
 */
#if defined(__SANITIZE_THREAD__) || defined(__SANITIZE_ADDRESS__)
#define RSM_MEMORY_UPDATES 200000
#define RSM_MEMORY_JUDGE 0
#else
#define RSM_MEMORY_UPDATES 1000000
#define RSM_MEMORY_JUDGE 1
#endif

/* The process's resident size in bytes (/proc/self/statm), 0 unknown. */
static uint64_t rss(void)
{
	unsigned long size = 0, res = 0;
	FILE *f = fopen("/proc/self/statm", "r");

	if (!f)
		return 0;
	if (fscanf(f, "%lu %lu", &size, &res) != 2)
		res = 0;
	fclose(f);
	return (uint64_t)res * (uint64_t)sysconf(_SC_PAGESIZE);
}

struct worker {
	rc_rsm_t *rsm;
	unsigned pu;
	uint64_t n, ok;
	/* worker 0 only: the RSS after each tenth of its updates */
	uint64_t rss[11];
};

static void *work(void *arg)
{
	struct worker *w = arg;
	rc_rsm_handle_t *h;

	if (rc_rsm_register(w->rsm, w->pu, 0, &h, NULL) < 0)
		return NULL;
	for (uint64_t i = 0; i < w->n; i++) {
		uint64_t r;

		if (rc_rsm_execute(h, COUNTER_ADD, 1, &r) == 0)
			w->ok++;
		if ((i + 1) % (w->n / 10) == 0)
			w->rss[(i + 1) / (w->n / 10)] = rss();
	}
	rc_rsm_unregister(h);
	return NULL;
}

/*
 * n updates: node 1's thread makes a tenth of them and stops, node 0's
 * the rest (one thread each: two CPUs), so node 1 is live but idle for
 * most of the run; node 2 is idle, or crashed when crash is set. Reports
 * the RSS after each tenth of node 0's updates and checks growth from the
 * second tenth (warm-up) to the end stays under 64 MiB. Before an
 * appender drained idle nodes over a log without a fixed capacity, the
 * idle node pinned the Paxos log's compaction and its own copy: 4,000,000
 * updates grew from 58,440 KiB at the second tenth to 800,956 KiB (about
 * 230 bytes per update); with the drain, 36,116 and 36,128 KiB. Without
 * snapshots the Paxos run grew by about 210 KiB per 1,000 updates.
 */
static void run(const char *name, rc_topo_t *topo, rc_log_t *log, bool crash,
		uint64_t n)
{
	struct rc_rsm_options o = RC_RSM_OPTIONS_INITIALIZER;
	struct worker w[2];
	pthread_t t[2];
	rc_rsm_t *rsm = NULL;
	rc_err_t err = RC_ERR_INITIALIZER;
	uint64_t total;

	o.log = log;
	if (rc_rsm_create(&rsm, &counter_ops, NULL, topo, &o, &err) < 0) {
		ok(0, "%s: rsm (%s)", name, err.msg);
		return;
	}
	if (crash)
		rc_paxos_crash(rc_log_paxos_group(log), 2);
	for (unsigned i = 0; i < 2; i++) {
		memset(&w[i], 0, sizeof w[i]);
		w[i].rsm = rsm;
		w[i].pu = i;
		/* node 1's thread stops after a tenth of the updates:
		 * node 1 is live but idle for the rest of the run */
		w[i].n = i == 0 ? n - n / 10 : n / 10;
		pthread_create(&t[i], NULL, work, &w[i]);
	}
	for (unsigned i = 0; i < 2; i++)
		pthread_join(t[i], NULL);
	{
		rc_rsm_handle_t *h;

		total = 0;
		if (rc_rsm_register(rsm, 0, 0, &h, NULL) == 0) {
			rc_rsm_execute(h, COUNTER_READ, 0, &total);
			rc_rsm_unregister(h);
		}
	}
	ok(w[0].ok + w[1].ok == n && total == n,
	   "%s: %llu updates, the counter at %llu", name,
	   (unsigned long long)(w[0].ok + w[1].ok), (unsigned long long)total);
	for (unsigned k = 1; k <= 10; k++)
		diag("%s: RSS %llu KiB after %llu of node 0's updates", name,
		     (unsigned long long)w[0].rss[k] / 1024,
		     (unsigned long long)(w[0].n / 10 * k));
	if (!RSM_MEMORY_JUDGE)
		skip(1, "a sanitized build: its resident size is the "
			"sanitizer's");
	else
		ok(w[0].rss[10] <= w[0].rss[2] + 64 * 1024 * 1024,
		   "%s: RSS flat after warm-up (%llu KiB at %llu, %llu KiB at "
		   "%llu of node 0's updates)",
		   name, (unsigned long long)w[0].rss[2] / 1024,
		   (unsigned long long)(w[0].n / 5),
		   (unsigned long long)w[0].rss[10] / 1024,
		   (unsigned long long)w[0].n);
	rc_rsm_destroy(rsm);
}

int main(void)
{
	uint64_t n = tap_env_fixed(
		"RC_RSM_MEMORY_UPDATES",
		tap_env_fixed("RC_SCALE", 0) ? 10000000 : RSM_MEMORY_UPDATES);
	struct rc_paxos_opts po;
	rc_err_t err = RC_ERR_INITIALIZER;
	rc_topo_t *topo = NULL;
	rc_log_t *log = NULL;

	if (rc_topo_open(&topo, LAYOUT, NULL, &err) < 0) {
		skip_all("layout %s: %s", LAYOUT, err.msg);
		return 0;
	}
	if (rc_log_shm_create(&log, 3, RC_RSM_LOG_CAPACITY, &err) == 0) {
		run("shm", topo, log, false, n);
		rc_log_destroy(log);
	}
	rc_log_paxos_defaults(&po);
	po.topo = topo;
	po.snapshots = true;
	if (rc_log_paxos_create(&log, 3, &po, &err) == 0) {
		run("paxos, node 2 crashed", topo, log, true, n);
		rc_log_destroy(log);
	} else {
		ok(0, "paxos log: %s", err.msg);
	}
	rc_topo_close(topo);
	done_testing();
	return exit_status();
}
