/* SPDX-License-Identifier: MIT */
/* topo.c: layouts over hwloc, their mapping onto the machine, and placement. */
#include <assert.h>
#include <ctype.h>
#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <hwloc.h>

#include <replicore/topo.h>

struct rc_topo {
	hwloc_topology_t t;    /* the layout */
	hwloc_topology_t real; /* the machine; == t for a real layout */
	enum rc_topo_kind kind;
	char *source;
	unsigned npus, ncores, nnodes, npackages, real_npus, real_nnodes;
	unsigned *pu_node;   /* logical PU -> logical NUMA node */
	unsigned *real_os;   /* real logical PU -> OS index */
	unsigned *node_real; /* logical NUMA node -> real node (logical) */
	hwloc_obj_t *caches;
	unsigned ncaches;
	unsigned dist_n; /* nodes in the distance matrix, 0 if none */
	uint64_t *dist;	 /* dist_n x dist_n, by logical node index */
};

static unsigned count_type(hwloc_topology_t t, hwloc_obj_type_t type)
{
	int n = hwloc_get_nbobjs_by_type(t, type);

	return n > 0 ? (unsigned)n : 0;
}

/*
 * Checks a synthetic description token by token before hwloc sees it, so the
 * error can name the token and column: hwloc only says "invalid".
 * A token is TYPE:COUNT with an optional (attributes) group.
 */
static int check_synthetic(const char *s, rc_err_t *err)
{
	const char *p = s;
	unsigned ntok = 0;

	for (;;) {
		const char *tok, *colon;
		union hwloc_obj_attr_u attr;
		hwloc_obj_type_t type;
		char name[64];
		size_t len;

		while (*p == ' ' || *p == '\t')
			p++;
		if (*p == '\0')
			break;
		tok = p;
		while (*p != '\0' && *p != ' ' && *p != '\t' && *p != '(')
			p++;
		len = (size_t)(p - tok);
		colon = memchr(tok, ':', len);
		if (colon == NULL || colon == tok)
			return rc_err_set(err, RC_EINVAL, "synthetic", 1,
					  (unsigned)(tok - s) + 1,
					  "expected TYPE:COUNT, got '%.*s'",
					  (int)len, tok);
		if ((size_t)(colon - tok) >= sizeof(name))
			return rc_err_set(err, RC_EINVAL, "synthetic", 1,
					  (unsigned)(tok - s) + 1,
					  "object type too long in '%.*s'",
					  (int)len, tok);
		memcpy(name, tok, (size_t)(colon - tok));
		name[colon - tok] = '\0';
		if (hwloc_type_sscanf(name, &type, &attr, sizeof(attr)) < 0)
			return rc_err_set(
				err, RC_EINVAL, "synthetic", 1,
				(unsigned)(tok - s) + 1,
				"unknown object type '%s' (expected "
				"package, numa, group, l1..l5, core or "
				"pu)",
				name);
		if (colon + 1 == p)
			return rc_err_set(err, RC_EINVAL, "synthetic", 1,
					  (unsigned)(colon - s) + 2,
					  "missing count after '%s:'", name);
		for (const char *d = colon + 1; d < p; d++)
			if (!isdigit((unsigned char)*d) ||
			    (d == colon + 1 && *d == '0'))
				return rc_err_set(
					err, RC_EINVAL, "synthetic", 1,
					(unsigned)(colon - s) + 2,
					"count in '%.*s' is not a positive "
					"integer",
					(int)len, tok);
		if (*p == '(') {
			const char *open = p;

			while (*p != '\0' && *p != ')')
				p++;
			if (*p != ')')
				return rc_err_set(err, RC_EINVAL, "synthetic",
						  1, (unsigned)(open - s) + 1,
						  "unclosed '(' in '%s'", open);
			p++;
		}
		ntok++;
	}
	if (ntok == 0)
		return rc_err_set(err, RC_EINVAL, "synthetic", 1, 1,
				  "empty description (expected e.g. "
				  "\"numa:2 core:2 pu:1\")");
	return 0;
}

