/* SPDX-License-Identifier: MIT */
/* fence.c: `replicore bench fence`, the cost of each fence alone and between dependent operations. */
#include <math.h>
#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <ck_pr.h>
#include <urcu/urcu-memb.h>

#include "bench/arch.h"
#include "bench/bench.h"

/*
 * Each fence runs in two loops on one pinned thread:
 * - tight: the fence alone, n times (plus a compiler barrier, which every
 *   loop has, so that the baseline loop is not optimised away);
 * - dependent: load a private counter, store it plus one, fence; the next
 *   load reads that store, so a fence that drains the store buffer (a full
 *   fence on x86) sits between a store and the load that depends on it.
 * The "none" rows are the same loops without a fence: the baseline that
 * overhead_ns subtracts. The fences are not ordering anything another
 * thread sees; the loops measure what each costs the thread that runs it.
 */

/* Private lines: only the measuring thread touches them. */
static struct {
	_Alignas(RC_BENCH_LINE) _Atomic uint64_t v;
	char pad[RC_BENCH_LINE - sizeof(uint64_t)];
} cell;
/* The target of x86 LOCK ADD; unused on other architectures. */
static _Alignas(RC_BENCH_LINE) uint32_t lockcell __attribute__((unused));

#define LOOPS(id, stmt)                                              \
	static void tight_##id(uint64_t n)                           \
	{                                                            \
		for (uint64_t i = 0; i < n; i++) {                   \
			stmt;                                        \
			ck_pr_barrier();                             \
		}                                                    \
	}                                                            \
	static void dep_##id(uint64_t n)                             \
	{                                                            \
		for (uint64_t i = 0; i < n; i++) {                   \
			uint64_t x = atomic_load_explicit(           \
				&cell.v, memory_order_relaxed);      \
			atomic_store_explicit(&cell.v, x + 1,        \
					      memory_order_relaxed); \
			stmt;                                        \
			ck_pr_barrier();                             \
		}                                                    \
	}

/*
 * The fences under test. Each is the ordering primitive itself, not a
 * synchronisation: there is no pairing fence in another thread.
 */
LOOPS(none, (void)0)
#define ARCH_LOOPS(id, label, stmt) LOOPS(id, stmt)
RC_ARCH_FENCES(ARCH_LOOPS)
LOOPS(c11_relaxed, atomic_thread_fence(memory_order_relaxed))
LOOPS(c11_consume, atomic_thread_fence(memory_order_consume))
LOOPS(c11_acquire, atomic_thread_fence(memory_order_acquire))
LOOPS(c11_release, atomic_thread_fence(memory_order_release))
LOOPS(c11_acq_rel, atomic_thread_fence(memory_order_acq_rel))
LOOPS(c11_seq_cst, atomic_thread_fence(memory_order_seq_cst))
LOOPS(ck_load, ck_pr_fence_load())
LOOPS(ck_store, ck_pr_fence_store())
LOOPS(ck_memory, ck_pr_fence_memory())
LOOPS(ck_acquire, ck_pr_fence_acquire())
LOOPS(ck_release, ck_pr_fence_release())
LOOPS(ck_strict_load, ck_pr_fence_strict_load())
LOOPS(ck_strict_store, ck_pr_fence_strict_store())
LOOPS(ck_strict_memory, ck_pr_fence_strict_memory())
LOOPS(ck_strict_acquire, ck_pr_fence_strict_acquire())
LOOPS(ck_strict_release, ck_pr_fence_strict_release())
LOOPS(urcu_smp_mb, cmm_smp_mb())
LOOPS(urcu_smp_rmb, cmm_smp_rmb())
LOOPS(urcu_smp_wmb, cmm_smp_wmb())
LOOPS(urcu_memb_gp, urcu_memb_synchronize_rcu())

struct fence {
	const char *id, *label, *family;
	void (*tight)(uint64_t), (*dep)(uint64_t);
	uint64_t batch; /* iterations between two clock reads */
};

