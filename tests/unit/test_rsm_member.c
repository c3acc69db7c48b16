/* SPDX-License-Identifier: MIT */
/* test_rsm_member.c: membership changes of the Paxos log under rc_rsm: a member is replaced by a spare while updates flow, the removed node crashes, the rest goes on, and the history stays linearizable. */
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include <replicore/check.h>
#include <replicore/history.h>
#include <replicore/log.h>
#include <replicore/paxos.h>
#include <replicore/recorder.h>
#include <replicore/rsm.h>

#include "tests/tap.h"
#include "examples/rsm_map.h"

#define LAYOUT "numa:4 core:1 pu:1"
#define KEYS 5u
#define BOUND 10000000000ull /* 10 s: only a hang reaches it */

static void pause_ms(long ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };

	nanosleep(&ts, NULL);
}

/*
 * The log alone: a configuration command takes no index at any node, an
 * entry tagged RC_PAXOS_TAG_CONFIG stays an entry with its tag and
 * changes no membership, and the calls refuse what they must.
 */
static void test_log(void)
{
	struct rc_paxos_opts po;
	rc_log_t *log = NULL, *shm = NULL;
	rc_err_t err = RC_ERR_INITIALIZER;
	struct rc_log_entry e = { 7, 1, 0, RC_PAXOS_TAG_CONFIG }, out[4];
	uint64_t idx[1], first;
	unsigned same = 0;
	int rc;

	rc_log_paxos_defaults(&po);
	ok(rc_log_paxos_create(&log, 3, &po, &err) == 0, "a paxos log (%s)",
	   err.msg);
	rc = rc_log_paxos_reconfigure(log, 0, 0x3, BOUND, &err);
	ok(rc == -RC_EINVAL && strstr(err.msg, "alpha"),
	   "alpha 0: reconfigure refused (%s)", err.msg);
	rc_log_destroy(log);
	ok(rc_log_shm_create(&shm, 2, 64, &err) == 0, "a shm log");
	rc = rc_log_paxos_reconfigure(shm, 0, 0x3, BOUND, &err);
	ok(rc == -RC_EINVAL, "a shm log: refused (%s)", err.msg);
	rc_log_destroy(shm);

	rc_log_paxos_defaults(&po);
	po.cfg.alpha = RC_PAXOS_ALPHA;
	err = (rc_err_t)RC_ERR_INITIALIZER;
	ok(rc_log_paxos_create(&log, 3, &po, &err) == 0,
	   "a paxos log of 3 nodes with alpha %d (%s)", RC_PAXOS_ALPHA,
	   err.msg);
	rc = rc_log_paxos_reconfigure(log, 3, 0x3, BOUND, &err);
	ok(rc == -RC_EINVAL, "node 3 of 3: refused (%s)", err.msg);
	rc = rc_log_paxos_reconfigure(log, 0, 0x8, BOUND, &err);
	ok(rc == -RC_EINVAL, "member 3 of 3: refused (%s)", err.msg);
	rc = rc_log_paxos_reconfigure(log, 0, 0, BOUND, &err);
	ok(rc == -RC_EINVAL, "no member: refused (%s)", err.msg);
	ok(rc_paxos_reconfigure(rc_log_paxos_group(log), 0, 0x3, NULL) ==
		   -RC_EINVAL,
	   "rc_paxos_reconfigure on the log's group: refused");
	ok(rc_log_paxos_reconfigure(log, 1, 0x7, BOUND, &err) == 0,
	   "a reconfiguration to {0,1,2} at node 1 (%s)", err.msg);
	/* arg 1 would make node 0 the only member, were it a
	 * configuration command */
	err.msg[0] = '\0';
	idx[0] = UINT64_MAX;
	rc = rc_log_append(log, 0, &e, 1, idx, BOUND, NULL, NULL, &err);
	ok(rc == 0 && idx[0] == 0,
	   "then an entry tagged RC_PAXOS_TAG_CONFIG, arg 1: index 0, the "
	   "reconfiguration took none (%llu)",
	   (unsigned long long)idx[0]);
	e.tag = 5;
	idx[0] = UINT64_MAX;
	rc = rc_log_append(log, 2, &e, 1, idx, BOUND, NULL, NULL, &err);
	ok(rc == 0 && idx[0] == 1, "the next entry takes index 1 (%llu)",
	   (unsigned long long)idx[0]);
	for (unsigned n = 0; n < 3; n++) {
		unsigned got = 0;

		for (int tries = 0; got < 2 && tries < 100000; tries++) {
			unsigned k =
				rc_log_read(log, n, &first, out + got, 4 - got);

			if (k && first != got)
				break;
			got += k;
		}
		same += got == 2 && out[0].tag == RC_PAXOS_TAG_CONFIG &&
			out[0].arg == 1 && out[0].origin == 0 &&
			out[1].tag == 5 && out[1].origin == 2 &&
			rc_log_cursor(log, n) == 2;
	}
	is(same, 3u, "every node reads the two entries, tags as appended");
	{
		uint64_t ri = UINT64_MAX, tail = 0;

		rc = rc_log_read_index(log, 2, BOUND, &ri, NULL, NULL, &err);
		rc_log_tail(log, &tail);
		ok(rc == 0 && ri == 2 && tail == 2,
		   "a read index at node 2 counts entries, not the "
		   "configuration command: %llu, the tail %llu",
		   (unsigned long long)ri, (unsigned long long)tail);
	}
	ok(rc_paxos_crash(rc_log_paxos_group(log), 0) == 0, "node 0 crashes");
	/* one slot each, past the alpha window of the tagged entry */
	for (unsigned i = 0; i < 2 * RC_PAXOS_ALPHA; i++) {
		rc = rc_log_append(log, 1, &e, 1, idx, BOUND, NULL, NULL, &err);
		if (rc < 0)
			break;
	}
	ok(rc == 0,
	   "node 1 appends %d entries one by one: the tagged entry changed "
	   "no member (%s)",
	   2 * RC_PAXOS_ALPHA, rc ? err.msg : "");
	rc_log_destroy(log);
}

