/* SPDX-License-Identifier: MIT */
/* cmd_demo.c: `replicore demo`, the demonstration of what replicore does on this machine, and its first part: the topology and clocks. */
#include <getopt.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <replicore/chan.h>
#include <replicore/clock.h>
#include <replicore/config.h>
#include <replicore/topo.h>

#include "bench/bench.h"
#include "cli/cli.h"
#include "tools/commands.h"
#include "tools/demo.h"

/* Where the litmus suite is: the source tree, else where make install
 * put it (both from the build, see tools/local.mk). */
#ifndef RC_SUITE_SRCDIR
#define RC_SUITE_SRCDIR "litmus/tests"
#endif
#ifndef RC_SUITE_DATADIR
#define RC_SUITE_DATADIR RC_SUITE_SRCDIR
#endif

static const char demo_help[] =
	"NAME\n"
	"    replicore demo - run the demonstration on this machine\n"
	"\n"
	"SYNOPSIS\n"
	"    replicore demo [--json] [--html OUT] [--synthetic SPEC] "
	"[--suite DIR]\n"
	"                   [-n N] [--no-hw] [--history-rounds N] "
	"[--history-runs N]\n"
	"                   [--cost-ops N] [--cost-samples N]\n"
	"\n"
	"DESCRIPTION\n"
	"    Runs every part of the demonstration and prints what each "
	"computed:\n"
	"      1. the machine's topology and the NUMA layout the threaded "
	"parts use,\n"
	"         with three replicas exchanging messages stamped with "
	"Lamport and\n"
	"         vector clocks;\n"
	"      2. the litmus table: each test of the suite under the models "
	"sc, tso,\n"
	"         ra, sra and rc11, on this machine (X86 tests), and "
	"explored on the\n"
	"         lin, sc, tso, causal and eventual objects, with the "
	"disagreements found;\n"
	"      3. a history check: a recorded history of an sc object that "
	"is\n"
	"         sequentially consistent but not linearizable, with the "
	"witness,\n"
	"         beside a lin object's history that passes;\n"
	"      4. consensus: the replicated hash map over the Paxos log "
	"keeps\n"
	"         committing with one node of three stalled, while over the "
	"shared-\n"
	"         memory log it blocks; operations per second of both; then "
	"a node\n"
	"         crashes and restarts while clients run, and what they saw "
	"is\n"
	"         checked linearizable;\n"
	"      5. coordination: Lamport's mutual exclusion, clocks against "
	"his\n"
	"         bound, failure detectors, Chandy-Lamport snapshots and "
	"leases with\n"
	"         fencing tokens,\n"
	"         each simulated with faults, its properties checked and "
	"its broken\n"
	"         variant caught;\n"
	"      6. the limits of agreement: FLP's adversary keeps Paxos "
	"undecided\n"
	"         for 100,000 steps and loses once partial synchrony "
	"begins; the\n"
	"         two generals disagree when the last message is lost;\n"
	"      7. the cost: ns per operation of each object level, and of "
	"the\n"
	"         replicated hash map against ck_spinlock, ck_rwlock and flat\n"
	"         combining.\n"
	"    Progress goes to stderr when it is a terminal.\n"
	"\n"
	"OPTIONS\n"
	"    --json              one JSON object instead of the text\n"
	"    --html OUT          also write one self-contained HTML page "
	"(tables and\n"
	"                        inline SVG plots) to OUT\n"
	"    --synthetic SPEC    the NUMA layout of the threaded parts "
	"(default\n"
	"                        \"numa:2 core:2 pu:1\"), mapped onto the "
	"machine's PUs\n"
	"    --suite DIR         the litmus tests (default: the project's "
	"litmus/tests)\n"
	"    -n, --hw-iterations N  runs of each X86 test on the machine "
	"(default\n"
	"                        1000000)\n"
	"    --no-hw             do not run tests on the machine\n"
	"    --history-rounds N  rounds of one history run (default 200)\n"
	"    --history-runs N    runs before the history check gives up "
	"finding a\n"
	"                        stale read (default 5)\n"
	"    --cost-ops N        operations per thread and sample (default "
	"500000)\n"
	"    --cost-samples N    samples per cost (default 5)\n"
	"    -h, --help          print this help\n"
	"\n"
	"EXIT STATUS\n"
	"    0 on success; 1 if a check inside the demo failed (the machine "
	"showed a\n"
	"    state tso forbids, a history check went the wrong way, the "
	"clocks\n"
	"    disagree, the Paxos log stopped with a node stalled); 2 on a "
	"bad option;\n"
	"    3 when a part could not run.\n"
	"\n"
	"EXAMPLE\n"
	"    replicore demo --html demo.html\n"
	"    replicore demo --json -n 10000 --cost-ops 20000 >demo.json\n";

