/* SPDX-License-Identifier: MIT */
/* cmd_torture.c: `replicore torture`, clients of rc_rsm recorded while nodes stall, crash and restart, the history checked linearizable. */
#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "tools/commands.h"
#include "tools/torture.h"

static const char torture_help[] =
	"NAME\n"
	"    replicore torture - clients of the replicated state machine "
	"while nodes\n"
	"    stall, crash and restart, the history checked linearizable\n"
	"\n"
	"SYNOPSIS\n"
	"    replicore torture [--log shm|paxos] [--object register|map]\n"
	"                      [--synthetic DESC] [--duration S]\n"
	"                      [--ops N] [--rate R] [--clients C] [--seed "
	"S] [--faults K]\n"
	"                      [--fault-kinds LIST]\n"
	"                      [--broken local-reads] [--op-timeout MS] "
	"[--json] [--html OUT]\n"
	"                      [--reads tail|index]\n"
	"                      [--timeout T] [--history FILE]\n"
	"\n"
	"DESCRIPTION\n"
	"    Runs C client threads against rc_rsm holding a register (one "
	"integer per\n"
	"    replica) or a hash map (gets and puts of keys 1..5) over the "
	"chosen log,\n"
	"    on a synthetic layout mapped onto the machine's PUs. Each client "
	"registers on a different node where "
	"it can and\n"
	"    runs random reads and writes of fresh values; every operation "
	"is recorded\n"
	"    (invocation, then response; a failure as failed when the log "
	"leaves\n"
	"    nothing of it, else as indeterminate). Meanwhile K faults drawn "
	"from the\n"
	"    seed are carried out one after the other:\n"
	"      stall N   the clients on node N pause, node N's replica stops "
	"inside\n"
	"                apply (with the Paxos log Paxos node N stalls too) "
	"for 10..50\n"
	"                ms; then clients elsewhere complete two more writes "
	"and node\n"
	"                N's clients go on with a read first\n"
	"      crash N   Paxos log only: node N stops for good; only a node "
	"without\n"
	"                clients\n"
	"      restart N after L ms\n"
	"                Paxos log only: node N's clients stop starting "
	"reads, Paxos\n"
	"                node N crashes, its clients' operations fail "
	"(recorded\n"
	"                indeterminate) and they leave the node; after L "
	"(10..50) ms\n"
	"                and two more writes elsewhere the node restarts from "
	"a peer's\n"
	"                snapshot (rc_rsm_restart) and its clients come back "
	"as new\n"
	"                processes, each with a read first\n"
	"      partition N for L ms\n"
	"                Paxos log only: node N is cut off from the others "
	"for L\n"
	"                (10..50) ms while its clients go on; then the "
	"network heals\n"
	"      member N out, S in\n"
	"                Paxos log only: member N leaves the Paxos members "
	"and the\n"
	"                spare S joins (rc_log_paxos_reconfigure, submitted "
	"at S),\n"
	"                while every client goes on; N is the spare from "
	"then on.\n"
	"                With member among the kinds every node but the "
	"last starts\n"
	"                as a member (the last is the spare), the group "
	"runs with\n"
	"                alpha 8, and the layout needs 3 NUMA nodes or "
	"more\n"
	"    The faults run one after the other, and a minority of the nodes "
	"at most\n"
	"    is down at once (crashed, or down for a restart); with member "
	"faults a\n"
	"    minority of the members, (nodes - 2) / 2 nodes at most.\n"
	"    The history is then checked at lin against the register spec, "
	"or the kv\n"
	"    spec key by key for the map (initial value 0), and the verdict "
	"printed,\n"
	"    with the fault schedule as carried out.\n"
	"\n"
	"OPTIONS\n"
	"    --log L         the operation log: shm (default) or paxos\n"
	"    --object O      the replicated object: register (default) or "
	"map\n"
	"    --synthetic D   the layout, 2..32 NUMA nodes (default "
	"\"numa:3 core:1 pu:1\")\n"
	"    --duration S    run for S seconds (decimals allowed); also the "
	"window the\n"
	"                    faults fall in (default 1)\n"
	"    --ops N         each client stops after N operations; without "
	"--duration\n"
	"                    the run ends then, the faults falling in the "
	"first second\n"
	"    --rate R        operations per second per client at most "
	"(default 20000;\n"
	"                    0: as fast as they go)\n"
	"    --clients C     client threads, at most the machine's PUs and "
	"the layout's\n"
	"                    (default: that many, 64 at most)\n"
	"    --seed S        seeds the schedule and the clients' choices "
	"(default 1)\n"
	"    --faults K      fault events, 0..64 (default 4)\n"
	"    --fault-kinds LIST\n"
	"                    the kinds the schedule draws from, comma-"
	"separated:\n"
	"                    stall, crash, restart, partition, member "
	"(default:\n"
	"                    stall, crash and restart with paxos, stall "
	"with shm)\n"
	"    --broken local-reads\n"
	"                    a deliberately wrong state machine: reads skip "
	"the\n"
	"                    catch-up and answer from the local replica as it "
	"is\n"
	"                    (RC_RSM_READ_SEQ), so a read on a lagging node "
	"may miss a\n"
	"                    write that completed: the check must find it\n"
	"    --reads M       how a linearizable read learns how far its "
	"replica must\n"
	"                    catch up: tail (default) from the log's tail, "
	"which the\n"
	"                    Paxos log reads from every node's count in "
	"shared memory;\n"
	"                    index (Paxos log only) from the read index "
	"(rc_log_read_index:\n"
	"                    the leader confirms with a majority), so a read "
	"on a node\n"
	"                    cut off from the majority fails after "
	"--op-timeout\n"
	"                    (recorded failed: a read has no effect)\n"
	"    --op-timeout MS how long an update may wait for the log before "
	"it fails\n"
	"                    (default 5 for shm, 2000 for paxos: longer than "
	"a stall)\n"
	"    --timeout T     seconds the check may take (default 60)\n"
	"    --json          print the result as one JSON object\n"
	"    --html OUT      write the history and the verdict as an HTML "
	"page to OUT,\n"
	"                    the faults carried out marked on its time line\n"
	"    --history FILE  write the recorded history to FILE "
	"(replicore-check(1)\n"
	"                    reads it back)\n"
	"    -h, --help      print this help\n"
	"\n"
	"EXIT STATUS\n"
	"    0 linearizable, 1 not linearizable (the violation is printed) "
	"or a client\n"
	"    stuck (no operation returned for 10 s after the run), 2 bad "
	"usage, 3 no\n"
	"    verdict (the check ran out of time or memory).\n"
	"\n"
	"EXAMPLE\n"
	"    replicore torture --log paxos --duration 2 --seed 7\n";