static int load(hwloc_topology_t *out, const char *synthetic, const char *xml,
		rc_err_t *err)
{
	hwloc_topology_t t;

	if (hwloc_topology_init(&t) < 0)
		return rc_err_set(err, RC_ESYS, NULL, 0, 0,
				  "hwloc_topology_init: %s", strerror(errno));
	if (synthetic != NULL && hwloc_topology_set_synthetic(t, synthetic)) {
		hwloc_topology_destroy(t);
		return rc_err_set(err, RC_EINVAL, "synthetic", 1, 1,
				  "hwloc rejected the description '%s'",
				  synthetic);
	}
	if (xml != NULL && hwloc_topology_set_xml(t, xml) < 0) {
		int e = errno;

		hwloc_topology_destroy(t);
		return rc_err_set(err, e == ENOENT ? RC_ENOENT : RC_EINVAL, xml,
				  0, 0, "cannot read hwloc XML: %s",
				  strerror(e));
	}
	if (hwloc_topology_load(t) < 0) {
		int e = errno;

		hwloc_topology_destroy(t);
		return rc_err_set(err, xml != NULL ? RC_EINVAL : RC_ESYS,
				  xml != NULL ? xml : NULL, 0, 0,
				  "hwloc could not load the topology: %s",
				  strerror(e));
	}
	*out = t;
	return 0;
}

/* The real node holding the machine's CPU os (the first by logical index
 * whose PUs include it), or 0 when none does. */
static unsigned real_node_of_cpu(const rc_topo_t *tp, unsigned os)
{
	for (unsigned r = 0; r < tp->real_nnodes; r++) {
		hwloc_obj_t o =
			hwloc_get_obj_by_type(tp->real, HWLOC_OBJ_NUMANODE, r);

		if (o != NULL && o->cpuset != NULL &&
		    hwloc_bitmap_isset(o->cpuset, os))
			return r;
	}
	return 0;
}

/* Layout node n's real node, as replicore/topo.h defines it. */
static unsigned map_node(const rc_topo_t *tp, unsigned n)
{
	unsigned first = rc_topo_node_pu(tp, n, 0);

	if (tp->kind == RC_TOPO_REAL)
		return n;
	if (first >= tp->npus)
		return n < tp->real_nnodes ? n : 0;
	return real_node_of_cpu(tp, tp->real_os[first % tp->real_npus]);
}

