/* SPDX-License-Identifier: MIT */
/* demo_limits.c: the demo's part on the limits of agreement: FLP's adversary against replicore's Paxos, losing once partial synchrony begins, CAP's two modes under a partition, and the two generals' last lost message, each computed in the run. */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "protocols/cap/cap.h"
#include "protocols/flp/flp.h"
#include "protocols/pbft/pbft.h"
#include "tools/demo.h"

/*
 * What the part runs (all in one thread, deterministic):
 *
 *   flp       replicore sim flp: the adversarial scheduler against the
 *             Paxos step machines of three nodes for FLP_STEPS steps,
 *             every message delivered within RC_FLP_FAIR steps: nothing
 *             decided, bivalent at every step; then the same scheduler
 *             with partial synchrony from step FLP_GST: decided.
 *   cap       replicore sim cap's default run: a register at 5 nodes
 *             through one partition, consistent (majority quorums) and
 *             available (the local replica when no majority answers),
 *             each history checked for linearizability.
 *   pbft      replicore sim pbft: PBFT_RUNS seeds at f = 1 (4 replicas,
 *             1 Byzantine) and f = 2 (7, 2 Byzantine), behaviours drawn
 *             from the seed, agreement and validity checked; then seed
 *             PBFT_SEED with 2 Byzantine of 4, which breaks agreement.
 *   generals  replicore sim generals: for each protocol of 1 to
 *             GEN_ROUNDS messages, the run the proof builds (the last
 *             message lost) in which one general attacks alone, and how
 *             many of all the loss patterns' runs disagree.
 *
 * The part fails when the adversary loses without synchrony, the
 * synchronous run does not decide, fairness fails, consistent mode is
 * not linearizable or available mode leaves an operation unanswered, or
 * a generals protocol has no disagreeing run.
 */

#define FLP_STEPS 100000
#define FLP_GST 500
#define GEN_ROUNDS 8
#define PBFT_RUNS 200
#define PBFT_SEED 98

struct cap_row {
	uint64_t ops, answered, stale, stale_split;
	enum rc_verdict verdict;
	char witness[320];
};

struct limits_result {
	struct _rc_flp_result async, sync;
	struct cap_row cap[2]; /* consistent, available */
	struct {
		unsigned nodes, byz, runs, viol;
		uint64_t executed, complete;
	} pbft[2];
	unsigned pbft_tight_viol;
	char pbft_why[256];
	struct {
		unsigned chain, runs, disagree;
		uint32_t lost;
		struct _rc_generals_run run;
	} gen[GEN_ROUNDS];
};

static void *limits_run(const struct demo_ctx *c, bool *failed)
{
	struct limits_result *r = calloc(1, sizeof *r);
	rc_err_t err = RC_ERR_INITIALIZER;
	struct _rc_flp_opts o = { FLP_STEPS, 0, 1, NULL };

	if (!r) {
		fprintf(stderr, "replicore demo: out of memory\n");
		return NULL;
	}
	demo_progress(c, "limits: FLP's adversary");
	if (_rc_flp_run(&o, &r->async, &err) < 0) {
		fprintf(stderr, "replicore demo: flp: %s\n", err.msg);
		free(r);
		return NULL;
	}
	o.steps = 2 * FLP_GST;
	o.gst = FLP_GST;
	if (_rc_flp_run(&o, &r->sync, &err) < 0) {
		fprintf(stderr, "replicore demo: flp: %s\n", err.msg);
		free(r);
		return NULL;
	}
	demo_progress(c, "limits: CAP");
	for (unsigned m = 0; m < 2; m++) {
		struct _rc_cap_sim_opts co = {
			.mode = m ? RC_CAP_AVAILABLE : RC_CAP_CONSISTENT,
			.nodes = 5,
			.seed = 1,
			.commands = 100,
			.timeout = 200,
		};
		struct _rc_cap_sim_result cr;
		struct cap_row *row = &r->cap[m];

		if (_rc_sim_faults_parse("part=1", &co.faults, &err) < 0 ||
		    _rc_cap_sim_run(&co, &cr, &err) < 0) {
			fprintf(stderr, "replicore demo: cap: %s\n", err.msg);
			free(r);
			return NULL;
		}
		rc_history_free(cr.history);
		row->ops = cr.ops - cr.lost;
		row->answered = cr.answered;
		row->stale = cr.stale;
		row->stale_split = cr.stale_split;
		row->verdict = cr.verdict;
		snprintf(row->witness, sizeof row->witness, "%s", cr.witness);
	}
	*failed |= r->cap[0].verdict != RC_VERDICT_OK ||
		   r->cap[1].answered != r->cap[1].ops;
	demo_progress(c, "limits: PBFT");
	for (unsigned k = 0; k < 3; k++) {
		unsigned runs = k < 2 ? PBFT_RUNS : 1;

		for (unsigned i = 0; i < runs; i++) {
			struct _rc_pbft_sim_opts po = {
				.nodes = k == 1 ? 7 : 4,
				.byz = k == 0 ? 1 : 2,
				.seed = k < 2 ? 1 + i : PBFT_SEED,
				.commands = 50,
			};
			struct _rc_pbft_sim_result pr;

			if (_rc_pbft_sim_run(&po, &pr, &err) < 0) {
				fprintf(stderr, "replicore demo: pbft: %s\n",
					err.msg);
				free(r);
				return NULL;
			}
			if (k == 2) {
				r->pbft_tight_viol = pr.violations;
				snprintf(r->pbft_why, sizeof r->pbft_why, "%s",
					 pr.why);
				continue;
			}
			r->pbft[k].nodes = po.nodes;
			r->pbft[k].byz = po.byz;
			r->pbft[k].runs++;
			r->pbft[k].viol += pr.violations != 0;
			r->pbft[k].executed += pr.executed;
			r->pbft[k].complete += pr.complete;
		}
	}
	*failed |= r->pbft[0].viol || r->pbft[1].viol || !r->pbft_tight_viol;
	demo_progress(c, "limits: the two generals");
	for (unsigned k = 1; k <= GEN_ROUNDS; k++) {
		typeof(r->gen[0]) *g = &r->gen[k - 1];

		g->chain = _rc_generals_search(k, &g->lost, &g->runs,
					       &g->disagree, NULL);
		_rc_generals_play(k, g->lost, &g->run);
		*failed |= g->chain == 0 || g->run.attack_a == g->run.attack_b;
	}
	demo_progress(c, NULL);
	*failed |= r->async.decided || !r->async.fair || !r->async.bivalent ||
		   !r->sync.decided || !r->sync.agree || !r->sync.fair;
	return r;
}