#define CMD "torture"

static bool parse_seconds(const char *opt, const char *s, double *out)
{
	char *end;
	double v = strtod(s, &end);

	if (end == s || *end != '\0' || !(v > 0) || v > 86400) {
		cli_usage(CMD,
			  "%s: '%s' is not a number of seconds in (0, "
			  "86400]",
			  opt, s);
		return false;
	}
	*out = v;
	return true;
}

/* One operation in a line: number, process, [call, return] in seconds
 * of the recorder's clock, kind, argument and result. */
static void fmt_op(const rc_history_t *h, uint32_t i, char *buf, size_t len)
{
	const struct rc_hop *o = rc_history_op(h, i);
	char a[96] = "", r[64], ret[32] = "never";
	size_t k = 0;

	if (o->key != RC_HVAL_NONE) {
		a[k++] = ' ';
		rc_history_fmtval(h, o->key, a + k, sizeof(a) - k);
		k = strlen(a);
	}
	if (o->arg[0] != RC_HVAL_NONE) {
		a[k++] = ' ';
		rc_history_fmtval(h, o->arg[0], a + k, sizeof(a) - k);
	}
	rc_history_fmtval(h, o->result, r, sizeof(r));
	if (o->status != RC_HST_INDET)
		snprintf(ret, sizeof(ret), "%.6f", (double)o->ret / 1e9);
	snprintf(buf, len,
		 "#%-6" PRIu32 " process %-3" PRIu32 " [%.6f, %s] %s%s -> %s",
		 i, o->proc, (double)o->call / 1e9, ret,
		 rc_hop_kind_name(o->kind), a,
		 o->status == RC_HST_INDET  ? "? (indeterminate)"
		 : o->status == RC_HST_FAIL ? "failed"
					    : r);
}