#define NREPLICAS 3
#define MAXEVENTS 8

/* One step of a replica's script. */
enum step_kind { STEP_LOCAL, STEP_SEND, STEP_RECV };

struct step {
	enum step_kind kind;
	int peer; /* the replica sent to or received from */
};

/*
 * The exchange: R0 -> R1 -> R2 -> R0 around a ring, with local events
 * between, so some events are ordered through messages and others are not.
 */
static const struct step script[NREPLICAS][MAXEVENTS] = {
	{ { STEP_LOCAL, -1 },
	  { STEP_SEND, 1 },
	  { STEP_LOCAL, -1 },
	  { STEP_RECV, 2 },
	  { STEP_LOCAL, -1 } },
	{ { STEP_LOCAL, -1 },
	  { STEP_RECV, 0 },
	  { STEP_SEND, 2 },
	  { STEP_LOCAL, -1 } },
	{ { STEP_LOCAL, -1 },
	  { STEP_LOCAL, -1 },
	  { STEP_RECV, 1 },
	  { STEP_SEND, 0 } },
};
static const unsigned script_len[NREPLICAS] = { 5, 4, 4 };

struct message {
	uint64_t lamport;
	rc_vclock_t *vc;
	unsigned from, seq;
};

struct event {
	unsigned replica, index;
	enum step_kind kind;
	int peer;
	uint64_t lamport;
	rc_vclock_t *vc;
	unsigned real_cpu;
};

struct replica {
	unsigned id;
	const rc_topo_t *topo;
	unsigned pu;
	rc_chan_t *(*chans)[NREPLICAS]; /* chans[from][to] */
	struct event events[MAXEVENTS];
	int pin_error;
};

static void *replica_main(void *arg)
{
	struct replica *r = arg;
	rc_lamport_t lc = RC_LAMPORT_INITIALIZER;
	rc_vclock_t *vc = rc_vclock_create(NREPLICAS);
	struct rc_topo_pu pu;

	r->pin_error = rc_topo_pin(r->topo, r->pu, NULL);
	rc_topo_pu(r->topo, r->pu, &pu);
	for (unsigned i = 0; i < script_len[r->id]; i++) {
		const struct step *s = &script[r->id][i];
		struct event *e = &r->events[i];
		struct message *m;

		switch (s->kind) {
		case STEP_LOCAL:
			rc_lamport_tick(&lc);
			rc_vclock_tick(vc, r->id);
			break;
		case STEP_SEND:
			rc_lamport_tick(&lc);
			rc_vclock_tick(vc, r->id);
			m = malloc(sizeof(*m));
			m->lamport = lc.time;
			m->vc = rc_vclock_dup(vc);
			m->from = r->id;
			m->seq = i;
			/* The channel's release publishes *m to the receiver. */
			rc_chan_send_spsc(r->chans[r->id][s->peer], m);
			break;
		case STEP_RECV:
			/* Acquire: pairs with the sender's release above. */
			m = rc_chan_recv_spsc(r->chans[s->peer][r->id]);
			rc_lamport_recv(&lc, m->lamport);
			rc_vclock_recv(vc, r->id, m->vc);
			rc_vclock_destroy(m->vc);
			free(m);
			break;
		}
		e->replica = r->id;
		e->index = i;
		e->kind = s->kind;
		e->peer = s->peer;
		e->lamport = lc.time;
		e->vc = rc_vclock_dup(vc);
		e->real_cpu = pu.real_os_index;
	}
	rc_vclock_destroy(vc);
	return NULL;
}

static void event_name(const struct event *e, char *buf, size_t n)
{
	snprintf(buf, n, "%c%u", 'a' + e->replica, e->index + 1);
}

