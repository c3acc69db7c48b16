/* SPDX-License-Identifier: MIT */
/* cmd_demo.c: `replicore demo`, the demonstration of what replicore does on this machine. */
#include <getopt.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <replicore/chan.h>
#include <replicore/clock.h>
#include <replicore/topo.h>

#include "tools/cli.h"
#include "tools/commands.h"

static const char demo_help[] =
	"NAME\n"
	"    replicore demo - run the demonstration on this machine\n"
	"\n"
	"SYNOPSIS\n"
	"    replicore demo [--synthetic SPEC] [--json]\n"
	"\n"
	"DESCRIPTION\n"
	"    Prints the machine's topology and the NUMA layout the demo "
	"uses, then\n"
	"    runs three replicas on their own threads, pinned through that "
	"layout,\n"
	"    exchanging messages over channels. Every event is stamped with "
	"a Lamport\n"
	"    clock and a vector clock. The demo prints each event, which "
	"pairs of\n"
	"    events happened-before one another and which are concurrent "
	"(from the\n"
	"    vector clocks), and the total order that Lamport clocks with "
	"replica-id\n"
	"    tie-breaks give, checked against happened-before.\n"
	"\n"
	"OPTIONS\n"
	"    --synthetic SPEC  the NUMA layout for the replicas (default "
	"\"numa:2 core:2 pu:1\"),\n"
	"                      mapped onto the machine's PUs\n"
	"    --json            print one JSON object instead of the text\n"
	"    -h, --help        print this help\n"
	"\n"
	"EXIT STATUS\n"
	"    0 on success; 1 if a check inside the demo failed; 2 on a bad "
	"option.\n"
	"\n"
	"EXAMPLE\n"
	"    replicore demo --synthetic \"package:2 numa:2 core:1 pu:1\"\n";

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
			rc_chan_send(r->chans[r->id][s->peer], m);
			break;
		case STEP_RECV:
			/* Acquire: pairs with the sender's release above. */
			m = rc_chan_recv(r->chans[s->peer][r->id]);
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

static void print_layout_line(const rc_topo_t *t)
{
	printf("%s:", rc_topo_kind(t) == RC_TOPO_REAL ? "machine" : "layout");
	if (rc_topo_npackages(t) > 0)
		printf(" %u package%s,", rc_topo_npackages(t),
		       rc_topo_npackages(t) == 1 ? "" : "s");
	printf(" %u NUMA node%s, %u cores, %u PUs", rc_topo_nnodes(t),
	       rc_topo_nnodes(t) == 1 ? "" : "s", rc_topo_ncores(t),
	       rc_topo_npus(t));
	if (rc_topo_kind(t) != RC_TOPO_REAL)
		printf(" (\"%s\", mapped onto %u real PU%s%s)",
		       rc_topo_source(t), rc_topo_real_npus(t),
		       rc_topo_real_npus(t) == 1 ? "" : "s",
		       rc_topo_wraps(t) ? "; layout PUs share real ones" : "");
	printf("\n");
}