static const char *const kind_names[] = { "stall", "crash", "restart",
					  "partition", "member" };
#define NKINDS (sizeof(kind_names) / sizeof(kind_names[0]))

/* A member set as "{1,2,3}". */
static const char *fmt_members(uint64_t m, char *buf, size_t len)
{
	size_t k = 0;

	buf[k++] = '{';
	for (unsigned n = 0; n < 64 && k + 4 < len; n++)
		if ((m >> n) & 1)
			k += (size_t)snprintf(buf + k, len - k, "%s%u",
					      buf[k - 1] == '{' ? "" : ",", n);
	snprintf(buf + k, len - k, "}");
	return buf;
}

static const char *fault_word(const struct torture_fault *f)
{
	return kind_names[f->kind];
}

/* "stall,restart" -> bits; false (and a message) on a bad list. */
static bool parse_kinds(const char *s, unsigned *out)
{
	const char *p = s;

	*out = 0;
	for (;;) {
		size_t n = strcspn(p, ",");
		unsigned k;

		for (k = 0; k < NKINDS; k++)
			if (strlen(kind_names[k]) == n &&
			    strncmp(p, kind_names[k], n) == 0)
				break;
		if (k == NKINDS) {
			cli_usage(CMD,
				  "--fault-kinds: column %zu: '%.*s' is not a "
				  "fault (stall, crash, restart, partition, "
				  "member)",
				  (size_t)(p - s) + 1, (int)n, p);
			return false;
		}
		*out |= TORTURE_KIND(k);
		if (p[n] == '\0')
			return true;
		p += n + 1;
	}
}

