/* SPDX-License-Identifier: MIT */
/* test_tob.c: total order broadcast over the shared-memory and Paxos logs: one order at every process, each message once, a waiting broadcast that keeps delivering, and the compare-and-swap register on it recorded by threads and checked linearizable. */
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <replicore/check.h>
#include <replicore/paxos.h>
#include <replicore/recorder.h>
#include <replicore/tob.h>
#include <replicore/topo.h>

#include "tests/tap.h"

/* Delivers everything ready to p into seq[]; returns how many in all. */
static size_t drain(rc_tob_t *t, unsigned p, struct rc_log_entry *seq,
		    size_t have, size_t cap)
{
	uint64_t first;
	unsigned n;

	while (have < cap && (n = rc_tob_deliver(t, p, &first, seq + have,
						 (unsigned)(cap - have))) > 0) {
		if (first != have)
			return SIZE_MAX; /* a gap or a repeat */
		have += n;
	}
	return have;
}

static void test_order(void)
{
	rc_log_t *log = NULL;
	rc_tob_t *t = NULL;
	rc_err_t err = RC_ERR_INITIALIZER;
	struct rc_log_entry got[3][16];
	size_t n[3];
	uint64_t seq[15];
	bool same = true, once = true, at = true;
	int rc = 0;

	if (rc_log_shm_create(&log, 3, 64, &err) < 0 ||
	    rc_tob_create(&t, log, &err) < 0) {
		ok(0, "create: %s", err.msg);
		return;
	}
	is(rc_tob_nprocs(t), 3u, "3 processes");
	/* p0 broadcasts 10, p1 5, interleaved; p2 none */
	for (unsigned i = 0; i < 15 && rc == 0; i++) {
		unsigned p = i % 3 == 2 ? 1 : 0;

		rc = rc_tob_broadcast(t, p, i, 100 + i, 7, &seq[i],
				      RC_LOG_FOREVER, &err);
	}
	is(rc, 0, "15 broadcasts (%s)", err.msg);
	for (unsigned p = 0; p < 3; p++)
		n[p] = drain(t, p, got[p], 0, 16);
	ok(n[0] == 15 && n[1] == 15 && n[2] == 15,
	   "every process delivers all 15, with no gap or repeat");
	for (unsigned p = 1; p < 3; p++)
		same &= memcmp(got[0], got[p], sizeof(got[0][0]) * 15) == 0;
	ok(same, "in one order");
	for (unsigned i = 0; i < 15; i++) {
		unsigned hits = 0;

		for (unsigned k = 0; k < 15; k++)
			hits += got[2][k].op == i && got[2][k].arg == 100 + i;
		once &= hits == 1;
		at &= got[2][seq[i]].op == i &&
		      got[2][seq[i]].origin == (i % 3 == 2 ? 1u : 0u) &&
		      got[2][seq[i]].tag == 7;
	}
	ok(once, "each message once");
	ok(at, "at the sequence number its broadcast returned, with its "
	       "origin and tag");
	is(rc_tob_broadcast(t, 3, 0, 0, 0, NULL, 0, &err), -RC_EINVAL,
	   "process 3 of 3 refused: %s", err.msg);
	rc_tob_destroy(t);
	rc_log_destroy(log);
}

/* One process alone on a log of 4 entries: its broadcasts wait for room
 * its own deliveries make, and keep delivering meanwhile. */
static void test_own_room(void)
{
	rc_log_t *log = NULL;
	rc_tob_t *t = NULL;
	rc_err_t err = RC_ERR_INITIALIZER;
	struct rc_log_entry got[200];
	size_t n;
	bool inorder = true;
	int rc = 0;

	if (rc_log_shm_create(&log, 1, 4, &err) < 0 ||
	    rc_tob_create(&t, log, &err) < 0) {
		ok(0, "create: %s", err.msg);
		return;
	}
	for (unsigned i = 0; i < 200 && rc == 0; i++)
		rc = rc_tob_broadcast(t, 0, i, 0, 0, NULL, 1000000000, &err);
	is(rc, 0, "200 broadcasts through a log of 4 entries (%s)", err.msg);
	n = drain(t, 0, got, 0, 200);
	is(n, (size_t)200, "then all 200 delivered");
	for (size_t i = 0; i < n && i < 200; i++)
		inorder &= got[i].op == i;
	ok(inorder, "in broadcast order");
	rc_tob_destroy(t);
	rc_log_destroy(log);
}

struct worker {
	_Atomic unsigned *done;
	unsigned n;
	rc_tob_reg_t *reg;
	rc_recorder_t *rec;
	unsigned p;
	uint64_t ops;
	int rc;
	char msg[512];
};