static void print_text(const rc_topo_t *real, const rc_topo_t *layout,
		       const struct replica *reps,
		       const struct clocks_result *res)
{
	char name[8], name2[8], what[32], vcs[64];

	printf("== 1. Topology\n\n");
	print_layout_line(real);
	print_layout_line(layout);
	for (unsigned n = 0; n < rc_topo_nnodes(layout); n++) {
		printf("  node %u:", n);
		for (unsigned k = 0; k < rc_topo_node_npus(layout, n); k++) {
			struct rc_topo_pu pu;

			rc_topo_pu(layout, rc_topo_node_pu(layout, n, k), &pu);
			printf(" PU %u->CPU %u", pu.index, pu.real_os_index);
		}
		printf("\n");
	}

	printf("\n== 2. Replicas exchanging messages, stamped with Lamport "
	       "and vector clocks\n\n");
	for (unsigned i = 0; i < NREPLICAS; i++) {
		struct rc_topo_pu pu;

		rc_topo_pu(layout, reps[i].pu, &pu);
		printf("R%u on layout PU %u (node %u), real CPU %u%s\n", i,
		       pu.index, pu.node, pu.real_os_index,
		       reps[i].pin_error ? " (not pinned)" : "");
	}
	printf("\n  event  replica  what              Lamport  vector "
	       "clock\n");
	for (unsigned i = 0; i < res->n; i++) {
		const struct event *e = res->ev[i];

		event_name(e, name, sizeof name);
		event_what(e, what, sizeof what);
		rc_vclock_format(e->vc, vcs, sizeof vcs);
		printf("  %-6s R%-7u %-17s %-8llu %s\n", name, e->replica, what,
		       (unsigned long long)e->lamport, vcs);
	}

	printf("\nhappened-before (from the vector clocks), %u ordered "
	       "pairs:\n",
	       res->nhb);
	for (unsigned i = 0; i < res->n; i++) {
		bool any = false;

		event_name(res->ev[i], name, sizeof name);
		for (unsigned j = 0; j < res->n; j++) {
			if (!rc_vclock_before(res->ev[i]->vc, res->ev[j]->vc))
				continue;
			event_name(res->ev[j], name2, sizeof name2);
			if (!any)
				printf("  %-3s -> ", name);
			printf(" %s", name2);
			any = true;
		}
		if (any)
			printf("\n");
	}
	printf("\nconcurrent pairs (neither happened before the other), "
	       "%u:\n",
	       res->nconc);
	for (unsigned i = 0, col = 0; i < res->n; i++)
		for (unsigned j = i + 1; j < res->n; j++)
			if (rc_vclock_compare(res->ev[i]->vc, res->ev[j]->vc) ==
			    RC_VC_CONCURRENT) {
				event_name(res->ev[i], name, sizeof name);
				event_name(res->ev[j], name2, sizeof name2);
				if (col == 10) {
					printf("\n");
					col = 0;
				}
				printf("%s%s||%s", col == 0 ? "  " : " ", name,
				       name2);
				col++;
			}
	printf("\n\ntotal order by (Lamport time, replica id):\n ");
	for (unsigned i = 0; i < res->n; i++) {
		event_name(res->order[i], name, sizeof name);
		printf(" %s", name);
	}
	printf("\n\n");
	printf("check: every happened-before pair has increasing Lamport "
	       "time: %s\n",
	       res->lamport_consistent ? "yes" : "NO");
	printf("check: the total order extends happened-before: %s\n",
	       res->order_extends_hb ? "yes" : "NO");
	printf("note: Lamport times alone cannot tell concurrent events from "
	       "ordered ones;\n      the vector clocks above can.\n");
}