static int fill(rc_topo_t *tp, rc_err_t *err)
{
	hwloc_topology_t t = tp->t;
	struct hwloc_distances_s *d[1];
	unsigned nr = 1;

	tp->npus = count_type(t, HWLOC_OBJ_PU);
	tp->ncores = count_type(t, HWLOC_OBJ_CORE);
	tp->nnodes = count_type(t, HWLOC_OBJ_NUMANODE);
	tp->npackages = count_type(t, HWLOC_OBJ_PACKAGE);
	tp->real_npus = count_type(tp->real, HWLOC_OBJ_PU);
	if (tp->npus == 0 || tp->real_npus == 0)
		return rc_err_set(err, RC_EINVAL, tp->source, 0, 0,
				  "the layout has no processing units");
	if (tp->nnodes == 0)
		tp->nnodes = 1;

	tp->pu_node = calloc(tp->npus, sizeof(*tp->pu_node));
	tp->real_os = calloc(tp->real_npus, sizeof(*tp->real_os));
	if (tp->pu_node == NULL || tp->real_os == NULL)
		return rc_err_set(err, RC_ENOMEM, NULL, 0, 0, "out of memory");
	for (unsigned i = 0; i < tp->npus; i++) {
		hwloc_obj_t pu = hwloc_get_obj_by_type(t, HWLOC_OBJ_PU, i);
		unsigned nn = count_type(t, HWLOC_OBJ_NUMANODE);

		for (unsigned n = 0; n < nn; n++) {
			hwloc_obj_t node =
				hwloc_get_obj_by_type(t, HWLOC_OBJ_NUMANODE, n);

			if (hwloc_bitmap_intersects(node->cpuset, pu->cpuset)) {
				tp->pu_node[i] = n;
				break;
			}
		}
	}
	for (unsigned i = 0; i < tp->real_npus; i++)
		tp->real_os[i] =
			hwloc_get_obj_by_type(tp->real, HWLOC_OBJ_PU, i)
				->os_index;

	tp->real_nnodes = count_type(tp->real, HWLOC_OBJ_NUMANODE);
	if (tp->real_nnodes == 0)
		tp->real_nnodes = 1;
	tp->node_real = calloc(tp->nnodes, sizeof(*tp->node_real));
	if (tp->node_real == NULL)
		return rc_err_set(err, RC_ENOMEM, NULL, 0, 0, "out of memory");
	for (unsigned n = 0; n < tp->nnodes; n++)
		tp->node_real[n] = map_node(tp, n);

	tp->caches = NULL;
	tp->ncaches = 0;
	{
		unsigned total = 0;
		hwloc_obj_type_t types[] = {
			HWLOC_OBJ_L1CACHE, HWLOC_OBJ_L1ICACHE,
			HWLOC_OBJ_L2CACHE, HWLOC_OBJ_L2ICACHE,
			HWLOC_OBJ_L3CACHE, HWLOC_OBJ_L3ICACHE,
			HWLOC_OBJ_L4CACHE, HWLOC_OBJ_L5CACHE,
		};
		size_t nt = sizeof(types) / sizeof(types[0]);

		for (size_t k = 0; k < nt; k++)
			total += count_type(t, types[k]);
		if (total > 0) {
			tp->caches = calloc(total, sizeof(*tp->caches));
			if (tp->caches == NULL)
				return rc_err_set(err, RC_ENOMEM, NULL, 0, 0,
						  "out of memory");
		}
		for (size_t k = 0; k < nt; k++) {
			unsigned n = count_type(t, types[k]);

			for (unsigned i = 0; i < n; i++)
				tp->caches[tp->ncaches++] =
					hwloc_get_obj_by_type(t, types[k], i);
		}
	}

	if (hwloc_distances_get_by_type(t, HWLOC_OBJ_NUMANODE, &nr, d, 0, 0) ==
		    0 &&
	    nr > 0) {
		unsigned n = d[0]->nbobjs;

		tp->dist = calloc((size_t)n * n, sizeof(*tp->dist));
		if (tp->dist != NULL) {
			tp->dist_n = n;
			for (unsigned a = 0; a < n; a++)
				for (unsigned b = 0; b < n; b++) {
					unsigned la =
						d[0]->objs[a]->logical_index;
					unsigned lb =
						d[0]->objs[b]->logical_index;

					if (la < n && lb < n)
						tp->dist[la * n + lb] =
							d[0]->values[a * n + b];
				}
		}
		hwloc_distances_release(t, d[0]);
	}
	return 0;
}

int rc_topo_open(rc_topo_t **out, const char *synthetic, const char *xml,
		 rc_err_t *err)
{
	rc_topo_t *tp;
	int r;

	*out = NULL;
	if (synthetic != NULL && xml != NULL)
		return rc_err_set(err, RC_EINVAL, NULL, 0, 0,
				  "give a synthetic description or an XML "
				  "file, not both");
	if (synthetic != NULL && (r = check_synthetic(synthetic, err)) < 0)
		return r;
	tp = calloc(1, sizeof(*tp));
	if (tp == NULL)
		return rc_err_set(err, RC_ENOMEM, NULL, 0, 0, "out of memory");
	tp->kind = synthetic != NULL ? RC_TOPO_SYNTHETIC
		   : xml != NULL     ? RC_TOPO_XML
				     : RC_TOPO_REAL;
	tp->source = strdup(synthetic != NULL ? synthetic
			    : xml != NULL     ? xml
					      : "machine");
	if (tp->source == NULL) {
		free(tp);
		return rc_err_set(err, RC_ENOMEM, NULL, 0, 0, "out of memory");
	}
	r = load(&tp->t, synthetic, xml, err);
	if (r == 0) {
		if (tp->kind == RC_TOPO_REAL)
			tp->real = tp->t;
		else
			r = load(&tp->real, NULL, NULL, err);
	}
	if (r == 0)
		r = fill(tp, err);
	if (r < 0) {
		rc_topo_close(tp);
		return r;
	}
	*out = tp;
	return 0;
}

