/* SPDX-License-Identifier: MIT */
/* test_rsm_place.c: where rc_rsm puts each node's memory and replica, and runs init. */
#include <sched.h>
#include <unistd.h>

#include <hwloc.h>

#include <replicore/rsm.h>

#include "tests/tap.h"

/*
 * Every answer is checked against the test's own hwloc view of the
 * machine: on one real NUMA node every layout node maps to real node 0,
 * and the same checks hold on a machine with several.
 */
static hwloc_topology_t machine;
static pid_t creator;

/* A counter replica that remembers who built it. */
struct replica {
	uint64_t n;
	unsigned node;
	int cpu;	       /* sched_getcpu() in init */
	pid_t tid;	       /* the thread that ran init */
	const rc_topo_t *topo; /* from rc_topo_alloc on it, else malloc */
};

struct init_arg {
	const rc_topo_t *topo;
	bool placed; /* take the replica from rc_topo_alloc */
};

static void *rep_init(void *arg, unsigned node)
{
	struct init_arg *a = arg;
	struct replica *r;

	if (a->placed)
		r = rc_topo_alloc(a->topo, node, sizeof(*r), NULL);
	else
		r = malloc(sizeof(*r));
	if (r == NULL)
		return NULL;
	memset(r, 0, sizeof(*r));
	r->node = node;
	r->cpu = sched_getcpu();
	r->tid = gettid();
	r->topo = a->placed ? a->topo : NULL;
	return r;
}

static uint64_t rep_apply(void *state, uint64_t op, uint64_t arg)
{
	struct replica *r = state;

	if (op == 1)
		r->n += arg;
	return r->n;
}

static bool rep_is_read(uint64_t op)
{
	return op == 0;
}

static void rep_fini(void *state)
{
	struct replica *r = state;

	if (r->topo != NULL)
		rc_topo_free(r->topo, r, sizeof(*r));
	else
		free(r);
}

static const struct rc_rsm_ops rep_ops = { rep_init, rep_apply, rep_is_read,
					   rep_fini, NULL,	NULL };

/* The machine's NUMA node (logical index) holding OS CPU cpu, or -1. */
static int node_of_cpu(int cpu)
{
	int n = hwloc_get_nbobjs_by_type(machine, HWLOC_OBJ_NUMANODE);

	for (int r = 0; cpu >= 0 && r < n; r++) {
		hwloc_obj_t o =
			hwloc_get_obj_by_type(machine, HWLOC_OBJ_NUMANODE, r);

		if (hwloc_bitmap_isset(o->cpuset, (unsigned)cpu))
			return r;
	}
	return -1;
}

/* Whether OS CPU cpu is one that a PU of layout node n runs on. */
static bool cpu_of_node(const rc_topo_t *t, unsigned n, int cpu)
{
	for (unsigned k = 0; k < rc_topo_node_npus(t, n); k++) {
		struct rc_topo_pu pu;

		rc_topo_pu(t, rc_topo_node_pu(t, n, k), &pu);
		if ((int)pu.real_os_index == cpu)
			return true;
	}
	return false;
}

/* Whether hwloc itself finds the page at p on the machine's node real. */
static bool hwloc_says_on(const void *p, int real)
{
	hwloc_obj_t o =
		real >= 0 ? hwloc_get_obj_by_type(machine, HWLOC_OBJ_NUMANODE,
						  (unsigned)real)
			  : NULL;
	hwloc_bitmap_t set = hwloc_bitmap_alloc();
	bool on = o != NULL &&
		  hwloc_get_area_memlocation(machine, p, 1, set,
					     HWLOC_MEMBIND_BYNODESET) == 0 &&
		  hwloc_bitmap_isequal(set, o->nodeset);

	hwloc_bitmap_free(set);
	return on;
}

