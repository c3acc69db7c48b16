/* SPDX-License-Identifier: MIT */
/* bench_lmutex.c: `replicore bench lmutex`, ns per critical section of rc_lmutex (Lamport's mutual exclusion over channels) beside ck's fas, MCS and ticket spinlocks, from 1 to P threads. */
#include <ck_spinlock.h>
#include <math.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

#include <replicore/lmutex.h>

#include "bench/bench.h"
#include "runtime/tsan.h"

/*
 * T threads (1..P, P the PUs, or --threads), each pinned to the PU
 * rc_topo_spread gives it, take one lock in a loop for the sample's
 * duration; inside, they increment a plain shared counter (the section's
 * work, protected by the lock alone). ns per critical section is the
 * sample's wall time over the sections all threads completed: the lock's
 * cost to the whole machine, since the sections run one at a time. At
 * the end the counter must equal the sections counted, or the sample is
 * thrown away as failed.
 *
 * The locks: rc_lmutex (its threads wait for messages in rc_chan_recv:
 * a spin of pauses, then a park; a thread that sees the stop flag leaves
 * with rc_lmutex_leave so the others stop waiting for it), and ck's
 * ck_spinlock_fas (one exchange), ck_spinlock_mcs (a queue of per-thread
 * nodes) and ck_spinlock_ticket (FIFO by ticket), which spin with pause
 * instructions. No thread yields or sleeps in a loop: the start gate
 * parks, the stop flag is read between sections.
 */

#define CHECK_EVERY 16 /* sections between two looks at the stop flag */
#define MAX_THREADS 64 /* the most threads measured */

enum { IMPL_LMUTEX, IMPL_FAS, IMPL_MCS, IMPL_TICKET, NIMPLS };
static const char *const impl_name[] = { "lmutex", "fas", "mcs", "ticket" };

struct locks {
	_Alignas(RC_BENCH_LINE) ck_spinlock_fas_t fas;
	_Alignas(RC_BENCH_LINE) ck_spinlock_mcs_t mcs;
	_Alignas(RC_BENCH_LINE) ck_spinlock_ticket_t ticket;
	_Alignas(RC_BENCH_LINE) uint64_t counter; /* plain: the lock guards */
	_Alignas(RC_BENCH_LINE) char end;
};

struct worker {
	_Alignas(RC_BENCH_LINE) const rc_topo_t *topo;
	unsigned id, pu, parties;
	int impl;
	rc_lmutex_t *lm;
	struct locks *locks;
	_Atomic bool *stop;
	struct rc_bench_gate *gate;
	/* results */
	uint64_t ops, elapsed_ns;
	bool pin_failed;
};

static void *worker_main(void *arg)
{
	struct worker *w = arg;
	struct locks *l = w->locks;
	ck_spinlock_mcs_context_t node;
	uint64_t n = 0, t0;

	if (rc_topo_pin(w->topo, w->pu, NULL) < 0)
		w->pin_failed = true;
	_rc_bench_gate_wait(w->gate, w->parties);
	t0 = _rc_bench_now();
	do {
		for (unsigned k = 0; k < CHECK_EVERY; k++, n++) {
			switch (w->impl) {
			case IMPL_LMUTEX:
				rc_lmutex_lock(w->lm, w->id);
				l->counter++;
				rc_lmutex_unlock(w->lm, w->id);
				break;
			/* ck's locks order the counter by fences that
			 * ThreadSanitizer does not see: each hand-over is
			 * told to it (nothing in other builds) */
			case IMPL_FAS:
				ck_spinlock_fas_lock(&l->fas);
				RC_TSAN_ACQUIRE(&l->fas);
				l->counter++;
				RC_TSAN_RELEASE(&l->fas);
				ck_spinlock_fas_unlock(&l->fas);
				break;
			case IMPL_MCS:
				ck_spinlock_mcs_lock(&l->mcs, &node);
				RC_TSAN_ACQUIRE(&l->mcs);
				l->counter++;
				RC_TSAN_RELEASE(&l->mcs);
				ck_spinlock_mcs_unlock(&l->mcs, &node);
				break;
			default:
				ck_spinlock_ticket_lock(&l->ticket);
				RC_TSAN_ACQUIRE(&l->ticket);
				l->counter++;
				RC_TSAN_RELEASE(&l->ticket);
				ck_spinlock_ticket_unlock(&l->ticket);
				break;
			}
		}
		/* relaxed: the stop flag carries no data; join orders the
		 * results */
	} while (!atomic_load_explicit(w->stop, memory_order_relaxed));
	w->elapsed_ns = _rc_bench_now() - t0;
	w->ops = n;
	if (w->impl == IMPL_LMUTEX)
		rc_lmutex_leave(w->lm, w->id);
	return NULL;
}