struct run {
	rc_rsm_t *rsm;
	rc_recorder_t *rec;
	uint64_t ops;
};

struct worker {
	struct run *run;
	unsigned node;
	uint64_t seed, seq, ok, fail;
	pthread_t th;
};

/* ops recorded operations at its node: puts of fresh values and gets. */
static void *work(void *arg)
{
	struct worker *w = arg;
	rc_recorder_t *rec = w->run->rec;
	rc_rsm_handle_t *h;

	if (rc_rsm_register(w->run->rsm, w->node, 0, &h, NULL) < 0) {
		w->fail++;
		return NULL;
	}
	for (uint64_t i = 0; i < w->run->ops; i++) {
		uint64_t r = tap_rand(&w->seed), k = r % KEYS + 1, res = 0;
		uint64_t v = ((uint64_t)(w->node + 1) << 32) | ++w->seq;
		bool put = (r >> 8) & 1;
		int rc;

		if (put) {
			rc_recorder_begin(rec, w->node, RC_HOP_PUT,
					  (rc_hval_t)k, (rc_hval_t)v,
					  RC_HVAL_NONE);
			rc = rc_rsm_execute(h, MAP_OP(MAP_PUT, k), v, &res);
		} else {
			rc_recorder_begin(rec, w->node, RC_HOP_GET,
					  (rc_hval_t)k, RC_HVAL_NONE,
					  RC_HVAL_NONE);
			rc = rc_rsm_execute(h, MAP_OP(MAP_GET, k), 0, &res);
		}
		if (rc != 0) {
			/* the Paxos log may still order it */
			rc_recorder_end(rec, w->node, RC_HVAL_UNKNOWN,
					RC_HST_INDET);
			w->fail++;
			break;
		}
		rc_recorder_end(rec, w->node, put ? RC_HVAL_OK : (rc_hval_t)res,
				RC_HST_OK);
		w->ok++;
	}
	rc_rsm_unregister(h);
	return NULL;
}

