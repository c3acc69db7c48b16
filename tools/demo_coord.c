/* SPDX-License-Identifier: MIT */
/* demo_coord.c: the demo's coordination part: Lamport's mutual exclusion, clocks against Lamport's bound, failure detectors, Chandy-Lamport snapshots and leases with fencing tokens, each run in the seeded simulator with faults, its properties checked, and its broken variant caught. */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "protocols/clocks/clocks.h"
#include "protocols/fd/fd.h"
#include "protocols/lease/lease.h"
#include "protocols/lmutex/lmutex.h"
#include "protocols/snapshot/snapshot.h"
#include "tools/demo.h"

/*
 * Everything here is the simulator's (protocols/sim): one thread, seeded
 * faults, the protocols' own checkers; the runs take milliseconds. What
 * the part prints is what these runs counted:
 *
 *   lmutex    LM_RUNS runs of 4 processes with drops, duplicates, delays
 *             and stalls: requests granted, properties (exclusion, order,
 *             liveness); LM_RUNS more with a crash, which blocks the lock
 *             (Lamport's algorithm needs every process's answer); and the
 *             first seed at which the broken copy (enter without every
 *             acknowledgement) is caught.
 *   clocks    CLK_RUNS runs of 4 clocks at each of three drift bounds:
 *             the largest skew after the warm-up against the paper's
 *             bound d (2 kappa tau + xi).
 *   fd        FD_RUNS runs of 5 nodes with two crashes, then FD_RUNS with
 *             delays and stalls too: false suspicions and the mean time
 *             to detect a crash, in heartbeat intervals, of the heartbeat
 *             detector (timeout backing off) and the phi accrual one;
 *             completeness and eventual accuracy; the first seed at which
 *             a detector that never retracts a suspicion is caught.
 *   snapshot  SN_RUNS runs of a bank of 5 with drops, duplicates, delays,
 *             stalls and a partition: snapshots completed, each checked
 *             for conservation and a consistent cut; the first seed at
 *             which snapshots whose markers go out late are caught.
 *   lease     the stop-the-world pause of seed LS_SEED (stall=4): a paused
 *             holder's write with its old token, rejected by the fenced
 *             store; and the same run with a store that ignores tokens,
 *             which the fencing check catches.
 *
 * The part fails when a correct protocol violates a property or a broken
 * one is not caught.
 */

#define LM_RUNS 200
#define CLK_RUNS 20
#define SN_RUNS 200
#define FD_RUNS 200
#define LS_SEED 6
#define BROKEN_SEEDS \
	1000 /* seeds tried before a broken copy counts as missed */

static const unsigned clk_ppm[3] = { 100, 1000, 10000 };

struct coord_result {
	/* lmutex */
	uint64_t lm_requested, lm_granted;
	unsigned lm_viol, lm_blocked, lm_crash_viol;
	uint64_t lm_broken_seed; /* 0: not caught */
	/* clocks */
	struct {
		double bound, skew;
		uint64_t samples;
		unsigned viol;
	} clk[3];
	/* failure detectors: [0] crashes only, [1] with delays and stalls */
	struct {
		uint64_t crashes, false_hb, false_phi, det_hb, det_phi;
		unsigned viol;
	} fd[2];
	uint64_t fd_interval_us, fd_broken_seed;
	/* snapshots */
	uint64_t sn_snapshots, sn_complete, sn_transfers;
	unsigned sn_viol;
	uint64_t sn_broken_seed;
	/* lease */
	uint64_t ls_granted, ls_accepted, ls_rejected;
	unsigned ls_viol, ls_broken_viol;
	char ls_broken_why[256];
};

static bool faults(const char *spec, struct _rc_sim_faults *f)
{
	rc_err_t err = RC_ERR_INITIALIZER;

	return _rc_sim_faults_parse(spec, f, &err) == 0;
}