void rc_topo_close(rc_topo_t *tp)
{
	if (tp == NULL)
		return;
	if (tp->real != NULL && tp->real != tp->t)
		hwloc_topology_destroy(tp->real);
	if (tp->t != NULL)
		hwloc_topology_destroy(tp->t);
	free(tp->pu_node);
	free(tp->real_os);
	free(tp->node_real);
	free(tp->caches);
	free(tp->dist);
	free(tp->source);
	free(tp);
}

enum rc_topo_kind rc_topo_kind(const rc_topo_t *tp)
{
	return tp->kind;
}

const char *rc_topo_source(const rc_topo_t *tp)
{
	return tp->source;
}

unsigned rc_topo_npackages(const rc_topo_t *tp)
{
	return tp->npackages;
}

unsigned rc_topo_nnodes(const rc_topo_t *tp)
{
	return tp->nnodes;
}

unsigned rc_topo_ncores(const rc_topo_t *tp)
{
	return tp->ncores;
}

unsigned rc_topo_npus(const rc_topo_t *tp)
{
	return tp->npus;
}

unsigned rc_topo_real_npus(const rc_topo_t *tp)
{
	return tp->real_npus;
}

bool rc_topo_wraps(const rc_topo_t *tp)
{
	return tp->npus > tp->real_npus;
}

static unsigned ancestor_index(hwloc_obj_t o, hwloc_obj_type_t type)
{
	hwloc_obj_t a = hwloc_get_ancestor_obj_by_type(NULL, type, o);

	return a != NULL ? a->logical_index : 0;
}

int rc_topo_pu(const rc_topo_t *tp, unsigned i, struct rc_topo_pu *pu)
{
	hwloc_obj_t o;

	if (i >= tp->npus)
		return -RC_EINVAL;
	o = hwloc_get_obj_by_type(tp->t, HWLOC_OBJ_PU, i);
	pu->index = i;
	pu->core = ancestor_index(o, HWLOC_OBJ_CORE);
	pu->package = ancestor_index(o, HWLOC_OBJ_PACKAGE);
	pu->node = tp->pu_node[i];
	pu->real_os_index = tp->real_os[i % tp->real_npus];
	return 0;
}

unsigned rc_topo_node_npus(const rc_topo_t *tp, unsigned node)
{
	unsigned n = 0;

	for (unsigned i = 0; i < tp->npus; i++)
		n += tp->pu_node[i] == node;
	return n;
}

unsigned rc_topo_node_pu(const rc_topo_t *tp, unsigned node, unsigned k)
{
	for (unsigned i = 0; i < tp->npus; i++)
		if (tp->pu_node[i] == node && k-- == 0)
			return i;
	return tp->npus;
}

uint64_t rc_topo_node_memory(const rc_topo_t *tp, unsigned node)
{
	hwloc_obj_t o = hwloc_get_obj_by_type(tp->t, HWLOC_OBJ_NUMANODE, node);

	return o != NULL ? o->attr->numanode.local_memory : 0;
}

int rc_topo_distance(const rc_topo_t *tp, unsigned a, unsigned b)
{
	if (tp->dist_n == 0 || a >= tp->dist_n || b >= tp->dist_n)
		return -1;
	return (int)tp->dist[a * tp->dist_n + b];
}

unsigned rc_topo_ncaches(const rc_topo_t *tp)
{
	return tp->ncaches;
}

