/* SPDX-License-Identifier: MIT */
/* test_mem_api.c: creating memory objects, binding replicas, names, clones and state hashes. */
#include <sched.h>

#include <replicore/mem.h>
#include <replicore/topo.h>

#include "tests/tap.h"

static void test_create(void)
{
	rc_mem_t *m = (rc_mem_t *)1;
	rc_err_t err = RC_ERR_INITIALIZER;

	is(rc_mem_create(&m, RC_LIN, 0, 2, 0, &err), -RC_EINVAL,
	   "0 locations refused");
	ok(m == NULL && strstr(err.msg, "locations") != NULL,
	   "with a message: %s", err.msg);
	is(rc_mem_create(&m, RC_SC, 1, RC_MEM_MAX_REPLICAS + 1, 0, NULL),
	   -RC_EINVAL, "too many replicas refused");
	is(rc_mem_create(&m, (enum rc_level)9, 1, 1, 0, NULL), -RC_EINVAL,
	   "unknown level refused");
	is(rc_mem_create(&m, RC_TSO, 1, 1, 0x80, NULL), -RC_EINVAL,
	   "unknown flag refused");
	for (int l = RC_LIN; l < (int)RC_NLEVELS; l++) {
		if (!rc_level_is_object((enum rc_level)l))
			continue;
		enum rc_level back = RC_LIN;

		ok(rc_level_parse(rc_level_name((enum rc_level)l), &back) ==
				   0 &&
			   back == (enum rc_level)l,
		   "level %s parses back", rc_level_name(l));
		is(rc_mem_create(&m, (enum rc_level)l, 3, 2, 0, NULL), 0,
		   "create %s", rc_level_name(l));
		ok(rc_mem_get_level(m) == (enum rc_level)l &&
			   rc_mem_nlocs(m) == 3 && rc_mem_nreplicas(m) == 2 &&
			   !rc_mem_is_explore(m),
		   "accessors");
		rc_mem_destroy(m);
	}
	ok(rc_level_parse("pram", &(enum rc_level){ RC_LIN }) == -RC_EINVAL,
	   "unknown name refused");
}

static void test_bind(void)
{
	rc_mem_t *m;
	rc_mem_replica_t *r, *r2;
	rc_err_t err = RC_ERR_INITIALIZER;

	rc_mem_create(&m, RC_LIN, 1, 2, 0, NULL);
	is(rc_mem_bind(m, 1, NULL, 0, 0, &r, &err), 0, "bind replica 1");
	is(rc_mem_replica_id(r), 1, "its id");
	is(rc_mem_bind(m, 1, NULL, 0, 0, &r2, &err), -RC_EINVAL,
	   "binding it twice is refused");
	is(rc_mem_bind(m, 2, NULL, 0, 0, &r2, &err), -RC_EINVAL,
	   "binding a replica that does not exist is refused");
	rc_mem_unbind(r);
	is(rc_mem_bind(m, 1, NULL, 0, 0, &r2, &err), 0,
	   "bound again after unbind");
	ok(r2 == rc_mem_replica(m, 1), "the same handle");
	rc_mem_destroy(m);
}

/* RC_MEM_PIN pins to the PU the caller names, as RC_RSM_PIN does. */
static void test_pin(void)
{
	rc_mem_t *m;
	rc_mem_replica_t *r = NULL;
	rc_topo_t *t = NULL;
	rc_err_t err = RC_ERR_INITIALIZER;
	struct rc_topo_pu pu;
	int rc;

	rc_mem_create(&m, RC_SC, 1, 2, 0, NULL);
	is(rc_mem_bind(m, 0, NULL, 0, 0x80, &r, &err), -RC_EINVAL,
	   "an unknown flag is refused (%s)", err.msg);
	is(rc_mem_bind(m, 0, NULL, 0, RC_MEM_PIN, &r, &err), -RC_EINVAL,
	   "RC_MEM_PIN without a layout is refused (%s)", err.msg);
	if (rc_topo_open(&t, "numa:2 core:1 pu:1", NULL, &err) < 0) {
		ok(false, "open a layout: %s", err.msg);
		rc_mem_destroy(m);
		return;
	}
	is(rc_mem_bind(m, 0, t, 2, RC_MEM_PIN, &r, &err), -RC_EINVAL,
	   "a PU outside the layout is refused (%s)", err.msg);
	ok(r == NULL, "and nothing is bound: the replica binds next");
	rc = rc_mem_bind(m, 0, t, 1, RC_MEM_PIN, &r, &err);
	if (rc == -RC_ENOTSUP) {
		skip(2, "this system cannot pin threads");
		is(rc_mem_bind(m, 0, t, 1, 0, &r, &err), 0,
		   "bound without pinning");
	} else {
		is(rc, 0, "bind replica 0 pinned to layout PU 1");
		rc_topo_pu(t, 1, &pu);
		is(sched_getcpu(), (int)pu.real_os_index,
		   "the thread runs on the real PU layout PU 1 maps to");
		is(rc_mem_bind(m, 1, t, 0, 0, &r, &err), 0,
		   "without RC_MEM_PIN the PU is not used");
	}
	rc_topo_close(t);
	rc_mem_destroy(m);
}