/*
 * One sample of t threads on impl: *ns per critical section. False when
 * the threads or the lock could not be made, or the counter disagrees.
 */
static bool sample(const rc_topo_t *topo, const unsigned *pus, unsigned t,
		   int impl, double duration, struct worker *w, double *ns,
		   bool *pin_failed)
{
	static struct {
		_Alignas(RC_BENCH_LINE) _Atomic bool stop;
	} flag;
	static struct locks locks;
	struct rc_bench_gate gate;
	rc_lmutex_t *lm = NULL;
	uint64_t total = 0, wall = 0;

	if (impl == IMPL_LMUTEX && rc_lmutex_create(&lm, t, NULL) < 0)
		return false;
	memset(&locks, 0, sizeof locks);
	ck_spinlock_fas_init(&locks.fas);
	ck_spinlock_mcs_init(&locks.mcs);
	ck_spinlock_ticket_init(&locks.ticket);
	memset(&gate, 0, sizeof gate);
	atomic_init(&gate.arrived, 0);
	atomic_store_explicit(&flag.stop, false, memory_order_relaxed);
	for (unsigned i = 0; i < t; i++) {
		memset(&w[i], 0, sizeof w[i]);
		w[i].topo = topo;
		w[i].id = i;
		w[i].pu = pus[i];
		w[i].impl = impl;
		w[i].lm = lm;
		w[i].locks = &locks;
		w[i].stop = &flag.stop;
		w[i].gate = &gate;
		w[i].parties = t + 1;
	}
	if (!_rc_bench_run_workers(t, worker_main, w, sizeof(*w), &gate,
				   &flag.stop, duration)) {
		rc_lmutex_destroy(lm);
		return false;
	}
	rc_lmutex_destroy(lm);
	for (unsigned i = 0; i < t; i++) {
		if (w[i].pin_failed)
			*pin_failed = true;
		total += w[i].ops;
		if (w[i].elapsed_ns > wall)
			wall = w[i].elapsed_ns;
	}
	if (total == 0 || locks.counter != total)
		return false;
	*ns = (double)wall / (double)total;
	return true;
}

static const char lmutex_help[] =
	"NAME\n"
	"    replicore bench lmutex - Lamport's mutual exclusion beside "
	"spinlocks\n"
	"\n"
	"SYNOPSIS\n"
	"    replicore bench lmutex [--json] [--duration S] [--repeat N] "
	"[--threads N]\n"
	"                           [--synthetic SPEC | --xml FILE]\n"
	"\n"
	"DESCRIPTION\n"
	"    ns per critical section, from 1 to P threads (P: the PUs, or "
	"--threads),\n"
	"    of rc_lmutex (Lamport's mutual exclusion: every process a "
	"thread,\n"
	"    requests, acknowledgements and releases sent over rc_chan "
	"inboxes, a\n"
	"    waiting thread parked in rc_chan_recv) beside ck's spinlocks: "
	"fas (one\n"
	"    exchange), mcs (a queue of per-thread nodes) and ticket (FIFO "
	"by\n"
	"    ticket). Each thread is pinned (rc_topo_spread) and takes the "
	"lock in a\n"
	"    loop, incrementing a plain shared counter inside; ns per "
	"section is the\n"
	"    sample's wall time over the sections all threads completed. "
	"The table\n"
	"    gives the median and p10-p90 of N samples (after one warm-up "
	"sample)\n"
	"    and the 1-minute load average at the start and at the end.\n"
	"\n"
	"OPTIONS\n" RC_BENCH_HELP_JSON
	"    --duration S      seconds per sample (default 0.1)\n"
	"    --repeat N        samples per measurement (default 5)\n"
	"    --threads N       at most N threads (default: every PU)\n"
	"    --synthetic SPEC  a synthetic layout (hwloc's "
	"syntax)\n" RC_BENCH_HELP_XML RC_BENCH_HELP_EXIT_THREADS "\n"
	"EXAMPLE\n"
	"    replicore bench lmutex --repeat 5 --duration 0.2\n";

static double load_or_nan(void)
{
	double l = _rc_bench_load();

	return l < 0 ? NAN : l;
}