static void limits_text(const void *p, FILE *out)
{
	const struct limits_result *r = p;
	const struct _rc_flp_result *a = &r->async, *s = &r->sync;

	fprintf(out,
		"FLP: an adversary schedules replicore's Paxos step machines "
		"(3 nodes,\n"
		"values A and B): it holds each ACCEPT until the other "
		"proposer's PREPARE\n"
		"outbids it and fires election timeouts at will, delivering "
		"every message\n"
		"within %" PRIu64 " steps.\n",
		a->bound);
	fprintf(out,
		"  asynchronous   %" PRIu64 " steps, %" PRIu64 " of %" PRIu64
		" messages delivered (longest wait %" PRIu64 "),\n"
		"                 %" PRIu64 " elections; bivalent at every "
		"step: %s; decided: %s\n",
		a->steps, a->delivered, a->sent, a->max_delay, a->rounds,
		a->bivalent ? "yes" : "NO", a->decided ? "YES" : "no");
	if (s->decided)
		fprintf(out,
			"  from step %-4u every message within %" PRIu64
			" steps: %c decided at step %" PRIu64
			", every node the same: %s\n",
			FLP_GST, s->bound, s->value, s->decided_at,
			s->agree ? "yes" : "NO");
	else
		fprintf(out,
			"  from step %-4u partial synchrony: NOT decided\n",
			FLP_GST);
	fprintf(out,
		"CAP: a register at 5 nodes through one partition "
		"(replicore sim cap, seed 1):\n"
		"  %-11s %5s %9s %10s %7s  %s\n",
		"mode", "ops", "answered", "available", "stale", "verdict");
	for (unsigned m = 0; m < 2; m++) {
		const struct cap_row *row = &r->cap[m];

		fprintf(out,
			"  %-11s %5" PRIu64 " %9" PRIu64 " %9.1f%% %7" PRIu64
			"  %s\n",
			m ? "available" : "consistent", row->ops, row->answered,
			row->ops ? 100.0 * (double)row->answered /
					   (double)row->ops
				 : 0,
			row->stale,
			row->verdict == RC_VERDICT_OK ? "linearizable"
			: row->verdict == RC_VERDICT_VIOLATION
				? "NOT linearizable"
				: "unknown");
	}
	if (r->cap[1].witness[0])
		fprintf(out, "  witness: %s\n", r->cap[1].witness);
	fprintf(out, "PBFT with Byzantine replicas (silent, equivocating, "
		     "conflicting, replaying):\n");
	for (unsigned k = 0; k < 2; k++)
		fprintf(out,
			"  %u replicas, %u Byzantine: %u runs, %" PRIu64
			" complete, %" PRIu64 " requests\n"
			"    executed everywhere; agreement and validity %s\n",
			r->pbft[k].nodes, r->pbft[k].byz, r->pbft[k].runs,
			r->pbft[k].complete, r->pbft[k].executed,
			r->pbft[k].viol ? "VIOLATED" : "hold");
	fprintf(out,
		"  4 replicas, 2 Byzantine (more than f), seed %d:\n    %s\n",
		PBFT_SEED,
		r->pbft_tight_viol ? r->pbft_why : "agreement NOT broken");
	fprintf(out, "Two generals: protocol k sends at most k messages, "
		     "each acknowledging the\n"
		     "last; a general attacks when every message to it "
		     "arrived. The run with\n"
		     "the last message lost:\n");
	for (unsigned k = 1; k <= GEN_ROUNDS; k++) {
		const typeof(r->gen[0]) *g = &r->gen[k - 1];

		unsigned lost =
			g->lost ? (unsigned)__builtin_ctz(g->lost) + 1 : 0;

		fprintf(out,
			"  k=%u  %u of %u runs disagree; message %u lost: %s "
			"attacks alone\n",
			k, g->disagree, g->runs, lost,
			g->run.attack_a == g->run.attack_b ? "NOBODY"
			: g->run.attack_a		   ? "A"
							   : "B");
	}
}

