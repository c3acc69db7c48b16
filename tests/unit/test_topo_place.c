/* SPDX-License-Identifier: MIT */
/* test_topo_place.c: memory on a layout node, code run there, and where memory is. */
#include <sched.h>
#include <unistd.h>

#include <hwloc.h>

#include <replicore/topo.h>

#include "tests/tap.h"

/*
 * The answers are checked against the test's own view of the machine
 * (its own hwloc topology), so they hold on one real NUMA node, where
 * every layout node maps to real node 0, and on many alike.
 */
static hwloc_topology_t machine;

/* The machine's NUMA node (logical index) holding OS CPU cpu, or -1. */
static int node_of_cpu(unsigned cpu)
{
	int n = hwloc_get_nbobjs_by_type(machine, HWLOC_OBJ_NUMANODE);

	for (int r = 0; r < n; r++) {
		hwloc_obj_t o =
			hwloc_get_obj_by_type(machine, HWLOC_OBJ_NUMANODE, r);

		if (hwloc_bitmap_isset(o->cpuset, cpu))
			return r;
	}
	return -1;
}

/* The real node layout node n should map to, by the rule in topo.h. */
static int expected_real_node(const rc_topo_t *t, unsigned n)
{
	struct rc_topo_pu pu;

	if (rc_topo_kind(t) == RC_TOPO_REAL)
		return (int)n;
	if (rc_topo_pu(t, rc_topo_node_pu(t, n, 0), &pu) < 0)
		return -1;
	return node_of_cpu(pu.real_os_index);
}

/* Whether hwloc itself finds [p, p+len) on exactly the machine's NUMA
 * node real (logical index). */
static bool hwloc_says_on(const void *p, size_t len, int real)
{
	hwloc_obj_t o = hwloc_get_obj_by_type(machine, HWLOC_OBJ_NUMANODE,
					      (unsigned)real);
	hwloc_bitmap_t set = hwloc_bitmap_alloc();
	bool on;

	on = o != NULL &&
	     hwloc_get_area_memlocation(machine, p, len, set,
					HWLOC_MEMBIND_BYNODESET) == 0 &&
	     hwloc_bitmap_isequal(set, o->nodeset);
	if (!on) {
		char *s = NULL;

		hwloc_bitmap_asprintf(&s, set);
		diag("    hwloc reports nodeset %s, want node %d (OS %u)",
		     s != NULL ? s : "?", real, o != NULL ? o->os_index : 0);
		free(s);
	}
	hwloc_bitmap_free(set);
	return on;
}

/* Allocates three pages on each layout node, touches and locates them. */
static void check_alloc(const rc_topo_t *t)
{
	size_t len = 3 * (size_t)sysconf(_SC_PAGESIZE);
	rc_err_t err = RC_ERR_INITIALIZER;

	for (unsigned n = 0; n < rc_topo_nnodes(t); n++) {
		int want = expected_real_node(t, n);
		unsigned got[4];
		char *p;
		int k;

		is(rc_topo_real_node(t, n), want,
		   "%s: layout node %u maps to real node %d", rc_topo_source(t),
		   n, want);
		is(rc_topo_real_node_os(t, (unsigned)want),
		   hwloc_get_obj_by_type(machine, HWLOC_OBJ_NUMANODE,
					 (unsigned)want)
			   ->os_index,
		   "%s: real node %d has the machine's OS number",
		   rc_topo_source(t), want);
		p = rc_topo_alloc(t, n, len, &err);
		if (!ok(p != NULL, "%s: allocates on layout node %u",
			rc_topo_source(t), n)) {
			diag("    %s", err.msg);
			continue;
		}
		k = rc_topo_memnode(t, p, len, got, 4, &err);
#ifdef RC_TOPO_FIRST_TOUCH
		/* The fallback placed them by touching them on the node. */
		ok(k == 1 && got[0] == (unsigned)want,
		   "%s: first-touch fallback: node %u's pages are on real "
		   "node %d before the caller touches them (%d nodes)",
		   rc_topo_source(t), n, want, k);
#else
		/* Untouched pages have no node yet, unless the fallback
		 * placed them by touching. */
		ok(k == 0 || (k == 1 && got[0] == (unsigned)want),
		   "%s: before the touch node %u's pages are nowhere or on "
		   "real node %d (%d nodes)",
		   rc_topo_source(t), n, want, k);
#endif
		memset(p, 0xa5, len);
		k = rc_topo_memnode(t, p, len, got, 4, &err);
		ok(k == 1 && got[0] == (unsigned)want,
		   "%s: touched, node %u's pages are on real node %d (%d "
		   "nodes, first %d)",
		   rc_topo_source(t), n, want, k, k > 0 ? (int)got[0] : -1);
		ok(hwloc_says_on(p, len, want),
		   "%s: hwloc finds node %u's pages on real node %d",
		   rc_topo_source(t), n, want);
		is(rc_topo_memnode(t, p + len - 1, 1, NULL, 0, NULL), 1,
		   "%s: the last byte alone is on one node, counted without "
		   "room to write it",
		   rc_topo_source(t));
		rc_topo_free(t, p, len);
	}
}