static void event_what(const struct event *e, char *buf, size_t n)
{
	switch (e->kind) {
	case STEP_LOCAL:
		snprintf(buf, n, "local");
		break;
	case STEP_SEND:
		snprintf(buf, n, "send to R%d", e->peer);
		break;
	case STEP_RECV:
		snprintf(buf, n, "receive from R%d", e->peer);
		break;
	}
}

static int by_lamport(const void *a, const void *b)
{
	const struct event *x = *(const struct event *const *)a;
	const struct event *y = *(const struct event *const *)b;

	return rc_lamport_order(x->lamport, x->replica, y->lamport, y->replica);
}

struct clocks_result {
	struct event *ev[NREPLICAS * MAXEVENTS];
	struct event *order[NREPLICAS * MAXEVENTS];
	unsigned n, nhb, nconc;
	bool lamport_consistent; /* e -> f implies L(e) < L(f) */
	bool order_extends_hb;
	bool pinned;
};

static int run_clocks(const rc_topo_t *layout, struct replica *reps,
		      struct clocks_result *res)
{
	rc_chan_t *chans[NREPLICAS][NREPLICAS] = { { NULL } };
	pthread_t th[NREPLICAS];
	unsigned pus[NREPLICAS];

	rc_topo_spread(layout, NREPLICAS, pus);
	for (unsigned a = 0; a < NREPLICAS; a++)
		for (unsigned b = 0; b < NREPLICAS; b++)
			if (a != b && rc_chan_create(&chans[a][b], RC_CHAN_SPSC,
						     4, NULL) < 0)
				return -1;
	for (unsigned i = 0; i < NREPLICAS; i++) {
		memset(&reps[i], 0, sizeof(reps[i]));
		reps[i].id = i;
		reps[i].topo = layout;
		reps[i].pu = pus[i];
		reps[i].chans = chans;
		pthread_create(&th[i], NULL, replica_main, &reps[i]);
	}
	res->pinned = true;
	for (unsigned i = 0; i < NREPLICAS; i++) {
		pthread_join(th[i], NULL);
		res->pinned &= reps[i].pin_error == 0;
	}
	for (unsigned a = 0; a < NREPLICAS; a++)
		for (unsigned b = 0; b < NREPLICAS; b++)
			rc_chan_destroy(chans[a][b]);

	res->n = 0;
	for (unsigned i = 0; i < NREPLICAS; i++)
		for (unsigned k = 0; k < script_len[i]; k++)
			res->ev[res->n++] = &reps[i].events[k];
	memcpy(res->order, res->ev, sizeof(res->ev));
	qsort(res->order, res->n, sizeof(res->order[0]), by_lamport);

	res->nhb = res->nconc = 0;
	res->lamport_consistent = res->order_extends_hb = true;
	for (unsigned i = 0; i < res->n; i++)
		for (unsigned j = 0; j < res->n; j++) {
			struct event *e = res->ev[i], *f = res->ev[j];

			if (i == j)
				continue;
			if (rc_vclock_before(e->vc, f->vc)) {
				res->nhb++;
				res->lamport_consistent &=
					e->lamport < f->lamport;
			} else if (i < j && rc_vclock_compare(e->vc, f->vc) ==
						    RC_VC_CONCURRENT) {
				res->nconc++;
			}
		}
	for (unsigned i = 0; i < res->n; i++)
		for (unsigned j = i + 1; j < res->n; j++)
			res->order_extends_hb &= !rc_vclock_before(
				res->order[j]->vc, res->order[i]->vc);
	return 0;
}

static void free_events(struct replica *reps)
{
	for (unsigned i = 0; i < NREPLICAS; i++)
		for (unsigned k = 0; k < script_len[i]; k++)
			rc_vclock_destroy(reps[i].events[k].vc);
}

/* Part 1: the topologies, and the clocks of a message exchange. */
struct topo_result {
	const rc_topo_t *real, *layout;
	struct replica reps[NREPLICAS];
	struct clocks_result clocks;
};

static void *topo_run(const struct demo_ctx *c, bool *failed)
{
	struct topo_result *res = calloc(1, sizeof(*res));

	if (res == NULL)
		return NULL;
	res->real = c->real;
	res->layout = c->layout;
	if (run_clocks(c->layout, res->reps, &res->clocks) < 0) {
		fprintf(stderr, "replicore demo: cannot create channels\n");
		free(res);
		return NULL;
	}
	if (!res->clocks.lamport_consistent || !res->clocks.order_extends_hb)
		*failed = true;
	return res;
}