static void *work(void *arg)
{
	struct worker *w = arg;
	uint64_t s = 0x9e3779b97f4a7c15ull * (w->p + 1);
	int32_t last = 0;
	rc_err_t err = RC_ERR_INITIALIZER;

	for (uint64_t i = 0; i < w->ops && w->rc == 0; i++) {
		uint64_t r = tap_rand(&s) % 10;
		int32_t v = (int32_t)(w->p * 1000000 + i + 1);
		bool swapped;

		if (r < 4) {
			rc_recorder_begin(w->rec, w->p, RC_HOP_READ,
					  RC_HVAL_NONE, RC_HVAL_NONE,
					  RC_HVAL_NONE);
			w->rc = rc_tob_reg_read(w->reg, w->p, &last,
						RC_LOG_FOREVER, &err);
			rc_recorder_end(w->rec, w->p, last, RC_HST_OK);
		} else if (r < 7) {
			rc_recorder_begin(w->rec, w->p, RC_HOP_WRITE,
					  RC_HVAL_NONE, v, RC_HVAL_NONE);
			w->rc = rc_tob_reg_write(w->reg, w->p, v,
						 RC_LOG_FOREVER, &err);
			rc_recorder_end(w->rec, w->p, RC_HVAL_OK, RC_HST_OK);
		} else {
			rc_recorder_begin(w->rec, w->p, RC_HOP_CAS,
					  RC_HVAL_NONE, last, v);
			w->rc = rc_tob_reg_cas(w->reg, w->p, last, v, &swapped,
					       RC_LOG_FOREVER, &err);
			rc_recorder_end(w->rec, w->p,
					swapped ? RC_HVAL_TRUE : RC_HVAL_FALSE,
					RC_HST_OK);
		}
	}
	if (w->rc < 0)
		snprintf(w->msg, sizeof(w->msg), "%s", err.msg);
	/* keep applying, so that the others' broadcasts find room; the
	 * counter orders nothing else (relaxed) */
	atomic_fetch_add_explicit(w->done, 1, memory_order_relaxed);
	while (atomic_load_explicit(w->done, memory_order_relaxed) < w->n)
		if (rc_tob_reg_sync(w->reg, w->p) == 0)
			nanosleep(&(struct timespec){ 0, 20000 }, NULL);
	return NULL;
}

/* Threads at processes 0..n-1 of log, recorded and checked. */
static void test_register(rc_log_t *log, unsigned n, const char *what)
{
	rc_tob_t *t = NULL;
	rc_tob_reg_t *reg = NULL;
	rc_recorder_t *rec = NULL;
	rc_history_t *h = rc_history_new();
	struct rc_check_opts co = RC_CHECK_OPTS_INITIALIZER;
	rc_check_result_t *res = NULL;
	rc_err_t err = RC_ERR_INITIALIZER;
	uint64_t ops = tap_env_u64("RC_TOB_OPS", 2000);
	struct worker w[8];
	_Atomic unsigned done = 0;
	pthread_t th[8];
	int32_t v0 = 0;
	bool agree = true, fine = true;

	if (rc_tob_create(&t, log, &err) < 0 ||
	    rc_tob_reg_create(&reg, t, 0, &err) < 0 ||
	    rc_recorder_create(&rec, n, ops + 1, &err) < 0 || h == NULL) {
		ok(0, "%s: create: %s", what, err.msg);
		return;
	}
	rc_recorder_set_initial(rec, 0);
	for (unsigned i = 0; i < n; i++) {
		w[i] = (struct worker){ &done, n, reg, rec, i, ops, 0, "" };
		pthread_create(&th[i], NULL, work, &w[i]);
	}
	for (unsigned i = 0; i < n; i++) {
		pthread_join(th[i], NULL);
		if (w[i].rc < 0) {
			fine = false;
			diag("%s: process %u: %s", what, i, w[i].msg);
		}
	}
	ok(fine, "%s: %u threads of %llu operations each", what, n,
	   (unsigned long long)ops);
	/* every process, threads' or not, reads the register: one value */
	for (unsigned p = 0; p < rc_tob_nprocs(t); p++) {
		int32_t v;

		if (rc_tob_reg_read(reg, p, &v, RC_LOG_FOREVER, &err) < 0 ||
		    (p > 0 && v != v0))
			agree = false;
		if (p == 0)
			v0 = v;
	}
	ok(agree, "%s: every process's copy ends at %d", what, (int)v0);
	co.spec = RC_SPEC_CAS_REGISTER;
	co.level = RC_LIN;
	co.timeout = 60;
	if (rc_recorder_export(rec, h, 0, &err) < 0 ||
	    rc_check(h, &co, &res, &err) < 0)
		ok(0, "%s: export and check: %s", what, err.msg);
	else
		ok(res->verdict == RC_VERDICT_OK,
		   "%s: the recorded history is linearizable (%zu ops; %s)",
		   what, rc_history_len(h), res->note);
	rc_check_result_free(res);
	rc_history_free(h);
	rc_recorder_destroy(rec);
	rc_tob_reg_destroy(reg);
	rc_tob_destroy(t);
}

int main(void)
{
	rc_topo_t *topo = NULL;
	rc_log_t *log = NULL;
	rc_err_t err = RC_ERR_INITIALIZER;
	unsigned n = (unsigned)tap_env_fixed("RC_TOB_THREADS", 2);

	test_order();
	test_own_room();
	if (rc_topo_open(&topo, NULL, NULL, &err) == 0) {
		if (n > rc_topo_npus(topo))
			n = rc_topo_npus(topo);
		rc_topo_close(topo);
	}
	if (n < 1)
		n = 1;
	if (n > 3)
		n = 3;
	if (rc_log_shm_create(&log, n, 32, &err) == 0) {
		test_register(log, n, "shm log");
		rc_log_destroy(log);
	}
	if (rc_log_paxos_create(&log, 3, NULL, &err) == 0) {
		test_register(log, n, "paxos log of 3");
		rc_log_destroy(log);
	} else {
		ok(0, "paxos log: %s", err.msg);
	}
	done_testing();
	return exit_status();
}