#define ARCH_ROW(id, label, stmt) \
	{ #id, label, "arch", tight_##id, dep_##id, 1024 },

static const struct fence fences[] = {
	{ "none", "no fence (the loop)", "none", tight_none, dep_none, 1024 },
	RC_ARCH_FENCES(ARCH_ROW){ "c11_relaxed", "C11 fence relaxed", "c11",
				  tight_c11_relaxed, dep_c11_relaxed, 1024 },
	{ "c11_consume", "C11 fence consume", "c11", tight_c11_consume,
	  dep_c11_consume, 1024 },
	{ "c11_acquire", "C11 fence acquire", "c11", tight_c11_acquire,
	  dep_c11_acquire, 1024 },
	{ "c11_release", "C11 fence release", "c11", tight_c11_release,
	  dep_c11_release, 1024 },
	{ "c11_acq_rel", "C11 fence acq_rel", "c11", tight_c11_acq_rel,
	  dep_c11_acq_rel, 1024 },
	{ "c11_seq_cst", "C11 fence seq_cst", "c11", tight_c11_seq_cst,
	  dep_c11_seq_cst, 1024 },
	{ "ck_load", "ck_pr_fence_load", "ck", tight_ck_load, dep_ck_load,
	  1024 },
	{ "ck_store", "ck_pr_fence_store", "ck", tight_ck_store, dep_ck_store,
	  1024 },
	{ "ck_memory", "ck_pr_fence_memory", "ck", tight_ck_memory,
	  dep_ck_memory, 1024 },
	{ "ck_acquire", "ck_pr_fence_acquire", "ck", tight_ck_acquire,
	  dep_ck_acquire, 1024 },
	{ "ck_release", "ck_pr_fence_release", "ck", tight_ck_release,
	  dep_ck_release, 1024 },
	{ "ck_strict_load", "ck_pr_fence_strict_load", "ck",
	  tight_ck_strict_load, dep_ck_strict_load, 1024 },
	{ "ck_strict_store", "ck_pr_fence_strict_store", "ck",
	  tight_ck_strict_store, dep_ck_strict_store, 1024 },
	{ "ck_strict_memory", "ck_pr_fence_strict_memory", "ck",
	  tight_ck_strict_memory, dep_ck_strict_memory, 1024 },
	{ "ck_strict_acquire", "ck_pr_fence_strict_acquire", "ck",
	  tight_ck_strict_acquire, dep_ck_strict_acquire, 1024 },
	{ "ck_strict_release", "ck_pr_fence_strict_release", "ck",
	  tight_ck_strict_release, dep_ck_strict_release, 1024 },
	{ "urcu_smp_mb", "liburcu cmm_smp_mb", "urcu", tight_urcu_smp_mb,
	  dep_urcu_smp_mb, 1024 },
	{ "urcu_smp_rmb", "liburcu cmm_smp_rmb", "urcu", tight_urcu_smp_rmb,
	  dep_urcu_smp_rmb, 1024 },
	{ "urcu_smp_wmb", "liburcu cmm_smp_wmb", "urcu", tight_urcu_smp_wmb,
	  dep_urcu_smp_wmb, 1024 },
	{ "urcu_memb_gp", "liburcu memb grace period", "urcu",
	  tight_urcu_memb_gp, dep_urcu_memb_gp, 1 },
};
#define NFENCES (sizeof(fences) / sizeof(fences[0]))

enum { L_TIGHT = 0, L_DEP = 1, NLOOPS = 2 };
static const char *const loop_name[] = { "tight", "dependent" };

/* One sample: ns per iteration of fn over at least duration seconds. */
static double sample(void (*fn)(uint64_t), uint64_t batch, double duration)
{
	uint64_t t0 = _rc_bench_now(), t, iters = 0,
		 dur = (uint64_t)(duration * 1e9);

	do {
		fn(batch);
		iters += batch;
		t = _rc_bench_now();
	} while (t - t0 < dur);
	return (double)(t - t0) / (double)iters;
}

/*
 * A registered reader of the memb flavour, so that a grace period has a
 * reader to wait for (liburcu returns at once when none is registered). It
 * passes through short read-side critical sections and sleeps between them.
 */
struct reader {
	const rc_topo_t *topo;
	unsigned pu;
	_Atomic bool stop;
	_Atomic bool ready;
};

static void *reader_main(void *arg)
{
	struct reader *r = arg;
	struct timespec ts = { 0, 100000 };

	(void)rc_topo_pin(r->topo, r->pu, NULL);
	urcu_memb_register_thread();
	/* release: the registration happens before the bench starts its
	 * grace periods; pairs with the acquire load in bench_fence() */
	atomic_store_explicit(&r->ready, true, memory_order_release);
	/* relaxed: the stop flag carries no data */
	while (!atomic_load_explicit(&r->stop, memory_order_relaxed)) {
		urcu_memb_read_lock();
		urcu_memb_read_unlock();
		nanosleep(&ts, NULL);
	}
	urcu_memb_unregister_thread();
	return NULL;
}

static const char fence_help[] =
	"NAME\n"
	"    replicore bench fence - the cost of each memory fence\n"
	"\n"
	"SYNOPSIS\n"
	"    replicore bench fence [--json] [--plot FILE.svg] [--duration S] "
	"[--repeat N]\n"
	"                          [--synthetic SPEC | --xml FILE]\n"
	"\n"
	"DESCRIPTION\n"
	"    Times each fence on one thread pinned to PU 0, in two loops:\n"
	"      tight      the fence alone, repeated\n"
	"      dependent  load a counter, store it plus one, fence: the "
	"fence sits\n"
	"                 between a store and the load that reads it next\n"
	"    and reports nanoseconds per iteration and the overhead over "
	"the same\n"
	"    loop without a fence (the \"none\" rows). The fences: on x86 "
	"MFENCE,\n"
	"    a LOCK-prefixed add, SFENCE and LFENCE (intrinsics); the C11 "
	"fences of\n"
	"    each order; Concurrency Kit's ck_pr_fence_* (the plain ones "
	"are only\n"
	"    compiler barriers where the machine's model already orders, "
	"the strict\n"
	"    ones always emit the instruction); liburcu's cmm_smp_mb, "
	"cmm_smp_rmb,\n"
	"    cmm_smp_wmb, and a grace period of the memb flavour "
	"(urcu_memb_synchronize_rcu,\n"
	"    membarrier-based) with one registered, mostly idle reader on "
	"PU 1.\n"
	"    Each measurement is one warm-up sample (discarded) and N "
	"samples of S\n"
	"    seconds; median, p10/p90 (nearest rank) and min/max are "
	"reported.\n"
	"\n"
	"OPTIONS\n" RC_BENCH_HELP_JSON
	"    --plot FILE.svg   write a bar chart (median, whisker p10-p90) "
	"to FILE.svg\n"
	"    --duration S      seconds per sample (default 0.05; decimals "
	"allowed)\n"
	"    --repeat N        samples per measurement, 1..1000 (default "
	"5)\n"
	"    --synthetic SPEC  an hwloc synthetic layout (only PUs 0 and 1 "
	"are used)\n" RC_BENCH_HELP_XML "\n"
	"    Progress is written to stderr only when stderr is a "
	"terminal.\n"
	"\n"
	"EXIT STATUS\n"
	"    0 on success, 1 when the thread could not be pinned, 2 on a "
	"bad option.\n"
	"\n"
	"EXAMPLE\n"
	"    replicore bench fence --duration 0.02 --plot fence.svg\n";

int bench_fence(int argc, char **argv)
{
	struct rc_bench_opts o = { .kind = "fence",
				   .duration = 0.05,
				   .repeat = 5 };
	struct rc_bench_stats st[NFENCES][NLOOPS];
	double *samp[NFENCES][NLOOPS];
	rc_err_t err = RC_ERR_INITIALIZER;
	struct reader rd;
	pthread_t rth;
	struct cli_json j;
	rc_topo_t *topo;
	bool failed = false, reader = false;
	int rc;

	rc = _rc_bench_start(&o, argc, argv, fence_help, &topo);
	if (rc >= 0)
		return rc;
	if (rc_topo_pin(topo, 0, &err) < 0) {
		fprintf(stderr, "replicore bench fence: ");
		rc_err_print(&err, stderr);
		failed = true;
	}
	memset(&rd, 0, sizeof rd);
	rd.topo = topo;
	rd.pu = rc_topo_npus(topo) > 1 ? 1 : 0;
	atomic_init(&rd.stop, false);
	atomic_init(&rd.ready, false);
	if (pthread_create(&rth, NULL, reader_main, &rd) == 0) {
		reader = true;
		/* acquire: pairs with the reader's release after it
		 * registered */
		while (!atomic_load_explicit(&rd.ready, memory_order_acquire))
			sched_yield();
	}
	for (size_t f = 0; f < NFENCES; f++)
		for (int l = 0; l < NLOOPS; l++) {
			void (*fn)(uint64_t) =
				l == L_TIGHT ? fences[f].tight : fences[f].dep;

			samp[f][l] = calloc(o.repeat, sizeof(double));
			if (samp[f][l] == NULL) {
				fprintf(stderr, "replicore bench fence: out "
						"of memory\n");
				exit(CLI_EXIT_USAGE);
			}
			_rc_bench_progress(&o, "%s, %s loop (%zu/%zu)",
					   fences[f].label, loop_name[l], f + 1,
					   NFENCES);
			(void)sample(fn, fences[f].batch, o.duration);
			for (unsigned r = 0; r < o.repeat; r++)
				samp[f][l][r] =
					sample(fn, fences[f].batch, o.duration);
			_rc_bench_stats(samp[f][l], o.repeat, &st[f][l]);
		}
	_rc_bench_progress(&o, NULL);
	if (reader) {
		/* relaxed: the flag carries no data; join orders the rest */
		atomic_store_explicit(&rd.stop, true, memory_order_relaxed);
		pthread_join(rth, NULL);
	}

	if (o.json) {
		_rc_bench_json_begin(&j, &o, topo, "ns");
		cli_json_key(&j, "results");
		cli_json_arr(&j);
		for (size_t f = 0; f < NFENCES; f++)
			for (int l = 0; l < NLOOPS; l++) {
				cli_json_obj(&j);
				cli_json_key(&j, "fence");
				cli_json_str(&j, fences[f].id);
				cli_json_key(&j, "label");
				cli_json_str(&j, fences[f].label);
				cli_json_key(&j, "family");
				cli_json_str(&j, fences[f].family);
				cli_json_key(&j, "loop");
				cli_json_str(&j, loop_name[l]);
				cli_json_key(&j, "ns_per_op");
				_rc_bench_json_stats(&j, &st[f][l], samp[f][l]);
				cli_json_key(&j, "overhead_ns");
				cli_json_double(&j, st[f][l].median -
							    st[0][l].median);
				cli_json_obj_end(&j);
			}
		cli_json_arr_end(&j);
		_rc_bench_json_end(&j);
	} else {
		printf("fence cost, ns per loop iteration (median [p10, p90] "
		       "of %u samples of %g s) on PU 0\n",
		       o.repeat, o.duration);
		printf("cpu: %s; load %.2f\n\n", _rc_bench_cpu_model(),
		       _rc_bench_load());
		printf("%-30s %-24s %9s   %-24s %9s\n", "fence", "tight",
		       "overhead", "dependent", "overhead");
		for (size_t f = 0; f < NFENCES; f++) {
			char c[NLOOPS][64];

			for (int l = 0; l < NLOOPS; l++)
				snprintf(c[l], 64, "%.2f [%.2f, %.2f]",
					 st[f][l].median, st[f][l].p10,
					 st[f][l].p90);
			printf("%-30s %-24s %9.2f   %-24s %9.2f\n",
			       fences[f].label, c[0],
			       st[f][0].median - st[0][0].median, c[1],
			       st[f][1].median - st[0][1].median);
		}
	}

	if (o.plot != NULL) {
		static const char *const legend[] = { "tight loop",
						      "dependent loop" };
		struct rc_svg_bar bars[2 * NFENCES];
		unsigned nb = 0;
		char sub[512], note[256] = "";
		struct rc_svg *s;

		for (size_t f = 0; f < NFENCES; f++) {
			if (fences[f].batch == 1) {
				snprintf(note, sizeof note,
					 "Off the scale: %s, %.0f ns (tight), "
					 "%.0f ns (dependent).",
					 fences[f].label, st[f][0].median,
					 st[f][1].median);
				continue;
			}
			for (int l = 0; l < NLOOPS; l++) {
				bars[nb].label = l == 0 ? fences[f].label : "";
				bars[nb].v = st[f][l].median;
				bars[nb].lo = st[f][l].p10;
				bars[nb].hi = st[f][l].p90;
				bars[nb].color = (unsigned)l;
				nb++;
			}
		}
		snprintf(sub, sizeof sub,
			 "%s; one thread on PU 0; median of %u samples of %g "
			 "s, whiskers p10-p90; load %.2f",
			 _rc_bench_cpu_model(), o.repeat, o.duration,
			 _rc_bench_load());
		s = _rc_svg_open(o.plot, 900, 110 + 14 * nb + 60,
				 "Fence cost per loop iteration", sub);
		if (s == NULL) {
			perror(o.plot);
			failed = true;
		} else {
			_rc_svg_bars(s, 10, 55, 880, 14 * nb + 70,
				     "ns per loop iteration (the \"no fence\" "
				     "rows are the loop alone)",
				     bars, nb, legend, 2);
			if (note[0] != '\0')
				_rc_svg_text(s, 450, 110 + 14 * nb + 40, 11,
					     "middle", note);
			if (_rc_svg_close(s) < 0) {
				perror(o.plot);
				failed = true;
			}
		}
	}
	for (size_t f = 0; f < NFENCES; f++)
		for (int l = 0; l < NLOOPS; l++)
			free(samp[f][l]);
	rc_topo_close(topo);
	return failed ? CLI_EXIT_FOUND : CLI_EXIT_OK;
}