struct where {
	int cpu;
	char *buf;
	size_t len;
};

static void record_cpu(void *arg)
{
	struct where *w = arg;

	w->cpu = sched_getcpu();
	w->buf = malloc(w->len);
	if (w->buf != NULL)
		memset(w->buf, 1, w->len);
}

/* Runs a function on each layout node: it must run on one of the real
 * CPUs the node's PUs map to, inside the node's real node. */
static void check_run(const rc_topo_t *t)
{
	rc_err_t err = RC_ERR_INITIALIZER;
	hwloc_bitmap_t before = hwloc_bitmap_alloc();
	hwloc_bitmap_t after = hwloc_bitmap_alloc();

	hwloc_get_cpubind(machine, before, HWLOC_CPUBIND_THREAD);
	for (unsigned n = 0; n < rc_topo_nnodes(t); n++) {
		/* Past the mmap threshold: fresh pages the thread touches. */
		struct where w = { -1, NULL, 1u << 20 };
		bool mine = false;
		int r = rc_topo_run_on_node(t, n, record_cpu, &w, &err);

		if (r == -RC_ENOTSUP) {
			skip(3, "this system cannot bind threads");
			continue;
		}
		if (!ok(r == 0, "%s: runs code on layout node %u",
			rc_topo_source(t), n)) {
			diag("    %s", err.msg);
			continue;
		}
		for (unsigned k = 0; k < rc_topo_node_npus(t, n); k++) {
			struct rc_topo_pu pu;

			rc_topo_pu(t, rc_topo_node_pu(t, n, k), &pu);
			mine |= w.cpu == (int)pu.real_os_index;
		}
		ok(mine && node_of_cpu((unsigned)w.cpu) ==
				   rc_topo_real_node(t, n),
		   "%s: node %u's code ran on CPU %d, one of its real PUs in "
		   "real node %d",
		   rc_topo_source(t), n, w.cpu, rc_topo_real_node(t, n));
		ok(w.buf != NULL &&
			   rc_topo_memnode(t, w.buf, w.len, NULL, 0, NULL) >= 1,
		   "%s: memory node %u's code touched has a node",
		   rc_topo_source(t), n);
		free(w.buf);
	}
	hwloc_get_cpubind(machine, after, HWLOC_CPUBIND_THREAD);
	ok(hwloc_bitmap_isequal(before, after),
	   "%s: the caller's binding is untouched", rc_topo_source(t));
	hwloc_bitmap_free(before);
	hwloc_bitmap_free(after);
}

static void check_layout(const char *synthetic)
{
	rc_err_t err = RC_ERR_INITIALIZER;
	rc_topo_t *t;

	if (!ok(rc_topo_open(&t, synthetic, NULL, &err) == 0, "opens %s",
		synthetic != NULL ? synthetic : "the machine")) {
		diag("    %s", err.msg);
		return;
	}
	is(rc_topo_real_nnodes(t),
	   hwloc_get_nbobjs_by_type(machine, HWLOC_OBJ_NUMANODE),
	   "%s: as many real nodes as hwloc finds", rc_topo_source(t));
	check_alloc(t);
	check_run(t);
	rc_topo_close(t);
}

static void check_errors(void)
{
	rc_err_t err = RC_ERR_INITIALIZER;
	rc_topo_t *t;
	char c = 0;

	rc_topo_open(&t, "numa:2 core:1 pu:1", NULL, &err);
	is(rc_topo_real_node(t, 2), -RC_EINVAL, "no real node past the layout");
	is(rc_topo_real_node_os(t, rc_topo_real_nnodes(t)), -RC_EINVAL,
	   "no OS number past the machine's nodes");
	ok(rc_topo_alloc(t, 2, 64, &err) == NULL && err.code == RC_EINVAL,
	   "no allocation on a node past the layout");
	ok(rc_topo_alloc(t, 0, 0, &err) == NULL && err.code == RC_EINVAL,
	   "no allocation of 0 bytes");
	is(rc_topo_memnode(t, NULL, 8, NULL, 0, &err), -RC_EINVAL,
	   "no node for a NULL range");
	is(rc_topo_memnode(t, &c, 0, NULL, 0, &err), -RC_EINVAL,
	   "no node for an empty range");
	is(rc_topo_run_on_node(t, 2, record_cpu, NULL, &err), -RC_EINVAL,
	   "no code run on a node past the layout");
	rc_topo_free(t, NULL, 64);
	rc_topo_close(t);
}

int main(void)
{
	if (hwloc_topology_init(&machine) < 0 ||
	    hwloc_topology_load(machine) < 0)
		skip_all("hwloc cannot read this machine");
	check_layout(NULL);
	check_layout("numa:2 core:2 pu:1");
	check_layout("package:2 numa:2 core:1 pu:1");
	check_errors();
	hwloc_topology_destroy(machine);
	done_testing();
	return exit_status();
}
