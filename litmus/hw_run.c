/* SPDX-License-Identifier: MIT */
/* hw_run.c: the hardware litmus harness: compile the generated test once into a cached shared object, run it pinned, histogram the final states. */
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <pthread.h>
#include <stdarg.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <ck_barrier.h>
#include <ck_pr.h>

#include <replicore/topo.h>

#include "litmus/hw.h"
#include "litmus/hw_arch.h"

/*
 * How a run goes (the shape of litmus7's harness, with spin barriers):
 *
 * - `size` instances of the test live side by side in one array, every
 *   location of every instance on its own 128-byte line;
 * - a round: all threads meet at a ck spin barrier (no system call on the
 *   hot path), each waits a random number of pause loops of its own (the
 *   start offset), then runs its code on instance 0, 1, ..., size-1; all
 *   meet again; thread 0 adds the final states of the round's instances
 *   to the histogram and resets locations and registers for the next
 *   round while the others wait at the next start barrier.
 *
 * Thread 0 alone touches the histogram; the barriers order its reads of
 * the round's results after every thread's writes, and its resets before
 * the next round's accesses. The generated object is compiled without
 * sanitizers (see compile()): under TSan its racy accesses are invisible,
 * and the harness's own shared data is either written before
 * pthread_create, owned by one thread, or ordered by the barrier.
 */

/* The compiler's flags for the generated object; part of the cache key. */
static const char cc_flags[] = "-std=gnu11 -O2 -fPIC -shared -Wall -Wextra";

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static uint64_t fnv1a(uint64_t h, const void *p, size_t n)
{
	const unsigned char *c = p;

	for (size_t i = 0; i < n; i++) {
		h ^= c[i];
		h *= 0x100000001b3ull;
	}
	return h;
}