static void start(struct worker *w, struct run *run, unsigned node)
{
	w->run = run;
	w->node = node;
	w->ok = w->fail = 0;
	if (!w->seed)
		w->seed = 0x9e3779b97f4a7c15ull * (node + 1);
	pthread_create(&w->th, NULL, work, w);
}

static void test_rsm(rc_topo_t *topo)
{
	struct rc_paxos_opts po;
	struct rc_rsm_options o = RC_RSM_OPTIONS_INITIALIZER;
	struct rc_check_opts co = RC_CHECK_OPTS_INITIALIZER;
	struct worker w[4];
	struct run run;
	rc_log_t *log = NULL;
	rc_paxos_t *px;
	rc_err_t err = RC_ERR_INITIALIZER;
	rc_history_t *h = rc_history_new();
	rc_check_result_t *res = NULL;
	uint64_t before;
	unsigned agree = 0;
	int rc;

	memset(w, 0, sizeof(w));
	memset(&run, 0, sizeof(run));
	run.ops = tap_env_u64("RC_MEMBER_OPS", 1500);
	rc_log_paxos_defaults(&po);
	po.topo = topo;
	po.snapshots = true;
	po.cfg.alpha = RC_PAXOS_ALPHA;
	po.cfg.members = 0x7; /* {0,1,2}; node 3 is a spare */
	ok(rc_log_paxos_create(&log, 4, &po, &err) == 0,
	   "a paxos log of 4 nodes, members {0,1,2} (%s)", err.msg);
	o.log = log;
	o.snapshot_every = 1024;
	o.timeout_ns = BOUND;
	ok(rc_rsm_create(&run.rsm, &map_ops, NULL, topo, &o, &err) == 0,
	   "a map over it (%s)", err.msg);
	px = rc_log_paxos_group(log);
	rc_recorder_create(&run.rec, 4, 3 * run.ops + 1, NULL);
	rc_recorder_set_initial(run.rec, 0);

	/* Phase 1: every node, the spare too, updates; 0 is replaced by 3
	 * midway, the command submitted at the spare. */
	for (unsigned n = 0; n < 4; n++)
		start(&w[n], &run, n);
	while (rc_rsm_applied(run.rsm, 1) < run.ops / 2)
		pause_ms(1);
	rc = rc_log_paxos_reconfigure(log, 3, 0xe, BOUND, &err);
	ok(rc == 0, "{0,1,2} -> {1,2,3} at node 3 while updates flow (%s)",
	   err.msg);
	for (unsigned n = 0; n < 4; n++)
		pthread_join(w[n].th, NULL);
	ok(w[0].ok == run.ops && w[1].ok == run.ops && w[2].ok == run.ops &&
		   w[3].ok == run.ops,
	   "every node's %llu operations completed (the spare's too)",
	   (unsigned long long)run.ops);

	/* 2 alpha puts one after the other, of a key nobody reads (not
	 * recorded: the kv history is checked key by key), so that the
	 * change governs the next slots however few operations ran after
	 * it (RC_MEMBER_OPS). */
	{
		rc_rsm_handle_t *h1;
		unsigned done = 0;

		rc_rsm_register(run.rsm, 1, 0, &h1, NULL);
		for (unsigned i = 0; i < 2 * RC_PAXOS_ALPHA; i++) {
			uint64_t r;

			done += rc_rsm_execute(h1, MAP_OP(MAP_PUT, KEYS + 1), i,
					       &r) == 0;
		}
		rc_rsm_unregister(h1);
		is(done, 2u * RC_PAXOS_ALPHA,
		   "%d more puts at node 1, one slot each", 2 * RC_PAXOS_ALPHA);
	}
	/* Phase 2: node 0 crashes, node 2 is cut off: only {1,3} of the
	 * new members run, a majority of {1,2,3} and not of {0,1,2}. */
	ok(rc_paxos_crash(px, 0) == 0, "node 0 crashes");
	ok(rc_paxos_partition(px, 1ull << 2, 0) == 0, "node 2 is cut off");
	before = rc_rsm_applied(run.rsm, 1);
	start(&w[1], &run, 1);
	start(&w[3], &run, 3);
	pthread_join(w[1].th, NULL);
	pthread_join(w[3].th, NULL);
	ok(w[1].ok == run.ops && w[3].ok == run.ops,
	   "nodes 1 and 3 commit all their operations (%llu, %llu of %llu)",
	   (unsigned long long)w[1].ok, (unsigned long long)w[3].ok,
	   (unsigned long long)run.ops);
	ok(rc_rsm_applied(run.rsm, 1) > before,
	   "node 1 applied entries since (%llu -> %llu)",
	   (unsigned long long)before,
	   (unsigned long long)rc_rsm_applied(run.rsm, 1));
	rc_paxos_heal(px);
	/* Phase 3: node 2 back in the network, it and node 1 update. */
	start(&w[2], &run, 2);
	pthread_join(w[2].th, NULL);
	ok(w[2].ok == run.ops, "after the heal node 2 commits too (%llu)",
	   (unsigned long long)w[2].ok);

	/* Linearizable gets at nodes 1, 2 and 3 agree, key by key. */
	{
		rc_rsm_handle_t *hh[4] = { NULL };

		for (unsigned n = 1; n < 4; n++)
			rc_rsm_register(run.rsm, n, 0, &hh[n], NULL);
		for (uint64_t k = 1; k <= KEYS; k++) {
			uint64_t r[4] = { 0, 1, 2, 3 };

			for (unsigned n = 1; n < 4; n++)
				rc_rsm_execute(hh[n], MAP_OP(MAP_GET, k), 0,
					       &r[n]);
			agree += r[1] == r[2] && r[2] == r[3] && r[1] != 0;
		}
		for (unsigned n = 1; n < 4; n++)
			rc_rsm_unregister(hh[n]);
	}
	is(agree, KEYS, "nodes 1, 2 and 3 read the same value of every key");

	co.spec = RC_SPEC_KV;
	co.level = RC_LIN;
	co.timeout = (double)tap_env_fixed("RC_MEMBER_TIMEOUT", 60);
	if (rc_recorder_export(run.rec, h, 0, &err) < 0 ||
	    rc_check(h, &co, &res, &err) < 0) {
		ok(0, "check: %s", err.msg);
	} else if (res->verdict == RC_VERDICT_UNKNOWN) {
		skip(1, "checker budget ran out");
	} else {
		ok(res->verdict == RC_VERDICT_OK,
		   "the history of %zu ops is linearizable (%.2f s)", res->nops,
		   res->seconds);
		if (res->verdict != RC_VERDICT_OK) {
			FILE *f = fopen("test_rsm_member.hist", "w");

			if (f) {
				rc_history_write(h, f, NULL);
				fclose(f);
				diag("history kept in test_rsm_member.hist");
			}
		}
	}
	rc_check_result_free(res);
	rc_history_free(h);
	rc_recorder_destroy(run.rec);
	rc_rsm_destroy(run.rsm);
	rc_log_destroy(log);
}

int main(void)
{
	rc_err_t err = RC_ERR_INITIALIZER;
	rc_topo_t *topo = NULL;

	test_log();
	if (rc_topo_open(&topo, LAYOUT, NULL, &err) < 0) {
		skip(1, "the rsm over 4 nodes: no layout");
		diag("layout %s: %s", LAYOUT, err.msg);
	} else {
		test_rsm(topo);
		rc_topo_close(topo);
	}
	done_testing();
	return exit_status();
}