static void *coord_run(const struct demo_ctx *c, bool *failed)
{
	struct coord_result *r = calloc(1, sizeof *r);
	rc_err_t err = RC_ERR_INITIALIZER;
	bool ok = r != NULL;

	if (!r) {
		fprintf(stderr, "replicore demo: out of memory\n");
		return NULL;
	}
	demo_progress(c, "coordination: Lamport's mutual exclusion");
	for (uint64_t s = 1; ok && s <= 2 * LM_RUNS; s++) {
		struct _rc_lmutex_sim_opts o = { .nodes = 4,
						 .seed = s,
						 .requests = 20 };
		struct _rc_lmutex_sim_result res;

		ok = faults(s <= LM_RUNS ? "drop=0.1,dup=0.1,delay=0.2,stall=2"
					 : "drop=0.1,delay=0.2,crash=1",
			    &o.faults) &&
		     _rc_lmutex_sim_run(&o, &res, &err) == 0;
		if (s <= LM_RUNS) {
			r->lm_requested += res.requested;
			r->lm_granted += res.granted;
			r->lm_viol += res.violations != 0;
		} else {
			r->lm_blocked += res.blocked;
			r->lm_crash_viol += res.violations != 0;
		}
	}
	for (uint64_t s = 1; ok && s <= BROKEN_SEEDS && !r->lm_broken_seed;
	     s++) {
		struct _rc_lmutex_sim_opts o = {
			.nodes = 4, .seed = s, .requests = 20, .noack = true
		};
		struct _rc_lmutex_sim_result res;

		ok = faults("drop=0.1,dup=0.1,delay=0.2,stall=2", &o.faults) &&
		     _rc_lmutex_sim_run(&o, &res, &err) == 0;
		if (ok && res.violations)
			r->lm_broken_seed = s;
	}
	demo_progress(c, "coordination: clocks against Lamport's bound");
	for (unsigned k = 0; ok && k < 3; k++)
		for (uint64_t s = 1; ok && s <= CLK_RUNS; s++) {
			struct _rc_clk_sim_opts o = {
				.variant = RC_CLK_LAMPORT,
				.nodes = 4,
				.seed = s,
				.commands = 100,
				.kappa = clk_ppm[k] / 1e6,
				.period = 100.0,
			};
			struct _rc_clk_sim_result res;

			ok = _rc_clk_sim_run(&o, &res, &err) == 0;
			r->clk[k].bound = res.bound;
			if (res.max_skew > r->clk[k].skew)
				r->clk[k].skew = res.max_skew;
			r->clk[k].samples += res.samples;
			r->clk[k].viol += res.violations != 0;
		}
	demo_progress(c, "coordination: failure detectors");
	r->fd_interval_us = 100;
	for (unsigned k = 0; ok && k < 3; k++)
		for (uint64_t s = 1;
		     ok && s <= (k < 2 ? FD_RUNS : BROKEN_SEEDS); s++) {
			struct _rc_fd_sim_opts o = {
				.nodes = 5,
				.seed = s,
				.commands = 100,
				.interval = r->fd_interval_us,
				.timeout = 2 * r->fd_interval_us,
				.backoff = 1.5,
				.threshold = 8,
				.window = 100,
				.sticky = k == 2,
			};
			struct _rc_fd_sim_result res;

			ok = faults(k == 0 ? "crash=2"
					   : "crash=2,delay=0.2,stall=2",
				    &o.faults) &&
			     _rc_fd_sim_run(&o, &res, &err) == 0;
			if (k == 2) {
				if (ok && res.violations) {
					r->fd_broken_seed = s;
					break;
				}
				continue;
			}
			r->fd[k].crashes += res.crashes;
			r->fd[k].false_hb += res.false_hb;
			r->fd[k].false_phi += res.false_phi;
			r->fd[k].det_hb += res.det_hb_sum;
			r->fd[k].det_phi += res.det_phi_sum;
			r->fd[k].viol += res.violations != 0;
		}
	demo_progress(c, "coordination: Chandy-Lamport snapshots");
	for (uint64_t s = 1; ok && s <= SN_RUNS; s++) {
		struct _rc_snap_sim_opts o = { .variant =
						       RC_SNAP_CHANDY_LAMPORT,
					       .nodes = 5,
					       .seed = s,
					       .commands = 40 };
		struct _rc_snap_sim_result res;

		ok = faults("drop=0.1,dup=0.1,delay=0.2,stall=2,part=1",
			    &o.faults) &&
		     _rc_snap_sim_run(&o, &res, &err) == 0;
		r->sn_snapshots += res.snapshots;
		r->sn_complete += res.complete;
		r->sn_transfers += res.transfers;
		r->sn_viol += res.violations != 0;
	}
	for (uint64_t s = 1; ok && s <= BROKEN_SEEDS && !r->sn_broken_seed;
	     s++) {
		struct _rc_snap_sim_opts o = { .variant = RC_SNAP_LATE_MARKERS,
					       .nodes = 5,
					       .seed = s,
					       .commands = 40 };
		struct _rc_snap_sim_result res;

		ok = faults("drop=0.1,dup=0.1,delay=0.2,stall=2,part=1",
			    &o.faults) &&
		     _rc_snap_sim_run(&o, &res, &err) == 0;
		if (ok && res.violations)
			r->sn_broken_seed = s;
	}
	demo_progress(c, "coordination: leases with fencing tokens");
	for (int broken = 0; ok && broken < 2; broken++) {
		struct _rc_lease_sim_opts o;
		struct _rc_lease_sim_result res;

		memset(&o, 0, sizeof o);
		o.nodes = 5;
		o.seed = LS_SEED;
		o.commands = 20;
		o.lease = 200;
		o.drift = 10000;
		o.ignore_tokens = broken;
		ok = faults("stall=4", &o.faults) &&
		     _rc_lease_sim_run(&o, &res, &err) == 0;
		if (!broken) {
			r->ls_granted = res.granted;
			r->ls_accepted = res.accepted;
			r->ls_rejected = res.rejected;
			r->ls_viol = res.violations;
		} else {
			r->ls_broken_viol = res.violations;
			snprintf(r->ls_broken_why, sizeof r->ls_broken_why,
				 "%s", res.why);
		}
	}
	demo_progress(c, NULL);
	if (!ok) {
		fprintf(stderr, "replicore demo: coordination: %s\n",
			err.msg[0] ? err.msg : "a simulation could not run");
		free(r);
		return NULL;
	}
	*failed |= r->fd[0].viol || r->fd[1].viol || !r->fd_broken_seed;
	*failed |= r->lm_viol || r->lm_crash_viol || !r->lm_broken_seed ||
		   r->sn_viol || !r->sn_broken_seed || r->ls_viol ||
		   !r->ls_rejected || !r->ls_broken_viol;
	for (unsigned k = 0; k < 3; k++)
		*failed |= r->clk[k].viol != 0;
	return r;
}