/* snprintf for paths: -1 when the result did not fit. */
static int pathf(char *buf, size_t n, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static int pathf(char *buf, size_t n, const char *fmt, ...)
{
	va_list ap;
	int w;

	va_start(ap, fmt);
	w = vsnprintf(buf, n, fmt, ap);
	va_end(ap);
	return w < 0 || (size_t)w >= n ? -1 : 0;
}

static int mkdir_p(const char *path)
{
	char buf[1024];
	size_t n = strlen(path);

	if (n >= sizeof buf)
		return -1;
	memcpy(buf, path, n + 1);
	for (size_t i = 1; i <= n; i++)
		if (buf[i] == '/' || buf[i] == '\0') {
			char c = buf[i];

			buf[i] = '\0';
			if (mkdir(buf, 0755) < 0 && errno != EEXIST)
				return -1;
			buf[i] = c;
		}
	return 0;
}

/* $XDG_CACHE_HOME/replicore, ~/.cache/replicore, else a temporary folder. */
static void cache_dir(char *buf, size_t n)
{
	const char *x = getenv("XDG_CACHE_HOME"), *h = getenv("HOME");

	if (x && *x)
		snprintf(buf, n, "%s/replicore", x);
	else if (h && *h)
		snprintf(buf, n, "%s/.cache/replicore", h);
	else
		snprintf(buf, n, "%s/replicore-cache-%ld",
			 getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp",
			 (long)getuid());
	if (mkdir_p(buf) < 0)
		snprintf(buf, n, "/tmp/replicore-cache-%ld", (long)getuid());
	mkdir_p(buf);
}

static int write_file(const char *path, const char *s, size_t n)
{
	FILE *f = fopen(path, "w");

	if (!f)
		return -1;
	if (fwrite(s, 1, n, f) != n) {
		fclose(f);
		return -1;
	}
	return fclose(f);
}

/* A test name as a file name: letters, digits, '+', '-', '_' and '.'. */
static void file_name(const char *name, char *buf, size_t n)
{
	size_t i = 0;

	for (; name[i] && i + 1 < n; i++) {
		char c = name[i];

		buf[i] = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
					 (c >= '0' && c <= '9') || c == '+' ||
					 c == '-' || c == '_' || c == '.'
				 ? c
				 : '_';
	}
	buf[i] = '\0';
}

/*
 * Runs `cc FLAGS -o so src` through the shell (so $CC may carry its own
 * arguments), the compiler's messages to errpath. The generated object
 * never gets the sanitizer flags the harness may be built with: the
 * races of the test body are its purpose, so it stays out of TSan's view.
 */
static int compile(const char *cc, const char *src, const char *so,
		   const char *errpath, rc_err_t *err)
{
	char cmd[4096];
	int st;

	if (snprintf(cmd, sizeof cmd, "%s %s -o '%s' '%s' 2>'%s'", cc, cc_flags,
		     so, src, errpath) >= (int)sizeof cmd)
		return rc_err_set(err, RC_EINVAL, NULL, 0, 0,
				  "compiler command too long");
	st = system(cmd);
	if (st != 0) {
		char msg[400] = "";
		FILE *f = fopen(errpath, "r");

		if (f) {
			size_t n = fread(msg, 1, sizeof msg - 1, f);

			msg[n] = '\0';
			fclose(f);
		}
		return rc_err_set(err, RC_ESYS, NULL, 0, 0,
				  "the compiler (%s) failed (status %d)%s%s",
				  cc, WIFEXITED(st) ? WEXITSTATUS(st) : st,
				  msg[0] ? ": " : "", msg);
	}
	return 0;
}

/*
 * The compiler's identity for the cache key: its command, and the size,
 * time and inode of the program the command's first word names on PATH,
 * so an upgraded compiler compiles afresh.
 */
static uint64_t hash_compiler(uint64_t h, const char *cc)
{
	char prog[256], path[1300];
	const char *p = getenv("PATH");
	size_t n = strcspn(cc, " \t");
	struct stat st;

	h = fnv1a(h, cc, strlen(cc));
	if (n == 0 || n >= sizeof prog)
		return h;
	memcpy(prog, cc, n);
	prog[n] = '\0';
	if (strchr(prog, '/')) {
		if (stat(prog, &st) == 0)
			goto found;
		return h;
	}
	while (p && *p) {
		size_t l = strcspn(p, ":");

		if (pathf(path, sizeof path, "%.*s/%s", (int)l, p, prog) == 0 &&
		    stat(path, &st) == 0)
			goto found;
		p += l;
		if (*p == ':')
			p++;
	}
	return h;
found:
	h = fnv1a(h, &st.st_size, sizeof st.st_size);
	h = fnv1a(h, &st.st_mtime, sizeof st.st_mtime);
	return fnv1a(h, &st.st_ino, sizeof st.st_ino);
}

/* Generates, compiles or finds the object, and loads it. */
static int build(const rc_litmus_t *t, const struct rc_hw_opts *opts,
		 struct rc_hw_result *res, void **handle, rc_err_t *err)
{
	char *src = NULL, dir[1024], fn[256], tmp[1200], errp[1200];
	size_t len = 0;
	FILE *mf = open_memstream(&src, &len);
	uint64_t h = 0xcbf29ce484222325ull;
	int rc;
	double t0 = now_s();

	if (!mf)
		return rc_err_set(err, RC_ENOMEM, NULL, 0, 0, "out of memory");
	rc = _rc_hw_gen(t, mf, err);
	fclose(mf);
	if (rc < 0) {
		free(src);
		return rc;
	}
	h = fnv1a(h, src, len);
	h = hash_compiler(h, opts->cc);
	h = fnv1a(h, cc_flags, strlen(cc_flags));
	file_name(t->name, fn, sizeof fn);
	cache_dir(dir, sizeof dir);
	if (pathf(res->so_path, sizeof res->so_path, "%s/%s-%016" PRIx64 ".so",
		  dir, fn, h) < 0) {
		free(src);
		return rc_err_set(err, RC_EINVAL, dir, 0, 0,
				  "cache path too long");
	}
	if (opts->keep) {
		char kp[1200];

		if (mkdir_p(opts->keep) < 0 ||
		    pathf(kp, sizeof kp, "%s/%s.c", opts->keep, fn) < 0) {
			free(src);
			return rc_err_set(err, RC_ESYS, opts->keep, 0, 0,
					  "cannot create the folder");
		}
		if (write_file(kp, src, len) < 0) {
			free(src);
			return rc_err_set(err, RC_ESYS, kp, 0, 0,
					  "cannot write");
		}
	}
	res->cached = access(res->so_path, R_OK) == 0 && !opts->keep;
	if (!res->cached) {
		char so_tmp[1200];

		/*
		 * compile beside the cache entry, then rename: atomic (the
		 * paths fit: so_path fitted in fewer bytes)
		 */
		pathf(tmp, sizeof tmp, "%s/%s-%016" PRIx64 ".%ld.c", dir, fn, h,
		      (long)getpid());
		pathf(so_tmp, sizeof so_tmp, "%s.so", tmp);
		if (opts->keep)
			pathf(errp, sizeof errp, "%s/%s.err", opts->keep, fn);
		else
			pathf(errp, sizeof errp, "%s.err", tmp);
		if (write_file(tmp, src, len) < 0) {
			free(src);
			return rc_err_set(err, RC_ESYS, tmp, 0, 0,
					  "cannot write");
		}
		rc = compile(opts->cc, tmp, so_tmp, errp, err);
		unlink(tmp);
		if (!opts->keep)
			unlink(errp);
		if (rc == 0 && rename(so_tmp, res->so_path) < 0)
			rc = rc_err_set(err, RC_ESYS, res->so_path, 0, 0,
					"cannot rename %s", so_tmp);
		if (rc < 0) {
			unlink(so_tmp);
			free(src);
			return rc;
		}
	}
	free(src);
	res->compile_s = now_s() - t0;
	*handle = dlopen(res->so_path, RTLD_NOW | RTLD_LOCAL);
	if (!*handle)
		return rc_err_set(err, RC_ESYS, res->so_path, 0, 0,
				  "cannot load: %s", dlerror());
	return 0;
}

/* ---- the run ---- */

struct hw_shared {
	ck_barrier_centralized_t bar CK_CC_CACHELINE;
	unsigned nthreads;
	int yield; /* oversubscribed: spin with sched_yield */
	/* the yielding barrier (oversubscribed runs) */
	unsigned ycount CK_CC_CACHELINE;
	unsigned ysense;
	const rc_litmus_t *t;
	const rc_outcomes_t *o;
	const struct rc_hw_opts *opts;
	rc_hw_thread_fn *fns;
	const rc_topo_t *topo;
	int *mem;
	int **outs;
	size_t stride;
	struct rc_hw_result *res;
	size_t cap;
	int64_t *cur; /* one state being looked up */
	int fail;     /* set by thread 0 (allocation), read after join */
	int start;    /* 0: wait, 1: go, 2: give up (set by the creator) */
};

struct hw_thread {
	struct hw_shared *sh;
	unsigned tid;
	unsigned pu;
	int pin; /* pin to pu */
	int pin_rc;
	pthread_t th;
	ck_barrier_centralized_state_t st;
	unsigned ysense;
	uint64_t rng;
} CK_CC_CACHELINE;

#define RC_HW_THREAD_ALIGN _Alignof(struct hw_thread)

/*
 * With more threads than PUs a pure spin barrier would burn every time
 * slice waiting for a preempted thread: a sense-reversing barrier that
 * yields while it waits. Its counter increment is a full barrier
 * (ck_pr_faa), and the sense store releases the waiters.
 */
static void ybarrier(struct hw_shared *sh, struct hw_thread *me)
{
	me->ysense = !me->ysense;
	/*
	 * orders this thread's accesses of the round before its arrival;
	 * pairs with the fence after the wait (ck_pr_faa is not a barrier
	 * on every architecture)
	 */
	ck_pr_fence_memory();
	if (ck_pr_faa_uint(&sh->ycount, 1) + 1 == sh->nthreads) {
		/* the others' rounds before ours goes on */
		ck_pr_fence_memory();
		ck_pr_store_uint(&sh->ycount, 0);
		/* the count's reset before the release of the others */
		ck_pr_fence_store();
		ck_pr_store_uint(&sh->ysense, me->ysense);
		return;
	}
	while (ck_pr_load_uint(&sh->ysense) != me->ysense)
		sched_yield();
	/* pairs with the fences before each arrival and the release */
	ck_pr_fence_memory();
}

static void meet(struct hw_shared *sh, struct hw_thread *me)
{
	if (sh->yield)
		ybarrier(sh, me);
	else
		ck_barrier_centralized(&sh->bar, &me->st, sh->nthreads);
}

static uint64_t rng_next(uint64_t *s)
{
	uint64_t x = *s;

	x ^= x << 13;
	x ^= x >> 7;
	x ^= x << 17;
	*s = x;
	return x;
}

static void reset(struct hw_shared *sh, unsigned long n)
{
	const rc_litmus_t *t = sh->t;

	for (unsigned long i = 0; i < n; i++)
		for (size_t l = 0; l < t->nlocs; l++)
			sh->mem[i * sh->stride + l * RC_HW_LINE_INTS] =
				(int)t->loc_init[l];
}

static int64_t state_value(void *ctx, struct rc_lvar v)
{
	struct hw_shared *sh = ctx;
	const rc_outcomes_t *o = sh->o;

	for (size_t k = 0; k < o->nobs; k++)
		if (o->obs[k].thread == v.thread && o->obs[k].idx == v.idx)
			return sh->cur[k];
	return 0;
}

static struct rc_hw_state *find_or_add(struct hw_shared *sh, size_t *last)
{
	struct rc_hw_result *res = sh->res;
	const rc_outcomes_t *o = sh->o;
	size_t nb = o->nobs * sizeof(int64_t);
	struct rc_hw_state *s;

	if (*last < res->nstates &&
	    memcmp(res->states[*last].vals, sh->cur, nb) == 0)
		return &res->states[*last];
	for (size_t i = 0; i < res->nstates; i++)
		if (memcmp(res->states[i].vals, sh->cur, nb) == 0) {
			*last = i;
			return &res->states[i];
		}
	if (res->nstates == sh->cap) {
		size_t nc = sh->cap ? 2 * sh->cap : 16;
		struct rc_hw_state *ns = realloc(res->states, nc * sizeof(*ns));

		if (!ns)
			return NULL;
		res->states = ns;
		sh->cap = nc;
	}
	s = &res->states[res->nstates];
	s->vals = malloc(nb ? nb : 1);
	if (!s->vals)
		return NULL;
	memcpy(s->vals, sh->cur, nb);
	s->count = 0;
	s->sat = rc_litmus_prop_eval(sh->t->prop, state_value, sh);
	s->allowed = 0;
	for (size_t i = 0; i < o->nstates; i++)
		if (memcmp(o->states[i].vals, sh->cur, nb) == 0)
			s->allowed = 1;
	*last = res->nstates++;
	return s;
}

/* Thread 0, between rounds: the histogram of the round's n instances. */
static void collect(struct hw_shared *sh, unsigned long n)
{
	const rc_outcomes_t *o = sh->o;
	size_t last = 0;

	for (unsigned long i = 0; i < n && !sh->fail; i++) {
		struct rc_hw_state *s;

		for (size_t k = 0; k < o->nobs; k++) {
			struct rc_lvar v = o->obs[k];

			if (v.thread < 0)
				sh->cur[k] = sh->mem[i * sh->stride +
						     (size_t)v.idx *
							     RC_HW_LINE_INTS];
			else
				sh->cur[k] =
					sh->outs[v.thread]
						[i * sh->t->threads[v.thread]
								 .nregs +
						 (size_t)v.idx];
		}
		s = find_or_add(sh, &last);
		if (!s) {
			sh->fail = 1;
			break;
		}
		s->count++;
	}
}

static void *hw_thread_main(void *arg)
{
	struct hw_thread *me = arg;
	struct hw_shared *sh = me->sh;
	uint64_t left = sh->opts->iterations;
	rc_hw_thread_fn fn = sh->fns[me->tid];
	int *out = sh->outs[me->tid];

	int go;

	/* every thread exists before any enters a spin barrier */
	while ((go = ck_pr_load_int(&sh->start)) == 0)
		sched_yield();
	if (go != 1)
		return NULL;
	if (me->pin) {
		rc_err_t e = RC_ERR_INITIALIZER;

		me->pin_rc = rc_topo_pin(sh->topo, me->pu, &e);
	}
	while (left > 0) {
		unsigned long n = left < sh->opts->size ? (unsigned long)left
							: sh->opts->size;
		unsigned d = (unsigned)(rng_next(&me->rng) % 32);

		meet(sh, me);
		/* the random start offset of this thread in this round */
		for (unsigned k = 0; k < d; k++)
			ck_pr_stall();
		fn(sh->mem, out, n);
		meet(sh, me);
		if (me->tid == 0) {
			collect(sh, n);
			reset(sh, n);
		}
		left -= n;
	}
	return NULL;
}

static int cmp_state(const void *a, const void *b, void *ctx)
{
	const rc_outcomes_t *o = ctx;
	const struct rc_hw_state *x = a, *y = b;
	char ba[2048], bb[2048];
	struct rc_state sa = { x->vals, 0, 0, NULL };
	struct rc_state sb = { y->vals, 0, 0, NULL };

	rc_state_str(o, &sa, ba, sizeof ba);
	rc_state_str(o, &sb, bb, sizeof bb);
	return strcmp(ba, bb);
}

int _rc_hw_run(const rc_litmus_t *t, const rc_outcomes_t *o,
	       const struct rc_hw_opts *opts, struct rc_hw_result *res,
	       rc_err_t *err)
{
	struct hw_shared sh;
	struct hw_thread *ths = NULL;
	rc_topo_t *topo = NULL;
	void *handle = NULL;
	const unsigned *abi, *nth;
	unsigned npus, nt = (unsigned)t->nthreads;
	int rc = 0;
	double t0;

	memset(res, 0, sizeof *res);
	memset(&sh, 0, sizeof sh);
	res->nthreads = nt;
	if (t->arch == RC_LITMUS_X86 && !RC_HW_ARCH_X86)
		return rc_err_set(err, RC_ENOTSUP, t->name, 0, 0,
				  "x86 assembly tests run only on x86-64 "
				  "hosts; this is %s",
				  RC_HW_ARCH_NAME);
	if (nt == 0 || opts->size == 0)
		return rc_err_set(err, RC_EINVAL, t->name, 0, 0,
				  "nothing to run");
	rc = rc_topo_open(&topo, NULL, NULL, err);
	if (rc < 0)
		return rc;
	npus = rc_topo_real_npus(topo);
	if (nt > npus && !opts->oversubscribe) {
		rc_topo_close(topo);
		return rc_err_set(err, RC_ENOTSUP, t->name, 0, 0,
				  "%u threads but %u PUs: skipped "
				  "(--oversubscribe runs it anyway)",
				  nt, npus);
	}
	res->oversubscribed = nt > npus;
	res->pus = calloc(nt, sizeof(*res->pus));
	/* cache-line aligned: calloc would not honour CK_CC_CACHELINE */
	ths = aligned_alloc(RC_HW_THREAD_ALIGN, nt * sizeof(*ths));
	if (ths)
		memset(ths, 0, nt * sizeof(*ths));
	sh.outs = calloc(nt, sizeof(*sh.outs));
	sh.cur = calloc(o->nobs + 1, sizeof(*sh.cur));
	if (!res->pus || !ths || !sh.outs || !sh.cur) {
		rc = rc_err_set(err, RC_ENOMEM, NULL, 0, 0, "out of memory");
		goto out;
	}
	if (opts->affinity == RC_HW_AFF_AUTO) {
		if (nt <= rc_topo_npus(topo))
			rc_topo_spread(topo, nt, res->pus);
		else
			for (unsigned i = 0; i < nt; i++)
				res->pus[i] = i % rc_topo_npus(topo);
	} else if (opts->affinity == RC_HW_AFF_LIST) {
		for (unsigned i = 0; i < nt; i++) {
			res->pus[i] = opts->pus[i % opts->npus];
			if (res->pus[i] >= rc_topo_npus(topo)) {
				rc = rc_err_set(
					err, RC_EINVAL, NULL, 0, 0,
					"--affinity: PU %u, the machine "
					"has %u",
					res->pus[i], rc_topo_npus(topo));
				goto out;
			}
		}
	}
	rc = build(t, opts, res, &handle, err);
	if (rc < 0)
		goto out;
	abi = dlsym(handle, "rc_hw_abi");
	nth = dlsym(handle, "rc_hw_nthreads");
	sh.fns = dlsym(handle, "rc_hw_thread");
	if (!abi || !nth || !sh.fns || *abi != RC_HW_ABI || *nth != nt) {
		rc = rc_err_set(err, RC_ESYS, res->so_path, 0, 0,
				"not a litmus object of this version");
		goto out;
	}
	sh.nthreads = nt;
	sh.yield = res->oversubscribed;
	sh.t = t;
	sh.o = o;
	sh.opts = opts;
	sh.topo = topo;
	sh.res = res;
	sh.stride = RC_HW_STRIDE(t->nlocs ? t->nlocs : 1);
	sh.mem = aligned_alloc(128,
			       ((sh.stride * opts->size * sizeof(int)) + 127) /
				       128 * 128);
	if (!sh.mem) {
		rc = rc_err_set(err, RC_ENOMEM, NULL, 0, 0, "out of memory");
		goto out;
	}
	memset(sh.mem, 0, sh.stride * opts->size * sizeof(int));
	reset(&sh, opts->size);
	for (unsigned i = 0; i < nt; i++) {
		size_t nr = t->threads[i].nregs ? t->threads[i].nregs : 1;

		/* each thread's registers on lines of their own */
		sh.outs[i] = aligned_alloc(
			128, (nr * opts->size * sizeof(int) + 127) / 128 * 128);
		if (!sh.outs[i]) {
			rc = rc_err_set(err, RC_ENOMEM, NULL, 0, 0,
					"out of memory");
			goto out;
		}
		memset(sh.outs[i], 0, nr * opts->size * sizeof(int));
	}
	t0 = now_s();
	for (unsigned i = 0; i < nt; i++) {
		ths[i].sh = &sh;
		ths[i].tid = i;
		ths[i].pu = res->pus[i];
		ths[i].pin = opts->affinity != RC_HW_AFF_NONE;
		ths[i].rng = (opts->seed + 1) * 0x9e3779b97f4a7c15ull + i + 1;
		if (pthread_create(&ths[i].th, NULL, hw_thread_main, &ths[i])) {
			/* the started threads are waiting at the gate */
			ck_pr_store_int(&sh.start, 2);
			for (unsigned k = 0; k < i; k++)
				pthread_join(ths[k].th, NULL);
			rc = rc_err_set(err, RC_ESYS, NULL, 0, 0,
					"cannot create thread %u", i);
			goto out;
		}
	}
	ck_pr_store_int(&sh.start, 1);
	for (unsigned i = 0; i < nt; i++)
		pthread_join(ths[i].th, NULL);
	res->run_s = now_s() - t0;
	if (sh.fail) {
		rc = rc_err_set(err, RC_ENOMEM, NULL, 0, 0, "out of memory");
		goto out;
	}
	if (opts->affinity == RC_HW_AFF_NONE) {
		free(res->pus);
		res->pus = NULL;
	}
	res->iterations = opts->iterations;
	for (size_t i = 0; i < res->nstates; i++) {
		struct rc_hw_state *s = &res->states[i];

		if (s->sat)
			res->positive += s->count;
		else
			res->negative += s->count;
		if (!s->allowed)
			res->forbidden_seen++;
	}
	if (res->nstates > 1)
		qsort_r(res->states, res->nstates, sizeof(*res->states),
			cmp_state, (void *)o);
	res->ok = t->quant == RC_LQ_EXISTS	 ? res->positive > 0
		  : t->quant == RC_LQ_NOT_EXISTS ? res->positive == 0
						 : res->negative == 0;
out:
	free(sh.mem);
	if (sh.outs)
		for (unsigned i = 0; i < nt; i++)
			free(sh.outs[i]);
	free(sh.outs);
	free(sh.cur);
	free(ths);
	if (handle)
		dlclose(handle);
	rc_topo_close(topo);
	if (rc < 0)
		_rc_hw_result_free(res);
	return rc;
}

void _rc_hw_result_free(struct rc_hw_result *res)
{
	for (size_t i = 0; i < res->nstates; i++)
		free(res->states[i].vals);
	free(res->states);
	free(res->pus);
	memset(res, 0, sizeof *res);
}