int bench_lmutex(int argc, char **argv)
{
	struct rc_bench_opts o = { .kind = "lmutex",
				   .duration = 0.1,
				   .repeat = 5 };
	struct rc_bench_stats st[NIMPLS][MAX_THREADS];
	double *samples[NIMPLS][MAX_THREADS];
	unsigned pus[MAX_THREADS], tmax;
	bool failed = false, pin_failed = false;
	double load_start, load_end;
	struct worker *w;
	rc_topo_t *topo;
	int rc;

	rc = _rc_bench_start(&o, argc, argv, lmutex_help, &topo);
	if (rc >= 0)
		return rc;
	load_start = load_or_nan();
	tmax = rc_topo_npus(topo);
	if (o.threads && o.threads < tmax)
		tmax = o.threads;
	if (tmax > MAX_THREADS)
		tmax = MAX_THREADS;
	rc_topo_spread(topo, tmax, pus);
	w = aligned_alloc(RC_BENCH_LINE, tmax * sizeof(struct worker));
	if (w == NULL) {
		fprintf(stderr, "replicore bench lmutex: out of memory\n");
		rc_topo_close(topo);
		return CLI_EXIT_USAGE;
	}
	memset(st, 0, sizeof st);
	for (int impl = 0; impl < NIMPLS; impl++)
		for (unsigned t = 1; t <= tmax; t++) {
			double *v = calloc(o.repeat, sizeof(double)), ns;
			unsigned got = 0;

			samples[impl][t - 1] = v;
			if (v == NULL) {
				failed = true;
				continue;
			}
			_rc_bench_progress(&o, "%s, %u thread%s",
					   impl_name[impl], t,
					   t == 1 ? "" : "s");
			(void)sample(topo, pus, t, impl, o.duration, w, &ns,
				     &pin_failed);
			for (unsigned s = 0; s < o.repeat; s++)
				if (sample(topo, pus, t, impl, o.duration, w,
					   &ns, &pin_failed) &&
				    isfinite(ns))
					v[got++] = ns;
			if (got < o.repeat)
				failed = true;
			if (got > 0)
				_rc_bench_stats(v, got, &st[impl][t - 1]);
		}
	_rc_bench_progress(&o, NULL);
	load_end = load_or_nan();
	if (o.json) {
		struct cli_json j;

		_rc_bench_json_begin(&j, &o, topo, "ns");
		_rc_bench_json_num(&j, "load_start", load_start);
		_rc_bench_json_num(&j, "load_end", load_end);
		cli_json_key(&j, "results");
		cli_json_arr(&j);
		for (int impl = 0; impl < NIMPLS; impl++)
			for (unsigned t = 1; t <= tmax; t++) {
				cli_json_obj(&j);
				cli_json_kv_str(&j, "lock", impl_name[impl]);
				cli_json_kv_uint(&j, "threads", t);
				cli_json_key(&j, "pus");
				cli_json_arr(&j);
				for (unsigned i = 0; i < t; i++)
					cli_json_uint(&j, pus[i]);
				cli_json_arr_end(&j);
				_rc_bench_json_stats_or_null(
					&j, "ns_per_section", &st[impl][t - 1],
					samples[impl][t - 1]);
				cli_json_obj_end(&j);
			}
		cli_json_arr_end(&j);
		_rc_bench_json_end(&j);
	} else {
		printf("ns per critical section (medians of %u samples of %g "
		       "s)\n",
		       o.repeat, o.duration);
		_rc_bench_print_machine(pus, tmax);
		printf("load average: %.2f at the start, %.2f at the end\n",
		       load_start, load_end);
		printf("\n%-8s %7s %12s %20s\n", "lock", "threads",
		       "ns/section", "p10-p90");
		for (int impl = 0; impl < NIMPLS; impl++)
			for (unsigned t = 1; t <= tmax; t++) {
				const struct rc_bench_stats *s =
					&st[impl][t - 1];
				char sp[48];

				if (s->n == 0) {
					printf("%-8s %7u %12s %20s\n",
					       impl_name[impl], t, "-", "-");
					continue;
				}
				snprintf(sp, sizeof sp, "%.1f-%.1f", s->p10,
					 s->p90);
				printf("%-8s %7u %12.1f %20s\n",
				       impl_name[impl], t, s->median, sp);
			}
	}
	for (int impl = 0; impl < NIMPLS; impl++)
		for (unsigned t = 1; t <= tmax; t++)
			free(samples[impl][t - 1]);
	free(w);
	rc_topo_close(topo);
	if (pin_failed)
		fprintf(stderr, "replicore bench lmutex: a thread could not "
				"be pinned\n");
	return failed || pin_failed ? CLI_EXIT_FOUND : CLI_EXIT_OK;
}