static void print_text(const struct torture_opts *o,
		       const struct torture_result *r)
{
	const rc_check_result_t *c = r->check;
	char b[256];

	printf("torture: %s log, %s, layout \"%s\" (%u nodes), %u clients on "
	       "nodes",
	       o->log == TORTURE_PAXOS ? "paxos" : "shm",
	       o->object == TORTURE_MAP ? "map" : "register", o->synthetic,
	       r->nnodes, r->nclients);
	for (unsigned i = 0; i < r->nclients; i++)
		printf("%s%u", i ? "," : " ", r->client_node[i]);
	printf(", seed %" PRIu64 "%s%s\n", o->seed,
	       o->read_index ? ", reads by the read index" : "",
	       o->local_reads ? ", BROKEN: local reads" : "");
	if (r->members)
		printf("  paxos members %s at the start, node %u the spare\n",
		       fmt_members(r->members, b, sizeof(b)), r->nnodes - 1);
	printf("  ran %.3f s: %" PRIu64 " reads, %" PRIu64 " writes, %" PRIu64
	       " failed (no effect), %" PRIu64 " indeterminate%s\n",
	       r->run_seconds, r->reads, r->writes, r->failed, r->indet,
	       r->capped ? " (a client stopped at the recorder's capacity)"
			 : "");
	printf("  faults (%u):\n", r->nfaults);
	for (unsigned i = 0; i < r->nfaults; i++) {
		const struct torture_fault *f = &r->faults[i];

		printf("    at %5" PRIu64 " ms  %s node %u", f->at_ms,
		       fault_word(f), f->node);
		if (f->kind == TORTURE_MEMBER)
			printf(" out, node %u in", f->node_in);
		if (f->kind == TORTURE_STALL || f->kind == TORTURE_PARTITION)
			printf(" for %" PRIu64 " ms", f->len_ms);
		else if (f->kind == TORTURE_RESTART)
			printf(" after %" PRIu64 " ms", f->len_ms);
		if (f->done) {
			printf(": began at %" PRIu64 " ms", f->began_ms);
			if (f->kind == TORTURE_STALL)
				printf(", %u client%s paused, %" PRIu64
				       " writes completed elsewhere meanwhile",
				       f->paused, f->paused == 1 ? "" : "s",
				       f->writes_during);
			if (f->kind == TORTURE_PARTITION)
				printf(", cut off from the others; %" PRIu64
				       " writes completed elsewhere meanwhile",
				       f->writes_during);
			if (f->kind == TORTURE_RESTART && f->out)
				printf(", %u client%s out (%u with an "
				       "operation failed, indeterminate)",
				       f->out, f->out == 1 ? "" : "s",
				       f->failed);
			if (f->kind == TORTURE_RESTART)
				printf(", %" PRIu64 " writes completed "
				       "elsewhere, restarted at %" PRIu64
				       " ms from entry %" PRIu64,
				       f->writes_during, f->ended_ms,
				       f->restored_at);
			if (f->kind == TORTURE_MEMBER)
				printf(" at node %u, members %s, delivered "
				       "there at %" PRIu64 " ms",
				       f->at,
				       fmt_members(f->members, b, sizeof(b)),
				       f->ended_ms);
		}
		if (f->note[0])
			printf(": %s", f->note);
		printf("\n");
	}
	if (r->stuck)
		printf("  STUCK: %u client%s never returned: no operation "
		       "returned for 10 s after the run (%s open, "
		       "indeterminate in the history)\n",
		       r->stuck, r->stuck == 1 ? "" : "s",
		       r->stuck == 1 ? "its operation stays" : "theirs stay");
	for (unsigned n = 0; r->stuck && n < r->nnodes; n++) {
		printf("    node %u: replica applied %" PRIu64, n,
		       r->stuck_applied[n]);
		if (o->log == TORTURE_PAXOS)
			printf(", Paxos delivered %" PRIu64 ", names leader %u",
			       r->stuck_delivered[n], r->stuck_leader[n]);
		printf("\n");
	}
	printf("  history: %s%s (%s, %zu ops, checked in %.3f s)\n",
	       c->verdict == RC_VERDICT_OK	    ? ""
	       : c->verdict == RC_VERDICT_VIOLATION ? "NOT "
						    : "unknown whether ",
	       "linearizable", rc_spec_name(c->spec), c->nops, c->seconds);
	if (c->note[0])
		printf("  note: %s\n", c->note);
	for (size_t p = 0, shown = 0; p < c->nparts; p++) {
		const struct rc_check_part *pt = &c->parts[p];
		size_t from = 0;

		if (pt->verdict == RC_VERDICT_VIOLATION &&
		    pt->key != RC_HVAL_NONE) {
			rc_history_fmtval(r->history, pt->key, b, sizeof(b));
			printf("  key %s:\n", b);
		}
		if (pt->note[0] && pt->verdict != RC_VERDICT_OK)
			printf("  %s\n", pt->note);
		if (pt->verdict == RC_VERDICT_OK) {
			/* one witness: the first key's of a kv history */
			if (pt->norder == 0 || shown++)
				continue;
			if (pt->key != RC_HVAL_NONE) {
				rc_history_fmtval(r->history, pt->key, b,
						  sizeof(b));
				printf("  witnesses: one per key (%zu keys); "
				       "key %s's",
				       c->nparts, b);
			} else {
				printf("  witness");
			}
			printf(": a linearization of %zu ops, the last %zu:\n",
			       pt->norder, pt->norder < 3 ? pt->norder : 3);
			for (size_t i = pt->norder > 3 ? pt->norder - 3 : 0;
			     i < pt->norder; i++) {
				fmt_op(r->history, pt->order[i], b, sizeof(b));
				printf("    %s\n", b);
			}
			continue;
		}
		if (pt->verdict != RC_VERDICT_VIOLATION)
			continue;
		if (pt->norder > 5)
			from = pt->norder - 5;
		printf("  longest linearizable prefix: %zu ops%s\n", pt->norder,
		       from ? ", the last 5:" : ":");
		for (size_t i = from; i < pt->norder; i++) {
			fmt_op(r->history, pt->order[i], b, sizeof(b));
			printf("    %s\n", b);
		}
		printf("  cannot come next:\n");
		for (size_t i = 0; i < pt->nblocked; i++) {
			fmt_op(r->history, pt->blocked[i], b, sizeof(b));
			printf("    %s\n", b);
		}
	}
}

