/* SPDX-License-Identifier: MIT */
/* replicore/topo.h: the machine's layout (NUMA nodes, cores, PUs, caches) and pinning. */
#ifndef REPLICORE_TOPO_H
#define REPLICORE_TOPO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <replicore/err.h>

#ifdef __cplusplus
extern "C" {
#endif

/*
 * A topology is a *layout*: the real machine, an hwloc synthetic description
 * ("package:2 numa:2 core:4 pu:2") or an hwloc XML file. A layout that is not
 * the machine is *mapped* onto the machine's PUs: logical PU i of the layout
 * runs on real PU (i mod real PUs), so a 2-core machine can plan, run and test
 * a 4-node layout; rc_topo_wraps() says when PUs share a real PU.
 *
 * Numbers are hwloc logical indexes within the layout (0..n-1), except
 * real_os_index, which is the operating system's CPU number.
 *
 * Concurrency: an rc_topo_t is immutable after rc_topo_open(); any number of
 * threads may call the query functions and rc_topo_pin() at once. Opening
 * and closing are not thread-safe with respect to the same object.
 */
typedef struct rc_topo rc_topo_t;

enum rc_topo_kind {
	RC_TOPO_REAL = 0,
	RC_TOPO_SYNTHETIC = 1,
	RC_TOPO_XML = 2,
};

/*
 * Opens a layout: the machine when synthetic and xml are both NULL, else the
 * synthetic description or the XML file (not both). A malformed synthetic
 * description fails with -RC_EINVAL and err naming the offending token and
 * its 1-based column (err->where is "synthetic"); a missing or bad XML file
 * names the file. Blocking (reads the machine). Returns 0 or -RC_E*.
 */
int rc_topo_open(rc_topo_t **out, const char *synthetic, const char *xml,
		 rc_err_t *err);

/* Frees the layout. No thread may be using it. */
void rc_topo_close(rc_topo_t *topo);

enum rc_topo_kind rc_topo_kind(const rc_topo_t *topo);
/* The synthetic description or XML path; "machine" for the real one. */
const char *rc_topo_source(const rc_topo_t *topo);

unsigned rc_topo_npackages(const rc_topo_t *topo);
unsigned rc_topo_nnodes(const rc_topo_t *topo);
unsigned rc_topo_ncores(const rc_topo_t *topo);
unsigned rc_topo_npus(const rc_topo_t *topo);
/* PUs of the real machine this process may run on. */
unsigned rc_topo_real_npus(const rc_topo_t *topo);
/* True when the layout has more PUs than the machine: some share a real PU. */
bool rc_topo_wraps(const rc_topo_t *topo);

struct rc_topo_pu {
	unsigned index;		/* logical PU in the layout */
	unsigned core;		/* logical core holding it */
	unsigned node;		/* logical NUMA node holding it */
	unsigned package;	/* logical package holding it (0 if none) */
	unsigned real_os_index; /* the machine's CPU it runs on */
};

/* Describes logical PU i (i < rc_topo_npus()). Returns 0 or -RC_EINVAL. */
int rc_topo_pu(const rc_topo_t *topo, unsigned i, struct rc_topo_pu *pu);

/* The number of PUs of NUMA node n, and its i-th PU's logical index. */
unsigned rc_topo_node_npus(const rc_topo_t *topo, unsigned node);
unsigned rc_topo_node_pu(const rc_topo_t *topo, unsigned node, unsigned i);

/* Memory of NUMA node n in bytes, 0 when hwloc does not know it. */
uint64_t rc_topo_node_memory(const rc_topo_t *topo, unsigned node);

/*
 * Relative distance between NUMA nodes a and b as hwloc reports it (10 for a
 * node to itself on ACPI SLIT machines), or -1 when the layout has none.
 */
int rc_topo_distance(const rc_topo_t *topo, unsigned a, unsigned b);

enum rc_cache_type {
	RC_CACHE_UNIFIED = 0,
	RC_CACHE_DATA = 1,
	RC_CACHE_INSTRUCTION = 2,
};

struct rc_topo_cache {
	unsigned level; /* 1, 2, 3, ... */
	enum rc_cache_type type;
	uint64_t size;	   /* bytes, 0 when unknown */
	unsigned linesize; /* bytes, 0 when unknown */
	unsigned npus;	   /* PUs sharing it */
	unsigned first_pu; /* the lowest logical PU sharing it */
};

/* The number of cache objects in the layout, and the i-th of them. */
unsigned rc_topo_ncaches(const rc_topo_t *topo);
int rc_topo_cache(const rc_topo_t *topo, unsigned i,
		  struct rc_topo_cache *cache);

/*
 * Pins the calling thread to the real PU that logical PU pu maps to.
 * Affects only the caller. Blocking (a system call). Returns 0 or -RC_E*;
 * -RC_ENOTSUP where the system cannot bind threads.
 */
int rc_topo_pin(const rc_topo_t *topo, unsigned pu, rc_err_t *err);

/*
 * Places n replicas on the layout: replica r goes to NUMA node (r mod nodes),
 * on that node's PUs in turn, so consecutive replicas land on different nodes
 * and a node gets a second replica only when every node has one. Writes n
 * logical PU indexes to pus. Wait-free, no allocation.
 */
void rc_topo_spread(const rc_topo_t *topo, unsigned n, unsigned *pus);

/*
 * Placement: memory on a layout node, and where memory is.
 *
 * Each layout node has a *real node*, the machine's NUMA node that holds
 * its memory. For the machine's own layout it is the node itself. For a
 * mapped layout (synthetic or XML) it is the real NUMA node holding the
 * real PU that the layout node's first PU (rc_topo_node_pu(topo, node,
 * 0)) runs on, so the memory is local to that PU, and to every PU of the
 * node whose real PU lies in the same real node. A layout node without
 * PUs (memory only) has the real node of the same index, or real node 0
 * when the machine has fewer. On a machine with one NUMA node every
 * layout node's real node is 0; on a 4-node machine "numa:4 core:8
 * pu:1" maps layout node n to real node n when each real node has 8 PUs.
 *
 * Real nodes are numbered by hwloc's logical index on the machine
 * (0..rc_topo_real_nnodes()-1), like the layout's numbers; the
 * operating system's number of real node r is rc_topo_real_node_os().
 *
 * A node's *real PUs* are the real PUs its PUs run on that lie in its
 * real node (for a node without PUs, the real node's own PUs): where
 * rc_topo_run_on_node() runs code for the node.
 */

/* The machine's NUMA nodes (at least 1). */
unsigned rc_topo_real_nnodes(const rc_topo_t *topo);

/* The real node of layout node node, or -RC_EINVAL when node is not in
 * the layout. Wait-free. */
int rc_topo_real_node(const rc_topo_t *topo, unsigned node);

/* The operating system's number of real node real (as in
 * /sys/devices/system/node/nodeN), or -RC_EINVAL. Wait-free. */
int rc_topo_real_node_os(const rc_topo_t *topo, unsigned real);

/*
 * Runs fn(arg) on a new thread bound to the real PUs of layout node node
 * and waits for it to return. The thread checks that the binding took
 * effect (it runs on one of those PUs) before it calls fn, so memory fn
 * touches first is placed on the node by the kernel's first-touch rule.
 * Everything the caller did before the call happens before fn runs, and
 * everything fn did happens before the call returns (thread creation
 * and join order them). Any thread, concurrently with other calls on
 * topo; the caller's own binding is not changed. Blocking (creates and
 * joins a thread). Returns 0 once fn has run, or, without running fn:
 * -RC_EINVAL (node not in the layout), -RC_ENOTSUP (the system cannot
 * bind threads, or the node has no PU to bind to), -RC_ESYS (no thread
 * could be created, or the binding did not take effect), -RC_ENOMEM.
 */
int rc_topo_run_on_node(const rc_topo_t *topo, unsigned node,
			void (*fn)(void *arg), void *arg, rc_err_t *err);

/*
 * Allocates size bytes, page-aligned, on layout node node's real node:
 * with hwloc_alloc_membind and the bind policy, so every page is placed
 * there when it is first touched, whichever thread touches it. Where
 * the system cannot bind memory (hwloc reports no support, or the
 * kernel refuses mbind), it falls back to a plain page allocation whose
 * pages are touched, and so placed, by a thread run on the node's real
 * PUs (rc_topo_run_on_node), or by the caller when no thread can be
 * bound there: then the placement is best effort, and rc_topo_memnode()
 * tells where the pages went. The contents are unspecified. Free with
 * rc_topo_free() and the same size. Any thread, concurrently with other
 * calls on topo. Blocking (system calls). Returns NULL and fills err
 * with -RC_EINVAL (node not in the layout, size 0) or -RC_ENOMEM.
 */
void *rc_topo_alloc(const rc_topo_t *topo, unsigned node, size_t size,
		    rc_err_t *err);

/* Frees p (size bytes) from rc_topo_alloc(topo, ...); p may be NULL. Any
 * thread; not concurrently with uses of p. Blocking (a system call). */
void rc_topo_free(const rc_topo_t *topo, void *p, size_t size);

/*
 * Where the pages of [p, p + len) are (hwloc_get_area_memlocation):
 * writes the real nodes holding at least one of its pages, ascending, to
 * nodes[0..max-1] and returns how many there are (which may exceed max;
 * nodes may be NULL when max is 0). A page has no node until it is first
 * touched, so a range none of whose pages was touched yet returns 0 and
 * a partly touched one reports only the touched pages: write the memory
 * before asking (a read alone may map the kernel's shared zero page,
 * which counts as no node). The answer may be stale at
 * once if the kernel migrates pages. Any thread, concurrently with
 * anything (it only reads page tables). Blocking (system calls over the
 * range). Returns the count, -RC_EINVAL (p NULL or len 0), -RC_ENOTSUP
 * (the system cannot tell) or -RC_ESYS.
 */
int rc_topo_memnode(const rc_topo_t *topo, const void *p, size_t len,
		    unsigned *nodes, unsigned max, rc_err_t *err);

#ifdef __cplusplus
}
#endif

#endif /* REPLICORE_TOPO_H */