static void topo_free(void *p)
{
	struct topo_result *res = p;

	if (res != NULL)
		free_events(res->reps);
	free(res);
}

static void print_layout_line(FILE *out, const rc_topo_t *t)
{
	fprintf(out,
		"%s:", rc_topo_kind(t) == RC_TOPO_REAL ? "machine" : "layout");
	if (rc_topo_npackages(t) > 0)
		fprintf(out, " %u package%s,", rc_topo_npackages(t),
			rc_topo_npackages(t) == 1 ? "" : "s");
	fprintf(out, " %u NUMA node%s, %u cores, %u PUs", rc_topo_nnodes(t),
		rc_topo_nnodes(t) == 1 ? "" : "s", rc_topo_ncores(t),
		rc_topo_npus(t));
	if (rc_topo_kind(t) != RC_TOPO_REAL)
		fprintf(out, " (\"%s\", mapped onto %u real PU%s%s)",
			rc_topo_source(t), rc_topo_real_npus(t),
			rc_topo_real_npus(t) == 1 ? "" : "s",
			rc_topo_wraps(t) ? "; layout PUs share real ones" : "");
	fprintf(out, "\n");
}

static void topo_text(const void *p, FILE *out)
{
	const struct topo_result *res = p;
	const struct clocks_result *cr = &res->clocks;
	char name[8];

	print_layout_line(out, res->real);
	print_layout_line(out, res->layout);
	for (unsigned n = 0; n < rc_topo_nnodes(res->layout); n++) {
		fprintf(out, "  node %u:", n);
		for (unsigned k = 0; k < rc_topo_node_npus(res->layout, n);
		     k++) {
			struct rc_topo_pu pu;

			rc_topo_pu(res->layout,
				   rc_topo_node_pu(res->layout, n, k), &pu);
			fprintf(out, " PU %u->CPU %u", pu.index,
				pu.real_os_index);
		}
		fprintf(out, "\n");
	}
	fprintf(out, "\nThree replicas on the layout exchange messages round "
		     "a ring (channels),\nstamping each event with a Lamport "
		     "clock and a vector clock:\n ");
	for (unsigned i = 0; i < NREPLICAS; i++) {
		struct rc_topo_pu pu;

		rc_topo_pu(res->layout, res->reps[i].pu, &pu);
		fprintf(out, " R%u on PU %u (node %u, CPU %u%s)%s", i, pu.index,
			pu.node, pu.real_os_index,
			res->reps[i].pin_error ? ", not pinned" : "",
			i + 1 < NREPLICAS ? ";" : "\n");
	}
	fprintf(out,
		"  %u events: %u ordered pairs (happened-before), %u "
		"concurrent\n  order by (Lamport time, replica):",
		cr->n, cr->nhb, cr->nconc);
	for (unsigned i = 0; i < cr->n; i++) {
		event_name(cr->order[i], name, sizeof name);
		fprintf(out, " %s", name);
	}
	fprintf(out,
		"\n  it extends happened-before: %s; Lamport times increase "
		"along it: %s\n",
		cr->order_extends_hb ? "yes" : "NO",
		cr->lamport_consistent ? "yes" : "NO");
}