static void test_state(void)
{
	for (int l = RC_LIN; l < (int)RC_NLEVELS; l++) {
		if (!rc_level_is_object((enum rc_level)l))
			continue;
		rc_mem_t *m, *c;
		const char *ln = rc_level_name(l);
		uint64_t h0;

		rc_mem_create(&m, (enum rc_level)l, 2, 2, RC_MEM_EXPLORE, NULL);
		h0 = rc_mem_state_hash(m);
		rc_mem_store(rc_mem_replica(m, 0), 0, 5, RC_RELEASE);
		ok(rc_mem_state_hash(m) != h0, "%s: a store changes the hash",
		   ln);
		is(rc_mem_clone(&c, m, NULL), 0, "%s: clone", ln);
		ok(rc_mem_state_equal(m, c) &&
			   rc_mem_state_hash(m) == rc_mem_state_hash(c),
		   "%s: the clone is equal and hashes the same", ln);
		rc_mem_store(rc_mem_replica(c, 1), 1, 6, RC_RELEASE);
		ok(!rc_mem_state_equal(m, c) &&
			   rc_mem_read_replica(m, 1, 1) == 0,
		   "%s: the clone is independent", ln);
		rc_mem_quiesce(m);
		rc_mem_quiesce(c);
		ok(rc_mem_read_replica(c, 0, 0) == 5 &&
			   rc_mem_read_replica(c, 0, 1) == 6 &&
			   rc_mem_read_replica(m, 1, 0) == 5,
		   "%s: both quiesce to their own values", ln);
		rc_mem_destroy(c);
		rc_mem_destroy(m);
	}
}

/* SC: a log that has moved on but holds the same values hashes the same. */
static void test_sc_canonical(void)
{
	rc_mem_t *a, *b;

	rc_mem_create(&a, RC_SC, 1, 2, RC_MEM_EXPLORE, NULL);
	rc_mem_create(&b, RC_SC, 1, 2, RC_MEM_EXPLORE, NULL);
	rc_mem_store(rc_mem_replica(a, 0), 0, 1, RC_RELEASE);
	rc_mem_store(rc_mem_replica(b, 0), 0, 9, RC_RELEASE);
	rc_mem_store(rc_mem_replica(b, 0), 0, 1, RC_RELEASE);
	rc_mem_quiesce(a);
	rc_mem_quiesce(b);
	ok(rc_mem_state_equal(a, b) &&
		   rc_mem_state_hash(a) == rc_mem_state_hash(b),
	   "sc: states after different histories with equal copies are equal");
	rc_mem_destroy(a);
	rc_mem_destroy(b);
}

/*
 * The order table of mem.h, row by row, for the orders that change what
 * an operation does: TSO stores and fences drain only at RC_SEQ_CST; an SC
 * fence of any order catches up with the log; a LIN fence does nothing.
 */
static void test_orders(void)
{
	static const rc_order_t orders[] = { RC_RELAXED, RC_ACQUIRE, RC_RELEASE,
					     RC_ACQ_REL, RC_SEQ_CST };

	ok(RC_MEM_ORDER_STORE == RC_RELEASE && RC_MEM_ORDER_FENCE == RC_SEQ_CST,
	   "defaults: release stores, seq_cst fences");
	for (unsigned i = 0; i < 5; i++) {
		rc_order_t o = orders[i];
		rc_mem_t *m;
		rc_mem_replica_t *a;
		bool drains = o == RC_SEQ_CST;

		rc_mem_create(&m, RC_TSO, 1, 2, RC_MEM_EXPLORE, NULL);
		a = rc_mem_replica(m, 0);
		rc_mem_store(a, 0, 1, o);
		ok((rc_mem_nsteps(m) == 0) == drains,
		   "tso: a store of order %d %s", (int)o,
		   drains ? "drains" : "stays buffered");
		rc_mem_store(a, 0, 2, RC_RELEASE);
		rc_mem_fence(a, o);
		ok((rc_mem_nsteps(m) == 0) == drains,
		   "tso: a fence of order %d %s", (int)o,
		   drains ? "drains" : "does not drain");
		rc_mem_destroy(m);

		rc_mem_create(&m, RC_SC, 1, 2, RC_MEM_EXPLORE, NULL);
		rc_mem_store(rc_mem_replica(m, 0), 0, 1, RC_RELEASE);
		rc_mem_fence(rc_mem_replica(m, 1), o);
		is(rc_mem_read_replica(m, 1, 0), 1,
		   "sc: a fence of order %d catches up with the log", (int)o);
		rc_mem_destroy(m);

		rc_mem_create(&m, RC_LIN, 1, 1, RC_MEM_EXPLORE, NULL);
		rc_mem_fence(rc_mem_replica(m, 0), o);
		is(rc_mem_nsteps(m), 0, "lin: a fence of order %d is a no-op",
		   (int)o);
		rc_mem_destroy(m);
	}
}

int main(void)
{
	test_orders();
	test_create();
	test_bind();
	test_pin();
	test_state();
	test_sc_canonical();
	done_testing();
	return exit_status();
}