static const char *holds(unsigned viol)
{
	return viol ? "VIOLATED" : "hold";
}

static void coord_text(const void *p, FILE *out)
{
	const struct coord_result *r = p;

	fprintf(out, "Each in the seeded simulator (replicore sim), properties "
		     "checked after\n"
		     "every run:\n");
	fprintf(out,
		"  lmutex    %u runs of 4 processes, drops, duplicates, "
		"delays, stalls:\n"
		"            %" PRIu64 " of %" PRIu64
		" requests granted; exclusion, order and liveness %s\n"
		"            with a crash: %u of %u runs blocked (every "
		"answer is needed)\n"
		"            entering without every acknowledgement: caught "
		"at seed %" PRIu64 "\n",
		LM_RUNS, r->lm_granted, r->lm_requested, holds(r->lm_viol),
		r->lm_blocked, LM_RUNS, r->lm_broken_seed);
	fprintf(out,
		"  clocks    %u runs of 4 clocks each, tau 100 us, xi 9 "
		"us, d 1:\n",
		CLK_RUNS);
	for (unsigned k = 0; k < 3; k++)
		fprintf(out,
			"            drift %5u ppm: skew %8.3f us at most, "
			"bound %8.3f us (%s)\n",
			clk_ppm[k], r->clk[k].skew, r->clk[k].bound,
			r->clk[k].viol ? "EXCEEDED" : "within");
	fprintf(out,
		"  fd        %u runs of 5 nodes, heartbeat every %" PRIu64
		" us, two crashes each;\n"
		"            false suspicions and detection (mean, in "
		"intervals), heartbeat | phi:\n",
		FD_RUNS, r->fd_interval_us);
	for (unsigned k = 0; k < 2; k++) {
		double iv = (double)r->fd_interval_us * 1000.0;
		double n = r->fd[k].crashes ? (double)r->fd[k].crashes : 1;

		fprintf(out,
			"            %-26s %6" PRIu64 " %6.2f | %6" PRIu64
			" %6.2f\n",
			k ? "with delays and stalls:" : "crashes only:",
			r->fd[k].false_hb, r->fd[k].det_hb / n / iv,
			r->fd[k].false_phi, r->fd[k].det_phi / n / iv);
	}
	fprintf(out,
		"            completeness and eventual accuracy %s; a detector "
		"that never\n"
		"            retracts: caught at seed %" PRIu64 "\n",
		holds(r->fd[0].viol + r->fd[1].viol), r->fd_broken_seed);
	fprintf(out,
		"  snapshot  %u runs of a bank of 5, drops, duplicates, "
		"delays, stalls, a\n"
		"            partition: %" PRIu64 " of %" PRIu64
		" snapshots completed over %" PRIu64 " transfers;\n"
		"            conservation and consistent cut %s; markers sent "
		"late: caught at\n"
		"            seed %" PRIu64 "\n",
		SN_RUNS, r->sn_complete, r->sn_snapshots, r->sn_transfers,
		holds(r->sn_viol), r->sn_broken_seed);
	fprintf(out,
		"  lease     seed %d, a holder paused past its lease: %" PRIu64
		" leases granted,\n"
		"            %" PRIu64 " writes accepted, %" PRIu64
		" rejected as stale; properties %s;\n"
		"            a store that ignores tokens: %s\n",
		LS_SEED, r->ls_granted, r->ls_accepted, r->ls_rejected,
		holds(r->ls_viol), r->ls_broken_viol ? "caught" : "NOT CAUGHT");
	if (r->ls_broken_viol)
		fprintf(out, "            (%s)\n", r->ls_broken_why);
}