static void json_ops(struct cli_json *j, const rc_history_t *h,
		     const uint32_t *ops, size_t n)
{
	char b[256];

	cli_json_arr(j);
	for (size_t i = 0; i < n; i++) {
		fmt_op(h, ops[i], b, sizeof(b));
		cli_json_str(j, b);
	}
	cli_json_arr_end(j);
}

static void json_members(struct cli_json *j, uint64_t m)
{
	cli_json_arr(j);
	for (unsigned n = 0; n < 64; n++)
		if ((m >> n) & 1)
			cli_json_uint(j, n);
	cli_json_arr_end(j);
}

static void print_json(const struct torture_opts *o,
		       const struct torture_result *r)
{
	const rc_check_result_t *c = r->check;
	struct cli_json j;

	cli_json_init(&j, stdout);
	cli_json_obj(&j);
	cli_json_kv_str(&j, "log", o->log == TORTURE_PAXOS ? "paxos" : "shm");
	cli_json_kv_str(&j, "object",
			o->object == TORTURE_MAP ? "map" : "register");
	cli_json_kv_str(&j, "synthetic", o->synthetic);
	cli_json_kv_uint(&j, "nodes", r->nnodes);
	cli_json_key(&j, "client_nodes");
	cli_json_arr(&j);
	for (unsigned i = 0; i < r->nclients; i++)
		cli_json_uint(&j, r->client_node[i]);
	cli_json_arr_end(&j);
	cli_json_kv_uint(&j, "seed", o->seed);
	if (r->members) {
		cli_json_key(&j, "members");
		json_members(&j, r->members);
	}
	cli_json_kv_str(&j, "broken", o->local_reads ? "local-reads" : "none");
	cli_json_kv_str(&j, "read_mode", o->read_index ? "index" : "tail");
	cli_json_kv_double(&j, "run_seconds", r->run_seconds);
	cli_json_kv_uint(&j, "reads", r->reads);
	cli_json_kv_uint(&j, "writes", r->writes);
	cli_json_kv_uint(&j, "failed", r->failed);
	cli_json_kv_uint(&j, "indeterminate", r->indet);
	cli_json_kv_bool(&j, "capped", r->capped);
	cli_json_kv_uint(&j, "stuck", r->stuck);
	cli_json_key(&j, "faults");
	cli_json_arr(&j);
	for (unsigned i = 0; i < r->nfaults; i++) {
		const struct torture_fault *f = &r->faults[i];

		cli_json_obj(&j);
		cli_json_kv_str(&j, "kind", fault_word(f));
		cli_json_kv_uint(&j, "node", f->node);
		cli_json_kv_uint(&j, "at_ms", f->at_ms);
		cli_json_kv_uint(&j, "len_ms", f->len_ms);
		cli_json_kv_bool(&j, "done", f->done);
		if (f->done) {
			cli_json_kv_uint(&j, "began_ms", f->began_ms);
			if (f->kind != TORTURE_CRASH)
				cli_json_kv_uint(&j, "ended_ms", f->ended_ms);
			if (f->kind == TORTURE_STALL)
				cli_json_kv_uint(&j, "paused", f->paused);
			if (f->kind == TORTURE_RESTART) {
				cli_json_kv_uint(&j, "clients_out", f->out);
				cli_json_kv_uint(&j, "failed_on_node",
						 f->failed);
				cli_json_kv_uint(&j, "restored_at",
						 f->restored_at);
			}
			if (f->kind != TORTURE_CRASH &&
			    f->kind != TORTURE_MEMBER)
				cli_json_kv_uint(&j, "writes_during",
						 f->writes_during);
		}
		if (f->kind == TORTURE_MEMBER) {
			cli_json_kv_uint(&j, "node_in", f->node_in);
			if (f->done)
				cli_json_kv_uint(&j, "at_node", f->at);
			cli_json_key(&j, "members");
			json_members(&j, f->members);
		}
		if (f->note[0])
			cli_json_kv_str(&j, "note", f->note);
		cli_json_obj_end(&j);
	}
	cli_json_arr_end(&j);
	cli_json_kv_str(&j, "spec", rc_spec_name(c->spec));
	cli_json_kv_str(&j, "level", "lin");
	cli_json_kv_str(&j, "verdict", rc_verdict_name(c->verdict));
	cli_json_kv_uint(&j, "ops", c->nops);
	cli_json_kv_double(&j, "check_seconds", c->seconds);
	if (c->note[0])
		cli_json_kv_str(&j, "note", c->note);
	for (size_t p = 0; p < c->nparts; p++) {
		const struct rc_check_part *pt = &c->parts[p];

		if (pt->verdict == RC_VERDICT_VIOLATION) {
			if (pt->key != RC_HVAL_NONE) {
				char kb[64];

				cli_json_kv_str(&j, "key",
						rc_history_fmtval(r->history,
								  pt->key, kb,
								  sizeof(kb)));
			}
			cli_json_key(&j, "prefix_tail");
			json_ops(&j, r->history,
				 pt->order +
					 (pt->norder > 5 ? pt->norder - 5 : 0),
				 pt->norder > 5 ? 5 : pt->norder);
			cli_json_key(&j, "blocked");
			json_ops(&j, r->history, pt->blocked, pt->nblocked);
		}
		if (pt->note[0] && pt->verdict != RC_VERDICT_OK)
			cli_json_kv_str(&j, "part_note", pt->note);
	}
	cli_json_obj_end(&j);
	cli_json_end(&j);
}