static void limits_json(const void *p, struct cli_json *j)
{
	const struct limits_result *r = p;

	cli_json_obj(j);
	cli_json_key(j, "flp");
	cli_json_obj(j);
	cli_json_kv_uint(j, "steps", r->async.steps);
	cli_json_kv_uint(j, "sent", r->async.sent);
	cli_json_kv_uint(j, "delivered", r->async.delivered);
	cli_json_kv_uint(j, "max_delay_steps", r->async.max_delay);
	cli_json_kv_uint(j, "bound_steps", r->async.bound);
	cli_json_kv_uint(j, "elections", r->async.rounds);
	cli_json_kv_bool(j, "fair", r->async.fair);
	cli_json_kv_bool(j, "bivalent", r->async.bivalent);
	cli_json_kv_bool(j, "decided", r->async.decided);
	cli_json_kv_uint(j, "gst", FLP_GST);
	cli_json_kv_bool(j, "sync_decided", r->sync.decided);
	cli_json_kv_uint(j, "sync_decided_at", r->sync.decided_at);
	cli_json_kv_bool(j, "sync_agree", r->sync.agree);
	cli_json_obj_end(j);
	cli_json_key(j, "cap");
	cli_json_arr(j);
	for (unsigned m = 0; m < 2; m++) {
		const struct cap_row *row = &r->cap[m];

		cli_json_obj(j);
		cli_json_kv_str(j, "mode", m ? "available" : "consistent");
		cli_json_kv_uint(j, "ops", row->ops);
		cli_json_kv_uint(j, "answered", row->answered);
		cli_json_kv_uint(j, "stale_reads", row->stale);
		cli_json_kv_uint(j, "stale_across_split", row->stale_split);
		cli_json_kv_str(j, "verdict", rc_verdict_name(row->verdict));
		cli_json_obj_end(j);
	}
	cli_json_arr_end(j);
	cli_json_key(j, "pbft");
	cli_json_arr(j);
	for (unsigned k = 0; k < 2; k++) {
		cli_json_obj(j);
		cli_json_kv_uint(j, "nodes", r->pbft[k].nodes);
		cli_json_kv_uint(j, "byzantine", r->pbft[k].byz);
		cli_json_kv_uint(j, "runs", r->pbft[k].runs);
		cli_json_kv_uint(j, "complete", r->pbft[k].complete);
		cli_json_kv_uint(j, "executed", r->pbft[k].executed);
		cli_json_kv_bool(j, "properties_hold", !r->pbft[k].viol);
		cli_json_obj_end(j);
	}
	cli_json_arr_end(j);
	cli_json_kv_uint(j, "pbft_tight_seed", PBFT_SEED);
	cli_json_kv_bool(j, "pbft_tight_broken", r->pbft_tight_viol != 0);
	cli_json_key(j, "generals");
	cli_json_arr(j);
	for (unsigned k = 1; k <= GEN_ROUNDS; k++) {
		const typeof(r->gen[0]) *g = &r->gen[k - 1];

		cli_json_obj(j);
		cli_json_kv_uint(j, "messages", k);
		cli_json_kv_uint(j, "runs", g->runs);
		cli_json_kv_uint(j, "disagree", g->disagree);
		cli_json_kv_uint(j, "lost_mask", g->lost);
		cli_json_kv_bool(j, "attack_a", g->run.attack_a);
		cli_json_kv_bool(j, "attack_b", g->run.attack_b);
		cli_json_obj_end(j);
	}
	cli_json_arr_end(j);
	cli_json_obj_end(j);
}

static void limits_html(const void *p, FILE *out)
{
	demo_html_pre(out, limits_text, p);
}

static void limits_free(void *p)
{
	free(p);
}

const struct demo_part demo_part_limits = {
	"limits",
	"Limits of agreement: FLP's adversary, CAP, PBFT and the two "
	"generals",
	limits_run,
	limits_text,
	limits_json,
	limits_html,
	limits_free,
};