static void print_json(const rc_topo_t *real, const rc_topo_t *layout,
		       const struct replica *reps,
		       const struct clocks_result *res)
{
	struct cli_json j;
	char name[8], what[32];

	cli_json_init(&j, stdout);
	cli_json_obj(&j);
	cli_json_key(&j, "machine");
	cli_json_topo(&j, real);
	cli_json_key(&j, "layout");
	cli_json_topo(&j, layout);
	cli_json_key(&j, "clocks");
	cli_json_obj(&j);
	cli_json_key(&j, "replicas");
	cli_json_arr(&j);
	for (unsigned i = 0; i < NREPLICAS; i++) {
		struct rc_topo_pu pu;

		rc_topo_pu(layout, reps[i].pu, &pu);
		cli_json_obj(&j);
		cli_json_kv_uint(&j, "replica", i);
		cli_json_kv_uint(&j, "pu", pu.index);
		cli_json_kv_uint(&j, "node", pu.node);
		cli_json_kv_uint(&j, "real_cpu", pu.real_os_index);
		cli_json_kv_bool(&j, "pinned", reps[i].pin_error == 0);
		cli_json_obj_end(&j);
	}
	cli_json_arr_end(&j);
	cli_json_key(&j, "events");
	cli_json_arr(&j);
	for (unsigned i = 0; i < res->n; i++) {
		const struct event *e = res->ev[i];

		event_name(e, name, sizeof name);
		event_what(e, what, sizeof what);
		cli_json_obj(&j);
		cli_json_kv_str(&j, "event", name);
		cli_json_kv_uint(&j, "replica", e->replica);
		cli_json_kv_str(&j, "what", what);
		cli_json_kv_uint(&j, "lamport", e->lamport);
		cli_json_key(&j, "vclock");
		cli_json_arr(&j);
		for (unsigned k = 0; k < e->vc->n; k++)
			cli_json_uint(&j, e->vc->c[k]);
		cli_json_arr_end(&j);
		cli_json_obj_end(&j);
	}
	cli_json_arr_end(&j);
	cli_json_key(&j, "happened_before");
	cli_json_arr(&j);
	for (unsigned a = 0; a < res->n; a++)
		for (unsigned b = 0; b < res->n; b++)
			if (rc_vclock_before(res->ev[a]->vc, res->ev[b]->vc)) {
				cli_json_arr(&j);
				event_name(res->ev[a], name, sizeof name);
				cli_json_str(&j, name);
				event_name(res->ev[b], name, sizeof name);
				cli_json_str(&j, name);
				cli_json_arr_end(&j);
			}
	cli_json_arr_end(&j);
	cli_json_key(&j, "concurrent");
	cli_json_arr(&j);
	for (unsigned a = 0; a < res->n; a++)
		for (unsigned b = a + 1; b < res->n; b++)
			if (rc_vclock_compare(res->ev[a]->vc, res->ev[b]->vc) ==
			    RC_VC_CONCURRENT) {
				cli_json_arr(&j);
				event_name(res->ev[a], name, sizeof name);
				cli_json_str(&j, name);
				event_name(res->ev[b], name, sizeof name);
				cli_json_str(&j, name);
				cli_json_arr_end(&j);
			}
	cli_json_arr_end(&j);
	cli_json_key(&j, "lamport_order");
	cli_json_arr(&j);
	for (unsigned i = 0; i < res->n; i++) {
		event_name(res->order[i], name, sizeof name);
		cli_json_str(&j, name);
	}
	cli_json_arr_end(&j);
	cli_json_kv_bool(&j, "lamport_consistent", res->lamport_consistent);
	cli_json_kv_bool(&j, "order_extends_hb", res->order_extends_hb);
	cli_json_obj_end(&j);
	cli_json_obj_end(&j);
	cli_json_end(&j);
}

int cmd_demo(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "synthetic", required_argument, NULL, 's' },
		{ "json", no_argument, NULL, 'j' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *synthetic = "numa:2 core:2 pu:1";
	rc_err_t err = RC_ERR_INITIALIZER;
	struct replica reps[NREPLICAS];
	struct clocks_result res;
	rc_topo_t *real = NULL, *layout = NULL;
	bool json = false;
	int c, status;

	opterr = 0;
	optind = 0;
	while ((c = getopt_long(argc, argv, ":h", opts, NULL)) != -1) {
		switch (c) {
		case 's':
			synthetic = optarg;
			break;
		case 'j':
			json = true;
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
	if (rc_topo_open(&layout, synthetic, NULL, &err) < 0 ||
	    rc_topo_open(&real, NULL, NULL, &err) < 0) {
		fputs("replicore demo: ", stderr);
		rc_err_print(&err, stderr);
		rc_topo_close(layout);
		return CLI_EXIT_USAGE;
	}
	if (run_clocks(layout, reps, &res) < 0) {
		fprintf(stderr, "replicore demo: cannot create channels\n");
		rc_topo_close(real);
		rc_topo_close(layout);
		return CLI_EXIT_UNKNOWN;
	}
	if (json)
		print_json(real, layout, reps, &res);
	else
		print_text(real, layout, reps, &res);
	status = res.lamport_consistent && res.order_extends_hb
			 ? CLI_EXIT_OK
			 : CLI_EXIT_FOUND;
	free_events(reps);
	rc_topo_close(real);
	rc_topo_close(layout);
	return status;
}