static int write_file(const char *path, const struct torture_opts *o,
		      const struct torture_result *r, bool html)
{
	rc_err_t err = RC_ERR_INITIALIZER;
	FILE *f = fopen(path, "w");
	struct rc_check_mark mk[TORTURE_MAX_FAULTS];
	char title[160], labels[TORTURE_MAX_FAULTS][48];
	size_t nmk = 0;
	int rc;

	if (!f) {
		fprintf(stderr, "replicore torture: %s: cannot write\n", path);
		return -1;
	}
	snprintf(title, sizeof(title),
		 "replicore torture: %s log, %s, \"%s\", seed %" PRIu64 "%s",
		 o->log == TORTURE_PAXOS ? "paxos" : "shm",
		 o->object == TORTURE_MAP ? "map" : "register", o->synthetic,
		 o->seed, o->local_reads ? ", broken: local reads" : "");
	/* the faults carried out, on the recorder's clock */
	for (unsigned i = 0; i < r->nfaults; i++) {
		const struct torture_fault *ft = &r->faults[i];

		if (!ft->done)
			continue;
		if (ft->kind == TORTURE_MEMBER)
			snprintf(labels[nmk], sizeof(labels[nmk]),
				 "member node %u out, %u in", ft->node,
				 ft->node_in);
		else
			snprintf(labels[nmk], sizeof(labels[nmk]), "%s node %u",
				 fault_word(ft), ft->node);
		mk[nmk].label = labels[nmk];
		mk[nmk].t_begin = (int64_t)ft->began_ns;
		mk[nmk].t_end = ft->kind == TORTURE_CRASH
					? RC_HTIME_INF
					: (int64_t)ft->ended_ns;
		nmk++;
	}
	rc = html ? rc_check_html_marks(r->history, r->check, title, mk, nmk, f,
					&err)
		  : rc_history_write(r->history, f, &err);
	if (fclose(f) != 0 || rc < 0) {
		fprintf(stderr, "replicore torture: %s: write failed\n", path);
		return -1;
	}
	return 0;
}