static void topo_json(const void *p, struct cli_json *j)
{
	const struct topo_result *res = p;
	const struct clocks_result *cr = &res->clocks;
	char name[8], what[32];

	cli_json_obj(j);
	cli_json_key(j, "machine");
	cli_json_topo(j, res->real);
	cli_json_key(j, "layout");
	cli_json_topo(j, res->layout);
	cli_json_key(j, "clocks");
	cli_json_obj(j);
	cli_json_key(j, "replicas");
	cli_json_arr(j);
	for (unsigned i = 0; i < NREPLICAS; i++) {
		struct rc_topo_pu pu;

		rc_topo_pu(res->layout, res->reps[i].pu, &pu);
		cli_json_obj(j);
		cli_json_kv_uint(j, "replica", i);
		cli_json_kv_uint(j, "pu", pu.index);
		cli_json_kv_uint(j, "node", pu.node);
		cli_json_kv_uint(j, "real_cpu", pu.real_os_index);
		cli_json_kv_bool(j, "pinned", res->reps[i].pin_error == 0);
		cli_json_obj_end(j);
	}
	cli_json_arr_end(j);
	cli_json_key(j, "events");
	cli_json_arr(j);
	for (unsigned i = 0; i < cr->n; i++) {
		const struct event *e = cr->ev[i];

		event_name(e, name, sizeof name);
		event_what(e, what, sizeof what);
		cli_json_obj(j);
		cli_json_kv_str(j, "event", name);
		cli_json_kv_uint(j, "replica", e->replica);
		cli_json_kv_str(j, "what", what);
		cli_json_kv_uint(j, "lamport", e->lamport);
		cli_json_key(j, "vclock");
		cli_json_arr(j);
		for (unsigned k = 0; k < e->vc->n; k++)
			cli_json_uint(j, e->vc->c[k]);
		cli_json_arr_end(j);
		cli_json_obj_end(j);
	}
	cli_json_arr_end(j);
	for (int conc = 0; conc < 2; conc++) {
		cli_json_key(j, conc ? "concurrent" : "happened_before");
		cli_json_arr(j);
		for (unsigned a = 0; a < cr->n; a++)
			for (unsigned b = conc ? a + 1 : 0; b < cr->n; b++) {
				const rc_vclock_t *x = cr->ev[a]->vc,
						  *y = cr->ev[b]->vc;

				if (conc ? rc_vclock_compare(x, y) !=
						    RC_VC_CONCURRENT
					 : !rc_vclock_before(x, y))
					continue;
				cli_json_arr(j);
				event_name(cr->ev[a], name, sizeof name);
				cli_json_str(j, name);
				event_name(cr->ev[b], name, sizeof name);
				cli_json_str(j, name);
				cli_json_arr_end(j);
			}
		cli_json_arr_end(j);
	}
	cli_json_key(j, "lamport_order");
	cli_json_arr(j);
	for (unsigned i = 0; i < cr->n; i++) {
		event_name(cr->order[i], name, sizeof name);
		cli_json_str(j, name);
	}
	cli_json_arr_end(j);
	cli_json_kv_bool(j, "lamport_consistent", cr->lamport_consistent);
	cli_json_kv_bool(j, "order_extends_hb", cr->order_extends_hb);
	cli_json_obj_end(j);
	cli_json_obj_end(j);
}

static void topo_html(const void *p, FILE *out)
{
	demo_html_pre(out, topo_text, p);
}

const struct demo_part demo_part_topo = {
	"topology", "Topology", topo_run,  topo_text,
	topo_json,  topo_html,	topo_free,
};

/* ---- the run ---- */

#define MAX_PARTS 8

struct done_part {
	const struct demo_part *part;
	void *result;
	double seconds;
};

static void html_page(FILE *out, const struct demo_ctx *c,
		      const struct done_part *done, size_t n, double total)
{
	fputs("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n"
	      "<meta charset=\"utf-8\"/>\n"
	      "<title>replicore demo</title>\n<style>\n"
	      "body{font-family:DejaVu Sans,Helvetica,Arial,sans-serif;"
	      "max-width:64em;margin:2em auto;padding:0 1em;color:#222}\n"
	      "pre{background:#f6f6f6;padding:.8em;overflow-x:auto;"
	      "font-size:90%}\n"
	      "table{border-collapse:collapse;font-size:90%}\n"
	      "td,th{border:1px solid #ccc;padding:.2em .6em;"
	      "text-align:center}\n"
	      "th.t{text-align:left;font-weight:normal;font-family:monospace}\n"
	      "td.y{background:#f9d9b5}td.n{background:#d4ebd0}"
	      "td.na{color:#999}td.num{text-align:right;"
	      "font-family:monospace}\n"
	      "td.dis{outline:2px solid #e15759}\n"
	      "figure{margin:1em 0}\n"
	      "</style>\n</head>\n<body>\n<h1>replicore demo</h1>\n",
	      out);
	fprintf(out,
		"<p>replicore %s on this machine; every number below was "
		"computed in this run (%.1f s). Orange cells: the relaxed "
		"outcome is allowed; green: forbidden.</p>\n",
		RC_CONFIG_VERSION, total);
	(void)c;
	for (size_t i = 0; i < n; i++) {
		fprintf(out, "<h2>%zu. ", i + 1);
		_rc_xml_esc(out, done[i].part->title);
		fprintf(out, "</h2>\n");
		done[i].part->html(done[i].result, out);
		fprintf(out, "<p><small>%.1f s</small></p>\n", done[i].seconds);
	}
	fputs("</body>\n</html>\n", out);
}