int rc_topo_cache(const rc_topo_t *tp, unsigned i, struct rc_topo_cache *c)
{
	hwloc_obj_t o;
	int first;

	if (i >= tp->ncaches)
		return -RC_EINVAL;
	o = tp->caches[i];
	c->level = o->attr->cache.depth;
	c->type = o->attr->cache.type == HWLOC_OBJ_CACHE_DATA ? RC_CACHE_DATA
		  : o->attr->cache.type == HWLOC_OBJ_CACHE_INSTRUCTION
			  ? RC_CACHE_INSTRUCTION
			  : RC_CACHE_UNIFIED;
	c->size = o->attr->cache.size;
	c->linesize = o->attr->cache.linesize;
	c->npus = (unsigned)hwloc_get_nbobjs_inside_cpuset_by_type(
		tp->t, o->cpuset, HWLOC_OBJ_PU);
	first = hwloc_bitmap_first(o->cpuset);
	c->first_pu = 0;
	if (first >= 0) {
		hwloc_obj_t pu =
			hwloc_get_pu_obj_by_os_index(tp->t, (unsigned)first);

		c->first_pu = pu != NULL ? pu->logical_index : 0;
	}
	return 0;
}

int rc_topo_pin(const rc_topo_t *tp, unsigned pu, rc_err_t *err)
{
	hwloc_obj_t o;
	unsigned os;

	if (pu >= tp->npus)
		return rc_err_set(err, RC_EINVAL, NULL, 0, 0,
				  "PU %u is outside the layout (%u PUs)", pu,
				  tp->npus);
	os = tp->real_os[pu % tp->real_npus];
	o = hwloc_get_pu_obj_by_os_index(tp->real, os);
	if (o == NULL)
		return rc_err_set(err, RC_ESYS, NULL, 0, 0,
				  "real PU %u vanished", os);
	if (hwloc_set_cpubind(tp->real, o->cpuset, HWLOC_CPUBIND_THREAD) < 0) {
		int e = errno;

		return rc_err_set(err, e == ENOSYS ? RC_ENOTSUP : RC_ESYS, NULL,
				  0, 0, "cannot pin to CPU %u: %s", os,
				  strerror(e));
	}
	return 0;
}

void rc_topo_spread(const rc_topo_t *tp, unsigned n, unsigned *pus)
{
	for (unsigned r = 0; r < n; r++) {
		unsigned node = r % tp->nnodes;
		unsigned np = rc_topo_node_npus(tp, node);

		if (np == 0) {
			pus[r] = r % tp->npus;
			continue;
		}
		pus[r] = rc_topo_node_pu(tp, node, (r / tp->nnodes) % np);
	}
}

unsigned rc_topo_real_nnodes(const rc_topo_t *tp)
{
	return tp->real_nnodes;
}

int rc_topo_real_node(const rc_topo_t *tp, unsigned node)
{
	if (node >= tp->nnodes)
		return -RC_EINVAL;
	return (int)tp->node_real[node];
}

int rc_topo_real_node_os(const rc_topo_t *tp, unsigned real)
{
	hwloc_obj_t o;

	if (real >= tp->real_nnodes)
		return -RC_EINVAL;
	o = hwloc_get_obj_by_type(tp->real, HWLOC_OBJ_NUMANODE, real);
	return o != NULL ? (int)o->os_index : 0;
}

/*
 * The real PUs of layout node node (see replicore/topo.h) as a new cpuset
 * of the machine, or NULL when out of memory. Empty when neither the
 * node nor its real node has a PU.
 */
static hwloc_bitmap_t node_cpuset(const rc_topo_t *tp, unsigned node)
{
	hwloc_obj_t real = hwloc_get_obj_by_type(tp->real, HWLOC_OBJ_NUMANODE,
						 tp->node_real[node]);
	hwloc_bitmap_t set = hwloc_bitmap_alloc();

	if (set == NULL)
		return NULL;
	for (unsigned i = 0; i < tp->npus; i++) {
		unsigned os = tp->real_os[i % tp->real_npus];

		if (tp->pu_node[i] != node)
			continue;
		/* A machine without NUMA objects: its one node has them all. */
		if (real == NULL || real->cpuset == NULL ||
		    hwloc_bitmap_isset(real->cpuset, os))
			hwloc_bitmap_set(set, os);
	}
	if (hwloc_bitmap_iszero(set) && real != NULL && real->cpuset != NULL)
		hwloc_bitmap_and(set, real->cpuset,
				 hwloc_topology_get_allowed_cpuset(tp->real));
	return set;
}