int cmd_torture(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "log", required_argument, NULL, 'l' },
		{ "object", required_argument, NULL, 'O' },
		{ "synthetic", required_argument, NULL, 'y' },
		{ "duration", required_argument, NULL, 'd' },
		{ "ops", required_argument, NULL, 'o' },
		{ "rate", required_argument, NULL, 'r' },
		{ "clients", required_argument, NULL, 'c' },
		{ "seed", required_argument, NULL, 's' },
		{ "faults", required_argument, NULL, 'f' },
		{ "fault-kinds", required_argument, NULL, 'k' },
		{ "broken", required_argument, NULL, 'b' },
		{ "reads", required_argument, NULL, 'R' },
		{ "timeout", required_argument, NULL, 't' },
		{ "op-timeout", required_argument, NULL, 'T' },
		{ "json", no_argument, NULL, 'j' },
		{ "html", required_argument, NULL, 'H' },
		{ "history", required_argument, NULL, 'w' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct torture_opts o;
	struct torture_result res;
	rc_err_t err = RC_ERR_INITIALIZER;
	uint64_t clients = 0, faults = 4;
	double duration = 0, timeout = 60;
	const char *html = NULL, *hist = NULL;
	bool json = false, have_duration = false;
	int c, rc;

	memset(&o, 0, sizeof(o));
	o.synthetic = "numa:3 core:1 pu:1";
	o.seed = 1;
	o.rate = 20000;
	opterr = 0;
	optind = 0;
	while ((c = getopt_long(argc, argv, ":h", opts, NULL)) != -1) {
		switch (c) {
		case 'l':
			if (strcmp(optarg, "shm") == 0)
				o.log = TORTURE_SHM;
			else if (strcmp(optarg, "paxos") == 0)
				o.log = TORTURE_PAXOS;
			else
				return cli_usage(CMD,
						 "--log: '%s' is not a log "
						 "(shm, paxos)",
						 optarg);
			break;
		case 'O':
			if (strcmp(optarg, "register") == 0)
				o.object = TORTURE_REGISTER;
			else if (strcmp(optarg, "map") == 0)
				o.object = TORTURE_MAP;
			else
				return cli_usage(CMD,
						 "--object: '%s' is not an "
						 "object (register, map)",
						 optarg);
			break;
		case 'y':
			o.synthetic = optarg;
			break;
		case 'd':
			if (!parse_seconds("--duration", optarg, &duration))
				return CLI_EXIT_USAGE;
			have_duration = true;
			break;
		case 'o':
			if (!cli_parse_u64(CMD, "--ops", optarg, &o.ops))
				return CLI_EXIT_USAGE;
			if (o.ops == 0)
				return cli_usage(CMD, "--ops must be at least "
						      "1");
			break;
		case 'r':
			if (!cli_parse_u64(CMD, "--rate", optarg, &o.rate))
				return CLI_EXIT_USAGE;
			if (o.rate > 1000000000)
				return cli_usage(CMD, "--rate: at most "
						      "1000000000");
			break;
		case 'c':
			if (!cli_parse_u64(CMD, "--clients", optarg, &clients))
				return CLI_EXIT_USAGE;
			if (clients == 0 || clients > 64)
				return cli_usage(CMD, "--clients must be "
						      "1..64");
			break;
		case 's':
			if (!cli_parse_u64(CMD, "--seed", optarg, &o.seed))
				return CLI_EXIT_USAGE;
			break;
		case 'f':
			if (!cli_parse_u64(CMD, "--faults", optarg, &faults))
				return CLI_EXIT_USAGE;
			if (faults > TORTURE_MAX_FAULTS)
				return cli_usage(CMD, "--faults must be 0..%d",
						 TORTURE_MAX_FAULTS);
			break;
		case 'k':
			if (!parse_kinds(optarg, &o.kinds))
				return CLI_EXIT_USAGE;
			break;
		case 'b':
			if (strcmp(optarg, "local-reads") != 0)
				return cli_usage(CMD,
						 "--broken: '%s' is not a "
						 "breakage (local-reads)",
						 optarg);
			o.local_reads = true;
			break;
		case 'R':
			if (strcmp(optarg, "tail") == 0)
				o.read_index = false;
			else if (strcmp(optarg, "index") == 0)
				o.read_index = true;
			else
				return cli_usage(CMD,
						 "--reads: '%s' is not a read "
						 "mode (tail, index)",
						 optarg);
			break;
		case 'T':
			if (!cli_parse_u64(CMD, "--op-timeout", optarg,
					   &o.op_timeout_ms))
				return CLI_EXIT_USAGE;
			if (o.op_timeout_ms == 0 || o.op_timeout_ms > 3600000)
				return cli_usage(CMD, "--op-timeout must be "
						      "1..3600000 ms");
			break;
		case 't':
			if (!parse_seconds("--timeout", optarg, &timeout))
				return CLI_EXIT_USAGE;
			break;
		case 'j':
			json = true;
			break;
		case 'H':
			html = optarg;
			break;
		case 'w':
			hist = optarg;
			break;
		case 'h':
			fputs(torture_help, stdout);
			return CLI_EXIT_OK;
		default:
			return cli_bad_option(CMD, argv, optopt);
		}
	}
	if (optind < argc)
		return cli_usage(CMD, "unexpected argument '%s'", argv[optind]);
	if (!have_duration && o.ops == 0)
		duration = 1;
	o.duration_ms = (uint64_t)(duration * 1000 + 0.5);
	if (have_duration && o.duration_ms == 0)
		return cli_usage(CMD, "--duration: at least 0.001 s");
	o.clients = (unsigned)clients;
	o.faults = (unsigned)faults;
	o.check_timeout = timeout;
	rc = torture_run(&o, &res, &err);
	if (rc < 0 && res.bad_usage) {
		fprintf(stderr, "replicore torture: ");
		rc_err_print(&err, stderr);
		fprintf(stderr, "Try 'replicore torture --help' for more "
				"information.\n");
		torture_result_free(&res);
		return CLI_EXIT_USAGE;
	}
	if (rc < 0 || !res.check) {
		fprintf(stderr, "replicore torture: ");
		rc_err_print(&err, stderr);
		torture_result_free(&res);
		return CLI_EXIT_UNKNOWN;
	}
	if (json)
		print_json(&o, &res);
	else
		print_text(&o, &res);
	if ((html && write_file(html, &o, &res, true) < 0) ||
	    (hist && write_file(hist, &o, &res, false) < 0)) {
		torture_result_free(&res);
		return CLI_EXIT_UNKNOWN;
	}
	rc = res.stuck					  ? CLI_EXIT_FOUND
	     : res.check->verdict == RC_VERDICT_OK	  ? CLI_EXIT_OK
	     : res.check->verdict == RC_VERDICT_VIOLATION ? CLI_EXIT_FOUND
							  : CLI_EXIT_UNKNOWN;
	torture_result_free(&res);
	return rc;
}
