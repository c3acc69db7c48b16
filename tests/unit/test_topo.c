/* SPDX-License-Identifier: MIT */
/* test_topo.c: layouts, synthetic descriptions, their errors, mapping and spread. */
#include <replicore/topo.h>

#include "tests/tap.h"

static void test_synthetic(void)
{
	rc_err_t err = RC_ERR_INITIALIZER;
	rc_topo_t *t;
	unsigned pus[8];
	struct rc_topo_pu pu;

	ok(rc_topo_open(&t, "package:2 numa:2 core:4 pu:2", NULL, &err) == 0,
	   "opens a 2-package, 4-node synthetic layout");
	is(rc_topo_kind(t), RC_TOPO_SYNTHETIC, "kind is synthetic");
	is(rc_topo_npackages(t), 2, "2 packages");
	is(rc_topo_nnodes(t), 4, "4 NUMA nodes");
	is(rc_topo_ncores(t), 16, "16 cores");
	is(rc_topo_npus(t), 32, "32 PUs");
	is(rc_topo_node_npus(t, 3), 8, "8 PUs on node 3");
	ok(rc_topo_wraps(t) == (rc_topo_real_npus(t) < 32),
	   "wraps exactly when the machine has fewer than 32 PUs");
	rc_topo_pu(t, 9, &pu);
	is(pu.node, 1, "PU 9 is on node 1");
	is(pu.core, 4, "PU 9 is on core 4");
	is(pu.package, 0, "PU 9 is in package 0");
	rc_topo_pu(t, 17, &pu);
	is(pu.package, 1, "PU 17 is in package 1");
	rc_topo_spread(t, 6, pus);
	ok(pus[0] == 0 && pus[1] == 8 && pus[2] == 16 && pus[3] == 24 &&
		   pus[4] == 1 && pus[5] == 9,
	   "spread puts replicas on nodes in turn (got %u %u %u %u %u %u)",
	   pus[0], pus[1], pus[2], pus[3], pus[4], pus[5]);
	rc_topo_close(t);
}

static void test_errors(void)
{
	static const struct {
		const char *spec;
		unsigned col;
		const char *what;
	} bad[] = {
		{ "numa:2 core:x pu:1", 13, "a count that is not a number" },
		{ "numa:2 cores2 pu:1", 8, "a token without a colon" },
		{ "numa:2 bogus:2 pu:1", 8, "an unknown type" },
		{ "numa:0 pu:1", 6, "a zero count" },
		{ "numa:2 core: pu:1", 13, "a missing count" },
		{ "   ", 1, "an empty description" },
		{ "numa:2 l3:1(size=4MB pu:1", 12, "an unclosed parenthesis" },
	};
	rc_err_t err = RC_ERR_INITIALIZER;
	rc_topo_t *t;

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		int r = rc_topo_open(&t, bad[i].spec, NULL, &err);

		ok(r == -RC_EINVAL && t == NULL && err.col == bad[i].col,
		   "rejects %s at column %u (got %d, column %u: %s)",
		   bad[i].what, bad[i].col, r, err.col, err.msg);
	}
	ok(rc_topo_open(&t, NULL, "/nonexistent/topo.xml", &err) < 0 &&
		   strstr(err.where, "nonexistent") != NULL,
	   "a missing XML file is an error naming the file");
	ok(rc_topo_open(&t, "pu:1", "x.xml", &err) == -RC_EINVAL,
	   "synthetic and XML together are refused");
}

static void test_real(void)
{
	rc_err_t err = RC_ERR_INITIALIZER;
	rc_topo_t *t;
	unsigned total = 0;

	ok(rc_topo_open(&t, NULL, NULL, &err) == 0, "opens the machine");
	is(rc_topo_kind(t), RC_TOPO_REAL, "kind is real");
	ok(rc_topo_npus(t) >= 1 && rc_topo_npus(t) == rc_topo_real_npus(t),
	   "the machine has PUs and maps onto itself");
	ok(!rc_topo_wraps(t), "the machine never wraps");
	for (unsigned n = 0; n < rc_topo_nnodes(t); n++)
		total += rc_topo_node_npus(t, n);
	is(total, rc_topo_npus(t), "every PU belongs to one NUMA node");
	ok(rc_topo_pin(t, rc_topo_npus(t) - 1, &err) == 0,
	   "pins the thread to the last PU (%s)", err.msg);
	ok(rc_topo_pin(t, rc_topo_npus(t), &err) == -RC_EINVAL,
	   "refuses to pin to a PU outside the layout");
	rc_topo_close(t);
}

int main(void)
{
	test_synthetic();
	test_errors();
	test_real();
	done_testing();
	return exit_status();
}