static void coord_json(const void *p, struct cli_json *j)
{
	const struct coord_result *r = p;

	cli_json_obj(j);
	cli_json_key(j, "lmutex");
	cli_json_obj(j);
	cli_json_kv_uint(j, "runs", LM_RUNS);
	cli_json_kv_uint(j, "requested", r->lm_requested);
	cli_json_kv_uint(j, "granted", r->lm_granted);
	cli_json_kv_bool(j, "properties_hold", !r->lm_viol);
	cli_json_kv_uint(j, "crash_runs_blocked", r->lm_blocked);
	cli_json_kv_uint(j, "broken_caught_at_seed", r->lm_broken_seed);
	cli_json_obj_end(j);
	cli_json_key(j, "clocks");
	cli_json_arr(j);
	for (unsigned k = 0; k < 3; k++) {
		cli_json_obj(j);
		cli_json_kv_uint(j, "drift_ppm", clk_ppm[k]);
		cli_json_kv_double(j, "max_skew_us", r->clk[k].skew);
		cli_json_kv_double(j, "bound_us", r->clk[k].bound);
		cli_json_kv_uint(j, "samples", r->clk[k].samples);
		cli_json_kv_bool(j, "within", !r->clk[k].viol);
		cli_json_obj_end(j);
	}
	cli_json_arr_end(j);
	cli_json_key(j, "fd");
	cli_json_obj(j);
	cli_json_kv_uint(j, "runs", FD_RUNS);
	cli_json_kv_uint(j, "interval_us", r->fd_interval_us);
	cli_json_key(j, "rows");
	cli_json_arr(j);
	for (unsigned k = 0; k < 2; k++) {
		cli_json_obj(j);
		cli_json_kv_str(j, "faults",
				k ? "crash=2,delay=0.2,stall=2" : "crash=2");
		cli_json_kv_uint(j, "crashes", r->fd[k].crashes);
		cli_json_kv_uint(j, "false_heartbeat", r->fd[k].false_hb);
		cli_json_kv_uint(j, "false_phi", r->fd[k].false_phi);
		cli_json_kv_double(j, "detect_heartbeat_ns_mean",
				   r->fd[k].crashes ? (double)r->fd[k].det_hb /
							      r->fd[k].crashes
						    : 0);
		cli_json_kv_double(j, "detect_phi_ns_mean",
				   r->fd[k].crashes ? (double)r->fd[k].det_phi /
							      r->fd[k].crashes
						    : 0);
		cli_json_kv_bool(j, "properties_hold", !r->fd[k].viol);
		cli_json_obj_end(j);
	}
	cli_json_arr_end(j);
	cli_json_kv_uint(j, "broken_caught_at_seed", r->fd_broken_seed);
	cli_json_obj_end(j);
	cli_json_key(j, "snapshot");
	cli_json_obj(j);
	cli_json_kv_uint(j, "runs", SN_RUNS);
	cli_json_kv_uint(j, "snapshots", r->sn_snapshots);
	cli_json_kv_uint(j, "complete", r->sn_complete);
	cli_json_kv_uint(j, "transfers", r->sn_transfers);
	cli_json_kv_bool(j, "properties_hold", !r->sn_viol);
	cli_json_kv_uint(j, "broken_caught_at_seed", r->sn_broken_seed);
	cli_json_obj_end(j);
	cli_json_key(j, "lease");
	cli_json_obj(j);
	cli_json_kv_uint(j, "seed", LS_SEED);
	cli_json_kv_uint(j, "granted", r->ls_granted);
	cli_json_kv_uint(j, "accepted", r->ls_accepted);
	cli_json_kv_uint(j, "rejected_stale", r->ls_rejected);
	cli_json_kv_bool(j, "properties_hold", !r->ls_viol);
	cli_json_kv_bool(j, "broken_caught", r->ls_broken_viol != 0);
	cli_json_obj_end(j);
	cli_json_obj_end(j);
}

static void coord_html(const void *p, FILE *out)
{
	demo_html_pre(out, coord_text, p);
}

static void coord_free(void *p)
{
	free(p);
}

const struct demo_part demo_part_coord = {
	"coordination",
	"Coordination: mutual exclusion, clocks, failure detectors, snapshots "
	"and leases, simulated with faults",
	coord_run,
	coord_text,
	coord_json,
	coord_html,
	coord_free,
};
