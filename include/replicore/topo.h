/* SPDX-License-Identifier: MIT */
/* replicore/topo.h: the machine's layout (NUMA nodes, cores, PUs, caches) and pinning. */
#ifndef REPLICORE_TOPO_H
#define REPLICORE_TOPO_H

#include <stdbool.h>
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

#ifdef __cplusplus
}
#endif

#endif /* REPLICORE_TOPO_H */