struct run_ctx {
	const rc_topo_t *tp;
	hwloc_const_bitmap_t set;
	void (*fn)(void *arg);
	void *arg;
	int code; /* RC_OK once fn ran, else why it did not */
	int sys;  /* the failed call's errno */
	int cpu;  /* where the check found the thread, -1 unknown */
};

static void *run_thread(void *arg)
{
	struct run_ctx *c = arg;
	hwloc_bitmap_t where = hwloc_bitmap_alloc();

	if (where == NULL) {
		c->code = RC_ENOMEM;
		return NULL;
	}
	if (hwloc_set_cpubind(c->tp->real, c->set, HWLOC_CPUBIND_THREAD) < 0) {
		c->sys = errno;
		c->code = c->sys == ENOSYS || c->sys == EXDEV ? RC_ENOTSUP
							      : RC_ESYS;
	} else if (hwloc_get_last_cpu_location(c->tp->real, where,
					       HWLOC_CPUBIND_THREAD) < 0) {
		c->sys = errno;
		c->code = RC_ESYS;
	} else if (!hwloc_bitmap_isincluded(where, c->set)) {
		/* The kernel moves a thread off CPUs outside its new mask
		 * before sched_setaffinity returns; running elsewhere
		 * means the binding did not hold. */
		c->cpu = hwloc_bitmap_first(where);
		c->code = RC_ESYS;
	} else {
		c->code = RC_OK;
		c->fn(c->arg);
	}
	hwloc_bitmap_free(where);
	return NULL;
}

int rc_topo_run_on_node(const rc_topo_t *tp, unsigned node,
			void (*fn)(void *arg), void *arg, rc_err_t *err)
{
	struct run_ctx c = { tp, NULL, fn, arg, RC_ESYS, 0, -1 };
	hwloc_bitmap_t set;
	pthread_t th;
	int e;

	if (node >= tp->nnodes)
		return rc_err_set(err, RC_EINVAL, NULL, 0, 0,
				  "node %u is outside the layout (%u nodes)",
				  node, tp->nnodes);
	set = node_cpuset(tp, node);
	if (set == NULL)
		return rc_err_set(err, RC_ENOMEM, NULL, 0, 0, "out of memory");
	if (hwloc_bitmap_iszero(set)) {
		hwloc_bitmap_free(set);
		return rc_err_set(err, RC_ENOTSUP, NULL, 0, 0,
				  "node %u has no PU to run on", node);
	}
	c.set = set;
	e = pthread_create(&th, NULL, run_thread, &c);
	if (e != 0) {
		hwloc_bitmap_free(set);
		return rc_err_set(err, RC_ESYS, NULL, 0, 0,
				  "cannot create a thread for node %u: %s",
				  node, strerror(e));
	}
	e = pthread_join(th, NULL);
	assert(e == 0);
	(void)e;
	if (c.code != RC_OK) {
		char *cpus = NULL;
		int r;

		if (hwloc_bitmap_list_asprintf(&cpus, set) < 0)
			cpus = NULL;
		if (c.cpu >= 0)
			r = rc_err_set(err, c.code, NULL, 0, 0,
				       "bound to CPUs %s for node %u but "
				       "ran on CPU %d",
				       cpus != NULL ? cpus : "?", node, c.cpu);
		else if (c.code == RC_ENOMEM)
			r = rc_err_set(err, c.code, NULL, 0, 0,
				       "out of memory");
		else
			r = rc_err_set(err, c.code, NULL, 0, 0,
				       "cannot bind a thread to CPUs %s "
				       "for node %u: %s",
				       cpus != NULL ? cpus : "?", node,
				       strerror(c.sys));
		free(cpus);
		hwloc_bitmap_free(set);
		return r;
	}
	hwloc_bitmap_free(set);
	return 0;
}

/*
 * Whether rc_topo_alloc tries hwloc_alloc_membind. A test builds a copy
 * of this file with RC_TOPO_FIRST_TOUCH defined, to run the first-touch
 * fallback on a machine that can bind memory.
 */