static void json_doc(const struct done_part *done, size_t n, double total,
		     bool failed)
{
	struct cli_json j;

	cli_json_init(&j, stdout);
	cli_json_obj(&j);
	cli_json_kv_str(&j, "schema", "replicore-demo/1");
	cli_json_kv_str(&j, "version", RC_CONFIG_VERSION);
	for (size_t i = 0; i < n; i++) {
		cli_json_key(&j, done[i].part->key);
		done[i].part->json(done[i].result, &j);
	}
	cli_json_key(&j, "seconds");
	cli_json_obj(&j);
	for (size_t i = 0; i < n; i++)
		cli_json_kv_double(&j, done[i].part->key, done[i].seconds);
	cli_json_kv_double(&j, "total", total);
	cli_json_obj_end(&j);
	cli_json_kv_bool(&j, "failed", failed);
	cli_json_obj_end(&j);
	cli_json_end(&j);
}

static bool dir_exists(const char *p)
{
	struct stat st;

	return stat(p, &st) == 0 && S_ISDIR(st.st_mode);
}

/* Parses a count option into *out (at least min); false after a message. */
static bool count_opt(const char *opt, const char *s, uint64_t min,
		      uint64_t max, uint64_t *out)
{
	if (!cli_parse_u64("demo", opt, s, out))
		return false;
	if (*out < min || *out > max) {
		cli_usage("demo", "%s must be %llu to %llu", opt,
			  (unsigned long long)min, (unsigned long long)max);
		return false;
	}
	return true;
}