static void check_layout(const char *synthetic, bool placed)
{
	rc_err_t err = RC_ERR_INITIALIZER;
	struct init_arg ia;
	const char *name;
	rc_topo_t *t;
	rc_rsm_t *rsm;
	unsigned nn;

	if (rc_topo_open(&t, synthetic, NULL, &err) < 0) {
		ok(false, "opens %s: %s", synthetic, err.msg);
		return;
	}
	name = rc_topo_source(t);
	ia.topo = t;
	ia.placed = placed;
	if (!ok(rc_rsm_create(&rsm, &rep_ops, &ia, t, NULL, &err) == 0,
		"%s: creates an rsm (replicas from %s)", name,
		placed ? "rc_topo_alloc" : "malloc")) {
		diag("    %s", err.msg);
		rc_topo_close(t);
		return;
	}
	nn = rc_rsm_nnodes(rsm);
	is(nn, rc_topo_nnodes(t), "%s: one replica per layout node", name);
	for (unsigned n = 0; n < nn; n++) {
		struct replica *r = rc_rsm_replica(rsm, n);
		struct rc_rsm_placement pl;
		int real = rc_topo_real_node(t, n);

		if (!ok(rc_rsm_placement(rsm, n, &pl) == 0,
			"%s: node %u reports its placement", name, n))
			continue;
		is(pl.real_node, real, "%s: node %u maps to real node %d", name,
		   n, real);
		is(pl.node_mem, real,
		   "%s: node %u's own memory is on real node %d", name, n,
		   real);
		if (placed) {
			is(pl.replica_mem, real,
			   "%s: node %u's replica is on real node %d", name, n,
			   real);
			ok(hwloc_says_on(r, real),
			   "%s: hwloc finds node %u's replica on real node %d",
			   name, n, real);
		} else {
			ok(pl.replica_mem >= 0 &&
				   (unsigned)pl.replica_mem <
					   rc_topo_real_nnodes(t),
			   "%s: node %u's malloc'd replica is on a real node "
			   "(%d)",
			   name, n, pl.replica_mem);
		}
		is(r->node, n, "%s: replica %u was built for node %u", name, n,
		   n);
		is(pl.init_cpu, r->cpu,
		   "%s: node %u reports the CPU its init ran on (%d)", name, n,
		   r->cpu);
		if (!pl.init_bound) {
			skip(2, "this system cannot bind threads");
			continue;
		}
		ok(cpu_of_node(t, n, r->cpu) && node_of_cpu(r->cpu) == real,
		   "%s: node %u's init ran on CPU %d, one of the node's real "
		   "PUs in real node %d",
		   name, n, r->cpu, real);
		ok(r->tid != creator,
		   "%s: node %u's init ran on its own thread, not the "
		   "creator",
		   name, n);
	}
	is(rc_rsm_placement(rsm, nn, &(struct rc_rsm_placement){ 0 }),
	   -RC_EINVAL, "%s: no placement past the last node", name);

	/* The placed rsm still works: an update from each node, equal
	 * replicas after a sync. */
	{
		uint64_t want = 0;
		bool equal = true;

		for (unsigned n = 0; n < nn; n++) {
			rc_rsm_handle_t *h;
			uint64_t r;

			if (rc_rsm_register(rsm, rc_topo_node_pu(t, n, 0), 0,
					    &h, &err) < 0) {
				diag("    register: %s", err.msg);
				equal = false;
				continue;
			}
			if (rc_rsm_execute(h, 1, n + 1, &r) < 0)
				equal = false;
			want += n + 1;
			rc_rsm_unregister(h);
		}
		rc_rsm_sync(rsm);
		for (unsigned n = 0; n < nn; n++)
			equal &=
				((struct replica *)rc_rsm_replica(rsm, n))->n ==
				want;
		ok(equal,
		   "%s: every replica holds the %llu added from all "
		   "nodes",
		   name, (unsigned long long)want);
	}
	rc_rsm_destroy(rsm);
	rc_topo_close(t);
}

int main(void)
{
	if (hwloc_topology_init(&machine) < 0 ||
	    hwloc_topology_load(machine) < 0)
		skip_all("hwloc cannot read this machine");
	creator = gettid();
	check_layout(NULL, true);
	check_layout("numa:2 core:2 pu:1", true);
	check_layout("package:2 numa:2 core:1 pu:1", true);
	check_layout("numa:3 core:1 pu:1", false);
	hwloc_topology_destroy(machine);
	done_testing();
	return exit_status();
}