#ifdef RC_TOPO_FIRST_TOUCH
#define TRY_MEMBIND false
#else
#define TRY_MEMBIND true
#endif

struct touch_ctx {
	volatile char *p;
	size_t size, page;
};

/* Writes a zero into each page of the range, placing it by first touch. */
static void touch_pages(void *arg)
{
	struct touch_ctx *t = arg;

	for (size_t off = 0; off < t->size; off += t->page)
		t->p[off] = 0;
	t->p[t->size - 1] = 0;
}

void *rc_topo_alloc(const rc_topo_t *tp, unsigned node, size_t size,
		    rc_err_t *err)
{
	struct touch_ctx t;
	hwloc_obj_t real;
	long page;
	void *p;

	if (node >= tp->nnodes) {
		rc_err_set(err, RC_EINVAL, NULL, 0, 0,
			   "node %u is outside the layout (%u nodes)", node,
			   tp->nnodes);
		return NULL;
	}
	if (size == 0) {
		rc_err_set(err, RC_EINVAL, NULL, 0, 0,
			   "cannot place 0 bytes on node %u", node);
		return NULL;
	}
	real = hwloc_get_obj_by_type(tp->real, HWLOC_OBJ_NUMANODE,
				     tp->node_real[node]);
	if (TRY_MEMBIND && real != NULL && real->nodeset != NULL) {
		/* Strict: fail rather than hand back memory that hwloc
		 * could not bind, so the fallback below can place it. */
		p = hwloc_alloc_membind(
			tp->real, size, real->nodeset, HWLOC_MEMBIND_BIND,
			HWLOC_MEMBIND_BYNODESET | HWLOC_MEMBIND_STRICT);
		if (p != NULL)
			return p;
		if (errno == ENOMEM) {
			rc_err_set(err, RC_ENOMEM, NULL, 0, 0,
				   "out of memory (%zu bytes on node %u)", size,
				   node);
			return NULL;
		}
	}
	p = hwloc_alloc(tp->real, size);
	if (p == NULL) {
		rc_err_set(err, RC_ENOMEM, NULL, 0, 0,
			   "out of memory (%zu bytes on node %u)", size, node);
		return NULL;
	}
	page = sysconf(_SC_PAGESIZE);
	t.p = p;
	t.size = size;
	t.page = page > 0 ? (size_t)page : 4096;
	if (rc_topo_run_on_node(tp, node, touch_pages, &t, NULL) < 0)
		touch_pages(&t);
	return p;
}

void rc_topo_free(const rc_topo_t *tp, void *p, size_t size)
{
	if (p != NULL)
		hwloc_free(tp->real, p, size);
}

int rc_topo_memnode(const rc_topo_t *tp, const void *p, size_t len,
		    unsigned *nodes, unsigned max, rc_err_t *err)
{
	hwloc_bitmap_t set;
	unsigned n = 0;

	if (p == NULL || len == 0)
		return rc_err_set(err, RC_EINVAL, NULL, 0, 0,
				  "an empty range has no node");
	set = hwloc_bitmap_alloc();
	if (set == NULL)
		return rc_err_set(err, RC_ENOMEM, NULL, 0, 0, "out of memory");
	if (hwloc_get_area_memlocation(tp->real, p, len, set,
				       HWLOC_MEMBIND_BYNODESET) < 0) {
		int e = errno;

		hwloc_bitmap_free(set);
		return rc_err_set(err, e == ENOSYS ? RC_ENOTSUP : RC_ESYS, NULL,
				  0, 0, "cannot tell where %p is: %s", p,
				  strerror(e));
	}
	for (unsigned r = 0; r < tp->real_nnodes; r++) {
		hwloc_obj_t o =
			hwloc_get_obj_by_type(tp->real, HWLOC_OBJ_NUMANODE, r);

		if (o == NULL || !hwloc_bitmap_isset(set, o->os_index))
			continue;
		if (n < max)
			nodes[n] = r;
		n++;
	}
	hwloc_bitmap_free(set);
	return (int)n;
}