static int parse(int argc, char **argv, struct demo_opts *o)
{
	static const struct option opts[] = {
		{ "synthetic", required_argument, NULL, 's' },
		{ "suite", required_argument, NULL, 'S' },
		{ "json", no_argument, NULL, 'j' },
		{ "html", required_argument, NULL, 'H' },
		{ "hw-iterations", required_argument, NULL, 'n' },
		{ "no-hw", no_argument, NULL, 'N' },
		{ "history-rounds", required_argument, NULL, 'r' },
		{ "history-runs", required_argument, NULL, 'R' },
		{ "cost-ops", required_argument, NULL, 'o' },
		{ "cost-samples", required_argument, NULL, 'O' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	uint64_t v;
	int c;

	opterr = 0;
	optind = 0;
	while ((c = getopt_long(argc, argv, ":n:h", opts, NULL)) != -1) {
		switch (c) {
		case 's':
			o->synthetic = optarg;
			break;
		case 'S':
			o->suite = optarg;
			break;
		case 'j':
			o->json = true;
			break;
		case 'H':
			o->html = optarg;
			break;
		case 'n':
			if (!count_opt("--hw-iterations", optarg, 1, 100000000,
				       &o->hw_iterations))
				return CLI_EXIT_USAGE;
			break;
		case 'N':
			o->hw = false;
			break;
		case 'r':
			if (!count_opt("--history-rounds", optarg, 1, 100000,
				       &v))
				return CLI_EXIT_USAGE;
			o->history_rounds = (unsigned)v;
			break;
		case 'R':
			if (!count_opt("--history-runs", optarg, 1, 1000, &v))
				return CLI_EXIT_USAGE;
			o->history_tries = (unsigned)v;
			break;
		case 'o':
			if (!count_opt("--cost-ops", optarg, 1, 1000000000,
				       &o->cost_ops))
				return CLI_EXIT_USAGE;
			break;
		case 'O':
			if (!count_opt("--cost-samples", optarg, 1, 1000, &v))
				return CLI_EXIT_USAGE;
			o->cost_repeat = (unsigned)v;
			break;
		case 'h':
			fputs(demo_help, stdout);
			return CLI_EXIT_OK;
		default:
			return cli_bad_option("demo", argv, optopt);
		}
	}
	if (optind < argc)
		return cli_usage("demo", "unexpected argument '%s'",
				 argv[optind]);
	if (o->suite != NULL && !dir_exists(o->suite))
		return cli_usage("demo", "--suite: no folder '%s'", o->suite);
	return -1;
}

int cmd_demo(int argc, char **argv)
{
	struct demo_opts o = {
		.synthetic = "numa:2 core:2 pu:1",
		.hw_iterations = 1000000,
		.hw = true,
		.history_rounds = 200,
		.history_tries = 5,
		.cost_ops = 500000,
		.cost_repeat = 5,
	};
	const struct demo_part *parts[MAX_PARTS];
	struct done_part done[MAX_PARTS];
	rc_err_t err = RC_ERR_INITIALIZER;
	rc_topo_t *real = NULL, *layout = NULL;
	struct demo_ctx ctx = { &o, NULL, NULL };
	FILE *html = NULL;
	size_t nparts = 0, ndone = 0;
	uint64_t t0 = rc_clock_now_ns();
	bool failed = false;
	int status = parse(argc, argv, &o);
	double total;

	if (status >= 0)
		return status;
	if (o.suite == NULL)
		o.suite = dir_exists(RC_SUITE_SRCDIR) ? RC_SUITE_SRCDIR
						      : RC_SUITE_DATADIR;
	o.progress = cli_progress_enabled();
	/* the page's file first: a run is not wasted on an unwritable path */
	if (o.html != NULL && (html = fopen(o.html, "w")) == NULL) {
		fprintf(stderr, "replicore demo: --html: cannot write %s\n",
			o.html);
		return CLI_EXIT_USAGE;
	}
	if (rc_topo_open(&layout, o.synthetic, NULL, &err) < 0 ||
	    rc_topo_open(&real, NULL, NULL, &err) < 0) {
		fputs("replicore demo: ", stderr);
		rc_err_print(&err, stderr);
		rc_topo_close(layout);
		if (html != NULL)
			fclose(html);
		return CLI_EXIT_USAGE;
	}
	ctx.real = real;
	ctx.layout = layout;
	parts[nparts++] = &demo_part_topo;
	parts[nparts++] = &demo_part_litmus;
	parts[nparts++] = &demo_part_history;
	if (&demo_part_consensus != NULL)
		parts[nparts++] = &demo_part_consensus;
	parts[nparts++] = &demo_part_coord;
	parts[nparts++] = &demo_part_limits;
	parts[nparts++] = &demo_part_cost;

	status = CLI_EXIT_OK;
	for (size_t i = 0; i < nparts; i++) {
		uint64_t t = rc_clock_now_ns();
		void *r = parts[i]->run(&ctx, &failed);

		if (r == NULL) {
			fprintf(stderr,
				"replicore demo: the %s part could not "
				"run\n",
				parts[i]->key);
			status = CLI_EXIT_UNKNOWN;
			continue;
		}
		done[ndone].part = parts[i];
		done[ndone].result = r;
		done[ndone].seconds = (double)(rc_clock_now_ns() - t) / 1e9;
		if (!o.json) {
			printf("== %zu. %s\n\n", ndone + 1, parts[i]->title);
			parts[i]->text(r, stdout);
			printf("(%.1f s)\n\n", done[ndone].seconds);
			fflush(stdout);
		}
		ndone++;
	}
	total = (double)(rc_clock_now_ns() - t0) / 1e9;
	if (o.json)
		json_doc(done, ndone, total, failed);
	else
		printf("demo: %zu parts in %.1f s%s\n", ndone, total,
		       failed ? "; a check FAILED (see above)" : "");
	if (html != NULL) {
		html_page(html, &ctx, done, ndone, total);
		if (fclose(html) != 0) {
			fprintf(stderr,
				"replicore demo: --html: cannot write "
				"%s\n",
				o.html);
			status = CLI_EXIT_USAGE;
		}
	}
	for (size_t i = 0; i < ndone; i++)
		done[i].part->free(done[i].result);
	rc_topo_close(real);
	rc_topo_close(layout);
	if (status == CLI_EXIT_OK && failed)
		status = CLI_EXIT_FOUND;
	return status;
}
